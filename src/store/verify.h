/* verify.h: Bindle 0.9.1's verification strategies (src/invoice/verification.rs): parsing
 * them as its server's --strategy flag does, and checking an invoice's signatures against a
 * keyring with exactly its rules. Plain fields in (the signatures, the name, version and
 * parcel digests they sign), a status and a message naming the failing signature out. */
#ifndef CORRAL_VERIFY_H
#define CORRAL_VERIFY_H

#include "store/keyring.h"
#include "store/sign.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum VerifyKind {
    VERIFY_GREEDY,                      /* GreedyVerification, the default */
    VERIFY_CREATIVE_INTEGRITY,          /* CreativeIntegrity */
    VERIFY_AUTHORITATIVE_INTEGRITY,     /* AuthoritativeIntegrity */
    VERIFY_EXHAUSTIVE,                  /* ExhaustiveVerification */
    VERIFY_MULTIPLE_ATTESTATION,        /* MultipleAttestation[roles] */
    VERIFY_MULTIPLE_ATTESTATION_GREEDY, /* MultipleAttestationGreedy[roles] */
} VerifyKind;

/* A strategy: its kind and the roles it checks, in order, each once (fixed by the kind, or
 * given in brackets for the two MultipleAttestation kinds). */
typedef struct VerifyStrategy {
    VerifyKind kind;
    SignRole roles[SIGN_NROLES];
    size_t nroles;
} VerifyStrategy;

/* GreedyVerification. */
VerifyStrategy verify_default(void);

/* Parses a strategy as Bindle's VerificationStrategy::from_str: white space around it
 * trimmed, any case ("greedyverification", "GREEDYVERIFICATION"), the two attestation kinds
 * with a bracketed, comma-separated role list ("MultipleAttestation[Creator, Approver]",
 * roles as sign_role_parse reads them, shorthands included). Bindle's quirks are kept: text
 * after a '[' is ignored for the four fixed kinds ("GreedyVerification[x" is greedy), and
 * any number of closing brackets end a list. On failure returns false and sets *out_err to
 * Bindle's message ("Unknown verification strategy", "Missing closing ']' on roles" ...). */
bool verify_strategy_parse(const char *text, VerifyStrategy *out, const char **out_err);

/* Writes the strategy's name as verify_strategy_parse reads it back ("GreedyVerification",
 * "MultipleAttestation[Creator, Approver]") into buf (always NUL-terminated when size > 0). */
void verify_strategy_format(const VerifyStrategy *s, char *buf, size_t size);

/* Checks sigs[0..nsigs) of the invoice described by subject against keyring, by strategy s,
 * as Bindle's VerificationStrategy::verify does, in signature order, stopping at the first
 * failure:
 *   - no signatures at all: SIGN_ERR_NO_SIGNATURES;
 *   - a signature is checked when its role is one the strategy checks, or always for the
 *     strategies that verify every signature (GreedyVerification, ExhaustiveVerification,
 *     MultipleAttestationGreedy); a checked signature must decode (SIGN_ERR_CORRUPT_KEY,
 *     SIGN_ERR_CORRUPT_SIGNATURE) and verify (SIGN_ERR_BAD_SIGNATURE);
 *   - its key must then be in the keyring (SIGN_ERR_UNKNOWN_KEY), except under
 *     AuthoritativeIntegrity; under CreativeIntegrity and MultipleAttestation only the
 *     signatures of checked roles count, under the three verify-all strategies every one;
 *   - at least one checked signature must have a known key (SIGN_ERR_NO_KNOWN_KEY);
 *   - GreedyVerification, CreativeIntegrity and both MultipleAttestations need a verified
 *     signature for each role they check (SIGN_ERR_MISSING_ROLE).
 * SIGN_OK when the invoice passes. err (may be NULL) names the failing signature. */
__attribute__((warn_unused_result)) SignStatus
verify_signatures(const VerifyStrategy *s, const Keyring *keyring, const SignSubject *subject,
                  const SignSignature *sigs, size_t nsigs, SignError *err);

#endif
