/* tier.h: the choice of execution tier for a module (docs/design/compiled.md): the
 * interpreter, native code compiled now (jit), native code through an artifact file (aot),
 * or the interpreter at once and native code when a background compile is done (auto).
 * The layer between the CLI or gateway and the compiled tier's parts (emit_c, cc, artifact,
 * cache); the engine sees only corral_module_attach_native. */
#ifndef CORRAL_TIER_H
#define CORRAL_TIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "corral.h"

typedef enum { TIER_INTERP, TIER_JIT, TIER_AOT, TIER_AUTO } Tier;

typedef struct TierOpts {
    Tier tier;
    bool tier_given;       /* the tier was asked for (--tier), not a default */
    const char *cache_dir; /* NULL: the default ($XDG_CACHE_HOME/corral); "" : no cache */
    const char *cc;        /* the C compiler, NULL: $CORRAL_CC or cc */
    int opt;               /* C optimisation level, < 0: 2 */
    bool quiet;            /* no notice when auto falls back to the interpreter */
    bool fuel;             /* code that counts fuel (for a store with a budget); else code
                            * that only polls for interrupts, faster in tight loops */
    unsigned delay_ms;     /* auto: start the background compile this much later (a guest
                            * that is done by then never costs a compile) */
    bool osr;              /* auto: the background compile's code has entries at loops
                            * (EMIT_OSR), for calls running when it arrives: corral run and
                            * wast; not serve, whose requests are short */
} TierOpts;

/* NULL where the compiled tier makes code for this host; else a message saying it does not
 * (the emitted C and native.c's fault handling are made and tested on x86-64 only: on
 * other CPUs, such as aarch64 or big-endian s390x under qemu-user, jit, aot and `corral
 * compile` are refused with it and auto stays in the interpreter). */
const char *tier_native_unsupported(void);

/* "interp", "jit", "aot", "auto" (also "interpreter", "native"? no: exactly these). */
bool tier_parse(const char *s, Tier *out);
const char *tier_name(Tier t);

/* Gives module m (made from wasm/len, which stay valid while it lives) the code its tier
 * wants (where tier_native_unsupported: jit and aot refused, auto the interpreter with a
 * one-line notice when --tier auto was given, silently when auto is only the default):
 * interp nothing; jit compiles now and attaches; aot takes the artifact from the
 * cache (compiling and storing it when absent) and attaches it after the checks; auto
 * attaches a cached artifact at once, else starts a background compile that attaches its
 * result and stores it in the cache. NULL or an error (jit and aot only: auto falls back
 * to the interpreter with a one-line notice on stderr). */
corral_error_t *tier_prepare(corral_module_t *m, const TierOpts *o);

/* Compiles m into an artifact file at path (written atomically). */
corral_error_t *tier_write_artifact(corral_module_t *m, const TierOpts *o, const char *path);

/* Whether bytes start like an artifact (then tier_load_artifact, not corral_module_new). */
bool tier_is_artifact(const uint8_t *bytes, size_t len);

/* Checks artifact bytes (name is for messages) and creates the module it carries with its
 * code attached. Nothing in bytes is mapped executable before every check has passed. */
corral_error_t *tier_load_artifact(corral_engine_t *e, const char *name, const uint8_t *bytes,
                                   size_t len, corral_module_t **out);

/* Waits for background compiles started by tier_prepare (auto) to finish. */
void tier_wait_background(void);
/* For a process about to exit: stops background compiles (their compilers are killed and
 * their temporary files removed) and waits for their threads. */
void tier_shutdown(void);

#endif
