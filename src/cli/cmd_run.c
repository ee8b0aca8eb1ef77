/* cmd_run.c: `corral run`, instantiates one module and calls one export with arguments from
 * the command line, printing the results. No imports yet: WASI arrives in a later change, and
 * until then a module that imports anything is refused with the import's name. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: corral run [--invoke NAME] FILE.wasm [ARGS...]\n"
    "       corral run FILE.wasm --invoke NAME [ARGS...]\n"
    "\n"
    "Instantiates FILE.wasm and calls its exported function NAME (without --invoke, the\n"
    "export _start) with ARGS converted to the function's parameter types, then prints each\n"
    "result on its own line. Modules that import anything are not supported yet.\n"
    "\n"
    "Arguments by parameter type:\n"
    "  i32, i64        decimal or 0x hex, optionally negative: 42, -1, 0xff\n"
    "  f32, f64        decimal or hex float, inf, -inf, nan, nan:0xPAYLOAD\n"
    "  funcref, externref  null\n"
    "Results print the same way: integers as signed decimal, floats in the shortest form\n"
    "that reads back exactly.\n"
    "\n"
    "Options:\n"
    "  --invoke NAME  Call the exported function NAME instead of _start\n"
    "  -h, --help     Show this help\n"
    "\n"
    "Exit status: 0 on success, 1 when the module cannot be read, loaded or instantiated,\n"
    "2 on a usage error (unknown export, wrong argument count, bad number), 134 on a trap\n"
    "(the trap's message and backtrace go to stderr).\n";

typedef struct RunArgs {
    const char *file;
    const char *invoke; /* NULL: _start */
    char **args;
    int nargs;
} RunArgs;

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

/* Options come before FILE (wasmtime's order); --invoke may also follow FILE directly.
 * Everything after that is an argument, so negative numbers need no "--". Returns -1 to
 * go on, else the exit status. */
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
        cli_error("run: no module given; usage: corral run [--invoke NAME] FILE.wasm [ARGS...]");
        return CLI_EXIT_USAGE;
    }
    ra->file = argv[i++];
    if (i < argc && (r = take_invoke(argc, argv, &i, ra)) != 0) {
        if (r < 0)
            return CLI_EXIT_USAGE;
        i++;
    }
    ra->args = argv + i;
    ra->nargs = argc - i;
    return -1;
}

/* The module's first import, as a link error: nothing can be provided yet. */
static bool refuse_imports(const corral_module_t *module)
{
    if (corral_module_import_count(module) == 0)
        return false;
    corral_extern_desc_t d;
    corral_module_import(module, 0, &d);
    cli_error("unknown import %.*s::%.*s (corral run provides no imports yet)", (int)d.module_len,
              d.module, (int)d.name_len, d.name);
    return true;
}

static corral_module_t *load_module(corral_engine_t *engine, const char *path)
{
    uint8_t *bytes;
    size_t len;
    if (!cli_read_file(path, &bytes, &len))
        return NULL;
    corral_module_t *module = NULL;
    corral_error_t *err = corral_module_new(engine, bytes, len, &module);
    free(bytes);
    if (err) {
        char off[32] = "";
        if (corral_error_offset(err) != SIZE_MAX)
            cli_format_offset(corral_error_offset(err), off, sizeof off);
        fprintf(stderr, "%s: %s%s%s\n", path, off, *off ? ": " : "", corral_error_message(err));
        corral_error_delete(err);
    }
    return module;
}

/* Instantiates module; returns the exit status to stop with, or -1 to go on. */
static int instantiate(corral_store_t *store, const char *path, const corral_module_t *module,
                       corral_instance_t **out)
{
    corral_trap_t *trap = NULL;
    corral_error_t *err = corral_instance_new(store, module, NULL, 0, out, &trap);
    if (err) {
        cli_error("%s: %s", path, corral_error_message(err));
        corral_error_delete(err);
        return CLI_EXIT_FAIL;
    }
    if (trap) {
        cli_print_trap(trap);
        corral_trap_delete(trap);
        return CLI_EXIT_TRAP;
    }
    return *out ? -1 : CLI_EXIT_FAIL;
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

static bool parse_call_args(const corral_functype_t *type, const RunArgs *ra, corral_val_t *args)
{
    size_t want = corral_functype_param_count(type);
    if ((size_t)ra->nargs != want) {
        cli_error("'%s' takes %zu argument%s, got %d", ra->invoke ? ra->invoke : "_start", want,
                  want == 1 ? "" : "s", ra->nargs);
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
static int call_and_print(corral_store_t *store, corral_func_t *f, const RunArgs *ra)
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
        cli_print_trap(trap);
        corral_trap_delete(trap);
        status = CLI_EXIT_TRAP;
        goto done;
    }
    for (size_t i = 0; i < nresults; i++) {
        char buf[64];
        cli_format_val(&results[i], buf, sizeof buf);
        puts(buf);
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
    corral_engine_t *engine = corral_engine_new(NULL);
    corral_store_t *store = engine ? corral_store_new(engine) : NULL;
    corral_module_t *module = NULL;
    corral_instance_t *inst = NULL;
    status = CLI_EXIT_FAIL;
    if (!store) {
        cli_error("out of memory");
        goto done;
    }
    module = load_module(engine, ra.file);
    if (!module || refuse_imports(module))
        goto done;
    if ((status = instantiate(store, ra.file, module, &inst)) >= 0)
        goto done;
    corral_func_t *f = find_func(inst, ra.invoke ? ra.invoke : "_start", !ra.invoke);
    status = f ? call_and_print(store, f, &ra) : CLI_EXIT_USAGE;
done:
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
