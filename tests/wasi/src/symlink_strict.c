/* symlink_strict: path rules that Node's node:wasi does not follow (it resolves paths and
 * symlinks itself): without SYMLINK_FOLLOW a final symlink is not opened (ELOOP, as
 * O_NOFOLLOW); CREAT|EXCL fails on any existing name, a dangling symlink included, and creates
 * nothing (EEXIST); CREAT without SYMLINK_FOLLOW on a symlink is ELOOP; a dangling symlink
 * followed is ENOENT; an empty path is ENOENT; "file/." is ENOTDIR (no lexical shortcut); a
 * symlink whose target climbs with ".." but stays inside the preopen is created and works;
 * path_readlink never writes past the buffer it is given. */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

static void try_open(const char *what, __wasi_lookupflags_t look, const char *path,
                     __wasi_oflags_t oflags)
{
    __wasi_fd_t fd;
    int e = __wasi_path_open(WT_PREOPEN, look, path, oflags, WT_READ_RIGHTS, 0, 0, &fd);
    printf("%s: %s\n", what, wt_errstr(e));
    if (!e)
        __wasi_fd_close(fd);
}

int main(void)
{
    const __wasi_lookupflags_t F = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
    try_open("symlink, not followed", 0, "link-hello", 0);
    try_open("symlink to a directory, not followed", 0, "link-dir", 0);
    try_open("symlink, followed", F, "link-hello", 0);
    try_open("dangling symlink, followed", F, "dangling", 0);
    try_open("CREAT|EXCL on a dangling symlink", F, "dangling",
             __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL);
    try_open("CREAT|EXCL on a symlink to a file", F, "link-hello",
             __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL);
    try_open("CREAT without follow on a dangling symlink", 0, "dangling", __WASI_OFLAGS_CREAT);
    __wasi_filestat_t st;
    printf("the dangling link's target was not created: %s\n",
           wt_errstr(__wasi_path_filestat_get(WT_PREOPEN, 0, "no-such-file", &st)));
    try_open("empty path", F, "", 0);
    try_open("hello.txt/. (a file is not a directory)", F, "hello.txt/.", 0);
    int fd = open("/data/link-hello", O_RDONLY | O_NOFOLLOW);
    printf("libc O_NOFOLLOW on a symlink: %s\n", fd >= 0 ? "OK" : wt_errstr(errno));

    wt_report("symlink dir/l2 -> ../hello.txt",
              __wasi_path_symlink("../hello.txt", WT_PREOPEN, "dir/l2"));
    char buf[64];
    __wasi_size_t n = 0;
    int e = __wasi_path_readlink(WT_PREOPEN, "dir/l2", (uint8_t *)buf, sizeof buf, &n);
    printf("readlink dir/l2: %s [%.*s]\n", wt_errstr(e), e ? 0 : (int)n, buf);
    try_open("open dir/l2", F, "dir/l2", 0);
    try_open("open dir/../dir/l2", F, "dir/../dir/l2", 0);

    /* A 4-byte buffer inside a larger one: whatever the answer (a prefix or an error), the
     * bytes after the 4 stay untouched. */
    char guard[16];
    memset(guard, '#', sizeof guard);
    e = __wasi_path_readlink(WT_PREOPEN, "link-hello", (uint8_t *)guard, 4, &n);
    int ok_answer = (e == 0 && n <= 4) || e != 0;
    int untouched = 1;
    for (size_t i = 4; i < sizeof guard; i++)
        untouched &= guard[i] == '#';
    printf("readlink into 4 bytes: sensible answer=%d, nothing written past the buffer=%d\n",
           ok_answer, untouched);
    return 0;
}
