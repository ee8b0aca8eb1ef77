/* keyring.h: Bindle 0.9.1's two key files. A keyring lists trusted public keys (version =
 * "1.0", [[key]] label, roles, key, labelSignature); a secret key file holds keypairs
 * (version = "1.0", [[key]] label, keypair, roles) and is written with mode 0600. Both are
 * read with Corral's TOML parser exactly as Bindle's serde structs read them (unknown keys
 * ignored, as Bindle ignores them: these structs are not deny_unknown_fields) and written back
 * in the layout Bindle's toml crate writes. No verification policy here: that is verify.h. */
#ifndef CORRAL_KEYRING_H
#define CORRAL_KEYRING_H

#include "store/sign.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The version both files are written with (Bindle's KEY_RING_VERSION); any string is read. */
#define KEYRING_VERSION "1.0"

/* The most a key file may weigh: a bigger one is refused, not truncated. */
#define KEYRING_MAX_FILE ((size_t)64 << 20)

/* One public key of a keyring. All strings owned by the keyring. */
typedef struct KeyringEntry {
    char *label;
    SignRole *roles; /* as written, duplicates kept; Bindle's KeyRing::contains ignores them */
    size_t nroles;
    char *key;             /* base64, as written */
    char *label_signature; /* base64 Ed25519 signature of the label; NULL when absent */
    bool key_ok;           /* key decodes to a curve point; false: skipped by contains */
    uint8_t pk[SIGN_PUBLIC_KEY_SIZE];
} KeyringEntry;

typedef struct Keyring {
    char *version; /* NULL: KEYRING_VERSION */
    KeyringEntry *keys;
    size_t nkeys, cap;
    /* Keys the file had that Bindle's structs do not know: how many, and the first one
     * ("unknown key 'comment' at line 3"), so a caller can warn that they will not be
     * written back. */
    size_t nignored;
    char ignored[160];
} Keyring;

/* One keypair of a secret key file. Strings owned by the file. */
typedef struct SecretKey {
    char *label;   /* also the `by` of the signatures it makes */
    char *keypair; /* base64 of seed || public key, as written; checked when used */
    SignRole *roles;
    size_t nroles;
} SecretKey;

typedef struct SecretKeyFile {
    char *version; /* NULL: KEYRING_VERSION */
    SecretKey *keys;
    size_t nkeys, cap;
    size_t nignored;
    char ignored[160];
} SecretKeyFile;

/* How secrets_first_matching picks by label (Bindle's LabelMatch): any label, the exact
 * label, or labels that contain the text (case-sensitive, as Bindle's code compares). */
typedef enum SecretMatch { SECRET_MATCH_ANY, SECRET_MATCH_FULL, SECRET_MATCH_PARTIAL } SecretMatch;

/* ---- keyrings ---- */

/* An empty keyring (no allocation). */
void keyring_init(Keyring *kr);
/* Releases everything kr owns and leaves it empty. */
void keyring_free(Keyring *kr);

/* Parses keyring TOML text[0..len) into *out (initialised here, and left empty on failure;
 * free it with keyring_free whatever the result). origin names the text in messages ("keyring.toml"). Missing or
 * mistyped fields, roles that are not exactly "creator", "approver", "host" or "proxy" and
 * strings holding NUL are SIGN_ERR_FILE with origin:line:column in err; keys that do not
 * decode are kept (key_ok false), as Bindle keeps them. */
__attribute__((warn_unused_result)) SignStatus
keyring_parse(const char *text, size_t len, const char *origin, Keyring *out, SignError *err);
/* keyring_parse of the file at path. A missing file gives an empty keyring and
 * *out_exists = false (out_exists may be NULL); one that is not a regular file, or cannot
 * be read, is SIGN_ERR_FILE. */
__attribute__((warn_unused_result)) SignStatus keyring_load(const char *path, Keyring *out,
                                                            bool *out_exists, SignError *err);
/* The keyring as TOML, in Bindle's layout: version, then one [[key]] table per entry
 * (label, roles, key, labelSignature when present), or `key = []` when empty. Owned; NULL
 * when memory is short. */
char *keyring_format(const Keyring *kr);
/* Writes keyring_format's text to path (its parent directories made, mode 0700), replacing
 * the file in one rename: a new file gets mode 0600, as Bindle's KeyRingSaver makes it; an
 * existing one keeps its mode; a symlink is written through to its target. */
__attribute__((warn_unused_result)) SignStatus keyring_save(const char *path, const Keyring *kr,
                                                            SignError *err);

/* Appends an entry (strings copied; label_signature may be NULL). The label must be UTF-8
 * without NUL; the key is stored as given and key_ok says whether it decodes. */
__attribute__((warn_unused_result)) SignStatus
keyring_add(Keyring *kr, const char *label, const SignRole *roles, size_t nroles, const char *key,
            const char *label_signature, SignError *err);
/* Appends the public entry of a secret key, its label signed by the key itself (Bindle's
 * KeyEntry::try_from(SecretKeyEntry)). SIGN_ERR_CORRUPT_KEY when the keypair does not
 * decode. */
__attribute__((warn_unused_result)) SignStatus keyring_add_secret(Keyring *kr, const SecretKey *key,
                                                                  SignError *err);
/* True when some entry's key (one that decodes) is pk, whatever the entry's roles: Bindle's
 * KeyRing::contains. */
bool keyring_contains(const Keyring *kr, const uint8_t pk[SIGN_PUBLIC_KEY_SIZE]);

/* The state of an entry's labelSignature, checked against the entry's own key (the key that
 * signs it when Bindle makes an entry from a secret key). */
typedef enum KeyringLabel {
    KEYRING_LABEL_UNSIGNED, /* no labelSignature */
    KEYRING_LABEL_VALID,
    KEYRING_LABEL_INVALID, /* malformed, or not the label signed by this key */
} KeyringLabel;
KeyringLabel keyring_label_check(const KeyringEntry *e);

/* The keyring Bindle's server answers GET /v1/bindle-keys with: one entry per secret key
 * with the host role, in file order, its roles set to just host and its label signed.
 * *out is initialised here. SIGN_ERR_CORRUPT_KEY when one of those keypairs is corrupt. */
__attribute__((warn_unused_result)) SignStatus keyring_host_keys(const SecretKeyFile *secrets,
                                                                 Keyring *out, SignError *err);

/* Appends the public entry of every key of secrets (keyring_add_secret): Bindle's server
 * trusts its own signing keys this way at start. SIGN_ERR_CORRUPT_KEY on a corrupt one. */
__attribute__((warn_unused_result)) SignStatus
keyring_add_secrets(Keyring *kr, const SecretKeyFile *secrets, SignError *err);

/* ---- secret key files ---- */

void secrets_init(SecretKeyFile *f);
void secrets_free(SecretKeyFile *f);
/* As keyring_parse, for a secret key file. Keypairs are checked when used, not here. */
__attribute__((warn_unused_result)) SignStatus
secrets_parse(const char *text, size_t len, const char *origin, SecretKeyFile *out, SignError *err);
/* As keyring_load. */
__attribute__((warn_unused_result)) SignStatus secrets_load(const char *path, SecretKeyFile *out,
                                                            bool *out_exists, SignError *err);
/* Bindle's layout: version, then [[key]] label, keypair, roles. Owned; NULL on no memory. */
char *secrets_format(const SecretKeyFile *f);
/* Writes the file as keyring_save does, but always with mode 0600, an existing file too. */
__attribute__((warn_unused_result)) SignStatus secrets_save(const char *path,
                                                            const SecretKeyFile *f, SignError *err);
/* Appends a freshly generated keypair with this label and these roles (Bindle's
 * SecretKeyEntry::new). The label must be UTF-8 without NUL. */
__attribute__((warn_unused_result)) SignStatus secrets_generate(SecretKeyFile *f, const char *label,
                                                                const SignRole *roles,
                                                                size_t nroles, SignError *err);
/* The first key, in file order, that has role and whose label matches (Bindle's
 * get_first_matching); NULL when none. label is ignored for SECRET_MATCH_ANY. */
const SecretKey *secrets_first_matching(const SecretKeyFile *f, SignRole role, SecretMatch match,
                                        const char *label);
/* Decodes a key's keypair (sign_keypair_decode). SIGN_ERR_CORRUPT_KEY, naming the label
 * but never the secret, when it is not a valid pair. */
__attribute__((warn_unused_result)) SignStatus
secrets_keypair(const SecretKey *key, uint8_t out_sk[SIGN_SECRET_KEY_SIZE], SignError *err);

/* Signs subject with the first key of f that has role (Bindle's server: its first host key
 * for every invoice it accepts, after verification), by = the key's label: the
 * signature is *out and the key *out_key (may be NULL). SIGN_ERR_NO_SUITABLE_KEY when no key
 * has the role (Bindle's server checks this before verifying, and answers 400 "no suitable
 * key"), SIGN_ERR_CORRUPT_KEY, SIGN_ERR_DUPLICATE_SIGNATURE when that key already signed. */
__attribute__((warn_unused_result)) SignStatus
secrets_sign(const SecretKeyFile *f, SignRole role, const SignSubject *subject,
             const SignSignature *existing, size_t nexisting, uint64_t at, SignMade *out,
             const SecretKey **out_key, SignError *err);

/* The label of the host key Bindle's server makes when it has none. */
#define SECRETS_DEFAULT_HOST_LABEL "Default host key"

/* Bindle's server default when no signing-keys file is given: loads path, or when it does
 * not exist makes it (mode 0600) with one new key, SECRETS_DEFAULT_HOST_LABEL, role host,
 * and sets *out_created, after which Bindle adds that key to its keyring file too
 * (keyring_add_secret, keyring_save). *out is initialised here. */
__attribute__((warn_unused_result)) SignStatus
secrets_ensure_host(const char *path, SecretKeyFile *out, bool *out_created, SignError *err);

/* The directory Corral keeps its key files in: $XDG_CONFIG_HOME/corral when that variable
 * is an absolute path, else $HOME/.config/corral (the rule of the dirs crate Bindle uses,
 * whose files are in .../bindle/ instead). Owned; NULL when neither is set. */
char *keyring_default_dir(void);

#endif
