/* provider.c: the store's files (provider.h). Paths are made only from 64-hex-digit digests
 * (checked by the callers and again here), opened relative to the store's directory
 * descriptor, so no name from a client ever becomes a path. */
#include "store/provider.h"

#include "store/bindle_id.h"
#include "util/fs.h"
#include "util/strf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct Provider {
    int root; /* the store's directory */
    char *dir;
    StoreIndex *index;
};

struct ParcelWrite {
    Provider *p;
    int fd, dirfd;
    char sha[BINDLE_SHA_TEXT];
    uint64_t size, got;
    crypto_hash_sha256_state hash;
};

/* "invoices/<sha>" or "parcels/<sha>" into buf. */
static void entry_dir(char *buf, size_t cap, const char *kind, const char *sha)
{
    snprintf(buf, cap, "%s/%s", kind, sha);
}

static StoreErr io_error(char **out_err, const char *what, const char *path)
{
    *out_err = strf("%s %s: %s", what, path, strerror(errno));
    return *out_err ? STORE_IO : STORE_NOMEM;
}

/* Opens directory rel (under the root) and fsyncs it: a rename or link in it is durable. */
static void sync_dir(int dirfd)
{
    fsync(dirfd);
}

/* Reads the whole file at rel under dirfd; NULL with errno set. */
static char *read_file_at(int dirfd, const char *rel, size_t *out_len)
{
    int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) == 0 && (buf = malloc((size_t)st.st_size + 1)) != NULL) {
        size_t len = 0;
        ssize_t r;
        while (
            len < (size_t)st.st_size &&
            ((r = read(fd, buf + len, (size_t)st.st_size - len)) > 0 || (r < 0 && errno == EINTR)))
            if (r > 0)
                len += (size_t)r;
        buf[len] = '\0';
        *out_len = len;
    }
    int e = errno;
    close(fd);
    errno = e;
    return buf;
}

/* ---- opening: the start-up walk ---- */

static bool is_hex_name(const char *s)
{
    return bindle_sha_ok(s, strlen(s));
}

/* Removes stale *.part files in dir kind/<sha>; removes the directory when nothing is left.
 * Returns whether the final file (final_name) is present. */
static bool clean_entry(Provider *p, const char *kind, const char *sha, const char *final_name,
                        ProviderStats *st)
{
    char rel[320];
    entry_dir(rel, sizeof rel, kind, sha);
    int dfd = openat(p->root, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return false;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return false;
    }
    bool present = false, others = false;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (!strcmp(n, ".") || !strcmp(n, ".."))
            continue;
        size_t len = strlen(n);
        if (len > 5 && !strcmp(n + len - 5, ".part")) {
            if (unlinkat(dirfd(d), n, 0) == 0)
                st->parts_removed++;
        } else if (!strcmp(n, final_name)) {
            present = true;
        } else {
            others = true;
        }
    }
    closedir(d);
    if (!present && !others)
        unlinkat(p->root, rel, AT_REMOVEDIR);
    return present;
}

typedef struct RowList {
    IndexRow *rows;
    size_t n, cap;
} RowList;

static void rows_free(RowList *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->rows[i].sha);
        free(l->rows[i].name);
        free(l->rows[i].version);
    }
    free(l->rows);
}

static bool rows_add(RowList *l, const char *sha, const Invoice *inv)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        IndexRow *r = realloc(l->rows, cap * sizeof *r);
        if (!r)
            return false;
        l->rows = r;
        l->cap = cap;
    }
    IndexRow *r = &l->rows[l->n];
    r->sha = strdup(sha);
    r->name = strdup(inv->name);
    r->version = strdup(inv->version);
    r->yanked = inv->has_yanked && inv->yanked;
    l->n++;
    return r->sha && r->name && r->version;
}

static void warnf(FILE *warn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(FILE *warn, const char *fmt, ...)
{
    if (!warn)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("corral: warning: ", warn);
    vfprintf(warn, fmt, ap);
    fputc('\n', warn);
    va_end(ap);
}

/* Reads invoices/<sha>/invoice.toml for the index. */
static bool index_one(Provider *p, const char *sha, RowList *rows, FILE *warn, ProviderStats *st)
{
    char rel[200];
    snprintf(rel, sizeof rel, "invoices/%s/invoice.toml", sha);
    size_t len;
    char *text = read_file_at(p->root, rel, &len), *err = NULL;
    if (!text) {
        warnf(warn, "store: cannot read %s/%s: %s; not indexed", p->dir, rel, strerror(errno));
        st->skipped++;
        return true;
    }
    Invoice *inv = invoice_parse(text, len, INV_TOML, &err);
    free(text);
    if (!inv) {
        warnf(warn, "store: %s/%s: %s; not indexed", p->dir, rel, err ? err : "out of memory");
        free(err);
        st->skipped++;
        return true;
    }
    char want[BINDLE_SHA_TEXT];
    bindle_id_sha(inv->name, strlen(inv->name), inv->version, strlen(inv->version), want);
    bool ok = true;
    if (strcmp(want, sha) != 0) {
        warnf(warn, "store: %s/%s holds %s/%s, whose directory would be %s; not indexed", p->dir,
              rel, inv->name, inv->version, want);
        st->skipped++;
    } else {
        ok = rows_add(rows, sha, inv);
        st->invoices++;
    }
    invoice_free(inv);
    return ok;
}

/* Walks kind/ (invoices or parcels): cleans every entry, indexes invoices. */
static bool walk(Provider *p, const char *kind, RowList *rows, FILE *warn, ProviderStats *st)
{
    int dfd = openat(p->root, kind, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return false;
    }
    bool invoices = !strcmp(kind, "invoices"), ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (!is_hex_name(e->d_name)) {
            warnf(warn, "store: %s/%s/%s is not a SHA-256 directory; ignored", p->dir, kind,
                  e->d_name);
            continue;
        }
        if (!clean_entry(p, kind, e->d_name, invoices ? "invoice.toml" : "parcel.dat", st))
            continue;
        if (invoices)
            ok = index_one(p, e->d_name, rows, warn, st);
        else
            st->parcels++;
    }
    closedir(d);
    return ok;
}

Provider *provider_open(const char *dir, FILE *warn, ProviderStats *out_stats, char **out_err)
{
    ProviderStats st = {0};
    *out_err = NULL;
    if (!fs_mkdirs(dir, 0755)) {
        *out_err = strf("cannot create the store directory %s: %s", dir, strerror(errno));
        return NULL;
    }
    Provider *p = calloc(1, sizeof *p);
    if (!p || !(p->dir = strdup(dir))) {
        free(p);
        *out_err = strf("out of memory");
        return NULL;
    }
    p->root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (p->root < 0) {
        *out_err = strf("cannot open the store directory %s: %s", dir, strerror(errno));
        goto fail;
    }
    const char *kinds[] = {"invoices", "parcels"};
    for (int k = 0; k < 2; k++)
        if (mkdirat(p->root, kinds[k], 0755) != 0 && errno != EEXIST) {
            *out_err = strf("cannot create %s/%s: %s", dir, kinds[k], strerror(errno));
            goto fail;
        }
    char *ipath = strf("%s/corral-index.db", dir);
    p->index = ipath ? index_open(ipath, out_err) : NULL;
    free(ipath);
    if (!p->index)
        goto fail;
    RowList rows = {0};
    bool ok = walk(p, "invoices", &rows, warn, &st) && walk(p, "parcels", &rows, warn, &st);
    if (!ok)
        *out_err = strf("cannot read the store directory %s: %s", dir, strerror(errno));
    else if (index_rebuild(p->index, rows.rows, rows.n, out_err) != 0)
        ok = false;
    rows_free(&rows);
    if (!ok)
        goto fail;
    if (out_stats)
        *out_stats = st;
    return p;
fail:
    if (!*out_err)
        *out_err = strf("out of memory");
    provider_close(p);
    return NULL;
}

void provider_close(Provider *p)
{
    if (!p)
        return;
    if (p->root >= 0)
        close(p->root);
    index_close(p->index);
    free(p->dir);
    free(p);
}

/* ---- writing a file through its .part ---- */

/* Creates kind/<sha>/ (if needed) and opens it; -1 with errno. */
static int open_entry_dir(Provider *p, const char *kind, const char *sha)
{
    char rel[320];
    entry_dir(rel, sizeof rel, kind, sha);
    if (mkdirat(p->root, rel, 0755) != 0 && errno != EEXIST)
        return -1;
    return openat(p->root, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Makes dirfd/<name>.part visible as dirfd/<name>: replacing an existing file when replace,
 * else failing with EEXIST. The .part is gone afterwards either way. */
static int publish(int dirfd, const char *part, const char *name, bool replace)
{
    int r;
    if (replace) {
        r = renameat(dirfd, part, dirfd, name);
    } else {
        r = linkat(dirfd, part, dirfd, name, 0);
        int e = errno;
        unlinkat(dirfd, part, 0);
        errno = e;
    }
    if (r == 0)
        sync_dir(dirfd);
    return r;
}

/* Writes text as dirfd/name through name.part (O_EXCL: a concurrent writer gets
 * STORE_IN_PROGRESS), fsynced, then published. */
static StoreErr write_small(int dirfd, const char *name, const char *text, size_t len, bool replace,
                            char **out_err)
{
    char part[64];
    snprintf(part, sizeof part, "%s.part", name);
    int fd = openat(dirfd, part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return errno == EEXIST ? STORE_IN_PROGRESS : io_error(out_err, "cannot create", part);
    bool ok = fs_write_all(fd, text, len) && fsync(fd) == 0;
    int e = errno;
    close(fd);
    if (!ok) {
        unlinkat(dirfd, part, 0);
        errno = e;
        return io_error(out_err, "cannot write", part);
    }
    if (publish(dirfd, part, name, replace) != 0)
        return errno == EEXIST ? STORE_EXISTS : io_error(out_err, "cannot store", name);
    return STORE_OK;
}

/* ---- invoices ---- */

StoreErr provider_invoice_get(Provider *p, const char *name, const char *version, Invoice **out_inv,
                              char **out_err)
{
    char sha[BINDLE_SHA_TEXT], rel[200];
    bindle_id_sha(name, strlen(name), version, strlen(version), sha);
    snprintf(rel, sizeof rel, "invoices/%s/invoice.toml", sha);
    size_t len;
    char *text = read_file_at(p->root, rel, &len);
    if (!text)
        return errno == ENOENT || errno == ENOTDIR ? STORE_NOT_FOUND
                                                   : io_error(out_err, "cannot read", rel);
    *out_inv = invoice_parse(text, len, INV_TOML, out_err);
    free(text);
    return *out_inv ? STORE_OK : STORE_IO;
}

static StoreErr index_row(Provider *p, const char *sha, const Invoice *inv, bool yanked,
                          char **out_err)
{
    IndexRow row = {(char *)sha, inv->name, inv->version, yanked};
    return index_put(p->index, &row, out_err) == 0 ? STORE_OK : STORE_IO;
}

StoreErr provider_invoice_create(Provider *p, const Invoice *inv, char **out_err)
{
    char sha[BINDLE_SHA_TEXT];
    bindle_id_sha(inv->name, strlen(inv->name), inv->version, strlen(inv->version), sha);
    size_t len;
    char *text = invoice_write(inv, INV_TOML, &len);
    if (!text)
        return STORE_NOMEM;
    StoreErr r;
    int dfd = open_entry_dir(p, "invoices", sha);
    if (dfd < 0) {
        r = io_error(out_err, "cannot create the directory of", sha);
    } else if (faccessat(dfd, "invoice.toml", F_OK, 0) == 0) {
        r = STORE_EXISTS;
    } else {
        r = write_small(dfd, "invoice.toml", text, len, false, out_err);
        if (r == STORE_OK)
            r = index_row(p, sha, inv, inv->has_yanked && inv->yanked, out_err);
    }
    if (dfd >= 0)
        close(dfd);
    free(text);
    return r;
}

StoreErr provider_invoice_yank(Provider *p, const char *name, const char *version, char **out_err)
{
    Invoice *inv = NULL;
    StoreErr r = provider_invoice_get(p, name, version, &inv, out_err);
    if (r != STORE_OK)
        return r;
    inv->has_yanked = inv->yanked = true;
    char sha[BINDLE_SHA_TEXT];
    bindle_id_sha(name, strlen(name), version, strlen(version), sha);
    size_t len;
    char *text = invoice_write(inv, INV_TOML, &len);
    int dfd = text ? open_entry_dir(p, "invoices", sha) : -1;
    if (!text)
        r = STORE_NOMEM;
    else if (dfd < 0)
        r = io_error(out_err, "cannot open the directory of", sha);
    else
        r = write_small(dfd, "invoice.toml", text, len, true, out_err);
    if (r == STORE_OK)
        r = index_row(p, sha, inv, true, out_err);
    if (dfd >= 0)
        close(dfd);
    free(text);
    invoice_free(inv);
    return r;
}

int provider_search(Provider *p, const char *term, bool with_yanked, IndexRows *out, char **out_err)
{
    return index_find(p->index, term, with_yanked, out, out_err);
}

/* ---- parcels ---- */

bool provider_parcel_exists(Provider *p, const char *sha)
{
    char rel[200];
    if (!is_hex_name(sha))
        return false;
    snprintf(rel, sizeof rel, "parcels/%s/parcel.dat", sha);
    return faccessat(p->root, rel, F_OK, 0) == 0;
}

StoreErr provider_parcel_open(Provider *p, const char *sha, int *out_fd, uint64_t *out_size)
{
    char rel[200];
    if (!is_hex_name(sha))
        return STORE_NOT_FOUND;
    snprintf(rel, sizeof rel, "parcels/%s/parcel.dat", sha);
    int fd = openat(p->root, rel, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT || errno == ENOTDIR ? STORE_NOT_FOUND : STORE_IO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return STORE_IO;
    }
    *out_fd = fd;
    *out_size = (uint64_t)st.st_size;
    return STORE_OK;
}

ParcelWrite *provider_parcel_begin(Provider *p, const char *sha, uint64_t size,
                                   StoreErr *out_status, char **out_err)
{
    *out_status = STORE_IO;
    if (!is_hex_name(sha)) {
        *out_err = strf("not a SHA-256 digest");
        return NULL;
    }
    ParcelWrite *w = calloc(1, sizeof *w);
    if (!w) {
        *out_status = STORE_NOMEM;
        return NULL;
    }
    w->p = p;
    w->fd = -1;
    w->size = size;
    memcpy(w->sha, sha, BINDLE_SHA_TEXT);
    crypto_hash_sha256_init(&w->hash);
    w->dirfd = open_entry_dir(p, "parcels", sha);
    if (w->dirfd < 0) {
        *out_status = io_error(out_err, "cannot create the directory of parcel", sha);
    } else if (faccessat(w->dirfd, "parcel.dat", F_OK, 0) == 0) {
        *out_status = STORE_EXISTS;
    } else if ((w->fd = openat(w->dirfd, "parcel.dat.part", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                               0644)) < 0) {
        *out_status =
            errno == EEXIST ? STORE_IN_PROGRESS : io_error(out_err, "cannot create parcel", sha);
    } else {
        *out_status = STORE_OK;
        return w;
    }
    if (w->dirfd >= 0)
        close(w->dirfd);
    free(w);
    return NULL;
}

StoreErr parcel_write(ParcelWrite *w, const void *data, size_t n, char **out_err)
{
    if (n > w->size - w->got) {
        *out_err =
            strf("Parcel is larger than its label's size, %llu bytes", (unsigned long long)w->size);
        return STORE_BAD;
    }
    if (!fs_write_all(w->fd, data, n))
        return io_error(out_err, "cannot write parcel", w->sha);
    crypto_hash_sha256_update(&w->hash, data, n);
    w->got += n;
    return STORE_OK;
}

static void release(ParcelWrite *w, bool remove_part)
{
    if (w->fd >= 0)
        close(w->fd);
    if (remove_part)
        unlinkat(w->dirfd, "parcel.dat.part", 0);
    close(w->dirfd);
    free(w);
}

StoreErr parcel_finish(ParcelWrite *w, char **out_err)
{
    if (w->got != w->size) {
        *out_err = strf("Parcel size %llu does not match its label's size %llu",
                        (unsigned long long)w->got, (unsigned long long)w->size);
        release(w, true);
        return STORE_BAD;
    }
    unsigned char d[32];
    char hex[BINDLE_SHA_TEXT];
    crypto_hash_sha256_final(&w->hash, d);
    bindle_hex(d, hex);
    if (strcmp(hex, w->sha) != 0) {
        *out_err = strf("Parcel SHA-256 %s does not match its label's %s", hex, w->sha);
        release(w, true);
        return STORE_BAD;
    }
    if (fsync(w->fd) != 0) {
        StoreErr r = io_error(out_err, "cannot write parcel", w->sha);
        release(w, true);
        return r;
    }
    close(w->fd);
    w->fd = -1;
    StoreErr r = STORE_OK;
    if (publish(w->dirfd, "parcel.dat.part", "parcel.dat", false) != 0)
        r = errno == EEXIST ? STORE_EXISTS : io_error(out_err, "cannot store parcel", w->sha);
    release(w, false);
    return r;
}

void parcel_abort(ParcelWrite *w)
{
    if (w)
        release(w, true);
}
