/* container.c: the containers of container.h: a state machine (created, running, stopped)
 * under one lock per container, over the pieces in bundle.c (config.json), rootfs.c (mounts,
 * reading the module), guest.c (the guest on its thread) and wagi_child.c (a WAGI app's
 * gateway process). It owns the stdio FIFOs and the exit bookkeeping; it never blocks while
 * holding its lock (the exit callback and thread joins happen outside it).
 *
 * pid: an in-process guest has no process of its own, so its pid is the shim's (what
 * `ctr task ls` shows and what containerd's Pids lists); a WAGI app's is its gateway child's. */
#include "shim/ctd_content.h"
#include "shim/log.h"
#include "shim/shim_int.h"
#include "util/strf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* How long opening a stdout/stderr FIFO waits for containerd's reading side. */
#define FIFO_OPEN_TIMEOUT_MS 2000

/* ---- messages ---- */

void shim_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vstrf(fmt, ap);
    va_end(ap);
    shim_log("%s", msg ? msg : fmt); /* the one line that decides where messages go */
    free(msg);
}

int shim_fail(char **out_err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vstrf(fmt, ap);
    va_end(ap);
    shim_note("%s", msg ? msg : fmt);
    if (out_err) {
        free(*out_err);
        *out_err = msg;
    } else
        free(msg);
    return code;
}

/* ---- the container ---- */

struct ShimContainer {
    char *id, *bundle_dir, *stdin_path, *stdout_path, *stderr_path;
    bool terminal;
    Bundle b;
    Rootfs rootfs;
    int fds[3];      /* the stdio FIFOs (-1: none) */
    Guest *guest;    /* a WebAssembly guest, or */
    WagiChild *wagi; /* a WAGI app's gateway (made at start) */
    char *toml;      /* the WAGI app's modules.toml on the host */
    uint32_t pid;
    ShimExitFn on_exit;
    void *ud;
    pthread_mutex_t lock;
    pthread_cond_t stopped; /* signalled when status becomes STOPPED */
    ShimStatus status;
    bool stopping; /* the stop is recorded (exit_status, exited_at); STOPPED once reported */
    uint32_t exit_status;
    struct timespec exited_at;
};

static struct timespec now_realtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts;
}

/* Closes the shim's ends of the stdio FIFOs (under the lock). containerd's client copies
 * the output until every writer is gone and only then sends Delete (task.Delete waits for
 * its IO), so they must close when the guest stops, as a process's would, not at Delete. */
static void close_stdio_locked(ShimContainer *c)
{
    for (int i = 0; i < 3; i++)
        if (c->fds[i] >= 0) {
            close(c->fds[i]);
            c->fds[i] = -1;
        }
}

/* Records the stop (once), closes the stdio and tells the task service, then wakes the
 * waiters: a Wait returns only after the exit callback (which queues /tasks/exit) has run.
 * The callback runs without the lock held. Called from the guest's thread (which uses the
 * stdio no more), the reaper or a kill of a container never started. */
static void mark_stopped(ShimContainer *c, uint32_t status)
{
    pthread_mutex_lock(&c->lock);
    bool first = !c->stopping;
    if (first) {
        c->stopping = true;
        c->exit_status = status;
        c->exited_at = now_realtime();
        close_stdio_locked(c);
    }
    struct timespec at = c->exited_at;
    pthread_mutex_unlock(&c->lock);
    if (!first)
        return;
    shim_log_id(c->id, "stopped, exit status %u", status);
    if (c->on_exit)
        c->on_exit(c->ud, c, c->pid, status, at);
    pthread_mutex_lock(&c->lock);
    c->status = SHIM_STATUS_STOPPED;
    pthread_cond_broadcast(&c->stopped);
    pthread_mutex_unlock(&c->lock);
}

static void guest_done(void *ud, uint32_t status)
{
    mark_stopped(ud, status);
}

/* ---- stdio ---- */

/* Opens a stdout/stderr FIFO for writing without blocking forever: O_NONBLOCK fails with
 * ENXIO while nobody reads, so it retries until FIFO_OPEN_TIMEOUT_MS (containerd opens its
 * side before Create; a regular file opens at once). The descriptor stays non-blocking:
 * WASI waits for room through poll (so a guest whose reader stalls can still be killed:
 * a blocking write to a full pipe could not be interrupted), and a WAGI child gets it made
 * blocking again. */
static int open_output(const char *path, char **out_err)
{
    for (int waited = 0;; waited += 10) {
        int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_APPEND);
        if (fd >= 0)
            return fd;
        if (errno != ENXIO || waited >= FIFO_OPEN_TIMEOUT_MS) {
            shim_fail(out_err, SHIM_FAILED_PRECONDITION, "cannot open %s: %s", path,
                      errno == ENXIO ? "no reader on the FIFO" : strerror(errno));
            return -1;
        }
        usleep(10 * 1000);
    }
}

static int open_stdio(ShimContainer *c, char **out_err)
{
    if (c->stdin_path) {
        /* O_NONBLOCK so a FIFO without a writer yet does not hold create; then blocking, as
         * a process's stdin is (WASI's reads still wait through poll, so a kill wakes them). */
        if ((c->fds[0] = open(c->stdin_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
            return shim_fail(out_err, SHIM_FAILED_PRECONDITION, "cannot open %s: %s", c->stdin_path,
                             strerror(errno));
        fcntl(c->fds[0], F_SETFL, fcntl(c->fds[0], F_GETFL) & ~O_NONBLOCK);
    }
    if (c->stdout_path && (c->fds[1] = open_output(c->stdout_path, out_err)) < 0)
        return SHIM_FAILED_PRECONDITION;
    if (c->stderr_path && (c->fds[2] = open_output(c->stderr_path, out_err)) < 0)
        return SHIM_FAILED_PRECONDITION;
    return SHIM_OK;
}

/* ---- what to run ---- */

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && !strcmp(s + n - m, tail);
}

/* A WAGI app: args[0] is a modules.toml, or no args and the image has /modules.toml. */
static int setup_wagi(ShimContainer *c, char **out_err)
{
    const char *rel = c->b.nargs ? c->b.args[0] : "/modules.toml";
    /* Resolved inside the rootfs, so the gateway (which reads it from the host) cannot be
     * pointed outside by ".." or a symlink; --root confines what the file names. */
    if (!(c->toml = rootfs_resolve(c->rootfs.path, c->b.cwd, rel)))
        return shim_fail(out_err, SHIM_NOT_FOUND, "WAGI app %s: not found in the image's rootfs",
                         rel);
    return SHIM_OK;
}

/* The wasm layer of the image the annotations name, from containerd's content store. */
static int read_image(ShimContainer *c, const ShimCreate *req, uint8_t **out, size_t *out_len,
                      char **out_err)
{
    if (!req->containerd_address || !*req->containerd_address)
        return shim_fail(out_err, SHIM_FAILED_PRECONDITION,
                         "image %s: no containerd address to read it from", c->b.image);
    return ctd_read_wasm_image(req->containerd_address, req->ns ? req->ns : "default", c->b.image,
                               out, out_len, out_err);
}

/* The module's bytes: from the rootfs, or, when the rootfs has none and the spec names an
 * image, from containerd's content store (a wasm OCI artifact containerd 1.6 cannot unpack). */
static int read_module(ShimContainer *c, const ShimCreate *req, const char *path, uint8_t **out,
                       size_t *out_len, char **out_err)
{
    int rc = rootfs_read(c->rootfs.path, c->b.cwd, path, out, out_len, out_err);
    if (rc != SHIM_NOT_FOUND || !c->b.image || !req->containerd_address)
        return rc;
    free(*out_err);
    *out_err = NULL;
    shim_note("module %s: not in the rootfs; reading image %s from containerd's content store",
              path, c->b.image);
    return read_image(c, req, out, out_len, out_err);
}

static int setup_guest(ShimContainer *c, const ShimCreate *req, char **out_err)
{
    const char *arg0 = c->b.nargs ? c->b.args[0] : "";
    const char *hash = strchr(arg0, '#');
    char *path = hash ? strndup(arg0, (size_t)(hash - arg0)) : strdup(arg0);
    const char *export_name = hash && hash[1] ? hash + 1 : "_start";
    uint8_t *wasm = NULL;
    size_t len = 0;
    int rc;
    if (!path)
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    if (!path[0] && !c->b.image)
        rc = shim_fail(out_err, SHIM_INVALID_ARGUMENT, "process.args is empty: nothing to run");
    else if (!path[0])
        rc = read_image(c, req, &wasm, &len, out_err);
    else
        rc = read_module(c, req, path, &wasm, &len, out_err);
    if (rc == SHIM_OK)
        rc = open_stdio(c, out_err);
    if (rc == SHIM_OK) {
        GuestSpec s = {wasm,
                       len,
                       path[0] ? path : c->b.image,
                       export_name,
                       &c->b,
                       c->rootfs.path,
                       {c->fds[0], c->fds[1], c->fds[2]}};
        wasm = NULL; /* guest_new takes it */
        rc = guest_new(&s, &c->guest, out_err);
    }
    free(wasm);
    free(path);
    return rc;
}

/* ---- container.h ---- */

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

static void container_free(ShimContainer *c)
{
    guest_free(c->guest);
    wagi_free(c->wagi);
    for (int i = 0; i < 3; i++)
        if (c->fds[i] >= 0)
            close(c->fds[i]);
    rootfs_release(&c->rootfs);
    bundle_free(&c->b);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->stopped);
    free(c->toml);
    free(c->id);
    free(c->bundle_dir);
    free(c->stdin_path);
    free(c->stdout_path);
    free(c->stderr_path);
    free(c);
}

static int create(ShimContainer *c, const ShimCreate *req, char **out_err)
{
    int rc;
    if (req->terminal)
        return shim_fail(out_err, SHIM_INVALID_ARGUMENT,
                         "terminal is not supported: a WebAssembly guest has no terminal");
    if ((rc = bundle_read(req->bundle, &c->b, out_err)))
        return rc;
    if (c->b.sandbox) { /* the pause image: nothing of it is used (sandbox_start) */
        if (c->b.netns && access(c->b.netns, R_OK) != 0)
            return shim_fail(out_err, SHIM_FAILED_PRECONDITION, "network namespace %s: %s",
                             c->b.netns, strerror(errno));
        shim_note("container %s: the pod sandbox", c->id);
        return SHIM_OK;
    }
    if ((rc = rootfs_setup(req, &c->b, &c->rootfs, out_err)))
        return rc;
    bool wagi = c->b.nargs ? ends_with(c->b.args[0], ".toml")
                           : rootfs_exists(c->rootfs.path, "/modules.toml");
    if (!wagi)
        return setup_guest(c, req, out_err); /* a guest opens no socket: no netns to join */
    if (c->b.netns && access(c->b.netns, R_OK) != 0)
        return shim_fail(out_err, SHIM_FAILED_PRECONDITION, "network namespace %s: %s", c->b.netns,
                         strerror(errno));
    if ((rc = setup_wagi(c, out_err)) || (rc = open_stdio(c, out_err)))
        return rc;
    return SHIM_OK;
}

int shim_container_create(const ShimCreate *req, ShimExitFn on_exit, void *ud, ShimContainer **out,
                          uint32_t *out_pid, char **out_err)
{
    *out = NULL;
    if (out_err)
        *out_err = NULL;
    ShimContainer *c = calloc(1, sizeof *c);
    if (!c)
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->stopped, NULL);
    c->fds[0] = c->fds[1] = c->fds[2] = -1;
    c->id = strdup(req->id ? req->id : "");
    c->bundle_dir = strdup(req->bundle ? req->bundle : "");
    c->stdin_path = dup_or_null(req->stdin_path);
    c->stdout_path = dup_or_null(req->stdout_path);
    c->stderr_path = dup_or_null(req->stderr_path);
    c->terminal = req->terminal;
    c->on_exit = on_exit;
    c->ud = ud;
    c->pid = (uint32_t)getpid();
    c->status = SHIM_STATUS_CREATED;
    int rc = !c->id || !c->bundle_dir ? shim_fail(out_err, SHIM_INTERNAL, "out of memory")
                                      : create(c, req, out_err);
    if (rc != SHIM_OK) {
        container_free(c); /* unmounts what create mounted, closes the FIFOs */
        return rc;
    }
    *out = c;
    *out_pid = c->pid;
    return SHIM_OK;
}

int shim_container_start(ShimContainer *c, uint32_t *out_pid, char **out_err)
{
    pthread_mutex_lock(&c->lock);
    int rc = SHIM_OK;
    pid_t pid = 0;
    if (c->status != SHIM_STATUS_CREATED || c->stopping)
        rc = shim_fail(out_err, SHIM_FAILED_PRECONDITION, "container %s: already %s", c->id,
                       c->status == SHIM_STATUS_RUNNING ? "running" : "stopped");
    else if (c->guest)
        rc = guest_start(c->guest, guest_done, c, out_err);
    else if (c->b.sandbox)
        rc = sandbox_start(&c->b, guest_done, c, &c->wagi, &pid, out_err);
    else {
        /* The modules' stderr logs live in the bundle, which containerd removes with the
         * task (corral serve would otherwise leave a temporary directory per container). */
        char *logs = strf("%s/wagi-logs", c->bundle_dir);
        rc = logs ? wagi_start(&c->b, c->rootfs.path, c->toml, logs, c->fds, guest_done, c,
                               &c->wagi, &pid, out_err)
                  : shim_fail(out_err, SHIM_INTERNAL, "out of memory");
        free(logs);
    }
    if (rc == SHIM_OK && c->status == SHIM_STATUS_CREATED) {
        if (c->wagi) {
            c->pid = (uint32_t)pid;
            close_stdio_locked(c); /* the child has its own copies */
        }
        /* A guest that already stopped (the thread ran first) stays stopped. */
        c->status = SHIM_STATUS_RUNNING;
    }
    *out_pid = c->pid;
    pthread_mutex_unlock(&c->lock);
    return rc;
}

void shim_container_state(ShimContainer *c, ShimState *out)
{
    pthread_mutex_lock(&c->lock);
    *out = (ShimState){.status = c->status,
                       .pid = c->pid,
                       .exit_status = c->exit_status,
                       .exited_at = c->exited_at,
                       .terminal = c->terminal,
                       .bundle = c->bundle_dir,
                       .stdin_path = c->stdin_path,
                       .stdout_path = c->stdout_path,
                       .stderr_path = c->stderr_path};
    pthread_mutex_unlock(&c->lock);
}

/* Whether sig's default action ends a process (SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT,
 * SIGUSR1 ... and the real-time signals); false for SIGCHLD, SIGURG, SIGWINCH, SIGCONT,
 * which are ignored by default, and for the stop signals. */
static bool terminates(int sig)
{
    switch (sig) {
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH:
    case SIGCONT:
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
        return false;
    default:
        return true;
    }
}

int shim_container_kill(ShimContainer *c, uint32_t signal, char **out_err)
{
    int sig = (int)signal;
    if (signal == 0 || signal > (uint32_t)SIGRTMAX)
        return shim_fail(out_err, SHIM_INVALID_ARGUMENT, "container %s: invalid signal %u", c->id,
                         signal);
    pthread_mutex_lock(&c->lock);
    ShimStatus st = c->status;
    pthread_mutex_unlock(&c->lock);
    /* As runc: a stopped container has no process; containerd takes NotFound as done. */
    if (st == SHIM_STATUS_STOPPED)
        return shim_fail(out_err, SHIM_NOT_FOUND, "container %s: process already finished", c->id);
    if (c->wagi) {
        wagi_kill(c->wagi, sig);
        return SHIM_OK;
    }
    if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
        return shim_fail(out_err, SHIM_UNIMPLEMENTED,
                         "container %s: a WebAssembly guest cannot be stopped (signal %d)", c->id,
                         sig);
    if (!terminates(sig))
        return SHIM_OK;
    if (st == SHIM_STATUS_CREATED) {
        /* Never started: it stops here, as runc's init would when killed before start. A
         * start racing with this sees STOPPED or starts a guest that stops at once. */
        if (c->guest)
            guest_kill(c->guest, sig);
        pthread_mutex_lock(&c->lock);
        bool created = c->status == SHIM_STATUS_CREATED;
        pthread_mutex_unlock(&c->lock);
        if (created)
            mark_stopped(c, 128 + signal);
        return SHIM_OK;
    }
    guest_kill(c->guest, sig);
    return SHIM_OK;
}

void shim_container_wait(ShimContainer *c, uint32_t *out_exit_status,
                         struct timespec *out_exited_at)
{
    pthread_mutex_lock(&c->lock);
    /* A container never started is waited on too: `ctr run` sends Wait before Start so as
     * not to miss a quick exit, as runc's shim makes it wait for the process. */
    while (c->status != SHIM_STATUS_STOPPED)
        pthread_cond_wait(&c->stopped, &c->lock);
    *out_exit_status = c->exit_status;
    *out_exited_at = c->exited_at;
    pthread_mutex_unlock(&c->lock);
}

/* The child process a WAGI app or the sandbox runs in, or NULL (set at start). */
static WagiChild *child_of(ShimContainer *c)
{
    pthread_mutex_lock(&c->lock);
    WagiChild *w = c->wagi;
    pthread_mutex_unlock(&c->lock);
    return w;
}

uint64_t shim_container_memory(ShimContainer *c)
{
    WagiChild *w = c->guest ? NULL : child_of(c);
    return c->guest ? guest_memory(c->guest) : w ? wagi_memory(w) : 0;
}

uint64_t shim_container_cpu_ns(ShimContainer *c)
{
    WagiChild *w = c->guest ? NULL : child_of(c);
    return c->guest ? guest_cpu_ns(c->guest) : w ? wagi_cpu_ns(w) : 0;
}

int shim_container_delete(ShimContainer *c, ShimState *out_final, char **out_err)
{
    pthread_mutex_lock(&c->lock);
    ShimStatus st = c->status;
    pthread_mutex_unlock(&c->lock);
    if (st != SHIM_STATUS_STOPPED) {
        /* containerd kills first; a delete of a running (or never started) task still must
         * not leave a thread, a child or a waiter behind. */
        char *err = NULL;
        if (shim_container_kill(c, SIGKILL, &err) != SHIM_OK)
            shim_note("container %s: delete: %s", c->id, err ? err : "kill failed");
        free(err);
        uint32_t status;
        struct timespec at;
        shim_container_wait(c, &status, &at);
    }
    /* Joins the guest's thread or the reaper (both done: they only report the stop). */
    guest_free(c->guest);
    c->guest = NULL;
    wagi_free(c->wagi);
    c->wagi = NULL;
    shim_container_state(c, out_final);
    out_final->bundle = out_final->stdin_path = out_final->stdout_path = out_final->stderr_path =
        NULL; /* they go with c */
    if (c->rootfs.mounted && !rootfs_unmount(c->rootfs.path)) {
        int rc = shim_fail(out_err, SHIM_INTERNAL, "container %s: umount %s: %s", c->id,
                           c->rootfs.path, strerror(errno));
        return rc; /* c stays whole: containerd may try again */
    }
    c->rootfs.mounted = false;
    container_free(c);
    return SHIM_OK;
}

const char *shim_container_id(const ShimContainer *c)
{
    return c->id;
}

int shim_container_cleanup(const char *bundle, char **out_err)
{
    if (out_err)
        *out_err = NULL;
    Bundle b;
    char *err = NULL;
    /* The root the spec names, else containerd's default; a config.json that no longer
     * reads still leaves bundle/rootfs to unmount. */
    bool read = bundle_read(bundle, &b, &err) == SHIM_OK;
    size_t blen = strlen(bundle);
    char *root = !read || b.root[0] != '/' ? strf("%s/%s", bundle, read ? b.root : "rootfs")
                 : !strncmp(b.root, bundle, blen) && b.root[blen] == '/' ? strdup(b.root)
                                                                         : NULL;
    free(err);
    bundle_free(&b);
    if (root && !rootfs_unmount(root)) {
        int rc = shim_fail(out_err, SHIM_INTERNAL, "umount %s: %s", root, strerror(errno));
        free(root);
        return rc;
    }
    free(root);
    return SHIM_OK;
}
