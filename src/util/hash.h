/* hash.h: a seeded 64-bit hash of byte strings for hash tables (not cryptographic). A table
 * that can be filled from untrusted input should use a per-instance seed, so that colliding
 * keys cannot be precomputed for every process. */
#ifndef CORRAL_HASH_H
#define CORRAL_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);
/* A seed that differs between processes (address-space layout) and between calls. */
uint64_t hash_seed(const void *salt);

#endif
