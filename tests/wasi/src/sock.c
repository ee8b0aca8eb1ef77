/* sock: the socket calls on fds that are not sockets: an fd that is not open is EBADF; a
 * file or a directory is refused as not a socket (ENOTSOCK, or ENOTCAPABLE for lacking the
 * socket rights). corral run preopens no sockets; real ones are the gateway's business. */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

/* ENOTSOCK and ENOTCAPABLE (the fd lacks the socket rights) both say "not a socket". */
static const char *verdict(int e)
{
    return e == __WASI_ERRNO_NOTSOCK || e == __WASI_ERRNO_NOTCAPABLE ? "not-a-socket"
                                                                     : wt_errstr(e);
}

int main(void)
{
    int file = open("/data/hello.txt", O_RDONLY);
    __wasi_fd_t fds[] = {99, (__wasi_fd_t)file, WT_PREOPEN};
    const char *names[] = {"fd 99", "a file", "a directory"};
    for (int i = 0; i < 3; i++) {
        char buf[8];
        __wasi_iovec_t in = {(uint8_t *)buf, sizeof buf};
        __wasi_ciovec_t out = {(const uint8_t *)"x", 1};
        __wasi_size_t n;
        __wasi_roflags_t ro;
        __wasi_fd_t conn;
        printf("%s: accept=%s", names[i], verdict(__wasi_sock_accept(fds[i], 0, &conn)));
        printf(" recv=%s", verdict(__wasi_sock_recv(fds[i], &in, 1, 0, &n, &ro)));
        printf(" send=%s", verdict(__wasi_sock_send(fds[i], &out, 1, 0, &n)));
        printf(" shutdown=%s\n", verdict(__wasi_sock_shutdown(fds[i], __WASI_SDFLAGS_RD)));
    }
    return 0;
}
