/* stdin_cat: reads stdin to the end with fd_read in small pieces and echoes it upper-cased,
 * then counts bytes and lines; the last read returns 0 and stays 0. */
#include "wasitest.h"

#include <ctype.h>
#include <unistd.h>

int main(void)
{
    char buf[7];
    ssize_t n;
    size_t bytes = 0, lines = 0;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            putchar(toupper((unsigned char)buf[i]));
            lines += buf[i] == '\n';
        }
        bytes += (size_t)n;
    }
    printf("--\nbytes=%zu lines=%zu last read=%zd again=%zd\n", bytes, lines, n,
           read(0, buf, sizeof buf));
    return 0;
}
