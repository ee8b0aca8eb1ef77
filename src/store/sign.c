/* sign.c: Bindle's signed cleartext, roles, base64 and Ed25519 through libsodium (sign.h).
 * Owns no state but libsodium's one-time initialisation; reads no file. */
#include "store/sign.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_texts[] = {
#define X(name, text, bindle) text,
#include "store/sign_errors.def"
#undef X
};

static const char *const status_bindle[] = {
#define X(name, text, bindle) bindle,
#include "store/sign_errors.def"
#undef X
};

enum { NSTATUS = sizeof status_texts / sizeof status_texts[0] };

static const char *const role_names[SIGN_NROLES] = {
    [SIGN_ROLE_CREATOR] = "creator",
    [SIGN_ROLE_APPROVER] = "approver",
    [SIGN_ROLE_HOST] = "host",
    [SIGN_ROLE_PROXY] = "proxy",
};

bool sign_init(void)
{
    /* 0 the first time, 1 when already done, -1 on failure. */
    return sodium_init() >= 0;
}

const char *sign_status_text(SignStatus status)
{
    return (unsigned)status < NSTATUS ? status_texts[status] : "unknown status";
}

const char *sign_status_bindle(SignStatus status)
{
    return (unsigned)status < NSTATUS ? status_bindle[status] : "-";
}

SignStatus sign_fail(SignError *err, SignStatus status, size_t index, const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    err->index = index;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

const char *sign_role_name(SignRole role)
{
    return (unsigned)role < SIGN_NROLES ? role_names[role] : "?";
}

/* The length of the UTF-8 white space character at s[0..len), 0 when there is none. */
static size_t space_at(const unsigned char *s, size_t len)
{
    if (len >= 1 && (s[0] == ' ' || (s[0] >= 0x09 && s[0] <= 0x0d)))
        return 1;
    if (len >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
        return 2;
    if (len < 3)
        return 0;
    if (s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) /* U+1680 */
        return 3;
    if (s[0] == 0xe2 && s[1] == 0x80 && /* U+2000-U+200A, U+2028, U+2029, U+202F */
        ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
        return 3;
    if (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) /* U+205F */
        return 3;
    if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) /* U+3000 */
        return 3;
    return 0;
}

/* The length of the white space character that ends s[0..len), 0 when there is none. */
static size_t space_before(const unsigned char *s, size_t len)
{
    for (size_t n = 1; n <= 3 && n <= len; n++)
        if (space_at(s + len - n, n) == n)
            return n;
    return 0;
}

void sign_trim(const char *text, size_t len, size_t *out_start, size_t *out_end)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t start = 0, end = len, n;
    while (start < end && (n = space_at(s + start, end - start)) > 0)
        start += n;
    while (end > start && (n = space_before(s + start, end - start)) > 0)
        end -= n;
    *out_start = start;
    *out_end = end;
}

static bool ascii_iequal(const char *a, size_t len, const char *lower)
{
    if (strlen(lower) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lower[i])
            return false;
    }
    return true;
}

bool sign_role_parse(const char *text, size_t len, SignRole *out)
{
    /* Rust lower-cases all of Unicode, but no non-ASCII character lower-cases to one of
     * these letters (the Kelvin sign gives 'k', in no role name), so ASCII is enough. */
    static const char shorthand[SIGN_NROLES][2] = {"c", "a", "h", "p"};
    size_t start, end;
    sign_trim(text, len, &start, &end);
    for (int r = 0; r < SIGN_NROLES; r++) {
        if (ascii_iequal(text + start, end - start, role_names[r]) ||
            ascii_iequal(text + start, end - start, shorthand[r])) {
            *out = (SignRole)r;
            return true;
        }
    }
    return false;
}

bool sign_role_from_name(const char *text, size_t len, SignRole *out)
{
    for (int r = 0; r < SIGN_NROLES; r++) {
        if (strlen(role_names[r]) == len && !memcmp(text, role_names[r], len)) {
            *out = (SignRole)r;
            return true;
        }
    }
    return false;
}

SignStatus sign_roles_parse(const char *list, SignRole **out_roles, size_t *out_n, SignError *err)
{
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    SignRole *roles = malloc(n * sizeof *roles);
    if (!roles)
        return sign_fail(err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
    const char *item = list;
    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(item, ",");
        if (!sign_role_parse(item, len, &roles[i])) {
            char shown[80];
            char raw[64];
            snprintf(raw, sizeof raw, "%.*s", (int)(len < 60 ? len : 60), item);
            sign_quote(raw, 60, shown, sizeof shown);
            free(roles);
            return sign_fail(err, SIGN_ERR_FILE, SIZE_MAX,
                             "invalid role \"%s\": Invalid SignatureRole, should be one of: "
                             "Creator, Proxy, Host, Approver",
                             shown);
        }
        item += len + (item[len] == ',');
    }
    *out_roles = roles;
    *out_n = n;
    return SIGN_OK;
}

char *sign_cleartext(const char *by, const char *name, const char *version, SignRole role,
                     const char *const *parcel_shas, size_t nparcels)
{
    const char *rname = sign_role_name(role);
    size_t total = strlen(by) + strlen(name) + strlen(version) + strlen(rname) + 5;
    for (size_t i = 0; i < nparcels; i++)
        total += 1 + strlen(parcel_shas[i]);
    char *text = malloc(total + 1);
    if (!text)
        return NULL;
    int n = snprintf(text, total + 1, "%s\n%s\n%s\n%s\n~", by, name, version, rname);
    char *p = text + n;
    for (size_t i = 0; i < nparcels; i++) {
        size_t len = strlen(parcel_shas[i]);
        *p++ = '\n';
        memcpy(p, parcel_shas[i], len);
        p += len;
    }
    *p = '\0';
    return text;
}

void sign_b64_encode(const uint8_t *bin, size_t len, char *out, size_t out_size)
{
    sodium_bin2base64(out, out_size, bin, len, sodium_base64_VARIANT_ORIGINAL);
}

/* Decodes text[0..len) into out[0..cap): the padded variant insists on the exact padding;
 * text without any '=' is read as unpadded, which base64 0.13 (Bindle's) accepts too. No end
 * pointer: the whole text must be base64. A longer decoding fails (ERANGE). */
static bool b64_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    int variant = memchr(text, '=', len) ? sodium_base64_VARIANT_ORIGINAL
                                         : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
    return sodium_base642bin(out, cap, text, len, NULL, out_len, NULL, variant) == 0;
}

bool sign_b64_decode(const char *text, uint8_t *out, size_t want)
{
    size_t got = 0;
    return b64_decode(text, strlen(text), out, want, &got) && got == want;
}

bool sign_b64_measure(const char *text, size_t *out_len)
{
    size_t len = strlen(text);
    uint8_t *buf = malloc(len / 4 * 3 + 3);
    bool ok = buf && b64_decode(text, len, buf, len / 4 * 3 + 3, out_len);
    free(buf);
    return ok;
}

bool sign_point_decodes(const uint8_t pk[SIGN_PUBLIC_KEY_SIZE])
{
    /* libsodium has no public "decompress" that accepts every point ed25519-dalek's
     * CompressedEdwardsY::decompress accepts (crypto_core_ed25519_is_valid_point also
     * refuses small-order points and points outside the prime-order subgroup), but its
     * point addition decodes both operands with exactly that decoder and fails only when
     * one is not a point: non-canonical y and "negative zero" x pass, as in dalek. */
    unsigned char sum[crypto_core_ed25519_BYTES];
    return sign_init() && crypto_core_ed25519_add(sum, pk, pk) == 0;
}

bool sign_public_key_decode(const char *b64, uint8_t out_pk[SIGN_PUBLIC_KEY_SIZE])
{
    return sign_b64_decode(b64, out_pk, SIGN_PUBLIC_KEY_SIZE) && sign_point_decodes(out_pk);
}

bool sign_keypair_decode(const char *b64, uint8_t out_sk[SIGN_SECRET_KEY_SIZE])
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    if (!sign_b64_decode(b64, out_sk, SIGN_SECRET_KEY_SIZE) || !sign_point_decodes(out_sk + 32))
        return false;
    crypto_sign_seed_keypair(pk, sk, out_sk);
    bool same = sodium_memcmp(pk, out_sk + 32, sizeof pk) == 0;
    sodium_memzero(sk, sizeof sk);
    if (!same)
        sodium_memzero(out_sk, SIGN_SECRET_KEY_SIZE);
    return same;
}

bool sign_keypair_generate(uint8_t out_sk[SIGN_SECRET_KEY_SIZE])
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    return sign_init() && crypto_sign_keypair(pk, out_sk) == 0;
}

void sign_keypair_public(const uint8_t sk[SIGN_SECRET_KEY_SIZE],
                         uint8_t out_pk[SIGN_PUBLIC_KEY_SIZE])
{
    memcpy(out_pk, sk + 32, SIGN_PUBLIC_KEY_SIZE);
}

void sign_detached(const uint8_t sk[SIGN_SECRET_KEY_SIZE], const void *msg, size_t len,
                   uint8_t out_sig[SIGN_SIGNATURE_SIZE])
{
    crypto_sign_detached(out_sig, NULL, msg, len, sk);
}

bool sign_verify_detached(const uint8_t pk[SIGN_PUBLIC_KEY_SIZE],
                          const uint8_t sig[SIGN_SIGNATURE_SIZE], const void *msg, size_t len)
{
    return sign_init() && crypto_sign_verify_detached(sig, msg, len, pk) == 0;
}

/* True when a signature already on the invoice carries public key pk: the same bytes, or
 * (for a key that does not decode) the same text, which is Bindle's comparison. */
static bool key_present(const SignSignature *existing, size_t nexisting,
                        const uint8_t pk[SIGN_PUBLIC_KEY_SIZE], const char *pk_b64,
                        size_t *out_index)
{
    for (size_t i = 0; i < nexisting; i++) {
        uint8_t other[SIGN_PUBLIC_KEY_SIZE];
        bool same = sign_b64_decode(existing[i].key, other, sizeof other)
                        ? !memcmp(other, pk, sizeof other)
                        : !strcmp(existing[i].key, pk_b64);
        if (same) {
            *out_index = i;
            return true;
        }
    }
    return false;
}

SignStatus sign_subject(const uint8_t sk[SIGN_SECRET_KEY_SIZE], const char *by, SignRole role,
                        const SignSubject *subject, const SignSignature *existing, size_t nexisting,
                        uint64_t at, SignMade *out, SignError *err)
{
    if (!sign_init())
        return sign_fail(err, SIGN_ERR_SIGNING_FAILED, SIZE_MAX, "libsodium failed to start");
    uint8_t pk[SIGN_PUBLIC_KEY_SIZE];
    sign_keypair_public(sk, pk);
    sign_b64_encode(pk, sizeof pk, out->key, sizeof out->key);
    size_t dup;
    if (key_present(existing, nexisting, pk, out->key, &dup)) {
        char who[160];
        sign_quote(existing[dup].by, 100, who, sizeof who);
        return sign_fail(err, SIGN_ERR_DUPLICATE_SIGNATURE, dup,
                         "cannot sign the data again with a key that has already signed the "
                         "data: signature %zu (by \"%s\", %s) already has key %s",
                         dup + 1, who, sign_role_name(existing[dup].role), out->key);
    }
    char *text = sign_cleartext(by, subject->name, subject->version, role, subject->parcel_shas,
                                subject->nparcels);
    if (!text)
        return sign_fail(err, SIGN_ERR_NOMEM, SIZE_MAX, "out of memory");
    uint8_t sig[SIGN_SIGNATURE_SIZE];
    sign_detached(sk, text, strlen(text), sig);
    free(text);
    sign_b64_encode(sig, sizeof sig, out->signature, sizeof out->signature);
    out->role = role;
    out->at = at;
    return SIGN_OK;
}

void sign_quote(const char *s, size_t max_chars, char *out, size_t out_size)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, i = 0;
    if (out_size == 0)
        return;
    for (; s[i] && i < max_chars; i++) {
        unsigned char c = (unsigned char)s[i];
        char buf[5];
        size_t n = 0;
        if (c < 0x20 || c == 0x7f || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = 'x';
            buf[n++] = hex[c >> 4];
            buf[n++] = hex[c & 15];
        } else if (c == '"') {
            buf[n++] = '\\';
            buf[n++] = '"';
        } else {
            buf[n++] = (char)c;
        }
        if (o + n + 4 > out_size) /* room for "..." and the NUL */
            break;
        memcpy(out + o, buf, n);
        o += n;
    }
    if (s[i] && o + 4 <= out_size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}
