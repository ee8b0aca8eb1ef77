/* rootfs.c: a container's root file system: mounting what containerd asks for on
 * bundle/rootfs (overlay, bind), as runc does, unmounting it, and reading files strictly
 * inside it (openat2 with RESOLVE_IN_ROOT: ".." and symlinks, absolute ones included, resolve
 * as if the rootfs were "/", so nothing leads outside). Never runs guest code. */
#include "shim/shim_int.h"
#include "util/strf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* Modules bigger than this are refused rather than read into memory. */
#define MAX_MODULE_BYTES ((off_t)1 << 30)

/* ---- where the root is ---- */

/* Whether the relative path p has a ".." component (it could climb out of the bundle). */
static bool climbs(const char *p)
{
    for (const char *s = p; *s;) {
        size_t n = strcspn(s, "/");
        if (n == 2 && s[0] == '.' && s[1] == '.')
            return true;
        s += n;
        s += strspn(s, "/");
    }
    return false;
}

/* Whether path (resolved) is dir (resolved) or below it. */
static bool is_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0' || !strcmp(dir, "/"));
}

/* The root's host path: bundle/root for a relative root.path, else root.path. */
static int root_path(const ShimCreate *req, const Bundle *b, char **out, char **out_err)
{
    if (b->root[0] != '/' && climbs(b->root))
        return shim_fail(out_err, SHIM_INVALID_ARGUMENT,
                         "config.json: root.path '%s' leads outside the bundle", b->root);
    *out = b->root[0] == '/' ? strdup(b->root) : strf("%s/%s", req->bundle, b->root);
    if (!*out)
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    /* Resolved, so that a symlink in the bundle cannot lead the mounts elsewhere either. An
     * absolute root.path with no mounts is `ctr run --rootfs DIR`: the client chose a host
     * directory, which it may (containerd's socket is root's); containerd's own mounts always
     * go to bundle/rootfs, so with mounts the root must be inside the bundle. */
    char real_root[PATH_MAX], real_bundle[PATH_MAX];
    if (!realpath(*out, real_root))
        return shim_fail(out_err, SHIM_FAILED_PRECONDITION, "root.path %s: %s", *out,
                         strerror(errno));
    if (!realpath(req->bundle, real_bundle))
        return shim_fail(out_err, SHIM_FAILED_PRECONDITION, "bundle %s: %s", req->bundle,
                         strerror(errno));
    bool absolute_ok = b->root[0] == '/' && req->nrootfs == 0;
    if (!absolute_ok && !is_within(real_root, real_bundle))
        return shim_fail(out_err, SHIM_INVALID_ARGUMENT,
                         "config.json: root.path '%s' leads outside the bundle (to %s)", b->root,
                         real_root);
    free(*out);
    if (!(*out = strdup(real_root)))
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    return SHIM_OK;
}

/* ---- mounting ---- */

/* mount(2) flags of the options that are flags; the others go to the file system as data. */
static const struct {
    const char *name;
    unsigned long set;
} flag_options[] = {
    {"ro", MS_RDONLY},           {"rw", 0},
    {"nosuid", MS_NOSUID},       {"nodev", MS_NODEV},
    {"noexec", MS_NOEXEC},       {"bind", MS_BIND},
    {"rbind", MS_BIND | MS_REC}, {"relatime", MS_RELATIME},
    {"noatime", MS_NOATIME},     {"sync", MS_SYNCHRONOUS},
};

static bool flag_option(const char *o, unsigned long *flags)
{
    for (size_t i = 0; i < sizeof flag_options / sizeof *flag_options; i++)
        if (!strcmp(o, flag_options[i].name)) {
            *flags |= flag_options[i].set;
            return true;
        }
    return false;
}

/* Mounts m on target. */
static int mount_one(const ShimMount *m, const char *target, char **out_err)
{
    unsigned long flags = 0;
    size_t len = 1;
    for (size_t i = 0; i < m->noptions; i++)
        len += strlen(m->options[i]) + 1;
    char *data = calloc(1, len);
    if (!data)
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    for (size_t i = 0; i < m->noptions; i++)
        if (!flag_option(m->options[i], &flags)) {
            if (data[0])
                strcat(data, ",");
            strcat(data, m->options[i]);
        }
    bool bind = (flags & MS_BIND) || (m->type && !strcmp(m->type, "bind"));
    const char *type = bind ? NULL : m->type;
    unsigned long first = bind ? (flags & (MS_BIND | MS_REC)) | MS_BIND : flags;
    int r = mount(m->source, target, type, first, bind ? NULL : data);
    /* A bind ignores every flag but MS_REC on the first call: read-only and the others take
     * a remount of the bind. */
    if (r == 0 && bind && (flags & ~(MS_BIND | MS_REC)) &&
        mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | (flags & ~(MS_BIND | MS_REC)), NULL)) {
        int e = errno;
        umount2(target, MNT_DETACH);
        errno = e;
        r = -1;
    }
    free(data);
    if (r != 0)
        return shim_fail(out_err, SHIM_INTERNAL, "mount %s (%s) on %s: %s",
                         m->source ? m->source : "none", m->type ? m->type : "bind", target,
                         strerror(errno));
    return SHIM_OK;
}

bool rootfs_unmount(const char *dir)
{
    for (int tries = 0; tries < 64; tries++) {
        if (umount2(dir, 0) == 0)
            continue; /* stacked mounts: until none is left */
        if (errno == EBUSY && umount2(dir, MNT_DETACH) == 0)
            continue;
        return errno == EINVAL || errno == ENOENT; /* not a mount point (any more) */
    }
    return false;
}

int rootfs_setup(const ShimCreate *req, const Bundle *b, Rootfs *out, char **out_err)
{
    memset(out, 0, sizeof *out);
    int rc = root_path(req, b, &out->path, out_err);
    for (size_t i = 0; rc == SHIM_OK && i < req->nrootfs; i++) {
        if ((rc = mount_one(&req->rootfs[i], out->path, out_err)) == SHIM_OK)
            out->mounted = true;
    }
    if (rc != SHIM_OK)
        rootfs_release(out);
    return rc;
}

void rootfs_release(Rootfs *r)
{
    if (r->mounted && !rootfs_unmount(r->path))
        shim_note("umount %s: %s", r->path, strerror(errno));
    free(r->path);
    memset(r, 0, sizeof *r);
}

/* ---- files inside the root ---- */

/* Opens guest path inside root: the descriptor, or -1 with errno. */
static int open_in_root(const char *root, const char *cwd, const char *path)
{
    int dir = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return -1;
    char *full = path[0] == '/' ? strdup(path) : strf("%s/%s", cwd ? cwd : "/", path);
    struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    long fd = -1;
    if (full) {
        do
            fd = syscall(SYS_openat2, dir, full, &how, sizeof how);
        while (fd < 0 && (errno == EAGAIN || errno == EINTR));
    } else
        errno = ENOMEM;
    int e = errno;
    free(full);
    close(dir);
    errno = e;
    return (int)fd;
}

bool rootfs_exists(const char *root, const char *path)
{
    struct stat st;
    int fd = open_in_root(root, "/", path);
    bool ok = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (fd >= 0)
        close(fd);
    return ok;
}

char *rootfs_resolve(const char *root, const char *cwd, const char *path)
{
    struct stat st;
    char link[64], real[PATH_MAX];
    int fd = open_in_root(root, cwd, path);
    if (fd < 0)
        return NULL;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n =
        fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? readlink(link, real, sizeof real - 1) : -1;
    close(fd);
    if (n < 0)
        return NULL;
    real[n] = '\0';
    return strdup(real);
}

static int read_all(int fd, const char *path, uint8_t **out, size_t *out_len, char **out_err)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return shim_fail(out_err, SHIM_NOT_FOUND,
                         "module %s: not a regular file in the image's rootfs", path);
    if (st.st_size > MAX_MODULE_BYTES)
        return shim_fail(out_err, SHIM_FAILED_PRECONDITION, "module %s: %lld bytes is too big",
                         path, (long long)st.st_size);
    uint8_t *buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (!buf || got != (size_t)st.st_size) {
        free(buf);
        return shim_fail(out_err, SHIM_INTERNAL, "module %s: cannot read: %s", path,
                         buf ? strerror(errno) : "out of memory");
    }
    *out = buf;
    *out_len = got;
    return SHIM_OK;
}

int rootfs_read(const char *root, const char *cwd, const char *path, uint8_t **out, size_t *out_len,
                char **out_err)
{
    int fd = open_in_root(root, cwd, path);
    if (fd < 0 && errno == ENOSYS)
        return shim_fail(out_err, SHIM_FAILED_PRECONDITION,
                         "module %s: the kernel lacks openat2 (Linux 5.6 or later is needed to "
                         "read a rootfs safely)",
                         path);
    if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EXDEV))
        return shim_fail(out_err, SHIM_NOT_FOUND, "module %s: not found in the image's rootfs",
                         path);
    if (fd < 0)
        return shim_fail(out_err, SHIM_FAILED_PRECONDITION, "module %s: %s", path, strerror(errno));
    int rc = read_all(fd, path, out, out_len, out_err);
    close(fd);
    return rc;
}
