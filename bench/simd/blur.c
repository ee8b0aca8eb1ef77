/* blur.c: a 3x3 binomial blur ([1 2 1] across and down, divided by 16, rounded) of a 512 x 512
 * 8-bit grey image, back and forth between two buffers; the border pixels are copied. With
 * -msimd128 (BENCH_SIMD: bench/run.sh also builds it as blur_simd) sixteen pixels are done at
 * once with Wasm SIMD intrinsics, widened to 16 bits; built without, one at a time. Both
 * compute the same integers, so the images agree exactly. */
#include <stdint.h>

#define BENCH_ARG 300
#define BENCH_SIMD 1
#define BENCH_TEST_ARG 4 /* tests/compile/diff.sh */
#define W 512
#define H 512

static uint8_t img_a[W * H], img_b[W * H];

static uint8_t blur_pixel(const uint8_t *s, uint32_t x)
{
    const uint8_t *u = s - W, *d = s + W;
    uint32_t top = u[x - 1] + 2u * u[x] + u[x + 1];
    uint32_t mid = s[x - 1] + 2u * s[x] + s[x + 1];
    uint32_t bot = d[x - 1] + 2u * d[x] + d[x + 1];
    return (uint8_t)((top + 2u * mid + bot + 8u) >> 4);
}

#ifdef __wasm_simd128__
#include <wasm_simd128.h>

/* [1 2 1] across, of 16 pixels starting at p: the low and the high eight as 16-bit lanes. */
static void row3(const uint8_t *p, v128_t *lo, v128_t *hi)
{
    v128_t l = wasm_v128_load(p - 1), c = wasm_v128_load(p), r = wasm_v128_load(p + 1);
    *lo = wasm_i16x8_add(wasm_i16x8_add(wasm_u16x8_extend_low_u8x16(l), wasm_u16x8_extend_low_u8x16(r)),
                         wasm_i16x8_shl(wasm_u16x8_extend_low_u8x16(c), 1));
    *hi = wasm_i16x8_add(wasm_i16x8_add(wasm_u16x8_extend_high_u8x16(l), wasm_u16x8_extend_high_u8x16(r)),
                         wasm_i16x8_shl(wasm_u16x8_extend_high_u8x16(c), 1));
}

static void blur_row(uint8_t *o, const uint8_t *s)
{
    const v128_t eight = wasm_i16x8_splat(8);
    uint32_t x = 1;
    for (; x + 16 <= W - 1; x += 16) {
        v128_t tl, th, ml, mh, bl, bh;
        row3(s - W + x, &tl, &th);
        row3(s + x, &ml, &mh);
        row3(s + W + x, &bl, &bh);
        v128_t lo = wasm_u16x8_shr(wasm_i16x8_add(wasm_i16x8_add(tl, bl),
                                                  wasm_i16x8_add(wasm_i16x8_shl(ml, 1), eight)), 4);
        v128_t hi = wasm_u16x8_shr(wasm_i16x8_add(wasm_i16x8_add(th, bh),
                                                  wasm_i16x8_add(wasm_i16x8_shl(mh, 1), eight)), 4);
        wasm_v128_store(o + x, wasm_u8x16_narrow_i16x8(lo, hi));
    }
    for (; x < W - 1; x++)
        o[x] = blur_pixel(s, x);
}
#else
static void blur_row(uint8_t *o, const uint8_t *s)
{
    for (uint32_t x = 1; x < W - 1; x++)
        o[x] = blur_pixel(s, x);
}
#endif

static void blur_image(uint8_t *dst, const uint8_t *src)
{
    for (uint32_t x = 0; x < W; x++) {
        dst[x] = src[x];
        dst[(H - 1) * W + x] = src[(H - 1) * W + x];
    }
    for (uint32_t y = 1; y < H - 1; y++) {
        uint8_t *o = dst + y * W;
        const uint8_t *s = src + y * W;
        o[0] = s[0];
        o[W - 1] = s[W - 1];
        blur_row(o, s);
    }
}

int32_t blur(int32_t rounds)
{
    uint32_t x = 2463534242u; /* xorshift32 */
    for (uint32_t i = 0; i < W * H; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        img_a[i] = (uint8_t)x;
    }
    uint8_t *src = img_a, *dst = img_b;
    uint32_t sum = 0;
    for (int32_t r = 0; r < rounds; r++) {
        blur_image(dst, src);
        src[(uint32_t)r * 977u % (W * H)] ^= 0xff; /* a speck, so rounds differ */
        sum = sum * 31 + dst[(uint32_t)r * 7919u % (W * H)];
        uint8_t *t = src;
        src = dst;
        dst = t;
    }
    uint32_t h = 0;
    for (uint32_t i = 0; i < W * H; i++)
        h = h * 31 + src[i];
    return (int32_t)((sum ^ h) & 0x7fffffff);
}
