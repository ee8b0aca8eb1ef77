/* rename: path_rename moves files and directories, replaces an existing file atomically,
 * renames a symlink (not its target) and renames across two preopens of the same file system;
 * the errors: ENOENT (missing source), ENOTEMPTY (onto a non-empty directory), EISDIR (a file
 * onto a directory), ENOTDIR (a directory onto a file), EINVAL (a directory into itself). */
#include "wasitest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void mv(const char *from, const char *to)
{
    char what[120];
    snprintf(what, sizeof what, "rename %s -> %s", from, to);
    wt_report(what, __wasi_path_rename(WT_PREOPEN, from, WT_PREOPEN, to));
}

static void cat(const char *path)
{
    char buf[64];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
    if (n < 0)
        printf("  %s: %s\n", path, wt_errstr(errno));
    else
        printf("  %s: [%.*s]\n", path, (int)(n && buf[n - 1] == '\n' ? n - 1 : n), buf);
    if (fd >= 0)
        close(fd);
}

int main(void)
{
    mv("hello.txt", "greeting.txt");
    cat("/data/greeting.txt");
    cat("/data/hello.txt");
    mv("greeting.txt", "lines.txt");
    cat("/data/lines.txt");
    mv("missing.txt", "x.txt");
    mv("dir", "directory");
    cat("/data/directory/a.txt");
    mv("directory/a.txt", "a-moved.txt");
    cat("/data/a-moved.txt");
    mkdir("/data/full", 0755);
    close(open("/data/full/x", O_WRONLY | O_CREAT, 0644));
    mkdir("/data/emptydir", 0755);
    mv("directory", "full");
    mv("emptydir", "directory/sub");
    mv("digits.txt", "directory");
    mv("directory", "digits.txt");
    mv("directory", "directory/nested/inside");
    mv("link-hello", "renamed-link");
    struct stat st;
    printf("renamed-link is a symlink: %d\n",
           lstat("/data/renamed-link", &st) == 0 && S_ISLNK(st.st_mode));
    mv("lines.txt", "lines.txt");
    cat("/data/lines.txt");
    wt_report("rename to the second preopen",
              __wasi_path_rename(WT_PREOPEN, "digits.txt", WT_PREOPEN + 1, "digits-there.txt"));
    cat("/scratch/digits-there.txt");
    wt_report("libc rename", wt_libc(rename("/scratch/digits-there.txt", "/data/back.txt") != 0));
    cat("/data/back.txt");
    return 0;
}
