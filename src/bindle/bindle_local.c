/* bindle_local.c: invoices built from local files (bindle.h, BindleLocal): one label per file
 * (its SHA-256 and size read here, its media type guessed from media_types.def), a directory
 * walked without following links, the parcels in byte order of their names so the same tree
 * always gives the same invoice. The app manifest (corral.toml, a later issue) is meant to
 * build its invoices through bindle_local_add_file, adding groups and features. */
#include "bindle/bindle_int.h"

#include "util/strf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Directories nest at most this deep under the one pushed. */
#define MAX_DEPTH 64

struct BindleLocal {
    Invoice *inv;     /* its arena holds every string */
    InvParcel *items; /* the parcels so far (copied into the invoice when it is asked for) */
    char **paths;     /* owned */
    size_t n, cap;
};

static const struct {
    const char *ext, *type;
} media_types[] = {
#define X(ext, type) {ext, type},
#include "bindle/media_types.def"
#undef X
};

const char *bindle_media_type(const char *name)
{
    const char *base = strrchr(name, '/');
    const char *dot = strrchr(base ? base + 1 : name, '.');
    if (dot && dot[1])
        for (size_t i = 0; i < sizeof media_types / sizeof media_types[0]; i++)
            if (!strcasecmp(dot + 1, media_types[i].ext))
                return media_types[i].type;
    return "application/octet-stream";
}

static char *arena_str(Invoice *inv, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = arena_alloc(&inv->arena, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

BindleStatus bindle_local_new(const char *id_text, BindleLocal **out, char **out_err)
{
    *out = NULL;
    char *id = bindle_id_checked(id_text, out_err);
    if (!id)
        return BINDLE_ERR_USAGE;
    BindleLocal *l = calloc(1, sizeof *l);
    Invoice *inv = calloc(1, sizeof *inv);
    bool ok = l && inv;
    if (ok) {
        arena_init(&inv->arena);
        char *slash = strrchr(id, '/');
        *slash = 0;
        inv->bindle_version = arena_str(inv, "1.0.0");
        inv->name = arena_str(inv, id);
        inv->version = arena_str(inv, slash + 1);
        ok = inv->bindle_version && inv->name && inv->version &&
             semver_parse(inv->version, strlen(inv->version), &inv->semver);
        l->inv = inv;
    }
    free(id);
    if (!ok) {
        if (l)
            l->inv = NULL;
        invoice_free(inv);
        free(l);
        return bindle_fail(out_err, BINDLE_ERR_NOMEM, "out of memory");
    }
    *out = l;
    return BINDLE_OK;
}

void bindle_local_free(BindleLocal *l)
{
    if (!l)
        return;
    invoice_free(l->inv);
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    free(l->items);
    free(l);
}

static bool grow(BindleLocal *l)
{
    if (l->n < l->cap)
        return true;
    size_t cap = l->cap ? 2 * l->cap : 16;
    InvParcel *items = realloc(l->items, cap * sizeof *items);
    if (items)
        l->items = items;
    char **paths = items ? realloc(l->paths, cap * sizeof *paths) : NULL;
    if (paths)
        l->paths = paths;
    if (!items || !paths)
        return false;
    l->cap = cap;
    return true;
}

BindleStatus bindle_local_add_file(BindleLocal *l, const char *path, const char *name,
                                   const char *media_type, char **out_err)
{
    const char *why = bindle_parcel_name_check(name, strlen(name));
    if (why)
        return bindle_fail(out_err, BINDLE_ERR_USAGE, "%s: %s", path, why);
    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (!f)
        return bindle_fail(out_err, BINDLE_ERR_IO, "%s: %s", path, strerror(errno));
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return bindle_fail(out_err, BINDLE_ERR_IO, "%s: not a regular file", path);
    }
    char hex[BINDLE_SHA_TEXT];
    uint64_t size;
    bool ok = bindle_hash_stream(f, hex, &size);
    int e = errno;
    fclose(f);
    if (!ok)
        return bindle_fail(out_err, BINDLE_ERR_IO, "%s: %s", path, strerror(e));
    if (!grow(l))
        return bindle_fail(out_err, BINDLE_ERR_NOMEM, "out of memory");
    InvParcel *p = &l->items[l->n];
    *p = (InvParcel){0};
    p->label.sha256 = arena_str(l->inv, hex);
    p->label.name = arena_str(l->inv, name);
    p->label.media_type = arena_str(l->inv, media_type ? media_type : bindle_media_type(name));
    p->label.size = size;
    l->paths[l->n] = strdup(path);
    if (!p->label.sha256 || !p->label.name || !p->label.media_type || !l->paths[l->n]) {
        free(l->paths[l->n]);
        return bindle_fail(out_err, BINDLE_ERR_NOMEM, "out of memory");
    }
    l->n++;
    return BINDLE_OK;
}

/* ---- directories ---- */

typedef struct Walk {
    char **rel; /* relative names found, owned */
    size_t n, cap;
    char **err;
} Walk;

static BindleStatus walk_add(Walk *w, const char *rel)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 32;
        char **more = realloc(w->rel, cap * sizeof *more);
        if (!more)
            return bindle_fail(w->err, BINDLE_ERR_NOMEM, "out of memory");
        w->rel = more;
        w->cap = cap;
    }
    if (!(w->rel[w->n] = strdup(rel)))
        return bindle_fail(w->err, BINDLE_ERR_NOMEM, "out of memory");
    w->n++;
    return BINDLE_OK;
}

static const char *kind_name(mode_t m)
{
    return S_ISLNK(m)    ? "a symbolic link (corral push takes regular files only)"
           : S_ISFIFO(m) ? "a FIFO"
           : S_ISSOCK(m) ? "a socket"
                         : "a device";
}

/* Collects the regular files of the directory fd (opened by the caller, closed here), whose
 * path relative to the top is prefix ("" at the top). */
static BindleStatus walk_dir(Walk *w, int fd, const char *top, const char *prefix, int depth)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return bindle_fail(w->err, BINDLE_ERR_IO, "%s/%s: %s", top, prefix, strerror(errno));
    }
    BindleStatus st = BINDLE_OK;
    struct dirent *e;
    errno = 0;
    while (!st && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *rel = strf("%s%s%s", prefix, prefix[0] ? "/" : "", e->d_name);
        struct stat sb;
        if (!rel) {
            st = bindle_fail(w->err, BINDLE_ERR_NOMEM, "out of memory");
        } else if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            st = bindle_fail(w->err, BINDLE_ERR_IO, "%s/%s: %s", top, rel, strerror(errno));
        } else if (S_ISREG(sb.st_mode)) {
            st = walk_add(w, rel);
        } else if (S_ISDIR(sb.st_mode) && depth >= MAX_DEPTH) {
            st = bindle_fail(w->err, BINDLE_ERR_USAGE, "%s/%s: directories nest deeper than %d",
                             top, rel, MAX_DEPTH);
        } else if (S_ISDIR(sb.st_mode)) {
            int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            st = sub < 0
                     ? bindle_fail(w->err, BINDLE_ERR_IO, "%s/%s: %s", top, rel, strerror(errno))
                     : walk_dir(w, sub, top, rel, depth + 1);
        } else {
            st = bindle_fail(w->err, BINDLE_ERR_USAGE, "%s/%s is %s", top, rel,
                             kind_name(sb.st_mode));
        }
        free(rel);
        errno = 0;
    }
    if (!st && errno)
        st = bindle_fail(w->err, BINDLE_ERR_IO, "%s/%s: %s", top, prefix, strerror(errno));
    closedir(d);
    return st;
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

BindleStatus bindle_local_add_dir(BindleLocal *l, const char *dir, char **out_err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return bindle_fail(out_err, BINDLE_ERR_IO, "%s: %s", dir, strerror(errno));
    Walk w = {.err = out_err};
    BindleStatus st = walk_dir(&w, fd, dir, "", 0);
    if (!st && w.n)
        qsort(w.rel, w.n, sizeof *w.rel, by_bytes);
    for (size_t i = 0; !st && i < w.n; i++) {
        char *path = strf("%s/%s", dir, w.rel[i]);
        st = path ? bindle_local_add_file(l, path, w.rel[i], NULL, out_err)
                  : bindle_fail(out_err, BINDLE_ERR_NOMEM, "out of memory");
        free(path);
    }
    for (size_t i = 0; i < w.n; i++)
        free(w.rel[i]);
    free(w.rel);
    return st;
}

Invoice *bindle_local_invoice(BindleLocal *l)
{
    Invoice *inv = l->inv;
    if (inv->nparcels != l->n) {
        InvParcel *arr = arena_alloc(&inv->arena, (l->n ? l->n : 1) * sizeof *arr);
        if (!arr)
            return NULL;
        if (l->n)
            memcpy(arr, l->items, l->n * sizeof *arr);
        inv->parcels = arr;
        inv->nparcels = l->n;
        inv->has_parcels = l->n > 0;
    }
    return inv;
}

const char *const *bindle_local_paths(const BindleLocal *l)
{
    return (const char *const *)l->paths;
}
