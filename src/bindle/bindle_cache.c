/* bindle_cache.c: the client's files: where the cache keeps invoices and parcels, writing a
 * file whole or not at all (a temporary name in the same directory, then rename), checking a
 * file against its label, reading small files. Nothing here speaks HTTP. */
#include "bindle/bindle_int.h"

#include "util/fs.h"
#include "util/strf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *bindle_cache_invoice(const char *cache_dir, const char *id)
{
    char key[BINDLE_SHA_TEXT];
    bindle_id_key(id, key);
    return strf("%s/invoices/%s/invoice.toml", cache_dir, key);
}

char *bindle_cache_parcel(const char *cache_dir, const char *sha)
{
    return strf("%s/parcels/%s/parcel.dat", cache_dir, sha);
}

bool bindle_hash_stream(FILE *f, char out_hex[BINDLE_SHA_TEXT], uint64_t *out_size)
{
    crypto_hash_sha256_state st;
    uint8_t buf[65536], hash[crypto_hash_sha256_BYTES];
    uint64_t size = 0;
    size_t n;
    crypto_hash_sha256_init(&st);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        crypto_hash_sha256_update(&st, buf, n);
        size += n;
    }
    if (ferror(f))
        return false;
    crypto_hash_sha256_final(&st, hash);
    bindle_hex(hash, out_hex);
    *out_size = size;
    return true;
}

BindleStatus bindle_file_digest(const char *path, char out_hex[BINDLE_SHA_TEXT], uint64_t *out_size,
                                char **out_err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return bindle_fail(out_err, errno == ENOENT ? BINDLE_ERR_NOT_FOUND : BINDLE_ERR_IO,
                           "%s: %s", path, strerror(errno));
    bool ok = bindle_hash_stream(f, out_hex, out_size);
    int e = errno;
    fclose(f);
    return ok ? BINDLE_OK : bindle_fail(out_err, BINDLE_ERR_IO, "%s: %s", path, strerror(e));
}

/* fopen for reading without following a symbolic link at the last component; a regular file
 * only. NULL with errno (ELOOP for a link, EISDIR/EINVAL for other kinds). */
static FILE *open_regular(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat sb;
    if (fd < 0)
        return NULL;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int e = S_ISDIR(sb.st_mode) ? EISDIR : EINVAL;
        close(fd);
        errno = e;
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f)
        close(fd);
    return f;
}

static const char *open_why(int e)
{
    return e == ELOOP    ? "a symbolic link (not followed)"
           : e == EINVAL ? "not a regular file"
                         : strerror(e);
}

BindleStatus bindle_file_check(const char *path, const InvLabel *label, char **out_err)
{
    FILE *f = open_regular(path);
    if (!f && errno == ENOENT)
        return BINDLE_ERR_NOT_FOUND;
    if (!f)
        return bindle_fail(out_err,
                           errno == ELOOP || errno == EINVAL ? BINDLE_ERR_UNSAFE : BINDLE_ERR_IO,
                           "%s: %s", path, open_why(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && (uint64_t)sb.st_size != label->size) {
        fclose(f);
        return bindle_fail(out_err, BINDLE_ERR_INTEGRITY,
                           "%s holds %llu bytes; parcel %s (%s) has %llu", path,
                           (unsigned long long)sb.st_size, label->sha256, label->name,
                           (unsigned long long)label->size);
    }
    char hex[BINDLE_SHA_TEXT];
    uint64_t size;
    bool ok = bindle_hash_stream(f, hex, &size);
    int e = errno;
    fclose(f);
    if (!ok)
        return bindle_fail(out_err, BINDLE_ERR_IO, "%s: %s", path, strerror(e));
    if (size != label->size || strcmp(hex, label->sha256) != 0)
        return bindle_fail(out_err, BINDLE_ERR_INTEGRITY,
                           "%s is not parcel %s (%s): its SHA-256 is %s", path, label->sha256,
                           label->name, hex);
    return BINDLE_OK;
}

BindleStatus bindle_tmp_open(const char *final, BindleTmp *t, char **out_err)
{
    *t = (BindleTmp){0};
    const char *slash = strrchr(final, '/');
    char *dir = slash ? strndup(final, (size_t)(slash - final)) : strdup(".");
    t->final = strdup(final);
    t->tmp = dir ? strf("%s/.%s.tmp-XXXXXX", dir, slash ? slash + 1 : final) : NULL;
    if (!dir || !t->final || !t->tmp) {
        free(dir);
        bindle_tmp_abort(t);
        return bindle_fail(out_err, BINDLE_ERR_NOMEM, "out of memory");
    }
    if (dir[0] && !fs_mkdirs(dir, 0755)) {
        BindleStatus st = bindle_fail(out_err, BINDLE_ERR_IO, "%s: cannot make the directory: %s",
                                      dir, strerror(errno));
        free(dir);
        bindle_tmp_abort(t);
        return st;
    }
    free(dir);
    int fd = mkostemp(t->tmp, O_CLOEXEC);
    if (fd < 0 || fchmod(fd, 0644) != 0 || !(t->f = fdopen(fd, "w+b"))) {
        BindleStatus st = bindle_fail(
            out_err, BINDLE_ERR_IO, "%s: cannot make a temporary file: %s", final, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(t->tmp);
        }
        free(t->tmp);
        t->tmp = NULL;
        bindle_tmp_abort(t);
        return st;
    }
    return BINDLE_OK;
}

BindleStatus bindle_tmp_commit(BindleTmp *t, char **out_err)
{
    bool ok = fflush(t->f) == 0 && !ferror(t->f);
    int e = errno;
    ok = fclose(t->f) == 0 && ok;
    t->f = NULL;
    if (ok && rename(t->tmp, t->final) != 0) {
        e = errno;
        ok = false;
    }
    BindleStatus st =
        ok ? BINDLE_OK : bindle_fail(out_err, BINDLE_ERR_IO, "%s: %s", t->final, strerror(e));
    if (!ok)
        unlink(t->tmp);
    free(t->tmp);
    free(t->final);
    *t = (BindleTmp){0};
    return st;
}

void bindle_tmp_abort(BindleTmp *t)
{
    if (t->f)
        fclose(t->f);
    if (t->tmp)
        unlink(t->tmp);
    free(t->tmp);
    free(t->final);
    *t = (BindleTmp){0};
}

void bindle_cache_prune(const char *file)
{
    const char *slash = strrchr(file, '/');
    char *dir = slash ? strndup(file, (size_t)(slash - file)) : NULL;
    if (dir)
        rmdir(dir); /* fails, harmlessly, when something is there */
    free(dir);
}

BindleStatus bindle_write_atomic(const char *final, const char *text, size_t len, char **out_err)
{
    BindleTmp t;
    BindleStatus st = bindle_tmp_open(final, &t, out_err);
    if (st)
        return st;
    if (fwrite(text, 1, len, t.f) != len) {
        st = bindle_fail(out_err, BINDLE_ERR_IO, "%s: %s", final, strerror(errno));
        bindle_tmp_abort(&t);
        return st;
    }
    return bindle_tmp_commit(&t, out_err);
}

BindleStatus bindle_read_file(const char *path, size_t max, bool nofollow, char **out,
                              size_t *out_len, char **out_err)
{
    *out = NULL;
    FILE *f = nofollow ? open_regular(path) : fopen(path, "rb");
    if (!f)
        return bindle_fail(out_err, errno == ENOENT ? BINDLE_ERR_NOT_FOUND : BINDLE_ERR_IO,
                           "%s: %s", path, open_why(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *grown = cap > max ? NULL : realloc(buf, cap * 2);
            if (!grown)
                break;
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0 || n > max)
            break;
    }
    bool err = ferror(f);
    int e = errno;
    fclose(f);
    if (!buf)
        return bindle_fail(out_err, BINDLE_ERR_NOMEM, "out of memory");
    if (err || n > max || n + 1 >= cap) {
        free(buf);
        if (err)
            return bindle_fail(out_err, BINDLE_ERR_IO, "%s: %s", path, strerror(e));
        return bindle_fail(out_err, BINDLE_ERR_TOO_BIG, "%s is larger than %zu bytes", path, max);
    }
    buf[n] = 0;
    *out = buf;
    *out_len = n;
    return BINDLE_OK;
}
