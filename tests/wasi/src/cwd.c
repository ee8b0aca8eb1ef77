/* cwd: relative paths. A preopen named "." makes relative paths work at once; chdir into a
 * directory makes paths relative to it; getcwd follows; ".." goes back up. wasi-libc does
 * this by itself on top of the preopens, so this checks that the names it sees are right. */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

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
    char wd[256];
    printf("getcwd: %s\n", getcwd(wd, sizeof wd) ? wd : wt_errstr(errno));
    cat("hello.txt");
    cat("./dir/a.txt");
    wt_report("chdir dir", wt_libc(chdir("dir") != 0));
    printf("getcwd: %s\n", getcwd(wd, sizeof wd) ? wd : wt_errstr(errno));
    cat("b.txt");
    cat("../hello.txt");
    cat("nested/deeper/deep.txt");
    wt_report("chdir ..", wt_libc(chdir("..") != 0));
    cat("digits.txt");
    wt_report("chdir missing", wt_libc(chdir("missing") != 0));
    wt_report("chdir to a file", wt_libc(chdir("hello.txt") != 0));
    return 0;
}
