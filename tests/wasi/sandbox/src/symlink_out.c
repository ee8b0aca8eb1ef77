/* symlink_out: symlinks in the preopen whose targets lead outside it, absolute or relative,
 * to files or directories, with or without a trailing "/", directly or through "..": every
 * call that would follow one is refused (ENOTCAPABLE), for reading, writing, creating,
 * removing, renaming, linking and setting times. The links themselves are inside, so lstat,
 * readlink, unlink and rename of a link are allowed (the host checks their targets are
 * untouched). Links that stay inside work. */
#include "escape.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    const __wasi_fd_t S = WT_PREOPEN;
    static const char *const files[] = {"out-abs",
                                        "out-rel",
                                        "out-dir-abs/secret.txt",
                                        "out-dir-abs-slash/secret.txt",
                                        "out-dir-rel-slash/secret.txt",
                                        "up/outside/secret.txt",
                                        "up-slash/outside/secret.txt",
                                        "up/top-secret.txt",
                                        "sub/deep-out",
                                        "winding-out",
                                        "root/etc/passwd",
                                        "etc-passwd",
                                        "out-dir-abs/../escape/inside.txt",
                                        "up/escape/inside.txt"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char what[96];
        snprintf(what, sizeof what, "open %s", files[i]);
        try_open(what, S, F, files[i], 0, R);
    }
    static const char *const dirs[] = {
        "out-dir-abs", "out-dir-abs-slash", "out-dir-rel-slash", "up", "up-slash",
        "root",        "out-dir-abs/subdir"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        char what[96];
        snprintf(what, sizeof what, "open directory %s", dirs[i]);
        try_open(what, S, F, dirs[i], DIRFLAG, R);
    }
    try_open("open out-abs without follow", S, 0, "out-abs", 0, R);
    try_open("write through out-victim", S, F, "out-victim", 0, W);
    try_open("truncate through out-victim", S, F, "out-victim", TRUNC, W);
    try_open("create out-dir-abs/corral-new.txt", S, F, "out-dir-abs/corral-new.txt", CREAT, W);
    try_open("create up/corral-escape-file", S, F, "up/corral-escape-file", CREAT, W);
    try_open("create through out-dangling-abs", S, F, "out-dangling-abs", CREAT, W);
    try_open("create through out-dangling-rel", S, F, "out-dangling-rel", CREAT, W);
    try_open("create exclusively at out-dangling-abs", S, F, "out-dangling-abs",
             CREAT | __WASI_OFLAGS_EXCL, W);
    try_open("create exclusively at out-dangling-rel", S, F, "out-dangling-rel",
             CREAT | __WASI_OFLAGS_EXCL, W);
    printf("mkdir at out-dangling-rel: %s\n",
           wt_errstr(__wasi_path_create_directory(S, "out-dangling-rel")));

    __wasi_filestat_t st;
    static const char *const stats[] = {"out-abs", "out-rel",           "out-dir-abs",
                                        "up",      "out-dir-abs-slash", "up/outside/secret.txt"};
    for (size_t i = 0; i < sizeof stats / sizeof *stats; i++)
        printf("filestat (follow) %s: %s\n", stats[i],
               wt_errstr(__wasi_path_filestat_get(S, F, stats[i], &st)));
    int e = __wasi_path_filestat_get(S, 0, "out-abs", &st);
    printf("filestat (no follow) out-abs: %s type=%s\n", wt_errstr(e),
           e ? "-" : wt_filetype(st.filetype));
    e = __wasi_path_filestat_get(S, 0, "out-dir-abs/secret.txt", &st);
    printf("filestat (no follow) out-dir-abs/secret.txt: %s\n", wt_errstr(e));

    printf("mkdir out-dir-abs/corral-newdir: %s\n",
           wt_errstr(__wasi_path_create_directory(S, "out-dir-abs/corral-newdir")));
    printf("mkdir up/corral-escape-dir: %s\n",
           wt_errstr(__wasi_path_create_directory(S, "up/corral-escape-dir")));
    printf("rmdir out-dir-abs/subdir: %s\n",
           wt_errstr(__wasi_path_remove_directory(S, "out-dir-abs/subdir")));
    printf("unlink out-dir-abs/victim.txt: %s\n",
           wt_errstr(__wasi_path_unlink_file(S, "out-dir-abs/victim.txt")));
    printf("unlink up/outside/victim.txt: %s\n",
           wt_errstr(__wasi_path_unlink_file(S, "up/outside/victim.txt")));
    printf("rename inside.txt -> out-dir-abs/moved.txt: %s\n",
           wt_errstr(__wasi_path_rename(S, "inside.txt", S, "out-dir-abs/moved.txt")));
    printf("rename out-dir-abs/victim.txt -> stolen.txt: %s\n",
           wt_errstr(__wasi_path_rename(S, "out-dir-abs/victim.txt", S, "stolen.txt")));
    printf("rename sub -> up/corral-escape-moved: %s\n",
           wt_errstr(__wasi_path_rename(S, "sub", S, "up/corral-escape-moved")));
    printf("symlink out-dir-abs/corral-link: %s\n",
           wt_errstr(__wasi_path_symlink("x", S, "out-dir-abs/corral-link")));
    printf("link out-dir-abs/secret.txt -> stolen: %s\n",
           wt_errstr(__wasi_path_link(S, 0, "out-dir-abs/secret.txt", S, "stolen")));
    printf("link inside.txt -> out-dir-rel-slash/corral-hard: %s\n",
           wt_errstr(__wasi_path_link(S, 0, "inside.txt", S, "out-dir-rel-slash/corral-hard")));
    printf("set times through out-victim (follow): %s\n",
           wt_errstr(__wasi_path_filestat_set_times(S, F, "out-victim", 1, 1,
                                                    __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM)));
    char buf[512];
    __wasi_size_t n = 0;
    e = __wasi_path_readlink(S, "out-dir-rel-slash", (uint8_t *)buf, sizeof buf, &n);
    printf("readlink out-dir-rel-slash: %s [%.*s]\n", wt_errstr(e), e ? 0 : (int)n, buf);
    e = __wasi_path_readlink(S, "out-dir-abs/../escape/up", (uint8_t *)buf, sizeof buf, &n);
    printf("readlink through out-dir-abs: %s\n", wt_errstr(e));

    /* The links are inside: renaming and removing them is fine and leaves the targets. */
    printf("rename link out-abs -> renamed-out: %s\n",
           wt_errstr(__wasi_path_rename(S, "out-abs", S, "renamed-out")));
    try_open("open renamed-out", S, F, "renamed-out", 0, R);
    printf("unlink link out-victim: %s\n", wt_errstr(__wasi_path_unlink_file(S, "out-victim")));

    open_inside("open sub/ok-up", S, F, "sub/ok-up", 0);
    open_inside("open sub/ok-winding", S, F, "sub/ok-winding", 0);
    open_inside("open sub/inner-slash/../inner.txt", S, F, "sub/inner-slash/../inner.txt", 0);
    open_inside("open chain1", S, F, "chain1", 0);

    int fd = open("/sandbox/out-rel", O_RDONLY);
    libc_refused("libc open /sandbox/out-rel", fd, errno);
    fd = open("/sandbox/up/top-secret.txt", O_RDONLY);
    libc_refused("libc open /sandbox/up/top-secret.txt", fd, errno);
    errno = 0;
    DIR *d = opendir("/sandbox/out-dir-abs-slash");
    printf("libc opendir /sandbox/out-dir-abs-slash: %s\n", d ? "ESCAPED" : wt_errstr(errno));
    struct stat s;
    printf("libc stat /sandbox/up/outside: %s\n",
           wt_errstr(wt_libc(stat("/sandbox/up/outside", &s) != 0)));
    FILE *f = fopen("/sandbox/out-dir-abs/victim.txt", "w");
    printf("libc fopen out-dir-abs/victim.txt for writing: %s\n", f ? "ESCAPED" : wt_errstr(errno));
    return 0;
}
