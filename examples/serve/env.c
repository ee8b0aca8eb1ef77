/* env.c: the environment dumper, the debugging tool every WAGI user reaches for. Answers
 * text/plain with every environment variable the module received, sorted by name, then its
 * argv. Mount it on a prefix route ("/env/...") and compare what different requests give:
 * the CGI variables (REQUEST_METHOD, SCRIPT_NAME, PATH_INFO, X_FULL_URL, X_MATCHED_ROUTE ...),
 * one HTTP_* per request header, the --env / --env-file values and the module's own
 * `environment` table; argv is WAGI's [request path, query split on '&' ...] (not decoded).
 *
 * Build: scripts/build_examples.sh (into build/examples/serve/)
 * Try:   build/corral run --env 'QUERY_STRING=a=1&b=2' --argv0 /env \
 *          build/examples/serve/env.wasm a=1 b=2 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ; /* every "NAME=VALUE" the module was given */

/* Orders "NAME=VALUE" strings by NAME alone. A plain strcmp would compare '=' with the next
 * name's characters and put "A1=x" before "A=x". */
static int by_name(const void *pa, const void *pb)
{
    const unsigned char *a = *(const unsigned char *const *)pa;
    const unsigned char *b = *(const unsigned char *const *)pb;
    for (;; a++, b++) {
        unsigned ca = *a == '=' ? 0 : *a, cb = *b == '=' ? 0 : *b;
        if (ca != cb || ca == 0)
            return (int)ca - (int)cb;
    }
}

int main(int argc, char **argv)
{
    size_t n = 0;
    while (environ && environ[n])
        n++;
    /* Sort a copy of the pointer array: environ itself belongs to libc. */
    char **vars = malloc((n ? n : 1) * sizeof *vars);
    if (!vars) {
        /* Still a valid CGI response: Status alone is enough for the gateway. */
        printf("Status: 500 Internal Server Error\nContent-Type: text/plain\n\nout of memory\n");
        return 0;
    }
    memcpy(vars, environ, n * sizeof *vars);
    qsort(vars, n, sizeof *vars, by_name);

    printf("Content-Type: text/plain; charset=utf-8\n\n");
    printf("# Environment: %zu variable%s\n", n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++)
        printf("%s\n", vars[i]);
    printf("\n# argv: argc = %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = %s\n", i, argv[i]);
    free(vars);
    return 0;
}
