/* events.c: a FIFO of encoded events and the one thread that forwards them to containerd.
 * One thread keeps the order the runtime v2 contract demands (create, start, exit, delete)
 * without making a request handler wait on containerd. A failed delivery is retried on a
 * fresh connection a few times, then dropped with a log line: a lost event must not wedge
 * every later one. */
#include "shim/events.h"

#include "shim/log.h"
#include "shim/ttrpc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    FORWARD_TIMEOUT_MS = 5000,
    FORWARD_ATTEMPTS = 3,
    RETRY_PAUSE_MS = 200,
};

typedef struct Event {
    char *topic;
    PbBuf envelope; /* the whole ForwardRequest, encoded when queued */
    struct Event *next;
} Event;

struct ShimEvents {
    char *address; /* NULL: log and drop */
    char *ns;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* queue grew, an event was finished, or stopping */
    Event *head, *tail;
    bool busy; /* the thread holds an event it has taken off the queue */
    bool stopping;
    pthread_t thread;
    TtrpcClient *client; /* publisher thread only */
};

static void sleep_ms(int ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    nanosleep(&t, NULL);
}

/* One Forward call; reconnects when there is no connection. True when delivered. */
static bool forward_once(ShimEvents *e, const Event *ev, char **out_err)
{
    if (!e->client)
        e->client = ttrpc_client_connect(e->address);
    if (!e->client) {
        *out_err = strdup("cannot connect");
        return false;
    }
    int code = ttrpc_client_call(e->client, "containerd.services.events.ttrpc.v1.Events", "Forward",
                                 &ev->envelope, FORWARD_TIMEOUT_MS, e->ns, NULL, out_err);
    if (code == SHIM_UNAVAILABLE) { /* the connection is broken: drop it */
        ttrpc_client_close(e->client);
        e->client = NULL;
    }
    return code == 0;
}

static void deliver(ShimEvents *e, const Event *ev)
{
    if (!e->address) {
        shim_log("event %s not published: no TTRPC_ADDRESS", ev->topic);
        return;
    }
    char *err = NULL;
    for (int i = 0; i < FORWARD_ATTEMPTS; i++) {
        free(err);
        err = NULL;
        if (forward_once(e, ev, &err)) {
            if (shim_log_debug)
                shim_log("event %s published", ev->topic);
            free(err);
            return;
        }
        sleep_ms(RETRY_PAUSE_MS << i);
    }
    shim_log("event %s dropped after %d attempts: %s", ev->topic, FORWARD_ATTEMPTS,
             err ? err : "?");
    free(err);
}

static void event_free(Event *ev)
{
    free(ev->topic);
    pb_buf_free(&ev->envelope);
    free(ev);
}

static void *publisher_thread(void *arg)
{
    ShimEvents *e = arg;
    pthread_mutex_lock(&e->lock);
    for (;;) {
        while (!e->head && !e->stopping)
            pthread_cond_wait(&e->changed, &e->lock);
        if (!e->head)
            break; /* stopping, and nothing left */
        Event *ev = e->head;
        e->head = ev->next;
        if (!e->head)
            e->tail = NULL;
        e->busy = true;
        pthread_mutex_unlock(&e->lock);
        deliver(e, ev);
        event_free(ev);
        pthread_mutex_lock(&e->lock);
        e->busy = false;
        pthread_cond_broadcast(&e->changed);
    }
    pthread_mutex_unlock(&e->lock);
    return NULL;
}

ShimEvents *shim_events_new(const char *address, const char *ns)
{
    ShimEvents *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->address = address && *address ? strdup(address) : NULL;
    e->ns = strdup(ns ? ns : "");
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->changed, NULL);
    if (!e->ns || (address && *address && !e->address) ||
        pthread_create(&e->thread, NULL, publisher_thread, e) != 0) {
        pthread_mutex_destroy(&e->lock);
        pthread_cond_destroy(&e->changed);
        free(e->address);
        free(e->ns);
        free(e);
        return NULL;
    }
    return e;
}

void shim_events_publish(ShimEvents *e, const char *topic, const char *type, PbBuf *event)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    Event *ev = calloc(1, sizeof *ev);
    PbBuf env = {0};
    pb_timestamp(&env, 1, &now);
    pb_str(&env, 2, e->ns);
    pb_str(&env, 3, topic);
    pb_any(&env, 4, type, event);
    if (ev) {
        pb_msg(&ev->envelope, 1, &env); /* ForwardRequest{envelope=1} */
        ev->topic = strdup(topic);
    }
    pb_buf_free(&env);
    pb_buf_free(event);
    if (!ev || !ev->topic || ev->envelope.oom) {
        shim_log("event %s dropped: out of memory", topic);
        if (ev)
            event_free(ev);
        return;
    }
    pthread_mutex_lock(&e->lock);
    if (e->tail)
        e->tail->next = ev;
    else
        e->head = ev;
    e->tail = ev;
    pthread_cond_broadcast(&e->changed);
    pthread_mutex_unlock(&e->lock);
}

bool shim_events_drain(ShimEvents *e, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&e->lock);
    bool ok = true;
    while (ok && (e->head || e->busy))
        ok = pthread_cond_timedwait(&e->changed, &e->lock, &until) == 0;
    ok = !e->head && !e->busy;
    pthread_mutex_unlock(&e->lock);
    return ok;
}

void shim_events_free(ShimEvents *e)
{
    if (!e)
        return;
    if (!shim_events_drain(e, 2000))
        shim_log("exiting with events not yet published");
    pthread_mutex_lock(&e->lock);
    e->stopping = true;
    /* what is still queued is given up: the thread ends after the event in hand */
    while (e->head) {
        Event *ev = e->head;
        e->head = ev->next;
        event_free(ev);
    }
    e->tail = NULL;
    pthread_cond_broadcast(&e->changed);
    pthread_mutex_unlock(&e->lock);
    pthread_join(e->thread, NULL);
    ttrpc_client_close(e->client);
    pthread_mutex_destroy(&e->lock);
    pthread_cond_destroy(&e->changed);
    free(e->address);
    free(e->ns);
    free(e);
}

/* ---- the task events (containerd 1.6, api/events/task.proto) ---- */

static void mount_encode(PbBuf *b, uint32_t field, const ShimMount *m)
{
    PbBuf mb = {0};
    pb_str(&mb, 1, m->type);
    pb_str(&mb, 2, m->source);
    pb_str(&mb, 3, m->target);
    for (size_t i = 0; i < m->noptions; i++)
        pb_str(&mb, 4, m->options[i]);
    pb_msg(b, field, &mb);
    pb_buf_free(&mb);
}

void shim_event_task_create(ShimEvents *e, const ShimCreate *req, uint32_t pid)
{
    /* TaskCreate{container_id=1, bundle=2, rootfs=3, io=4 TaskIO{stdin=1, stdout=2,
     * stderr=3, terminal=4}, checkpoint=5, pid=6} */
    PbBuf b = {0}, io = {0};
    pb_str(&b, 1, req->id);
    pb_str(&b, 2, req->bundle);
    for (size_t i = 0; i < req->nrootfs; i++)
        mount_encode(&b, 3, &req->rootfs[i]);
    pb_str(&io, 1, req->stdin_path);
    pb_str(&io, 2, req->stdout_path);
    pb_str(&io, 3, req->stderr_path);
    pb_uint(&io, 4, req->terminal);
    pb_msg(&b, 4, &io);
    pb_buf_free(&io);
    pb_uint(&b, 6, pid);
    shim_events_publish(e, "/tasks/create", "containerd.events.TaskCreate", &b);
}

void shim_event_task_start(ShimEvents *e, const char *id, uint32_t pid)
{
    PbBuf b = {0}; /* TaskStart{container_id=1, pid=2} */
    pb_str(&b, 1, id);
    pb_uint(&b, 2, pid);
    shim_events_publish(e, "/tasks/start", "containerd.events.TaskStart", &b);
}

void shim_event_task_exit(ShimEvents *e, const char *id, uint32_t pid, uint32_t exit_status,
                          struct timespec exited_at)
{
    /* TaskExit{container_id=1, id=2, pid=3, exit_status=4, exited_at=5}. id is the
     * process's: for the init process containerd (and CRI) expect the container id. */
    PbBuf b = {0};
    pb_str(&b, 1, id);
    pb_str(&b, 2, id);
    pb_uint(&b, 3, pid);
    pb_uint(&b, 4, exit_status);
    pb_timestamp(&b, 5, &exited_at);
    shim_events_publish(e, "/tasks/exit", "containerd.events.TaskExit", &b);
}

void shim_event_task_delete(ShimEvents *e, const char *id, uint32_t pid, uint32_t exit_status,
                            struct timespec exited_at)
{
    /* TaskDelete{container_id=1, pid=2, exit_status=3, exited_at=4, id=5}; id (an exec's)
     * stays empty for the init process, as runc's shim leaves it. */
    PbBuf b = {0};
    pb_str(&b, 1, id);
    pb_uint(&b, 2, pid);
    pb_uint(&b, 3, exit_status);
    pb_timestamp(&b, 4, &exited_at);
    shim_events_publish(e, "/tasks/delete", "containerd.events.TaskDelete", &b);
}
