/* seek_tell: fd_seek with each whence and fd_tell: absolute, relative and from-the-end moves,
 * reads and writes at the new position, a seek past the end then a write (a hole that reads
 * as zeros), a resulting negative position (EINVAL, position unchanged), an invalid whence
 * (EINVAL), and EBADF. */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

static void at(int fd, const char *what)
{
    __wasi_filesize_t pos = 0;
    int e = __wasi_fd_tell(fd, &pos);
    printf("%s: tell=%llu%s%s\n", what, (unsigned long long)pos, e ? " " : "",
           e ? wt_errstr(e) : "");
}

int main(void)
{
    int fd = open("/scratch/s.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, "abcdefghij", 10);
    at(fd, "after write");
    __wasi_filesize_t pos = 0;
    wt_report("seek SET 3", __wasi_fd_seek(fd, 3, __WASI_WHENCE_SET, &pos));
    printf("new offset %llu\n", (unsigned long long)pos);
    char c;
    read(fd, &c, 1);
    printf("read [%c]\n", c);
    wt_report("seek CUR 2", __wasi_fd_seek(fd, 2, __WASI_WHENCE_CUR, &pos));
    printf("new offset %llu\n", (unsigned long long)pos);
    wt_report("seek CUR -4", __wasi_fd_seek(fd, -4, __WASI_WHENCE_CUR, &pos));
    printf("new offset %llu\n", (unsigned long long)pos);
    wt_report("seek END -1", __wasi_fd_seek(fd, -1, __WASI_WHENCE_END, &pos));
    printf("new offset %llu\n", (unsigned long long)pos);
    read(fd, &c, 1);
    printf("read [%c]\n", c);
    at(fd, "after read");

    wt_report("seek END 5", __wasi_fd_seek(fd, 5, __WASI_WHENCE_END, &pos));
    printf("new offset %llu\n", (unsigned long long)pos);
    write(fd, "Z", 1);
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    printf("file: %zd bytes [", n);
    for (ssize_t i = 0; i < n; i++)
        putchar(buf[i] ? buf[i] : '.');
    printf("]\n");

    pos = 999;
    wt_report("seek SET -1", __wasi_fd_seek(fd, -1, __WASI_WHENCE_SET, &pos));
    wt_report("seek CUR -100", __wasi_fd_seek(fd, -100, __WASI_WHENCE_CUR, &pos));
    at(fd, "position unchanged");
    wt_report("seek whence 3", __wasi_fd_seek(fd, 0, 3, &pos));
    wt_report("seek fd 99", __wasi_fd_seek(99, 0, __WASI_WHENCE_SET, &pos));
    wt_report("tell fd 99", __wasi_fd_tell(99, &pos));
    printf("lseek(SEEK_END) via libc: %lld\n", (long long)lseek(fd, 0, SEEK_END));
    close(fd);
    return 0;
}
