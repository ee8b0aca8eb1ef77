/* main.c: {{name}}, an HTTP handler that calls out over HTTP: it GETs ?url=URL (without one,
 * this gateway's /healthz) and reports the status and body. It may reach only the origins
 * corral.toml's allowed_hosts lists; any other URL fails with destination_not_allowed. */
#include "wasi_experimental_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char url[1024];
    const char *query = getenv("QUERY_STRING"), *host = getenv("HTTP_HOST");
    if (query && !strncmp(query, "url=", 4))
        snprintf(url, sizeof url, "%s", query + 4);
    else
        snprintf(url, sizeof url, "http://%s/healthz", host && *host ? host : "127.0.0.1:3000");
    uint16_t status = 0;
    char *body = NULL;
    size_t len = 0;
    uint32_t err = weh_get(url, &status, &body, &len);
    printf("Content-Type: text/plain; charset=utf-8\n\n");
    if (err != WEH_SUCCESS)
        printf("{{name}}: GET %s failed: %s\n", url, weh_error_name(err));
    else
        printf("{{name}}: GET %s: %u, %zu bytes: %.*s\n", url, (unsigned)status, len, (int)len,
               body);
    free(body);
    return 0;
}
