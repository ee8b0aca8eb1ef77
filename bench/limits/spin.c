/* spin.c: the limits benchmarks' guest (bench/startup_limits.sh), a WASI command that never
 * returns: a pure arithmetic loop that prints its iteration count and state every 2^18
 * iterations (a few hundred lines a second), flushed, so the output shows how far a run got.
 * Only --timeout or --fuel stops it. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    uint32_t x = 1;
    for (uint64_t i = 1;; i++) {
        x = x * 1664525u + 1013904223u;
        if ((i & 0x3FFFF) == 0) {
            printf("%llu %08x\n", (unsigned long long)i, (unsigned)x);
            fflush(stdout);
        }
    }
}
