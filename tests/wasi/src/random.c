/* random: random_get fills buffers of many lengths (0 to 1 MiB); the bytes are not constant,
 * two draws differ, and the bytes around the buffer are left alone. getentropy() too. */
#include "wasitest.h"

#include <stdlib.h>
#include <unistd.h>

static int all_same(const uint8_t *p, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (p[i] != p[0])
            return 0;
    return 1;
}

int main(void)
{
    static const size_t lens[] = {0, 1, 2, 16, 255, 256, 4096, 65536, 1 << 20};
    for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
        size_t n = lens[k];
        uint8_t *buf = malloc(n + 2);
        memset(buf, 0x5A, n + 2);
        int e = __wasi_random_get(buf + 1, n);
        int guard = buf[0] == 0x5A && buf[n + 1] == 0x5A;
        printf("random_get(%zu): %s, guard bytes intact=%d", n, wt_errstr(e), guard);
        if (n >= 16)
            printf(", not constant=%d", !all_same(buf + 1, n));
        printf("\n");
        free(buf);
    }
    uint8_t a[32], b[32];
    __wasi_random_get(a, sizeof a);
    __wasi_random_get(b, sizeof b);
    printf("two 32-byte draws differ: %d\n", memcmp(a, b, sizeof a) != 0);

    /* Over many draws every byte value shows up: catches a generator stuck on few values. */
    int seen[256] = {0}, distinct = 0;
    uint8_t big[8192];
    __wasi_random_get(big, sizeof big);
    for (size_t i = 0; i < sizeof big; i++)
        if (!seen[big[i]]++)
            distinct++;
    printf("all 256 byte values in 8 KiB: %d\n", distinct == 256);

    uint8_t g[256];
    wt_report("getentropy(256)", wt_libc(getentropy(g, sizeof g) != 0));
    return 0;
}
