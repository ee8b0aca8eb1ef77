/* fetch.c: outbound HTTP from a module, through the allow-list. Shows the
 * wasi_experimental_http host interface from C (sdk/wasi_experimental_http.h): the module
 * GETs a URL and reports the status and the body. It may reach only the origins that its
 * modules.toml entry lists in allowed_hosts; any other URL (and any redirect to one) fails
 * with destination_not_allowed before a byte leaves the host.
 *
 * Which URL: ?url=URL (percent-encoded), else this gateway's own /hello, built from the
 * Host the request came in with, so the demo needs no internet. A module calling its own
 * gateway holds one worker while /hello takes another: run it with 2 workers or more.
 *
 * Build: scripts/build_examples.sh (clang ... -I sdk, into build/examples/serve/)
 * Try:   build/corral run --allow-host http://127.0.0.1:3000 --env HTTP_HOST=127.0.0.1:3000 \
 *          build/examples/serve/fetch.wasm        (with the gateway serving on :3000) */
#include "wasi_experimental_http.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* The value of ?url= in the query, percent-decoded, in buf; false when there is none. */
static bool query_url(const char *query, char *buf, size_t cap)
{
    const char *p = query;
    while (p && *p && strncmp(p, "url=", 4) != 0)
        p = (p = strchr(p, '&')) ? p + 1 : NULL;
    if (!p || !*p)
        return false;
    size_t n = 0;
    for (p += 4; *p && *p != '&' && n + 1 < cap; p++) {
        if (p[0] == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            buf[n++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
        } else {
            buf[n++] = *p == '+' ? ' ' : *p;
        }
    }
    buf[n] = '\0';
    return n > 0;
}

int main(void)
{
    char url[1024];
    const char *host = getenv("HTTP_HOST");
    if (!query_url(getenv("QUERY_STRING"), url, sizeof url))
        snprintf(url, sizeof url, "http://%s/hello", host && *host ? host : "127.0.0.1:3000");

    uint16_t status = 0;
    char *body = NULL;
    size_t len = 0;
    /* weh_get: one request (the host follows redirects, each checked against the
     * allow-list), the whole body read, the response closed. */
    uint32_t err = weh_get(url, &status, &body, &len);
    if (err != WEH_SUCCESS) {
        printf("Status: 502 Bad Gateway\n");
        printf("Content-Type: text/plain; charset=utf-8\n\n");
        printf("GET %s\nfailed: %s\n", url, weh_error_name(err));
        if (err == WEH_DESTINATION_NOT_ALLOWED)
            printf("(its origin is not in this module's allowed_hosts in modules.toml)\n");
        return 0;
    }
    printf("Content-Type: text/plain; charset=utf-8\n\n");
    printf("GET %s\nstatus: %u\nbody (%zu bytes):\n%.*s", url, (unsigned)status, len, (int)len,
           body);
    free(body);
    return 0;
}
