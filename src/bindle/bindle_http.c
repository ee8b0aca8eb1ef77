/* bindle_http.c: one HTTP exchange with a Bindle server over libcurl (bindle_int.h), and the
 * client handle that carries the connection. Bodies stream from and to files; only documents
 * (invoices, search answers, keyrings) and error answers are held in memory, under caps.
 *
 * The options every request gets, and why:
 *   CURLOPT_PROTOCOLS_STR "http,https"  the server URL's scheme; no redirects are followed
 *                                       (Bindle servers send none), so credentials never go
 *                                       anywhere but the server named
 *   CURLOPT_HTTPAUTH basic              --http-user/--http-password, sent with every request,
 *                                       as Bindle's client sends them
 *   CURLOPT_SSL_VERIFY* 0               only with -k/--insecure
 *   CURLOPT_LOW_SPEED_*                 a stalled transfer fails after 60 s below 1 byte/s,
 *                                       rather than a total timeout a big parcel could exceed
 *   Expect: 100-continue                left to libcurl (bodies over 1 MiB), so a server that
 *                                       refuses an upload from its head (409, 403) answers
 *                                       before the parcel is sent */
#include "bindle/bindle_int.h"

#include "corral.h" /* CORRAL_VERSION, for the User-Agent */
#include "util/strf.h"
#include "util/toml.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the client ---- */

static char *dup_or_null(const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *ok = false;
    return d;
}

BindleStatus bindle_client_new(const BindleClientOpts *o, BindleClient **out, char **out_err)
{
    const char *why;
    *out = NULL;
    *out_err = NULL;
    if (sodium_init() < 0)
        return bindle_fail(out_err, BINDLE_ERR_NOMEM, "libsodium failed to initialise");
    const char *url = o->server_url ? o->server_url : BINDLE_DEFAULT_URL;
    if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
        return bindle_fail(out_err, BINDLE_ERR_USAGE,
                           "the server URL '%.200s' is not http:// or https:// (Bindle's form "
                           "is http://HOST:PORT/v1/)",
                           url);
    if (strpbrk(url, " \t\r\n?#"))
        return bindle_fail(out_err, BINDLE_ERR_USAGE,
                           "the server URL '%.200s' has blanks, a query or a fragment", url);
    if (!lib_curl_load(&why))
        return bindle_fail(out_err, BINDLE_ERR_NET, "%s", why);
    BindleClient *c = calloc(1, sizeof *c);
    bool ok = c != NULL;
    if (ok) {
        size_t n = strlen(url);
        c->base = strf("%s%s", url, n && url[n - 1] == '/' ? "" : "/");
        c->cache_dir = o->cache_dir ? strdup(o->cache_dir) : bindle_default_cache_dir();
        c->user = dup_or_null(o->http_user, &ok);
        c->password =
            dup_or_null(o->http_user ? (o->http_password ? o->http_password : "") : NULL, &ok);
        c->insecure = o->insecure;
        c->max_parcel_size = o->max_parcel_size;
        c->log = o->log;
        c->easy = lib_curl.curl_easy_init();
        ok = ok && c->base && c->easy;
    }
    if (ok && !c->cache_dir) {
        bindle_client_free(c);
        return bindle_fail(out_err, BINDLE_ERR_USAGE,
                           "no cache directory: neither XDG_CACHE_HOME nor HOME is set (name "
                           "one with -d/--bindle-dir or BINDLE_DIRECTORY)");
    }
    if (!ok) {
        bindle_client_free(c);
        return bindle_fail(out_err, BINDLE_ERR_NOMEM, "out of memory");
    }
    *out = c;
    return BINDLE_OK;
}

void bindle_client_free(BindleClient *c)
{
    if (!c)
        return;
    if (c->easy)
        lib_curl.curl_easy_cleanup(c->easy);
    if (c->password)
        sodium_memzero(c->password, strlen(c->password));
    free(c->password);
    free(c->user);
    free(c->base);
    free(c->cache_dir);
    free(c->err);
    free(c);
}

const char *bindle_client_error(const BindleClient *c)
{
    return c->err ? c->err : "";
}

const char *bindle_client_url(const BindleClient *c)
{
    return c->base;
}

const char *bindle_client_cache_dir(const BindleClient *c)
{
    return c->cache_dir;
}

/* ---- one exchange ---- */

typedef struct Transfer {
    const BindleReq *rq;
    BindleResp *resp;
    uint64_t sent;  /* request body bytes handed to curl */
    bool ok_status; /* the response being received is a 2xx */
    bool oom;       /* the memory body could not grow */
    size_t mem_cap;
} Transfer;

/* Keeps the Content-Type; a status line starts a new response (after a 100 Continue). */
static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
    Transfer *t = ud;
    size_t n = size * nitems;
    if (n > 5 && !memcmp(buf, "HTTP/", 5)) {
        const char *sp = memchr(buf, ' ', n);
        long status = sp ? strtol(sp + 1, NULL, 10) : 0;
        t->resp->status = status;
        t->ok_status = status >= 200 && status < 300;
        free(t->resp->content_type);
        t->resp->content_type = NULL;
        return n;
    }
    if (n > 13 && !strncasecmp(buf, "content-type:", 13)) {
        const char *v = buf + 13;
        size_t k = n - 13;
        while (k && (*v == ' ' || *v == '\t'))
            v++, k--;
        while (k && (v[k - 1] == '\r' || v[k - 1] == '\n' || v[k - 1] == ' '))
            k--;
        free(t->resp->content_type);
        t->resp->content_type = strndup(v, k);
    }
    return n;
}

static size_t to_sink(Transfer *t, const char *buf, size_t n)
{
    BindleResp *r = t->resp;
    if (n > t->rq->max_body - r->sink_len) {
        r->too_big = true;
        return 0;
    }
    if (fwrite(buf, 1, n, t->rq->sink) != n) {
        r->sink_failed = true;
        return 0;
    }
    crypto_hash_sha256_update(&r->sha, (const uint8_t *)buf, n);
    r->sink_len += n;
    return n;
}

static size_t on_body(char *buf, size_t size, size_t nitems, void *ud)
{
    Transfer *t = ud;
    BindleResp *r = t->resp;
    size_t n = size * nitems;
    if (t->ok_status && t->rq->sink)
        return to_sink(t, buf, n);
    /* A 2xx body in memory must fit whole; an error body is only kept for its message. */
    size_t cap = t->ok_status ? (size_t)t->rq->max_body : BINDLE_MAX_ERROR_BODY;
    size_t take = n;
    if (take > cap - r->body_len) {
        if (t->ok_status) {
            r->too_big = true;
            return 0;
        }
        take = cap - r->body_len;
    }
    if (r->body_len + take + 1 > t->mem_cap) {
        size_t want = t->mem_cap ? t->mem_cap : 4096;
        while (want < r->body_len + take + 1)
            want *= 2;
        char *grown = realloc(r->body, want);
        if (!grown) {
            t->oom = true;
            return 0;
        }
        r->body = grown;
        t->mem_cap = want;
    }
    memcpy(r->body + r->body_len, buf, take);
    r->body_len += take;
    r->body[r->body_len] = 0;
    return n;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *ud)
{
    Transfer *t = ud;
    const BindleReq *rq = t->rq;
    uint64_t total = rq->body_file ? rq->body_file_len : rq->body_len;
    size_t n = size * nitems;
    if (n > total - t->sent)
        n = (size_t)(total - t->sent);
    if (n == 0)
        return 0;
    if (rq->body_file) {
        size_t got = fread(buf, 1, n, rq->body_file);
        if (got == 0) {
            t->resp->upload_short = true;
            return CURL_READFUNC_ABORT; /* the file shrank or failed: a short body */
        }
        n = got;
    } else {
        memcpy(buf, rq->body + t->sent, n);
    }
    t->sent += n;
    return n;
}

static struct curl_slist *build_headers(const BindleReq *rq, bool *ok)
{
    struct curl_slist *l = NULL;
    char *lines[2] = {rq->accept ? strf("Accept: %s", rq->accept) : NULL,
                      rq->content_type ? strf("Content-Type: %s", rq->content_type) : NULL};
    *ok = (!rq->accept || lines[0]) && (!rq->content_type || lines[1]);
    for (size_t i = 0; i < 2; i++) {
        struct curl_slist *more = *ok && lines[i] ? lib_curl.curl_slist_append(l, lines[i]) : l;
        if (!more)
            *ok = false;
        else
            l = more;
        free(lines[i]);
    }
    return l;
}

static bool set_method(CURL *e, const BindleReq *rq)
{
    __typeof__(lib_curl.curl_easy_setopt) setopt = lib_curl.curl_easy_setopt;
    uint64_t len = rq->body_file ? rq->body_file_len : rq->body_len;
    if (!strcmp(rq->method, "HEAD"))
        return setopt(e, CURLOPT_NOBODY, 1L) == CURLE_OK;
    if (!strcmp(rq->method, "GET"))
        return setopt(e, CURLOPT_HTTPGET, 1L) == CURLE_OK;
    if (!strcmp(rq->method, "POST"))
        return setopt(e, CURLOPT_POST, 1L) == CURLE_OK &&
               setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len) == CURLE_OK;
    return setopt(e, CURLOPT_CUSTOMREQUEST, rq->method) == CURLE_OK; /* DELETE */
}

static bool set_options(BindleClient *c, const char *url, const BindleReq *rq, Transfer *t,
                        struct curl_slist *hdrs, char *errbuf)
{
    __typeof__(lib_curl.curl_easy_setopt) setopt = lib_curl.curl_easy_setopt;
    CURL *e = c->easy;
    bool ok = setopt(e, CURLOPT_URL, url) == CURLE_OK;
    ok &= setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok &= setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_CONNECTTIMEOUT, 30L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_LOW_SPEED_TIME, 60L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_USERAGENT, "corral/" CORRAL_VERSION) == CURLE_OK;
    ok &= setopt(e, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
    ok &= setopt(e, CURLOPT_HTTPHEADER, hdrs) == CURLE_OK;
    ok &= setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
    ok &= setopt(e, CURLOPT_HEADERDATA, t) == CURLE_OK;
    ok &= setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
    ok &= setopt(e, CURLOPT_WRITEDATA, t) == CURLE_OK;
    ok &= setopt(e, CURLOPT_READFUNCTION, on_read) == CURLE_OK;
    ok &= setopt(e, CURLOPT_READDATA, t) == CURLE_OK;
    if (c->user) {
        ok &= setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) == CURLE_OK;
        ok &= setopt(e, CURLOPT_USERNAME, c->user) == CURLE_OK;
        ok &= setopt(e, CURLOPT_PASSWORD, c->password) == CURLE_OK;
    }
    if (c->insecure) {
        ok &= setopt(e, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK;
        ok &= setopt(e, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK;
    }
    return ok && set_method(e, rq);
}

BindleStatus bindle_send(BindleClient *c, const BindleReq *rq, BindleResp *r)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    Transfer t = {.rq = rq, .resp = r};
    bool ok;
    memset(r, 0, sizeof *r);
    crypto_hash_sha256_init(&r->sha);
    char *url = strf("%s%s", c->base, rq->path);
    if (!url)
        return bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    lib_curl.curl_easy_reset(c->easy);
    struct curl_slist *hdrs = build_headers(rq, &ok);
    if (ok)
        ok = set_options(c, url, rq, &t, hdrs, errbuf);
    CURLcode rc = ok ? lib_curl.curl_easy_perform(c->easy) : CURLE_OUT_OF_MEMORY;
    lib_curl.curl_slist_free_all(hdrs);
    lib_curl.curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    bindle_log(c, "%s %s: %ld", rq->method, url, r->status);
    BindleStatus st = BINDLE_OK;
    if (r->too_big)
        st = bindle_fail(&c->err, BINDLE_ERR_TOO_BIG, "%s %s: the answer is larger than %llu bytes",
                         rq->method, url, (unsigned long long)rq->max_body);
    else if (r->sink_failed)
        st = bindle_fail(&c->err, BINDLE_ERR_IO, "%s %s: cannot write what arrives: %s", rq->method,
                         url, strerror(errno));
    else if (r->upload_short)
        st = bindle_fail(&c->err, BINDLE_ERR_IO,
                         "%s %s: the file being uploaded is shorter than it was", rq->method, url);
    else if (rc == CURLE_OUT_OF_MEMORY || t.oom)
        st = bindle_fail(&c->err, BINDLE_ERR_NOMEM, "out of memory");
    else if (rc != CURLE_OK)
        st = bindle_fail(&c->err, BINDLE_ERR_NET, "%s %s: %s", rq->method, url,
                         errbuf[0] ? errbuf : lib_curl.curl_easy_strerror(rc));
    free(url);
    return st;
}

void bindle_resp_clear(BindleResp *r)
{
    free(r->content_type);
    free(r->body);
    r->content_type = NULL;
    r->body = NULL;
    r->body_len = 0;
}

/* ---- failures ---- */

/* text[0..n) with control characters as \xHH, cut at 300 bytes. Owned. */
static char *escaped(const char *text, size_t n)
{
    if (n > 300)
        n = 300;
    char *d = malloc(4 * n + 4), *p = d;
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch < 0x20 || ch == 0x7f)
            p += sprintf(p, "\\x%02x", ch);
        else
            *p++ = (char)ch;
    }
    *p = 0;
    return d;
}

char *bindle_error_text(const char *body, size_t len)
{
    if (!body || !len)
        return NULL;
    const char *s;
    size_t n;
    char *out = NULL;
    TomlValue *root = NULL;
    TomlError terr;
    if (toml_parse(body, len, &root, &terr) == TOML_OK &&
        toml_as_string(toml_table_get(root, "error"), &s, &n)) {
        out = escaped(s, n);
        toml_free(root);
        return out;
    }
    toml_free(root);
    json_t *j = json_loadb(body, len, 0, NULL);
    const char *js = json_string_value(json_object_get(j, "error"));
    if (js)
        out = escaped(js, strlen(js));
    json_decref(j);
    if (out)
        return out;
    /* Not Bindle's form: the first line of what came, if it is text. */
    size_t line = strcspn(body, "\r\n");
    return line ? escaped(body, line) : NULL;
}

static const char *reason(long status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 422:
        return "Unprocessable Entity";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "";
    }
}

BindleStatus bindle_fail_status(BindleClient *c, const char *what, const BindleResp *r,
                                bool yank_read)
{
    long s = r->status;
    BindleStatus st = s == 401 || s == 403  ? BINDLE_ERR_AUTH
                      : s == 404            ? BINDLE_ERR_NOT_FOUND
                      : s == 409            ? BINDLE_ERR_EXISTS
                      : s >= 400 && s < 500 ? BINDLE_ERR_REFUSED
                                            : BINDLE_ERR_SERVER;
    char *text = bindle_error_text(r->body, r->body_len);
    const char *hint = "";
    if (s == 403 && yank_read) {
        st = BINDLE_ERR_YANKED;
        hint = " (--yanked takes a yanked bindle anyway)";
    } else if (s == 401) {
        hint = c->user ? "; the server refused the credentials of --http-user/--http-password"
                       : "; the server wants credentials: --http-user and --http-password (or "
                         "BINDLE_HTTP_USER and BINDLE_HTTP_PASSWORD)";
    } else if (s == 403 && !c->user) {
        hint = "; writing needs credentials: --http-user and --http-password (or "
               "BINDLE_HTTP_USER and BINDLE_HTTP_PASSWORD)";
    }
    st = bindle_fail(&c->err, st, "%s: %s answered %ld%s%s%s%s%s", what, c->base, s,
                     reason(s)[0] ? " " : "", reason(s), text ? ": " : "", text ? text : "", hint);
    free(text);
    return st;
}
