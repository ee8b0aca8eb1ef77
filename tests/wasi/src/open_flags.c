/* open_flags: path_open's oflags: CREAT (new and existing), CREAT|EXCL, TRUNC, DIRECTORY,
 * opening through symlinks, "." and ".." that stay inside, and the errors: ENOENT, EEXIST,
 * ENOTDIR, EISDIR. (What Node gets wrong about symlinks is in symlink_strict.) */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

static __wasi_fd_t opened;

static void try_open(const char *what, __wasi_lookupflags_t look, const char *path,
                     __wasi_oflags_t oflags, __wasi_rights_t rights)
{
    opened = (__wasi_fd_t)-1;
    int e = __wasi_path_open(WT_PREOPEN, look, path, oflags, rights, 0, 0, &opened);
    printf("%s: %s", what, wt_errstr(e));
    if (!e) {
        __wasi_filestat_t st;
        __wasi_fd_filestat_get(opened, &st);
        printf(" type=%s", wt_filetype(st.filetype));
        if (st.filetype == __WASI_FILETYPE_REGULAR_FILE)
            printf(" size=%llu", (unsigned long long)st.size);
        __wasi_fd_close(opened);
    }
    printf("\n");
}

int main(void)
{
    const __wasi_rights_t R = WT_READ_RIGHTS, RW = WT_FILE_RIGHTS;
    const __wasi_lookupflags_t F = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
    try_open("open existing", F, "hello.txt", 0, R);
    try_open("open missing", F, "missing.txt", 0, R);
    try_open("CREAT new", F, "new.txt", __WASI_OFLAGS_CREAT, RW);
    try_open("CREAT existing keeps content", F, "hello.txt", __WASI_OFLAGS_CREAT, RW);
    try_open("CREAT|EXCL existing", F, "hello.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW);
    try_open("CREAT|EXCL new", F, "excl.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW);
    try_open("CREAT in a missing directory", F, "nodir/x.txt", __WASI_OFLAGS_CREAT, RW);
    try_open("TRUNC", F, "lines.txt", __WASI_OFLAGS_TRUNC, RW);
    try_open("DIRECTORY on a directory", F, "dir", __WASI_OFLAGS_DIRECTORY, R);
    try_open("DIRECTORY on a file", F, "hello.txt", __WASI_OFLAGS_DIRECTORY, R);
    try_open("DIRECTORY on a symlink to a directory", F, "link-dir", __WASI_OFLAGS_DIRECTORY, R);
    try_open("a directory for writing", F, "dir", 0, __WASI_RIGHTS_FD_WRITE);
    try_open("trailing slash on a file", F, "hello.txt/", 0, R);
    try_open("trailing slash on a directory", F, "dir/", __WASI_OFLAGS_DIRECTORY, R);
    try_open("a file under a file", F, "hello.txt/x", 0, R);
    try_open("symlink, followed", F, "link-hello", 0, R);
    try_open("through a symlink to a directory, not followed", 0, "link-dir/a.txt", 0, R);
    try_open("dot", F, ".", __WASI_OFLAGS_DIRECTORY, R);
    try_open("./hello.txt", F, "./hello.txt", 0, R);
    try_open("dir/./a.txt", F, "dir/./a.txt", 0, R);
    try_open("dir/../hello.txt", F, "dir/../hello.txt", 0, R);
    try_open("dir//a.txt", F, "dir//a.txt", 0, R);
    try_open("dir/nested/deeper/../../a.txt", F, "dir/nested/deeper/../../a.txt", 0, R);

    /* The same through wasi-libc's open(). */
    int fd = open("/data/libc.txt", O_WRONLY | O_CREAT | O_EXCL, 0600);
    printf("open O_CREAT|O_EXCL: %s\n", fd >= 0 ? "OK" : wt_errstr(errno));
    write(fd, "abc", 3);
    close(fd);
    fd = open("/data/libc.txt", O_WRONLY | O_CREAT | O_EXCL, 0600);
    printf("open O_CREAT|O_EXCL again: %s\n", fd >= 0 ? "OK" : wt_errstr(errno));
    fd = open("/data/libc.txt", O_RDWR | O_TRUNC);
    char c;
    printf("open O_TRUNC: %s, then read gives %zd\n", fd >= 0 ? "OK" : wt_errstr(errno),
           read(fd, &c, 1));
    close(fd);
    fd = open("/data/hello.txt", O_RDONLY | O_DIRECTORY);
    printf("open O_DIRECTORY on a file: %s\n", fd >= 0 ? "OK" : wt_errstr(errno));
    return 0;
}
