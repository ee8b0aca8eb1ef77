/* run.c: one guest run (run.h). */
#include "gateway/run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool gw_runner_init(GwRunner *r, corral_engine_t *engine, size_t out_max, GwWatchdog *wd,
                    unsigned slot)
{
    memset(r, 0, sizeof *r);
    r->store = corral_store_new(engine);
    r->out_cap = out_max < 65536 ? out_max : 65536;
    r->out = malloc(r->out_cap ? r->out_cap : 1);
    r->out_max = out_max;
    r->watchdog = wd;
    r->slot = slot;
    corral_wasi_config_t cfg;
    corral_wasi_config_default(&cfg);
    cfg.stdio[0].fd = cfg.stdio[1].fd = cfg.stdio[2].fd = -1;
    char *err = NULL;
    r->wasi = corral_wasi_new(&cfg, &err);
    free(err);
    return r->store && r->out && r->wasi;
}

void gw_runner_free(GwRunner *r)
{
    /* The store first: its host functions point at the contexts. */
    corral_store_delete(r->store);
    corral_wasi_delete(r->wasi);
    for (size_t i = 0; i < r->nlinked; i++) {
        free(r->linked[i].imports);
        kv_ctx_free(r->linked[i].kv);
        http_ctx_free(r->linked[i].http);
    }
    free(r->linked);
    free(r->out);
    memset(r, 0, sizeof *r);
}

static ssize_t read_stdin(void *ud, uint8_t *buf, size_t len)
{
    GwRunner *r = ud;
    size_t n = r->in_len - r->in_pos;
    if (n > len)
        n = len;
    if (n == 0)
        return 0; /* end of input (and r->in may be NULL: no body) */
    memcpy(buf, r->in + r->in_pos, n);
    r->in_pos += n;
    return (ssize_t)n;
}

/* Collects stdout; past out_max the guest's write fails with EFBIG and the run is marked,
 * so a runaway module cannot make the server buffer without bound. */
static ssize_t write_stdout(void *ud, const uint8_t *buf, size_t len)
{
    GwRunner *r = ud;
    if (len > r->out_max - r->out_len) {
        r->out_over = true;
        return -EFBIG;
    }
    if (r->out_len + len > r->out_cap) {
        size_t cap = r->out_cap ? r->out_cap : 4096;
        while (cap < r->out_len + len)
            cap = cap > r->out_max / 2 ? r->out_max : cap * 2;
        uint8_t *p = realloc(r->out, cap);
        if (!p)
            return -ENOMEM;
        r->out = p;
        r->out_cap = cap;
    }
    memcpy(r->out + r->out_len, buf, len);
    r->out_len += len;
    return (ssize_t)len;
}

bool gw_module_imports(const corral_module_t *module, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < corral_module_import_count(module); i++) {
        corral_extern_desc_t d;
        corral_module_import(module, i, &d);
        if (d.module_len == len && !memcmp(d.module, name, len))
            return true;
    }
    return false;
}

/* Fills l->imports from the host interfaces the module imports, with contexts made for
 * l->grants (nothing granted when NULL). Before WASI, which takes every import still empty
 * for an unknown one. false with msg set. */
static bool link_host(GwRunner *r, GwLinked *l, char *msg, size_t cap)
{
    const GwGrants *g = l->grants;
    char *err = NULL;
    bool ok = true;
    if (gw_module_imports(l->module, KV_MODULE)) {
        ok = (l->kv = g ? kv_ctx_new(g->kv, g->kv_stores, g->nkv_stores)
                        : kv_ctx_new(NULL, NULL, 0)) != NULL &&
             kv_link(l->kv, r->store, l->module, l->imports, l->nimports, &err);
    }
    if (ok && gw_module_imports(l->module, HTTP_MODULE)) {
        HttpPolicy denied;
        http_policy_default(&denied);
        ok = (l->http = http_ctx_new(g ? &g->http : &denied)) != NULL &&
             http_link(l->http, r->store, l->module, l->imports, l->nimports, &err);
    }
    if (!ok)
        snprintf(msg, cap, "%s", err ? err : "out of memory");
    free(err);
    return ok;
}

/* The imports of in->module under in->grants and in->unknown_imports, linked in r's store
 * once (the first run of the three on this runner): the host interfaces, the stand-ins for
 * unknown imports, then WASI; kept before the store's mark; NULL with msg set when they
 * cannot be. */
static GwLinked *linked_imports(GwRunner *r, const GwRunInput *in, char *msg, size_t cap)
{
    for (size_t i = 0; i < r->nlinked; i++)
        if (r->linked[i].module == in->module && r->linked[i].grants == in->grants &&
            r->linked[i].unknown_imports == in->unknown_imports)
            return &r->linked[i];
    size_t n = corral_module_import_count(in->module);
    GwLinked *grown = realloc(r->linked, (r->nlinked + 1) * sizeof *grown);
    corral_extern_t *imports = calloc(n ? n : 1, sizeof *imports);
    if (grown)
        r->linked = grown;
    if (!grown || !imports) {
        free(imports);
        snprintf(msg, cap, "out of memory");
        return NULL;
    }
    GwLinked l = {in->module, in->grants, in->unknown_imports, imports, n, NULL, NULL};
    char *err = NULL;
    if (!link_host(r, &l, msg, cap) ||
        !host_link_unknown(r->store, in->module, imports, n, in->unknown_imports,
                           CORRAL_WASI_MODULE, &err) ||
        !corral_wasi_link(r->wasi, r->store, in->module, imports, n, &err)) {
        if (!msg[0])
            snprintf(msg, cap, "%s", err ? err : "out of memory");
        free(err);
        corral_store_reset_to(r->store, r->mark); /* drop what was made for it ... */
        free(imports);                            /* ... then what it pointed at */
        kv_ctx_free(l.kv);
        http_ctx_free(l.http);
        return NULL;
    }
    r->mark = corral_store_mark(r->store);
    r->linked[r->nlinked] = l;
    return &r->linked[r->nlinked++];
}

/* fired: the deadline has passed, by the watchdog's account or the clock's (a host call
 * that waits, WASI's poll or an HTTP request, may give its time-limit trap a moment before
 * the watchdog wakes). */
/* " (in func[N] <name> @ 0xOFFSET)" for the trap's innermost frame, named from the module's
 * name section or exports (as corral run's backtraces); "" when it has no frame of module. */
static void trap_where(const corral_trap_t *t, const corral_module_t *m, char *buf, size_t cap)
{
    uint32_t func;
    size_t off;
    const char *name = NULL;
    size_t len = 0;
    buf[0] = '\0';
    if (corral_trap_frame_count(t) == 0 || !corral_trap_frame_in_module(t, 0, m))
        return;
    corral_trap_frame(t, 0, &func, &off);
    if (corral_module_func_name(m, func, &name, &len) && len) {
        int shown = len > 80 ? 80 : (int)len;
        snprintf(buf, cap, " (in func[%u] <%.*s%s> @ 0x%06zx)", (unsigned)func, shown, name,
                 len > 80 ? "..." : "", off);
    } else {
        snprintf(buf, cap, " (in func[%u] @ 0x%06zx)", (unsigned)func, off);
    }
}

static GwRunResult trap_result(corral_trap_t *t, const corral_module_t *m, bool fired,
                               char *msg, size_t cap)
{
    int32_t status;
    GwRunResult res;
    if (corral_trap_exit_status(t, &status)) {
        res = status == 0 ? GW_RUN_OK : GW_RUN_EXIT;
        snprintf(msg, cap, "exit status %d", (int)status);
    } else if (fired && strstr(corral_trap_message(t), "time limit")) {
        res = GW_RUN_TIMEOUT;
        snprintf(msg, cap, "%s", corral_trap_message(t));
    } else {
        char where[160];
        trap_where(t, m, where, sizeof where);
        res = GW_RUN_TRAP;
        snprintf(msg, cap, "trap: %s%s", corral_trap_message(t), where);
    }
    corral_trap_delete(t);
    return res;
}

/* Makes the instance and calls the entrypoint; the caller resets the store and contexts. */
static GwRunResult run_in_store(GwRunner *r, const GwRunInput *in, const GwLinked *l,
                                char *msg, size_t cap, uint64_t t0, uint64_t *out_inst_ns)
{
    corral_wasi_t *wasi = r->wasi;
    if (in->deadline_ns) {
        corral_wasi_set_deadline(wasi, in->deadline_ns);
        if (l->http)
            http_ctx_set_deadline(l->http, in->deadline_ns);
        if (r->watchdog)
            gw_watchdog_arm(r->watchdog, r->slot, r->store, in->deadline_ns);
    }
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *ierr = corral_instance_new(r->store, in->module, l->imports, l->nimports,
                                               &inst, &trap);
    if (out_inst_ns)
        *out_inst_ns = gw_now_ns() - t0;
    GwRunResult res = GW_RUN_OK;
    corral_extern_t ex;
    if (ierr) {
        snprintf(msg, cap, "cannot instantiate: %s", corral_error_message(ierr));
        corral_error_delete(ierr);
        res = GW_RUN_SETUP;
    } else if (!trap && (!corral_instance_export(inst, in->entrypoint, strlen(in->entrypoint),
                                                 &ex) ||
                         ex.kind != CORRAL_EXTERN_FUNC ||
                         corral_functype_param_count(corral_func_type(ex.of.func)) != 0 ||
                         corral_functype_result_count(corral_func_type(ex.of.func)) != 0)) {
        snprintf(msg, cap, "No such function '%s' (with no parameters and no results)",
                 in->entrypoint);
        res = GW_RUN_SETUP;
    } else if (!trap) {
        trap = corral_func_call(r->store, ex.of.func, NULL, 0, NULL, 0);
    }
    bool fired = in->deadline_ns && r->watchdog && gw_watchdog_disarm(r->watchdog, r->slot);
    fired = fired || (in->deadline_ns && gw_now_ns() >= in->deadline_ns);
    if (trap)
        res = trap_result(trap, in->module, fired, msg, cap);
    if (r->out_over && (res == GW_RUN_OK || res == GW_RUN_TRAP || res == GW_RUN_EXIT)) {
        snprintf(msg, cap, "the module wrote more than %zu bytes to stdout", r->out_max);
        res = GW_RUN_OUTPUT_LIMIT;
    }
    return res;
}

GwRunResult gw_run(GwRunner *r, const GwRunInput *in, char *msg, size_t msg_cap,
                   uint64_t *out_inst_ns)
{
    uint64_t t0 = gw_now_ns();
    r->out_len = 0;
    r->out_over = false;
    r->in = in->stdin_data;
    r->in_len = in->stdin_len;
    r->in_pos = 0;
    msg[0] = '\0';
    if (out_inst_ns)
        *out_inst_ns = 0;

    corral_wasi_config_t cfg;
    corral_wasi_config_default(&cfg);
    cfg.argv = in->argv;
    cfg.argc = in->argc;
    cfg.env = in->env;
    cfg.nenv = in->nenv;
    cfg.stdio[0] = (corral_wasi_stdio_t){-1, read_stdin, NULL, r};
    cfg.stdio[1] = (corral_wasi_stdio_t){-1, NULL, write_stdout, r};
    cfg.stdio[2] = (corral_wasi_stdio_t){in->stderr_fd, NULL, NULL, NULL};
    cfg.preopens = in->preopens;
    cfg.npreopens = in->npreopens;
    char *err = NULL;
    if (!corral_wasi_reset(r->wasi, &cfg, &err)) {
        snprintf(msg, msg_cap, "%s", err ? err : "out of memory");
        free(err);
        return GW_RUN_SETUP;
    }
    GwLinked *l = linked_imports(r, in, msg, msg_cap);
    GwRunResult res = l ? run_in_store(r, in, l, msg, msg_cap, t0, out_inst_ns) : GW_RUN_SETUP;
    corral_store_reset_to(r->store, r->mark);
    /* The guest's key-value handles and HTTP responses go with it (no allocation here). */
    if (l && l->kv)
        kv_ctx_reset(l->kv);
    if (l && l->http)
        http_ctx_reset(l->http);
    /* Close what the guest opened (its files, the volumes) now, not at the next run. */
    corral_wasi_config_default(&cfg);
    cfg.stdio[0].fd = cfg.stdio[1].fd = cfg.stdio[2].fd = -1;
    if (!corral_wasi_reset(r->wasi, &cfg, &err))
        free(err);
    return res;
}
