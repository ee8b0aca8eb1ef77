/* read: fd_read from files in a preopened directory: short reads across a file, scatter into
 * several iovecs, zero-length reads, reads at end of file (0 bytes), an empty file, and reads
 * from fds that are not open (EBADF). */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

int main(void)
{
    int fd = open("/data/hello.txt", O_RDONLY);
    wt_report("open hello.txt", wt_libc(fd < 0));
    char buf[64];
    ssize_t n;
    while ((n = read(fd, buf, 5)) > 0)
        printf("read %zd: [%.*s]\n", n, (int)n, buf);
    printf("read at EOF: %zd\n", n);

    lseek(fd, 0, SEEK_SET);
    char a[3], b[4], c[100];
    __wasi_iovec_t iov[] = {{(uint8_t *)a, sizeof a},
                            {(uint8_t *)b, 0},
                            {(uint8_t *)b, sizeof b},
                            {(uint8_t *)c, sizeof c}};
    __wasi_size_t nr = 0;
    wt_report("scatter read", __wasi_fd_read(fd, iov, 4, &nr));
    printf("nread=%u a=[%.3s] b=[%.4s] c=[%.*s]\n", (unsigned)nr, a, b, (int)(nr > 7 ? nr - 7 : 0),
           c);
    __wasi_iovec_t none[] = {{(uint8_t *)buf, 0}};
    nr = 77;
    wt_report("zero-length read", __wasi_fd_read(fd, none, 1, &nr));
    printf("nread=%u\n", (unsigned)nr);
    close(fd);

    fd = open("/data/empty.txt", O_RDONLY);
    printf("empty file read: %zd\n", read(fd, buf, sizeof buf));
    close(fd);

    fd = open("/data/lines.txt", O_RDONLY);
    n = read(fd, buf, sizeof buf);
    printf("lines.txt in one read: %zd bytes\n", n);
    close(fd);

    __wasi_iovec_t one[] = {{(uint8_t *)buf, sizeof buf}};
    wt_report("fd_read on closed fd", __wasi_fd_read(fd, one, 1, &nr));
    wt_report("fd_read on fd 99", __wasi_fd_read(99, one, 1, &nr));
    return 0;
}
