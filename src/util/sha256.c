/* sha256.c: see sha256.h. */
#include "sha256.h"

void sha256_init(Sha256 *s) { crypto_hash_sha256_init(s); }

void sha256_update(Sha256 *s, const void *data, size_t len)
{
    crypto_hash_sha256_update(s, (const unsigned char *)data, (unsigned long long)len);
}

void sha256_final(Sha256 *s, uint8_t out[SHA256_BYTES]) { crypto_hash_sha256_final(s, out); }

void sha256_digest(const void *data, size_t len, uint8_t out[SHA256_BYTES])
{
    crypto_hash_sha256(out, (const unsigned char *)data, (unsigned long long)len);
}

void sha256_hex(const uint8_t digest[SHA256_BYTES], char out[2 * SHA256_BYTES + 1])
{
    sodium_bin2hex(out, 2 * SHA256_BYTES + 1, digest, SHA256_BYTES);
}
