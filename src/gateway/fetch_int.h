/* fetch_int.h: what fetch.c, fetch_oci.c and fetch_bindle.c share: the fetcher's state, the
 * cache opened on first use, and each kind of remote module. Not for other files. */
#ifndef CORRAL_GW_FETCH_INT_H
#define CORRAL_GW_FETCH_INT_H

#include "gateway/fetch.h"
#include "gateway/modcache.h"
#include "oci/oci.h"
#include "store/keyring.h"
#include "store/verify.h"

struct GwFetch {
    GwFetchOptions opt;
    ModCache cache;
    bool cache_open;
    OciKeyring *oci_keyring; /* the keyring, as the OCI layer reads it; NULL: none */
    Keyring keyring;         /* the keyring, for invoices (the Bindle client) */
    bool has_keyring;
    VerifyStrategy strategy; /* for invoices */
    char strategy_name[160]; /* the strategy, for messages */
};

/* Opens the module cache when it is not yet (a temporary one is announced on the log).
 * -1 with *out_err. */
int fetch_cache(GwFetch *f, char **out_err);

/* An owned message "WHERE: module 'REF': TEXT" for entry m of cfg. */
char *fetch_module_error(const GwConfig *cfg, const GwModuleConfig *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fetches an oci: module (fetch_oci.c) / a bindle: module (fetch_bindle.c) into the cache and
 * sets m->path and m->sha256. -1 with *out_err. */
int fetch_oci_module(GwFetch *f, const GwConfig *cfg, GwModuleConfig *m, char **out_err);
int fetch_bindle_module(GwFetch *f, const GwConfig *cfg, GwModuleConfig *m, char **out_err);

#endif
