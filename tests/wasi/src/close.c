/* close: fd_close frees an fd: using it afterwards is EBADF, closing twice is EBADF, the
 * file opens again; closing stdin makes reads EBADF; closing stdout leaves
 * stderr working. */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

int main(void)
{
    int fd = open("/data/hello.txt", O_RDONLY);
    wt_report("fd_close", __wasi_fd_close(fd));
    wt_report("fd_close again", __wasi_fd_close(fd));
    char c;
    __wasi_iovec_t iov = {(uint8_t *)&c, 1};
    __wasi_size_t n;
    wt_report("fd_read after close", __wasi_fd_read(fd, &iov, 1, &n));
    int again = open("/data/hello.txt", O_RDONLY);
    printf("open again: %s\n", again >= 0 ? "OK" : wt_errstr(errno));
    wt_report("fd_close fd 99", __wasi_fd_close(99));
    wt_report("fd_close stdin", __wasi_fd_close(0));
    wt_report("fd_read stdin", __wasi_fd_read(0, &iov, 1, &n));
    fflush(stdout);
    wt_report("fd_close stdout", __wasi_fd_close(1));
    fprintf(stderr, "stderr still works\n");
    __wasi_ciovec_t out = {(const uint8_t *)"lost\n", 5};
    fprintf(stderr, "fd_write stdout: %s\n", wt_errstr(__wasi_fd_write(1, &out, 1, &n)));
    return 0;
}
