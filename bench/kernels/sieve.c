/* sieve.c: the sieve of Eratosthenes over 8 MiB of linear memory, repeated. Measures byte loads
 * and stores, strided loops and memory.fill (memset). */
#include <stdint.h>

#define BENCH_ARG 6
#define SIEVE_N (1u << 23)

static uint8_t composite[SIEVE_N];

static uint32_t count_primes(void)
{
    uint32_t count = 1; /* 2 */
    __builtin_memset(composite, 0, sizeof composite);
    for (uint32_t i = 3; i < SIEVE_N; i += 2) {
        if (composite[i])
            continue;
        count++;
        for (uint64_t j = (uint64_t)i * i; j < SIEVE_N; j += 2 * i)
            composite[j] = 1;
    }
    return count;
}

/* Returns a checksum of the prime counts of reps sieves (each the same: 564163). */
int32_t sieve(int32_t reps)
{
    uint32_t sum = 0;
    for (int32_t r = 0; r < reps; r++)
        sum = sum * 31u + count_primes() + (uint32_t)r;
    return (int32_t)(sum & 0x7fffffff);
}
