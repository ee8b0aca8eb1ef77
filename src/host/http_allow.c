/* http_allow.c: the outbound allow-list: parsing entries in Spin's grammar (restricted to
 * HTTP) once, at configuration load, and matching request URLs against them. Request URLs
 * are parsed with curl's own URL API, the parser the transfer uses, so there is no second
 * parser whose idea of "the host" could differ from where curl connects
 * (http://allowed.example@evil.example/ is evil.example to both).
 *
 * Matching is on the origin: scheme, host and effective port, never on the path.
 *  - Hosts compare case-insensitively (ASCII), after curl's normalisation on both sides:
 *    percent-decoding, IPv4 numeric forms (127.1 and 0x7f.0.0.1 are 127.0.0.1), IPv6
 *    compression ([0:0::1] is [::1]). One trailing dot is ignored on both sides (a.example.
 *    is the same DNS name as a.example). No IDNA mapping: a Unicode entry matches the same
 *    Unicode in a URL, a punycode entry the same punycode.
 *  - *.example.com matches a.example.com and a.b.example.com, not example.com (as Spin):
 *    list the apex too when it is wanted. It never matches an IP address literal.
 *  - An IPv6 URL with a zone id ([fe80::1%25eth0]) matches only the host `*`.
 * Stricter than WAGI (which ignored scheme and port, see http_outbound.h), and stricter
 * than Spin in one way: schemes other than http, https and * are errors here, since this
 * list governs HTTP only. */
#include "host/http_int.h"
#include "util/strf.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum Scheme { SCHEME_ANY, SCHEME_HTTP, SCHEME_HTTPS } Scheme;
typedef enum HostKind { HOST_ANY, HOST_EXACT, HOST_SUBDOMAINS } HostKind;

typedef struct AllowEntry {
    Scheme scheme;
    HostKind host_kind;
    char *host;       /* EXACT: normalised host key; SUBDOMAINS: ".example.com" */
    uint32_t port_lo; /* ports [port_lo, port_hi) */
    uint32_t port_hi;
} AllowEntry;

struct HttpAllowList {
    bool allow_all;
    size_t n;
    AllowEntry e[];
};

/* ---- small string helpers (ASCII only: no locale may change what matches) ---- */

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* In place: ASCII lower-case, one trailing dot dropped (unless that empties it). */
static void host_key(char *h)
{
    size_t n = strlen(h);
    for (size_t i = 0; i < n; i++)
        h[i] = lower(h[i]);
    if (n > 1 && h[n - 1] == '.')
        h[n - 1] = 0;
}

/* ---- URLs ---- */

uint32_t http_url_parse(const char *url, CURLU **out)
{
    *out = NULL;
    CURLU *u = lib_curl.curl_url();
    if (!u)
        return HTTP_ERR_RUNTIME_ERROR;
    CURLUcode rc = lib_curl.curl_url_set(u, CURLUPART_URL, url, 0);
    char *scheme = NULL;
    if (!rc)
        rc = lib_curl.curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    bool http = !rc && (!strcmp(scheme, "http") || !strcmp(scheme, "https"));
    lib_curl.curl_free(scheme);
    if (!http) {
        lib_curl.curl_url_cleanup(u);
        return rc == CURLUE_OUT_OF_MEMORY ? HTTP_ERR_RUNTIME_ERROR : HTTP_ERR_INVALID_URL;
    }
    *out = u;
    return HTTP_ERR_SUCCESS;
}

/* The parts of a parsed URL the allow-list looks at. */
typedef struct Origin {
    char scheme[8];
    char host[256 + 3]; /* host_key form; longer hosts never match an entry */
    bool host_too_long;
    bool zone;
    uint32_t port;
} Origin;

static bool origin_of(CURLU *u, Origin *o)
{
    memset(o, 0, sizeof *o);
    char *scheme = NULL, *host = NULL, *port = NULL, *zone = NULL;
    bool ok = !lib_curl.curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) &&
              !lib_curl.curl_url_get(u, CURLUPART_HOST, &host, 0) &&
              !lib_curl.curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) &&
              strlen(scheme) < sizeof o->scheme;
    if (ok) {
        snprintf(o->scheme, sizeof o->scheme, "%s", scheme);
        o->host_too_long = strlen(host) >= sizeof o->host;
        snprintf(o->host, sizeof o->host, "%s", host);
        host_key(o->host);
        o->port = (uint32_t)strtoul(port, NULL, 10);
        o->zone = lib_curl.curl_url_get(u, CURLUPART_ZONEID, &zone, 0) == CURLUE_OK;
    }
    lib_curl.curl_free(scheme);
    lib_curl.curl_free(host);
    lib_curl.curl_free(port);
    lib_curl.curl_free(zone);
    return ok;
}

void http_url_origin(CURLU *u, char *buf, size_t size)
{
    Origin o;
    if (origin_of(u, &o))
        snprintf(buf, size, "%s://%s:%u", o.scheme, o.host, (unsigned)o.port);
    else
        snprintf(buf, size, "(unprintable URL)");
}

/* ---- matching ---- */

static bool is_ipv4_literal(const char *h)
{
    struct in_addr a;
    return inet_pton(AF_INET, h, &a) == 1;
}

static bool host_matches(const AllowEntry *e, const Origin *o)
{
    if (e->host_kind == HOST_ANY)
        return true;
    if (o->zone || o->host_too_long)
        return false;
    if (e->host_kind == HOST_EXACT)
        return !strcmp(e->host, o->host);
    size_t n = strlen(o->host), k = strlen(e->host);
    return n > k && !strcmp(o->host + n - k, e->host) && o->host[0] != '[' &&
           !is_ipv4_literal(o->host);
}

static bool entry_matches(const AllowEntry *e, const Origin *o)
{
    bool scheme =
        e->scheme == SCHEME_ANY || !strcmp(o->scheme, e->scheme == SCHEME_HTTP ? "http" : "https");
    return scheme && o->port >= e->port_lo && o->port < e->port_hi && host_matches(e, o);
}

bool http_allow_url(const HttpAllowList *a, CURLU *u)
{
    if (!a)
        return false;
    if (a->allow_all)
        return true;
    Origin o;
    if (!origin_of(u, &o))
        return false;
    if (strcmp(o.scheme, "http") != 0 && strcmp(o.scheme, "https") != 0)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (entry_matches(&a->e[i], &o))
            return true;
    return false;
}

bool http_allow_check(const HttpAllowList *a, const char *url, size_t url_len)
{
    if (!a || memchr(url, 0, url_len) || !http_global_init(NULL))
        return false;
    char *s = malloc(url_len + 1);
    if (!s)
        return false;
    memcpy(s, url, url_len);
    s[url_len] = 0;
    CURLU *u;
    bool ok = http_url_parse(s, &u) == HTTP_ERR_SUCCESS && http_allow_url(a, u);
    lib_curl.curl_url_cleanup(u);
    free(s);
    return ok;
}

/* ---- parsing entries ---- */

/* Each parser returns NULL or a static reason; parse_entry adds the entry's text. */

static const char *parse_scheme(const char *s, size_t len, Scheme *out)
{
    if (len == 1 && s[0] == '*') {
        *out = SCHEME_ANY;
        return NULL;
    }
    if (len > 0 && s[0] == '{')
        return "scheme lists are not supported";
    char buf[8];
    if (len == 0 || len >= sizeof buf)
        return len == 0 ? "the scheme is empty" : "unsupported scheme (http, https or * only)";
    for (size_t i = 0; i < len; i++) {
        if (!is_alpha(s[i]))
            return "the scheme contains a character that is not a letter";
        buf[i] = lower(s[i]);
    }
    buf[len] = 0;
    if (!strcmp(buf, "http"))
        *out = SCHEME_HTTP;
    else if (!strcmp(buf, "https"))
        *out = SCHEME_HTTPS;
    else
        return "unsupported scheme (http, https or * only)";
    return NULL;
}

/* A decimal port, 0-65535, digits only. */
static bool parse_port_number(const char *s, size_t len, uint32_t *out)
{
    if (len == 0 || len > 5)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    *out = v;
    return v <= 65535;
}

static const char *parse_port(const char *s, size_t len, Scheme scheme, AllowEntry *e)
{
    if (len == 0) {
        if (scheme == SCHEME_ANY)
            return "no port was given and the scheme * has no default port (add :PORT or :*)";
        e->port_lo = scheme == SCHEME_HTTP ? 80 : 443;
        e->port_hi = e->port_lo + 1;
        return NULL;
    }
    if (len == 1 && s[0] == '*') {
        e->port_lo = 0;
        e->port_hi = 65536;
        return NULL;
    }
    if (s[0] == '{')
        return "port lists are not supported";
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < len; i++)
        if (s[i] == '.' && s[i + 1] == '.') {
            dots = s + i;
            break;
        }
    if (!dots) {
        if (!parse_port_number(s, len, &e->port_lo))
            return "the port is not a number from 0 to 65535";
        e->port_hi = e->port_lo + 1;
        return NULL;
    }
    size_t first = (size_t)(dots - s);
    if (!parse_port_number(s, first, &e->port_lo) ||
        !parse_port_number(dots + 2, len - first - 2, &e->port_hi))
        return "the port range is not two numbers from 0 to 65535 (a..b)";
    if (e->port_lo >= e->port_hi)
        return "the port range a..b is empty (it includes a, excludes b)";
    return NULL;
}

/* *.SUFFIX: labels of letters, digits, '-', '_' or non-ASCII bytes, separated by dots. */
static const char *parse_suffix(const char *s, size_t len, AllowEntry *e)
{
    if (len == 0)
        return "*. must be followed by a domain";
    if (memchr(s, '*', len))
        return "a wildcard is allowed only as the whole first label (*.example.com)";
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        bool label =
            is_alpha((char)ch) || is_digit((char)ch) || ch == '-' || ch == '_' || ch >= 0x80;
        bool dot_ok = ch == '.' && i > 0 && s[i - 1] != '.';
        if (!label && !dot_ok)
            return "the domain after *. is not a valid host name";
    }
    if (!(e->host = malloc(len + 2)))
        return "out of memory";
    e->host[0] = '.';
    memcpy(e->host + 1, s, len);
    e->host[len + 1] = 0;
    host_key(e->host);
    e->host_kind = HOST_SUBDOMAINS;
    return NULL;
}

/* An exact host, normalised by curl's URL parser exactly as a request URL's host is. */
static const char *parse_exact_host(const char *s, size_t len, AllowEntry *e)
{
    if (memchr(s, '*', len))
        return "a wildcard is allowed only as the whole first label (*.example.com) or "
               "the whole host (*)";
    if (memchr(s, '%', len) || memchr(s, '\\', len))
        return "the host is not a valid host name or IP address";
    char url[300];
    if (len > 255)
        return "the host is longer than 255 bytes";
    snprintf(url, sizeof url, "http://%.*s/", (int)len, s);
    CURLU *u = lib_curl.curl_url();
    if (!u)
        return "out of memory";
    char *host = NULL, *zone = NULL;
    const char *why = NULL;
    if (lib_curl.curl_url_set(u, CURLUPART_URL, url, 0) ||
        lib_curl.curl_url_get(u, CURLUPART_HOST, &host, 0))
        why = "the host is not a valid host name or IP address";
    else if (lib_curl.curl_url_get(u, CURLUPART_ZONEID, &zone, 0) == CURLUE_OK)
        why = "IPv6 zone ids are not supported";
    else if (!(e->host = strdup(host)))
        why = "out of memory";
    else {
        host_key(e->host);
        e->host_kind = HOST_EXACT;
    }
    lib_curl.curl_free(host);
    lib_curl.curl_free(zone);
    lib_curl.curl_url_cleanup(u);
    return why;
}

static const char *parse_host(const char *s, size_t len, AllowEntry *e)
{
    if (len == 0)
        return "the host is empty";
    if (len == 1 && s[0] == '*') {
        e->host_kind = HOST_ANY;
        return NULL;
    }
    if (s[0] == '{')
        return "host lists are not supported";
    if (len == 4 && !memcmp(s, "self", 4))
        return "'self' (requests to this application) is not supported";
    if (len >= 2 && s[0] == '*' && s[1] == '.')
        return parse_suffix(s + 2, len - 2, e);
    return parse_exact_host(s, len, e);
}

/* Splits AUTHORITY into host and port: [v6]:port, name:port, name. */
static const char *split_authority(const char *a, size_t len, size_t *host_len, const char **port,
                                   size_t *port_len)
{
    *port = a + len;
    *port_len = 0;
    const char *end = a + len, *colon;
    if (len > 0 && a[0] == '[') {
        const char *close = memchr(a, ']', len);
        if (!close)
            return "an IPv6 address must end with ']'";
        *host_len = (size_t)(close + 1 - a);
        if (close + 1 == end)
            return NULL;
        if (close[1] != ':')
            return "unexpected text after the IPv6 address";
        colon = close + 1;
    } else {
        colon = memchr(a, ':', len);
        if (!colon) {
            *host_len = len;
            return NULL;
        }
        if (memchr(colon + 1, ':', (size_t)(end - colon - 1)))
            return "too many ':' (write an IPv6 address in brackets)";
        *host_len = (size_t)(colon - a);
    }
    *port = colon + 1;
    *port_len = (size_t)(end - colon - 1);
    return NULL;
}

/* Checks what follows the authority: nothing, or a single '/'. */
static const char *check_tail(const char *rest, size_t *auth_len)
{
    size_t n = strlen(rest);
    if (memchr(rest, '@', n))
        return "user info (user@) is not allowed";
    if (memchr(rest, '?', n) || memchr(rest, '#', n))
        return "a query or fragment is not allowed (only scheme://host[:port])";
    const char *slash = strchr(rest, '/');
    *auth_len = slash ? (size_t)(slash - rest) : n;
    if (!slash || !strcmp(slash, "/"))
        return NULL;
    bool cidr = slash[1] != 0 && strspn(slash + 1, "0123456789") == strlen(slash + 1);
    return cidr ? "CIDR ranges are not supported (list the hosts)"
                : "a path is not allowed (only scheme://host[:port])";
}

static const char *parse_entry(const char *s, AllowEntry *e)
{
    const char *sep = strstr(s, "://");
    if (!sep)
        return "it does not contain a scheme (e.g. 'http://' or '*://')";
    const char *why = parse_scheme(s, (size_t)(sep - s), &e->scheme);
    const char *rest = sep + 3, *port;
    size_t auth_len, host_len, port_len;
    if (!why)
        why = check_tail(rest, &auth_len);
    if (!why)
        why = split_authority(rest, auth_len, &host_len, &port, &port_len);
    if (!why)
        why = parse_port(port, port_len, e->scheme, e);
    if (!why)
        why = parse_host(rest, host_len, e);
    return why;
}

/* A trimmed copy of s. NULL when out of memory. */
static char *trimmed(const char *s)
{
    while (is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_space(s[n - 1]))
        n--;
    char *t = malloc(n + 1);
    if (t) {
        memcpy(t, s, n);
        t[n] = 0;
    }
    return t;
}

HttpAllowList *http_allow_parse(const char *const *entries, size_t n, char **out_err)
{
    *out_err = NULL;
    if (n > (SIZE_MAX - sizeof(HttpAllowList)) / sizeof(AllowEntry))
        return NULL;
    const char *why_not;
    if (n > 0 && !http_global_init(&why_not)) {
        *out_err = strf("allowed hosts: %s", why_not);
        return NULL;
    }
    HttpAllowList *a = calloc(1, sizeof *a + n * sizeof(AllowEntry));
    if (!a)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char *s = trimmed(entries[i] ? entries[i] : "");
        if (!s)
            goto fail;
        if (!strcmp(s, "insecure:allow-all")) {
            a->allow_all = true;
            free(s);
            continue;
        }
        AllowEntry *e = &a->e[a->n++];
        const char *why = parse_entry(s, e);
        if (why && strcmp(why, "out of memory") != 0)
            *out_err = strf("allowed host '%s': %s", s, why);
        free(s);
        if (why)
            goto fail;
    }
    return a;
fail:
    http_allow_free(a);
    return NULL;
}

void http_allow_free(HttpAllowList *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        free(a->e[i].host);
    free(a);
}
