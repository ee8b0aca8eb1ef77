/* bindle_verify.c: an invoice's signatures on the client side: verifying a fetched invoice
 * with a keyring and a strategy (Bindle's client does it on every GET), and signing one
 * before a push. The rules are src/store's (verify.c, sign.c, keyring.c); this only maps an
 * Invoice onto their plain fields. */
#include "bindle/bindle_int.h"

#include "util/strf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The subject and signatures of inv as sign.h wants them; arrays owned (free_fields). */
typedef struct Fields {
    SignSubject subject;
    const char **shas;
    SignSignature *sigs;
    size_t nsigs;
} Fields;

static void free_fields(Fields *f)
{
    free(f->shas);
    free(f->sigs);
}

static BindleStatus make_fields(const Invoice *inv, Fields *f, char **out_err)
{
    *f = (Fields){0};
    f->shas = calloc(inv->nparcels + 1, sizeof *f->shas);
    f->sigs = calloc(inv->signatures.n + 1, sizeof *f->sigs);
    if (!f->shas || !f->sigs) {
        free_fields(f);
        return bindle_fail(out_err, BINDLE_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < inv->nparcels; i++)
        f->shas[i] = inv->parcels[i].label.sha256;
    f->subject = (SignSubject){inv->name, inv->version, f->shas, inv->nparcels};
    for (size_t i = 0; i < inv->signatures.n; i++) {
        const InvSignature *s = &inv->signatures.items[i];
        SignSignature *d = &f->sigs[f->nsigs++];
        *d = (SignSignature){s->by, s->signature, s->key, SIGN_ROLE_CREATOR, s->at};
        /* invoice.c accepts only the four role names, so this cannot fail. */
        sign_role_from_name(s->role, strlen(s->role), &d->role);
    }
    return BINDLE_OK;
}

BindleStatus bindle_invoice_verify(const Invoice *inv, const Keyring *keyring,
                                   const VerifyStrategy *strategy, char **out_err)
{
    VerifyStrategy def = bindle_default_strategy();
    const VerifyStrategy *s = strategy ? strategy : &def;
    Fields f;
    BindleStatus st = make_fields(inv, &f, out_err);
    if (st)
        return st;
    SignError err;
    SignStatus ss = verify_signatures(s, keyring, &f.subject, f.sigs, f.nsigs, &err);
    free_fields(&f);
    if (ss == SIGN_OK)
        return BINDLE_OK;
    if (ss == SIGN_ERR_NOMEM)
        return bindle_fail(out_err, BINDLE_ERR_NOMEM, "out of memory");
    char name[128];
    verify_strategy_format(s, name, sizeof name);
    const char *hint = "";
    if (ss == SIGN_ERR_UNKNOWN_KEY || ss == SIGN_ERR_NO_KNOWN_KEY || ss == SIGN_ERR_MISSING_ROLE)
        hint = keyring->nkeys == 0
                   ? " (the keyring is empty: `corral keys fetch` adds the server's host keys, "
                     "`corral keys add` someone else's)"
                   : " (`corral keys fetch` adds the server's host keys, `corral keys add` "
                     "someone else's)";
    return bindle_fail(out_err, BINDLE_ERR_SIGNATURE,
                       "bindle %s/%s: refused by verification strategy %s: %s%s", inv->name,
                       inv->version, name, err.message, hint);
}

BindleStatus bindle_invoice_sign(Invoice *inv, const SecretKeyFile *secrets, SignRole role,
                                 const char *label, const SecretKey **out_key, char **out_err)
{
    const SecretKey *key =
        secrets_first_matching(secrets, role, label ? SECRET_MATCH_FULL : SECRET_MATCH_ANY, label);
    if (!key)
        return bindle_fail(out_err, BINDLE_ERR_SIGNATURE,
                           "no secret key with the %s role%s%s%s to sign with",
                           sign_role_name(role), label ? " and the label '" : "",
                           label ? label : "", label ? "'" : "");
    Fields f;
    BindleStatus st = make_fields(inv, &f, out_err);
    if (st)
        return st;
    uint8_t sk[SIGN_SECRET_KEY_SIZE];
    SignError err;
    SignMade made;
    SignStatus ss = secrets_keypair(key, sk, &err);
    if (ss == SIGN_OK)
        ss = sign_subject(sk, key->label, role, &f.subject, f.sigs, f.nsigs, (uint64_t)time(NULL),
                          &made, &err);
    sodium_memzero(sk, sizeof sk);
    free_fields(&f);
    if (ss != SIGN_OK)
        return bindle_fail(out_err, ss == SIGN_ERR_NOMEM ? BINDLE_ERR_NOMEM : BINDLE_ERR_SIGNATURE,
                           "signing bindle %s/%s: %s", inv->name, inv->version, err.message);
    InvSignature sig = {(char *)key->label, made.signature, made.key, (char *)sign_role_name(role),
                        made.at};
    if (!invoice_add_signature(inv, &sig))
        return bindle_fail(out_err, BINDLE_ERR_NOMEM, "out of memory");
    if (out_key)
        *out_key = key;
    return BINDLE_OK;
}
