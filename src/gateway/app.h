/* app.h: the WebAssembly side of `corral serve`: the modules of a modules.toml compiled once,
 * the route table (with each module's _routes), and the handler that runs one request in a
 * fresh instance: CGI environment and argv in, body on stdin, stdout parsed as a CGI
 * response, stderr appended to the route's log. Also the host interfaces a module is granted:
 * key-value stores (one KvHost for the process) and outbound HTTP (an allow-list per
 * module). Uses the public APIs of the engine, WASI and src/host. */
#ifndef CORRAL_GW_APP_H
#define CORRAL_GW_APP_H

#include "gateway/cgi_env.h"
#include "gateway/config.h"
#include "gateway/route.h"
#include "gateway/server.h"
#include "compile/tier.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct GwAppOptions {
    const char *hostname;       /* --hostname; NULL: GW_DEFAULT_HOST */
    const GwEnvVar *env;        /* --env-file values, then --env values (later wins) */
    size_t nenv;
    const char *log_dir;        /* per-route module stderr, LOG_DIR/<slug>-<sha256(route)>/
                                   module.stderr (gw_route_slug); made, parents included */
    uint64_t timeout_ms;        /* wall clock per request (504 past it); 0: none */
    uint64_t max_memory;        /* bytes a guest's linear memory may reach; 0: engine default */
    size_t max_output;          /* stdout bytes a module may write (500 past it) */
    GwRouting routing;
    unsigned workers;           /* the server's worker count: per-worker state */
    FILE *log;                  /* error log: traps, timeouts, bad output, with request ids */
    const char *runtime_config; /* the key-value stores' backends (Spin's runtime config); NULL:
                                   only "default", SQLite in state_dir */
    const char *state_dir;      /* where the default store lives; NULL: ".corral" */
    uint64_t http_timeout_ms;   /* per outbound request, redirects included; 0: none */
    uint64_t http_max_body;     /* outbound response body bytes; 0: unlimited */
    HostUnknownImports unknown_imports; /* for a module without its own unknown_imports key */
    TierOpts tier;              /* each module's tier (compile/tier.h); default interp */
    uint32_t features;          /* WebAssembly features (CORRAL_FEATURE_*); default 3.0 */
} GwAppOptions;

/* Defaults: no hostname override, no env, log_dir NULL (must be set), 30 s timeout, memory
 * capped at 256 MiB, 16 MiB of output, WAGI routing, 2 workers, log on stderr; no runtime
 * config, state in .corral; outbound requests of 10 s and 16 MiB at most; an unknown import
 * is an error. */
void gw_app_options_default(GwAppOptions *opt);

typedef struct GwApp GwApp;

/* Compiles every module of cfg (a file used by several routes is compiled once), checks the
 * volumes, makes the log directory (parents included) and opens the logs, and builds the
 * route table, running each module's _routes export if it has one. Opens the key-value
 * stores when a module is granted one (or a runtime config is given), and parses each
 * module's allowed_hosts. cfg must outlive the app. On failure returns NULL and sets
 * *out_err (owned, free()), e.g. "modules.toml:4: module 'hello.wasm': cannot read: No such
 * file", "modules.toml:9: module 'x.wasm': allowed host 'https://x.com/api': a path is not
 * allowed (only scheme://host[:port])". */
GwApp *gw_app_load(const GwConfig *cfg, const GwAppOptions *opt, char **out_err);
void gw_app_free(GwApp *app);

/* The callbacks the server runs requests with (handle, release, fast: /healthz, /metrics). */
GwHandler gw_app_handler(GwApp *app);

/* Prints the route table, one route a line, in matching order (the start-up banner). */
void gw_app_print_routes(const GwApp *app, FILE *out);

#endif
