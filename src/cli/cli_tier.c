/* cli_tier.c: the tier options shared by run, serve and wast (cli_tier.h). */
#include "cli_tier.h"

#include "cli.h"

#include <stdlib.h>
#include <string.h>

void cli_tier_defaults(TierOpts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->tier = TIER_AUTO;
    opts->opt = -1;
    const char *env = getenv("CORRAL_TIER");
    Tier t;
    if (env && *env && tier_parse(env, &t))
        opts->tier = t;
}

bool cli_tier_is_option(const char *name, bool *takes_value)
{
    *takes_value = strcmp(name, "--no-cache") != 0;
    return !strcmp(name, "--tier") || !strcmp(name, "--cache-dir") ||
           !strcmp(name, "--no-cache");
}

int cli_tier_option(const char *cmd, const char *name, const char *v, TierOpts *opts)
{
    if (!strcmp(name, "--tier")) {
        if (!tier_parse(v, &opts->tier)) {
            cli_error("%s: --tier: unknown tier '%s' (want interp, jit, aot or auto)", cmd, v);
            return -(CLI_EXIT_USAGE + 1);
        }
        opts->tier_given = true;
        return 1;
    }
    if (!strcmp(name, "--cache-dir")) {
        if (!*v) {
            cli_error("%s: --cache-dir needs a directory", cmd);
            return -(CLI_EXIT_USAGE + 1);
        }
        opts->cache_dir = v;
        return 1;
    }
    if (!strcmp(name, "--no-cache")) {
        opts->cache_dir = "";
        return 1;
    }
    return 0;
}

static void report(const char *name, corral_error_t *err)
{
    char off[32] = "";
    if (corral_error_offset(err) != SIZE_MAX)
        cli_format_offset(corral_error_offset(err), off, sizeof off);
    cli_error("%s: %s%s%s", name, off, *off ? ": " : "", corral_error_message(err));
    corral_error_delete(err);
}

corral_module_t *cli_tier_module(corral_engine_t *engine, const char *name, uint8_t *bytes,
                                 size_t len, const TierOpts *opts)
{
    corral_module_t *module = NULL;
    corral_error_t *err;
    if (tier_is_artifact(bytes, len)) {
        /* an artifact runs its native code unless --tier interp said otherwise; a default
         * tier ($CORRAL_TIER) does not refuse it */
        if (opts->tier == TIER_INTERP && opts->tier_given) {
            cli_error("%s: an artifact holds native code; --tier interp runs .wasm modules "
                      "only", name);
            free(bytes);
            return NULL;
        }
        err = tier_load_artifact(engine, name, bytes, len, &module);
        free(bytes);
        if (err) { /* the artifact's messages name the file themselves */
            cli_error("%s", corral_error_message(err));
            corral_error_delete(err);
        }
        return module;
    }
    /* The module keeps the bytes (no second copy of a big module) and frees them. */
    err = corral_module_new_owned(engine, bytes, len, cli_free_bytes, NULL, &module);
    if (err) {
        report(name, err);
        return NULL;
    }
    if ((err = tier_prepare(module, opts))) {
        report(name, err);
        corral_module_delete(module);
        return NULL;
    }
    return module;
}
