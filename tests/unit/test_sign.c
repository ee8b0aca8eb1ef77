/* test_sign.c: src/store/sign.c and verify.c: golden vectors made with python3-nacl (the
 * cleartext's bytes, the keys, the signatures), base64, roles, libsodium's strictness
 * (non-canonical S, small-order keys, points that do not decode), signing with duplicate
 * detection, strategy parsing, and every verification strategy against good and bad
 * signature sets, with the outcome Bindle 0.9.1's code gives for each. */
#include "store/keyring.h"
#include "store/sign.h"
#include "store/verify.h"
#include "unit.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

/* ---- golden vectors: tests/keys/nacl_tool.py golden prints them with python3-nacl ---- */

static const char *const gold_shas[] = {
    "3205d7da67d79b9098394e65b1b4ba2d63f42cfcd0fa278bd1d6423f078fc2b1", /* sha256 "parcel one" */
    "154ea32be1c31c9f392a88964e31ae99b4a5f42ddf26df1bc8a5afc881c2385d", /* sha256 "parcel two" */
};
/* Seed 00 01 .. 1f. */
static const char gold_a_pk[] = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
static const char gold_a_kp[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8DoQe/884Qvh1w3RjnS8CZ"
                                "Z+TWMJulDV8d3IZkElUxuA==";
static const char gold_a_cleartext[] =
    "Alice <alice@example.com>\nexample.com/hello\n1.0.0\ncreator\n~\n"
    "3205d7da67d79b9098394e65b1b4ba2d63f42cfcd0fa278bd1d6423f078fc2b1\n"
    "154ea32be1c31c9f392a88964e31ae99b4a5f42ddf26df1bc8a5afc881c2385d";
static const char gold_a_sig[] = "gPh122gAvj+aoB9RNAzAX+fs9kA5LB0S6yaG1TGJQXfEL25JdegGS6b/mzd4Ob4b"
                                 "PuA4kvlpf5DUf9YeDMBnBA==";
/* The same key as approver of a/b/c 0.1.0-rc.1+build.5 without parcels. */
static const char gold_a2_cleartext[] =
    "Alice <alice@example.com>\na/b/c\n0.1.0-rc.1+build.5\napprover\n~";
static const char gold_a2_sig[] = "wblEbjakjCurHn+WC8H4hXx2UaC3Rr+XrP/CEgC/Wm5o70xCT6wIP0Sa1YvkofQd"
                                  "zL6FrO2JQMYnNCJk9DWQDw==";
/* Seed 20 21 .. 3f, as host. */
static const char gold_b_pk[] = "Kay64UG8yvCyLhqU000LxzYeUm0L/hLIl5S8kyKWbdc=";
static const char gold_b_kp[] = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8prLrhQbzK8LIuGpTTTQvH"
                                "Nh5SbQv+EsiXlLyTIpZt1w==";
static const char gold_b_sig[] = "IVEUxESTanjy5f1sJT/vXWwvauKGHVXSpSb8K7XNyZsCXVKqTkX8hDFeRO4vD7Vc"
                                 "oMUP4kJlqVLrmdrOLBwkDg==";

static void test_golden(void)
{
    char *ct = sign_cleartext("Alice <alice@example.com>", "example.com/hello", "1.0.0",
                              SIGN_ROLE_CREATOR, gold_shas, 2);
    CHECK(ct && !strcmp(ct, gold_a_cleartext), "cleartext: by, name, version, role, ~, shas");
    uint8_t sk[64], pk[32], sig[64];
    CHECK(sign_keypair_decode(gold_a_kp, sk), "golden keypair decodes");
    CHECK(sign_public_key_decode(gold_a_pk, pk) && !memcmp(pk, sk + 32, 32),
          "its public half is the golden public key");
    char b64[SIGN_SIG_B64_SIZE];
    sign_detached(sk, ct, strlen(ct), sig);
    sign_b64_encode(sig, 64, b64, sizeof b64);
    CHECK(!strcmp(b64, gold_a_sig), "Corral's signature is python3-nacl's, byte for byte");
    CHECK(sign_verify_detached(pk, sig, ct, strlen(ct)), "and verifies");
    free(ct);

    ct = sign_cleartext("Alice <alice@example.com>", "a/b/c", "0.1.0-rc.1+build.5",
                        SIGN_ROLE_APPROVER, NULL, 0);
    CHECK(ct && !strcmp(ct, gold_a2_cleartext), "cleartext without parcels ends with ~");
    CHECK(sign_b64_decode(gold_a2_sig, sig, 64) && sign_verify_detached(pk, sig, ct, strlen(ct)),
          "python3-nacl's approver signature verifies");
    sig[10] ^= 1;
    CHECK(!sign_verify_detached(pk, sig, ct, strlen(ct)), "one bit flipped: refused");
    free(ct);

    ct = sign_cleartext("Bob Host", "example.com/hello", "1.0.0", SIGN_ROLE_HOST, gold_shas, 2);
    CHECK(sign_keypair_decode(gold_b_kp, sk) && sign_public_key_decode(gold_b_pk, pk),
          "second golden key");
    CHECK(sign_b64_decode(gold_b_sig, sig, 64) && sign_verify_detached(pk, sig, ct, strlen(ct)),
          "python3-nacl's host signature verifies");
    CHECK(!sign_verify_detached(pk, sig, gold_a_cleartext, strlen(gold_a_cleartext)),
          "not over another cleartext");
    free(ct);
}

static void test_base64(void)
{
    uint8_t b[64], pk[32];
    size_t n;
    char out[SIGN_KEY_B64_SIZE];
    for (int i = 0; i < 32; i++)
        b[i] = (uint8_t)(i * 7);
    sign_b64_encode(b, 32, out, sizeof out);
    CHECK(strlen(out) == 44 && out[43] == '=', "32 bytes: 44 characters, one '='");
    CHECK(sign_b64_decode(out, pk, 32) && !memcmp(pk, b, 32), "round trip");
    out[43] = '\0';
    CHECK(sign_b64_decode(out, pk, 32) && !memcmp(pk, b, 32), "without padding, as base64 0.13");
    CHECK(!sign_b64_decode("A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg==", pk, 32),
          "too much padding");
    CHECK(!sign_b64_decode("A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbh=", pk, 32),
          "stray bits in the last character");
    CHECK(!sign_b64_decode(" A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=", pk, 32), "white space");
    CHECK(!sign_b64_decode("A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=", pk, 32),
          "the URL-safe alphabet is not standard base64");
    CHECK(!sign_b64_decode("AAAA", pk, 32), "3 bytes are not 32");
    CHECK(!sign_b64_decode(gold_a_kp, pk, 32), "64 bytes are not 32");
    CHECK(!sign_b64_decode("", pk, 32), "empty");
    CHECK(sign_b64_measure("", &n) && n == 0, "measure: empty is 0 bytes");
    CHECK(sign_b64_measure(gold_a_kp, &n) && n == 64, "measure: a keypair is 64 bytes");
    CHECK(!sign_b64_measure("a!b=", &n), "measure: not base64");
}

static void test_roles(void)
{
    SignRole r;
    static const struct {
        const char *text;
        bool ok;
        SignRole role;
    } cases[] = {
        {"creator", true, SIGN_ROLE_CREATOR},
        {"Creator", true, SIGN_ROLE_CREATOR},
        {"CrEaToR", true, SIGN_ROLE_CREATOR},
        {"  ProxY ", true, SIGN_ROLE_PROXY},
        {"c", true, SIGN_ROLE_CREATOR},
        {"A", true, SIGN_ROLE_APPROVER},
        {"h", true, SIGN_ROLE_HOST},
        {"P", true, SIGN_ROLE_PROXY},
        {"\thost\n", true, SIGN_ROLE_HOST},
        {"\xc2\xa0host\xe3\x80\x80", true, SIGN_ROLE_HOST},
        {"yipyipyip", false, 0},
        {"", false, 0},
        {"cr", false, 0},
        {"creators", false, 0},
        {"x", false, 0},
        {"pro xy", false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool ok = sign_role_parse(cases[i].text, strlen(cases[i].text), &r);
        char what[80];
        snprintf(what, sizeof what, "role parse '%s'", cases[i].text);
        CHECK(ok == cases[i].ok && (!ok || r == cases[i].role), what);
    }
    CHECK(sign_role_from_name("approver", 8, &r) && r == SIGN_ROLE_APPROVER, "file name exact");
    CHECK(!sign_role_from_name("Approver", 8, &r), "files: no other case (serde)");
    CHECK(!sign_role_from_name("a", 1, &r), "files: no shorthand");
    CHECK(!strcmp(sign_role_name(SIGN_ROLE_PROXY), "proxy"), "role name");

    SignRole *roles;
    size_t n;
    SignError err;
    CHECK(sign_roles_parse("creator,approver", &roles, &n, &err) == SIGN_OK && n == 2 &&
              roles[0] == SIGN_ROLE_CREATOR && roles[1] == SIGN_ROLE_APPROVER,
          "role list");
    free(roles);
    CHECK(sign_roles_parse("c, A,h,h", &roles, &n, &err) == SIGN_OK && n == 4 &&
              roles[3] == SIGN_ROLE_HOST,
          "role list: shorthands, spaces, duplicates kept");
    free(roles);
    CHECK(sign_roles_parse("creator,,host", &roles, &n, &err) == SIGN_ERR_FILE &&
              strstr(err.message, "Invalid SignatureRole"),
          "role list: an empty item is an error");
    CHECK(sign_roles_parse("", &roles, &n, &err) == SIGN_ERR_FILE, "role list: empty");
    CHECK(sign_roles_parse("creator,boss", &roles, &n, &err) == SIGN_ERR_FILE &&
              strstr(err.message, "\"boss\""),
          "role list: the bad item is named");
}

/* 256-bit little-endian a += b. */
static void add256(uint8_t a[32], const uint8_t b[32])
{
    unsigned carry = 0;
    for (int i = 0; i < 32; i++) {
        carry += (unsigned)a[i] + b[i];
        a[i] = (uint8_t)carry;
        carry >>= 8;
    }
}

/* The group order L, little-endian. */
static const uint8_t order_l[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};

/* What ed25519-dalek's verify_strict refuses beyond a wrong signature, and libsodium too. */
static void test_strictness(void)
{
    uint8_t sk[64], pk[32], sig[64];
    sign_keypair_decode(gold_a_kp, sk);
    sign_keypair_public(sk, pk);
    const char *msg = gold_a_cleartext;
    sign_detached(sk, msg, strlen(msg), sig);
    CHECK(sign_verify_detached(pk, sig, msg, strlen(msg)), "a good signature");

    /* S + L: the same scalar mod L, which a lax verifier reduces and accepts. */
    uint8_t mall[64];
    memcpy(mall, sig, 64);
    add256(mall + 32, order_l);
    CHECK((mall[63] & 0xe0) == 0, "S + L keeps the top three bits clear (not the cheap check)");
    CHECK(!sign_verify_detached(pk, mall, msg, strlen(msg)), "non-canonical S (S + L) refused");

    /* The identity as public key: [s]B = R + [k]A holds for any message when A is the
     * identity and R = [s]B, so a cofactorless verifier without the small-order check
     * accepts this "signature" of anything. */
    uint8_t ident[32] = {1};
    uint8_t one[32] = {1}, forged[64];
    CHECK(sign_point_decodes(ident), "the identity decodes (dalek's from_bytes accepts it)");
    crypto_scalarmult_ed25519_base_noclamp(forged, one);
    memcpy(forged + 32, one, 32);
    CHECK(!sign_verify_detached(ident, forged, msg, strlen(msg)),
          "small-order public key (identity) refused");
    /* A small-order R (the identity) with the real key. */
    uint8_t small_r[64];
    memcpy(small_r, sig, 64);
    memset(small_r, 0, 32);
    small_r[0] = 1;
    CHECK(!sign_verify_detached(pk, small_r, msg, strlen(msg)), "small-order R refused");

    uint8_t y2[32] = {2};
    CHECK(!sign_point_decodes(y2), "y = 2 is not on the curve");
    uint8_t noncanon[32];
    memset(noncanon, 0xff, 32);
    noncanon[0] = 0xee; /* y = p + 1 ... the identity, encoded with y >= p */
    noncanon[31] = 0x7f;
    CHECK(sign_point_decodes(noncanon), "a non-canonical y decodes, as in dalek");
    CHECK(!sign_verify_detached(noncanon, forged, msg, strlen(msg)),
          "but verification refuses it as a key");
}

static void test_keypairs(void)
{
    uint8_t sk[64], sk2[64];
    char b64[SIGN_KEYPAIR_B64_SIZE];
    CHECK(sign_keypair_generate(sk), "generate");
    sign_b64_encode(sk, 64, b64, sizeof b64);
    CHECK(strlen(b64) == 88 && sign_keypair_decode(b64, sk2) && !memcmp(sk, sk2, 64),
          "a generated keypair: seed || public, 88 base64 characters, decodes");
    sk[40] ^= 1;
    sign_b64_encode(sk, 64, b64, sizeof b64);
    CHECK(!sign_keypair_decode(b64, sk2), "a public half that is not the seed's: refused");
    CHECK(!sign_keypair_decode(gold_a_pk, sk2), "32 bytes are not a keypair");
    CHECK(!sign_keypair_decode("!!", sk2), "not base64");
}

static const SignSubject gold_subject = {"example.com/hello", "1.0.0", gold_shas, 2};

static void test_sign_subject(void)
{
    uint8_t sk[64], skb[64];
    sign_keypair_decode(gold_a_kp, sk);
    sign_keypair_decode(gold_b_kp, skb);
    SignMade made;
    SignError err;
    CHECK(sign_subject(sk, "Alice <alice@example.com>", SIGN_ROLE_CREATOR, &gold_subject, NULL, 0,
                       1611960337, &made, &err) == SIGN_OK,
          "sign");
    CHECK(!strcmp(made.signature, gold_a_sig) && !strcmp(made.key, gold_a_pk) &&
              made.role == SIGN_ROLE_CREATOR && made.at == 1611960337,
          "sign_subject gives the golden signature and key");
    SignSignature existing[2] = {
        {"Bob Host", gold_b_sig, gold_b_pk, SIGN_ROLE_HOST, 1},
        {"Alice", made.signature, made.key, SIGN_ROLE_CREATOR, 2},
    };
    CHECK(sign_subject(sk, "Alice <alice@example.com>", SIGN_ROLE_APPROVER, &gold_subject, existing,
                       2, 3, &made, &err) == SIGN_ERR_DUPLICATE_SIGNATURE &&
              err.index == 1 && strstr(err.message, "signature 2"),
          "the same key again, as another role: DuplicateSignature, naming signature 2");
    char unpadded[SIGN_KEY_B64_SIZE];
    snprintf(unpadded, sizeof unpadded, "%.43s", gold_a_pk);
    existing[1].key = unpadded;
    CHECK(sign_subject(sk, "A", SIGN_ROLE_CREATOR, &gold_subject, existing, 2, 3, &made, &err) ==
              SIGN_ERR_DUPLICATE_SIGNATURE,
          "duplicate found by bytes, whatever the base64 spelling");
    existing[1].key = "garbage";
    CHECK(sign_subject(sk, "A", SIGN_ROLE_CREATOR, &gold_subject, existing, 2, 3, &made, &err) ==
              SIGN_OK,
          "another key: fine");
    CHECK(sign_subject(skb, "Bob Host", SIGN_ROLE_HOST, &gold_subject, existing, 1, 3, &made,
                       &err) == SIGN_ERR_DUPLICATE_SIGNATURE &&
              err.index == 0,
          "the host signing twice: DuplicateSignature");
}

static void test_strategy_parse(void)
{
    static const struct {
        const char *text;
        bool ok;
        VerifyKind kind;
        const char *format; /* verify_strategy_format, or the error */
    } cases[] = {
        {"GreedyVerification", true, VERIFY_GREEDY, "GreedyVerification"},
        {"greedyverification", true, VERIFY_GREEDY, "GreedyVerification"},
        {"  GREEDYVERIFICATION\n", true, VERIFY_GREEDY, "GreedyVerification"},
        {"CreativeIntegrity", true, VERIFY_CREATIVE_INTEGRITY, "CreativeIntegrity"},
        {"AuthoritativeIntegrity", true, VERIFY_AUTHORITATIVE_INTEGRITY, "AuthoritativeIntegrity"},
        {"ExhaustiveVerification", true, VERIFY_EXHAUSTIVE, "ExhaustiveVerification"},
        {"MultipleAttestation[Creator, Host, Approver]", true, VERIFY_MULTIPLE_ATTESTATION,
         "MultipleAttestation[Creator, Host, Approver]"},
        {"MultipleAttestationGreedy[Creator, Host, Approver]", true,
         VERIFY_MULTIPLE_ATTESTATION_GREEDY, "MultipleAttestationGreedy[Creator, Host, Approver]"},
        {"multipleattestation[c,a]", true, VERIFY_MULTIPLE_ATTESTATION,
         "MultipleAttestation[Creator, Approver]"},
        {"MultipleAttestation[proxy, proxy]", true, VERIFY_MULTIPLE_ATTESTATION,
         "MultipleAttestation[Proxy]"},
        {"MultipleAttestation[creator]]]", true, VERIFY_MULTIPLE_ATTESTATION,
         "MultipleAttestation[Creator]"},
        {"GreedyVerification[whatever", true, VERIFY_GREEDY, "GreedyVerification"},
        {"", false, 0, "Cannot parse VerificationStrategy from an empty string"},
        {"   ", false, 0, "Unknown verification strategy"},
        {"NotReal", false, 0, "Unknown verification strategy"},
        {"Greedy Verification", false, 0, "Unknown verification strategy"},
        {"Multiple Attestation[Creator]", false, 0, "Unknown verification strategy"},
        {"MultipleAttestation [Creator]", false, 0, "Unknown verification strategy"},
        {"MultipleAttestation", false, 0, "Multiple attestation strategy is missing roles"},
        {"MultipleAttestationGreedy", false, 0, "Multiple attestation strategy is missing roles"},
        {"MultipleAttestation[Creator", false, 0, "Missing closing ']' on roles"},
        {"MultipleAttestation[Creator, Boss]", false, 0,
         "Invalid SignatureRole, should be one of: Creator, Proxy, Host, Approver"},
        {"MultipleAttestation[]", false, 0,
         "Invalid SignatureRole, should be one of: Creator, Proxy, Host, Approver"},
        {"MultipleAttestation[creator,]", false, 0,
         "Invalid SignatureRole, should be one of: Creator, Proxy, Host, Approver"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        VerifyStrategy s;
        const char *err = NULL;
        bool ok = verify_strategy_parse(cases[i].text, &s, &err);
        char what[120], name[80] = "";
        if (ok)
            verify_strategy_format(&s, name, sizeof name);
        snprintf(what, sizeof what, "strategy '%s'", cases[i].text);
        CHECK(ok == cases[i].ok && (ok ? s.kind == cases[i].kind && !strcmp(name, cases[i].format)
                                       : !strcmp(err, cases[i].format)),
              what);
    }
    VerifyStrategy d = verify_default();
    char name[80];
    verify_strategy_format(&d, name, sizeof name);
    CHECK(d.kind == VERIFY_GREEDY && d.nroles == 1 && d.roles[0] == SIGN_ROLE_CREATOR &&
              !strcmp(name, "GreedyVerification"),
          "the default: GreedyVerification, role creator");
    VerifyStrategy e;
    const char *err;
    verify_strategy_parse("ExhaustiveVerification", &e, &err);
    CHECK(e.nroles == 4, "ExhaustiveVerification checks all four roles");
}

/* ---- the verification matrix ---- */

enum { KC, KA, KH, KP, KU, KU2, NKEYS }; /* known: creator, approver, host, proxy; unknown */
static const char *const key_labels[NKEYS] = {
    "Creator <c@example.com>", "Approver <a@example.com>", "Host <h@example.com>",
    "Proxy <p@example.com>",   "Stranger <u@example.com>", "Other stranger <v@example.com>",
};
static uint8_t key_sk[NKEYS][64];
static char key_b64[NKEYS][SIGN_KEY_B64_SIZE];
static Keyring ring;

/* How a test signature is made. */
typedef enum Flavor {
    GOOD,
    BAD_SIG,      /* a valid signature of another cleartext */
    CORRUPT_KEY,  /* key text that is not base64 */
    CORRUPT_SIG,  /* signature text that is not base64 */
    SHORT_KEY,    /* base64 of 31 bytes */
    NOT_A_POINT,  /* 32 bytes that do not decode */
    TOP_BITS_SIG, /* S with a top bit set: ed25519's Signature::from_bytes refuses it */
} Flavor;

typedef struct SigSpec {
    int key;
    SignRole role;
    Flavor flavor;
} SigSpec;

enum { MAXSIGS = 4, NSTRAT = 6 };

static const char *const strategy_texts[NSTRAT] = {
    "GreedyVerification",
    "CreativeIntegrity",
    "AuthoritativeIntegrity",
    "ExhaustiveVerification",
    "MultipleAttestation[Creator, Approver]",
    "MultipleAttestationGreedy[Creator, Approver]",
};

#define OK SIGN_OK
#define NOSIG SIGN_ERR_NO_SIGNATURES
#define BAD SIGN_ERR_BAD_SIGNATURE
#define UNKNOWN SIGN_ERR_UNKNOWN_KEY
#define ROLE SIGN_ERR_MISSING_ROLE
#define NOKNOWN SIGN_ERR_NO_KNOWN_KEY
#define CKEY SIGN_ERR_CORRUPT_KEY
#define CSIG SIGN_ERR_CORRUPT_SIGNATURE
#define C SIGN_ROLE_CREATOR
#define A SIGN_ROLE_APPROVER
#define H SIGN_ROLE_HOST
#define P SIGN_ROLE_PROXY

/* Each case: the signatures, then the status under Greedy, CreativeIntegrity,
 * AuthoritativeIntegrity, Exhaustive, MultipleAttestation[C, A], MultipleAttestationGreedy[C,
 * A], as Bindle's verify loop gives it (docs/design/store.md has the reasoning). */
static const struct {
    const char *what;
    size_t nsigs;
    SigSpec sigs[MAXSIGS];
    SignStatus expect[NSTRAT];
    size_t index; /* the signature the error names (0-based), or SIZE_MAX */
} matrix[] = {
    {"no signatures", 0, {{0}}, {NOSIG, NOSIG, NOSIG, NOSIG, NOSIG, NOSIG}, SIZE_MAX},
    {"creator alone", 1, {{KC, C, GOOD}}, {OK, OK, OK, OK, ROLE, ROLE}, SIZE_MAX},
    {"creator and approver", 2, {{KC, C, GOOD}, {KA, A, GOOD}}, {OK, OK, OK, OK, OK, OK}, SIZE_MAX},
    {"approver first, then creator",
     2,
     {{KA, A, GOOD}, {KC, C, GOOD}},
     {OK, OK, OK, OK, OK, OK},
     SIZE_MAX},
    {"all four roles",
     4,
     {{KC, C, GOOD}, {KA, A, GOOD}, {KH, H, GOOD}, {KP, P, GOOD}},
     {OK, OK, OK, OK, OK, OK},
     SIZE_MAX},
    {"missing creator: approver alone",
     1,
     {{KA, A, GOOD}},
     {ROLE, NOKNOWN, OK, OK, ROLE, ROLE},
     SIZE_MAX},
    {"missing creator: host alone",
     1,
     {{KH, H, GOOD}},
     {ROLE, NOKNOWN, NOKNOWN, OK, NOKNOWN, ROLE},
     SIZE_MAX},
    {"unknown creator",
     1,
     {{KU, C, GOOD}},
     {UNKNOWN, UNKNOWN, NOKNOWN, UNKNOWN, UNKNOWN, UNKNOWN},
     0},
    {"unknown creator, known approver",
     2,
     {{KU, C, GOOD}, {KA, A, GOOD}},
     {UNKNOWN, UNKNOWN, OK, UNKNOWN, UNKNOWN, UNKNOWN},
     0},
    {"known creator, unknown approver",
     2,
     {{KC, C, GOOD}, {KU, A, GOOD}},
     {UNKNOWN, OK, OK, UNKNOWN, UNKNOWN, UNKNOWN},
     1},
    {"unknown key on an irrelevant role (host)",
     3,
     {{KC, C, GOOD}, {KA, A, GOOD}, {KU, H, GOOD}},
     {UNKNOWN, OK, OK, UNKNOWN, OK, UNKNOWN},
     2},
    {"bad signature on an irrelevant role (host)",
     3,
     {{KC, C, GOOD}, {KA, A, GOOD}, {KH, H, BAD_SIG}},
     {BAD, OK, OK, BAD, OK, BAD},
     2},
    {"bad signature on an irrelevant role (proxy), unknown key",
     3,
     {{KC, C, GOOD}, {KA, A, GOOD}, {KU2, P, BAD_SIG}},
     {BAD, OK, OK, BAD, OK, BAD},
     2},
    {"corrupt key on an irrelevant role",
     3,
     {{KC, C, GOOD}, {KA, A, GOOD}, {KH, H, CORRUPT_KEY}},
     {CKEY, OK, OK, CKEY, OK, CKEY},
     2},
    {"bad creator signature",
     2,
     {{KC, C, BAD_SIG}, {KA, A, GOOD}},
     {BAD, BAD, BAD, BAD, BAD, BAD},
     0},
    {"bad approver signature",
     2,
     {{KC, C, GOOD}, {KA, A, BAD_SIG}},
     {BAD, OK, BAD, BAD, BAD, BAD},
     1},
    {"creator key not base64", 1, {{KC, C, CORRUPT_KEY}}, {CKEY, CKEY, CKEY, CKEY, CKEY, CKEY}, 0},
    {"creator signature not base64",
     1,
     {{KC, C, CORRUPT_SIG}},
     {CSIG, CSIG, CSIG, CSIG, CSIG, CSIG},
     0},
    {"creator key of 31 bytes", 1, {{KC, C, SHORT_KEY}}, {CKEY, CKEY, CKEY, CKEY, CKEY, CKEY}, 0},
    {"creator key not a point", 1, {{KC, C, NOT_A_POINT}}, {CKEY, CKEY, CKEY, CKEY, CKEY, CKEY}, 0},
    {"creator signature with S's top bits set",
     1,
     {{KC, C, TOP_BITS_SIG}},
     {CSIG, CSIG, CSIG, CSIG, CSIG, CSIG},
     0},
    {"one key as creator and approver (verification does not refuse duplicates)",
     2,
     {{KC, C, GOOD}, {KC, A, GOOD}},
     {OK, OK, OK, OK, OK, OK},
     SIZE_MAX},
    {"keyring roles are not checked: the host key signs as creator",
     1,
     {{KH, C, GOOD}},
     {OK, OK, OK, OK, ROLE, ROLE},
     SIZE_MAX},
    {"two unknown signers under AuthoritativeIntegrity",
     2,
     {{KU, C, GOOD}, {KU2, A, GOOD}},
     {UNKNOWN, UNKNOWN, NOKNOWN, UNKNOWN, UNKNOWN, UNKNOWN},
     0},
};

/* Builds the signatures of a case; texts lives as long as the signatures. */
static void build(const SigSpec *spec, size_t n, SignSignature *out, char texts[][2][100])
{
    static const SignSubject other = {"example.com/hello", "9.9.9", gold_shas, 2};
    for (size_t i = 0; i < n; i++) {
        const SigSpec *s = &spec[i];
        SignMade made;
        SignError err;
        const SignSubject *subj = s->flavor == BAD_SIG ? &other : &gold_subject;
        if (sign_subject(key_sk[s->key], key_labels[s->key], s->role, subj, NULL, 0, 42, &made,
                         &err) != SIGN_OK)
            abort();
        snprintf(texts[i][0], 100, "%s", made.key);
        snprintf(texts[i][1], 100, "%s", made.signature);
        uint8_t raw[64];
        switch (s->flavor) {
        case CORRUPT_KEY:
            snprintf(texts[i][0], 100, "not base64!");
            break;
        case CORRUPT_SIG:
            snprintf(texts[i][1], 100, "%%%%");
            break;
        case SHORT_KEY:
            sign_b64_encode(key_sk[s->key] + 32, 31, texts[i][0], 100);
            break;
        case NOT_A_POINT:
            memset(raw, 0, 32);
            raw[0] = 2;
            sign_b64_encode(raw, 32, texts[i][0], 100);
            break;
        case TOP_BITS_SIG:
            sign_b64_decode(made.signature, raw, 64);
            raw[63] |= 0x80;
            sign_b64_encode(raw, 64, texts[i][1], 100);
            break;
        default:
            break;
        }
        out[i] = (SignSignature){key_labels[s->key], texts[i][1], texts[i][0], s->role, 42};
    }
}

static void test_matrix(void)
{
    for (int k = 0; k < NKEYS; k++) {
        uint8_t pk[32], seed[32];
        memset(seed, 0x40 + k, sizeof seed);
        crypto_sign_seed_keypair(pk, key_sk[k], seed);
        sign_b64_encode(pk, 32, key_b64[k], sizeof key_b64[k]);
    }
    keyring_init(&ring);
    SignError err;
    static const SignRole ring_roles[] = {C, A, H, P};
    for (int k = KC; k <= KP; k++)
        if (keyring_add(&ring, key_labels[k], &ring_roles[k], 1, key_b64[k], NULL, &err))
            abort();
    for (size_t c = 0; c < sizeof matrix / sizeof matrix[0]; c++) {
        SignSignature sigs[MAXSIGS];
        char texts[MAXSIGS][2][100];
        build(matrix[c].sigs, matrix[c].nsigs, sigs, texts);
        for (int s = 0; s < NSTRAT; s++) {
            VerifyStrategy strat;
            const char *perr;
            if (!verify_strategy_parse(strategy_texts[s], &strat, &perr))
                abort();
            memset(&err, 0, sizeof err);
            SignStatus st =
                verify_signatures(&strat, &ring, &gold_subject, sigs, matrix[c].nsigs, &err);
            bool index_ok = st == SIGN_OK || st == SIGN_ERR_NO_SIGNATURES ||
                                    st == SIGN_ERR_NO_KNOWN_KEY || st == SIGN_ERR_MISSING_ROLE
                                ? err.index == SIZE_MAX || st == SIGN_OK
                                : err.index == matrix[c].index;
            char what[1024];
            snprintf(what, sizeof what, "%s under %s: want %s, got %s (%s)", matrix[c].what,
                     strategy_texts[s], sign_status_text(matrix[c].expect[s]), sign_status_text(st),
                     st ? err.message : "");
            CHECK(st == matrix[c].expect[s] && index_ok, what);
        }
    }
}

/* The messages name the signature, its signer, role and key, and the strategy. */
static void test_messages(void)
{
    SignSignature sigs[3];
    char texts[3][2][100];
    SigSpec spec[3] = {{KC, C, GOOD}, {KA, A, GOOD}, {KU, H, GOOD}};
    build(spec, 3, sigs, texts);
    VerifyStrategy g = verify_default();
    SignError err;
    CHECK(verify_signatures(&g, &ring, &gold_subject, sigs, 3, &err) == SIGN_ERR_UNKNOWN_KEY &&
              strstr(err.message, "signature 3 (by \"Stranger <u@example.com>\", host, key ") &&
              strstr(err.message, key_b64[KU]) && strstr(err.message, "GreedyVerification"),
          "unknown key: which signature, signer, role, key and strategy");
    spec[1].flavor = BAD_SIG;
    build(spec, 2, sigs, texts);
    CHECK(verify_signatures(&g, &ring, &gold_subject, sigs, 2, &err) == SIGN_ERR_BAD_SIGNATURE &&
              strstr(err.message, "signature 2 (by \"Approver <a@example.com>\", approver") &&
              strstr(err.message, "cannot be verified"),
          "bad signature: named");
    SignSignature evil = {"Eve\n\x1b[31m", sigs[0].signature, "not base64!", C, 1};
    CHECK(verify_signatures(&g, &ring, &gold_subject, &evil, 1, &err) == SIGN_ERR_CORRUPT_KEY &&
              strstr(err.message, "Eve\\x0a\\x1b[31m") && !strchr(err.message, '\n'),
          "control characters in a signer's name are escaped");
    VerifyStrategy ma;
    const char *perr;
    verify_strategy_parse("MultipleAttestation[Creator, Proxy]", &ma, &perr);
    CHECK(verify_signatures(&ma, &ring, &gold_subject, sigs, 1, &err) == SIGN_ERR_MISSING_ROLE &&
              strstr(err.message, "role proxy") &&
              strstr(err.message, "MultipleAttestation[Creator, Proxy]"),
          "missing role: named, with the strategy");
    CHECK(verify_signatures(&g, &ring, &gold_subject, sigs, 0, &err) == SIGN_ERR_NO_SIGNATURES &&
              !strcmp(err.message,
                      "No signatures found on invoice. At least one signature is required"),
          "no signatures: Bindle's words");
    CHECK(verify_signatures(&g, &ring, &gold_subject, sigs, 0, NULL) == SIGN_ERR_NO_SIGNATURES,
          "err may be NULL");
}

/* Bindle checks the key's base64, then the signature's, then the key's length: a short key
 * with a signature that is not base64 is a corrupt signature. */
static void test_error_order(void)
{
    SignSignature sigs[1];
    char texts[1][2][100];
    SigSpec spec = {KC, C, SHORT_KEY};
    build(&spec, 1, sigs, texts);
    sigs[0].signature = "%%";
    VerifyStrategy g = verify_default();
    SignError err;
    CHECK(verify_signatures(&g, &ring, &gold_subject, sigs, 1, &err) == SIGN_ERR_CORRUPT_SIGNATURE,
          "short key + signature not base64: CorruptSignature (Bindle's order)");
    sigs[0].key = "!";
    CHECK(verify_signatures(&g, &ring, &gold_subject, sigs, 1, &err) == SIGN_ERR_CORRUPT_KEY,
          "key not base64 comes first");
    /* The subject matters: another parcel order is another cleartext. */
    spec.flavor = GOOD;
    build(&spec, 1, sigs, texts);
    const char *swapped[] = {gold_shas[1], gold_shas[0]};
    SignSubject s2 = {"example.com/hello", "1.0.0", swapped, 2};
    CHECK(verify_signatures(&g, &ring, &s2, sigs, 1, &err) == SIGN_ERR_BAD_SIGNATURE,
          "parcels in another order: the signature does not verify");
    SignSubject s3 = {"example.com/hello", "1.0.0", gold_shas, 1};
    CHECK(verify_signatures(&g, &ring, &s3, sigs, 1, &err) == SIGN_ERR_BAD_SIGNATURE,
          "a parcel fewer: does not verify");
    sigs[0].by = "Somebody else";
    CHECK(verify_signatures(&g, &ring, &gold_subject, sigs, 1, &err) == SIGN_ERR_BAD_SIGNATURE,
          "another by: does not verify");
    sigs[0].by = key_labels[KC];
    sigs[0].role = A;
    CHECK(verify_signatures(&g, &ring, &gold_subject, sigs, 1, &err) == SIGN_ERR_BAD_SIGNATURE,
          "another role: does not verify");
    sigs[0].role = C;
    sigs[0].at = 99999;
    CHECK(verify_signatures(&g, &ring, &gold_subject, sigs, 1, &err) == SIGN_OK,
          "another `at`: still verifies (the code's cleartext leaves it out)");
}

/* A keyring entry whose key does not decode is skipped, not an error. */
static void test_malformed_ring_entry(void)
{
    Keyring kr;
    keyring_init(&kr);
    SignError err;
    SignRole c = C;
    CHECK(keyring_add(&kr, "broken", &c, 1, "!!!", NULL, &err) == SIGN_OK && !kr.keys[0].key_ok,
          "a malformed key is kept");
    CHECK(keyring_add(&kr, "good", &c, 1, key_b64[KC], NULL, &err) == SIGN_OK, "a good one after");
    uint8_t pk[32];
    sign_public_key_decode(key_b64[KC], pk);
    CHECK(keyring_contains(&kr, pk), "contains skips the malformed entry and finds the good one");
    SignSignature sigs[1];
    char texts[1][2][100];
    SigSpec spec = {KC, C, GOOD};
    build(&spec, 1, sigs, texts);
    VerifyStrategy g = verify_default();
    CHECK(verify_signatures(&g, &kr, &gold_subject, sigs, 1, &err) == SIGN_OK, "and verifies");
    keyring_free(&kr);
}

int main(void)
{
    if (!sign_init()) {
        fprintf(stderr, "test_sign: libsodium does not start\n");
        return 1;
    }
    test_golden();
    test_base64();
    test_roles();
    test_strictness();
    test_keypairs();
    test_sign_subject();
    test_strategy_parse();
    test_matrix();
    test_messages();
    test_error_order();
    test_malformed_ring_entry();
    keyring_free(&ring);
    return unit_report("test_sign");
}
