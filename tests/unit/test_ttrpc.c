/* test_ttrpc.c: ttrpc framing and messages (incl. a Connect frame captured from containerd
 * 1.6.20), and the server over a real unix socket: dispatch, Unimplemented, requests served
 * concurrently on one connection while a handler blocks, oversize and garbage frames
 * refused without harm to other connections, stop after a reply; and the client. */
#include "shim/address.h"
#include "shim/ttrpc.h"
#include "unit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void test_header(void)
{
    TtrpcHeader h = {.length = 0x01020304, .stream_id = 0xfffffffd, .type = 2, .flags = 7};
    uint8_t b[TTRPC_HEADER_LEN];
    ttrpc_header_encode(&h, b);
    CHECK(b[0] == 1 && b[3] == 4 && b[4] == 0xff && b[7] == 0xfd && b[8] == 2 && b[9] == 7,
          "header is big-endian length, stream id, type, flags");
    TtrpcHeader d = ttrpc_header_decode(b);
    CHECK(d.length == h.length && d.stream_id == h.stream_id && d.type == 2 && d.flags == 7,
          "header round trip");
}

/* The Connect request containerd 1.6.20 sent to a probe shim (docs CLUSTER.md B7). */
static const uint8_t connect_frame[] = {0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x03, 0x01, 0x00,
                                        0x0a, 0x17, 'c',  'o',  'n',  't',  'a',  'i',  'n',  'e',
                                        'r',  'd',  '.',  't',  'a',  's',  'k',  '.',  'v',  '2',
                                        '.',  'T',  'a',  's',  'k',  0x12, 0x07, 'C',  'o',  'n',
                                        'n',  'e',  'c',  't',  0x1a, 0x04, 0x0a, 0x02, 'p',  '3'};

static void test_captured_connect(void)
{
    TtrpcHeader h = ttrpc_header_decode(connect_frame);
    CHECK(h.length == 40 && h.stream_id == 3 && h.type == TTRPC_TYPE_REQUEST && h.flags == 0,
          "captured header: 40 bytes, stream 3, request");
    CHECK(h.length + TTRPC_HEADER_LEN == sizeof connect_frame, "captured frame is whole");
    TtrpcRequest r;
    CHECK(ttrpc_request_decode(connect_frame + TTRPC_HEADER_LEN, h.length, &r),
          "captured request decodes");
    CHECK(r.service_len == 23 && memcmp(r.service, "containerd.task.v2.Task", 23) == 0,
          "service containerd.task.v2.Task");
    CHECK(r.method_len == 7 && memcmp(r.method, "Connect", 7) == 0, "method Connect");
    CHECK(r.payload_len == 4 && memcmp(r.payload, "\x0a\x02p3", 4) == 0,
          "payload ConnectRequest{id=p3}");
    /* and our encoder writes the same bytes */
    PbBuf b = {0};
    ttrpc_request_encode(&b, "containerd.task.v2.Task", "Connect", r.payload, r.payload_len, 0,
                         NULL);
    CHECK(b.len == 40 && memcmp(b.data, connect_frame + TTRPC_HEADER_LEN, 40) == 0,
          "encoder reproduces the captured request");
    pb_buf_free(&b);
}

static void test_messages(void)
{
    PbBuf b = {0};
    ttrpc_request_encode(&b, "svc", "M", (const uint8_t *)"xy", 2, 3000000000, "ns1");
    TtrpcRequest r;
    CHECK(ttrpc_request_decode(b.data, b.len, &r) && r.timeout_nano == 3000000000 &&
              r.payload_len == 2,
          "request with timeout and metadata round trips");
    pb_buf_free(&b);
    ttrpc_response_encode(&b, 5, "task x: not found", NULL, 0);
    int code;
    char *msg;
    const uint8_t *pl;
    size_t pl_len;
    CHECK(ttrpc_response_decode(b.data, b.len, &code, &msg, &pl, &pl_len) && code == 5 && msg &&
              strcmp(msg, "task x: not found") == 0 && pl_len == 0,
          "error response round trips");
    free(msg);
    pb_buf_free(&b);
    ttrpc_response_encode(&b, 0, NULL, (const uint8_t *)"\x08\x07", 2);
    CHECK(b.len == 6 && b.data[0] == 0x0a && b.data[1] == 0, "OK carries an empty Status");
    CHECK(ttrpc_response_decode(b.data, b.len, &code, &msg, &pl, &pl_len) && code == 0 && !msg &&
              pl_len == 2 && pl[1] == 7,
          "OK response round trips");
    pb_buf_free(&b);
    CHECK(!ttrpc_request_decode((const uint8_t *)"\x0a\x05"
                                                 "ab",
                                4, &r),
          "truncated request refused");
    CHECK(!ttrpc_request_decode((const uint8_t *)"\x1a\x00", 2, &r),
          "request without names refused");
}

/* ---- a server with test methods ---- */

static pthread_mutex_t block_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t block_cond = PTHREAD_COND_INITIALIZER;
static int block_open; /* Block handlers return once this is set */
static int blocked;    /* Block handlers waiting */

static void m_echo(void *ud, TtrpcCall *call)
{
    pb_raw(&call->reply, call->payload, call->payload_len);
}

static void m_fail(void *ud, TtrpcCall *call)
{
    call->code = 5;
    call->message = strdup("nothing here");
}

static void m_block(void *ud, TtrpcCall *call)
{
    pthread_mutex_lock(&block_lock);
    blocked++;
    pthread_cond_broadcast(&block_cond);
    while (!block_open)
        pthread_cond_wait(&block_cond, &block_lock);
    blocked--;
    pthread_mutex_unlock(&block_lock);
    pb_str(&call->reply, 1, "unblocked");
}

static void m_open(void *ud, TtrpcCall *call)
{
    pthread_mutex_lock(&block_lock);
    block_open = 1;
    pthread_cond_broadcast(&block_cond);
    pthread_mutex_unlock(&block_lock);
}

static void m_stop(void *ud, TtrpcCall *call)
{
    call->stop_after_reply = true;
}

static const TtrpcMethod test_methods[] = {
    {"t.S", "Echo", m_echo}, {"t.S", "Fail", m_fail}, {"t.S", "Block", m_block},
    {"t.S", "Open", m_open}, {"t.S", "Stop", m_stop},
};

static char sock_path[108];
static TtrpcServer *srv;
static int run_rc = -7;

static void *run_thread(void *arg)
{
    run_rc = ttrpc_server_run(arg);
    return NULL;
}

static int raw_connect(void)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, sock_path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void send_request(int fd, uint32_t sid, const char *method, const char *payload)
{
    PbBuf b = {0}, fr = {0};
    ttrpc_request_encode(&b, "t.S", method, (const uint8_t *)payload, strlen(payload), 0, NULL);
    uint8_t h[TTRPC_HEADER_LEN];
    ttrpc_header_encode(
        &(TtrpcHeader){.length = (uint32_t)b.len, .stream_id = sid, .type = TTRPC_TYPE_REQUEST}, h);
    pb_raw(&fr, h, sizeof h);
    pb_raw(&fr, b.data, b.len);
    (void)ttrpc_write_full(fd, fr.data, fr.len);
    pb_buf_free(&b);
    pb_buf_free(&fr);
}

/* Reads one response frame: its stream id, code, payload (copied into out, size 64). */
static bool read_response(int fd, uint32_t *sid, int *code, char out[64])
{
    uint8_t hb[TTRPC_HEADER_LEN];
    if (!ttrpc_read_full(fd, hb, sizeof hb))
        return false;
    TtrpcHeader h = ttrpc_header_decode(hb);
    uint8_t *p = malloc(h.length + 1);
    bool ok = h.type == TTRPC_TYPE_RESPONSE && ttrpc_read_full(fd, p, h.length);
    const uint8_t *pl = NULL;
    size_t pl_len = 0;
    ok = ok && ttrpc_response_decode(p, h.length, code, NULL, &pl, &pl_len);
    if (ok) {
        *sid = h.stream_id;
        snprintf(out, 64, "%.*s", (int)pl_len, (const char *)pl);
    }
    free(p);
    return ok;
}

static void wait_blocked(int n)
{
    pthread_mutex_lock(&block_lock);
    for (int i = 0; i < 500 && blocked < n; i++) {
        pthread_mutex_unlock(&block_lock);
        usleep(10000);
        pthread_mutex_lock(&block_lock);
    }
    pthread_mutex_unlock(&block_lock);
}

static void test_dispatch(void)
{
    int fd = raw_connect();
    CHECK(fd >= 0, "connect to the server");
    uint32_t sid;
    int code;
    char out[64];
    send_request(fd, 1, "Echo", "hello");
    CHECK(read_response(fd, &sid, &code, out) && sid == 1 && code == 0 && strcmp(out, "hello") == 0,
          "Echo answers on its stream");
    send_request(fd, 3, "Fail", "");
    CHECK(read_response(fd, &sid, &code, out) && sid == 3 && code == 5, "handler error code");
    send_request(fd, 5, "Nope", "");
    CHECK(read_response(fd, &sid, &code, out) && sid == 5 && code == 12,
          "unknown method: Unimplemented");
    send_request(fd, 6, "Echo", "x");
    CHECK(read_response(fd, &sid, &code, out) && sid == 6 && code == 3,
          "even stream id: InvalidArgument");
    close(fd);
}

/* Two Block calls and an Echo on one connection: the Echo is answered while both block,
 * then Open (also on the same connection) releases them. */
static void test_concurrent(void)
{
    int fd = raw_connect();
    send_request(fd, 1, "Block", "");
    send_request(fd, 3, "Block", "");
    wait_blocked(2);
    CHECK(blocked == 2, "two requests block at once on one connection");
    send_request(fd, 5, "Echo", "while-blocked");
    uint32_t sid;
    int code;
    char out[64];
    CHECK(read_response(fd, &sid, &code, out) && sid == 5 && strcmp(out, "while-blocked") == 0,
          "Echo served while two handlers block");
    send_request(fd, 7, "Open", "");
    int seen = 0;
    for (int i = 0; i < 3; i++) {
        if (read_response(fd, &sid, &code, out) && code == 0)
            seen |= 1 << (sid / 2);
    }
    CHECK(seen == (1 << 0 | 1 << 1 | 1 << 3), "the blocked calls and Open all answered");
    close(fd);
}

/* With the limit at 2, a third request while two block is refused, not queued. */
static void test_request_limit(void)
{
    ttrpc_server_set_max_requests(srv, 2);
    pthread_mutex_lock(&block_lock);
    block_open = 0;
    pthread_mutex_unlock(&block_lock);
    int fd = raw_connect();
    send_request(fd, 1, "Block", "");
    send_request(fd, 3, "Block", "");
    wait_blocked(2);
    send_request(fd, 5, "Echo", "over");
    uint32_t sid;
    int code;
    char out[64];
    CHECK(read_response(fd, &sid, &code, out) && sid == 5 && code == SHIM_RESOURCE_EXHAUSTED,
          "over the request limit: ResourceExhausted");
    ttrpc_server_set_max_requests(srv, TTRPC_MAX_REQUESTS);
    send_request(fd, 7, "Open", "");
    int n = 0;
    for (int i = 0; i < 3; i++)
        n += read_response(fd, &sid, &code, out) && code == 0;
    CHECK(n == 3, "under the limit again: all answered");
    close(fd);
}

static void test_refused(void)
{
    /* oversize: ResourceExhausted, then the connection is closed */
    int fd = raw_connect();
    uint8_t h[TTRPC_HEADER_LEN];
    ttrpc_header_encode(
        &(TtrpcHeader){.length = TTRPC_MESSAGE_MAX + 1, .stream_id = 1, .type = TTRPC_TYPE_REQUEST},
        h);
    (void)ttrpc_write_full(fd, h, sizeof h);
    uint32_t sid;
    int code = 0;
    char out[64];
    CHECK(read_response(fd, &sid, &code, out) && code == SHIM_RESOURCE_EXHAUSTED,
          "oversize frame: ResourceExhausted");
    CHECK(!read_response(fd, &sid, &code, out), "oversize frame: connection closed");
    close(fd);

    /* a request frame whose payload is not a Request */
    fd = raw_connect();
    uint8_t junk[TTRPC_HEADER_LEN + 5] = {0};
    ttrpc_header_encode(&(TtrpcHeader){.length = 5, .stream_id = 9, .type = TTRPC_TYPE_REQUEST},
                        junk);
    memcpy(junk + TTRPC_HEADER_LEN, "\xff\xff\xff\xff\xff", 5);
    (void)ttrpc_write_full(fd, junk, sizeof junk);
    CHECK(read_response(fd, &sid, &code, out) && sid == 9 && code == 3,
          "garbage payload: InvalidArgument");
    /* a data frame is ignored, the connection goes on */
    ttrpc_header_encode(&(TtrpcHeader){.length = 5, .stream_id = 11, .type = TTRPC_TYPE_DATA},
                        junk);
    (void)ttrpc_write_full(fd, junk, sizeof junk);
    send_request(fd, 13, "Echo", "after");
    CHECK(read_response(fd, &sid, &code, out) && sid == 13 && strcmp(out, "after") == 0,
          "data frame skipped; next request served");
    /* half a header, then hang up */
    (void)ttrpc_write_full(fd, "\x00\x00", 2);
    close(fd);

    /* random bytes as a whole stream */
    fd = raw_connect();
    uint8_t rnd[256];
    srand(7);
    for (size_t i = 0; i < sizeof rnd; i++)
        rnd[i] = (uint8_t)rand();
    rnd[0] = 0; /* a length under 4 MiB, so that the server waits for more, then EOF */
    (void)ttrpc_write_full(fd, rnd, sizeof rnd);
    close(fd);

    fd = raw_connect();
    send_request(fd, 1, "Echo", "still");
    CHECK(read_response(fd, &sid, &code, out) && strcmp(out, "still") == 0,
          "server serves new connections after bad ones");
    close(fd);
}

static void test_client(void)
{
    TtrpcClient *c = ttrpc_client_connect(sock_path);
    CHECK(c != NULL, "client connects");
    PbBuf req = {0}, reply = {0};
    pb_str(&req, 1, "ping");
    char *err = NULL;
    int code = ttrpc_client_call(c, "t.S", "Echo", &req, 2000, "default", &reply, &err);
    CHECK(code == 0 && reply.len == req.len && memcmp(reply.data, req.data, req.len) == 0,
          "client unary call");
    free(err);
    err = NULL;
    code = ttrpc_client_call(c, "t.S", "Fail", &req, 2000, NULL, NULL, &err);
    CHECK(code == 5 && err && strcmp(err, "nothing here") == 0, "client sees the error");
    free(err);
    err = NULL;
    code = ttrpc_client_call(c, "t.X", "Y", &req, 2000, NULL, NULL, &err);
    CHECK(code == 12 && err, "client: Unimplemented");
    free(err);
    pb_buf_free(&req);
    pb_buf_free(&reply);
    ttrpc_client_close(c);
    CHECK(ttrpc_client_connect("/nonexistent/sock") == NULL, "connect to nothing fails");
}

static void test_stop(pthread_t t)
{
    TtrpcClient *c = ttrpc_client_connect(sock_path);
    PbBuf req = {0};
    char *err = NULL;
    int code = ttrpc_client_call(c, "t.S", "Stop", &req, 2000, NULL, NULL, &err);
    CHECK(code == 0, "Stop answered before the server stops");
    free(err);
    pthread_join(t, NULL);
    CHECK(run_rc == 0, "server run returns after stop_after_reply");
    ttrpc_client_close(c);
}

static void test_socket_path(void)
{
    char a[108], b[108];
    CHECK(shim_socket_path("/run/containerd/s", "/run/containerd/containerd.sock", "default",
                           "pod1", a, sizeof a) == 0 &&
              strlen(a) == 41,
          "socket path is dir/corral-<16 hex>");
    shim_socket_path("/run/containerd/s", "/run/containerd/containerd.sock", "k8s.io", "pod1", b,
                     sizeof b);
    CHECK(strcmp(a, b) != 0, "namespaces get different sockets");
    shim_socket_path("/run/containerd/s", "/run/containerd/containerd.sock", "default", "pod1", b,
                     sizeof b);
    CHECK(strcmp(a, b) == 0, "the same group gets the same socket");
    char longdir[100];
    memset(longdir, 'd', sizeof longdir - 1);
    longdir[0] = '/';
    longdir[sizeof longdir - 1] = 0;
    CHECK(shim_socket_path(longdir, "x", "y", "z", b, sizeof b) == -1,
          "a path too long for sun_path is refused");
}

int main(void)
{
    test_header();
    test_captured_connect();
    test_messages();
    test_socket_path();

    char dir[] = "/tmp/corral-ttrpc-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    snprintf(sock_path, sizeof sock_path, "%s/s", dir);
    int lfd = shim_socket_listen(sock_path);
    CHECK(lfd >= 0, "listen");
    CHECK(!shim_socket_alive(sock_path), "listening but not serving is not alive");
    srv = ttrpc_server_new(lfd, test_methods, sizeof test_methods / sizeof test_methods[0], NULL);
    pthread_t t;
    pthread_create(&t, NULL, run_thread, srv);
    CHECK(shim_socket_alive(sock_path), "socket alive while served");
    test_dispatch();
    test_concurrent();
    test_request_limit();
    test_refused();
    test_client();
    test_stop(t);
    ttrpc_server_free(srv);
    CHECK(!shim_socket_alive(sock_path), "socket dead after free");
    unlink(sock_path);
    rmdir(dir);
    return unit_report("test_ttrpc");
}
