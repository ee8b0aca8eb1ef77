/* cache.h: the compiled-code cache, a directory of whole artifacts named by key
 * (`<key>.cwasm`). What is read back is untrusted like any file: verify it with
 * artifact_decode. Writers publish by rename, so readers see whole files or none. */
#ifndef CORRAL_CACHE_H
#define CORRAL_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* The default cache directory: $XDG_CACHE_HOME/corral, else $HOME/.cache/corral (a relative
 * XDG_CACHE_HOME is ignored, as the XDG spec says). Returns 0, or -1 when neither is set or
 * out[0..n) is too small. */
int cache_default_dir(char *out, size_t n);

/* The key of compiled code: lower-case hex of a SHA-256 over every input that changes the
 * code, and the artifact format (each string length-prefixed, integers fixed-width), so no
 * two different tuples share a key. */
void cache_key(const uint8_t module_sha[32], const char *corral_version, const char *target,
               uint64_t cpu_features, uint32_t flags, const char *compiler_id, char hex[65]);

/* Reads dir/<key>.cwasm into *buf (malloc'ed, the caller frees it) and *len. Returns 0 when
 * found, 1 when absent (no file, or no directory), -1 with err set on any other failure
 * (permissions, not a regular file, a key that is not a plain file name). */
int cache_load(const char *dir, const char *key, uint8_t **buf, size_t *len, char *err,
               size_t errlen) __attribute__((warn_unused_result));

/* Stores buf[0..len) as dir/<key>.cwasm: creates dir (and parents) with mode 0700 when
 * missing, writes a temporary file in dir, fsyncs it and renames it over the name, so a
 * reader never sees part of a file and concurrent writers of one key are fine (the last rename
 * wins; they wrote the same bytes). Returns 0, or -1 with err set; no temporary file is left
 * behind on failure. */
int cache_store(const char *dir, const char *key, const uint8_t *buf, size_t len, char *err,
                size_t errlen) __attribute__((warn_unused_result));

#endif
