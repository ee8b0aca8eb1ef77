/* sha256.h: SHA-256 for the compiled tier's artifacts and cache keys, a thin layer on
 * libsodium's crypto_hash_sha256 (the project's SHA-256 everywhere). */
#ifndef CORRAL_SHA256_H
#define CORRAL_SHA256_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32

typedef crypto_hash_sha256_state Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t len);
void sha256_final(Sha256 *s, uint8_t out[SHA256_BYTES]);
/* The digest of data in one call. */
void sha256_digest(const void *data, size_t len, uint8_t out[SHA256_BYTES]);
/* Lower-case hex of a digest. */
void sha256_hex(const uint8_t digest[SHA256_BYTES], char out[2 * SHA256_BYTES + 1]);

#endif
