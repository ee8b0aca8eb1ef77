/* main.c: {{name}}, a visit counter in the key-value store "default" (corral.toml grants it
 * with key_value_stores; `corral up` keeps it in .corral/, SQLite). One atomic increment in
 * the host per request, so concurrent requests never lose a visit. */
#include "corral_kv.h"

#include <stdio.h>

int main(void)
{
    corral_kv_store_t store;
    int64_t visits = 0;
    uint32_t err = corral_kv_open_str("default", &store);
    if (err == CORRAL_KV_OK) {
        err = corral_kv_increment(store, "visits", 6, 1, &visits);
        corral_kv_close(store);
    }
    if (err != CORRAL_KV_OK) {
        printf("Status: 500 Internal Server Error\n");
        printf("Content-Type: text/plain; charset=utf-8\n\n");
        printf("The store failed: %s\n", corral_kv_error_name(err));
        return 0;
    }
    printf("Content-Type: text/plain; charset=utf-8\n");
    printf("Cache-Control: no-store\n\n");
    printf("{{name}}: visit %lld\n", (long long)visits);
    return 0;
}
