/* bindle_app.c: an invoice's handlers and assets, as WAGI reads them (bindle_app.h). */
#include "gateway/bindle_app.h"

#include "util/strf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *bindle_feature(const InvLabel *l, const char *section, const char *key)
{
    for (size_t i = 0; i < l->nfeatures; i++) {
        if (strcmp(l->features[i].section, section) != 0)
            continue;
        const InvMap *m = &l->features[i].map;
        for (size_t k = 0; k < m->n; k++)
            if (strcmp(m->items[k].key, key) == 0)
                return m->items[k].value;
    }
    return NULL;
}

bool bindle_is_global(const InvParcel *p)
{
    return p->member_of.n == 0;
}

static bool has_string(const InvStrings *list, const char *s)
{
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->items[i], s) == 0)
            return true;
    return false;
}

static bool is_asset(const InvParcel *p)
{
    const char *file = bindle_feature(&p->label, "wagi", "file");
    return file && strcmp(file, "true") == 0;
}

/* ---- warnings ---- */

static bool warn(BindleApp *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool warn(BindleApp *app, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *w = vstrf(fmt, ap);
    va_end(ap);
    char **more = w ? realloc(app->warnings, (app->nwarnings + 1) * sizeof *more) : NULL;
    if (!more) {
        free(w);
        return false;
    }
    app->warnings = more;
    app->warnings[app->nwarnings++] = w;
    return true;
}

/* The keys of [parcel.label.feature.wagi] WAGI reads (bindle_server is reserved). */
static const char *const wagi_keys[] = {"route", "entrypoint", "allowed_hosts",
                                        "argv",  "file",       "bindle_server"};

/* Warns about each feature.wagi key WAGI does not read: a typo would otherwise go unseen. */
static bool warn_unknown_keys(BindleApp *app, const InvParcel *p)
{
    for (size_t i = 0; i < p->label.nfeatures; i++) {
        const InvFeature *f = &p->label.features[i];
        if (strcmp(f->section, "wagi") != 0)
            continue;
        for (size_t k = 0; k < f->map.n; k++) {
            const char *key = f->map.items[k].key;
            size_t j = 0;
            while (j < sizeof wagi_keys / sizeof wagi_keys[0] && strcmp(wagi_keys[j], key) != 0)
                j++;
            if (j == sizeof wagi_keys / sizeof wagi_keys[0] &&
                !warn(app, "parcel '%s': unknown key feature.wagi.%s (ignored)", p->label.name,
                      key))
                return false;
        }
    }
    return true;
}

/* Warns why parcel p, which has feature.wagi.route, is not a handler. false: no memory. */
static bool not_a_handler(BindleApp *app, const InvParcel *p)
{
    if (strcmp(p->label.media_type, BINDLE_WASM_MEDIA_TYPE) != 0)
        return warn(app,
                    "parcel '%s' has feature.wagi.route but its mediaType is %s, not "
                    "application/wasm: not served",
                    p->label.name, p->label.media_type);
    return warn(app,
                "parcel '%s' has feature.wagi.route but is in group '%s', not the global "
                "group: not served",
                p->label.name, p->member_of.items[0]);
}

/* ---- assets: the groups a handler requires, transitively ---- */

/* Marks in[] every parcel that is a member of a group reachable from p's requires: the
 * members of each required group, then the groups those members require, and so on. */
static bool reach(const Invoice *inv, const InvParcel *p, bool *in)
{
    const InvStrings *first = &p->requires;
    size_t cap = first->n + 8, n = 0;
    const char **groups = malloc(cap * sizeof *groups);
    if (!groups)
        return false;
    for (size_t i = 0; i < first->n; i++)
        groups[n++] = first->items[i];
    for (size_t g = 0; g < n; g++) {
        for (size_t k = 0; k < inv->nparcels; k++) {
            const InvParcel *q = &inv->parcels[k];
            const InvStrings *more = &q->requires;
            if (!has_string(&q->member_of, groups[g]))
                continue;
            in[k] = true;
            for (size_t r = 0; r < more->n; r++) {
                bool seen = false;
                for (size_t j = 0; j < n && !seen; j++)
                    seen = strcmp(groups[j], more->items[r]) == 0;
                if (seen)
                    continue;
                if (n == cap) {
                    const char **bigger = realloc(groups, (cap *= 2) * sizeof *groups);
                    if (!bigger) {
                        free(groups);
                        return false;
                    }
                    groups = bigger;
                }
                groups[n++] = more->items[r];
            }
        }
    }
    free(groups);
    return true;
}

static bool find_assets(const Invoice *inv, BindleHandler *h)
{
    bool *in = calloc(inv->nparcels + 1, sizeof *in);
    if (!in || !reach(inv, h->parcel, in)) {
        free(in);
        return false;
    }
    size_t n = 0;
    for (size_t k = 0; k < inv->nparcels; k++)
        n += in[k] && is_asset(&inv->parcels[k]);
    h->assets = calloc(n + 1, sizeof *h->assets);
    if (h->assets)
        for (size_t k = 0; k < inv->nparcels; k++)
            if (in[k] && is_asset(&inv->parcels[k]))
                h->assets[h->nassets++] = &inv->parcels[k];
    free(in);
    return h->assets != NULL;
}

/* ---- handlers ---- */

bool bindle_app_build(const Invoice *inv, BindleApp *out, char **out_err)
{
    memset(out, 0, sizeof *out);
    out->handlers = calloc(inv->nparcels + 1, sizeof *out->handlers);
    bool ok = out->handlers != NULL;
    for (size_t k = 0; ok && k < inv->nparcels; k++) {
        const InvParcel *p = &inv->parcels[k];
        ok = warn_unknown_keys(out, p);
        const char *route = bindle_feature(&p->label, "wagi", "route");
        if (!ok || !route)
            continue;
        if (strcmp(p->label.media_type, BINDLE_WASM_MEDIA_TYPE) != 0 || !bindle_is_global(p)) {
            ok = not_a_handler(out, p);
            continue;
        }
        BindleHandler *h = &out->handlers[out->nhandlers++];
        h->parcel = p;
        h->route = route;
        h->entrypoint = bindle_feature(&p->label, "wagi", "entrypoint");
        h->argv = bindle_feature(&p->label, "wagi", "argv");
        h->allowed_hosts = bindle_feature(&p->label, "wagi", "allowed_hosts");
        ok = find_assets(inv, h);
    }
    if (!ok) {
        *out_err = strf("out of memory");
    } else if (out->nhandlers == 0) {
        *out_err = strf("the invoice has no handler parcel: none with mediaType "
                        "application/wasm, in the global group, with feature.wagi.route");
        ok = false;
    }
    if (!ok)
        bindle_app_free(out);
    return ok;
}

void bindle_app_free(BindleApp *app)
{
    for (size_t i = 0; i < app->nhandlers; i++)
        free(app->handlers[i].assets);
    free(app->handlers);
    for (size_t i = 0; i < app->nwarnings; i++)
        free(app->warnings[i]);
    free(app->warnings);
    memset(app, 0, sizeof *app);
}

const InvParcel *bindle_first_module(const Invoice *inv, size_t *out_skipped)
{
    *out_skipped = 0;
    for (size_t k = 0; k < inv->nparcels; k++) {
        const InvParcel *p = &inv->parcels[k];
        if (strcmp(p->label.media_type, BINDLE_WASM_MEDIA_TYPE) != 0)
            continue;
        if (bindle_is_global(p))
            return p;
        ++*out_skipped;
    }
    return NULL;
}

char **bindle_split_hosts(const char *text, size_t *out_n)
{
    size_t n = 1;
    for (const char *c = text; *c; c++)
        n += *c == ',';
    char **items = calloc(n + 1, sizeof *items);
    *out_n = 0;
    if (!items)
        return NULL;
    for (const char *s = text;; s++) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        const char *a = s, *b = s + len;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (b > a && !(items[(*out_n)++] = strndup(a, (size_t)(b - a)))) {
            for (size_t i = 0; i < *out_n; i++)
                free(items[i]);
            free(items);
            return NULL;
        }
        if (!e)
            break;
        s = e;
    }
    return items;
}
