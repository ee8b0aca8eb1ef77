/* cmd_validate.c: `corral validate`, decodes and validates modules without running them and
 * reports the first error of each as FILE: 0xOFFSET: message. */
#include "cli.h"
#include "wast_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: corral validate [-v] [--wasm-features LIST] FILE.wasm...\n"
    "\n"
    "Decodes and validates each module without compiling or running it (\"-\" reads one\n"
    "from standard input). A valid module prints nothing; an invalid one prints one line on\n"
    "stderr:\n"
    "  FILE: 0xOFFSET: message\n"
    "where OFFSET is the byte offset of the problem in the file. A file in the text format\n"
    "is named as such (\"FILE: this looks like the WebAssembly text format; ...\"). A file\n"
    "that cannot be read prints \"corral: FILE: reason\".\n"
    "\n"
    "Options:\n"
    "  -v, --verbose  Also print \"FILE: valid\" for each valid module\n"
    CLI_FEATURES_HELP
    "  -h, --help     Show this help\n"
    "\n"
    "Exit status: 0 when every module is valid, 1 when one is invalid or unreadable (or\n"
    "the output cannot be written), 2 on a usage error.\n";

/* Validates one file; true when it is valid. */
static bool validate_file(corral_engine_t *engine, const char *path, bool verbose)
{
    const char *name = cli_display_name(path);
    uint8_t *bytes;
    size_t len;
    if (!cli_read_file(path, &bytes, &len))
        return false;
    if (!cli_text_to_binary(name, &bytes, &len)) {
        free(bytes);
        return false;
    }
    corral_error_t *err = corral_module_validate(engine, bytes, len);
    free(bytes);
    if (!err) {
        if (verbose)
            printf("%s: valid\n", name);
        return true;
    }
    const char *msg = corral_error_message(err);
    size_t offset = corral_error_offset(err);
    if (offset == SIZE_MAX) {
        fprintf(stderr, "%s: %s\n", name, msg);
    } else {
        char off[32];
        cli_format_offset(offset, off, sizeof off);
        fprintf(stderr, "%s: %s: %s\n", name, off, msg);
    }
    corral_error_delete(err);
    return false;
}

static int validate_main(int argc, char **argv)
{
    bool verbose = false, options_done = false;
    corral_config_t cfg;
    corral_config_default(&cfg);
    int taken;
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || a[1] == '\0') {
            argv[++nfiles] = argv[i]; /* compacts the file names to argv[1..nfiles] */
        } else if (cli_is_help(a)) {
            cli_print(usage);
            return CLI_EXIT_OK;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            verbose = true;
        } else if (!strcmp(a, "--")) {
            options_done = true;
        } else if ((taken = cli_features_option("validate", argc, argv, &i, &cfg.features)) != 0) {
            if (taken < 0)
                return -taken - 1;
        } else {
            cli_error("validate: unknown option '%s'; see 'corral validate --help'", a);
            return CLI_EXIT_USAGE;
        }
    }
    if (nfiles == 0) {
        cli_error("validate: no module given; usage: corral validate [-v] FILE.wasm...");
        return CLI_EXIT_USAGE;
    }
    corral_engine_t *engine = corral_engine_new(&cfg);
    if (!engine) {
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    bool all_valid = true;
    for (int i = 1; i <= nfiles; i++)
        all_valid &= validate_file(engine, argv[i], verbose);
    corral_engine_delete(engine);
    return all_valid ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

const CliCommand cli_cmd_validate = {
    .name = "validate",
    .summary = "Check that WebAssembly modules are valid",
    .usage = usage,
    .main = validate_main,
};
