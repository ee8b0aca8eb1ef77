/* cmd_serve.c: `corral serve`, the WAGI-compatible HTTP gateway: WAGI's flags (WAGI.md 1.1)
 * plus Corral's limits. The work is in src/gateway: config.c reads modules.toml, fetch.c
 * fetches remote modules and bindles, app.c runs the modules, server.c speaks HTTP; this file
 * parses flags, applies WAGI's rules on which go together, wires them and waits for
 * SIGINT/SIGTERM. */
#include "cli.h"
#include "cli_tier.h"

#include "gateway/app.h"
#include "gateway/config.h"
#include "gateway/fetch.h"
#include "gateway/server.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_line[] =
    "corral serve -c MODULES_TOML | -b NAME/VERSION (--bindle-path DIR | --bindle-server URL) "
    "[options]";

static const char usage[] =
    "usage: corral serve -c MODULES_TOML [options]\n"
    "       corral serve -b NAME/VERSION --bindle-path DIR [options]\n"
    "       corral serve -b NAME/VERSION --bindle-server URL [options]\n"
    "\n"
    "Serve the WASI command modules of MODULES_TOML, or of a bindle, over HTTP, WAGI style:\n"
    "each request runs in a fresh sandboxed instance with the request in CGI environment\n"
    "variables, the query in argv and the body on stdin; the module prints a CGI response\n"
    "(headers, a blank line, the body) on stdout. Its stderr is appended to\n"
    "LOG_DIR/<name>-<sha256 of the route>/module.stderr, where <name> is the route made\n"
    "readable: the characters A-Z a-z 0-9 . _ - kept, every run of others one '_', at\n"
    "most 48 of them, \"root\" for / (/api/v1/... logs to api_v1_...-<sha256>). GET /healthz\n"
    "answers 200 OK and GET /metrics gives Prometheus metrics; no module can take those\n"
    "two paths.\n"
    "\n"
    "What to serve (WAGI's; one of -c and -b):\n"
    "  -c, --config FILE      The modules.toml to serve. A module may be a path, a file:\n"
    "                         URL, an OCI reference (oci:NAME:TAG, oci://HOST[:PORT]/NAME:TAG,\n"
    "                         pulled at start-up) or bindle:NAME/VERSION (WAGI's deprecated\n"
    "                         form: the bindle's first application/wasm parcel of the global\n"
    "                         group, from the module's bindle_server or --bindle-server)\n"
    "  -b, --bindle ID        Serve bindle ID (NAME/VERSION): each parcel of type\n"
    "                         application/wasm in the global group with feature.wagi.route\n"
    "                         is a route (feature.wagi.entrypoint, argv, allowed_hosts too);\n"
    "                         the parcels with feature.wagi.file = \"true\" of the groups it\n"
    "                         requires are its assets, preopened read-only at /\n"
    "  --root DIR             Read the files MODULES_TOML names (modules, volumes) as if\n"
    "                         DIR were /: absolute paths from DIR, relative ones from the\n"
    "                         working directory's place in DIR; neither .. nor a symlink\n"
    "                         leads out of it (a container image's rootfs; Corral's)\n"
    "  --bindle-path DIR      Read bindle ID from DIR, a standalone bindle directory\n"
    "                         (DIR/<sha256 of ID>/invoice.toml and parcels/<sha256>.dat,\n"
    "                         or DIR/<sha256 of ID>.tar.gz), or from a .tar.gz of one\n"
    "  --bindle-server URL    Fetch bindle ID from a Bindle server, e.g.\n"
    "                         http://127.0.0.1:8080/v1 (also --bindle-url, or BINDLE_URL):\n"
    "                         the invoice at every start (a yank is seen; the cached one\n"
    "                         when the server does not answer), parcels the cache lacks\n"
    "  --bindle-http-user USER, --bindle-http-password PASSWORD  Basic credentials for the\n"
    "                         Bindle server (or BINDLE_HTTP_USER, BINDLE_HTTP_PASSWORD)\n"
    "  -k, --bindle-insecure  Do not check the Bindle server's TLS certificate\n"
    "\n"
    "Fetched content (Corral's checks; WAGI verified no signature):\n"
    "  --module-cache DIR     Where fetched modules, parcels and assets are kept (made when\n"
    "                         missing; default: a new temporary directory, removed at exit);\n"
    "                         what is found there is used again once its digest checks out\n"
    "  --keyring FILE         A Bindle keyring: refuse to start unless the bindle's invoice\n"
    "                         is signed as --strategy requires, and each OCI module's\n"
    "                         manifest by a creator or approver key of FILE\n"
    "  --strategy STRATEGY    How an invoice's signatures are checked (Bindle's strategies;\n"
    "                         default GreedyVerification: a creator signed, and every\n"
    "                         signer, the server's host key included, is in the keyring;\n"
    "                         CreativeIntegrity looks at creators only)\n"
    "  --insecure-http        Plain HTTP to any OCI registry, not only to loopback ones\n"
    "Every parcel and blob is checked against its SHA-256 before it runs.\n"
    "\n"
    "Options (WAGI's):\n"
    "  -l, --listen ADDR      Address to listen on (default 127.0.0.1:3000)\n"
    "  --hostname HOST[:PORT] Host and port for requests without a Host header\n"
    "                         (default localhost:3000)\n"
    "  -e, --env NAME=VALUE   An environment variable for every module (repeatable);\n"
    "                         request variables (CGI, HTTP_*) take precedence\n"
    "  --env-file FILE        NAME=VALUE lines for every module (repeatable; --env wins)\n"
    "  --log-dir DIR          Where module stderr logs go, made with its parents when\n"
    "                         missing (default: a new temporary dir)\n"
    "  --tls-cert FILE        Serve HTTPS with this PEM certificate chain ...\n"
    "  --tls-key FILE         ... and this PEM private key\n"
    "\n"
    "Limits (Corral's):\n"
    "  --timeout DURATION     Wall clock per request, e.g. 500ms, 30s (default 30s); a\n"
    "                         module still running then is stopped: 504\n"
    "  --max-memory SIZE      Linear memory a module may use (default 256MiB)\n"
    "  --max-body SIZE        Request body size (default 10MiB); larger: 413\n"
    "  --max-output SIZE      What a module may print (default 16MiB); more: 500\n"
    "  --max-concurrency N    Requests running or waiting at once (default 256); more: 503\n"
    CLI_TIER_HELP
    CLI_FEATURES_HELP
    "  --workers N            Threads running modules (default: the number of CPUs)\n"
    "  --routing wagi|spin    Which matching route wins: WAGI's first match in file order\n"
    "                         (default), or Spin's exact-before-prefix, longest prefix first\n"
    "  --access-log FILE      One line per request to FILE, '-' for stdout (default), or\n"
    "                         'off'\n"
    "\n"
    "Unknown imports (Corral's; an import of a module Corral does not provide is an error\n"
    "when a request runs the module, unless one of these stands in for it):\n"
    "  --trap-unknown-imports A function that traps when called, \"unknown import env::f\n"
    "                         was called\" (500, and a log line), so a module runs as long\n"
    "                         as the request does not call one\n"
    "  --default-values-unknown-imports  A function that returns the zero of each of its\n"
    "                         result types (0, 0.0, null)\n"
    "A module's unknown_imports = \"error\", \"trap\" or \"default\" in MODULES_TOML\n"
    "overrides these for it. An unknown memory, table or global stays an error, and so\n"
    "does a name that wasi_snapshot_preview1, corral_kv or wasi_experimental_http lacks.\n"
    "\n"
    "Host interfaces (Corral's; granted per module in MODULES_TOML):\n"
    "  --runtime-config FILE  Spin's runtime config: [key_value_store.NAME] tables with\n"
    "                         type = \"sqlite\" (path), \"redis\" (url) or \"memory\"\n"
    "  --state-dir DIR        Where the store \"default\" keeps its SQLite file, unless the\n"
    "                         runtime config says otherwise (default .corral, created when\n"
    "                         a module is granted a store)\n"
    "  --http-timeout DURATION  Each outbound HTTP request, redirects included (default\n"
    "                         10s, below --timeout so a module can answer a slow upstream\n"
    "                         itself); the request's own deadline still applies\n"
    "  --http-max-body SIZE   An outbound response's body (default 16MiB, 0: no limit);\n"
    "                         larger: the request fails\n"
    "A module may open the stores its key_value_stores names (e.g. [\"default\"]) and reach\n"
    "the origins its allowed_hosts lists (\"https://api.example.com\", \"http://*:8080\",\n"
    "\"insecure:allow-all\"); http_max_concurrency caps its open responses (default 16).\n"
    "A module granted nothing can open no store and reach no host.\n"
    "\n"
    "Options take their value as the next argument or after '=' (--listen=0.0.0.0:80).\n"
    "\n"
    "Exit status: 0 after SIGINT or SIGTERM, 1 when the configuration, a module or the\n"
    "listening address is unusable (the message says which), 2 for a usage error. A signal\n"
    "before 'Ready' ends the start-up at once, as its default action does (130 or 143).\n";

typedef struct ServeArgs {
    const char *config;
    const char *bindle, *bindle_path, *bindle_server, *bindle_user, *bindle_password;
    const char *bindle_server_from; /* the flag or variable that gave bindle_server */
    bool bindle_insecure, insecure_http;
    const char *module_cache, *keyring, *strategy;
    const char *listen;
    const char *root; /* --root: modules.toml's files read as if this directory were / */
    const char *hostname;
    const char *log_dir;
    const char *tls_cert, *tls_key;
    const char *access_log;
    const char *runtime_config, *state_dir;
    const char **env;      /* --env values, in order */
    size_t nenv;
    const char **env_files;
    size_t nenv_files;
    uint64_t timeout_ns, max_memory, max_body, max_output, max_concurrency, workers;
    uint64_t http_timeout_ns, http_max_body;
    bool has_http_max_body;
    GwRouting routing;
    HostUnknownImports unknown; /* for modules without an unknown_imports key */
    const char *unknown_opt;    /* the flag that chose it; NULL: none */
    TierOpts tier;              /* --tier, --cache-dir, --no-cache */
    uint32_t features;          /* --wasm-features */
} ServeArgs;

static int opt_string(const char **field, const char *v)
{
    *field = v;
    return 0;
}

static int parse_u64(const char *name, const char *v, bool size, uint64_t *out)
{
    bool ok = size ? cli_parse_size(v, out) : cli_parse_count(v, out);
    if (!ok || (!size && *out == 0)) {
        cli_error("serve: %s: '%s' is not a %s", name, v,
                  size ? "size (e.g. 64MiB, 4096)" : "positive number");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static int take(ServeArgs *sa, const char *name, const char *v)
{
    bool takes;
    if (cli_tier_is_option(name, &takes)) {
        int r = cli_tier_option("serve", name, v, &sa->tier);
        return r < 0 ? -r - 1 : 0;
    }
    if (!strcmp(name, "--config") || !strcmp(name, "-c"))
        return opt_string(&sa->config, v);
    if (!strcmp(name, "--listen") || !strcmp(name, "-l"))
        return opt_string(&sa->listen, v);
    if (!strcmp(name, "--hostname"))
        return opt_string(&sa->hostname, v);
    if (!strcmp(name, "--root"))
        return opt_string(&sa->root, v);
    if (!strcmp(name, "--log-dir"))
        return opt_string(&sa->log_dir, v);
    if (!strcmp(name, "--module-cache"))
        return opt_string(&sa->module_cache, v);
    if (!strcmp(name, "--bindle") || !strcmp(name, "-b"))
        return opt_string(&sa->bindle, v);
    if (!strcmp(name, "--bindle-path"))
        return opt_string(&sa->bindle_path, v);
    if (!strcmp(name, "--bindle-server") || !strcmp(name, "--bindle-url")) {
        sa->bindle_server_from = !strcmp(name, "--bindle-url") ? "--bindle-url" : "--bindle-server";
        return opt_string(&sa->bindle_server, v);
    }
    if (!strcmp(name, "--bindle-http-user"))
        return opt_string(&sa->bindle_user, v);
    if (!strcmp(name, "--bindle-http-password"))
        return opt_string(&sa->bindle_password, v);
    if (!strcmp(name, "--keyring"))
        return opt_string(&sa->keyring, v);
    if (!strcmp(name, "--strategy"))
        return opt_string(&sa->strategy, v);
    if (!strcmp(name, "--tls-cert"))
        return opt_string(&sa->tls_cert, v);
    if (!strcmp(name, "--tls-key"))
        return opt_string(&sa->tls_key, v);
    if (!strcmp(name, "--access-log"))
        return opt_string(&sa->access_log, v);
    if (!strcmp(name, "--runtime-config"))
        return opt_string(&sa->runtime_config, v);
    if (!strcmp(name, "--state-dir"))
        return opt_string(&sa->state_dir, v);
    if (!strcmp(name, "--http-timeout")) {
        if (!cli_parse_duration(v, &sa->http_timeout_ns) || sa->http_timeout_ns == 0) {
            cli_error("serve: --http-timeout: '%s' is not a duration (e.g. 500ms, 10s)", v);
            return CLI_EXIT_USAGE;
        }
        return 0;
    }
    if (!strcmp(name, "--http-max-body")) {
        sa->has_http_max_body = true;
        return parse_u64(name, v, true, &sa->http_max_body);
    }
    if (!strcmp(name, "--env") || !strcmp(name, "-e")) {
        sa->env[sa->nenv++] = v;
        return 0;
    }
    if (!strcmp(name, "--env-file")) {
        sa->env_files[sa->nenv_files++] = v;
        return 0;
    }
    if (!strcmp(name, "--timeout")) {
        if (!cli_parse_duration(v, &sa->timeout_ns) || sa->timeout_ns == 0) {
            cli_error("serve: --timeout: '%s' is not a duration (e.g. 500ms, 30s, 2m)", v);
            return CLI_EXIT_USAGE;
        }
        return 0;
    }
    if (!strcmp(name, "--max-memory"))
        return parse_u64(name, v, true, &sa->max_memory);
    if (!strcmp(name, "--wasm-features"))
        return cli_parse_features("serve", v, &sa->features) ? 0 : CLI_EXIT_USAGE;
    if (!strcmp(name, "--max-body"))
        return parse_u64(name, v, true, &sa->max_body);
    if (!strcmp(name, "--max-output"))
        return parse_u64(name, v, true, &sa->max_output);
    if (!strcmp(name, "--max-concurrency"))
        return parse_u64(name, v, false, &sa->max_concurrency);
    if (!strcmp(name, "--workers"))
        return parse_u64(name, v, false, &sa->workers);
    if (!strcmp(name, "--routing")) {
        if (!strcmp(v, "wagi"))
            sa->routing = GW_ROUTING_WAGI;
        else if (!strcmp(v, "spin"))
            sa->routing = GW_ROUTING_SPIN;
        else {
            cli_error("serve: --routing: '%s' is neither 'wagi' nor 'spin'", v);
            return CLI_EXIT_USAGE;
        }
        return 0;
    }
    return -1;
}

/* The options that take no value: what stands in for unknown imports. Returns 0 when a is
 * one (taken), -1 when it is not, else the exit status after reporting a problem. */
static int take_flag(ServeArgs *sa, const char *a)
{
    if (!strcmp(a, "-k") || !strcmp(a, "--bindle-insecure")) {
        sa->bindle_insecure = true;
        return 0;
    }
    if (!strcmp(a, "--insecure-http")) {
        sa->insecure_http = true;
        return 0;
    }
    if (!strcmp(a, "--no-cache")) {
        sa->tier.cache_dir = "";
        return 0;
    }
    static const struct {
        const char *name;
        HostUnknownImports policy;
    } flags[] = {
        {"--trap-unknown-imports", HOST_UNKNOWN_TRAP},
        {"--default-values-unknown-imports", HOST_UNKNOWN_DEFAULT},
    };
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) {
        size_t n = strlen(flags[k].name);
        if (strncmp(a, flags[k].name, n) != 0 || (a[n] != '\0' && a[n] != '='))
            continue;
        if (a[n] == '=') {
            cli_error("serve: %s takes no value", flags[k].name);
            return CLI_EXIT_USAGE;
        }
        if (sa->unknown_opt && sa->unknown != flags[k].policy) {
            cli_error("serve: %s and %s exclude each other", sa->unknown_opt, flags[k].name);
            return CLI_EXIT_USAGE;
        }
        sa->unknown = flags[k].policy;
        sa->unknown_opt = flags[k].name;
        return 0;
    }
    return -1;
}

/* Options that take a value; every other serve option does. */
static const char *const names[] = {
    "-c", "--config", "-l", "--listen", "--hostname", "--root", "--log-dir", "--module-cache",
    "--tls-cert", "--tls-key", "--access-log", "-e", "--env", "--env-file", "--timeout",
    "--max-memory", "--max-body", "--max-output", "--max-concurrency", "--workers",
    "--routing", "--runtime-config", "--state-dir", "--http-timeout", "--http-max-body",
    "--tier", "--cache-dir", "--wasm-features",
    "-b", "--bindle", "--bindle-path", "--bindle-server", "--bindle-url", "--bindle-http-user",
    "--bindle-http-password", "--keyring", "--strategy",
};

/* A variable of the environment, NULL when unset or empty (WAGI ignores empty values). */
static const char *env_value(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* WAGI's rules on what to serve (its wagi_app.rs, with its messages): exactly one of -c and
 * -b; -b from exactly one of --bindle-path and a server URL; credentials in pairs. The
 * server URL, user and password may come from BINDLE_URL, BINDLE_HTTP_USER and
 * BINDLE_HTTP_PASSWORD. -1 to go on, else the exit status. */
static int check_source(ServeArgs *sa)
{
    if (!sa->bindle_server && (sa->bindle_server = env_value("BINDLE_URL")))
        sa->bindle_server_from = "BINDLE_URL";
    if (!sa->bindle_user)
        sa->bindle_user = env_value("BINDLE_HTTP_USER");
    if (!sa->bindle_password)
        sa->bindle_password = env_value("BINDLE_HTTP_PASSWORD");
    const char *why = NULL;
    if (sa->bindle_path && !sa->bindle)
        why = "--bindle-path needs --bindle NAME/VERSION: it names where a standalone bindle "
              "is, --bindle which one";
    else if (sa->config && sa->bindle)
        why = "You cannot specify both module config file and bindle ID";
    else if (sa->root && !sa->config)
        why = "--root applies to the files a modules.toml names: it needs -c";
    else if (!sa->config && !sa->bindle)
        why = "You must specify module config file or bindle ID";
    else if (sa->bindle && !sa->bindle_path && !sa->bindle_server)
        why = "A bindle ID requires either a server URL or standalone directory "
              "(--bindle-server URL or --bindle-path DIR)";
    else if (sa->bindle && sa->bindle_path && sa->bindle_server) {
        cli_error("serve: You cannot specify both a bindle server URL and a standalone "
                  "directory (%s and --bindle-path)",
                  sa->bindle_server_from);
        return CLI_EXIT_USAGE;
    } else if (!sa->bindle_user != !sa->bindle_password)
        why = sa->bindle_user ? "--bindle-http-user needs --bindle-http-password"
                              : "--bindle-http-password needs --bindle-http-user";
    if (!why)
        return -1;
    cli_error("serve: %s; usage: %s", why, usage_line);
    return CLI_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, ServeArgs *sa)
{
    sa->env = calloc((size_t)argc, sizeof *sa->env);
    sa->env_files = calloc((size_t)argc, sizeof *sa->env_files);
    if (!sa->env || !sa->env_files) {
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_print(usage);
            return CLI_EXIT_OK;
        }
        int r = take_flag(sa, a);
        if (r == 0)
            continue;
        if (r > 0)
            return r;
        const char *eq = strchr(a, '=');
        size_t n = eq && a[1] == '-' ? (size_t)(eq - a) : strlen(a);
        size_t k = 0;
        while (k < sizeof names / sizeof names[0] &&
               !(strlen(names[k]) == n && !strncmp(names[k], a, n)))
            k++;
        if (k == sizeof names / sizeof names[0]) {
            cli_error("serve: %s '%s'; see 'corral serve --help'",
                      a[0] == '-' ? "unknown option" : "unexpected argument", a);
            return CLI_EXIT_USAGE;
        }
        const char *v = eq && a[1] == '-' ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) {
            cli_error("serve: %s needs a value; see 'corral serve --help'", names[k]);
            return CLI_EXIT_USAGE;
        }
        if ((r = take(sa, names[k], v)) != 0)
            return r;
    }
    int r = check_source(sa);
    if (r >= 0)
        return r;
    if (!sa->tls_cert != !sa->tls_key) {
        cli_error("serve: --tls-cert and --tls-key go together");
        return CLI_EXIT_USAGE;
    }
    return -1;
}

/* ---- environment ------------------------------------------------------------------------ */

/* Trims every leading and trailing quote of the kind that both starts and ends v (WAGI's
 * trim_matches on a value like "\"a b\""). v is modified in place. */
static char *trim_quotes(char *v)
{
    size_t n = strlen(v);
    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
        char q = v[0];
        while (n && v[n - 1] == q)
            v[--n] = '\0';
        while (*v == q)
            v++;
    }
    return v;
}

/* Adds "NAME=VALUE" (copied) to the list; a message for an empty NAME or a missing '='. */
static int add_env(GwEnvVar **vars, size_t *n, const char *text, const char *where)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text) {
        cli_error("serve: %s: '%s' is not NAME=VALUE with a non-empty NAME", where, text);
        return CLI_EXIT_USAGE;
    }
    GwEnvVar *v = realloc(*vars, (*n + 1) * sizeof *v);
    char *name = strndup(text, (size_t)(eq - text)), *value = strdup(eq + 1);
    if (!v || !name || !value) {
        free(name);
        free(value);
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    *vars = v;
    char *tv = trim_quotes(value);
    memmove(value, tv, strlen(tv) + 1);
    v[(*n)++] = (GwEnvVar){name, value};
    return 0;
}

/* Reads an --env-file: NAME=VALUE lines; blank lines, '#' comments and an "export " prefix
 * are allowed. */
static int read_env_file(GwEnvVar **vars, size_t *n, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        cli_error("serve: --env-file %s: %s", path, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int r = 0, lineno = 0;
    while (r == 0 && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        char *s = line + strspn(line, " \t");
        if (*s == '\0' || *s == '#')
            continue;
        if (!strncmp(s, "export ", 7))
            s += 7 + strspn(s + 7, " \t");
        char where[64];
        snprintf(where, sizeof where, "--env-file line %d", lineno);
        r = add_env(vars, n, s, where);
    }
    free(line);
    fclose(f);
    return r;
}

/* ---- running ----------------------------------------------------------------------------- */

static char *make_log_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = NULL;
    if (asprintf(&dir, "%s/corral-serve-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
        return NULL;
    if (!mkdtemp(dir)) {
        free(dir);
        return NULL;
    }
    return dir;
}

static unsigned ncpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* True when some module of cfg is fetched (so a keyring has something to check). */
static bool fetches(const GwConfig *cfg)
{
    for (size_t i = 0; i < cfg->nmodules; i++)
        if (cfg->modules[i].source != GW_SOURCE_FILE)
            return true;
    return false;
}

/* The configuration: modules.toml with its remote modules fetched, or a bindle's. The fetcher
 * *out_fetch owns the module cache, which must outlive the app. Exit status, or -1. */
static int load_config(const ServeArgs *sa, GwConfig *cfg, GwFetch **out_fetch)
{
    GwFetchOptions fo = {
        .module_cache = sa->module_cache,
        .keyring = sa->keyring,
        .strategy = sa->strategy,
        .bindle_server = sa->bindle_server,
        .bindle_user = sa->bindle_user,
        .bindle_password = sa->bindle_password,
        .bindle_insecure = sa->bindle_insecure,
        .oci_insecure_http = sa->insecure_http,
        .log = stderr,
    };
    char *err = NULL;
    if (sa->strategy && !sa->keyring)
        fprintf(stderr,
                "corral: warning: --strategy %s without --keyring: no signature is checked\n",
                sa->strategy);
    GwFetch *fetch = gw_fetch_new(&fo, &err);
    int r = fetch ? 0 : -1;
    if (r == 0 && sa->bindle) {
        r = gw_fetch_bindle(fetch, sa->bindle, sa->bindle_path, cfg, &err);
    } else if (r == 0) {
        r = gw_config_load(sa->config, cfg, &err);
        if (r == 0 && sa->root && (r = gw_config_confine(cfg, sa->root, &err)) != 0)
            gw_config_free(cfg);
        if (r == 0 && sa->keyring && !fetches(cfg))
            fprintf(stderr,
                    "corral: warning: --keyring %s: no module of %s is fetched, so no signature "
                    "is checked\n",
                    sa->keyring, sa->config);
        if (r == 0 && (r = gw_fetch_modules(fetch, cfg, &err)) != 0)
            gw_config_free(cfg);
    }
    if (r != 0) {
        cli_error("serve: %s", err ? err : "out of memory");
        free(err);
        gw_fetch_free(fetch);
        return CLI_EXIT_FAIL;
    }
    for (size_t i = 0; i < cfg->nwarnings; i++)
        fprintf(stderr, "corral: warning: %s\n", cfg->warnings[i]);
    *out_fetch = fetch;
    return -1;
}

/* Serves until SIGINT or SIGTERM. */
static int serve(ServeArgs *sa, GwEnvVar *env, size_t nenv)
{
    /* Before any thread starts: fetching and loading the app may start some. */
    if (cli_signals_start() != 0) {
        cli_error("serve: cannot start the signal thread: %s", strerror(errno));
        return CLI_EXIT_FAIL;
    }
    GwConfig cfg;
    GwFetch *fetch = NULL;
    char *err = NULL;
    int lr = load_config(sa, &cfg, &fetch);
    if (lr >= 0)
        return lr;
    char *tmp_logs = NULL;
    if (!sa->log_dir) {
        if (!(tmp_logs = make_log_dir())) {
            cli_error("serve: cannot create a log directory: %s", strerror(errno));
            gw_config_free(&cfg);
            gw_fetch_free(fetch);
            return CLI_EXIT_FAIL;
        }
        fprintf(stderr, "corral: no --log-dir given, using temporary directory %s for logs\n",
                tmp_logs);
    }
    GwServerConfig sc;
    gw_server_config_default(&sc);
    GwAppOptions ao;
    gw_app_options_default(&ao);
    unsigned workers = sa->workers ? (unsigned)sa->workers : ncpus();
    ao.hostname = sa->hostname;
    ao.env = env;
    ao.nenv = nenv;
    ao.log_dir = sa->log_dir ? sa->log_dir : tmp_logs;
    if (sa->timeout_ns)
        ao.timeout_ms = (sa->timeout_ns + 999999) / 1000000;
    if (sa->max_memory)
        ao.max_memory = sa->max_memory;
    if (sa->max_output)
        ao.max_output = (size_t)sa->max_output;
    ao.routing = sa->routing;
    ao.workers = workers;
    ao.tier = sa->tier;
    ao.features = sa->features;
    ao.runtime_config = sa->runtime_config;
    ao.state_dir = sa->state_dir;
    if (sa->http_timeout_ns)
        ao.http_timeout_ms = (sa->http_timeout_ns + 999999) / 1000000;
    if (sa->has_http_max_body)
        ao.http_max_body = sa->http_max_body;
    ao.unknown_imports = sa->unknown;
    GwApp *app = gw_app_load(&cfg, &ao, &err);
    if (!app) {
        cli_error("serve: %s", err ? err : "out of memory");
        free(err);
        gw_config_free(&cfg);
        gw_fetch_free(fetch);
        free(tmp_logs);
        return CLI_EXIT_FAIL;
    }
    if (sa->listen)
        sc.listen = sa->listen;
    sc.tls_cert_path = sa->tls_cert;
    sc.tls_key_path = sa->tls_key;
    sc.workers = workers;
    if (sa->max_concurrency)
        sc.max_concurrency = (unsigned)sa->max_concurrency;
    if (sa->max_body)
        sc.max_body = sa->max_body;
    FILE *access = NULL;
    if (sa->access_log && !strcmp(sa->access_log, "off")) {
        sc.access_log = NULL;
    } else if (sa->access_log && strcmp(sa->access_log, "-")) {
        if (!(access = fopen(sa->access_log, "a"))) {
            cli_error("serve: --access-log %s: %s", sa->access_log, strerror(errno));
            gw_app_free(app);
            gw_config_free(&cfg);
            gw_fetch_free(fetch);
            free(tmp_logs);
            return CLI_EXIT_FAIL;
        }
        setvbuf(access, NULL, _IOLBF, 0);
        sc.access_log = access;
    }

    GwHandler handler = gw_app_handler(app);
    GwServer *srv = gw_server_start(&sc, &handler, &err);
    int status = CLI_EXIT_OK;
    if (!srv) {
        cli_error("serve: %s", err ? err : "out of memory");
        free(err);
        status = CLI_EXIT_FAIL;
    } else {
        cli_signals_ready(); /* before Ready: a signal from now on stops it cleanly */
        printf("corral %s serving %s with %u workers\n", CORRAL_CLI_VERSION, cfg.file, workers);
        gw_app_print_routes(app, stdout);
        const char *colon = strrchr(sc.listen, ':');
        printf("Ready: serving on %s://%.*s:%u\n", sa->tls_cert ? "https" : "http",
               colon ? (int)(colon - sc.listen) : (int)strlen(sc.listen), sc.listen,
               gw_server_port(srv));
        fflush(stdout);
        int sig = cli_signals_wait(0);
        fprintf(stderr, "corral: %s received, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
        gw_server_stop(srv, 5000);
    }
    gw_app_free(app);
    gw_config_free(&cfg);
    gw_fetch_free(fetch); /* after the app: a bindle's assets are preopened from its cache */
    if (access)
        fclose(access);
    free(tmp_logs);
    return status;
}

static int serve_main(int argc, char **argv)
{
    ServeArgs sa = {0};
    sa.features = CORRAL_FEATURES_3_0;
    cli_tier_defaults(&sa.tier);
    sa.routing = GW_ROUTING_WAGI;
    int r = parse_args(argc, argv, &sa);
    GwEnvVar *env = NULL;
    size_t nenv = 0;
    for (size_t i = 0; r < 0 && i < sa.nenv_files; i++)
        if (read_env_file(&env, &nenv, sa.env_files[i]) != 0)
            r = CLI_EXIT_USAGE;
    for (size_t i = 0; r < 0 && i < sa.nenv; i++)
        if (add_env(&env, &nenv, sa.env[i], "--env") != 0)
            r = CLI_EXIT_USAGE;
    if (r < 0)
        r = serve(&sa, env, nenv);
    for (size_t i = 0; i < nenv; i++) {
        free((char *)env[i].name);
        free((char *)env[i].value);
    }
    free(env);
    free(sa.env);
    free(sa.env_files);
    return r;
}

const CliCommand cli_cmd_serve = {
    .name = "serve",
    .summary = "Serve WASI modules over HTTP (a WAGI-compatible gateway)",
    .usage = usage,
    .main = serve_main,
};
