/* cache.c: the compiled-code cache directory (cache.h). Files only: no index, no locks; a
 * rename publishes an entry. Eviction is not done here. */
#include "compile/cache.h"

#include "compile/artifact.h"
#include "util/fs.h"
#include "util/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUFFIX ".cwasm"

int cache_default_dir(char *out, size_t n)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int w;
    if (xdg && xdg[0] == '/')
        w = snprintf(out, n, "%s/corral", xdg);
    else if (home && home[0])
        w = snprintf(out, n, "%s/.cache/corral", home);
    else
        return -1;
    return w >= 0 && (size_t)w < n ? 0 : -1;
}

static void hash_u64(Sha256 *s, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    sha256_update(s, b, sizeof b);
}

static void hash_str(Sha256 *s, const char *str)
{
    size_t len = strlen(str);
    hash_u64(s, len);
    sha256_update(s, str, len);
}

void cache_key(const uint8_t module_sha[32], const char *corral_version, const char *target,
               uint64_t cpu_features, uint32_t flags, const char *compiler_id, char hex[65])
{
    Sha256 s;
    uint8_t h[SHA256_BYTES];
    sha256_init(&s);
    hash_str(&s, "corral compiled-code cache key 1"); /* changes if the key's inputs change */
    /* entries are artifacts: another format, other names (an older Corral's files are left
     * alone instead of refused by a strict --tier aot) */
    hash_u64(&s, ARTIFACT_FORMAT_VERSION);
    sha256_update(&s, module_sha, 32);
    hash_str(&s, corral_version);
    hash_str(&s, target);
    hash_u64(&s, cpu_features);
    hash_u64(&s, flags);
    hash_str(&s, compiler_id);
    sha256_final(&s, h);
    sha256_hex(h, hex);
}

/* A key must be a plain file name: letters, digits, '-' and '_' (cache_key's hex is). */
static bool key_ok(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > 128)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}


int cache_load(const char *dir, const char *key, uint8_t **buf, size_t *len, char *err,
               size_t errlen)
{
    *buf = NULL;
    *len = 0;
    if (!key_ok(key)) {
        snprintf(err, errlen, "cache: bad key \"%s\"", key);
        return -1;
    }
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s" SUFFIX, dir, key) >= (int)sizeof path) {
        snprintf(err, errlen, "cache: path too long in %s", dir);
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
        return 1;
    struct stat st;
    uint8_t *b = NULL;
    if (fd < 0 || fstat(fd, &st) != 0)
        goto fail;
    if (!S_ISREG(st.st_mode)) {
        errno = EINVAL;
        goto fail;
    }
    size_t n = (size_t)st.st_size;
    errno = 0;
    if (!(b = malloc(n ? n : 1)) || !fs_read_all(fd, b, n)) {
        if (errno == 0)
            errno = EIO; /* shorter than fstat said: not one of ours */
        goto fail;
    }
    close(fd);
    *buf = b;
    *len = n;
    return 0;
fail:
    snprintf(err, errlen, "cache: cannot read %s: %s", path,
             errno == EINVAL ? "not a regular file" : strerror(errno));
    free(b);
    if (fd >= 0)
        close(fd);
    return -1;
}


/* fsync of the directory, so the rename survives a crash; best effort. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int cache_store(const char *dir, const char *key, const uint8_t *buf, size_t len, char *err,
                size_t errlen)
{
    if (!key_ok(key)) {
        snprintf(err, errlen, "cache: bad key \"%s\"", key);
        return -1;
    }
    char path[PATH_MAX], tmp[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s" SUFFIX, dir, key) >= (int)sizeof path ||
        snprintf(tmp, sizeof tmp, "%s/.%s.tmp-XXXXXX", dir, key) >= (int)sizeof tmp) {
        snprintf(err, errlen, "cache: path too long in %s", dir);
        return -1;
    }
    if (!fs_mkdirs(dir, 0700)) {
        snprintf(err, errlen, "cache: cannot create directory %s: %s", dir, strerror(errno));
        return -1;
    }
    int fd = mkostemp(tmp, O_CLOEXEC); /* O_EXCL, mode 0600 */
    if (fd < 0) {
        snprintf(err, errlen, "cache: cannot create a file in %s: %s", dir, strerror(errno));
        return -1;
    }
    if (!fs_write_all(fd, buf, len) || fsync(fd) != 0) {
        snprintf(err, errlen, "cache: cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cache: cannot store %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    sync_dir(dir);
    return 0;
}
