/* cmd_run.c: `corral run`, a WebAssembly runtime on the command line with wasmtime's syntax:
 * options, then the module, then the guest's arguments. WASI preview 1 comes from
 * src/wasi (wasi.h), sandboxed to the --dir/--dir-ro preopens; key-value stores and
 * outbound HTTP from src/host, only for a module that imports them and only as far as
 * --kv-store and --allow-host grant; limits (fuel, a wall-clock timeout, memory and stack
 * caps) go to the engine. With --invoke, one export is called with numbers from the
 * command line and its results printed, as before WASI. */
#include "cli.h"
#include "wast_text.h"
#include "cli_tier.h"
#include "host/host_link.h"
#include "host/http_outbound.h"
#include "host/kv.h"
#include "wasi/wasi.h"

#include <ctype.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: corral run [OPTIONS] FILE.wasm [ARGS...]\n"
    "       corral run [OPTIONS] --invoke NAME FILE.wasm [NUMBERS...]\n"
    "\n"
    "Runs FILE.wasm (\"-\" reads it from standard input). Without --invoke it calls the\n"
    "export _start, the entry point of a WASI command, with ARGS as the guest's arguments\n"
    "after argv[0] (everything after FILE goes to the guest, options included), and exits\n"
    "with the guest's exit status. Imports from wasi_snapshot_preview1 are provided; the\n"
    "guest sees only the directories given with --dir or --dir-ro, and no environment but\n"
    "what --env passes.\n"
    "\n"
    "With --invoke NAME it calls the exported function NAME instead, with NUMBERS\n"
    "converted to its parameter types, and prints each result on its own line (a module\n"
    "that exports _initialize has it called first). --invoke may also follow FILE\n"
    "directly; the numbers hold no options then, so negative ones need no \"--\".\n"
    "\n"
    "Options:\n"
    "  --invoke NAME         Call the exported function NAME instead of _start\n"
    "  --dir HOST[::GUEST]   Let the guest read and write directory HOST, which it sees\n"
    "                        as GUEST (default: HOST as written)\n"
    "  --dir-ro HOST[::GUEST]  The same, read-only: nothing under it can be created,\n"
    "                        changed or removed (a Corral option; wasmtime has none)\n"
    "  --env NAME=VALUE      Set a variable in the guest's environment\n"
    "  --env NAME            Pass the host's NAME on, when it is set\n"
    "  --argv0 NAME          The guest's argv[0] (default: FILE as written)\n"
    "  --fuel N              Stop the guest after about N instructions (\"all fuel\n"
    "                        consumed\"); the same N always stops at the same place\n"
    "  --timeout DURATION    Stop the guest after DURATION of wall-clock time: a number\n"
    "                        with ns, us, ms, s, m or h (500ms, 2s, 1.5m; bare: seconds)\n"
    "  --max-memory BYTES    Cap each linear memory (rounded down to 64 KiB pages);\n"
    "                        suffixes K, M, G or KiB, MiB, GiB (all powers of 1024)\n"
    "  --max-stack BYTES     Cap the value stack (same suffixes)\n"
    CLI_TIER_HELP
    CLI_FEATURES_HELP
    "  -h, --help            Show this help\n"
    "\n"
    "Unknown imports (an import of a module Corral does not provide is an error without\n"
    "these; they take no value, and exclude each other):\n"
    "  --trap-unknown-imports  Link each such function to one that traps when called,\n"
    "                        \"unknown import env::f was called\" (exit status 134), so\n"
    "                        a module runs as long as it does not call one (wasmtime's\n"
    "                        -W unknown-imports-trap)\n"
    "  --default-values-unknown-imports  Link each to one that returns the zero of each\n"
    "                        of its result types: 0, 0.0, null (wasmtime's\n"
    "                        -W unknown-imports-default)\n"
    "  An unknown memory, table or global import stays an error, and so does a name\n"
    "  that wasi_snapshot_preview1, corral_kv or wasi_experimental_http lacks.\n"
    "\n"
    "Host interfaces, for a module that imports them (others ignore these options):\n"
    "  --kv-store NAME       Let the guest open the key-value store NAME (repeatable;\n"
    "                        import module corral_kv). Without it no store opens\n"
    "  --runtime-config FILE  Where the stores live: Spin's [key_value_store.NAME]\n"
    "                        tables, type = \"sqlite\" (path), \"redis\" (url), \"memory\"\n"
    "  --state-dir DIR       Where the store \"default\" keeps its SQLite file unless the\n"
    "                        runtime config says otherwise (default .corral, created\n"
    "                        when needed)\n"
    "  --allow-host URL      Let the guest send HTTP requests to this origin (repeatable;\n"
    "                        import module wasi_experimental_http): scheme://host[:port]\n"
    "                        with * for any scheme, host or port, *.example.com for\n"
    "                        subdomains, a..b for a port range; insecure:allow-all for\n"
    "                        everything. Without it no request leaves; redirects are\n"
    "                        checked too\n"
    "  --http-max-concurrency N  Responses a guest may hold open at once (default 16)\n"
    "  --http-timeout DURATION  Each request, redirects included (default 30s)\n"
    "  --http-max-body BYTES  A response's body (default 16MiB, 0: no limit)\n"
    "Options take their value as the next argument or after '=' (--dir=data).\n"
    "\n"
    "Numbers by parameter type (--invoke):\n"
    "  i32, i64        decimal or 0x hex, optionally negative: 42, -1, 0xff\n"
    "  f32, f64        decimal or hex float, inf, -inf, nan, nan:0xPAYLOAD, rounded to\n"
    "                  nearest: too small becomes 0, too big for the type is an error\n"
    "  funcref, externref  null\n"
    "Results print the same way: integers as signed decimal, floats in the shortest form\n"
    "that reads back exactly (1500, 0.001; exponent form from 1e21 and below 1e-6).\n"
    "\n"
    "Exit status:\n"
    "  0    success: _start returned (or the function returned and its results were\n"
    "       printed)\n"
    "  N    the guest called proc_exit(N), N from 0 to 125 (a larger N is reported\n"
    "       as an error and gives 134)\n"
    "  1    FILE cannot be read, decoded, validated or linked (an import that is not\n"
    "       WASI, corral_kv or wasi_experimental_http, unless stood in for as above), a\n"
    "       --dir cannot be opened, the key-value stores cannot be opened (or a\n"
    "       --kv-store is not configured), or the results cannot be written\n"
    "  2    usage error: bad option or value, unknown export, wrong argument count, bad\n"
    "       number\n"
    "  134  trap, whether in the function or while instantiating (a start function that\n"
    "       traps, a data or element segment out of bounds), including a limit that\n"
    "       stopped the guest; the message (which names the limit) and the backtrace go\n"
    "       to stderr, one frame a line: func[INDEX] <NAME> @ 0xOFFSET, NAME from the\n"
    "       module's name section (clang and rustc keep one; wat2wasm --debug-names)\n"
    "       or else the function's export name\n";

static const char usage_line[] = "corral run [OPTIONS] FILE.wasm [ARGS...]";

typedef struct RunArgs {
    const char *file;
    const char *invoke; /* NULL: _start */
    const char *argv0;  /* NULL: file */
    char **args;
    int nargs;
    bool literal;                    /* args came after a "--": no option checks */
    corral_wasi_preopen_t *preopens; /* owned array; strings borrow from argv or guests */
    size_t npreopens;
    char **guests; /* owned GUEST strings of HOST::GUEST, one per preopen (or NULL) */
    char **env;    /* owned "NAME=VALUE" strings */
    size_t nenv;
    bool has_fuel;
    uint64_t fuel;
    uint64_t timeout_ns; /* 0: none */
    bool has_max_memory, has_max_stack;
    uint64_t max_memory, max_stack;
    const char **kv_stores; /* --kv-store names (borrowed from argv) */
    size_t nkv_stores;
    const char *runtime_config, *state_dir;
    const char **allow_hosts; /* --allow-host entries (borrowed from argv) */
    size_t nallow_hosts;
    HttpPolicy http;            /* allow is set when linking */
    HostUnknownImports unknown; /* what stands in for imports nobody provides */
    const char *unknown_opt;    /* the option that chose it, NULL: none */
    TierOpts tier;              /* --tier, --cache-dir, --no-cache */
    uint32_t features;          /* --wasm-features */
} RunArgs;

static void free_run_args(RunArgs *ra)
{
    for (size_t i = 0; i < ra->npreopens; i++)
        free(ra->guests[i]);
    for (size_t i = 0; i < ra->nenv; i++)
        free(ra->env[i]);
    free(ra->preopens);
    free(ra->guests);
    free(ra->env);
    free(ra->kv_stores);
    free(ra->allow_hosts);
}

/* ---- options ----
 * Each takes its value and returns 0, or an exit status after reporting the problem. */

static int opt_invoke(RunArgs *ra, const char *v)
{
    if (ra->invoke) {
        cli_error("run: --invoke given twice");
        return CLI_EXIT_USAGE;
    }
    ra->invoke = v;
    return 0;
}

static int add_dir(RunArgs *ra, const char *v, bool readonly, const char *opt)
{
    const char *sep = strstr(v, "::");
    char *host = sep ? strndup(v, (size_t)(sep - v)) : NULL;
    if (sep && !host) {
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    if ((sep ? host[0] : v[0]) == '\0' || (sep && sep[2] == '\0')) {
        cli_error("run: %s '%s': want HOST or HOST::GUEST", opt, v);
        free(host);
        return CLI_EXIT_USAGE;
    }
    /* host lives in guests[] only to be freed; GUEST borrows from argv. */
    ra->guests[ra->npreopens] = host;
    ra->preopens[ra->npreopens++] =
        (corral_wasi_preopen_t){sep ? host : v, sep ? sep + 2 : v, readonly};
    return 0;
}

static int opt_dir(RunArgs *ra, const char *v)
{
    return add_dir(ra, v, false, "--dir");
}
static int opt_dir_ro(RunArgs *ra, const char *v)
{
    return add_dir(ra, v, true, "--dir-ro");
}

/* NAME=VALUE, or NAME to pass the host's value on (nothing when it is unset). A later
 * setting of a name replaces an earlier one. */
static int opt_env(RunArgs *ra, const char *v)
{
    const char *eq = strchr(v, '=');
    size_t name_len = eq ? (size_t)(eq - v) : strlen(v);
    if (name_len == 0) {
        cli_error("run: --env '%s': want NAME=VALUE or NAME", v);
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < ra->nenv; i++) {
        if (!strncmp(ra->env[i], v, name_len) && ra->env[i][name_len] == '=') {
            free(ra->env[i]);
            memmove(&ra->env[i], &ra->env[i + 1], (ra->nenv - i - 1) * sizeof *ra->env);
            ra->nenv--;
            break;
        }
    }
    char *entry = NULL;
    if (eq) {
        entry = strdup(v);
    } else {
        const char *host = getenv(v);
        if (!host)
            return 0;
        size_t n = name_len + strlen(host) + 2;
        if ((entry = malloc(n)))
            snprintf(entry, n, "%s=%s", v, host);
    }
    if (!entry) {
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    ra->env[ra->nenv++] = entry;
    return 0;
}

static int opt_argv0(RunArgs *ra, const char *v)
{
    ra->argv0 = v;
    return 0;
}

static int opt_fuel(RunArgs *ra, const char *v)
{
    if (!cli_parse_count(v, &ra->fuel) || ra->fuel == UINT64_MAX) {
        cli_error("run: --fuel: invalid count '%s' (want a whole number of instructions)", v);
        return CLI_EXIT_USAGE;
    }
    ra->has_fuel = true;
    return 0;
}

static int opt_timeout(RunArgs *ra, const char *v)
{
    if (!cli_parse_duration(v, &ra->timeout_ns) || ra->timeout_ns == 0) {
        cli_error("run: --timeout: invalid duration '%s' (want e.g. 500ms, 2s, 1m)", v);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static int parse_size(const char *opt, const char *v, uint64_t *out, bool *has)
{
    if (!cli_parse_size(v, out)) {
        cli_error("run: %s: invalid size '%s' (want bytes, e.g. 65536, 64K, 16MiB, 1G)", opt, v);
        return CLI_EXIT_USAGE;
    }
    *has = true;
    return 0;
}

static int opt_max_memory(RunArgs *ra, const char *v)
{
    return parse_size("--max-memory", v, &ra->max_memory, &ra->has_max_memory);
}

static int opt_max_stack(RunArgs *ra, const char *v)
{
    return parse_size("--max-stack", v, &ra->max_stack, &ra->has_max_stack);
}

static int opt_kv_store(RunArgs *ra, const char *v)
{
    if (!v[0]) {
        cli_error("run: --kv-store: want a store name");
        return CLI_EXIT_USAGE;
    }
    ra->kv_stores[ra->nkv_stores++] = v;
    return 0;
}

static int opt_runtime_config(RunArgs *ra, const char *v)
{
    ra->runtime_config = v;
    return 0;
}

static int opt_state_dir(RunArgs *ra, const char *v)
{
    ra->state_dir = v;
    return 0;
}

/* Checked when a module that imports wasi_experimental_http is linked (parsing needs
 * libcurl, which a plain module never loads). */
static int opt_allow_host(RunArgs *ra, const char *v)
{
    ra->allow_hosts[ra->nallow_hosts++] = v;
    return 0;
}

static int opt_http_max_concurrency(RunArgs *ra, const char *v)
{
    uint64_t n;
    if (!cli_parse_count(v, &n) || n == 0 || n > UINT32_MAX) {
        cli_error("run: --http-max-concurrency: invalid count '%s' (want 1 to %u)", v,
                  (unsigned)UINT32_MAX);
        return CLI_EXIT_USAGE;
    }
    ra->http.max_concurrency = (uint32_t)n;
    return 0;
}

static int opt_http_timeout(RunArgs *ra, const char *v)
{
    uint64_t ns;
    if (!cli_parse_duration(v, &ns) || ns == 0) {
        cli_error("run: --http-timeout: invalid duration '%s' (want e.g. 500ms, 10s)", v);
        return CLI_EXIT_USAGE;
    }
    ra->http.timeout_ms = (ns + 999999) / 1000000;
    return 0;
}

static int opt_http_max_body(RunArgs *ra, const char *v)
{
    bool has;
    return parse_size("--http-max-body", v, &ra->http.max_body, &has);
}

/* --trap-unknown-imports and --default-values-unknown-imports: one or the other. */
static int set_unknown(RunArgs *ra, HostUnknownImports policy, const char *opt)
{
    if (ra->unknown_opt && ra->unknown != policy) {
        cli_error("run: %s and %s exclude each other", ra->unknown_opt, opt);
        return CLI_EXIT_USAGE;
    }
    ra->unknown = policy;
    ra->unknown_opt = opt;
    return 0;
}

static int opt_trap_unknown(RunArgs *ra, const char *v)
{
    return set_unknown(ra, HOST_UNKNOWN_TRAP, "--trap-unknown-imports");
}

static int opt_tier(RunArgs *ra, const char *v)
{
    int r = cli_tier_option("run", "--tier", v, &ra->tier);
    return r < 0 ? -r - 1 : 0;
}

static int opt_cache_dir(RunArgs *ra, const char *v)
{
    int r = cli_tier_option("run", "--cache-dir", v, &ra->tier);
    return r < 0 ? -r - 1 : 0;
}

static int opt_wasm_features(RunArgs *ra, const char *v)
{
    return cli_parse_features("run", v, &ra->features) ? 0 : CLI_EXIT_USAGE;
}

static int opt_no_cache(RunArgs *ra, const char *v)
{
    return cli_tier_option("run", "--no-cache", v, &ra->tier) < 0 ? CLI_EXIT_USAGE : 0;
}

static int opt_default_unknown(RunArgs *ra, const char *v)
{
    return set_unknown(ra, HOST_UNKNOWN_DEFAULT, "--default-values-unknown-imports");
}

static const struct {
    const char *name;
    int (*take)(RunArgs *ra, const char *value); /* value NULL for a flag */
    bool flag;                                   /* takes no value */
} options[] = {
    {"--invoke", opt_invoke, false},
    {"--dir", opt_dir, false},
    {"--dir-ro", opt_dir_ro, false},
    {"--env", opt_env, false},
    {"--argv0", opt_argv0, false},
    {"--fuel", opt_fuel, false},
    {"--timeout", opt_timeout, false},
    {"--max-memory", opt_max_memory, false},
    {"--max-stack", opt_max_stack, false},
    {"--kv-store", opt_kv_store, false},
    {"--runtime-config", opt_runtime_config, false},
    {"--state-dir", opt_state_dir, false},
    {"--allow-host", opt_allow_host, false},
    {"--http-max-concurrency", opt_http_max_concurrency, false},
    {"--http-timeout", opt_http_timeout, false},
    {"--http-max-body", opt_http_max_body, false},
    {"--tier", opt_tier, false},
    {"--cache-dir", opt_cache_dir, false},
    {"--no-cache", opt_no_cache, true},
    {"--wasm-features", opt_wasm_features, false},
    {"--trap-unknown-imports", opt_trap_unknown, true},
    {"--default-values-unknown-imports", opt_default_unknown, true},
};

enum { NOPTIONS = sizeof options / sizeof options[0] };

/* Which option argv[*i] is ("--name" or "--name=value"), or -1. */
static int find_option(const char *a)
{
    for (int k = 0; k < NOPTIONS; k++) {
        size_t n = strlen(options[k].name);
        if (!strncmp(a, options[k].name, n) && (a[n] == '\0' || a[n] == '='))
            return k;
    }
    return -1;
}

/* Takes the option at argv[*i] and its value. only_invoke: after FILE, where --invoke is the
 * one option allowed. Returns 1 when taken, 0 when argv[*i] is no such option, or -(exit
 * status + 1) after reporting a problem. */
static int take_option(int argc, char **argv, int *i, RunArgs *ra, bool only_invoke)
{
    int k = find_option(argv[*i]);
    if (k < 0 || (only_invoke && options[k].take != opt_invoke))
        return 0;
    const char *a = argv[*i], *value;
    size_t n = strlen(options[k].name);
    if (options[k].flag && a[n] == '=') {
        cli_error("run: %s takes no value", options[k].name);
        return -(CLI_EXIT_USAGE + 1);
    } else if (options[k].flag) {
        value = NULL;
    } else if (a[n] == '=') {
        value = a + n + 1;
    } else if (*i + 1 < argc) {
        value = argv[++*i];
    } else {
        if (options[k].take == opt_invoke)
            cli_error("run: --invoke needs a function name");
        else
            cli_error("run: %s needs a value; see 'corral run --help'", options[k].name);
        return -(CLI_EXIT_USAGE + 1);
    }
    int status = options[k].take(ra, value);
    return status ? -(status + 1) : 1;
}

/* With --invoke, the numbers hold no option unless a "--" said so: a misplaced option is
 * named as such rather than failing later as "takes 2 arguments, got 4". No number starts
 * with "--" and a letter, so checking for that costs the numbers nothing. Returns -1 to go
 * on, else the exit status. */
static int check_numbers(const RunArgs *ra)
{
    for (int k = 0; !ra->literal && k < ra->nargs; k++) {
        const char *a = ra->args[k];
        if (cli_is_help(a)) {
            cli_print(usage);
            return CLI_EXIT_OK;
        }
        if (find_option(a) >= 0) {
            cli_error("run: '%s' after the arguments; options must come before them: %s", a,
                      usage_line);
            return CLI_EXIT_USAGE;
        }
        if (a[0] == '-' && a[1] == '-' && isalpha((unsigned char)a[2])) {
            cli_error("run: unknown option '%s'; see 'corral run --help'", a);
            return CLI_EXIT_USAGE;
        }
    }
    return -1;
}

/* Options come before FILE (wasmtime's order); --invoke may also follow FILE directly, and
 * then "--" may end the options. Everything after that is an argument. Returns -1 to go on,
 * else the exit status. */
static int parse_args(int argc, char **argv, RunArgs *ra)
{
    int i = 1, r;
    ra->preopens = calloc((size_t)argc, sizeof *ra->preopens);
    ra->guests = calloc((size_t)argc, sizeof *ra->guests);
    ra->env = calloc((size_t)argc, sizeof *ra->env);
    ra->kv_stores = calloc((size_t)argc, sizeof *ra->kv_stores);
    ra->allow_hosts = calloc((size_t)argc, sizeof *ra->allow_hosts);
    http_policy_default(&ra->http);
    cli_tier_defaults(&ra->tier);
    ra->tier.delay_ms = 100;
    ra->tier.osr = true; /* one long-lived instance: its running calls move to native code */
    if (!ra->preopens || !ra->guests || !ra->env || !ra->kv_stores || !ra->allow_hosts) {
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (cli_is_help(argv[i])) {
            cli_print(usage);
            return CLI_EXIT_OK;
        }
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        if ((r = take_option(argc, argv, &i, ra, false)) < 0)
            return -r - 1;
        if (r == 0) {
            cli_error("run: unknown option '%s'; see 'corral run --help'", argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        cli_error("run: no module given; usage: %s", usage_line);
        return CLI_EXIT_USAGE;
    }
    ra->file = argv[i++];
    if (i < argc && (r = take_option(argc, argv, &i, ra, true)) != 0) {
        if (r < 0)
            return -r - 1;
        i++;
    }
    ra->literal = i < argc && !strcmp(argv[i], "--");
    i += ra->literal;
    ra->args = argv + i;
    ra->nargs = argc - i;
    return ra->invoke ? check_numbers(ra) : -1;
}

/* ---- the module ---- */

/* Reads and compiles the module at path. NULL after reporting why not, as "corral: FILE:
 * 0xOFFSET: message". */
static corral_module_t *load_module(corral_engine_t *engine, const char *path,
                                     const TierOpts *tier)
{
    const char *name = cli_display_name(path);
    uint8_t *bytes;
    size_t len;
    if (!cli_read_file(path, &bytes, &len))
        return NULL;
    if (!cli_text_to_binary(name, &bytes, &len)) {
        free(bytes);
        return NULL;
    }
    return cli_tier_module(engine, name, bytes, len, tier);
}

/* True when module exports a function _start without parameters: a WASI command, whose
 * arguments after FILE are the guest's. */
static bool is_command(const corral_module_t *module)
{
    for (size_t i = 0; i < corral_module_export_count(module); i++) {
        corral_extern_desc_t d;
        corral_module_export(module, i, &d);
        if (d.kind == CORRAL_EXTERN_FUNC && d.name_len == 6 && !memcmp(d.name, "_start", 6))
            return d.functype && corral_functype_param_count(d.functype) == 0;
    }
    return false;
}

/* The WASI context: argv[0] and the guest's arguments (for a command), --env, --dir. NULL
 * after reporting why not. */
static corral_wasi_t *make_wasi(const RunArgs *ra, bool command)
{
    size_t argc = 1 + (command ? (size_t)ra->nargs : 0);
    const char **argv = calloc(argc, sizeof *argv);
    if (!argv) {
        cli_error("out of memory");
        return NULL;
    }
    argv[0] = ra->argv0 ? ra->argv0 : ra->file;
    for (size_t i = 1; i < argc; i++)
        argv[i] = ra->args[i - 1];
    corral_wasi_config_t cfg;
    corral_wasi_config_default(&cfg);
    cfg.argv = argv;
    cfg.argc = argc;
    cfg.env = (const char *const *)ra->env;
    cfg.nenv = ra->nenv;
    cfg.preopens = ra->preopens;
    cfg.npreopens = ra->npreopens;
    char *err = NULL;
    corral_wasi_t *wasi = corral_wasi_new(&cfg, &err);
    if (!wasi)
        cli_error("%s", err ? err : "out of memory");
    free(err);
    free(argv);
    return wasi;
}

/* ---- host interfaces ---- */

/* The host interfaces of one run, made only for a module that imports them. The contexts
 * must outlive the calls into the store; the stores outlive the contexts. */
typedef struct RunHost {
    KvHost *kv; /* NULL unless a store is granted */
    KvCtx *kv_ctx;
    HttpAllowList *allow;
    HttpCtx *http;
} RunHost;

static void run_host_free(RunHost *h)
{
    http_ctx_free(h->http);
    http_allow_free(h->allow);
    kv_ctx_free(h->kv_ctx);
    kv_host_free(h->kv);
}

static bool imports_from(const corral_module_t *module, const char *name)
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

static void log_kv(void *ud, const char *msg)
{
    (void)ud;
    cli_error("key-value store: %s", msg);
}

/* The stores of --runtime-config (and "default"), opened only when --kv-store grants one;
 * every granted name must be configured. Returns -1 to go on, else the exit status. */
static int open_stores(RunHost *h, const RunArgs *ra)
{
    if (ra->nkv_stores == 0)
        return -1; /* granted nothing: every open is denied, no store needs to exist */
    char *err = NULL;
    if (!(h->kv = kv_host_new(ra->runtime_config, ra->state_dir, &err))) {
        cli_error("%s", err ? err : "out of memory");
        free(err);
        return CLI_EXIT_FAIL;
    }
    kv_host_set_log(h->kv, log_kv, NULL);
    for (size_t i = 0; i < ra->nkv_stores; i++) {
        if (!kv_host_has_store(h->kv, ra->kv_stores[i])) {
            cli_error("run: --kv-store %s: no such store is configured (define "
                      "[key_value_store.%s] in the --runtime-config file; 'default' always "
                      "exists)",
                      ra->kv_stores[i], ra->kv_stores[i]);
            return CLI_EXIT_FAIL;
        }
    }
    return -1;
}

/* Links corral_kv and wasi_experimental_http, for a module that imports them, before WASI
 * (which reports every import still empty as unknown). Returns -1 to go on, else the exit
 * status after reporting why not. */
static int link_host(RunHost *h, const RunArgs *ra, corral_store_t *store, const char *name,
                     const corral_module_t *module, corral_extern_t *imports, size_t n)
{
    char *err = NULL;
    int status;
    if (imports_from(module, KV_MODULE)) {
        if ((status = open_stores(h, ra)) >= 0)
            return status;
        h->kv_ctx = kv_ctx_new(h->kv, ra->kv_stores, ra->nkv_stores);
        if (!h->kv_ctx || !kv_link(h->kv_ctx, store, module, imports, n, &err))
            goto fail;
    }
    if (imports_from(module, HTTP_MODULE)) {
        const char *why;
        if (ra->nallow_hosts > 0 && !http_global_init(&why)) {
            cli_error("run: --allow-host: %s", why);
            return CLI_EXIT_FAIL; /* not a usage error: the library is missing */
        }
        if (ra->nallow_hosts > 0 && !(h->allow = http_allow_parse(ra->allow_hosts,
                                                                   ra->nallow_hosts, &err))) {
            status = err ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
            cli_error("run: --allow-host: %s", err ? err : "out of memory");
            free(err);
            return status;
        }
        HttpPolicy p = ra->http;
        p.allow = h->allow;
        if (!(h->http = http_ctx_new(&p)) || !http_link(h->http, store, module, imports, n, &err))
            goto fail;
    }
    return -1;
fail:
    cli_error("%s: %s", name, err ? err : "out of memory");
    free(err);
    return CLI_EXIT_FAIL;
}

/* Fills the imports (owned array, *out) from the host interfaces, the stand-ins for unknown
 * imports the options ask for, and WASI. Returns -1 to go on, else the exit status after
 * reporting an import nobody provides as "corral: FILE: unknown import env::f". */
static int link_imports(RunHost *h, const RunArgs *ra, corral_wasi_t *wasi,
                        corral_store_t *store, const char *name, const corral_module_t *module,
                        corral_extern_t **out, size_t *out_n)
{
    size_t n = corral_module_import_count(module);
    corral_extern_t *imports = calloc(n + 1, sizeof *imports);
    char *err = NULL;
    *out = imports;
    *out_n = n;
    if (!imports) {
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    int status = link_host(h, ra, store, name, module, imports, n);
    if (status >= 0)
        return status;
    if (host_link_unknown(store, module, imports, n, ra->unknown, CORRAL_WASI_MODULE, &err) &&
        corral_wasi_link(wasi, store, module, imports, n, &err))
        return -1;
    cli_error("%s: %s", name, err ? err : "out of memory");
    free(err);
    return CLI_EXIT_FAIL;
}

/* ---- running ---- */

/* The exit status a trap gives: the guest's own for proc_exit, else 134 after printing it
 * ("error: trap: MESSAGE" or, while instantiating, naming the file) with its backtrace. */
static int trap_status(corral_trap_t *trap, const char *instantiating,
                       const corral_module_t *module)
{
    int32_t code;
    int status = CLI_EXIT_TRAP;
    if (corral_trap_exit_status(trap, &code) && (uint32_t)code < 126) {
        status = code;
    } else if (corral_trap_exit_status(trap, &code)) {
        /* Statuses from 126 up mean "not executable", "not found" and signals to shells; a
         * guest cannot pass them off (256 would even read as success), as in wasmtime. */
        cli_error("guest called proc_exit(%" PRIu32 "), outside WASI's range 0..125",
                  (uint32_t)code);
        status = CLI_EXIT_TRAP;
    } else
        cli_print_trap(trap, instantiating, &module, 1);
    corral_trap_delete(trap);
    return status;
}

/* Instantiates module; returns the exit status to stop with, or -1 to go on. */
static int instantiate(corral_store_t *store, const char *name, const corral_module_t *module,
                       const corral_extern_t *imports, size_t nimports, corral_instance_t **out)
{
    corral_trap_t *trap = NULL;
    corral_error_t *err = corral_instance_new(store, module, imports, nimports, out, &trap);
    if (err) {
        cli_error("%s: %s", name, corral_error_message(err));
        corral_error_delete(err);
        return CLI_EXIT_FAIL;
    }
    if (trap)
        return trap_status(trap, name, module);
    if (!*out) {
        cli_error("%s: cannot instantiate (no reason given)", name);
        return CLI_EXIT_FAIL;
    }
    return -1;
}

/* The function to call, or NULL after reporting why there is none. */
static corral_func_t *find_func(corral_instance_t *inst, const char *name, bool defaulted)
{
    corral_extern_t ext;
    if (!corral_instance_export(inst, name, strlen(name), &ext)) {
        if (defaulted)
            cli_error("no _start export; use --invoke NAME");
        else
            cli_error("no export named '%s'", name);
        return NULL;
    }
    if (ext.kind != CORRAL_EXTERN_FUNC) {
        cli_error("export '%s' is not a function", name);
        return NULL;
    }
    return ext.of.func;
}

/* " (i32, f64)", or "" for no parameters; cut short with "..." past size. */
static void describe_params(const corral_functype_t *type, char *buf, size_t size)
{
    size_t n = corral_functype_param_count(type), len = 0, i = 0;
    buf[0] = '\0';
    for (; i < n && len + 32 < size; i++) /* 32: room for a name and ", ...)" */
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : " (",
                                corral_valkind_name(corral_functype_param(type, i)));
    if (n > 0)
        snprintf(buf + len, size - len, "%s)", i < n ? ", ..." : "");
}

static bool parse_call_args(const corral_functype_t *type, const RunArgs *ra, corral_val_t *args)
{
    size_t want = corral_functype_param_count(type);
    if ((size_t)ra->nargs != want) {
        char sig[256];
        describe_params(type, sig, sizeof sig);
        cli_error("'%s' takes %zu argument%s%s, got %d", ra->invoke ? ra->invoke : "_start", want,
                  want == 1 ? "" : "s", sig, ra->nargs);
        return false;
    }
    for (size_t i = 0; i < want; i++) {
        corral_valkind_t kind = corral_functype_param(type, i);
        const char *why;
        if (!cli_parse_val(kind, ra->args[i], &args[i], &why)) {
            cli_error("argument %zu '%s' is not a valid %s: %s", i + 1, ra->args[i],
                      corral_valkind_name(kind), why);
            return false;
        }
    }
    return true;
}

/* Calls f, with the command line's numbers unless it is a command's _start (whose
 * arguments went to WASI), and prints the results. */
static int call_and_print(corral_store_t *store, corral_func_t *f, const RunArgs *ra, bool command,
                          const corral_module_t *module)
{
    const corral_functype_t *type = corral_func_type(f);
    size_t nparams = corral_functype_param_count(type);
    size_t nresults = corral_functype_result_count(type);
    corral_val_t *args = calloc(nparams + 1, sizeof *args);
    corral_val_t *results = calloc(nresults + 1, sizeof *results);
    int status = CLI_EXIT_FAIL;
    if (!args || !results) {
        cli_error("out of memory");
        goto done;
    }
    status = CLI_EXIT_USAGE;
    if (!command && !parse_call_args(type, ra, args))
        goto done;
    corral_trap_t *trap = corral_func_call(store, f, args, nparams, results, nresults);
    if (trap) {
        status = trap_status(trap, NULL, module);
        goto done;
    }
    for (size_t i = 0; i < nresults; i++) {
        char buf[CLI_VAL_TEXT_SIZE];
        cli_format_val(&results[i], buf, sizeof buf);
        puts(buf); /* a failed write shows in cli_finish */
    }
    status = CLI_EXIT_OK;
done:
    free(args);
    free(results);
    return status;
}

/* A reactor's _initialize runs before the invoked function (as in wasmtime). Returns -1 to
 * go on, else the exit status. */
static int initialize(corral_store_t *store, corral_instance_t *inst, const RunArgs *ra,
                      const corral_module_t *module)
{
    corral_extern_t ext;
    if (!ra->invoke || !strcmp(ra->invoke, "_initialize") ||
        !corral_instance_export(inst, "_initialize", 11, &ext) || ext.kind != CORRAL_EXTERN_FUNC)
        return -1;
    const corral_functype_t *t = corral_func_type(ext.of.func);
    if (corral_functype_param_count(t) || corral_functype_result_count(t))
        return -1;
    corral_trap_t *trap = corral_func_call(store, ext.of.func, NULL, 0, NULL, 0);
    return trap ? trap_status(trap, NULL, module) : -1;
}

static corral_engine_t *make_engine(const RunArgs *ra)
{
    corral_config_t cfg;
    corral_config_default(&cfg);
    if (ra->has_max_memory) {
        uint64_t pages = ra->max_memory / 65536;
        cfg.max_memory_pages = pages > 65536 ? 65536 : (uint32_t)pages;
    }
    if (ra->has_max_stack)
        cfg.max_stack_bytes = ra->max_stack;
    cfg.features = ra->features;
    return corral_engine_new(&cfg);
}

/* Everything after loading: WASI, linking, limits, instantiating and the call. */
static int run_module(corral_store_t *store, const corral_module_t *module, const RunArgs *ra)
{
    const char *name = cli_display_name(ra->file);
    bool command = !ra->invoke && is_command(module);
    int status;
    if (!ra->invoke && !command && (status = check_numbers(ra)) >= 0)
        return status;
    corral_wasi_t *wasi = make_wasi(ra, command);
    corral_extern_t *imports = NULL;
    size_t nimports = 0;
    CliTimer *timer = NULL;
    corral_instance_t *inst = NULL;
    RunHost host = {0};
    status = CLI_EXIT_FAIL;
    if (!wasi ||
        (status = link_imports(&host, ra, wasi, store, name, module, &imports, &nimports)) >= 0)
        goto done;
    status = CLI_EXIT_FAIL;
    if (ra->has_fuel)
        corral_store_set_fuel(store, ra->fuel);
    if (ra->timeout_ns) {
        uint64_t deadline = cli_now_ns() + ra->timeout_ns;
        corral_wasi_set_deadline(wasi, deadline);
        if (host.http)
            http_ctx_set_deadline(host.http, deadline);
        if (!(timer = cli_timer_start(store, ra->timeout_ns))) {
            cli_error("cannot start the --timeout timer");
            goto done;
        }
    }
    if ((status = instantiate(store, name, module, imports, nimports, &inst)) >= 0)
        goto done;
    if ((status = initialize(store, inst, ra, module)) >= 0)
        goto done;
    corral_func_t *f = find_func(inst, ra->invoke ? ra->invoke : "_start", !ra->invoke);
    status = f ? call_and_print(store, f, ra, command, module) : CLI_EXIT_USAGE;
done:
    cli_timer_stop(timer);
    free(imports);
    /* Nothing calls into the store after this, so its host functions may outlive wasi and
     * the host interfaces' contexts. */
    corral_wasi_delete(wasi);
    run_host_free(&host);
    return status;
}

static int run_main(int argc, char **argv)
{
    RunArgs ra;
    memset(&ra, 0, sizeof ra);
    ra.features = CORRAL_FEATURES_3_0;
    int status = parse_args(argc, argv, &ra);
    if (status >= 0) {
        free_run_args(&ra);
        return status;
    }
    ra.tier.fuel = ra.has_fuel; /* compiled code counts fuel only when there is a budget */
    /* A guest writing to a closed pipe gets EPIPE, as under wasmtime, not a dead corral. */
    signal(SIGPIPE, SIG_IGN);
    corral_engine_t *engine = make_engine(&ra);
    corral_store_t *store = engine ? corral_store_new(engine) : NULL;
    corral_module_t *module = NULL;
    status = CLI_EXIT_FAIL;
    if (!store)
        cli_error("out of memory");
    else if ((module = load_module(engine, ra.file, &ra.tier)))
        status = run_module(store, module, &ra);
    /* CORRAL_TIER_TRACE=1: how the run used the compiled tier (tests/compile/osr.sh) */
    const char *trace = getenv("CORRAL_TIER_TRACE");
    if (store && trace && strcmp(trace, "1") == 0)
        fprintf(stderr, "corral: tier: %llu on-stack replacements\n",
                (unsigned long long)corral_store_osr_count(store));
    corral_store_delete(store);
    corral_module_delete(module);
    corral_engine_delete(engine);
    free_run_args(&ra);
    return status;
}

const CliCommand cli_cmd_run = {
    .name = "run",
    .summary = "Run a WebAssembly module: a WASI command, or one exported function",
    .usage = usage,
    .main = run_main,
};
