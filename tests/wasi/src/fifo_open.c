/* fifo_open: opens a FIFO in the preopen that no one writes to, then reads it in a loop for
 * ever. The open must not block the host beyond the guest's deadline: under --timeout the run
 * ends with the time-limit trap (134), whether the open waited interruptibly or returned at
 * once. A FIFO's file type is "unknown" in preview 1. */
#include "wasitest.h"

#include <unistd.h>

int main(void)
{
    __wasi_filestat_t st;
    __wasi_path_filestat_get(WT_PREOPEN, 0, "fifo", &st);
    printf("fifo type: %s\n", wt_filetype(st.filetype));
    fflush(stdout);
    write(1, "opening\n", 8);
    __wasi_fd_t fd;
    int e = __wasi_path_open(WT_PREOPEN, 0, "fifo", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    char buf[16];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    __wasi_size_t n;
    for (;;)
        if (e == 0)
            (void)__wasi_fd_read(fd, &iov, 1, &n);
}
