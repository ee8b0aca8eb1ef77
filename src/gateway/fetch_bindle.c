/* fetch_bindle.c: `corral serve --bindle ID` (WAGI.md 1.3) and `module = "bindle:ID"`
 * (WAGI.md 1.2) on the Bindle client (src/bindle): the bindle is opened, from a standalone
 * directory or tarball or from a Bindle server into the module cache, its invoice checked to
 * be ID's, not yanked and, with a keyring, verified, and the parcels the gateway needs checked
 * against their labels' size and SHA-256. Then its handlers become [[module]] entries
 * (bindle_app.c) whose modules are those checked files, and each handler's assets are copied,
 * checked again, into a directory of their own under <module-cache>/_ASSETS/<sha256(ID)>/,
 * preopened read-only at the guest's "/". */
#include "gateway/fetch_int.h"

#include "bindle/bindle.h"
#include "gateway/bindle_app.h"
#include "util/strf.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- opening a bindle ---- */

/* The parcels `--bindle` needs: handlers (wasm of the global group with a route) and assets. */
static bool want_app(const InvParcel *p, void *ud)
{
    (void)ud;
    const char *file = bindle_feature(&p->label, "wagi", "file");
    return (bindle_is_global(p) && strcmp(p->label.media_type, BINDLE_WASM_MEDIA_TYPE) == 0 &&
            bindle_feature(&p->label, "wagi", "route")) ||
           (file && strcmp(file, "true") == 0);
}

/* The parcels `bindle:` needs: the global group's modules (the first of them is used). */
static bool want_module(const InvParcel *p, void *ud)
{
    (void)ud;
    return bindle_is_global(p) && strcmp(p->label.media_type, BINDLE_WASM_MEDIA_TYPE) == 0;
}

/* An owned "bindle ID: MSG", unless the client's message names the bindle already; a refused
 * signature also names the keyring. */
static char *bindle_error(const GwFetch *f, const char *id, BindleStatus st, const char *msg)
{
    char *prefix = strf("bindle %s", id);
    bool named = prefix && strncmp(msg, prefix, strlen(prefix)) == 0;
    free(prefix);
    if (st == BINDLE_ERR_YANKED) /* the client's message suggests its --yanked */
        return strf("bindle %s is yanked: it is not served", id);
    return strf("%s%s%s%s%s%s%s", named ? "" : "bindle ", named ? "" : id, named ? "" : ": ", msg,
                st == BINDLE_ERR_SIGNATURE ? " (--keyring " : "",
                st == BINDLE_ERR_SIGNATURE ? f->opt.keyring : "",
                st == BINDLE_ERR_SIGNATURE ? ")" : "");
}

/* The client names its own command's flags; the gateway's have a bindle- prefix. */
static char *gateway_flags(const char *msg)
{
    static const char theirs[] = "--http-user/--http-password";
    const char *at = strstr(msg, theirs);
    if (!at)
        return strdup(msg);
    return strf("%.*s--bindle-http-user/--bindle-http-password%s", (int)(at - msg), msg,
                at + strlen(theirs));
}

/* Opens bindle id from the standalone bindle at dir (a directory or a tarball) or, dir NULL,
 * from server, taking the parcels want selects. -1 with *out_err. */
static int open_bindle(GwFetch *f, const char *id, const char *dir, const char *server,
                       bool (*want)(const InvParcel *, void *), BindleFetched *out, char **out_err)
{
    if (fetch_cache(f, out_err) != 0)
        return -1;
    BindleClientOpts o = {
        .server_url = server,
        .cache_dir = f->cache.dir,
        .http_user = f->opt.bindle_user,
        .http_password = f->opt.bindle_password,
        .insecure = f->opt.bindle_insecure,
    };
    BindleSelect sel = {.want = want};
    const Keyring *ring = f->has_keyring ? &f->keyring : NULL;
    char *err = NULL;
    BindleStatus st = dir ? bindle_standalone_open(&o, dir, id, ring, &f->strategy, &sel, out, &err)
                          : bindle_fetch(&o, id, ring, &f->strategy, &sel, out, &err);
    if (st != BINDLE_OK) {
        char *text = err ? gateway_flags(err) : NULL;
        char *msg = bindle_error(f, id, st, text ? text : bindle_status_text(st));
        free(text);
        free(err);
        if (!st || !msg) {
            free(msg);
            msg = strf("out of memory");
        }
        *out_err = msg;
        return -1;
    }
    if (f->opt.log) {
        size_t n = 0, cached = 0;
        for (size_t i = 0; i < out->nparcels; i++) {
            n += out->parcels[i].path != NULL;
            cached += out->parcels[i].path && out->parcels[i].cached;
        }
        if (dir)
            fprintf(f->opt.log, "corral: bindle %s: read from %s (%zu parcels checked)\n", id, dir,
                    n);
        else
            fprintf(f->opt.log,
                    "corral: bindle %s: fetched from %s (%zu parcels: %zu from the module "
                    "cache, %llu bytes downloaded)%s\n",
                    id, server, n, cached, (unsigned long long)out->downloaded,
                    out->invoice_from_cache ? "; the server did not answer, so the invoice "
                                              "is the cached one"
                                            : "");
        if (ring)
            fprintf(f->opt.log, "corral: bindle %s: signatures verified (%s, keyring %s)\n", id,
                    f->strategy_name, f->opt.keyring);
    }
    return 0;
}

/* ---- assets ---- */

/* The directory of a handler's assets: <cache>/_ASSETS/<sha256(ID)>/<sha256 of its asset
 * list>, so handlers needing the same assets share one, and a directory never holds a file
 * its handler does not need. */
static char *asset_dir(GwFetch *f, const char *id, const BindleHandler *h)
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    for (size_t i = 0; i < h->nassets; i++) {
        const InvLabel *l = &h->assets[i]->label;
        crypto_hash_sha256_update(&st, (const unsigned char *)l->sha256, strlen(l->sha256));
        crypto_hash_sha256_update(&st, (const unsigned char *)" ", 1);
        crypto_hash_sha256_update(&st, (const unsigned char *)l->name, strlen(l->name) + 1);
    }
    unsigned char hash[crypto_hash_sha256_BYTES];
    char set[MODCACHE_HEX], key[MODCACHE_HEX];
    crypto_hash_sha256_final(&st, hash);
    sodium_bin2hex(set, sizeof set, hash, sizeof hash);
    modcache_key(id, key);
    return strf("%s/_ASSETS/%s/%s", f->cache.dir, key, set);
}

/* Two assets of one handler with one name but different content cannot both be there. */
static int check_names(const char *id, const BindleHandler *h, char **out_err)
{
    for (size_t i = 0; i < h->nassets; i++)
        for (size_t j = 0; j < i; j++) {
            const InvLabel *a = &h->assets[i]->label, *b = &h->assets[j]->label;
            if (strcmp(a->name, b->name) == 0 && strcmp(a->sha256, b->sha256) != 0) {
                *out_err = strf("bindle %s: handler '%s' (route %s) needs two different "
                                "assets named '%s' (sha256 %s and %s)",
                                id, h->parcel->label.name, h->route, a->name, b->sha256, a->sha256);
                return -1;
            }
        }
    return 0;
}

/* The checked file of parcel p. */
static const char *parcel_path(const BindleFetched *b, const InvParcel *p)
{
    return b->parcels[p - b->invoice->parcels].path;
}

/* Puts each asset of h into dir (copied from its checked file, checked again as it is
 * written), or keeps the copy that is there when it still has the label's size and digest. */
static int place_assets(GwFetch *f, const char *id, const BindleFetched *b, const BindleHandler *h,
                        const char *dir, char **out_err)
{
    if (check_names(id, h, out_err) != 0)
        return -1;
    for (size_t i = 0; i < h->nassets; i++) {
        const InvLabel *l = &h->assets[i]->label;
        const char *src = parcel_path(b, h->assets[i]);
        char *dst = strf("%s/%s", dir, l->name), *err = NULL;
        if (!dst) {
            *out_err = strf("out of memory");
            return -1;
        }
        ModCacheWriter w;
        bool ok = modcache_file_ok(dst, l->sha256, l->size);
        if (!ok && modcache_begin(&w, dst, &err)) {
            ok = modcache_copy_from(&w, src, &err);
            ok = ok ? modcache_commit(&w, l->sha256, l->size, NULL, &err)
                    : (modcache_abort(&w), false);
        }
        if (!ok)
            *out_err = strf("bindle %s: asset '%s': %s", id, l->name, err ? err : "out of memory");
        free(err);
        free(dst);
        if (!ok)
            return -1;
    }
    if (h->nassets && f->opt.log)
        fprintf(f->opt.log, "corral: bindle %s: route %s: %zu asset%s in %s\n", id, h->route,
                h->nassets, h->nassets == 1 ? "" : "s", dir);
    return 0;
}

/* ---- the configuration ---- */

static char *dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Corral's own handler features, which `corral push` of an app writes beside WAGI's:
 * feature.corral.key_value_stores (comma-separated store names) and
 * feature.corral.environment ("NAME=VALUE" lines), the grants corral.toml gives. */
static int corral_features(const InvLabel *l, GwModuleConfig *m)
{
    const char *kv = bindle_feature(l, "corral", "key_value_stores");
    const char *env = bindle_feature(l, "corral", "environment");
    if (kv && !(m->key_value_stores = bindle_split_hosts(kv, &m->nkey_value_stores)))
        return -1;
    if (!env)
        return 0;
    size_t n = 1;
    for (const char *c = env; *c; c++)
        n += *c == '\n';
    if (!(m->environment = calloc(n, sizeof *m->environment)))
        return -1;
    for (const char *s = env; *s;) {
        size_t len = strcspn(s, "\n");
        if (len && memchr(s, '=', len) && s[0] != '=' &&
            !(m->environment[m->nenvironment++] = strndup(s, len)))
            return -1;
        s += len + (s[len] == '\n');
    }
    return 0;
}

/* One [[module]] entry for handler h. */
static int make_entry(GwFetch *f, const char *id, const BindleFetched *b, const BindleHandler *h,
                      GwModuleConfig *m, char **out_err)
{
    const InvLabel *l = &h->parcel->label;
    m->source = GW_SOURCE_PARCEL;
    m->route = dup(h->route);
    m->module = dup(l->name);
    m->path = dup(parcel_path(b, h->parcel));
    m->sha256 = dup(l->sha256);
    m->entrypoint = dup(h->entrypoint ? h->entrypoint : "_start");
    m->argv = dup(h->argv);
    m->where = strf("bindle %s, parcel '%s'", id, l->name);
    if (!m->route || !m->module || !m->path || !m->sha256 || !m->entrypoint ||
        (h->argv && !m->argv) || !m->where)
        goto nomem;
    if (h->allowed_hosts &&
        !(m->allowed_hosts = bindle_split_hosts(h->allowed_hosts, &m->nallowed_hosts)))
        goto nomem;
    if (corral_features(l, m) != 0)
        goto nomem;
    if (h->nassets == 0)
        return 0;
    char *dir = asset_dir(f, id, h);
    if (!dir)
        goto nomem;
    if (place_assets(f, id, b, h, dir, out_err) != 0) {
        free(dir);
        return -1;
    }
    if (!(m->volumes = calloc(1, sizeof *m->volumes)) || !(m->volumes[0].guest = strdup("/"))) {
        free(dir);
        goto nomem;
    }
    m->volumes[0].host = dir;
    m->volumes[0].readonly = true;
    m->nvolumes = 1;
    return 0;
nomem:
    *out_err = strf("out of memory");
    return -1;
}

static int add_warnings(GwConfig *cfg, const char *id, const BindleApp *app)
{
    if (app->nwarnings == 0)
        return 0;
    if (!(cfg->warnings = calloc(app->nwarnings, sizeof *cfg->warnings)))
        return -1;
    for (size_t i = 0; i < app->nwarnings; i++)
        if (!(cfg->warnings[cfg->nwarnings++] = strf("bindle %s: %s", id, app->warnings[i])))
            return -1;
    return 0;
}

int gw_fetch_bindle(GwFetch *f, const char *id, const char *dir, GwConfig *out, char **out_err)
{
    memset(out, 0, sizeof *out);
    *out_err = NULL;
    BindleId bid;
    const char *why;
    struct stat st;
    if (!bindle_id_parse(id, strlen(id), &bid, &why)) {
        *out_err = strf("--bindle '%s' is not a bindle id (NAME/VERSION): %s", id, why);
        return -1;
    }
    /* WAGI's check and message; a file is a standalone tarball (Corral's). */
    if (dir && stat(dir, &st) != 0) {
        *out_err = strf("Bindle directory %s does not exist or is not a directory", dir);
        return -1;
    }
    BindleFetched b = {0};
    BindleApp app = {0};
    int rc = open_bindle(f, id, dir, f->opt.bindle_server, want_app, &b, out_err);
    if (rc == 0 && !bindle_app_build(b.invoice, &app, out_err)) {
        char *e = strf("bindle %s: %s", id, *out_err);
        free(*out_err);
        *out_err = e;
        rc = -1;
    }
    if (rc == 0 && (!(out->file = strf("bindle %s", id)) ||
                    !(out->modules = calloc(app.nhandlers, sizeof *out->modules)) ||
                    add_warnings(out, id, &app) != 0)) {
        *out_err = strf("out of memory");
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < app.nhandlers; i++) {
        out->nmodules++;
        rc = make_entry(f, id, &b, &app.handlers[i], &out->modules[i], out_err);
    }
    bindle_app_free(&app);
    bindle_fetched_clear(&b);
    if (rc != 0)
        gw_config_free(out);
    return rc;
}

/* ---- module = "bindle:NAME/VERSION" ---- */

int fetch_bindle_module(GwFetch *f, const GwConfig *cfg, GwModuleConfig *m, char **out_err)
{
    const char *id = m->module + strlen("bindle:");
    const char *server = m->bindle_server ? m->bindle_server : f->opt.bindle_server;
    BindleId bid;
    const char *why;
    if (!bindle_id_parse(id, strlen(id), &bid, &why)) {
        *out_err =
            fetch_module_error(cfg, m, "'%s' is not a bindle id (NAME/VERSION): %s", id, why);
        return -1;
    }
    if (!server) {
        *out_err = fetch_module_error(cfg, m,
                                      "No Bindle server specified for module %s: give the "
                                      "module a bindle_server key, or serve with "
                                      "--bindle-server URL (or BINDLE_URL)",
                                      m->module);
        return -1;
    }
    BindleFetched b = {0};
    char *err = NULL;
    if (open_bindle(f, id, NULL, server, want_module, &b, &err) != 0) {
        *out_err = fetch_module_error(cfg, m, "%s", err ? err : "out of memory");
        free(err);
        return -1;
    }
    size_t skipped = 0;
    const InvParcel *p = bindle_first_module(b.invoice, &skipped);
    int rc = 0;
    if (!p) {
        *out_err = fetch_module_error(cfg, m,
                                      "No suitable parcel found in module ref '%s': no "
                                      "application/wasm parcel in the global group",
                                      m->module);
        rc = -1;
    } else {
        if (skipped && f->opt.log)
            fprintf(f->opt.log,
                    "corral: warning: module '%s': %zu application/wasm parcel%s in a named "
                    "group passed over (WAGI takes the first of the global group)\n",
                    m->module, skipped, skipped == 1 ? "" : "s");
        free(m->path);
        free(m->sha256);
        m->path = dup(parcel_path(&b, p));
        m->sha256 = dup(p->label.sha256);
        if (!m->path || !m->sha256) {
            *out_err = strf("out of memory");
            rc = -1;
        }
    }
    bindle_fetched_clear(&b);
    return rc;
}
