/* emit_c_main.c: `emit_c MODULE.wasm > out.c`, the test tool for src/compile/emit_c.c:
 * decodes and validates the module, then writes its C translation to stdout. Exit status 1
 * with a message on stderr when the module is invalid or the emitter refuses it. */
#include <stdio.h>
#include <stdlib.h>

#include "compile/emit_c.h"
#include "engine/native_abi.h"

static uint8_t *read_all(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    uint8_t *p = malloc(cap);
    while (p) {
        len += fread(p + len, 1, cap - len, f);
        if (len < cap)
            break;
        uint8_t *q = realloc(p, cap * 2);
        if (!q) {
            free(p);
            p = NULL;
            break;
        }
        p = q;
        cap *= 2;
    }
    fclose(f);
    *out_len = len;
    return p;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s MODULE.wasm > out.c\n", argv[0]);
        return 2;
    }
    size_t len = 0;
    uint8_t *bytes = read_all(argv[1], &len);
    if (!bytes) {
        perror(argv[1]);
        return 1;
    }
    Module *m = NULL;
    DecodeError de = {.msg = NULL, .offset = 0, .func = UINT32_MAX};
    if (decode_module(bytes, len, NULL, DECODE_VALIDATE, &m, &de)) {
        fprintf(stderr, "%s: 0x%06zx: %s\n", argv[1], de.offset, de.msg);
        free(bytes);
        return 1;
    }
    free(bytes);
    EmitError ee;
    int rc = emit_c_module(m, CC_FLAG_BOUNDS_CHECKS | CC_FLAG_FUEL, stdout, &ee);
    if (rc)
        fprintf(stderr, "%s: 0x%06zx: %s\n", argv[1], ee.offset, ee.msg);
    module_free(m);
    return rc || fflush(stdout) ? 1 : 0;
}
