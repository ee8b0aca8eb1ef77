/* echo_server.c: the gateway's HTTP server with a handler that needs no WebAssembly: it
 * answers every request with what it received (method, target, version, headers, body,
 * worker index, request id), so tests/gateway/server_test.sh can check the server's
 * framing, limits and threads alone, and wrk can measure its ceiling.
 *
 * Query flags steer the answer: sleep=MS (the handler sleeps), status=N, cookies=N (N
 * Set-Cookie fields), hdrbytes=N (one X-Big field of N bytes), empty=1 (an X-Empty field
 * with an empty value). GET /healthz and GET /metrics are answered on the fast path.
 * Prints "PORT <n>" on stdout once serving; SIGINT or SIGTERM stops it. */
#include "gateway/metrics.h"
#include "gateway/server.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_OUT_HEADERS 4096

/* Per-worker state, touched by that worker only: the output buffer and header table are
 * reused for every request, which is what the release contract must make safe. */
typedef struct Slot {
    char *out;
    size_t len, cap;
    GwHeader headers[MAX_OUT_HEADERS];
    char names[MAX_OUT_HEADERS][16];
    char values[MAX_OUT_HEADERS][48];
    char *big;
    int busy; /* between handle and release */
} Slot;

typedef struct Echo {
    unsigned workers;
    Slot *slots;
    int route_echo; /* metrics index of "/echo" */
} Echo;

static void out_add(Slot *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_add(Slot *s, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(s->out + s->len, s->cap - s->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < s->cap - s->len) {
            s->len += (size_t)n;
            return;
        }
        s->cap = s->cap * 2 + (size_t)(n > 0 ? n : 0);
        s->out = realloc(s->out, s->cap);
        if (!s->out)
            abort();
    }
}

static void out_raw(Slot *s, const void *p, size_t n)
{
    if (n == 0)
        return; /* p may be NULL */
    while (s->cap - s->len < n + 1) {
        s->cap = s->cap * 2 + n;
        s->out = realloc(s->out, s->cap);
        if (!s->out)
            abort();
    }
    memcpy(s->out + s->len, p, n);
    s->len += n;
}

/* The value of query flag `name` in target, or -1. */
static long query_flag(const char *target, const char *name)
{
    const char *q = strchr(target, '?');
    size_t n = strlen(name);
    while (q) {
        q++;
        if (strncmp(q, name, n) == 0 && q[n] == '=')
            return strtol(q + n + 1, NULL, 10);
        q = strchr(q, '&');
    }
    return -1;
}

static void handle(void *ud, unsigned worker, uint64_t id, const GwRequest *req,
                   const uint8_t *body, size_t body_len, GwResponse *resp)
{
    Echo *e = ud;
    if (worker >= e->workers)
        abort();
    Slot *s = &e->slots[worker];
    if (s->busy)
        abort(); /* release did not come before the next request on this worker */
    s->busy = 1;
    long ms = query_flag(req->target, "sleep");
    if (ms > 0) {
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    s->len = 0;
    out_add(s, "method=%s\ntarget=%s\nversion=%s\nremote=%s:%u\ntls=%d\nworker=%u\nid=%llu\n",
            req->method, req->target, req->version, req->remote_ip, req->remote_port, req->tls,
            worker, (unsigned long long)id);
    for (size_t i = 0; i < req->nheaders; i++) {
        const GwHeader *h = &req->headers[i];
        out_add(s, "header=%.*s: %.*s\n", (int)h->name_len, h->name, (int)h->value_len, h->value);
    }
    out_add(s, "body_len=%zu\n\n", body_len);
    out_raw(s, body, body_len);

    size_t nh = 0;
    s->headers[nh++] = (GwHeader){"Content-Type", 12, "text/plain", 10};
    long cookies = query_flag(req->target, "cookies");
    for (long i = 0; i < cookies && nh < MAX_OUT_HEADERS; i++, nh++) {
        snprintf(s->values[nh], sizeof s->values[nh], "c%ld=v%ld", i, i);
        s->headers[nh] = (GwHeader){"Set-Cookie", 10, s->values[nh], strlen(s->values[nh])};
    }
    long big = query_flag(req->target, "hdrbytes");
    if (big > 0) {
        s->big = realloc(s->big, (size_t)big);
        memset(s->big, 'b', (size_t)big);
        s->headers[nh++] = (GwHeader){"X-Big", 5, s->big, (size_t)big};
    }
    if (query_flag(req->target, "empty") == 1)
        s->headers[nh++] = (GwHeader){"X-Empty", 7, "", 0};
    long status = query_flag(req->target, "status");
    resp->status = status > 0 ? (int)status : 200;
    resp->headers = s->headers;
    resp->nheaders = nh;
    resp->body = (const uint8_t *)s->out;
    resp->body_len = s->len;
    resp->route = "/echo";
    resp->metric_route = e->route_echo;
}

static void release(void *ud, unsigned worker, GwResponse *resp)
{
    Echo *e = ud;
    if (worker == UINT32_MAX) { /* a fast answer */
        free(resp->handler_data);
        return;
    }
    if (worker >= e->workers || !e->slots[worker].busy)
        abort();
    e->slots[worker].busy = 0;
}

static bool fast(void *ud, uint64_t id, const GwRequest *req, GwResponse *resp)
{
    static const GwHeader text[] = {{"Content-Type", 12, "text/plain", 10}};
    static const GwHeader prom[] = {{"Content-Type", 12, "text/plain; version=0.0.4", 25}};
    if (strcmp(req->target, "/healthz") == 0) {
        resp->status = 200;
        resp->headers = text;
        resp->nheaders = 1;
        resp->body = (const uint8_t *)"OK";
        resp->body_len = 2;
        return true;
    }
    if (strcmp(req->target, "/metrics") == 0) {
        size_t cap = 4096, n;
        char *buf = NULL;
        for (;;) {
            buf = realloc(buf, cap);
            if (!buf)
                return false;
            n = gw_metrics_render(buf, cap);
            if (n < cap)
                break;
            cap = n + 1;
        }
        resp->status = 200;
        resp->headers = prom;
        resp->nheaders = 1;
        resp->body = (const uint8_t *)buf;
        resp->body_len = n;
        resp->handler_data = buf;
        return true;
    }
    return false;
}

static void usage(void)
{
    fprintf(stderr, "usage: echo_server [--listen HOST:PORT] [--workers N] [--max-concurrency N]\n"
                    "  [--max-body N] [--max-header N] [--idle-timeout S] [--max-connections N]\n"
                    "  [--tls-cert PEM --tls-key PEM] [--grace-ms N] [--no-access-log]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    GwServerConfig cfg;
    gw_server_config_default(&cfg);
    cfg.listen = "127.0.0.1:0";
    unsigned grace_ms = 2000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--no-access-log") == 0) {
            cfg.access_log = NULL;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (strcmp(a, "--listen") == 0)
            cfg.listen = v;
        else if (strcmp(a, "--workers") == 0)
            cfg.workers = (unsigned)atoi(v);
        else if (strcmp(a, "--max-concurrency") == 0)
            cfg.max_concurrency = (unsigned)atoi(v);
        else if (strcmp(a, "--max-body") == 0)
            cfg.max_body = strtoull(v, NULL, 10);
        else if (strcmp(a, "--max-header") == 0)
            cfg.max_header = strtoull(v, NULL, 10);
        else if (strcmp(a, "--idle-timeout") == 0)
            cfg.idle_timeout_s = (unsigned)atoi(v);
        else if (strcmp(a, "--max-connections") == 0)
            cfg.max_connections = (unsigned)atoi(v);
        else if (strcmp(a, "--tls-cert") == 0)
            cfg.tls_cert_path = v;
        else if (strcmp(a, "--tls-key") == 0)
            cfg.tls_key_path = v;
        else if (strcmp(a, "--grace-ms") == 0)
            grace_ms = (unsigned)atoi(v);
        else
            usage();
    }
    if (gw_metrics_init(8) != 0)
        return 1;
    Echo echo = {cfg.workers, calloc(cfg.workers ? cfg.workers : 1, sizeof(Slot)),
                 gw_metrics_route("/echo")};
    if (!echo.slots)
        return 1;
    for (unsigned i = 0; i < cfg.workers; i++) {
        echo.slots[i].cap = 4096;
        echo.slots[i].out = malloc(4096);
    }

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    GwHandler h = {&echo, handle, release, fast};
    char *err = NULL;
    GwServer *srv = gw_server_start(&cfg, &h, &err);
    if (!srv) {
        fprintf(stderr, "echo_server: %s\n", err);
        free(err);
        return 1;
    }
    printf("PORT %u\n", gw_server_port(srv));
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    gw_server_stop(srv, grace_ms);
    for (unsigned i = 0; i < cfg.workers; i++) {
        free(echo.slots[i].out);
        free(echo.slots[i].big);
    }
    free(echo.slots);
    gw_metrics_free();
    fprintf(stderr, "echo_server: stopped\n");
    return 0;
}
