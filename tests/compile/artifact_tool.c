/* artifact_tool: wraps a shared object and a module into an artifact whose header says what
 * the command line says, with a valid checksum: the stand-in for a foreign or forged file in
 * tests/compile/hostile.sh. Not part of Corral.
 *
 *   artifact_tool MODULE.wasm OBJECT.so OUT.cwasm [version V] [target T] [cpu BITS] [flags N]
 *
 * Defaults are this host's and this build's (what `corral compile` would write). */
#include "compile/artifact.h"
#include "corral.h"
#include "engine/native_abi.h"
#include "engine/runtime.h"
#include "util/fs.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int main(int argc, char **argv)
{
    if (argc < 4 || argc % 2) {
        fprintf(stderr, "usage: %s MODULE.wasm OBJECT.so OUT.cwasm [FIELD VALUE]...\n", argv[0]);
        return 2;
    }
    size_t wlen, slen;
    uint8_t *wasm, *so;
    if (!fs_read_file(argv[1], &wasm, &wlen) || !fs_read_file(argv[2], &so, &slen)) {
        fprintf(stderr, "cannot read the inputs\n");
        return 2;
    }
    ArtifactInfo info;
    memset(&info, 0, sizeof info);
    crypto_hash_sha256(info.module_sha256, wasm, wlen);
    snprintf(info.corral_version, sizeof info.corral_version, "%s", artifact_code_version());
    snprintf(info.target, sizeof info.target, "%s", artifact_host_target());
    info.flags = native_guard_supported() ? 0u : CC_FLAG_BOUNDS_CHECKS;
    snprintf(info.compiler, sizeof info.compiler, "artifact_tool");
    for (int i = 4; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "version"))
            snprintf(info.corral_version, sizeof info.corral_version, "%s", v);
        else if (!strcmp(k, "target"))
            snprintf(info.target, sizeof info.target, "%s", v);
        else if (!strcmp(k, "cpu"))
            info.cpu_features = strtoull(v, NULL, 0);
        else if (!strcmp(k, "flags"))
            info.flags = (uint32_t)strtoul(v, NULL, 0);
        else {
            fprintf(stderr, "unknown field %s\n", k);
            return 2;
        }
    }
    uint8_t *out;
    size_t olen;
    if (artifact_encode(&info, wasm, wlen, so, slen, &out, &olen) != 0) {
        fprintf(stderr, "artifact_encode failed\n");
        return 1;
    }
    FILE *f = fopen(argv[3], "wb");
    if (!f || fwrite(out, 1, olen, f) != olen || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", argv[3]);
        return 1;
    }
    free(out);
    free(wasm);
    free(so);
    return 0;
}
