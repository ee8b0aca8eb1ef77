/* artifact.h: the ahead-of-time artifact file (`.cwasm`): a header saying what the code was
 * made by and for, the module's .wasm and the compiled shared object, and a checksum over all
 * of it. Artifacts are untrusted input: decoding checks every bound, the checksum and every
 * header field against this host before handing out a pointer. Layout: artifact.c. */
#ifndef CORRAL_ARTIFACT_H
#define CORRAL_ARTIFACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The file format this Corral writes and reads (artifact.c has the layout). A new format
 * also names cache entries anew (cache_key), so an older Corral's entries are not found. */
#define ARTIFACT_FORMAT_VERSION 2u

typedef struct ArtifactInfo {
    uint8_t module_sha256[32]; /* SHA-256 of the embedded .wasm */
    char corral_version[32];   /* corral_version() of the Corral that made it */
    char target[32];           /* artifact_host_target() of the machine it is for */
    uint64_t cpu_features;     /* ARTIFACT_CPU_* bits the code requires */
    uint32_t flags;            /* code-changing flags: opaque here, compared with the caller's */
    char compiler[512];        /* cc_identity(): compiler version and flags */
} ArtifactInfo;

/* CPU feature bits (x86-64; other CPUs define none yet). Bit 63 is reserved and never set on
 * any host, so an artifact requiring it is refused everywhere (tests use it). */
#define ARTIFACT_CPU_FEATURES(X)                                                               \
    X(0, "sse3")                                                                                \
    X(1, "ssse3")                                                                               \
    X(2, "sse4.1")                                                                              \
    X(3, "sse4.2")                                                                              \
    X(4, "popcnt")                                                                              \
    X(5, "avx")                                                                                 \
    X(6, "avx2")                                                                                \
    X(7, "bmi")                                                                                 \
    X(8, "bmi2")                                                                                \
    X(9, "fma")                                                                                 \
    X(10, "aes")                                                                                \
    X(11, "pclmul")                                                                             \
    X(12, "avx512f")
#define ARTIFACT_CPU_RESERVED (UINT64_C(1) << 63)

/* The target triple this binary was compiled for ("x86_64-linux-gnu", "aarch64-linux-musl").
 * A static string. */
const char *artifact_host_target(void);

/* What an artifact's corral_version field must say to run here: Corral's version and the
 * ABI of its compiled code (native_abi.h), "0.1.0+abi3". */
const char *artifact_code_version(void);

/* The ARTIFACT_CPU_* bits this CPU has. */
uint64_t artifact_host_cpu_features(void);

/* Writes an artifact of info (every string NUL-terminated within its field), the module's
 * bytes and the shared object into *out (malloc'ed; the caller frees it), *out_len its size.
 * info->module_sha256 is written as given (the caller hashed wasm). Returns 0, or -1 when a
 * string does not fit its field or memory runs out. */
int artifact_encode(const ArtifactInfo *info, const uint8_t *wasm, size_t wasm_len,
                    const uint8_t *so, size_t so_len, uint8_t **out, size_t *out_len)
    __attribute__((warn_unused_result));

/* Checks buf[0..len) as an artifact for this host, in this order: magic, format version,
 * total length and every section's bounds, the checksum, then Corral's version, the target and
 * the CPU features against this host, the module's hash against expect_module_sha (when not
 * NULL) and the flags against *expect_flags (when not NULL). Returns 0 with *info filled and
 * *wasm, *so pointing INTO buf (valid while buf is), or -1 with err set to a message that
 * starts with name ("app.cwasm: truncated (1234 of 5678 bytes)", "...: checksum mismatch (the
 * file is corrupted or was altered)", "...: made by Corral 0.3.0, this is 0.4.0: recompile it
 * with `corral compile`"...). Nothing in buf is trusted before the check it needs. */
int artifact_decode(const char *name, const uint8_t *buf, size_t len,
                    const uint8_t *expect_module_sha, const uint32_t *expect_flags,
                    ArtifactInfo *info, const uint8_t **wasm, size_t *wasm_len,
                    const uint8_t **so, size_t *so_len, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* True when buf starts with the artifact magic (a file to decode, not a .wasm). */
bool artifact_sniff(const uint8_t *buf, size_t len);

#endif
