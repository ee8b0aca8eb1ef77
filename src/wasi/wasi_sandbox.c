/* wasi_sandbox.c: resolving guest paths without ever leaving the directory they are relative
 * to (the capability the guest holds). Two ways to open a directory beneath another: the
 * kernel's openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), and where that is missing
 * (ENOSYS, found once at run time) a walk one component at a time with O_NOFOLLOW, keeping
 * its own stack of directory descriptors so that `..` is never looked up on the host. Both
 * serve wasi_resolve and wasi_open_beneath. The algorithm is in docs/design/wasi.md. */
#include "wasi/wasi_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Symlink expansions per resolution, as Linux's own limit (MAXSYMLINKS). */
#define MAX_LINKS 40
/* Directories deep the fallback walk may be at once (one descriptor each). */
#define MAX_DEPTH 256
/* Retries of openat2 when the kernel reports a concurrent rename (EAGAIN). */
#define MAX_AGAIN 16

uint32_t wasi_path_read(const GuestMem *m, uint32_t ptr, uint32_t len, char *buf)
{
    if (!gm_ok(m, ptr, len))
        return WASI_EFAULT;
    if (len >= PATH_MAX)
        return WASI_ENAMETOOLONG;
    if (memchr(m->base + ptr, '\0', len))
        return WASI_EINVAL;
    memcpy(buf, m->base + ptr, len);
    buf[len] = '\0';
    return len ? WASI_ESUCCESS : WASI_ENOENT;
}

/* ---- openat2 ---- */

/* Old C libraries lack the name; the number is the same on every architecture but alpha,
 * and a kernel without the call answers ENOSYS, which selects the fallback. */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

static atomic_bool no_openat2; /* set once the kernel said ENOSYS */
static atomic_bool checked_env;

/* CORRAL_WASI_NO_OPENAT2=1 in the environment forces the fallback walk, so that tests can
 * run the sandbox suite through both ways on one kernel. */
static bool openat2_disabled(void)
{
    if (!atomic_load(&checked_env)) {
        const char *v = getenv("CORRAL_WASI_NO_OPENAT2");
        if (v && *v && strcmp(v, "0") != 0)
            atomic_store(&no_openat2, true);
        atomic_store(&checked_env, true);
    }
    return atomic_load(&no_openat2);
}

/* openat2 beneath dirfd: the descriptor, or -1 with errno (ENOSYS when the kernel lacks it;
 * EXDEV for an escape). */
static int openat2_beneath(int dirfd, const char *path, int flags, unsigned mode)
{
    if (openat2_disabled()) {
        errno = ENOSYS;
        return -1;
    }
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    for (int tries = 0;; tries++) {
        long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd >= 0)
            return (int)fd;
        if (errno == EINTR || (errno == EAGAIN && tries < MAX_AGAIN))
            continue;
        if (errno == ENOSYS) /* an old kernel, or a seccomp filter (Docker's say ENOSYS) */
            atomic_store(&no_openat2, true);
        return -1;
    }
}

/* ---- the fallback walk ---- */

/* Splices a symlink's target in front of the rest of the path: buf becomes target + rest
 * (rest keeps its leading '/'). */
static uint32_t splice_target(char *buf, const char *target, size_t tlen, const char *rest)
{
    size_t rlen = strlen(rest);
    if (tlen + rlen >= PATH_MAX)
        return WASI_ENAMETOOLONG;
    memmove(buf + tlen, rest, rlen + 1);
    memcpy(buf, target, tlen);
    return WASI_ESUCCESS;
}

/* Reads the symlink name in dir: its length (>= 0) with the target in out, -1 when name is
 * not a symlink (or does not exist), or -2 with errno for another failure. */
static ssize_t read_link(int dir, const char *name, char *out)
{
    ssize_t n = readlinkat(dir, name, out, PATH_MAX);
    if (n >= 0) {
        if (n >= PATH_MAX) {
            errno = ENAMETOOLONG;
            return -2;
        }
        out[n] = '\0';
        return n;
    }
    return errno == EINVAL || errno == ENOENT ? -1 : -2;
}

/* Follows symlink target (length n) found at a component: absolute targets are refused,
 * the count is bounded. Then splices it before rest. */
static uint32_t expand(char *buf, const char *target, ssize_t n, const char *rest, unsigned *links)
{
    if (++*links > MAX_LINKS)
        return WASI_ELOOP;
    if (n == 0)
        return WASI_ENOENT;
    if (target[0] == '/')
        return WASI_ENOTCAPABLE;
    return splice_target(buf, target, (size_t)n, rest);
}

typedef struct Walk {
    int stack[MAX_DEPTH]; /* stack[0] is the root (borrowed); the others are owned */
    int depth;
    unsigned links;
} Walk;

static void walk_free(Walk *wk)
{
    for (int i = 1; i <= wk->depth; i++)
        close(wk->stack[i]);
    wk->depth = 0;
}

/* One component c (not "." or "..") of a directory path, with rest after it: opens it
 * as a directory and pushes it, or splices the symlink it is into buf. */
static uint32_t walk_step(Walk *wk, char *buf, const char *c, const char *rest, char *link)
{
    int top = wk->stack[wk->depth];
    for (;;) {
        ssize_t n = read_link(top, c, link);
        if (n >= 0)
            return expand(buf, link, n, rest, &wk->links);
        if (n == -2)
            return wasi_errno_from_host(errno);
        int fd = openat(top, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            if (wk->depth + 1 >= MAX_DEPTH) {
                close(fd);
                return WASI_ENAMETOOLONG;
            }
            wk->stack[++wk->depth] = fd;
            return WASI_ESUCCESS;
        }
        /* It became a symlink since read_link looked (a race): look again, boundedly. */
        struct stat st;
        if ((errno != ENOTDIR && errno != ELOOP) || fstatat(top, c, &st, AT_SYMLINK_NOFOLLOW) ||
            !S_ISLNK(st.st_mode))
            return wasi_errno_from_host(errno == ELOOP ? ENOTDIR : errno);
        if (++wk->links > MAX_LINKS)
            return WASI_ELOOP;
    }
}

/* Opens the directory at path beneath root, one component at a time: an O_PATH
 * descriptor in *out. */
static uint32_t walk_beneath(int root, const char *path, int *out)
{
    Walk wk = {.stack = {root}, .depth = 0, .links = 0};
    char *buf = malloc(2 * (size_t)PATH_MAX), *link = buf + PATH_MAX, comp[NAME_MAX + 1];
    uint32_t err = WASI_ENOMEM;
    if (!buf)
        return err;
    strcpy(buf, path);
    char *p = buf;
    for (err = WASI_ESUCCESS; !err;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, "/");
        if (len > NAME_MAX) {
            err = WASI_ENAMETOOLONG;
            break;
        }
        memcpy(comp, p, len);
        comp[len] = '\0';
        char *rest = p + len;
        if (!strcmp(comp, ".")) {
            p = rest;
        } else if (!strcmp(comp, "..")) {
            if (wk.depth == 0)
                err = WASI_ENOTCAPABLE;
            else
                close(wk.stack[wk.depth--]);
            p = rest;
        } else {
            /* walk_step may splice a link target over buf: the rest moves to its start. */
            memmove(buf, rest, strlen(rest) + 1);
            p = buf;
            err = walk_step(&wk, buf, comp, buf, link);
        }
    }
    if (!err) {
        *out = wk.depth ? wk.stack[wk.depth] : openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (wk.depth)
            wk.depth--; /* handed out, not closed */
        else if (*out < 0)
            err = wasi_errno_from_host(errno);
    }
    walk_free(&wk);
    free(buf);
    return err;
}

/* ---- the shared part ---- */

void wasi_resolved_close(Resolved *r)
{
    if (r->owned && r->parent >= 0)
        close(r->parent);
    r->parent = -1;
    r->owned = false;
}

/* Opens directory path (relative) beneath root as an O_PATH descriptor, by whichever way
 * the kernel allows. */
static uint32_t open_dir_beneath(int root, const char *path, int *out)
{
    int fd = openat2_beneath(root, *path ? path : ".", O_PATH | O_DIRECTORY, 0);
    if (fd >= 0) {
        *out = fd;
        return WASI_ESUCCESS;
    }
    if (errno == ENOSYS)
        return walk_beneath(root, path, out);
    return errno == EXDEV ? WASI_ENOTCAPABLE : wasi_errno_from_host(errno);
}

/* Splits path (in buf, modified) into the directory part and the last component: *dir
 * points at buf ("" for none), name gets the component or "." when the path names a
 * directory itself. Trailing slashes set *must_dir. */
static uint32_t split(char *buf, const char **dir, char *name, bool *must_dir)
{
    size_t len = strlen(buf);
    *must_dir = false;
    while (len > 0 && buf[len - 1] == '/') {
        buf[--len] = '\0';
        *must_dir = true;
    }
    char *slash = strrchr(buf, '/');
    const char *last = slash ? slash + 1 : buf;
    if (strlen(last) > NAME_MAX)
        return WASI_ENAMETOOLONG;
    if (!strcmp(last, ".") || !strcmp(last, "..") || !*last) {
        *dir = buf; /* the whole path is a directory; "." inside it */
        strcpy(name, ".");
        return WASI_ESUCCESS;
    }
    strcpy(name, last);
    if (slash)
        *slash = '\0';
    *dir = slash ? buf : "";
    return WASI_ESUCCESS;
}

uint32_t wasi_resolve(int dirfd, const char *path, bool follow, Resolved *out)
{
    if (path[0] == '/')
        return WASI_ENOTCAPABLE;
    char *buf = malloc(2 * (size_t)PATH_MAX), *link = buf + PATH_MAX;
    if (!buf)
        return WASI_ENOMEM;
    strcpy(buf, path);
    uint32_t err;
    unsigned links = 0;
    out->parent = -1;
    out->owned = false;
    for (;;) {
        const char *dir;
        if ((err = split(buf, &dir, out->name, &out->must_dir)))
            break;
        out->owned = *dir != '\0';
        out->parent = dirfd;
        if (out->owned && (err = open_dir_beneath(dirfd, dir, &out->parent))) {
            out->owned = false;
            break;
        }
        if ((!follow && !out->must_dir) || !strcmp(out->name, "."))
            break;
        ssize_t n = read_link(out->parent, out->name, link);
        if (n == -1)
            break; /* not a symlink: done */
        wasi_resolved_close(out);
        if (n == -2) {
            err = wasi_errno_from_host(errno);
            break;
        }
        /* dir + "/" + target (+ "/" when the path had one) is the new path. */
        size_t dlen = strlen(dir);
        char *tail = buf + dlen + (dlen > 0);
        if (dlen > 0)
            buf[dlen] = '/';
        if (dlen + 2 + (size_t)n >= PATH_MAX) {
            err = WASI_ENAMETOOLONG;
            break;
        }
        if ((err = expand(tail, link, n, out->must_dir ? "/" : "", &links)))
            break;
    }
    free(buf);
    if (err)
        wasi_resolved_close(out);
    return err;
}

/* ---- symlinks the guest makes ---- */

/* How many directories above its own a symlink target climbs at most, read lexically:
 * "../x" 1, "a/../../x" 1, "x/../y" 0, "./." 0. */
static unsigned target_climb(const char *t)
{
    long depth = 0, low = 0;
    while (*t) {
        size_t n = strcspn(t, "/");
        if (n == 2 && t[0] == '.' && t[1] == '.') {
            if (--depth < low)
                low = depth;
        } else if (n > 1 || (n == 1 && t[0] != '.')) {
            depth++;
        }
        t += n;
        while (*t == '/')
            t++;
    }
    return (unsigned)-low;
}

uint32_t wasi_link_target_check(int dir, uint64_t root_dev, uint64_t root_ino, const char *target)
{
    if (target[0] == '/')
        return WASI_ENOTCAPABLE;
    unsigned climb = target_climb(target);
    if (climb == 0)
        return WASI_ESUCCESS;
    /* Walk up from dir to the root, counting. Not meeting the root (dir is not beneath it: a
     * host moved it out; or "/" is reached) refuses too. A path can name no directory deeper
     * than PATH_MAX / 2. The walk is a check at this moment: the guest may rename the link's
     * directory later (docs/design/wasi.md, section 4). */
    uint32_t err = WASI_ENOTCAPABLE;
    uint64_t prev_dev = 0, prev_ino = 0;
    int fd = openat(dir, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    for (unsigned depth = 0; fd >= 0 && depth <= PATH_MAX / 2; depth++) {
        struct stat st;
        if (fstat(fd, &st) != 0) {
            err = wasi_errno_from_host(errno);
            break;
        }
        if ((uint64_t)st.st_dev == root_dev && (uint64_t)st.st_ino == root_ino) {
            err = depth >= climb ? WASI_ESUCCESS : WASI_ENOTCAPABLE;
            break;
        }
        if (depth > 0 && (uint64_t)st.st_dev == prev_dev && (uint64_t)st.st_ino == prev_ino)
            break; /* "/": its ".." is itself */
        prev_dev = (uint64_t)st.st_dev;
        prev_ino = (uint64_t)st.st_ino;
        int up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        close(fd);
        fd = up;
    }
    if (fd >= 0)
        close(fd);
    return err;
}

/* Opens never block: a FIFO without a peer would hold the host thread past any deadline.
 * The descriptor gets the guest's own blocking mode back once it is open. */
static int restore_blocking(int fd, int flags)
{
    if (fd >= 0 && !(flags & O_NONBLOCK)) {
        int fl = fcntl(fd, F_GETFL);
        if (fl != -1)
            fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    }
    return fd;
}

uint32_t wasi_open_beneath(int dirfd, const char *path, int flags, unsigned mode, bool follow,
                           int *out_fd)
{
    if (path[0] == '/')
        return WASI_ENOTCAPABLE;
    /* As in POSIX, an exclusive create never follows a final symlink: it fails EEXIST. */
    if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
        follow = false;
    int fd = openat2_beneath(dirfd, path, flags | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW), mode);
    if (fd >= 0) {
        *out_fd = restore_blocking(fd, flags);
        return WASI_ESUCCESS;
    }
    if (errno != ENOSYS)
        return errno == EXDEV ? WASI_ENOTCAPABLE : wasi_errno_from_host(errno);
    /* The fallback: resolve, then open the last component without following it. When it
     * turned into a symlink after the check, resolve again (boundedly). */
    for (int tries = 0; tries < MAX_LINKS; tries++) {
        Resolved r;
        uint32_t err = wasi_resolve(dirfd, path, follow, &r);
        if (err)
            return err;
        int f = flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | (r.must_dir ? O_DIRECTORY : 0);
        fd = openat(r.parent, r.name, f, mode);
        int e = errno;
        wasi_resolved_close(&r);
        if (fd >= 0) {
            *out_fd = restore_blocking(fd, flags);
            return WASI_ESUCCESS;
        }
        if (e != ELOOP || !follow)
            return wasi_errno_from_host(e);
    }
    return WASI_ELOOP;
}
