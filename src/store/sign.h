/* sign.h: invoice signatures as Bindle 0.9.1's code makes them: the signed cleartext, Ed25519
 * (libsodium) detached signatures with strict verification, standard base64, the four
 * signature roles, and signing an invoice with a secret key. Plain fields in and out: this
 * knows no invoice struct and no file. Keyrings and key files are keyring.h, verification
 * strategies verify.h; docs/design/store.md explains the choices. */
#ifndef CORRAL_SIGN_H
#define CORRAL_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum SignStatus {
#define X(name, text, bindle) SIGN_##name,
#include "store/sign_errors.def"
#undef X
} SignStatus;

/* A signer's role. The order is Corral's; files and cleartexts use the names. */
typedef enum SignRole {
    SIGN_ROLE_CREATOR,
    SIGN_ROLE_APPROVER,
    SIGN_ROLE_HOST,
    SIGN_ROLE_PROXY,
} SignRole;

enum { SIGN_NROLES = 4 };

enum {
    SIGN_PUBLIC_KEY_SIZE = 32, /* Ed25519 public key */
    SIGN_SECRET_KEY_SIZE = 64, /* 32-byte seed, then the public key (Bindle's "keypair") */
    SIGN_SIGNATURE_SIZE = 64,
    /* Their standard base64 texts, with padding and the NUL. */
    SIGN_KEY_B64_SIZE = 45,
    SIGN_KEYPAIR_B64_SIZE = 89,
    SIGN_SIG_B64_SIZE = 89,
};

/* An error as a value: the status, which signature (index into the list given, SIZE_MAX when
 * the error is not about one) and a message for a person, naming the signature's signer, role
 * and key. Untrusted text in it (labels, keys) has its control characters escaped. */
typedef struct SignError {
    SignStatus status;
    size_t index;
    char message[600];
} SignError;

/* One [[signature]] of an invoice. Every pointer is borrowed and NUL-terminated. */
typedef struct SignSignature {
    const char *by;        /* the signer's label: the first line of the cleartext */
    const char *signature; /* base64 of 64 bytes */
    const char *key;       /* base64 of the 32-byte public key */
    SignRole role;
    uint64_t at; /* unix seconds; not signed (Bindle's code leaves it out of the cleartext) */
} SignSignature;

/* What a signature covers: the bindle's name and version and its parcels' SHA-256 digests in
 * invoice order. The version is the text of the invoice, which for every valid SemVer 2
 * version is the text Bindle's parsed semver::Version prints back. Borrowed. */
typedef struct SignSubject {
    const char *name;
    const char *version;
    const char *const *parcel_shas;
    size_t nparcels;
} SignSubject;

/* A signature sign_subject made, ready for the invoice's [[signature]] list (by = the label
 * the caller passed, which it keeps). */
typedef struct SignMade {
    char signature[SIGN_SIG_B64_SIZE];
    char key[SIGN_KEY_B64_SIZE];
    SignRole role;
    uint64_t at;
} SignMade;

/* Starts libsodium (sodium_init; safe to call from several threads, any number of times).
 * false when it cannot start; every other function here calls it and fails then. */
bool sign_init(void);

/* The short text of a status ("signature cannot be verified") and the name of Bindle's
 * SignatureError variant it corresponds to ("Unverified"; "-" when none). Never NULL. */
const char *sign_status_text(SignStatus status);
const char *sign_status_bindle(SignStatus status);

/* Sets *err (when err is not NULL) to status, index and a printf-formatted message. Returns
 * status, so a caller can `return sign_fail(...)`. */
SignStatus sign_fail(SignError *err, SignStatus status, size_t index, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "creator", "approver", "host", "proxy". */
const char *sign_role_name(SignRole role);
/* Bindle's SignatureRole::from_str (command lines, strategies): surrounding white space
 * trimmed, any case, and the shorthands c, a, h, p. text[0..len). */
bool sign_role_parse(const char *text, size_t len, SignRole *out);
/* The role names as files spell them (serde's camelCase: exactly "creator", "approver",
 * "host" or "proxy"; "Creator" is refused, as Bindle refuses it). text[0..len). */
bool sign_role_from_name(const char *text, size_t len, SignRole *out);
/* Parses Bindle's comma-separated role list ("creator,approver"; each item as
 * sign_role_parse, so "c, A" is fine; an empty item is an error) into *out_roles (owned,
 * free() it; one per item, in order, duplicates kept). SIGN_ERR_NOMEM, or SIGN_ERR_FILE with
 * Bindle's message in *err for a bad item. */
__attribute__((warn_unused_result)) SignStatus
sign_roles_parse(const char *list, SignRole **out_roles, size_t *out_n, SignError *err);

/* Rust's str::trim: the bounds of text[0..len) without leading and trailing Unicode white
 * space (ASCII blanks, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
 * U+205F, U+3000). */
void sign_trim(const char *text, size_t len, size_t *out_start, size_t *out_end);

/* The text a signature signs (Bindle's Invoice::cleartext): by, name, version, the role's
 * name, "~", then each parcel's SHA-256 in order, joined by "\n", no newline at the end.
 * Owned (free() it); NULL when memory is short. */
char *sign_cleartext(const char *by, const char *name, const char *version, SignRole role,
                     const char *const *parcel_shas, size_t nparcels);

/* Standard base64 with padding (libsodium's ORIGINAL variant) of bin[0..len) into out, which
 * must hold 4 * ceil(len / 3) + 1 bytes. */
void sign_b64_encode(const uint8_t *bin, size_t len, char *out, size_t out_size);
/* Decodes base64 text into exactly want bytes: true when text is standard base64 (padded, or
 * without any padding, as Bindle's base64 0.13 also reads; no white space; no stray bits in
 * the last character) of exactly want bytes. */
bool sign_b64_decode(const char *text, uint8_t *out, size_t want);
/* True when text is base64 as sign_b64_decode reads it, of any length; *out_len is then the
 * number of bytes it holds. false when memory is short too. */
bool sign_b64_measure(const char *text, size_t *out_len);

/* True when pk is a point of the curve, whatever its order: the check Bindle's
 * ed25519_dalek::PublicKey::from_bytes makes (decompression), done with libsodium's point
 * decoder. Small-order keys pass here; verification refuses them. */
bool sign_point_decodes(const uint8_t pk[SIGN_PUBLIC_KEY_SIZE]);
/* A base64 public key: 32 bytes that are a point (sign_point_decodes). */
bool sign_public_key_decode(const char *b64, uint8_t out_pk[SIGN_PUBLIC_KEY_SIZE]);
/* A base64 keypair (64 bytes: seed, public key) whose public half is the seed's own public
 * key. Bindle checks only the length and that the public half is a point, then signs with a
 * mismatched pair and produces signatures nobody can verify; Corral refuses such a pair. */
bool sign_keypair_decode(const char *b64, uint8_t out_sk[SIGN_SECRET_KEY_SIZE]);
/* A fresh keypair from the system's random source. false only when libsodium cannot start. */
bool sign_keypair_generate(uint8_t out_sk[SIGN_SECRET_KEY_SIZE]);
/* The public half of a keypair. */
void sign_keypair_public(const uint8_t sk[SIGN_SECRET_KEY_SIZE],
                         uint8_t out_pk[SIGN_PUBLIC_KEY_SIZE]);

/* Ed25519 detached signature of msg[0..len) (deterministic, RFC 8032). */
void sign_detached(const uint8_t sk[SIGN_SECRET_KEY_SIZE], const void *msg, size_t len,
                   uint8_t out_sig[SIGN_SIGNATURE_SIZE]);
/* Strict Ed25519 verification (crypto_sign_verify_detached): refuses a non-canonical S (S >=
 * L), a small-order R or public key, and non-canonical encodings of R or the key, besides a
 * wrong signature. That is ed25519-dalek's verify_strict for every signature a signer can
 * make; docs/design/store.md compares them. */
bool sign_verify_detached(const uint8_t pk[SIGN_PUBLIC_KEY_SIZE],
                          const uint8_t sig[SIGN_SIGNATURE_SIZE], const void *msg, size_t len);

/* Signs subject as Bindle's Invoice::sign does: the cleartext with by (the secret key's
 * label) and role, signed with sk; at is the time to record. SIGN_ERR_DUPLICATE_SIGNATURE
 * when one of existing[0..nexisting) already carries this public key (whatever its role),
 * SIGN_ERR_NOMEM. On success *out holds the signature and key in base64. */
__attribute__((warn_unused_result)) SignStatus
sign_subject(const uint8_t sk[SIGN_SECRET_KEY_SIZE], const char *by, SignRole role,
             const SignSubject *subject, const SignSignature *existing, size_t nexisting,
             uint64_t at, SignMade *out, SignError *err);

/* Writes s into out (size out_size, always NUL-terminated when out_size > 0) with control
 * characters, DEL and '\' as \xHH and quotes as \", cut with "..." past max_chars input bytes:
 * for putting untrusted text in messages. */
void sign_quote(const char *s, size_t max_chars, char *out, size_t out_size);

#endif
