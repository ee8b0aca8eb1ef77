/* gw.h: what the files of the gateway core share: the status values their functions return.
 * The core (route, cgi_env, cgi_response, request, http_text, gw_arena) is libc-only: no HTTP
 * library, no engine calls, and no allocation per request (per-request memory comes from the
 * caller's GwArena, gw_arena.h). */
#ifndef CORRAL_GW_H
#define CORRAL_GW_H

#if defined(__GNUC__)
#define GW_WARN __attribute__((warn_unused_result))
#else
#define GW_WARN
#endif

typedef enum GwStatus {
    GW_OK = 0,
    GW_ERR_NOMEM,       /* the request arena is full (answer 431 or 500), or malloc failed
                         * while building a route table at startup */
    GW_ERR_BAD_REQUEST, /* the request cannot be given to a module (answer 400) */
    GW_ERR_INVALID,     /* a route pattern or _routes output is malformed (startup error;
                         * the GwRouteError says why) */
} GwStatus;

#endif
