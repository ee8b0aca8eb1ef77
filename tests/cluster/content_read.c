/* content_read.c: ctd_read_wasm_image from the command line, for content_test.sh.
 *
 * usage: content_read SOCKET NAMESPACE IMAGE [OUT]
 * On success writes the module to OUT, or prints "<size> sha256:<hex>" when OUT is not
 * given, and exits 0. On failure prints "error <code>: <message>" and exits 1. */
#include "shim/ctd_content.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

static int write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: content_read SOCKET NAMESPACE IMAGE [OUT]\n");
        return 2;
    }
    uint8_t *module;
    size_t len;
    char *err;
    int code = ctd_read_wasm_image(argv[1], argv[2], argv[3], &module, &len, &err);
    if (code) {
        printf("error %d: %s\n", code, err ? err : "(no message)");
        free(err);
        return 1;
    }
    int rc = 0;
    if (argc == 5) {
        rc = write_file(argv[4], module, len);
    } else {
        uint8_t h[crypto_hash_sha256_BYTES];
        char hex[2 * crypto_hash_sha256_BYTES + 1];
        crypto_hash_sha256(h, module, len);
        printf("%zu sha256:%s\n", len, sodium_bin2hex(hex, sizeof hex, h, sizeof h));
    }
    free(module);
    return rc;
}
