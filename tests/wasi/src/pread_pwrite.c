/* pread_pwrite: fd_pread and fd_pwrite at explicit offsets leave the file position alone;
 * pwrite past the end extends the file with zeros; pread past the end reads nothing; a
 * negative offset is refused (EINVAL). */
#include "wasitest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(int fd, const char *when)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    printf("%s: size=%zd [", when, n);
    for (ssize_t i = 0; i < n; i++)
        putchar(buf[i] ? buf[i] : '.');
    printf("] position=%lld\n", (long long)lseek(fd, 0, SEEK_CUR));
}

int main(void)
{
    int fd = open("/scratch/p.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    wt_report("open", wt_libc(fd < 0));
    write(fd, "0123456789", 10);
    show(fd, "after write");

    char buf[8];
    ssize_t n = pread(fd, buf, 3, 4);
    printf("pread 3 at 4: %zd [%.*s] position=%lld\n", n, (int)n, buf,
           (long long)lseek(fd, 0, SEEK_CUR));
    n = pwrite(fd, "XY", 2, 2);
    printf("pwrite 2 at 2: %zd\n", n);
    show(fd, "after pwrite");
    n = pwrite(fd, "END", 3, 15);
    printf("pwrite 3 at 15: %zd\n", n);
    show(fd, "after pwrite past the end");
    n = pread(fd, buf, 8, 100);
    printf("pread at 100: %zd\n", n);

    /* Vectored forms through the raw calls. */
    __wasi_ciovec_t out[] = {{(const uint8_t *)"ab", 2}, {(const uint8_t *)"cd", 2}};
    __wasi_size_t done = 0;
    wt_report("fd_pwrite 2 iovecs at 5", __wasi_fd_pwrite(fd, out, 2, 5, &done));
    printf("nwritten=%u\n", (unsigned)done);
    char x[3], y[3];
    __wasi_iovec_t in[] = {{(uint8_t *)x, 3}, {(uint8_t *)y, 3}};
    wt_report("fd_pread 2 iovecs at 4", __wasi_fd_pread(fd, in, 2, 4, &done));
    printf("nread=%u [%.3s][%.3s]\n", (unsigned)done, x, y);
    show(fd, "final");

    errno = 0;
    n = pread(fd, buf, 1, -1);
    printf("pread at -1: %zd %s\n", n, wt_errstr(errno));
    wt_report("fd_pread on fd 99", __wasi_fd_pread(99, in, 1, 0, &done));
    close(fd);
    return 0;
}
