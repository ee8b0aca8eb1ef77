/* ttrpc.h: containerd's ttrpc, the RPC protocol between containerd and its shims: protobuf
 * messages in 10-byte framed messages on a unix socket (no HTTP/2). A server that serves
 * requests concurrently from a method table, and a small client for one unary call at a
 * time (the shim publishes events with it). Knows nothing of the task service.
 *
 * Frame: u32 BE payload length, u32 BE stream id (odd: chosen by the client), u8 type
 * (1 request, 2 response, 3 data), u8 flags, then the payload (at most 4 MiB).
 * Request payload: ttrpc.Request{service=1, method=2, payload=3, timeout_nano=4,
 * metadata=5 repeated KeyValue{key=1, value=2}}. Response payload: ttrpc.Response{status=1
 * google.rpc.Status{code=1, message=2}, payload=2}. */
#ifndef CORRAL_SHIM_TTRPC_H
#define CORRAL_SHIM_TTRPC_H

#include "shim/grpc_status.h"
#include "shim/pb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    TTRPC_HEADER_LEN = 10,
    TTRPC_MESSAGE_MAX = 4 << 20, /* the payload limit of containerd's ttrpc */
    TTRPC_MAX_REQUESTS = 256,    /* a shim sees a few per container at a time */
    TTRPC_TYPE_REQUEST = 1,
    TTRPC_TYPE_RESPONSE = 2,
    TTRPC_TYPE_DATA = 3,
};

typedef struct TtrpcHeader {
    uint32_t length, stream_id;
    uint8_t type, flags;
} TtrpcHeader;

void ttrpc_header_encode(const TtrpcHeader *h, uint8_t out[TTRPC_HEADER_LEN]);
TtrpcHeader ttrpc_header_decode(const uint8_t in[TTRPC_HEADER_LEN]);

/* A decoded ttrpc.Request; the strings and payload point into the frame it came from. */
typedef struct TtrpcRequest {
    const uint8_t *service, *method, *payload;
    size_t service_len, method_len, payload_len;
    int64_t timeout_nano;
} TtrpcRequest;

/* Decodes a request payload; false when it is not a valid ttrpc.Request. */
bool ttrpc_request_decode(const uint8_t *p, size_t len, TtrpcRequest *out);
/* Appends a ttrpc.Request message (not framed) to b. */
void ttrpc_request_encode(PbBuf *b, const char *service, const char *method, const uint8_t *payload,
                          size_t payload_len, int64_t timeout_nano, const char *ns);
/* Appends a ttrpc.Response message (not framed) to b. */
void ttrpc_response_encode(PbBuf *b, int code, const char *message, const uint8_t *payload,
                           size_t payload_len);
/* Decodes a response payload into code, *out_message (owned, or NULL), and the payload
 * (pointing into p). False when it is not a valid ttrpc.Response. */
bool ttrpc_response_decode(const uint8_t *p, size_t len, int *out_code, char **out_message,
                           const uint8_t **out_payload, size_t *out_payload_len);

/* One call as a handler sees it. The handler writes its response message into reply, or
 * sets code (nonzero) and message (owned, free()) for an error. */
typedef struct TtrpcCall {
    const uint8_t *payload;
    size_t payload_len;
    int64_t timeout_nano;
    PbBuf reply;
    int code;
    char *message;
    /* Set by a handler that ends the server (Shutdown): the server stops accepting once
     * this call's response has been written. */
    bool stop_after_reply;
} TtrpcCall;

typedef void (*TtrpcHandler)(void *ud, TtrpcCall *call);

typedef struct TtrpcMethod {
    const char *service, *method;
    TtrpcHandler fn;
} TtrpcMethod;

typedef struct TtrpcServer TtrpcServer;

/* A server over an already listening unix socket listen_fd (owned from now on) that
 * dispatches by (service, method) through methods[0..nmethods) (borrowed, as is ud, for the
 * server's life). NULL when out of memory. */
TtrpcServer *ttrpc_server_new(int listen_fd, const TtrpcMethod *methods, size_t nmethods, void *ud);
/* At most n requests are served at once (default TTRPC_MAX_REQUESTS); more are answered
 * ResourceExhausted at once, so that a client cannot make the shim start threads without
 * end. Safe at any time. */
void ttrpc_server_set_max_requests(TtrpcServer *s, int n);
/* Accepts and serves until ttrpc_server_stop (or a handler's stop_after_reply). Each
 * connection has a reader thread; each request runs on its own detached thread, because a
 * Wait may block while State, Kill and Delete arrive on the same connection. Returns 0, or
 * -1 when accept fails for good. */
int ttrpc_server_run(TtrpcServer *s);
/* Makes ttrpc_server_run return; safe from any thread. */
void ttrpc_server_stop(TtrpcServer *s);
/* Closes the listening socket and every connection and waits until no reader or request
 * thread is left, then frees. Only after ttrpc_server_run has returned. A handler still
 * blocked keeps this waiting: stop what it waits on first. */
void ttrpc_server_free(TtrpcServer *s);

/* The client: one connection, one call at a time. */
typedef struct TtrpcClient TtrpcClient;

/* Connects to a unix socket path (a "unix://" prefix is accepted); NULL on failure. */
TtrpcClient *ttrpc_client_connect(const char *path);
/* One unary call. Returns the status code (SHIM_OK, SHIM_UNAVAILABLE when the connection
 * failed: reconnect), the response payload in *out_reply (owned by the caller; may be NULL
 * when unwanted) and an error message in *out_err (owned; may be NULL). ns, when not NULL,
 * goes in the metadata as containerd's namespace header. */
int ttrpc_client_call(TtrpcClient *c, const char *service, const char *method, const PbBuf *request,
                      int timeout_ms, const char *ns, PbBuf *out_reply, char **out_err);
void ttrpc_client_close(TtrpcClient *c);

/* Reads or writes exactly len bytes on a blocking fd, retrying on EINTR; false on EOF or
 * error. Shared with the tests. */
bool ttrpc_read_full(int fd, void *p, size_t len);
bool ttrpc_write_full(int fd, const void *p, size_t len);

#endif
