/* fetch.c: the fetcher's state (fetch.h): the keyring read once for OCI and Bindle alike,
 * the strategy, the module cache opened on first use, and the modules.toml loop. */
#include "gateway/fetch_int.h"

#include "store/verify.h"
#include "util/strf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

GwFetch *gw_fetch_new(const GwFetchOptions *opt, char **out_err)
{
    *out_err = NULL;
    GwFetch *f = calloc(1, sizeof *f);
    if (!f) {
        *out_err = strf("out of memory");
        return NULL;
    }
    f->opt = *opt;
    keyring_init(&f->keyring);
    const char *why;
    if (!verify_strategy_parse(opt->strategy ? opt->strategy : "GreedyVerification", &f->strategy,
                               &why)) {
        *out_err = strf("--strategy '%s': %s (GreedyVerification, CreativeIntegrity, "
                        "AuthoritativeIntegrity, ExhaustiveVerification, "
                        "MultipleAttestation[Role, ...], MultipleAttestationGreedy[Role, ...])",
                        opt->strategy, why);
        goto fail;
    }
    verify_strategy_format(&f->strategy, f->strategy_name, sizeof f->strategy_name);
    if (!opt->keyring)
        return f;
    /* A keyring that is not there is a mistake here, not an empty keyring: the point of
     * giving one is that nothing unsigned runs. */
    struct stat st;
    if (stat(opt->keyring, &st) != 0) {
        *out_err = strf("--keyring %s: %s", opt->keyring, strerror(errno));
        goto fail;
    }
    char *err = NULL;
    SignError serr;
    if (!oci_keyring_load(opt->keyring, &f->oci_keyring, &err)) {
        *out_err = strf("--keyring %s", err ? err : "out of memory");
        free(err);
        goto fail;
    }
    if (keyring_load(opt->keyring, &f->keyring, NULL, &serr) != SIGN_OK) {
        *out_err = strf("--keyring %s", serr.message);
        goto fail;
    }
    f->has_keyring = true;
    return f;
fail:
    gw_fetch_free(f);
    return NULL;
}

void gw_fetch_free(GwFetch *f)
{
    if (!f)
        return;
    if (f->cache_open)
        modcache_close(&f->cache);
    oci_keyring_free(f->oci_keyring);
    keyring_free(&f->keyring);
    free(f);
}

int fetch_cache(GwFetch *f, char **out_err)
{
    if (f->cache_open)
        return 0;
    if (!modcache_open(&f->cache, f->opt.module_cache, out_err))
        return -1;
    f->cache_open = true;
    if (f->cache.temporary && f->opt.log)
        fprintf(f->opt.log,
                "corral: no --module-cache given, using temporary directory %s for fetched "
                "modules (removed at exit)\n",
                f->cache.dir);
    return 0;
}

const char *gw_fetch_cache_dir(GwFetch *f)
{
    char *err = NULL;
    if (fetch_cache(f, &err) != 0) {
        free(err);
        return NULL;
    }
    return f->cache.dir;
}

char *fetch_module_error(const GwConfig *cfg, const GwModuleConfig *m, const char *fmt, ...)
{
    char where[512];
    va_list ap;
    va_start(ap, fmt);
    char *text = vstrf(fmt, ap);
    va_end(ap);
    char *msg = text ? strf("%s: module '%s': %s", gw_module_where(cfg, m, 0, where, sizeof where),
                            m->module, text)
                     : NULL;
    free(text);
    return msg ? msg : strf("out of memory");
}

int gw_fetch_modules(GwFetch *f, GwConfig *cfg, char **out_err)
{
    *out_err = NULL;
    for (size_t i = 0; i < cfg->nmodules; i++) {
        GwModuleConfig *m = &cfg->modules[i];
        int r = 0;
        if (m->source == GW_SOURCE_OCI)
            r = fetch_oci_module(f, cfg, m, out_err);
        else if (m->source == GW_SOURCE_BINDLE)
            r = fetch_bindle_module(f, cfg, m, out_err);
        if (r != 0)
            return -1;
    }
    return 0;
}
