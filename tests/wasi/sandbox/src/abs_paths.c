/* abs_paths: absolute paths never reach the host. The raw calls get ENOTCAPABLE for "/",
 * "/etc/passwd", the host's own absolute path of the secret (argv[1] is the outside
 * directory) and even the guest's own "/sandbox/..." (the raw API takes paths relative to a
 * directory fd); every kind of call refuses them. wasi-libc refuses absolute paths that match
 * no preopen by itself. */
#include "escape.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *outside = argc > 1 ? argv[1] : "/nonexistent";
    const __wasi_fd_t S = WT_PREOPEN;
    try_open("open /etc/passwd", S, F, "/etc/passwd", 0, R);
    try_open("open / as a directory", S, F, "/", DIRFLAG, R);
    try_open("open //etc/passwd", S, F, "//etc/passwd", 0, R);
    try_open("open the secret's host path", S, F, join(outside, "secret.txt"), 0, R);
    try_open("open the secret's host path, no follow", S, 0, join(outside, "secret.txt"), 0, R);
    try_open("open /sandbox/inside.txt (raw)", S, F, "/sandbox/inside.txt", 0, R);
    try_open("create /tmp/corral-escape-file", S, F, "/tmp/corral-escape-file", CREAT, W);
    try_open("create in the outside dir", S, F, join(outside, "corral-new.txt"), CREAT, W);
    try_open("truncate the outside victim", S, F, join(outside, "victim.txt"), TRUNC, W);

    __wasi_filestat_t st;
    printf("filestat /etc/passwd: %s\n",
           wt_errstr(__wasi_path_filestat_get(S, F, "/etc/passwd", &st)));
    printf("filestat the secret's host path: %s\n",
           wt_errstr(__wasi_path_filestat_get(S, 0, join(outside, "secret.txt"), &st)));
    printf("mkdir /tmp/corral-escape-dir: %s\n",
           wt_errstr(__wasi_path_create_directory(S, "/tmp/corral-escape-dir")));
    printf("rmdir the outside subdir: %s\n",
           wt_errstr(__wasi_path_remove_directory(S, join(outside, "subdir"))));
    printf("unlink the outside victim: %s\n",
           wt_errstr(__wasi_path_unlink_file(S, join(outside, "victim.txt"))));
    printf("rename inside.txt to /tmp/corral-escape-moved: %s\n",
           wt_errstr(__wasi_path_rename(S, "inside.txt", S, "/tmp/corral-escape-moved")));
    printf("rename the outside victim inside: %s\n",
           wt_errstr(__wasi_path_rename(S, join(outside, "victim.txt"), S, "victim.txt")));
    printf("link the secret inside: %s\n",
           wt_errstr(__wasi_path_link(S, 0, join(outside, "secret.txt"), S, "stolen")));
    printf("link inside.txt to /tmp/corral-escape-hard: %s\n",
           wt_errstr(__wasi_path_link(S, 0, "inside.txt", S, "/tmp/corral-escape-hard")));
    printf("symlink at /tmp/corral-escape-link: %s\n",
           wt_errstr(__wasi_path_symlink("x", S, "/tmp/corral-escape-link")));
    printf("set times of the outside victim: %s\n",
           wt_errstr(__wasi_path_filestat_set_times(S, F, join(outside, "victim.txt"), 1, 1,
                                                    __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM)));
    char buf[64];
    __wasi_size_t n;
    printf("readlink /proc/self/exe: %s\n",
           wt_errstr(__wasi_path_readlink(S, "/proc/self/exe", (uint8_t *)buf, sizeof buf, &n)));

    int fd = open("/etc/passwd", O_RDONLY);
    libc_refused("libc open /etc/passwd", fd, errno);
    fd = open(join(outside, "secret.txt"), O_RDONLY);
    libc_refused("libc open the secret's host path", fd, errno);
    struct stat s;
    printf("libc stat /: %s\n", wt_errstr(wt_libc(stat("/", &s) != 0)));
    printf("inside.txt still here: %s\n",
           wt_errstr(__wasi_path_filestat_get(S, 0, "inside.txt", &st)));
    return 0;
}
