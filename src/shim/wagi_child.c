/* wagi_child.c: the containers that are child processes of the shim. A WAGI app's: Corral's
 * gateway (`corral serve`, the binary beside the shim) in the pod's network namespace, its
 * output on the container's FIFOs. The pod sandbox's: a process that holds the pod's network
 * namespace until it is killed (sandbox_start). A thread per child waits for it (waitpid on that
 * pid only: the shim installs no SIGCHLD handler, so other children are nobody's business here). */
#include "shim/shim_int.h"
#include "util/strf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define REAPER_STACK_BYTES ((size_t)64 << 10)
#define DEFAULT_LISTEN "0.0.0.0:80"

struct WagiChild {
    pid_t pid;
    pthread_mutex_t lock;
    bool reaped; /* under lock: once set, pid may belong to someone else */
    pthread_t reaper;
    GuestDoneFn done;
    void *ud;
};

static char *corral_override; /* wagi_set_corral_path; NULL: beside the shim */

void wagi_set_corral_path(const char *path)
{
    free(corral_override);
    corral_override = path ? strdup(path) : NULL;
}

char *wagi_corral_path(void)
{
    if (corral_override)
        return strdup(corral_override);
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0)
        return NULL;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    return strf("%s/corral", self);
}

/* In a child: no signal blocked (the mask is inherited from whichever shim thread forked, and
 * survives exec), so a kill reaches it as it would any process. */
static void reset_signals(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Everything after fork is async-signal-safe: argv, envp and the namespace descriptor are
 * ready before it. */
static void child_exec(const char *corral, char *const argv[], char *const envp[], const int fds[3],
                       int netns, const char *dir)
{
    reset_signals();
    if (netns >= 0 && setns(netns, CLONE_NEWNET) != 0) {
        static const char msg[] = "corral shim: setns into the pod's network namespace failed\n";
        if (write(fds[2] >= 0 ? fds[2] : 2, msg, sizeof msg - 1) < 0) {
            /* nowhere left to say it */
        }
        _exit(127);
    }
    /* Relative paths in modules.toml (modules, volumes) are read from the gateway's working
     * directory, as WAGI does: the toml's own directory inside the image. */
    if (chdir(dir) != 0)
        _exit(127);
    int devnull = open("/dev/null", O_RDWR);
    for (int i = 0; i < 3; i++) {
        dup2(fds[i] >= 0 ? fds[i] : devnull, i);
        fcntl(i, F_SETFL, fcntl(i, F_GETFL) & ~O_NONBLOCK); /* the shim's FIFOs are */
    }
    /* The shim's own descriptors (its ttrpc socket, other containers' FIFOs) stay here. */
    syscall(SYS_close_range, 3u, ~0u, 0u);
    /* SIGPIPE stays ignored (the shim ignores it, and that survives exec): a gateway whose
     * log FIFO lost its reader (`ctr run -d` exits at once) gets EPIPE on its log lines and
     * keeps serving, rather than dying on its first message. */
    signal(SIGPIPE, SIG_IGN);
    execve(corral, argv, envp);
    _exit(127);
}

/* Waits for the child without reaping it, marks it reaped under the lock (so wagi_kill never
 * signals a recycled pid), then reaps it and reports its status. */
static void *reaper_main(void *arg)
{
    WagiChild *w = arg;
    siginfo_t si;
    while (waitid(P_PID, (id_t)w->pid, &si, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
    }
    pthread_mutex_lock(&w->lock);
    int st = 0;
    while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR) {
    }
    w->reaped = true;
    pthread_mutex_unlock(&w->lock);
    uint32_t status = WIFEXITED(st)     ? (uint32_t)WEXITSTATUS(st)
                      : WIFSIGNALED(st) ? 128 + (uint32_t)WTERMSIG(st)
                                        : 255;
    w->done(w->ud, status);
    return NULL;
}

/* argv for `corral serve -c TOML --root ROOTFS --log-dir LOGS --listen ADDR ARGS...`
 * (args[1..] of the spec follow, so an image may add --timeout and the like). --root keeps
 * the modules and volumes modules.toml names inside the image, absolute paths included.
 * Owned array of borrowed strings. */
static char **serve_argv(const Bundle *b, const char *corral, const char *toml, const char *root,
                         const char *log_dir)
{
    const char *listen = bundle_getenv(b, "CORRAL_LISTEN");
    size_t extra = b->nargs > 1 ? b->nargs - 1 : 0;
    char **argv = calloc(11 + extra, sizeof *argv);
    if (!argv)
        return NULL;
    size_t n = 0;
    argv[n++] = (char *)corral;
    argv[n++] = "serve";
    argv[n++] = "-c";
    argv[n++] = (char *)toml;
    argv[n++] = "--root";
    argv[n++] = (char *)root;
    argv[n++] = "--log-dir";
    argv[n++] = (char *)log_dir;
    argv[n++] = "--listen";
    argv[n++] = (char *)(listen && *listen ? listen : DEFAULT_LISTEN);
    for (size_t i = 0; i < extra; i++)
        argv[n++] = b->args[i + 1];
    return argv;
}

/* After a successful fork: the reaper thread that waits for w->pid. On failure the child is
 * killed and reaped. */
static int watch(WagiChild *w, char **out_err)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, REAPER_STACK_BYTES);
    int e = pthread_create(&w->reaper, &attr, reaper_main, w);
    pthread_attr_destroy(&attr);
    if (e) {
        kill(w->pid, SIGKILL);
        waitpid(w->pid, NULL, 0);
        return shim_fail(out_err, SHIM_INTERNAL, "cannot start the reaper thread: %s", strerror(e));
    }
    return SHIM_OK;
}

static WagiChild *child_new(GuestDoneFn done, void *ud)
{
    WagiChild *w = calloc(1, sizeof *w);
    if (w) {
        pthread_mutex_init(&w->lock, NULL);
        w->done = done;
        w->ud = ud;
    }
    return w;
}

static void child_discard(WagiChild *w)
{
    if (w) {
        pthread_mutex_destroy(&w->lock);
        free(w);
    }
}

/* The network namespace b names, opened (-1 with none); SHIM_OK or an error. */
static int open_netns(const Bundle *b, int *out_fd, char **out_err)
{
    *out_fd = -1;
    if (b->netns && (*out_fd = open(b->netns, O_RDONLY | O_CLOEXEC)) < 0)
        return shim_fail(out_err, SHIM_FAILED_PRECONDITION, "network namespace %s: %s", b->netns,
                         strerror(errno));
    return SHIM_OK;
}

int wagi_start(const Bundle *b, const char *root, const char *toml, const char *log_dir,
               const int fds[3], GuestDoneFn done, void *ud, WagiChild **out, pid_t *out_pid,
               char **out_err)
{
    *out = NULL;
    char *corral = wagi_corral_path();
    char **argv = corral ? serve_argv(b, corral, toml, root, log_dir) : NULL;
    WagiChild *w = child_new(done, ud);
    char *dir = strdup(toml);
    int netns = -1, rc = SHIM_OK;
    if (!corral || !argv || !w || !dir) {
        rc = shim_fail(out_err, SHIM_INTERNAL, "out of memory");
        goto done;
    }
    if (access(corral, X_OK) != 0) {
        rc = shim_fail(out_err, SHIM_FAILED_PRECONDITION,
                       "WAGI app %s: %s: %s (corral must be installed beside the shim)", toml,
                       corral, strerror(errno));
        goto done;
    }
    if ((rc = open_netns(b, &netns, out_err)))
        goto done;
    *strrchr(dir, '/') = '\0'; /* toml is an absolute path */
    w->pid = fork();
    if (w->pid == 0)
        child_exec(corral, argv, b->env, fds, netns, dir);
    if (w->pid < 0) {
        rc = shim_fail(out_err, SHIM_INTERNAL, "fork: %s", strerror(errno));
        goto done;
    }
    if ((rc = watch(w, out_err)))
        goto done;
    shim_note("WAGI app %s: corral serve started, pid %d", toml, (int)w->pid);
    *out_pid = w->pid;
    *out = w;
    w = NULL;
done:
    if (netns >= 0)
        close(netns);
    child_discard(w);
    free(argv);
    free(corral);
    free(dir);
    return rc;
}

/* The sandbox's process: in the pod's network namespace, nothing open, waiting for the
 * signal that ends it. Async-signal-safe only (it runs right after fork). */
static void sandbox_child(int netns, bool new_netns)
{
    reset_signals();
    if ((netns >= 0 && setns(netns, CLONE_NEWNET) != 0) ||
        (netns < 0 && new_netns && unshare(CLONE_NEWNET) != 0))
        _exit(127);
    int devnull = open("/dev/null", O_RDWR);
    for (int i = 0; i < 3; i++)
        dup2(devnull, i);
    syscall(SYS_close_range, 3u, ~0u, 0u);
    /* The shim ignores SIGPIPE; pause's own handlers end it on SIGTERM and SIGINT, which the
     * default dispositions do here. */
    signal(SIGPIPE, SIG_DFL);
    for (;;)
        pause();
}

int sandbox_start(const Bundle *b, GuestDoneFn done, void *ud, WagiChild **out, pid_t *out_pid,
                  char **out_err)
{
    *out = NULL;
    WagiChild *w = child_new(done, ud);
    int netns = -1, rc;
    if (!w)
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    if ((rc = open_netns(b, &netns, out_err)))
        goto done;
    w->pid = fork();
    if (w->pid == 0)
        sandbox_child(netns, b->new_netns);
    if (w->pid < 0) {
        rc = shim_fail(out_err, SHIM_INTERNAL, "fork: %s", strerror(errno));
        goto done;
    }
    if ((rc = watch(w, out_err)))
        goto done;
    shim_note("pod sandbox: holding the pod's namespaces in pid %d", (int)w->pid);
    *out_pid = w->pid;
    *out = w;
    w = NULL;
done:
    if (netns >= 0)
        close(netns);
    child_discard(w);
    return rc;
}

/* Fields 14 and 15 (utime, stime, in clock ticks) of /proc/PID/stat; the command name (field
 * 2, in parentheses) may hold spaces, so counting starts after its last ')'. */
static uint64_t proc_cpu_ns(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    unsigned long long ut = 0, st = 0;
    if (!p ||
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return 0;
    long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? (ut + st) * (1000000000ull / (uint64_t)hz) : 0;
}

/* VmRSS of /proc/PID/status, in bytes. */
static uint64_t proc_rss(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    unsigned long long kib = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %llu kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return (uint64_t)kib * 1024;
}

uint64_t wagi_cpu_ns(WagiChild *w)
{
    pthread_mutex_lock(&w->lock);
    uint64_t ns = w->reaped ? 0 : proc_cpu_ns(w->pid);
    pthread_mutex_unlock(&w->lock);
    return ns;
}

uint64_t wagi_memory(WagiChild *w)
{
    pthread_mutex_lock(&w->lock);
    uint64_t bytes = w->reaped ? 0 : proc_rss(w->pid);
    pthread_mutex_unlock(&w->lock);
    return bytes;
}

void wagi_kill(WagiChild *w, int sig)
{
    pthread_mutex_lock(&w->lock);
    if (!w->reaped)
        kill(w->pid, sig);
    pthread_mutex_unlock(&w->lock);
}

void wagi_free(WagiChild *w)
{
    if (!w)
        return;
    wagi_kill(w, SIGKILL);
    pthread_join(w->reaper, NULL);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
