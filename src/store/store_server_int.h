/* store_server_int.h: what store_server.c (the daemon, a request's life, replies, auth) and
 * store_routes.c (the API's handlers) share. Nothing else includes it. */
#ifndef CORRAL_STORE_SERVER_INT_H
#define CORRAL_STORE_SERVER_INT_H

#include "store/store_server.h"

#include "util/lib_mhd.h"
#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>

struct StoreServer {
    StoreServerConfig cfg;
    struct MHD_Daemon *d;
    int listen_fd;
    unsigned port;
    char *tls_cert, *tls_key;
    char start_msg[256];
    bool starting;
};

/* The API's routes; a request's path picks one before any handler runs. */
typedef enum Route {
    R_NONE,       /* no such path: 404 */
    R_HEALTHZ,    /* /healthz */
    R_QUERY,      /* /v1/_q */
    R_CREATE,     /* /v1/_i */
    R_INVOICE,    /* /v1/_i/<id> */
    R_PARCEL,     /* /v1/_i/<id>@<sha> */
    R_BAD_PARCEL, /* /v1/_i/... with more than one '@' or an empty side: 400 */
    R_MISSING,    /* /v1/_r/missing/<id> */
    R_KEYS,       /* /v1/bindle-keys */
    R_LOGIN,      /* /v1/login: not supported (OIDC) */
} Route;

/* One request, from its request line to its completion. */
typedef struct Req {
    StoreServer *srv;
    struct MHD_Connection *conn;
    const char *method;
    bool started;                 /* the head has been handled */
    bool queued;                  /* a response is queued (or pending, below) */
    bool defer;                   /* answers wait for the end of the body (see store_server.c) */
    bool close;                   /* answer with Connection: close (framing not trusted) */
    struct MHD_Response *pending; /* a deferred answer, queued once the body is read */
    unsigned status;              /* of the queued response, for the log */
    uint64_t resp_bytes;          /* body bytes of it */
    Route route;
    char *path; /* percent-decoded path */
    char *id;   /* the bindle id of the path (decoded), when the route has one */
    char *sha;  /* the parcel digest of R_PARCEL */
    bool json;  /* Accept chose JSON */
    /* body of POST /v1/_i */
    char *body;
    size_t body_len, body_cap;
    bool too_large;
    /* POST of a parcel */
    ParcelWrite *pw;
    unsigned fail_status; /* set when the upload went wrong mid-way */
    char *fail_msg;
    uint64_t discarded;
    char ip[INET6_ADDRSTRLEN];
    char target[]; /* the raw request-target */
} Req;

/* Replies (each queues a response and returns what the access handler returns). */
enum MHD_Result reply_error(Req *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
enum MHD_Result reply_message(Req *r, unsigned status, const char *message);
/* doc (stolen) as TOML or JSON, as r->json says. */
enum MHD_Result reply_doc(Req *r, unsigned status, json_t *doc);
/* size bytes of fd (stolen) with Content-Type media_type. */
enum MHD_Result reply_file(Req *r, int fd, uint64_t size, const char *media_type);

/* The decoded value of query parameter name (its first), owned; NULL when absent. */
char *req_query(const Req *r, const char *name);
/* Calls fn for each query parameter (decoded: %XX and '+'); stops and returns false when fn
 * does, or at a parameter that decodes to a NUL byte. */
bool req_query_each(const Req *r, bool (*fn)(void *ud, const char *key, const char *value),
                    void *ud);
/* A request header, or NULL. */
const char *req_header(const Req *r, const char *name);

/* store_routes.c: the handlers. route_begin runs once the head is complete (it may answer
 * at once); route_body takes upload data; route_end runs once the body is complete. */
enum MHD_Result route_begin(Req *r);
enum MHD_Result route_body(Req *r, const char *data, size_t n);
enum MHD_Result route_end(Req *r);
/* The request is over (answered or cut off): drop an unfinished upload. */
void route_cleanup(Req *r);

#endif
