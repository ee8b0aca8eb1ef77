/* cgi_env.h: the CGI environment and argv one request gives its module, as WAGI builds them
 * (WAGI.md 1.6 and 1.7; the variables are in cgi_vars.def), with the defects WAGI.md lists
 * fixed and each fix named below. Everything is written into the request's arena: nothing
 * is malloc'ed and nothing outlives gw_arena_reset. */
#ifndef CORRAL_GW_CGI_ENV_H
#define CORRAL_GW_CGI_ENV_H

#include "gateway/gw.h"
#include "gateway/gw_arena.h"
#include "gateway/request.h"
#include "gateway/route.h"

#include <stddef.h>

enum {
#define X(name, meaning) GW_CGI_##name,
#include "gateway/cgi_vars.def"
#undef X
    GW_CGI_COUNT
};

/* WAGI's --hostname default: the host and port used when the request names none. */
#define GW_DEFAULT_HOST "localhost:3000"
/* What HTTP_* holds for a header value that is not UTF-8 (WAGI's text). */
#define GW_CORRUPT_VALUE "CORRUPT VALUE"

/* A user environment variable; both strings NUL-terminated and borrowed. */
typedef struct GwEnvVar {
    const char *name;
    const char *value;
} GwEnvVar;

/* What the whole server shares (borrowed for each call). */
typedef struct GwCgiServer {
    const char *default_host;   /* --hostname, "HOST[:PORT]"; NULL means GW_DEFAULT_HOST;
                                 * "" skips that step of the host algorithm */
    const GwEnvVar *global_env; /* the --env-file values, then the --env values: a later */
    size_t nglobal_env;         /* entry overrides an earlier one with the same name */
} GwCgiServer;

/* A NULL-terminated array of count strings (items[count] == NULL), arena-owned. It is the
 * shape corral_wasi_config_t takes for argv and env. */
typedef struct GwStrList {
    const char **items;
    size_t count;
} GwStrList;

/* SERVER_NAME and SERVER_PORT; pointers into the request, default_host or static text. */
typedef struct GwHostPort {
    const char *host;
    size_t host_len;
    const char *port;
    size_t port_len;
} GwHostPort;

/* WAGI's host algorithm (parse_host_header_uri). Later sources override earlier ones, each
 * part separately and only when non-empty:
 *   1. the URI's authority (absolute-form), else host "localhost" and port "80";
 *   2. default_host (NULL: GW_DEFAULT_HOST; "": skipped), split at its first ':';
 *   3. the first Host header whose value is visible ASCII, split at its first ':'.
 * So "Host: wagi.net" with the default gives wagi.net and 3000. Fixed: an IPv6 literal
 * "[::1]:8080" splits after its ']' (WAGI splits it at the first ':' into "[" and
 * ":1]:8080"). The server should refuse a request with two Host headers (RFC 9112 3.2). */
GwHostPort gw_cgi_host_port(const GwRequest *req, const GwTarget *target, const char *default_host);

/* The module's environment for req, routed by m, as "NAME=VALUE" strings in *out_env.
 * Precedence, lowest first, each name kept once:
 *   1. srv->global_env (--env-file then --env; a later entry wins);
 *   2. module_env, the module's own `environment` table (a later entry wins);
 *   3. the CGI variables (cgi_vars.def) and HTTP_* over all of them: a user variable can
 *      never replace one, as in WAGI (whatever its --help text says).
 * HTTP_*: one per request header, the name upper-cased with '-' as '_'; for duplicates (also
 * "X-A" and "X_A", which map to one name) the last wins; a value that is not UTF-8 becomes
 * GW_CORRUPT_VALUE. Headers left out:
 *   - Authorization (RFC 3875 4.1.18: credentials stay with the server) and Connection
 *     (hop-by-hop), as WAGI;
 *   - Proxy and every Proxy-* (httpoxy, CVE-2016-5385: a client's "Proxy:" header would
 *     become HTTP_PROXY, which HTTP client libraries take as their outbound proxy; and
 *     Proxy-Authorization is a credential too). Matched on the mapped name, so "Proxy_X"
 *     cannot slip through as HTTP_PROXY_X;
 *   - a name that is not an RFC 9110 token (it could put '=' or NUL into the name);
 *   - a value holding NUL, CR or LF (a parser should never pass them; defensive).
 * CONTENT_TYPE is the value of the Content-Type header HTTP_CONTENT_TYPE gets, "" if none
 * (WAGI's is always empty: fixed). User variables with an empty name or a '=' in it are
 * skipped. All strings are in a; srv, module_env and req are only read.
 * Returns GW_OK; GW_ERR_NOMEM when a is full (answer 431 if the request is big, else 500);
 * GW_ERR_BAD_REQUEST (answer 400) when the target holds a byte outside visible ASCII (a
 * Rust guest would panic reading a non-UTF-8 environment), the method is not a token, or
 * PATH_INFO would decode to a NUL byte. */
GwStatus gw_cgi_env_build(GwArena *a, const GwRequest *req, const GwRouteMatch *m,
                          const GwCgiServer *srv, const GwEnvVar *module_env, size_t nmodule_env,
                          GwStrList *out_env) GW_WARN;

/* The module's argv for req, in a (WAGI's build_argv):
 *   - argv_template NULL: { path, then the query split at every '&' } when there is a '?'
 *     ("/p?a=1&&b" gives "/p", "a=1", "", "b"; "/p?" gives "/p", ""), else { path };
 *   - otherwise the template with "${SCRIPT_NAME}" replaced by the path and "${ARGS}" by the
 *     query with '&' as ' ' ("" if none), then split at ASCII whitespace.
 * The path is the full raw request path, not SCRIPT_NAME: WAGI does this (its docs say
 * otherwise) and modules depend on it. Nothing is percent-decoded. Substitution is one pass:
 * text coming from the request is never expanded again (WAGI chains two replaces, so a path
 * holding a literal "${ARGS}" would be expanded). Returns GW_OK, GW_ERR_NOMEM or
 * GW_ERR_BAD_REQUEST (a target byte outside visible ASCII). */
GwStatus gw_cgi_argv_build(GwArena *a, const GwRequest *req, const char *argv_template,
                           GwStrList *out_argv) GW_WARN;

#endif
