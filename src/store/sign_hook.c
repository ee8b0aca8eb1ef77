/* sign_hook.c: Bindle signing for the store's server (store_sign_hook.h), an interim
 * implementation to be replaced by sign.c, keyring.c and verify.c. Cleartext as Bindle's
 * code builds it (BINDLE.md 4.3: by, name, version, role, "~", the parcels' digests, joined
 * by '\n', without `at`), Ed25519 with libsodium, keys and signatures in standard base64. */
#include "store/store_sign_hook.h"

#include "util/fs.h"
#include "util/strf.h"
#include "util/toml.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum { ROLE_CREATOR = 1, ROLE_APPROVER = 2, ROLE_HOST = 4, ROLE_PROXY = 8 };

typedef struct Key {
    char *label;
    unsigned roles;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES]; /* signer keys only */
} Key;

typedef struct KeyList {
    Key *keys;
    size_t n;
} KeyList;

struct StoreSigner {
    KeyList keys;
};

struct StoreVerifier {
    KeyList ring;
    unsigned roles;  /* the strategy's target roles */
    bool verify_all; /* check every signature, not only the target roles' */
    bool all_known;  /* every target-role key must be in the keyring */
    bool every_role; /* each target role must have signed */
};

/* ---- small pieces ---- */

static unsigned role_parse(const char *s, size_t n)
{
    static const struct {
        const char *name;
        unsigned role;
    } roles[] = {{"creator", ROLE_CREATOR}, {"approver", ROLE_APPROVER},
                 {"host", ROLE_HOST},       {"proxy", ROLE_PROXY},
                 {"c", ROLE_CREATOR},       {"a", ROLE_APPROVER},
                 {"h", ROLE_HOST},          {"p", ROLE_PROXY}};
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strlen(roles[i].name) == n && strncasecmp(roles[i].name, s, n) == 0)
            return roles[i].role;
    return 0;
}

static bool b64_decode(const char *s, unsigned char *out, size_t want)
{
    size_t got = 0;
    return sodium_base642bin(out, want, s, strlen(s), NULL, &got, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           got == want;
}

static char *b64_encode(const unsigned char *b, size_t n)
{
    size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = malloc(len);
    if (s)
        sodium_bin2base64(s, len, b, n, sodium_base64_VARIANT_ORIGINAL);
    return s;
}

/* Bindle's cleartext for a signature by `by` in role. Owned. */
static char *cleartext(const Invoice *inv, const char *by, const char *role, size_t *out_len)
{
    size_t n = strlen(by) + strlen(inv->name) + strlen(inv->version) + strlen(role) + 6;
    for (size_t i = 0; i < inv->nparcels; i++)
        n += strlen(inv->parcels[i].label.sha256) + 1;
    char *t = malloc(n), *p = t;
    if (!t)
        return NULL;
    p += sprintf(p, "%s\n%s\n%s\n%s\n~", by, inv->name, inv->version, role);
    for (size_t i = 0; i < inv->nparcels; i++)
        p += sprintf(p, "\n%s", inv->parcels[i].label.sha256);
    *out_len = (size_t)(p - t);
    return t;
}

static void keys_free(KeyList *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->keys[i].label);
        sodium_memzero(l->keys[i].sk, sizeof l->keys[i].sk);
    }
    free(l->keys);
    l->keys = NULL;
    l->n = 0;
}

static Key *keys_add(KeyList *l)
{
    Key *k = realloc(l->keys, (l->n + 1) * sizeof *k);
    if (!k)
        return NULL;
    l->keys = k;
    memset(&k[l->n], 0, sizeof k[l->n]);
    return &k[l->n++];
}

static const TomlValue *get(const TomlValue *t, const char *key, TomlKind kind)
{
    const TomlValue *v = toml_table_get(t, key);
    return v && toml_kind(v) == kind ? v : NULL;
}

/* Reads a keyring (secret false: key = base64 public key) or a signing-keys file (secret
 * true: keypair = base64 of the 64-byte secret key) into l. */
static bool read_keys(const char *path, bool secret, KeyList *l, char **out_err)
{
    size_t len = 0;
    char *text = NULL;
    FILE *f = fopen(path, "rb");
    if (f) {
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        text = n >= 0 ? malloc((size_t)n + 1) : NULL;
        len = text ? fread(text, 1, (size_t)n, f) : 0;
        fclose(f);
    }
    if (!text) {
        *out_err = strf("cannot read %s: %s", path, strerror(errno ? errno : ENOMEM));
        return false;
    }
    TomlValue *root = NULL;
    TomlError terr;
    bool ok = toml_parse(text, len, &root, &terr) == TOML_OK;
    sodium_memzero(text, len);
    free(text);
    if (!ok) {
        *out_err = strf("%s:%u: %s", path, (unsigned)terr.line, terr.message);
        return false;
    }
    const TomlValue *keys = toml_table_get(root, "key");
    for (size_t i = 0; ok && i < toml_array_len(keys); i++) {
        const TomlValue *e = toml_array_at(keys, i), *label = get(e, "label", TOML_STRING),
                        *roles = get(e, "roles", TOML_ARRAY),
                        *key = get(e, secret ? "keypair" : "key", TOML_STRING);
        const char *s;
        size_t sl;
        Key *k = keys_add(l);
        if (!k || !label || !key) {
            *out_err =
                strf("%s: key %zu needs a label and a %s", path, i + 1, secret ? "keypair" : "key");
            ok = false;
            break;
        }
        toml_as_string(label, &s, &sl);
        k->label = strndup(s, sl);
        for (size_t r = 0; r < toml_array_len(roles); r++)
            if (toml_as_string(toml_array_at(roles, r), &s, &sl))
                k->roles |= role_parse(s, sl);
        toml_as_string(key, &s, &sl);
        if (secret) {
            ok = b64_decode(s, k->sk, sizeof k->sk);
            memcpy(k->pk, k->sk + 32, 32);
        } else {
            ok = b64_decode(s, k->pk, sizeof k->pk);
        }
        if (!ok)
            *out_err = strf("%s: key '%s' is not base64 of %d bytes", path,
                            k->label ? k->label : "?", secret ? 64 : 32);
    }
    toml_free(root);
    return ok;
}

/* ---- strategies ---- */

/* "MultipleAttestation[Creator, Approver]": the roles between the brackets. */
static bool parse_role_list(const char *s, unsigned *out)
{
    const char *open = strchr(s, '['), *close = strrchr(s, ']');
    if (!open || !close || close < open || close[1] != '\0')
        return false;
    *out = 0;
    for (const char *p = open + 1; p < close;) {
        const char *comma = memchr(p, ',', (size_t)(close - p));
        const char *end = comma ? comma : close;
        unsigned r = role_parse(p, (size_t)(end - p));
        if (!r)
            return false;
        *out |= r;
        p = end + 1;
    }
    return *out != 0;
}

static bool parse_strategy(StoreVerifier *v, const char *s)
{
    static const struct {
        const char *name;
        unsigned roles;
        bool verify_all, all_known, every_role;
    } fixed[] = {
        {"GreedyVerification", ROLE_CREATOR, true, true, true},
        {"CreativeIntegrity", ROLE_CREATOR, false, true, true},
        {"AuthoritativeIntegrity", ROLE_CREATOR | ROLE_APPROVER, false, false, false},
        {"ExhaustiveVerification", ROLE_CREATOR | ROLE_APPROVER | ROLE_HOST | ROLE_PROXY, true,
         true, false},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (!strcasecmp(s, fixed[i].name)) {
            v->roles = fixed[i].roles;
            v->verify_all = fixed[i].verify_all;
            v->all_known = fixed[i].all_known;
            v->every_role = fixed[i].every_role;
            return true;
        }
    bool greedy = !strncasecmp(s, "MultipleAttestationGreedy[", 26);
    if (!greedy && strncasecmp(s, "MultipleAttestation[", 20))
        return false;
    v->verify_all = greedy;
    v->all_known = v->every_role = true;
    return parse_role_list(s, &v->roles);
}

StoreVerifier *store_verifier_new(const char *keyring_path, const char *strategy,
                                  const StoreSigner *signer, FILE *warn, char **out_err)
{
    *out_err = NULL;
    StoreVerifier *v = calloc(1, sizeof *v);
    if (!v || sodium_init() < 0) {
        free(v);
        *out_err = strf("out of memory");
        return NULL;
    }
    if (!parse_strategy(v, strategy ? strategy : "GreedyVerification")) {
        *out_err = strf("unknown verification strategy '%s' (GreedyVerification, "
                        "CreativeIntegrity, AuthoritativeIntegrity, ExhaustiveVerification, "
                        "MultipleAttestation[Role, ...], MultipleAttestationGreedy[Role, ...])",
                        strategy);
        goto fail;
    }
    if (keyring_path && !read_keys(keyring_path, false, &v->ring, out_err))
        goto fail;
    if (!keyring_path && warn)
        fprintf(warn, "corral: warning: no --keyring given: the keyring is empty, so only "
                      "invoices signed by this server's own keys can be accepted\n");
    for (size_t i = 0; signer && i < signer->keys.n; i++) {
        Key *k = keys_add(&v->ring);
        if (!k || !(k->label = strdup(signer->keys.keys[i].label))) {
            *out_err = strf("out of memory");
            goto fail;
        }
        k->roles = signer->keys.keys[i].roles;
        memcpy(k->pk, signer->keys.keys[i].pk, sizeof k->pk);
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
    keys_free(&v->ring);
    free(v);
}

static bool known(const StoreVerifier *v, const unsigned char pk[32])
{
    for (size_t i = 0; i < v->ring.n; i++)
        if (sodium_memcmp(v->ring.keys[i].pk, pk, 32) == 0)
            return true;
    return false;
}

/* Sets *out_why to the message (fmt with by, or the text alone) and returns -1. */
static int reject_by(char **out_why, const char *fmt, const char *by)
{
    *out_why = strf(fmt, by);
    return -1;
}

static int reject(char **out_why, const char *text)
{
    *out_why = strf("%s", text);
    return -1;
}

int store_verify_invoice(const StoreVerifier *v, const Invoice *inv, char **out_why)
{
    *out_why = NULL;
    if (inv->signatures.n == 0)
        return reject(out_why, "No signatures found on invoice. At least one signature is "
                               "required");
    unsigned filled = 0;
    bool any_known = false;
    for (size_t i = 0; i < inv->signatures.n; i++) {
        const InvSignature *s = &inv->signatures.items[i];
        unsigned role = role_parse(s->role, strlen(s->role));
        bool target = (role & v->roles) != 0;
        if (!target && !v->verify_all)
            continue;
        unsigned char pk[32], sig[64];
        if (!b64_decode(s->key, pk, sizeof pk) || !b64_decode(s->signature, sig, sizeof sig))
            return reject_by(out_why,
                             "failed signature check: the key or signature of '%s' is "
                             "not base64 of an Ed25519 key (32 bytes) or signature (64)",
                             s->by);
        size_t len;
        char *text = cleartext(inv, s->by, s->role, &len);
        if (!text)
            return reject(out_why, "out of memory");
        int bad = crypto_sign_verify_detached(sig, (const unsigned char *)text, len, pk);
        free(text);
        if (bad)
            return reject_by(out_why,
                             "failed signature check: the signature of '%s' does not "
                             "verify",
                             s->by);
        if (!target)
            continue;
        if (known(v, pk))
            any_known = true;
        else if (v->all_known)
            return reject_by(out_why,
                             "failed signature check: the key of '%s' is not in the "
                             "keyring",
                             s->by);
        filled |= role;
    }
    if (v->every_role && (filled & v->roles) != v->roles)
        return reject(out_why, "failed signature check: a role the strategy requires has not "
                               "signed");
    if (!any_known)
        return reject(out_why, "failed signature check: no signature by a known key");
    return 0;
}

/* ---- the host's keys ---- */

static char *default_keys_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        return strf("%s/bindle/signing-keys.toml", xdg);
    return strf("%s/.config/bindle/signing-keys.toml", home && *home ? home : ".");
}

/* Writes a new signing-keys file with one host key, mode 0600. */
static bool create_keys_file(const char *path, char **out_err)
{
    unsigned char pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    char *b64 = b64_encode(sk, sizeof sk);
    sodium_memzero(sk, sizeof sk);
    int fd = -1;
    bool ok = b64 && fs_mkdirs_for(path, 0700) &&
              (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >= 0;
    if (ok) {
        char *text = strf("version = \"1.0\"\n\n[[key]]\nlabel = \"Default host key\"\n"
                          "keypair = \"%s\"\nroles = [\"host\"]\n",
                          b64);
        ok = text && write(fd, text, strlen(text)) == (ssize_t)strlen(text) && fsync(fd) == 0;
        if (text) {
            sodium_memzero(text, strlen(text));
            free(text);
        }
    }
    int e = errno;
    if (fd >= 0)
        close(fd);
    if (b64) {
        sodium_memzero(b64, strlen(b64));
        free(b64);
    }
    if (!ok)
        *out_err = strf("cannot create the signing keys %s: %s", path, strerror(e));
    return ok;
}

StoreSigner *store_signer_new(const char *path, FILE *warn, char **out_err)
{
    *out_err = NULL;
    StoreSigner *s = calloc(1, sizeof *s);
    char *def = path ? NULL : default_keys_path();
    if (!s || sodium_init() < 0 || (!path && !def)) {
        *out_err = strf("out of memory");
        goto fail;
    }
    if (!path && access(def, F_OK) != 0) {
        if (!create_keys_file(def, out_err))
            goto fail;
        if (warn)
            fprintf(warn, "corral: no --signing-keys given: created %s with a new host key\n", def);
    }
    if (!read_keys(path ? path : def, true, &s->keys, out_err))
        goto fail;
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
    keys_free(&s->keys);
    free(s);
}

static const Key *host_key(const StoreSigner *s)
{
    for (size_t i = 0; s && i < s->keys.n; i++)
        if (s->keys.keys[i].roles & ROLE_HOST)
            return &s->keys.keys[i];
    return NULL;
}

int store_host_sign(const StoreSigner *s, Invoice *inv, char **out_why)
{
    const Key *k = host_key(s);
    if (!k)
        return reject(out_why, "no suitable key: the server has no signing key with the host "
                               "role");
    char *pk = b64_encode(k->pk, 32);
    if (!pk)
        return reject(out_why, "out of memory");
    for (size_t i = 0; i < inv->signatures.n; i++)
        if (!strcmp(inv->signatures.items[i].key, pk)) {
            free(pk);
            return reject(out_why, "duplicate signature: the host key has signed this invoice "
                                   "already");
        }
    size_t len;
    char *text = cleartext(inv, k->label, "host", &len);
    unsigned char sig[64];
    char *sig64 = NULL;
    if (text) {
        crypto_sign_detached(sig, NULL, (const unsigned char *)text, len, k->sk);
        sig64 = b64_encode(sig, sizeof sig);
    }
    InvSignature add = {k->label, sig64, pk, "host", (uint64_t)time(NULL)};
    bool ok = sig64 && invoice_add_signature(inv, &add);
    free(text);
    free(sig64);
    free(pk);
    return ok ? 0 : reject(out_why, "out of memory");
}

json_t *store_host_keyring(const StoreSigner *s)
{
    json_t *doc = json_pack("{s:s, s:[]}", "version", "1.0", "key");
    json_t *arr = doc ? json_object_get(doc, "key") : NULL;
    for (size_t i = 0; arr && s && i < s->keys.n; i++) {
        const Key *k = &s->keys.keys[i];
        if (!(k->roles & ROLE_HOST))
            continue;
        unsigned char sig[64];
        crypto_sign_detached(sig, NULL, (const unsigned char *)k->label, strlen(k->label), k->sk);
        char *pk = b64_encode(k->pk, 32), *ls = b64_encode(sig, 64);
        json_t *e = pk && ls ? json_pack("{s:s, s:[s], s:s, s:s}", "label", k->label, "roles",
                                         "host", "key", pk, "labelSignature", ls)
                             : NULL;
        free(pk);
        free(ls);
        if (!e || json_array_append_new(arr, e) != 0) {
            json_decref(doc);
            return NULL;
        }
    }
    return doc;
}
