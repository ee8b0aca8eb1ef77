/* http_outbound.h: outbound HTTP for guests, the `wasi_experimental_http` import module with
 * the exact ABI of deislabs/wasi-experimental-http (so modules built with its Rust and
 * AssemblyScript guest libraries run unchanged), implemented with libcurl, behind an
 * allow-list in Spin's grammar. Built on the engine's public API (corral.h) only.
 * The guest ABI and the error codes are in http_funcs.def and http_errors.def; the design
 * notes (what differs from the original and why) are in http_abi.c and http_allow.c.
 *
 * Ownership and threads:
 *   HttpAllowList  parsed once (per module, at configuration load), immutable afterwards:
 *                  share it between any number of threads and contexts. It must outlive every
 *                  HttpCtx whose policy points at it.
 *   HttpCtx        one per guest instance: its policy (copied), its open response handles and
 *                  a libcurl easy handle (kept for connection reuse between requests). Used by
 *                  one thread at a time, the thread running the instance. It must outlive
 *                  every store it was linked into, since the host functions point at it.
 *   libcurl is not linked: http_global_init loads it (dlopen) the first time outbound HTTP
 *   is needed, so a process that makes no request never pays for it (~6 ms). The first req
 *   call, http_allow_parse (of a non-empty list) and http_allow_check call it; an embedder
 *   with threads calls it once at startup, before starting them, to see a missing libcurl
 *   early. */
#ifndef CORRAL_HTTP_OUTBOUND_H
#define CORRAL_HTTP_OUTBOUND_H

#include "corral.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The import module name every function is provided under. */
#define HTTP_MODULE "wasi_experimental_http"

/* The guest-visible error codes (http_errors.def): HTTP_ERR_SUCCESS = 0 ... 13. */
typedef enum HttpError {
#define X(name, num, msg) HTTP_ERR_##name = num,
#include "host/http_errors.def"
#undef X
} HttpError;

/* "DESTINATION_NOT_ALLOWED"; "?" for a number that is not a code. */
const char *http_error_name(uint32_t code);
/* "destination not allowed ..."; "unknown error" for a number that is not a code. */
const char *http_error_message(uint32_t code);

/* ---- allow-list ---- */

typedef struct HttpAllowList HttpAllowList;

/* Parses entries[0..n) (Spin's allowed_outbound_hosts grammar, restricted to HTTP):
 *   insecure:allow-all            everything (WAGI's and Spin's legacy spelling)
 *   SCHEME://HOST[:PORT][/]       SCHEME  http, https or * (any of the two)
 *                                 HOST    a name or IP literal (IPv6 in brackets), matched
 *                                         exactly and case-insensitively; *.example.com for
 *                                         every subdomain (NOT example.com itself); * for any
 *                                 PORT    a number, a half-open range a..b, or *; omitted
 *                                         means the scheme's port (http 80, https 443) and is
 *                                         an error with scheme *
 * Surrounding whitespace is ignored. Paths, queries, user info, CIDR ranges, `self` and
 * {lists} are errors. n == 0 gives a list that denies everything; any other n needs libcurl
 * (its URL parser normalises hosts), and its absence is an error. Errors are reported here,
 * at configuration load, never per request: on failure returns NULL with *out_err an owned
 * message (free()) naming the entry, e.g.
 *   "allowed host 'https://x.com/api': a path is not allowed (only scheme://host[:port])"
 * or NULL when out of memory.
 * Stricter than WAGI on purpose: WAGI compared host names only, so `https://api.example.com`
 * also allowed http://api.example.com:8080, a different service (deislabs issue #87, Spin
 * #720). Here that entry allows https on port 443 only; a WAGI configuration that relied on
 * the looser match must list the other origins (or use *://api.example.com:*). */
HttpAllowList *http_allow_parse(const char *const *entries, size_t n, char **out_err);
/* NULL is allowed. */
void http_allow_free(HttpAllowList *a);
/* Whether the URL url[0..url_len) is allowed: parsed by curl's URL parser exactly as a request
 * would be (so the host compared is the one curl would connect to), http or https only.
 * A NULL list denies everything. For tests and diagnostics. */
bool http_allow_check(const HttpAllowList *a, const char *url, size_t url_len);

/* ---- per-instance context ---- */

typedef struct HttpPolicy {
    const HttpAllowList *allow; /* borrowed; NULL denies everything */
    uint32_t max_concurrency;   /* open response handles per instance; 0 = unlimited */
    uint64_t timeout_ms;        /* per req call, redirects included; 0 = none */
    uint64_t max_body;          /* response body bytes kept per response; 0 = unlimited */
    unsigned max_redirects;     /* redirects followed per req call; one more is an error */
} HttpPolicy;

/* Fills p with: deny everything, 16 open handles, 30 s, 16 MiB, 10 redirects. */
void http_policy_default(HttpPolicy *p);

typedef struct HttpCtx HttpCtx;

/* A context with policy p (copied; p->allow is borrowed). NULL when out of memory. */
HttpCtx *http_ctx_new(const HttpPolicy *p);
/* Frees the open responses and the curl handle. NULL is allowed. */
void http_ctx_free(HttpCtx *c);
/* Makes c ready for the next guest instance of the same module (a gateway worker that links
 * once and resets its store with corral_store_reset_to between requests): closes every open
 * response, restarts handle numbers at 0, clears the deadline and the last error. Keeps the
 * policy, what http_link recorded (the host functions it made stay valid) and libcurl's
 * connection cache, so requests of successive guests to the same origin reuse connections. */
void http_ctx_reset(HttpCtx *c);
/* A wall-clock deadline (CLOCK_MONOTONIC, nanoseconds; 0 = none) for requests, as
 * corral_wasi_set_deadline: a request still running then is aborted and the call returns the
 * trap "interrupted: time limit exceeded" (the policy's timeout_ms gives error 11 instead). */
void http_ctx_set_deadline(HttpCtx *c, uint64_t monotonic_ns);
/* Why the last call that failed failed, for the embedder's log ("destination not allowed:
 * http://evil.example/ (add 'http://evil.example' to the allow-list)"); NULL if none did.
 * Valid until the next call into c. */
const char *http_ctx_last_error(const HttpCtx *c);

/* Fills imports (the module's corral_module_import_count entries, in import order) for every
 * import from HTTP_MODULE with a host function created in store; every other entry is left as
 * it is (filled or not). Call it before corral_wasi_link, which reports every entry still
 * empty as an unknown import. One module per context: the link also records whether the
 * module exports its memory as "memory" (the ABI's requirement; without it every call but
 * close returns 2). Returns true when every wasi_experimental_http import is filled; else
 * false with *out_err an owned message (free()):
 *   "unknown import wasi_experimental_http::foo"
 *   "incompatible import type for wasi_experimental_http::close: expects (i32) -> i32, the
 *    module declares (i64) -> i32"
 * or NULL when out of memory. */
bool http_link(HttpCtx *c, corral_store_t *store, const corral_module_t *module,
               corral_extern_t *imports, size_t nimports, char **out_err);

/* Loads libcurl.so.4 and runs curl_global_init, once per process (pthread_once; later calls
 * only report the outcome). false with *out_err (may be NULL; static text) when libcurl is
 * missing or too old, e.g. "cannot load libcurl.so.4 (Debian package libcurl4): ...".
 * Without it every req call fails with 12 (RUNTIME_ERROR) and http_ctx_last_error says
 * why. */
bool http_global_init(const char **out_err);

#endif
