/* wasi_path.c: the path_* calls. Each checks the directory descriptor's rights (and EROFS
 * under a read-only preopen before anything else), reads the guest path, resolves it beneath
 * that directory (wasi_sandbox.c) and acts on the (parent, name) pair with *at calls that do
 * not follow a last symlink, so nothing outside the sandbox can be reached between the check
 * and the use. */
#include "wasi/wasi_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory descriptor a path call starts from, with rights; mutate: the call would
 * change something under it (EROFS when read-only). */
static uint32_t dir_lookup(WasiCall *c, uint32_t fd, uint64_t rights, bool mutate, WasiFd **out)
{
    WasiFd *e = wasi_fd_get(c->w, fd);
    if (!e)
        return WASI_EBADF;
    if (e->kind != FD_DIR)
        return WASI_ENOTDIR;
    if (mutate && e->readonly)
        return WASI_EROFS;
    if ((e->base & rights) != rights)
        return WASI_ENOTCAPABLE;
    *out = e;
    return WASI_ESUCCESS;
}

/* dir_lookup, then the guest path (ptr, len) resolved beneath it into *r (r->parent owned
 * on success). */
static uint32_t resolve_at(WasiCall *c, uint32_t fd, uint64_t rights, bool mutate, uint32_t ptr,
                           uint32_t len, bool follow, Resolved *r)
{
    WasiFd *e;
    char path[PATH_MAX];
    uint32_t err = dir_lookup(c, fd, rights, mutate, &e);
    if (!err)
        err = wasi_path_read(&c->mem, ptr, len, path);
    if (!err)
        err = wasi_resolve(e->host, path, follow, r);
    return err;
}

static uint32_t host_result(int r)
{
    return r == 0 ? WASI_ESUCCESS : wasi_errno_from_host(errno);
}

uint32_t wasi_path_create_directory(WasiCall *c, const corral_val_t *a)
{
    Resolved r;
    uint32_t err =
        resolve_at(c, ARG32(0), R_PATH_CREATE_DIRECTORY, true, ARG32(1), ARG32(2), false, &r);
    if (err)
        return err;
    err = host_result(mkdirat(r.parent, r.name, 0777));
    wasi_resolved_close(&r);
    return err;
}

uint32_t wasi_path_remove_directory(WasiCall *c, const corral_val_t *a)
{
    Resolved r;
    uint32_t err =
        resolve_at(c, ARG32(0), R_PATH_REMOVE_DIRECTORY, true, ARG32(1), ARG32(2), false, &r);
    if (err)
        return err;
    err = host_result(unlinkat(r.parent, r.name, AT_REMOVEDIR));
    wasi_resolved_close(&r);
    return err;
}

uint32_t wasi_path_unlink_file(WasiCall *c, const corral_val_t *a)
{
    Resolved r;
    struct stat st;
    uint32_t err = resolve_at(c, ARG32(0), R_PATH_UNLINK_FILE, true, ARG32(1), ARG32(2), false, &r);
    if (err)
        return err;
    if (r.must_dir) /* "name/": a directory is not a file, anything else is not a directory */
        err = fstatat(r.parent, r.name, &st, AT_SYMLINK_NOFOLLOW) != 0 ? wasi_errno_from_host(errno)
              : S_ISDIR(st.st_mode)                                    ? WASI_EISDIR
                                                                       : WASI_ENOTDIR;
    else
        err = host_result(unlinkat(r.parent, r.name, 0));
    wasi_resolved_close(&r);
    return err;
}

uint32_t wasi_path_filestat_get(WasiCall *c, const corral_val_t *a)
{
    Resolved r;
    struct stat st;
    uint32_t out = ARG32(4);
    bool follow = ARG32(1) & LOOKUP_SYMLINK_FOLLOW;
    if (!gm_ok(&c->mem, out, 64))
        return WASI_EFAULT;
    uint32_t err =
        resolve_at(c, ARG32(0), R_PATH_FILESTAT_GET, false, ARG32(2), ARG32(3), follow, &r);
    if (err)
        return err;
    if (fstatat(r.parent, r.name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        err = wasi_errno_from_host(errno);
    else if (r.must_dir && !S_ISDIR(st.st_mode))
        err = WASI_ENOTDIR;
    else
        wasi_put_filestat(c->mem.base + out, &st);
    wasi_resolved_close(&r);
    return err;
}

uint32_t wasi_path_filestat_set_times(WasiCall *c, const corral_val_t *a)
{
    Resolved r;
    struct timespec ts[2];
    bool follow = ARG32(1) & LOOKUP_SYMLINK_FOLLOW;
    if (!wasi_times(ARG64(4), ARG64(5), ARG32(6) & 0xffff, ts))
        return WASI_EINVAL;
    uint32_t err =
        resolve_at(c, ARG32(0), R_PATH_FILESTAT_SET_TIMES, true, ARG32(2), ARG32(3), follow, &r);
    if (err)
        return err;
    err = host_result(utimensat(r.parent, r.name, ts, AT_SYMLINK_NOFOLLOW));
    wasi_resolved_close(&r);
    return err;
}

uint32_t wasi_path_readlink(WasiCall *c, const corral_val_t *a)
{
    Resolved r;
    uint32_t buf = ARG32(3), len = ARG32(4), out = ARG32(5);
    if (!gm_ok(&c->mem, buf, len) || !gm_ok(&c->mem, out, 4))
        return WASI_EFAULT;
    uint32_t err = resolve_at(c, ARG32(0), R_PATH_READLINK, false, ARG32(1), ARG32(2), false, &r);
    if (err)
        return err;
    char target[PATH_MAX];
    ssize_t n = readlinkat(r.parent, r.name, target, sizeof target);
    wasi_resolved_close(&r);
    if (n < 0)
        return wasi_errno_from_host(errno);
    /* Cut to the buffer, as readlink(2) does. */
    uint32_t copy = (uint64_t)n < len ? (uint32_t)n : len;
    memcpy(c->mem.base + buf, target, copy);
    st32(c->mem.base + out, copy);
    return WASI_ESUCCESS;
}

/* A name path_symlink or path_link is to create, under directory fd (path at ptr, len):
 * resolved without following it, after its trailing slashes are taken off (*out_slash says
 * there were some). *out_dir is fd's entry. */
static uint32_t resolve_new_name(WasiCall *c, uint32_t fd, uint64_t rights, uint32_t ptr,
                                 uint32_t len, WasiFd **out_dir, Resolved *r, bool *out_slash)
{
    char path[PATH_MAX];
    uint32_t err = dir_lookup(c, fd, rights, true, out_dir);
    if (!err)
        err = wasi_path_read(&c->mem, ptr, len, path);
    if (err)
        return err;
    size_t n = strlen(path);
    *out_slash = false;
    while (n > 1 && path[n - 1] == '/') {
        path[--n] = '\0';
        *out_slash = true;
    }
    return wasi_resolve((*out_dir)->host, path, false, r);
}

/* What creating a symlink or hard link at a name with a trailing '/' gives: the slash asks for
 * a directory, which neither is, so as Linux's symlink(2) and link(2): EEXIST when the name
 * exists (a symlink there counts, not followed), else ENOENT. */
static uint32_t new_name_slash(const Resolved *r)
{
    struct stat st;
    return fstatat(r->parent, r->name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? WASI_EEXIST
                                                                      : wasi_errno_from_host(errno);
}

/* The target must stay inside the preopen, read from the directory the link lands in
 * (wasi_link_target_check): resolution would keep any target inside, but a link the guest
 * leaves behind must not lead a host tool outside. */
uint32_t wasi_path_symlink(WasiCall *c, const corral_val_t *a)
{
    Resolved r;
    char target[PATH_MAX];
    WasiFd *e;
    bool slash;
    uint32_t err = dir_lookup(c, ARG32(2), R_PATH_SYMLINK, true, &e);
    if (!err)
        err = wasi_path_read(&c->mem, ARG32(0), ARG32(1), target);
    if (err)
        return err;
    if (target[0] == '/') /* refused before anything else */
        return WASI_ENOTCAPABLE;
    if ((err = resolve_new_name(c, ARG32(2), R_PATH_SYMLINK, ARG32(3), ARG32(4), &e, &r, &slash)))
        return err;
    if (slash)
        err = new_name_slash(&r);
    else if (!(err = wasi_link_target_check(r.parent, e->root_dev, e->root_ino, target)))
        err = host_result(symlinkat(target, r.parent, r.name));
    wasi_resolved_close(&r);
    return err;
}

/* Two paths, under two directories: rename. */
static uint32_t resolve_two(WasiCall *c, const corral_val_t *a, int old_fd, uint64_t old_rights,
                            bool old_follow, int old_path, int new_fd, uint64_t new_rights,
                            int new_path, Resolved *from, Resolved *to)
{
    uint32_t err = resolve_at(c, ARG32(old_fd), old_rights, true, ARG32(old_path),
                              ARG32(old_path + 1), old_follow, from);
    if (err)
        return err;
    err = resolve_at(c, ARG32(new_fd), new_rights, true, ARG32(new_path), ARG32(new_path + 1),
                     false, to);
    if (err)
        wasi_resolved_close(from);
    return err;
}

uint32_t wasi_path_rename(WasiCall *c, const corral_val_t *a)
{
    Resolved from, to;
    struct stat st;
    uint32_t err = resolve_two(c, a, 0, R_PATH_RENAME_SOURCE, false, 1, 3, R_PATH_RENAME_TARGET, 4,
                               &from, &to);
    if (err)
        return err;
    /* A trailing '/' on either name asks for a directory. */
    if ((from.must_dir || to.must_dir) &&
        (fstatat(from.parent, from.name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)))
        err = errno == ENOENT ? WASI_ENOENT : WASI_ENOTDIR;
    else
        err = host_result(renameat(from.parent, from.name, to.parent, to.name));
    wasi_resolved_close(&from);
    wasi_resolved_close(&to);
    return err;
}

/* Linking out of a read-only preopen is refused too: the new name would reach the same
 * file, writably. */
uint32_t wasi_path_link(WasiCall *c, const corral_val_t *a)
{
    Resolved from, to;
    WasiFd *e;
    bool follow = ARG32(1) & LOOKUP_SYMLINK_FOLLOW, slash;
    uint32_t err =
        resolve_at(c, ARG32(0), R_PATH_LINK_SOURCE, true, ARG32(2), ARG32(3), follow, &from);
    if (err)
        return err;
    if ((err = resolve_new_name(c, ARG32(4), R_PATH_LINK_TARGET, ARG32(5), ARG32(6), &e, &to,
                                &slash))) {
        wasi_resolved_close(&from);
        return err;
    }
    if (slash)
        err = new_name_slash(&to);
    else
        err = host_result(linkat(from.parent, from.name, to.parent, to.name, 0));
    wasi_resolved_close(&from);
    wasi_resolved_close(&to);
    return err;
}

/* ---- path_open ---- */

/* Rights that make a descriptor a writer (wasi-libc asks for them for O_WRONLY/O_RDWR). */
#define WRITE_RIGHTS (R_FD_WRITE | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE)

/* Host open flags for a path_open request. */
static int open_flags(uint32_t oflags, uint32_t fdflags, uint64_t base)
{
    bool read = base & (R_FD_READ | R_FD_READDIR), write = base & WRITE_RIGHTS;
    int f = write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
    f |= (oflags & OF_CREAT ? O_CREAT : 0) | (oflags & OF_DIRECTORY ? O_DIRECTORY : 0) |
         (oflags & OF_EXCL ? O_EXCL : 0) | (oflags & OF_TRUNC ? O_TRUNC : 0);
    f |= (fdflags & FDF_APPEND ? O_APPEND : 0) | (fdflags & FDF_DSYNC ? O_DSYNC : 0) |
         (fdflags & FDF_NONBLOCK ? O_NONBLOCK : 0) | (fdflags & FDF_RSYNC ? O_RSYNC : 0) |
         (fdflags & FDF_SYNC ? O_SYNC : 0);
    return f;
}

/* Under a read-only preopen: refuses whatever would write or create (EROFS). O_CREAT of a
 * file that exists is only an open, so it is dropped; *out_creat_dropped says so, and the
 * caller turns ENOENT into EROFS. */
static uint32_t readonly_open(uint32_t oflags, uint32_t fdflags, uint64_t base, int *flags,
                              bool *out_creat_dropped)
{
    *out_creat_dropped = false;
    if ((base & WRITE_RIGHTS) || (oflags & OF_TRUNC) || (fdflags & FDF_APPEND) ||
        ((oflags & OF_CREAT) && (oflags & OF_EXCL)))
        return WASI_EROFS;
    if (oflags & OF_CREAT) {
        *flags &= ~O_CREAT;
        *out_creat_dropped = true;
    }
    return WASI_ESUCCESS;
}

/* Installs host descriptor host (opened from dir) as a new guest fd in *out_fd. */
static uint32_t install(WasiCall *c, const WasiFd *dir, int host, uint64_t base, uint64_t inh,
                        uint32_t fdflags, uint32_t *out_fd)
{
    struct stat st;
    if (fstat(host, &st) != 0) {
        uint32_t err = wasi_errno_from_host(errno);
        close(host);
        return err;
    }
    bool readonly = dir->readonly;
    uint64_t root_dev = dir->root_dev, root_ino = dir->root_ino;
    uint32_t fd = 0, err = wasi_fd_alloc(c->w, &fd);
    if (err) {
        close(host);
        return err;
    }
    WasiFd *e = &c->w->fds[fd]; /* dir may have moved with the table: read it before */
    e->kind = S_ISDIR(st.st_mode) ? FD_DIR : FD_FILE;
    e->host = host;
    e->owned = true;
    e->readonly = readonly;
    e->root_dev = root_dev;
    e->root_ino = root_ino;
    e->filetype = wasi_filetype_of_mode(st.st_mode);
    e->fdflags = (uint16_t)fdflags;
    e->base = base & (e->kind == FD_DIR ? RIGHTS_DIR : RIGHTS_FILE) &
              (readonly ? ~RIGHTS_MUTATING : R_ALL);
    e->inheriting = inh;
    *out_fd = fd;
    return WASI_ESUCCESS;
}

uint32_t wasi_path_open(WasiCall *c, const corral_val_t *a)
{
    uint32_t oflags = ARG32(4) & 0xffff, fdflags = ARG32(7) & 0xffff, out = ARG32(8);
    uint64_t base = ARG64(5), inh = ARG64(6);
    bool follow = ARG32(1) & LOOKUP_SYMLINK_FOLLOW, creat_dropped = false;
    uint64_t need = R_PATH_OPEN | (oflags & OF_CREAT ? R_PATH_CREATE_FILE : 0) |
                    (oflags & OF_TRUNC ? R_PATH_FILESTAT_SET_SIZE : 0);
    WasiFd *dir;
    char path[PATH_MAX];
    uint32_t err = dir_lookup(c, ARG32(0), 0, false, &dir);
    if (err)
        return err;
    int flags = open_flags(oflags, fdflags, base);
    if (dir->readonly && (err = readonly_open(oflags, fdflags, base, &flags, &creat_dropped)))
        return err;
    if (dir->readonly)
        need &= ~(uint64_t)(R_PATH_CREATE_FILE | R_PATH_FILESTAT_SET_SIZE);
    if ((dir->base & need) != need || (base & ~dir->inheriting) || (inh & ~dir->inheriting))
        return WASI_ENOTCAPABLE;
    if ((oflags & ~15u) || (fdflags & ~31u))
        return WASI_EINVAL;
    if (!gm_ok(&c->mem, out, 4))
        return WASI_EFAULT;
    if ((err = wasi_path_read(&c->mem, ARG32(2), ARG32(3), path)))
        return err;
    int host;
    err = wasi_open_beneath(dir->host, path, flags, 0666, follow, &host);
    if (err == WASI_ENOENT && creat_dropped)
        return WASI_EROFS;
    if (err)
        return err;
    uint32_t fd = 0;
    if ((err = install(c, dir, host, base, inh & dir->inheriting, fdflags, &fd)))
        return err;
    st32(c->mem.base + out, fd);
    return WASI_ESUCCESS;
}
