/* many_fds: opens the same file until the runtime says no or 5000 are open (the fd table grows
 * many times on the way), checks that the first and the last fd still read the right bytes,
 * closes them all, and opens again. Running out is EMFILE or ENFILE, never a crash. */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

enum { MAX = 5000 };

static int reads_hello(int fd)
{
    char buf[16];
    return pread(fd, buf, 5, 0) == 5 && memcmp(buf, "hello", 5) == 0;
}

int main(void)
{
    static int fds[MAX];
    int n = 0, err = 0;
    while (n < MAX) {
        int fd = open("/data/hello.txt", O_RDONLY);
        if (fd < 0) {
            err = errno;
            break;
        }
        fds[n++] = fd;
    }
    printf("opened at least 500: %s\n", n >= 500 ? "yes" : "no");
    int clean = err == 0 || err == __WASI_ERRNO_MFILE || err == __WASI_ERRNO_NFILE;
    printf("stopped at 5000 or by EMFILE/ENFILE: %s\n", clean ? "yes" : wt_errstr(err));
    printf("first and last read right: %d\n", reads_hello(fds[0]) && reads_hello(fds[n - 1]));
    int bad = 0;
    for (int i = 0; i < n; i++)
        bad += close(fds[i]) != 0;
    printf("close failures: %d\n", bad);
    int fd = open("/data/hello.txt", O_RDONLY);
    printf("open afterwards: %s, reads right: %d\n", fd >= 0 ? "OK" : wt_errstr(errno),
           fd >= 0 && reads_hello(fd));
    return 0;
}
