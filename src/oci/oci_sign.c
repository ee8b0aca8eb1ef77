/* oci_sign.c: Bindle's secret key files and keyrings read with Corral's TOML parser, and
 * Ed25519 signing and checking with libsodium (oci_sign.h). It owns key material in memory
 * and wipes it on release; it knows nothing of registries or manifests. */
#include "oci/oci_sign.h"

#include "util/strf.h"
#include "util/toml.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct OciSigner {
    char *label;
    uint8_t secret[crypto_sign_SECRETKEYBYTES]; /* seed || public key, as Bindle's keypair */
};

typedef struct KeyringEntry {
    char *label;
    unsigned roles;
    uint8_t key[OCI_SIGN_PUBLIC_KEY_BYTES];
} KeyringEntry;

struct OciKeyring {
    KeyringEntry *keys;
    size_t nkeys;
};

/* Key files are a few hundred bytes; this only stops a wrong path from being slurped. */
#define KEY_FILE_MAX (1u << 20)

/* ---- reading a key file ---- */

/* Reads path whole and parses it; *out_err owned on failure. */
static bool read_toml(const char *path, TomlValue **out_root, char **out_err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *out_err = strf("%s: %s", path, strerror(errno));
        return false;
    }
    char *text = malloc(KEY_FILE_MAX + 1);
    size_t len = text ? fread(text, 1, KEY_FILE_MAX + 1, f) : 0;
    bool read_error = ferror(f);
    fclose(f);
    if (!text || read_error || len > KEY_FILE_MAX) {
        *out_err = strf("%s: %s", path,
                        !text        ? "out of memory"
                        : read_error ? "read error"
                                     : "larger than 1 MiB, too big for a key file");
        free(text);
        return false;
    }
    TomlError terr;
    TomlStatus st = toml_parse(text, len, out_root, &terr);
    sodium_memzero(text, len); /* a secret key file's text holds the key */
    free(text);
    if (st == TOML_ERR_NOMEM) {
        *out_err = strf("%s: out of memory", path);
        return false;
    }
    if (st != TOML_OK) {
        *out_err = strf("%s:%u:%u: %s", path, terr.line, terr.column, terr.message);
        return false;
    }
    return true;
}

/* Checks version = "1.0" and returns the [[key]] array (NULL with *out_err when wrong). */
static const TomlValue *key_array(const char *path, const TomlValue *root, char **out_err)
{
    const char *version;
    size_t version_len;
    const TomlValue *v = toml_table_get(root, "version");
    if (!v || !toml_as_string(v, &version, &version_len) || strcmp(version, "1.0") != 0) {
        *out_err = strf("%s: not a Bindle key file: it needs version = \"1.0\"", path);
        return NULL;
    }
    const TomlValue *keys = toml_table_get(root, "key");
    if (keys && toml_kind(keys) != TOML_ARRAY) {
        *out_err = strf("%s:%u: 'key' must be an array of tables ([[key]])", path, toml_line(keys));
        return NULL;
    }
    return keys;
}

static unsigned parse_role(const char *s)
{
    static const struct {
        const char *name, *shorthand;
        unsigned bit;
    } roles[] = {{"creator", "c", OCI_ROLE_CREATOR},
                 {"approver", "a", OCI_ROLE_APPROVER},
                 {"host", "h", OCI_ROLE_HOST},
                 {"proxy", "p", OCI_ROLE_PROXY}};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (!strcasecmp(s, roles[i].name) || !strcasecmp(s, roles[i].shorthand))
            return roles[i].bit;
    return 0;
}

/* A [[key]]'s roles as OCI_ROLE_* bits; false with *out_err on an unknown role. */
static bool key_roles(const char *path, const TomlValue *key, unsigned *out, char **out_err)
{
    const TomlValue *a = toml_table_get(key, "roles");
    *out = 0;
    if (!a || toml_kind(a) != TOML_ARRAY) {
        *out_err = strf("%s:%u: the key needs roles = [...]", path, toml_line(key));
        return false;
    }
    for (size_t i = 0; i < toml_array_len(a); i++) {
        const char *s;
        size_t n;
        unsigned bit = 0;
        if (toml_as_string(toml_array_at(a, i), &s, &n))
            bit = parse_role(s);
        if (!bit) {
            *out_err = strf("%s:%u: unknown role (creator, approver, host or proxy)", path,
                            toml_line(toml_array_at(a, i)));
            return false;
        }
        *out |= bit;
    }
    return true;
}

static const char *key_string(const TomlValue *key, const char *name)
{
    const char *s;
    size_t n;
    const TomlValue *v = toml_table_get(key, name);
    return v && toml_as_string(v, &s, &n) && strlen(s) == n ? s : NULL;
}

/* Decodes standard base64 (Bindle's) of exactly len bytes. */
static bool base64_exact(const char *text, uint8_t *out, size_t len)
{
    size_t got = 0;
    return sodium_base642bin(out, len, text, strlen(text), NULL, &got, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           got == len;
}

/* ---- signer ---- */

/* Takes the secret key of one [[key]] when it is the one asked for. 1 taken, 0 not this
 * one, -1 error. */
static int take_secret(const char *path, const TomlValue *key, const char *label, OciSigner *s,
                       char **out_err)
{
    const char *l = key_string(key, "label"), *kp = key_string(key, "keypair");
    unsigned roles;
    if (!l || !kp) {
        *out_err =
            strf("%s:%u: a secret key needs label and keypair strings", path, toml_line(key));
        return -1;
    }
    if (!key_roles(path, key, &roles, out_err))
        return -1;
    if (label ? strcmp(l, label) != 0 : !(roles & OCI_ROLE_CREATOR))
        return 0;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    if (!base64_exact(kp, s->secret, sizeof s->secret)) {
        *out_err = strf("%s:%u: keypair is not base64 of %zu bytes", path, toml_line(key),
                        sizeof s->secret);
        return -1;
    }
    /* The public half must belong to the secret half, or every signature would be bad. */
    uint8_t seed[crypto_sign_SEEDBYTES], sk[crypto_sign_SECRETKEYBYTES];
    memcpy(seed, s->secret, sizeof seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    bool match = sodium_memcmp(sk, s->secret, sizeof sk) == 0;
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(sk, sizeof sk);
    if (!match) {
        *out_err = strf("%s:%u: keypair's public key does not belong to its secret key", path,
                        toml_line(key));
        return -1;
    }
    s->label = strdup(l);
    if (!s->label) {
        *out_err = strf("out of memory");
        return -1;
    }
    return 1;
}

bool oci_signer_load(const char *path, const char *label, OciSigner **out, char **out_err)
{
    *out = NULL;
    *out_err = NULL;
    if (sodium_init() < 0) {
        *out_err = strf("libsodium failed to initialise");
        return false;
    }
    TomlValue *root;
    if (!read_toml(path, &root, out_err))
        return false;
    OciSigner *s = calloc(1, sizeof *s);
    const TomlValue *keys = s ? key_array(path, root, out_err) : NULL;
    int taken = 0;
    for (size_t i = 0; keys && taken == 0 && i < toml_array_len(keys); i++)
        taken = take_secret(path, toml_array_at(keys, i), label, s, out_err);
    toml_free(root);
    if (taken == 1) {
        *out = s;
        return true;
    }
    if (!s)
        *out_err = strf("out of memory");
    else if (taken == 0 && !*out_err)
        *out_err = label ? strf("%s: no key labelled '%s'", path, label)
                         : strf("%s: no key with the creator role", path);
    oci_signer_free(s);
    return false;
}

void oci_signer_free(OciSigner *s)
{
    if (!s)
        return;
    free(s->label);
    sodium_memzero(s, sizeof *s);
    free(s);
}

const char *oci_signer_label(const OciSigner *s)
{
    return s->label;
}

const uint8_t *oci_signer_public_key(const OciSigner *s)
{
    return s->secret + crypto_sign_SEEDBYTES;
}

void oci_signer_sign(const OciSigner *s, const uint8_t *msg, size_t len,
                     uint8_t sig[OCI_SIGN_BYTES])
{
    crypto_sign_detached(sig, NULL, msg, len, s->secret);
}

/* ---- keyring ---- */

static bool add_public(const char *path, const TomlValue *key, OciKeyring *k, char **out_err)
{
    const char *l = key_string(key, "label"), *pk = key_string(key, "key");
    KeyringEntry e = {0};
    if (!l || !pk) {
        *out_err = strf("%s:%u: a keyring key needs label and key strings", path, toml_line(key));
        return false;
    }
    if (!key_roles(path, key, &e.roles, out_err))
        return false;
    if (!base64_exact(pk, e.key, sizeof e.key)) {
        *out_err =
            strf("%s:%u: key is not base64 of %zu bytes", path, toml_line(key), sizeof e.key);
        return false;
    }
    KeyringEntry *grown = realloc(k->keys, (k->nkeys + 1) * sizeof *grown);
    e.label = strdup(l);
    if (!grown || !e.label) {
        if (grown)
            k->keys = grown;
        free(e.label);
        *out_err = strf("out of memory");
        return false;
    }
    k->keys = grown;
    k->keys[k->nkeys++] = e;
    return true;
}

bool oci_keyring_load(const char *path, OciKeyring **out, char **out_err)
{
    *out = NULL;
    *out_err = NULL;
    if (sodium_init() < 0) {
        *out_err = strf("libsodium failed to initialise");
        return false;
    }
    TomlValue *root;
    if (!read_toml(path, &root, out_err))
        return false;
    OciKeyring *k = calloc(1, sizeof *k);
    const TomlValue *keys = k ? key_array(path, root, out_err) : NULL;
    bool ok = k && !*out_err;
    for (size_t i = 0; ok && keys && i < toml_array_len(keys); i++)
        ok = add_public(path, toml_array_at(keys, i), k, out_err);
    toml_free(root);
    if (!ok) {
        if (!*out_err)
            *out_err = strf("out of memory");
        oci_keyring_free(k);
        return false;
    }
    *out = k;
    return true;
}

void oci_keyring_free(OciKeyring *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->nkeys; i++)
        free(k->keys[i].label);
    free(k->keys);
    free(k);
}

size_t oci_keyring_len(const OciKeyring *k)
{
    return k->nkeys;
}

const char *oci_keyring_find(const OciKeyring *k, const uint8_t pk[OCI_SIGN_PUBLIC_KEY_BYTES],
                             unsigned roles)
{
    for (size_t i = 0; i < k->nkeys; i++)
        if ((k->keys[i].roles & roles) && !memcmp(k->keys[i].key, pk, OCI_SIGN_PUBLIC_KEY_BYTES))
            return k->keys[i].label;
    return NULL;
}

bool oci_sign_verify(const uint8_t pk[OCI_SIGN_PUBLIC_KEY_BYTES], const uint8_t *msg, size_t len,
                     const uint8_t sig[OCI_SIGN_BYTES])
{
    return crypto_sign_verify_detached(sig, msg, len, pk) == 0;
}
