/* cli_tier.h: the --tier, --cache-dir and --no-cache options of run, serve and wast, and
 * loading a module or artifact onto its tier (compile/tier.h). */
#ifndef CORRAL_CLI_TIER_H
#define CORRAL_CLI_TIER_H

#include "compile/tier.h"

/* The options' help text, for a command's usage. */
#define CLI_TIER_HELP                                                                        \
    "  --tier TIER           interp, jit, aot or auto (default auto): the interpreter;\n"    \
    "                        native code compiled now; native code through an artifact\n"    \
    "                        in the cache; or the interpreter at once and native code\n"     \
    "                        once a background compile is done (started when the guest\n"   \
    "                        has run for 100 ms; a cached artifact is used at once)\n"        \
    "  --cache-dir DIR       Where compiled code is kept (default\n"                          \
    "                        $XDG_CACHE_HOME/corral, else ~/.cache/corral)\n"                 \
    "  --no-cache            Neither read nor write compiled code in the cache\n"

/* Sets opts to the defaults: auto, the default cache, $CORRAL_TIER when set. */
void cli_tier_defaults(TierOpts *opts);
/* Takes option `name` with value v (NULL for --no-cache) for command cmd. 1 taken, 0 not
 * a tier option, or -(exit status + 1) after reporting a problem. */
int cli_tier_option(const char *cmd, const char *name, const char *v, TierOpts *opts);
/* Whether name (without any "=value") is one of the options, and whether it takes a value. */
bool cli_tier_is_option(const char *name, bool *takes_value);

/* Makes the module of bytes (owned: freed with the module, or now on failure), named name
 * in messages: an artifact is checked and loaded with its code; a .wasm module is put on
 * opts' tier. NULL after reporting why. */
corral_module_t *cli_tier_module(corral_engine_t *engine, const char *name, uint8_t *bytes,
                                 size_t len, const TierOpts *opts);

#endif
