/* bytes.c: byte-at-a-time loops over 1 MiB buffers, repeated: a transforming copy, an in-place
 * reverse, a histogram, a count of equal bytes and an Adler-32. Measures i32.load8_u and
 * i32.store8 in tight loops; no pass is a plain copy or fill, so clang emits no memory.copy or
 * memory.fill (check with wasm-objdump -d). Natively, gcc -O2 vectorises the count of equal
 * bytes (SSE2); the other passes stay byte-at-a-time there too. */
#include <stdint.h>

#define BENCH_ARG 40
#define BUF_LEN (1u << 20)
#define ADLER_MOD 65521u
#define ADLER_NMAX 5552u /* bytes before the sums can overflow 32 bits (zlib) */

static uint8_t buf_a[BUF_LEN], buf_b[BUF_LEN];
static uint32_t hist[256];

static void transform(uint8_t *dst, const uint8_t *src, uint32_t r)
{
    for (uint32_t i = 0; i < BUF_LEN; i++)
        dst[i] = (uint8_t)((src[i] ^ 0x5a) * 5 + r);
}

static void reverse(uint8_t *p)
{
    for (uint32_t i = 0, j = BUF_LEN - 1; i < j; i++, j--) {
        uint8_t t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
}

/* Returns a digest of the byte histogram of p. hist is all zeros between calls: the digest
 * loop clears it (a separate clearing loop would become memory.fill). */
static uint32_t histogram(const uint8_t *p)
{
    for (uint32_t i = 0; i < BUF_LEN; i++)
        hist[p[i]]++;
    uint32_t h = 0;
    for (int v = 0; v < 256; v++) {
        h = h * 31 + hist[v];
        hist[v] = 0;
    }
    return h;
}

/* Returns how many positions hold equal bytes in p and q. */
static uint32_t count_equal(const uint8_t *p, const uint8_t *q)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < BUF_LEN; i++)
        n += p[i] == q[i];
    return n;
}

static uint32_t adler32(const uint8_t *p)
{
    uint32_t a = 1, b = 0;
    for (uint32_t i = 0; i < BUF_LEN;) {
        uint32_t end = BUF_LEN - i < ADLER_NMAX ? BUF_LEN : i + ADLER_NMAX;
        for (; i < end; i++) {
            a += p[i];
            b += a;
        }
        a %= ADLER_MOD;
        b %= ADLER_MOD;
    }
    return b << 16 | a;
}

/* Each round transforms the last round's output into the other buffer, so no two rounds see
 * the same bytes. Returns the digests of every round folded to 31 bits. */
int32_t bytes(int32_t rounds)
{
    uint32_t x = 2463534242u; /* xorshift32 */
    for (uint32_t i = 0; i < BUF_LEN; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf_a[i] = (uint8_t)x;
    }
    uint8_t *src = buf_a, *dst = buf_b;
    uint32_t sum = 0;
    for (int32_t r = 0; r < rounds; r++) {
        transform(dst, src, (uint32_t)r);
        reverse(dst);
        sum = sum * 31 + histogram(dst);
        sum = sum * 31 + count_equal(dst, src);
        sum = sum * 31 + adler32(dst);
        uint8_t *t = src;
        src = dst;
        dst = t;
    }
    return (int32_t)(sum & 0x7fffffff);
}
