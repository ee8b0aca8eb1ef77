/* bigfile: writes 4 MiB to a file in uneven pieces, reads it back in other uneven pieces and
 * with pread at scattered offsets, and checks size and contents (a position-derived pattern). */
#include "wasitest.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

enum { SIZE = 4 << 20 };

static uint8_t pattern(size_t i)
{
    return (uint8_t)((i * 2654435761u) >> 13);
}

int main(void)
{
    uint8_t *buf = malloc(70000);
    int fd = open("/scratch/big.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    size_t off = 0, piece = 1;
    while (off < SIZE) {
        size_t n = piece < SIZE - off ? piece : SIZE - off;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern(off + i);
        if (write(fd, buf, n) != (ssize_t)n) {
            printf("write at %zu: %s\n", off, wt_errstr(errno));
            return 1;
        }
        off += n;
        piece = piece * 3 % 65521 + 1;
    }
    struct stat st;
    fstat(fd, &st);
    printf("size=%lld\n", (long long)st.st_size);
    lseek(fd, 0, SEEK_SET);
    size_t bad = 0, total = 0;
    ssize_t got;
    while ((got = read(fd, buf, 65536 - 7)) > 0) {
        for (ssize_t i = 0; i < got; i++)
            bad += buf[i] != pattern(total + (size_t)i);
        total += (size_t)got;
    }
    printf("read back %zu bytes, mismatches=%zu\n", total, bad);
    bad = 0;
    for (size_t k = 0; k < 1000; k++) {
        size_t at = (k * 7919u * 523u) % (SIZE - 100);
        uint8_t b[100];
        if (pread(fd, b, sizeof b, (off_t)at) != 100) {
            bad++;
            continue;
        }
        for (size_t i = 0; i < 100; i++)
            bad += b[i] != pattern(at + i);
    }
    printf("1000 preads, mismatches=%zu\n", bad);
    close(fd);
    return 0;
}
