/* path_filestat: path_filestat_get with and without SYMLINK_FOLLOW on files, directories,
 * symlinks to each, a dangling symlink and missing names; libc stat/lstat/fstatat agree. */
#include "wasitest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void st(const char *path, __wasi_lookupflags_t flags)
{
    __wasi_filestat_t s;
    int e = __wasi_path_filestat_get(WT_PREOPEN, flags, path, &s);
    printf("%-6s %-22s %s", flags ? "follow" : "nofoll", path, wt_errstr(e));
    if (!e) {
        printf(" type=%s", wt_filetype(s.filetype));
        if (s.filetype != __WASI_FILETYPE_DIRECTORY)
            printf(" size=%llu", (unsigned long long)s.size);
    }
    printf("\n");
}

int main(void)
{
    static const char *const paths[] = {"hello.txt",         "empty.txt",         "dir",
                                        "dir/nested/deeper", "link-hello",        "link-dir",
                                        "link-dir-slash",    "dangling",          "missing",
                                        "hello.txt/x",       "dir/../digits.txt", "."};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        st(paths[i], __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW);
        st(paths[i], 0);
    }
    struct stat s1, s2, s3;
    stat("/data/link-hello", &s1);
    lstat("/data/link-hello", &s2);
    fstatat(AT_FDCWD, "/data/hello.txt", &s3, 0);
    printf("stat follows: %d, lstat does not: %d, fstatat same inode as stat: %d\n",
           S_ISREG(s1.st_mode), S_ISLNK(s2.st_mode), s1.st_ino == s3.st_ino);
    __wasi_filestat_t a, b;
    __wasi_path_filestat_get(WT_PREOPEN, 0, "hello.txt", &a);
    int fd = open("/data/hello.txt", O_RDONLY);
    __wasi_fd_filestat_get(fd, &b);
    printf("path and fd filestat agree: %d\n",
           a.dev == b.dev && a.ino == b.ino && a.size == b.size && a.mtim == b.mtim);
    return 0;
}
