/* unlink: path_unlink_file removes files and symlinks (never the symlink's target); a missing
 * name is ENOENT, a directory EISDIR, a trailing slash on a file ENOTDIR. Removing a file
 * that is still open leaves the open fd readable. */
#include "wasitest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void ul(const char *path)
{
    char what[80];
    snprintf(what, sizeof what, "unlink %s", path);
    wt_report(what, __wasi_path_unlink_file(WT_PREOPEN, path));
}

int main(void)
{
    int fd = open("/data/lines.txt", O_RDONLY);
    ul("lines.txt");
    ul("lines.txt");
    char buf[32];
    ssize_t n = read(fd, buf, sizeof buf);
    printf("the open fd still reads %zd bytes\n", n);
    close(fd);
    ul("link-hello");
    struct stat st;
    printf("link gone: %s; target still there: %s\n",
           wt_errstr(wt_libc(lstat("/data/link-hello", &st) != 0)),
           wt_errstr(wt_libc(stat("/data/hello.txt", &st) != 0)));
    ul("dangling");
    ul("dir");
    ul("link-dir");
    printf("link-dir's target still there: %s\n",
           wt_errstr(wt_libc(stat("/data/dir/a.txt", &st) != 0)));
    ul("digits.txt/");
    ul("missing.txt");
    ul("missing/x");
    ul("dir/a.txt");
    ul("dir/a.txt");
    wt_report("libc unlink", wt_libc(unlink("/data/dir/b.txt") != 0));
    wt_report("libc unlink again", wt_libc(unlink("/data/dir/b.txt") != 0));
    wt_report("libc remove() on an empty directory", wt_libc(remove("/data/dir/sub") != 0));
    return 0;
}
