/* cc.h: the system C compiler as the compiled tier's code generator (docs/design/compiled.md,
 * sections 5 and 6): C text in, a shared object in memory out. Spawns the compiler (never a
 * shell) in a private temporary directory; knows nothing of Wasm, artifacts or loading. */
#ifndef CORRAL_CC_H
#define CORRAL_CC_H

#include <stddef.h>
#include <stdint.h>

typedef struct CcConfig {
    const char *cc;     /* the compiler command, words split on spaces ("ccache gcc");
                           NULL: $CORRAL_CC when set and not empty, else "cc" */
    const char *tmpdir; /* where the private temporary directory goes; NULL: $TMPDIR, else /tmp */
    int opt;            /* -O level 0..3; below 0 means the default, 2 */
} CcConfig;

/* Compiles src[0..len), one self-contained translation unit, into a shared object with the
 * fixed flags of cc.c's table (-fPIC -shared -fvisibility=hidden and the flags the generated
 * code's semantics need). cfg may be NULL (all defaults). Returns 0 with *so a malloc'ed copy
 * of the object (the caller frees it) and *so_len its size, or -1 with a message in err: the
 * compiler's first lines of diagnostics ("C compiler failed: m.c:3:1: error: ..."), or, when the
 * command cannot be found, its name and the Debian package that provides it. Thread-safe:
 * every call has its own directory, removed before returning. */
int cc_compile(const CcConfig *cfg, const char *src, size_t len, uint8_t **so, size_t *so_len,
               char *err, size_t errlen) __attribute__((warn_unused_result));

/* The compiler's identity for cache keys and artifact headers: the first line of
 * `cc --version`, "; ", and the flag string cc_compile passes (with cfg's -O level), e.g.
 * "gcc (Debian 12.2.0-14) 12.2.0; -std=gnu11 -O2 -fPIC ...". Writes it NUL-terminated into
 * out[0..n). The version line is asked once per process and compiler command. Returns 0, or -1
 * when the compiler cannot be run or out is too small (out then holds "" when n > 0). */
int cc_identity(const CcConfig *cfg, char *out, size_t n) __attribute__((warn_unused_result));

/* Stops every compiler running now or started from now on (their cc_compile calls fail):
 * for a process that is about to exit. */
void cc_cancel_all(void);

#endif
