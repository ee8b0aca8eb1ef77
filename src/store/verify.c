/* verify.c: Bindle's verification strategies (verify.h). The table below is the single
 * statement of what each strategy checks; verify_signatures is Bindle's loop over it, step
 * for step, so that an invoice Bindle accepts Corral accepts and one it refuses Corral
 * refuses, for the same reason. */
#include "store/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each strategy: its name (what parse reads, lower-cased), whether it takes a role list,
 * its fixed roles, and Bindle's three flags:
 *   all_valid     verify every signature, not only those of checked roles;
 *   all_verified  every verified signature (of a checked role, or every one with
 *                 all_valid) must have a key in the keyring;
 *   all_roles     each checked role needs at least one verified signature. */
static const struct {
    const char *name;
    bool takes_roles;
    unsigned fixed_roles; /* bit per SignRole */
    bool all_valid, all_verified, all_roles;
} strategies[] = {
#define R(role) (1u << SIGN_ROLE_##role)
    [VERIFY_GREEDY] = {"GreedyVerification", false, R(CREATOR), true, true, true},
    [VERIFY_CREATIVE_INTEGRITY] = {"CreativeIntegrity", false, R(CREATOR), false, true, true},
    [VERIFY_AUTHORITATIVE_INTEGRITY] = {"AuthoritativeIntegrity", false, R(CREATOR) | R(APPROVER),
                                        false, false, false},
    [VERIFY_EXHAUSTIVE] = {"ExhaustiveVerification", false,
                           R(CREATOR) | R(APPROVER) | R(HOST) | R(PROXY), true, true, false},
    [VERIFY_MULTIPLE_ATTESTATION] = {"MultipleAttestation", true, 0, false, true, true},
    [VERIFY_MULTIPLE_ATTESTATION_GREEDY] = {"MultipleAttestationGreedy", true, 0, true, true, true},
#undef R
};

enum { NSTRATEGIES = sizeof strategies / sizeof strategies[0] };

/* The roles in Bindle's constant lists, in their order: creator, approver, host, proxy. */
static void set_fixed_roles(VerifyStrategy *s)
{
    static const SignRole order[SIGN_NROLES] = {SIGN_ROLE_CREATOR, SIGN_ROLE_APPROVER,
                                                SIGN_ROLE_HOST, SIGN_ROLE_PROXY};
    s->nroles = 0;
    for (int i = 0; i < SIGN_NROLES; i++)
        if (strategies[s->kind].fixed_roles & (1u << order[i]))
            s->roles[s->nroles++] = order[i];
}

VerifyStrategy verify_default(void)
{
    VerifyStrategy s = {.kind = VERIFY_GREEDY};
    set_fixed_roles(&s);
    return s;
}

static bool name_is(const char *text, size_t len, const char *name)
{
    if (strlen(name) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        char n = name[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (n >= 'A' && n <= 'Z')
            n = (char)(n - 'A' + 'a');
        if (c != n)
            return false;
    }
    return true;
}

/* Bindle's parse_roles on what follows the '[': it must end with ']'; every trailing ']'
 * goes, then each comma-separated item is a role. Duplicates are dropped (Bindle keeps
 * them; they change nothing). */
static bool parse_role_list(const char *list, size_t len, VerifyStrategy *out, const char **out_err)
{
    if (len == 0 || list[len - 1] != ']') {
        *out_err = "Missing closing ']' on roles";
        return false;
    }
    while (len > 0 && list[len - 1] == ']')
        len--;
    out->nroles = 0;
    size_t start = 0;
    for (;;) {
        size_t end = start;
        while (end < len && list[end] != ',')
            end++;
        SignRole role;
        if (!sign_role_parse(list + start, end - start, &role)) {
            *out_err = "Invalid SignatureRole, should be one of: Creator, Proxy, Host, Approver";
            return false;
        }
        bool seen = false;
        for (size_t i = 0; i < out->nroles; i++)
            seen |= out->roles[i] == role;
        if (!seen)
            out->roles[out->nroles++] = role;
        if (end == len)
            return true;
        start = end + 1;
    }
}

bool verify_strategy_parse(const char *text, VerifyStrategy *out, const char **out_err)
{
    if (!text[0]) { /* Bindle checks before trimming: "  " is an unknown strategy instead */
        *out_err = "Cannot parse VerificationStrategy from an empty string";
        return false;
    }
    size_t start, end;
    sign_trim(text, strlen(text), &start, &end);
    const char *s = text + start;
    size_t len = end - start;
    const char *bracket = memchr(s, '[', len);
    size_t name_len = bracket ? (size_t)(bracket - s) : len;
    for (int k = 0; k < NSTRATEGIES; k++) {
        if (!name_is(s, name_len, strategies[k].name))
            continue;
        VerifyStrategy v = {.kind = (VerifyKind)k};
        if (!strategies[k].takes_roles) {
            set_fixed_roles(&v);
        } else if (!bracket) {
            *out_err = "Multiple attestation strategy is missing roles";
            return false;
        } else if (!parse_role_list(bracket + 1, len - name_len - 1, &v, out_err)) {
            return false;
        }
        *out = v;
        return true;
    }
    *out_err = "Unknown verification strategy";
    return false;
}

void verify_strategy_format(const VerifyStrategy *s, char *buf, size_t size)
{
    static const char *const titles[SIGN_NROLES] = {
        [SIGN_ROLE_CREATOR] = "Creator",
        [SIGN_ROLE_APPROVER] = "Approver",
        [SIGN_ROLE_HOST] = "Host",
        [SIGN_ROLE_PROXY] = "Proxy",
    };
    if (size == 0)
        return;
    int n = snprintf(buf, size, "%s", strategies[s->kind].name);
    if (!strategies[s->kind].takes_roles)
        return;
    for (size_t i = 0; i < s->nroles && n >= 0 && (size_t)n < size; i++)
        n += snprintf(buf + n, size - (size_t)n, "%s%s", i ? ", " : "[", titles[s->roles[i]]);
    if (n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "]");
}

static bool checks_role(const VerifyStrategy *s, SignRole role)
{
    for (size_t i = 0; i < s->nroles; i++)
        if (s->roles[i] == role)
            return true;
    return false;
}

/* "signature 2 (by "Alice <a@x>", approver, key AbC...=)": how messages name one. */
static void describe(const SignSignature *sig, size_t index, char *buf, size_t size)
{
    char by[140], key[64];
    sign_quote(sig->by, 100, by, sizeof by);
    sign_quote(sig->key, 48, key, sizeof key);
    snprintf(buf, size, "signature %zu (by \"%s\", %s, key %s)", index + 1, by,
             sign_role_name(sig->role), key);
}

/* Bindle's verify_signature, in its order: the key's base64, the signature's base64, the key
 * as a point, the signature's length and the top bits of its S (ed25519 1.5's
 * Signature::from_bytes), then the signature over the cleartext of this signer and role. */
static SignStatus check_one(const SignSignature *sig, size_t index, const SignSubject *subject,
                            uint8_t pk[SIGN_PUBLIC_KEY_SIZE], SignError *err)
{
    char who[300];
    uint8_t raw[SIGN_SIGNATURE_SIZE];
    size_t key_len, sig_len;
    describe(sig, index, who, sizeof who);
    if (!sign_b64_measure(sig->key, &key_len))
        return sign_fail(err, SIGN_ERR_CORRUPT_KEY, index, "%s: key is corrupt: not base64", who);
    if (!sign_b64_measure(sig->signature, &sig_len))
        return sign_fail(err, SIGN_ERR_CORRUPT_SIGNATURE, index,
                         "%s: signature block is corrupt: not base64", who);
    if (key_len != SIGN_PUBLIC_KEY_SIZE || !sign_public_key_decode(sig->key, pk))
        return sign_fail(err, SIGN_ERR_CORRUPT_KEY, index,
                         "%s: key is corrupt: %zu bytes that are not an Ed25519 public key", who,
                         key_len);
    if (sig_len != SIGN_SIGNATURE_SIZE || !sign_b64_decode(sig->signature, raw, sizeof raw) ||
        (raw[63] & 0xe0))
        return sign_fail(
            err, SIGN_ERR_CORRUPT_SIGNATURE, index, "%s: signature block is corrupt: %s", who,
            sig_len != SIGN_SIGNATURE_SIZE ? "not 64 bytes" : "its S has a top bit set");
    char *text = sign_cleartext(sig->by, subject->name, subject->version, sig->role,
                                subject->parcel_shas, subject->nparcels);
    if (!text)
        return sign_fail(err, SIGN_ERR_NOMEM, index, "out of memory");
    bool ok = sign_verify_detached(pk, raw, text, strlen(text));
    free(text);
    if (!ok)
        return sign_fail(err, SIGN_ERR_BAD_SIGNATURE, index,
                         "%s cannot be verified: it is not that key's signature of this "
                         "invoice's name, version and parcels",
                         who);
    return SIGN_OK;
}

SignStatus verify_signatures(const VerifyStrategy *s, const Keyring *keyring,
                             const SignSubject *subject, const SignSignature *sigs, size_t nsigs,
                             SignError *err)
{
    char name[80];
    verify_strategy_format(s, name, sizeof name);
    if (nsigs == 0)
        return sign_fail(err, SIGN_ERR_NO_SIGNATURES, SIZE_MAX,
                         "No signatures found on invoice. At least one signature is required");
    if (!sign_init())
        return sign_fail(err, SIGN_ERR_NOMEM, SIZE_MAX, "libsodium failed to start");
    bool all_valid = strategies[s->kind].all_valid;
    bool all_verified = strategies[s->kind].all_verified;
    bool all_roles = strategies[s->kind].all_roles;
    bool known_key = false;
    unsigned filled = 0; /* bit per role with a verified signature */
    for (size_t i = 0; i < nsigs; i++) {
        bool target = checks_role(s, sigs[i].role);
        if (!all_valid && !target)
            continue;
        uint8_t pk[SIGN_PUBLIC_KEY_SIZE];
        SignStatus st = check_one(&sigs[i], i, subject, pk, err);
        if (st)
            return st;
        if (!target && !all_verified)
            continue; /* cannot happen with Bindle's table (all_valid implies all_verified) */
        if (all_roles)
            filled |= 1u << sigs[i].role;
        if (keyring_contains(keyring, pk)) {
            known_key = true;
        } else if (all_verified) {
            char who[300];
            describe(&sigs[i], i, who, sizeof who);
            return sign_fail(err, SIGN_ERR_UNKNOWN_KEY, i,
                             "%s: the key is not in the keyring, and strategy %s requires "
                             "every signature it verifies to be made with a known key",
                             who, name);
        }
    }
    if (!known_key)
        return sign_fail(err, SIGN_ERR_NO_KNOWN_KEY, SIZE_MAX,
                         "none of the signatures are made with a known key (strategy %s)", name);
    for (size_t r = 0; all_roles && r < s->nroles; r++)
        if (!(filled & (1u << s->roles[r])))
            return sign_fail(err, SIGN_ERR_MISSING_ROLE, SIZE_MAX,
                             "No signature found for role %s, which strategy %s requires",
                             sign_role_name(s->roles[r]), name);
    return SIGN_OK;
}
