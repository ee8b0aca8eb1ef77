/* oci_sign.h: the keys behind OCI signatures: a signer from a Bindle secret key file and a
 * keyring in Bindle's keyring format, so one keyring serves Bindle and OCI alike, and Ed25519
 * on libsodium: a thin layer over the package store's key files (src/store/keyring.h).
 *
 * The formats (Bindle's, TOML):
 *   secret key file  version = "1.0"
 *                    [[key]] label = "...", roles = ["creator", ...],
 *                            keypair = base64(32-byte seed || 32-byte public key)
 *   keyring          version = "1.0"
 *                    [[key]] label = "...", roles = [...], key = base64(32-byte public key)
 *                            (labelSignature is allowed and not checked)
 * Roles are creator, approver, host and proxy (case-insensitive, or c, a, h, p). */
#ifndef CORRAL_OCI_SIGN_H
#define CORRAL_OCI_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OCI_SIGN_PUBLIC_KEY_BYTES 32
#define OCI_SIGN_BYTES 64

enum {
    OCI_ROLE_CREATOR = 1,
    OCI_ROLE_APPROVER = 2,
    OCI_ROLE_HOST = 4,
    OCI_ROLE_PROXY = 8,
};

/* The roles whose signatures `corral pull --keyring` accepts: a host or proxy key vouches for
 * a Bindle server, not for an OCI manifest. */
#define OCI_ROLES_ACCEPTED (OCI_ROLE_CREATOR | OCI_ROLE_APPROVER)

/* One secret key, ready to sign. */
typedef struct OciSigner OciSigner;

/* Reads a secret key file and takes the key labelled label, or (label NULL) the first key
 * with the creator role. false with *out_err (owned) saying why: "FILE:4: keypair is not
 * base64 of 64 bytes", "FILE: no key with the creator role". */
bool oci_signer_load(const char *path, const char *label, OciSigner **out, char **out_err)
    __attribute__((warn_unused_result));
void oci_signer_free(OciSigner *s);
const char *oci_signer_label(const OciSigner *s);
const uint8_t *oci_signer_public_key(const OciSigner *s); /* OCI_SIGN_PUBLIC_KEY_BYTES */
/* Signs msg: a detached Ed25519 signature of OCI_SIGN_BYTES bytes into sig. */
void oci_signer_sign(const OciSigner *s, const uint8_t *msg, size_t len,
                     uint8_t sig[OCI_SIGN_BYTES]);

/* A set of public keys with labels and roles. */
typedef struct OciKeyring OciKeyring;

/* Reads a keyring file. false with *out_err (owned) on a malformed one; an empty keyring is
 * allowed (it then accepts no signature). */
bool oci_keyring_load(const char *path, OciKeyring **out, char **out_err)
    __attribute__((warn_unused_result));
void oci_keyring_free(OciKeyring *k);
size_t oci_keyring_len(const OciKeyring *k);

/* The label of public key pk when the keyring holds it with one of roles (OCI_ROLE_* bits),
 * else NULL. Borrowed from the keyring. */
const char *oci_keyring_find(const OciKeyring *k, const uint8_t pk[OCI_SIGN_PUBLIC_KEY_BYTES],
                             unsigned roles);

/* True when sig is pk's Ed25519 signature of msg. */
bool oci_sign_verify(const uint8_t pk[OCI_SIGN_PUBLIC_KEY_BYTES], const uint8_t *msg, size_t len,
                     const uint8_t sig[OCI_SIGN_BYTES]);

#endif
