/* wasi_fd.c: the guest's descriptor table and the fd_* calls on it: reading and writing
 * (host descriptors through readv/writev straight into guest memory, or a stream's
 * callbacks), seeking, status and rights, directory listing, preopen names, renumbering.
 * Paths are wasi_path.c's; this file never resolves one. */
#include "wasi/wasi_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- the table ---- */

WasiFd *wasi_fd_get(corral_wasi_t *w, uint32_t fd)
{
    return fd < w->nfds && w->fds[fd].used ? &w->fds[fd] : NULL;
}

uint32_t wasi_fd_lookup(corral_wasi_t *w, uint32_t fd, uint64_t rights, WasiFd **out)
{
    WasiFd *e = wasi_fd_get(w, fd);
    if (!e)
        return WASI_EBADF;
    if ((e->base & rights) != rights)
        return WASI_ENOTCAPABLE;
    *out = e;
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_alloc(corral_wasi_t *w, uint32_t *out_fd)
{
    uint32_t fd = 0;
    while (fd < w->nfds && w->fds[fd].used)
        fd++;
    if (fd >= WASI_MAX_FDS)
        return WASI_EMFILE;
    if (fd == w->capfds) {
        uint32_t cap = w->capfds ? w->capfds * 2 : 16;
        WasiFd *v = realloc(w->fds, cap * sizeof *v);
        if (!v)
            return WASI_ENOMEM;
        w->fds = v;
        w->capfds = cap;
    }
    if (fd == w->nfds)
        w->nfds++;
    w->fds[fd] = (WasiFd){.used = true, .host = -1};
    *out_fd = fd;
    return WASI_ESUCCESS;
}

void wasi_fd_release(corral_wasi_t *w, uint32_t fd)
{
    WasiFd *e = &w->fds[fd];
    if (e->dir)
        closedir(e->dir);
    if (e->owned && e->host >= 0)
        close(e->host);
    free(e->prename);
    *e = (WasiFd){.used = false, .host = -1};
    while (w->nfds > 0 && !w->fds[w->nfds - 1].used)
        w->nfds--;
}

uint8_t wasi_filetype_of_mode(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
        return FT_REGULAR_FILE;
    case S_IFDIR:
        return FT_DIRECTORY;
    case S_IFCHR:
        return FT_CHARACTER_DEVICE;
    case S_IFBLK:
        return FT_BLOCK_DEVICE;
    case S_IFLNK:
        return FT_SYMBOLIC_LINK;
    case S_IFSOCK:
        return FT_SOCKET_STREAM;
    default:
        return FT_UNKNOWN; /* FIFOs have no filetype of their own in preview 1 */
    }
}

/* ---- reading and writing ---- */

/* A read or write through a stream's callbacks, iovec by iovec, stopping at a short one. */
static uint32_t stream_io(const corral_wasi_stdio_t *s, bool writing, struct iovec *iov, int n,
                          size_t *out_done)
{
    size_t done = 0;
    for (int i = 0; i < n; i++) {
        uint8_t *p = iov[i].iov_base;
        size_t left = iov[i].iov_len;
        while (left > 0) {
            ssize_t r = writing ? (s->write ? s->write(s->ud, p, left) : -EBADF)
                                : (s->read ? s->read(s->ud, p, left) : -EBADF);
            if (r < 0) {
                *out_done = done;
                return done ? WASI_ESUCCESS : wasi_errno_from_host((int)-r);
            }
            if (r == 0 || (size_t)r > left)
                goto out; /* end of input (or a callback that overstates) */
            done += (size_t)r;
            p += r;
            left -= (size_t)r;
            if (!writing)
                goto out; /* reads return what is there, like readv */
        }
    }
out:
    *out_done = done;
    return WASI_ESUCCESS;
}

/* read/write/pread/pwrite on host descriptor e->host. offset < 0: at the current position. */
static uint32_t host_io(WasiCall *c, WasiFd *e, bool writing, struct iovec *iov, int n,
                        int64_t offset, size_t *out_done)
{
    if (!writing && e->kind != FD_FILE && offset < 0) {
        uint32_t err = wasi_wait_fd(c, e->host, POLLIN);
        if (err || c->trap)
            return err;
    }
    ssize_t r;
    for (;;) {
        if (offset >= 0)
            r = writing ? pwritev(e->host, iov, n, offset) : preadv(e->host, iov, n, offset);
        else
            r = writing ? writev(e->host, iov, n) : readv(e->host, iov, n);
        if (r >= 0)
            break;
        if (errno == EINTR)
            continue;
        /* A host descriptor opened non-blocking (an embedder's, e.g. the shim's FIFO to a
         * reader that stalls) for a guest that did not ask for it: wait, cancellably, as a
         * blocking call would, instead of handing the guest EAGAIN. */
        if (errno != EAGAIN || (e->fdflags & FDF_NONBLOCK))
            break;
        uint32_t err = wasi_wait_fd(c, e->host, writing ? POLLOUT : POLLIN);
        if (err || c->trap)
            return err;
    }
    if (r < 0)
        return wasi_errno_from_host(errno);
    *out_done = (size_t)r;
    return WASI_ESUCCESS;
}

/* The four transfers: fd, (c)iovecs, count, offset (or -1), where the byte count goes. */
static uint32_t transfer(WasiCall *c, bool writing, uint32_t fd, uint32_t iovs, uint32_t niovs,
                         int64_t offset, uint32_t out_ptr)
{
    WasiFd *e = wasi_fd_get(c->w, fd);
    if (!e)
        return WASI_EBADF;
    uint64_t need = (writing ? R_FD_WRITE : R_FD_READ) | (offset >= 0 ? R_FD_SEEK : 0);
    if (offset >= 0 && e->kind != FD_FILE && e->kind != FD_DIR)
        return WASI_ESPIPE;
    /* A descriptor opened without the access asked for: EBADF, as POSIX and wasmtime say;
     * a missing seek right is a rights matter (ENOTCAPABLE). */
    if ((need & R_FD_SEEK) && !(e->base & R_FD_SEEK))
        return WASI_ENOTCAPABLE;
    if ((e->base & need) != need)
        return WASI_EBADF;
    if (e->kind == FD_DIR)
        return WASI_EISDIR;
    if (!gm_ok(&c->mem, out_ptr, 4))
        return WASI_EFAULT;
    struct iovec iov[WASI_MAX_IOV];
    int n = 0;
    uint32_t err = gm_iovecs(&c->mem, iovs, niovs, iov, &n);
    if (err)
        return err;
    size_t done = 0;
    if (e->stream)
        err = stream_io(e->stream, writing, iov, n, &done);
    else if (e->host < 0) /* no stream: end of file, writes dropped */
        for (int i = 0; writing && i < n; i++)
            done += iov[i].iov_len;
    else
        err = host_io(c, e, writing, iov, n, offset, &done);
    if (err || c->trap)
        return err;
    st32(c->mem.base + out_ptr, done > UINT32_MAX ? UINT32_MAX : (uint32_t)done);
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_read(WasiCall *c, const corral_val_t *a)
{
    return transfer(c, false, ARG32(0), ARG32(1), ARG32(2), -1, ARG32(3));
}

uint32_t wasi_fd_write(WasiCall *c, const corral_val_t *a)
{
    return transfer(c, true, ARG32(0), ARG32(1), ARG32(2), -1, ARG32(3));
}

uint32_t wasi_fd_pread(WasiCall *c, const corral_val_t *a)
{
    if (ARG64(3) > INT64_MAX)
        return WASI_EINVAL;
    return transfer(c, false, ARG32(0), ARG32(1), ARG32(2), (int64_t)ARG64(3), ARG32(4));
}

uint32_t wasi_fd_pwrite(WasiCall *c, const corral_val_t *a)
{
    if (ARG64(3) > INT64_MAX)
        return WASI_EINVAL;
    return transfer(c, true, ARG32(0), ARG32(1), ARG32(2), (int64_t)ARG64(3), ARG32(4));
}

/* ---- position ---- */

uint32_t wasi_fd_seek(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e = wasi_fd_get(c->w, ARG32(0));
    int64_t delta = (int64_t)ARG64(1);
    uint32_t whence = ARG32(2) & 0xff, out = ARG32(3);
    static const int whences[] = {SEEK_SET, SEEK_CUR, SEEK_END};
    if (!e)
        return WASI_EBADF;
    if (e->kind == FD_STREAM || e->kind == FD_SOCKET)
        return WASI_ESPIPE;
    uint64_t need = delta == 0 && whence == 1 ? R_FD_TELL : R_FD_SEEK;
    if ((e->base & need) != need)
        return WASI_ENOTCAPABLE;
    if (whence > 2)
        return WASI_EINVAL;
    if (!gm_ok(&c->mem, out, 8))
        return WASI_EFAULT;
    off_t pos = lseek(e->host, (off_t)delta, whences[whence]);
    if (pos < 0)
        return wasi_errno_from_host(errno);
    st64(c->mem.base + out, (uint64_t)pos);
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_tell(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e = wasi_fd_get(c->w, ARG32(0));
    if (!e)
        return WASI_EBADF;
    if (e->kind == FD_STREAM || e->kind == FD_SOCKET)
        return WASI_ESPIPE;
    if (!(e->base & R_FD_TELL))
        return WASI_ENOTCAPABLE;
    if (!gm_ok(&c->mem, ARG32(1), 8))
        return WASI_EFAULT;
    off_t pos = lseek(e->host, 0, SEEK_CUR);
    if (pos < 0)
        return wasi_errno_from_host(errno);
    st64(c->mem.base + ARG32(1), (uint64_t)pos);
    return WASI_ESUCCESS;
}

/* ---- status ---- */

uint32_t wasi_fd_fdstat_get(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e = wasi_fd_get(c->w, ARG32(0));
    uint32_t out = ARG32(1);
    if (!e)
        return WASI_EBADF;
    if (!gm_ok(&c->mem, out, 24))
        return WASI_EFAULT;
    uint8_t *p = c->mem.base + out;
    memset(p, 0, 24);
    st8(p, e->filetype);
    st16(p + 2, e->fdflags);
    st64(p + 8, e->base);
    st64(p + 16, e->inheriting);
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_fdstat_set_flags(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e;
    uint32_t flags = ARG32(1) & 0xffff;
    uint32_t err = wasi_fd_lookup(c->w, ARG32(0), R_FD_FDSTAT_SET_FLAGS, &e);
    if (err)
        return err;
    if (flags & ~(uint32_t)(FDF_APPEND | FDF_DSYNC | FDF_NONBLOCK | FDF_RSYNC | FDF_SYNC))
        return WASI_EINVAL;
    /* Linux cannot change the sync modes of an open file. */
    uint32_t sync = FDF_DSYNC | FDF_RSYNC | FDF_SYNC;
    if ((flags & sync) != (e->fdflags & sync))
        return WASI_ENOTSUP;
    if (e->host >= 0 && !e->stream) {
        int fl = fcntl(e->host, F_GETFL);
        if (fl < 0)
            return wasi_errno_from_host(errno);
        fl &= ~(O_APPEND | O_NONBLOCK);
        fl |= (flags & FDF_APPEND ? O_APPEND : 0) | (flags & FDF_NONBLOCK ? O_NONBLOCK : 0);
        if (fcntl(e->host, F_SETFL, fl) != 0)
            return wasi_errno_from_host(errno);
    }
    e->fdflags = (uint16_t)flags;
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_fdstat_set_rights(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e = wasi_fd_get(c->w, ARG32(0));
    uint64_t base = ARG64(1), inh = ARG64(2);
    if (!e)
        return WASI_EBADF;
    if ((base & ~e->base) || (inh & ~e->inheriting))
        return WASI_ENOTCAPABLE; /* rights only ever shrink */
    e->base = base;
    e->inheriting = inh;
    return WASI_ESUCCESS;
}

static uint64_t stat_ns(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

void wasi_put_filestat(uint8_t *p, const struct stat *st)
{
    memset(p, 0, 64);
    st64(p, (uint64_t)st->st_dev);
    st64(p + 8, (uint64_t)st->st_ino);
    st8(p + 16, wasi_filetype_of_mode(st->st_mode));
    st64(p + 24, (uint64_t)st->st_nlink);
    st64(p + 32, (uint64_t)st->st_size);
    st64(p + 40, stat_ns(&st->st_atim));
    st64(p + 48, stat_ns(&st->st_mtim));
    st64(p + 56, stat_ns(&st->st_ctim));
}

uint32_t wasi_fd_filestat_get(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e;
    uint32_t out = ARG32(1);
    uint32_t err = wasi_fd_lookup(c->w, ARG32(0), R_FD_FILESTAT_GET, &e);
    if (err)
        return err;
    if (!gm_ok(&c->mem, out, 64))
        return WASI_EFAULT;
    struct stat st;
    memset(&st, 0, sizeof st);
    if (e->host >= 0 && fstat(e->host, &st) != 0)
        return wasi_errno_from_host(errno);
    wasi_put_filestat(c->mem.base + out, &st);
    st8(c->mem.base + out + 16, e->filetype); /* what fdstat says, for streams and sockets */
    return WASI_ESUCCESS;
}

/* Rights check for a change to the file itself: EROFS under a read-only preopen first. */
static uint32_t lookup_mutable(WasiCall *c, uint32_t fd, uint64_t rights, WasiFd **out)
{
    WasiFd *e = wasi_fd_get(c->w, fd);
    if (e && e->readonly)
        return WASI_EROFS;
    return wasi_fd_lookup(c->w, fd, rights, out);
}

uint32_t wasi_fd_filestat_set_size(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e;
    uint32_t err = lookup_mutable(c, ARG32(0), R_FD_FILESTAT_SET_SIZE, &e);
    if (err)
        return err;
    if (ARG64(1) > INT64_MAX)
        return WASI_EFBIG;
    if (ftruncate(e->host, (off_t)ARG64(1)) != 0)
        return wasi_errno_from_host(errno);
    return WASI_ESUCCESS;
}

bool wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2])
{
    if (((fst & FST_ATIM) && (fst & FST_ATIM_NOW)) || ((fst & FST_MTIM) && (fst & FST_MTIM_NOW)) ||
        (fst & ~15u))
        return false;
    uint64_t v[2] = {atim, mtim};
    for (int i = 0; i < 2; i++) {
        uint32_t set = i ? FST_MTIM : FST_ATIM, now = i ? FST_MTIM_NOW : FST_ATIM_NOW;
        ts[i].tv_sec = (time_t)(v[i] / 1000000000u);
        ts[i].tv_nsec = (long)(v[i] % 1000000000u);
        if (fst & now)
            ts[i].tv_nsec = UTIME_NOW;
        else if (!(fst & set))
            ts[i].tv_nsec = UTIME_OMIT;
    }
    return true;
}

uint32_t wasi_fd_filestat_set_times(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e;
    struct timespec ts[2];
    uint32_t err = lookup_mutable(c, ARG32(0), R_FD_FILESTAT_SET_TIMES, &e);
    if (err)
        return err;
    if (!wasi_times(ARG64(1), ARG64(2), ARG32(3) & 0xffff, ts))
        return WASI_EINVAL;
    if (futimens(e->host, ts) != 0)
        return wasi_errno_from_host(errno);
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_advise(WasiCall *c, const corral_val_t *a)
{
    static const int advice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                 POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
    WasiFd *e;
    uint32_t adv = ARG32(3) & 0xff;
    uint32_t err = wasi_fd_lookup(c->w, ARG32(0), R_FD_ADVISE, &e);
    if (err)
        return err;
    if (adv > 5 || ARG64(1) > INT64_MAX || ARG64(2) > INT64_MAX)
        return WASI_EINVAL;
    int r = posix_fadvise(e->host, (off_t)ARG64(1), (off_t)ARG64(2), advice[adv]);
    return r == 0 || r == ESPIPE ? WASI_ESUCCESS : wasi_errno_from_host(r);
}

uint32_t wasi_fd_allocate(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e;
    uint32_t err = lookup_mutable(c, ARG32(0), R_FD_ALLOCATE, &e);
    if (err)
        return err;
    uint64_t off = ARG64(1), len = ARG64(2);
    if (off > INT64_MAX || len > INT64_MAX - off)
        return WASI_EFBIG;
    if (len == 0)
        return WASI_EINVAL;
    int r = posix_fallocate(e->host, (off_t)off, (off_t)len);
    return r ? wasi_errno_from_host(r) : WASI_ESUCCESS;
}

uint32_t wasi_fd_datasync(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e;
    uint32_t err = wasi_fd_lookup(c->w, ARG32(0), R_FD_DATASYNC, &e);
    if (err)
        return err;
    return fdatasync(e->host) == 0 ? WASI_ESUCCESS : wasi_errno_from_host(errno);
}

uint32_t wasi_fd_sync(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e;
    uint32_t err = wasi_fd_lookup(c->w, ARG32(0), R_FD_SYNC, &e);
    if (err)
        return err;
    return fsync(e->host) == 0 ? WASI_ESUCCESS : wasi_errno_from_host(errno);
}

/* ---- the table, as the guest changes it ---- */

uint32_t wasi_fd_close(WasiCall *c, const corral_val_t *a)
{
    if (!wasi_fd_get(c->w, ARG32(0)))
        return WASI_EBADF;
    wasi_fd_release(c->w, ARG32(0));
    return WASI_ESUCCESS;
}

/* Both descriptors must be open (as in wasmtime); `to` is closed, `from` moves there. */
uint32_t wasi_fd_renumber(WasiCall *c, const corral_val_t *a)
{
    uint32_t from = ARG32(0), to = ARG32(1);
    if (!wasi_fd_get(c->w, from) || !wasi_fd_get(c->w, to))
        return WASI_EBADF;
    if (from == to)
        return WASI_ESUCCESS;
    WasiFd moved = c->w->fds[from];
    c->w->fds[from] = (WasiFd){.used = false, .host = -1};
    wasi_fd_release(c->w, to);
    c->w->fds[to] = moved;
    if (to >= c->w->nfds)
        c->w->nfds = to + 1; /* release may have trimmed the table below to */
    while (c->w->nfds > 0 && !c->w->fds[c->w->nfds - 1].used)
        c->w->nfds--;
    return WASI_ESUCCESS;
}

/* ---- preopens ---- */

uint32_t wasi_fd_prestat_get(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e = wasi_fd_get(c->w, ARG32(0));
    uint32_t out = ARG32(1);
    if (!e || !e->prename)
        return WASI_EBADF; /* ends wasi-libc's scan of the preopens */
    if (!gm_ok(&c->mem, out, 8))
        return WASI_EFAULT;
    uint8_t *p = c->mem.base + out;
    memset(p, 0, 8);
    st8(p, 0); /* preopentype dir */
    st32(p + 4, (uint32_t)strlen(e->prename));
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_prestat_dir_name(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e = wasi_fd_get(c->w, ARG32(0));
    uint32_t buf = ARG32(1), len = ARG32(2);
    if (!e || !e->prename)
        return WASI_EBADF;
    size_t n = strlen(e->prename);
    if (len < n)
        return WASI_ENAMETOOLONG;
    if (!gm_ok(&c->mem, buf, n))
        return WASI_EFAULT;
    memcpy(c->mem.base + buf, e->prename, n);
    return WASI_ESUCCESS;
}

/* ---- directories ----
 * Cookies are entry numbers: entry k (0-based, "." and ".." included as the host lists
 * them) has d_next = k + 1, and cookie 0 starts over. The stream remembers where it is, so
 * reading on from the last d_next costs nothing; any other cookie rewinds and skips. */

static uint8_t dirent_type(DIR *d, const struct dirent *de)
{
    switch (de->d_type) {
    case DT_REG:
        return FT_REGULAR_FILE;
    case DT_DIR:
        return FT_DIRECTORY;
    case DT_LNK:
        return FT_SYMBOLIC_LINK;
    case DT_CHR:
        return FT_CHARACTER_DEVICE;
    case DT_BLK:
        return FT_BLOCK_DEVICE;
    case DT_SOCK:
        return FT_SOCKET_STREAM;
    case DT_UNKNOWN: {
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            return wasi_filetype_of_mode(st.st_mode);
        return FT_UNKNOWN;
    }
    default:
        return FT_UNKNOWN;
    }
}

/* Positions e's stream at entry cookie (opening it first): false at a host error. */
static uint32_t dir_seek(WasiFd *e, uint64_t cookie)
{
    if (!e->dir) {
        int fd = openat(e->host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return wasi_errno_from_host(errno);
        if (!(e->dir = fdopendir(fd))) {
            close(fd);
            return wasi_errno_from_host(errno);
        }
        e->dir_pos = 0;
    }
    if (cookie < e->dir_pos) {
        rewinddir(e->dir);
        e->dir_pos = 0;
    }
    while (e->dir_pos < cookie && readdir(e->dir))
        e->dir_pos++;
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_readdir(WasiCall *c, const corral_val_t *a)
{
    WasiFd *e;
    uint32_t buf = ARG32(1), len = ARG32(2), out = ARG32(4);
    uint64_t cookie = ARG64(3);
    uint32_t err = wasi_fd_lookup(c->w, ARG32(0), R_FD_READDIR, &e);
    if (err)
        return err;
    if (e->kind != FD_DIR)
        return WASI_ENOTDIR;
    if (!gm_ok(&c->mem, buf, len) || !gm_ok(&c->mem, out, 4))
        return WASI_EFAULT;
    if ((err = dir_seek(e, cookie)))
        return err;
    uint32_t used = 0;
    while (used < len && e->dir_pos == cookie) {
        long loc = telldir(e->dir);
        errno = 0;
        struct dirent *de = readdir(e->dir);
        if (!de) {
            if (errno)
                return wasi_errno_from_host(errno);
            break;
        }
        uint8_t ent[24];
        size_t namelen = strlen(de->d_name);
        st64(ent, e->dir_pos + 1);
        st64(ent + 8, (uint64_t)de->d_ino);
        st32(ent + 16, (uint32_t)namelen);
        memset(ent + 20, 0, 4);
        st8(ent + 20, dirent_type(e->dir, de));
        /* Header then name, cut at the end of the buffer as the witx allows. */
        uint64_t need = 24 + namelen, room = len - used;
        uint32_t head = room < 24 ? (uint32_t)room : 24;
        memcpy(c->mem.base + buf + used, ent, head);
        uint32_t tail = room - head < namelen ? (uint32_t)(room - head) : (uint32_t)namelen;
        memcpy(c->mem.base + buf + used + head, de->d_name, tail);
        used += head + tail;
        if (head + tail < need) {
            seekdir(e->dir, loc); /* the guest asks for this entry again, with more room */
            break;
        }
        e->dir_pos++;
        cookie++;
    }
    st32(c->mem.base + out, used);
    return WASI_ESUCCESS;
}
