/* prestat: fd_prestat_get and fd_prestat_dir_name list the preopened directories from fd 3 up
 * to the first EBADF, in the order given on the command line, with exactly the guest names
 * given (no trailing NUL counted, nothing written past the name's length). */
#include "wasitest.h"

#include <stdlib.h>

int main(void)
{
    for (__wasi_fd_t fd = 3;; fd++) {
        __wasi_prestat_t ps;
        int e = __wasi_fd_prestat_get(fd, &ps);
        if (e) {
            printf("fd %u: %s\n", (unsigned)fd, wt_errstr(e));
            break;
        }
        size_t len = ps.u.dir.pr_name_len;
        char *name = malloc(len + 2);
        memset(name, '#', len + 2);
        e = __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len);
        printf("fd %u: tag=%u name_len=%zu dir_name=%s [%.*s] byte after=%c\n", (unsigned)fd,
               (unsigned)ps.tag, len, wt_errstr(e), (int)len, name, name[len]);
        __wasi_fdstat_t st;
        __wasi_fd_fdstat_get(fd, &st);
        printf("  type=%s\n", wt_filetype(st.fs_filetype));
        free(name);
    }
    uint8_t buf[8];
    printf("dir_name on fd 99: %s\n", wt_errstr(__wasi_fd_prestat_dir_name(99, buf, sizeof buf)));
    return 0;
}
