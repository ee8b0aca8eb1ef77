/* server.h: the HTTP side of `corral serve`, on libmicrohttpd. The server owns connections,
 * HTTP parsing and framing, the limits that protect it from clients (header and body size,
 * slow clients, connection counts) and the access log; it knows nothing of WebAssembly.
 * Every complete request goes to a handler that runs on one of the server's worker threads,
 * never on the thread that drives the connections, so a slow guest cannot stall other
 * clients. The handler side (app.c) builds the response; the server sends it and logs it.
 *
 * Threads: one connection thread (libmicrohttpd's internal epoll loop) and cfg.workers
 * worker threads. A request is suspended in the connection thread once its body is complete,
 * queued, handled on a worker, then resumed to send the response. */
#ifndef CORRAL_GW_SERVER_H
#define CORRAL_GW_SERVER_H

#include "gateway/request.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct GwServerConfig {
    const char *listen;         /* "127.0.0.1:3000", "0.0.0.0:80", "[::1]:3000" */
    const char *tls_cert_path;  /* PEM certificate chain; NULL: plain HTTP */
    const char *tls_key_path;   /* PEM private key; required with a certificate */
    unsigned workers;           /* worker threads (>= 1) */
    unsigned max_concurrency;   /* requests handled or waiting for a worker at once; one
                                 * more gets 503 at once (never queued without bound) */
    uint64_t max_body;          /* request body bytes; a larger one gets 413 */
    size_t max_header;          /* bytes of the request line and headers; larger: 431 */
    unsigned idle_timeout_s;    /* a connection silent this long is closed (slow clients) */
    unsigned max_connections;   /* open connections; more are refused at accept */
    FILE *access_log;           /* one line per request, or NULL */
    FILE *error_log;            /* server errors and warnings (stderr in practice) */
} GwServerConfig;

/* Fills cfg with the defaults: 127.0.0.1:3000, no TLS, 2 workers, max_concurrency 256,
 * max_body 10 MiB, max_header 16 KiB, idle_timeout_s 30, max_connections 1024, access log
 * on stdout, error log on stderr. */
void gw_server_config_default(GwServerConfig *cfg);

/* The handler's answer. Header names and values need no NUL. The memory it points to must
 * stay valid until the server calls the handler's release for this response. */
typedef struct GwResponse {
    int status;               /* 100..599 */
    const GwHeader *headers;  /* the module's headers (Content-Type, Set-Cookie ...), no
                               * framing headers: the server adds Content-Length itself */
    size_t nheaders;
    const uint8_t *body;
    size_t body_len;
    const char *route;        /* route label for the access log and metrics, or NULL */
    void *handler_data;       /* the handler's, for its release; the server never reads it */
} GwResponse;

/* What runs requests. handle is called on worker thread `worker` (0 .. workers-1, so the
 * handler can keep per-worker state without locks) with the complete request; it must fill
 * *resp and return. release is called on the same worker once the response is sent or the
 * connection is gone, to free what resp points to. fast, if not NULL, is called on the
 * connection thread before anything is queued, for requests cheap enough to answer there
 * (/healthz, /metrics): it returns true when it filled *resp (release is then called for
 * it on the connection thread with worker == UINT32_MAX). request_id is unique per server
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
 * frees the server. */
void gw_server_stop(GwServer *srv, unsigned grace_ms);

#endif
