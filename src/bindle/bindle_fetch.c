/* bindle_fetch.c: a bindle from a server into the cache (bindle_fetch): the invoice asked of
 * the server every time (a yank must be seen) and verified, the cached copy of it used only
 * when the server cannot be reached, and each wanted parcel taken from the cache when a
 * checked copy is there, else streamed into it. */
#include "bindle/bindle_int.h"

#include "util/strf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- BindleFetched ---- */

BindleStatus bindle_fetched_init(BindleFetched *f, Invoice *inv, char **out_err)
{
    *f = (BindleFetched){0};
    f->invoice = inv;
    f->id = invoice_id(inv);
    f->nparcels = inv->nparcels;
    f->parcels = calloc(inv->nparcels + 1, sizeof *f->parcels);
    if (!f->id || !f->parcels) {
        bindle_fetched_clear(f);
        return bindle_fail(out_err, BINDLE_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < inv->nparcels; i++)
        f->parcels[i].parcel = &inv->parcels[i];
    return BINDLE_OK;
}

void bindle_fetched_clear(BindleFetched *f)
{
    for (size_t i = 0; f->parcels && i < f->nparcels; i++)
        free(f->parcels[i].path);
    free(f->parcels);
    free(f->id);
    free(f->invoice_path);
    invoice_free(f->invoice);
    *f = (BindleFetched){0};
}

bool bindle_wants(const BindleSelect *sel, const InvParcel *p)
{
    return !sel || !sel->want || sel->want(p, sel->want_ud);
}

/* ---- the invoice ---- */

/* Reads and checks the cached invoice of id: parsed, the right bindle. */
static BindleStatus cached_invoice(BindleClient *c, const char *id, const char *path, Invoice **out)
{
    char *text, *why = NULL;
    size_t len;
    BindleStatus st = bindle_read_file(path, BINDLE_MAX_DOC, true, &text, &len, &c->err);
    if (st)
        return st;
    Invoice *inv = invoice_parse(text, len, INV_TOML, &why);
    free(text);
    char *got = inv ? invoice_id(inv) : NULL;
    if (!inv || !got || strcmp(got, id) != 0) {
        st = bindle_fail(&c->err, BINDLE_ERR_FORMAT, "%s: not the invoice of %s%s%s", path, id,
                         why ? ": " : "", why ? why : "");
        invoice_free(inv);
        inv = NULL;
    }
    free(got);
    free(why);
    *out = inv;
    return st;
}

/* The invoice of id from the server (written into the cache when it differs from the cached
 * text), or from the cache when the server cannot be reached. */
static BindleStatus get_invoice(BindleClient *c, const char *id, bool yanked, BindleFetched *f,
                                Invoice **out)
{
    char *path = bindle_cache_invoice(c->cache_dir, id), *text = NULL, *old = NULL;
    size_t len = 0, old_len = 0;
    if (!path)
        return bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    BindleStatus st = bindle_invoice_get(c, id, yanked, &text, &len, out);
    if (st == BINDLE_ERR_NET) {
        char *net = c->err;
        c->err = NULL;
        st = cached_invoice(c, id, path, out);
        if (st == BINDLE_OK) {
            bindle_log(c, "%s; using the cached invoice %s", net, path);
            f->invoice_from_cache = true;
        } else {
            /* The network failure is what the user needs to hear. */
            free(c->err);
            c->err = net;
            net = NULL;
            st = BINDLE_ERR_NET;
        }
        free(net);
    } else if (st == BINDLE_OK) {
        char *ignore = NULL;
        bool same =
            bindle_read_file(path, BINDLE_MAX_DOC, true, &old, &old_len, &ignore) == BINDLE_OK &&
            old_len == len && !memcmp(old, text, len);
        free(ignore);
        if (!same)
            st = bindle_write_atomic(path, text, len, &c->err);
    }
    free(old);
    free(text);
    if (st) {
        free(path);
        invoice_free(*out);
        *out = NULL;
        return st;
    }
    f->invoice_path = path;
    return BINDLE_OK;
}

/* ---- parcels ---- */

/* One wanted parcel: the cached file when it checks, else downloaded into the cache. */
static BindleStatus get_parcel(BindleClient *c, const char *id, const BindleSelect *sel,
                               BindleFetchedParcel *fp, uint64_t *downloaded)
{
    const InvLabel *label = &fp->parcel->label;
    char *path = bindle_cache_parcel(c->cache_dir, label->sha256), *why = NULL;
    if (!path)
        return bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    BindleStatus st = bindle_file_check(path, label, &why);
    if (st == BINDLE_OK) {
        bindle_log(c, "parcel %s (%s): in the cache, checked", label->sha256, label->name);
        fp->path = path;
        fp->cached = true;
        return BINDLE_OK;
    }
    if (st != BINDLE_ERR_NOT_FOUND) {
        /* A damaged or foreign file: fetch the parcel again over it. */
        bindle_log(c, "%s; fetching it again", why ? why : "the cached copy is unusable");
        unlink(path);
    }
    free(why);
    BindleTmp t;
    st = bindle_tmp_open(path, &t, &c->err);
    if (!st) {
        st = bindle_parcel_get(c, id, label, t.f);
        if (st)
            bindle_tmp_abort(&t);
        else
            st = bindle_tmp_commit(&t, &c->err);
    }
    if (st)
        bindle_cache_prune(path);
    if (st == BINDLE_ERR_NOT_FOUND && sel && sel->allow_missing) {
        bindle_log(c, "%s", c->err);
        fp->missing = true;
        st = BINDLE_OK;
    } else if (!st) {
        fp->path = path;
        path = NULL;
        *downloaded += label->size;
    }
    free(path);
    return st;
}

BindleStatus bindle_fetch_with(BindleClient *c, const char *id_text, const Keyring *keyring,
                               const VerifyStrategy *strategy, const BindleSelect *sel,
                               BindleFetched *out)
{
    *out = (BindleFetched){0};
    char *id = bindle_id_checked(id_text, &c->err);
    if (!id)
        return BINDLE_ERR_USAGE;
    BindleFetched f = {0};
    Invoice *inv = NULL;
    BindleStatus st = get_invoice(c, id, sel && sel->yanked, &f, &inv);
    char *path = f.invoice_path;
    bool from_cache = f.invoice_from_cache;
    if (!st && inv->has_yanked && inv->yanked && !(sel && sel->yanked))
        st = bindle_fail(&c->err, BINDLE_ERR_YANKED,
                         "bindle %s is yanked (--yanked takes a yanked bindle anyway)", id);
    if (!st && keyring)
        st = bindle_invoice_verify(inv, keyring, strategy, &c->err);
    if (st) {
        invoice_free(inv);
        free(path);
        free(id);
        return st;
    }
    free(id);
    if ((st = bindle_fetched_init(&f, inv, &c->err)) != BINDLE_OK) {
        free(path);
        return st;
    }
    f.invoice_path = path;
    f.invoice_from_cache = from_cache;
    for (size_t i = 0; !st && i < f.nparcels; i++)
        if (bindle_wants(sel, f.parcels[i].parcel))
            st = get_parcel(c, f.id, sel, &f.parcels[i], &f.downloaded);
    if (st) {
        bindle_fetched_clear(&f);
        return st;
    }
    *out = f;
    return BINDLE_OK;
}

BindleStatus bindle_fetch(const BindleClientOpts *o, const char *id, const Keyring *keyring,
                          const VerifyStrategy *strategy, const BindleSelect *sel,
                          BindleFetched *out, char **out_err)
{
    BindleClient *c;
    *out = (BindleFetched){0};
    BindleStatus st = bindle_client_new(o, &c, out_err);
    if (st)
        return st;
    st = bindle_fetch_with(c, id, keyring, strategy, sel, out);
    if (st) {
        *out_err = c->err;
        c->err = NULL;
    }
    bindle_client_free(c);
    return st;
}
