/* environ_raw: environ_sizes_get and environ_get called directly; without --env the guest's
 * environment is empty (count 0, size 0). With variables, checks the layout as args_raw does. */
#include "wasitest.h"

#include <stdlib.h>

int main(void)
{
    __wasi_size_t count = 99, size = 99;
    wt_report("environ_sizes_get", __wasi_environ_sizes_get(&count, &size));
    printf("count=%u size=%u\n", (unsigned)count, (unsigned)size);
    uint8_t **env = calloc(count + 1, sizeof *env);
    uint8_t *buf = malloc(size + 1);
    wt_report("environ_get", __wasi_environ_get(env, buf));
    size_t total = 0;
    for (__wasi_size_t i = 0; i < count; i++) {
        size_t len = strlen((char *)env[i]);
        printf("var %u: packed=%d has '='=%d\n", (unsigned)i, env[i] == buf + total,
               strchr((char *)env[i], '=') != NULL);
        total += len + 1;
    }
    printf("sizes agree: %s\n", total == size ? "yes" : "no");
    printf("getenv(PATH)=%s\n", getenv("PATH") ? "set" : "NULL");
    return 0;
}
