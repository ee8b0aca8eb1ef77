/* wasi_sock.c: sock_accept, sock_recv, sock_send and sock_shutdown on sockets the embedder
 * preopened (corral_wasi_config_t.sockets) and the connections accepted from them. Preview 1
 * cannot create, bind or connect sockets, so without a preopened one every call fails with
 * EBADF or ENOTSOCK: the guest cannot reach the network on its own. */
#include "wasi/wasi_int.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* The socket behind fd with rights, or an errno (ENOTSOCK for another kind). */
static uint32_t lookup_socket(WasiCall *c, uint32_t fd, uint64_t rights, WasiFd **out)
{
    WasiFd *e = wasi_fd_get(c->w, fd);
    if (!e)
        return WASI_EBADF;
    if (e->kind != FD_SOCKET)
        return WASI_ENOTSOCK;
    return wasi_fd_lookup(c->w, fd, rights, out);
}

uint32_t wasi_sock_accept(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e;
    uint32_t flags = ARG32(1) & 0xffff, out = ARG32(2);
    uint32_t err = lookup_socket(c, ARG32(0), R_SOCK_ACCEPT, &e);
    if (err)
        return err;
    if (flags & ~(uint32_t)FDF_NONBLOCK)
        return WASI_EINVAL;
    if (!gm_ok(&c->mem, out, 4))
        return WASI_EFAULT;
    if (!(e->fdflags & FDF_NONBLOCK) && (err = wasi_wait_fd(c, e->host, POLLIN)))
        return err;
    if (c->trap)
        return WASI_ESUCCESS;
    int host;
    do
        host =
            accept4(e->host, NULL, NULL, SOCK_CLOEXEC | (flags & FDF_NONBLOCK ? SOCK_NONBLOCK : 0));
    while (host < 0 && errno == EINTR);
    if (host < 0)
        return wasi_errno_from_host(errno);
    uint32_t fd;
    if ((err = wasi_fd_alloc(c->w, &fd))) {
        close(host);
        return err;
    }
    WasiFd *n = &c->w->fds[fd];
    n->kind = FD_SOCKET;
    n->host = host;
    n->owned = true;
    n->filetype = FT_SOCKET_STREAM;
    n->fdflags = (uint16_t)flags;
    n->base = RIGHTS_SOCKET & ~R_SOCK_ACCEPT;
    n->inheriting = 0;
    st32(c->mem.base + out, fd);
    return WASI_ESUCCESS;
}

uint32_t wasi_sock_recv(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e;
    uint32_t riflags = ARG32(3) & 0xffff, out_size = ARG32(4), out_flags = ARG32(5);
    uint32_t err = lookup_socket(c, ARG32(0), R_FD_READ, &e);
    if (err)
        return err;
    if (riflags & ~3u)
        return WASI_EINVAL;
    if (!gm_ok(&c->mem, out_size, 4) || !gm_ok(&c->mem, out_flags, 2))
        return WASI_EFAULT;
    struct iovec iov[WASI_MAX_IOV];
    int n = 0;
    if ((err = gm_iovecs(&c->mem, ARG32(1), ARG32(2), iov, &n)))
        return err;
    if (!(e->fdflags & FDF_NONBLOCK) && (err = wasi_wait_fd(c, e->host, POLLIN)))
        return err;
    if (c->trap)
        return WASI_ESUCCESS;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    int flags = (riflags & 1 ? MSG_PEEK : 0) | (riflags & 2 ? MSG_WAITALL : 0);
    ssize_t r;
    do
        r = recvmsg(e->host, &msg, flags);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return wasi_errno_from_host(errno);
    st32(c->mem.base + out_size, (uint32_t)r);
    st16(c->mem.base + out_flags, msg.msg_flags & MSG_TRUNC ? 1 : 0);
    return WASI_ESUCCESS;
}

uint32_t wasi_sock_send(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e;
    uint32_t out = ARG32(4);
    uint32_t err = lookup_socket(c, ARG32(0), R_FD_WRITE, &e);
    if (err)
        return err;
    if (ARG32(3) & 0xffff) /* siflags: none defined */
        return WASI_EINVAL;
    if (!gm_ok(&c->mem, out, 4))
        return WASI_EFAULT;
    struct iovec iov[WASI_MAX_IOV];
    int n = 0;
    if ((err = gm_iovecs(&c->mem, ARG32(1), ARG32(2), iov, &n)))
        return err;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    ssize_t r;
    do
        r = sendmsg(e->host, &msg, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return wasi_errno_from_host(errno);
    st32(c->mem.base + out, (uint32_t)r);
    return WASI_ESUCCESS;
}

uint32_t wasi_sock_shutdown(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e;
    uint32_t how = ARG32(1) & 0xff;
    static const int hows[] = {-1, SHUT_RD, SHUT_WR, SHUT_RDWR};
    uint32_t err = lookup_socket(c, ARG32(0), R_SOCK_SHUTDOWN, &e);
    if (err)
        return err;
    if (how == 0 || how > 3)
        return WASI_EINVAL;
    return shutdown(e->host, hows[how]) == 0 ? WASI_ESUCCESS : wasi_errno_from_host(errno);
}
