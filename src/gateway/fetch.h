/* fetch.h: the gateway's remote applications, WAGI's "emplace" step: before anything is
 * compiled, the modules a modules.toml names by `oci:` and `bindle:` references are fetched
 * into the module cache, and `corral serve --bindle` builds its whole configuration from a
 * bindle's invoice (handler parcels, assets), from a standalone bindle directory or a Bindle
 * server. Everything is checked before it can run: each parcel against its invoice's SHA-256,
 * each OCI blob against its digest, and, with a keyring, the invoice's signatures under a
 * Bindle verification strategy and the OCI manifest's signature. The cache follows WAGI's
 * layout (docs/design/gateway.md, section 8). Uses src/oci and src/store; no engine. */
#ifndef CORRAL_GW_FETCH_H
#define CORRAL_GW_FETCH_H

#include "gateway/config.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct GwFetchOptions {
    const char *module_cache;  /* --module-cache; NULL: a temporary directory, made when first
                                  needed and removed by gw_fetch_free (WAGI's default is a new
                                  temporary directory too) */
    const char *keyring;       /* --keyring FILE: check signatures with it; NULL: no checks */
    const char *strategy;      /* --strategy (Bindle's names); NULL: GreedyVerification */
    const char *bindle_server; /* --bindle-server / BINDLE_URL ("http://HOST:PORT/v1") */
    const char *bindle_user;   /* Basic credentials for the Bindle server, or NULL */
    const char *bindle_password;
    bool bindle_insecure;   /* -k: do not check the Bindle server's TLS certificate */
    bool oci_insecure_http; /* plain HTTP to any registry, not only loopback ones */
    FILE *log;              /* one line per thing fetched or reused; NULL: quiet */
} GwFetchOptions;

typedef struct GwFetch GwFetch;

/* Reads the keyring and parses the strategy (the cache is opened when first needed). NULL
 * with *out_err (owned) on failure: "--keyring keys.toml: ...", "--strategy: Unknown
 * verification strategy". opt's strings must outlive the result. */
GwFetch *gw_fetch_new(const GwFetchOptions *opt, char **out_err);
/* Releases f; removes a temporary module cache. Call it after the app that uses the cache's
 * files (assets are preopened from it) has been freed. */
void gw_fetch_free(GwFetch *f);

/* Fetches every oci: and bindle: module of cfg into the module cache, or reuses what the cache
 * holds once it checks out again, and sets each one's path and sha256 (the app checks the
 * bytes it compiles against it). Local modules are left alone. -1 with *out_err naming the
 * module's line on failure ("modules.toml:7: module 'oci:127.0.0.1:5000/app:v1': ..."). */
int gw_fetch_modules(GwFetch *f, GwConfig *cfg, char **out_err);

/* Builds *out from bindle id ("NAME/VERSION"): from the standalone bindle directory dir
 * (<dir>/<sha256(id)>/invoice.toml, parcels/<sha256>.dat) when dir is not NULL, else from
 * the Bindle server of the options. The invoice must be id's, not yanked, and with a keyring
 * its signatures must pass the strategy; each handler parcel (application/wasm, global group,
 * feature.wagi.route) becomes a [[module]] with its route, entrypoint, argv and allowed_hosts,
 * its module in the cache (checked against the invoice's SHA-256 and size), and its assets
 * (the parcels with feature.wagi.file = "true" of the groups it requires, transitively) in a
 * directory of their own, preopened read-only at the guest's "/". Warnings (parcels that look
 * like handlers but are not served, unknown feature.wagi keys) go to out->warnings. -1 with
 * *out_err on failure. */
int gw_fetch_bindle(GwFetch *f, const char *id, const char *dir, GwConfig *out, char **out_err);

/* The module cache's directory (opened if it was not yet). NULL when it cannot be made. */
const char *gw_fetch_cache_dir(GwFetch *f);

#endif
