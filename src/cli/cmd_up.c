/* cmd_up.c: `corral up`: the app of corral.toml built when stale, then served with the
 * gateway (its HTTP components) or run (a command). With --watch, a change to a source or to
 * the manifest rebuilds and reloads: the new generation of the app (configuration and
 * compiled modules) takes the requests that arrive after it is ready, while the requests
 * already running finish on the old one, which is freed when the last of them is done. */
#include "cli.h"
#include "cli/app_build.h"
#include "cli/manifest.h"

#include "gateway/app.h"
#include "gateway/server.h"
#include "util/strf.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: corral up [-f corral.toml] [--listen ADDR] [--watch] [options] [-- ARGS...]\n"
    "\n"
    "Builds the app's stale components (as corral build), then serves its HTTP components\n"
    "with the gateway (as corral serve, each request in a fresh sandboxed instance), until\n"
    "Ctrl-C. An app with no route but a command component runs that command instead, with\n"
    "ARGS, and exits with its status.\n"
    "\n"
    "Options:\n"
    "  -f, --file FILE      The manifest (default ./corral.toml)\n"
    "  -l, --listen ADDR    Address to listen on (default 127.0.0.1:3000; port 0: any)\n"
    "  --watch              Poll the sources and the manifest; on a change rebuild and\n"
    "                       reload without dropping requests in flight (they finish on the\n"
    "                       old modules). A failed build keeps the old app serving\n"
    "  --log-dir DIR        Where the modules' stderr goes (default .corral/logs)\n"
    "  --state-dir DIR      Where the key-value store \"default\" lives (default .corral)\n"
    "  --runtime-config FILE  Key-value stores' backends, as corral serve\n"
    "  --workers N          Threads running modules (default: the number of CPUs)\n"
    "  -h, --help           Show this help\n"
    "\n"
    "Exit status: 0 after SIGINT or SIGTERM (or the command's status), 1 when the build,\n"
    "the manifest or the address fails (the message says which), 2 on a usage error. A\n"
    "signal while loading the app ends it at once, as its default action does (130 or 143).\n";

typedef struct UpArgs {
    const char *file, *listen, *log_dir, *state_dir, *runtime_config;
    unsigned workers;
    bool watch;
    char **args; /* after "--" */
    int nargs;
} UpArgs;

/* ---- generations of the app ---- */

typedef struct Gen {
    GwConfig cfg;
    GwApp *app;
    GwHandler h;
    unsigned refs; /* requests running on it (under Reloader.mu) */
} Gen;

typedef struct Reloader {
    pthread_mutex_t mu;
    pthread_cond_t idle;
    Gen *cur;
    Gen **in_use; /* per worker (and one more for the connection thread): its request's gen */
    unsigned workers;
} Reloader;

static Gen *acquire(Reloader *r)
{
    pthread_mutex_lock(&r->mu);
    Gen *g = r->cur;
    g->refs++;
    pthread_mutex_unlock(&r->mu);
    return g;
}

static void drop(Reloader *r, Gen *g)
{
    pthread_mutex_lock(&r->mu);
    if (--g->refs == 0)
        pthread_cond_broadcast(&r->idle);
    pthread_mutex_unlock(&r->mu);
}

static unsigned slot(const Reloader *r, unsigned worker)
{
    return worker == UINT32_MAX || worker >= r->workers ? r->workers : worker;
}

static void r_handle(void *ud, unsigned worker, uint64_t id, const GwRequest *req,
                     const uint8_t *body, size_t body_len, GwResponse *resp)
{
    Reloader *r = ud;
    Gen *g = acquire(r);
    r->in_use[slot(r, worker)] = g;
    g->h.handle(g->h.ud, worker, id, req, body, body_len, resp);
}

static void r_release(void *ud, unsigned worker, GwResponse *resp)
{
    Reloader *r = ud;
    Gen *g = r->in_use[slot(r, worker)];
    if (g->h.release)
        g->h.release(g->h.ud, worker, resp);
    drop(r, g);
}

static bool r_fast(void *ud, uint64_t id, const GwRequest *req, GwResponse *resp)
{
    Reloader *r = ud;
    Gen *g = acquire(r);
    bool taken = g->h.fast && g->h.fast(g->h.ud, id, req, resp);
    if (taken)
        r->in_use[r->workers] = g;
    else
        drop(r, g);
    return taken;
}

static void gen_free(Gen *g)
{
    if (!g)
        return;
    gw_app_free(g->app);
    gw_config_free(&g->cfg);
    free(g);
}

/* A generation from the manifest in the current directory: NULL after a message. */
static Gen *gen_load(const UpArgs *ua, const char *dir, const AppManifest *m, unsigned workers)
{
    Gen *g = calloc(1, sizeof *g);
    char *err = NULL;
    if (!g || manifest_gw_config(m, dir, &g->cfg, &err) != 0) {
        cli_error("up: %s", err ? err : "out of memory");
        free(err);
        free(g);
        return NULL;
    }
    GwAppOptions ao;
    gw_app_options_default(&ao);
    char *logs = ua->log_dir ? NULL : strf("%s/.corral/logs", dir);
    ao.log_dir = ua->log_dir ? ua->log_dir : logs;
    ao.state_dir = ua->state_dir;
    ao.runtime_config = ua->runtime_config;
    ao.workers = workers;
    g->app = gw_app_load(&g->cfg, &ao, &err);
    free(logs);
    if (!g->app) {
        cli_error("up: %s", err ? err : "out of memory");
        free(err);
        gw_config_free(&g->cfg);
        free(g);
        return NULL;
    }
    g->h = gw_app_handler(g->app);
    return g;
}

/* Makes next the current generation, waits for the requests on the old one, frees it. */
static void swap_in(Reloader *r, Gen *next)
{
    pthread_mutex_lock(&r->mu);
    Gen *old = r->cur;
    r->cur = next;
    while (old->refs > 0)
        pthread_cond_wait(&r->idle, &r->mu);
    pthread_mutex_unlock(&r->mu);
    gen_free(old);
}

/* ---- the manifest, built ---- */

static int load_built(const char *cmd, AppManifest *m, bool quiet)
{
    char *err = NULL;
    if (manifest_load(MANIFEST_FILE, m, &err) != 0) {
        cli_error("%s: %s", cmd, err ? err : "out of memory");
        free(err);
        return CLI_EXIT_FAIL;
    }
    AppBuildOpts o = {.cmd = cmd, .quiet = quiet};
    int r = app_build(m, &o);
    if (r)
        manifest_free(m);
    return r;
}

/* --watch: a rebuild and a new generation when a source changed; errors keep the old one. */
static void watch_tick(Reloader *r, const UpArgs *ua, const char *dir, int64_t *seen)
{
    AppManifest m;
    char *err = NULL;
    if (manifest_load(MANIFEST_FILE, &m, &err) != 0) {
        if (*seen != -1)
            cli_error("up: %s (still serving the previous version)", err ? err : "out of memory");
        free(err);
        *seen = -1; /* report once, until the next good manifest */
        return;
    }
    int64_t t = app_sources_mtime(&m);
    if (t == *seen) {
        manifest_free(&m);
        return;
    }
    *seen = t;
    fprintf(stderr, "corral: change seen, rebuilding\n");
    AppBuildOpts o = {.cmd = "up"};
    Gen *next = NULL;
    if (app_build(&m, &o) == 0 && (next = gen_load(ua, dir, &m, r->workers))) {
        swap_in(r, next);
        fprintf(stderr, "corral: reloaded %s %s\n", m.name, m.version);
    } else {
        fprintf(stderr, "corral: still serving the previous version\n");
    }
    manifest_free(&m);
}

static unsigned ncpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

static int serve_app(const UpArgs *ua, const char *dir, const AppManifest *m)
{
    /* SIGINT and SIGTERM blocked before any thread starts (loading the app may start some),
     * so every thread inherits the mask and only the signal thread takes them; builds unblock
     * them in their child (app_build.c). */
    if (cli_signals_start() != 0) {
        cli_error("up: cannot start the signal thread: %s", strerror(errno));
        return CLI_EXIT_FAIL;
    }
    Reloader r = {.workers = ua->workers ? ua->workers : ncpus()};
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.idle, NULL);
    r.in_use = calloc(r.workers + 1, sizeof *r.in_use);
    if (!r.in_use || !(r.cur = gen_load(ua, dir, m, r.workers))) {
        free(r.in_use);
        return CLI_EXIT_FAIL;
    }
    int64_t seen = app_sources_mtime(m);
    GwServerConfig sc;
    gw_server_config_default(&sc);
    sc.listen = ua->listen ? ua->listen : "127.0.0.1:3000";
    sc.workers = r.workers;
    GwHandler h = {&r, r_handle, r_release, r_fast};
    char *err = NULL;
    GwServer *srv = gw_server_start(&sc, &h, &err);
    if (!srv) {
        cli_error("up: %s%s", err ? err : "out of memory",
                  err && strstr(err, "in use") ? " (another corral up, or another server? stop "
                                                 "it, or choose another address with --listen)"
                                               : "");
        free(err);
        gen_free(r.cur);
        free(r.in_use);
        return CLI_EXIT_FAIL;
    }
    cli_signals_ready(); /* before Ready: a signal from now on stops it cleanly */
    printf("corral %s serving %s %s (%s)%s\n", CORRAL_CLI_VERSION, m->name, m->version,
           MANIFEST_FILE, ua->watch ? ", watching for changes" : "");
    gw_app_print_routes(r.cur->app, stdout);
    const char *colon = strrchr(sc.listen, ':');
    printf("Ready: serving on http://%.*s:%u\n",
           colon ? (int)(colon - sc.listen) : (int)strlen(sc.listen), sc.listen,
           gw_server_port(srv));
    fflush(stdout);
    int sig;
    while (!(sig = cli_signals_wait(ua->watch ? 200 * 1000 * 1000 : 0)))
        watch_tick(&r, ua, dir, &seen);
    fprintf(stderr, "corral: %s received, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    gw_server_stop(srv, 5000);
    gen_free(r.cur);
    free(r.in_use);
    pthread_mutex_destroy(&r.mu);
    pthread_cond_destroy(&r.idle);
    return CLI_EXIT_OK;
}

/* ---- a command ---- */

static int run_command(const UpArgs *ua, const AppComponent *k)
{
    size_t cap = 8 + 2 * (k->files.n + k->environment.n + k->key_value_stores.n +
                          k->allowed_hosts.n) + (size_t)ua->nargs;
    char **argv = calloc(cap, sizeof *argv);
    char **owned = calloc(cap, sizeof *owned);
    int argc = 0, nowned = 0, r = CLI_EXIT_FAIL;
    if (!argv || !owned)
        goto done;
    argv[argc++] = "run";
    for (size_t i = 0; i < k->files.n; i++) {
        argv[argc++] = "--dir-ro";
        if (!(argv[argc++] = owned[nowned++] = strf("%s::/%s", k->files.v[i], k->files.v[i])))
            goto done;
    }
    for (size_t i = 0; i < k->environment.n; i++) {
        argv[argc++] = "--env";
        argv[argc++] = k->environment.v[i];
    }
    for (size_t i = 0; i < k->key_value_stores.n; i++) {
        argv[argc++] = "--kv-store";
        argv[argc++] = k->key_value_stores.v[i];
    }
    for (size_t i = 0; i < k->allowed_hosts.n; i++) {
        argv[argc++] = "--allow-host";
        argv[argc++] = k->allowed_hosts.v[i];
    }
    argv[argc++] = "--";
    argv[argc++] = k->wasm;
    for (int i = 0; i < ua->nargs; i++)
        argv[argc++] = ua->args[i];
    r = cli_cmd_run.main(argc, argv);
done:
    if (!argv || !owned)
        cli_error("up: out of memory");
    for (int i = 0; i < nowned; i++)
        free(owned[i]);
    free(owned);
    free(argv);
    return r;
}

/* ---- arguments ---- */

static int parse_args(int argc, char **argv, UpArgs *ua)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **field = NULL;
        if (cli_is_help(a)) {
            cli_print(usage);
            return CLI_EXIT_OK;
        }
        if (!strcmp(a, "--")) {
            ua->args = argv + i + 1;
            ua->nargs = argc - i - 1;
            return -1;
        }
        if (!strcmp(a, "--watch")) {
            ua->watch = true;
            continue;
        }
        if (!strcmp(a, "-f") || !strcmp(a, "--file"))
            field = &ua->file;
        else if (!strcmp(a, "-l") || !strcmp(a, "--listen"))
            field = &ua->listen;
        else if (!strcmp(a, "--log-dir"))
            field = &ua->log_dir;
        else if (!strcmp(a, "--state-dir"))
            field = &ua->state_dir;
        else if (!strcmp(a, "--runtime-config"))
            field = &ua->runtime_config;
        const char *workers = NULL;
        if (!strcmp(a, "--workers"))
            field = &workers;
        if (!field) {
            cli_error("up: %s '%s'; see 'corral up --help'",
                      a[0] == '-' ? "unknown option" : "unexpected argument (arguments for a "
                                                       "command go after --)",
                      a);
            return CLI_EXIT_USAGE;
        }
        if (++i >= argc) {
            cli_error("up: %s needs a value; see 'corral up --help'", a);
            return CLI_EXIT_USAGE;
        }
        *field = argv[i];
        if (workers) {
            uint64_t n;
            if (!cli_parse_count(workers, &n) || n == 0 || n > 1024) {
                cli_error("up: --workers: '%s' is not a number from 1 to 1024", workers);
                return CLI_EXIT_USAGE;
            }
            ua->workers = (unsigned)n;
        }
    }
    return -1;
}

static int up_main(int argc, char **argv)
{
    UpArgs ua = {0};
    int r = parse_args(argc, argv, &ua);
    if (r >= 0)
        return r;
    /* The manifest's directory becomes the current one: the paths given first go absolute. */
    char cwd[4096], *owned[3] = {NULL, NULL, NULL};
    const char **paths[3] = {&ua.log_dir, &ua.state_dir, &ua.runtime_config};
    for (int i = 0; i < 3; i++)
        if (*paths[i] && (*paths[i])[0] != '/' && getcwd(cwd, sizeof cwd) &&
            (owned[i] = strf("%s/%s", cwd, *paths[i])))
            *paths[i] = owned[i];
    char *dir = NULL;
    if (!manifest_enter("up", ua.file, &dir)) {
        for (int i = 0; i < 3; i++)
            free(owned[i]);
        return CLI_EXIT_FAIL;
    }
    AppManifest m;
    if ((r = load_built("up", &m, false)) != 0) {
        free(dir);
        for (int i = 0; i < 3; i++)
            free(owned[i]);
        return r;
    }
    const AppComponent *command = NULL;
    bool http = false;
    for (size_t i = 0; i < m.ncomponents; i++) {
        http |= m.components[i].route != NULL;
        if (!command && m.components[i].command)
            command = &m.components[i];
    }
    if (!http && ua.watch)
        fprintf(stderr, "corral: warning: --watch applies to HTTP components; running the "
                        "command once\n");
    r = http ? serve_app(&ua, dir, &m) : run_command(&ua, command);
    manifest_free(&m);
    free(dir);
    for (int i = 0; i < 3; i++)
        free(owned[i]);
    return r;
}

const CliCommand cli_cmd_up = {
    .name = "up",
    .summary = "Build the app of corral.toml if stale, then serve it (or run it)",
    .usage = usage,
    .main = up_main,
};
