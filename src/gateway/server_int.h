/* server_int.h: what the files of the HTTP server share (server.c: start, stop, threads and
 * the job queue; server_request.c: libmicrohttpd's callbacks, one request from its first
 * line to its log line). Nothing outside server*.c may include it.
 *
 * Thread rules. The connection thread is libmicrohttpd's one internal thread; every MHD
 * callback runs on it, and only it touches a GwConn, creates or frees a GwReq, or queues a
 * response. A worker owns a GwReq from the moment the connection thread suspends its
 * connection and pushes it, until the worker calls MHD_resume_connection: in between the
 * connection thread does not look at it (a suspended connection gets no callbacks and no
 * timeouts), and after the resume the worker does not touch it again. The reaper thread
 * only reads GwConn.fd and head_deadline under conns_lock, which the connection thread
 * holds while a GwConn is linked or unlinked, so it never shuts down a closed or reused
 * descriptor. */
#ifndef CORRAL_GW_SERVER_INT_H
#define CORRAL_GW_SERVER_INT_H

#include "gateway/server.h"

#include "util/lib_mhd.h"
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>

/* The longest route label kept for the log; longer ones are cut. */
#define GW_ROUTE_TEXT 128
/* A chunked body over max_body is read on and thrown away up to this many more bytes, so
 * the client can be told 413; a body longer still gets the connection closed at once.
 * (libmicrohttpd cannot queue a response while a body is arriving.) */
#define GW_DISCARD_MAX (1u << 20)

/* The server's own answers, built once at start: X(id, status, reason, close). `close`
 * adds "Connection: close": after a framing or size error nothing more on the connection
 * can be trusted (libmicrohttpd closes anyway when it answers before reading the body). */
#define GW_CANNED(X)                                                                               \
    X(BAD_REQUEST, 400, "Bad Request", true)                                                       \
    X(TOO_LARGE, 413, "Content Too Large", true)                                                   \
    X(URI_TOO_LONG, 414, "URI Too Long", true)                                                     \
    X(HEAD_TOO_LARGE, 431, "Request Header Fields Too Large", true)                                \
    X(INTERNAL, 500, "Internal Server Error", false)                                               \
    X(NOT_IMPLEMENTED, 501, "Not Implemented", true)                                               \
    X(BAD_GATEWAY, 502, "Bad Gateway", false)                                                      \
    X(BUSY, 503, "Service Unavailable", false)                                                     \
    X(STOPPING, 503, "Service Unavailable", true)

/* clang-format off */
typedef enum GwCanned {
#define GW_CANNED_ENUM(id, status, reason, close) GW_CANNED_##id,
    GW_CANNED(GW_CANNED_ENUM)
#undef GW_CANNED_ENUM
    GW_CANNED_COUNT
} GwCanned;
/* clang-format on */

/* One TCP (or TLS) connection: MHD's socket context. */
typedef struct GwConn {
    struct GwConn *prev, *next; /* srv->conns, under conns_lock */
    int fd;
    /* CLOCK_MONOTONIC ns by which the next request's head (request line and headers) must
     * be complete, or 0 while a request is past its head. Set by the connection thread,
     * read by the reaper. */
    _Atomic int64_t head_deadline;
} GwConn;

typedef enum ReqState {
    REQ_NEW,    /* request line seen; headers not yet given to us */
    REQ_BODY,   /* headers accepted; body arriving */
    REQ_QUEUED, /* suspended, owned by the queue or a worker */
    REQ_READY,  /* resumed with a prepared response to queue */
    REQ_DONE,   /* a response is queued (or the request was refused) */
} ReqState;

/* One request, created by the URI log callback and freed by the completion callback. */
typedef struct GwReq {
    GwServer *srv;
    struct MHD_Connection *conn;
    GwConn *gc;
    uint64_t id;
    int64_t start_ns;
    ReqState state;
    GwRequest req;     /* what the handler sees; strings borrowed from MHD's pool */
    GwHeader *headers; /* inline_headers, or malloc'd when there are more */
    GwHeader inline_headers[24];
    uint8_t *body;
    size_t body_len, body_cap;
    uint64_t discarded;            /* body bytes thrown away past max_body */
    bool too_large;                /* the body went past max_body */
    bool queued;                   /* went through the queue (counted in srv->handed_out) */
    bool own;                      /* the status was chosen by the server, not a handler */
    struct MHD_Response *prepared; /* built by a worker (or fast), queued in REQ_READY */
    bool prepared_owned;           /* prepared is ours to destroy (not a canned one) */
    unsigned prepared_status;
    unsigned status;   /* status of the queued response; 0: none queued */
    size_t resp_bytes; /* body length of the prepared or queued response */
    int metric_route;
    char route[GW_ROUTE_TEXT]; /* "" when none */
    char ip[INET6_ADDRSTRLEN];
    unsigned port;
    char target[]; /* the raw request-target, NUL-terminated (one allocation with r) */
} GwReq;

/* Growing scratch space for NUL-terminated copies of response headers (and, on the
 * connection thread, access log lines); one per worker and one for the connection thread. */
typedef struct GwScratch {
    char *buf;
    size_t cap;
} GwScratch;

typedef struct GwWorker {
    GwServer *srv;
    unsigned index;
    pthread_t thread;
    GwScratch scratch;
} GwWorker;

struct GwServer {
    GwServerConfig cfg;
    GwHandler h;
    struct MHD_Daemon *d;
    int listen_fd;
    unsigned port;
    bool tls;
    char *tls_cert, *tls_key; /* PEM text, owned */
    size_t conn_memory;       /* MHD_OPTION_CONNECTION_MEMORY_LIMIT */
    uint64_t next_id;         /* connection thread only */
    GwScratch scratch;        /* connection thread only */
    struct MHD_Response *canned[GW_CANNED_COUNT];

    /* The job queue: a ring of max_concurrency slots, never full because the connection
     * thread admits a job only while inflight < max_concurrency. */
    pthread_mutex_t qlock;
    pthread_cond_t qcond;
    GwReq **ring;
    unsigned ring_cap, ring_head, ring_count;
    bool stopping; /* under qlock: workers drain the ring and exit */
    bool abandon;  /* under qlock: answer what is left with 503, unhandled */
    GwWorker *workers;
    unsigned nworkers;           /* started */
    _Atomic unsigned inflight;   /* queued or running: what max_concurrency bounds */
    _Atomic unsigned handed_out; /* queued, until their completion callback */
    _Atomic bool draining;       /* stop() began: new requests get 503 and a close */

    /* Connections, for the reaper's head deadline (slow clients). */
    pthread_mutex_t conns_lock;
    pthread_cond_t reaper_cond;
    GwConn *conns;
    bool reaper_stop; /* under conns_lock */
    bool reaper_running;
    pthread_t reaper;
    _Atomic bool log_dirty; /* the access log has unflushed lines */

    /* Messages from libmicrohttpd while starting (for gw_server_start's error). */
    _Atomic bool starting;
    char start_msg[256];
};

/* server_request.c: libmicrohttpd's callbacks, in the order MHD calls them for a request
 * (see the head of server_request.c). uri_log makes the GwReq (the request's con_cls) and
 * copies the raw target; unescape decodes nothing; access runs the checks, takes the body,
 * dispatches and queues responses; completed logs, counts and frees the GwReq; connection
 * links and unlinks a GwConn (the socket context) for the reaper. */
void *gw_srv_uri_log(void *cls, const char *uri, struct MHD_Connection *c);
size_t gw_srv_unescape(void *cls, struct MHD_Connection *c, char *s);
enum MHD_Result gw_srv_access(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls);
void gw_srv_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe);
void gw_srv_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                       enum MHD_ConnectionNotificationCode code);
/* Builds the server's canned responses; false when memory is short. */
bool gw_srv_canned_init(GwServer *srv);
void gw_srv_canned_free(GwServer *srv);
/* Turns a handler's *resp into r->prepared (copying everything it needs: status, headers,
 * body, route label), so the handler's release may run right after. Runs on the thread
 * that called the handler, with that thread's scratch s; never fails (a 500 or 502 then). */
void gw_srv_prepare(GwServer *srv, GwScratch *s, GwReq *r, const GwResponse *resp);
/* Makes canned answer k the prepared response of r (for a job abandoned at stop). */
void gw_srv_prepare_canned(GwServer *srv, GwReq *r, GwCanned k);

/* server.c */
/* CLOCK_MONOTONIC in nanoseconds. */
int64_t gw_srv_now_ns(void);
/* Pushes r for a worker; false when the server is stopping (r is then not queued). */
bool gw_srv_enqueue(GwServer *srv, GwReq *r);
/* A line on the error log, prefixed "corral: ", with the request id when id != 0. */
void gw_srv_error(GwServer *srv, uint64_t id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
