/* sign_hook.c: the store server's signing hook (store_sign_hook.h) on src/store/sign.c,
 * keyring.c and verify.c: Bindle 0.9.1's cleartext, key files and verification strategies
 * with their exact rules (docs/design/store.md, "Signing and keyrings"). The server calls only
 * the hook; this file turns its Invoice into the plain fields the signing code takes. */
#include "store/store_sign_hook.h"

#include "store/keyring.h"
#include "store/sign.h"
#include "store/verify.h"
#include "util/strf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct StoreSigner {
    SecretKeyFile keys;
};

struct StoreVerifier {
    Keyring ring;
    VerifyStrategy strategy;
};

/* An invoice as the signing code sees it: what a signature covers and its signatures,
 * borrowed from inv. */
typedef struct Fields {
    SignSubject subject;
    const char **shas;
    SignSignature *sigs;
    size_t nsigs;
} Fields;

static bool fields_of(const Invoice *inv, Fields *f)
{
    memset(f, 0, sizeof *f);
    f->shas = calloc(inv->nparcels + 1, sizeof *f->shas);
    f->sigs = calloc(inv->signatures.n + 1, sizeof *f->sigs);
    if (!f->shas || !f->sigs)
        return false;
    for (size_t i = 0; i < inv->nparcels; i++)
        f->shas[i] = inv->parcels[i].label.sha256;
    f->subject = (SignSubject){inv->name, inv->version, f->shas, inv->nparcels};
    for (size_t i = 0; i < inv->signatures.n; i++) {
        const InvSignature *s = &inv->signatures.items[i];
        SignSignature *d = &f->sigs[i];
        *d = (SignSignature){s->by, s->signature, s->key, SIGN_ROLE_CREATOR, s->at};
        /* invoice.c accepts only the four names; anything else would not have parsed. */
        if (!sign_role_from_name(s->role, strlen(s->role), &d->role))
            return false;
    }
    f->nsigs = inv->signatures.n;
    return true;
}

static void fields_free(Fields *f)
{
    free(f->shas);
    free(f->sigs);
}

StoreVerifier *store_verifier_new(const char *keyring_path, const char *strategy,
                                  const StoreSigner *signer, FILE *warn, char **out_err)
{
    *out_err = NULL;
    StoreVerifier *v = calloc(1, sizeof *v);
    SignError err;
    const char *perr;
    if (!v || !sign_init()) {
        free(v);
        *out_err = strf("out of memory");
        return NULL;
    }
    keyring_init(&v->ring);
    if (!verify_strategy_parse(strategy ? strategy : "GreedyVerification", &v->strategy, &perr)) {
        *out_err = strf("unknown verification strategy '%s': %s (GreedyVerification, "
                        "CreativeIntegrity, AuthoritativeIntegrity, ExhaustiveVerification, "
                        "MultipleAttestation[Role, ...], MultipleAttestationGreedy[Role, ...])",
                        strategy, perr);
        goto fail;
    }
    bool exists = false;
    if (keyring_path && keyring_load(keyring_path, &v->ring, &exists, &err)) {
        *out_err = strf("%s", err.message);
        goto fail;
    }
    if (warn && !exists)
        fprintf(warn,
                "corral: warning: %s%s: the keyring is empty, so only invoices signed by "
                "this server's own keys can be accepted\n",
                keyring_path ? keyring_path : "no --keyring given",
                keyring_path ? " does not exist" : "");
    if (warn && v->ring.nignored)
        fprintf(warn, "corral: warning: %s: %zu unknown keys ignored (%s), as Bindle does\n",
                keyring_path, v->ring.nignored, v->ring.ignored);
    /* Bindle trusts every key it signs with. */
    if (signer && keyring_add_secrets(&v->ring, &signer->keys, &err)) {
        *out_err = strf("%s", err.message);
        goto fail;
    }
    return v;
fail:
    store_verifier_free(v);
    return NULL;
}

void store_verifier_free(StoreVerifier *v)
{
    if (!v)
        return;
    keyring_free(&v->ring);
    free(v);
}

int store_verify_invoice(const StoreVerifier *v, const Invoice *inv, char **out_why)
{
    *out_why = NULL;
    Fields f;
    SignError err;
    if (!fields_of(inv, &f)) {
        fields_free(&f);
        *out_why = strf("out of memory");
        return -1;
    }
    SignStatus st = verify_signatures(&v->strategy, &v->ring, &f.subject, f.sigs, f.nsigs, &err);
    fields_free(&f);
    if (st == SIGN_OK)
        return 0;
    *out_why = st == SIGN_ERR_NO_SIGNATURES ? strf("%s", err.message)
                                            : strf("failed signature check: %s", err.message);
    return -1;
}

static char *default_keys_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/')
        return strf("%s/bindle/signing-keys.toml", xdg);
    return strf("%s/.config/bindle/signing-keys.toml", home && *home ? home : ".");
}

StoreSigner *store_signer_new(const char *path, FILE *warn, char **out_err)
{
    *out_err = NULL;
    StoreSigner *s = calloc(1, sizeof *s);
    char *def = path ? NULL : default_keys_path();
    SignError err;
    bool created = false, exists = true;
    if (!s || !sign_init() || (!path && !def)) {
        *out_err = strf("out of memory");
        goto fail;
    }
    secrets_init(&s->keys);
    SignStatus st = path ? secrets_load(path, &s->keys, &exists, &err)
                         : secrets_ensure_host(def, &s->keys, &created, &err);
    if (st) {
        *out_err = strf("%s", err.message);
        goto fail;
    }
    if (!exists) {
        *out_err = strf("the signing keys %s do not exist", path);
        goto fail;
    }
    if (created && warn)
        fprintf(warn, "corral: no --signing-keys given: created %s with a new host key\n", def);
    free(def);
    return s;
fail:
    free(def);
    store_signer_free(s);
    return NULL;
}

void store_signer_free(StoreSigner *s)
{
    if (!s)
        return;
    secrets_free(&s->keys);
    free(s);
}

int store_host_sign(const StoreSigner *s, Invoice *inv, char **out_why)
{
    *out_why = NULL;
    Fields f;
    SignError err;
    SignMade made;
    const SecretKey *key = NULL;
    if (!fields_of(inv, &f)) {
        fields_free(&f);
        *out_why = strf("out of memory");
        return -1;
    }
    SignStatus st = secrets_sign(&s->keys, SIGN_ROLE_HOST, &f.subject, f.sigs, f.nsigs,
                                 (uint64_t)time(NULL), &made, &key, &err);
    fields_free(&f);
    if (st) {
        *out_why = strf("%s", err.message);
        return -1;
    }
    InvSignature add = {key->label, made.signature, made.key, "host", made.at};
    if (!invoice_add_signature(inv, &add)) {
        *out_why = strf("out of memory");
        return -1;
    }
    return 0;
}

json_t *store_host_keyring(const StoreSigner *s)
{
    Keyring kr;
    SignError err;
    json_t *doc = NULL;
    if (keyring_host_keys(&s->keys, &kr, &err) == SIGN_OK)
        doc = json_pack("{s:s, s:[]}", "version", KEYRING_VERSION, "key");
    json_t *arr = doc ? json_object_get(doc, "key") : NULL;
    for (size_t i = 0; arr && i < kr.nkeys; i++) {
        const KeyringEntry *e = &kr.keys[i];
        json_t *entry = json_pack("{s:s, s:[s], s:s, s:s}", "label", e->label, "roles", "host",
                                  "key", e->key, "labelSignature", e->label_signature);
        if (!entry || json_array_append_new(arr, entry) != 0) {
            json_decref(doc);
            doc = NULL;
        }
    }
    keyring_free(&kr);
    return doc;
}
