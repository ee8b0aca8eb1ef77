/* standalone.c: standalone bindles (Bindle's docs/standalone-bindle-spec.md), the air-gapped
 * form of a bindle: a directory <sha256(NAME/VERSION)>/ holding invoice.toml and
 * parcels/<sha256>.dat, or a tar (usually gzip) of that directory. Reading a directory opens
 * nothing through a symbolic link; reading a tar never turns an entry's name into a path: an
 * entry is recognised as one of the few shapes the spec allows, and its bytes go into the
 * cache under their own digest, checked, or the archive is refused. */
#include "bindle/bindle_int.h"

#include "util/fs.h"
#include "util/strf.h"
#include "util/tar.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INVOICE_FILE "invoice.toml"
#define PARCEL_DIR "parcels"

/* ---- reading a tar ---- */

typedef struct TarImport {
    const char *file;          /* the archive, for messages */
    const char *cache;         /* where parcels go */
    char key[BINDLE_SHA_TEXT]; /* the bindle directory's name, once seen */
    char *invoice;             /* invoice.toml's text */
    size_t invoice_len;
    char **err;
    uint8_t buf[65536];
} TarImport;

/* An entry name quoted for a message: control characters escaped, cut at 120 bytes. */
static void quote(const char *name, char out[512])
{
    sign_quote(name, 120, out, 512);
}

static BindleStatus refuse(TarImport *t, const char *name, const char *why)
{
    char q[512];
    quote(name, q);
    return bindle_fail(t->err, BINDLE_ERR_UNSAFE,
                       "%s: entry \"%s\" %s; a standalone bindle holds only "
                       "SHA/invoice.toml and SHA/parcels/SHA.dat (Bindle's layout)",
                       t->file, q, why);
}

/* Why a name could escape, or NULL: absolute, or a '..' segment. */
static const char *escape_why(const char *name)
{
    if (name[0] == '/')
        return "is an absolute path";
    for (const char *p = name; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return "has a '..' segment";
        p += n + (p[n] == '/');
    }
    return NULL;
}

/* The shapes of a standalone bindle's entries, after a leading "./". */
typedef enum Shape { SHAPE_TOP, SHAPE_INVOICE, SHAPE_PARCELS, SHAPE_PARCEL, SHAPE_OTHER } Shape;

static Shape shape(const char *name, char key[BINDLE_SHA_TEXT], char sha[BINDLE_SHA_TEXT])
{
    while (name[0] == '.' && name[1] == '/')
        name += 2;
    if (strlen(name) < 64 || !bindle_sha_ok(name, 64))
        return SHAPE_OTHER;
    memcpy(key, name, 64);
    key[64] = 0;
    const char *rest = name + 64;
    if (!strcmp(rest, "") || !strcmp(rest, "/"))
        return SHAPE_TOP;
    if (!strcmp(rest, "/" INVOICE_FILE))
        return SHAPE_INVOICE;
    if (!strcmp(rest, "/" PARCEL_DIR) || !strcmp(rest, "/" PARCEL_DIR "/"))
        return SHAPE_PARCELS;
    const char *p = rest + strlen("/" PARCEL_DIR "/");
    if (!strncmp(rest, "/" PARCEL_DIR "/", strlen("/" PARCEL_DIR "/")) && strlen(p) == 68 &&
        bindle_sha_ok(p, 64) && !strcmp(p + 64, ".dat")) {
        memcpy(sha, p, 64);
        sha[64] = 0;
        return SHAPE_PARCEL;
    }
    return SHAPE_OTHER;
}

static BindleStatus copy_parcel(TarImport *t, TarReader *r, const TarEntry *e, const char *sha,
                                BindleTmp *tmp);

/* Streams a parcel entry into the cache under its digest, checking the bytes are that. */
static BindleStatus import_parcel(TarImport *t, TarReader *r, const TarEntry *e, const char *sha)
{
    char *path = bindle_cache_parcel(t->cache, sha);
    BindleTmp tmp;
    if (!path)
        return bindle_fail(t->err, BINDLE_ERR_NOMEM, "out of memory");
    BindleStatus st = bindle_tmp_open(path, &tmp, t->err);
    if (!st)
        st = copy_parcel(t, r, e, sha, &tmp);
    if (st)
        bindle_cache_prune(path);
    free(path);
    return st;
}

/* The bytes of a parcel entry into tmp, committed when they hash to sha. */
static BindleStatus copy_parcel(TarImport *t, TarReader *r, const TarEntry *e, const char *sha,
                                BindleTmp *tmp)
{
    BindleStatus st = BINDLE_OK;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    for (;;) {
        size_t got;
        TarStatus ts = tar_read(r, t->buf, sizeof t->buf, &got);
        if (ts) {
            st = bindle_fail(t->err, BINDLE_ERR_FORMAT, "%s: %s", t->file, tar_reader_error(r));
            break;
        }
        if (got == 0)
            break;
        crypto_hash_sha256_update(&h, t->buf, got);
        if (fwrite(t->buf, 1, got, tmp->f) != got) {
            st = bindle_fail(t->err, BINDLE_ERR_IO, "%s: %s", tmp->final, strerror(errno));
            break;
        }
    }
    uint8_t hash[crypto_hash_sha256_BYTES];
    char hex[BINDLE_SHA_TEXT], q[512];
    crypto_hash_sha256_final(&h, hash);
    bindle_hex(hash, hex);
    if (!st && strcmp(hex, sha) != 0) {
        quote(e->name, q);
        st = bindle_fail(t->err, BINDLE_ERR_INTEGRITY,
                         "%s: entry \"%s\" holds content whose SHA-256 is %s", t->file, q, hex);
    }
    if (st) {
        bindle_tmp_abort(tmp);
        return st;
    }
    return bindle_tmp_commit(tmp, t->err);
}

static BindleStatus import_entry(TarImport *t, TarReader *r, const TarEntry *e)
{
    const char *why = escape_why(e->name);
    if (why)
        return refuse(t, e->name, why);
    char key[BINDLE_SHA_TEXT], sha[BINDLE_SHA_TEXT];
    Shape s = shape(e->name, key, sha);
    if (s == SHAPE_OTHER)
        return refuse(t, e->name, "is not part of a standalone bindle");
    if (t->key[0] && strcmp(key, t->key) != 0)
        return refuse(t, e->name, "belongs to a second bindle directory");
    memcpy(t->key, key, sizeof key);
    bool dir = s == SHAPE_TOP || s == SHAPE_PARCELS;
    if (e->type == TAR_SYMLINK || e->type == TAR_HARDLINK)
        return refuse(t, e->name, "is a link");
    if (dir != (e->type == TAR_DIRECTORY) || (!dir && e->type != TAR_REGULAR))
        return refuse(t, e->name, dir ? "should be a directory" : "is not a regular file");
    if (s == SHAPE_PARCEL)
        return import_parcel(t, r, e, sha);
    if (s != SHAPE_INVOICE)
        return BINDLE_OK;
    if (e->size > BINDLE_MAX_DOC)
        return bindle_fail(t->err, BINDLE_ERR_TOO_BIG, "%s: its invoice has %llu bytes", t->file,
                           (unsigned long long)e->size);
    free(t->invoice);
    t->invoice = malloc((size_t)e->size + 1);
    if (!t->invoice)
        return bindle_fail(t->err, BINDLE_ERR_NOMEM, "out of memory");
    size_t got, n = 0;
    TarStatus ts;
    while (!(ts = tar_read(r, t->invoice + n, (size_t)e->size - n, &got)) && got)
        n += got;
    if (ts)
        return bindle_fail(t->err, BINDLE_ERR_FORMAT, "%s: %s", t->file, tar_reader_error(r));
    t->invoice[n] = 0;
    t->invoice_len = n;
    return BINDLE_OK;
}

/* Reads a standalone tar into the cache: its parcels by digest; its invoice's text into
 * *out_text and the bindle directory's name into key. */
static BindleStatus import_tar(const char *file, const char *cache, char key[BINDLE_SHA_TEXT],
                               char **out_text, size_t *out_len, char **err)
{
    const char *why;
    FILE *f = fopen(file, "rb");
    if (!f)
        return bindle_fail(err, BINDLE_ERR_IO, "%s: %s", file, strerror(errno));
    TarReader *r = NULL;
    TarImport *t = calloc(1, sizeof *t);
    BindleStatus st = BINDLE_OK;
    if (!t)
        st = bindle_fail(err, BINDLE_ERR_NOMEM, "out of memory");
    else if (tar_reader_new(f, 0, &r, &why) != TAR_OK)
        st = bindle_fail(err, BINDLE_ERR_IO, "%s: %s", file, why);
    if (t)
        *t = (TarImport){.file = file, .cache = cache, .err = err};
    while (!st) {
        TarEntry e;
        TarStatus ts = tar_next(r, &e);
        if (ts == TAR_END)
            break;
        st = ts ? bindle_fail(err, ts == TAR_ERR_TOO_BIG ? BINDLE_ERR_TOO_BIG : BINDLE_ERR_FORMAT,
                              "%s: %s", file, tar_reader_error(r))
                : import_entry(t, r, &e);
    }
    if (!st && !t->invoice)
        st =
            bindle_fail(err, BINDLE_ERR_FORMAT, "%s: no SHA/%s in the archive", file, INVOICE_FILE);
    if (!st) {
        memcpy(key, t->key, BINDLE_SHA_TEXT);
        *out_text = t->invoice;
        *out_len = t->invoice_len;
        t->invoice = NULL;
    }
    if (t)
        free(t->invoice);
    free(t);
    tar_reader_free(r);
    fclose(f);
    return st;
}

/* ---- opening ---- */

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcmp(s + n - k, tail);
}

static bool is_archive_name(const char *path)
{
    return ends_with(path, ".tar.gz") || ends_with(path, ".tgz") || ends_with(path, ".tar");
}

/* The invoice of a standalone bindle, parsed from text, checked against the directory's name
 * key (when it is a digest) and against id (when given). */
static BindleStatus take_invoice(const char *where, const char *text, size_t len, const char *key,
                                 const char *id, Invoice **out, char **err)
{
    char *why = NULL;
    *out = invoice_parse(text, len, INV_TOML, &why);
    if (!*out) {
        BindleStatus st =
            bindle_fail(err, BINDLE_ERR_FORMAT, "%s: %s", where, why ? why : "out of memory");
        free(why);
        return st;
    }
    char *got = invoice_id(*out), want[BINDLE_SHA_TEXT];
    BindleStatus st = got ? BINDLE_OK : bindle_fail(err, BINDLE_ERR_NOMEM, "out of memory");
    if (!st) {
        bindle_id_key(got, want);
        if (key && bindle_sha_ok(key, strlen(key)) && strcmp(key, want) != 0)
            st = bindle_fail(err, BINDLE_ERR_FORMAT,
                             "%s: the invoice is %.200s, whose directory would be %s, not %s",
                             where, got, want, key);
        else if (id && strcmp(id, got) != 0)
            st = bindle_fail(err, BINDLE_ERR_USAGE, "%s holds bindle %.200s, not %s", where, got,
                             id);
    }
    free(got);
    if (st) {
        invoice_free(*out);
        *out = NULL;
    }
    return st;
}

/* Fills the parcel paths of f: dir/parcels/<sha>.dat of a directory, else the cache's. */
static BindleStatus find_parcels(BindleFetched *f, const char *dir, const char *cache,
                                 const BindleSelect *sel, char **err)
{
    if (dir) {
        char *pdir = strf("%s/%s", dir, PARCEL_DIR);
        struct stat sb;
        bool link = pdir && lstat(pdir, &sb) == 0 && S_ISLNK(sb.st_mode);
        free(pdir);
        if (link)
            return bindle_fail(err, BINDLE_ERR_UNSAFE, "%s/%s is a symbolic link (not followed)",
                               dir, PARCEL_DIR);
    }
    for (size_t i = 0; i < f->nparcels; i++) {
        BindleFetchedParcel *fp = &f->parcels[i];
        const InvLabel *label = &fp->parcel->label;
        if (!bindle_wants(sel, fp->parcel))
            continue;
        char *path = dir ? strf("%s/%s/%s.dat", dir, PARCEL_DIR, label->sha256)
                         : bindle_cache_parcel(cache, label->sha256);
        if (!path)
            return bindle_fail(err, BINDLE_ERR_NOMEM, "out of memory");
        BindleStatus st = bindle_file_check(path, label, err);
        if (st == BINDLE_ERR_NOT_FOUND && sel && sel->allow_missing) {
            fp->missing = true;
            free(path);
            continue;
        }
        if (st == BINDLE_ERR_NOT_FOUND)
            st = bindle_fail(err, BINDLE_ERR_NOT_FOUND,
                             "the standalone bindle %s lacks parcel %s (%s)", f->id, label->sha256,
                             label->name);
        if (st) {
            free(path);
            return st;
        }
        fp->path = path;
        fp->cached = true;
    }
    return BINDLE_OK;
}

/* Where path's bindle is: *out_dir (a bindle directory) or *out_tar (an archive), owned. */
static BindleStatus locate(const char *path, const char *id, char **out_dir, char **out_tar,
                           char **err)
{
    struct stat sb;
    *out_dir = *out_tar = NULL;
    if (stat(path, &sb) != 0)
        return bindle_fail(err, errno == ENOENT ? BINDLE_ERR_NOT_FOUND : BINDLE_ERR_IO, "%s: %s",
                           path, strerror(errno));
    if (S_ISREG(sb.st_mode))
        return (*out_tar = strdup(path)) ? BINDLE_OK
                                         : bindle_fail(err, BINDLE_ERR_NOMEM, "out of memory");
    if (!S_ISDIR(sb.st_mode))
        return bindle_fail(err, BINDLE_ERR_USAGE, "%s is neither a directory nor a file", path);
    char *inv = strf("%s/%s", path, INVOICE_FILE);
    bool here = inv && access(inv, F_OK) == 0;
    free(inv);
    if (here)
        return (*out_dir = strdup(path)) ? BINDLE_OK
                                         : bindle_fail(err, BINDLE_ERR_NOMEM, "out of memory");
    if (!id)
        return bindle_fail(err, BINDLE_ERR_USAGE,
                           "%s holds no %s; name the bindle to look for its SHA-256 directory "
                           "or tarball there",
                           path, INVOICE_FILE);
    char key[BINDLE_SHA_TEXT];
    bindle_id_key(id, key);
    char *tar = strf("%s/%s.tar.gz", path, key);
    if (tar && stat(tar, &sb) == 0 && S_ISREG(sb.st_mode)) {
        *out_tar = tar;
        return BINDLE_OK;
    }
    free(tar);
    char *dir = strf("%s/%s", path, key);
    if (dir && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        *out_dir = dir;
        return BINDLE_OK;
    }
    free(dir);
    return bindle_fail(err, BINDLE_ERR_NOT_FOUND,
                       "%s holds neither %s/ nor %s.tar.gz, the standalone forms of %s", path, key,
                       key, id);
}

static BindleStatus open_any(const BindleClientOpts *o, const char *path, const char *id,
                             const Keyring *keyring, const VerifyStrategy *strategy,
                             const BindleSelect *sel, BindleFetched *out, char **err)
{
    char *dir, *tar, *cache = NULL, *text = NULL, *where = NULL, key[BINDLE_SHA_TEXT] = "";
    size_t len = 0;
    Invoice *inv = NULL;
    BindleStatus st = locate(path, id, &dir, &tar, err);
    if (!st && tar) {
        cache = o && o->cache_dir ? strdup(o->cache_dir) : bindle_default_cache_dir();
        st = cache
                 ? import_tar(tar, cache, key, &text, &len, err)
                 : bindle_fail(err, BINDLE_ERR_USAGE,
                               "no cache directory to unpack %s into (XDG_CACHE_HOME, HOME)", tar);
        where = strdup(tar);
    } else if (!st) {
        const char *base = strrchr(dir, '/');
        snprintf(key, sizeof key, "%s", base ? base + 1 : dir);
        where = strf("%s/%s", dir, INVOICE_FILE);
        st = where ? bindle_read_file(where, BINDLE_MAX_DOC, true, &text, &len, err)
                   : bindle_fail(err, BINDLE_ERR_NOMEM, "out of memory");
    }
    if (!st)
        st = take_invoice(where, text, len, key, id, &inv, err);
    if (!st && inv->has_yanked && inv->yanked && !(sel && sel->yanked))
        st = bindle_fail(err, BINDLE_ERR_YANKED,
                         "%s: the bindle is yanked (--yanked takes a yanked bindle anyway)", where);
    if (!st && keyring)
        st = bindle_invoice_verify(inv, keyring, strategy, err);
    BindleFetched f = {0};
    if (!st) {
        st = bindle_fetched_init(&f, inv, err);
        inv = NULL;
    }
    if (!st && tar) { /* the invoice goes into the cache beside its parcels, as it was */
        f.invoice_path = bindle_cache_invoice(cache, f.id);
        st = f.invoice_path ? bindle_write_atomic(f.invoice_path, text, len, err)
                            : bindle_fail(err, BINDLE_ERR_NOMEM, "out of memory");
    } else if (!st) {
        f.invoice_path = where;
        where = NULL;
    }
    if (!st)
        st = find_parcels(&f, dir, cache, sel, err);
    if (st)
        bindle_fetched_clear(&f);
    else
        *out = f;
    invoice_free(inv);
    free(text);
    free(where);
    free(cache);
    free(dir);
    free(tar);
    return st;
}

BindleStatus bindle_standalone_open(const BindleClientOpts *o, const char *path,
                                    const char *id_text, const Keyring *keyring,
                                    const VerifyStrategy *strategy, const BindleSelect *sel,
                                    BindleFetched *out, char **out_err)
{
    *out = (BindleFetched){0};
    *out_err = NULL;
    char *id = id_text ? bindle_id_checked(id_text, out_err) : NULL;
    if (id_text && !id)
        return BINDLE_ERR_USAGE;
    BindleStatus st = open_any(o, path, id, keyring, strategy, sel, out, out_err);
    free(id);
    return st;
}

/* ---- writing ---- */

static BindleStatus copy_file(const char *from, FILE *to, char **err)
{
    FILE *f = fopen(from, "rb");
    if (!f)
        return bindle_fail(err, BINDLE_ERR_IO, "%s: %s", from, strerror(errno));
    char buf[65536];
    size_t n;
    bool ok = true;
    while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
        ok = fwrite(buf, 1, n, to) == n;
    ok = ok && !ferror(f);
    int e = errno;
    fclose(f);
    return ok ? BINDLE_OK : bindle_fail(err, BINDLE_ERR_IO, "copying %s: %s", from, strerror(e));
}

/* True when parcel i of f is the first present one with its digest. */
static bool first_of_digest(const BindleFetched *f, size_t i)
{
    if (!f->parcels[i].path)
        return false;
    for (size_t k = 0; k < i; k++)
        if (f->parcels[k].path &&
            !strcmp(f->parcels[k].parcel->label.sha256, f->parcels[i].parcel->label.sha256))
            return false;
    return true;
}

static BindleStatus write_dir(const BindleFetched *f, const char *tmp, char **err)
{
    char *p = strf("%s/%s", tmp, PARCEL_DIR);
    BindleStatus st = BINDLE_OK;
    if (!p || mkdir(p, 0755) != 0)
        st = bindle_fail(err, BINDLE_ERR_IO, "%s: %s", p ? p : tmp, strerror(errno));
    free(p);
    for (size_t i = 0; !st && i <= f->nparcels; i++) {
        const char *from = i == 0 ? f->invoice_path : f->parcels[i - 1].path;
        if (i > 0 && !first_of_digest(f, i - 1))
            continue;
        char *to =
            i == 0 ? strf("%s/%s", tmp, INVOICE_FILE)
                   : strf("%s/%s/%s.dat", tmp, PARCEL_DIR, f->parcels[i - 1].parcel->label.sha256);
        FILE *out = to ? fopen(to, "wbx") : NULL;
        if (!out) {
            st = bindle_fail(err, BINDLE_ERR_IO, "%s: %s", to ? to : tmp, strerror(errno));
        } else {
            st = copy_file(from, out, err);
            if (fclose(out) != 0 && !st)
                st = bindle_fail(err, BINDLE_ERR_IO, "%s: %s", to, strerror(errno));
        }
        free(to);
    }
    return st;
}

/* Removes a temporary export directory: its parcels, its files, itself. */
static void remove_tree(const char *tmp)
{
    char *p = strf("%s/%s", tmp, PARCEL_DIR);
    DIR *d = p ? opendir(p) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            unlinkat(dirfd(d), e->d_name, 0);
    if (d)
        closedir(d);
    if (p)
        rmdir(p);
    free(p);
    p = strf("%s/%s", tmp, INVOICE_FILE);
    if (p)
        unlink(p);
    free(p);
    rmdir(tmp);
}

static BindleStatus export_dir(const BindleFetched *f, const char *path, const char *key,
                               char **out_path, char **err)
{
    char *target = strf("%s/%s", path, key);
    char *tmp = strf("%s/.%s.tmp-XXXXXX", path, key);
    BindleStatus st = BINDLE_OK;
    if (!target || !tmp)
        st = bindle_fail(err, BINDLE_ERR_NOMEM, "out of memory");
    else if (access(target, F_OK) == 0)
        st = bindle_fail(err, BINDLE_ERR_EXISTS, "%s exists already", target);
    else if (!fs_mkdirs(path, 0755))
        st = bindle_fail(err, BINDLE_ERR_IO, "%s: %s", path, strerror(errno));
    else if (!mkdtemp(tmp) || chmod(tmp, 0755) != 0)
        st = bindle_fail(err, BINDLE_ERR_IO, "%s: cannot make a directory: %s", path,
                         strerror(errno));
    else if ((st = write_dir(f, tmp, err)) == BINDLE_OK && rename(tmp, target) != 0)
        st = bindle_fail(err,
                         errno == ENOTEMPTY || errno == EEXIST ? BINDLE_ERR_EXISTS : BINDLE_ERR_IO,
                         "%s: %s", target, strerror(errno));
    if (st && tmp && !strstr(tmp, "XXXXXX"))
        remove_tree(tmp);
    free(tmp);
    if (st)
        free(target);
    else
        *out_path = target;
    return st;
}

static bool to_file(void *ud, const uint8_t *p, size_t n)
{
    return fwrite(p, 1, n, ud) == n;
}

static BindleStatus tar_one(TarWriter *w, const char *name, const char *from, char **err)
{
    FILE *f = fopen(from, "rb");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0) {
        BindleStatus st = bindle_fail(err, BINDLE_ERR_IO, "%s: %s", from, strerror(errno));
        if (f)
            fclose(f);
        return st;
    }
    TarStatus ts = tar_write_file(w, name, 0644, f, (uint64_t)sb.st_size);
    fclose(f);
    return ts ? bindle_fail(err, BINDLE_ERR_IO, "%s", tar_writer_error(w)) : BINDLE_OK;
}

static BindleStatus export_tar(const BindleFetched *f, const char *path, const char *key,
                               char **out_path, char **err)
{
    if (access(path, F_OK) == 0)
        return bindle_fail(err, BINDLE_ERR_EXISTS, "%s exists already", path);
    BindleTmp t;
    BindleStatus st = bindle_tmp_open(path, &t, err);
    if (st)
        return st;
    const char *why;
    TarWriter *w = NULL;
    char name[256];
    if (tar_writer_new(!ends_with(path, ".tar"), to_file, NULL, t.f, &w, &why) != TAR_OK)
        st = bindle_fail(err, BINDLE_ERR_IO, "%s", why);
    snprintf(name, sizeof name, "%s/", key);
    if (!st && tar_write_dir(w, name, 0755) != TAR_OK)
        st = bindle_fail(err, BINDLE_ERR_IO, "%s", tar_writer_error(w));
    snprintf(name, sizeof name, "%s/%s", key, INVOICE_FILE);
    if (!st)
        st = tar_one(w, name, f->invoice_path, err);
    snprintf(name, sizeof name, "%s/%s/", key, PARCEL_DIR);
    if (!st && tar_write_dir(w, name, 0755) != TAR_OK)
        st = bindle_fail(err, BINDLE_ERR_IO, "%s", tar_writer_error(w));
    for (size_t i = 0; !st && i < f->nparcels; i++) {
        if (!first_of_digest(f, i))
            continue;
        snprintf(name, sizeof name, "%s/%s/%s.dat", key, PARCEL_DIR,
                 f->parcels[i].parcel->label.sha256);
        st = tar_one(w, name, f->parcels[i].path, err);
    }
    if (!st && tar_writer_finish(w) != TAR_OK)
        st = bindle_fail(err, BINDLE_ERR_IO, "%s", tar_writer_error(w));
    tar_writer_free(w);
    if (st) {
        bindle_tmp_abort(&t);
        return st;
    }
    if ((st = bindle_tmp_commit(&t, err)) == BINDLE_OK && !(*out_path = strdup(path)))
        st = bindle_fail(err, BINDLE_ERR_NOMEM, "out of memory");
    return st;
}

BindleStatus bindle_standalone_write(const BindleFetched *f, const char *path, char **out_path,
                                     char **out_err)
{
    char key[BINDLE_SHA_TEXT];
    *out_path = NULL;
    *out_err = NULL;
    bindle_id_key(f->id, key);
    return is_archive_name(path) ? export_tar(f, path, key, out_path, out_err)
                                 : export_dir(f, path, key, out_path, out_err);
}
