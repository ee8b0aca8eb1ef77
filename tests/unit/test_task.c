/* test_task.c: the containerd.task.v2.Task service over a real unix socket, on a fake
 * runtime defined here (every shim_container_* function, so the archive's container.o is
 * never linked in): Create -> Connect -> Start -> State -> Wait (blocking until the fake
 * guest is killed) -> Delete -> Shutdown; Unimplemented, NotFound and AlreadyExists; a
 * guest that exits inside Start; Delete while a Wait blocks; and the events received by a
 * fake containerd Events service, in order. */
#include "shim/address.h"
#include "shim/container.h"
#include "shim/events.h"
#include "shim/log.h"
#include "shim/task.h"
#include "shim/ttrpc.h"
#include "unit.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the fake runtime ---- */

enum { FAKE_PID = 4242 };

struct ShimContainer {
    char *id;
    char *bundle, *stdout_path;
    ShimStatus status;
    uint32_t exit_status;
    struct timespec exited_at;
    ShimExitFn on_exit;
    void *ud;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t fake_nmounts, fake_noptions, fake_live, fake_waiting;
static char fake_stdout[64], fake_ns[32], fake_opt0[64];

int shim_container_create(const ShimCreate *req, ShimExitFn on_exit, void *ud, ShimContainer **out,
                          uint32_t *out_pid, char **out_err)
{
    if (strcmp(req->bundle, "/b/fail") == 0) {
        *out_err = strdup("config.json: no process.args");
        return SHIM_INVALID_ARGUMENT;
    }
    ShimContainer *c = calloc(1, sizeof *c);
    c->id = strdup(req->id);
    c->bundle = strdup(req->bundle);
    c->stdout_path = strdup(req->stdout_path ? req->stdout_path : "");
    c->status = SHIM_STATUS_CREATED;
    c->on_exit = on_exit;
    c->ud = ud;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    pthread_mutex_lock(&fake_lock);
    fake_nmounts = req->nrootfs;
    fake_noptions = req->nrootfs ? req->rootfs[0].noptions : 0;
    snprintf(fake_opt0, sizeof fake_opt0, "%s", fake_noptions ? req->rootfs[0].options[0] : "");
    snprintf(fake_stdout, sizeof fake_stdout, "%s", req->stdout_path ? req->stdout_path : "");
    snprintf(fake_ns, sizeof fake_ns, "%s", req->ns);
    fake_live++;
    pthread_mutex_unlock(&fake_lock);
    *out = c;
    *out_pid = FAKE_PID;
    return SHIM_OK;
}

/* Stops a running guest with status and tells the task service, as the runtime would. */
static void fake_stop(ShimContainer *c, uint32_t status)
{
    pthread_mutex_lock(&c->mu);
    bool was_running = c->status == SHIM_STATUS_RUNNING;
    if (c->status != SHIM_STATUS_STOPPED) { /* a created one stops too, as the runtime's */
        c->status = SHIM_STATUS_STOPPED;
        c->exit_status = status;
        clock_gettime(CLOCK_REALTIME, &c->exited_at);
        pthread_cond_broadcast(&c->cv);
    }
    pthread_mutex_unlock(&c->mu);
    if (was_running)
        c->on_exit(c->ud, c, FAKE_PID, status, c->exited_at);
}

int shim_container_start(ShimContainer *c, uint32_t *out_pid, char **out_err)
{
    pthread_mutex_lock(&c->mu);
    if (c->status != SHIM_STATUS_CREATED) {
        pthread_mutex_unlock(&c->mu);
        *out_err = strdup("already started");
        return SHIM_FAILED_PRECONDITION;
    }
    c->status = SHIM_STATUS_RUNNING;
    pthread_mutex_unlock(&c->mu);
    if (strcmp(c->bundle, "/b/early") == 0) /* the guest ends before Start has returned */
        fake_stop(c, 3);
    *out_pid = FAKE_PID;
    return SHIM_OK;
}

void shim_container_state(ShimContainer *c, ShimState *out)
{
    pthread_mutex_lock(&c->mu);
    *out = (ShimState){.status = c->status,
                       .pid = FAKE_PID,
                       .exit_status = c->exit_status,
                       .exited_at = c->exited_at,
                       .bundle = c->bundle,
                       .stdout_path = c->stdout_path};
    pthread_mutex_unlock(&c->mu);
}

int shim_container_kill(ShimContainer *c, uint32_t signal, char **out_err)
{
    pthread_mutex_lock(&c->mu);
    bool running = c->status != SHIM_STATUS_STOPPED;
    pthread_mutex_unlock(&c->mu);
    if (!running) {
        *out_err = strdup("process already finished");
        return SHIM_NOT_FOUND;
    }
    fake_stop(c, 128 + signal);
    return SHIM_OK;
}

void shim_container_wait(ShimContainer *c, uint32_t *out_exit_status,
                         struct timespec *out_exited_at)
{
    pthread_mutex_lock(&fake_lock);
    fake_waiting++;
    pthread_mutex_unlock(&fake_lock);
    pthread_mutex_lock(&c->mu);
    while (c->status != SHIM_STATUS_STOPPED) /* created ones too: ctr run waits first */
        pthread_cond_wait(&c->cv, &c->mu);
    *out_exit_status = c->exit_status;
    *out_exited_at = c->exited_at;
    pthread_mutex_unlock(&c->mu);
}

uint64_t shim_container_memory(ShimContainer *c)
{
    return 65536 * 3;
}

uint64_t shim_container_cpu_ns(ShimContainer *c)
{
    return 123456789;
}

int shim_container_delete(ShimContainer *c, ShimState *out_final, char **out_err)
{
    fake_stop(c, 128 + SIGKILL);
    shim_container_state(c, out_final);
    out_final->bundle = NULL;
    out_final->stdout_path = NULL;
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    free(c->id);
    free(c->bundle);
    free(c->stdout_path);
    free(c);
    pthread_mutex_lock(&fake_lock);
    fake_live--;
    pthread_mutex_unlock(&fake_lock);
    return SHIM_OK;
}

const char *shim_container_id(const ShimContainer *c)
{
    return c->id;
}

int shim_container_cleanup(const char *bundle, char **out_err)
{
    return SHIM_OK;
}

/* ---- message helpers ---- */

static bool field(const uint8_t *p, size_t len, uint32_t num, PbField *out)
{
    PbReader r = pb_reader(p, len);
    while (pb_next(&r, out)) {
        if (out->num == num)
            return true;
    }
    return false;
}

static uint64_t get_u(const PbBuf *b, uint32_t num)
{
    PbField f;
    return field(b->data, b->len, num, &f) && f.wire == PB_VARINT ? f.u : 0;
}

/* A string field into a static buffer ("" when absent). */
static const char *get_s(const uint8_t *p, size_t len, uint32_t num)
{
    static _Thread_local char s[4][256]; /* the fake Events service runs on other threads */
    static _Thread_local int k;
    char *out = s[k++ % 4];
    PbField f;
    out[0] = '\0';
    if (field(p, len, num, &f) && f.wire == PB_LEN)
        snprintf(out, 256, "%.*s", (int)f.len, (const char *)f.data);
    return out;
}

/* ---- the fake containerd Events service ---- */

typedef struct Seen {
    char topic[32], type[64], ns[32], container[32];
} Seen;

static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static Seen seen[64];
static int nseen;

static void ev_forward(void *ud, TtrpcCall *call)
{
    PbField env, any;
    if (!field(call->payload, call->payload_len, 1, &env)) {
        call->code = 3;
        return;
    }
    Seen s = {0};
    snprintf(s.ns, sizeof s.ns, "%s", get_s(env.data, env.len, 2));
    snprintf(s.topic, sizeof s.topic, "%s", get_s(env.data, env.len, 3));
    if (field(env.data, env.len, 4, &any)) {
        snprintf(s.type, sizeof s.type, "%s", get_s(any.data, any.len, 1));
        PbField v;
        if (field(any.data, any.len, 2, &v))
            snprintf(s.container, sizeof s.container, "%s", get_s(v.data, v.len, 1));
    }
    pthread_mutex_lock(&seen_lock);
    if (nseen < 64)
        seen[nseen++] = s;
    pthread_mutex_unlock(&seen_lock);
}

static const TtrpcMethod ev_methods[] = {
    {"containerd.services.events.ttrpc.v1.Events", "Forward", ev_forward},
};

/* The topics seen for container id, joined: "create,start,exit,delete". */
static const char *topics_of(const char *id)
{
    static char out[256];
    out[0] = '\0';
    pthread_mutex_lock(&seen_lock);
    for (int i = 0; i < nseen; i++) {
        if (strcmp(seen[i].container, id) == 0) {
            strcat(out, *out ? "," : "");
            strcat(out, seen[i].topic + strlen("/tasks/"));
        }
    }
    pthread_mutex_unlock(&seen_lock);
    return out;
}

/* ---- the calls ---- */

static char shim_sock[108];

static int call(TtrpcClient *c, const char *method, const PbBuf *req, PbBuf *reply, char **err)
{
    if (reply)
        *reply = (PbBuf){0};
    char *e = NULL;
    int code =
        ttrpc_client_call(c, "containerd.task.v2.Task", method, req, 5000, "testns", reply, &e);
    if (err)
        *err = e;
    else
        free(e);
    return code;
}

/* A request of the common shape {id=1, exec_id=2}. */
static int call_id(TtrpcClient *c, const char *method, const char *id, const char *exec_id,
                   PbBuf *reply)
{
    PbBuf req = {0};
    pb_str(&req, 1, id);
    pb_str(&req, 2, exec_id);
    int code = call(c, method, &req, reply, NULL);
    pb_buf_free(&req);
    return code;
}

static int create(TtrpcClient *c, const char *id, const char *bundle, PbBuf *reply, char **err)
{
    PbBuf req = {0}, m = {0};
    pb_str(&req, 1, id);
    pb_str(&req, 2, bundle);
    pb_str(&m, 1, "overlay");
    pb_str(&m, 2, "overlay");
    pb_str(&m, 4, "index=off");
    pb_str(&m, 4, "workdir=/w");
    pb_str(&m, 4, "upperdir=/u");
    pb_str(&m, 4, "lowerdir=/l");
    pb_msg(&req, 3, &m);
    pb_str(&req, 6, "/run/containerd/fifo/1/x-stdout");
    pb_str(&req, 7, "/run/containerd/fifo/1/x-stderr");
    int code = call(c, "Create", &req, reply, err);
    pb_buf_free(&req);
    pb_buf_free(&m);
    return code;
}

typedef struct WaitArg {
    const char *id;
    int code;
    uint32_t status;
    int64_t exited_sec;
    atomic_int done;
} WaitArg;

static void *wait_thread(void *arg)
{
    WaitArg *w = arg;
    TtrpcClient *c = ttrpc_client_connect(shim_sock);
    PbBuf reply;
    w->code = call_id(c, "Wait", w->id, NULL, &reply);
    w->status = (uint32_t)get_u(&reply, 1);
    PbField ts;
    if (field(reply.data, reply.len, 2, &ts)) {
        PbReader r = pb_sub(&ts);
        PbField f;
        while (pb_next(&r, &f)) {
            if (f.num == 1)
                w->exited_sec = (int64_t)f.u;
        }
    }
    pb_buf_free(&reply);
    ttrpc_client_close(c);
    w->done = 1;
    return NULL;
}

/* Waits (5 s at most) until n Wait calls have reached the runtime in all. */
static void await_waiting(size_t n)
{
    for (int i = 0; i < 500; i++) {
        pthread_mutex_lock(&fake_lock);
        bool there = fake_waiting >= n;
        pthread_mutex_unlock(&fake_lock);
        if (there)
            return;
        usleep(10000);
    }
}

static void test_lifecycle(TtrpcClient *c)
{
    PbBuf r;
    char *err = NULL;
    CHECK(create(c, "c1", "/b/ok", &r, &err) == 0 && get_u(&r, 1) == FAKE_PID,
          "Create answers the pid");
    free(err);
    pb_buf_free(&r);
    CHECK(fake_nmounts == 1 && fake_noptions == 4 && strcmp(fake_opt0, "index=off") == 0,
          "the runtime got the rootfs mount with its options");
    CHECK(strcmp(fake_stdout, "/run/containerd/fifo/1/x-stdout") == 0 &&
              strcmp(fake_ns, "testns") == 0,
          "the runtime got the stdout FIFO and the namespace");
    CHECK(create(c, "c1", "/b/ok", NULL, &err) == SHIM_ALREADY_EXISTS, "same id: AlreadyExists");
    free(err);

    CHECK(call_id(c, "Connect", "c1", NULL, &r) == 0 && get_u(&r, 1) == (uint64_t)getpid() &&
              get_u(&r, 2) == FAKE_PID,
          "Connect: shim pid and task pid");
    pb_buf_free(&r);
    CHECK(call_id(c, "Start", "c1", NULL, &r) == 0 && get_u(&r, 1) == FAKE_PID, "Start");
    pb_buf_free(&r);
    CHECK(call_id(c, "State", "c1", NULL, &r) == 0 && get_u(&r, 4) == SHIM_STATUS_RUNNING &&
              get_u(&r, 3) == FAKE_PID && strcmp(get_s(r.data, r.len, 1), "c1") == 0 &&
              strcmp(get_s(r.data, r.len, 2), "/b/ok") == 0,
          "State: running, id, bundle, pid");
    pb_buf_free(&r);

    WaitArg w = {.id = "c1"};
    pthread_t t;
    pthread_create(&t, NULL, wait_thread, &w);
    await_waiting(1);
    usleep(100000);
    CHECK(!w.done, "Wait blocks while the guest runs");
    CHECK(call_id(c, "State", "c1", NULL, &r) == 0, "State is served while Wait blocks");
    pb_buf_free(&r);
    PbBuf kill = {0};
    pb_str(&kill, 1, "c1");
    pb_uint(&kill, 3, SIGKILL);
    CHECK(call(c, "Kill", &kill, NULL, NULL) == 0, "Kill SIGKILL");
    pthread_join(t, NULL);
    CHECK(w.code == 0 && w.status == 137 && w.exited_sec > 0, "Wait returns 137 and exited_at");
    CHECK(call(c, "Kill", &kill, NULL, &err) == SHIM_NOT_FOUND, "Kill after exit: runtime error");
    free(err);
    pb_buf_free(&kill);

    CHECK(call_id(c, "State", "c1", NULL, &r) == 0 && get_u(&r, 4) == SHIM_STATUS_STOPPED &&
              get_u(&r, 9) == 137,
          "State: stopped, exit status 137");
    pb_buf_free(&r);
    PbField f;
    CHECK(call_id(c, "Pids", "c1", NULL, &r) == 0 && field(r.data, r.len, 1, &f) &&
              get_u(&(PbBuf){.data = (uint8_t *)f.data, .len = f.len}, 1) == FAKE_PID,
          "Pids: a ProcessInfo with the pid");
    pb_buf_free(&r);
    CHECK(call_id(c, "Stats", "c1", NULL, &r) == 0 && field(r.data, r.len, 1, &f) &&
              strcmp(get_s(f.data, f.len, 1), "io.containerd.cgroups.v1.Metrics") == 0,
          "Stats: an Any of cgroups v1 Metrics");
    /* Any.value = Metrics{cpu=3 {usage=1 {total=1}}, memory=4 {rss=2, usage=33 {usage=2}}} */
    PbField v, m, u;
    bool cpu_ok = field(f.data, f.len, 2, &v) && field(v.data, v.len, 3, &m) &&
                  field(m.data, m.len, 1, &u) &&
                  get_u(&(PbBuf){.data = (uint8_t *)u.data, .len = u.len}, 1) == 123456789;
    bool mem_ok = field(v.data, v.len, 4, &m) &&
                  get_u(&(PbBuf){.data = (uint8_t *)m.data, .len = m.len}, 2) == 65536 * 3;
    CHECK(cpu_ok && mem_ok, "Stats: the runtime's CPU time and resident memory");
    pb_buf_free(&r);
    CHECK(call_id(c, "Delete", "c1", NULL, &r) == 0 && get_u(&r, 2) == 137 &&
              get_u(&r, 1) == FAKE_PID,
          "Delete: pid and exit status");
    pb_buf_free(&r);
    CHECK(call_id(c, "Delete", "c1", NULL, NULL) == SHIM_NOT_FOUND, "Delete twice: NotFound");
    CHECK(call_id(c, "State", "c1", NULL, NULL) == SHIM_NOT_FOUND, "State after Delete: NotFound");
}

static void test_refusals(TtrpcClient *c)
{
    PbBuf r;
    char *err = NULL;
    CHECK(create(c, "c9", "/b/ok", NULL, NULL) == 0, "Create c9");
    PbBuf req = {0};
    pb_str(&req, 1, "c9");
    pb_str(&req, 2, "e1");
    CHECK(call(c, "Exec", &req, NULL, &err) == SHIM_UNIMPLEMENTED && err && strstr(err, "exec"),
          "Exec: Unimplemented, saying exec");
    free(err);
    pb_buf_free(&req);
    const char *unimpl[] = {"Pause", "Resume", "Checkpoint", "ResizePty", "CloseIO", "Update"};
    int n = 0;
    for (size_t i = 0; i < sizeof unimpl / sizeof unimpl[0]; i++)
        n += call_id(c, unimpl[i], "c9", NULL, NULL) == SHIM_UNIMPLEMENTED;
    CHECK(n == 6, "Pause, Resume, Checkpoint, ResizePty, CloseIO, Update: Unimplemented");
    CHECK(call_id(c, "State", "c9", "e1", NULL) == SHIM_NOT_FOUND, "State of an exec: NotFound");
    CHECK(call_id(c, "Wait", "c9", "e1", NULL) == SHIM_NOT_FOUND, "Wait of an exec: NotFound");
    CHECK(call_id(c, "Delete", "c9", "e1", NULL) == SHIM_NOT_FOUND, "Delete of an exec: NotFound");
    CHECK(call_id(c, "State", "nope", NULL, NULL) == SHIM_NOT_FOUND, "unknown id: NotFound");
    CHECK(call_id(c, "Start", "nope", NULL, NULL) == SHIM_NOT_FOUND, "Start unknown: NotFound");
    CHECK(create(c, "bad", "/b/fail", NULL, &err) == SHIM_INVALID_ARGUMENT && err &&
              strcmp(err, "config.json: no process.args") == 0,
          "a runtime error reaches the client");
    free(err);
    CHECK(create(c, "bad", "/b/ok", NULL, NULL) == 0, "the id is free again after a failure");
    CHECK(call_id(c, "Delete", "bad", NULL, NULL) == 0, "Delete of a created task");
    CHECK(call_id(c, "Delete", "c9", NULL, &r) == 0 && get_u(&r, 2) == 128 + SIGKILL,
          "Delete of a never started task: killed, 137");
    pb_buf_free(&r);
    CHECK(ttrpc_client_call(c, "containerd.task.v2.Nope", "State", &req, 2000, NULL, NULL, NULL) ==
              SHIM_UNIMPLEMENTED,
          "unknown service: Unimplemented");
    uint8_t junk[] = {0xff, 0xff};
    PbBuf j = {.data = junk, .len = 2, .cap = 2};
    CHECK(call(c, "State", &j, NULL, NULL) == SHIM_INVALID_ARGUMENT, "garbage request refused");
    CHECK(call(c, "Create", &j, NULL, NULL) == SHIM_INVALID_ARGUMENT, "garbage Create refused");
}

static void test_early_exit(TtrpcClient *c)
{
    CHECK(create(c, "c2", "/b/early", NULL, NULL) == 0, "Create c2");
    CHECK(call_id(c, "Start", "c2", NULL, NULL) == 0, "Start c2 (exits inside Start)");
    PbBuf r;
    CHECK(call_id(c, "Wait", "c2", NULL, &r) == 0 && get_u(&r, 1) == 3, "Wait c2: status 3");
    pb_buf_free(&r);
    CHECK(call_id(c, "Delete", "c2", NULL, NULL) == 0, "Delete c2");
}

static void test_delete_while_waiting(TtrpcClient *c)
{
    CHECK(create(c, "c4", "/b/ok", NULL, NULL) == 0 && call_id(c, "Start", "c4", NULL, NULL) == 0,
          "Create and Start c4");
    WaitArg w = {.id = "c4"};
    pthread_t t;
    pthread_mutex_lock(&fake_lock);
    size_t before = fake_waiting;
    pthread_mutex_unlock(&fake_lock);
    pthread_create(&t, NULL, wait_thread, &w);
    await_waiting(before + 1); /* the Wait is in the runtime when Delete comes */
    PbBuf r;
    CHECK(call_id(c, "Delete", "c4", NULL, &r) == 0 && get_u(&r, 2) == 137,
          "Delete of a running task stops it: 137");
    pb_buf_free(&r);
    pthread_join(t, NULL);
    CHECK(w.code == 0 && w.status == 137, "the blocked Wait returned before the delete");
}

/* ctr run sends Wait before Start: a Delete of a task never started must stop it, so the
 * Wait returns and the Delete does not hang on it (regression: it waited forever). */
static void test_delete_created_while_waiting(TtrpcClient *c)
{
    CHECK(create(c, "c5", "/b/ok", NULL, NULL) == 0, "Create c5");
    WaitArg w = {.id = "c5"};
    pthread_t t;
    pthread_mutex_lock(&fake_lock);
    size_t before = fake_waiting;
    pthread_mutex_unlock(&fake_lock);
    pthread_create(&t, NULL, wait_thread, &w);
    await_waiting(before + 1);
    PbBuf r;
    CHECK(call_id(c, "Delete", "c5", NULL, &r) == 0 && get_u(&r, 2) == 137,
          "Delete of a created task with a Wait pending: 137");
    pb_buf_free(&r);
    pthread_join(t, NULL);
    CHECK(w.code == 0 && w.status == 137, "the Wait on the created task returned");
}

static void test_shutdown(TtrpcClient *c, pthread_t server_thread, int *run_rc)
{
    CHECK(create(c, "c3", "/b/ok", NULL, NULL) == 0, "Create c3");
    PbBuf req = {0};
    CHECK(call(c, "Shutdown", &req, NULL, NULL) == 0, "Shutdown with a task left: OK");
    usleep(100000);
    CHECK(call_id(c, "State", "c3", NULL, NULL) == 0, "still serving after that Shutdown");
    CHECK(call_id(c, "Delete", "c3", NULL, NULL) == 0, "Delete c3");
    CHECK(call(c, "Shutdown", &req, NULL, NULL) == 0, "Shutdown with no task: answered");
    pthread_join(server_thread, NULL);
    CHECK(*run_rc == 0, "the server stopped after Shutdown");
}

static void check_events(void)
{
    CHECK(strcmp(topics_of("c1"), "create,start,exit,delete") == 0, "c1 events in order");
    CHECK(strcmp(topics_of("c2"), "create,start,exit,delete") == 0,
          "c2: exit inside Start still after start");
    CHECK(strcmp(topics_of("c3"), "create,delete") == 0, "c3 never started: create, delete");
    CHECK(strcmp(topics_of("c4"), "create,start,exit,delete") == 0, "c4 events in order");
    CHECK(strcmp(topics_of("bad"), "create,delete") == 0, "failed Create published nothing");
    int ok = 1;
    pthread_mutex_lock(&seen_lock);
    for (int i = 0; i < nseen; i++) {
        const char *t = seen[i].topic + strlen("/tasks/");
        char want[64];
        snprintf(want, sizeof want, "containerd.events.Task%c%s", t[0] - 'a' + 'A', t + 1);
        ok &= strcmp(seen[i].type, want) == 0 && strcmp(seen[i].ns, "testns") == 0;
    }
    pthread_mutex_unlock(&seen_lock);
    CHECK(ok, "type URLs containerd.events.TaskX and namespace testns");
}

static int run_rc = -7;

static void *run_thread(void *arg)
{
    run_rc = ttrpc_server_run(arg);
    return NULL;
}

static void *ev_run_thread(void *arg)
{
    (void)ttrpc_server_run(arg);
    return NULL;
}

int main(void)
{
    char dir[] = "/tmp/corral-task-XXXXXX", ev_sock[108];
    if (!mkdtemp(dir))
        return 1;
    if (!getenv("UNIT_VERBOSE")) /* the shim's log lines, wanted only when debugging */
        shim_log_set_fd(open("/dev/null", O_WRONLY | O_CLOEXEC));
    snprintf(ev_sock, sizeof ev_sock, "%s/ev", dir);
    snprintf(shim_sock, sizeof shim_sock, "%s/shim", dir);
    TtrpcServer *ev_srv = ttrpc_server_new(shim_socket_listen(ev_sock), ev_methods, 1, NULL);
    pthread_t ev_t, t;
    pthread_create(&ev_t, NULL, ev_run_thread, ev_srv);

    ShimEvents *events = shim_events_new(ev_sock, "testns");
    ShimTasks *tasks = shim_tasks_new("testns", "/run/containerd/containerd.sock", events);
    size_t n;
    const TtrpcMethod *m = shim_task_methods(&n);
    CHECK(n == 17, "17 task methods");
    TtrpcServer *srv = ttrpc_server_new(shim_socket_listen(shim_sock), m, n, tasks);
    pthread_create(&t, NULL, run_thread, srv);

    TtrpcClient *c = ttrpc_client_connect(shim_sock);
    CHECK(c != NULL, "connect to the task service");
    test_lifecycle(c);
    test_refusals(c);
    test_early_exit(c);
    test_delete_created_while_waiting(c);
    test_delete_while_waiting(c);
    test_shutdown(c, t, &run_rc);
    ttrpc_client_close(c);
    ttrpc_server_free(srv);
    CHECK(shim_tasks_count(tasks) == 0 && fake_live == 0, "no task and no container left");
    shim_tasks_free(tasks);
    CHECK(shim_events_drain(events, 5000), "events drained");
    check_events();
    shim_events_free(events);

    ttrpc_server_stop(ev_srv);
    pthread_join(ev_t, NULL);
    ttrpc_server_free(ev_srv);
    unlink(ev_sock);
    unlink(shim_sock);
    rmdir(dir);
    return unit_report("test_task");
}
