/* set_rights: fd_fdstat_set_rights can only drop rights: after dropping FD_WRITE a write is
 * refused (ENOTCAPABLE, or EBADF as for a file not open for writing) while reads still work;
 * asking for a right back is ENOTCAPABLE; a directory whose inheriting rights lost FD_WRITE
 * hands out files without it. */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

int main(void)
{
    int fd = open("/scratch/r.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, "data", 4);
    __wasi_fdstat_t st;
    __wasi_fd_fdstat_get(fd, &st);
    __wasi_rights_t all = st.fs_rights_base;
    printf("has write before: %d\n", !!(all & __WASI_RIGHTS_FD_WRITE));
    wt_report("drop FD_WRITE", __wasi_fd_fdstat_set_rights(fd, all & ~__WASI_RIGHTS_FD_WRITE,
                                                           st.fs_rights_inheriting));
    __wasi_fd_fdstat_get(fd, &st);
    printf("has write after: %d\n", !!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
    __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    /* ENOTCAPABLE (a right is missing) or EBADF (not open for writing, as POSIX says). */
    int e = __wasi_fd_write(fd, &iov, 1, &n);
    printf("fd_write without the right: %s\n",
           e == __WASI_ERRNO_NOTCAPABLE || e == __WASI_ERRNO_BADF ? "refused" : wt_errstr(e));
    char buf[8];
    __wasi_iovec_t in = {(uint8_t *)buf, sizeof buf};
    wt_report("fd_pread still allowed", __wasi_fd_pread(fd, &in, 1, 0, &n));
    printf("read [%.*s]\n", (int)n, buf);
    wt_report("take FD_WRITE back", __wasi_fd_fdstat_set_rights(fd, all, st.fs_rights_inheriting));
    close(fd);

    int dir = open("/scratch", O_RDONLY | O_DIRECTORY);
    __wasi_fd_fdstat_get(dir, &st);
    wt_report("dir: drop FD_WRITE from inheriting",
              __wasi_fd_fdstat_set_rights(dir, st.fs_rights_base,
                                          st.fs_rights_inheriting & ~__WASI_RIGHTS_FD_WRITE));
    __wasi_fd_t f;
    wt_report("open with FD_WRITE through it",
              __wasi_path_open(dir, 0, "r.txt", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &f));
    e = __wasi_path_open(dir, 0, "r.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &f);
    wt_report("open with FD_READ through it", e);
    if (!e) {
        __wasi_fd_fdstat_get(f, &st);
        printf("that file has write: %d\n", !!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
    }
    wt_report("set_rights fd 99", __wasi_fd_fdstat_set_rights(99, 0, 0));
    return 0;
}
