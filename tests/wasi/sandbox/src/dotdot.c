/* dotdot: ".." never climbs above the preopen, in any position and for any call
 * (ENOTCAPABLE); ".." that stays inside works. */
#include "escape.h"

#include <fcntl.h>
#include <unistd.h>

int main(void)
{
    const __wasi_fd_t S = WT_PREOPEN;
    try_open("open ..", S, F, "..", DIRFLAG, R);
    try_open("open ../outside/secret.txt", S, F, "../outside/secret.txt", 0, R);
    try_open("open ../top-secret.txt", S, F, "../top-secret.txt", 0, R);
    try_open("open ../top-secret.txt, no follow", S, 0, "../top-secret.txt", 0, R);
    try_open("open sub/../../top-secret.txt", S, F, "sub/../../top-secret.txt", 0, R);
    try_open("open sub/../..", S, F, "sub/../..", DIRFLAG, R);
    try_open("open ./../outside", S, F, "./../outside", DIRFLAG, R);
    try_open("open sub/inner/../../../top-secret.txt", S, F, "sub/inner/../../../top-secret.txt", 0,
             R);
    try_open("open ../escape/inside.txt (out and back in)", S, F, "../escape/inside.txt", 0, R);
    try_open("create ../corral-escape-file", S, F, "../corral-escape-file", CREAT, W);
    try_open("truncate ../outside/victim.txt", S, F, "../outside/victim.txt", TRUNC, W);
    open_inside("open sub/..", S, F, "sub/..", DIRFLAG);
    open_inside("open sub/../inside.txt", S, F, "sub/../inside.txt", 0);
    open_inside("open sub/inner/../inner.txt", S, F, "sub/inner/../inner.txt", 0);

    __wasi_filestat_t st;
    printf("filestat ..: %s\n", wt_errstr(__wasi_path_filestat_get(S, F, "..", &st)));
    printf("filestat ../outside/secret.txt: %s\n",
           wt_errstr(__wasi_path_filestat_get(S, 0, "../outside/secret.txt", &st)));
    printf("mkdir ../corral-escape-dir: %s\n",
           wt_errstr(__wasi_path_create_directory(S, "../corral-escape-dir")));
    printf("rmdir ../outside/subdir: %s\n",
           wt_errstr(__wasi_path_remove_directory(S, "../outside/subdir")));
    printf("unlink ../outside/victim.txt: %s\n",
           wt_errstr(__wasi_path_unlink_file(S, "../outside/victim.txt")));
    printf("rename inside.txt -> ../corral-escape-moved: %s\n",
           wt_errstr(__wasi_path_rename(S, "inside.txt", S, "../corral-escape-moved")));
    printf("rename ../outside/victim.txt -> victim.txt: %s\n",
           wt_errstr(__wasi_path_rename(S, "../outside/victim.txt", S, "victim.txt")));
    printf("symlink ../corral-escape-link: %s\n",
           wt_errstr(__wasi_path_symlink("x", S, "../corral-escape-link")));
    printf("link ../outside/secret.txt -> stolen: %s\n",
           wt_errstr(__wasi_path_link(S, 0, "../outside/secret.txt", S, "stolen")));
    printf("link inside.txt -> ../corral-escape-hard: %s\n",
           wt_errstr(__wasi_path_link(S, 0, "inside.txt", S, "../corral-escape-hard")));
    printf("set times of ../outside/victim.txt: %s\n",
           wt_errstr(__wasi_path_filestat_set_times(S, F, "../outside/victim.txt", 1, 1,
                                                    __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM)));
    char buf[64];
    __wasi_size_t n;
    printf("readlink ../escape/up: %s\n",
           wt_errstr(__wasi_path_readlink(S, "../escape/up", (uint8_t *)buf, sizeof buf, &n)));

    int fd = open("/sandbox/../top-secret.txt", O_RDONLY);
    libc_refused("libc open /sandbox/../top-secret.txt", fd, errno);
    chdir("/sandbox/sub");
    fd = open("../../outside/secret.txt", O_RDONLY);
    libc_refused("libc open ../../outside/secret.txt from /sandbox/sub", fd, errno);
    return 0;
}
