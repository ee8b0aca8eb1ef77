/* renumber: fd_renumber(from, to) makes `to` refer to what `from` did (closing the old `to`)
 * and frees `from`; renumbering from or to an fd that is not open is EBADF. */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

static void first_line(const char *what, int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    if (n < 0)
        printf("%s: %s\n", what, wt_errstr(errno));
    else
        printf("%s: [%.*s]\n", what, (int)(n > 0 && buf[n - 1] == '\n' ? n - 1 : n), buf);
}

int main(void)
{
    int a = open("/data/hello.txt", O_RDONLY);
    int b = open("/data/lines.txt", O_RDONLY);
    first_line("a before", a);
    first_line("b before", b);
    wt_report("renumber a -> b", __wasi_fd_renumber(a, b));
    first_line("b after", b);
    first_line("a after", a);
    wt_report("close a", wt_libc(close(a) != 0));
    wt_report("renumber b -> 99 (not open)", __wasi_fd_renumber(b, 99));
    wt_report("renumber 99 -> b", __wasi_fd_renumber(99, b));
    first_line("b still", b);
    return 0;
}
