/* native_load.h: loads a compiled shared object from memory with the system's dynamic loader.
 * Nothing of the bytes is mapped, let alone executable, before native_so_open: the caller
 * verifies an artifact first (artifact_decode) and only then opens its object. */
#ifndef CORRAL_NATIVE_LOAD_H
#define CORRAL_NATIVE_LOAD_H

#include <stddef.h>
#include <stdint.h>

/* Loads so[0..len) (copied; the caller's buffer is not kept) and resolves symbol into
 * *sym_out (both may be NULL to skip the lookup). The bytes go to a sealed memfd (a private
 * temporary file, unlinked at once, where memfd_create is missing) that is dlopen'ed with
 * RTLD_NOW | RTLD_LOCAL, so the object's constructors run here. Returns an owned handle for
 * native_so_sym and native_so_close, or NULL with err set ("cannot load compiled code:
 * <dlerror>", "compiled code has no symbol `x`"). Thread-safe. */
void *native_so_open(const uint8_t *so, size_t len, const char *symbol, void **sym_out,
                     char *err, size_t errlen);

/* The address of symbol in an open object, NULL when it has none. */
void *native_so_sym(void *handle, const char *symbol);

/* The union [*lo, *hi) of the open object's executable segments, from the program headers
 * of the bytes it was loaded from; both 0 when it has none (an object without functions). */
void native_so_code_range(void *handle, uintptr_t *lo, uintptr_t *hi);

/* Unloads the object (dlclose) and frees the handle; NULL is fine. Nothing of it may run
 * afterwards. */
void native_so_close(void *handle);

#endif
