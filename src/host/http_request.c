/* http_request.c: one guest request as libcurl transfers: the guest's header block parsed and
 * validated, each hop configured from scratch (curl_easy_reset) with the safe options, the
 * response headers and body collected under their caps, and redirects followed here, not by
 * curl, so that every target is checked against the allow-list before a byte is sent to it.
 * It must not touch guest memory (http_abi.c owns that) nor decide handles.
 *
 * The options every hop gets, and why:
 *   CURLOPT_CURLU               the URL handle the allow-list checked: no second parse
 *   CURLOPT_FOLLOWLOCATION 0    redirects are followed in perform() after an allow-list check
 *   CURLOPT_PROTOCOLS_STR       "http,https" only (and for redirects, though none are followed)
 *   CURLOPT_PROXY ""            no proxy, whatever the environment says: a gateway's CGI-style
 *                               HTTP_PROXY variable comes from a client's Proxy: header
 *                               (httpoxy), and a proxy would also escape the allow-list
 *   no cookie engine, no .netrc, no HSTS or alt-svc cache (all default off in libcurl): no
 *   state leaks between guests and no alternative service can move a connection elsewhere
 *   CURLOPT_TIMEOUT_MS          what remains of the call's budget (policy and deadline)
 *   CURLOPT_MAXFILESIZE_LARGE   and the write callback: the body cap
 *   CURLOPT_NOSIGNAL 1          timeouts without SIGALRM: the host is multi-threaded */
#include "host/http_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- request headers from the guest ---- */

static bool is_tchar(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* Field values: no control characters but HTAB (so no CR, LF or NUL can reach the wire). */
static bool value_ok(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            return false;
    }
    return true;
}

static bool token_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_tchar((unsigned char)s[i]))
            return false;
    return n > 0;
}

/* Trims optional whitespace (SP, HTAB) from both ends of [*s, *s + *n). */
static void trim_ows(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static char *dup_lower(const char *s, size_t n, bool lowercase)
{
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++)
        d[i] = lowercase && s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
    d[n] = 0;
    return d;
}

/* Framing is curl's: a guest's Content-Length or Transfer-Encoding could only disagree with
 * the body actually sent, and desynchronise a kept-alive connection. */
static bool framing_header(const char *lower_name)
{
    return !strcmp(lower_name, "content-length") || !strcmp(lower_name, "transfer-encoding");
}

static uint32_t add_field(HttpCtx *c, HttpRequest *rq, const char *line, size_t n)
{
    const char *colon = memchr(line, ':', n);
    if (!colon)
        return http_fail(c, HTTP_ERR_INVALID_ENCODING, "request header line without ':': '%.*s'",
                         (int)(n > 80 ? 80 : n), line);
    size_t name_len = (size_t)(colon - line);
    const char *value = colon + 1;
    size_t value_len = n - name_len - 1;
    trim_ows(&value, &value_len);
    if (!token_ok(line, name_len))
        return http_fail(c, HTTP_ERR_INVALID_ENCODING, "request header name is not a token: '%.*s'",
                         (int)(name_len > 80 ? 80 : name_len), line);
    if (!value_ok(value, value_len))
        return http_fail(c, HTTP_ERR_INVALID_ENCODING,
                         "request header '%.*s' has a control character in its value",
                         (int)(name_len > 80 ? 80 : name_len), line);
    HttpField f = {dup_lower(line, name_len, true), dup_lower(value, value_len, false)};
    HttpField *grown = NULL;
    if (f.name && f.value && framing_header(f.name)) {
        free(f.name);
        free(f.value);
        return HTTP_ERR_SUCCESS;
    }
    if (f.name && f.value)
        grown = realloc(rq->fields, (rq->nfields + 1) * sizeof *grown);
    if (!grown) {
        free(f.name);
        free(f.value);
        return http_fail(c, HTTP_ERR_RUNTIME_ERROR, "out of memory");
    }
    rq->fields = grown;
    rq->fields[rq->nfields++] = f;
    return HTTP_ERR_SUCCESS;
}

uint32_t http_request_parse_headers(HttpCtx *c, HttpRequest *rq, const uint8_t *s, size_t len)
{
    const char *p = (const char *)s, *end = p + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        size_t used = n;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        uint32_t err = n == 0 ? HTTP_ERR_SUCCESS : add_field(c, rq, p, n);
        if (err)
            return err;
        p += used + (nl != NULL);
    }
    return HTTP_ERR_SUCCESS;
}

void http_request_clear(HttpRequest *rq)
{
    for (size_t i = 0; i < rq->nfields; i++) {
        free(rq->fields[i].name);
        free(rq->fields[i].value);
    }
    free(rq->fields);
    rq->fields = NULL;
    rq->nfields = 0;
}

/* ---- collecting a response ---- */

typedef struct Collect {
    char *hdr; /* name:value\n lines of the current response */
    size_t hdr_len, hdr_cap;
    bool in_headers; /* between a status line and the blank line; later lines are trailers */
    bool bad_header, headers_too_big;
    uint8_t *body;
    size_t body_len, body_cap;
    uint64_t max_body;
    bool body_too_big, oom;
} Collect;

static bool grow(void **buf, size_t *cap, size_t need, size_t first)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : first;
    while (n < need)
        n = n > SIZE_MAX / 2 ? need : n * 2;
    void *b = realloc(*buf, n);
    if (!b)
        return false;
    *buf = b;
    *cap = n;
    return true;
}

/* Appends s[0..n) to the header lines, lower-cased when asked. */
static bool hdr_append(Collect *k, const char *s, size_t n, bool lowercase)
{
    if (k->hdr_len + n > HTTP_MAX_HEADER_BYTES) {
        k->headers_too_big = true;
        return false;
    }
    void *buf = k->hdr;
    if (!grow(&buf, &k->hdr_cap, k->hdr_len + n, 1024)) {
        k->oom = true;
        return false;
    }
    k->hdr = buf;
    for (size_t i = 0; i < n; i++)
        k->hdr[k->hdr_len + i] =
            lowercase && s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
    k->hdr_len += n;
    return true;
}

/* One header line (without its line ending), inside a header block. */
static bool header_line(Collect *k, const char *s, size_t n)
{
    if (s[0] == ' ' || s[0] == '\t') {
        /* obs-fold: a continuation of the previous value, joined with one space
         * (RFC 9112 section 5.2). */
        trim_ows(&s, &n);
        if (k->hdr_len == 0 || !value_ok(s, n)) {
            k->bad_header = true;
            return false;
        }
        k->hdr_len--; /* the previous line's \n */
        return hdr_append(k, " ", 1, false) && hdr_append(k, s, n, false) &&
               hdr_append(k, "\n", 1, false);
    }
    const char *colon = memchr(s, ':', n);
    size_t name_len = colon ? (size_t)(colon - s) : 0;
    const char *v = colon ? colon + 1 : s;
    size_t v_len = colon ? n - name_len - 1 : 0;
    trim_ows(&v, &v_len);
    if (!colon || !token_ok(s, name_len) || !value_ok(v, v_len)) {
        k->bad_header = true;
        return false;
    }
    return hdr_append(k, s, name_len + 1, true) && hdr_append(k, v, v_len, false) &&
           hdr_append(k, "\n", 1, false);
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
    Collect *k = ud;
    size_t total = size * nitems, n = total;
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    if (n >= 5 && !memcmp(buf, "HTTP/", 5)) {
        k->hdr_len = 0; /* a new response: 1xx ones before it are forgotten */
        k->in_headers = true;
        return total;
    }
    if (n == 0) {
        k->in_headers = false;
        return total;
    }
    if (!k->in_headers)
        return total; /* a trailer: not part of the ABI's header map */
    return header_line(k, buf, n) ? total : 0;
}

static size_t on_body(char *buf, size_t size, size_t nitems, void *ud)
{
    Collect *k = ud;
    size_t n = size * nitems;
    if (k->max_body && n > k->max_body - k->body_len) {
        k->body_too_big = true;
        return 0;
    }
    void *b = k->body;
    if (!grow(&b, &k->body_cap, k->body_len + n, 16384)) {
        k->oom = true;
        return 0;
    }
    k->body = b;
    memcpy(k->body + k->body_len, buf, n);
    k->body_len += n;
    return n;
}

static void collect_reset(Collect *k)
{
    k->hdr_len = k->body_len = 0;
    k->in_headers = k->bad_header = k->headers_too_big = k->body_too_big = k->oom = false;
}

static void collect_free(Collect *k)
{
    free(k->hdr);
    free(k->body);
}

/* ---- one hop ---- */

static bool is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* What changes from hop to hop. */
typedef struct Hop {
    CURLU *url;          /* owned */
    char method[32];     /* a 303 (or 301/302 after POST) turns it into GET */
    bool send_body;      /* false once the method became GET */
    bool cross_origin;   /* a redirect left the first origin: credentials are not sent */
    uint64_t end_ns;     /* 0 = no time limit */
    bool deadline_binds; /* end_ns is the context's deadline, not the policy's timeout */
} Hop;

static bool has_field(const HttpRequest *rq, const char *name)
{
    for (size_t i = 0; i < rq->nfields; i++)
        if (!strcmp(rq->fields[i].name, name))
            return true;
    return false;
}

/* Headers not sent to another origin (as browsers and reqwest), or after a body was dropped. */
static bool field_dropped(const Hop *h, const char *name)
{
    if (h->cross_origin && (!strcmp(name, "authorization") || !strcmp(name, "cookie") ||
                            !strcmp(name, "proxy-authorization")))
        return true;
    return !h->send_body && (!strcmp(name, "content-type") || !strcmp(name, "content-encoding"));
}

/* The curl header list for a hop. "name;" is curl's spelling of an empty value ("name:"
 * would remove a header instead); "Expect:" and "Content-Type:" remove curl's own defaults
 * (100-continue waits, a form content type the guest did not ask for). */
static bool build_slist(const HttpRequest *rq, const Hop *h, struct curl_slist **out)
{
    struct curl_slist *l = NULL, *t;
    for (size_t i = 0; i < rq->nfields; i++) {
        const HttpField *f = &rq->fields[i];
        if (field_dropped(h, f->name))
            continue;
        size_t n = strlen(f->name) + strlen(f->value) + 3;
        char *line = malloc(n);
        if (!line)
            goto fail;
        if (f->value[0])
            snprintf(line, n, "%s: %s", f->name, f->value);
        else
            snprintf(line, n, "%s;", f->name);
        t = lib_curl.curl_slist_append(l, line);
        free(line);
        if (!t)
            goto fail;
        l = t;
    }
    static const char *const defaults[][2] = {{"expect", "Expect:"},
                                              {"content-type", "Content-Type:"}};
    for (size_t i = 0; i < 2; i++) {
        if (has_field(rq, defaults[i][0]) && !field_dropped(h, defaults[i][0]))
            continue;
        if (!(t = lib_curl.curl_slist_append(l, defaults[i][1])))
            goto fail;
        l = t;
    }
    *out = l;
    return true;
fail:
    lib_curl.curl_slist_free_all(l);
    return false;
}

static CURLcode set_method(CURL *e, const HttpRequest *rq, const Hop *h)
{
    if (!strcmp(h->method, "HEAD"))
        return lib_curl.curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    if (!h->send_body && !strcmp(h->method, "GET"))
        return lib_curl.curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    const char *body = rq->body_len ? (const char *)rq->body : "";
    curl_off_t len = h->send_body ? (curl_off_t)rq->body_len : 0;
    CURLcode rc = lib_curl.curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, len);
    if (!rc)
        rc = lib_curl.curl_easy_setopt(e, CURLOPT_POSTFIELDS, h->send_body ? body : "");
    if (!rc && strcmp(h->method, "POST") != 0)
        rc = lib_curl.curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, h->method);
    return rc;
}

/* Every option a hop sets (see the top of the file). setopt fails only when out of memory
 * (copying a string), so one flag is enough. */
static CURLcode set_options(CURL *e, const HttpPolicy *p, const Hop *h, Collect *k,
                            struct curl_slist *hdrs, char *errbuf)
{
    __typeof__(lib_curl.curl_easy_setopt) setopt = lib_curl.curl_easy_setopt;
    bool ok = setopt(e, CURLOPT_CURLU, h->url) == CURLE_OK;
    ok &= setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok &= setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok &= setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_PROXY, "") == CURLE_OK;
    ok &= setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
    ok &= setopt(e, CURLOPT_HTTPHEADER, hdrs) == CURLE_OK;
    ok &= setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
    ok &= setopt(e, CURLOPT_HEADERDATA, k) == CURLE_OK;
    ok &= setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
    ok &= setopt(e, CURLOPT_WRITEDATA, k) == CURLE_OK;
    if (p->max_body && p->max_body <= (uint64_t)INT64_MAX)
        ok &= setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)p->max_body) == CURLE_OK;
    if (h->end_ns) {
        uint64_t now = http_now_ns();
        uint64_t left_ms = h->end_ns > now ? (h->end_ns - now + 999999) / 1000000 : 1;
        long ms = left_ms > 0x7fffffff ? 0x7fffffffL : (long)left_ms;
        ok &= setopt(e, CURLOPT_TIMEOUT_MS, ms) == CURLE_OK;
        ok &= setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ms) == CURLE_OK;
    }
    return ok ? CURLE_OK : CURLE_OUT_OF_MEMORY;
}

/* Sleeps until the monotonic clock reads end_ns. */
static void wait_until(uint64_t end_ns)
{
    struct timespec ts = {(time_t)(end_ns / 1000000000u), (long)(end_ns % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

/* Maps a failed transfer to the guest's code, with a message. */
static uint32_t transfer_error(HttpCtx *c, const Hop *h, const Collect *k, CURLcode rc,
                               const char *errbuf, bool *out_deadline)
{
    char origin[300];
    http_url_origin(h->url, origin, sizeof origin);
    if (k->oom || rc == CURLE_OUT_OF_MEMORY)
        return http_fail(c, HTTP_ERR_RUNTIME_ERROR, "out of memory");
    if (k->body_too_big || rc == CURLE_FILESIZE_EXCEEDED)
        return http_fail(c, HTTP_ERR_REQUEST_ERROR, "response from %s: body larger than %llu bytes",
                         origin, (unsigned long long)c->policy.max_body);
    if (k->headers_too_big)
        return http_fail(c, HTTP_ERR_REQUEST_ERROR,
                         "response from %s: headers larger than %u bytes", origin,
                         HTTP_MAX_HEADER_BYTES);
    if (k->bad_header)
        return http_fail(c, HTTP_ERR_REQUEST_ERROR, "response from %s: malformed header line",
                         origin);
    if (rc == CURLE_OPERATION_TIMEDOUT && h->deadline_binds) {
        /* curl counts whole milliseconds and may give up a fraction of one before the
         * deadline; the trap says the deadline has passed (an embedder's watchdog or clock
         * check relies on it), so make that true. */
        wait_until(h->end_ns);
        *out_deadline = true;
        return http_fail(c, HTTP_ERR_REQUEST_ERROR, "request to %s: deadline reached", origin);
    }
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return http_fail(c, HTTP_ERR_REQUEST_ERROR, "request to %s: timed out after %llu ms",
                         origin, (unsigned long long)c->policy.timeout_ms);
    return http_fail(c, HTTP_ERR_REQUEST_ERROR, "request to %s failed: %s", origin,
                     errbuf[0] ? errbuf : lib_curl.curl_easy_strerror(rc));
}

/* Runs one hop. Returns 0 with the status in *out_status and, for a redirect curl could
 * resolve, the absolute target in *out_to (owned), or an error code. */
static uint32_t run_hop(HttpCtx *c, const HttpRequest *rq, const Hop *h, Collect *k,
                        long *out_status, char **out_to, bool *out_deadline)
{
    *out_to = NULL;
    if (h->end_ns && http_now_ns() >= h->end_ns) {
        Collect none = {0};
        return transfer_error(c, h, &none, CURLE_OPERATION_TIMEDOUT, "", out_deadline);
    }
    struct curl_slist *hdrs = NULL;
    if (!build_slist(rq, h, &hdrs))
        return http_fail(c, HTTP_ERR_RUNTIME_ERROR, "out of memory");
    char errbuf[CURL_ERROR_SIZE] = "";
    collect_reset(k);
    lib_curl.curl_easy_reset(c->easy);
    CURLcode rc = set_options(c->easy, &c->policy, h, k, hdrs, errbuf);
    if (!rc)
        rc = set_method(c->easy, rq, h);
    if (!rc)
        rc = lib_curl.curl_easy_perform(c->easy);
    if (!rc)
        rc = lib_curl.curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, out_status);
    char *to = NULL;
    if (!rc && is_redirect(*out_status))
        rc = lib_curl.curl_easy_getinfo(c->easy, CURLINFO_REDIRECT_URL, &to);
    if (!rc && to && !(*out_to = strdup(to)))
        rc = CURLE_OUT_OF_MEMORY;
    /* Nothing of this call may stay in the reused handle: it points at our stack. */
    lib_curl.curl_easy_reset(c->easy);
    lib_curl.curl_slist_free_all(hdrs);
    if (rc)
        return transfer_error(c, h, k, rc, errbuf, out_deadline);
    return HTTP_ERR_SUCCESS;
}

/* ---- redirects ---- */

static bool same_origin(CURLU *a, CURLU *b)
{
    char oa[300], ob[300];
    http_url_origin(a, oa, sizeof oa);
    http_url_origin(b, ob, sizeof ob);
    return !strcmp(oa, ob);
}

/* Moves h to the redirect target `to`, or returns why not. `hops` redirects were followed. */
static uint32_t follow(HttpCtx *c, Hop *h, long status, const char *to, unsigned hops)
{
    if (hops >= c->policy.max_redirects)
        return http_fail(c, HTTP_ERR_REQUEST_ERROR,
                         "too many redirects (more than %u), the last to %.200s",
                         c->policy.max_redirects, to);
    CURLU *next;
    uint32_t err = http_url_parse(to, &next);
    if (err == HTTP_ERR_INVALID_URL)
        return http_fail(c, HTTP_ERR_REQUEST_ERROR,
                         "redirect to a URL that is not http or https: %.200s", to);
    if (err)
        return http_fail(c, err, "out of memory");
    if (!http_allow_url(c->policy.allow, next)) {
        char origin[300];
        http_url_origin(next, origin, sizeof origin);
        lib_curl.curl_url_cleanup(next);
        return http_fail(
            c, HTTP_ERR_DESTINATION_NOT_ALLOWED,
            "redirect to a destination not allowed: %s (to allow it, add it to the allowed hosts)",
            origin);
    }
    if (!same_origin(h->url, next))
        h->cross_origin = true;
    bool to_get = (status == 303 && strcmp(h->method, "HEAD") != 0) ||
                  ((status == 301 || status == 302) && !strcmp(h->method, "POST"));
    if (to_get) {
        snprintf(h->method, sizeof h->method, "GET");
        h->send_body = false;
    }
    lib_curl.curl_url_cleanup(h->url);
    h->url = next;
    return HTTP_ERR_SUCCESS;
}

/* ---- the request ---- */

static void set_time_limit(HttpCtx *c, Hop *h)
{
    uint64_t now = http_now_ns(), t = c->policy.timeout_ms;
    uint64_t policy_end = t ? now + (t > UINT64_MAX / 2000000 ? UINT64_MAX / 2 : t * 1000000) : 0;
    h->end_ns = policy_end;
    if (c->deadline_ns && (!policy_end || c->deadline_ns <= policy_end)) {
        h->end_ns = c->deadline_ns;
        h->deadline_binds = true;
    }
}

static uint32_t make_response(HttpCtx *c, Collect *k, long status, HttpResponse **out)
{
    HttpResponse *r = calloc(1, sizeof *r);
    if (!r)
        return http_fail(c, HTTP_ERR_RUNTIME_ERROR, "out of memory");
    r->status = (uint16_t)(status > 0 && status < 65536 ? status : 0);
    r->headers = k->hdr;
    r->headers_len = k->hdr_len;
    r->body = k->body;
    r->body_len = k->body_len;
    k->hdr = NULL;
    k->body = NULL;
    *out = r;
    return HTTP_ERR_SUCCESS;
}

uint32_t http_request_perform(HttpCtx *c, const HttpRequest *rq, CURLU *url, HttpResponse **out,
                              bool *out_deadline)
{
    *out = NULL;
    *out_deadline = false;
    if (!c->easy && !(c->easy = lib_curl.curl_easy_init()))
        return http_fail(c, HTTP_ERR_RUNTIME_ERROR, "libcurl could not make a handle");
    Hop h = {.url = lib_curl.curl_url_dup(url), .send_body = true};
    if (!h.url)
        return http_fail(c, HTTP_ERR_RUNTIME_ERROR, "out of memory");
    snprintf(h.method, sizeof h.method, "%s", rq->method);
    set_time_limit(c, &h);
    Collect k = {.max_body = c->policy.max_body};
    uint32_t err;
    for (unsigned hops = 0;; hops++) {
        long status = 0;
        char *to;
        if ((err = run_hop(c, rq, &h, &k, &status, &to, out_deadline)))
            break;
        if (!to) {
            err = make_response(c, &k, status, out);
            break;
        }
        err = follow(c, &h, status, to, hops);
        free(to);
        if (err)
            break;
    }
    lib_curl.curl_url_cleanup(h.url);
    collect_free(&k);
    return err;
}

void http_response_free(HttpResponse *r)
{
    if (!r)
        return;
    free(r->headers);
    free(r->body);
    free(r);
}
