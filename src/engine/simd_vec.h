/* simd_vec.h: simd.h's operations that GCC's vector extensions express exactly, for
 * little-endian GNU C hosts (SSE on x86-64, NEON on aarch64): lane i of a vector is then bytes
 * [i*size, (i+1)*size) of the V128 image, as Wasm's lane order wants. Included by simd.h
 * only; simd_scalar.h defines the same functions in plain C. Integer arithmetic uses unsigned
 * lanes (wrapping, never undefined); compares yield all-ones lanes, as Wasm's do. */
#ifndef CORRAL_SIMD_VEC_H
#define CORRAL_SIMD_VEC_H

typedef uint8_t vu8 __attribute__((vector_size(16)));
typedef uint16_t vu16 __attribute__((vector_size(16)));
typedef uint32_t vu32 __attribute__((vector_size(16)));
typedef uint64_t vu64 __attribute__((vector_size(16)));
typedef int8_t vs8 __attribute__((vector_size(16)));
typedef int16_t vs16 __attribute__((vector_size(16)));
typedef int32_t vs32 __attribute__((vector_size(16)));
typedef int64_t vs64 __attribute__((vector_size(16)));
typedef float vf32 __attribute__((vector_size(16)));
typedef double vf64 __attribute__((vector_size(16)));

/* r = expr of x (a as VT) and y (b as VT); the result's bits are the V128. */
#define SIMD_V1(VT, expr)                  \
    VT x;                                  \
    memcpy(&x, &a, 16);                    \
    __typeof__(expr) z_ = (expr);          \
    V128 r;                                \
    memcpy(&r, &z_, 16);                   \
    return r
#define SIMD_V2(VT, expr)                  \
    VT x, y;                               \
    memcpy(&x, &a, 16);                    \
    memcpy(&y, &b, 16);                    \
    __typeof__(expr) z_ = (expr);          \
    V128 r;                                \
    memcpy(&r, &z_, 16);                   \
    return r
/* Lanes of p where mask m is all ones, of q elsewhere. */
#define simd_vsel(T, m, p, q) (((p) & (T)(m)) | ((q) & ~(T)(m)))

static inline V128 simd_v128_not(V128 a) { SIMD_V1(vu64, ~x); }
static inline V128 simd_v128_and(V128 a, V128 b) { SIMD_V2(vu64, x & y); }
static inline V128 simd_v128_andnot(V128 a, V128 b) { SIMD_V2(vu64, x & ~y); }
static inline V128 simd_v128_or(V128 a, V128 b) { SIMD_V2(vu64, x | y); }
static inline V128 simd_v128_xor(V128 a, V128 b) { SIMD_V2(vu64, x ^ y); }
/* Bits of a where c is 1, of b where it is 0. */
static inline V128 simd_v128_bitselect(V128 a, V128 b, V128 c)
{
    vu64 x, y, m;
    memcpy(&x, &a, 16);
    memcpy(&y, &b, 16);
    memcpy(&m, &c, 16);
    vu64 z = (x & m) | (y & ~m);
    V128 r;
    memcpy(&r, &z, 16);
    return r;
}

static inline V128 simd_i8x16_add(V128 a, V128 b) { SIMD_V2(vu8, x + y); }
static inline V128 simd_i8x16_sub(V128 a, V128 b) { SIMD_V2(vu8, x - y); }
static inline V128 simd_i8x16_neg(V128 a) { SIMD_V1(vu8, -x); }
static inline V128 simd_i8x16_abs(V128 a) { SIMD_V1(vu8, (x ^ (vu8)((vs8)x >> 7)) - (vu8)((vs8)x >> 7)); }
static inline V128 simd_i8x16_shl(V128 a, uint32_t n) { SIMD_V1(vu8, x << (n & 7)); }
static inline V128 simd_i8x16_shr_u(V128 a, uint32_t n) { SIMD_V1(vu8, x >> (n & 7)); }
static inline V128 simd_i8x16_shr_s(V128 a, uint32_t n) { SIMD_V1(vs8, x >> (n & 7)); }
static inline V128 simd_i8x16_min_s(V128 a, V128 b) { SIMD_V2(vs8, simd_vsel(vs8, x < y, x, y)); }
static inline V128 simd_i8x16_min_u(V128 a, V128 b) { SIMD_V2(vu8, simd_vsel(vu8, x < y, x, y)); }
static inline V128 simd_i8x16_max_s(V128 a, V128 b) { SIMD_V2(vs8, simd_vsel(vs8, x > y, x, y)); }
static inline V128 simd_i8x16_max_u(V128 a, V128 b) { SIMD_V2(vu8, simd_vsel(vu8, x > y, x, y)); }
static inline V128 simd_i8x16_eq(V128 a, V128 b) { SIMD_V2(vu8, x == y); }
static inline V128 simd_i8x16_ne(V128 a, V128 b) { SIMD_V2(vu8, x != y); }
static inline V128 simd_i8x16_lt_s(V128 a, V128 b) { SIMD_V2(vs8, x < y); }
static inline V128 simd_i8x16_lt_u(V128 a, V128 b) { SIMD_V2(vu8, x < y); }
static inline V128 simd_i8x16_gt_s(V128 a, V128 b) { SIMD_V2(vs8, x > y); }
static inline V128 simd_i8x16_gt_u(V128 a, V128 b) { SIMD_V2(vu8, x > y); }
static inline V128 simd_i8x16_le_s(V128 a, V128 b) { SIMD_V2(vs8, x <= y); }
static inline V128 simd_i8x16_le_u(V128 a, V128 b) { SIMD_V2(vu8, x <= y); }
static inline V128 simd_i8x16_ge_s(V128 a, V128 b) { SIMD_V2(vs8, x >= y); }
static inline V128 simd_i8x16_ge_u(V128 a, V128 b) { SIMD_V2(vu8, x >= y); }

static inline V128 simd_i16x8_add(V128 a, V128 b) { SIMD_V2(vu16, x + y); }
static inline V128 simd_i16x8_sub(V128 a, V128 b) { SIMD_V2(vu16, x - y); }
static inline V128 simd_i16x8_mul(V128 a, V128 b) { SIMD_V2(vu16, x * y); }
static inline V128 simd_i16x8_neg(V128 a) { SIMD_V1(vu16, -x); }
static inline V128 simd_i16x8_abs(V128 a) { SIMD_V1(vu16, (x ^ (vu16)((vs16)x >> 15)) - (vu16)((vs16)x >> 15)); }
static inline V128 simd_i16x8_shl(V128 a, uint32_t n) { SIMD_V1(vu16, x << (n & 15)); }
static inline V128 simd_i16x8_shr_u(V128 a, uint32_t n) { SIMD_V1(vu16, x >> (n & 15)); }
static inline V128 simd_i16x8_shr_s(V128 a, uint32_t n) { SIMD_V1(vs16, x >> (n & 15)); }
static inline V128 simd_i16x8_min_s(V128 a, V128 b) { SIMD_V2(vs16, simd_vsel(vs16, x < y, x, y)); }
static inline V128 simd_i16x8_min_u(V128 a, V128 b) { SIMD_V2(vu16, simd_vsel(vu16, x < y, x, y)); }
static inline V128 simd_i16x8_max_s(V128 a, V128 b) { SIMD_V2(vs16, simd_vsel(vs16, x > y, x, y)); }
static inline V128 simd_i16x8_max_u(V128 a, V128 b) { SIMD_V2(vu16, simd_vsel(vu16, x > y, x, y)); }
static inline V128 simd_i16x8_eq(V128 a, V128 b) { SIMD_V2(vu16, x == y); }
static inline V128 simd_i16x8_ne(V128 a, V128 b) { SIMD_V2(vu16, x != y); }
static inline V128 simd_i16x8_lt_s(V128 a, V128 b) { SIMD_V2(vs16, x < y); }
static inline V128 simd_i16x8_lt_u(V128 a, V128 b) { SIMD_V2(vu16, x < y); }
static inline V128 simd_i16x8_gt_s(V128 a, V128 b) { SIMD_V2(vs16, x > y); }
static inline V128 simd_i16x8_gt_u(V128 a, V128 b) { SIMD_V2(vu16, x > y); }
static inline V128 simd_i16x8_le_s(V128 a, V128 b) { SIMD_V2(vs16, x <= y); }
static inline V128 simd_i16x8_le_u(V128 a, V128 b) { SIMD_V2(vu16, x <= y); }
static inline V128 simd_i16x8_ge_s(V128 a, V128 b) { SIMD_V2(vs16, x >= y); }
static inline V128 simd_i16x8_ge_u(V128 a, V128 b) { SIMD_V2(vu16, x >= y); }

static inline V128 simd_i32x4_add(V128 a, V128 b) { SIMD_V2(vu32, x + y); }
static inline V128 simd_i32x4_sub(V128 a, V128 b) { SIMD_V2(vu32, x - y); }
static inline V128 simd_i32x4_mul(V128 a, V128 b) { SIMD_V2(vu32, x * y); }
static inline V128 simd_i32x4_neg(V128 a) { SIMD_V1(vu32, -x); }
static inline V128 simd_i32x4_abs(V128 a) { SIMD_V1(vu32, (x ^ (vu32)((vs32)x >> 31)) - (vu32)((vs32)x >> 31)); }
static inline V128 simd_i32x4_shl(V128 a, uint32_t n) { SIMD_V1(vu32, x << (n & 31)); }
static inline V128 simd_i32x4_shr_u(V128 a, uint32_t n) { SIMD_V1(vu32, x >> (n & 31)); }
static inline V128 simd_i32x4_shr_s(V128 a, uint32_t n) { SIMD_V1(vs32, x >> (n & 31)); }
static inline V128 simd_i32x4_min_s(V128 a, V128 b) { SIMD_V2(vs32, simd_vsel(vs32, x < y, x, y)); }
static inline V128 simd_i32x4_min_u(V128 a, V128 b) { SIMD_V2(vu32, simd_vsel(vu32, x < y, x, y)); }
static inline V128 simd_i32x4_max_s(V128 a, V128 b) { SIMD_V2(vs32, simd_vsel(vs32, x > y, x, y)); }
static inline V128 simd_i32x4_max_u(V128 a, V128 b) { SIMD_V2(vu32, simd_vsel(vu32, x > y, x, y)); }
static inline V128 simd_i32x4_eq(V128 a, V128 b) { SIMD_V2(vu32, x == y); }
static inline V128 simd_i32x4_ne(V128 a, V128 b) { SIMD_V2(vu32, x != y); }
static inline V128 simd_i32x4_lt_s(V128 a, V128 b) { SIMD_V2(vs32, x < y); }
static inline V128 simd_i32x4_lt_u(V128 a, V128 b) { SIMD_V2(vu32, x < y); }
static inline V128 simd_i32x4_gt_s(V128 a, V128 b) { SIMD_V2(vs32, x > y); }
static inline V128 simd_i32x4_gt_u(V128 a, V128 b) { SIMD_V2(vu32, x > y); }
static inline V128 simd_i32x4_le_s(V128 a, V128 b) { SIMD_V2(vs32, x <= y); }
static inline V128 simd_i32x4_le_u(V128 a, V128 b) { SIMD_V2(vu32, x <= y); }
static inline V128 simd_i32x4_ge_s(V128 a, V128 b) { SIMD_V2(vs32, x >= y); }
static inline V128 simd_i32x4_ge_u(V128 a, V128 b) { SIMD_V2(vu32, x >= y); }

static inline V128 simd_i64x2_add(V128 a, V128 b) { SIMD_V2(vu64, x + y); }
static inline V128 simd_i64x2_sub(V128 a, V128 b) { SIMD_V2(vu64, x - y); }
static inline V128 simd_i64x2_mul(V128 a, V128 b) { SIMD_V2(vu64, x * y); }
static inline V128 simd_i64x2_neg(V128 a) { SIMD_V1(vu64, -x); }
static inline V128 simd_i64x2_abs(V128 a) { SIMD_V1(vu64, (x ^ (vu64)((vs64)x >> 63)) - (vu64)((vs64)x >> 63)); }
static inline V128 simd_i64x2_shl(V128 a, uint32_t n) { SIMD_V1(vu64, x << (n & 63)); }
static inline V128 simd_i64x2_shr_u(V128 a, uint32_t n) { SIMD_V1(vu64, x >> (n & 63)); }
static inline V128 simd_i64x2_shr_s(V128 a, uint32_t n) { SIMD_V1(vs64, x >> (n & 63)); }
static inline V128 simd_i64x2_eq(V128 a, V128 b) { SIMD_V2(vu64, x == y); }
static inline V128 simd_i64x2_ne(V128 a, V128 b) { SIMD_V2(vu64, x != y); }
static inline V128 simd_i64x2_lt_s(V128 a, V128 b) { SIMD_V2(vs64, x < y); }
static inline V128 simd_i64x2_gt_s(V128 a, V128 b) { SIMD_V2(vs64, x > y); }
static inline V128 simd_i64x2_le_s(V128 a, V128 b) { SIMD_V2(vs64, x <= y); }
static inline V128 simd_i64x2_ge_s(V128 a, V128 b) { SIMD_V2(vs64, x >= y); }

static inline V128 simd_f32x4_add(V128 a, V128 b) { SIMD_V2(vf32, x + y); }
static inline V128 simd_f32x4_sub(V128 a, V128 b) { SIMD_V2(vf32, x - y); }
static inline V128 simd_f32x4_mul(V128 a, V128 b) { SIMD_V2(vf32, x * y); }
static inline V128 simd_f32x4_div(V128 a, V128 b) { SIMD_V2(vf32, x / y); }
static inline V128 simd_f32x4_abs(V128 a) { SIMD_V1(vu32, x & 0x7fffffffu); }
static inline V128 simd_f32x4_neg(V128 a) { SIMD_V1(vu32, x ^ 0x80000000u); }
static inline V128 simd_f32x4_eq(V128 a, V128 b) { SIMD_V2(vf32, x == y); }
static inline V128 simd_f32x4_ne(V128 a, V128 b) { SIMD_V2(vf32, x != y); }
static inline V128 simd_f32x4_lt(V128 a, V128 b) { SIMD_V2(vf32, x < y); }
static inline V128 simd_f32x4_gt(V128 a, V128 b) { SIMD_V2(vf32, x > y); }
static inline V128 simd_f32x4_le(V128 a, V128 b) { SIMD_V2(vf32, x <= y); }
static inline V128 simd_f32x4_ge(V128 a, V128 b) { SIMD_V2(vf32, x >= y); }

static inline V128 simd_f64x2_add(V128 a, V128 b) { SIMD_V2(vf64, x + y); }
static inline V128 simd_f64x2_sub(V128 a, V128 b) { SIMD_V2(vf64, x - y); }
static inline V128 simd_f64x2_mul(V128 a, V128 b) { SIMD_V2(vf64, x * y); }
static inline V128 simd_f64x2_div(V128 a, V128 b) { SIMD_V2(vf64, x / y); }
static inline V128 simd_f64x2_abs(V128 a) { SIMD_V1(vu64, x & 0x7fffffffffffffffull); }
static inline V128 simd_f64x2_neg(V128 a) { SIMD_V1(vu64, x ^ 0x8000000000000000ull); }
static inline V128 simd_f64x2_eq(V128 a, V128 b) { SIMD_V2(vf64, x == y); }
static inline V128 simd_f64x2_ne(V128 a, V128 b) { SIMD_V2(vf64, x != y); }
static inline V128 simd_f64x2_lt(V128 a, V128 b) { SIMD_V2(vf64, x < y); }
static inline V128 simd_f64x2_gt(V128 a, V128 b) { SIMD_V2(vf64, x > y); }
static inline V128 simd_f64x2_le(V128 a, V128 b) { SIMD_V2(vf64, x <= y); }
static inline V128 simd_f64x2_ge(V128 a, V128 b) { SIMD_V2(vf64, x >= y); }

#undef SIMD_V1
#undef SIMD_V2
#undef simd_vsel

#endif
