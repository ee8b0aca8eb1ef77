/* server_request.c: one request through libmicrohttpd, on the connection thread: the raw
 * target, the head checks that keep request smuggling out, the body buffer, the hand-off
 * to a worker (or the handler's fast path), the response, the access log line and the
 * metrics. It must not block: every connection waits while a callback here runs.
 *
 * The order of calls MHD makes for one request: gw_srv_uri_log (request line complete:
 * a GwReq is born), gw_srv_access with no upload data (head complete: checks), with upload
 * data for each piece of body, with no data once more (body complete: dispatch), and, when
 * a worker resumed the connection, once more (queue the prepared response); finally
 * gw_srv_completed (response sent or connection gone: log, metrics, free). An error MHD
 * finds by itself (a head over its memory, a malformed line) may cut this short anywhere;
 * gw_srv_completed still comes once the request line was seen. */
#include "gateway/http_text.h"
#include "gateway/metrics.h"
#include "gateway/server_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- canned answers ---- */

typedef struct CannedInfo {
    unsigned status;
    const char *reason;
    bool close;
} CannedInfo;

static const CannedInfo canned_info[GW_CANNED_COUNT] = {
#define GW_CANNED_INFO(id, status, reason, close) {status, reason, close},
    GW_CANNED(GW_CANNED_INFO)
#undef GW_CANNED_INFO
};

static const char *const canned_body[GW_CANNED_COUNT] = {
#define GW_CANNED_BODY(id, status, reason, close) #status " " reason "\n",
    GW_CANNED(GW_CANNED_BODY)
#undef GW_CANNED_BODY
};

bool gw_srv_canned_init(GwServer *srv)
{
    for (int k = 0; k < GW_CANNED_COUNT; k++) {
        const char *body = canned_body[k];
        struct MHD_Response *m =
            lib_mhd.MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
        if (!m)
            return false;
        srv->canned[k] = m;
        bool ok = lib_mhd.MHD_add_response_header(m, "Content-Type", "text/plain; charset=utf-8");
        if (canned_info[k].status == 503)
            ok = ok && lib_mhd.MHD_add_response_header(m, "Retry-After", "1");
        if (canned_info[k].close)
            ok = ok && lib_mhd.MHD_add_response_header(m, "Connection", "close");
        if (!ok)
            return false;
    }
    return true;
}

void gw_srv_canned_free(GwServer *srv)
{
    for (int k = 0; k < GW_CANNED_COUNT; k++) {
        if (srv->canned[k])
            lib_mhd.MHD_destroy_response(srv->canned[k]);
        srv->canned[k] = NULL;
    }
}

void gw_srv_prepare_canned(GwServer *srv, GwReq *r, GwCanned k)
{
    r->prepared = srv->canned[k];
    r->prepared_owned = false;
    r->prepared_status = canned_info[k].status;
    r->resp_bytes = strlen(canned_body[k]);
    r->own = true;
}

/* Answers at once with canned answer k. Before the body is read MHD then closes the
 * connection after the answer (it discards the rest of the request); either way the
 * request is over. */
static enum MHD_Result refuse(GwServer *srv, GwReq *r, GwCanned k)
{
    gw_srv_prepare_canned(srv, r, k);
    r->state = REQ_DONE;
    r->prepared = NULL;
    if (lib_mhd.MHD_queue_response(r->conn, canned_info[k].status, srv->canned[k]) == MHD_NO)
        return MHD_NO;
    r->status = canned_info[k].status;
    return MHD_YES;
}

/* ---- the request line: a new GwReq ---- */

static void client_address(GwReq *r, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        lib_mhd.MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    strcpy(r->ip, "-");
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, r->ip, sizeof r->ip);
        r->port = ntohs(in->sin_port);
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        /* A dual-stack socket sees IPv4 clients as ::ffff:a.b.c.d; show them as IPv4. */
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
            inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], r->ip, sizeof r->ip);
        else
            inet_ntop(AF_INET6, &in6->sin6_addr, r->ip, sizeof r->ip);
        r->port = ntohs(in6->sin6_port);
    }
}

void *gw_srv_uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
    GwServer *srv = cls;
    size_t n = uri ? strlen(uri) : 0;
    GwReq *r = calloc(1, sizeof *r + n + 1);
    if (!r)
        return NULL; /* gw_srv_access then closes the connection */
    r->srv = srv;
    r->conn = c;
    r->id = ++srv->next_id;
    r->start_ns = gw_srv_now_ns();
    memcpy(r->target, uri ? uri : "", n + 1);
    const union MHD_ConnectionInfo *ci =
        lib_mhd.MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    r->gc = ci ? ci->socket_context : NULL;
    client_address(r, c);
    r->headers = r->inline_headers;
    r->req.target = r->target;
    r->req.remote_ip = r->ip;
    r->req.remote_port = r->port;
    r->req.tls = srv->tls;
    return r;
}

/* MHD would percent-decode the path in place; the gateway wants the raw target (WAGI's
 * PATH_INFO and X_RAW_PATH_INFO are computed from it), so decode nothing. */
size_t gw_srv_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    return strlen(s);
}

/* ---- the head: collect and check ---- */

typedef struct Collect {
    GwReq *r;
    size_t cap;
    bool nomem;
} Collect;

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      size_t key_size, const char *value, size_t value_size)
{
    Collect *col = cls;
    GwReq *r = col->r;
    if (r->req.nheaders == col->cap) {
        size_t cap = col->cap * 2;
        GwHeader *h = malloc(cap * sizeof *h);
        if (!h) {
            col->nomem = true;
            return MHD_NO;
        }
        memcpy(h, r->headers, r->req.nheaders * sizeof *h);
        if (r->headers != r->inline_headers)
            free(r->headers);
        r->headers = h;
        col->cap = cap;
    }
    /* A field value excludes the blanks around it (RFC 9110 5.5); libmicrohttpd keeps
     * trailing ones, which WAGI's parser drops. Except Transfer-Encoding, which framing_error
     * must see raw (check_head): libmicrohttpd frames "chunked " (trailing blank) as no chunking at all. */
    bool raw = key_size == 17 && gw_ascii_ieq(key, key_size, "transfer-encoding");
    while (!raw && value_size && (value[0] == ' ' || value[0] == '\t')) {
        value++;
        value_size--;
    }
    while (!raw && value_size && (value[value_size - 1] == ' ' || value[value_size - 1] == '\t'))
        value_size--;
    r->headers[r->req.nheaders++] = (GwHeader){key, key_size, value, value_size};
    return MHD_YES;
}

/* Walks the comma-separated transfer codings of one Transfer-Encoding value: counts them
 * into *n and records whether the last one seen is "chunked" (any case, blanks around). */
static void scan_codings(const char *v, size_t len, size_t *n, bool *last_chunked)
{
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && v[i] != ',')
            i++;
        const char *e = v + start;
        size_t el = i - start;
        while (el > 0 && (*e == ' ' || *e == '\t'))
            e++, el--;
        while (el > 0 && (e[el - 1] == ' ' || e[el - 1] == '\t'))
            el--;
        if (el > 0) { /* RFC 9110 5.6.1: empty list elements do not count */
            (*n)++;
            *last_chunked = gw_ascii_ieq(e, el, "chunked");
        }
        i++; /* past the comma */
    }
}

/* Digits only, no overflow: *out. */
static bool parse_length(const char *v, size_t n, uint64_t *out)
{
    uint64_t x = 0;
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9' || x > (UINT64_MAX - 9) / 10)
            return false;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return true;
}

static bool target_ok(const char *t)
{
    if (*t == '\0')
        return false;
    for (; *t; t++) {
        unsigned char c = (unsigned char)*t;
        if (c <= 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

/* The checks libmicrohttpd 0.9.75 leaves to us (see server.c for what it does itself).
 * Returns the canned refusal, or GW_CANNED_COUNT when the head is acceptable; *clen gets
 * the Content-Length (UINT64_MAX when there is none). */
static GwCanned check_head(GwServer *srv, GwReq *r, uint64_t *clen)
{
    const union MHD_ConnectionInfo *ci =
        lib_mhd.MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    if (ci && ci->header_size > srv->cfg.max_header) {
        size_t line = strlen(r->req.method) + strlen(r->target) + strlen(r->req.version) + 4;
        return line > srv->cfg.max_header ? GW_CANNED_URI_TOO_LONG : GW_CANNED_HEAD_TOO_LARGE;
    }
    if (!target_ok(r->target))
        return GW_CANNED_BAD_REQUEST;
    size_t ncl = 0, nte = 0, ncodings = 0, nhost = 0;
    bool te_chunked_last = false;
    const GwHeader *te = NULL;
    *clen = UINT64_MAX;
    for (size_t i = 0; i < r->req.nheaders; i++) {
        const GwHeader *h = &r->headers[i];
        /* A name with a blank ("Transfer-Encoding : chunked") or any other non-token byte
         * would be read differently by a proxy in front: refuse it. Same for a value with a
         * bare CR or another control byte. */
        if (!gw_is_token(h->name, h->name_len))
            return GW_CANNED_BAD_REQUEST;
        for (size_t j = 0; j < h->value_len; j++)
            if (!gw_is_field_byte((unsigned char)h->value[j]))
                return GW_CANNED_BAD_REQUEST;
        if (gw_ascii_ieq(h->name, h->name_len, "content-length")) {
            if (ncl++ > 0 || !parse_length(h->value, h->value_len, clen))
                return GW_CANNED_BAD_REQUEST;
        } else if (gw_ascii_ieq(h->name, h->name_len, "transfer-encoding")) {
            nte++;
            te = h;
            scan_codings(h->value, h->value_len, &ncodings, &te_chunked_last);
        } else if (gw_ascii_ieq(h->name, h->name_len, "host")) {
            nhost++;
        }
    }
    /* RFC 9112 3.2: exactly one Host in HTTP/1.1 (MHD's own check, at strict level 1,
     * answers with a garbled 400 in 0.9.75, see server.c). */
    if (nhost > 1 || (nhost == 0 && strcmp(r->req.version, "HTTP/1.0") != 0))
        return GW_CANNED_BAD_REQUEST;
    if (nte > 0) {
        /* RFC 9112 6.1: Content-Length with Transfer-Encoding is a smuggling attempt or a
         * broken client; so is Transfer-Encoding in HTTP/1.0. chunked must be the final
         * (here: the only) coding, else the length is unknown (400); codings before it
         * are ones we do not implement (501). MHD would let Transfer-Encoding win, but
         * keep the connection open, and read a non-chunked coding until the close. */
        if (ncl > 0 || strcmp(r->req.version, "HTTP/1.0") == 0)
            return GW_CANNED_BAD_REQUEST;
        if (!te_chunked_last)
            return GW_CANNED_BAD_REQUEST;
        if (ncodings > 1)
            return GW_CANNED_NOT_IMPLEMENTED;
        /* MHD decodes chunked only when its first Transfer-Encoding field is exactly
         * "chunked" (any case; a trailing blank breaks it), and otherwise reads the body
         * until the connection closes. Accept only what it will frame the way we do. */
        if (nte > 1 || !gw_ascii_ieq(te->value, te->value_len, "chunked"))
            return GW_CANNED_BAD_REQUEST;
        *clen = UINT64_MAX;
    }
    if (*clen != UINT64_MAX && *clen > srv->cfg.max_body)
        return GW_CANNED_TOO_LARGE;
    return GW_CANNED_COUNT;
}

static enum MHD_Result begin(GwServer *srv, GwReq *r, const char *method, const char *version)
{
    if (r->gc)
        atomic_store_explicit(&r->gc->head_deadline, 0, memory_order_relaxed);
    r->req.method = method;
    r->req.version = version;
    Collect col = {r, sizeof r->inline_headers / sizeof r->inline_headers[0], false};
    lib_mhd.MHD_get_connection_values_n(r->conn, MHD_HEADER_KIND, collect_header, &col);
    r->req.headers = r->headers;
    if (col.nomem)
        return refuse(srv, r, GW_CANNED_INTERNAL);
    uint64_t clen;
    GwCanned k = check_head(srv, r, &clen);
    if (k != GW_CANNED_COUNT)
        return refuse(srv, r, k);
    if (clen != UINT64_MAX && clen > 0) {
        r->body = malloc((size_t)clen);
        if (!r->body)
            return refuse(srv, r, GW_CANNED_INTERNAL);
        r->body_cap = (size_t)clen;
    }
    r->state = REQ_BODY;
    return MHD_YES;
}

/* ---- the body ---- */

/* Appends a piece of body; false (close the connection) when memory is short or a
 * too-large chunked body goes on past GW_DISCARD_MAX. */
static bool take_body(GwServer *srv, GwReq *r, const char *data, size_t n)
{
    if (!r->too_large && n > srv->cfg.max_body - r->body_len) {
        r->too_large = true;
        r->discarded = r->body_len;
        free(r->body);
        r->body = NULL;
        r->body_len = r->body_cap = 0;
    }
    if (r->too_large) {
        r->discarded += n;
        return r->discarded - srv->cfg.max_body <= GW_DISCARD_MAX;
    }
    if (n > r->body_cap - r->body_len) {
        size_t cap = r->body_cap ? r->body_cap : 4096;
        while (cap - r->body_len < n)
            cap *= 2;
        if (cap > srv->cfg.max_body)
            cap = (size_t)srv->cfg.max_body;
        uint8_t *b = realloc(r->body, cap);
        if (!b) {
            gw_srv_error(srv, r->id, "out of memory for a %zu-byte request body", cap);
            return false;
        }
        r->body = b;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    return true;
}

/* ---- the response ---- */

static enum MHD_Result send_prepared(GwServer *srv, GwReq *r)
{
    struct MHD_Response *m = r->prepared;
    unsigned status = r->prepared_status;
    bool owned = r->prepared_owned;
    r->prepared = NULL;
    r->state = REQ_DONE;
    enum MHD_Result ok = lib_mhd.MHD_queue_response(r->conn, status, m);
    if (owned)
        lib_mhd.MHD_destroy_response(m);
    if (ok == MHD_NO) {
        gw_srv_error(srv, r->id, "libmicrohttpd refused a %u response", status);
        return refuse(srv, r, GW_CANNED_INTERNAL);
    }
    r->status = status;
    return MHD_YES;
}

static bool scratch_fit(GwScratch *s, size_t n)
{
    if (n <= s->cap)
        return true;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < n)
        cap *= 2;
    char *b = realloc(s->buf, cap);
    if (!b)
        return false;
    s->buf = b;
    s->cap = cap;
    return true;
}

static bool add_header(GwServer *srv, GwScratch *s, GwReq *r, struct MHD_Response *m,
                       const GwHeader *h)
{
    if (!scratch_fit(s, h->name_len + h->value_len + 3))
        return false;
    char *name = s->buf, *value = s->buf + h->name_len + 1;
    memcpy(name, h->name, h->name_len);
    name[h->name_len] = '\0';
    memcpy(value, h->value, h->value_len);
    value[h->value_len] = '\0';
    if (h->value_len == 0)
        strcpy(value, " "); /* MHD refuses an empty value; "X: " reads the same */
    if (lib_mhd.MHD_add_response_header(m, name, value) == MHD_NO)
        gw_srv_error(srv, r->id, "libmicrohttpd refused response header '%s'; dropped", name);
    return true;
}

/* A handler's answer the server cannot send as it is: a canned one instead, still counted
 * for the handler's route (it is not a rejection of the client). */
static void prepare_failed(GwServer *srv, GwReq *r, GwCanned k)
{
    gw_srv_prepare_canned(srv, r, k);
    r->own = false;
}

void gw_srv_prepare(GwServer *srv, GwScratch *s, GwReq *r, const GwResponse *resp)
{
    r->metric_route = resp->metric_route;
    r->route[0] = '\0';
    if (resp->route) {
        strncpy(r->route, resp->route, sizeof r->route - 1);
        r->route[sizeof r->route - 1] = '\0';
    }
    if (resp->status < 200 || resp->status > 599) {
        gw_srv_error(srv, r->id, "handler answered status %d; sending 502", resp->status);
        prepare_failed(srv, r, GW_CANNED_BAD_GATEWAY);
        return;
    }
    size_t head = 0;
    for (size_t i = 0; i < resp->nheaders; i++)
        head += resp->headers[i].name_len + resp->headers[i].value_len + 4;
    if (head > GW_RESP_HEAD_MAX) {
        gw_srv_error(srv, r->id, "response headers take %zu bytes (at most %u); sending 502", head,
                     GW_RESP_HEAD_MAX);
        prepare_failed(srv, r, GW_CANNED_BAD_GATEWAY);
        return;
    }
    const void *body = resp->body_len ? (const void *)resp->body : "";
    struct MHD_Response *m =
        lib_mhd.MHD_create_response_from_buffer(resp->body_len, (void *)body, MHD_RESPMEM_MUST_COPY);
    for (size_t i = 0; m && i < resp->nheaders; i++) {
        if (!add_header(srv, s, r, m, &resp->headers[i])) {
            lib_mhd.MHD_destroy_response(m);
            m = NULL;
        }
    }
    if (!m) {
        gw_srv_error(srv, r->id, "out of memory for a %zu-byte response", resp->body_len);
        prepare_failed(srv, r, GW_CANNED_INTERNAL);
        return;
    }
    r->prepared = m;
    r->prepared_owned = true;
    r->prepared_status = (unsigned)resp->status;
    r->resp_bytes = resp->body_len;
    r->own = false;
}

/* ---- the complete request: answer here or hand it to a worker ---- */

static enum MHD_Result dispatch(GwServer *srv, GwReq *r)
{
    r->req.body_len = r->body_len;
    if (r->too_large)
        return refuse(srv, r, GW_CANNED_TOO_LARGE);
    if (atomic_load(&srv->draining))
        return refuse(srv, r, GW_CANNED_STOPPING);
    if (srv->h.fast) {
        GwResponse resp;
        memset(&resp, 0, sizeof resp);
        if (srv->h.fast(srv->h.ud, r->id, &r->req, &resp)) {
            gw_srv_prepare(srv, &srv->scratch, r, &resp);
            if (srv->h.release)
                srv->h.release(srv->h.ud, UINT32_MAX, &resp);
            return send_prepared(srv, r);
        }
    }
    /* Only this thread adds to inflight, so the check cannot race past the bound. */
    if (atomic_load(&srv->inflight) >= srv->cfg.max_concurrency)
        return refuse(srv, r, GW_CANNED_BUSY);
    atomic_fetch_add(&srv->inflight, 1);
    atomic_fetch_add(&srv->handed_out, 1);
    r->queued = true;
    r->state = REQ_QUEUED;
    /* Suspend before the push: a worker may resume as soon as it pops, and a resume that
     * comes before the suspend would be lost (MHD then cancels the suspend instead, and
     * the connection would wait with nobody to call us). */
    lib_mhd.MHD_suspend_connection(r->conn);
    if (!gw_srv_enqueue(srv, r)) {
        atomic_fetch_sub(&srv->inflight, 1);
        gw_srv_prepare_canned(srv, r, GW_CANNED_STOPPING);
        r->state = REQ_READY;
        lib_mhd.MHD_resume_connection(r->conn);
    }
    return MHD_YES;
}

enum MHD_Result gw_srv_access(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    GwServer *srv = cls;
    GwReq *r = *con_cls;
    if (!r)
        return MHD_NO; /* gw_srv_uri_log ran out of memory */
    switch (r->state) {
    case REQ_NEW:
        return begin(srv, r, method, version);
    case REQ_BODY:
        if (*upload_size > 0) {
            bool ok = take_body(srv, r, upload, *upload_size);
            *upload_size = 0;
            return ok ? MHD_YES : MHD_NO;
        }
        return dispatch(srv, r);
    case REQ_READY:
        return send_prepared(srv, r);
    case REQ_QUEUED: /* not called while suspended */
    case REQ_DONE:   /* not called once a response is queued */
        break;
    }
    return MHD_YES;
}

/* ---- the end: log line, metrics, free ---- */

/* Appends s to p with the bytes a log reader could be fooled by as \xHH (4 bytes at most
 * for each byte of s); returns the new end. */
static char *log_text(char *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = 'x';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        } else {
            *p++ = (char)c;
        }
    }
    return p;
}

/* "[10/Oct/2000:13:55:36 +0000]", formatted again only when the second changes (this runs
 * on the connection thread alone). */
static const char *log_time(void)
{
    static time_t last = (time_t)-1;
    static char text[40];
    time_t now = time(NULL);
    if (now != last) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(text, sizeof text, "%d/%b/%Y:%H:%M:%S +0000", &tm);
        last = now;
    }
    return text;
}

/* The line is built in the connection thread's scratch space and written with one fwrite:
 * one lock of the FILE, and lines never interleave with other writers. */
static void access_log(GwServer *srv, const GwReq *r, unsigned status, bool bytes_known, double ms)
{
    const char *method = r->req.method ? r->req.method : "-";
    const char *version = r->req.version ? r->req.version : "-";
    const char *route = r->route[0] ? r->route : "-";
    size_t cap = 4 * (strlen(method) + strlen(r->target) + strlen(route)) + strlen(r->ip) +
                 strlen(version) + 160;
    if (!scratch_fit(&srv->scratch, cap))
        return;
    char *b = srv->scratch.buf, *p = b;
    p += sprintf(p, "%s - - [%s] \"", r->ip, log_time());
    p = log_text(p, method);
    *p++ = ' ';
    p = log_text(p, r->target);
    p += sprintf(p, " %s\" ", version);
    p += status ? sprintf(p, "%u ", status) : sprintf(p, "- ");
    p += bytes_known ? sprintf(p, "%zu ", r->resp_bytes) : sprintf(p, "- ");
    p += sprintf(p, "%.3f ", ms);
    p = log_text(p, route);
    p += sprintf(p, " id=%llu\n", (unsigned long long)r->id);
    fwrite(b, 1, (size_t)(p - b), srv->cfg.access_log);
    atomic_store_explicit(&srv->log_dirty, true, memory_order_relaxed);
}

static void count_rejection(unsigned status)
{
    if (status == 413)
        gw_metrics_count(GW_METRIC_REJECT_413);
    else if (status == 431)
        gw_metrics_count(GW_METRIC_REJECT_431);
    else if (status == 503)
        gw_metrics_count(GW_METRIC_REJECT_503);
}

void gw_srv_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    GwServer *srv = cls;
    GwReq *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    int64_t now = gw_srv_now_ns();
    unsigned status = r->status;
    bool own = r->own, bytes_known = status != 0;
    if (status == 0) {
        /* No response of ours went out; MHD may have answered by itself (431, 400 ...). */
        const union MHD_ConnectionInfo *ci =
            lib_mhd.MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
        if (ci && ci->http_status) {
            status = ci->http_status;
            own = true;
        }
    }
    double secs = (double)(now - r->start_ns) / 1e9;
    if (srv->cfg.access_log)
        access_log(srv, r, status, bytes_known, secs * 1e3);
    if (status) {
        gw_metrics_observe_request(own ? GW_METRICS_OTHER : r->metric_route, status, secs);
        if (own)
            count_rejection(status);
    }
    if (r->gc && srv->cfg.idle_timeout_s)
        atomic_store_explicit(&r->gc->head_deadline,
                              now + (int64_t)srv->cfg.idle_timeout_s * 1000000000,
                              memory_order_relaxed);
    if (r->prepared && r->prepared_owned)
        lib_mhd.MHD_destroy_response(r->prepared); /* resumed, then the daemon stopped */
    if (r->queued)
        atomic_fetch_sub(&srv->handed_out, 1);
    if (r->headers != r->inline_headers)
        free(r->headers);
    free(r->body);
    free(r);
}

/* ---- connections ---- */

void gw_srv_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                       enum MHD_ConnectionNotificationCode code)
{
    GwServer *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        GwConn *gc = calloc(1, sizeof *gc);
        const union MHD_ConnectionInfo *ci =
            lib_mhd.MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!gc || !ci) {
            free(gc); /* no head deadline for this one; MHD's idle timeout still holds */
            return;
        }
        gc->fd = ci->connect_fd;
        int64_t deadline = 0;
        if (srv->cfg.idle_timeout_s)
            deadline = gw_srv_now_ns() + (int64_t)srv->cfg.idle_timeout_s * 1000000000;
        atomic_init(&gc->head_deadline, deadline);
        pthread_mutex_lock(&srv->conns_lock);
        gc->next = srv->conns;
        if (srv->conns)
            srv->conns->prev = gc;
        srv->conns = gc;
        pthread_mutex_unlock(&srv->conns_lock);
        *socket_context = gc;
        return;
    }
    GwConn *gc = *socket_context;
    if (!gc)
        return;
    pthread_mutex_lock(&srv->conns_lock);
    if (gc->prev)
        gc->prev->next = gc->next;
    else
        srv->conns = gc->next;
    if (gc->next)
        gc->next->prev = gc->prev;
    pthread_mutex_unlock(&srv->conns_lock);
    free(gc);
    *socket_context = NULL;
}
