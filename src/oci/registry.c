/* registry.c: the OCI distribution API over libcurl: the session (oci.h), one HTTP exchange
 * with the 401 answered once (oci_send), and the operations on manifests and blobs, each
 * checking what comes back against the digest and size it was asked for. Bodies stream from
 * and to files; only manifests, configs and error answers are held in memory, under caps.
 * Credentials and tokens are oci_auth.c's; what the documents mean is artifact.c's.
 *
 * The options every request gets, and why:
 *   CURLOPT_PROTOCOLS_STR        "https", or "http,https" when plain HTTP is allowed (a
 *                                loopback registry or --insecure-http), redirects the same,
 *                                so a redirect cannot downgrade a TLS session to plain text
 *   CURLOPT_FOLLOWLOCATION       only for blob GET and HEAD: registries send blobs from
 *                                storage elsewhere; libcurl does not send our Authorization
 *                                header to another host or port
 *   CURLOPT_PROXY ""             for loopback registries only; others honour the usual
 *                                https_proxy/no_proxy variables, as docker does
 *   CURLOPT_LOW_SPEED_*          a stalled transfer fails after 60 s below 1 byte/s, rather
 *                                than a total timeout that a big layer could exceed
 *   "Expect:"                    no 100-continue round trip before uploads */
#include "oci/oci_int.h"

#include "corral.h" /* CORRAL_VERSION, for the User-Agent */
#include "util/strf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the session ---- */

OciStatus oci_fail(OciSession *s, OciStatus status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vstrf(fmt, ap);
    va_end(ap);
    free(s->err);
    s->err = msg;
    return msg ? status : OCI_ERR_NOMEM;
}

void oci_log(OciSession *s, const char *fmt, ...)
{
    if (!s->opts.log)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("corral: ", s->opts.log);
    vfprintf(s->opts.log, fmt, ap);
    fputc('\n', s->opts.log);
    va_end(ap);
}

const char *oci_session_error(const OciSession *s)
{
    return s->err ? s->err : "";
}

static bool copy_ref(const OciRef *from, OciRef *to)
{
    to->registry = strdup(from->registry);
    to->repository = strdup(from->repository);
    to->tag = from->tag ? strdup(from->tag) : NULL;
    to->digest = from->digest ? strdup(from->digest) : NULL;
    return to->registry && to->repository && (!from->tag || to->tag) &&
           (!from->digest || to->digest);
}

OciStatus oci_session_new(const OciRef *ref, const OciOptions *opts, bool push, OciSession **out,
                          char **out_err)
{
    const char *why;
    *out = NULL;
    *out_err = NULL;
    if (sodium_init() < 0) {
        *out_err = strf("libsodium failed to initialise");
        return OCI_ERR_NOMEM;
    }
    if (!lib_curl_load(&why)) {
        *out_err = strf("%s", why);
        return OCI_ERR_NET;
    }
    OciSession *s = calloc(1, sizeof *s);
    if (!s || !copy_ref(ref, &s->ref))
        goto nomem;
    s->opts = *opts;
    s->opts.docker_config = NULL; /* borrowed only while loading the credentials */
    if (!s->opts.max_size)
        s->opts.max_size = OCI_DEFAULT_MAX_SIZE;
    s->push = push;
    s->plain_http = opts->insecure_http || oci_registry_is_loopback(ref->registry);
    /* Docker Hub's name and its API's host differ. */
    s->api_host =
        strdup(strcmp(ref->registry, "docker.io") ? ref->registry : "registry-1.docker.io");
    s->base = s->api_host ? strf("%s://%s", s->plain_http ? "http" : "https", s->api_host) : NULL;
    s->easy = lib_curl.curl_easy_init();
    if (!s->base || !s->easy)
        goto nomem;
    OciStatus st = oci_creds_load(ref->registry, opts->docker_config, &s->creds, out_err);
    if (st) {
        oci_session_free(s);
        return st;
    }
    *out = s;
    return OCI_OK;
nomem:
    oci_session_free(s);
    *out_err = strf("out of memory");
    return OCI_ERR_NOMEM;
}

void oci_session_free(OciSession *s)
{
    if (!s)
        return;
    if (s->easy)
        lib_curl.curl_easy_cleanup(s->easy);
    oci_ref_clear(&s->ref);
    oci_creds_clear(&s->creds);
    free(s->base);
    free(s->api_host);
    if (s->authorization)
        sodium_memzero(s->authorization, strlen(s->authorization));
    free(s->authorization);
    free(s->err);
    free(s);
}

/* ---- one exchange ---- */

typedef struct Transfer {
    const OciReq *rq;
    OciResp *resp;
    uint64_t sent;  /* request body bytes handed to curl */
    bool ok_status; /* the response being received is a 2xx */
    bool oom;       /* the memory body could not grow */
    size_t mem_cap;
} Transfer;

static char *dup_trimmed(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

static void clear_headers(OciResp *r)
{
    free(r->location);
    free(r->digest);
    free(r->www_authenticate);
    free(r->content_type);
    r->location = r->digest = r->www_authenticate = r->content_type = NULL;
}

/* Keeps the headers the API needs; a status line starts a new response (after a redirect
 * or a 100 Continue) and forgets the previous one's. */
static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
    Transfer *t = ud;
    size_t n = size * nitems;
    if (n > 5 && !memcmp(buf, "HTTP/", 5)) {
        const char *sp = memchr(buf, ' ', n);
        long status = sp ? strtol(sp + 1, NULL, 10) : 0;
        t->resp->status = status;
        t->ok_status = status >= 200 && status < 300;
        clear_headers(t->resp);
        return n;
    }
    static const struct {
        const char *name;
        size_t offset;
    } keep[] = {
        {"location", offsetof(OciResp, location)},
        {"docker-content-digest", offsetof(OciResp, digest)},
        {"www-authenticate", offsetof(OciResp, www_authenticate)},
        {"content-type", offsetof(OciResp, content_type)},
    };
    const char *colon = memchr(buf, ':', n);
    if (!colon)
        return n;
    size_t name_len = (size_t)(colon - buf);
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        if (strlen(keep[i].name) != name_len || strncasecmp(buf, keep[i].name, name_len))
            continue;
        char **field = (char **)(void *)((char *)t->resp + keep[i].offset);
        free(*field);
        *field = dup_trimmed(colon + 1, n - name_len - 1);
    }
    return n;
}

static size_t to_sink(Transfer *t, const char *buf, size_t n)
{
    OciResp *r = t->resp;
    if (n > t->rq->max_body - r->sink_len) {
        r->too_big = true;
        return 0;
    }
    if (fwrite(buf, 1, n, t->rq->sink) != n) {
        r->sink_failed = true;
        return 0;
    }
    crypto_hash_sha256_update(&r->sha, (const uint8_t *)buf, n);
    for (size_t i = 0; i < n && r->head_len < sizeof r->head; i++)
        r->head[r->head_len++] = (uint8_t)buf[i];
    r->sink_len += n;
    return n;
}

static size_t on_body(char *buf, size_t size, size_t nitems, void *ud)
{
    Transfer *t = ud;
    OciResp *r = t->resp;
    size_t n = size * nitems;
    if (t->ok_status && t->rq->sink)
        return to_sink(t, buf, n);
    /* A 2xx body in memory must fit whole; an error body is only kept for its message. */
    size_t cap = t->ok_status ? (size_t)t->rq->max_body : OCI_MAX_ERROR_BODY;
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
        uint8_t *grown = realloc(r->body, want);
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
    const OciReq *rq = t->rq;
    uint64_t total = rq->body_file ? rq->body_file_len : rq->body_len;
    size_t n = size * nitems;
    if (n > total - t->sent)
        n = (size_t)(total - t->sent);
    if (n == 0)
        return 0;
    if (rq->body_file) {
        size_t got = fread(buf, 1, n, rq->body_file);
        if (got == 0)
            return CURL_READFUNC_ABORT; /* the file shrank or failed: a short body */
        n = got;
    } else {
        memcpy(buf, rq->body + t->sent, n);
    }
    t->sent += n;
    return n;
}

static struct curl_slist *add_header(struct curl_slist *l, bool *ok, const char *line)
{
    if (!*ok || !line)
        return l;
    struct curl_slist *t = lib_curl.curl_slist_append(l, line);
    if (!t)
        *ok = false;
    return t ? t : l;
}

static struct curl_slist *build_headers(OciSession *s, const OciReq *rq, bool *ok)
{
    struct curl_slist *l = NULL;
    char *accept = rq->accept ? strf("Accept: %s", rq->accept) : NULL;
    char *type = rq->content_type ? strf("Content-Type: %s", rq->content_type) : NULL;
    *ok = (!rq->accept || accept) && (!rq->content_type || type);
    l = add_header(l, ok, accept);
    l = add_header(l, ok, type);
    l = add_header(l, ok, rq->no_auth ? rq->authorization : s->authorization);
    l = add_header(l, ok, "Expect:");
    free(accept);
    free(type);
    return l;
}

static bool set_method(CURL *e, const OciReq *rq)
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
    /* PUT */
    return setopt(e, CURLOPT_UPLOAD, 1L) == CURLE_OK &&
           setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len) == CURLE_OK;
}

static bool set_options(OciSession *s, const OciReq *rq, Transfer *t, struct curl_slist *hdrs,
                        char *errbuf)
{
    __typeof__(lib_curl.curl_easy_setopt) setopt = lib_curl.curl_easy_setopt;
    CURL *e = s->easy;
    const char *protocols = s->plain_http ? "http,https" : "https";
    bool ok = setopt(e, CURLOPT_URL, rq->url) == CURLE_OK;
    ok &= setopt(e, CURLOPT_PROTOCOLS_STR, protocols) == CURLE_OK;
    ok &= setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, protocols) == CURLE_OK;
    ok &= setopt(e, CURLOPT_FOLLOWLOCATION, rq->follow ? 1L : 0L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_MAXREDIRS, 10L) == CURLE_OK;
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
    if (oci_registry_is_loopback(s->api_host))
        ok &= setopt(e, CURLOPT_PROXY, "") == CURLE_OK;
    return ok && set_method(e, rq);
}

/* The -v line of an exchange: the URL without its query (upload URLs carry a long opaque
 * state), and where a redirect led. */
static void log_exchange(OciSession *s, const OciReq *rq, const OciResp *r)
{
    char *last = NULL;
    if (!s->opts.log)
        return;
    if (rq->follow)
        lib_curl.curl_easy_getinfo(s->easy, CURLINFO_EFFECTIVE_URL, &last);
    bool moved = last && strcmp(last, rq->url) != 0;
    oci_log(s, "%s %.*s: %ld%s%.*s%s", rq->method, (int)strcspn(rq->url, "?"), rq->url, r->status,
            moved ? " (redirected to " : "", moved ? (int)strcspn(last, "?") : 0, moved ? last : "",
            moved ? ")" : "");
}

/* One request as it is, without answering a 401. */
static OciStatus perform(OciSession *s, const OciReq *rq, OciResp *r)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    Transfer t = {.rq = rq, .resp = r};
    bool ok;
    memset(r, 0, sizeof *r);
    crypto_hash_sha256_init(&r->sha);
    if (rq->body_file && fseeko(rq->body_file, 0, SEEK_SET) != 0)
        return oci_fail(s, OCI_ERR_IO, "cannot rewind the upload: %s", strerror(errno));
    lib_curl.curl_easy_reset(s->easy);
    struct curl_slist *hdrs = build_headers(s, rq, &ok);
    if (ok)
        ok = set_options(s, rq, &t, hdrs, errbuf);
    CURLcode rc = ok ? lib_curl.curl_easy_perform(s->easy) : CURLE_OUT_OF_MEMORY;
    lib_curl.curl_slist_free_all(hdrs);
    lib_curl.curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    log_exchange(s, rq, r);
    if (r->too_big)
        return oci_fail(s, OCI_ERR_TOO_BIG, "%s %s: the answer is larger than %llu bytes",
                        rq->method, rq->url, (unsigned long long)rq->max_body);
    if (r->sink_failed)
        return oci_fail(s, OCI_ERR_IO, "%s %s: cannot write what arrives: %s", rq->method, rq->url,
                        strerror(errno));
    if (rc == CURLE_OUT_OF_MEMORY || t.oom)
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    if (rc != CURLE_OK)
        return oci_fail(s, OCI_ERR_NET, "%s %s: %s", rq->method, rq->url,
                        errbuf[0] ? errbuf : lib_curl.curl_easy_strerror(rc));
    return OCI_OK;
}

OciStatus oci_send(OciSession *s, const OciReq *rq, OciResp *out)
{
    OciStatus st = perform(s, rq, out);
    if (st || out->status != 401 || rq->no_auth || !out->www_authenticate)
        return st;
    char *challenge = out->www_authenticate;
    out->www_authenticate = NULL;
    st = oci_auth_answer(s, challenge);
    free(challenge);
    if (st)
        return st;
    oci_resp_clear(out);
    return perform(s, rq, out);
}

void oci_resp_clear(OciResp *r)
{
    clear_headers(r);
    free(r->body);
    r->body = NULL;
    r->body_len = 0;
}

/* ---- failures ---- */

/* The registry's error codes and messages, "MANIFEST_UNKNOWN: manifest unknown", joined by
 * "; "; NULL when the body has none. */
static char *registry_errors(const OciResp *r)
{
    if (!r->body)
        return NULL;
    json_t *root = json_loadb((const char *)r->body, r->body_len, 0, NULL);
    json_t *errors = json_object_get(root, "errors");
    char *text = NULL;
    for (size_t i = 0; i < json_array_size(errors); i++) {
        json_t *e = json_array_get(errors, i);
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        char *more = strf("%s%s%s%s%s", text ? text : "", text ? "; " : "", code ? code : "",
                          code && msg ? ": " : "", msg ? msg : "");
        free(text);
        text = more;
    }
    json_decref(root);
    return text;
}

OciStatus oci_fail_status(OciSession *s, const char *what, const OciResp *r)
{
    OciStatus st = r->status == 401 || r->status == 403 ? OCI_ERR_AUTH
                   : r->status == 404                   ? OCI_ERR_NOT_FOUND
                                                        : OCI_ERR_REGISTRY;
    char *errors = registry_errors(r);
    const char *hint = "";
    if (st == OCI_ERR_AUTH && !s->creds.basic)
        hint = s->creds.note ? s->creds.note : "; no credentials for it in the docker config";
    else if (st == OCI_ERR_AUTH)
        hint = "; the docker config's credentials were refused";
    st = oci_fail(s, st, "%s: %s answered %ld%s%s%s", what, s->ref.registry, r->status,
                  errors ? " " : "", errors ? errors : "", hint);
    free(errors);
    return st;
}

/* ---- URLs ---- */

static char *repo_url(OciSession *s, const char *kind, const char *rest)
{
    return strf("%s/v2/%s/%s/%s", s->base, s->ref.repository, kind, rest);
}

/* The media type without parameters ("application/json; charset=utf-8" gives
 * "application/json"), owned. */
static char *bare_media_type(const char *content_type)
{
    size_t n = strcspn(content_type, "; \t");
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, content_type, n);
        d[n] = 0;
    }
    return d;
}

/* ---- manifests ---- */

/* A manifest's own mediaType field, when the registry sent no usable Content-Type. */
static char *document_media_type(const uint8_t *bytes, size_t len)
{
    json_t *root = json_loadb((const char *)bytes, len, 0, NULL);
    const char *mt = json_string_value(json_object_get(root, "mediaType"));
    char *d = mt ? strdup(mt) : strdup(OCI_MT_MANIFEST);
    json_decref(root);
    return d;
}

OciStatus oci_manifest_get(OciSession *s, const char *reference, uint8_t **out_bytes,
                           size_t *out_len, char **out_media_type, char out_digest[OCI_DIGEST_SIZE])
{
    char *url = repo_url(s, "manifests", reference);
    OciReq rq = {
        .method = "GET", .url = url, .accept = OCI_ACCEPT_MANIFESTS, .max_body = OCI_MAX_MANIFEST};
    OciResp r;
    if (!url)
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    OciStatus st = oci_send(s, &rq, &r);
    char *what = strf("manifest %s", reference);
    if (!st && r.status != 200)
        st = oci_fail_status(s, what ? what : reference, &r);
    free(what);
    free(url);
    if (st) {
        oci_resp_clear(&r);
        return st;
    }
    oci_digest_bytes(r.body ? r.body : (const uint8_t *)"", r.body_len, out_digest);
    const char *expected = oci_digest_valid(reference) ? reference : r.digest;
    if (expected && strcmp(expected, out_digest) != 0) {
        st = oci_fail(s, OCI_ERR_INTEGRITY,
                      "manifest %s: the registry sent a document whose digest is %s, not %s: "
                      "its storage is corrupt or was tampered with",
                      reference, out_digest, expected);
        oci_resp_clear(&r);
        return st;
    }
    bool generic = !r.content_type || !strncmp(r.content_type, "application/json", 16) ||
                   !strncmp(r.content_type, "text/plain", 10);
    *out_media_type =
        generic ? document_media_type(r.body, r.body_len) : bare_media_type(r.content_type);
    *out_bytes = r.body ? r.body : (uint8_t *)strdup("");
    *out_len = r.body_len;
    r.body = NULL;
    oci_resp_clear(&r);
    if (!*out_media_type || !*out_bytes) {
        free(*out_media_type);
        free(*out_bytes);
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    }
    return OCI_OK;
}

OciStatus oci_manifest_put(OciSession *s, const char *reference, const char *media_type,
                           const char *json, char out_digest[OCI_DIGEST_SIZE])
{
    size_t len = strlen(json);
    char *url = repo_url(s, "manifests", reference);
    OciReq rq = {.method = "PUT",
                 .url = url,
                 .content_type = media_type,
                 .body = (const uint8_t *)json,
                 .body_len = len,
                 .max_body = OCI_MAX_SMALL};
    OciResp r;
    if (!url)
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    oci_digest_bytes(json, len, out_digest);
    OciStatus st = oci_send(s, &rq, &r);
    char *what = strf("pushing manifest %s", reference);
    if (!st && r.status != 201 && r.status != 200)
        st = oci_fail_status(s, what ? what : reference, &r);
    else if (!st && r.digest && strcmp(r.digest, out_digest) != 0)
        st = oci_fail(s, OCI_ERR_INTEGRITY,
                      "pushing manifest %s: the registry stored digest %s for a manifest "
                      "whose digest is %s",
                      reference, r.digest, out_digest);
    free(what);
    free(url);
    oci_resp_clear(&r);
    return st;
}

/* ---- blobs ---- */

OciStatus oci_blob_exists(OciSession *s, const char *digest, bool *out)
{
    char *url = repo_url(s, "blobs", digest);
    OciReq rq = {.method = "HEAD", .url = url, .max_body = OCI_MAX_SMALL, .follow = true};
    OciResp r;
    if (!url)
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    OciStatus st = oci_send(s, &rq, &r);
    free(url);
    *out = !st && r.status == 200;
    if (!st && r.status != 200 && r.status != 404)
        st = oci_fail_status(s, "checking for a blob", &r);
    oci_resp_clear(&r);
    return st;
}

/* The upload's Location resolved against the request that gave it, with the digest added to
 * its query, as the monolithic PUT wants it. Owned; NULL when out of memory or malformed. */
static char *upload_url(const char *request_url, const char *location, const char *digest)
{
    CURLU *u = lib_curl.curl_url();
    char *query = strf("digest=%s", digest), *url = NULL, *out = NULL;
    if (u && query && !lib_curl.curl_url_set(u, CURLUPART_URL, request_url, 0) &&
        !lib_curl.curl_url_set(u, CURLUPART_URL, location, 0) &&
        !lib_curl.curl_url_set(u, CURLUPART_QUERY, query, CURLU_APPENDQUERY | CURLU_URLENCODE) &&
        !lib_curl.curl_url_get(u, CURLUPART_URL, &url, 0))
        out = strdup(url);
    lib_curl.curl_free(url);
    lib_curl.curl_url_cleanup(u);
    free(query);
    return out;
}

/* True when url is on the session's registry (scheme, host and port), where its
 * Authorization may go. */
static bool on_registry(const OciSession *s, const char *url)
{
    size_t n = strlen(s->base);
    return !strncmp(url, s->base, n) && (url[n] == '/' || url[n] == 0);
}

OciStatus oci_blob_push(OciSession *s, const char *digest, const uint8_t *bytes, FILE *f,
                        uint64_t len)
{
    bool exists;
    OciStatus st = oci_blob_exists(s, digest, &exists);
    if (st || exists) {
        if (exists)
            oci_log(s, "blob %s is already there", digest);
        return st;
    }
    char *start = repo_url(s, "blobs", "uploads/"), *put = NULL;
    OciReq post = {.method = "POST", .url = start, .max_body = OCI_MAX_SMALL};
    OciResp r;
    if (!start)
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    st = oci_send(s, &post, &r);
    if (!st && r.status != 202)
        st = oci_fail_status(s, "starting a blob upload", &r);
    else if (!st && !r.location)
        st = oci_fail(s, OCI_ERR_REGISTRY,
                      "starting a blob upload: %s answered 202 without "
                      "a Location",
                      s->ref.registry);
    if (!st && !(put = upload_url(start, r.location, digest)))
        st = oci_fail(s, OCI_ERR_REGISTRY,
                      "starting a blob upload: %s gave an unusable "
                      "Location '%.200s'",
                      s->ref.registry, r.location);
    oci_resp_clear(&r);
    free(start);
    if (st)
        return st;
    OciReq rq = {.method = "PUT",
                 .url = put,
                 .content_type = "application/octet-stream",
                 .body = bytes,
                 .body_len = (size_t)len,
                 .body_file = bytes ? NULL : f,
                 .body_file_len = len,
                 .max_body = OCI_MAX_SMALL,
                 .no_auth = !on_registry(s, put)};
    st = oci_send(s, &rq, &r);
    if (!st && r.status != 201)
        st = oci_fail_status(s, "uploading a blob", &r);
    if (!st)
        oci_log(s, "pushed blob %s (%llu bytes)", digest, (unsigned long long)len);
    oci_resp_clear(&r);
    free(put);
    return st;
}

/* The checks every downloaded blob passes: all its bytes, and its digest. */
static OciStatus check_blob(OciSession *s, const OciDesc *d, uint64_t got, const char *got_digest)
{
    if (got != d->size)
        return oci_fail(s, OCI_ERR_INTEGRITY,
                        "blob %s: the registry sent %llu bytes, the "
                        "manifest says %llu",
                        d->digest, (unsigned long long)got, (unsigned long long)d->size);
    if (strcmp(got_digest, d->digest) != 0)
        return oci_fail(s, OCI_ERR_INTEGRITY,
                        "blob %s: the registry sent content whose digest is %s: its storage "
                        "is corrupt or was tampered with",
                        d->digest, got_digest);
    return OCI_OK;
}

static OciStatus blob_fetch(OciSession *s, const OciDesc *d, FILE *sink, uint64_t max, OciResp *r)
{
    if (!oci_digest_valid(d->digest))
        return oci_fail(s, OCI_ERR_FORMAT, "a descriptor's digest '%.80s' is not sha256:HEX",
                        d->digest);
    if (d->size > max)
        return oci_fail(s, OCI_ERR_TOO_BIG, "blob %s: %llu bytes, more than the %llu allowed",
                        d->digest, (unsigned long long)d->size, (unsigned long long)max);
    char *url = repo_url(s, "blobs", d->digest);
    /* One byte more than announced is already a mismatch: no need to read further. */
    OciReq rq = {
        .method = "GET", .url = url, .sink = sink, .max_body = d->size + 1, .follow = true};
    if (!url)
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    OciStatus st = oci_send(s, &rq, r);
    free(url);
    if (st == OCI_ERR_TOO_BIG)
        return oci_fail(s, OCI_ERR_INTEGRITY,
                        "blob %s: the registry sent more than the %llu "
                        "bytes the manifest says",
                        d->digest, (unsigned long long)d->size);
    if (!st && r->status != 200)
        st = oci_fail_status(s, d->digest, r);
    return st;
}

OciStatus oci_blob_get(OciSession *s, const OciDesc *d, FILE *sink, uint8_t head[8],
                       size_t *head_len)
{
    OciResp r;
    OciStatus st = blob_fetch(s, d, sink, s->opts.max_size, &r);
    if (!st) {
        uint8_t hash[crypto_hash_sha256_BYTES];
        char got[OCI_DIGEST_SIZE];
        crypto_hash_sha256_final(&r.sha, hash);
        oci_digest_format(hash, got);
        st = check_blob(s, d, r.sink_len, got);
        memcpy(head, r.head, r.head_len);
        *head_len = r.head_len;
    }
    oci_resp_clear(&r);
    return st;
}

OciStatus oci_blob_get_mem(OciSession *s, const OciDesc *d, size_t max, uint8_t **out,
                           size_t *out_len)
{
    OciResp r;
    OciStatus st = blob_fetch(s, d, NULL, max, &r);
    if (!st) {
        char got[OCI_DIGEST_SIZE];
        oci_digest_bytes(r.body ? r.body : (const uint8_t *)"", r.body_len, got);
        st = check_blob(s, d, r.body_len, got);
    }
    if (!st && !r.body && !(r.body = calloc(1, 1)))
        st = oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    if (!st) {
        *out = r.body;
        *out_len = r.body_len;
        r.body = NULL;
    }
    oci_resp_clear(&r);
    return st;
}
