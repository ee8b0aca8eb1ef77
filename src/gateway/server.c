/* server.c: the server's life and threads: the listening socket, libmicrohttpd's daemon and
 * its limits, the worker pool and its job queue, the reaper of slow clients, and the stop.
 * Per-request work is in server_request.c; this file must not look inside a request.
 *
 * What libmicrohttpd 0.9.75 does by itself, and what it does not (found by reading its
 * connection.c and by the tests in tests/gateway/server_test.sh):
 *   - A head larger than the connection's memory pool: 431, or 414 while the request line
 *     is still incomplete; the connection is then closed. The pool here is sized so that
 *     a head of max_header bytes fits, and server_request.c compares the exact head size
 *     (MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE) with max_header itself. A head with very
 *     many tiny fields can still fill the pool first (about 50 bytes of bookkeeping per
 *     field): then MHD's own 431.
 *   - MHD_OPTION_CONNECTION_TIMEOUT is an idle timeout: any byte resets it, so a client
 *     sending a header byte a second would hold a connection for hours. The reaper thread
 *     closes (shutdown(2)) a connection whose head is not complete idle_timeout_s after
 *     the connection opened or its previous response ended (nginx's client_header_timeout).
 *   - Transfer-Encoding wins over Content-Length, but the connection stays open; any other
 *     coding than exactly "chunked" reads the body until the close; several Content-Length
 *     fields: the first counts; a blank before the colon is kept in the name (its check
 *     is inverted: it only runs at MHD_OPTION_STRICT_FOR_CLIENT -1); obs-fold lines are
 *     joined without a space; a bare LF ends a line. server_request.c refuses the first
 *     four (400 or 501, connection closed); the last two are only a risk behind a proxy
 *     that reads them differently, and are left as they are.
 *   - MHD_OPTION_STRICT_FOR_CLIENT is left at 0. At 1 it refuses an HTTP/1.1 request
 *     without Host, but with a garbled 400 (the header block is written twice: an error
 *     found in parse_connection_headers is queued, then the state machine builds the reply
 *     again); and a space in the target closes the connection without an answer. It does
 *     nothing about smuggling. server_request.c checks both itself and answers a clean 400.
 *     The same double header block still comes with MHD's own 400 for a malformed
 *     Content-Length ("0, 0", "+0"): the status line is right and the connection closes,
 *     only the body is garbage.
 *   - A response queued before the body is read (our 413/431/400) makes MHD close the
 *     connection after it, so pipelined bytes behind a refused request are never parsed.
 *     It closes without lingering: a client still sending a large body may see a reset
 *     before it reads the 413 (curl avoids it with Expect: 100-continue).
 *   - No response can be queued while a body arrives: a chunked body over max_body is
 *     read and discarded (up to GW_DISCARD_MAX more bytes) and then answered 413.
 *   - MHD_stop_daemon aborts the process if a connection is still suspended: stop resumes
 *     every job first.
 *   - TLS: ALPN offers http/1.1 and http/1.0 (never h2), which is what WAGI does.
 *   - MHD_OPTION_PER_IP_CONNECTION_LIMIT is not used: behind a reverse proxy every client
 *     has the proxy's address. */
#include "gateway/server_int.h"
#include "util/net.h"
#include "util/strf.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

void gw_server_config_default(GwServerConfig *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen = "127.0.0.1:3000";
    cfg->workers = 2;
    cfg->max_concurrency = 256;
    cfg->max_body = 10u << 20;
    cfg->max_header = 16u << 10;
    cfg->idle_timeout_s = 30;
    cfg->max_connections = 1024;
    cfg->access_log = stdout;
    cfg->error_log = stderr;
}

int64_t gw_srv_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void gw_srv_error(GwServer *srv, uint64_t id, const char *fmt, ...)
{
    FILE *f = srv->cfg.error_log;
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    flockfile(f);
    fputs("corral: ", f);
    vfprintf(f, fmt, ap);
    if (id)
        fprintf(f, " (request id=%llu)", (unsigned long long)id);
    fputc('\n', f);
    funlockfile(f);
    fflush(f);
    va_end(ap);
}

/* libmicrohttpd's own messages: kept while starting (for gw_server_start's error text), and
 * dropped afterwards. Once serving, what it reports is a client's error, and each of those
 * already has its access log line with the status MHD sent. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    GwServer *srv = cls;
    if (!srv->starting || srv->start_msg[0])
        return;
    vsnprintf(srv->start_msg, sizeof srv->start_msg, fmt, ap);
    size_t n = strlen(srv->start_msg);
    while (n > 0 && (srv->start_msg[n - 1] == '\n' || srv->start_msg[n - 1] == '.'))
        srv->start_msg[--n] = '\0';
}

/* ---- the job queue and the workers ---- */

bool gw_srv_enqueue(GwServer *srv, GwReq *r)
{
    pthread_mutex_lock(&srv->qlock);
    bool ok = !srv->stopping && srv->ring_count < srv->ring_cap;
    if (ok) {
        srv->ring[(srv->ring_head + srv->ring_count) % srv->ring_cap] = r;
        srv->ring_count++;
        pthread_cond_signal(&srv->qcond);
    }
    pthread_mutex_unlock(&srv->qlock);
    return ok;
}

/* The next job, or NULL when the server stops and the ring is empty. *abandon: answer it
 * with 503 instead of running it. */
static GwReq *dequeue(GwServer *srv, bool *abandon)
{
    pthread_mutex_lock(&srv->qlock);
    while (srv->ring_count == 0 && !srv->stopping)
        pthread_cond_wait(&srv->qcond, &srv->qlock);
    GwReq *r = NULL;
    if (srv->ring_count > 0) {
        r = srv->ring[srv->ring_head];
        srv->ring_head = (srv->ring_head + 1) % srv->ring_cap;
        srv->ring_count--;
    }
    *abandon = srv->abandon;
    pthread_mutex_unlock(&srv->qlock);
    return r;
}

static void *worker_main(void *arg)
{
    GwWorker *w = arg;
    GwServer *srv = w->srv;
    bool abandon;
    GwReq *r;
    while ((r = dequeue(srv, &abandon)) != NULL) {
        if (abandon) {
            gw_srv_prepare_canned(srv, r, GW_CANNED_STOPPING);
        } else {
            GwResponse resp;
            memset(&resp, 0, sizeof resp);
            srv->h.handle(srv->h.ud, w->index, r->id, &r->req, r->body, r->body_len, &resp);
            gw_srv_prepare(srv, &w->scratch, r, &resp);
            if (srv->h.release)
                srv->h.release(srv->h.ud, w->index, &resp);
        }
        struct MHD_Connection *c = r->conn;
        r->state = REQ_READY;
        atomic_fetch_sub(&srv->inflight, 1);
        /* From here on r belongs to the connection thread again (it may soon be gone). */
        lib_mhd.MHD_resume_connection(c);
    }
    return NULL;
}

/* ---- the reaper: head deadlines and log flushes ---- */

#define REAPER_TICK_MS 200

static void *reaper_main(void *arg)
{
    GwServer *srv = arg;
    pthread_mutex_lock(&srv->conns_lock);
    while (!srv->reaper_stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += REAPER_TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->reaper_cond, &srv->conns_lock, &until);
        int64_t now = gw_srv_now_ns();
        for (GwConn *gc = srv->conns; gc; gc = gc->next) {
            int64_t d = atomic_load_explicit(&gc->head_deadline, memory_order_relaxed);
            if (d != 0 && now > d) {
                /* The fd is still open: the connection thread unlinks a GwConn under this
                 * lock before MHD closes its socket. MHD sees the shutdown as a close. */
                shutdown(gc->fd, SHUT_RDWR);
                atomic_store_explicit(&gc->head_deadline, 0, memory_order_relaxed);
            }
        }
        if (srv->cfg.access_log && atomic_exchange(&srv->log_dirty, false)) {
            /* Not under the lock: a slow log pipe must not hold up connection events. */
            pthread_mutex_unlock(&srv->conns_lock);
            fflush(srv->cfg.access_log);
            pthread_mutex_lock(&srv->conns_lock);
        }
    }
    pthread_mutex_unlock(&srv->conns_lock);
    return NULL;
}

/* ---- start and stop ---- */

/* Threads started while these are blocked inherit the mask, so the process's signals go
 * to the caller's threads, never to the server's. */
static void block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&set, sigs[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void stop_threads(GwServer *srv)
{
    pthread_mutex_lock(&srv->qlock);
    srv->stopping = true;
    srv->abandon = true;
    pthread_cond_broadcast(&srv->qcond);
    pthread_mutex_unlock(&srv->qlock);
    for (unsigned i = 0; i < srv->nworkers; i++)
        pthread_join(srv->workers[i].thread, NULL);
    srv->nworkers = 0;
    if (srv->reaper_running) {
        pthread_mutex_lock(&srv->conns_lock);
        srv->reaper_stop = true;
        pthread_cond_signal(&srv->reaper_cond);
        pthread_mutex_unlock(&srv->conns_lock);
        pthread_join(srv->reaper, NULL);
        srv->reaper_running = false;
    }
}

static void server_free(GwServer *srv)
{
    if (srv->d)
        lib_mhd.MHD_stop_daemon(srv->d);
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    gw_srv_canned_free(srv);
    for (unsigned i = 0; srv->workers && i < srv->cfg.workers; i++)
        free(srv->workers[i].scratch.buf);
    free(srv->workers);
    free(srv->scratch.buf);
    free(srv->ring);
    net_free_secret(srv->tls_key);
    free(srv->tls_cert);
    pthread_mutex_destroy(&srv->qlock);
    pthread_cond_destroy(&srv->qcond);
    pthread_mutex_destroy(&srv->conns_lock);
    pthread_cond_destroy(&srv->reaper_cond);
    if (srv->cfg.access_log)
        fflush(srv->cfg.access_log);
    free(srv);
}

/* Per-connection memory: room for a head of max_header bytes (read buffer) plus MHD's
 * bookkeeping of its fields and a copy of a Cookie field, then GW_RESP_HEAD_MAX for the
 * response header block, which MHD builds in the same pool after the request. */
static size_t connection_memory(size_t max_header)
{
    return 2 * max_header + GW_RESP_HEAD_MAX + 8192;
}

static bool start_daemon(GwServer *srv, char **out_err)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (srv->tls)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_OptionItem no_opts[] = {{MHD_OPTION_END, 0, NULL}};
    srv->starting = true;
    srv->d = lib_mhd.MHD_start_daemon(
        flags, 0, NULL, NULL, gw_srv_access, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
        MHD_OPTION_LISTEN_SOCKET, srv->listen_fd, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        srv->conn_memory, MHD_OPTION_CONNECTION_LIMIT, srv->cfg.max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, srv->cfg.idle_timeout_s, MHD_OPTION_STRICT_FOR_CLIENT, 0,
        MHD_OPTION_URI_LOG_CALLBACK, gw_srv_uri_log, srv, MHD_OPTION_UNESCAPE_CALLBACK,
        gw_srv_unescape, srv, MHD_OPTION_NOTIFY_COMPLETED, gw_srv_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, gw_srv_connection, srv, MHD_OPTION_ARRAY,
        srv->tls ? tls_opts : no_opts, MHD_OPTION_END);
    srv->starting = false;
    /* The daemon owns the socket now; when it fails to start it has (almost always) closed
     * it already, so never close it here: at worst one descriptor leaks at a startup error. */
    srv->listen_fd = -1;
    if (!srv->d) {
        const char *why = srv->start_msg[0] ? srv->start_msg : "libmicrohttpd refused to start";
        if (srv->tls)
            *out_err = strf("cannot serve TLS with certificate '%s' and key '%s': %s",
                            srv->cfg.tls_cert_path, srv->cfg.tls_key_path, why);
        else
            *out_err = strf("cannot serve on %s: %s", srv->cfg.listen, why);
        return false;
    }
    return true;
}

static bool start_threads(GwServer *srv, char **out_err)
{
    for (unsigned i = 0; i < srv->cfg.workers; i++) {
        GwWorker *w = &srv->workers[i];
        w->srv = srv;
        w->index = i;
        int e = pthread_create(&w->thread, NULL, worker_main, w);
        if (e != 0) {
            *out_err = strf("cannot start worker thread: %s", strerror(e));
            return false;
        }
        srv->nworkers++;
    }
    int e = pthread_create(&srv->reaper, NULL, reaper_main, srv);
    if (e != 0) {
        *out_err = strf("cannot start reaper thread: %s", strerror(e));
        return false;
    }
    srv->reaper_running = true;
    return true;
}

static bool check_config(const GwServerConfig *cfg, char **out_err)
{
    if (cfg->workers == 0 || cfg->max_concurrency == 0 || cfg->max_connections == 0)
        *out_err = strf("workers, max_concurrency and max_connections must be at least 1");
    else if (cfg->max_header < 64 || cfg->max_header > (1u << 20))
        /* Each connection reserves about twice max_header (connection_memory). */
        *out_err = strf("max_header must be between 64 bytes and 1 MiB");
    else if (!cfg->tls_cert_path != !cfg->tls_key_path)
        *out_err = strf(cfg->tls_cert_path ? "a TLS certificate needs a key"
                                           : "a TLS key needs a certificate");
    else
        return true;
    return false;
}

GwServer *gw_server_start(const GwServerConfig *cfg, const GwHandler *handler, char **out_err)
{
    *out_err = NULL;
    if (!check_config(cfg, out_err))
        return NULL;
    const char *load_err = NULL;
    if (!lib_mhd_load(&load_err)) {
        *out_err = strf("%s", load_err);
        return NULL;
    }
    GwServer *srv = calloc(1, sizeof *srv);
    if (!srv) {
        *out_err = strf("out of memory");
        return NULL;
    }
    srv->cfg = *cfg;
    srv->h = *handler;
    srv->listen_fd = -1;
    srv->conn_memory = connection_memory(cfg->max_header);
    pthread_mutex_init(&srv->qlock, NULL);
    pthread_cond_init(&srv->qcond, NULL);
    pthread_mutex_init(&srv->conns_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&srv->reaper_cond, &ca);
    pthread_condattr_destroy(&ca);
    srv->ring_cap = cfg->max_concurrency;
    srv->ring = calloc(srv->ring_cap, sizeof *srv->ring);
    srv->workers = calloc(cfg->workers, sizeof *srv->workers);
    if (!srv->ring || !srv->workers || !gw_srv_canned_init(srv)) {
        *out_err = strf("out of memory");
        goto fail;
    }
    if (cfg->tls_cert_path) {
        srv->tls = true;
        if (!(srv->tls_cert = net_read_pem("certificate", cfg->tls_cert_path, out_err)) ||
            !(srv->tls_key = net_read_pem("key", cfg->tls_key_path, out_err)))
            goto fail;
    }
    srv->listen_fd = net_listen(cfg->listen, &srv->port, out_err);
    if (srv->listen_fd < 0)
        goto fail;
    sigset_t old;
    block_signals(&old);
    bool ok = start_threads(srv, out_err) && start_daemon(srv, out_err);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!ok)
        goto fail;
    return srv;
fail:
    if (!*out_err)
        *out_err = strf("out of memory");
    stop_threads(srv);
    server_free(srv);
    return NULL;
}

unsigned gw_server_port(const GwServer *srv)
{
    return srv->port;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits until every queued request has completed (or until deadline_ns). */
static void wait_handed_out(GwServer *srv, int64_t deadline_ns)
{
    while (atomic_load(&srv->handed_out) > 0 && gw_srv_now_ns() < deadline_ns)
        sleep_ms(5);
}

void gw_server_stop(GwServer *srv, unsigned grace_ms)
{
    if (!srv)
        return;
    /* 1. No new connections; new requests on open ones get 503 and a close. */
    /* The listening socket comes back to us, but MHD's thread may still take it out of its
     * epoll set: it is closed only after MHD_stop_daemon (server_free). */
    srv->listen_fd = lib_mhd.MHD_quiesce_daemon(srv->d);
    atomic_store(&srv->draining, true);
    /* 2. Let what is queued or running finish and be sent, within the grace period. */
    int64_t start = gw_srv_now_ns();
    wait_handed_out(srv, start + (int64_t)grace_ms * 1000000);
    /* 3. Workers answer what is still queued with 503 and exit (after their current job):
     * no connection stays suspended, which MHD_stop_daemon could not survive. */
    stop_threads(srv);
    /* 4. Give the connection thread a moment to send those last answers, then close all. */
    wait_handed_out(srv, gw_srv_now_ns() + 250 * 1000000LL);
    server_free(srv);
}
