/* request.h: one HTTP request as the server hands it to the gateway core, and the split of
 * its request-target into path and query. Everything is borrowed from the server for the
 * duration of the request; the core copies what it keeps into the request's GwArena. */
#ifndef CORRAL_GW_REQUEST_H
#define CORRAL_GW_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A header field (request or response). Neither text need be NUL-terminated, except where
 * a function says it makes them so (the response parser does). */
typedef struct GwHeader {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} GwHeader;

typedef struct GwRequest {
    const char *method;      /* token as received, e.g. "POST" */
    const char *target;      /* raw request-target, still percent-encoded: origin-form
                              * "/path?query", or absolute-form "http://host:port/path?q"
                              * (whose host and port feed WAGI's step 1, see cgi_env.h) */
    const char *version;     /* "HTTP/1.0" or "HTTP/1.1": SERVER_PROTOCOL verbatim */
    const GwHeader *headers; /* in arrival order; duplicates possible */
    size_t nheaders;
    const char *remote_ip; /* client IP text, no port */
    unsigned remote_port;  /* not in WAGI's environment; for logs */
    bool tls;              /* the connection is HTTPS */
    uint64_t body_len;     /* bytes of the buffered body (CONTENT_LENGTH) */
} GwRequest;

/* The parts of a request-target. Pointers are into the target (or static text), so they
 * live as long as it does. */
typedef struct GwTarget {
    const char *path; /* raw, percent-encoded; "/" for an absolute-form without a path */
    size_t path_len;
    const char *query; /* after the first '?', without it; "" when there is none */
    size_t query_len;
    bool has_query;   /* a '?' was present (even with nothing after it) */
    const char *host; /* absolute-form authority host (IPv6 keeps its brackets); else "" */
    size_t host_len;
    const char *port; /* its port digits, only when 0..65535; else "" */
    size_t port_len;
} GwTarget;

/* Splits target (NUL-terminated) into path, query and, for absolute-form, the authority's
 * host and port, as WAGI's URI parser sees them: a fragment ('#' onwards) is ignored,
 * userinfo ("user@") is skipped. Never fails: a target of another form (asterisk-form "*",
 * authority-form) becomes a path that no route matches, as it starts with no '/'. */
void gw_target_parse(const char *target, GwTarget *out);

#endif
