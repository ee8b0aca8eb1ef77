/* sync: fd_sync and fd_datasync (fsync, fdatasync) on a file with unsynced writes and on a
 * preopened directory succeed; on fds that are not open they are EBADF. */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

int main(void)
{
    int fd = open("/scratch/sync.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    write(fd, "data to sync\n", 13);
    wt_report("fsync file", wt_libc(fsync(fd) != 0));
    write(fd, "more\n", 5);
    wt_report("fdatasync file", wt_libc(fdatasync(fd) != 0));
    wt_report("fd_sync file", __wasi_fd_sync(fd));
    wt_report("fd_datasync file", __wasi_fd_datasync(fd));
    close(fd);
    wt_report("fd_sync closed fd", __wasi_fd_sync(fd));
    wt_report("fd_datasync fd 99", __wasi_fd_datasync(99));
    fd = open("/scratch/sync.txt", O_RDONLY);
    char buf[32];
    printf("content: %zd bytes\n", read(fd, buf, sizeof buf));
    close(fd);
    return 0;
}
