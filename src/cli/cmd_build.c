/* cmd_build.c: `corral build`: the app's components built from corral.toml (app_build.c). */
#include "cli.h"
#include "cli/app_build.h"
#include "cli/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: corral build [-f corral.toml] [--force] [--json]\n"
    "\n"
    "Builds the app's components: for each [[component]] of corral.toml whose .wasm is\n"
    "missing or older than its sources (or the manifest), runs its build command in the\n"
    "app's directory with its language's toolchain (c: clang --target=wasm32-wasi with\n"
    "wasi-libc; rust: a rustc with the wasm32-wasi standard library, Debian's /usr/bin/rustc\n"
    "even when a rustup one comes first on PATH; assemblyscript: asc from the app's\n"
    "node_modules, installed with npm install when missing), then checks that the output is\n"
    "a valid WebAssembly module. A missing tool is named with the Debian or npm package that\n"
    "brings it. A failed build shows the tool's output and removes the component's .wasm.\n"
    "\n"
    "Options:\n"
    "  -f, --file FILE  The manifest (default ./corral.toml); paths in it are relative to\n"
    "                   its directory\n"
    "  --force          Build every component, even those up to date\n"
    "  --json           Print a JSON report on stdout instead of progress lines:\n"
    "                   {\"app\", \"version\", \"ok\", \"components\": [{\"id\", \"wasm\",\n"
    "                   \"status\": built|fresh|prebuilt|failed, \"seconds\"}]}\n"
    "  -h, --help       Show this help\n"
    "\n"
    "Exit status: 0 when every component is built, 1 when one fails, 2 on a usage error.\n";

static int build_main(int argc, char **argv)
{
    const char *file = NULL;
    bool force = false, json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_print(usage);
            return CLI_EXIT_OK;
        } else if (!strcmp(a, "--force")) {
            force = true;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "-f") || !strcmp(a, "--file")) {
            if (++i >= argc) {
                cli_error("build: %s needs a file", a);
                return CLI_EXIT_USAGE;
            }
            file = argv[i];
        } else {
            cli_error("build: %s '%s'; see 'corral build --help'",
                      a[0] == '-' ? "unknown option" : "unexpected argument", a);
            return CLI_EXIT_USAGE;
        }
    }
    char *dir = NULL, *err = NULL;
    if (!manifest_enter("build", file, &dir))
        return CLI_EXIT_FAIL;
    AppManifest m;
    int r = CLI_EXIT_OK;
    json_t *rep = json ? json_array() : NULL;
    if (manifest_load(MANIFEST_FILE, &m, &err) != 0) {
        cli_error("build: %s", err ? err : "out of memory");
        r = CLI_EXIT_FAIL;
    } else {
        AppBuildOpts o = {.cmd = "build", .force = force, .quiet = json, .report = rep};
        r = app_build(&m, &o);
    }
    if (json) {
        json_t *top = json_pack("{s:s?, s:s?, s:b, s:o}", "app", m.name,
                                "version", m.version, "ok", r == 0, "components", rep);
        char *text = top ? json_dumps(top, JSON_INDENT(2)) : NULL;
        if (text)
            printf("%s\n", text);
        free(text);
        json_decref(top);
    }
    manifest_free(&m);
    free(err);
    free(dir);
    return r;
}

const CliCommand cli_cmd_build = {
    .name = "build",
    .summary = "Build the app of corral.toml",
    .usage = usage,
    .main = build_main,
};
