/* test_numeric.c: the numeric semantics of numeric.h, the interpreter's single source of
 * truth: integer division edge cases, shifts and rotates modulo the width, float-to-int
 * range checks and saturation, min/max with signed zeros and NaN, nearest (ties to even),
 * correctly rounded unsigned conversions, sign operations that keep NaN payloads, and the
 * little-endian memory helpers. Run under UBSan too: nothing here may be undefined. */
#include "engine/numeric.h"

#include <stdio.h>

static int passed, failed;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (cond) {                                                                        \
            passed++;                                                                      \
        } else {                                                                           \
            failed++;                                                                      \
            fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                  \
    } while (0)

#define F32(x) f32_bits(x)
#define F64(x) f64_bits(x)

static void test_division(void)
{
    uint32_t r = 7;
    uint64_t q = 7;
    CHECK(num_i32_div_s(0x80000000u, 0xffffffffu, &r) == NUM_OVERFLOW && r == 7);
    CHECK(num_i32_rem_s(0x80000000u, 0xffffffffu, &r) == NUM_OK && r == 0);
    CHECK(num_i32_div_s(1, 0, &r) == NUM_DIV_ZERO);
    CHECK(num_i32_div_u(1, 0, &r) == NUM_DIV_ZERO);
    CHECK(num_i32_rem_s(1, 0, &r) == NUM_DIV_ZERO);
    CHECK(num_i32_rem_u(1, 0, &r) == NUM_DIV_ZERO);
    CHECK(num_i32_div_s((uint32_t)-7, 2, &r) == NUM_OK && r == (uint32_t)-3); /* toward 0 */
    CHECK(num_i32_rem_s((uint32_t)-7, 2, &r) == NUM_OK && r == (uint32_t)-1); /* sign of a */
    CHECK(num_i32_div_u(0x80000000u, 2, &r) == NUM_OK && r == 0x40000000u);
    CHECK(num_i64_div_s(0x8000000000000000ull, UINT64_MAX, &q) == NUM_OVERFLOW);
    CHECK(num_i64_rem_s(0x8000000000000000ull, UINT64_MAX, &q) == NUM_OK && q == 0);
    CHECK(num_i64_div_u(5, 0, &q) == NUM_DIV_ZERO);
    CHECK(num_i64_rem_u(5, 0, &q) == NUM_DIV_ZERO);
    CHECK(num_i64_div_s((uint64_t)-7, 2, &q) == NUM_OK && q == (uint64_t)-3);
    CHECK(num_i64_rem_u(UINT64_MAX, 10, &q) == NUM_OK && q == 5);
    CHECK(num_trap_msg(NUM_OVERFLOW)[0] == 'i');
}

static void test_shifts(void)
{
    CHECK(num_i32_shl(1, 32) == 1);
    CHECK(num_i32_shl(1, 33) == 2);
    CHECK(num_i32_shr_u(0x80000000u, 63) == 1);
    CHECK(num_i32_shr_s(0x80000000u, 31) == 0xffffffffu);
    CHECK(num_i32_shr_s(0x80000000u, 32) == 0x80000000u);
    CHECK(num_i32_shr_s(0x40000000u, 30) == 1);
    CHECK(num_i32_rotl(0x80000001u, 1) == 3);
    CHECK(num_i32_rotl(0x12345678u, 32) == 0x12345678u);
    CHECK(num_i32_rotr(3, 1) == 0x80000001u);
    CHECK(num_i32_rotr(0x12345678u, 36) == 0x81234567u);
    CHECK(num_i64_shl(1, 64) == 1);
    CHECK(num_i64_shl(1, 127) == 0x8000000000000000ull);
    CHECK(num_i64_shr_s(0x8000000000000000ull, 63) == UINT64_MAX);
    CHECK(num_i64_shr_u(0x8000000000000000ull, 64 + 63) == 1);
    CHECK(num_i64_rotl(0x8000000000000001ull, 65) == 3);
    CHECK(num_i64_rotr(1, 64) == 1);
    CHECK(num_i32_clz(0) == 32 && num_i32_ctz(0) == 32 && num_i32_popcnt(0xffffffffu) == 32);
    CHECK(num_i64_clz(0) == 64 && num_i64_ctz(0) == 64 && num_i64_popcnt(UINT64_MAX) == 64);
    CHECK(num_i32_clz(1) == 31 && num_i64_ctz(0x8000000000000000ull) == 63);
    CHECK(num_i32_extend8_s(0x80) == 0xffffff80u && num_i32_extend8_s(0x17f) == 0x7f);
    CHECK(num_i32_extend16_s(0x8000) == 0xffff8000u);
    CHECK(num_i64_extend32_s(0x80000000ull) == 0xffffffff80000000ull);
    CHECK(num_i64_extend8_s(0xff) == UINT64_MAX);
}

static void test_trunc(void)
{
    uint32_t r = 0;
    uint64_t q = 0;
    CHECK(num_i32_trunc_f32_s(F32_CANON_NAN, &r) == NUM_INVALID);
    CHECK(num_i32_trunc_f32_s(0x7f800000u, &r) == NUM_OVERFLOW); /* +inf */
    CHECK(num_i32_trunc_f32_s(F32(2147483648.0f), &r) == NUM_OVERFLOW);
    CHECK(num_i32_trunc_f32_s(F32(-2147483648.0f), &r) == NUM_OK && r == 0x80000000u);
    CHECK(num_i32_trunc_f32_s(F32(-2147483904.0f), &r) == NUM_OVERFLOW);
    CHECK(num_i32_trunc_f32_s(F32(-1.9f), &r) == NUM_OK && r == (uint32_t)-1);
    CHECK(num_i32_trunc_f64_s(F64(-2147483648.9), &r) == NUM_OK && r == 0x80000000u);
    CHECK(num_i32_trunc_f64_s(F64(-2147483649.0), &r) == NUM_OVERFLOW);
    CHECK(num_i32_trunc_f64_s(F64(2147483647.9), &r) == NUM_OK && r == 0x7fffffffu);
    CHECK(num_i32_trunc_f32_u(F32(-0.9f), &r) == NUM_OK && r == 0);
    CHECK(num_i32_trunc_f32_u(F32(-1.0f), &r) == NUM_OVERFLOW);
    CHECK(num_i32_trunc_f64_u(F64(4294967295.9), &r) == NUM_OK && r == 0xffffffffu);
    CHECK(num_i32_trunc_f64_u(F64(4294967296.0), &r) == NUM_OVERFLOW);
    CHECK(num_i32_trunc_f64_u(F64_CANON_NAN | F64_SIGN, &r) == NUM_INVALID);
    CHECK(num_i64_trunc_f64_s(F64(9223372036854775808.0), &q) == NUM_OVERFLOW);
    CHECK(num_i64_trunc_f64_s(F64(-9223372036854775808.0), &q) == NUM_OK &&
          q == 0x8000000000000000ull);
    CHECK(num_i64_trunc_f32_s(F32(-9223372036854775808.0f), &q) == NUM_OK);
    CHECK(num_i64_trunc_f64_u(F64(18446744073709551616.0), &q) == NUM_OVERFLOW);
    CHECK(num_i64_trunc_f64_u(F64(18446744073709549568.0), &q) == NUM_OK &&
          q == 18446744073709549568ull);
    CHECK(num_i64_trunc_f32_u(F32(-0.5f), &q) == NUM_OK && q == 0);
    CHECK(num_i64_trunc_f32_u(0xff800000u, &q) == NUM_OVERFLOW); /* -inf */
    /* saturating */
    CHECK(num_i32_trunc_sat_f32_s(F32_CANON_NAN) == 0);
    CHECK(num_i32_trunc_sat_f32_s(0x7f800000u) == 0x7fffffffu);
    CHECK(num_i32_trunc_sat_f32_s(0xff800000u) == 0x80000000u);
    CHECK(num_i32_trunc_sat_f32_u(F32(-5.0f)) == 0);
    CHECK(num_i32_trunc_sat_f64_u(F64(1e10)) == 0xffffffffu);
    CHECK(num_i32_trunc_sat_f64_s(F64(-2147483648.5)) == 0x80000000u);
    CHECK(num_i64_trunc_sat_f64_s(F64(1e19)) == 0x7fffffffffffffffull);
    CHECK(num_i64_trunc_sat_f64_s(F64(-1e19)) == 0x8000000000000000ull);
    CHECK(num_i64_trunc_sat_f64_u(F64(1e20)) == UINT64_MAX);
    CHECK(num_i64_trunc_sat_f32_u(F32_CANON_NAN) == 0);
    CHECK(num_i64_trunc_sat_f64_u(F64(123.9)) == 123);
}

static void test_minmax_rounding(void)
{
    uint32_t pz = 0, nz = F32_SIGN;
    CHECK(num_f32_min(pz, nz) == nz && num_f32_min(nz, pz) == nz);
    CHECK(num_f32_max(pz, nz) == pz && num_f32_max(nz, pz) == pz);
    CHECK(num_f64_min(0, F64_SIGN) == F64_SIGN && num_f64_max(F64_SIGN, 0) == 0);
    CHECK(f32_isnan_bits(num_f32_min(F32_CANON_NAN, F32(1.0f))));
    CHECK(f32_isnan_bits(num_f32_max(F32(1.0f), 0x7f800001u)));   /* signalling in ... */
    CHECK(num_f32_max(F32(1.0f), 0x7f800001u) & 0x00400000u);     /* ... quiet out */
    CHECK(f64_isnan_bits(num_f64_min(F64(-1.0), F64_CANON_NAN)));
    CHECK(num_f32_min(F32(1.0f), F32(2.0f)) == F32(1.0f));
    CHECK(num_f64_max(F64(-1.0), F64(-2.0)) == F64(-1.0));
    CHECK(num_f32_nearest(F32(0.5f)) == 0);
    CHECK(num_f32_nearest(F32(1.5f)) == F32(2.0f));
    CHECK(num_f32_nearest(F32(2.5f)) == F32(2.0f));
    CHECK(num_f32_nearest(F32(-0.5f)) == F32_SIGN); /* -0.0 */
    CHECK(num_f32_nearest(F32(-1.5f)) == F32(-2.0f));
    CHECK(num_f64_nearest(F64(2.5)) == F64(2.0));
    CHECK(num_f64_nearest(F64(-3.5)) == F64(-4.0));
    CHECK(num_f64_nearest(F64(4503599627370497.0)) == F64(4503599627370497.0));
    CHECK(num_f64_trunc(F64(-0.7)) == F64_SIGN);
    CHECK(num_f64_ceil(F64(-0.5)) == F64_SIGN);
    CHECK(num_f32_floor(F32(-0.5f)) == F32(-1.0f));
    CHECK(f32_isnan_bits(num_f32_sqrt(F32(-1.0f))));
    CHECK(num_f32_ceil(0x7f800001u) == 0x7fc00001u); /* NaN in, quiet NaN with payload out */
}

static void test_sign_ops(void)
{
    CHECK(num_f32_neg(0x7fc00001u) == 0xffc00001u);
    CHECK(num_f32_abs(0xff800001u) == 0x7f800001u); /* signalling NaN stays signalling */
    CHECK(num_f32_copysign(0x7f800001u, F32_SIGN) == 0xff800001u);
    CHECK(num_f64_neg(0x7ff0000000000001ull) == 0xfff0000000000001ull);
    CHECK(num_f64_abs(F64(-0.0)) == 0);
    CHECK(num_f64_copysign(F64(2.0), F64(-0.0)) == F64(-2.0));
}

static void test_conversions(void)
{
    CHECK(num_f32_convert_i64_u(0x7fffffbfffffffffull) == 0x5effffffu); /* no double rounding */
    CHECK(num_f32_convert_i64_u(0x8000008000000001ull) == 0x5f000001u);
    CHECK(num_f32_convert_i64_u(0xfffffe8000000001ull) == 0x5f7fffffu);
    CHECK(num_f32_convert_i64_u(0x0020000020000001ull) == 0x5a000001u);
    CHECK(num_f32_convert_i64_u(0x8000000000000000ull) == 0x5f000000u);
    CHECK(num_f32_convert_i64_s(0x0020000020000001ull) == 0x5a000001u);
    CHECK(num_f32_convert_i64_s(0xffdfffffdfffffffull) == 0xda000001u);
    CHECK(num_f32_convert_i32_u(0xffffffffu) == F32(4294967296.0f));
    CHECK(num_f32_convert_i32_s(16777217) == F32(16777216.0f)); /* ties to even */
    CHECK(num_f64_convert_i64_u(0xffffffffffffffffull) == F64(18446744073709551616.0));
    CHECK(num_f64_convert_i32_u(0x80000000u) == F64(2147483648.0));
    CHECK(num_f64_convert_i64_s(0x8000000000000000ull) == F64(-9223372036854775808.0));
    CHECK(num_f64_convert_i64_u(0x0010000000000001ull) == F64(4503599627370497.0));
    CHECK(f32_isnan_bits(num_f32_demote_f64(F64_CANON_NAN)));
    CHECK(num_f32_demote_f64(F64(1e300)) == 0x7f800000u);
    CHECK(num_f64_promote_f32(F32(-0.0f)) == F64_SIGN);
    CHECK(f64_isnan_bits(num_f64_promote_f32(0x7fa00000u)));
}

static void test_memory(void)
{
    uint8_t b[8] = {0};
    st_u32(b, 0x11223344u);
    CHECK(b[0] == 0x44 && b[3] == 0x11 && ld_u32(b) == 0x11223344u);
    st_u64(b, 0x0102030405060708ull);
    CHECK(b[0] == 0x08 && b[7] == 0x01 && ld_u64(b) == 0x0102030405060708ull);
    st_u16(b + 1, 0xabcd);
    CHECK(b[1] == 0xcd && b[2] == 0xab && ld_u16(b + 1) == 0xabcd);
    CHECK(ld_u8(b + 1) == 0xcd);
}

int main(void)
{
    test_division();
    test_shifts();
    test_trunc();
    test_minmax_rounding();
    test_sign_ops();
    test_conversions();
    test_memory();
    printf("test_numeric: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
