/* stdin_empty: with stdin at end of file from the start, reads return 0 and getchar EOF. */
#include "wasitest.h"

#include <unistd.h>

int main(void)
{
    char buf[16];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    __wasi_size_t n = 99;
    wt_report("fd_read stdin", __wasi_fd_read(0, &iov, 1, &n));
    printf("nread=%u getchar=%d\n", (unsigned)n, getchar());
    return 0;
}
