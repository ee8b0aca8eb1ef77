/* server.h: the HTTP side of `corral serve`, on libmicrohttpd. The server owns connections,
 * HTTP parsing and framing, the limits that protect it from clients (header and body size,
 * slow clients, connection counts) and the access log; it knows nothing of WebAssembly.
 * Every complete request goes to a handler that runs on one of the server's worker threads,
 * never on the thread that drives the connections, so a slow guest cannot stall other
 * clients. The handler side (app.c) builds the response; the server sends it and logs it.
 *
 * Threads: one connection thread (libmicrohttpd's internal epoll loop), cfg.workers worker
 * threads and a reaper thread (head deadlines, access log flushes). A request is suspended
 * in the connection thread once its body is complete, queued, handled on a worker, then
 * resumed to send the response. All of them block the usual process signals (SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE), so those reach the thread that
 * called gw_server_start (or another of the caller's threads).
 *
 * Access log: one line per request that got as far as a complete request line:
 *   <ip> - - [<UTC time>] "<METHOD> <target> <version>" <status> <bytes> <ms> <route> id=<id>
 * e.g. 127.0.0.1 - - [05/Mar/2025:14:02:07 +0000] "GET /hello?x=1 HTTP/1.1" 200 12 0.184
 * /hello id=42. status is "-" when no response was sent (client gone, server stopped);
 * bytes is the response body length, "-" when libmicrohttpd answered by itself (a framing
 * error it caught); <ms> runs from the complete request line to the end of the response,
 * in milliseconds with three decimals; <route> is "-" for the server's own answers. Bytes
 * outside printable ASCII, '"' and backslash in the method, target or route show as \xHH. */
#ifndef CORRAL_GW_SERVER_H
#define CORRAL_GW_SERVER_H

#include "gateway/request.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Bytes of response header lines (name, ": ", value, CRLF each) a handler's answer may
 * have. The server reserves that much of each connection's memory for them: past it,
 * libmicrohttpd would drop the connection without a word, so such an answer becomes a 502. */
#define GW_RESP_HEAD_MAX (16u * 1024)

typedef struct GwServerConfig {
    const char *listen;         /* "127.0.0.1:3000", "0.0.0.0:80", "[::1]:3000" */
    const char *tls_cert_path;  /* PEM certificate chain; NULL: plain HTTP */
    const char *tls_key_path;   /* PEM private key; required with a certificate */
    unsigned workers;           /* worker threads (>= 1) */
    unsigned max_concurrency;   /* requests handled or waiting for a worker at once; one
                                 * more gets 503 at once (never queued without bound) */
    uint64_t max_body;          /* request body bytes; a larger one gets 413 */
    size_t max_header;          /* bytes of the request line and headers, CRLFs included;
                                 * larger: 431 (414 when the request line alone is) */
    unsigned idle_timeout_s;    /* a connection silent this long is closed, and a request
                                 * head (line and headers) must arrive within this long of
                                 * the connection opening or the previous response (slow
                                 * clients); 0: no limit */
    unsigned max_connections;   /* open connections; more wait in the listen backlog
                                 * until one closes */
    FILE *access_log;           /* one line per request, or NULL */
    FILE *error_log;            /* server errors and warnings (stderr in practice) */
} GwServerConfig;

/* Fills cfg with the defaults: 127.0.0.1:3000, no TLS, 2 workers, max_concurrency 256,
 * max_body 10 MiB, max_header 16 KiB, idle_timeout_s 30, max_connections 1024, access log
 * on stdout, error log on stderr. */
void gw_server_config_default(GwServerConfig *cfg);

/* The handler's answer. Header names and values need no NUL. The memory it points to must
 * stay valid until the server calls the handler's release for this response. The server
 * zeroes *resp before calling handle or fast. */
typedef struct GwResponse {
    int status;               /* 200..599; anything else is sent as 502 (and logged): an
                               * interim 1xx cannot be a final answer */
    const GwHeader *headers;  /* the module's headers (Content-Type, Set-Cookie ...), no
                               * framing headers: the server adds Content-Length itself.
                               * Their lines may take GW_RESP_HEAD_MAX bytes (16 KiB) at
                               * most, else the answer is a 502. An empty value is sent as
                               * one space (libmicrohttpd refuses empty values) */
    size_t nheaders;
    const uint8_t *body;
    size_t body_len;
    const char *route;        /* route label for the access log (copied), or NULL */
    int metric_route;         /* gw_metrics_route() index for the request counts, or 0
                               * (GW_METRICS_OTHER) */
    void *handler_data;       /* the handler's, for its release; the server never reads it */
} GwResponse;

/* What runs requests. handle is called on worker thread `worker` (0 .. workers-1, so the
 * handler can keep per-worker state without locks) with the complete request; it must fill
 * *resp and return. The request and body are borrowed for the duration of the call.
 * release (may be NULL) is called on the same worker right after handle returns, once the
 * server has copied what it sends (status, headers, body): the response then no longer
 * needs resp's memory, so per-worker output buffers can be reused for the next request at
 * once, whether or not the client ever reads the answer. fast, if not NULL, is called on
 * the connection thread before anything is queued, for requests cheap enough to answer
 * there (/healthz, /metrics): it returns true when it filled *resp (release is then called
 * for it on the connection thread with worker == UINT32_MAX, right after the copy). fast
 * must not block: every connection waits while it runs. request_id is unique per server
 * run, for log lines on both sides. */
typedef struct GwHandler {
    void *ud;
    void (*handle)(void *ud, unsigned worker, uint64_t request_id, const GwRequest *req,
                   const uint8_t *body, size_t body_len, GwResponse *resp);
    void (*release)(void *ud, unsigned worker, GwResponse *resp);
    bool (*fast)(void *ud, uint64_t request_id, const GwRequest *req, GwResponse *resp);
} GwHandler;

typedef struct GwServer GwServer;

/* Starts listening and serving (returns once the socket is bound and the threads run). On
 * failure returns NULL and sets *out_err to an owned message (free()), e.g. "cannot listen
 * on 127.0.0.1:3000: Address already in use", "cannot read TLS key 'k.pem': ...". */
GwServer *gw_server_start(const GwServerConfig *cfg, const GwHandler *handler, char **out_err);
/* The port actually bound (useful with port 0). */
unsigned gw_server_port(const GwServer *srv);
/* Stops accepting, lets requests in flight finish (at most grace_ms), joins the threads and
 * frees the server. Requests that arrive meanwhile on open connections get 503 with
 * "Connection: close"; jobs still queued after grace_ms get 503 without running. A handle
 * call already running is waited for (the handler bounds it with its own deadline). Call
 * from an ordinary thread (e.g. main, after sigwait or a flag set by a signal handler),
 * never from a signal handler or a handler callback. */
void gw_server_stop(GwServer *srv, unsigned grace_ms);

#endif
