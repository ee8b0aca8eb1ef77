/* main.c: {{name}}, an HTTP handler (WAGI style): each request runs main() in a fresh
 * sandbox with the request in environment variables (REQUEST_METHOD, PATH_INFO,
 * QUERY_STRING, HTTP_*) and the body on stdin. It prints the response: headers, a blank
 * line, the body. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    const char *greeting = getenv("GREETING"); /* corral.toml's environment */
    const char *path = getenv("PATH_INFO");
    printf("Content-Type: text/plain; charset=utf-8\n\n");
    printf("%s from {{name}}! You asked for %s\n", greeting ? greeting : "Hello",
           path && *path ? path : "/");
    /* corral.toml's files: the static directory, read-only at /static. */
    FILE *f = fopen("/static/about.txt", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        fputs(line, stdout);
    if (f)
        fclose(f);
    return 0;
}
