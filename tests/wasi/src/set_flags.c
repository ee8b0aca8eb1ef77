/* set_flags: fd_fdstat_set_flags: turning APPEND on makes writes go to the end whatever the
 * position, turning it off writes at the position again; fcntl(F_SETFL) does the same through
 * wasi-libc. EBADF on an fd that is not open. */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

static void show(int fd)
{
    char buf[64];
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    __wasi_fdstat_t st;
    __wasi_fd_fdstat_get(fd, &st);
    printf("  [%.*s] append=%d\n", (int)n, buf, !!(st.fs_flags & __WASI_FDFLAGS_APPEND));
}

int main(void)
{
    int fd = open("/scratch/flags.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, "abcdef", 6);
    lseek(fd, 0, SEEK_SET);
    wt_report("set APPEND", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    write(fd, "1", 1);
    show(fd);
    wt_report("clear flags", __wasi_fd_fdstat_set_flags(fd, 0));
    lseek(fd, 0, SEEK_SET);
    write(fd, "2", 1);
    show(fd);
    wt_report("fcntl F_SETFL O_APPEND", wt_libc(fcntl(fd, F_SETFL, O_APPEND) != 0));
    lseek(fd, 1, SEEK_SET);
    write(fd, "3", 1);
    show(fd);
    printf("F_GETFL has O_APPEND: %d\n", !!(fcntl(fd, F_GETFL) & O_APPEND));
    wt_report("fcntl F_SETFL 0", wt_libc(fcntl(fd, F_SETFL, 0) != 0));
    lseek(fd, 1, SEEK_SET);
    write(fd, "4", 1);
    show(fd);
    wt_report("set_flags fd 99", __wasi_fd_fdstat_set_flags(99, 0));
    close(fd);
    return 0;
}
