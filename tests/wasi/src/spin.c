/* spin: runs for ever (or for argv[1] rounds of a busy loop), printing a line every 2^20
 * rounds with write() so the output up to a trap is not lost in stdio's buffer. For the
 * limits: --timeout must stop it, --fuel must stop it at the same place every time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile unsigned sink;

int main(int argc, char **argv)
{
    unsigned long long rounds = argc > 1 ? strtoull(argv[1], NULL, 10) : 0;
    write(1, "spinning\n", 9);
    for (unsigned long long i = 1; rounds == 0 || i <= rounds; i++) {
        sink = sink * 1103515245u + 12345u;
        if ((i & ((1u << 20) - 1)) == 0) {
            char line[48];
            int n = snprintf(line, sizeof line, "round %llu\n", i);
            write(1, line, (size_t)n);
        }
    }
    printf("done %u\n", sink & 0xFF);
    return 0;
}
