/* sha256.c: SHA-256 (FIPS 180-4, written out here) of a message of arg MiB: a 1 MiB buffer of
 * pseudo-random bytes hashed arg times in a row as one stream. Measures 32-bit rotates, adds and
 * xors with many live values (64 rounds per 64-byte block), and big-endian word loads. Native
 * is this C too: gcc -O2 without -march uses no SHA instructions. */
#include <stddef.h>
#include <stdint.h>

#define BENCH_ARG 40
#define BUF_LEN (1u << 20)

static uint8_t buf[BUF_LEN];

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

typedef struct {
    uint32_t h[8];
    uint8_t block[64];
    size_t used;    /* bytes waiting in block */
    uint64_t total; /* bytes hashed so far */
} Sha256;

static uint32_t rotr(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* compress: the FIPS 180-4 §6.2.2 compression of one 64-byte block into h. */
static void compress(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int t = 0; t < 16; t++)
        w[t] = load_be32(p + 4 * t);
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t t1 =
            hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

static void sha_init(Sha256 *s)
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    for (int i = 0; i < 8; i++)
        s->h[i] = h0[i];
    s->used = 0;
    s->total = 0;
}

static void sha_update(Sha256 *s, const uint8_t *p, size_t n)
{
    s->total += n;
    while (s->used != 0 && n > 0) { /* finish a partial block first */
        s->block[s->used++] = *p++;
        n--;
        if (s->used == 64) {
            compress(s->h, s->block);
            s->used = 0;
        }
    }
    for (; n >= 64; p += 64, n -= 64)
        compress(s->h, p);
    while (n-- > 0)
        s->block[s->used++] = *p++;
}

/* sha_final: pads (a 1 bit, zeros, the length in bits) and writes the 32-byte digest. */
static void sha_final(Sha256 *s, uint8_t out[32])
{
    uint64_t bits = s->total * 8;
    uint8_t pad[72] = {0x80};
    size_t pad_len = (s->used < 56 ? 56 : 120) - s->used;
    for (int i = 0; i < 8; i++)
        pad[pad_len + i] = (uint8_t)(bits >> (56 - 8 * i));
    sha_update(s, pad, pad_len + 8);
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* Returns the SHA-256 of arg MiB (the buffer arg times), its 8 words xor-folded to 31 bits. */
int32_t sha256(int32_t arg)
{
    uint32_t x = 12345;
    for (uint32_t i = 0; i < BUF_LEN; i++) {
        x = x * 1103515245u + 12345u; /* LCG; its high byte is the least regular */
        buf[i] = (uint8_t)(x >> 24);
    }
    Sha256 s;
    sha_init(&s);
    for (int32_t r = 0; r < arg; r++)
        sha_update(&s, buf, BUF_LEN);
    uint8_t digest[32];
    sha_final(&s, digest);
    uint32_t fold = 0;
    for (int i = 0; i < 32; i += 4)
        fold ^= load_be32(digest + i);
    return (int32_t)(fold & 0x7fffffff);
}
