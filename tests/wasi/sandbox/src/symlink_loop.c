/* symlink_loop: symlink loops and over-long chains end in ELOOP, whichever call meets them
 * (bounded expansion, never a hang); a chain of 5 links inside works; loops the guest makes
 * itself too. */
#include "escape.h"

int main(void)
{
    const __wasi_fd_t S = WT_PREOPEN;
    try_open("open loop1", S, F, "loop1", 0, R);
    try_open("open self", S, F, "self", 0, R);
    try_open("open self/x", S, F, "self/x", 0, R);
    try_open("open self-dir", S, F, "self-dir", 0, R);
    try_open("open loop1 as a directory", S, F, "loop1", DIRFLAG, R);
    try_open("open loop2/inside.txt", S, F, "loop2/inside.txt", 0, R);
    try_open("open long1 (60 links)", S, F, "long1", 0, R);
    try_open("create through loop1", S, F, "loop1", CREAT, W);
    open_inside("open chain1 (5 links)", S, F, "chain1", 0);
    open_inside("open long56 (5 links)", S, F, "long56", 0);

    __wasi_filestat_t st;
    printf("filestat (follow) loop1: %s\n",
           wt_errstr(__wasi_path_filestat_get(S, F, "loop1", &st)));
    int e = __wasi_path_filestat_get(S, 0, "loop1", &st);
    printf("filestat (no follow) loop1: %s type=%s\n", wt_errstr(e),
           e ? "-" : wt_filetype(st.filetype));
    printf("filestat self/x: %s\n", wt_errstr(__wasi_path_filestat_get(S, 0, "self/x", &st)));
    printf("mkdir self/x: %s\n", wt_errstr(__wasi_path_create_directory(S, "self/x")));
    printf("unlink self/x: %s\n", wt_errstr(__wasi_path_unlink_file(S, "self/x")));
    printf("set times (follow) loop1: %s\n",
           wt_errstr(__wasi_path_filestat_set_times(S, F, "loop1", 1, 1, __WASI_FSTFLAGS_MTIM)));

    wt_report("symlink mine-a -> mine-b", __wasi_path_symlink("mine-b", S, "mine-a"));
    wt_report("symlink mine-b -> mine-a", __wasi_path_symlink("mine-a", S, "mine-b"));
    try_open("open mine-a", S, F, "mine-a", 0, R);
    wt_report("symlink deep -> deep/deep/deep", __wasi_path_symlink("deep/deep/deep", S, "deep"));
    try_open("open deep/x", S, F, "deep/x", 0, R);
    return 0;
}
