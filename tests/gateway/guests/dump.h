/* dump.h: what the environment guests print: a CGI response (text/plain) whose body lists,
 * one per line, every environment variable exactly as received ("NAME=VALUE", in the order
 * the gateway gave them), then lines starting with '@' (never an environment name): the
 * handler that ran, argc, each argv element, and the stdin byte count with its 64-bit
 * FNV-1a hash, so a test can check a binary body byte for byte. run.sh reads these lines. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <wasi/api.h>

extern char **environ;

/* argv straight from WASI: the handlers other than _start have no main() to receive it. */
static void dump_argv(void)
{
    __wasi_size_t argc = 0, size = 0;
    if (__wasi_args_sizes_get(&argc, &size) != 0) {
        printf("@argc=?\n");
        return;
    }
    uint8_t **argv = calloc(argc + 1, sizeof *argv);
    uint8_t *buf = malloc(size + 1);
    if (!argv || !buf || __wasi_args_get(argv, buf) != 0) {
        printf("@argc=?\n");
        return;
    }
    printf("@argc=%u\n", (unsigned)argc);
    for (__wasi_size_t i = 0; i < argc; i++)
        printf("@argv[%u]=%s\n", (unsigned)i, (const char *)argv[i]);
    free(argv);
    free(buf);
}

static void dump_stdin(void)
{
    uint64_t h = 0xcbf29ce484222325u, n = 0;
    unsigned char buf[4096];
    ssize_t r;
    while ((r = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < r; i++)
            h = (h ^ buf[i]) * 0x100000001b3u;
        n += (uint64_t)r;
    }
    printf("@stdin=%llu fnv=%016llx%s\n", (unsigned long long)n, (unsigned long long)h,
           r < 0 ? " (read error)" : "");
}

static void dump(const char *handler)
{
    printf("Content-Type: text/plain\n\n");
    for (size_t i = 0; environ && environ[i]; i++)
        printf("%s\n", environ[i]);
    printf("@handler=%s\n", handler);
    dump_argv();
    dump_stdin();
}
