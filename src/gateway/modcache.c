/* modcache.c: the module cache's files (modcache.h): temporary names, hashing, renames. */
#include "gateway/modcache.h"

#include "util/fs.h"
#include "util/strf.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool modcache_open(ModCache *c, const char *dir, char **out_err)
{
    memset(c, 0, sizeof *c);
    if (dir) {
        if (!fs_mkdirs(dir, 0755)) {
            *out_err = strf("cannot create the module cache %s: %s", dir, strerror(errno));
            return false;
        }
        if (!(c->dir = strdup(dir))) {
            *out_err = strf("out of memory");
            return false;
        }
        return true;
    }
    const char *tmp = getenv("TMPDIR");
    c->dir = strf("%s/corral-cache-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!c->dir || !mkdtemp(c->dir)) {
        *out_err =
            c->dir ? strf("cannot create a temporary module cache %s: %s", c->dir, strerror(errno))
                   : strf("out of memory");
        free(c->dir);
        c->dir = NULL;
        return false;
    }
    c->temporary = true;
    return true;
}

void modcache_close(ModCache *c)
{
    if (c->dir && c->temporary)
        fs_remove_tree(c->dir);
    free(c->dir);
    memset(c, 0, sizeof *c);
}

char *modcache_path(const ModCache *c, const char *rel)
{
    return strf("%s/%s", c->dir, rel);
}

static void to_hex(const unsigned char h[crypto_hash_sha256_BYTES], char out[MODCACHE_HEX])
{
    sodium_bin2hex(out, MODCACHE_HEX, h, crypto_hash_sha256_BYTES);
}

void modcache_key(const char *text, char out[MODCACHE_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    to_hex(h, out);
}

/* Hashes the open file fd from its start. */
static bool hash_fd(int fd, char out[MODCACHE_HEX], uint64_t *out_size)
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char buf[65536];
    uint64_t size = 0;
    off_t off = 0;
    for (;;) {
        ssize_t n = pread(fd, buf, sizeof buf, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0)
            break;
        crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
        off += n;
        size += (uint64_t)n;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    to_hex(h, out);
    if (out_size)
        *out_size = size;
    return true;
}

bool modcache_hash_file(const char *path, char out[MODCACHE_HEX], uint64_t *out_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    struct stat st;
    bool ok = fstat(fd, &st) == 0;
    if (ok && !S_ISREG(st.st_mode)) {
        errno = EINVAL;
        ok = false;
    }
    ok = ok && hash_fd(fd, out, out_size);
    int e = errno;
    close(fd);
    errno = e;
    return ok;
}

bool modcache_file_ok(const char *path, const char *sha, uint64_t want_size)
{
    char got[MODCACHE_HEX];
    uint64_t size;
    return modcache_hash_file(path, got, &size) && strcmp(got, sha) == 0 &&
           (want_size == UINT64_MAX || size == want_size);
}

bool modcache_begin(ModCacheWriter *w, const char *path, char **out_err)
{
    memset(w, 0, sizeof *w);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    int dir_len = slash ? (int)(slash - path) : 1;
    w->path = strdup(path);
    w->tmp_path = strf("%.*s/.%s.part-XXXXXX", dir_len, slash ? path : ".", base);
    if (!w->path || !w->tmp_path) {
        *out_err = strf("out of memory");
        modcache_abort(w);
        return false;
    }
    if (!fs_mkdirs_for(path, 0755)) {
        *out_err = strf("cannot create the directory of %s: %s", path, strerror(errno));
        modcache_abort(w);
        return false;
    }
    int fd = mkostemp(w->tmp_path, O_CLOEXEC);
    if (fd < 0 || !(w->f = fdopen(fd, "w+b"))) {
        *out_err = strf("cannot write %s: %s", w->tmp_path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(w->tmp_path);
        }
        free(w->tmp_path);
        w->tmp_path = NULL; /* nothing to unlink now */
        modcache_abort(w);
        return false;
    }
    return true;
}

void modcache_abort(ModCacheWriter *w)
{
    if (w->f)
        fclose(w->f);
    if (w->tmp_path)
        unlink(w->tmp_path);
    free(w->tmp_path);
    free(w->path);
    memset(w, 0, sizeof *w);
}

/* No fsync: a cache file that a crash left short or empty fails its digest check when it is
 * next used, and is fetched again. */
bool modcache_commit(ModCacheWriter *w, const char *want_sha, uint64_t want_size,
                     char out_sha[MODCACHE_HEX], char **out_err)
{
    char got[MODCACHE_HEX];
    uint64_t size = 0;
    if (fflush(w->f) != 0 || !hash_fd(fileno(w->f), got, &size)) {
        *out_err = strf("cannot write %s: %s", w->tmp_path, strerror(errno));
        modcache_abort(w);
        return false;
    }
    if (want_sha &&
        (strcmp(got, want_sha) != 0 || (want_size != UINT64_MAX && size != want_size))) {
        *out_err = strcmp(got, want_sha) != 0
                       ? strf("its SHA-256 is %s, not %s", got, want_sha)
                       : strf("it has %llu bytes, not %llu", (unsigned long long)size,
                              (unsigned long long)want_size);
        modcache_abort(w);
        return false;
    }
    if (fchmod(fileno(w->f), 0644) != 0 || rename(w->tmp_path, w->path) != 0) {
        *out_err = strf("cannot write %s: %s", w->path, strerror(errno));
        modcache_abort(w);
        return false;
    }
    free(w->tmp_path);
    w->tmp_path = NULL; /* renamed: nothing to unlink */
    if (out_sha)
        memcpy(out_sha, got, MODCACHE_HEX);
    modcache_abort(w);
    return true;
}

bool modcache_copy_from(ModCacheWriter *w, const char *src, char **out_err)
{
    FILE *in = fopen(src, "rb");
    if (!in) {
        *out_err = strf("cannot open %s: %s", src, strerror(errno));
        return false;
    }
    char buf[65536];
    size_t n;
    bool ok = true;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, w->f) == n;
    if (!ok)
        *out_err = strf("cannot write %s: %s", w->tmp_path, strerror(errno));
    else if (ferror(in))
        *out_err = strf("cannot read %s: %s", src, strerror(errno));
    ok = ok && !ferror(in);
    fclose(in);
    return ok;
}
