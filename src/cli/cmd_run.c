/* cmd_run.c: `corral run`, instantiates one module and calls one export with arguments from
 * the command line, printing the results. No imports yet: WASI arrives in a later change, and
 * until then a module that imports anything is refused with the import's name. */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: corral run [--invoke NAME] FILE.wasm [ARGS...]\n"
    "       corral run FILE.wasm [--invoke NAME] [--] [ARGS...]\n"
    "\n"
    "Instantiates FILE.wasm (\"-\" reads it from standard input) and calls its exported\n"
    "function NAME (without --invoke, the export _start) with ARGS converted to the\n"
    "function's parameter types, then prints each result on its own line. Modules that\n"
    "import anything are not supported yet.\n"
    "\n"
    "Options come before FILE; only --invoke may also follow it directly. Everything after\n"
    "that is an argument, so negative numbers need no \"--\" (one is accepted there).\n"
    "\n"
    "Arguments by parameter type:\n"
    "  i32, i64        decimal or 0x hex, optionally negative: 42, -1, 0xff\n"
    "  f32, f64        decimal or hex float, inf, -inf, nan, nan:0xPAYLOAD, rounded to\n"
    "                  nearest: too small becomes 0, too big for the type is an error\n"
    "  funcref, externref  null\n"
    "Results print the same way: integers as signed decimal, floats in the shortest form\n"
    "that reads back exactly (1500, 0.001; exponent form from 1e21 and below 1e-6).\n"
    "\n"
    "Options:\n"
    "  --invoke NAME  Call the exported function NAME instead of _start\n"
    "  -h, --help     Show this help\n"
    "\n"
    "Exit status:\n"
    "  0    success: the function returned and its results were printed\n"
    "  1    FILE cannot be read, decoded, validated or linked (it has imports), or the\n"
    "       results cannot be written\n"
    "  2    usage error: bad option, unknown export, wrong argument count, bad number\n"
    "  134  trap, whether in the function or while instantiating (a start function that\n"
    "       traps, a data or element segment out of bounds); the message and the\n"
    "       backtrace go to stderr\n";

static const char usage_line[] = "corral run [--invoke NAME] FILE.wasm [ARGS...]";

typedef struct RunArgs {
    const char *file;
    const char *invoke; /* NULL: _start */
    char **args;
    int nargs;
} RunArgs;

static bool is_invoke(const char *a)
{
    return !strcmp(a, "--invoke") || !strncmp(a, "--invoke=", 9);
}

/* Takes "--invoke NAME" or "--invoke=NAME" at argv[*i]; returns 1 when taken, 0 when argv[*i]
 * is something else, -1 on a usage error (already reported). */
static int take_invoke(int argc, char **argv, int *i, RunArgs *ra)
{
    const char *a = argv[*i], *name;
    if (!strncmp(a, "--invoke=", 9)) {
        name = a + 9;
    } else if (!strcmp(a, "--invoke")) {
        if (*i + 1 >= argc) {
            cli_error("run: --invoke needs a function name");
            return -1;
        }
        name = argv[++*i];
    } else {
        return 0;
    }
    if (ra->invoke) {
        cli_error("run: --invoke given twice");
        return -1;
    }
    ra->invoke = name;
    return 1;
}

/* ARGS hold no option unless a "--" said so: a misplaced --invoke is named as such rather
 * than failing later as "takes 2 arguments, got 4". No number starts with "--" and a
 * letter, so checking for that costs the arguments nothing. Returns -1 to go on, else the
 * exit status. */
static int check_args(const RunArgs *ra)
{
    for (int k = 0; k < ra->nargs; k++) {
        const char *a = ra->args[k];
        if (cli_is_help(a)) {
            fputs(usage, stdout);
            return CLI_EXIT_OK;
        }
        if (is_invoke(a)) {
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
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return CLI_EXIT_OK;
        }
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        if ((r = take_invoke(argc, argv, &i, ra)) < 0)
            return CLI_EXIT_USAGE;
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
    if (i < argc && (r = take_invoke(argc, argv, &i, ra)) != 0) {
        if (r < 0)
            return CLI_EXIT_USAGE;
        i++;
    }
    bool literal = i < argc && !strcmp(argv[i], "--");
    i += literal;
    ra->args = argv + i;
    ra->nargs = argc - i;
    return literal ? -1 : check_args(ra);
}

/* The module's first import, as a link error: nothing can be provided yet. */
static bool refuse_imports(const corral_module_t *module, const char *name)
{
    if (corral_module_import_count(module) == 0)
        return false;
    corral_extern_desc_t d;
    corral_module_import(module, 0, &d);
    cli_error("%s: unknown import %.*s::%.*s (corral run provides no imports yet)", name,
              (int)d.module_len, d.module, (int)d.name_len, d.name);
    return true;
}

/* Reads and compiles the module at path, and its function names for backtraces. NULL after
 * reporting why not, as "corral: FILE: 0xOFFSET: message". */
static corral_module_t *load_module(corral_engine_t *engine, const char *path, CliFuncNames *names)
{
    const char *name = cli_display_name(path);
    uint8_t *bytes;
    size_t len;
    if (!cli_read_file(path, &bytes, &len))
        return NULL;
    if (cli_looks_like_text(bytes, len)) {
        cli_error("%s: %s", name, CLI_TEXT_FORMAT_MESSAGE);
        free(bytes);
        return NULL;
    }
    corral_module_t *module = NULL;
    corral_error_t *err = corral_module_new(engine, bytes, len, &module);
    if (err) {
        char off[32] = "";
        if (corral_error_offset(err) != SIZE_MAX)
            cli_format_offset(corral_error_offset(err), off, sizeof off);
        cli_error("%s: %s%s%s", name, off, *off ? ": " : "", corral_error_message(err));
        corral_error_delete(err);
    } else {
        cli_func_names_init(names, module);
    }
    free(bytes);
    return module;
}

/* Instantiates module; returns the exit status to stop with, or -1 to go on. */
static int instantiate(corral_store_t *store, const char *name, const corral_module_t *module,
                       const CliFuncNames *names, corral_instance_t **out)
{
    corral_trap_t *trap = NULL;
    corral_error_t *err = corral_instance_new(store, module, NULL, 0, out, &trap);
    if (err) {
        cli_error("%s: %s", name, corral_error_message(err));
        corral_error_delete(err);
        return CLI_EXIT_FAIL;
    }
    if (trap) {
        cli_print_trap(trap, name, names);
        corral_trap_delete(trap);
        return CLI_EXIT_TRAP;
    }
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

/* Calls f with the command line's arguments and prints the results. */
static int call_and_print(corral_store_t *store, corral_func_t *f, const RunArgs *ra,
                          const CliFuncNames *names)
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
    if (!parse_call_args(type, ra, args))
        goto done;
    corral_trap_t *trap = corral_func_call(store, f, args, nparams, results, nresults);
    if (trap) {
        cli_print_trap(trap, NULL, names);
        corral_trap_delete(trap);
        status = CLI_EXIT_TRAP;
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

static int run_main(int argc, char **argv)
{
    RunArgs ra = {NULL, NULL, NULL, 0};
    int status = parse_args(argc, argv, &ra);
    if (status >= 0)
        return status;
    const char *name = cli_display_name(ra.file);
    corral_engine_t *engine = corral_engine_new(NULL);
    corral_store_t *store = engine ? corral_store_new(engine) : NULL;
    corral_module_t *module = NULL;
    corral_instance_t *inst = NULL;
    CliFuncNames names = {NULL, 0};
    status = CLI_EXIT_FAIL;
    if (!store) {
        cli_error("out of memory");
        goto done;
    }
    module = load_module(engine, ra.file, &names);
    if (!module || refuse_imports(module, name))
        goto done;
    if ((status = instantiate(store, name, module, &names, &inst)) >= 0)
        goto done;
    corral_func_t *f = find_func(inst, ra.invoke ? ra.invoke : "_start", !ra.invoke);
    status = f ? call_and_print(store, f, &ra, &names) : CLI_EXIT_USAGE;
done:
    cli_func_names_free(&names);
    corral_store_delete(store);
    corral_module_delete(module);
    corral_engine_delete(engine);
    return status;
}

const CliCommand cli_cmd_run = {
    .name = "run",
    .summary = "Run an exported function of a WebAssembly module",
    .usage = usage,
    .main = run_main,
};
