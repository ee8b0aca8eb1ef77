/* scan.c: the first pass of a CSV reader over 1 MiB of text, repeated over changing text: how
 * many newlines, commas, quotes and spaces it holds. With -msimd128 (BENCH_SIMD: bench/run.sh
 * also builds it as scan_simd) sixteen bytes are classified at once with Wasm SIMD intrinsics:
 * each class's 8-bit counters grow by a lane-wise compare (i8x16.eq is -1 on a match,
 * subtracted) and are widened into 32-bit totals before they can overflow; built without, one
 * byte at a time. (A 256-bin byte histogram, tried first, is no SIMD workload: its scatter has
 * no vector form, and the compare-per-bin form ran slower than the scalar table on Corral.) */
#include <stdint.h>

#define BENCH_ARG 150
#define BENCH_SIMD 1
#define BENCH_TEST_ARG 6 /* tests/compile/diff.sh */
#define LEN (1u << 20)

static uint8_t text[LEN];
static const uint8_t classes[4] = {'\n', ',', '"', ' '};

#ifdef __wasm_simd128__
#include <wasm_simd128.h>

/* The sum of the sixteen 8-bit counters of c. */
static uint32_t sum_u8(v128_t c)
{
    v128_t w = wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(c));
    return (uint32_t)(wasm_i32x4_extract_lane(w, 0) + wasm_i32x4_extract_lane(w, 1) +
                      wasm_i32x4_extract_lane(w, 2) + wasm_i32x4_extract_lane(w, 3));
}

static void count_classes(const uint8_t *p, uint32_t counts[4])
{
    const v128_t nl = wasm_i8x16_splat('\n'), comma = wasm_i8x16_splat(','),
                 quote = wasm_i8x16_splat('"'), space = wasm_i8x16_splat(' ');
    for (uint32_t i = 0; i < LEN;) {
        v128_t c0 = wasm_i8x16_splat(0), c1 = c0, c2 = c0, c3 = c0;
        uint32_t end = LEN - i < 255 * 16 ? LEN : i + 255 * 16; /* counters hold 255 */
        for (; i < end; i += 16) {
            v128_t v = wasm_v128_load(p + i);
            c0 = wasm_i8x16_sub(c0, wasm_i8x16_eq(v, nl));
            c1 = wasm_i8x16_sub(c1, wasm_i8x16_eq(v, comma));
            c2 = wasm_i8x16_sub(c2, wasm_i8x16_eq(v, quote));
            c3 = wasm_i8x16_sub(c3, wasm_i8x16_eq(v, space));
        }
        counts[0] += sum_u8(c0);
        counts[1] += sum_u8(c1);
        counts[2] += sum_u8(c2);
        counts[3] += sum_u8(c3);
    }
}
#else
static void count_classes(const uint8_t *p, uint32_t counts[4])
{
    for (uint32_t i = 0; i < LEN; i++) {
        uint8_t b = p[i];
        counts[0] += b == '\n';
        counts[1] += b == ',';
        counts[2] += b == '"';
        counts[3] += b == ' ';
    }
}
#endif

int32_t scan(int32_t rounds)
{
    static const char alphabet[16] = "abc1234 ,,\"\nxyz";
    uint32_t x = 2463534242u; /* xorshift32 */
    for (uint32_t i = 0; i < LEN; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        text[i] = (uint8_t)alphabet[x & 15];
    }
    uint32_t sum = 0;
    for (int32_t r = 0; r < rounds; r++) {
        uint32_t counts[4] = {0, 0, 0, 0};
        count_classes(text, counts);
        for (int c = 0; c < 4; c++)
            sum = sum * 31 + counts[c];
        text[(uint32_t)r * 7919u % LEN] = classes[(uint32_t)r & 3]; /* the text changes */
    }
    return (int32_t)(sum & 0x7fffffff);
}
