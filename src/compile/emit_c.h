/* emit_c.h: WebAssembly to C, the first stage of the compiled tier (docs/design/compiled.md,
 * section 6). Reads a decoded and validated Module (engine/module.h) and writes one C
 * translation unit; knows nothing of compilers, artifacts or loading. */
#ifndef CORRAL_EMIT_C_H
#define CORRAL_EMIT_C_H

#include <stdint.h>
#include <stdio.h>

#include "../engine/module.h"
#include "corral.h"

typedef struct EmitError {
    const char *msg; /* static string */
    size_t offset;   /* byte offset in the module it concerns, 0 when none */
} EmitError;

/* Writes C for every defined function of m (decoded with DECODE_VALIDATE) to out: one
 * `static` C function per Wasm function, an entry per function with the engine's calling
 * convention, and the descriptor CC_MODULE_SYMBOL (engine/native_abi.h). The text is
 * self-contained (it carries native_abi.h and numeric.h); compile it with the flags of
 * compile/cc.c. Instantiation stays the engine's. flags are native_abi.h's CC_FLAG_*: with
 * CC_FLAG_BOUNDS_CHECKS every memory access and function entry is checked explicitly, else
 * the code relies on guarded memories and the stack's guard page (native.c). Returns 0, or
 * 1 with err set ("out of memory", "write error"); out may then hold partial text. */
/* With flags, not a code flag (not in the descriptor, artifact header or cache key): also
 * emit each function's entry at its loops (CcModule.osr), for calls running in the
 * interpreter when the code arrives. Without it those stay 0 and such calls finish there. */
#define EMIT_OSR (1u << 16)

int emit_c_module(const Module *m, uint32_t flags, FILE *out, EmitError *err)
    __attribute__((warn_unused_result));
/* emit_c_module with EMIT_OSR for the functions entries picks (per defined function):
 *   EMIT_ENTRY_NONE      no entry at its loops;
 *   EMIT_ENTRY_ONE_BODY  one body that calls and the loop entries share (fnN a wrapper): no
 *                        second copy to compile, but its loops have two ways in for calls too;
 *   EMIT_ENTRY_COPY      the plain body for calls and a second copy with the entries.
 * entries NULL: a copy for every function with loops, as EMIT_OSR alone gives. */
enum { EMIT_ENTRY_NONE, EMIT_ENTRY_ONE_BODY, EMIT_ENTRY_COPY };
int emit_c_module_entries(const Module *m, uint32_t flags, const uint8_t *entries, FILE *out,
                          EmitError *err) __attribute__((warn_unused_result));

/* The WebAssembly features (CORRAL_FEATURE_*) beyond the 2.0 core that emit_c_module
 * translates; a module that uses another runs on the interpreter (emit_c_declines).
 * Extended constant expressions need nothing here: the engine evaluates initialisers when it
 * instantiates, and the C reads a global whose initialiser is not one constant at run time.
 * Tail calls are declined: C has no guaranteed tail call, so a chain of them would grow the
 * host stack. */
#define EMIT_C_FEATURES \
    (CORRAL_FEATURE_SIMD | CORRAL_FEATURE_EXTENDED_CONST | CORRAL_FEATURE_RELAXED_SIMD | \
     CORRAL_FEATURE_MULTI_MEMORY)

/* NULL when emit_c_module can translate m; else the name of the first feature m uses that
 * it cannot. */
const char *emit_c_declines(const Module *m);

/* The text of engine/native_abi.h, engine/numeric.h and engine/simd.h (with the headers it
 * includes; generated at build time). */
extern const char emit_abi_text[];
extern const char emit_numeric_text[];
extern const char emit_simd_text[];

#endif
