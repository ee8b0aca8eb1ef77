/* bindle_id.c: ids, names and storage keys (bindle_id.h). */
#include "store/bindle_id.h"

#include <sodium.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at s[i..n) without C0/C1 controls or DEL, 0 when
 * there is none. */
static size_t utf8_char(const unsigned char *s, size_t n, size_t i)
{
    unsigned c = s[i];
    if (c < 0x20 || c == 0x7f)
        return 0;
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    if (len == 0 || c > 0xf4 || n - i < len)
        return 0;
    unsigned cp = c & (0x3fu >> (len - 1));
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i + k] & 0x3f);
    }
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
        (cp >= 0x80 && cp < 0xa0))
        return 0;
    return len;
}

static bool text_ok(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_char(u, n, i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

/* Whether some segment of s, split at any of seps, is empty (when no_empty), "." or "..". */
static bool bad_segment(const char *s, size_t n, const char *seps, bool no_empty)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && !strchr(seps, s[i]))
            continue;
        size_t len = i - start;
        if ((no_empty && len == 0) || (len == 1 && s[start] == '.') ||
            (len == 2 && s[start] == '.' && s[start + 1] == '.'))
            return true;
        start = i + 1;
    }
    return false;
}

const char *bindle_name_check(const char *name, size_t n)
{
    if (n == 0)
        return "empty bindle name";
    if (!text_ok(name, n))
        return "bindle name is not UTF-8 text without control characters";
    if (memchr(name, '\\', n) || memchr(name, '@', n))
        return "bindle name must not contain '\\' or '@'";
    if (name[0] == '/')
        return "bindle name must not start with '/'";
    if (bad_segment(name, n, "/", true))
        return "bindle name must not have an empty, '.' or '..' segment";
    return NULL;
}

const char *bindle_parcel_name_check(const char *name, size_t n)
{
    if (n == 0)
        return "empty parcel name";
    if (!text_ok(name, n))
        return "parcel name is not UTF-8 text without control characters";
    if (name[0] == '/' || name[0] == '\\')
        return "parcel name must not be an absolute path";
    if (bad_segment(name, n, "/\\", false))
        return "parcel name must not have a '.' or '..' segment";
    return NULL;
}

bool bindle_id_parse(const char *s, size_t n, BindleId *out, const char **out_why)
{
    const char *slash = NULL;
    for (size_t i = n; i > 0; i--)
        if (s[i - 1] == '/') {
            slash = s + i - 1;
            break;
        }
    if (!slash) {
        *out_why = "missing version: a bindle id is NAME/VERSION";
        return false;
    }
    BindleId id = {s, (size_t)(slash - s), slash + 1, n - (size_t)(slash - s) - 1, {0}};
    if ((*out_why = bindle_name_check(id.name, id.name_len)) != NULL)
        return false;
    if (!semver_parse(id.version, id.version_len, &id.semver)) {
        *out_why = "invalid SemVer version";
        return false;
    }
    *out = id;
    return true;
}

bool bindle_sha_ok(const char *s, size_t n)
{
    if (n != 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

void bindle_hex(const unsigned char digest[32], char out[BINDLE_SHA_TEXT])
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = '\0';
}

void bindle_id_sha(const char *name, size_t name_len, const char *version, size_t version_len,
                   char out[BINDLE_SHA_TEXT])
{
    crypto_hash_sha256_state st;
    unsigned char d[32];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)name, name_len);
    crypto_hash_sha256_update(&st, (const unsigned char *)"/", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)version, version_len);
    crypto_hash_sha256_final(&st, d);
    bindle_hex(d, out);
}
