/* host_link.h: filling a module's imports, shared by the linkers of src/host (kv_link,
 * http_link) and by the embedders that stand in for imports nobody provides
 * (`corral run --trap-unknown-imports`, modules.toml's unknown_imports). Built on the
 * engine's public API (corral.h) only.
 *
 * An imports array has the module's corral_module_import_count entries, in import order;
 * an entry is empty while it is zeroed (kind CORRAL_EXTERN_FUNC, func NULL). Each linker
 * fills the empty entries it provides and leaves the others, so linkers run one after the
 * other, and the last (corral_wasi_link) reports every entry still empty as
 * "unknown import MODULE::NAME". */
#ifndef CORRAL_HOST_LINK_H
#define CORRAL_HOST_LINK_H

#include "corral.h"

#include <stdbool.h>
#include <stddef.h>

/* Makes the host function for import d in store: non-NULL, or NULL with *out_err an owned
 * message (NULL: out of memory). ud is the linker's context. */
typedef corral_func_t *(*HostMakeFunc)(void *ud, corral_store_t *store,
                                       const corral_extern_desc_t *d, char **out_err);

/* The loop every linker shares: calls make for each empty entry whose import module is
 * `from` (NULL: any module but `except`; except NULL: any module at all) and stores the
 * function it returns. Returns true when each of them was filled; false at the first failure,
 * with *out_err from make, or "unknown import: 2 imports given, the module has 3" when
 * nimports is short. */
bool host_link_each(corral_store_t *store, const corral_module_t *module, corral_extern_t *imports,
                    size_t nimports, const char *from, const char *except, HostMakeFunc make,
                    void *ud, char **out_err);

/* The message for an import whose kind or type is not the one the host provides, or NULL
 * (also when out of memory) when d is a function of type want:
 * "incompatible import type for corral_kv::get: expects (i32, i32) -> i32, the module
 * declares a memory". Owned (free()). */
char *host_link_type_error(const corral_extern_desc_t *d, const corral_functype_t *want);
/* Whether the import d is a function of type want. */
bool host_link_type_ok(const corral_extern_desc_t *d, const corral_functype_t *want);

/* What stands in for an import nobody provides. */
typedef enum HostUnknownImports {
    HOST_UNKNOWN_ERROR,   /* nothing: linking fails with "unknown import env::f" (default) */
    HOST_UNKNOWN_TRAP,    /* a function that traps when called, with the trap message
                           * "unknown import env::f was called" (wasmtime's
                           * -W unknown-imports-trap) */
    HOST_UNKNOWN_DEFAULT, /* a function that returns the zero of each of its result types:
                           * 0, 0.0 (+0), a null reference; nothing for none (wasmtime's
                           * -W unknown-imports-default) */
} HostUnknownImports;

/* Its name in options and messages: "error", "trap", "default". */
const char *host_unknown_imports_name(HostUnknownImports policy);
/* The policy of a name host_unknown_imports_name gives; false for any other text. */
bool host_unknown_imports_parse(const char *name, HostUnknownImports *out);

/* Fills every empty entry whose import module is not `except` with a stand-in function made
 * by policy, in store. Run it after the linkers of the modules the embedder provides (so
 * that only imports nobody provides are left) and before the one that reports what remains,
 * named by except (CORRAL_WASI_MODULE before corral_wasi_link: a WASI import is never
 * stubbed). HOST_UNKNOWN_ERROR fills nothing. Only functions can be stood in for: an empty
 * memory, table or global import is an error, "unknown import env::mem (a memory): only a
 * function can stand in for an unknown import". Returns true when every such entry was
 * filled; else false with *out_err owned (NULL: out of memory). */
bool host_link_unknown(corral_store_t *store, const corral_module_t *module,
                       corral_extern_t *imports, size_t nimports, HostUnknownImports policy,
                       const char *except, char **out_err);

#endif
