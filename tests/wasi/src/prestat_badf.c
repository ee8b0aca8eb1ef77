/* prestat_badf: fd_prestat_get and fd_prestat_dir_name on open fds that are not preopens
 * (stdio, a file, a directory opened later) are EBADF, as for fds that are not open: that is
 * how wasi-libc's preopen scan knows where to stop. */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

static void prestat(const char *what, __wasi_fd_t fd)
{
    __wasi_prestat_t ps;
    uint8_t buf[8];
    printf("%s: prestat_get %s,", what, wt_errstr(__wasi_fd_prestat_get(fd, &ps)));
    printf(" prestat_dir_name %s\n", wt_errstr(__wasi_fd_prestat_dir_name(fd, buf, sizeof buf)));
}

int main(void)
{
    prestat("stdin", 0);
    prestat("stdout", 1);
    prestat("stderr", 2);
    prestat("a file opened later", open("/data/hello.txt", O_RDONLY));
    prestat("a directory opened later", open("/data/dir", O_RDONLY | O_DIRECTORY));
    prestat("fd 99", 99);
    return 0;
}
