/* emit_c.h: WebAssembly to C, the first stage of the compiled tier (docs/design/compiled.md,
 * section 6). Reads a decoded and validated Module (engine/module.h) and writes one C
 * translation unit; knows nothing of compilers, artifacts or loading. */
#ifndef CORRAL_EMIT_C_H
#define CORRAL_EMIT_C_H

#include <stdint.h>
#include <stdio.h>

#include "../engine/module.h"

typedef struct EmitError {
    const char *msg; /* static string */
    size_t offset;   /* byte offset in the module it concerns, 0 when none */
} EmitError;

/* Writes C for every function of m (decoded with DECODE_VALIDATE) to out, plus an entry
 * trampoline per exported function, a `cc_exports` table (`cc_nexports` entries) and
 * `void cc_instantiate(CcCtx *)`, which sets up memory, globals, tables and segments and runs
 * the start function. The text includes compile/emit_rt.h (the runtime contract) and
 * engine/numeric.h (the interpreter's numeric semantics), so compile it with -Isrc/compile
 * -Isrc/engine and -ffp-contract=off. Returns 0, or 1 with err set ("imports are not supported
 * yet by the C emitter", "out of memory", "write error"); out may then hold partial text. */
int emit_c_module(const Module *m, FILE *out, EmitError *err) __attribute__((warn_unused_result));

#endif
