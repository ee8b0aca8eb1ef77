/* task.c: containerd.task.v2.Task, one handler per RPC. Each handler decodes its request
 * (field numbers from containerd 1.6's runtime/v2/task/shim.proto), calls container.h and
 * encodes the response. The map's lock is never held across a container call: a call may
 * block (Wait) or call back (the exit callback takes the lock to order the events).
 *
 * Lifetimes: a Task is found with acquire(), which counts the call in busy; Delete takes
 * the task out of reach (deleting), waits until busy is 0, and only then deletes the
 * container and frees the Task, so a Wait in flight never sees freed memory. */
#include "shim/task.h"

#include "shim/container.h"
#include "shim/log.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct Task {
    char *id;
    ShimContainer *c; /* NULL while Create is still running */
    int busy;         /* calls in flight on c */
    bool deleting;
    /* Event order (runtime v2: exit only after start): an exit seen before Start has
     * published /tasks/start is held here and published right after it. */
    bool start_sent, exit_sent, exit_held;
    uint32_t exit_pid, exit_status;
    struct timespec exited_at;
    struct ShimTasks *owner;
    struct Task *next;
} Task;

struct ShimTasks {
    char *ns, *containerd_address;
    ShimEvents *events;
    pthread_mutex_t lock;
    pthread_cond_t released; /* a Task's busy went down */
    Task *tasks;
};

/* ---- the map ---- */

ShimTasks *shim_tasks_new(const char *ns, const char *containerd_address, ShimEvents *events)
{
    ShimTasks *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ns = strdup(ns ? ns : "");
    t->containerd_address = strdup(containerd_address ? containerd_address : "");
    if (!t->ns || !t->containerd_address) {
        free(t->ns);
        free(t->containerd_address);
        free(t);
        return NULL;
    }
    t->events = events;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->released, NULL);
    return t;
}

void shim_tasks_free(ShimTasks *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->released);
    free(t->ns);
    free(t->containerd_address);
    free(t);
}

size_t shim_tasks_count(ShimTasks *t)
{
    size_t n = 0;
    pthread_mutex_lock(&t->lock);
    for (Task *k = t->tasks; k; k = k->next)
        n++;
    pthread_mutex_unlock(&t->lock);
    return n;
}

/* With t->lock held: the task named id, whatever its state. */
static Task *find_locked(ShimTasks *t, const char *id)
{
    for (Task *k = t->tasks; k; k = k->next) {
        if (strcmp(k->id, id) == 0)
            return k;
    }
    return NULL;
}

/* A created task that is not being deleted, counted busy until release(); NULL if none. */
static Task *acquire(ShimTasks *t, const char *id)
{
    pthread_mutex_lock(&t->lock);
    Task *k = find_locked(t, id);
    if (k && (!k->c || k->deleting))
        k = NULL;
    if (k)
        k->busy++;
    pthread_mutex_unlock(&t->lock);
    return k;
}

static void release(Task *k)
{
    ShimTasks *t = k->owner;
    pthread_mutex_lock(&t->lock);
    k->busy--;
    pthread_cond_broadcast(&t->released);
    pthread_mutex_unlock(&t->lock);
}

/* With t->lock held: unlinks k. */
static void unlink_locked(ShimTasks *t, Task *k)
{
    for (Task **p = &t->tasks; *p; p = &(*p)->next) {
        if (*p == k) {
            *p = k->next;
            return;
        }
    }
}

static void task_free(Task *k)
{
    free(k->id);
    free(k);
}

/* ---- requests and errors ---- */

/* The fields the small requests share: id=1 (all), exec_id=2 (a string) or now=2 (Shutdown's
 * bool), signal=3 and all=4 (Kill). */
typedef struct Req {
    char *id, *exec_id;
    uint64_t f2, f3, f4;
} Req;

static void fail(TtrpcCall *call, const char *id, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sets the call's error status and logs it. */
static void fail(TtrpcCall *call, const char *id, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    shim_log_id(id, "error %d: %s", code, msg ? msg : "?");
    call->code = code;
    call->message = msg;
}

/* Takes over a runtime error: its code and owned message. */
static void fail_owned(TtrpcCall *call, const char *id, int code, char *msg)
{
    shim_log_id(id, "error %d: %s", code, msg ? msg : "");
    call->code = code ? code : SHIM_UNKNOWN;
    call->message = msg;
}

static bool req_decode(TtrpcCall *call, Req *r)
{
    *r = (Req){0};
    PbReader rd = pb_reader(call->payload, call->payload_len);
    PbField f;
    bool ok = true;
    while (pb_next(&rd, &f)) {
        if (f.num == 1 && f.wire == PB_LEN && !r->id)
            ok &= (r->id = pb_strdup(&f)) != NULL;
        else if (f.num == 2 && f.wire == PB_LEN && !r->exec_id)
            ok &= (r->exec_id = pb_strdup(&f)) != NULL;
        else if (f.num == 2 && f.wire == PB_VARINT)
            r->f2 = f.u;
        else if (f.num == 3 && f.wire == PB_VARINT)
            r->f3 = f.u;
        else if (f.num == 4 && f.wire == PB_VARINT)
            r->f4 = f.u;
    }
    if (!ok || rd.bad) {
        fail(call, NULL, SHIM_INVALID_ARGUMENT, "request is not a valid message");
        return false;
    }
    if (!r->id) /* an absent string is "" in proto3 */
        r->id = strdup("");
    return r->id != NULL;
}

static void req_free(Req *r)
{
    free(r->id);
    free(r->exec_id);
}

/* Decodes the request and finds its task; on failure the call carries the error. A
 * non-empty exec_id names an exec process, and a guest has none. */
static Task *req_task(ShimTasks *t, TtrpcCall *call, Req *r)
{
    if (!req_decode(call, r))
        return NULL;
    if (r->exec_id && *r->exec_id) {
        fail(call, r->id, SHIM_NOT_FOUND, "exec %s: not found (the corral shim runs no execs)",
             r->exec_id);
        return NULL;
    }
    Task *k = acquire(t, r->id);
    if (!k)
        fail(call, r->id, SHIM_NOT_FOUND, "task %s: not found", r->id);
    return k;
}

/* ---- events in order ---- */

/* The exit callback, from the thread that saw the guest stop. */
static void task_exited(void *ud, ShimContainer *c, uint32_t pid, uint32_t exit_status,
                        struct timespec exited_at)
{
    Task *k = ud;
    ShimTasks *t = k->owner;
    pthread_mutex_lock(&t->lock);
    if (!k->exit_sent && !k->exit_held) {
        if (k->start_sent) {
            k->exit_sent = true;
            if (t->events)
                shim_event_task_exit(t->events, k->id, pid, exit_status, exited_at);
        } else {
            k->exit_held = true;
            k->exit_pid = pid;
            k->exit_status = exit_status;
            k->exited_at = exited_at;
        }
    }
    pthread_mutex_unlock(&t->lock);
}

/* After a successful Start: /tasks/start, then an exit that arrived early. */
static void task_started(ShimTasks *t, Task *k, uint32_t pid)
{
    pthread_mutex_lock(&t->lock);
    if (!k->start_sent) {
        k->start_sent = true;
        if (t->events)
            shim_event_task_start(t->events, k->id, pid);
        if (k->exit_held && !k->exit_sent) {
            k->exit_sent = true;
            if (t->events)
                shim_event_task_exit(t->events, k->id, k->exit_pid, k->exit_status, k->exited_at);
        }
    }
    pthread_mutex_unlock(&t->lock);
}

/* ---- Create ---- */

typedef struct CreateReq {
    char *id, *bundle, *stdin_path, *stdout_path, *stderr_path, *checkpoint;
    bool terminal;
    ShimMount *mounts;
    size_t nmounts;
} CreateReq;

static void mount_free(ShimMount *m)
{
    free(m->type);
    free(m->source);
    free(m->target);
    for (size_t i = 0; i < m->noptions; i++)
        free(m->options[i]);
    free(m->options);
}

static void create_free(CreateReq *r)
{
    free(r->id);
    free(r->bundle);
    free(r->stdin_path);
    free(r->stdout_path);
    free(r->stderr_path);
    free(r->checkpoint);
    for (size_t i = 0; i < r->nmounts; i++)
        mount_free(&r->mounts[i]);
    free(r->mounts);
}

/* A string field into *dst (replacing an earlier one: the last occurrence wins). */
static bool take_str(char **dst, const PbField *f)
{
    free(*dst);
    *dst = pb_strdup(f);
    return *dst != NULL;
}

static bool append_option(ShimMount *m, const PbField *f)
{
    char **o = realloc(m->options, (m->noptions + 1) * sizeof *o);
    if (!o)
        return false;
    m->options = o;
    return (o[m->noptions++] = pb_strdup(f)) != NULL;
}

/* containerd.types.Mount{type=1, source=2, target=3, options=4 repeated}. */
static bool mount_decode(PbReader r, ShimMount *m)
{
    PbField f;
    bool ok = true;
    while (ok && pb_next(&r, &f)) {
        if (f.wire != PB_LEN)
            continue;
        if (f.num == 1)
            ok = take_str(&m->type, &f);
        else if (f.num == 2)
            ok = take_str(&m->source, &f);
        else if (f.num == 3)
            ok = take_str(&m->target, &f);
        else if (f.num == 4)
            ok = append_option(m, &f);
    }
    return ok && !r.bad;
}

static bool append_mount(CreateReq *r, const PbField *f)
{
    ShimMount *m = realloc(r->mounts, (r->nmounts + 1) * sizeof *m);
    if (!m)
        return false;
    r->mounts = m;
    m = &r->mounts[r->nmounts++];
    *m = (ShimMount){0};
    return mount_decode(pb_sub(f), m);
}

/* CreateTaskRequest{id=1, bundle=2, rootfs=3, terminal=4, stdin=5, stdout=6, stderr=7,
 * checkpoint=8, parent_checkpoint=9, options=10}. options (runc's own settings) is
 * ignored; parent_checkpoint only matters with checkpoint, which is refused. */
static bool create_decode(const TtrpcCall *call, CreateReq *r)
{
    PbReader rd = pb_reader(call->payload, call->payload_len);
    PbField f;
    bool ok = true;
    while (ok && pb_next(&rd, &f)) {
        if (f.num == 4 && f.wire == PB_VARINT)
            r->terminal = f.u != 0;
        else if (f.wire != PB_LEN)
            continue;
        else if (f.num == 1)
            ok = take_str(&r->id, &f);
        else if (f.num == 2)
            ok = take_str(&r->bundle, &f);
        else if (f.num == 3)
            ok = append_mount(r, &f);
        else if (f.num == 5)
            ok = take_str(&r->stdin_path, &f);
        else if (f.num == 6)
            ok = take_str(&r->stdout_path, &f);
        else if (f.num == 7)
            ok = take_str(&r->stderr_path, &f);
        else if (f.num == 8)
            ok = take_str(&r->checkpoint, &f);
    }
    return ok && !rd.bad;
}

/* Reserves id in the map (a Task without container), so two Creates cannot race. */
static Task *reserve(ShimTasks *t, const char *id)
{
    Task *k = calloc(1, sizeof *k);
    if (!k || !(k->id = strdup(id))) {
        free(k);
        return NULL;
    }
    k->owner = t;
    pthread_mutex_lock(&t->lock);
    bool taken = find_locked(t, id) != NULL;
    if (!taken) {
        k->next = t->tasks;
        t->tasks = k;
    }
    pthread_mutex_unlock(&t->lock);
    if (taken) {
        task_free(k);
        return NULL;
    }
    return k;
}

static void unreserve(ShimTasks *t, Task *k)
{
    pthread_mutex_lock(&t->lock);
    unlink_locked(t, k);
    pthread_mutex_unlock(&t->lock);
    task_free(k);
}

static void create_task(ShimTasks *t, TtrpcCall *call, const CreateReq *r)
{
    Task *k = reserve(t, r->id);
    if (!k) {
        fail(call, r->id, SHIM_ALREADY_EXISTS, "task %s: already exists", r->id);
        return;
    }
    ShimCreate req = {.id = r->id,
                      .bundle = r->bundle,
                      .rootfs = r->mounts,
                      .nrootfs = r->nmounts,
                      .stdin_path = r->stdin_path,
                      .stdout_path = r->stdout_path,
                      .stderr_path = r->stderr_path,
                      .terminal = r->terminal,
                      .ns = t->ns,
                      .containerd_address = t->containerd_address};
    ShimContainer *c = NULL;
    uint32_t pid = 0;
    char *err = NULL;
    int code = shim_container_create(&req, task_exited, k, &c, &pid, &err);
    if (code != SHIM_OK) {
        unreserve(t, k);
        fail_owned(call, r->id, code, err);
        return;
    }
    pthread_mutex_lock(&t->lock);
    k->c = c;
    if (t->events) /* queued under the lock: before any event of this task's Start */
        shim_event_task_create(t->events, &req, pid);
    pthread_mutex_unlock(&t->lock);
    shim_log_add_bundle(r->bundle); /* the first container's FIFO goes with it */
    shim_log_id(r->id, "created (bundle %s, pid %u)", r->bundle, pid);
    pb_uint(&call->reply, 1, pid); /* CreateTaskResponse{pid=1} */
}

static void rpc_create(void *ud, TtrpcCall *call)
{
    CreateReq r = {0};
    if (!create_decode(call, &r))
        fail(call, NULL, SHIM_INVALID_ARGUMENT, "CreateTaskRequest is not a valid message");
    else if (!r.id || !*r.id)
        fail(call, NULL, SHIM_INVALID_ARGUMENT, "CreateTaskRequest without an id");
    else if (!r.bundle || !*r.bundle)
        fail(call, r.id, SHIM_INVALID_ARGUMENT, "CreateTaskRequest without a bundle");
    else if (r.checkpoint && *r.checkpoint)
        fail(call, r.id, SHIM_UNIMPLEMENTED,
             "checkpoint restore is not supported by the "
             "corral shim: a WebAssembly guest cannot be checkpointed");
    else
        create_task(ud, call, &r);
    create_free(&r);
}

/* ---- Start, State, Wait, Kill, Pids, Stats, Connect ---- */

static void rpc_start(void *ud, TtrpcCall *call)
{
    Req r;
    Task *k = req_task(ud, call, &r);
    if (k) {
        uint32_t pid = 0;
        char *err = NULL;
        int code = shim_container_start(k->c, &pid, &err);
        if (code == SHIM_OK) {
            task_started(ud, k, pid);
            shim_log_id(r.id, "started (pid %u)", pid);
            pb_uint(&call->reply, 1, pid); /* StartResponse{pid=1} */
        } else {
            fail_owned(call, r.id, code, err);
        }
        release(k);
    }
    req_free(&r);
}

static void rpc_state(void *ud, TtrpcCall *call)
{
    Req r;
    Task *k = req_task(ud, call, &r);
    if (k) {
        ShimState s = {0};
        shim_container_state(k->c, &s);
        /* StateResponse{id=1, bundle=2, pid=3, status=4, stdin=5, stdout=6, stderr=7,
         * terminal=8, exit_status=9, exited_at=10, exec_id=11 (empty: the init process)} */
        PbBuf *b = &call->reply;
        pb_str(b, 1, r.id);
        pb_str(b, 2, s.bundle);
        pb_uint(b, 3, s.pid);
        pb_uint(b, 4, s.status);
        pb_str(b, 5, s.stdin_path);
        pb_str(b, 6, s.stdout_path);
        pb_str(b, 7, s.stderr_path);
        pb_uint(b, 8, s.terminal);
        pb_uint(b, 9, s.exit_status);
        pb_timestamp(b, 10, &s.exited_at);
        release(k);
    }
    req_free(&r);
}

static void rpc_wait(void *ud, TtrpcCall *call)
{
    Req r;
    Task *k = req_task(ud, call, &r);
    if (k) {
        uint32_t status = 0;
        struct timespec at = {0};
        shim_container_wait(k->c, &status, &at);
        pb_uint(&call->reply, 1, status); /* WaitResponse{exit_status=1, exited_at=2} */
        pb_timestamp(&call->reply, 2, &at);
        release(k);
    }
    req_free(&r);
}

static void rpc_kill(void *ud, TtrpcCall *call)
{
    Req r;
    Task *k = req_task(ud, call, &r); /* KillRequest{id=1, exec_id=2, signal=3, all=4} */
    if (k) {
        char *err = NULL;
        /* all (every process of the container) changes nothing: a guest is one process */
        int code = shim_container_kill(k->c, (uint32_t)r.f3, &err);
        if (code != SHIM_OK)
            fail_owned(call, r.id, code, err);
        else
            shim_log_id(r.id, "signal %u delivered", (unsigned)r.f3);
        release(k);
    }
    req_free(&r);
}

static void rpc_pids(void *ud, TtrpcCall *call)
{
    Req r;
    Task *k = req_task(ud, call, &r);
    if (k) {
        ShimState s = {0};
        shim_container_state(k->c, &s);
        PbBuf info = {0}; /* PidsResponse{processes=1 repeated ProcessInfo{pid=1, info=2}} */
        pb_uint(&info, 1, s.pid);
        pb_msg(&call->reply, 1, &info);
        pb_buf_free(&info);
        release(k);
    }
    req_free(&r);
}

/* Stats as cgroups v1 Metrics (containerd 1.6 vendor/github.com/containerd/cgroups/stats/
 * v1/metrics.proto): Metrics{cpu=3 CPUStat{usage=1 CPUUsage{total=1}}, memory=4
 * MemoryStat{rss=2, usage=33 MemoryEntry{usage=2}}}: what a guest has, its CPU time and its
 * resident memory (CRI's ContainerStats, hence kubectl top, read these two). */
static void stats_encode(PbBuf *b, uint64_t memory, uint64_t cpu_ns)
{
    PbBuf entry = {0}, stat = {0}, metrics = {0}, usage = {0}, cpu = {0};
    pb_uint(&usage, 1, cpu_ns);
    pb_msg(&cpu, 1, &usage);
    pb_msg(&metrics, 3, &cpu);
    pb_uint(&entry, 2, memory);
    pb_uint(&stat, 2, memory);
    pb_msg(&stat, 33, &entry);
    pb_msg(&metrics, 4, &stat);
    pb_any(b, 1, "io.containerd.cgroups.v1.Metrics", &metrics); /* StatsResponse{stats=1} */
    pb_buf_free(&entry);
    pb_buf_free(&stat);
    pb_buf_free(&metrics);
    pb_buf_free(&usage);
    pb_buf_free(&cpu);
}

static void rpc_stats(void *ud, TtrpcCall *call)
{
    Req r;
    Task *k = req_task(ud, call, &r);
    if (k) {
        stats_encode(&call->reply, shim_container_memory(k->c), shim_container_cpu_ns(k->c));
        release(k);
    }
    req_free(&r);
}

static void rpc_connect(void *ud, TtrpcCall *call)
{
    Req r;
    Task *k = req_task(ud, call, &r);
    if (k) {
        ShimState s = {0};
        shim_container_state(k->c, &s);
        /* ConnectResponse{shim_pid=1, task_pid=2, version=3} */
        pb_uint(&call->reply, 1, (uint32_t)getpid());
        pb_uint(&call->reply, 2, s.pid);
        release(k);
    }
    req_free(&r);
}

/* ---- Delete, Shutdown ---- */

/* Takes the task out of reach of new calls and waits for those in flight. A running guest
 * is stopped first, since a Wait in flight returns only then. NULL: not found. */
static Task *take_for_delete(ShimTasks *t, const char *id)
{
    pthread_mutex_lock(&t->lock);
    Task *k = find_locked(t, id);
    if (!k || !k->c || k->deleting) {
        pthread_mutex_unlock(&t->lock);
        return NULL;
    }
    k->deleting = true;
    pthread_mutex_unlock(&t->lock);
    ShimState s = {0};
    shim_container_state(k->c, &s);
    /* A created task is stopped too: a Wait may already block on it (ctr run sends Wait
     * before Start), and busy would never drop to 0. */
    if (s.status != SHIM_STATUS_STOPPED) {
        char *err = NULL;
        if (shim_container_kill(k->c, SIGKILL, &err) != SHIM_OK)
            shim_log_id(id, "delete: SIGKILL failed: %s", err ? err : "?");
        free(err);
    }
    pthread_mutex_lock(&t->lock);
    while (k->busy > 0)
        pthread_cond_wait(&t->released, &t->lock);
    pthread_mutex_unlock(&t->lock);
    return k;
}

static void delete_task(ShimTasks *t, TtrpcCall *call, Task *k)
{
    ShimState fin = {0};
    char *err = NULL;
    int code = shim_container_delete(k->c, &fin, &err);
    if (code != SHIM_OK) {
        pthread_mutex_lock(&t->lock);
        k->deleting = false; /* containerd may try again */
        pthread_mutex_unlock(&t->lock);
        fail_owned(call, k->id, code, err);
        return;
    }
    pthread_mutex_lock(&t->lock);
    if (t->events && k->start_sent && !k->exit_sent) /* the guest stopped without a callback */
        shim_event_task_exit(t->events, k->id, fin.pid, fin.exit_status, fin.exited_at);
    if (t->events)
        shim_event_task_delete(t->events, k->id, fin.pid, fin.exit_status, fin.exited_at);
    unlink_locked(t, k);
    pthread_mutex_unlock(&t->lock);
    shim_log_id(k->id, "deleted (exit status %u)", fin.exit_status);
    /* DeleteResponse{pid=1, exit_status=2, exited_at=3} */
    pb_uint(&call->reply, 1, fin.pid);
    pb_uint(&call->reply, 2, fin.exit_status);
    pb_timestamp(&call->reply, 3, &fin.exited_at);
    task_free(k);
}

static void rpc_delete(void *ud, TtrpcCall *call)
{
    Req r;
    if (!req_decode(call, &r))
        return;
    if (r.exec_id && *r.exec_id) {
        fail(call, r.id, SHIM_NOT_FOUND, "exec %s: not found (the corral shim runs no execs)",
             r.exec_id);
    } else {
        Task *k = take_for_delete(ud, r.id);
        if (k)
            delete_task(ud, call, k);
        else
            fail(call, r.id, SHIM_NOT_FOUND, "task %s: not found", r.id);
    }
    req_free(&r);
}

/* ShutdownRequest{id=1, now=2}: the shim exits once no task is left, or at once with now.
 * The reply goes out first; the server then stops and shim_main exits. */
static void rpc_shutdown(void *ud, TtrpcCall *call)
{
    Req r;
    if (!req_decode(call, &r))
        return;
    size_t left = shim_tasks_count(ud);
    if (left == 0 || r.f2) {
        shim_log("shutdown%s (%zu tasks left)", r.f2 ? " now" : "", left);
        call->stop_after_reply = true;
    }
    req_free(&r);
}

/* ---- what a WebAssembly guest does not have ---- */

/* why completes "X is not supported by the corral shim". */
static void unsupported(TtrpcCall *call, const char *what, const char *why)
{
    Req r;
    if (req_decode(call, &r))
        fail(call, r.id, SHIM_UNIMPLEMENTED, "%s is not supported by the corral shim%s", what, why);
    req_free(&r);
}

static void rpc_pause(void *ud, TtrpcCall *call)
{
    unsupported(call, "pause", ": a guest cannot be frozen");
}

static void rpc_resume(void *ud, TtrpcCall *call)
{
    unsupported(call, "resume", ": a guest is never paused");
}

static void rpc_checkpoint(void *ud, TtrpcCall *call)
{
    unsupported(call, "checkpoint", "");
}

static void rpc_exec(void *ud, TtrpcCall *call)
{
    unsupported(call, "exec", ": a WebAssembly guest is one process");
}

static void rpc_resize_pty(void *ud, TtrpcCall *call)
{
    unsupported(call, "resize-pty", ": a guest has no terminal");
}

static void rpc_close_io(void *ud, TtrpcCall *call)
{
    unsupported(call, "close-io", "");
}

static void rpc_update(void *ud, TtrpcCall *call)
{
    unsupported(call, "update", ": a guest's limits are fixed when it is created");
}

#define TASK_SERVICE "containerd.task.v2.Task"

static const TtrpcMethod methods[] = {
    {TASK_SERVICE, "State", rpc_state},
    {TASK_SERVICE, "Create", rpc_create},
    {TASK_SERVICE, "Start", rpc_start},
    {TASK_SERVICE, "Delete", rpc_delete},
    {TASK_SERVICE, "Pids", rpc_pids},
    {TASK_SERVICE, "Pause", rpc_pause},
    {TASK_SERVICE, "Resume", rpc_resume},
    {TASK_SERVICE, "Checkpoint", rpc_checkpoint},
    {TASK_SERVICE, "Kill", rpc_kill},
    {TASK_SERVICE, "Exec", rpc_exec},
    {TASK_SERVICE, "ResizePty", rpc_resize_pty},
    {TASK_SERVICE, "CloseIO", rpc_close_io},
    {TASK_SERVICE, "Update", rpc_update},
    {TASK_SERVICE, "Wait", rpc_wait},
    {TASK_SERVICE, "Stats", rpc_stats},
    {TASK_SERVICE, "Connect", rpc_connect},
    {TASK_SERVICE, "Shutdown", rpc_shutdown},
};

const TtrpcMethod *shim_task_methods(size_t *out_n)
{
    *out_n = sizeof methods / sizeof methods[0];
    return methods;
}
