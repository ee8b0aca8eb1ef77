/* test_wasi_sock.c: sock_accept, sock_recv, sock_send and sock_shutdown on sockets preopened
 * through the embedder API (corral_wasi_config_t.sockets), called from inside a guest
 * (build/tests/wasm/wasi_sock.wasm, made by wat2wasm from tests/unit/wasm/wasi_sock.wat):
 * guest fd 3 is a listening TCP socket on 127.0.0.1, fd 4 one end of a Unix socketpair.
 * Checks data both ways (scatter, gather, peek), shutdown seen by the host as end of file,
 * accept of a connection the host made, a blocking recv cut short by the WASI deadline, and
 * non-blocking accept and recv (fd_fdstat_set_flags, accept flags), and
 * the errors (WASI numbers from wasi/api.h): ENOTSOCK 57 on a non-socket, EBADF 8, EFAULT 21
 * for bad pointers, EINVAL 28, EAGAIN 6, EPIPE 64, ENOTCAPABLE 76. */
#include "corral.h"
#include "unit.h"
#include "wasi/wasi.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Guest file descriptors: the preopened listener and the socketpair end. */
enum { GFD_LISTEN = 3, GFD_PAIR = 4 };

/* Scratch addresses in the guest's one page of memory. */
enum { IOV = 1024, BUF = 2048, BUF2 = 3072, OUT_SIZE = 4096, OUT_FLAGS = 4100, OUT_FD = 4104 };

/* WASI errno values (wasi/api.h). */
enum {
    E_SUCCESS = 0,
    E_AGAIN = 6,
    E_BADF = 8,
    E_FAULT = 21,
    E_INVAL = 28,
    E_NOTSOCK = 57,
    E_PIPE = 64,
    E_NOTCAPABLE = 76,
};

typedef struct Env {
    corral_engine_t *engine;
    corral_module_t *module;
    corral_store_t *store;
    corral_instance_t *inst;
    corral_wasi_t *wasi;
    uint8_t *mem;
} Env;

static char trap_msg[256];

/* Calls export name with nargs i32s; returns its i32 result (a WASI errno), or -1 on a trap
 * (message in trap_msg). */
static int32_t call(Env *e, const char *name, const int32_t *args, size_t nargs)
{
    corral_extern_t ex;
    trap_msg[0] = 0;
    if (!corral_instance_export(e->inst, name, strlen(name), &ex)) {
        snprintf(trap_msg, sizeof trap_msg, "no export %s", name);
        return -1;
    }
    corral_val_t a[8], r;
    for (size_t i = 0; i < nargs; i++)
        a[i] = corral_val_i32(args[i]);
    corral_trap_t *trap = corral_func_call(e->store, ex.of.func, a, nargs, &r, 1);
    if (trap) {
        snprintf(trap_msg, sizeof trap_msg, "%s", corral_trap_message(trap));
        corral_trap_delete(trap);
        return -1;
    }
    return r.of.i32;
}

static int32_t g_recv(Env *e, int32_t fd, int32_t iovs, int32_t n, int32_t riflags, int32_t osz,
                      int32_t ofl)
{
    int32_t a[] = {fd, iovs, n, riflags, osz, ofl};
    return call(e, "recv", a, 6);
}

static int32_t g_send(Env *e, int32_t fd, int32_t iovs, int32_t n, int32_t siflags, int32_t osz)
{
    int32_t a[] = {fd, iovs, n, siflags, osz};
    return call(e, "send", a, 5);
}

static int32_t g_shutdown(Env *e, int32_t fd, int32_t how)
{
    int32_t a[] = {fd, how};
    return call(e, "shutdown", a, 2);
}

static int32_t g_accept(Env *e, int32_t fd, int32_t flags, int32_t out)
{
    int32_t a[] = {fd, flags, out};
    return call(e, "accept", a, 3);
}

static void put32(Env *e, uint32_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        e->mem[at + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(Env *e, uint32_t at)
{
    return e->mem[at] | (uint32_t)e->mem[at + 1] << 8 | (uint32_t)e->mem[at + 2] << 16 |
           (uint32_t)e->mem[at + 3] << 24;
}

static void set_iov(Env *e, int i, uint32_t buf, uint32_t len)
{
    put32(e, IOV + 8 * (uint32_t)i, buf);
    put32(e, IOV + 8 * (uint32_t)i + 4, len);
}

/* Receives into BUF (64 bytes) on guest fd; the byte count, or -1 on an errno. */
static int recv_simple(Env *e, int32_t fd, int32_t riflags)
{
    set_iov(e, 0, BUF, 64);
    memset(e->mem + BUF, 0, 64);
    put32(e, OUT_SIZE, 0xdeadbeef);
    int32_t r = g_recv(e, fd, IOV, 1, riflags, OUT_SIZE, OUT_FLAGS);
    return r == E_SUCCESS ? (int)get32(e, OUT_SIZE) : -1;
}

static int env_open(Env *e, const uint8_t *wasm, size_t len, const int *socks, size_t nsocks)
{
    memset(e, 0, sizeof *e);
    corral_wasi_config_t cfg;
    corral_wasi_config_default(&cfg);
    for (int i = 0; i < 3; i++)
        cfg.stdio[i].fd = -1;
    cfg.sockets = socks;
    cfg.nsockets = nsocks;
    char *err = NULL;
    e->wasi = corral_wasi_new(&cfg, &err);
    if (!e->wasi) {
        fprintf(stderr, "corral_wasi_new: %s\n", err ? err : "out of memory");
        free(err);
        return -1;
    }
    e->engine = corral_engine_new(NULL);
    corral_error_t *cerr = corral_module_new(e->engine, wasm, len, &e->module);
    if (cerr) {
        fprintf(stderr, "load: %s\n", corral_error_message(cerr));
        corral_error_delete(cerr);
        return -1;
    }
    e->store = corral_store_new(e->engine);
    size_t n = corral_module_import_count(e->module);
    corral_extern_t *imports = calloc(n ? n : 1, sizeof *imports);
    if (!corral_wasi_link(e->wasi, e->store, e->module, imports, n, &err)) {
        fprintf(stderr, "link: %s\n", err ? err : "out of memory");
        free(err);
        free(imports);
        return -1;
    }
    corral_trap_t *trap = NULL;
    cerr = corral_instance_new(e->store, e->module, imports, n, &e->inst, &trap);
    free(imports);
    if (cerr || trap) {
        corral_error_delete(cerr);
        corral_trap_delete(trap);
        return -1;
    }
    corral_extern_t ex;
    if (!corral_instance_export(e->inst, "memory", 6, &ex) || ex.kind != CORRAL_EXTERN_MEMORY)
        return -1;
    e->mem = corral_memory_data(ex.of.memory);
    return 0;
}

static void env_close(Env *e)
{
    corral_store_delete(e->store);
    corral_module_delete(e->module);
    corral_engine_delete(e->engine);
    corral_wasi_delete(e->wasi);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Guest fd 4, one end of a connected socketpair; the host holds the other (peer). */
static void test_connected(Env *e, int peer)
{
    char hb[64];

    /* Host -> guest, peeked first, then consumed. */
    CHECK(write(peer, "hello", 5) == 5, "host writes");
    CHECK(recv_simple(e, GFD_PAIR, 1) == 5 && !memcmp(e->mem + BUF, "hello", 5),
          "sock_recv with RECV_PEEK sees the bytes");
    CHECK(recv_simple(e, GFD_PAIR, 0) == 5 && !memcmp(e->mem + BUF, "hello", 5),
          "sock_recv gets the bytes the host sent (peek left them)");
    CHECK(e->mem[OUT_FLAGS] == 0 && e->mem[OUT_FLAGS + 1] == 0, "ro_flags 0 (not truncated)");

    /* Scatter over two iovecs. */
    CHECK(write(peer, "abcdefgh", 8) == 8, "host writes 8");
    set_iov(e, 0, BUF, 3);
    set_iov(e, 1, BUF2, 16);
    CHECK(g_recv(e, GFD_PAIR, IOV, 2, 0, OUT_SIZE, OUT_FLAGS) == E_SUCCESS &&
              get32(e, OUT_SIZE) == 8 && !memcmp(e->mem + BUF, "abc", 3) &&
              !memcmp(e->mem + BUF2, "defgh", 5),
          "sock_recv scatters over two iovecs");

    /* Guest -> host, gathered from two iovecs. */
    memcpy(e->mem + BUF, "wor", 3);
    memcpy(e->mem + BUF2, "ld!", 3);
    set_iov(e, 0, BUF, 3);
    set_iov(e, 1, BUF2, 3);
    CHECK(g_send(e, GFD_PAIR, IOV, 2, 0, OUT_SIZE) == E_SUCCESS && get32(e, OUT_SIZE) == 6,
          "sock_send gathers two iovecs, 6 bytes");
    memset(hb, 0, sizeof hb);
    CHECK(read(peer, hb, sizeof hb) == 6 && !memcmp(hb, "world!", 6),
          "host reads what the guest sent");

    /* Errors. */
    set_iov(e, 0, BUF, 64);
    CHECK(g_recv(e, 0, IOV, 1, 0, OUT_SIZE, OUT_FLAGS) == E_NOTSOCK, "recv on stdin: ENOTSOCK");
    CHECK(g_recv(e, 2, IOV, 1, 0, OUT_SIZE, OUT_FLAGS) == E_NOTSOCK, "recv on stderr: ENOTSOCK");
    CHECK(g_send(e, 1, IOV, 1, 0, OUT_SIZE) == E_NOTSOCK, "send on stdout: ENOTSOCK");
    CHECK(g_shutdown(e, 0, 3) == E_NOTSOCK, "shutdown on stdin: ENOTSOCK");
    CHECK(g_accept(e, 1, 0, OUT_FD) == E_NOTSOCK, "accept on stdout: ENOTSOCK");
    CHECK(g_recv(e, 99, IOV, 1, 0, OUT_SIZE, OUT_FLAGS) == E_BADF, "recv on fd 99: EBADF");
    CHECK(g_send(e, 99, IOV, 1, 0, OUT_SIZE) == E_BADF, "send on fd 99: EBADF");
    CHECK(g_shutdown(e, 99, 3) == E_BADF, "shutdown on fd 99: EBADF");
    CHECK(g_recv(e, GFD_PAIR, (int32_t)0xfffffff8u, 1, 0, OUT_SIZE, OUT_FLAGS) == E_FAULT,
          "recv: iovec array out of bounds: EFAULT");
    CHECK(g_recv(e, GFD_PAIR, 65532, 1, 0, OUT_SIZE, OUT_FLAGS) == E_FAULT,
          "recv: iovec array straddling the end: EFAULT");
    set_iov(e, 0, 65530, 100);
    CHECK(g_recv(e, GFD_PAIR, IOV, 1, 0, OUT_SIZE, OUT_FLAGS) == E_FAULT,
          "recv: buffer past the end of memory: EFAULT");
    CHECK(g_send(e, GFD_PAIR, IOV, 1, 0, OUT_SIZE) == E_FAULT,
          "send: buffer past the end of memory: EFAULT");
    set_iov(e, 0, BUF, 64);
    CHECK(g_recv(e, GFD_PAIR, IOV, 1, 0, 65534, OUT_FLAGS) == E_FAULT,
          "recv: ro_datalen out of bounds: EFAULT");
    CHECK(g_recv(e, GFD_PAIR, IOV, 1, 0, OUT_SIZE, 65535) == E_FAULT,
          "recv: ro_flags out of bounds: EFAULT");
    CHECK(g_send(e, GFD_PAIR, (int32_t)0xfffffff8u, 1, 0, OUT_SIZE) == E_FAULT,
          "send: iovec array out of bounds: EFAULT");
    CHECK(g_send(e, GFD_PAIR, IOV, 1, 0, -4) == E_FAULT, "send: so_datalen out of bounds: EFAULT");
    CHECK(g_recv(e, GFD_PAIR, IOV, 1, 4, OUT_SIZE, OUT_FLAGS) == E_INVAL,
          "recv: unknown riflags: EINVAL");
    CHECK(g_send(e, GFD_PAIR, IOV, 1, 1, OUT_SIZE) == E_INVAL, "send: unknown siflags: EINVAL");
    CHECK(g_shutdown(e, GFD_PAIR, 0) == E_INVAL, "shutdown how=0: EINVAL");
    CHECK(g_shutdown(e, GFD_PAIR, 4) == E_INVAL, "shutdown how=4: EINVAL");
    CHECK(write(peer, "q", 1) == 1 && recv_simple(e, GFD_PAIR, 0) == 1 && e->mem[BUF] == 'q',
          "the failed calls consumed nothing");

    /* A blocking recv with nothing to read stops at the WASI deadline. */
    corral_wasi_set_deadline(e->wasi, now_ns() + 50 * 1000000ull);
    set_iov(e, 0, BUF, 64);
    CHECK(g_recv(e, GFD_PAIR, IOV, 1, 0, OUT_SIZE, OUT_FLAGS) == -1 &&
              strstr(trap_msg, "time limit exceeded"),
          "blocking recv traps at the deadline");
    corral_wasi_set_deadline(e->wasi, 0);
    CHECK(write(peer, "z", 1) == 1 && recv_simple(e, GFD_PAIR, 0) == 1 && e->mem[BUF] == 'z',
          "recv works after the deadline trap");

    /* Shutdown of the write side: the host sees end of file, the guest can still read. */
    CHECK(g_shutdown(e, GFD_PAIR, 2) == E_SUCCESS, "shutdown(WR) succeeds");
    CHECK(read(peer, hb, sizeof hb) == 0, "host sees EOF after the guest's shutdown(WR)");
    memcpy(e->mem + BUF, "late", 4);
    set_iov(e, 0, BUF, 4);
    CHECK(g_send(e, GFD_PAIR, IOV, 1, 0, OUT_SIZE) == E_PIPE, "send after shutdown(WR): EPIPE");
    CHECK(write(peer, "after", 5) == 5 && recv_simple(e, GFD_PAIR, 0) == 5 &&
              !memcmp(e->mem + BUF, "after", 5),
          "the read side still works after shutdown(WR)");
    close(peer);
    CHECK(recv_simple(e, GFD_PAIR, 0) == 0, "recv sees EOF (0 bytes) once the host closes");
}

/* Guest fd 3, a listening TCP socket on 127.0.0.1:port. */
static void test_listener(Env *e, uint16_t port)
{
    char hb[64];
    /* sock_accept's flags are the new connection's; the listener blocks unless its own
     * fdflags say NONBLOCK. */
    int32_t nb[] = {GFD_LISTEN, 4}, blk[] = {GFD_LISTEN, 0};
    CHECK(call(e, "set_flags", nb, 2) == E_SUCCESS,
          "fd_fdstat_set_flags(NONBLOCK) on the listener");
    CHECK(g_accept(e, GFD_LISTEN, 0, OUT_FD) == E_AGAIN,
          "accept on a non-blocking listener with nothing pending: EAGAIN");
    CHECK(call(e, "set_flags", blk, 2) == E_SUCCESS, "listener back to blocking");
    CHECK(g_accept(e, GFD_LISTEN, 0, 65534) == E_FAULT, "accept: out pointer past the end: EFAULT");
    CHECK(g_accept(e, GFD_LISTEN, 1, OUT_FD) == E_INVAL, "accept: unknown flags: EINVAL");
    CHECK(g_accept(e, 99, 0, OUT_FD) == E_BADF, "accept on fd 99: EBADF");

    int cl = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(cl >= 0 && connect(cl, (struct sockaddr *)&sa, sizeof sa) == 0, "host connects");
    put32(e, OUT_FD, 0xffffffffu);
    CHECK(g_accept(e, GFD_LISTEN, 4, OUT_FD) == E_SUCCESS, "sock_accept(NONBLOCK) succeeds");
    int32_t nfd = (int32_t)get32(e, OUT_FD);
    CHECK(nfd > GFD_PAIR && nfd < 64, "accept returns a new guest fd");

    CHECK(send(cl, "ping", 4, 0) == 4, "host sends ping");
    CHECK(recv_simple(e, nfd, 0) == 4 && !memcmp(e->mem + BUF, "ping", 4),
          "guest receives ping on the accepted socket");
    memcpy(e->mem + BUF, "pong", 4);
    set_iov(e, 0, BUF, 4);
    CHECK(g_send(e, nfd, IOV, 1, 0, OUT_SIZE) == E_SUCCESS && get32(e, OUT_SIZE) == 4,
          "guest sends pong");
    memset(hb, 0, sizeof hb);
    CHECK(recv(cl, hb, sizeof hb, 0) == 4 && !memcmp(hb, "pong", 4), "host receives pong");
    set_iov(e, 0, BUF, 64);
    CHECK(g_recv(e, nfd, IOV, 1, 0, OUT_SIZE, OUT_FLAGS) == E_AGAIN,
          "recv with nothing to read on a connection accepted NONBLOCK: EAGAIN");
    CHECK(g_accept(e, nfd, 4, OUT_FD) == E_NOTCAPABLE,
          "accept on an accepted socket: ENOTCAPABLE (no sock_accept right)");

    CHECK(g_shutdown(e, nfd, 3) == E_SUCCESS, "shutdown(RD|WR) succeeds");
    CHECK(recv(cl, hb, sizeof hb, 0) == 0, "host sees EOF after the guest's shutdown");
    CHECK(recv_simple(e, nfd, 0) == 0, "guest recv after shutdown(RD): 0 bytes");
    close(cl);
}

int main(void)
{
    size_t len;
    uint8_t *wasm = read_file("build/tests/wasm/wasi_sock.wasm", &len);
    if (!wasm) {
        fprintf(stderr, "test_wasi_sock: cannot read build/tests/wasm/wasi_sock.wasm\n");
        return 1;
    }
    int sp[2];
    int lst = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t salen = sizeof sa;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0 || lst < 0 ||
        bind(lst, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lst, 4) != 0 ||
        getsockname(lst, (struct sockaddr *)&sa, &salen) != 0) {
        perror("test_wasi_sock: socket setup");
        return 1;
    }
    int socks[2] = {lst, sp[0]};
    Env e;
    int ok = env_open(&e, wasm, len, socks, 2) == 0;
    CHECK(ok, "instantiate wasi_sock.wasm with two preopened sockets");
    /* The context dup'ed them: the host's copies are no longer needed. */
    close(lst);
    close(sp[0]);
    if (ok) {
        test_connected(&e, sp[1]);
        test_listener(&e, ntohs(sa.sin_port));
    } else {
        close(sp[1]);
    }
    env_close(&e);
    free(wasm);
    return unit_report("test_wasi_sock");
}
