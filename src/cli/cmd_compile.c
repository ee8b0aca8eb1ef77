/* cmd_compile.c: `corral compile`: writes the ahead-of-time artifact of a module. */
#include "cli.h"
#include "wast_text.h"
#include "cli_tier.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: corral compile [OPTIONS] FILE.wasm [-o FILE.cwasm]\n"
    "\n"
    "Compiles FILE.wasm to native code for this machine and writes it, with the module\n"
    "itself, as an artifact (default: FILE with .wasm replaced by .cwasm). `corral run\n"
    "FILE.cwasm` then runs it without compiling. An artifact is refused, with the reason,\n"
    "by a Corral of another version, on another kind of CPU, or when it was changed after\n"
    "it was written. Compiling needs a C compiler: cc, or $CORRAL_CC (Debian: gcc).\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE     Where the artifact goes\n"
    CLI_FEATURES_HELP
    "  -h, --help            Show this help\n";

/* FILE.wasm -> FILE.cwasm; anything else gets .cwasm appended. */
static char *default_output(const char *in)
{
    size_t n = strlen(in);
    size_t base = n > 5 && !strcmp(in + n - 5, ".wasm") ? n - 5 : n;
    char *out = malloc(base + 7);
    if (out) {
        memcpy(out, in, base);
        strcpy(out + base, ".cwasm");
    }
    return out;
}

static int compile_main(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    corral_config_t cfg;
    corral_config_default(&cfg);
    int taken;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_print(usage);
            return CLI_EXIT_OK;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (i + 1 >= argc) {
                cli_error("compile: %s needs a file name", a);
                return CLI_EXIT_USAGE;
            }
            out = argv[++i];
        } else if (!strncmp(a, "--output=", 9)) {
            out = a + 9;
        } else if ((taken = cli_features_option("compile", argc, argv, &i, &cfg.features)) != 0) {
            if (taken < 0)
                return -taken - 1;
        } else if ((a[0] == '-' && a[1] != '\0') || in) {
            cli_error("compile: %s '%s'; see 'corral compile --help'",
                      a[0] == '-' && a[1] != '\0' ? "unknown option" : "unexpected argument", a);
            return CLI_EXIT_USAGE;
        } else {
            in = a;
        }
    }
    if (!in) {
        cli_error("compile: no module given; usage: corral compile FILE.wasm [-o FILE.cwasm]");
        return CLI_EXIT_USAGE;
    }
    const char *name = cli_display_name(in);
    uint8_t *bytes;
    size_t len;
    if (!cli_read_file(in, &bytes, &len))
        return CLI_EXIT_FAIL;
    if (tier_is_artifact(bytes, len)) {
        cli_error("%s: already an artifact; compile the .wasm module it was made from", name);
        free(bytes);
        return CLI_EXIT_USAGE;
    }
    if (!cli_text_to_binary(name, &bytes, &len)) {
        free(bytes);
        return CLI_EXIT_FAIL;
    }
    char *def = out ? NULL : default_output(!strcmp(in, "-") ? "module.wasm" : in);
    corral_engine_t *engine = corral_engine_new(&cfg);
    TierOpts opts;
    cli_tier_defaults(&opts);
    opts.tier = TIER_INTERP; /* the module alone: the artifact is made below */
    corral_module_t *m = engine ? cli_tier_module(engine, name, bytes, len, &opts) : NULL;
    int status = CLI_EXIT_FAIL;
    if (m) {
        corral_error_t *err = tier_write_artifact(m, &opts, out ? out : def);
        if (err) {
            cli_error("%s: %s", name, corral_error_message(err));
            corral_error_delete(err);
        } else {
            status = CLI_EXIT_OK;
        }
    }
    corral_module_delete(m);
    corral_engine_delete(engine);
    free(def);
    return status;
}

const CliCommand cli_cmd_compile = {
    .name = "compile",
    .summary = "Compile a module to native code ahead of time (an artifact, .cwasm)",
    .usage = usage,
    .main = compile_main,
};
