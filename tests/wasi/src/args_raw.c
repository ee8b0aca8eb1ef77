/* args_raw: args_sizes_get and args_get called directly: the sizes agree with the strings,
 * every pointer lands inside the buffer, strings are NUL terminated and packed in order. */
#include "wasitest.h"

#include <stdlib.h>

int main(void)
{
    __wasi_size_t argc = 0, buf_size = 0;
    wt_report("args_sizes_get", __wasi_args_sizes_get(&argc, &buf_size));
    printf("argc=%u buf_size=%u\n", (unsigned)argc, (unsigned)buf_size);
    uint8_t **argv = calloc(argc + 1, sizeof *argv);
    uint8_t *buf = malloc(buf_size + 16);
    memset(buf, 0xAA, buf_size + 16);
    wt_report("args_get", __wasi_args_get(argv, buf));
    size_t total = 0;
    for (__wasi_size_t i = 0; i < argc; i++) {
        size_t len = strlen((char *)argv[i]);
        int inside = argv[i] >= buf && argv[i] + len < buf + buf_size;
        int packed = argv[i] == buf + total;
        printf("arg %u: inside=%d packed=%d len=%zu\n", (unsigned)i, inside, packed, len);
        total += len + 1;
    }
    printf("sum of lengths + NULs = buf_size: %s\n", total == buf_size ? "yes" : "no");
    printf("bytes after the buffer untouched: %s\n", buf[buf_size] == 0xAA ? "yes" : "no");
    return 0;
}
