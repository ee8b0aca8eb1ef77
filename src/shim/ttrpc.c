/* ttrpc.c: framing, the Request/Response messages, a threaded server and a unary client.
 * The server never trusts a frame: a length over 4 MiB is answered with ResourceExhausted
 * and the connection closed (its remaining bytes cannot be framed any more); a payload that
 * is not a Request is answered with InvalidArgument. */
#include "shim/ttrpc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- framing and messages ---- */

void ttrpc_header_encode(const TtrpcHeader *h, uint8_t out[TTRPC_HEADER_LEN])
{
    for (int i = 0; i < 4; i++) {
        out[i] = (uint8_t)(h->length >> (24 - 8 * i));
        out[4 + i] = (uint8_t)(h->stream_id >> (24 - 8 * i));
    }
    out[8] = h->type;
    out[9] = h->flags;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

TtrpcHeader ttrpc_header_decode(const uint8_t in[TTRPC_HEADER_LEN])
{
    return (TtrpcHeader){
        .length = be32(in), .stream_id = be32(in + 4), .type = in[8], .flags = in[9]};
}

bool ttrpc_request_decode(const uint8_t *p, size_t len, TtrpcRequest *out)
{
    *out = (TtrpcRequest){0};
    PbReader r = pb_reader(p, len);
    PbField f;
    while (pb_next(&r, &f)) {
        if (f.num == 1 && f.wire == PB_LEN) {
            out->service = f.data, out->service_len = f.len;
        } else if (f.num == 2 && f.wire == PB_LEN) {
            out->method = f.data, out->method_len = f.len;
        } else if (f.num == 3 && f.wire == PB_LEN) {
            out->payload = f.data, out->payload_len = f.len;
        } else if (f.num == 4 && f.wire == PB_VARINT) {
            out->timeout_nano = (int64_t)f.u;
        } /* metadata (5) and unknown fields: not needed by the shim */
    }
    return !r.bad && out->service && out->method;
}

void ttrpc_request_encode(PbBuf *b, const char *service, const char *method, const uint8_t *payload,
                          size_t payload_len, int64_t timeout_nano, const char *ns)
{
    pb_str(b, 1, service);
    pb_str(b, 2, method);
    pb_bytes(b, 3, payload, payload_len);
    pb_int(b, 4, timeout_nano);
    if (ns && *ns) {
        /* containerd reads the namespace of a ttrpc call from this metadata key */
        PbBuf kv = {0};
        pb_str(&kv, 1, "containerd-namespace-ttrpc");
        pb_str(&kv, 2, ns);
        pb_msg(b, 5, &kv);
        b->oom |= kv.oom;
        pb_buf_free(&kv);
    }
}

void ttrpc_response_encode(PbBuf *b, int code, const char *message, const uint8_t *payload,
                           size_t payload_len)
{
    /* Status is always present, empty for OK, as containerd's own servers send it */
    PbBuf st = {0};
    pb_int(&st, 1, code);
    pb_str(&st, 2, message);
    pb_msg(b, 1, &st);
    b->oom |= st.oom;
    pb_buf_free(&st);
    pb_bytes(b, 2, payload, payload_len);
}

static bool decode_status(PbReader r, int *out_code, char **out_message)
{
    PbField f;
    while (pb_next(&r, &f)) {
        if (f.num == 1 && f.wire == PB_VARINT)
            *out_code = (int)(int32_t)f.u;
        else if (f.num == 2 && f.wire == PB_LEN && out_message && !*out_message)
            *out_message = pb_strdup(&f);
    }
    return !r.bad;
}

bool ttrpc_response_decode(const uint8_t *p, size_t len, int *out_code, char **out_message,
                           const uint8_t **out_payload, size_t *out_payload_len)
{
    *out_code = 0;
    if (out_message)
        *out_message = NULL;
    *out_payload = NULL;
    *out_payload_len = 0;
    PbReader r = pb_reader(p, len);
    PbField f;
    bool ok = true;
    while (pb_next(&r, &f)) {
        if (f.num == 1 && f.wire == PB_LEN) {
            ok &= decode_status(pb_sub(&f), out_code, out_message);
        } else if (f.num == 2 && f.wire == PB_LEN) {
            *out_payload = f.data;
            *out_payload_len = f.len;
        }
    }
    return ok && !r.bad;
}

bool ttrpc_read_full(int fd, void *p, size_t len)
{
    uint8_t *b = p;
    while (len > 0) {
        ssize_t n = read(fd, b, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        b += n;
        len -= (size_t)n;
    }
    return true;
}

bool ttrpc_write_full(int fd, const void *p, size_t len)
{
    const uint8_t *b = p;
    while (len > 0) {
        /* MSG_NOSIGNAL: a peer that went away is an error here, not a SIGPIPE */
        ssize_t n = send(fd, b, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        b += n;
        len -= (size_t)n;
    }
    return true;
}

/* Writes one frame: header and payload in a single buffer, so that one send carries it. */
static bool write_frame(int fd, uint32_t stream_id, uint8_t type, const PbBuf *payload)
{
    if (payload->oom || payload->len > TTRPC_MESSAGE_MAX)
        return false;
    uint8_t *frame = malloc(TTRPC_HEADER_LEN + payload->len);
    if (!frame)
        return false;
    TtrpcHeader h = {.length = (uint32_t)payload->len, .stream_id = stream_id, .type = type};
    ttrpc_header_encode(&h, frame);
    if (payload->len)
        memcpy(frame + TTRPC_HEADER_LEN, payload->data, payload->len);
    bool ok = ttrpc_write_full(fd, frame, TTRPC_HEADER_LEN + payload->len);
    free(frame);
    return ok;
}

/* ---- server ---- */

typedef struct Conn {
    int fd;
    int refs;                   /* the reader thread and each request in flight; server lock */
    pthread_mutex_t write_lock; /* one response frame at a time on the socket */
    struct TtrpcServer *server;
    struct Conn *next;
} Conn;

struct TtrpcServer {
    int listen_fd;
    int wake[2]; /* a byte here makes the accept loop return */
    const TtrpcMethod *methods;
    size_t nmethods;
    void *ud;
    pthread_mutex_t lock;
    pthread_cond_t idle;        /* signalled when threads reaches 0 */
    int threads;                /* reader and request threads alive */
    int requests, max_requests; /* request threads alive, and their limit */
    Conn *conns;
};

/* A request taken off a connection, owned by the thread that serves it. */
typedef struct Job {
    Conn *conn;
    uint32_t stream_id;
    uint8_t *frame;
    TtrpcRequest req;
} Job;

TtrpcServer *ttrpc_server_new(int listen_fd, const TtrpcMethod *methods, size_t nmethods, void *ud)
{
    TtrpcServer *s = calloc(1, sizeof *s);
    if (!s || pipe2(s->wake, O_CLOEXEC) != 0) {
        free(s);
        return NULL;
    }
    s->listen_fd = listen_fd;
    s->methods = methods;
    s->nmethods = nmethods;
    s->ud = ud;
    s->max_requests = TTRPC_MAX_REQUESTS;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->idle, NULL);
    return s;
}

static void thread_done(TtrpcServer *s)
{
    pthread_mutex_lock(&s->lock);
    if (--s->threads == 0)
        pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->lock);
}

/* Drops one reference; the last one closes the socket and unlinks the connection. */
static void conn_unref(Conn *c)
{
    TtrpcServer *s = c->server;
    pthread_mutex_lock(&s->lock);
    bool last = --c->refs == 0;
    if (last) {
        for (Conn **p = &s->conns; *p; p = &(*p)->next) {
            if (*p == c) {
                *p = c->next;
                break;
            }
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (last) {
        close(c->fd);
        pthread_mutex_destroy(&c->write_lock);
        free(c);
    }
}

static void send_response(Conn *c, uint32_t stream_id, int code, const char *message,
                          const PbBuf *payload)
{
    PbBuf b = {0};
    ttrpc_response_encode(&b, code, message, payload ? payload->data : NULL,
                          payload ? payload->len : 0);
    pthread_mutex_lock(&c->write_lock);
    (void)write_frame(c->fd, stream_id, TTRPC_TYPE_RESPONSE, &b); /* a gone peer: nothing to do */
    pthread_mutex_unlock(&c->write_lock);
    pb_buf_free(&b);
}

static bool name_is(const uint8_t *p, size_t len, const char *name)
{
    return strlen(name) == len && memcmp(p, name, len) == 0;
}

static const TtrpcMethod *find_method(const TtrpcServer *s, const TtrpcRequest *r)
{
    for (size_t i = 0; i < s->nmethods; i++) {
        if (name_is(r->service, r->service_len, s->methods[i].service) &&
            name_is(r->method, r->method_len, s->methods[i].method))
            return &s->methods[i];
    }
    return NULL;
}

/* Runs the handler of j's method (or answers Unimplemented) into call. */
static void run_handler(Job *j, TtrpcCall *call)
{
    TtrpcServer *s = j->conn->server;
    const TtrpcMethod *m = find_method(s, &j->req);
    if (!m) {
        call->code = SHIM_UNIMPLEMENTED;
        if (asprintf(&call->message, "%.*s/%.*s: unimplemented", (int)j->req.service_len,
                     (const char *)j->req.service, (int)j->req.method_len,
                     (const char *)j->req.method) < 0)
            call->message = NULL;
        return;
    }
    m->fn(s->ud, call);
    if (call->code == 0 && call->reply.oom) {
        call->code = SHIM_INTERNAL;
        call->message = strdup("out of memory");
    }
}

/* The request leaves the count before its response is sent, so a client that has its
 * response never finds the request still counted against the limit. */
static void serve_job(Job *j)
{
    TtrpcServer *s = j->conn->server;
    TtrpcCall call = {.payload = j->req.payload,
                      .payload_len = j->req.payload_len,
                      .timeout_nano = j->req.timeout_nano};
    run_handler(j, &call);
    pthread_mutex_lock(&s->lock);
    s->requests--;
    pthread_mutex_unlock(&s->lock);
    send_response(j->conn, j->stream_id, call.code, call.message,
                  call.code == 0 ? &call.reply : NULL);
    if (call.stop_after_reply)
        ttrpc_server_stop(s);
    free(call.message);
    pb_buf_free(&call.reply);
}

void ttrpc_server_set_max_requests(TtrpcServer *s, int n)
{
    pthread_mutex_lock(&s->lock);
    s->max_requests = n;
    pthread_mutex_unlock(&s->lock);
}

static void *request_thread(void *arg)
{
    Job *j = arg;
    TtrpcServer *s = j->conn->server;
    serve_job(j);
    conn_unref(j->conn);
    free(j->frame);
    free(j);
    thread_done(s);
    return NULL;
}

/* Starts a detached thread running fn(arg), counted in s->threads. */
static bool spawn(TtrpcServer *s, void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_mutex_lock(&s->lock);
    s->threads++;
    pthread_mutex_unlock(&s->lock);
    pthread_t t;
    bool ok = pthread_create(&t, &attr, fn, arg) == 0;
    pthread_attr_destroy(&attr);
    if (!ok)
        thread_done(s);
    return ok;
}

/* Hands one request frame (owned) to a thread of its own. */
static void dispatch(Conn *c, const TtrpcHeader *h, uint8_t *frame)
{
    Job *j = calloc(1, sizeof *j);
    if (!j) {
        free(frame);
        send_response(c, h->stream_id, SHIM_RESOURCE_EXHAUSTED, "out of memory", NULL);
        return;
    }
    *j = (Job){.conn = c, .stream_id = h->stream_id, .frame = frame};
    if (!ttrpc_request_decode(frame, h->length, &j->req)) {
        send_response(c, h->stream_id, SHIM_INVALID_ARGUMENT,
                      "request is not a valid ttrpc.Request", NULL);
        free(frame);
        free(j);
        return;
    }
    TtrpcServer *s = c->server;
    pthread_mutex_lock(&s->lock);
    bool room = s->requests < s->max_requests;
    if (room) {
        s->requests++;
        c->refs++;
    }
    pthread_mutex_unlock(&s->lock);
    if (!room) {
        send_response(c, h->stream_id, SHIM_RESOURCE_EXHAUSTED, "too many requests in flight",
                      NULL);
        free(frame);
        free(j);
        return;
    }
    if (!spawn(s, request_thread, j)) {
        send_response(c, h->stream_id, SHIM_RESOURCE_EXHAUSTED, "no thread", NULL);
        pthread_mutex_lock(&s->lock);
        s->requests--;
        pthread_mutex_unlock(&s->lock);
        conn_unref(c);
        free(frame);
        free(j);
    }
}

/* Reads and dispatches one frame; false when the connection is done. */
static bool read_one(Conn *c)
{
    uint8_t hb[TTRPC_HEADER_LEN];
    if (!ttrpc_read_full(c->fd, hb, sizeof hb))
        return false;
    TtrpcHeader h = ttrpc_header_decode(hb);
    if (h.length > TTRPC_MESSAGE_MAX) {
        char msg[128];
        snprintf(msg, sizeof msg, "message length %u exceeds the maximum message size of %d",
                 h.length, TTRPC_MESSAGE_MAX);
        send_response(c, h.stream_id, SHIM_RESOURCE_EXHAUSTED, msg, NULL);
        return false;
    }
    uint8_t *frame = malloc(h.length ? h.length : 1);
    if (!frame || !ttrpc_read_full(c->fd, frame, h.length)) {
        free(frame);
        return false;
    }
    if (h.type != TTRPC_TYPE_REQUEST) { /* responses and data are not for a server */
        free(frame);
        return true;
    }
    if (h.stream_id % 2 != 1) {
        free(frame);
        send_response(c, h.stream_id, SHIM_INVALID_ARGUMENT,
                      "stream id must be odd for client-initiated streams", NULL);
        return true;
    }
    dispatch(c, &h, frame);
    return true;
}

static void *reader_thread(void *arg)
{
    Conn *c = arg;
    TtrpcServer *s = c->server;
    while (read_one(c)) {
    }
    /* No more requests; responses still in flight keep the socket open until written. */
    shutdown(c->fd, SHUT_RD);
    conn_unref(c);
    thread_done(s);
    return NULL;
}

static void serve_connection(TtrpcServer *s, int fd)
{
    Conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    c->fd = fd;
    c->refs = 1;
    c->server = s;
    pthread_mutex_init(&c->write_lock, NULL);
    pthread_mutex_lock(&s->lock);
    c->next = s->conns;
    s->conns = c;
    pthread_mutex_unlock(&s->lock);
    if (!spawn(s, reader_thread, c))
        conn_unref(c);
}

int ttrpc_server_run(TtrpcServer *s)
{
    for (;;) {
        struct pollfd p[2] = {{.fd = s->listen_fd, .events = POLLIN},
                              {.fd = s->wake[0], .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (p[1].revents)
            return 0;
        if (!p[0].revents)
            continue;
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0)
            serve_connection(s, fd);
        else if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED && errno != EMFILE &&
                 errno != ENFILE)
            return -1;
    }
}

void ttrpc_server_stop(TtrpcServer *s)
{
    char b = 1;
    (void)!write(s->wake[1], &b, 1);
}

void ttrpc_server_free(TtrpcServer *s)
{
    if (!s)
        return;
    close(s->listen_fd);
    pthread_mutex_lock(&s->lock);
    for (Conn *c = s->conns; c; c = c->next)
        shutdown(c->fd, SHUT_RDWR); /* wakes each reader thread */
    while (s->threads > 0)
        pthread_cond_wait(&s->idle, &s->lock);
    pthread_mutex_unlock(&s->lock);
    close(s->wake[0]);
    close(s->wake[1]);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->idle);
    free(s);
}

/* ---- client ---- */

struct TtrpcClient {
    int fd;
    uint32_t next_stream; /* odd, as a client's streams are */
};

TtrpcClient *ttrpc_client_connect(const char *path)
{
    if (strncmp(path, "unix://", 7) == 0)
        path += 7;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path)
        return NULL;
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    TtrpcClient *c = malloc(sizeof *c);
    if (!c || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        free(c);
        return NULL;
    }
    *c = (TtrpcClient){.fd = fd, .next_stream = 1};
    return c;
}

static char *err_dup(const char *s)
{
    return strdup(s);
}

/* Reads frames until the response to stream_id; frames of other streams are skipped. */
static int read_response(TtrpcClient *c, uint32_t stream_id, PbBuf *out_reply, char **out_err)
{
    for (;;) {
        uint8_t hb[TTRPC_HEADER_LEN];
        if (!ttrpc_read_full(c->fd, hb, sizeof hb))
            return *out_err = err_dup("connection closed or timed out"), SHIM_UNAVAILABLE;
        TtrpcHeader h = ttrpc_header_decode(hb);
        if (h.length > TTRPC_MESSAGE_MAX)
            return *out_err = err_dup("response too large"), SHIM_UNAVAILABLE;
        uint8_t *p = malloc(h.length ? h.length : 1);
        if (!p || !ttrpc_read_full(c->fd, p, h.length)) {
            free(p);
            return *out_err = err_dup("connection closed"), SHIM_UNAVAILABLE;
        }
        if (h.type != TTRPC_TYPE_RESPONSE || h.stream_id != stream_id) {
            free(p);
            continue;
        }
        int code;
        const uint8_t *payload;
        size_t payload_len;
        bool ok = ttrpc_response_decode(p, h.length, &code, out_err, &payload, &payload_len);
        if (ok && code == 0 && out_reply)
            pb_raw(out_reply, payload, payload_len);
        free(p);
        if (!ok)
            return SHIM_UNAVAILABLE;
        return code;
    }
}

int ttrpc_client_call(TtrpcClient *c, const char *service, const char *method, const PbBuf *request,
                      int timeout_ms, const char *ns, PbBuf *out_reply, char **out_err)
{
    char *err = NULL;
    uint32_t sid = c->next_stream;
    c->next_stream += 2;
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    PbBuf b = {0};
    ttrpc_request_encode(&b, service, method, request->data, request->len,
                         (int64_t)timeout_ms * 1000000, ns);
    int code;
    if (!write_frame(c->fd, sid, TTRPC_TYPE_REQUEST, &b)) {
        err = err_dup("cannot send the request");
        code = SHIM_UNAVAILABLE;
    } else {
        code = read_response(c, sid, out_reply, &err);
    }
    pb_buf_free(&b);
    if (out_err)
        *out_err = err;
    else
        free(err);
    return code;
}

void ttrpc_client_close(TtrpcClient *c)
{
    if (c) {
        close(c->fd);
        free(c);
    }
}
