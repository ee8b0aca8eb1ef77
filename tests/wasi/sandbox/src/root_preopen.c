/* root_preopen: a preopen whose guest name is "/" takes every absolute path, and still no path
 * leaves it: "/..", "/../..", "/./../x" and symlinks out are refused (wasi-libc hands the
 * runtime the path after the "/", the runtime refuses to climb); "/inside.txt" works. */
#include "escape.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void libc_open(const char *path)
{
    char what[96];
    snprintf(what, sizeof what, "libc open %s", path);
    int fd = open(path, O_RDONLY);
    libc_refused(what, fd, errno);
    if (fd >= 0)
        close(fd);
}

int main(void)
{
    char buf[64];
    int fd = open("/inside.txt", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
    printf("libc open /inside.txt: %s [%.*s]\n", fd >= 0 ? "OK" : wt_errstr(errno),
           (int)(n > 1 ? n - 1 : 0), buf);
    libc_open("/../top-secret.txt");
    libc_open("/../outside/secret.txt");
    libc_open("/../../../../../../etc/passwd");
    libc_open("/./../top-secret.txt");
    libc_open("/sub/../../top-secret.txt");
    libc_open("/out-abs");
    libc_open("/up/top-secret.txt");
    struct stat st;
    printf("libc stat /..: %s\n", wt_errstr(wt_libc(stat("/..", &st) != 0)));
    printf("libc mkdir /../corral-escape-dir: %s\n",
           wt_errstr(wt_libc(mkdir("/../corral-escape-dir", 0755) != 0)));
    chdir("/sub");
    libc_open("../../top-secret.txt");
    return 0;
}
