/* modcache.h: the gateway's module cache (--module-cache): modules pulled from registries,
 * a bindle's invoice, parcels and assets, in WAGI's layout (docs/design/gateway.md). A file
 * is written under a temporary name beside its final one and renamed there whole, so a reader
 * (another gateway sharing the cache, the next start after a crash) sees a complete file or
 * none; what was written is hashed back from the disk before it is renamed, and a file found
 * in the cache is hashed again before it is used. Nothing here knows OCI or Bindle. */
#ifndef CORRAL_GW_MODCACHE_H
#define CORRAL_GW_MODCACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Lower-case hex SHA-256 text, NUL included. */
#define MODCACHE_HEX 65

typedef struct ModCache {
    char *dir;      /* the directory, as given (or the temporary one made) */
    bool temporary; /* made for this run: modcache_close removes it */
} ModCache;

/* Opens the cache at dir, made with its parents when missing, or, dir NULL, a new temporary
 * directory ($TMPDIR or /tmp, corral-cache-XXXXXX). false with *out_err (owned) naming the
 * directory and the reason. */
bool modcache_open(ModCache *c, const char *dir, char **out_err);
/* Releases c; a temporary cache is removed with everything in it. */
void modcache_close(ModCache *c);

/* dir/rel as an owned string (NULL when memory is short). */
char *modcache_path(const ModCache *c, const char *rel);

/* out = sha256 of text, lower-case hex: the cache's keys (sha256("NAME/VERSION"), sha256 of
 * a module reference). */
void modcache_key(const char *text, char out[MODCACHE_HEX]);

/* The SHA-256 (hex) and size of the regular file at path. false with errno set when it
 * cannot be opened or read, or is not a regular file (EINVAL). */
bool modcache_hash_file(const char *path, char out[MODCACHE_HEX], uint64_t *out_size);

/* True when path is a regular file whose SHA-256 is sha (and, want_size != UINT64_MAX, whose
 * size is want_size): a cache file still good to use. */
bool modcache_file_ok(const char *path, const char *sha, uint64_t want_size);

/* A file being written into the cache: write to f (fwrite, or hand it to a fetcher), then
 * modcache_commit or modcache_abort. */
typedef struct ModCacheWriter {
    char *path;     /* the final name */
    char *tmp_path; /* "<dir>/.<name>.part-XXXXXX" beside it */
    FILE *f;
} ModCacheWriter;

/* Starts writing the file path (its directory made when missing). false with *out_err. */
bool modcache_begin(ModCacheWriter *w, const char *path, char **out_err);
/* Finishes: hashes what reached the disk; when want_sha is not NULL, it must be that digest
 * and (want_size != UINT64_MAX) that size, else nothing is kept and *out_err says what was
 * found ("its SHA-256 is X, not Y"). Then renames it over path (mode 0644). out_sha (may be
 * NULL) gets the digest. The writer is released either way. */
bool modcache_commit(ModCacheWriter *w, const char *want_sha, uint64_t want_size,
                     char out_sha[MODCACHE_HEX], char **out_err);
/* Drops the file being written. */
void modcache_abort(ModCacheWriter *w);

/* Copies the file src into the writer's file. false with *out_err naming src. */
bool modcache_copy_from(ModCacheWriter *w, const char *src, char **out_err);

#endif
