/* symlink: path_symlink and path_readlink: the stored target is exactly the text given (also
 * dangling, with a trailing slash); opening through a link and through a chain of links;
 * EEXIST when the name exists; readlink of a non-link is EINVAL; a missing name ENOENT. A
 * trailing slash on the new name asks for a directory, which a symlink is not: ENOENT, and
 * nothing is created (EEXIST when the name exists), as Linux's symlink(2).
 * (Targets with ".." and short readlink buffers are in symlink_strict.) */
#include "wasitest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void mklink(const char *target, const char *path)
{
    char what[120];
    snprintf(what, sizeof what, "symlink %s -> %s", path, target);
    wt_report(what, __wasi_path_symlink(target, WT_PREOPEN, path));
}

static void rdlink(const char *path)
{
    char buf[64];
    __wasi_size_t n = 0;
    int e = __wasi_path_readlink(WT_PREOPEN, path, (uint8_t *)buf, sizeof buf, &n);
    printf("readlink %s: %s", path, wt_errstr(e));
    if (!e)
        printf(" [%.*s] len=%u", (int)n, buf, (unsigned)n);
    printf("\n");
}

static void cat(const char *path)
{
    char buf[64];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
    if (n < 0)
        printf("  cat %s: %s\n", path, wt_errstr(errno));
    else
        printf("  cat %s: [%.*s]\n", path, (int)(n && buf[n - 1] == '\n' ? n - 1 : n), buf);
    if (fd >= 0)
        close(fd);
}

int main(void)
{
    mklink("hello.txt", "l1");
    rdlink("l1");
    cat("/data/l1");
    mklink("nowhere", "l3");
    rdlink("l3");
    cat("/data/l3");
    mklink("dir/", "l4");
    rdlink("l4");
    cat("/data/l4/a.txt");
    mklink("l1", "l5");
    cat("/data/l5");
    mklink("hello.txt", "l1");
    mklink("hello.txt", "digits.txt");
    mklink("hello.txt", "missing/l6");
    mklink("hello.txt", "l8/");
    rdlink("l8");
    mklink("hello.txt", "l8//");
    mklink("hello.txt", "dir/new/");
    rdlink("dir/new");
    mklink("hello.txt", "dir/");
    mklink("hello.txt", "digits.txt/");
    mklink("hello.txt", "l1/");
    rdlink("hello.txt");
    rdlink("dir");
    rdlink("missing");
    rdlink("link-dir-slash");

    struct stat st;
    lstat("/data/l1", &st);
    printf("lstat l1: symlink=%d size=%lld\n", S_ISLNK(st.st_mode), (long long)st.st_size);
    char buf[64];
    ssize_t len = readlink("/data/l4", buf, sizeof buf);
    printf("libc readlink l4: %zd [%.*s]\n", len, (int)(len > 0 ? len : 0), buf);
    wt_report("libc symlink", wt_libc(symlink("dir/a.txt", "/data/l7") != 0));
    cat("/data/l7");
    return 0;
}
