/* numeric.h: the numeric semantics of WebAssembly 2.0 (integers, IEEE floats, conversions,
 * little-endian memory access) as static inline functions: the single source of truth used
 * by the interpreter and by tests/unit/test_numeric.c. Nothing here has C undefined
 * behaviour for any input; operations that trap return a NumTrap instead of a value.
 * Floats travel as raw bit patterns between operations so NaN payloads survive. */
#ifndef CORRAL_NUMERIC_H
#define CORRAL_NUMERIC_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Outcome of an operation that may trap; the messages are the spec's. */
typedef enum NumTrap {
    NUM_OK = 0,
    NUM_DIV_ZERO,    /* "integer divide by zero" */
    NUM_OVERFLOW,    /* "integer overflow" */
    NUM_INVALID,     /* "invalid conversion to integer" */
} NumTrap;

static inline const char *num_trap_msg(NumTrap t)
{
    switch (t) {
    case NUM_DIV_ZERO: return "integer divide by zero";
    case NUM_OVERFLOW: return "integer overflow";
    case NUM_INVALID: return "invalid conversion to integer";
    case NUM_OK: break;
    }
    return "";
}

/* ---- bit patterns ------------------------------------------------------------------- */

static inline float f32_from_bits(uint32_t b)
{
    float f;
    memcpy(&f, &b, 4);
    return f;
}
static inline uint32_t f32_bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}
static inline double f64_from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, 8);
    return d;
}
static inline uint64_t f64_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}

/* ---- little-endian memory access (portable: the byte order is chosen once here) ---- */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static inline uint16_t le16(uint16_t v) { return (uint16_t)((v >> 8) | (v << 8)); }
static inline uint32_t le32(uint32_t v)
{
    return ((v & 0xffu) << 24) | ((v & 0xff00u) << 8) | ((v >> 8) & 0xff00u) | (v >> 24);
}
static inline uint64_t le64(uint64_t v)
{
    return ((uint64_t)le32((uint32_t)v) << 32) | le32((uint32_t)(v >> 32));
}
#else
static inline uint16_t le16(uint16_t v) { return v; }
static inline uint32_t le32(uint32_t v) { return v; }
static inline uint64_t le64(uint64_t v) { return v; }
#endif

static inline uint8_t ld_u8(const uint8_t *p) { return *p; }
static inline uint16_t ld_u16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return le16(v);
}
static inline uint32_t ld_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return le32(v);
}
static inline uint64_t ld_u64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return le64(v);
}
static inline void st_u8(uint8_t *p, uint8_t v) { *p = v; }
static inline void st_u16(uint8_t *p, uint16_t v)
{
    v = le16(v);
    memcpy(p, &v, 2);
}
static inline void st_u32(uint8_t *p, uint32_t v)
{
    v = le32(v);
    memcpy(p, &v, 4);
}
static inline void st_u64(uint8_t *p, uint64_t v)
{
    v = le64(v);
    memcpy(p, &v, 8);
}

/* ---- integers ----------------------------------------------------------------------- */
/* Signed values are handled as their two's complement unsigned bit patterns; conversions
 * between int32_t and uint32_t are implementation-defined (never undefined) and every C11
 * compiler Corral targets defines them as two's complement. */

#if defined(__GNUC__)
static inline uint32_t num_i32_clz(uint32_t x) { return x ? (uint32_t)__builtin_clz(x) : 32; }
static inline uint32_t num_i32_ctz(uint32_t x) { return x ? (uint32_t)__builtin_ctz(x) : 32; }
static inline uint32_t num_i32_popcnt(uint32_t x) { return (uint32_t)__builtin_popcount(x); }
static inline uint64_t num_i64_clz(uint64_t x) { return x ? (uint64_t)__builtin_clzll(x) : 64; }
static inline uint64_t num_i64_ctz(uint64_t x) { return x ? (uint64_t)__builtin_ctzll(x) : 64; }
static inline uint64_t num_i64_popcnt(uint64_t x) { return (uint64_t)__builtin_popcountll(x); }
#else
static inline uint64_t num_i64_clz(uint64_t x)
{
    uint64_t n = 0;
    if (!x)
        return 64;
    while (!(x & 0x8000000000000000ull)) {
        x <<= 1;
        n++;
    }
    return n;
}
static inline uint64_t num_i64_ctz(uint64_t x)
{
    uint64_t n = 0;
    if (!x)
        return 64;
    while (!(x & 1)) {
        x >>= 1;
        n++;
    }
    return n;
}
static inline uint64_t num_i64_popcnt(uint64_t x)
{
    uint64_t n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}
static inline uint32_t num_i32_clz(uint32_t x) { return x ? (uint32_t)num_i64_clz(x) - 32 : 32; }
static inline uint32_t num_i32_ctz(uint32_t x) { return x ? (uint32_t)num_i64_ctz(x) : 32; }
static inline uint32_t num_i32_popcnt(uint32_t x) { return (uint32_t)num_i64_popcnt(x); }
#endif

/* Shifts and rotates take the count modulo the width. */
static inline uint32_t num_i32_shl(uint32_t a, uint32_t b) { return a << (b & 31); }
static inline uint32_t num_i32_shr_u(uint32_t a, uint32_t b) { return a >> (b & 31); }
/* Right shift of a negative signed value is implementation-defined (not undefined) in C11;
 * every compiler Corral supports defines it as the arithmetic shift. */
static inline uint32_t num_i32_shr_s(uint32_t a, uint32_t b)
{
    return (uint32_t)((int32_t)a >> (b & 31));
}
static inline uint32_t num_i32_rotl(uint32_t a, uint32_t b)
{
    b &= 31;
    return (a << b) | (a >> ((32 - b) & 31));
}
static inline uint32_t num_i32_rotr(uint32_t a, uint32_t b)
{
    b &= 31;
    return (a >> b) | (a << ((32 - b) & 31));
}
static inline uint64_t num_i64_shl(uint64_t a, uint64_t b) { return a << (b & 63); }
static inline uint64_t num_i64_shr_u(uint64_t a, uint64_t b) { return a >> (b & 63); }
static inline uint64_t num_i64_shr_s(uint64_t a, uint64_t b)
{
    return (uint64_t)((int64_t)a >> (b & 63));
}
static inline uint64_t num_i64_rotl(uint64_t a, uint64_t b)
{
    b &= 63;
    return (a << b) | (a >> ((64 - b) & 63));
}
static inline uint64_t num_i64_rotr(uint64_t a, uint64_t b)
{
    b &= 63;
    return (a >> b) | (a << ((64 - b) & 63));
}

/* Division: the only integer operations that trap. */
static inline NumTrap num_i32_div_s(uint32_t a, uint32_t b, uint32_t *out)
{
    if (b == 0)
        return NUM_DIV_ZERO;
    if (a == 0x80000000u && b == 0xffffffffu)
        return NUM_OVERFLOW;
    *out = (uint32_t)((int32_t)a / (int32_t)b);
    return NUM_OK;
}
static inline NumTrap num_i32_div_u(uint32_t a, uint32_t b, uint32_t *out)
{
    if (b == 0)
        return NUM_DIV_ZERO;
    *out = a / b;
    return NUM_OK;
}
static inline NumTrap num_i32_rem_s(uint32_t a, uint32_t b, uint32_t *out)
{
    if (b == 0)
        return NUM_DIV_ZERO;
    *out = b == 0xffffffffu ? 0 : (uint32_t)((int32_t)a % (int32_t)b); /* INT_MIN % -1 is UB */
    return NUM_OK;
}
static inline NumTrap num_i32_rem_u(uint32_t a, uint32_t b, uint32_t *out)
{
    if (b == 0)
        return NUM_DIV_ZERO;
    *out = a % b;
    return NUM_OK;
}
static inline NumTrap num_i64_div_s(uint64_t a, uint64_t b, uint64_t *out)
{
    if (b == 0)
        return NUM_DIV_ZERO;
    if (a == 0x8000000000000000ull && b == UINT64_MAX)
        return NUM_OVERFLOW;
    *out = (uint64_t)((int64_t)a / (int64_t)b);
    return NUM_OK;
}
static inline NumTrap num_i64_div_u(uint64_t a, uint64_t b, uint64_t *out)
{
    if (b == 0)
        return NUM_DIV_ZERO;
    *out = a / b;
    return NUM_OK;
}
static inline NumTrap num_i64_rem_s(uint64_t a, uint64_t b, uint64_t *out)
{
    if (b == 0)
        return NUM_DIV_ZERO;
    *out = b == UINT64_MAX ? 0 : (uint64_t)((int64_t)a % (int64_t)b);
    return NUM_OK;
}
static inline NumTrap num_i64_rem_u(uint64_t a, uint64_t b, uint64_t *out)
{
    if (b == 0)
        return NUM_DIV_ZERO;
    *out = a % b;
    return NUM_OK;
}

static inline uint32_t num_i32_extend8_s(uint32_t x) { return (uint32_t)(int32_t)(int8_t)(uint8_t)x; }
static inline uint32_t num_i32_extend16_s(uint32_t x)
{
    return (uint32_t)(int32_t)(int16_t)(uint16_t)x;
}
static inline uint64_t num_i64_extend8_s(uint64_t x) { return (uint64_t)(int64_t)(int8_t)(uint8_t)x; }
static inline uint64_t num_i64_extend16_s(uint64_t x)
{
    return (uint64_t)(int64_t)(int16_t)(uint16_t)x;
}
static inline uint64_t num_i64_extend32_s(uint64_t x)
{
    return (uint64_t)(int64_t)(int32_t)(uint32_t)x;
}

/* Signed comparisons on bit patterns. */
static inline int num_i32_lt_s(uint32_t a, uint32_t b) { return (int32_t)a < (int32_t)b; }
static inline int num_i64_lt_s(uint64_t a, uint64_t b) { return (int64_t)a < (int64_t)b; }

/* ---- floats: sign-bit operations (never touch the payload) --------------------------- */

#define F32_SIGN 0x80000000u
#define F64_SIGN 0x8000000000000000ull
#define F32_CANON_NAN 0x7fc00000u
#define F64_CANON_NAN 0x7ff8000000000000ull

static inline uint32_t num_f32_abs(uint32_t a) { return a & ~F32_SIGN; }
static inline uint32_t num_f32_neg(uint32_t a) { return a ^ F32_SIGN; }
static inline uint32_t num_f32_copysign(uint32_t a, uint32_t b)
{
    return (a & ~F32_SIGN) | (b & F32_SIGN);
}
static inline uint64_t num_f64_abs(uint64_t a) { return a & ~F64_SIGN; }
static inline uint64_t num_f64_neg(uint64_t a) { return a ^ F64_SIGN; }
static inline uint64_t num_f64_copysign(uint64_t a, uint64_t b)
{
    return (a & ~F64_SIGN) | (b & F64_SIGN);
}

/* ---- floats: arithmetic ------------------------------------------------------------- */
/* + - * / sqrt are IEEE-754 operations in C (FLT_EVAL_METHOD 0, no contraction under
 * -std=c11); a NaN result is whatever the hardware gives, which is a canonical or
 * arithmetic NaN as the spec allows. */

static inline uint32_t num_f32_add(uint32_t a, uint32_t b)
{
    return f32_bits(f32_from_bits(a) + f32_from_bits(b));
}
static inline uint32_t num_f32_sub(uint32_t a, uint32_t b)
{
    return f32_bits(f32_from_bits(a) - f32_from_bits(b));
}
static inline uint32_t num_f32_mul(uint32_t a, uint32_t b)
{
    return f32_bits(f32_from_bits(a) * f32_from_bits(b));
}
static inline uint32_t num_f32_div(uint32_t a, uint32_t b)
{
    return f32_bits(f32_from_bits(a) / f32_from_bits(b));
}
static inline uint64_t num_f64_add(uint64_t a, uint64_t b)
{
    return f64_bits(f64_from_bits(a) + f64_from_bits(b));
}
static inline uint64_t num_f64_sub(uint64_t a, uint64_t b)
{
    return f64_bits(f64_from_bits(a) - f64_from_bits(b));
}
static inline uint64_t num_f64_mul(uint64_t a, uint64_t b)
{
    return f64_bits(f64_from_bits(a) * f64_from_bits(b));
}
static inline uint64_t num_f64_div(uint64_t a, uint64_t b)
{
    return f64_bits(f64_from_bits(a) / f64_from_bits(b));
}

static inline int f32_isnan_bits(uint32_t a) { return (a & 0x7fffffffu) > 0x7f800000u; }
static inline int f64_isnan_bits(uint64_t a)
{
    return (a & 0x7fffffffffffffffull) > 0x7ff0000000000000ull;
}

/* min/max: NaN in, NaN out (quietened); -0 < +0. */
static inline uint32_t num_f32_min(uint32_t a, uint32_t b)
{
    if (f32_isnan_bits(a) || f32_isnan_bits(b))
        return (f32_isnan_bits(a) ? a : b) | 0x00400000u;
    float x = f32_from_bits(a), y = f32_from_bits(b);
    if (x == y)
        return a | b; /* equal: differ at most in the sign of zero; -0 wins */
    return x < y ? a : b;
}
static inline uint32_t num_f32_max(uint32_t a, uint32_t b)
{
    if (f32_isnan_bits(a) || f32_isnan_bits(b))
        return (f32_isnan_bits(a) ? a : b) | 0x00400000u;
    float x = f32_from_bits(a), y = f32_from_bits(b);
    if (x == y)
        return a & b; /* +0 wins */
    return x > y ? a : b;
}
static inline uint64_t num_f64_min(uint64_t a, uint64_t b)
{
    if (f64_isnan_bits(a) || f64_isnan_bits(b))
        return (f64_isnan_bits(a) ? a : b) | 0x0008000000000000ull;
    double x = f64_from_bits(a), y = f64_from_bits(b);
    if (x == y)
        return a | b;
    return x < y ? a : b;
}
static inline uint64_t num_f64_max(uint64_t a, uint64_t b)
{
    if (f64_isnan_bits(a) || f64_isnan_bits(b))
        return (f64_isnan_bits(a) ? a : b) | 0x0008000000000000ull;
    double x = f64_from_bits(a), y = f64_from_bits(b);
    if (x == y)
        return a & b;
    return x > y ? a : b;
}

/* Rounding. A NaN operand yields that NaN quietened (an arithmetic NaN). nearest rounds
 * ties to even: nearbyint in the default rounding mode, which Corral never changes. */
static inline uint32_t f32_quiet(uint32_t a) { return a | 0x00400000u; }
static inline uint64_t f64_quiet(uint64_t a) { return a | 0x0008000000000000ull; }

static inline uint32_t num_f32_ceil(uint32_t a)
{
    return f32_isnan_bits(a) ? f32_quiet(a) : f32_bits(ceilf(f32_from_bits(a)));
}
static inline uint32_t num_f32_floor(uint32_t a)
{
    return f32_isnan_bits(a) ? f32_quiet(a) : f32_bits(floorf(f32_from_bits(a)));
}
static inline uint32_t num_f32_trunc(uint32_t a)
{
    return f32_isnan_bits(a) ? f32_quiet(a) : f32_bits(truncf(f32_from_bits(a)));
}
static inline uint32_t num_f32_nearest(uint32_t a)
{
    return f32_isnan_bits(a) ? f32_quiet(a) : f32_bits(nearbyintf(f32_from_bits(a)));
}
static inline uint32_t num_f32_sqrt(uint32_t a)
{
    return f32_isnan_bits(a) ? f32_quiet(a) : f32_bits(sqrtf(f32_from_bits(a)));
}
static inline uint64_t num_f64_ceil(uint64_t a)
{
    return f64_isnan_bits(a) ? f64_quiet(a) : f64_bits(ceil(f64_from_bits(a)));
}
static inline uint64_t num_f64_floor(uint64_t a)
{
    return f64_isnan_bits(a) ? f64_quiet(a) : f64_bits(floor(f64_from_bits(a)));
}
static inline uint64_t num_f64_trunc(uint64_t a)
{
    return f64_isnan_bits(a) ? f64_quiet(a) : f64_bits(trunc(f64_from_bits(a)));
}
static inline uint64_t num_f64_nearest(uint64_t a)
{
    return f64_isnan_bits(a) ? f64_quiet(a) : f64_bits(nearbyint(f64_from_bits(a)));
}
static inline uint64_t num_f64_sqrt(uint64_t a)
{
    return f64_isnan_bits(a) ? f64_quiet(a) : f64_bits(sqrt(f64_from_bits(a)));
}

/* Comparisons: C's operators are IEEE's (false on NaN, except !=). */
static inline int num_f32_eq(uint32_t a, uint32_t b) { return f32_from_bits(a) == f32_from_bits(b); }
static inline int num_f32_ne(uint32_t a, uint32_t b) { return f32_from_bits(a) != f32_from_bits(b); }
static inline int num_f32_lt(uint32_t a, uint32_t b) { return f32_from_bits(a) < f32_from_bits(b); }
static inline int num_f32_gt(uint32_t a, uint32_t b) { return f32_from_bits(a) > f32_from_bits(b); }
static inline int num_f32_le(uint32_t a, uint32_t b) { return f32_from_bits(a) <= f32_from_bits(b); }
static inline int num_f32_ge(uint32_t a, uint32_t b) { return f32_from_bits(a) >= f32_from_bits(b); }
static inline int num_f64_eq(uint64_t a, uint64_t b) { return f64_from_bits(a) == f64_from_bits(b); }
static inline int num_f64_ne(uint64_t a, uint64_t b) { return f64_from_bits(a) != f64_from_bits(b); }
static inline int num_f64_lt(uint64_t a, uint64_t b) { return f64_from_bits(a) < f64_from_bits(b); }
static inline int num_f64_gt(uint64_t a, uint64_t b) { return f64_from_bits(a) > f64_from_bits(b); }
static inline int num_f64_le(uint64_t a, uint64_t b) { return f64_from_bits(a) <= f64_from_bits(b); }
static inline int num_f64_ge(uint64_t a, uint64_t b) { return f64_from_bits(a) >= f64_from_bits(b); }

/* ---- conversions ---------------------------------------------------------------------- */

static inline uint32_t num_f32_demote_f64(uint64_t a)
{
    return f64_isnan_bits(a) ? f32_quiet(f32_bits((float)f64_from_bits(a)))
                             : f32_bits((float)f64_from_bits(a));
}
static inline uint64_t num_f64_promote_f32(uint32_t a)
{
    return f32_isnan_bits(a) ? f64_quiet(f64_bits((double)f32_from_bits(a)))
                             : f64_bits((double)f32_from_bits(a));
}

/* Integer to float: one correctly rounded conversion (C's cast under IEEE arithmetic;
 * never through double for u64/i64 -> f32, which would round twice). */
static inline uint32_t num_f32_convert_i32_s(uint32_t a) { return f32_bits((float)(int32_t)a); }
static inline uint32_t num_f32_convert_i32_u(uint32_t a) { return f32_bits((float)a); }
static inline uint32_t num_f32_convert_i64_s(uint64_t a) { return f32_bits((float)(int64_t)a); }
static inline uint32_t num_f32_convert_i64_u(uint64_t a) { return f32_bits((float)a); }
static inline uint64_t num_f64_convert_i32_s(uint32_t a) { return f64_bits((double)(int32_t)a); }
static inline uint64_t num_f64_convert_i32_u(uint32_t a) { return f64_bits((double)a); }
static inline uint64_t num_f64_convert_i64_s(uint64_t a) { return f64_bits((double)(int64_t)a); }
static inline uint64_t num_f64_convert_i64_u(uint64_t a) { return f64_bits((double)a); }

/* Float to integer. The range tests run before the cast, so the cast only ever sees values
 * whose truncation is representable (a C cast of anything else is undefined). The bounds
 * are exact powers of two, representable in both float and double:
 *   i32: -2^31 - 1 < x < 2^31      u32: -1 < x < 2^32
 *   i64: -2^63 <= x < 2^63         u64: -1 < x < 2^64 */
#define TRUNC_BODY(T, FT, fx, lo_ok, hi_ok)                                                 \
    if (fx != fx)                                                                          \
        return NUM_INVALID;                                                                \
    if (!(lo_ok) || !(hi_ok))                                                              \
        return NUM_OVERFLOW;                                                               \
    *out = (T)(FT)fx;                                                                      \
    return NUM_OK

static inline NumTrap num_i32_trunc_f32_s(uint32_t a, uint32_t *out)
{
    float x = f32_from_bits(a);
    TRUNC_BODY(uint32_t, int32_t, x, x >= -2147483648.0f, x < 2147483648.0f);
}
static inline NumTrap num_i32_trunc_f32_u(uint32_t a, uint32_t *out)
{
    float x = f32_from_bits(a);
    TRUNC_BODY(uint32_t, uint32_t, x, x > -1.0f, x < 4294967296.0f);
}
static inline NumTrap num_i32_trunc_f64_s(uint64_t a, uint32_t *out)
{
    double x = f64_from_bits(a);
    TRUNC_BODY(uint32_t, int32_t, x, x > -2147483649.0, x < 2147483648.0);
}
static inline NumTrap num_i32_trunc_f64_u(uint64_t a, uint32_t *out)
{
    double x = f64_from_bits(a);
    TRUNC_BODY(uint32_t, uint32_t, x, x > -1.0, x < 4294967296.0);
}
static inline NumTrap num_i64_trunc_f32_s(uint32_t a, uint64_t *out)
{
    float x = f32_from_bits(a);
    TRUNC_BODY(uint64_t, int64_t, x, x >= -9223372036854775808.0f, x < 9223372036854775808.0f);
}
static inline NumTrap num_i64_trunc_f32_u(uint32_t a, uint64_t *out)
{
    float x = f32_from_bits(a);
    TRUNC_BODY(uint64_t, uint64_t, x, x > -1.0f, x < 18446744073709551616.0f);
}
static inline NumTrap num_i64_trunc_f64_s(uint64_t a, uint64_t *out)
{
    double x = f64_from_bits(a);
    TRUNC_BODY(uint64_t, int64_t, x, x >= -9223372036854775808.0, x < 9223372036854775808.0);
}
static inline NumTrap num_i64_trunc_f64_u(uint64_t a, uint64_t *out)
{
    double x = f64_from_bits(a);
    TRUNC_BODY(uint64_t, uint64_t, x, x > -1.0, x < 18446744073709551616.0);
}
#undef TRUNC_BODY

/* Saturating: NaN -> 0, out of range -> the nearest bound. */
#define TRUNC_SAT_BODY(T, FT, fx, lo_ok, hi_ok, lo, hi)                                     \
    if (fx != fx)                                                                          \
        return 0;                                                                          \
    if (!(lo_ok))                                                                          \
        return (T)(lo);                                                                    \
    if (!(hi_ok))                                                                          \
        return (T)(hi);                                                                    \
    return (T)(FT)fx

static inline uint32_t num_i32_trunc_sat_f32_s(uint32_t a)
{
    float x = f32_from_bits(a);
    TRUNC_SAT_BODY(uint32_t, int32_t, x, x >= -2147483648.0f, x < 2147483648.0f, 0x80000000u,
                   0x7fffffffu);
}
static inline uint32_t num_i32_trunc_sat_f32_u(uint32_t a)
{
    float x = f32_from_bits(a);
    TRUNC_SAT_BODY(uint32_t, uint32_t, x, x > -1.0f, x < 4294967296.0f, 0, 0xffffffffu);
}
static inline uint32_t num_i32_trunc_sat_f64_s(uint64_t a)
{
    double x = f64_from_bits(a);
    TRUNC_SAT_BODY(uint32_t, int32_t, x, x > -2147483649.0, x < 2147483648.0, 0x80000000u,
                   0x7fffffffu);
}
static inline uint32_t num_i32_trunc_sat_f64_u(uint64_t a)
{
    double x = f64_from_bits(a);
    TRUNC_SAT_BODY(uint32_t, uint32_t, x, x > -1.0, x < 4294967296.0, 0, 0xffffffffu);
}
static inline uint64_t num_i64_trunc_sat_f32_s(uint32_t a)
{
    float x = f32_from_bits(a);
    TRUNC_SAT_BODY(uint64_t, int64_t, x, x >= -9223372036854775808.0f, x < 9223372036854775808.0f,
                   0x8000000000000000ull, 0x7fffffffffffffffull);
}
static inline uint64_t num_i64_trunc_sat_f32_u(uint32_t a)
{
    float x = f32_from_bits(a);
    TRUNC_SAT_BODY(uint64_t, uint64_t, x, x > -1.0f, x < 18446744073709551616.0f, 0, UINT64_MAX);
}
static inline uint64_t num_i64_trunc_sat_f64_s(uint64_t a)
{
    double x = f64_from_bits(a);
    TRUNC_SAT_BODY(uint64_t, int64_t, x, x >= -9223372036854775808.0, x < 9223372036854775808.0,
                   0x8000000000000000ull, 0x7fffffffffffffffull);
}
static inline uint64_t num_i64_trunc_sat_f64_u(uint64_t a)
{
    double x = f64_from_bits(a);
    TRUNC_SAT_BODY(uint64_t, uint64_t, x, x > -1.0, x < 18446744073709551616.0, 0, UINT64_MAX);
}
#undef TRUNC_SAT_BODY

#endif
