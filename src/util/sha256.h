/* sha256.h: SHA-256 (FIPS 180-4) in portable C, for the engine's side of the compiled tier
 * (artifact checksums, cache keys), which must not need libsodium. Streaming and one-shot;
 * no allocation, no global state, so any number of threads may hash at once. */
#ifndef CORRAL_SHA256_H
#define CORRAL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32

typedef struct Sha256 {
    uint32_t h[8];
    uint64_t total;    /* bytes hashed so far */
    uint8_t buf[64];   /* the partial block */
    size_t buf_len;
} Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t len);
/* Writes the digest; s must be initialised again before reuse. */
void sha256_final(Sha256 *s, uint8_t out[SHA256_BYTES]);
/* The digest of one buffer. */
void sha256_digest(const void *data, size_t len, uint8_t out[SHA256_BYTES]);
/* Lower-case hex of a digest, NUL-terminated (65 bytes). */
void sha256_hex(const uint8_t digest[SHA256_BYTES], char out[2 * SHA256_BYTES + 1]);

#endif
