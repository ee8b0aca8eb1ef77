/* store_routes.c: Bindle's v1 API (BINDLE.md 4.1), one handler per route, each answering
 * with Bindle's status codes and TOML errors. Uploads stream: an invoice is gathered up to
 * --max-invoice-size, a parcel goes straight into its .part file while it is hashed
 * (provider.c), so memory stays flat whatever the parcel's size. */
#include "store/store_server_int.h"

#include "store/bindle_id.h"
#include "store/doc_out.h"
#include "store/search.h"
#include "util/strf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* A parcel upload's bytes past its label's size are read and dropped up to this many, so
 * the client can be told 400; past that the connection is closed. */
#define DISCARD_MAX (1u << 20)

static bool is_get(const Req *r)
{
    return !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
}

static enum MHD_Result store_failure(Req *r, StoreErr e, const char *err)
{
    switch (e) {
    case STORE_NOT_FOUND:
        return reply_error(r, 404, "Resource not found");
    case STORE_EXISTS:
        return reply_error(r, 409, "Resource already exists");
    case STORE_IN_PROGRESS:
        return reply_error(r, 409, "Resource is being written by another request; try again");
    case STORE_BAD:
        return reply_error(r, 400, "%s", err ? err : "bad data");
    case STORE_OK:
    case STORE_IO:
    case STORE_NOMEM:
        break;
    }
    if (r->srv->cfg.error_log)
        fprintf(r->srv->cfg.error_log, "corral: store: %s\n", err ? err : "out of memory");
    return reply_error(r, 500, "Internal server error");
}

/* Parses r->id; false with a 400 queued (in *out). */
static bool parse_id(Req *r, BindleId *id, enum MHD_Result *out)
{
    const char *why;
    if (bindle_id_parse(r->id, strlen(r->id), id, &why))
        return true;
    *out = reply_error(r, 400, "Invalid bindle ID '%.200s': %s", r->id, why);
    return false;
}

/* The invoice of r->id, or NULL with the refusal queued: 400 bad id, 404, 403 when yanked
 * and !allow_yanked. */
static Invoice *load_invoice(Req *r, bool allow_yanked, enum MHD_Result *out)
{
    BindleId id;
    if (!parse_id(r, &id, out))
        return NULL;
    char *name = strndup(id.name, id.name_len), *err = NULL;
    Invoice *inv = NULL;
    StoreErr e = name ? provider_invoice_get(r->srv->cfg.provider, name, id.version, &inv, &err)
                      : STORE_NOMEM;
    free(name);
    if (e != STORE_OK) {
        *out = store_failure(r, e, err);
        free(err);
        return NULL;
    }
    if (!allow_yanked && inv->has_yanked && inv->yanked) {
        invoice_free(inv);
        *out = reply_error(r, 403, "Invoice %s has been yanked", r->id);
        return NULL;
    }
    return inv;
}

/* "true" or "false" (serde's bool); false with a 400 queued otherwise. */
static bool parse_bool(Req *r, const char *name, const char *v, bool *out, enum MHD_Result *res)
{
    if (!strcmp(v, "true") || !strcmp(v, "false")) {
        *out = v[0] == 't';
        return true;
    }
    *res = reply_error(r, 400, "Invalid query: %s must be true or false, not '%.40s'", name, v);
    return false;
}

/* ---- GET /healthz, /v1/login, /v1/bindle-keys ---- */

static enum MHD_Result healthz(Req *r)
{
    r->json = true;
    return reply_doc(r, 200,
                     json_pack("{s:s, s:s}", "status", "OK", "version", r->srv->cfg.version));
}

static enum MHD_Result keys(Req *r)
{
    char *roles = req_query(r, "roles");
    bool host_only = !roles || roles[0] == '\0' || !strcasecmp(roles, "host");
    free(roles);
    if (!host_only)
        return reply_error(r, 400, "This server only returns keys with the host role");
    json_t *doc = store_host_keyring(r->srv->cfg.signer);
    return doc ? reply_doc(r, 200, doc) : reply_error(r, 500, "out of memory");
}

/* ---- GET /v1/_q ---- */

typedef struct QueryArgs {
    Req *r;
    SearchQuery q;
    char *term, *range;
    unsigned seen; /* bit per field: a second one is an error (serde's duplicate field) */
    enum MHD_Result res;
    bool failed;
} QueryArgs;

/* Refuses the query with a 400 (queued) and stops the walk. */
static bool bad_query(QueryArgs *a, const char *fmt, const char *x, const char *y)
{
    a->res = reply_error(a->r, 400, fmt, x, y);
    a->failed = true;
    return false;
}

static bool query_arg(void *ud, const char *key, const char *value)
{
    QueryArgs *a = ud;
    static const char *const names[][2] = {{"q", "query"}, {"v", "version"}, {"o", "offset"},
                                           {"l", "limit"}, {"strict", ""},   {"yanked", ""}};
    unsigned k = 0;
    while (k < 6 && strcmp(key, names[k][0]) && (!names[k][1][0] || strcmp(key, names[k][1])))
        k++;
    if (k == 6)
        return bad_query(a,
                         "Invalid query: unknown field '%.40s', expected one of q, v, o, l, "
                         "strict, yanked%s",
                         key, "");
    if (a->seen & (1u << k))
        return bad_query(a, "Invalid query: duplicate field '%s'%s", names[k][0], "");
    a->seen |= 1u << k;
    if (k == 0)
        return (a->term = strdup(value)) != NULL;
    if (k == 1)
        return (a->range = strdup(value)) != NULL;
    if (k == 4 || k == 5) {
        bool ok =
            parse_bool(a->r, names[k][0], value, k == 4 ? &a->q.strict : &a->q.yanked, &a->res);
        a->failed = !ok;
        return ok;
    }
    char *end;
    errno = 0;
    bool digits = value[0] >= '0' && value[0] <= '9';
    unsigned long long n = digits ? strtoull(value, &end, 10) : 0;
    if (!digits || *end || errno || (k == 2 ? n > INT64_MAX : n > 255))
        return bad_query(a,
                         k == 2 ? "Invalid query: offset must be a number, not '%.40s'%s"
                                : "Invalid query: limit must be a number from 0 to 255, not "
                                  "'%.40s'%s",
                         value, "");
    if (k == 2)
        a->q.offset = n;
    else
        a->q.limit = (unsigned)n;
    return true;
}

static enum MHD_Result query(Req *r)
{
    QueryArgs a = {r, {"", "", 0, 50, false, false}, NULL, NULL, 0, MHD_NO, false};
    bool ok = req_query_each(r, query_arg, &a);
    enum MHD_Result res;
    if (!ok) {
        res = a.failed ? a.res : reply_error(r, 400, "Invalid query: a parameter holds a NUL");
    } else {
        if (a.term)
            a.q.term = a.term;
        if (a.range)
            a.q.range = a.range;
        char *err = NULL;
        json_t *doc = search_run(r->srv->cfg.provider, &a.q, &err);
        res = doc ? reply_doc(r, 200, doc) : reply_error(r, 400, "Search failed: %s", err);
        free(err);
    }
    free(a.term);
    free(a.range);
    return res;
}

/* ---- /v1/_i/<id>: GET, HEAD, DELETE; /v1/_r/missing/<id> ---- */

static enum MHD_Result get_invoice(Req *r)
{
    enum MHD_Result res;
    bool yanked = false;
    char *y = req_query(r, "yanked");
    bool ok = !y || parse_bool(r, "yanked", y, &yanked, &res);
    free(y);
    if (!ok)
        return res;
    Invoice *inv = load_invoice(r, yanked, &res);
    if (!inv)
        return res;
    json_t *doc = doc_invoice(inv);
    invoice_free(inv);
    return reply_doc(r, 200, doc);
}

static enum MHD_Result yank(Req *r)
{
    enum MHD_Result res;
    BindleId id;
    if (!parse_id(r, &id, &res))
        return res;
    char *name = strndup(id.name, id.name_len), *err = NULL;
    StoreErr e =
        name ? provider_invoice_yank(r->srv->cfg.provider, name, id.version, &err) : STORE_NOMEM;
    free(name);
    res = e == STORE_OK ? reply_message(r, 200, "invoice yanked") : store_failure(r, e, err);
    free(err);
    return res;
}

/* The labels of inv's parcels that are not stored, as a JSON array (new). */
static json_t *missing_labels(Provider *p, const Invoice *inv)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < inv->nparcels; i++)
        if (!provider_parcel_exists(p, inv->parcels[i].label.sha256) &&
            json_array_append_new(a, doc_label(&inv->parcels[i].label)) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static enum MHD_Result missing(Req *r)
{
    enum MHD_Result res;
    Invoice *inv = load_invoice(r, false, &res);
    if (!inv)
        return res;
    json_t *labels = missing_labels(r->srv->cfg.provider, inv);
    invoice_free(inv);
    return reply_doc(r, 200, labels ? json_pack("{s:o}", "missing", labels) : NULL);
}

/* ---- /v1/_i/<id>@<sha>: GET, HEAD, POST ---- */

/* The parcel's label in inv, or NULL with a 400 queued. */
static const InvParcel *find_parcel(Req *r, const Invoice *inv, enum MHD_Result *out)
{
    const InvParcel *p = invoice_find_parcel(inv, r->sha);
    if (!p)
        *out =
            reply_error(r, 400, "Parcel SHA %.80s does not exist in invoice %.200s", r->sha, r->id);
    return p;
}

static enum MHD_Result get_parcel(Req *r)
{
    enum MHD_Result res;
    /* A yanked bindle's parcels stay readable (its invoice is, with yanked=true). */
    Invoice *inv = load_invoice(r, true, &res);
    if (!inv)
        return res;
    const InvParcel *p = find_parcel(r, inv, &res);
    if (p) {
        int fd;
        uint64_t size;
        StoreErr e = provider_parcel_open(r->srv->cfg.provider, r->sha, &fd, &size);
        res = e == STORE_OK ? reply_file(r, fd, size, p->label.media_type)
                            : store_failure(r, e, NULL);
    }
    invoice_free(inv);
    return res;
}

/* Content-Length, or UINT64_MAX when there is none (chunked). */
static uint64_t content_length(Req *r)
{
    const char *cl = req_header(r, "Content-Length");
    char *end;
    if (!cl || cl[0] < '0' || cl[0] > '9')
        return UINT64_MAX;
    unsigned long long n = strtoull(cl, &end, 10);
    return *end ? UINT64_MAX : n;
}

static enum MHD_Result parcel_begin(Req *r)
{
    enum MHD_Result res;
    Invoice *inv = load_invoice(r, true, &res);
    if (!inv)
        return res;
    if (inv->has_yanked && inv->yanked) {
        invoice_free(inv);
        return reply_error(r, 403, "Invoice %.200s has been yanked: no parcel can be added", r->id);
    }
    const InvParcel *p = find_parcel(r, inv, &res);
    uint64_t size = p ? p->label.size : 0, cl = content_length(r);
    invoice_free(inv);
    if (!p)
        return res;
    if (provider_parcel_exists(r->srv->cfg.provider, r->sha))
        return reply_error(r, 409, "Parcel %s already exists", r->sha);
    if (cl != UINT64_MAX && cl != size)
        return reply_error(r, 400, "Parcel size %llu does not match its label's size %llu",
                           (unsigned long long)cl, (unsigned long long)size);
    StoreErr e;
    char *err = NULL;
    r->pw = provider_parcel_begin(r->srv->cfg.provider, r->sha, size, &e, &err);
    if (!r->pw) {
        res = e == STORE_EXISTS ? reply_error(r, 409, "Parcel %s already exists", r->sha)
              : e == STORE_IN_PROGRESS
                  ? reply_error(r, 409, "Parcel %s is being written by another request", r->sha)
                  : store_failure(r, e, err);
        free(err);
        return res;
    }
    return MHD_YES;
}

static enum MHD_Result parcel_data(Req *r, const char *data, size_t n)
{
    if (r->fail_status) {
        r->discarded += n;
        return r->discarded <= DISCARD_MAX ? MHD_YES : MHD_NO;
    }
    char *err = NULL;
    StoreErr e = parcel_write(r->pw, data, n, &err);
    if (e != STORE_OK) {
        parcel_abort(r->pw);
        r->pw = NULL;
        r->fail_status = e == STORE_BAD ? 400 : 500;
        r->fail_msg = err;
        if (e != STORE_BAD && r->srv->cfg.error_log)
            fprintf(r->srv->cfg.error_log, "corral: store: %s\n", err ? err : "out of memory");
        return MHD_YES;
    }
    return MHD_YES;
}

static enum MHD_Result parcel_end(Req *r)
{
    if (r->fail_status)
        return r->fail_status == 400 ? reply_error(r, 400, "%s", r->fail_msg ? r->fail_msg : "")
                                     : reply_error(r, 500, "Internal server error");
    char *err = NULL;
    ParcelWrite *w = r->pw;
    r->pw = NULL;
    StoreErr e = parcel_finish(w, &err);
    enum MHD_Result res = e == STORE_OK ? reply_message(r, 200, "parcel created")
                          : e == STORE_EXISTS
                              ? reply_error(r, 409, "Parcel %s already exists", r->sha)
                              : store_failure(r, e, err);
    free(err);
    return res;
}

/* ---- POST /v1/_i ---- */

/* The media type of Content-Type, without parameters: TOML, JSON, or neither. */
static int body_format(Req *r)
{
    const char *ct = req_header(r, "Content-Type");
    if (!ct)
        return INV_JSON; /* Bindle: only a request without Content-Type reaches its JSON parser */
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if (n == 16 && !strncasecmp(ct, "application/toml", 16))
        return INV_TOML;
    if (n == 16 && !strncasecmp(ct, "application/json", 16))
        return INV_JSON;
    return -1;
}

static enum MHD_Result create_begin(Req *r)
{
    if (body_format(r) < 0)
        return reply_error(r, 400, "content-type is not TOML");
    uint64_t cl = content_length(r);
    if (cl != UINT64_MAX && cl > r->srv->cfg.max_invoice_size)
        return reply_error(r, 413, "Invoice is larger than %llu bytes",
                           (unsigned long long)r->srv->cfg.max_invoice_size);
    return MHD_YES;
}

static enum MHD_Result create_data(Req *r, const char *data, size_t n)
{
    uint64_t max = r->srv->cfg.max_invoice_size;
    if (r->too_large || n > max - r->body_len) {
        if (!r->too_large)
            r->discarded = r->body_len;
        r->too_large = true;
        r->discarded += n;
        return r->discarded - max <= DISCARD_MAX ? MHD_YES : MHD_NO;
    }
    if (n > r->body_cap - r->body_len) {
        size_t cap = r->body_cap ? r->body_cap : 8192;
        while (cap - r->body_len < n)
            cap *= 2;
        char *b = realloc(r->body, cap);
        if (!b)
            return MHD_NO;
        r->body = b;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    return MHD_YES;
}

static enum MHD_Result create_end(Req *r)
{
    if (r->too_large)
        return reply_error(r, 413, "Invoice is larger than %llu bytes",
                           (unsigned long long)r->srv->cfg.max_invoice_size);
    const StoreServerConfig *cfg = &r->srv->cfg;
    char *err = NULL;
    Invoice *inv = invoice_parse(r->body ? r->body : "", r->body_len, body_format(r), &err);
    enum MHD_Result res;
    if (!inv) {
        res = reply_error(r, 400, "Invoice could not be read: %s", err);
    } else if (store_verify_invoice(cfg->verifier, inv, &err) != 0) {
        res = reply_error(r, 400, "%s", err);
    } else if (store_host_sign(cfg->signer, inv, &err) != 0) {
        res = reply_error(r, 400, "%s", err);
    } else if (inv->has_yanked && inv->yanked) {
        res = reply_error(r, 422, "Invoice cannot be created yanked");
    } else {
        StoreErr e = provider_invoice_create(cfg->provider, inv, &err);
        if (e == STORE_OK) {
            json_t *labels = missing_labels(cfg->provider, inv);
            json_t *doc = labels ? json_pack("{s:o}", "invoice", doc_invoice(inv)) : NULL;
            bool some = labels && json_array_size(labels) > 0;
            if (doc && some)
                json_object_set_new(doc, "missing", labels);
            else
                json_decref(labels);
            res = reply_doc(r, some ? 202 : 201, doc);
        } else if (e == STORE_EXISTS || e == STORE_IN_PROGRESS) {
            res = reply_error(r, 409, "Invoice %s/%s already exists", inv->name, inv->version);
        } else {
            res = store_failure(r, e, err);
        }
    }
    free(err);
    invoice_free(inv);
    return res;
}

/* ---- dispatch ---- */

enum MHD_Result route_begin(Req *r)
{
    switch (r->route) {
    case R_HEALTHZ:
        return healthz(r);
    case R_LOGIN:
        return reply_error(r, 404,
                           "Login (OIDC) is not supported by this server; it uses "
                           "HTTP Basic auth (--htpasswd-file) or none");
    case R_BAD_PARCEL:
        return reply_error(r, 400, "Invalid URL. Missing Bindle ID and/or parcel SHA");
    case R_QUERY:
        return query(r);
    case R_KEYS:
        return keys(r);
    case R_INVOICE:
        return is_get(r) ? get_invoice(r) : yank(r);
    case R_MISSING:
        return missing(r);
    case R_PARCEL:
        return is_get(r) ? get_parcel(r) : parcel_begin(r);
    case R_CREATE:
        return create_begin(r);
    case R_NONE:
        break;
    }
    return reply_error(r, 404, "Not Found");
}

enum MHD_Result route_body(Req *r, const char *data, size_t n)
{
    if (r->route == R_CREATE)
        return create_data(r, data, n);
    if (r->route == R_PARCEL && (r->pw || r->fail_status))
        return parcel_data(r, data, n);
    return MHD_YES; /* a body where none is expected: ignored */
}

enum MHD_Result route_end(Req *r)
{
    if (r->route == R_CREATE)
        return create_end(r);
    if (r->route == R_PARCEL && (r->pw || r->fail_status))
        return parcel_end(r);
    return reply_error(r, 500, "Internal server error");
}

void route_cleanup(Req *r)
{
    parcel_abort(r->pw); /* a client gone mid-upload, or the server stopping */
    r->pw = NULL;
}
