/* test_artifact.c: the .cwasm format as untrusted input: a round trip, then every truncation
 * and every single-bit flip of a small artifact refused, and each header field that does not
 * match this host or the caller refused with its own message. */
#include "compile/artifact.h"
#include "compile/cc.h"
#include "corral.h"
#include "engine/native_abi.h"
#include "unit.h"
#include "util/sha256.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <string.h>

static const uint8_t WASM[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
static const uint8_t SO[] = "\x7f" "ELF pretend shared object";

static ArtifactInfo host_info(void)
{
    ArtifactInfo in;
    memset(&in, 0, sizeof in);
    sha256_digest(WASM, sizeof WASM, in.module_sha256);
    snprintf(in.corral_version, sizeof in.corral_version, "%s", artifact_code_version());
    snprintf(in.target, sizeof in.target, "%s", artifact_host_target());
    in.cpu_features = 0;
    in.flags = 5;
    snprintf(in.compiler, sizeof in.compiler, "gcc (test) 1.0; -O2");
    return in;
}

/* Encodes in; decodes it with the caller's expectations; 0 when accepted, else -1 with err. */
static int encode_decode(const ArtifactInfo *in, const uint8_t *sha, const uint32_t *flags, char *err,
                 size_t errlen)
{
    uint8_t *buf;
    size_t len, wl, sl;
    const uint8_t *w, *s;
    ArtifactInfo out;
    if (artifact_encode(in, WASM, sizeof WASM, SO, sizeof SO, &buf, &len) != 0) {
        snprintf(err, errlen, "encode failed");
        return -1;
    }
    int rc = artifact_decode("t.cwasm", buf, len, sha, flags, &out, &w, &wl, &s, &sl, err, errlen);
    free(buf);
    return rc;
}

static void test_round_trip(void)
{
    ArtifactInfo in = host_info(), out;
    uint8_t *buf;
    size_t len, wl, sl;
    const uint8_t *w, *s;
    char err[512] = "";
    uint32_t flags = 5;
    CHECK(artifact_encode(&in, WASM, sizeof WASM, SO, sizeof SO, &buf, &len) == 0, "encode");
    CHECK(artifact_sniff(buf, len), "sniff");
    CHECK(!artifact_sniff(WASM, sizeof WASM), "sniff: a .wasm is not an artifact");
    CHECK(!artifact_sniff(buf, 9), "sniff: 9 bytes");
    int rc = artifact_decode("t.cwasm", buf, len, in.module_sha256, &flags, &out, &w, &wl, &s, &sl,
                             err, sizeof err);
    CHECK(rc == 0, err);
    CHECK(wl == sizeof WASM && memcmp(w, WASM, wl) == 0, "wasm section");
    CHECK(sl == sizeof SO && memcmp(s, SO, sl) == 0, "so section");
    CHECK(w >= buf && s + sl <= buf + len, "sections point into the buffer");
    CHECK(memcmp(&in, &out, sizeof in) == 0, "info round trip");
    free(buf);

    /* Empty sections are fine. */
    CHECK(artifact_encode(&in, NULL, 0, NULL, 0, &buf, &len) == 0, "encode empty");
    rc = artifact_decode("t.cwasm", buf, len, NULL, NULL, &out, &w, &wl, &s, &sl, err, sizeof err);
    CHECK(rc == 0 && wl == 0 && sl == 0, "empty sections");
    free(buf);

    /* A string that fills its field has no room for the NUL. */
    memset(in.target, 'x', sizeof in.target);
    CHECK(artifact_encode(&in, WASM, sizeof WASM, SO, sizeof SO, &buf, &len) != 0,
          "unterminated target refused by encode");
}

static void test_truncated_and_flipped(void)
{
    ArtifactInfo in = host_info(), out;
    uint8_t *buf;
    size_t len, wl, sl;
    const uint8_t *w, *s;
    char err[512];
    if (artifact_encode(&in, WASM, sizeof WASM, SO, sizeof SO, &buf, &len) != 0) {
        CHECK(0, "encode");
        return;
    }
    int accepted = 0, truncated_msg = 0;
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exactly n bytes, for ASan */
        memcpy(copy, buf, n);
        err[0] = '\0';
        if (artifact_decode("t.cwasm", copy, n, NULL, NULL, &out, &w, &wl, &s, &sl, err,
                            sizeof err) == 0)
            accepted++;
        truncated_msg += strstr(err, "t.cwasm: truncated") != NULL;
        free(copy);
    }
    CHECK(accepted == 0, "every truncation refused");
    CHECK(truncated_msg == (int)len - 1, "every non-empty prefix says truncated");
    char want[64];
    snprintf(want, sizeof want, "t.cwasm: truncated (%zu of %zu bytes)", len - 1, len);
    uint8_t *copy = malloc(len - 1);
    memcpy(copy, buf, len - 1);
    CHECK(artifact_decode("t.cwasm", copy, len - 1, NULL, NULL, &out, &w, &wl, &s, &sl, err,
                          sizeof err) != 0 &&
              strcmp(err, want) == 0,
          err);
    free(copy);

    /* Trailing bytes: the length field disagrees. */
    copy = malloc(len + 1);
    memcpy(copy, buf, len);
    copy[len] = 0;
    CHECK(artifact_decode("t.cwasm", copy, len + 1, NULL, NULL, &out, &w, &wl, &s, &sl, err,
                          sizeof err) != 0 &&
              strstr(err, "header says") != NULL,
          "trailing byte refused");
    free(copy);

    accepted = 0;
    int checksum_msg = 0;
    for (size_t bit = 0; bit < len * 8; bit++) {
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        err[0] = '\0';
        if (artifact_decode("t.cwasm", buf, len, NULL, NULL, &out, &w, &wl, &s, &sl, err,
                            sizeof err) == 0) {
            accepted++;
            fprintf(stderr, "bit %zu flipped: accepted\n", bit);
        }
        checksum_msg += strstr(err, "checksum mismatch (the file is corrupted or was altered)") != NULL;
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    CHECK(accepted == 0, "every single-bit flip refused");
    CHECK(checksum_msg > (int)len * 8 * 3 / 4, "most flips are checksum mismatches");
    /* Magic and format version are reported as such. */
    buf[0] ^= 1;
    CHECK(artifact_decode("t.cwasm", buf, len, NULL, NULL, &out, &w, &wl, &s, &sl, err,
                          sizeof err) != 0 &&
              strcmp(err, "t.cwasm: not a Corral artifact (bad magic)") == 0,
          err);
    buf[0] ^= 1;
    buf[12] ^= 1; /* format version 2 -> 3 */
    CHECK(artifact_decode("t.cwasm", buf, len, NULL, NULL, &out, &w, &wl, &s, &sl, err,
                          sizeof err) != 0 &&
              strstr(err, "t.cwasm: artifact format 3, this Corral") != NULL,
          err);
    buf[12] ^= 1;
    buf[12] ^= 3; /* 2 -> 1: the BLAKE2b format before this one */
    CHECK(artifact_decode("t.cwasm", buf, len, NULL, NULL, &out, &w, &wl, &s, &sl, err,
                          sizeof err) != 0 &&
              strstr(err, "t.cwasm: artifact format 1, this Corral") != NULL &&
              strstr(err, "reads format 2: recompile it with `corral compile`") != NULL,
          err);
    buf[12] ^= 3;
    CHECK(artifact_decode("t.cwasm", buf, len, NULL, NULL, &out, &w, &wl, &s, &sl, err,
                          sizeof err) == 0,
          "intact again");
    CHECK(artifact_decode("t.cwasm", WASM, sizeof WASM, NULL, NULL, &out, &w, &wl, &s, &sl, err,
                          sizeof err) != 0 &&
              strstr(err, "bad magic") != NULL,
          "a .wasm is not an artifact");
    free(buf);
}

/* The trailing 16 bytes are XXH3-128 of everything before them, in xxHash's canonical
 * (big-endian) form: what compiled.md documents, computed here without artifact.c. */
static void test_checksum_is_xxh3(void)
{
    ArtifactInfo in = host_info();
    uint8_t *buf;
    size_t len;
    if (artifact_encode(&in, WASM, sizeof WASM, SO, sizeof SO, &buf, &len) != 0) {
        CHECK(0, "encode");
        return;
    }
    XXH128_hash_t h = XXH3_128bits(buf, len - 16);
    uint8_t want[16];
    for (int i = 0; i < 8; i++) {
        want[i] = (uint8_t)(h.high64 >> (56 - 8 * i));
        want[8 + i] = (uint8_t)(h.low64 >> (56 - 8 * i));
    }
    CHECK(memcmp(buf + len - 16, want, 16) == 0, "checksum is XXH3-128, big-endian");
    uint64_t file_len = 0;
    for (int i = 0; i < 8; i++)
        file_len |= (uint64_t)buf[16 + i] << (8 * i);
    CHECK(file_len == len, "length field counts the checksum");
    /* xxHash's own test vector: the empty input */
    h = XXH3_128bits("", 0);
    CHECK(h.high64 == UINT64_C(0x99aa06d3014798d8) && h.low64 == UINT64_C(0x6001c324468d497f),
          "XXH3-128 of nothing");
    free(buf);
}

/* Each mismatching field, with the message it must give. */
static void test_host_checks(void)
{
    char err[512];
    ArtifactInfo in = host_info();
    snprintf(in.corral_version, sizeof in.corral_version, "0.0.1-old");
    char want[256];
    snprintf(want, sizeof want,
             "t.cwasm: made by Corral 0.0.1-old, this is %s: recompile it with `corral compile`",
             artifact_code_version());
    CHECK(encode_decode(&in, NULL, NULL, err, sizeof err) != 0 && strcmp(err, want) == 0, err);

    in = host_info();
    snprintf(in.target, sizeof in.target, "mips-plan9");
    snprintf(want, sizeof want, "t.cwasm: compiled for mips-plan9, this host is %s",
             artifact_host_target());
    CHECK(encode_decode(&in, NULL, NULL, err, sizeof err) != 0 && strcmp(err, want) == 0, err);

    in = host_info();
    in.cpu_features = ARTIFACT_CPU_RESERVED;
    CHECK(encode_decode(&in, NULL, NULL, err, sizeof err) != 0 &&
              strcmp(err, "t.cwasm: needs CPU features bit 63 that this CPU lacks") == 0,
          err);
    in.cpu_features = artifact_host_cpu_features();
    CHECK(encode_decode(&in, NULL, NULL, err, sizeof err) == 0, "the host's own features are fine");
    uint64_t lacking = ~artifact_host_cpu_features() & ((UINT64_C(1) << 13) - 1);
    if (lacking) { /* a named feature this CPU does not have (avx512f on most) */
        in.cpu_features = lacking & -lacking;
        CHECK(encode_decode(&in, NULL, NULL, err, sizeof err) != 0 && strstr(err, "needs CPU features ") &&
                  !strstr(err, "bit "),
              err);
    }

    in = host_info();
    uint8_t other[32];
    sha256_digest("other", 5, other);
    CHECK(encode_decode(&in, other, NULL, err, sizeof err) != 0 &&
              strstr(err, "t.cwasm: is the artifact of another module (sha256 ") == err,
          err);
    CHECK(encode_decode(&in, in.module_sha256, NULL, err, sizeof err) == 0, "own module");

    uint32_t flags = 4;
    CHECK(encode_decode(&in, NULL, &flags, err, sizeof err) != 0 &&
              strstr(err, "t.cwasm: compiled with code flags 0x5, this run needs 0x4") == err,
          err);
    flags = 5;
    CHECK(encode_decode(&in, in.module_sha256, &flags, err, sizeof err) == 0, "own flags");

    CHECK(strchr(artifact_host_target(), '-') != NULL, artifact_host_target());
    char code[64];
    snprintf(code, sizeof code, "%s+abi%u", corral_version(), (unsigned)CC_ABI_VERSION);
    CHECK(strcmp(artifact_code_version(), code) == 0, artifact_code_version());
    printf("host: %s, cpu features 0x%llx\n", artifact_host_target(),
           (unsigned long long)artifact_host_cpu_features());
}

/* The system compiler's identity fits the header's field at every -O level (at 256 bytes
 * it did not, once the flags grew, and artifacts said "unknown"). */
static void test_identity_fits(void)
{
    ArtifactInfo in;
    for (int opt = 0; opt <= 3; opt++) {
        CcConfig cfg = {.opt = opt};
        CHECK(cc_identity(&cfg, in.compiler, sizeof in.compiler) == 0, "identity fits");
    }
    printf("compiler identity: %zu of %zu bytes\n", strlen(in.compiler), sizeof in.compiler);
}

#if defined(__x86_64__) && defined(__GNUC__)
/* artifact.c asks CPUID itself (no libgcc constructor in corral); GCC's own detection must
 * agree bit for bit. */
static void test_cpu_features_match_gcc(void)
{
    uint64_t gcc = 0;
#define GCC_FEATURE(bit, name) gcc |= __builtin_cpu_supports(name) ? UINT64_C(1) << (bit) : 0;
    __builtin_cpu_init();
    ARTIFACT_CPU_FEATURES(GCC_FEATURE)
#undef GCC_FEATURE
    char msg[96];
    snprintf(msg, sizeof msg, "CPU features 0x%llx, GCC says 0x%llx",
             (unsigned long long)artifact_host_cpu_features(), (unsigned long long)gcc);
    CHECK(artifact_host_cpu_features() == gcc, msg);
}
#else
static void test_cpu_features_match_gcc(void) {}
#endif

int main(void)
{
    test_round_trip();
    test_truncated_and_flipped();
    test_checksum_is_xxh3();
    test_host_checks();
    test_cpu_features_match_gcc();
    test_identity_fits();
    return unit_report("test_artifact");
}
