/* simd_scalar.h: the portable definitions of simd_vec.h's operations, lane by lane in plain
 * C (any compiler, any byte order). Included by simd.h only, when simd_vec.h does not apply
 * or CORRAL_SIMD_SCALAR is defined. Arithmetic runs in unsigned types or in int after
 * promotion, so nothing overflows a signed type. */
#ifndef CORRAL_SIMD_SCALAR_H
#define CORRAL_SIMD_SCALAR_H

static inline V128 simd_v128_not(V128 a) { return v128_from_u64(~v_u64(a, 0), ~v_u64(a, 1)); }
static inline V128 simd_v128_and(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, x & y); }
static inline V128 simd_v128_andnot(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, x & ~y); }
static inline V128 simd_v128_or(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, x | y); }
static inline V128 simd_v128_xor(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, x ^ y); }
static inline V128 simd_v128_bitselect(V128 a, V128 b, V128 c)
{
    V128 r;
    for (unsigned i = 0; i < 2; i++)
        v_set64(&r, i, (v_u64(a, i) & v_u64(c, i)) | (v_u64(b, i) & ~v_u64(c, i)));
    return r;
}

static inline V128 simd_i8x16_add(V128 a, V128 b) { SIMD_MAP2(8, uint8_t, x + y); }
static inline V128 simd_i8x16_sub(V128 a, V128 b) { SIMD_MAP2(8, uint8_t, x - y); }
static inline V128 simd_i8x16_neg(V128 a) { SIMD_MAP1(8, uint8_t, 0 - x); }
static inline V128 simd_i8x16_abs(V128 a) { SIMD_MAP1(8, int8_t, x < 0 ? 0 - (uint8_t)x : (uint8_t)x); }
static inline V128 simd_i8x16_shl(V128 a, uint32_t n) { SIMD_MAP1(8, uint32_t, x << (n & 7)); }
static inline V128 simd_i8x16_shr_u(V128 a, uint32_t n) { SIMD_MAP1(8, uint8_t, x >> (n & 7)); }
static inline V128 simd_i8x16_shr_s(V128 a, uint32_t n) { SIMD_MAP1(8, int8_t, x >> (n & 7)); }
static inline V128 simd_i8x16_min_s(V128 a, V128 b) { SIMD_MAP2(8, int8_t, x < y ? x : y); }
static inline V128 simd_i8x16_min_u(V128 a, V128 b) { SIMD_MAP2(8, uint8_t, x < y ? x : y); }
static inline V128 simd_i8x16_max_s(V128 a, V128 b) { SIMD_MAP2(8, int8_t, x > y ? x : y); }
static inline V128 simd_i8x16_max_u(V128 a, V128 b) { SIMD_MAP2(8, uint8_t, x > y ? x : y); }
static inline V128 simd_i8x16_eq(V128 a, V128 b) { SIMD_CMP(8, uint8_t, x == y); }
static inline V128 simd_i8x16_ne(V128 a, V128 b) { SIMD_CMP(8, uint8_t, x != y); }
static inline V128 simd_i8x16_lt_s(V128 a, V128 b) { SIMD_CMP(8, int8_t, x < y); }
static inline V128 simd_i8x16_lt_u(V128 a, V128 b) { SIMD_CMP(8, uint8_t, x < y); }
static inline V128 simd_i8x16_gt_s(V128 a, V128 b) { SIMD_CMP(8, int8_t, x > y); }
static inline V128 simd_i8x16_gt_u(V128 a, V128 b) { SIMD_CMP(8, uint8_t, x > y); }
static inline V128 simd_i8x16_le_s(V128 a, V128 b) { SIMD_CMP(8, int8_t, x <= y); }
static inline V128 simd_i8x16_le_u(V128 a, V128 b) { SIMD_CMP(8, uint8_t, x <= y); }
static inline V128 simd_i8x16_ge_s(V128 a, V128 b) { SIMD_CMP(8, int8_t, x >= y); }
static inline V128 simd_i8x16_ge_u(V128 a, V128 b) { SIMD_CMP(8, uint8_t, x >= y); }

static inline V128 simd_i16x8_add(V128 a, V128 b) { SIMD_MAP2(16, uint16_t, x + y); }
static inline V128 simd_i16x8_sub(V128 a, V128 b) { SIMD_MAP2(16, uint16_t, x - y); }
static inline V128 simd_i16x8_mul(V128 a, V128 b) { SIMD_MAP2(16, uint32_t, x * y); }
static inline V128 simd_i16x8_neg(V128 a) { SIMD_MAP1(16, uint16_t, 0 - x); }
static inline V128 simd_i16x8_abs(V128 a) { SIMD_MAP1(16, int16_t, x < 0 ? 0 - (uint16_t)x : (uint16_t)x); }
static inline V128 simd_i16x8_shl(V128 a, uint32_t n) { SIMD_MAP1(16, uint32_t, x << (n & 15)); }
static inline V128 simd_i16x8_shr_u(V128 a, uint32_t n) { SIMD_MAP1(16, uint16_t, x >> (n & 15)); }
static inline V128 simd_i16x8_shr_s(V128 a, uint32_t n) { SIMD_MAP1(16, int16_t, x >> (n & 15)); }
static inline V128 simd_i16x8_min_s(V128 a, V128 b) { SIMD_MAP2(16, int16_t, x < y ? x : y); }
static inline V128 simd_i16x8_min_u(V128 a, V128 b) { SIMD_MAP2(16, uint16_t, x < y ? x : y); }
static inline V128 simd_i16x8_max_s(V128 a, V128 b) { SIMD_MAP2(16, int16_t, x > y ? x : y); }
static inline V128 simd_i16x8_max_u(V128 a, V128 b) { SIMD_MAP2(16, uint16_t, x > y ? x : y); }
static inline V128 simd_i16x8_eq(V128 a, V128 b) { SIMD_CMP(16, uint16_t, x == y); }
static inline V128 simd_i16x8_ne(V128 a, V128 b) { SIMD_CMP(16, uint16_t, x != y); }
static inline V128 simd_i16x8_lt_s(V128 a, V128 b) { SIMD_CMP(16, int16_t, x < y); }
static inline V128 simd_i16x8_lt_u(V128 a, V128 b) { SIMD_CMP(16, uint16_t, x < y); }
static inline V128 simd_i16x8_gt_s(V128 a, V128 b) { SIMD_CMP(16, int16_t, x > y); }
static inline V128 simd_i16x8_gt_u(V128 a, V128 b) { SIMD_CMP(16, uint16_t, x > y); }
static inline V128 simd_i16x8_le_s(V128 a, V128 b) { SIMD_CMP(16, int16_t, x <= y); }
static inline V128 simd_i16x8_le_u(V128 a, V128 b) { SIMD_CMP(16, uint16_t, x <= y); }
static inline V128 simd_i16x8_ge_s(V128 a, V128 b) { SIMD_CMP(16, int16_t, x >= y); }
static inline V128 simd_i16x8_ge_u(V128 a, V128 b) { SIMD_CMP(16, uint16_t, x >= y); }

static inline V128 simd_i32x4_add(V128 a, V128 b) { SIMD_MAP2(32, uint32_t, x + y); }
static inline V128 simd_i32x4_sub(V128 a, V128 b) { SIMD_MAP2(32, uint32_t, x - y); }
static inline V128 simd_i32x4_mul(V128 a, V128 b) { SIMD_MAP2(32, uint32_t, x * y); }
static inline V128 simd_i32x4_neg(V128 a) { SIMD_MAP1(32, uint32_t, 0 - x); }
static inline V128 simd_i32x4_abs(V128 a) { SIMD_MAP1(32, int32_t, x < 0 ? 0 - (uint32_t)x : (uint32_t)x); }
static inline V128 simd_i32x4_shl(V128 a, uint32_t n) { SIMD_MAP1(32, uint32_t, x << (n & 31)); }
static inline V128 simd_i32x4_shr_u(V128 a, uint32_t n) { SIMD_MAP1(32, uint32_t, x >> (n & 31)); }
static inline V128 simd_i32x4_shr_s(V128 a, uint32_t n) { SIMD_MAP1(32, int32_t, x >> (n & 31)); }
static inline V128 simd_i32x4_min_s(V128 a, V128 b) { SIMD_MAP2(32, int32_t, x < y ? x : y); }
static inline V128 simd_i32x4_min_u(V128 a, V128 b) { SIMD_MAP2(32, uint32_t, x < y ? x : y); }
static inline V128 simd_i32x4_max_s(V128 a, V128 b) { SIMD_MAP2(32, int32_t, x > y ? x : y); }
static inline V128 simd_i32x4_max_u(V128 a, V128 b) { SIMD_MAP2(32, uint32_t, x > y ? x : y); }
static inline V128 simd_i32x4_eq(V128 a, V128 b) { SIMD_CMP(32, uint32_t, x == y); }
static inline V128 simd_i32x4_ne(V128 a, V128 b) { SIMD_CMP(32, uint32_t, x != y); }
static inline V128 simd_i32x4_lt_s(V128 a, V128 b) { SIMD_CMP(32, int32_t, x < y); }
static inline V128 simd_i32x4_lt_u(V128 a, V128 b) { SIMD_CMP(32, uint32_t, x < y); }
static inline V128 simd_i32x4_gt_s(V128 a, V128 b) { SIMD_CMP(32, int32_t, x > y); }
static inline V128 simd_i32x4_gt_u(V128 a, V128 b) { SIMD_CMP(32, uint32_t, x > y); }
static inline V128 simd_i32x4_le_s(V128 a, V128 b) { SIMD_CMP(32, int32_t, x <= y); }
static inline V128 simd_i32x4_le_u(V128 a, V128 b) { SIMD_CMP(32, uint32_t, x <= y); }
static inline V128 simd_i32x4_ge_s(V128 a, V128 b) { SIMD_CMP(32, int32_t, x >= y); }
static inline V128 simd_i32x4_ge_u(V128 a, V128 b) { SIMD_CMP(32, uint32_t, x >= y); }

static inline V128 simd_i64x2_add(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, x + y); }
static inline V128 simd_i64x2_sub(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, x - y); }
static inline V128 simd_i64x2_mul(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, x * y); }
static inline V128 simd_i64x2_neg(V128 a) { SIMD_MAP1(64, uint64_t, 0 - x); }
static inline V128 simd_i64x2_abs(V128 a) { SIMD_MAP1(64, int64_t, x < 0 ? 0 - (uint64_t)x : (uint64_t)x); }
static inline V128 simd_i64x2_shl(V128 a, uint32_t n) { SIMD_MAP1(64, uint64_t, x << (n & 63)); }
static inline V128 simd_i64x2_shr_u(V128 a, uint32_t n) { SIMD_MAP1(64, uint64_t, x >> (n & 63)); }
static inline V128 simd_i64x2_shr_s(V128 a, uint32_t n) { SIMD_MAP1(64, int64_t, x >> (n & 63)); }
static inline V128 simd_i64x2_eq(V128 a, V128 b) { SIMD_CMP(64, uint64_t, x == y); }
static inline V128 simd_i64x2_ne(V128 a, V128 b) { SIMD_CMP(64, uint64_t, x != y); }
static inline V128 simd_i64x2_lt_s(V128 a, V128 b) { SIMD_CMP(64, int64_t, x < y); }
static inline V128 simd_i64x2_gt_s(V128 a, V128 b) { SIMD_CMP(64, int64_t, x > y); }
static inline V128 simd_i64x2_le_s(V128 a, V128 b) { SIMD_CMP(64, int64_t, x <= y); }
static inline V128 simd_i64x2_ge_s(V128 a, V128 b) { SIMD_CMP(64, int64_t, x >= y); }

static inline V128 simd_f32x4_add(V128 a, V128 b) { SIMD_MAP2(32, uint32_t, num_f32_add(x, y)); }
static inline V128 simd_f32x4_sub(V128 a, V128 b) { SIMD_MAP2(32, uint32_t, num_f32_sub(x, y)); }
static inline V128 simd_f32x4_mul(V128 a, V128 b) { SIMD_MAP2(32, uint32_t, num_f32_mul(x, y)); }
static inline V128 simd_f32x4_div(V128 a, V128 b) { SIMD_MAP2(32, uint32_t, num_f32_div(x, y)); }
static inline V128 simd_f32x4_abs(V128 a) { SIMD_MAP1(32, uint32_t, num_f32_abs(x)); }
static inline V128 simd_f32x4_neg(V128 a) { SIMD_MAP1(32, uint32_t, num_f32_neg(x)); }
static inline V128 simd_f32x4_eq(V128 a, V128 b) { SIMD_CMP(32, uint32_t, num_f32_eq(x, y)); }
static inline V128 simd_f32x4_ne(V128 a, V128 b) { SIMD_CMP(32, uint32_t, num_f32_ne(x, y)); }
static inline V128 simd_f32x4_lt(V128 a, V128 b) { SIMD_CMP(32, uint32_t, num_f32_lt(x, y)); }
static inline V128 simd_f32x4_gt(V128 a, V128 b) { SIMD_CMP(32, uint32_t, num_f32_gt(x, y)); }
static inline V128 simd_f32x4_le(V128 a, V128 b) { SIMD_CMP(32, uint32_t, num_f32_le(x, y)); }
static inline V128 simd_f32x4_ge(V128 a, V128 b) { SIMD_CMP(32, uint32_t, num_f32_ge(x, y)); }

static inline V128 simd_f64x2_add(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, num_f64_add(x, y)); }
static inline V128 simd_f64x2_sub(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, num_f64_sub(x, y)); }
static inline V128 simd_f64x2_mul(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, num_f64_mul(x, y)); }
static inline V128 simd_f64x2_div(V128 a, V128 b) { SIMD_MAP2(64, uint64_t, num_f64_div(x, y)); }
static inline V128 simd_f64x2_abs(V128 a) { SIMD_MAP1(64, uint64_t, num_f64_abs(x)); }
static inline V128 simd_f64x2_neg(V128 a) { SIMD_MAP1(64, uint64_t, num_f64_neg(x)); }
static inline V128 simd_f64x2_eq(V128 a, V128 b) { SIMD_CMP(64, uint64_t, num_f64_eq(x, y)); }
static inline V128 simd_f64x2_ne(V128 a, V128 b) { SIMD_CMP(64, uint64_t, num_f64_ne(x, y)); }
static inline V128 simd_f64x2_lt(V128 a, V128 b) { SIMD_CMP(64, uint64_t, num_f64_lt(x, y)); }
static inline V128 simd_f64x2_gt(V128 a, V128 b) { SIMD_CMP(64, uint64_t, num_f64_gt(x, y)); }
static inline V128 simd_f64x2_le(V128 a, V128 b) { SIMD_CMP(64, uint64_t, num_f64_le(x, y)); }
static inline V128 simd_f64x2_ge(V128 a, V128 b) { SIMD_CMP(64, uint64_t, num_f64_ge(x, y)); }

#endif
