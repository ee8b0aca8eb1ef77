/* simd.h: the semantics of WebAssembly's 128-bit SIMD instructions (2.0's, and 3.0's relaxed
 * SIMD) as static inline functions on V128, the single source of truth the interpreter uses
 * (and, like numeric.h, self-contained so generated code may embed it). A V128 is the value's
 * 16-byte image in linear-memory order: lane i of an iNxM shape is bytes [i*N/8, (i+1)*N/8),
 * little-endian, on every host. Lanes are read and written through numeric.h's little-endian
 * helpers, so the lane-wise code below is portable (big-endian s390x included).
 *
 * The operations that GCC's vector extensions express exactly (integer arithmetic, compares,
 * shifts, bitwise operations, float arithmetic and compares) come from one of two files:
 * simd_vec.h (vector extensions: SSE on x86-64, NEON on aarch64; little-endian GNU C only)
 * or simd_scalar.h (plain C, lane by lane). -DCORRAL_SIMD_SCALAR forces the second, which
 * `make spec-simd-scalar` runs the SIMD spec files with. Everything else is lane-wise here,
 * reusing numeric.h's scalar rules for NaNs and rounding. No function has C undefined
 * behaviour for any input. */
#ifndef CORRAL_SIMD_H
#define CORRAL_SIMD_H

#include "numeric.h"

#include <stdint.h>
#include <string.h>

typedef struct V128 {
    uint8_t b[16];
} V128;

/* ---- lanes (little-endian in the image) ------------------------------------------------ */

static inline uint8_t v_u8(V128 v, unsigned i) { return v.b[i]; }
static inline uint16_t v_u16(V128 v, unsigned i) { return ld_u16(v.b + 2 * i); }
static inline uint32_t v_u32(V128 v, unsigned i) { return ld_u32(v.b + 4 * i); }
static inline uint64_t v_u64(V128 v, unsigned i) { return ld_u64(v.b + 8 * i); }
static inline int8_t v_s8(V128 v, unsigned i) { return (int8_t)v.b[i]; }
static inline int16_t v_s16(V128 v, unsigned i) { return (int16_t)v_u16(v, i); }
static inline int32_t v_s32(V128 v, unsigned i) { return (int32_t)v_u32(v, i); }
static inline int64_t v_s64(V128 v, unsigned i) { return (int64_t)v_u64(v, i); }
static inline void v_set8(V128 *v, unsigned i, uint8_t x) { v->b[i] = x; }
static inline void v_set16(V128 *v, unsigned i, uint16_t x) { st_u16(v->b + 2 * i, x); }
static inline void v_set32(V128 *v, unsigned i, uint32_t x) { st_u32(v->b + 4 * i, x); }
static inline void v_set64(V128 *v, unsigned i, uint64_t x) { st_u64(v->b + 8 * i, x); }

static inline V128 v128_load(const void *p)
{
    V128 v;
    memcpy(&v, p, 16);
    return v;
}
static inline void v128_store(void *p, V128 v) { memcpy(p, &v, 16); }
static inline V128 v128_zero(void)
{
    V128 v;
    memset(&v, 0, sizeof v);
    return v;
}
/* From two 64-bit halves: lo is lanes 0-7 (bytes 0-7) as a little-endian i64. */
static inline V128 v128_from_u64(uint64_t lo, uint64_t hi)
{
    V128 v;
    v_set64(&v, 0, lo);
    v_set64(&v, 1, hi);
    return v;
}

/* Lane-wise maps: r[i] = expr of x (= a's lane i) and y (= b's lane i), both of type T. */
#define SIMD_MAP1(W, T, expr)                             \
    V128 r;                                               \
    for (unsigned i = 0; i < 128 / (W); i++) {            \
        T x = (T)v_u##W(a, i);                            \
        v_set##W(&r, i, (uint##W##_t)(expr));             \
    }                                                     \
    return r
#define SIMD_MAP2(W, T, expr)                             \
    V128 r;                                               \
    for (unsigned i = 0; i < 128 / (W); i++) {            \
        T x = (T)v_u##W(a, i), y = (T)v_u##W(b, i);       \
        v_set##W(&r, i, (uint##W##_t)(expr));             \
    }                                                     \
    return r
/* A compare: all ones where cond holds. */
#define SIMD_CMP(W, T, cond) SIMD_MAP2(W, T, (cond) ? UINT##W##_MAX : 0)

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    !defined(CORRAL_SIMD_SCALAR)
#include "simd_vec.h"
#else
#include "simd_scalar.h"
#endif

/* ---- constants, splats, lanes ---------------------------------------------------------- */

static inline V128 simd_i8x16_splat(uint32_t x) { V128 r; memset(r.b, (uint8_t)x, 16); return r; }
static inline V128 simd_i16x8_splat(uint32_t x)
{
    V128 r;
    for (unsigned i = 0; i < 8; i++)
        v_set16(&r, i, (uint16_t)x);
    return r;
}
static inline V128 simd_i32x4_splat(uint32_t x)
{
    V128 r;
    for (unsigned i = 0; i < 4; i++)
        v_set32(&r, i, x);
    return r;
}
static inline V128 simd_i64x2_splat(uint64_t x) { return v128_from_u64(x, x); }

static inline uint32_t simd_i8x16_extract_lane_s(V128 a, unsigned l) { return (uint32_t)(int32_t)v_s8(a, l); }
static inline uint32_t simd_i8x16_extract_lane_u(V128 a, unsigned l) { return v_u8(a, l); }
static inline uint32_t simd_i16x8_extract_lane_s(V128 a, unsigned l) { return (uint32_t)(int32_t)v_s16(a, l); }
static inline uint32_t simd_i16x8_extract_lane_u(V128 a, unsigned l) { return v_u16(a, l); }
static inline uint32_t simd_i32x4_extract_lane(V128 a, unsigned l) { return v_u32(a, l); }
static inline uint64_t simd_i64x2_extract_lane(V128 a, unsigned l) { return v_u64(a, l); }
static inline V128 simd_i8x16_replace_lane(V128 a, unsigned l, uint32_t x) { v_set8(&a, l, (uint8_t)x); return a; }
static inline V128 simd_i16x8_replace_lane(V128 a, unsigned l, uint32_t x) { v_set16(&a, l, (uint16_t)x); return a; }
static inline V128 simd_i32x4_replace_lane(V128 a, unsigned l, uint32_t x) { v_set32(&a, l, x); return a; }
static inline V128 simd_i64x2_replace_lane(V128 a, unsigned l, uint64_t x) { v_set64(&a, l, x); return a; }

/* ---- shuffles -------------------------------------------------------------------------- */

/* Lane i of the result is lane s[i] of the 32 bytes a ++ b (s[i] < 32, checked by the
 * validator). */
static inline V128 simd_i8x16_shuffle(V128 a, V128 b, const uint8_t *s)
{
    V128 r;
    for (unsigned i = 0; i < 16; i++)
        r.b[i] = s[i] < 16 ? a.b[s[i]] : b.b[s[i] & 15];
    return r;
}
static inline V128 simd_i8x16_swizzle(V128 a, V128 b)
{
    V128 r;
    for (unsigned i = 0; i < 16; i++)
        r.b[i] = b.b[i] < 16 ? a.b[b.b[i]] : 0;
    return r;
}

/* ---- tests ----------------------------------------------------------------------------- */

static inline uint32_t simd_v128_any_true(V128 a)
{
    return (v_u64(a, 0) | v_u64(a, 1)) != 0;
}
#define SIMD_ALL_TRUE(W)                           \
    for (unsigned i = 0; i < 128 / (W); i++)       \
        if (v_u##W(a, i) == 0)                     \
            return 0;                              \
    return 1
static inline uint32_t simd_i8x16_all_true(V128 a) { SIMD_ALL_TRUE(8); }
static inline uint32_t simd_i16x8_all_true(V128 a) { SIMD_ALL_TRUE(16); }
static inline uint32_t simd_i32x4_all_true(V128 a) { SIMD_ALL_TRUE(32); }
static inline uint32_t simd_i64x2_all_true(V128 a) { SIMD_ALL_TRUE(64); }
#undef SIMD_ALL_TRUE
#define SIMD_BITMASK(W)                                   \
    uint32_t m = 0;                                       \
    for (unsigned i = 0; i < 128 / (W); i++)              \
        m |= (uint32_t)(v_u##W(a, i) >> ((W) - 1)) << i;  \
    return m
static inline uint32_t simd_i8x16_bitmask(V128 a) { SIMD_BITMASK(8); }
static inline uint32_t simd_i16x8_bitmask(V128 a) { SIMD_BITMASK(16); }
static inline uint32_t simd_i32x4_bitmask(V128 a) { SIMD_BITMASK(32); }
static inline uint32_t simd_i64x2_bitmask(V128 a) { SIMD_BITMASK(64); }
#undef SIMD_BITMASK

/* ---- integer lane-wise ----------------------------------------------------------------- */

static inline int32_t simd_sat(int32_t x, int32_t lo, int32_t hi) { return x < lo ? lo : x > hi ? hi : x; }

#ifndef SIMD_VEC_WIDE /* simd_vec.h has these */
static inline V128 simd_i8x16_popcnt(V128 a) { SIMD_MAP1(8, uint32_t, num_i32_popcnt(x)); }
static inline V128 simd_i8x16_add_sat_s(V128 a, V128 b) { SIMD_MAP2(8, int8_t, simd_sat(x + y, -128, 127)); }
static inline V128 simd_i8x16_add_sat_u(V128 a, V128 b) { SIMD_MAP2(8, uint8_t, simd_sat(x + y, 0, 255)); }
static inline V128 simd_i8x16_sub_sat_s(V128 a, V128 b) { SIMD_MAP2(8, int8_t, simd_sat(x - y, -128, 127)); }
static inline V128 simd_i8x16_sub_sat_u(V128 a, V128 b) { SIMD_MAP2(8, uint8_t, simd_sat(x - y, 0, 255)); }
static inline V128 simd_i16x8_add_sat_s(V128 a, V128 b) { SIMD_MAP2(16, int16_t, simd_sat(x + y, -32768, 32767)); }
static inline V128 simd_i16x8_add_sat_u(V128 a, V128 b) { SIMD_MAP2(16, uint16_t, simd_sat(x + y, 0, 65535)); }
static inline V128 simd_i16x8_sub_sat_s(V128 a, V128 b) { SIMD_MAP2(16, int16_t, simd_sat(x - y, -32768, 32767)); }
static inline V128 simd_i16x8_sub_sat_u(V128 a, V128 b) { SIMD_MAP2(16, uint16_t, simd_sat(x - y, 0, 65535)); }
static inline V128 simd_i8x16_avgr_u(V128 a, V128 b) { SIMD_MAP2(8, uint32_t, (x + y + 1) >> 1); }
static inline V128 simd_i16x8_avgr_u(V128 a, V128 b) { SIMD_MAP2(16, uint32_t, (x + y + 1) >> 1); }
static inline V128 simd_i16x8_q15mulr_sat_s(V128 a, V128 b)
{
    SIMD_MAP2(16, int16_t, simd_sat((x * y + 0x4000) >> 15, -32768, 32767));
}
#endif

#ifndef SIMD_VEC_WIDE /* simd_vec.h has these */
/* Narrowing: lanes of a, then lanes of b, each saturated. */
#define SIMD_NARROW(W, get, lo, hi)                                     \
    V128 r;                                                             \
    for (unsigned i = 0; i < 64 / (W); i++) {                           \
        v_set##W(&r, i, (uint##W##_t)simd_sat(get(a, i), lo, hi));      \
        v_set##W(&r, i + 64 / (W), (uint##W##_t)simd_sat(get(b, i), lo, hi)); \
    }                                                                   \
    return r
static inline V128 simd_i8x16_narrow_i16x8_s(V128 a, V128 b) { SIMD_NARROW(8, v_s16, -128, 127); }
static inline V128 simd_i8x16_narrow_i16x8_u(V128 a, V128 b) { SIMD_NARROW(8, v_s16, 0, 255); }
static inline V128 simd_i16x8_narrow_i32x4_s(V128 a, V128 b) { SIMD_NARROW(16, v_s32, -32768, 32767); }
static inline V128 simd_i16x8_narrow_i32x4_u(V128 a, V128 b) { SIMD_NARROW(16, v_s32, 0, 65535); }
#undef SIMD_NARROW

/* Widening: r[i] = ext(a[i + first]) for W-bit result lanes from W/2-bit source lanes. */
#define SIMD_EXTEND(W, get, first)                                      \
    V128 r;                                                             \
    for (unsigned i = 0; i < 128 / (W); i++)                            \
        v_set##W(&r, i, (uint##W##_t)get(a, i + (first)));              \
    return r
static inline V128 simd_i16x8_extend_low_i8x16_s(V128 a) { SIMD_EXTEND(16, v_s8, 0); }
static inline V128 simd_i16x8_extend_high_i8x16_s(V128 a) { SIMD_EXTEND(16, v_s8, 8); }
static inline V128 simd_i16x8_extend_low_i8x16_u(V128 a) { SIMD_EXTEND(16, v_u8, 0); }
static inline V128 simd_i16x8_extend_high_i8x16_u(V128 a) { SIMD_EXTEND(16, v_u8, 8); }
static inline V128 simd_i32x4_extend_low_i16x8_s(V128 a) { SIMD_EXTEND(32, v_s16, 0); }
static inline V128 simd_i32x4_extend_high_i16x8_s(V128 a) { SIMD_EXTEND(32, v_s16, 4); }
static inline V128 simd_i32x4_extend_low_i16x8_u(V128 a) { SIMD_EXTEND(32, v_u16, 0); }
static inline V128 simd_i32x4_extend_high_i16x8_u(V128 a) { SIMD_EXTEND(32, v_u16, 4); }
static inline V128 simd_i64x2_extend_low_i32x4_s(V128 a) { SIMD_EXTEND(64, v_s32, 0); }
static inline V128 simd_i64x2_extend_high_i32x4_s(V128 a) { SIMD_EXTEND(64, v_s32, 2); }
static inline V128 simd_i64x2_extend_low_i32x4_u(V128 a) { SIMD_EXTEND(64, v_u32, 0); }
static inline V128 simd_i64x2_extend_high_i32x4_u(V128 a) { SIMD_EXTEND(64, v_u32, 2); }
#undef SIMD_EXTEND

/* Extended multiplication: r[i] = ext(a[i + first]) * ext(b[i + first]), exact in 64 bits
 * (then wrapped to the lane). */
#define SIMD_EXTMUL(W, get, first)                                               \
    V128 r;                                                                      \
    for (unsigned i = 0; i < 128 / (W); i++)                                     \
        v_set##W(&r, i, (uint##W##_t)((uint64_t)get(a, i + (first)) *           \
                                      (uint64_t)get(b, i + (first))));           \
    return r
static inline V128 simd_i16x8_extmul_low_i8x16_s(V128 a, V128 b) { SIMD_EXTMUL(16, v_s8, 0); }
static inline V128 simd_i16x8_extmul_high_i8x16_s(V128 a, V128 b) { SIMD_EXTMUL(16, v_s8, 8); }
static inline V128 simd_i16x8_extmul_low_i8x16_u(V128 a, V128 b) { SIMD_EXTMUL(16, v_u8, 0); }
static inline V128 simd_i16x8_extmul_high_i8x16_u(V128 a, V128 b) { SIMD_EXTMUL(16, v_u8, 8); }
static inline V128 simd_i32x4_extmul_low_i16x8_s(V128 a, V128 b) { SIMD_EXTMUL(32, v_s16, 0); }
static inline V128 simd_i32x4_extmul_high_i16x8_s(V128 a, V128 b) { SIMD_EXTMUL(32, v_s16, 4); }
static inline V128 simd_i32x4_extmul_low_i16x8_u(V128 a, V128 b) { SIMD_EXTMUL(32, v_u16, 0); }
static inline V128 simd_i32x4_extmul_high_i16x8_u(V128 a, V128 b) { SIMD_EXTMUL(32, v_u16, 4); }
static inline V128 simd_i64x2_extmul_low_i32x4_s(V128 a, V128 b) { SIMD_EXTMUL(64, v_s32, 0); }
static inline V128 simd_i64x2_extmul_high_i32x4_s(V128 a, V128 b) { SIMD_EXTMUL(64, v_s32, 2); }
static inline V128 simd_i64x2_extmul_low_i32x4_u(V128 a, V128 b) { SIMD_EXTMUL(64, v_u32, 0); }
static inline V128 simd_i64x2_extmul_high_i32x4_u(V128 a, V128 b) { SIMD_EXTMUL(64, v_u32, 2); }
#undef SIMD_EXTMUL

/* Pairwise: r[i] = ext(a[2i]) + ext(a[2i + 1]). */
#define SIMD_EXTADD(W, get)                                                        \
    V128 r;                                                                        \
    for (unsigned i = 0; i < 128 / (W); i++)                                       \
        v_set##W(&r, i, (uint##W##_t)((int64_t)get(a, 2 * i) + get(a, 2 * i + 1))); \
    return r
static inline V128 simd_i16x8_extadd_pairwise_i8x16_s(V128 a) { SIMD_EXTADD(16, v_s8); }
static inline V128 simd_i16x8_extadd_pairwise_i8x16_u(V128 a) { SIMD_EXTADD(16, v_u8); }
static inline V128 simd_i32x4_extadd_pairwise_i16x8_s(V128 a) { SIMD_EXTADD(32, v_s16); }
static inline V128 simd_i32x4_extadd_pairwise_i16x8_u(V128 a) { SIMD_EXTADD(32, v_u16); }
#undef SIMD_EXTADD

static inline V128 simd_i32x4_dot_i16x8_s(V128 a, V128 b)
{
    V128 r;
    for (unsigned i = 0; i < 4; i++) {
        int64_t s = (int64_t)v_s16(a, 2 * i) * v_s16(b, 2 * i) +
                    (int64_t)v_s16(a, 2 * i + 1) * v_s16(b, 2 * i + 1);
        v_set32(&r, i, (uint32_t)s);
    }
    return r;
}
#endif

/* ---- float lane-wise (numeric.h's rules) ----------------------------------------------- */

static inline V128 simd_f32x4_ceil(V128 a) { SIMD_MAP1(32, uint32_t, num_f32_ceil(x)); }
static inline V128 simd_f32x4_floor(V128 a) { SIMD_MAP1(32, uint32_t, num_f32_floor(x)); }
static inline V128 simd_f32x4_trunc(V128 a) { SIMD_MAP1(32, uint32_t, num_f32_trunc(x)); }
static inline V128 simd_f32x4_nearest(V128 a) { SIMD_MAP1(32, uint32_t, num_f32_nearest(x)); }
static inline V128 simd_f32x4_sqrt(V128 a) { SIMD_MAP1(32, uint32_t, num_f32_sqrt(x)); }
static inline V128 simd_f64x2_ceil(V128 a) { SIMD_MAP1(64, uint64_t, num_f64_ceil(x)); }
static inline V128 simd_f64x2_floor(V128 a) { SIMD_MAP1(64, uint64_t, num_f64_floor(x)); }
static inline V128 simd_f64x2_trunc(V128 a) { SIMD_MAP1(64, uint64_t, num_f64_trunc(x)); }
static inline V128 simd_f64x2_nearest(V128 a) { SIMD_MAP1(64, uint64_t, num_f64_nearest(x)); }
static inline V128 simd_f64x2_sqrt(V128 a) { SIMD_MAP1(64, uint64_t, num_f64_sqrt(x)); }
static inline V128 simd_f32x4_min(V128 a, V128 b) { SIMD_MAP2(32, uint32_t, num_f32_min(x, y)); }
static inline V128 simd_f32x4_max(V128 a, V128 b) { SIMD_MAP2(32, uint32_t, num_f32_max(x, y)); }
static inline V128 simd_f64x2_min(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, num_f64_min(x, y)); }
static inline V128 simd_f64x2_max(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, num_f64_max(x, y)); }
/* pmin is b < a ? b : a, pmax a < b ? b : a: NaN operands need no special case. */
static inline V128 simd_f32x4_pmin(V128 a, V128 b) { SIMD_MAP2(32, uint32_t, num_f32_lt(y, x) ? y : x); }
static inline V128 simd_f32x4_pmax(V128 a, V128 b) { SIMD_MAP2(32, uint32_t, num_f32_lt(x, y) ? y : x); }
static inline V128 simd_f64x2_pmin(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, num_f64_lt(y, x) ? y : x); }
static inline V128 simd_f64x2_pmax(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, num_f64_lt(x, y) ? y : x); }

static inline V128 simd_i32x4_trunc_sat_f32x4_s(V128 a) { SIMD_MAP1(32, uint32_t, num_i32_trunc_sat_f32_s(x)); }
static inline V128 simd_i32x4_trunc_sat_f32x4_u(V128 a) { SIMD_MAP1(32, uint32_t, num_i32_trunc_sat_f32_u(x)); }
static inline V128 simd_f32x4_convert_i32x4_s(V128 a) { SIMD_MAP1(32, uint32_t, num_f32_convert_i32_s(x)); }
static inline V128 simd_f32x4_convert_i32x4_u(V128 a) { SIMD_MAP1(32, uint32_t, num_f32_convert_i32_u(x)); }
static inline V128 simd_i32x4_trunc_sat_f64x2_s_zero(V128 a)
{
    V128 r = v128_zero();
    v_set32(&r, 0, num_i32_trunc_sat_f64_s(v_u64(a, 0)));
    v_set32(&r, 1, num_i32_trunc_sat_f64_s(v_u64(a, 1)));
    return r;
}
static inline V128 simd_i32x4_trunc_sat_f64x2_u_zero(V128 a)
{
    V128 r = v128_zero();
    v_set32(&r, 0, num_i32_trunc_sat_f64_u(v_u64(a, 0)));
    v_set32(&r, 1, num_i32_trunc_sat_f64_u(v_u64(a, 1)));
    return r;
}
static inline V128 simd_f64x2_convert_low_i32x4_s(V128 a)
{
    return v128_from_u64(num_f64_convert_i32_s(v_u32(a, 0)), num_f64_convert_i32_s(v_u32(a, 1)));
}
static inline V128 simd_f64x2_convert_low_i32x4_u(V128 a)
{
    return v128_from_u64(num_f64_convert_i32_u(v_u32(a, 0)), num_f64_convert_i32_u(v_u32(a, 1)));
}
static inline V128 simd_f32x4_demote_f64x2_zero(V128 a)
{
    V128 r = v128_zero();
    v_set32(&r, 0, num_f32_demote_f64(v_u64(a, 0)));
    v_set32(&r, 1, num_f32_demote_f64(v_u64(a, 1)));
    return r;
}
static inline V128 simd_f64x2_promote_low_f32x4(V128 a)
{
    return v128_from_u64(num_f64_promote_f32(v_u32(a, 0)), num_f64_promote_f32(v_u32(a, 1)));
}

/* ---- relaxed SIMD (WebAssembly 3.0) ---------------------------------------------------- */
/* Each relaxed instruction may give any result of a small set the spec lists; Corral picks
 * one, the same on every host, tier and SIMD path (docs/design/interp.md, SIMD):
 *   relaxed_swizzle     = swizzle: an index of 16 or more selects 0
 *   relaxed_trunc_*     = trunc_sat_*: NaN gives 0, out-of-range values saturate
 *   relaxed_madd, nmadd = unfused: a * b rounded, then + c rounded (nmadd: -(a * b) + c)
 *   relaxed_laneselect  = bitselect: every bit of the mask selects, not only a lane's top bit
 *   relaxed_min, max    = min, max: a NaN operand gives NaN, -0 is below +0
 *   relaxed_q15mulr_s   = q15mulr_sat_s: -32768 * -32768 saturates to 32767
 *   relaxed_dot_*       = b's lanes signed (as a's); an i16x8 lane is its pair's sum wrapped
 *                         to 16 bits; the i32x4 form adds those i16 lanes pairwise (as
 *                         extadd_pairwise_i16x8_s), then c's lane, wrapping */

static inline V128 simd_i8x16_relaxed_swizzle(V128 a, V128 b) { return simd_i8x16_swizzle(a, b); }
static inline V128 simd_i32x4_relaxed_trunc_f32x4_s(V128 a) { return simd_i32x4_trunc_sat_f32x4_s(a); }
static inline V128 simd_i32x4_relaxed_trunc_f32x4_u(V128 a) { return simd_i32x4_trunc_sat_f32x4_u(a); }
static inline V128 simd_i32x4_relaxed_trunc_f64x2_s_zero(V128 a) { return simd_i32x4_trunc_sat_f64x2_s_zero(a); }
static inline V128 simd_i32x4_relaxed_trunc_f64x2_u_zero(V128 a) { return simd_i32x4_trunc_sat_f64x2_u_zero(a); }

#define SIMD_MADD(W, mul, add, sign)                                          \
    V128 r;                                                                      \
    for (unsigned i = 0; i < 128 / (W); i++)                                     \
        v_set##W(&r, i, add(mul(v_u##W(a, i), v_u##W(b, i)) ^ (sign), v_u##W(c, i))); \
    return r
static inline V128 simd_f32x4_relaxed_madd(V128 a, V128 b, V128 c) { SIMD_MADD(32, num_f32_mul, num_f32_add, 0); }
static inline V128 simd_f32x4_relaxed_nmadd(V128 a, V128 b, V128 c) { SIMD_MADD(32, num_f32_mul, num_f32_add, F32_SIGN); }
static inline V128 simd_f64x2_relaxed_madd(V128 a, V128 b, V128 c) { SIMD_MADD(64, num_f64_mul, num_f64_add, 0); }
static inline V128 simd_f64x2_relaxed_nmadd(V128 a, V128 b, V128 c) { SIMD_MADD(64, num_f64_mul, num_f64_add, F64_SIGN); }
#undef SIMD_MADD

static inline V128 simd_i8x16_relaxed_laneselect(V128 a, V128 b, V128 m) { return simd_v128_bitselect(a, b, m); }
static inline V128 simd_i16x8_relaxed_laneselect(V128 a, V128 b, V128 m) { return simd_v128_bitselect(a, b, m); }
static inline V128 simd_i32x4_relaxed_laneselect(V128 a, V128 b, V128 m) { return simd_v128_bitselect(a, b, m); }
static inline V128 simd_i64x2_relaxed_laneselect(V128 a, V128 b, V128 m) { return simd_v128_bitselect(a, b, m); }
static inline V128 simd_f32x4_relaxed_min(V128 a, V128 b) { return simd_f32x4_min(a, b); }
static inline V128 simd_f32x4_relaxed_max(V128 a, V128 b) { return simd_f32x4_max(a, b); }
static inline V128 simd_f64x2_relaxed_min(V128 a, V128 b) { return simd_f64x2_min(a, b); }
static inline V128 simd_f64x2_relaxed_max(V128 a, V128 b) { return simd_f64x2_max(a, b); }
static inline V128 simd_i16x8_relaxed_q15mulr_s(V128 a, V128 b) { return simd_i16x8_q15mulr_sat_s(a, b); }

static inline V128 simd_i16x8_relaxed_dot_i8x16_i7x16_s(V128 a, V128 b)
{
    V128 r;
    for (unsigned i = 0; i < 8; i++) {
        int32_t s = v_s8(a, 2 * i) * v_s8(b, 2 * i) + v_s8(a, 2 * i + 1) * v_s8(b, 2 * i + 1);
        v_set16(&r, i, (uint16_t)s);
    }
    return r;
}
static inline V128 simd_i32x4_relaxed_dot_i8x16_i7x16_add_s(V128 a, V128 b, V128 c)
{
    V128 d = simd_i16x8_relaxed_dot_i8x16_i7x16_s(a, b), r;
    for (unsigned i = 0; i < 4; i++)
        v_set32(&r, i, (uint32_t)(v_s16(d, 2 * i) + v_s16(d, 2 * i + 1)) + v_u32(c, i));
    return r;
}

/* ---- memory: p points at the access's first byte, already bounds-checked --------------- */

#define SIMD_LOAD_EXT(W, ld, T)                                   \
    V128 r;                                                       \
    for (unsigned i = 0; i < 128 / (W); i++)                      \
        v_set##W(&r, i, (uint##W##_t)(T)ld(p + i * (W) / 16));    \
    return r
static inline V128 simd_v128_load8x8_s(const uint8_t *p) { SIMD_LOAD_EXT(16, ld_u8, int8_t); }
static inline V128 simd_v128_load8x8_u(const uint8_t *p) { SIMD_LOAD_EXT(16, ld_u8, uint8_t); }
static inline V128 simd_v128_load16x4_s(const uint8_t *p) { SIMD_LOAD_EXT(32, ld_u16, int16_t); }
static inline V128 simd_v128_load16x4_u(const uint8_t *p) { SIMD_LOAD_EXT(32, ld_u16, uint16_t); }
static inline V128 simd_v128_load32x2_s(const uint8_t *p) { SIMD_LOAD_EXT(64, ld_u32, int32_t); }
static inline V128 simd_v128_load32x2_u(const uint8_t *p) { SIMD_LOAD_EXT(64, ld_u32, uint32_t); }
#undef SIMD_LOAD_EXT
static inline V128 simd_v128_load8_splat(const uint8_t *p) { return simd_i8x16_splat(ld_u8(p)); }
static inline V128 simd_v128_load16_splat(const uint8_t *p) { return simd_i16x8_splat(ld_u16(p)); }
static inline V128 simd_v128_load32_splat(const uint8_t *p) { return simd_i32x4_splat(ld_u32(p)); }
static inline V128 simd_v128_load64_splat(const uint8_t *p) { return simd_i64x2_splat(ld_u64(p)); }
static inline V128 simd_v128_load32_zero(const uint8_t *p) { return v128_from_u64(ld_u32(p), 0); }
static inline V128 simd_v128_load64_zero(const uint8_t *p) { return v128_from_u64(ld_u64(p), 0); }

#undef SIMD_MAP1
#undef SIMD_MAP2
#undef SIMD_CMP

#endif
