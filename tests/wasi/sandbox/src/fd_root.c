/* fd_root: every directory fd is a capability of its own: paths relative to a subdirectory's
 * fd cannot climb above that subdirectory with ".." or through a symlink (ENOTCAPABLE), even
 * where the result would still be inside the preopen. A file fd is not a directory to resolve
 * paths from, and fds that are not open are EBADF. */
#include "escape.h"

int main(void)
{
    const __wasi_fd_t S = WT_PREOPEN;
    __wasi_fd_t sub;
    wt_report("open sub",
              __wasi_path_open(S, F, "sub", DIRFLAG, WT_READ_RIGHTS, WT_READ_RIGHTS, 0, &sub));
    open_inside("from sub: inner.txt", sub, F, "inner.txt", 0);
    open_inside("from sub: inner/../inner.txt", sub, F, "inner/../inner.txt", 0);
    try_open("from sub: ..", sub, F, "..", DIRFLAG, R);
    try_open("from sub: ../inside.txt", sub, F, "../inside.txt", 0, R);
    try_open("from sub: ok-up (-> ../inside.txt)", sub, F, "ok-up", 0, R);
    try_open("from sub: deep-out", sub, F, "deep-out", 0, R);
    __wasi_filestat_t st;
    printf("from sub: filestat ..: %s\n", wt_errstr(__wasi_path_filestat_get(sub, F, "..", &st)));

    __wasi_fd_t file;
    wt_report("open inside.txt",
              __wasi_path_open(S, F, "inside.txt", 0, WT_READ_RIGHTS, 0, 0, &file));
    __wasi_fd_t x;
    int e = __wasi_path_open(file, F, "x", 0, R, 0, 0, &x);
    printf("path_open relative to a file fd: %s\n",
           e == __WASI_ERRNO_NOTDIR || e == __WASI_ERRNO_NOTCAPABLE ? "refused" : wt_errstr(e));
    for (__wasi_fd_t fd = 20; fd < 23; fd++) {
        e = __wasi_path_open(fd, F, "etc/passwd", 0, R, 0, 0, &x);
        printf("path_open relative to fd %u (not open): %s\n", (unsigned)fd, wt_errstr(e));
    }
    return 0;
}
