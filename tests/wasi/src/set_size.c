/* set_size: fd_filestat_set_size (ftruncate) shrinks a file, grows it with zeros, and keeps
 * the file position where it was; EBADF on an fd that is not open. */
#include "wasitest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(int fd)
{
    char buf[64];
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    printf("  %zd bytes [", n);
    for (ssize_t i = 0; i < n; i++)
        putchar(buf[i] ? buf[i] : '.');
    printf("] position=%lld\n", (long long)lseek(fd, 0, SEEK_CUR));
}

int main(void)
{
    int fd = open("/scratch/t.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, "0123456789abcdef", 16);
    show(fd);
    wt_report("set_size 4", __wasi_fd_filestat_set_size(fd, 4));
    show(fd);
    wt_report("ftruncate 10", wt_libc(ftruncate(fd, 10) != 0));
    show(fd);
    wt_report("set_size 0", __wasi_fd_filestat_set_size(fd, 0));
    show(fd);
    write(fd, "W", 1);
    printf("write after truncating below the position:\n");
    show(fd);
    wt_report("set_size fd 99", __wasi_fd_filestat_set_size(99, 0));
    close(fd);
    return 0;
}
