/* advise: fd_advise accepts every advice value of preview 1 over any range and changes
 * nothing visible; an unknown advice is EINVAL and an fd that is not open is EBADF. */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

int main(void)
{
    int fd = open("/data/hello.txt", O_RDONLY);
    static const char *const names[] = {"normal",   "sequential", "random",
                                        "willneed", "dontneed",   "noreuse"};
    for (int a = 0; a < 6; a++) {
        char what[48];
        snprintf(what, sizeof what, "fd_advise %s", names[a]);
        wt_report(what, __wasi_fd_advise(fd, 0, 100, a));
    }
    wt_report("posix_fadvise SEQUENTIAL", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
    wt_report("fd_advise beyond EOF", __wasi_fd_advise(fd, 1000000, 10, __WASI_ADVICE_NORMAL));
    wt_report("fd_advise advice 6", __wasi_fd_advise(fd, 0, 10, 6));
    wt_report("fd_advise advice 255", __wasi_fd_advise(fd, 0, 10, 255));
    wt_report("fd_advise fd 99", __wasi_fd_advise(99, 0, 10, __WASI_ADVICE_NORMAL));
    char buf[32];
    ssize_t n = read(fd, buf, sizeof buf);
    printf("still reads: [%.*s]\n", (int)n - 1, buf);
    close(fd);
    return 0;
}
