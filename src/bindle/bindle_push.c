/* bindle_push.c: Bindle's push (the standalone-bindle spec's "sending" rules): create the
 * invoice, and when the server has it already ask which of its parcels are missing, so that an
 * interrupted push resumes where it stopped; then upload only those, streamed from disk. */
#include "bindle/bindle_int.h"

#include <stdlib.h>
#include <string.h>

/* The index of the first parcel of inv with digest sha that the spec has a file for, else of
 * the first with that digest; SIZE_MAX when none has it. */
static size_t find_parcel(const BindlePushSpec *p, const char *sha)
{
    size_t any = SIZE_MAX;
    for (size_t i = 0; i < p->inv->nparcels; i++) {
        if (strcmp(p->inv->parcels[i].label.sha256, sha) != 0)
            continue;
        if (p->paths && p->paths[i])
            return i;
        if (any == SIZE_MAX)
            any = i;
    }
    return any;
}

/* How many distinct digests inv has. */
static size_t distinct(const Invoice *inv)
{
    size_t n = 0;
    for (size_t i = 0; i < inv->nparcels; i++) {
        size_t k = 0;
        while (k < i && strcmp(inv->parcels[k].label.sha256, inv->parcels[i].label.sha256) != 0)
            k++;
        n += k == i;
    }
    return n;
}

/* When the server has the invoice already, resuming is right only if it is this bindle:
 * the same parcels in the same order (what the signatures cover) and not yanked. A version
 * never changes on a Bindle server, so anything else is refused here, clearly, rather than
 * reported as pushed. */
static BindleStatus check_existing(BindleClient *c, const char *id, const Invoice *ours)
{
    Invoice *theirs = NULL;
    BindleStatus st = bindle_invoice_get(c, id, true, NULL, NULL, &theirs);
    if (st)
        return st;
    bool same = theirs->nparcels == ours->nparcels;
    for (size_t i = 0; same && i < ours->nparcels; i++)
        same = !strcmp(theirs->parcels[i].label.sha256, ours->parcels[i].label.sha256);
    if (theirs->has_yanked && theirs->yanked)
        st = bindle_fail(&c->err, BINDLE_ERR_EXISTS,
                         "bindle %s exists on the server and is yanked; push a new version", id);
    else if (!same)
        st = bindle_fail(&c->err, BINDLE_ERR_EXISTS,
                         "bindle %s exists on the server with other parcels; a version never "
                         "changes on a Bindle server: push a new version",
                         id);
    invoice_free(theirs);
    return st;
}

BindleStatus bindle_push(BindleClient *c, const BindlePushSpec *p, BindlePushed *out)
{
    *out = (BindlePushed){0};
    char *id = invoice_id(p->inv);
    BindleShas missing = {0};
    if (!id)
        return bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    BindleStatus st = bindle_invoice_create(c, p->text, p->len, &missing);
    if (st == BINDLE_ERR_EXISTS) {
        bindle_log(c, "invoice %s exists on the server: asking for its missing parcels", id);
        out->existed = true;
        st = check_existing(c, id, p->inv);
        if (!st)
            st = bindle_missing_get(c, id, &missing);
    }
    for (size_t i = 0; !st && i < missing.n; i++) {
        size_t dup = 0;
        while (dup < i && strcmp(missing.items[dup], missing.items[i]) != 0)
            dup++;
        if (dup < i) /* one digest, several labels: the bytes go once */
            continue;
        size_t k = find_parcel(p, missing.items[i]);
        if (k == SIZE_MAX) {
            bindle_log(c, "the server lacks parcel %s, which this invoice does not list",
                       missing.items[i]);
            continue;
        }
        const InvLabel *label = &p->inv->parcels[k].label;
        if (!p->paths || !p->paths[k]) {
            out->absent++;
            continue;
        }
        st = bindle_parcel_put(c, id, label, p->paths[k]);
        if (st == BINDLE_ERR_EXISTS) { /* another client uploaded it meanwhile */
            out->present++;
            st = BINDLE_OK;
        } else if (!st) {
            bindle_log(c, "uploaded parcel %s (%s, %llu bytes)", label->sha256, label->name,
                       (unsigned long long)label->size);
            out->uploaded++;
            out->bytes += label->size;
        }
    }
    if (!st) {
        size_t all = distinct(p->inv), counted = out->uploaded + out->present + out->absent;
        out->present += all > counted ? all - counted : 0;
    }
    bindle_shas_clear(&missing);
    free(id);
    return st;
}
