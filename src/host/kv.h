/* kv.h: the key-value host interface (import module "corral_kv") for embedders of Corral:
 * configured stores with SQLite, Redis or in-memory backends, per-instance grants and handle
 * tables, and the import resolver. Built on the engine's public API (corral.h) only; the
 * guest ABI is described in docs/design/kv.md and sdk/corral_kv.h.
 *
 * Ownership and threads:
 *   KvHost  one per process (or per application): the configured stores and their backends.
 *           Immutable after kv_host_new, and every function on it is thread-safe: the
 *           backends keep their own connection pools and locks. It must outlive every KvCtx
 *           made from it.
 *   KvCtx   one per guest instance: the store names it may open and its open handles. Used
 *           by one thread at a time (the thread running the instance). It must outlive every
 *           store it was linked into, since the host functions point at it. */
#ifndef CORRAL_KV_H
#define CORRAL_KV_H

#include "corral.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The import module name every function is provided under. */
#define KV_MODULE "corral_kv"

/* Limits (Spin's SIP 010 minimums, which are also its maximums here). */
#define KV_MAX_KEY 256u              /* bytes of UTF-8 */
#define KV_MAX_VALUE (1024u * 1024u) /* bytes */
#define KV_MAX_HANDLES 256u          /* open handles per instance */

/* The guest-visible error codes (kv_errors.def): KV_ERR_OK = 0, KV_ERR_NO_SUCH_STORE = 1 ... */
typedef enum KvError {
#define X(name, num, msg) KV_ERR_##name = num,
#include "host/kv_errors.def"
#undef X
} KvError;

/* "NOT_FOUND"; "?" for a number that is not a code. */
const char *kv_error_name(uint32_t code);
/* "no such key"; "unknown error" for a number that is not a code. */
const char *kv_error_message(uint32_t code);

typedef struct KvHost KvHost;

/* Makes the stores: those of the [key_value_store.NAME] tables of runtime_config (a TOML file;
 * NULL for none), and "default", which always exists: unless the file configures it, it is
 * SQLite at <state_dir>/sqlite_key_value.db (state_dir is created when missing; NULL means
 * ".corral"). Relative SQLite paths in the file are relative to the file's directory.
 * SQLite databases are opened (and their schema created) here; Redis connections are made
 * on first use, so a Redis that is down shows up as BACKEND_ERROR to the guest, not here.
 * On failure returns NULL with *out_err an owned message (free()) naming file:line, e.g.
 *   "rt.toml:3: unknown key 'pth' in [key_value_store.default] (expected type, path)"
 * or NULL when out of memory. */
KvHost *kv_host_new(const char *runtime_config, const char *state_dir, char **out_err);
/* Closes every backend. Every KvCtx made from h must be freed first. NULL is allowed. */
void kv_host_free(KvHost *h);
/* Whether a store called name is configured ("default" always is), for an embedder that
 * checks grants at startup rather than letting the guest find NO_SUCH_STORE. */
bool kv_host_has_store(const KvHost *h, const char *name);
/* Diagnostics: backends report why an operation failed (a connection refused, SQLITE_BUSY
 * after the timeout ...) through fn, which may be called from any thread at once. Without
 * one they are silent: the guest only sees BACKEND_ERROR. Set it before any use. */
void kv_host_set_log(KvHost *h, void (*fn)(void *ud, const char *msg), void *ud);

typedef struct KvCtx KvCtx;

/* A context for one instance that may open the stores named in granted[0..ngranted) (copied;
 * names, not patterns). A name not granted cannot be opened (ACCESS_DENIED, even when it is
 * configured); a granted name that is not configured gives NO_SUCH_STORE. h may be NULL
 * when ngranted is 0: a module granted nothing still links, and every open is denied
 * without a store having been made. NULL when out of memory. */
KvCtx *kv_ctx_new(KvHost *h, const char *const *granted, size_t ngranted);
/* Closes every handle, for the next guest of a server that links a module once and runs
 * instance after instance through the same host functions (corral_store_reset_to, as with
 * corral_wasi_reset): the grants stay, and handles of the last guest are INVALID_HANDLE. */
void kv_ctx_reset(KvCtx *ctx);
/* Closes the handles still open. NULL is allowed. */
void kv_ctx_free(KvCtx *ctx);

/* Fills imports (the module's corral_module_import_count entries, in import order) for every
 * import from KV_MODULE with a host function created in store; every other entry is left as
 * it is (filled or not). Call it before corral_wasi_link, which reports every entry still
 * empty as an unknown import. Returns true when every corral_kv import is filled; else
 * false with *out_err an owned message (free()):
 *   "unknown import corral_kv::foo"
 *   "incompatible import type for corral_kv::get: expects (i32, ...) -> i32, the module
 *    declares ..."
 * or NULL when out of memory. */
bool kv_link(KvCtx *ctx, corral_store_t *store, const corral_module_t *module,
             corral_extern_t *imports, size_t nimports, char **out_err);

#endif
