/* counter.c: a visit counter in a key-value store. Shows the corral_kv host interface from
 * C (sdk/corral_kv.h): the module opens the store its modules.toml entry grants it
 * (key_value_stores = ["default"]) and increments one key atomically, so concurrent requests
 * on every worker, and other gateway processes sharing the same store, never lose a visit.
 * The store "default" is SQLite in the gateway's state directory (.corral/ unless
 * --state-dir or a --runtime-config says otherwise); nothing else needs to run.
 *
 * Build: scripts/build_examples.sh (clang ... -I sdk, into build/examples/serve/)
 * Try:   build/corral run --kv-store default build/examples/serve/counter.wasm */
#include "corral_kv.h"

#include <stdio.h>

int main(void)
{
    corral_kv_store_t store;
    int64_t visits = 0;
    /* Every call returns an error code; none traps. A module not granted "default" gets
     * ACCESS_DENIED here. */
    uint32_t err = corral_kv_open_str("default", &store);
    if (err == CORRAL_KV_OK) {
        /* One atomic read-modify-write in the host: a get then a set would lose updates
         * between two requests running at once. The value is stored as decimal text ("42"),
         * so corral_kv_get (or Redis's own GET) reads it back as an ordinary value. */
        err = corral_kv_increment(store, "visits", 6, 1, &visits);
        corral_kv_close(store);
    }
    if (err != CORRAL_KV_OK) {
        printf("Status: 500 Internal Server Error\n");
        printf("Content-Type: text/plain; charset=utf-8\n\n");
        printf("The counter's store failed: %s\n", corral_kv_error_name(err));
        return 0;
    }
    printf("Content-Type: text/plain; charset=utf-8\n");
    printf("Cache-Control: no-store\n\n");
    printf("Visits: %lld\n", (long long)visits);
    return 0;
}
