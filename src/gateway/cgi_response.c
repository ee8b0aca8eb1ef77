/* cgi_response.c: the module's stdout as an HTTP response (cgi_response.h). Finds the header
 * block, checks every byte of it, and copies the headers to keep into the request arena; the
 * body is never copied. Decides status, headers and body; sends nothing. */
#include "gateway/cgi_response.h"

#include "gateway/http_text.h"

#include <string.h>

static const char *const hop_headers[] = {
#define X(name, why) name,
#include "gateway/hop_headers.def"
#undef X
};

/* Becomes an error response: status, no headers, body text (may be ""), and why. */
static void turn_into(GwCgiResponse *res, unsigned status, const char *body, const char *why,
                      size_t line)
{
    res->status = status;
    res->headers = NULL;
    res->nheaders = 0;
    res->body = (const uint8_t *)body;
    res->body_len = strlen(body);
    res->error = why;
    res->error_line = line;
}

/* Where the blank line ending the headers is, as WAGI's byte loop finds it: CRs ignored, the
 * second of two LFs ends the block. Returns the index of that second LF, or out_len. */
static size_t header_end(const uint8_t *out, size_t out_len)
{
    uint8_t last = 0;
    for (size_t i = 0; i < out_len; i++) {
        if (out[i] == '\r')
            continue;
        if (out[i] == '\n' && last == '\n')
            return i;
        last = out[i];
    }
    return out_len;
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static const char *trim(const char *s, size_t *n)
{
    while (*n && is_ows(s[0]))
        s++, (*n)--;
    while (*n && is_ows(s[*n - 1]))
        (*n)--;
    return s;
}

static bool is_hop_header(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof hop_headers / sizeof *hop_headers; i++)
        if (gw_ascii_ieq(name, n, hop_headers[i]))
            return true;
    return false;
}

/* "CODE[ reason]": CODE must be three digits making 100..599; 0 otherwise. */
static unsigned status_code(const char *v, size_t n)
{
    size_t k = 0;
    while (k < n && !is_ows(v[k]))
        k++;
    if (k != 3)
        return 0;
    unsigned code = 0;
    for (size_t i = 0; i < 3; i++) {
        if (v[i] < '0' || v[i] > '9')
            return 0;
        code = code * 10 + (unsigned)(v[i] - '0');
    }
    return code >= 100 && code <= 599 ? code : 0;
}

/* What one header line says, after the checks. */
typedef struct Line {
    const char *name, *value;
    size_t name_len, value_len;
} Line;

typedef enum {
    LINE_HEADER,   /* a header to act on */
    LINE_EMPTY,    /* nothing but whitespace: ignored */
    LINE_NO_COLON, /* ignored, as WAGI does, but counted */
    LINE_BAD,      /* the response becomes 502 */
} LineKind;

/* Checks the line s[0..n) (without its LF) and splits it. *why is set for LINE_BAD.
 * first: no non-empty line came before (leading whitespace is then trimmed, as WAGI trims
 * the whole block, rather than taken for a fold). */
static LineKind split_line(const char *s, size_t n, bool first, Line *l, const char **why)
{
    while (n && s[n - 1] == '\r')
        n--;
    if (memchr(s, '\r', n)) {
        *why = "a CR inside a response header line";
        return LINE_BAD;
    }
    bool folded = n && is_ows(s[0]);
    s = trim(s, &n);
    if (n == 0)
        return LINE_EMPTY;
    if (folded && !first) {
        *why = "a response header line starts with whitespace (obs-fold)";
        return LINE_BAD;
    }
    const char *colon = memchr(s, ':', n);
    if (!colon)
        return LINE_NO_COLON;
    l->name_len = (size_t)(colon - s);
    l->value_len = n - l->name_len - 1;
    l->name = trim(s, &l->name_len);
    l->value = trim(colon + 1, &l->value_len);
    if (!gw_is_token(l->name, l->name_len)) {
        *why = "a response header name is not a token";
        return LINE_BAD;
    }
    for (size_t i = 0; i < l->value_len; i++) {
        if (!gw_is_field_byte((unsigned char)l->value[i])) {
            *why = "a response header value holds a control byte";
            return LINE_BAD;
        }
    }
    return LINE_HEADER;
}

/* The index of the header named name (a lower-case literal) in res, or -1. */
static long find_header(const GwCgiResponse *res, const char *name)
{
    for (size_t i = 0; i < res->nheaders; i++)
        if (gw_ascii_ieq(res->headers[i].name, res->headers[i].name_len, name))
            return (long)i;
    return -1;
}

/* Copies the header into res; with single set, replaces an earlier one of the same name. */
static GwStatus keep_header(GwArena *a, GwCgiResponse *res, const Line *l, const char *single)
{
    char *name = gw_arena_strndup(a, l->name, l->name_len);
    char *value = gw_arena_strndup(a, l->value, l->value_len);
    if (!name || !value)
        return GW_ERR_NOMEM;
    long at = single ? find_header(res, single) : -1;
    GwHeader *h = at >= 0 ? &res->headers[at] : &res->headers[res->nheaders++];
    *h = (GwHeader){name, l->name_len, value, l->value_len};
    return GW_OK;
}

/* State of the header walk: what makes the response sufficient and its status. */
typedef struct Walk {
    bool sufficient, has_location;
    unsigned status; /* from Status, 0 if none */
} Walk;

/* Acts on one checked header. Returns GW_OK, GW_ERR_NOMEM, or GW_ERR_INVALID for a bad
 * Status (*why set). */
static GwStatus take_header(GwArena *a, GwCgiResponse *res, const Line *l, Walk *w,
                            const char **why)
{
    if (gw_ascii_ieq(l->name, l->name_len, "status")) {
        w->sufficient = true;
        w->status = status_code(l->value, l->value_len);
        if (!w->status) {
            *why = "Status is not a code 100..599";
            return GW_ERR_INVALID;
        }
        return GW_OK;
    }
    if (gw_ascii_ieq(l->name, l->name_len, "location")) {
        w->sufficient = w->has_location = true;
        return keep_header(a, res, l, "location");
    }
    if (gw_ascii_ieq(l->name, l->name_len, "content-type")) {
        w->sufficient = true;
        return keep_header(a, res, l, "content-type");
    }
    if (is_hop_header(l->name, l->name_len)) {
        res->dropped++;
        return GW_OK;
    }
    return keep_header(a, res, l, NULL);
}

/* Walks the header block hb[0..n) line by line. */
static GwStatus walk_headers(GwArena *a, const char *hb, size_t n, GwCgiResponse *res)
{
    size_t max = 1;
    for (size_t i = 0; i < n; i++)
        max += hb[i] == '\n';
    res->headers = gw_arena_alloc(a, max * sizeof *res->headers);
    if (!res->headers)
        return GW_ERR_NOMEM;
    Walk w = {0};
    bool first = true;
    size_t line = 0;
    for (size_t at = 0; at <= n; line++) {
        const char *nl = memchr(hb + at, '\n', n - at);
        size_t len = nl ? (size_t)(nl - (hb + at)) : n - at;
        const char *why = NULL;
        Line l;
        LineKind kind = split_line(hb + at, len, first, &l, &why);
        at += len + 1;
        if (kind == LINE_BAD) {
            turn_into(res, 502, "", why, line + 1);
            return GW_OK;
        }
        if (kind == LINE_EMPTY)
            continue;
        first = false;
        if (kind == LINE_NO_COLON) {
            res->skipped++;
            continue;
        }
        GwStatus st = take_header(a, res, &l, &w, &why);
        if (st == GW_ERR_INVALID) {
            turn_into(res, 502, "", why, line + 1);
            return GW_OK;
        }
        if (st != GW_OK)
            return st;
    }
    if (!w.sufficient) {
        turn_into(res, 500, GW_CGI_INSUFFICIENT, "no Content-Type, Location or Status header", 0);
        return GW_OK;
    }
    res->status = w.status ? w.status : w.has_location ? 302 : 200;
    return GW_OK;
}

GwStatus gw_cgi_response_parse(GwArena *a, const uint8_t *out, size_t out_len, GwCgiResponse *res)
{
    *res = (GwCgiResponse){.status = 200, .body = (const uint8_t *)""};
    if (out_len == 0) {
        turn_into(res, 500, GW_CGI_INSUFFICIENT, "the module wrote nothing to stdout", 0);
        return GW_OK;
    }
    size_t end = header_end(out, out_len);
    if (end == out_len) {
        turn_into(res, 500, GW_CGI_INSUFFICIENT, "no blank line ends the response headers", 0);
        return GW_OK;
    }
    /* The block is out[0..end-1): the first LF of the pair ends the last line. */
    size_t hb_len = end;
    while (hb_len && (out[hb_len - 1] == '\r' || out[hb_len - 1] == '\n'))
        hb_len--;
    if (!gw_utf8_valid(out, hb_len)) {
        turn_into(res, 500, "", "the response headers are not UTF-8", 0);
        return GW_OK;
    }
    res->body = out + end + 1;
    res->body_len = out_len - end - 1;
    GwStatus st = walk_headers(a, (const char *)out, hb_len, res);
    if (st != GW_OK)
        turn_into(res, 500, "", "the response headers do not fit in the request arena", 0);
    return st;
}
