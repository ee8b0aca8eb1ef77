/* isatty: what wasi-libc's isatty() says about fds 0, 1 and 2, which run.sh's stdio section
 * runs redirected to /dev/null, a file, a pipe and a real terminal (a pty). The answer is the
 * exit status, since any of the three may be the one under test: 64 + bit i for each fd i that
 * is a terminal (64 so that a trap or a crash cannot pass for an answer). stderr also gets one
 * line per fd with what isatty() decides on: the filetype and the seek/tell rights. */
#include "wasitest.h"

#include <unistd.h>

int main(void)
{
    int mask = 0;
    for (int fd = 0; fd < 3; fd++) {
        __wasi_fdstat_t st;
        int e = __wasi_fd_fdstat_get(fd, &st);
        int tty = isatty(fd);
        if (e)
            fprintf(stderr, "fd %d: %s\n", fd, wt_errstr(e));
        else
            fprintf(stderr, "fd %d: type=%s seek=%d tell=%d isatty=%d\n", fd,
                    wt_filetype(st.fs_filetype), !!(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK),
                    !!(st.fs_rights_base & __WASI_RIGHTS_FD_TELL), tty);
        if (tty)
            mask |= 1 << fd;
    }
    return 64 + mask;
}
