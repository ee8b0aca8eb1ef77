/* ro_libc: the same read-only preopen as wasi-libc programs use it: fopen for writing,
 * appending or updating, open with O_TRUNC (even O_RDONLY|O_TRUNC), truncate(), mkdir,
 * unlink, rename, link, symlink and utimensat. Whatever the step that refuses (open, write or
 * flush), nothing changes: each line says "refused" or "CHANGED". The host checks too. */
#include "escape.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void result(const char *what, int changed)
{
    printf("%s: %s\n", what, changed ? "CHANGED" : "refused");
}

/* fopen(path, mode), write, fclose: did every step succeed? */
static int stdio_write(const char *path, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (!f)
        return 0;
    int ok = fputs("overwritten\n", f) >= 0;
    return fclose(f) == 0 && ok;
}

static int fd_write_all(int fd)
{
    if (fd < 0)
        return 0;
    int ok = write(fd, "overwritten\n", 12) == 12;
    close(fd);
    return ok;
}

int main(void)
{
    result("fopen w", stdio_write("/ro/hello.txt", "w"));
    result("fopen a", stdio_write("/ro/hello.txt", "a"));
    result("fopen r+", stdio_write("/ro/hello.txt", "r+"));
    result("fopen w new file", stdio_write("/ro/new.txt", "w"));
    result("open O_WRONLY + write", fd_write_all(open("/ro/hello.txt", O_WRONLY)));
    result("open O_RDWR + write", fd_write_all(open("/ro/hello.txt", O_RDWR)));
    result("open O_WRONLY|O_APPEND + write",
           fd_write_all(open("/ro/hello.txt", O_WRONLY | O_APPEND)));
    int fd = open("/ro/hello.txt", O_RDONLY | O_TRUNC);
    printf("open O_RDONLY|O_TRUNC: %s\n", fd >= 0 ? "opened" : wt_errstr(errno));
    fd = open("/ro/digits.txt", O_WRONLY | O_TRUNC);
    printf("open O_WRONLY|O_TRUNC: %s\n", fd >= 0 ? "opened" : wt_errstr(errno));
    result("truncate()", truncate("/ro/lines.txt", 0) == 0);
    fd = open("/ro/lines.txt", O_RDONLY);
    result("ftruncate on a read-only fd", ftruncate(fd, 1) == 0);
    result("posix_fallocate on a read-only fd", posix_fallocate(fd, 0, 100000) == 0);
    struct timespec ts[2] = {{1, 0}, {1, 0}};
    result("futimens on a read-only fd", futimens(fd, ts) == 0);
    close(fd);
    result("mkdir", mkdir("/ro/newdir", 0755) == 0);
    result("rmdir", rmdir("/ro/dir/sub") == 0);
    result("unlink", unlink("/ro/empty.txt") == 0);
    result("rename", rename("/ro/hello.txt", "/ro/renamed.txt") == 0);
    result("link", link("/ro/hello.txt", "/ro/linked.txt") == 0);
    result("symlink", symlink("hello.txt", "/ro/sym") == 0);
    result("utimensat", utimensat(AT_FDCWD, "/ro/hello.txt", ts, 0) == 0);
    result("remove", remove("/ro/digits.txt") == 0);
    return 0;
}
