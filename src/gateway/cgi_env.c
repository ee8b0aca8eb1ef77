/* cgi_env.c: the CGI environment and argv of one request (cgi_env.h). Computes each value of
 * cgi_vars.def, maps the request headers to HTTP_*, layers the user variables below them, and
 * writes every string into the request's arena. Reads the request; never changes it. */
#include "gateway/cgi_env.h"

#include "gateway/http_text.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const var_names[GW_CGI_COUNT] = {
#define X(name, meaning) #name,
#include "gateway/cgi_vars.def"
#undef X
};

typedef struct Span {
    const char *p;
    size_t n;
} Span;

#define LIT(s) ((Span){(s), sizeof(s) - 1})

static Span cstr(const char *s)
{
    return s ? (Span){s, strlen(s)} : LIT("");
}

/* The request-target holds visible ASCII only, as hyper's URI parser demands in WAGI. */
static bool target_ok(const char *t)
{
    for (; *t; t++)
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
            return false;
    return true;
}

/* ---- host and port ---- */

/* hyper's HeaderValue::to_str: HTAB and 0x20..0x7e only. */
static bool visible_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c != '\t' && (c < 0x20 || c >= 0x7f))
            return false;
    }
    return true;
}

/* WAGI's parse_host closure: split s at its first ':' (after the ']' of an IPv6 literal) and
 * let each non-empty part replace the one in *hp. */
static void override_host_port(Span s, GwHostPort *hp)
{
    const char *sep = s.n && s.p[0] == '[' ? memchr(s.p, ']', s.n) : NULL;
    size_t host_end = sep ? (size_t)(sep - s.p) + 1 : s.n;
    const char *colon = memchr(s.p + (sep ? host_end : 0), ':', s.n - (sep ? host_end : 0));
    if (!sep && colon)
        host_end = (size_t)(colon - s.p);
    if (host_end > 0) {
        hp->host = s.p;
        hp->host_len = host_end;
    }
    if (colon && (!sep || colon == s.p + host_end) && colon + 1 < s.p + s.n) {
        hp->port = colon + 1;
        hp->port_len = (size_t)(s.p + s.n - colon - 1);
    }
}

GwHostPort gw_cgi_host_port(const GwRequest *req, const GwTarget *target, const char *default_host)
{
    GwHostPort hp = {"localhost", 9, "80", 2};
    if (target->host_len) {
        hp.host = target->host;
        hp.host_len = target->host_len;
    }
    if (target->port_len) {
        hp.port = target->port;
        hp.port_len = target->port_len;
    }
    Span dflt = cstr(default_host ? default_host : GW_DEFAULT_HOST);
    if (dflt.n)
        override_host_port(dflt, &hp);
    for (size_t i = 0; i < req->nheaders; i++) {
        const GwHeader *h = &req->headers[i];
        if (!gw_ascii_ieq(h->name, h->name_len, "host"))
            continue;
        if (visible_ascii(h->value, h->value_len))
            override_host_port((Span){h->value, h->value_len}, &hp);
        break; /* hyper's headers.get: the first one only */
    }
    return hp;
}

/* ---- header names ---- */

/* A header name byte as it appears in the variable name: upper case, '-' as '_'. */
static char mapped(char c)
{
    if (c >= 'a' && c <= 'z')
        return (char)(c - 'a' + 'A');
    return c == '-' ? '_' : c;
}

/* The mapped name of s[0..n) starts with upper (a literal). */
static bool mapped_starts(const char *s, size_t n, const char *upper)
{
    size_t i = 0;
    for (; upper[i]; i++)
        if (i >= n || mapped(s[i]) != upper[i])
            return false;
    return true;
}

static bool mapped_eq(const char *s, size_t n, const char *upper)
{
    return strlen(upper) == n && mapped_starts(s, n, upper);
}

/* The header may become an HTTP_* variable (cgi_env.h says which may not, and why). */
static bool header_passes(const GwHeader *h)
{
    if (!gw_is_token(h->name, h->name_len))
        return false;
    if (mapped_eq(h->name, h->name_len, "AUTHORIZATION") ||
        mapped_eq(h->name, h->name_len, "CONNECTION") || mapped_eq(h->name, h->name_len, "PROXY") ||
        mapped_starts(h->name, h->name_len, "PROXY_"))
        return false;
    for (size_t i = 0; i < h->value_len; i++) {
        char c = h->value[i];
        if (c == '\0' || c == '\r' || c == '\n')
            return false;
    }
    return true;
}

/* The value the variable shows: the header's, or GW_CORRUPT_VALUE when it is not UTF-8. */
static Span header_value(const GwHeader *h)
{
    if (gw_utf8_valid((const uint8_t *)h->value, h->value_len))
        return (Span){h->value, h->value_len};
    return LIT(GW_CORRUPT_VALUE);
}

/* ---- output ---- */

/* Appends "NAME=VALUE" to out, NAME being prefix then name (mapped if asked). */
static GwStatus emit(GwArena *a, GwStrList *out, Span prefix, Span name, bool map, Span value)
{
    size_t n = prefix.n + name.n + 1 + value.n;
    char *s = gw_arena_chars(a, n + 1);
    if (!s)
        return GW_ERR_NOMEM;
    memcpy(s, prefix.p, prefix.n);
    for (size_t i = 0; i < name.n; i++)
        s[prefix.n + i] = map ? mapped(name.p[i]) : name.p[i];
    s[prefix.n + name.n] = '=';
    memcpy(s + prefix.n + name.n + 1, value.p, value.n);
    s[n] = '\0';
    out->items[out->count++] = s;
    return GW_OK;
}

/* out->items[from..count) has a variable named prefix + (name, mapped if asked). */
static bool has_name(const GwStrList *out, size_t from, Span prefix, Span name, bool map)
{
    for (size_t i = from; i < out->count; i++) {
        const char *s = out->items[i];
        if (strncmp(s, prefix.p, prefix.n) != 0)
            continue;
        s += prefix.n;
        size_t k = 0;
        while (k < name.n && s[k] == (map ? mapped(name.p[k]) : name.p[k]))
            k++;
        if (k == name.n && s[k] == '=')
            return true;
    }
    return false;
}

/* ---- values ---- */

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s into dst (room for s.n bytes), as the percent_encoding crate: a '%' not
 * followed by two hex digits stays as it is. Returns the length; sets *nul when a byte 0
 * comes out. */
static size_t pct_decode(Span s, char *dst, bool *nul)
{
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++) {
        int hi, lo;
        if (s.p[i] == '%' && i + 2 < s.n && (hi = hex(s.p[i + 1])) >= 0 &&
            (lo = hex(s.p[i + 2])) >= 0) {
            dst[n] = (char)(hi << 4 | lo);
            *nul |= dst[n++] == '\0';
            i += 2;
        } else {
            dst[n++] = s.p[i];
        }
    }
    return n;
}

/* Rust's String::from_utf8_lossy: each maximal invalid subpart becomes U+FFFD. With dst
 * NULL only measures. Returns the length. */
static size_t utf8_lossy(const char *s, size_t n, char *dst)
{
    size_t out = 0;
    for (size_t i = 0; i < n;) {
        bool ok;
        size_t k = gw_utf8_next((const uint8_t *)s + i, n - i, &ok);
        if (dst)
            memcpy(dst + out, ok ? s + i : "\xef\xbf\xbd", ok ? k : 3);
        out += ok ? k : 3;
        i += k;
    }
    return out;
}

/* PATH_INFO: raw decoded, then made UTF-8 as WAGI's decode_utf8_lossy does. */
static GwStatus path_info(GwArena *a, Span raw, Span *out)
{
    char *dec = gw_arena_chars(a, raw.n);
    if (!dec && raw.n)
        return GW_ERR_NOMEM;
    bool nul = false;
    size_t n = pct_decode(raw, dec, &nul);
    if (nul)
        return GW_ERR_BAD_REQUEST;
    if (gw_utf8_valid((const uint8_t *)dec, n)) {
        *out = (Span){dec ? dec : "", n};
        return GW_OK;
    }
    size_t len = utf8_lossy(dec, n, NULL);
    char *fixed = gw_arena_chars(a, len);
    if (!fixed)
        return GW_ERR_NOMEM;
    utf8_lossy(dec, n, fixed);
    *out = (Span){fixed, len};
    return GW_OK;
}

/* X_FULL_URL: {http|https}://{host}:{port}{path}[?{query}]; the port is always there. */
static GwStatus full_url(GwArena *a, const GwRequest *req, const GwTarget *t, const GwHostPort *hp,
                         Span *out)
{
    Span scheme = req->tls ? LIT("https://") : LIT("http://");
    size_t n = scheme.n + hp->host_len + 1 + hp->port_len + t->path_len +
               (t->has_query ? 1 + t->query_len : 0);
    char *s = gw_arena_chars(a, n);
    if (!s)
        return GW_ERR_NOMEM;
    char *w = s;
    memcpy(w, scheme.p, scheme.n), w += scheme.n;
    memcpy(w, hp->host, hp->host_len), w += hp->host_len;
    *w++ = ':';
    memcpy(w, hp->port, hp->port_len), w += hp->port_len;
    memcpy(w, t->path, t->path_len), w += t->path_len;
    if (t->has_query) {
        *w++ = '?';
        memcpy(w, t->query, t->query_len);
    }
    *out = (Span){s, n};
    return GW_OK;
}

/* The value HTTP_CONTENT_TYPE gets (the last Content-Type that passes), else "". */
static Span content_type(const GwRequest *req)
{
    for (size_t i = req->nheaders; i-- > 0;) {
        const GwHeader *h = &req->headers[i];
        if (mapped_eq(h->name, h->name_len, "CONTENT_TYPE") && header_passes(h))
            return header_value(h);
    }
    return LIT("");
}

/* Every value of cgi_vars.def, in val[]. */
static GwStatus cgi_values(GwArena *a, const GwRequest *req, const GwTarget *t,
                           const GwRouteMatch *m, const GwHostPort *hp, char *len_buf,
                           Span val[GW_CGI_COUNT])
{
    GwStatus st;
    int k = snprintf(len_buf, 24, "%" PRIu64, req->body_len);
    const GwRouteEntry *e = m->entry;
    Span raw_info = {m->raw_path_info, m->raw_path_info_len};
    val[GW_CGI_AUTH_TYPE] = LIT("");
    val[GW_CGI_CONTENT_LENGTH] = (Span){len_buf, (size_t)k};
    val[GW_CGI_CONTENT_TYPE] = content_type(req);
    val[GW_CGI_GATEWAY_INTERFACE] = LIT("CGI/1.1");
    if ((st = full_url(a, req, t, hp, &val[GW_CGI_X_FULL_URL])) != GW_OK)
        return st;
    val[GW_CGI_X_MATCHED_ROUTE] = (Span){e->route, e->route_len};
    val[GW_CGI_QUERY_STRING] = (Span){t->query, t->query_len};
    val[GW_CGI_REMOTE_ADDR] = cstr(req->remote_ip);
    val[GW_CGI_REMOTE_HOST] = cstr(req->remote_ip);
    val[GW_CGI_REMOTE_USER] = LIT("");
    val[GW_CGI_REQUEST_METHOD] = cstr(req->method);
    val[GW_CGI_SCRIPT_NAME] = (Span){e->script_name, e->script_name_len};
    val[GW_CGI_X_RAW_PATH_INFO] = raw_info;
    if ((st = path_info(a, raw_info, &val[GW_CGI_PATH_INFO])) != GW_OK)
        return st;
    val[GW_CGI_PATH_TRANSLATED] = val[GW_CGI_PATH_INFO];
    val[GW_CGI_SERVER_NAME] = (Span){hp->host, hp->host_len};
    val[GW_CGI_SERVER_PORT] = (Span){hp->port, hp->port_len};
    val[GW_CGI_SERVER_PROTOCOL] = cstr(req->version);
    val[GW_CGI_SERVER_SOFTWARE] = LIT("WAGI/1");
    return GW_OK;
}

/* Adds the user variables vars[0..n) that no variable already in out names; the last of a
 * name wins, so the list is walked backwards. */
static GwStatus emit_user(GwArena *a, GwStrList *out, const GwEnvVar *vars, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        Span name = cstr(vars[i].name);
        if (name.n == 0 || memchr(name.p, '=', name.n) || has_name(out, 0, LIT(""), name, false))
            continue;
        GwStatus st = emit(a, out, LIT(""), name, false, cstr(vars[i].value));
        if (st != GW_OK)
            return st;
    }
    return GW_OK;
}

GwStatus gw_cgi_env_build(GwArena *a, const GwRequest *req, const GwRouteMatch *m,
                          const GwCgiServer *srv, const GwEnvVar *module_env, size_t nmodule_env,
                          GwStrList *out_env)
{
    Span method = cstr(req->method);
    if (!req->target || !target_ok(req->target) || !gw_is_token(method.p, method.n))
        return GW_ERR_BAD_REQUEST;
    GwTarget t;
    gw_target_parse(req->target, &t);
    GwHostPort hp = gw_cgi_host_port(req, &t, srv->default_host);
    Span val[GW_CGI_COUNT] = {{NULL, 0}}; /* NULL: a variable cgi_values forgot */
    char len_buf[24];
    GwStatus st = cgi_values(a, req, &t, m, &hp, len_buf, val);
    if (st != GW_OK)
        return st;

    size_t max = GW_CGI_COUNT + req->nheaders + nmodule_env + srv->nglobal_env + 1;
    if (max > SIZE_MAX / sizeof(char *))
        return GW_ERR_NOMEM;
    GwStrList out = {gw_arena_alloc(a, max * sizeof *out.items), 0};
    if (!out.items)
        return GW_ERR_NOMEM;
    for (int i = 0; i < GW_CGI_COUNT; i++) {
        assert(val[i].p != NULL);
        if ((st = emit(a, &out, LIT(""), cstr(var_names[i]), false, val[i])) != GW_OK)
            return st;
    }
    /* Headers backwards, so the last of a name is the one kept. */
    for (size_t i = req->nheaders; i-- > 0;) {
        const GwHeader *h = &req->headers[i];
        Span name = {h->name, h->name_len};
        if (!header_passes(h) || has_name(&out, GW_CGI_COUNT, LIT("HTTP_"), name, true))
            continue;
        if ((st = emit(a, &out, LIT("HTTP_"), name, true, header_value(h))) != GW_OK)
            return st;
    }
    if ((st = emit_user(a, &out, module_env, nmodule_env)) != GW_OK ||
        (st = emit_user(a, &out, srv->global_env, srv->nglobal_env)) != GW_OK)
        return st;
    out.items[out.count] = NULL;
    *out_env = out;
    return GW_OK;
}

/* ---- argv ---- */

static bool is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Writes (dst non-NULL) or measures the template with its two placeholders replaced, in one
 * pass. Returns the length. */
static size_t substitute(const char *tpl, const GwTarget *t, char *dst)
{
    static const char script[] = "${SCRIPT_NAME}", args[] = "${ARGS}";
    size_t n = 0;
    for (const char *p = tpl; *p;) {
        if (strncmp(p, script, sizeof script - 1) == 0) {
            if (dst)
                memcpy(dst + n, t->path, t->path_len);
            n += t->path_len;
            p += sizeof script - 1;
        } else if (strncmp(p, args, sizeof args - 1) == 0) {
            for (size_t i = 0; dst && i < t->query_len; i++)
                dst[n + i] = t->query[i] == '&' ? ' ' : t->query[i];
            n += t->query_len;
            p += sizeof args - 1;
        } else {
            if (dst)
                dst[n] = *p;
            n++, p++;
        }
    }
    return n;
}

/* argv from the template: substitute, then split at whitespace in place. */
static GwStatus argv_from_template(GwArena *a, const GwTarget *t, const char *tpl, GwStrList *out)
{
    size_t n = substitute(tpl, t, NULL);
    char *s = gw_arena_chars(a, n + 1);
    if (!s)
        return GW_ERR_NOMEM;
    substitute(tpl, t, s);
    s[n] = '\0';
    size_t words = 0;
    for (size_t i = 0; i < n; i++)
        words += !is_space(s[i]) && (i == 0 || is_space(s[i - 1]));
    out->items = gw_arena_alloc(a, (words + 1) * sizeof *out->items);
    if (!out->items)
        return GW_ERR_NOMEM;
    out->count = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_space(s[i]))
            s[i] = '\0';
        else if (i == 0 || s[i - 1] == '\0')
            out->items[out->count++] = s + i;
    }
    out->items[out->count] = NULL;
    return GW_OK;
}

/* argv without a template: the path, then each '&'-separated piece of the query. */
static GwStatus argv_default(GwArena *a, const GwTarget *t, GwStrList *out)
{
    size_t pieces = 0;
    if (t->has_query) {
        pieces = 1;
        for (size_t i = 0; i < t->query_len; i++)
            pieces += t->query[i] == '&';
    }
    out->items = gw_arena_alloc(a, (pieces + 2) * sizeof *out->items);
    if (!out->items || !(out->items[0] = gw_arena_strndup(a, t->path, t->path_len)))
        return GW_ERR_NOMEM;
    out->count = 1;
    for (size_t start = 0, i = 0; pieces && i <= t->query_len; i++) {
        if (i < t->query_len && t->query[i] != '&')
            continue;
        const char *piece = gw_arena_strndup(a, t->query + start, i - start);
        if (!piece)
            return GW_ERR_NOMEM;
        out->items[out->count++] = piece;
        start = i + 1;
    }
    out->items[out->count] = NULL;
    return GW_OK;
}

GwStatus gw_cgi_argv_build(GwArena *a, const GwRequest *req, const char *argv_template,
                           GwStrList *out_argv)
{
    if (!req->target || !target_ok(req->target))
        return GW_ERR_BAD_REQUEST;
    GwTarget t;
    gw_target_parse(req->target, &t);
    GwStrList out;
    GwStatus st =
        argv_template ? argv_from_template(a, &t, argv_template, &out) : argv_default(a, &t, &out);
    if (st == GW_OK)
        *out_argv = out;
    return st;
}
