/* store_server.c: the store's HTTP server (store_server.h): the daemon, a request's life
 * (raw target, route, auth, hand-off to store_routes.c, access log line), replies and
 * content negotiation. libmicrohttpd runs one thread per connection, so a handler may block
 * on the disk without holding up other clients.
 *
 * Order of checks for a request: the path picks a route (404 when none, 405 for a method it
 * does not take); then credentials (401 when given and wrong; 403 for an anonymous write
 * when an htpasswd file is in use); then the route's handler. */
#include "store/store_server_int.h"

#include "store/doc_out.h"
#include "util/net.h"
#include "util/strf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

void store_server_config_default(StoreServerConfig *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen = "127.0.0.1:8080";
    cfg->max_invoice_size = 1u << 20;
    cfg->max_connections = 512;
    cfg->idle_timeout_s = 120;
    cfg->version = "";
    cfg->access_log = stdout;
    cfg->error_log = stderr;
}

/* ---- replies ---- */

static enum MHD_Result queue(Req *r, unsigned status, struct MHD_Response *m, uint64_t bytes)
{
    if (!m)
        return MHD_NO;
    if (r->defer) {
        r->pending = m;
        r->queued = true;
        r->status = status;
        r->resp_bytes = bytes;
        return MHD_YES;
    }
    enum MHD_Result ok = lib_mhd.MHD_queue_response(r->conn, status, m);
    lib_mhd.MHD_destroy_response(m);
    if (ok == MHD_YES) {
        r->queued = true;
        r->status = status;
        r->resp_bytes = bytes;
    }
    return ok;
}

/* A response holding a copy of text, with Content-Type type. */
static struct MHD_Response *text_response(const char *text, size_t len, const char *type)
{
    struct MHD_Response *m =
        lib_mhd.MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    if (m && lib_mhd.MHD_add_response_header(m, "Content-Type", type) == MHD_NO) {
        lib_mhd.MHD_destroy_response(m);
        m = NULL;
    }
    return m;
}

/* Bindle's errors are always TOML, whatever Accept says (reply.rs). */
enum MHD_Result reply_error(Req *r, unsigned status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vstrf(fmt, ap);
    va_end(ap);
    json_t *doc = json_pack("{s:s}", "error", msg ? msg : "out of memory");
    size_t len = 0;
    char *text = doc ? doc_toml(doc, &len) : NULL;
    struct MHD_Response *m = text ? text_response(text, len, "application/toml") : NULL;
    if (m && status == 401)
        lib_mhd.MHD_add_response_header(m, "WWW-Authenticate", "Basic realm=\"bindle\"");
    if (m && r->close)
        lib_mhd.MHD_add_response_header(m, "Connection", "close");
    free(msg);
    free(text);
    json_decref(doc);
    return queue(r, status, m, len);
}

enum MHD_Result reply_doc(Req *r, unsigned status, json_t *doc)
{
    size_t len = 0;
    char *text = !doc ? NULL : r->json ? doc_json(doc, &len) : doc_toml(doc, &len);
    json_decref(doc);
    if (!text)
        return reply_error(r, 500, "out of memory");
    struct MHD_Response *m =
        text_response(text, len, r->json ? "application/json" : "application/toml");
    free(text);
    return queue(r, status, m, len);
}

enum MHD_Result reply_message(Req *r, unsigned status, const char *message)
{
    return reply_doc(r, status, json_pack("{s:s}", "message", message));
}

enum MHD_Result reply_file(Req *r, int fd, uint64_t size, const char *media_type)
{
    /* MHD sends it with sendfile(2) on plain HTTP; the descriptor is MHD's now. */
    struct MHD_Response *m = lib_mhd.MHD_create_response_from_fd64(size, fd);
    if (!m) {
        close(fd);
        return reply_error(r, 500, "out of memory");
    }
    lib_mhd.MHD_add_response_header(m, "Content-Type", media_type);
    return queue(r, 200, m, size);
}

/* ---- the target: path and query ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* Percent-decodes s[0..n) (and '+' as a blank when form, as a query is); an invalid escape
 * stays as it is. NULL when memory is short or the result would hold a NUL. */
static char *decode(const char *s, size_t n, bool form)
{
    char *d = malloc(n + 1), *o = d;
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 &&
            (l = hexval(s[i + 2])) >= 0) {
            *o++ = (char)(h * 16 + l);
            i += 2;
        } else {
            *o++ = form && s[i] == '+' ? ' ' : s[i];
        }
    }
    *o = '\0';
    if ((size_t)(o - d) != strlen(d)) {
        free(d);
        return NULL;
    }
    return d;
}

bool req_query_each(const Req *r, bool (*fn)(void *ud, const char *key, const char *value),
                    void *ud)
{
    const char *q = strchr(r->target, '?');
    if (!q)
        return true;
    for (q++; *q;) {
        size_t n = strcspn(q, "&");
        if (n > 0) {
            const char *eq = memchr(q, '=', n);
            size_t kn = eq ? (size_t)(eq - q) : n;
            char *k = decode(q, kn, true), *v = eq ? decode(eq + 1, n - kn - 1, true) : strdup("");
            /* A parameter that does not decode (a NUL) stops the walk like a refusal. */
            bool go = k && v && fn(ud, k, v);
            free(k);
            free(v);
            if (!go)
                return false;
        }
        q += n;
        if (*q == '&')
            q++;
    }
    return true;
}

typedef struct Find {
    const char *name;
    char *value;
} Find;

static bool find_one(void *ud, const char *key, const char *value)
{
    Find *f = ud;
    if (!strcmp(key, f->name) && !f->value)
        f->value = strdup(value);
    return true;
}

char *req_query(const Req *r, const char *name)
{
    Find f = {name, NULL};
    req_query_each(r, find_one, &f);
    return f.value;
}

const char *req_header(const Req *r, const char *name)
{
    return lib_mhd.MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* Bindle's negotiation (reply.rs): the first Accept item whose subtype is toml or json
 * wins; q values are ignored; TOML otherwise. */
static bool wants_json(const char *accept)
{
    for (const char *p = accept; p && *p;) {
        size_t n = strcspn(p, ",");
        size_t t = strcspn(p, ";");
        if (t > n)
            t = n;
        const char *slash = memchr(p, '/', t);
        if (slash) {
            const char *sub = slash + 1;
            size_t sl = (size_t)(p + t - sub);
            while (sl && (sub[sl - 1] == ' ' || sub[sl - 1] == '\t'))
                sl--;
            if (sl == 4 && !strncasecmp(sub, "toml", 4))
                return false;
            if (sl == 4 && !strncasecmp(sub, "json", 4))
                return true;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

/* ---- routing ---- */

/* Picks r->route (and r->id, r->sha) from the decoded path. */
static bool route(Req *r)
{
    const char *p = r->path;
    if (!strcmp(p, "/healthz"))
        r->route = R_HEALTHZ;
    else if (!strcmp(p, "/v1/_q"))
        r->route = R_QUERY;
    else if (!strcmp(p, "/v1/_i"))
        r->route = R_CREATE;
    else if (!strcmp(p, "/v1/bindle-keys"))
        r->route = R_KEYS;
    else if (!strcmp(p, "/v1/login"))
        r->route = R_LOGIN;
    else if (!strncmp(p, "/v1/_r/missing/", 15) && p[15]) {
        r->route = R_MISSING;
        return (r->id = strdup(p + 15)) != NULL;
    } else if (!strncmp(p, "/v1/_i/", 7) && p[7]) {
        const char *rest = p + 7, *at = strchr(rest, '@');
        if (!at) {
            r->route = R_INVOICE;
            return (r->id = strdup(rest)) != NULL;
        }
        if (strchr(at + 1, '@') || at == rest || !at[1]) {
            r->route = R_BAD_PARCEL;
            return true;
        }
        r->route = R_PARCEL;
        r->id = strndup(rest, (size_t)(at - rest));
        r->sha = strdup(at + 1);
        return r->id && r->sha;
    } else {
        r->route = R_NONE;
    }
    return true;
}

/* The methods each route takes. */
static bool method_ok(const Req *r)
{
    const char *m = r->method;
    bool get = !strcmp(m, "GET") || !strcmp(m, "HEAD"), post = !strcmp(m, "POST");
    switch (r->route) {
    case R_HEALTHZ:
    case R_QUERY:
    case R_KEYS:
    case R_MISSING:
    case R_LOGIN:
        return get;
    case R_CREATE:
        return post;
    case R_INVOICE:
        return get || !strcmp(m, "DELETE");
    case R_PARCEL:
    case R_BAD_PARCEL:
        return get || post;
    case R_NONE:
        return true;
    }
    return false;
}

/* ---- auth ---- */

/* true when the request may go on; else false, with the refusal queued (its result in *out). */
static bool authorized(Req *r, enum MHD_Result *out)
{
    const Htpasswd *h = r->srv->cfg.htpasswd;
    if (!h || r->route == R_HEALTHZ)
        return true;
    if (req_header(r, "Authorization")) {
        char *pass = NULL;
        char *user = lib_mhd.MHD_basic_auth_get_username_password(r->conn, &pass);
        bool ok = user && pass && htpasswd_check(h, user, pass);
        if (pass) {
            explicit_bzero(pass, strlen(pass));
            lib_mhd.MHD_free(pass);
        }
        if (user)
            lib_mhd.MHD_free(user);
        if (!ok) {
            *out = reply_error(r, 401, "Unauthorized: the user name or password is wrong");
            return false;
        }
        return true;
    }
    /* Bindle's AnonymousGet: reading needs no user, anything else does. */
    if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"))
        return true;
    *out = reply_error(r, 403, "Forbidden: %s needs credentials (HTTP Basic)", r->method);
    return false;
}

/* ---- libmicrohttpd's callbacks ---- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    size_t n = uri ? strlen(uri) : 0;
    Req *r = calloc(1, sizeof *r + n + 1);
    if (!r)
        return NULL;
    r->srv = cls;
    r->conn = c;
    memcpy(r->target, uri ? uri : "", n + 1);
    const union MHD_ConnectionInfo *ci =
        lib_mhd.MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    strcpy(r->ip, "-");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->ip, sizeof r->ip);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->ip, sizeof r->ip);
    return r;
}

/* The raw target is decoded here, not by MHD: the query needs form decoding ('+'). */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    return strlen(s);
}

/* What framing_ok counts. */
typedef struct Framing {
    unsigned content_length, transfer_encoding;
    bool te_chunked, cl_digits;
} Framing;

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     size_t key_size, const char *value, size_t value_size)
{
    Framing *f = cls;
    if (key_size == 14 && !strncasecmp(key, "content-length", 14)) {
        f->content_length++;
        f->cl_digits = value_size > 0 && strspn(value, "0123456789") == value_size;
    } else if (key_size == 17 && !strncasecmp(key, "transfer-encoding", 17)) {
        f->transfer_encoding++;
        f->te_chunked = value_size == 7 && !strncasecmp(value, "chunked", 7);
    }
    return MHD_YES;
}

/* The request smuggling shapes libmicrohttpd would frame differently from a proxy in front
 * (see src/gateway/server.c): Content-Length with Transfer-Encoding, two of either, a
 * Transfer-Encoding other than exactly "chunked" (MHD would read the body until the
 * connection closes), a Content-Length that is not digits. */
static bool framing_ok(Req *r)
{
    Framing f = {0};
    lib_mhd.MHD_get_connection_values_n(r->conn, MHD_HEADER_KIND, count_framing, &f);
    if (f.transfer_encoding)
        return f.transfer_encoding == 1 && f.content_length == 0 && f.te_chunked;
    return f.content_length <= 1 && (f.content_length == 0 || f.cl_digits);
}

static enum MHD_Result begin(Req *r, const char *method)
{
    r->method = method;
    r->json = wants_json(req_header(r, "Accept"));
    size_t plen = strcspn(r->target, "?");
    if (!(r->path = decode(r->target, plen, false)))
        return reply_error(r, 400, "Invalid URL: bad percent-encoding");
    if (!route(r))
        return reply_error(r, 500, "out of memory");
    if (r->route == R_NONE)
        return reply_error(r, 404, "Not Found");
    if (!method_ok(r))
        return reply_error(r, 405, "HTTP method not allowed");
    enum MHD_Result refused;
    if (!authorized(r, &refused))
        return refused;
    return route_begin(r);
}

static bool has_body(Req *r)
{
    const char *cl = req_header(r, "Content-Length");
    return req_header(r, "Transfer-Encoding") || (cl && strcmp(cl, "0") != 0);
}

/* A client that sent Expect: 100-continue waits for our word before its body: a refusal
 * can go at once (MHD then sends no 100 and closes after the answer). */
static bool expects_continue(Req *r)
{
    const char *e = req_header(r, "Expect");
    return e && !strcasecmp(e, "100-continue");
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls)
{
    Req *r = *con_cls;
    if (!r)
        return MHD_NO;
    /* A response queued before the body is read makes MHD close the connection after it; so
     * only POST (whose refusals should come before a big body is sent, and whose client may
     * wait for 100 Continue) is looked at this early. The rest is answered once its (empty)
     * body is complete, which keeps the connection alive. */
    if (!r->started) {
        r->started = true;
        r->method = method;
        if (!framing_ok(r)) {
            /* The body's length cannot be trusted: answer before it, and close. */
            r->close = true;
            return reply_error(r, 400, "Bad Request: ambiguous message framing");
        }
        if (strcmp(method, "POST"))
            return MHD_YES;
        r->defer = has_body(r) && !expects_continue(r);
        enum MHD_Result res = begin(r, method);
        r->defer = false;
        return res;
    }
    if (r->pending) {
        /* A refusal decided before the body: read the body and drop it, then answer, so a
         * client that sends its whole body before it reads sees the answer, not a reset. */
        if (*upload_size) {
            *upload_size = 0;
            return MHD_YES;
        }
        struct MHD_Response *m = r->pending;
        r->pending = NULL;
        enum MHD_Result ok = lib_mhd.MHD_queue_response(r->conn, r->status, m);
        lib_mhd.MHD_destroy_response(m);
        return ok;
    }
    if (r->queued)
        return MHD_YES;
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        return r->path ? route_body(r, upload, n) : MHD_YES;
    }
    if (!r->path)
        return begin(r, method);
    return route_end(r);
}

static const char *log_time(char *buf, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, cap, "%d/%b/%Y:%H:%M:%S +0000", &tm);
    return buf;
}

/* The first max bytes of s into out (4 * max + 1 bytes), the bytes a log reader could be
 * fooled by (controls, non-ASCII, '"', '\\') as \\xHH. */
static const char *log_text(char *out, const char *s, size_t max)
{
    static const char hex[] = "0123456789ABCDEF";
    char *p = out;
    for (size_t i = 0; s[i] && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = 'x';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        } else {
            *p++ = (char)c;
        }
    }
    *p = '\0';
    return out;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    Req *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    route_cleanup(r);
    if (r->pending)
        lib_mhd.MHD_destroy_response(r->pending);
    FILE *log = r->srv->cfg.access_log;
    if (log && r->method) {
        char t[40], target[4 * 256 + 1];
        fprintf(log, "%s - - [%s] \"%s %s\" %u %llu%s\n", r->ip, log_time(t, sizeof t), r->method,
                log_text(target, r->target, 256), r->status, (unsigned long long)r->resp_bytes,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (cut off)");
        fflush(log);
    }
    free(r->path);
    free(r->id);
    free(r->sha);
    free(r->body);
    free(r->fail_msg);
    free(r);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    StoreServer *srv = cls;
    if (!srv->starting || srv->start_msg[0])
        return;
    vsnprintf(srv->start_msg, sizeof srv->start_msg, fmt, ap);
    size_t n = strlen(srv->start_msg);
    while (n > 0 && (srv->start_msg[n - 1] == '\n' || srv->start_msg[n - 1] == '.'))
        srv->start_msg[--n] = '\0';
}

/* ---- start and stop ---- */

static void server_free(StoreServer *srv)
{
    if (srv->d)
        lib_mhd.MHD_stop_daemon(srv->d);
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    net_free_secret(srv->tls_key);
    free(srv->tls_cert);
    free(srv);
}

StoreServer *store_server_start(const StoreServerConfig *cfg, char **out_err)
{
    *out_err = NULL;
    const char *why;
    if (!lib_mhd_load(&why)) {
        *out_err = strf("%s", why);
        return NULL;
    }
    if (!cfg->tls_cert_path != !cfg->tls_key_path) {
        *out_err = strf("--tls-cert and --tls-key go together");
        return NULL;
    }
    StoreServer *srv = calloc(1, sizeof *srv);
    if (!srv) {
        *out_err = strf("out of memory");
        return NULL;
    }
    srv->cfg = *cfg;
    srv->listen_fd = -1;
    if (cfg->tls_cert_path &&
        (!(srv->tls_cert = net_read_pem("certificate", cfg->tls_cert_path, out_err)) ||
         !(srv->tls_key = net_read_pem("key", cfg->tls_key_path, out_err))))
        goto fail;
    if ((srv->listen_fd = net_listen(cfg->listen, &srv->port, out_err)) < 0)
        goto fail;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG | (srv->tls_cert ? MHD_USE_TLS : 0);
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_OptionItem no_opts[] = {{MHD_OPTION_END, 0, NULL}};
    /* Threads started now inherit the mask: signals go to the caller's threads. */
    sigset_t set, old;
    sigemptyset(&set);
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&set, sigs[i]);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    srv->starting = true;
    srv->d = lib_mhd.MHD_start_daemon(
        flags, 0, NULL, NULL, on_access, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
        MHD_OPTION_LISTEN_SOCKET, srv->listen_fd, MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout_s, MHD_OPTION_URI_LOG_CALLBACK, on_uri,
        srv, MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, srv, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_ARRAY, srv->tls_cert ? tls_opts : no_opts, MHD_OPTION_END);
    srv->starting = false;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    srv->listen_fd = -1; /* the daemon's now (or closed by its failure) */
    if (!srv->d) {
        *out_err = strf("cannot serve on %s: %s", cfg->listen,
                        srv->start_msg[0] ? srv->start_msg : "libmicrohttpd refused to start");
        goto fail;
    }
    return srv;
fail:
    server_free(srv);
    return NULL;
}

unsigned store_server_port(const StoreServer *srv)
{
    return srv->port;
}

void store_server_stop(StoreServer *srv)
{
    if (!srv)
        return;
    int fd = lib_mhd.MHD_quiesce_daemon(srv->d);
    lib_mhd.MHD_stop_daemon(srv->d);
    srv->d = NULL;
    if (fd >= 0)
        close(fd);
    server_free(srv);
}
