/* oci_sign.c: the keys behind OCI signatures (oci_sign.h), on the package store's key files
 * (src/store/keyring.c: Bindle's secret key file and keyring, read and checked once for
 * both) and its Ed25519 (src/store/sign.c, libsodium). */
#include "oci/oci_sign.h"

#include "store/keyring.h"
#include "store/sign.h"
#include "util/strf.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct OciSigner {
    char *label;
    uint8_t sk[SIGN_SECRET_KEY_SIZE];
    uint8_t pk[SIGN_PUBLIC_KEY_SIZE];
};

struct OciKeyring {
    Keyring kr;
};

/* The OCI_ROLE_* bit of a role. */
static unsigned role_bit(SignRole r)
{
    switch (r) {
    case SIGN_ROLE_CREATOR: return OCI_ROLE_CREATOR;
    case SIGN_ROLE_APPROVER: return OCI_ROLE_APPROVER;
    case SIGN_ROLE_HOST: return OCI_ROLE_HOST;
    case SIGN_ROLE_PROXY: return OCI_ROLE_PROXY;
    }
    return 0;
}

static bool has_role(const SignRole *roles, size_t n, SignRole want)
{
    for (size_t i = 0; i < n; i++)
        if (roles[i] == want)
            return true;
    return false;
}

/* The key labelled label, or (label NULL) the first with the creator role. */
static const SecretKey *pick(const SecretKeyFile *f, const char *label)
{
    for (size_t i = 0; i < f->nkeys; i++) {
        const SecretKey *k = &f->keys[i];
        if (label ? !strcmp(k->label, label) : has_role(k->roles, k->nroles, SIGN_ROLE_CREATOR))
            return k;
    }
    return NULL;
}

bool oci_signer_load(const char *path, const char *label, OciSigner **out, char **out_err)
{
    *out = NULL;
    *out_err = NULL;
    SecretKeyFile f;
    SignError err;
    bool exists = false;
    if (!sign_init()) {
        *out_err = strf("%s: cannot start libsodium", path);
        return false;
    }
    if (secrets_load(path, &f, &exists, &err) != SIGN_OK) {
        *out_err = strf("%s", err.message);
        secrets_free(&f);
        return false;
    }
    const SecretKey *k = exists ? pick(&f, label) : NULL;
    OciSigner *s = NULL;
    if (!exists)
        *out_err = strf("%s: %s", path, strerror(ENOENT));
    else if (!k && label)
        *out_err = strf("%s: no key labelled '%s'", path, label);
    else if (!k)
        *out_err = strf("%s: no key with the creator role", path);
    else if (!(s = calloc(1, sizeof *s)) || !(s->label = strdup(k->label)))
        *out_err = strf("out of memory");
    else if (secrets_keypair(k, s->sk, &err) != SIGN_OK)
        *out_err = strf("%s: %s", path, err.message);
    if (*out_err) {
        oci_signer_free(s);
        secrets_free(&f);
        return false;
    }
    sign_keypair_public(s->sk, s->pk);
    secrets_free(&f);
    *out = s;
    return true;
}

void oci_signer_free(OciSigner *s)
{
    if (!s)
        return;
    sodium_memzero(s->sk, sizeof s->sk);
    free(s->label);
    free(s);
}

const char *oci_signer_label(const OciSigner *s) { return s->label; }
const uint8_t *oci_signer_public_key(const OciSigner *s) { return s->pk; }

void oci_signer_sign(const OciSigner *s, const uint8_t *msg, size_t len,
                     uint8_t sig[OCI_SIGN_BYTES])
{
    sign_detached(s->sk, msg, len, sig);
}

bool oci_keyring_load(const char *path, OciKeyring **out, char **out_err)
{
    *out = NULL;
    *out_err = NULL;
    OciKeyring *k = calloc(1, sizeof *k);
    SignError err;
    bool exists = false;
    if (!k || !sign_init()) {
        free(k);
        *out_err = k ? strf("%s: cannot start libsodium", path) : strf("out of memory");
        return false;
    }
    if (keyring_load(path, &k->kr, &exists, &err) != SIGN_OK || !exists) {
        *out_err = exists ? strf("%s", err.message) : strf("%s: %s", path, strerror(ENOENT));
        keyring_free(&k->kr);
        free(k);
        return false;
    }
    *out = k;
    return true;
}

void oci_keyring_free(OciKeyring *k)
{
    if (!k)
        return;
    keyring_free(&k->kr);
    free(k);
}

size_t oci_keyring_len(const OciKeyring *k) { return k->kr.nkeys; }

const char *oci_keyring_find(const OciKeyring *k, const uint8_t pk[OCI_SIGN_PUBLIC_KEY_BYTES],
                             unsigned roles)
{
    for (size_t i = 0; i < k->kr.nkeys; i++) {
        const KeyringEntry *e = &k->kr.keys[i];
        if (!e->key_ok || memcmp(e->pk, pk, SIGN_PUBLIC_KEY_SIZE) != 0)
            continue;
        for (size_t r = 0; r < e->nroles; r++)
            if (role_bit(e->roles[r]) & roles)
                return e->label;
    }
    return NULL;
}

bool oci_sign_verify(const uint8_t pk[OCI_SIGN_PUBLIC_KEY_BYTES], const uint8_t *msg, size_t len,
                     const uint8_t sig[OCI_SIGN_BYTES])
{
    return sign_verify_detached(pk, sig, msg, len);
}
