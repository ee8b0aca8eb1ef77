/* bindle_id.h: a bindle's id, NAME/VERSION (BINDLE.md 4.2): split at the last '/', the
 * version a full SemVer, and the storage key sha256("NAME/VERSION") in lower-case hex. Also
 * the checks that keep names safe to show and to use on a client's disk. */
#ifndef CORRAL_STORE_BINDLE_ID_H
#define CORRAL_STORE_BINDLE_ID_H

#include "store/semver.h"

#include <stdbool.h>
#include <stddef.h>

/* Hex SHA-256 text, NUL included. */
#define BINDLE_SHA_TEXT 65

/* An id split in place: name and version point into the text given (borrowed). */
typedef struct BindleId {
    const char *name;
    size_t name_len;
    const char *version;
    size_t version_len;
    SemVer semver;
} BindleId;

/* Splits s[0..n) at its last '/' into a name and a version, checking both (below). false
 * with *out_why set (static text) when it is not an id: "missing version", "invalid SemVer
 * version", or what bindle_name_check says. */
bool bindle_id_parse(const char *s, size_t n, BindleId *out, const char **out_why);

/* Whether a bindle name is acceptable: non-empty, valid UTF-8 without control characters,
 * no '\\' or '@' (a parcel path splits at '@'), not starting or ending with '/', no empty,
 * "." or ".." segment. NULL when it is, else why not (static text). */
const char *bindle_name_check(const char *name, size_t n);

/* Whether a parcel's file name (label.name) is safe for a client that writes it under a
 * directory: non-empty, valid UTF-8 without control characters, not absolute ('/' or '\\'
 * first), no "." or ".." segment between '/' or '\\'. NULL when it is, else why not. */
const char *bindle_parcel_name_check(const char *name, size_t n);

/* Whether s[0..n) is a SHA-256 digest as Corral stores it: 64 lower-case hex digits. */
bool bindle_sha_ok(const char *s, size_t n);

/* out = lower-case hex sha256 of "NAME/VERSION" (the invoice's storage key). */
void bindle_id_sha(const char *name, size_t name_len, const char *version, size_t version_len,
                   char out[BINDLE_SHA_TEXT]);

/* out = lower-case hex of the 32 bytes of a digest. */
void bindle_hex(const unsigned char digest[32], char out[BINDLE_SHA_TEXT]);

#endif
