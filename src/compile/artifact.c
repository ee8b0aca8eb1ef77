/* artifact.c: the `.cwasm` file (artifact.h): encoding, and the checks that decode every byte
 * of an untrusted file before anything in it is used. Integers are little-endian, written and
 * read a byte at a time (no struct is ever dumped or overlaid). Format version 2:
 *
 *   offset  size  field
 *   0       10    magic "CORRALAOT\0"
 *   10      2     reserved, 0
 *   12      4     format version, u32 (2)
 *   16      8     file length in bytes, u64, the trailing checksum included
 *   24      32    Corral version, NUL-padded ASCII ("0.4.0")
 *   56      32    target triple, NUL-padded ASCII ("x86_64-linux-gnu")
 *   88      8     required CPU features, u64 (ARTIFACT_CPU_* bits)
 *   96      4     code-changing flags, u32
 *   100     4     number of sections n, u32 (2 in version 2)
 *   104     32    SHA-256 of the module's .wasm
 *   136     512   compiler identity, NUL-padded (cc_identity())
 *   648     24*n  section table: kind u32 (1 .wasm, 2 shared object), reserved u32 (0),
 *                 offset u64, length u64; in version 2 the .wasm then the shared object
 *   ...           the sections' bytes, back to back in table order, the first right after
 *                 the table, the last ending at the checksum (no gaps, no slack)
 *   L-16    16    XXH3-128 of bytes [0, L-16), L the file length, in xxHash's canonical
 *                 (big-endian) form, as `xxh128sum` prints it
 *
 * Magic, format version and length sit at fixed offsets in every format version, so that a
 * file of another version is named as such instead of being reported corrupt. Version 1 ended
 * in a 32-byte BLAKE2b-256, and its compiler field was 256 bytes (the identity is 290 now).
 *
 * The checksum catches truncation and corruption, not forgery (the cache directory's
 * permissions are that boundary: docs/design/compiled.md, section 9), so it need not be a
 * cryptographic hash, and every `corral run` of an artifact hashes the whole file: XXH3 does
 * a 27 KB artifact in about 1.5 us, libsodium's BLAKE2b took 30-45 us. */
#include "compile/artifact.h"
#include "engine/native_abi.h"

#include "corral.h"
#include "util/sha256.h"

/* xxHash compiled in from Debian's libxxhash-dev header: linking libxxhash.so instead would
 * cost every corral process one more shared library to load (measured: about 60 us, far more
 * than the hash). */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "CORRALAOT"
#define MAGIC_LEN 10 /* with its NUL */
#define FORMAT_VERSION ARTIFACT_FORMAT_VERSION
#define OFF_FORMAT 12
#define OFF_LENGTH 16
#define OFF_VERSION 24
#define OFF_TARGET 56
#define OFF_CPU 88
#define OFF_FLAGS 96
#define OFF_NSECT 100
#define OFF_MODULE 104
#define OFF_COMPILER 136
#define OFF_TABLE 648
#define ENTRY_SIZE 24
#define HASH_SIZE 16 /* XXH3-128 */
#define NSECT 2 /* version 2: .wasm, shared object */
#define MIN_FIXED OFF_LENGTH + 8 /* enough to read magic, version and length */

enum { SECT_WASM = 1, SECT_SO = 2 };

/* --- target and CPU features, chosen at compile time per whole definition --- */

#if defined(__x86_64__) && defined(__ILP32__)
#define TARGET_ARCH "x86_64" /* x32: the ABI below says so */
#elif defined(__x86_64__)
#define TARGET_ARCH "x86_64"
#elif defined(__i386__)
#define TARGET_ARCH "i686"
#elif defined(__aarch64__) && defined(__AARCH64EB__)
#define TARGET_ARCH "aarch64_be"
#elif defined(__aarch64__)
#define TARGET_ARCH "aarch64"
#elif defined(__arm__)
#define TARGET_ARCH "arm"
#elif defined(__riscv) && __riscv_xlen == 64
#define TARGET_ARCH "riscv64"
#elif defined(__s390x__)
#define TARGET_ARCH "s390x"
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#define TARGET_ARCH "powerpc64le"
#elif defined(__powerpc64__)
#define TARGET_ARCH "powerpc64"
#elif defined(__loongarch64)
#define TARGET_ARCH "loongarch64"
#else
#define TARGET_ARCH "unknown"
#endif

#if defined(__linux__)
#define TARGET_OS "linux"
#elif defined(__FreeBSD__)
#define TARGET_OS "freebsd"
#elif defined(__APPLE__)
#define TARGET_OS "darwin"
#else
#define TARGET_OS "unknown"
#endif

#if defined(__GLIBC__) && defined(__x86_64__) && defined(__ILP32__)
#define TARGET_ABI "-gnux32"
#elif defined(__GLIBC__) && defined(__arm__) && defined(__ARM_PCS_VFP)
#define TARGET_ABI "-gnueabihf"
#elif defined(__GLIBC__)
#define TARGET_ABI "-gnu"
#elif defined(__linux__)
#define TARGET_ABI "-musl"
#else
#define TARGET_ABI ""
#endif

#define SPELL(x) #x
#define SPELL_VALUE(x) SPELL(x)

/* Made at compile time: formatting it at run time (a once, then the digits) was 5 us of an
 * artifact's start-up. */
const char *artifact_code_version(void)
{
    return CORRAL_VERSION "+abi" SPELL_VALUE(CC_ABI_VERSION);
}

const char *artifact_host_target(void) { return TARGET_ARCH "-" TARGET_OS TARGET_ABI; }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>

/* The CPU's features from CPUID, asked only when an artifact requires some (today none do).
 * Not __builtin_cpu_supports: it links libgcc's __cpu_indicator_init, a constructor that runs
 * CPUID (a trap to the hypervisor on a VM) in every corral process, about 70 us. As GCC does,
 * AVX, FMA and AVX2 count only when the OS saves the YMM state (XGETBV), AVX-512 only with
 * the opmask and ZMM state too. */
static uint32_t xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return lo;
}

uint64_t artifact_host_cpu_features(void)
{
    unsigned a, b, c, d, b7 = 0, x;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b7, &x, &x)) /* leaf 7 missing: no BMI, AVX2... */
        b7 = 0;
    uint32_t xcr = (c & bit_OSXSAVE) ? xcr0() : 0;
    bool ymm = (xcr & 0x6) == 0x6, zmm = (xcr & 0xe6) == 0xe6;
    const bool has[] = { /* in ARTIFACT_CPU_FEATURES's order, bit 0 first */
        c & bit_SSE3,          c & bit_SSSE3,          c & bit_SSE4_1,        c & bit_SSE4_2,
        c & bit_POPCNT,        ymm && (c & bit_AVX),   ymm && (b7 & bit_AVX2),
        b7 & bit_BMI,          b7 & bit_BMI2,          ymm && (c & bit_FMA),  c & bit_AES,
        c & bit_PCLMUL,        zmm && (b7 & bit_AVX512F),
    };
#define COUNT_FEATURE(bit, name) +1
    _Static_assert(sizeof has / sizeof has[0] == 0 ARTIFACT_CPU_FEATURES(COUNT_FEATURE),
                   "one test per ARTIFACT_CPU_FEATURES bit");
#undef COUNT_FEATURE
    uint64_t bits = 0;
    for (int i = 0; i < (int)(sizeof has / sizeof has[0]); i++)
        bits |= (uint64_t)has[i] << i;
    return bits;
}
#else
/* No feature bits are defined for other CPUs yet: code for them requires none. */
uint64_t artifact_host_cpu_features(void) { return 0; }
#endif

/* The name of feature bit b ("avx2"), NULL when it has none. */
static const char *feature_name(int b)
{
#define FEATURE_CASE(bit, name)                                                                \
    case bit:                                                                                  \
        return name;
    switch (b) {
        ARTIFACT_CPU_FEATURES(FEATURE_CASE)
    default:
        return NULL;
    }
#undef FEATURE_CASE
}

/* --- byte helpers --- */

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Copies the NUL-terminated string s into a zeroed field of size n; -1 when it does not fit. */
static int put_str(uint8_t *p, const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    if (len == n)
        return -1;
    memcpy(p, s, len);
    return 0;
}

/* Reads a NUL-padded field of size n into out[n]; -1 when it has no NUL, or when printable is
 * set and it holds anything but printable ASCII (it goes into messages). */
static int get_str(const uint8_t *p, size_t n, bool printable, char *out)
{
    size_t len = strnlen((const char *)p, n);
    if (len == n)
        return -1;
    for (size_t i = 0; printable && i < len; i++) {
        if (p[i] < 0x20 || p[i] > 0x7e)
            return -1;
    }
    memcpy(out, p, len);
    memset(out + len, 0, n - len);
    return 0;
}

/* --- the checksum --- */

/* XXH3-128 of p[0..len) into out, canonical (big-endian). */
static void checksum(const uint8_t *p, size_t len, uint8_t out[HASH_SIZE])
{
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(p, len));
    memcpy(out, c.digest, HASH_SIZE);
}

/* --- encoding --- */

int artifact_encode(const ArtifactInfo *info, const uint8_t *wasm, size_t wasm_len,
                    const uint8_t *so, size_t so_len, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    size_t head = OFF_TABLE + NSECT * ENTRY_SIZE;
    if (wasm_len > SIZE_MAX / 2 - head || so_len > SIZE_MAX / 2 - head)
        return -1;
    size_t total = head + wasm_len + so_len + HASH_SIZE;
    uint8_t *b = calloc(1, total);
    if (!b)
        return -1;
    memcpy(b, MAGIC, MAGIC_LEN);
    put_u32(b + OFF_FORMAT, FORMAT_VERSION);
    put_u64(b + OFF_LENGTH, total);
    if (put_str(b + OFF_VERSION, info->corral_version, sizeof info->corral_version) != 0 ||
        put_str(b + OFF_TARGET, info->target, sizeof info->target) != 0 ||
        put_str(b + OFF_COMPILER, info->compiler, sizeof info->compiler) != 0) {
        free(b);
        return -1;
    }
    put_u64(b + OFF_CPU, info->cpu_features);
    put_u32(b + OFF_FLAGS, info->flags);
    put_u32(b + OFF_NSECT, NSECT);
    memcpy(b + OFF_MODULE, info->module_sha256, 32);
    const uint32_t kinds[NSECT] = {SECT_WASM, SECT_SO};
    const uint8_t *data[NSECT] = {wasm, so};
    const size_t lens[NSECT] = {wasm_len, so_len};
    size_t at = head;
    for (int i = 0; i < NSECT; i++) {
        uint8_t *e = b + OFF_TABLE + i * ENTRY_SIZE;
        put_u32(e, kinds[i]);
        put_u64(e + 8, at);
        put_u64(e + 16, lens[i]);
        if (lens[i])
            memcpy(b + at, data[i], lens[i]);
        at += lens[i];
    }
    checksum(b, total - HASH_SIZE, b + total - HASH_SIZE);
    *out = b;
    *out_len = total;
    return 0;
}

/* --- decoding --- */

typedef struct Decode {
    const char *name;
    char *err;
    size_t errlen;
} Decode;

static int refuse(const Decode *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes "name: <message>" and returns -1. */
static int refuse(const Decode *d, const char *fmt, ...)
{
    int n = snprintf(d->err, d->errlen, "%s: ", d->name);
    if (n >= 0 && (size_t)n < d->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->err + n, d->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Magic, format version and length: the fields that say how to read the rest. */
static int check_frame(const Decode *d, const uint8_t *buf, size_t len)
{
    size_t m = len < MAGIC_LEN ? len : MAGIC_LEN;
    if (len == 0)
        return refuse(d, "not a Corral artifact (empty file)");
    if (memcmp(buf, MAGIC, m) != 0)
        return refuse(d, "not a Corral artifact (bad magic)");
    if (len < MIN_FIXED)
        return refuse(d, "truncated (%zu bytes, shorter than the header)", len);
    uint32_t format = get_u32(buf + OFF_FORMAT);
    if (format != FORMAT_VERSION)
        return refuse(d,
                      "artifact format %u, this Corral (%s) reads format %u: recompile it "
                      "with `corral compile`",
                      format, corral_version(), FORMAT_VERSION);
    uint64_t want = get_u64(buf + OFF_LENGTH);
    if (want > len)
        return refuse(d, "truncated (%zu of %llu bytes)", len, (unsigned long long)want);
    if (want < len)
        return refuse(d, "%zu bytes, but its header says %llu (trailing data or a corrupted "
                         "header)", len, (unsigned long long)want);
    if (len < OFF_TABLE + NSECT * ENTRY_SIZE + HASH_SIZE)
        return refuse(d, "malformed (%zu bytes, too short for an artifact)", len);
    return 0;
}

/* The section table: the count, each kind, and the sections tiling the space between the table
 * and the checksum exactly. Fills the payload ranges. */
static int check_sections(const Decode *d, const uint8_t *buf, size_t len, size_t off[NSECT],
                          size_t size[NSECT])
{
    uint32_t n = get_u32(buf + OFF_NSECT);
    if (n != NSECT)
        return refuse(d, "malformed (%u sections, expected %u)", n, NSECT);
    uint64_t at = OFF_TABLE + NSECT * ENTRY_SIZE, end = len - HASH_SIZE;
    const uint32_t kinds[NSECT] = {SECT_WASM, SECT_SO};
    for (int i = 0; i < NSECT; i++) {
        const uint8_t *e = buf + OFF_TABLE + i * ENTRY_SIZE;
        uint64_t o = get_u64(e + 8), l = get_u64(e + 16);
        if (get_u32(e) != kinds[i] || get_u32(e + 4) != 0)
            return refuse(d, "malformed (section %d: kind %u)", i, get_u32(e));
        if (o != at || l > end - at)
            return refuse(d, "malformed (section %d: bytes %llu+%llu outside %llu..%llu)", i,
                          (unsigned long long)o, (unsigned long long)l,
                          (unsigned long long)at, (unsigned long long)end);
        off[i] = (size_t)o;
        size[i] = (size_t)l;
        at += l;
    }
    if (at != end)
        return refuse(d, "malformed (%llu unclaimed bytes before the checksum)",
                      (unsigned long long)(end - at));
    return 0;
}

static int check_checksum(const Decode *d, const uint8_t *buf, size_t len)
{
    uint8_t h[HASH_SIZE];
    checksum(buf, len - HASH_SIZE, h);
    if (memcmp(h, buf + len - HASH_SIZE, HASH_SIZE) != 0)
        return refuse(d, "checksum mismatch (the file is corrupted or was altered)");
    return 0;
}

/* The header's fields, read into info (after the checksum: a writer's bug, not damage). */
static int read_fields(const Decode *d, const uint8_t *buf, ArtifactInfo *info)
{
    if (get_str(buf + OFF_VERSION, sizeof info->corral_version, true, info->corral_version) ||
        get_str(buf + OFF_TARGET, sizeof info->target, true, info->target) ||
        get_str(buf + OFF_COMPILER, sizeof info->compiler, false, info->compiler) ||
        buf[MAGIC_LEN] != 0 || buf[MAGIC_LEN + 1] != 0)
        return refuse(d, "malformed header (a text field is not terminated or not ASCII)");
    info->cpu_features = get_u64(buf + OFF_CPU);
    info->flags = get_u32(buf + OFF_FLAGS);
    memcpy(info->module_sha256, buf + OFF_MODULE, 32);
    return 0;
}

/* "avx2, bmi2" (or "bit 40") for the bits of missing. */
static void feature_list(uint64_t missing, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (int b = 0; b < 64 && used < n; b++) {
        if (!(missing >> b & 1))
            continue;
        const char *name = feature_name(b);
        const char *sep = used ? ", " : "";
        if (name)
            used += (size_t)snprintf(out + used, n - used, "%s%s", sep, name);
        else
            used += (size_t)snprintf(out + used, n - used, "%sbit %d", sep, b);
    }
}

/* Corral version, target, CPU features, module and flags against this host and the caller. */
static int check_host(const Decode *d, const ArtifactInfo *info, const uint8_t *expect_module_sha,
                      const uint32_t *expect_flags)
{
    if (strcmp(info->corral_version, artifact_code_version()) != 0)
        return refuse(d, "made by Corral %s, this is %s: recompile it with `corral compile`",
                      info->corral_version, artifact_code_version());
    if (strcmp(info->target, artifact_host_target()) != 0)
        return refuse(d, "compiled for %s, this host is %s", info->target,
                      artifact_host_target());
    /* CPUID only when the code needs something beyond the baseline (it traps on a VM) */
    uint64_t missing =
        info->cpu_features ? info->cpu_features & ~artifact_host_cpu_features() : 0;
    if (missing) {
        char names[512];
        feature_list(missing, names, sizeof names);
        return refuse(d, "needs CPU features %s that this CPU lacks", names);
    }
    if (expect_module_sha && memcmp(expect_module_sha, info->module_sha256, 32) != 0) {
        char have[65], want[65];
        sha256_hex(info->module_sha256, have);
        sha256_hex(expect_module_sha, want);
        return refuse(d, "is the artifact of another module (sha256 %.16s.. not %.16s..)", have,
                      want);
    }
    if (expect_flags && *expect_flags != info->flags)
        return refuse(d,
                      "compiled with code flags 0x%x, this run needs 0x%x: recompile it with "
                      "`corral compile`",
                      info->flags, *expect_flags);
    return 0;
}

int artifact_decode(const char *name, const uint8_t *buf, size_t len,
                    const uint8_t *expect_module_sha, const uint32_t *expect_flags,
                    ArtifactInfo *info, const uint8_t **wasm, size_t *wasm_len,
                    const uint8_t **so, size_t *so_len, char *err, size_t errlen)
{
    Decode d = {name, err, errlen};
    size_t off[NSECT], size[NSECT];
    *wasm = *so = NULL;
    *wasm_len = *so_len = 0;
    memset(info, 0, sizeof *info);
    if (check_frame(&d, buf, len) || check_sections(&d, buf, len, off, size) ||
        check_checksum(&d, buf, len) || read_fields(&d, buf, info) ||
        check_host(&d, info, expect_module_sha, expect_flags))
        return -1;
    *wasm = buf + off[0];
    *wasm_len = size[0];
    *so = buf + off[1];
    *so_len = size[1];
    return 0;
}

bool artifact_sniff(const uint8_t *buf, size_t len)
{
    return len >= MAGIC_LEN && memcmp(buf, MAGIC, MAGIC_LEN) == 0;
}
