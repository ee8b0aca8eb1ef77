/* hello.c: the smallest useful WAGI handler. Shows the CGI contract a `corral serve` module
 * follows: request metadata arrives as environment variables (REQUEST_METHOD, SCRIPT_NAME,
 * PATH_INFO, QUERY_STRING), and the response is printed on stdout as header lines, one blank
 * line, then the body. Also reads GREETING, which modules.toml sets for this module alone
 * with an `environment` table (a Corral/Spin extension; WAGI has no per-module variables).
 *
 * Build: scripts/build_examples.sh (into build/examples/serve/)
 * Try:   build/corral run --env REQUEST_METHOD=GET --env SCRIPT_NAME=/hello \
 *          --env GREETING=Howdy build/examples/serve/hello.wasm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* getenv, with a fallback for a variable that is unset or empty. Run outside a gateway (plain
 * `corral run`), the module sees no CGI variables at all, and should still answer. */
static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

int main(void)
{
    const char *method = env_or("REQUEST_METHOD", "GET");
    /* The request path is the route's part (SCRIPT_NAME) plus the rest (PATH_INFO, already
     * percent-decoded). A prefix route on "/" has SCRIPT_NAME "/" and PATH_INFO "/x": skip
     * one of the two slashes where they meet. */
    const char *script = env_or("SCRIPT_NAME", "");
    const char *info = env_or("PATH_INFO", "");
    size_t n = strlen(script);
    if (n && script[n - 1] == '/' && info[0] == '/')
        info++;
    const char *query = env_or("QUERY_STRING", NULL);
    const char *greeting = env_or("GREETING", NULL);

    /* Headers. Content-Type (or Status, or Location) is required: without one the gateway
     * answers 500 "At least one of 'content-type', 'status' or 'location' must be specified,
     * then a blank line". */
    printf("Content-Type: text/plain; charset=utf-8\n");
    printf("\n"); /* the blank line: everything after it is the body, byte for byte */

    printf("Hello from Corral!\n");
    if (greeting)
        printf("Greeting: %s\n", greeting);
    printf("Method: %s\n", method);
    printf("Path: %s%s\n", *script || *info ? script : "/", info);
    if (query)
        printf("Query: %s\n", query);
    /* Returning 0 from main ends the module without proc_exit. A non-zero status would call
     * proc_exit, which WAGI (but not Corral) turns into a 500 even for status 0. */
    return 0;
}
