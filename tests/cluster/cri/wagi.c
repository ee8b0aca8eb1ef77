/* wagi.c: the WAGI handler of the CRI test's image corral.local/hello-wagi:1, served by
 * `corral serve` (route /hello in that image's /modules.toml) inside a Corral pod. Answers
 * "hello from a corral pod: METHOD PATH". */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    const char *method = getenv("REQUEST_METHOD");
    const char *script = getenv("SCRIPT_NAME");
    const char *info = getenv("PATH_INFO");
    printf("Content-Type: text/plain\n\n");
    printf("hello from a corral pod: %s %s%s\n", method ? method : "?", script ? script : "",
           info ? info : "");
    return 0;
}
