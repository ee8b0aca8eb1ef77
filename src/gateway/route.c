/* route.c: route patterns, the routing table and its two precedence rules (route.h). Owns
 * the table's memory (malloc at startup only); matching is a linear scan that allocates
 * nothing, which is the right tool for the few dozen routes of an app. */
#include "gateway/route.h"

#include "gateway/http_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX_MARK "/..."
#define PREFIX_MARK_LEN 4
#define DEFAULT_ENTRYPOINT "_start"

/* ---- errors ---- */

/* Copies s[0..n) for a message: at most 64 bytes, control bytes shown as '?'. */
static void shown(char *dst, size_t cap, const char *s, size_t n)
{
    size_t max = cap - 4, i = 0;
    for (; i < n && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    if (i < n)
        memcpy(dst + i, "...", 3), i += 3;
    dst[i] = '\0';
}

static GwStatus errorf(GwRouteError *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return GW_ERR_INVALID;
}

/* ---- patterns ---- */

GwStatus gw_route_parse(const char *text, size_t len, GwRoutePattern *out, GwRouteError *err)
{
    char show[68];
    shown(show, sizeof show, text, len);
    if (len == 0)
        return errorf(err, "route is empty; it must start with '/'");
    if (text[0] != '/')
        return errorf(err, "route '%s' must start with '/'", show);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c <= 0x20 || c == 0x7f)
            return errorf(err, "route '%s' contains a space or control character", show);
        if (c == '?' || c == '#')
            return errorf(err, "route '%s' contains '%c': routes match the path only", show, c);
    }
    bool prefix = len >= PREFIX_MARK_LEN &&
                  memcmp(text + len - PREFIX_MARK_LEN, PREFIX_MARK, PREFIX_MARK_LEN) == 0;
    *out = (GwRoutePattern){
        .kind = prefix ? GW_ROUTE_PREFIX : GW_ROUTE_EXACT,
        .text = text,
        .text_len = len,
        .base_len = prefix ? len - PREFIX_MARK_LEN : len,
    };
    return GW_OK;
}

/* The pattern matches the raw path: WAGI's RoutePattern::is_match. */
static bool entry_matches(const GwRouteEntry *e, const char *path, size_t n)
{
    if (e->kind == GW_ROUTE_EXACT)
        return n == e->base_len && memcmp(path, e->route, n) == 0;
    return n >= e->base_len && memcmp(path, e->route, e->base_len) == 0 &&
           (n == e->base_len || path[e->base_len] == '/');
}

/* ---- the table ---- */

void gw_route_table_init(GwRouteTable *t, GwRouting mode)
{
    *t = (GwRouteTable){.mode = mode};
}

void gw_route_table_free(GwRouteTable *t)
{
    for (size_t i = 0; i < t->count; i++)
        free((char *)t->entries[i].route);
    free(t->entries);
    gw_route_table_init(t, t->mode);
}

static GwStatus reserve(GwRouteTable *t, size_t more)
{
    if (t->cap - t->count >= more)
        return GW_OK;
    size_t cap = t->cap ? t->cap : 16;
    while (cap - t->count < more) {
        if (cap > SIZE_MAX / 2 / sizeof *t->entries)
            return GW_ERR_NOMEM;
        cap *= 2;
    }
    GwRouteEntry *e = realloc(t->entries, cap * sizeof *e);
    if (!e)
        return GW_ERR_NOMEM;
    t->entries = e;
    t->cap = cap;
    return GW_OK;
}

/* Fills *e from a validated pattern, copying its text, the script name and the entrypoint
 * into one block (freed through e->route). */
static GwStatus entry_make(GwRouteEntry *e, const GwRoutePattern *p, const char *ep, size_t ep_len)
{
    size_t script_len = p->base_len ? p->base_len : 1; /* "/..." has SCRIPT_NAME "/" */
    char *block = malloc(p->text_len + 1 + script_len + 1 + ep_len + 1);
    if (!block)
        return GW_ERR_NOMEM;
    char *script = block + p->text_len + 1, *entry = script + script_len + 1;
    memcpy(block, p->text, p->text_len);
    block[p->text_len] = '\0';
    memcpy(script, p->base_len ? p->text : "/", script_len);
    script[script_len] = '\0';
    memcpy(entry, ep, ep_len);
    entry[ep_len] = '\0';
    *e = (GwRouteEntry){
        .kind = p->kind,
        .route = block,
        .route_len = p->text_len,
        .base_len = p->base_len,
        .script_name = script,
        .script_name_len = script_len,
        .entrypoint = entry,
    };
    return GW_OK;
}

/* ---- _routes output ---- */

/* One line of _routes output: two columns, and where it was. */
typedef struct SubRoute {
    const char *route, *export_name;
    size_t route_len, export_len;
    size_t line; /* 1-based */
} SubRoute;

/* Whitespace as Rust's split_whitespace sees it, limited to ASCII (a route or an export name
 * with non-ASCII spaces in it is not worth the tables). */
static bool is_ws(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Splits s[0..n) into at most 3 whitespace-separated columns; returns how many there are
 * (3 meaning "3 or more"). */
static size_t columns(const char *s, size_t n, const char *col[3], size_t col_len[3])
{
    size_t k = 0, i = 0;
    while (k < 3) {
        while (i < n && is_ws((unsigned char)s[i]))
            i++;
        if (i == n)
            break;
        size_t start = i;
        while (i < n && !is_ws((unsigned char)s[i]))
            i++;
        col[k] = s + start;
        col_len[k++] = i - start;
    }
    return k;
}

/* Parses the whole _routes text into subs (room for one per '\n' plus one); sets *nsubs.
 * WAGI's interpret_routes: lines as Rust's lines() gives them (a trailing '\r' is part of
 * the line ending), empty lines skipped, every other line exactly two columns. */
static GwStatus parse_routes_text(const char *text, size_t len, const char *parent, SubRoute *subs,
                                  size_t *nsubs, GwRouteError *err)
{
    if (len == 0)
        return errorf(err, "route '%s': _routes printed nothing (Dynamic routes text was empty)",
                      parent);
    if (!gw_utf8_valid((const uint8_t *)text, len))
        return errorf(err, "route '%s': _routes output is not UTF-8", parent);
    size_t n = 0, line = 0;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len, next = nl ? end + 1 : len;
        const char *s = text + at;
        size_t slen = end - at;
        line++;
        at = next;
        if (slen > 0 && s[slen - 1] == '\r')
            slen--;
        if (slen == 0)
            continue;
        const char *col[3];
        size_t col_len[3];
        size_t k = columns(s, slen, col, col_len);
        if (k == 0)
            return errorf(err, "route '%s': _routes line %zu is blank", parent, line);
        if (k != 2) {
            char show[68];
            shown(show, sizeof show, s, slen);
            return errorf(err,
                          "route '%s': _routes line %zu is '%s': expected two columns "
                          "'<route> <export>', found %s",
                          parent, line, show, k == 1 ? "one" : "three or more");
        }
        subs[n++] = (SubRoute){col[0], col[1], col_len[0], col_len[1], line};
    }
    *nsubs = n;
    return GW_OK;
}

/* Writes WAGI's concat_no_duplicate_slash(base, sub) + ("/..." if prefix) into dst (room for
 * base_len + sub_len + 1 + PREFIX_MARK_LEN); returns the length. */
static size_t join(char *dst, const char *base, size_t base_len, const GwRoutePattern *sub)
{
    const char *s = sub->text;
    size_t s_len = sub->base_len, n = 0;
    if (base_len > 0 && base[base_len - 1] == '/')
        base_len--;
    if (s_len > 0 && s[0] == '/')
        s++, s_len--;
    memcpy(dst, base, base_len), n += base_len;
    dst[n++] = '/';
    memcpy(dst + n, s, s_len), n += s_len;
    if (sub->kind == GW_ROUTE_PREFIX)
        memcpy(dst + n, PREFIX_MARK, PREFIX_MARK_LEN), n += PREFIX_MARK_LEN;
    return n;
}

/* The sub-route's text as a pattern. Unlike a module route it may lack the leading '/'
 * (WAGI joins "hello" as "/hello"); the joined result is validated afterwards. */
static GwRoutePattern sub_pattern(const SubRoute *s)
{
    bool prefix =
        s->route_len >= PREFIX_MARK_LEN &&
        memcmp(s->route + s->route_len - PREFIX_MARK_LEN, PREFIX_MARK, PREFIX_MARK_LEN) == 0;
    return (GwRoutePattern){
        .kind = prefix ? GW_ROUTE_PREFIX : GW_ROUTE_EXACT,
        .text = s->route,
        .text_len = s->route_len,
        .base_len = prefix ? s->route_len - PREFIX_MARK_LEN : s->route_len,
    };
}

/* Makes the entry of one sub-route of parent at *e. */
static GwStatus sub_entry(GwRouteEntry *e, const GwRoutePattern *parent, const char *show,
                          const SubRoute *s, char *scratch, GwRouteError *err)
{
    GwRoutePattern sub = sub_pattern(s), joined;
    size_t n = join(scratch, parent->text, parent->base_len, &sub);
    GwRouteError inner;
    if (gw_route_parse(scratch, n, &joined, &inner) != GW_OK)
        return errorf(err, "route '%s': _routes line %zu: %s", show, s->line, inner.message);
    return entry_make(e, &joined, s->export_name, s->export_len);
}

GwStatus gw_route_table_add_module(GwRouteTable *t, const char *route, unsigned handler,
                                   const char *entrypoint, const char *routes_text,
                                   size_t routes_len, GwRouteError *err)
{
    GwRoutePattern parent;
    GwStatus st = gw_route_parse(route, strlen(route), &parent, err);
    if (st != GW_OK)
        return st;
    if (!entrypoint)
        entrypoint = DEFAULT_ENTRYPOINT;
    size_t max_subs = 0;
    for (size_t i = 0; routes_text && i < routes_len; i++)
        max_subs += routes_text[i] == '\n';
    max_subs += routes_text ? 1 : 0;
    SubRoute *subs = max_subs ? malloc(max_subs * sizeof *subs) : NULL;
    char *scratch = routes_text ? malloc(parent.text_len + routes_len + 2 + PREFIX_MARK_LEN) : NULL;
    size_t nsubs = 0, made = 0;
    char show[68];
    shown(show, sizeof show, route, parent.text_len);
    st = GW_ERR_NOMEM;
    if ((max_subs && !subs) || (routes_text && !scratch))
        goto fail;
    if (routes_text &&
        (st = parse_routes_text(routes_text, routes_len, show, subs, &nsubs, err)) != GW_OK)
        goto fail;
    if ((st = reserve(t, nsubs + 1)) != GW_OK)
        goto fail;
    /* Sub-routes in reverse print order, then the module's own route: WAGI's table order. */
    GwRouteEntry *at = t->entries + t->count;
    for (; made < nsubs; made++) {
        const SubRoute *s = &subs[nsubs - 1 - made];
        if ((st = sub_entry(&at[made], &parent, show, s, scratch, err)) != GW_OK)
            goto fail;
        at[made].seq = t->next_seq + 1 + (unsigned)(nsubs - 1 - made);
    }
    if ((st = entry_make(&at[made], &parent, entrypoint, strlen(entrypoint))) != GW_OK)
        goto fail;
    at[made].seq = t->next_seq;
    made++;
    for (size_t i = 0; i < made; i++) {
        at[i].handler = handler;
        at[i].dynamic = i + 1 < made;
    }
    t->count += made;
    t->next_seq += (unsigned)made;
    free(subs);
    free(scratch);
    return GW_OK;
fail:
    if (st == GW_ERR_NOMEM)
        errorf(err, "route '%s': out of memory", show);
    for (size_t i = 0; i < made; i++)
        free((char *)t->entries[t->count + i].route);
    free(subs);
    free(scratch);
    return st;
}

/* ---- matching ---- */

/* GW_ROUTING_SPIN's order: exact over prefix, then the longer prefix, then the later. */
static bool spin_better(const GwRouteEntry *a, const GwRouteEntry *b)
{
    if (a->kind != b->kind)
        return a->kind == GW_ROUTE_EXACT;
    if (a->base_len != b->base_len)
        return a->base_len > b->base_len;
    return a->seq > b->seq;
}

bool gw_route_match(const GwRouteTable *t, const char *path, size_t path_len, GwRouteMatch *out)
{
    const GwRouteEntry *best = NULL;
    for (size_t i = 0; i < t->count; i++) {
        const GwRouteEntry *e = &t->entries[i];
        if (!entry_matches(e, path, path_len))
            continue;
        if (t->mode == GW_ROUTING_WAGI) {
            best = e;
            break;
        }
        if (!best || spin_better(e, best))
            best = e;
    }
    if (!best)
        return false;
    out->entry = best;
    out->raw_path_info = path + best->base_len;
    out->raw_path_info_len = path_len - best->base_len;
    return true;
}

bool gw_route_is_healthz(const char *path, size_t path_len)
{
    return path_len == 8 && memcmp(path, "/healthz", 8) == 0;
}

/* ---- a readable name for a route's files ---- */

static bool slug_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

size_t gw_route_slug(const char *route, char out[GW_ROUTE_SLUG_MAX + 1])
{
    size_t n = 0;
    bool gap = false; /* a run of other bytes waits to become one '_' */
    for (const unsigned char *p = (const unsigned char *)route; *p && n < GW_ROUTE_SLUG_MAX; p++) {
        if (!slug_byte(*p)) {
            gap = n > 0; /* nothing at the start */
            continue;
        }
        if (n == 0 && *p == '.')
            continue; /* no hidden name, never "." or ".." */
        if (gap) {
            if (n + 2 > GW_ROUTE_SLUG_MAX)
                break; /* no room for the '_' and a byte after it */
            out[n++] = '_';
            gap = false;
        }
        out[n++] = (char)*p;
    }
    while (n > 0 && out[n - 1] == '_')
        n--;
    if (n == 0) { /* "/", "/...", "/%20": the root, or everything under it */
        size_t len = strlen(route);
        const char *name = len >= 4 && !strcmp(route + len - 4, "/...") ? "root_..." : "root";
        n = strlen(name);
        memcpy(out, name, n);
    }
    out[n] = '\0';
    return n;
}
