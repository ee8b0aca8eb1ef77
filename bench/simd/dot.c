/* dot.c: the dot product of two vectors of 64 Ki 16-bit integers, repeated; each round
 * changes one element by the last result so that no round can be hoisted. With -msimd128
 * (BENCH_SIMD: bench/run.sh also builds it as dot_simd) the loop is written with Wasm SIMD
 * intrinsics, i32x4.dot_i16x8_s eight products at a time; built without, the same loop one
 * product at a time. Sums wrap modulo 2^32 in both forms, so they agree bit for bit. */
#include <stdint.h>

#define BENCH_ARG 4000
#define BENCH_SIMD 1
#define BENCH_TEST_ARG 30 /* tests/compile/diff.sh */
#define N (1u << 16)

static int16_t va[N], vb[N];

#ifdef __wasm_simd128__
#include <wasm_simd128.h>

static uint32_t dot_product(const int16_t *a, const int16_t *b)
{
    v128_t acc0 = wasm_i32x4_splat(0), acc1 = wasm_i32x4_splat(0);
    for (uint32_t i = 0; i < N; i += 16) {
        acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_v128_load(a + i),
                                                         wasm_v128_load(b + i)));
        acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_v128_load(a + i + 8),
                                                         wasm_v128_load(b + i + 8)));
    }
    v128_t acc = wasm_i32x4_add(acc0, acc1);
    return (uint32_t)wasm_i32x4_extract_lane(acc, 0) + (uint32_t)wasm_i32x4_extract_lane(acc, 1) +
           (uint32_t)wasm_i32x4_extract_lane(acc, 2) + (uint32_t)wasm_i32x4_extract_lane(acc, 3);
}
#else
static uint32_t dot_product(const int16_t *a, const int16_t *b)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < N; i++)
        sum += (uint32_t)((int32_t)a[i] * (int32_t)b[i]);
    return sum;
}
#endif

int32_t dot(int32_t rounds)
{
    uint32_t x = 2463534242u; /* xorshift32 */
    for (uint32_t i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        va[i] = (int16_t)x;
        vb[i] = (int16_t)(x >> 16);
    }
    uint32_t sum = 0;
    for (int32_t r = 0; r < rounds; r++) {
        uint32_t d = dot_product(va, vb);
        sum = sum * 31 + d;
        va[(uint32_t)r % N] ^= (int16_t)d;
    }
    return (int32_t)(sum & 0x7fffffff);
}
