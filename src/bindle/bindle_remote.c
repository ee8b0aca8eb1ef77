/* bindle_remote.c: the v1 API operations, one function per route of BINDLE.md 4.1 that a
 * client calls: invoices (get, create), parcels (up, down), missing parcels, yank, search,
 * host keys. Each checks what comes back: documents against Bindle's schema, parcels against
 * their label while they stream, an invoice against the id asked for. */
#include "bindle/bindle_int.h"

#include "util/strf.h"
#include "util/toml.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TOML_TYPE "application/toml"

/* ---- invoices ---- */

BindleStatus bindle_invoice_get(BindleClient *c, const char *id_text, bool yanked, char **out_text,
                                size_t *out_len, Invoice **out_inv)
{
    char *id = bindle_id_checked(id_text, &c->err);
    if (!id)
        return BINDLE_ERR_USAGE;
    char *path = bindle_url_path("_i/", id, NULL);
    char *full = path && yanked ? strf("%s?yanked=true", path) : NULL;
    BindleReq rq = {.method = "GET",
                    .path = yanked ? full : path,
                    .accept = TOML_TYPE,
                    .max_body = BINDLE_MAX_DOC};
    BindleResp r;
    BindleStatus st =
        rq.path ? bindle_send(c, &rq, &r) : bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    if (!st && r.status != 200) {
        char *what = strf("bindle %s", id);
        st = bindle_fail_status(c, what ? what : id, &r, true);
        free(what);
    }
    Invoice *inv = NULL;
    if (!st) {
        char *why = NULL;
        inv = invoice_parse(r.body ? r.body : "", r.body_len, INV_TOML, &why);
        if (!inv)
            st = bindle_fail(&c->err, BINDLE_ERR_FORMAT,
                             "bindle %s: the server sent an invoice that does not parse: %s", id,
                             why ? why : "out of memory");
        free(why);
    }
    if (!st) {
        char *got = invoice_id(inv);
        if (!got || strcmp(got, id) != 0)
            st = bindle_fail(&c->err, BINDLE_ERR_INTEGRITY,
                             "bindle %s: the server sent the invoice of %.200s instead", id,
                             got ? got : "?");
        free(got);
    }
    if (!st && out_text) {
        *out_text = r.body ? r.body : strdup("");
        *out_len = r.body_len;
        r.body = NULL;
        if (!*out_text)
            st = bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    }
    if (!st && out_inv) {
        *out_inv = inv;
        inv = NULL;
    }
    invoice_free(inv);
    if (rq.path)
        bindle_resp_clear(&r);
    free(full);
    free(path);
    free(id);
    return st;
}

/* The sha256 of each table of the array key in a TOML document (a 202 answer's missing, or
 * _r/missing's). A missing array is an empty list. */
static BindleStatus missing_list(BindleClient *c, const char *what, const char *body, size_t len,
                                 BindleShas *out)
{
    TomlValue *root = NULL;
    TomlError terr;
    *out = (BindleShas){0};
    if (toml_parse(body ? body : "", len, &root, &terr) != TOML_OK)
        return bindle_fail(&c->err, BINDLE_ERR_FORMAT,
                           "%s: the server's answer is not TOML (line %u: %s)", what,
                           (unsigned)terr.line, terr.message);
    const TomlValue *missing = toml_table_get(root, "missing");
    size_t n = toml_array_len(missing);
    BindleStatus st = BINDLE_OK;
    if (n && !(out->items = calloc(n, sizeof *out->items)))
        st = bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        const char *sha;
        size_t sha_len;
        if (!toml_as_string(toml_table_get(toml_array_at(missing, i), "sha256"), &sha, &sha_len) ||
            !bindle_sha_ok(sha, sha_len))
            st = bindle_fail(&c->err, BINDLE_ERR_FORMAT,
                             "%s: the server listed a missing parcel without a valid sha256", what);
        else if (!(out->items[out->n++] = strndup(sha, sha_len)))
            st = bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    }
    toml_free(root);
    if (st)
        bindle_shas_clear(out);
    return st;
}

BindleStatus bindle_invoice_create(BindleClient *c, const char *toml, size_t len,
                                   BindleShas *out_missing)
{
    BindleReq rq = {.method = "POST",
                    .path = "_i",
                    .accept = TOML_TYPE,
                    .content_type = TOML_TYPE,
                    .body = toml,
                    .body_len = len,
                    .max_body = BINDLE_MAX_DOC};
    BindleResp r;
    *out_missing = (BindleShas){0};
    BindleStatus st = bindle_send(c, &rq, &r);
    if (!st && r.status == 202)
        st = missing_list(c, "creating the invoice", r.body, r.body_len, out_missing);
    else if (!st && r.status != 201)
        st = bindle_fail_status(c, "creating the invoice", &r, false);
    bindle_resp_clear(&r);
    return st;
}

BindleStatus bindle_missing_get(BindleClient *c, const char *id_text, BindleShas *out)
{
    *out = (BindleShas){0};
    char *id = bindle_id_checked(id_text, &c->err);
    if (!id)
        return BINDLE_ERR_USAGE;
    char *path = bindle_url_path("_r/missing/", id, NULL);
    char *what = strf("missing parcels of %s", id);
    BindleReq rq = {.method = "GET", .path = path, .accept = TOML_TYPE, .max_body = BINDLE_MAX_DOC};
    BindleResp r = {0};
    BindleStatus st = path && what ? bindle_send(c, &rq, &r)
                                   : bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    if (!st && r.status != 200)
        st = bindle_fail_status(c, what, &r, true);
    else if (!st)
        st = missing_list(c, what, r.body, r.body_len, out);
    bindle_resp_clear(&r);
    free(what);
    free(path);
    free(id);
    return st;
}

BindleStatus bindle_yank(BindleClient *c, const char *id_text)
{
    char *id = bindle_id_checked(id_text, &c->err);
    if (!id)
        return BINDLE_ERR_USAGE;
    char *path = bindle_url_path("_i/", id, NULL);
    char *what = strf("yanking %s", id);
    BindleReq rq = {
        .method = "DELETE", .path = path, .accept = TOML_TYPE, .max_body = BINDLE_MAX_DOC};
    BindleResp r = {0};
    BindleStatus st = path && what ? bindle_send(c, &rq, &r)
                                   : bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    if (!st && r.status != 200)
        st = bindle_fail_status(c, what, &r, false);
    bindle_resp_clear(&r);
    free(what);
    free(path);
    free(id);
    return st;
}

/* ---- parcels ---- */

BindleStatus bindle_parcel_put(BindleClient *c, const char *id_text, const InvLabel *label,
                               const char *file)
{
    char *id = bindle_id_checked(id_text, &c->err);
    if (!id)
        return BINDLE_ERR_USAGE;
    BindleStatus st = BINDLE_OK;
    FILE *f = fopen(file, "rb");
    struct stat sb;
    if (!f)
        st = bindle_fail(&c->err, BINDLE_ERR_IO, "%s: %s", file, strerror(errno));
    else if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode))
        st = bindle_fail(&c->err, BINDLE_ERR_IO, "%s: not a regular file", file);
    else if ((uint64_t)sb.st_size != label->size)
        st = bindle_fail(&c->err, BINDLE_ERR_INTEGRITY,
                         "%s holds %llu bytes; parcel %s (%s) has %llu", file,
                         (unsigned long long)sb.st_size, label->sha256, label->name,
                         (unsigned long long)label->size);
    char *path = st ? NULL : bindle_url_path("_i/", id, label->sha256);
    char *what = st ? NULL : strf("uploading parcel %s (%s)", label->sha256, label->name);
    if (!st && (!path || !what))
        st = bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    if (!st) {
        BindleReq rq = {.method = "POST",
                        .path = path,
                        .accept = TOML_TYPE,
                        .content_type = "application/octet-stream",
                        .body_file = f,
                        .body_file_len = label->size,
                        .max_body = BINDLE_MAX_DOC};
        BindleResp r;
        st = bindle_send(c, &rq, &r);
        if (!st && r.status != 200)
            st = bindle_fail_status(c, what, &r, false);
        bindle_resp_clear(&r);
    }
    if (f)
        fclose(f);
    free(what);
    free(path);
    free(id);
    return st;
}

BindleStatus bindle_parcel_get(BindleClient *c, const char *id_text, const InvLabel *label,
                               FILE *sink)
{
    if (c->max_parcel_size && label->size > c->max_parcel_size)
        return bindle_fail(&c->err, BINDLE_ERR_TOO_BIG,
                           "parcel %s (%s) has %llu bytes, more than the %llu allowed",
                           label->sha256, label->name, (unsigned long long)label->size,
                           (unsigned long long)c->max_parcel_size);
    char *id = bindle_id_checked(id_text, &c->err);
    if (!id)
        return BINDLE_ERR_USAGE;
    char *path = bindle_url_path("_i/", id, label->sha256);
    char *what = strf("parcel %s (%s)", label->sha256, label->name);
    BindleReq rq = {
        .method = "GET", .path = path, .accept = "*/*", .sink = sink, .max_body = label->size};
    BindleResp r = {0};
    BindleStatus st = path && what ? bindle_send(c, &rq, &r)
                                   : bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    if (st == BINDLE_ERR_TOO_BIG)
        st = bindle_fail(&c->err, BINDLE_ERR_INTEGRITY,
                         "%s: the server sent more than the %llu bytes of its label", what,
                         (unsigned long long)label->size);
    else if (!st && r.status != 200)
        st = bindle_fail_status(c, what, &r, false);
    if (!st) {
        uint8_t hash[crypto_hash_sha256_BYTES];
        char hex[BINDLE_SHA_TEXT];
        crypto_hash_sha256_final(&r.sha, hash);
        bindle_hex(hash, hex);
        if (r.sink_len != label->size)
            st = bindle_fail(&c->err, BINDLE_ERR_INTEGRITY,
                             "%s: the server sent %llu bytes, its label says %llu", what,
                             (unsigned long long)r.sink_len, (unsigned long long)label->size);
        else if (strcmp(hex, label->sha256) != 0)
            st = bindle_fail(&c->err, BINDLE_ERR_INTEGRITY,
                             "%s: the server sent content whose SHA-256 is %s: its storage is "
                             "corrupt or was tampered with",
                             what, hex);
        else
            bindle_log(c, "parcel %s: %llu bytes, SHA-256 checked", label->sha256,
                       (unsigned long long)r.sink_len);
    }
    bindle_resp_clear(&r);
    free(what);
    free(path);
    free(id);
    return st;
}

/* ---- keys ---- */

BindleStatus bindle_host_keys(BindleClient *c, Keyring *out)
{
    keyring_init(out);
    BindleReq rq = {.method = "GET",
                    .path = "bindle-keys?roles=host",
                    .accept = TOML_TYPE,
                    .max_body = BINDLE_MAX_DOC};
    BindleResp r;
    BindleStatus st = bindle_send(c, &rq, &r);
    if (!st && r.status != 200)
        st = bindle_fail_status(c, "fetching the host keys", &r, false);
    if (!st) {
        SignError err;
        if (keyring_parse(r.body ? r.body : "", r.body_len, "the server's bindle-keys", out,
                          &err) != SIGN_OK)
            st = bindle_fail(&c->err, BINDLE_ERR_FORMAT, "%s", err.message);
    }
    bindle_resp_clear(&r);
    return st;
}

/* ---- search ---- */

/* Appends "&name=value" (value URL-encoded) to *q. */
static bool add_param(BindleClient *c, char **q, const char *name, const char *value)
{
    char *enc = lib_curl.curl_easy_escape(c->easy, value, 0);
    char *more = enc ? strf("%s%s%s=%s", *q, (*q)[0] ? "&" : "?", name, enc) : NULL;
    lib_curl.curl_free(enc);
    free(*q);
    *q = more;
    return more != NULL;
}

static char *query_path(BindleClient *c, const BindleQuery *q)
{
    char *p = strdup(""), num[32];
    bool ok = p != NULL;
    if (ok && q->query)
        ok = add_param(c, &p, "q", q->query);
    if (ok && q->version)
        ok = add_param(c, &p, "v", q->version);
    if (ok && q->has_offset) {
        snprintf(num, sizeof num, "%" PRIu64, q->offset);
        ok = add_param(c, &p, "o", num);
    }
    if (ok && q->has_limit) {
        snprintf(num, sizeof num, "%u", q->limit);
        ok = add_param(c, &p, "l", num);
    }
    if (ok && q->strict >= 0)
        ok = add_param(c, &p, "strict", q->strict ? "true" : "false");
    if (ok && q->yanked >= 0)
        ok = add_param(c, &p, "yanked", q->yanked ? "true" : "false");
    char *path = ok ? strf("_q%s", p) : NULL;
    free(p);
    return path;
}

static bool get_u64(const TomlValue *root, const char *key, uint64_t *out)
{
    int64_t v;
    if (!toml_as_int(toml_table_get(root, key), &v) || v < 0)
        return false;
    *out = (uint64_t)v;
    return true;
}

static BindleStatus parse_matches(BindleClient *c, BindleMatches *m)
{
    TomlValue *root = NULL;
    TomlError terr;
    if (toml_parse(m->text, m->len, &root, &terr) != TOML_OK)
        return bindle_fail(&c->err, BINDLE_ERR_FORMAT,
                           "search: the server's answer is not TOML (line %u: %s)",
                           (unsigned)terr.line, terr.message);
    const char *q = "";
    size_t qn = 0;
    BindleStatus st = BINDLE_OK;
    const TomlValue *invoices = toml_table_get(root, "invoices");
    if (!get_u64(root, "offset", &m->offset) || !get_u64(root, "limit", &m->limit) ||
        !get_u64(root, "total", &m->total) || !toml_as_bool(toml_table_get(root, "more"), &m->more))
        st = bindle_fail(&c->err, BINDLE_ERR_FORMAT,
                         "search: the server's answer lacks offset, limit, total or more");
    toml_as_string(toml_table_get(root, "query"), &q, &qn);
    toml_as_bool(toml_table_get(root, "strict"), &m->strict);
    toml_as_bool(toml_table_get(root, "yanked"), &m->yanked);
    if (!st && !(m->query = strndup(q, qn)))
        st = bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    size_t n = toml_array_len(invoices);
    if (!st && n && !(m->invoices = calloc(n, sizeof *m->invoices)))
        st = bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        char *why = NULL;
        Invoice *inv = invoice_from_toml(toml_array_at(invoices, i), &why);
        if (!inv)
            st = bindle_fail(&c->err, BINDLE_ERR_FORMAT, "search: match %zu is not an invoice: %s",
                             i + 1, why ? why : "out of memory");
        else
            m->invoices[m->n++] = inv;
        free(why);
    }
    toml_free(root);
    return st;
}

BindleStatus bindle_search(BindleClient *c, const BindleQuery *q, BindleMatches *out)
{
    *out = (BindleMatches){0};
    char *path = query_path(c, q);
    BindleReq rq = {.method = "GET", .path = path, .accept = TOML_TYPE, .max_body = BINDLE_MAX_DOC};
    BindleResp r = {0};
    BindleStatus st =
        path ? bindle_send(c, &rq, &r) : bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    if (!st && r.status != 200)
        st = bindle_fail_status(c, "search", &r, false);
    if (!st) {
        out->text = r.body ? r.body : strdup("");
        out->len = r.body_len;
        r.body = NULL;
        st = out->text ? parse_matches(c, out)
                       : bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    }
    if (st)
        bindle_matches_clear(out);
    bindle_resp_clear(&r);
    free(path);
    return st;
}
