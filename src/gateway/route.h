/* route.h: route patterns and the routing table of the gateway, with WAGI's semantics
 * (docs: WAGI.md 1.4). A pattern ending in "/..." is a prefix ("/foo/..." matches "/foo",
 * "/foo/" and "/foo/x", never "/foobar"; "/..." matches every path); any other pattern is
 * an exact, byte-equal match with the trailing slash significant. Paths are matched raw,
 * still percent-encoded, so "/a%2Fb" is one segment and never equals "/a/b".
 * The table is built once at startup (malloc); matching never allocates. */
#ifndef CORRAL_GW_ROUTE_H
#define CORRAL_GW_ROUTE_H

#include "gateway/gw.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum GwRouteKind { GW_ROUTE_EXACT, GW_ROUTE_PREFIX } GwRouteKind;

/* Which of several matching routes wins. */
typedef enum GwRouting {
    /* WAGI's: the first match in table order wins. The order is each module in file order,
     * and for a module with a _routes export, its sub-routes in reverse print order (the
     * last printed wins) before the module's own route. So an early "/..." shadows every
     * later module. The built-in /healthz comes before all: see gw_route_is_healthz. */
    GW_ROUTING_WAGI,
    /* Spin's: an exact match beats any prefix, then the longest prefix wins; between equal
     * patterns the one declared later wins (modules in file order, a module's own route
     * before its sub-routes, sub-routes in print order). */
    GW_ROUTING_SPIN,
} GwRouting;

/* A parsed pattern; text is borrowed from the caller. */
typedef struct GwRoutePattern {
    GwRouteKind kind;
    const char *text; /* as written, "/..." included */
    size_t text_len;
    size_t base_len; /* text[0..base_len): the exact path, or the prefix without "/..." */
} GwRoutePattern;

typedef struct GwRouteError {
    char message[256]; /* "route 'foo' must start with '/'" ... */
} GwRouteError;

/* One routable entry. Every string is owned by the table, NUL-terminated, and lives until
 * gw_route_table_free. */
typedef struct GwRouteEntry {
    GwRouteKind kind;
    const char *route; /* the pattern text, "/..." included; for a _routes entry the
                        * joined text ("/parent/sub/..."): X_MATCHED_ROUTE */
    size_t route_len;
    size_t base_len;         /* route[0..base_len): the exact path or the prefix */
    const char *script_name; /* SCRIPT_NAME: the exact path, or the prefix ("/" for "/...") */
    size_t script_name_len;
    const char *entrypoint; /* the export to call: the module's entrypoint, or the export a
                             * _routes line names */
    unsigned handler;       /* the caller's module number; opaque here */
    bool dynamic;           /* the entry came from the module's _routes output */
    unsigned seq;           /* declaration order (GW_ROUTING_SPIN's tie-break) */
} GwRouteEntry;

/* The table. Callers read entries[0..count) (in WAGI's matching order); only the
 * functions below change it. */
typedef struct GwRouteTable {
    GwRouting mode;
    GwRouteEntry *entries;
    size_t count, cap;
    unsigned next_seq;
} GwRouteTable;

/* The result of a match. Pointers are into the table (entry) and into the path given to
 * gw_route_match (raw_path_info); nothing is allocated. */
typedef struct GwRouteMatch {
    const GwRouteEntry *entry;
    const char *raw_path_info; /* X_RAW_PATH_INFO: the path minus the entry's base, still
                                * encoded: "" for an exact match or a prefix matched whole,
                                * "/" for "/" on "/...", "/x%3b" for "/foo/x%3b" on "/foo/..." */
    size_t raw_path_info_len;
} GwRouteMatch;

/* Parses the pattern text[0..len) (need not be NUL-terminated) into *out, which borrows
 * text. It must start with '/' and contain no space, control byte, '?' or '#' (such a
 * route could never match a path). Returns GW_OK, or GW_ERR_INVALID with *err set. */
GwStatus gw_route_parse(const char *text, size_t len, GwRoutePattern *out,
                        GwRouteError *err) GW_WARN;

/* An empty table with the given precedence. */
void gw_route_table_init(GwRouteTable *t, GwRouting mode);
/* Releases everything the table owns; it is empty (and reusable) afterwards. */
void gw_route_table_free(GwRouteTable *t);

/* Adds one [[module]]: its route, the caller's module number, its entrypoint (NULL means
 * "_start") and, when the module exports _routes, what that export printed
 * (routes_text[0..routes_len); routes_text NULL means no _routes export). Copies all it
 * keeps. The _routes text follows WAGI: it must be UTF-8 and not empty; every line that
 * is not empty must be exactly two whitespace-separated columns "<sub-route> <export>"
 * (a blank, 1- or 3-column line is an error); each sub-route is joined to the module's route
 * by concat_no_duplicate_slash (the base's trailing '/' and the sub-route's leading '/'
 * become one '/': "/example" + "/hello" is "/example/hello", "/wild/..." + "/exact" is the
 * exact "/wild/exact"). All or nothing: on error the table is unchanged.
 * Returns GW_OK, GW_ERR_INVALID (*err says why; a startup error, as in WAGI) or
 * GW_ERR_NOMEM. */
GwStatus gw_route_table_add_module(GwRouteTable *t, const char *route, unsigned handler,
                                   const char *entrypoint, const char *routes_text,
                                   size_t routes_len, GwRouteError *err) GW_WARN;

/* Finds the entry for the raw request path path[0..path_len) (the target's path, before any
 * '?', still percent-encoded) by the table's precedence. Returns false when no entry matches
 * (answer 404 with an empty body). O(entries); no allocation. */
bool gw_route_match(const GwRouteTable *t, const char *path, size_t path_len, GwRouteMatch *out);

/* path is exactly "/healthz". The caller answers it with 200 and body "OK" (no content type)
 * before consulting the table: in WAGI the built-in route comes first and no module can
 * override it. Under GW_ROUTING_SPIN the caller may choose to route it normally instead. */
bool gw_route_is_healthz(const char *path, size_t path_len);

/* The most bytes gw_route_slug writes, its NUL aside. */
#define GW_ROUTE_SLUG_MAX 48

/* A readable name for a route, for a person looking at its files (the gateway's per-route
 * log folder, LOG_DIR/<slug>-<sha256 hex of the route>): the route as written, with only
 * the bytes [A-Za-z0-9._-] kept and every run of other bytes ('/', '%', ':', non-ASCII ...)
 * made one '_'; nothing of that at the start or the end, no '.' at the start; at most
 * GW_ROUTE_SLUG_MAX bytes; "root" when nothing is left ("root_..." for "/..."). Different
 * routes may share a slug ("/a/b" and "/a:b"): the hash beside it keeps their folders apart. Writes
 * it with a NUL into out and returns its length. "/api/v1/users/..." gives "api_v1_users_...", "/"
 * gives "root", "/caf%C3%A9" gives "caf_C3_A9". */
size_t gw_route_slug(const char *route, char out[GW_ROUTE_SLUG_MAX + 1]);

#endif
