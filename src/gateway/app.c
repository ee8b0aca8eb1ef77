/* app.c: the WebAssembly side of `corral serve` (app.h). */
#include "gateway/app.h"
#include "util/strf.h"

#include "gateway/cgi_response.h"
#include "gateway/gw_arena.h"
#include "gateway/metrics.h"
#include "gateway/run.h"
#include "gateway/watchdog.h"
#include "text/text.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes of per-request arena (CGI environment, argv, response headers): a request whose
 * headers need more gets 431. */
#define ARENA_BYTES (256u * 1024u)

/* A compiled module file, shared by every route that names the same file (with the same
 * expected digest, if any). */
typedef struct Code {
    char *path;
    const char *sha256; /* the digest its bytes were checked against (borrowed), or NULL */
    corral_module_t *module;
} Code;

/* One [[module]] entry, ready to run. */
typedef struct Handler {
    const GwModuleConfig *cfg;
    const corral_module_t *module;
    GwEnvVar *env;                   /* the module's environment table */
    size_t nenv;
    corral_wasi_preopen_t *preopens; /* its volumes */
    int log_fd;                      /* its stderr log (append) */
    HttpAllowList *allow;            /* its allowed_hosts, parsed (NULL: none) */
    GwGrants grants;                 /* its stores and HTTP policy */
    bool uses_host;                  /* it imports corral_kv or wasi_experimental_http */
    HostUnknownImports unknown;      /* its unknown_imports, else --*-unknown-imports */
} Handler;

/* A worker's state: its runner (store, stdout buffer) and request arena. */
typedef struct Worker {
    GwRunner runner;
    GwArena arena;
    unsigned char *arena_buf;
} Worker;

struct GwApp {
    const GwConfig *cfg;
    GwAppOptions opt;
    corral_engine_t *engine;
    Code *codes;
    size_t ncodes;
    Handler *handlers;
    size_t nhandlers;
    GwRouteTable routes;
    int *route_metric; /* per route table entry: its gw_metrics_route index */
    GwCgiServer cgi;
    GwWatchdog *watchdog;
    Worker *workers;
    unsigned nworkers;
    KvHost *kv; /* the key-value stores; NULL when no module is granted one */
};

void gw_app_options_default(GwAppOptions *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->timeout_ms = 30000;
    opt->max_memory = (uint64_t)256 << 20;
    opt->max_output = (size_t)16 << 20;
    opt->routing = GW_ROUTING_WAGI;
    opt->workers = 2;
    opt->log = stderr;
    opt->http_timeout_ms = 10000;
    opt->http_max_body = (uint64_t)16 << 20;
    opt->tier.tier = TIER_INTERP;
    opt->tier.opt = -1;
    opt->features = CORRAL_FEATURES_3_0;
}

/* ---- loading ------------------------------------------------------------------------- */

/* A corral_release_fn for read_file's buffers. */
static void free_bytes(void *arg, const uint8_t *bytes, size_t len)
{
    (void)arg;
    (void)len;
    free((void *)bytes);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            uint8_t *b = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

static bool same_digest(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Checks bytes against the entry's expected SHA-256 (a fetched module: the digest its
 * invoice or registry gave), on the very bytes that are compiled, so a cache file changed
 * after it was fetched and checked cannot run. */
static bool digest_ok(const GwApp *app, const GwModuleConfig *mc, const char *real,
                      const uint8_t *bytes, size_t len, char **out_err)
{
    if (!mc->sha256)
        return true;
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof h + 1], where[512];
    crypto_hash_sha256(h, bytes, len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    if (strcmp(hex, mc->sha256) == 0)
        return true;
    *out_err = strf("%s: module '%s': %s has SHA-256 %s, not %s: it was changed after it was "
                    "fetched and checked",
                    gw_module_where(app->cfg, mc, 0, where, sizeof where), mc->module, real, hex,
                    mc->sha256);
    return false;
}

/* A module in the text format (src/text): *bytes replaced by its binary encoding. False with
 * *out_err set when the text is malformed, or is no text module at all. */
static bool text_to_binary(uint8_t **bytes, size_t *len, const char *where, const char *module,
                           const char *path, char **out_err)
{
    TextError terr;
    uint8_t *bin;
    size_t bin_len;
    if (text_module_encode((const char *)*bytes, *len, &bin, &bin_len, &terr)) {
        *out_err = strf("%s: module '%s': %s is not a WebAssembly binary, nor a module in the "
                        "text format: %s:%u:%u: %s",
                        where, module, path, path, (unsigned)terr.line, (unsigned)terr.col,
                        terr.msg);
        return false;
    }
    free(*bytes);
    *bytes = bin;
    *len = bin_len;
    return true;
}

/* The compiled module for path: compiled on first use, shared after (by real path). */
static const corral_module_t *load_code(GwApp *app, const GwModuleConfig *mc, char **out_err)
{
    char where[512];
    gw_module_where(app->cfg, mc, 0, where, sizeof where);
    char *real = realpath(mc->path, NULL);
    if (!real) {
        *out_err = strf("%s: module '%s': cannot open %s: %s", where, mc->module, mc->path,
                        strerror(errno));
        return NULL;
    }
    for (size_t i = 0; i < app->ncodes; i++) {
        if (strcmp(app->codes[i].path, real) == 0 &&
            same_digest(app->codes[i].sha256, mc->sha256)) {
            free(real);
            return app->codes[i].module;
        }
    }
    size_t len = 0;
    uint8_t *bytes = read_file(real, &len);
    if (!bytes) {
        *out_err =
            strf("%s: module '%s': cannot read %s: %s", where, mc->module, real, strerror(errno));
        free(real);
        return NULL;
    }
    corral_module_t *m = NULL;
    corral_error_t *err = NULL;
    if (!digest_ok(app, mc, real, bytes, len, out_err)) {
        free(bytes);
    } else if (len >= 4 && memcmp(bytes, "\0asm", 4) != 0 &&
               !text_to_binary(&bytes, &len, where, mc->module, real, out_err)) {
        free(bytes);
    } else if ((err = corral_module_new_owned(app->engine, bytes, len, free_bytes, NULL, &m))) {
        /* the module keeps the bytes, or freed them on failure */
        *out_err = strf("%s: module '%s': %s: 0x%zx: %s", where, mc->module, real,
                        corral_error_offset(err), corral_error_message(err));
    } else if ((err = tier_prepare(m, &app->opt.tier))) {
        *out_err = strf("%s: module '%s': %s: %s", where, mc->module, real,
                        corral_error_message(err));
        corral_module_delete(m);
        m = NULL;
    }
    corral_error_delete(err);
    Code *c = m ? realloc(app->codes, (app->ncodes + 1) * sizeof *c) : NULL;
    if (!c) {
        if (m && !*out_err)
            *out_err = strf("out of memory");
        corral_module_delete(m);
        free(real);
        return NULL;
    }
    app->codes = c;
    app->codes[app->ncodes++] = (Code){real, mc->sha256, m};
    return m;
}

/* LOG_DIR/<slug>-<sha256 of the route as written, hex>/module.stderr, opened for appending.
 * WAGI's folder is the hash alone; the slug (gw_route_slug: "/api/..." gives "api_...") lets a
 * person find a route's log, the hash keeps routes with the same slug apart. */
static int open_log(const GwApp *app, const GwModuleConfig *mc, char **out_err)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)mc->route, strlen(mc->route));
    char hex[2 * sizeof h + 1];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    char slug[GW_ROUTE_SLUG_MAX + 1];
    gw_route_slug(mc->route, slug);
    char *dir = strf("%s/%s-%s", app->opt.log_dir, slug, hex);
    char *file = dir ? strf("%s/module.stderr", dir) : NULL;
    int fd = -1;
    if (!file)
        *out_err = strf("out of memory");
    else if (!fs_mkdirs(dir, 0755))
        *out_err = strf("cannot create the log directory %s for route '%s': %s", dir, mc->route,
                        strerror(errno));
    else if ((fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0)
        *out_err =
            strf("cannot open the log %s for route '%s': %s", file, mc->route, strerror(errno));
    free(dir);
    free(file);
    return fd;
}

/* --log-dir, parents included, as WAGI makes it: a clearer message than the first route's
 * when it cannot be. */
static int make_log_dir(const GwApp *app, char **out_err)
{
    if (fs_mkdirs(app->opt.log_dir, 0755))
        return 0;
    *out_err = strf("cannot create the log directory %s: %s", app->opt.log_dir, strerror(errno));
    return -1;
}

/* ---- host interfaces ------------------------------------------------------------------- */

static void log_kv(void *ud, const char *msg)
{
    const GwApp *app = ud;
    if (app->opt.log)
        fprintf(app->opt.log, "corral serve: key-value store: %s\n", msg);
}

/* One KvHost for the process, opened only when some module is granted a store or a runtime
 * config is given (so an app without stores creates no state directory). */
static int open_stores(GwApp *app, char **out_err)
{
    bool granted = false;
    for (size_t i = 0; i < app->cfg->nmodules; i++)
        granted = granted || app->cfg->modules[i].nkey_value_stores > 0;
    if (!granted && !app->opt.runtime_config)
        return 0;
    char *err = NULL;
    app->kv = kv_host_new(app->opt.runtime_config, app->opt.state_dir, &err);
    if (!app->kv) {
        *out_err = err ? strf("key-value stores: %s", err) : strf("out of memory");
        free(err);
        return -1;
    }
    kv_host_set_log(app->kv, log_kv, app);
    return 0;
}

/* The module's grants: every store it names must exist, its allowed_hosts must parse. */
static int setup_grants(GwApp *app, Handler *h, const GwModuleConfig *mc, char **out_err)
{
    char where[512];
    for (size_t i = 0; i < mc->nkey_value_stores; i++) {
        if (!kv_host_has_store(app->kv, mc->key_value_stores[i])) {
            *out_err =
                strf("%s: module '%s': no key-value store '%s' is configured "
                     "(define [key_value_store.%s] in the --runtime-config file; "
                     "'default' always exists)",
                     gw_module_where(app->cfg, mc, mc->key_value_stores_line, where, sizeof where),
                     mc->module, mc->key_value_stores[i], mc->key_value_stores[i]);
            return -1;
        }
    }
    char *err = NULL;
    if (mc->nallowed_hosts > 0 &&
        !(h->allow = http_allow_parse((const char *const *)mc->allowed_hosts,
                                      mc->nallowed_hosts, &err))) {
        *out_err =
            err ? strf("%s: module '%s': %s",
                       gw_module_where(app->cfg, mc, mc->allowed_hosts_line, where, sizeof where),
                       mc->module, err)
                : strf("out of memory");
        free(err);
        return -1;
    }
    h->grants.kv = app->kv;
    h->grants.kv_stores = (const char *const *)mc->key_value_stores;
    h->grants.nkv_stores = mc->nkey_value_stores;
    http_policy_default(&h->grants.http);
    h->grants.http.allow = h->allow;
    if (mc->http_max_concurrency)
        h->grants.http.max_concurrency = mc->http_max_concurrency;
    h->grants.http.timeout_ms = app->opt.http_timeout_ms;
    h->grants.http.max_body = app->opt.http_max_body;
    h->uses_host = gw_module_imports(h->module, KV_MODULE) ||
                   gw_module_imports(h->module, HTTP_MODULE);
    /* libcurl is loaded now, before the workers start, rather than by the first request. */
    const char *why;
    if (gw_module_imports(h->module, HTTP_MODULE) && !http_global_init(&why) && app->opt.log)
        fprintf(app->opt.log, "corral serve: warning: module '%s': %s (its requests will "
                "fail)\n", mc->module, why);
    return 0;
}

static int setup_handler(GwApp *app, Handler *h, const GwModuleConfig *mc, char **out_err)
{
    h->cfg = mc;
    h->log_fd = -1;
    h->unknown = mc->has_unknown_imports ? mc->unknown_imports : app->opt.unknown_imports;
    if (!(h->module = load_code(app, mc, out_err)))
        return -1;
    h->env = calloc(mc->nenvironment + 1, sizeof *h->env);
    h->preopens = calloc(mc->nvolumes + 1, sizeof *h->preopens);
    if (!h->env || !h->preopens) {
        *out_err = strf("out of memory");
        return -1;
    }
    for (size_t i = 0; i < mc->nenvironment; i++) {
        char *kv = mc->environment[i], *eq = strchr(kv, '=');
        *eq = '\0'; /* config.c made "NAME=VALUE" with a NAME free of '=' */
        h->env[h->nenv++] = (GwEnvVar){kv, eq + 1};
    }
    for (size_t i = 0; i < mc->nvolumes; i++) {
        struct stat st;
        char where[512];
        if (stat(mc->volumes[i].host, &st) != 0 || !S_ISDIR(st.st_mode)) {
            *out_err = strf("%s: volume '%s' = '%s': %s",
                            gw_module_where(app->cfg, mc, 0, where, sizeof where),
                            mc->volumes[i].guest, mc->volumes[i].host,
                            errno && !S_ISDIR(st.st_mode) ? strerror(errno) : "not a directory");
            return -1;
        }
        h->preopens[i] = (corral_wasi_preopen_t){mc->volumes[i].host, mc->volumes[i].guest,
                                                 mc->volumes[i].readonly};
    }
    h->log_fd = open_log(app, mc, out_err);
    if (h->log_fd < 0)
        return -1;
    return setup_grants(app, h, mc, out_err);
}

/* Runs the module's _routes export, if any, into its output; returns 1 when there is none,
 * 0 with the text in r->out, -1 on failure (*out_err set). */
static int run_routes_export(GwApp *app, Handler *h, GwRunner *r, char **out_err)
{
    size_t n = corral_module_export_count(h->module);
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
        corral_extern_desc_t d;
        corral_module_export(h->module, i, &d);
        found = d.kind == CORRAL_EXTERN_FUNC && d.name_len == 7 && memcmp(d.name, "_routes", 7) == 0;
    }
    if (!found)
        return 1;
    const char *argv[] = {h->cfg->path, NULL};
    GwRunInput in = {.module = h->module, .entrypoint = "_routes", .argv = argv, .argc = 1,
                     .stderr_fd = h->log_fd, .grants = h->uses_host ? &h->grants : NULL,
                     .unknown_imports = h->unknown,
                     .deadline_ns = app->opt.timeout_ms ? gw_now_ns() + app->opt.timeout_ms * 1000000u : 0};
    char msg[512];
    GwRunResult res = gw_run(r, &in, msg, sizeof msg, NULL);
    if (res != GW_RUN_OK) {
        char where[512];
        *out_err = strf("%s: route '%s': the module's _routes export failed: %s",
                        gw_module_where(app->cfg, h->cfg, 0, where, sizeof where), h->cfg->route,
                        msg);
        return -1;
    }
    return 0;
}

static int build_routes(GwApp *app, char **out_err)
{
    GwRunner r;
    if (!gw_runner_init(&r, app->engine, (size_t)1 << 20, app->watchdog, 0)) {
        *out_err = strf("out of memory");
        return -1;
    }
    gw_route_table_init(&app->routes, app->opt.routing);
    int rc = 0;
    for (size_t i = 0; i < app->nhandlers && rc == 0; i++) {
        Handler *h = &app->handlers[i];
        int has = run_routes_export(app, h, &r, out_err);
        if (has < 0) {
            rc = -1;
            break;
        }
        GwRouteError rerr;
        GwStatus st = gw_route_table_add_module(&app->routes, h->cfg->route, (unsigned)i,
                                                h->cfg->entrypoint,
                                                has == 0 ? (const char *)r.out : NULL,
                                                has == 0 ? r.out_len : 0, &rerr);
        if (st != GW_OK) {
            char where[512];
            *out_err = st == GW_ERR_NOMEM
                           ? strf("out of memory")
                           : strf("%s: %s", gw_module_where(app->cfg, h->cfg, 0, where,
                                                            sizeof where),
                                  rerr.message);
            rc = -1;
        }
    }
    gw_runner_free(&r);
    if (rc == 0 && !(app->route_metric = calloc(app->routes.count + 1, sizeof(int)))) {
        *out_err = strf("out of memory");
        rc = -1;
    }
    /* One metrics slot per route table entry, _routes sub-routes included. */
    if (rc == 0 && gw_metrics_init((unsigned)app->routes.count) != 0) {
        *out_err = strf("out of memory");
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < app->routes.count; i++)
        app->route_metric[i] = gw_metrics_route(app->routes.entries[i].route);
    return rc;
}

static int start_workers(GwApp *app, char **out_err)
{
    app->nworkers = app->opt.workers ? app->opt.workers : 1;
    app->workers = calloc(app->nworkers, sizeof *app->workers);
    if (!app->workers) {
        *out_err = strf("out of memory");
        return -1;
    }
    for (unsigned i = 0; i < app->nworkers; i++) {
        Worker *w = &app->workers[i];
        w->arena_buf = malloc(ARENA_BYTES);
        if (!w->arena_buf ||
            !gw_runner_init(&w->runner, app->engine, app->opt.max_output, app->watchdog, i)) {
            *out_err = strf("out of memory");
            return -1;
        }
        gw_arena_init(&w->arena, w->arena_buf, ARENA_BYTES);
    }
    return 0;
}

GwApp *gw_app_load(const GwConfig *cfg, const GwAppOptions *opt, char **out_err)
{
    *out_err = NULL;
    if (sodium_init() < 0) {
        *out_err = strf("libsodium failed to initialise");
        return NULL;
    }
    GwApp *app = calloc(1, sizeof *app);
    if (!app) {
        *out_err = strf("out of memory");
        return NULL;
    }
    app->cfg = cfg;
    app->opt = *opt;
    app->cgi = (GwCgiServer){opt->hostname, opt->env, opt->nenv};
    corral_config_t ec;
    corral_config_default(&ec);
    if (opt->max_memory)
        ec.max_memory_pages = opt->max_memory / 65536;
    ec.features = opt->features;
    app->engine = corral_engine_new(&ec);
    app->handlers = calloc(cfg->nmodules, sizeof *app->handlers);
    /* slot nworkers is the start-up runner's (build_routes) */
    app->watchdog = gw_watchdog_start((opt->workers ? opt->workers : 1) + 1);
    if (!app->engine || !app->handlers || !app->watchdog) {
        *out_err = strf("out of memory");
        gw_app_free(app);
        return NULL;
    }
    if (make_log_dir(app, out_err) != 0 || open_stores(app, out_err) != 0) {
        gw_app_free(app);
        return NULL;
    }
    for (size_t i = 0; i < cfg->nmodules; i++) {
        app->nhandlers++;
        if (setup_handler(app, &app->handlers[i], &cfg->modules[i], out_err) != 0) {
            gw_app_free(app);
            return NULL;
        }
    }
    if (build_routes(app, out_err) != 0 || start_workers(app, out_err) != 0) {
        gw_app_free(app);
        return NULL;
    }
    return app;
}

void gw_app_free(GwApp *app)
{
    if (!app)
        return;
    for (unsigned i = 0; app->workers && i < app->nworkers; i++) {
        gw_runner_free(&app->workers[i].runner);
        free(app->workers[i].arena_buf);
    }
    free(app->workers);
    gw_watchdog_stop(app->watchdog);
    gw_route_table_free(&app->routes);
    free(app->route_metric);
    for (size_t i = 0; i < app->nhandlers; i++) {
        Handler *h = &app->handlers[i];
        for (size_t e = 0; e < h->nenv; e++)
            ((char *)h->env[e].name)[strlen(h->env[e].name)] = '='; /* undo the split */
        free(h->env);
        free(h->preopens);
        if (h->log_fd >= 0)
            close(h->log_fd);
        http_allow_free(h->allow);
    }
    free(app->handlers);
    kv_host_free(app->kv); /* after the workers: their contexts use it */
    for (size_t i = 0; i < app->ncodes; i++) {
        corral_module_delete(app->codes[i].module);
        free(app->codes[i].path);
    }
    free(app->codes);
    corral_engine_delete(app->engine);
    free(app);
}

void gw_app_print_routes(const GwApp *app, FILE *out)
{
    for (size_t i = 0; i < app->routes.count; i++) {
        const GwRouteEntry *e = &app->routes.entries[i];
        const Handler *h = &app->handlers[e->handler];
        fprintf(out, "    %-32s %s%s%s\n", e->route, h->cfg->module,
                strcmp(e->entrypoint, "_start") ? " -> " : "",
                strcmp(e->entrypoint, "_start") ? e->entrypoint : "");
    }
}

/* ---- requests ------------------------------------------------------------------------- */

static const GwHeader text_plain[] = {{"Content-Type", 12, "text/plain", 10}};

/* A response of the gateway's own (not the module's): status and a short text body. */
static void own_response(GwResponse *resp, int status, const char *body, const char *route)
{
    memset(resp, 0, sizeof *resp);
    resp->status = status;
    resp->body = (const uint8_t *)body;
    resp->body_len = strlen(body);
    resp->headers = resp->body_len ? text_plain : NULL;
    resp->nheaders = resp->body_len ? 1 : 0;
    resp->route = route;
}

static void log_request(GwApp *app, uint64_t id, const char *route, const char *what)
{
    if (app->opt.log)
        fprintf(app->opt.log, "corral serve: request %llu, route %s: %s\n",
                (unsigned long long)id, route ? route : "-", what);
}

/* The status a failed run answers with. */
static int failure_status(GwRunResult res)
{
    switch (res) {
    case GW_RUN_TIMEOUT: return 504;
    default: return 500;
    }
}

static void run_request(GwApp *app, Worker *w, uint64_t id, const GwRequest *req,
                        const GwRouteMatch *mp, const uint8_t *body, size_t body_len,
                        GwResponse *resp);

static void handle(void *ud, unsigned worker, uint64_t id, const GwRequest *req,
                   const uint8_t *body, size_t body_len, GwResponse *resp)
{
    GwApp *app = ud;
    Worker *w = &app->workers[worker];
    gw_arena_reset(&w->arena);
    GwTarget target;
    gw_target_parse(req->target, &target);
    GwRouteMatch m;
    if (!gw_route_match(&app->routes, target.path, target.path_len, &m)) {
        own_response(resp, 404, "", NULL);
        return;
    }
    run_request(app, w, id, req, &m, body, body_len, resp);
    resp->metric_route = app->route_metric[m.entry - app->routes.entries];
}

/* Runs the module of route match *mp for req and turns its output into *resp. */
static void run_request(GwApp *app, Worker *w, uint64_t id, const GwRequest *req,
                        const GwRouteMatch *mp, const uint8_t *body, size_t body_len,
                        GwResponse *resp)
{
    const GwRouteMatch m = *mp;
    const Handler *h = &app->handlers[m.entry->handler];
    const char *route = m.entry->route;
    GwStrList env, argv;
    GwStatus st = gw_cgi_env_build(&w->arena, req, &m, &app->cgi, h->env, h->nenv, &env);
    if (st == GW_OK)
        st = gw_cgi_argv_build(&w->arena, req, h->cfg->argv, &argv);
    if (st != GW_OK) {
        own_response(resp, st == GW_ERR_BAD_REQUEST ? 400 : 431, "", route);
        return;
    }
    GwRunInput in = {.module = h->module, .entrypoint = m.entry->entrypoint,
                     .argv = argv.items, .argc = argv.count, .env = env.items,
                     .nenv = env.count, .stdin_data = body, .stdin_len = body_len,
                     .stderr_fd = h->log_fd, .preopens = h->preopens,
                     .npreopens = h->cfg->nvolumes,
                     .grants = h->uses_host ? &h->grants : NULL,
                     .unknown_imports = h->unknown,
                     .deadline_ns = app->opt.timeout_ms
                                        ? gw_now_ns() + app->opt.timeout_ms * 1000000u : 0};
    char msg[512];
    uint64_t inst_ns = 0;
    gw_metrics_active(1);
    GwRunResult res = gw_run(&w->runner, &in, msg, sizeof msg, &inst_ns);
    gw_metrics_active(-1);
    if (inst_ns)
        gw_metrics_observe_instantiation((double)inst_ns / 1e9);
    if (res != GW_RUN_OK) {
        log_request(app, id, route, msg);
        gw_metrics_count(res == GW_RUN_TIMEOUT ? GW_METRIC_TIMEOUT : GW_METRIC_TRAP);
        own_response(resp, failure_status(res), "", route);
        return;
    }
    GwCgiResponse cr;
    if (gw_cgi_response_parse(&w->arena, w->runner.out, w->runner.out_len, &cr) != GW_OK ||
        cr.error)
        log_request(app, id, route, cr.error ? cr.error : "response headers too large");
    /* The server copies the response before release, so it may point into the worker's
     * arena and stdout buffer, which the worker's next request reuses. */
    memset(resp, 0, sizeof *resp);
    resp->status = (int)cr.status;
    resp->headers = cr.headers;
    resp->nheaders = cr.nheaders;
    resp->body = cr.body;
    resp->body_len = cr.body_len;
    resp->route = route;
}

static void release(void *ud, unsigned worker, GwResponse *resp)
{
    (void)ud;
    (void)worker;
    free(resp->handler_data);
    resp->handler_data = NULL;
}

static bool fast(void *ud, uint64_t id, const GwRequest *req, GwResponse *resp)
{
    (void)ud;
    (void)id;
    GwTarget target;
    gw_target_parse(req->target, &target);
    if (gw_route_is_healthz(target.path, target.path_len)) {
        own_response(resp, 200, "OK", NULL);
        resp->headers = NULL; /* WAGI: no content type */
        resp->nheaders = 0;
        return true;
    }
    if (target.path_len == 8 && memcmp(target.path, "/metrics", 8) == 0) {
        size_t n = gw_metrics_render(NULL, 0);
        char *buf = malloc(n + 1);
        if (!buf) {
            own_response(resp, 500, "", NULL);
            return true;
        }
        size_t m = gw_metrics_render(buf, n + 1);
        n = m < n + 1 ? m : n; /* more text since the first call (a new label): cut */
        static const GwHeader prom[] = {
            {"Content-Type", 12, "text/plain; version=0.0.4", 25}};
        own_response(resp, 200, "", NULL);
        resp->headers = prom;
        resp->nheaders = 1;
        resp->body = (const uint8_t *)buf;
        resp->body_len = n;
        resp->handler_data = buf;
        return true;
    }
    return false;
}

GwHandler gw_app_handler(GwApp *app)
{
    return (GwHandler){app, handle, release, fast};
}
