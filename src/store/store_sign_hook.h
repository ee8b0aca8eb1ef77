/* store_sign_hook.h: what the store's server needs from Bindle signing (BINDLE.md 4.3), and
 * nothing more: check an invoice's signatures against a keyring with a verification
 * strategy, sign an accepted invoice with the host key, and publish the host keys. The
 * server calls only these; sign_hook.c implements them for now (cleartext, Ed25519 with
 * libsodium, keyring and signing-key files, the six strategies) until src/store/sign.c,
 * keyring.c and verify.c land and take its place behind the same declarations. */
#ifndef CORRAL_STORE_SIGN_HOOK_H
#define CORRAL_STORE_SIGN_HOOK_H

#include "store/invoice.h"

#include <jansson.h>
#include <stdio.h>

typedef struct StoreVerifier StoreVerifier;
typedef struct StoreSigner StoreSigner;

/* A verifier for keyring_path (a Bindle keyring TOML; NULL: an empty keyring, with a
 * warning on warn) and strategy (Bindle's names, case-insensitive, e.g.
 * "GreedyVerification", "MultipleAttestation[Creator, Approver]"; NULL: GreedyVerification).
 * The host keys of signer, when given, are added to the keyring (Bindle does the same with
 * its signing keys). NULL with *out_err owned on a bad file or strategy name. */
StoreVerifier *store_verifier_new(const char *keyring_path, const char *strategy,
                                  const StoreSigner *signer, FILE *warn, char **out_err);
void store_verifier_free(StoreVerifier *v);

/* 0 when inv's signatures satisfy the strategy; else -1 and *out_why owned, the message the
 * client gets with its 400: "No signatures found on invoice. At least one signature is
 * required", "failed signature check: ...". */
int store_verify_invoice(const StoreVerifier *v, const Invoice *inv, char **out_why);

/* The host's signing keys from path (Bindle's signing-keys TOML); NULL path: the default
 * file $XDG_CONFIG_HOME/bindle/signing-keys.toml (~/.config/...), created with a new "Default
 * host key" (mode 0600) when missing, as Bindle does. NULL with *out_err owned on failure. */
StoreSigner *store_signer_new(const char *path, FILE *warn, char **out_err);
void store_signer_free(StoreSigner *s);

/* Appends the host's signature to inv (role host, at = now). -1 with *out_why owned when the
 * signer has no host key ("no suitable key") or that key has signed inv already. */
int store_host_sign(const StoreSigner *s, Invoice *inv, char **out_why);

/* The host keys as Bindle's keyring document (version, [[key]] label, roles, key,
 * labelSignature): a new object (json_decref), NULL when memory is short. */
json_t *store_host_keyring(const StoreSigner *s);

#endif
