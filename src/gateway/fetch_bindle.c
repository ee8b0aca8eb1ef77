/* fetch_bindle.c: `corral serve --bindle ID` (WAGI.md 1.3) and `module = "bindle:ID"`
 * (WAGI.md 1.2): a bindle is opened (its invoice read, checked to be ID's, not yanked, and
 * with a keyring verified; the parcels it needs checked against their labels' size and
 * SHA-256), then its handlers become [[module]] entries (bindle_app.c) whose modules are the
 * checked parcel files, and each handler's assets are copied, checked, into a directory of
 * their own under <module-cache>/_ASSETS/<sha256(ID)>/, preopened read-only at the guest's
 * "/". Standalone bindles are read here; a Bindle server is the Bindle client's. */
#include "gateway/fetch_int.h"

#include "gateway/bindle_app.h"
#include "store/bindle_id.h"
#include "util/strf.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A bindle opened: its invoice (parsed, ID's, verified), and for each parcel the file that
 * holds its checked bytes (NULL: not needed). */
typedef struct Opened {
    Invoice *inv;
    char *invoice_path;
    char **paths; /* one per invoice parcel */
} Opened;

static void opened_clear(Opened *o)
{
    for (size_t i = 0; o->inv && o->paths && i < o->inv->nparcels; i++)
        free(o->paths[i]);
    free(o->paths);
    free(o->invoice_path);
    invoice_free(o->inv);
    memset(o, 0, sizeof *o);
}

/* The parcels a gateway needs: handler candidates (wasm of the global group) and assets. */
static bool needed(const InvParcel *p)
{
    const char *file = bindle_feature(&p->label, "wagi", "file");
    return (bindle_is_global(p) && strcmp(p->label.media_type, BINDLE_WASM_MEDIA_TYPE) == 0) ||
           (file && strcmp(file, "true") == 0);
}

/* ---- the invoice ---- */

static char *read_text(const char *path, size_t *len)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 1 >= cap) {
            char *b = cap < ((size_t)64 << 20) ? realloc(buf, cap = cap ? 2 * cap : 8192) : NULL;
            if (!b) {
                free(buf);
                fclose(in);
                errno = cap >= ((size_t)64 << 20) ? EFBIG : ENOMEM;
                return NULL;
            }
            buf = b;
        }
        size_t r = fread(buf + n, 1, cap - 1 - n, in);
        n += r;
        if (r == 0)
            break;
    }
    bool bad = ferror(in);
    fclose(in);
    if (bad) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Checks that the invoice is the one asked for, is not yanked and, with a keyring, that its
 * signatures pass the strategy. */
static int check_invoice(GwFetch *f, const char *id, const Invoice *inv, const char *from,
                         char **out_err)
{
    char *got = invoice_id(inv);
    if (!got) {
        *out_err = strf("out of memory");
        return -1;
    }
    int rc = 0;
    if (strcmp(got, id) != 0) {
        *out_err = strf("bindle %s: %s is the invoice of %s", id, from, got);
        rc = -1;
    } else if (inv->yanked) {
        *out_err = strf("bindle %s is yanked (%s): it is not served", id, from);
        rc = -1;
    }
    free(got);
    char *why = NULL;
    if (rc == 0 && f->verifier && store_verify_invoice(f->verifier, inv, &why) != 0) {
        *out_err = strf("bindle %s: the invoice's signatures do not pass %s with the keyring "
                        "%s, so nothing of it runs: %s",
                        id, f->strategy_name, f->opt.keyring, why ? why : "out of memory");
        rc = -1;
    }
    free(why);
    if (rc == 0 && f->verifier && f->opt.log)
        fprintf(f->opt.log, "corral: bindle %s: signatures verified (%s, keyring %s)\n", id,
                f->strategy_name, f->opt.keyring);
    return rc;
}

/* ---- a standalone bindle: <dir>/<sha256(ID)>/invoice.toml, parcels/<sha256>.dat ---- */

static int open_standalone(GwFetch *f, const char *id, const char *dir, Opened *out,
                           char **out_err)
{
    char key[MODCACHE_HEX];
    modcache_key(id, key);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        *out_err = strf("Bindle directory %s does not exist or is not a directory", dir);
        return -1;
    }
    size_t len = 0;
    char *text = NULL, *err = NULL;
    if (!(out->invoice_path = strf("%s/%s/invoice.toml", dir, key)))
        goto nomem;
    if (!(text = read_text(out->invoice_path, &len))) {
        *out_err = strf("bindle %s: cannot read %s: %s (a standalone bindle's invoice is "
                        "<dir>/<sha256 of NAME/VERSION>/invoice.toml)",
                        id, out->invoice_path, strerror(errno));
        return -1;
    }
    out->inv = invoice_parse(text, len, INV_TOML, &err);
    free(text);
    if (!out->inv) {
        *out_err = strf("bindle %s: %s: %s", id, out->invoice_path, err ? err : "out of memory");
        free(err);
        return -1;
    }
    if (check_invoice(f, id, out->inv, out->invoice_path, out_err) != 0)
        return -1;
    if (!(out->paths = calloc(out->inv->nparcels + 1, sizeof *out->paths)))
        goto nomem;
    for (size_t i = 0; i < out->inv->nparcels; i++) {
        const InvLabel *l = &out->inv->parcels[i].label;
        if (!needed(&out->inv->parcels[i]))
            continue;
        if (!(out->paths[i] = strf("%s/%s/parcels/%s.dat", dir, key, l->sha256)))
            goto nomem;
        char got[MODCACHE_HEX];
        uint64_t size;
        if (!modcache_hash_file(out->paths[i], got, &size)) {
            *out_err = strf("bindle %s: parcel '%s': cannot read %s: %s", id, l->name,
                            out->paths[i], strerror(errno));
            return -1;
        }
        if (strcmp(got, l->sha256) != 0 || size != l->size) {
            *out_err = strf("bindle %s: parcel '%s': %s has %llu bytes with SHA-256 %s, not "
                            "the %llu bytes with SHA-256 %s of the invoice: it is not served",
                            id, l->name, out->paths[i], (unsigned long long)size, got,
                            (unsigned long long)l->size, l->sha256);
            return -1;
        }
    }
    return 0;
nomem:
    *out_err = strf("out of memory");
    return -1;
}

/* ---- a Bindle server ---- */

static int open_server(GwFetch *f, const char *id, const char *server, Opened *out,
                       char **out_err)
{
    (void)f;
    (void)out;
    *out_err = strf("bindle %s: fetching from a Bindle server (%s) is not supported yet; "
                    "export the bindle and serve it with --bindle-path",
                    id, server);
    return -1;
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
                                id, h->parcel->label.name, h->route, a->name, b->sha256,
                                a->sha256);
                return -1;
            }
        }
    return 0;
}

/* Puts each asset of h into dir (copied from its checked file, checked again as it is
 * written), or keeps the copy that is there when it still has the label's size and digest. */
static int place_assets(GwFetch *f, const char *id, const Opened *o, const BindleHandler *h,
                        const char *dir, char **out_err)
{
    if (check_names(id, h, out_err) != 0)
        return -1;
    for (size_t i = 0; i < h->nassets; i++) {
        const InvParcel *p = h->assets[i];
        const InvLabel *l = &p->label;
        const char *src = o->paths[p - o->inv->parcels];
        char *dst = strf("%s/%s", dir, l->name), *err = NULL;
        if (!dst) {
            *out_err = strf("out of memory");
            return -1;
        }
        ModCacheWriter w;
        bool ok = modcache_file_ok(dst, l->sha256, l->size) ||
                  (modcache_begin(&w, dst, &err) &&
                   (modcache_copy_from(&w, src, &err) || (modcache_abort(&w), false)) &&
                   modcache_commit(&w, l->sha256, l->size, NULL, &err));
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

/* One [[module]] entry for handler h. */
static int make_entry(GwFetch *f, const char *id, const Opened *o, const BindleHandler *h,
                      GwModuleConfig *m, char **out_err)
{
    const InvLabel *l = &h->parcel->label;
    m->source = GW_SOURCE_PARCEL;
    m->route = dup(h->route);
    m->module = dup(l->name);
    m->path = dup(o->paths[h->parcel - o->inv->parcels]);
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
    if (h->nassets == 0)
        return 0;
    char *dir = asset_dir(f, id, h);
    if (!dir)
        goto nomem;
    if (place_assets(f, id, o, h, dir, out_err) != 0) {
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
    if (!bindle_id_parse(id, strlen(id), &bid, &why)) {
        *out_err = strf("--bindle '%s' is not a bindle id (NAME/VERSION): %s", id, why);
        return -1;
    }
    Opened o = {0};
    BindleApp app = {0};
    int rc = dir ? open_standalone(f, id, dir, &o, out_err)
                 : open_server(f, id, f->opt.bindle_server, &o, out_err);
    if (rc == 0 && !bindle_app_build(o.inv, &app, out_err)) {
        char *e = strf("bindle %s: %s", id, *out_err);
        free(*out_err);
        *out_err = e;
        rc = -1;
    }
    if (rc == 0)
        rc = fetch_cache(f, out_err);
    if (rc == 0 && (!(out->file = strf("bindle %s", id)) ||
                    !(out->modules = calloc(app.nhandlers, sizeof *out->modules)) ||
                    add_warnings(out, id, &app) != 0)) {
        *out_err = strf("out of memory");
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < app.nhandlers; i++) {
        out->nmodules++;
        rc = make_entry(f, id, &o, &app.handlers[i], &out->modules[i], out_err);
    }
    bindle_app_free(&app);
    opened_clear(&o);
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
        *out_err = fetch_module_error(cfg, m, "'%s' is not a bindle id (NAME/VERSION): %s", id,
                                      why);
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
    Opened o = {0};
    char *err = NULL;
    if (open_server(f, id, server, &o, &err) != 0) {
        *out_err = fetch_module_error(cfg, m, "%s", err ? err : "out of memory");
        free(err);
        return -1;
    }
    size_t skipped = 0;
    const InvParcel *p = bindle_first_module(o.inv, &skipped);
    int rc = 0;
    if (!p) {
        *out_err = fetch_module_error(cfg, m, "No suitable parcel found in module ref '%s': no "
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
        m->path = dup(o.paths[p - o.inv->parcels]);
        m->sha256 = dup(p->label.sha256);
        if (!m->path || !m->sha256) {
            *out_err = strf("out of memory");
            rc = -1;
        }
    }
    opened_clear(&o);
    return rc;
}
