/* run.h: runs one guest to completion for the gateway: a fresh instance in a reused store,
 * WASI with stdin from a buffer, stdout into a capped buffer and stderr to a log file, under
 * a wall-clock deadline, with the key-value stores and outbound HTTP it was granted (src/host)
 * when it imports them. Shared by request handling and the start-up _routes calls. */
#ifndef CORRAL_GW_RUN_H
#define CORRAL_GW_RUN_H

#include "corral.h"
#include "gateway/watchdog.h"
#include "host/host_link.h"
#include "host/http_outbound.h"
#include "host/kv.h"
#include "wasi/wasi.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum GwRunResult {
    GW_RUN_OK,           /* the entrypoint returned, or the guest called proc_exit(0) */
    GW_RUN_EXIT,         /* proc_exit with a non-zero status */
    GW_RUN_TRAP,         /* a trap (message in msg), or a failed instantiation */
    GW_RUN_TIMEOUT,      /* the deadline passed */
    GW_RUN_OUTPUT_LIMIT, /* stdout exceeded its cap */
    GW_RUN_SETUP,        /* the instance could not be made: imports, memory cap, no export */
} GwRunResult;

/* What a module may reach through the host interfaces: made once per [[module]] at load,
 * read-only afterwards and shared by every worker. Only a module that imports corral_kv or
 * wasi_experimental_http needs one. */
typedef struct GwGrants {
    KvHost *kv;                   /* the process's stores; NULL only when nkv_stores is 0 */
    const char *const *kv_stores; /* the store names it may open (borrowed) */
    size_t nkv_stores;
    HttpPolicy http;              /* its allow-list (borrowed; NULL denies all) and limits */
} GwGrants;

typedef struct GwRunInput {
    const corral_module_t *module;
    const char *entrypoint;
    const char *const *argv;
    size_t argc;
    const char *const *env;
    size_t nenv;
    const uint8_t *stdin_data;
    size_t stdin_len;
    int stderr_fd;                        /* -1: discarded */
    const corral_wasi_preopen_t *preopens;
    size_t npreopens;
    uint64_t deadline_ns;                 /* CLOCK_MONOTONIC; 0: none */
    const GwGrants *grants;               /* NULL: none. A module granted nothing still links
                                             its corral_kv and wasi_experimental_http imports;
                                             every open and every request is then denied */
    HostUnknownImports unknown_imports;   /* what stands in for imports nobody provides */
} GwRunInput;

/* A module's imports, linked once in a runner's store (before its mark), with the host
 * interface contexts its host functions are bound to. The same module under two grants or
 * two unknown-import policies (two routes naming one file) is linked twice: a context
 * carries its grants. */
typedef struct GwLinked {
    const corral_module_t *module;
    const GwGrants *grants;
    HostUnknownImports unknown_imports;
    corral_extern_t *imports;
    size_t nimports;
    KvCtx *kv;     /* NULL unless the module imports corral_kv */
    HttpCtx *http; /* NULL unless the module imports wasi_experimental_http */
} GwLinked;

/* Per-thread state, reused run after run: no allocation in the steady state. The store
 * holds, before its mark, the host functions of every module run so far (linked once, bound
 * to the runner's one WASI context, which each run resets to the new guest's world, and to
 * the module's KvCtx and HttpCtx, which each run resets likewise); everything after the mark
 * is the current run's and is freed when it ends. */
typedef struct GwRunner {
    corral_store_t *store;
    size_t mark;
    corral_wasi_t *wasi;
    GwLinked *linked;
    size_t nlinked;
    uint8_t *out;          /* the guest's stdout */
    size_t out_len, out_cap, out_max;
    bool out_over;
    const uint8_t *in;     /* the guest's stdin */
    size_t in_len, in_pos;
    GwWatchdog *watchdog;  /* may be NULL (no deadlines) */
    unsigned slot;
} GwRunner;

/* Whether module imports anything from the import module name (e.g. KV_MODULE). */
bool gw_module_imports(const corral_module_t *module, const char *name);

/* A runner whose stdout may hold out_max bytes; false when out of memory. */
bool gw_runner_init(GwRunner *r, corral_engine_t *engine, size_t out_max, GwWatchdog *wd,
                    unsigned slot);
void gw_runner_free(GwRunner *r);

/* Runs in->entrypoint of a fresh instance of in->module. The guest's stdout is in r->out
 * afterwards (until the next run). msg receives the reason of any result but GW_RUN_OK.
 * *out_inst_ns (may be NULL) is the time taken to make the instance (the WASI context reset
 * to this guest's world, and instantiation; linking too on a module's first run). The store
 * is reset to its mark before returning, and the module's key-value handles and HTTP
 * responses are closed: nothing of the guest survives. */
GwRunResult gw_run(GwRunner *r, const GwRunInput *in, char *msg, size_t msg_cap,
                   uint64_t *out_inst_ns);

#endif
