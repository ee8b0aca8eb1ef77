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

/* ---- widening, narrowing, saturating: lanes picked by __builtin_shufflevector and widened or
 * narrowed by __builtin_convertvector (clang; GCC from 12). simd.h's lane-by-lane forms of
 * these stay for older compilers; with SIMD_VEC_WIDE they are left out. Each computes what
 * simd.h's form does, exactly; no lane operation can overflow a signed type. ---- */
#if defined(__clang__) || __GNUC__ >= 12
#define SIMD_VEC_WIDE 1

typedef uint8_t vu8h __attribute__((vector_size(8)));
typedef int8_t vs8h __attribute__((vector_size(8)));
typedef uint16_t vu16h __attribute__((vector_size(8)));
typedef int16_t vs16h __attribute__((vector_size(8)));
typedef uint32_t vu32h __attribute__((vector_size(8)));
typedef int32_t vs32h __attribute__((vector_size(8)));
typedef int16_t vs16w __attribute__((vector_size(32)));
typedef int32_t vs32w __attribute__((vector_size(32)));

/* Half of x's lanes, from lane f on (8, 4 or 2 of them). */
#define SIMD_HALF16(x, f) \
    __builtin_shufflevector(x, x, f, f + 1, f + 2, f + 3, f + 4, f + 5, f + 6, f + 7)
#define SIMD_HALF8(x, f) __builtin_shufflevector(x, x, f, f + 1, f + 2, f + 3)
#define SIMD_HALF4(x, f) __builtin_shufflevector(x, x, f, f + 1)
/* The even and the odd lanes of x (a 16-, 8- or 4-lane vector). */
#define SIMD_EVEN16(x) __builtin_shufflevector(x, x, 0, 2, 4, 6, 8, 10, 12, 14)
#define SIMD_ODD16(x) __builtin_shufflevector(x, x, 1, 3, 5, 7, 9, 11, 13, 15)
#define SIMD_EVEN8(x) __builtin_shufflevector(x, x, 0, 2, 4, 6)
#define SIMD_ODD8(x) __builtin_shufflevector(x, x, 1, 3, 5, 7)
/* The lanes of x, then those of y: one vector of twice the lanes. */
#define SIMD_CAT8(x, y) \
    __builtin_shufflevector(x, y, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
#define SIMD_CAT4(x, y) __builtin_shufflevector(x, y, 0, 1, 2, 3, 4, 5, 6, 7)

#define SIMD_VEXTEND(ST, DT, HALF, f)          \
    ST x;                                      \
    memcpy(&x, &a, 16);                        \
    DT z_ = __builtin_convertvector(HALF(x, f), DT); \
    V128 r;                                    \
    memcpy(&r, &z_, 16);                       \
    return r
static inline V128 simd_i16x8_extend_low_i8x16_s(V128 a) { SIMD_VEXTEND(vs8, vs16, SIMD_HALF16, 0); }
static inline V128 simd_i16x8_extend_high_i8x16_s(V128 a) { SIMD_VEXTEND(vs8, vs16, SIMD_HALF16, 8); }
static inline V128 simd_i16x8_extend_low_i8x16_u(V128 a) { SIMD_VEXTEND(vu8, vu16, SIMD_HALF16, 0); }
static inline V128 simd_i16x8_extend_high_i8x16_u(V128 a) { SIMD_VEXTEND(vu8, vu16, SIMD_HALF16, 8); }
static inline V128 simd_i32x4_extend_low_i16x8_s(V128 a) { SIMD_VEXTEND(vs16, vs32, SIMD_HALF8, 0); }
static inline V128 simd_i32x4_extend_high_i16x8_s(V128 a) { SIMD_VEXTEND(vs16, vs32, SIMD_HALF8, 4); }
static inline V128 simd_i32x4_extend_low_i16x8_u(V128 a) { SIMD_VEXTEND(vu16, vu32, SIMD_HALF8, 0); }
static inline V128 simd_i32x4_extend_high_i16x8_u(V128 a) { SIMD_VEXTEND(vu16, vu32, SIMD_HALF8, 4); }
static inline V128 simd_i64x2_extend_low_i32x4_s(V128 a) { SIMD_VEXTEND(vs32, vs64, SIMD_HALF4, 0); }
static inline V128 simd_i64x2_extend_high_i32x4_s(V128 a) { SIMD_VEXTEND(vs32, vs64, SIMD_HALF4, 2); }
static inline V128 simd_i64x2_extend_low_i32x4_u(V128 a) { SIMD_VEXTEND(vu32, vu64, SIMD_HALF4, 0); }
static inline V128 simd_i64x2_extend_high_i32x4_u(V128 a) { SIMD_VEXTEND(vu32, vu64, SIMD_HALF4, 2); }
#undef SIMD_VEXTEND

/* The products fit the wide lane: |-128 * -128| < 2^15, and so on. */
#define SIMD_VEXTMUL(ST, DT, HALF, f)                                   \
    ST x, y;                                                            \
    memcpy(&x, &a, 16);                                                 \
    memcpy(&y, &b, 16);                                                 \
    DT z_ = __builtin_convertvector(HALF(x, f), DT) * __builtin_convertvector(HALF(y, f), DT); \
    V128 r;                                                             \
    memcpy(&r, &z_, 16);                                                \
    return r
static inline V128 simd_i16x8_extmul_low_i8x16_s(V128 a, V128 b) { SIMD_VEXTMUL(vs8, vs16, SIMD_HALF16, 0); }
static inline V128 simd_i16x8_extmul_high_i8x16_s(V128 a, V128 b) { SIMD_VEXTMUL(vs8, vs16, SIMD_HALF16, 8); }
static inline V128 simd_i16x8_extmul_low_i8x16_u(V128 a, V128 b) { SIMD_VEXTMUL(vu8, vu16, SIMD_HALF16, 0); }
static inline V128 simd_i16x8_extmul_high_i8x16_u(V128 a, V128 b) { SIMD_VEXTMUL(vu8, vu16, SIMD_HALF16, 8); }
static inline V128 simd_i32x4_extmul_low_i16x8_s(V128 a, V128 b) { SIMD_VEXTMUL(vs16, vs32, SIMD_HALF8, 0); }
static inline V128 simd_i32x4_extmul_high_i16x8_s(V128 a, V128 b) { SIMD_VEXTMUL(vs16, vs32, SIMD_HALF8, 4); }
static inline V128 simd_i32x4_extmul_low_i16x8_u(V128 a, V128 b) { SIMD_VEXTMUL(vu16, vu32, SIMD_HALF8, 0); }
static inline V128 simd_i32x4_extmul_high_i16x8_u(V128 a, V128 b) { SIMD_VEXTMUL(vu16, vu32, SIMD_HALF8, 4); }
static inline V128 simd_i64x2_extmul_low_i32x4_s(V128 a, V128 b) { SIMD_VEXTMUL(vs32, vs64, SIMD_HALF4, 0); }
static inline V128 simd_i64x2_extmul_high_i32x4_s(V128 a, V128 b) { SIMD_VEXTMUL(vs32, vs64, SIMD_HALF4, 2); }
static inline V128 simd_i64x2_extmul_low_i32x4_u(V128 a, V128 b) { SIMD_VEXTMUL(vu32, vu64, SIMD_HALF4, 0); }
static inline V128 simd_i64x2_extmul_high_i32x4_u(V128 a, V128 b) { SIMD_VEXTMUL(vu32, vu64, SIMD_HALF4, 2); }
#undef SIMD_VEXTMUL

#define SIMD_VEXTADD(ST, DT, EVEN, ODD)                                                    \
    ST x;                                                                                  \
    memcpy(&x, &a, 16);                                                                    \
    DT z_ = __builtin_convertvector(EVEN(x), DT) + __builtin_convertvector(ODD(x), DT);    \
    V128 r;                                                                                \
    memcpy(&r, &z_, 16);                                                                   \
    return r
static inline V128 simd_i16x8_extadd_pairwise_i8x16_s(V128 a) { SIMD_VEXTADD(vs8, vs16, SIMD_EVEN16, SIMD_ODD16); }
static inline V128 simd_i16x8_extadd_pairwise_i8x16_u(V128 a) { SIMD_VEXTADD(vu8, vu16, SIMD_EVEN16, SIMD_ODD16); }
static inline V128 simd_i32x4_extadd_pairwise_i16x8_s(V128 a) { SIMD_VEXTADD(vs16, vs32, SIMD_EVEN8, SIMD_ODD8); }
static inline V128 simd_i32x4_extadd_pairwise_i16x8_u(V128 a) { SIMD_VEXTADD(vu16, vu32, SIMD_EVEN8, SIMD_ODD8); }
#undef SIMD_VEXTADD

/* Each product fits an i32 lane; their sum may not (2 * 2^30): added as unsigned, wrapping.
 * SSE2's pmaddwd is exactly this (GCC does not find it in the portable form). */
static inline V128 simd_i32x4_dot_i16x8_s(V128 a, V128 b)
{
    vs16 x, y;
    memcpy(&x, &a, 16);
    memcpy(&y, &b, 16);
#if defined(__SSE2__)
    vs32 p = (vs32)__builtin_ia32_pmaddwd128(x, y);
    V128 r;
    memcpy(&r, &p, 16);
    return r;
#else
    vs32 ev = __builtin_convertvector(SIMD_EVEN8(x), vs32) * __builtin_convertvector(SIMD_EVEN8(y), vs32);
    vs32 od = __builtin_convertvector(SIMD_ODD8(x), vs32) * __builtin_convertvector(SIMD_ODD8(y), vs32);
    vu32 z = (vu32)ev + (vu32)od;
    V128 r;
    memcpy(&r, &z, 16);
    return r;
#endif
}

/* Lanes clamped to [lo, hi] (vectors), then narrowed: those of a, then those of b. */
#define SIMD_VNARROW(ST, DT, CAT, lov, hiv)                    \
    ST x, y, lo = lov, hi = hiv;                               \
    memcpy(&x, &a, 16);                                        \
    memcpy(&y, &b, 16);                                        \
    x = simd_vsel(ST, x < lo, lo, x);                          \
    x = simd_vsel(ST, x > hi, hi, x);                          \
    y = simd_vsel(ST, y < lo, lo, y);                          \
    y = simd_vsel(ST, y > hi, hi, y);                          \
    DT z_ = __builtin_convertvector(CAT(x, y), DT);            \
    V128 r;                                                    \
    memcpy(&r, &z_, 16);                                       \
    return r
static inline V128 simd_i8x16_narrow_i16x8_s(V128 a, V128 b) { SIMD_VNARROW(vs16, vs8, SIMD_CAT8, (vs16){0} - 128, (vs16){0} + 127); }
static inline V128 simd_i8x16_narrow_i16x8_u(V128 a, V128 b) { SIMD_VNARROW(vs16, vu8, SIMD_CAT8, (vs16){0}, (vs16){0} + 255); }
static inline V128 simd_i16x8_narrow_i32x4_s(V128 a, V128 b) { SIMD_VNARROW(vs32, vs16, SIMD_CAT4, (vs32){0} - 32768, (vs32){0} + 32767); }
static inline V128 simd_i16x8_narrow_i32x4_u(V128 a, V128 b) { SIMD_VNARROW(vs32, vu16, SIMD_CAT4, (vs32){0}, (vs32){0} + 65535); }
#undef SIMD_VNARROW

/* Saturating arithmetic on the lanes' bits: unsigned overflow shows as a wrapped result
 * below an operand (add) or above the minuend (sub); signed overflow as a result whose sign
 * differs from what the operands allow, which saturates towards the sign of a. */
#define SIMD_VSAT_U(T, op, over) \
    T x, y;                      \
    memcpy(&x, &a, 16);          \
    memcpy(&y, &b, 16);          \
    T z_ = x op y;               \
    z_ = over;                   \
    V128 r;                      \
    memcpy(&r, &z_, 16);         \
    return r
static inline V128 simd_i8x16_add_sat_u(V128 a, V128 b) { SIMD_VSAT_U(vu8, +, z_ | (vu8)(z_ < x)); }
static inline V128 simd_i16x8_add_sat_u(V128 a, V128 b) { SIMD_VSAT_U(vu16, +, z_ | (vu16)(z_ < x)); }
static inline V128 simd_i8x16_sub_sat_u(V128 a, V128 b) { SIMD_VSAT_U(vu8, -, z_ & ~(vu8)(x < y)); }
static inline V128 simd_i16x8_sub_sat_u(V128 a, V128 b) { SIMD_VSAT_U(vu16, -, z_ & ~(vu16)(x < y)); }
#undef SIMD_VSAT_U
#define SIMD_VSAT_S(UT, ST, op, ovf, bits)                          \
    UT x, y;                                                        \
    memcpy(&x, &a, 16);                                             \
    memcpy(&y, &b, 16);                                             \
    UT z_ = x op y;                                                 \
    ST over = (ST)(ovf) < 0; /* all ones where it overflowed */     \
    UT sat = (UT)((ST)x >> (bits - 1)) ^ (UT)((ST){0} + (int)((1u << (bits - 1)) - 1)); \
    z_ = simd_vsel(UT, over, sat, z_);                              \
    V128 r;                                                         \
    memcpy(&r, &z_, 16);                                            \
    return r
static inline V128 simd_i8x16_add_sat_s(V128 a, V128 b) { SIMD_VSAT_S(vu8, vs8, +, (x ^ z_) & (y ^ z_), 8); }
static inline V128 simd_i16x8_add_sat_s(V128 a, V128 b) { SIMD_VSAT_S(vu16, vs16, +, (x ^ z_) & (y ^ z_), 16); }
static inline V128 simd_i8x16_sub_sat_s(V128 a, V128 b) { SIMD_VSAT_S(vu8, vs8, -, (x ^ y) & (x ^ z_), 8); }
static inline V128 simd_i16x8_sub_sat_s(V128 a, V128 b) { SIMD_VSAT_S(vu16, vs16, -, (x ^ y) & (x ^ z_), 16); }
#undef SIMD_VSAT_S

/* Rounding average without a wider type: (x + y + 1) >> 1 == (x | y) - ((x ^ y) >> 1). */
static inline V128 simd_i8x16_avgr_u(V128 a, V128 b) { SIMD_V2(vu8, (x | y) - ((x ^ y) >> 1)); }
static inline V128 simd_i16x8_avgr_u(V128 a, V128 b) { SIMD_V2(vu16, (x | y) - ((x ^ y) >> 1)); }

/* (x * y + 2^14) >> 15 in 32-bit lanes; only -32768 * -32768 exceeds the i16 range, by 1. */
static inline V128 simd_i16x8_q15mulr_sat_s(V128 a, V128 b)
{
    vs16 x, y;
    memcpy(&x, &a, 16);
    memcpy(&y, &b, 16);
    vs32 lo = __builtin_convertvector(SIMD_HALF8(x, 0), vs32) * __builtin_convertvector(SIMD_HALF8(y, 0), vs32);
    vs32 hi = __builtin_convertvector(SIMD_HALF8(x, 4), vs32) * __builtin_convertvector(SIMD_HALF8(y, 4), vs32);
    vs32 max = (vs32){0} + 32767;
    lo = (lo + 0x4000) >> 15;
    hi = (hi + 0x4000) >> 15;
    lo = simd_vsel(vs32, lo > max, max, lo);
    hi = simd_vsel(vs32, hi > max, max, hi);
    vs16 z = __builtin_convertvector(SIMD_CAT4(lo, hi), vs16);
    V128 r;
    memcpy(&r, &z, 16);
    return r;
}

static inline vu8 simd_vpopcnt8(vu8 x)
{
    x = x - ((x >> 1) & 0x55);
    x = (x & 0x33) + ((x >> 2) & 0x33);
    return (x + (x >> 4)) & 0x0f;
}
static inline V128 simd_i8x16_popcnt(V128 a) { SIMD_V1(vu8, simd_vpopcnt8(x)); }

#undef SIMD_HALF16
#undef SIMD_HALF8
#undef SIMD_HALF4
#undef SIMD_EVEN16
#undef SIMD_ODD16
#undef SIMD_EVEN8
#undef SIMD_ODD8
#undef SIMD_CAT8
#undef SIMD_CAT4
#endif

#undef SIMD_V1
#undef SIMD_V2
#undef simd_vsel

#endif
