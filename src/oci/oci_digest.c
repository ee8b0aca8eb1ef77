/* oci_digest.c: content digests as the OCI specs write them, "sha256:<64 lower-case hex>",
 * on libsodium's SHA-256. Streaming hashes use crypto_hash_sha256_state directly. */
#include "oci/oci_int.h"

#include <string.h>

void oci_digest_format(const uint8_t hash[crypto_hash_sha256_BYTES], char out[OCI_DIGEST_SIZE])
{
    memcpy(out, "sha256:", 7);
    sodium_bin2hex(out + 7, OCI_DIGEST_SIZE - 7, hash, crypto_hash_sha256_BYTES);
}

void oci_digest_bytes(const void *bytes, size_t len, char out[OCI_DIGEST_SIZE])
{
    uint8_t hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, bytes, len);
    oci_digest_format(hash, out);
}

bool oci_digest_valid(const char *text)
{
    if (strncmp(text, "sha256:", 7) != 0 || strlen(text) != 7 + 64)
        return false;
    for (const char *p = text + 7; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}
