/* primes.c: pure compute in C, compiled to wasm32 without libc or WASI imports (the README's
 * recipe: -nostdlib, and -mbulk-memory, without which the memset below has no definition).
 * count_primes(n): how many primes are below n, with a sieve of Eratosthenes in linear memory.
 * nth_prime(k): the k-th prime (nth_prime(1) == 2), by trial division.
 * collatz_max(n): the start below n whose Collatz sequence is longest. */
#include <stdint.h>

#define SIEVE_MAX (1 << 24)

static uint8_t composite[SIEVE_MAX];

int32_t count_primes(int32_t n)
{
    if (n < 3)
        return 0;
    if (n > SIEVE_MAX)
        n = SIEVE_MAX;
    __builtin_memset(composite, 0, (uint32_t)n);
    int32_t count = 1; /* 2 */
    for (int32_t i = 3; i < n; i += 2) {
        if (composite[i])
            continue;
        count++;
        for (int64_t j = (int64_t)i * i; j < n; j += 2 * i)
            composite[j] = 1;
    }
    return count;
}

static int is_prime(uint32_t x)
{
    if (x < 2)
        return 0;
    if (x % 2 == 0)
        return x == 2;
    for (uint32_t d = 3; d * d <= x; d += 2)
        if (x % d == 0)
            return 0;
    return 1;
}

int32_t nth_prime(int32_t k)
{
    uint32_t x = 1;
    while (k > 0) {
        x++;
        if (is_prime(x))
            k--;
    }
    return (int32_t)x;
}

int32_t collatz_max(int32_t n)
{
    int32_t best = 1, best_len = 0;
    for (int32_t start = 1; start < n; start++) {
        uint64_t x = (uint64_t)start;
        int32_t len = 0;
        while (x != 1) {
            x = (x & 1) ? 3 * x + 1 : x / 2;
            len++;
        }
        if (len > best_len) {
            best_len = len;
            best = start;
        }
    }
    return best;
}
