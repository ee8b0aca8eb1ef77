/* hash.c: a multiply-xorshift hash over 8-byte words (the mixing of MurmurHash64A with a
 * final avalanche). Loads go through memcpy, so any alignment is fine and nothing is UB. */
#include "hash.h"

#include <stdatomic.h>
#include <string.h>

#define MUL 0xc6a4a7935bd1e995ull

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = seed ^ (n * MUL);
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t k;
        memcpy(&k, s, 8);
        k *= MUL;
        k ^= k >> 47;
        h = (h ^ (k * MUL)) * MUL;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < n; i++)
        tail |= (uint64_t)s[i] << (8 * i);
    h = (h ^ tail) * MUL;
    return mix(h);
}

uint64_t hash_seed(const void *salt)
{
    static const char anchor = 0; /* its address moves with the executable's load address */
    static _Atomic uint64_t counter;
    uint64_t v = (uint64_t)(uintptr_t)salt ^ ((uint64_t)(uintptr_t)&anchor << 17);
    return mix(v + (atomic_fetch_add(&counter, 1) + 1) * MUL);
}
