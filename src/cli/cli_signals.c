/* cli_signals.c: SIGINT and SIGTERM for the commands that serve until stopped (serve, up,
 * store serve); see cli.h.
 *
 * Why a thread of its own: the kernel gives a signal sent to the process to any thread that
 * does not block it, and a thread whose default action applies ends the whole process. So
 * the signals must be blocked in every thread before the first one starts (all inherit the
 * mask), and one thread takes them with sigwait. The main thread cannot be that one while it
 * loads the app (compiles, fetches), yet a long start-up must stay interruptible: the signal
 * thread ends the process then, as the default action would. Once the command is ready it
 * hands the signal to the main thread instead, which stops the server cleanly. */
#include "cli.h"
#include "compile/cc.h"
#include "util/thread.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static struct {
    pthread_mutex_t lock;
    pthread_cond_t got; /* CLOCK_MONOTONIC */
    sigset_t set;       /* SIGINT, SIGTERM */
    bool ready;         /* after cli_signals_ready: hand signals over */
    int sig;            /* the first signal handed over, 0 before */
} sg = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Ends the process the way sig's default action would: first the tier's compilers (each in a
 * process group of its own, which the signal did not reach), then sig itself, unblocked in
 * this thread alone. */
static void die_of(int sig)
{
    fprintf(stderr, "corral: %s received while starting, stopping\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    cc_cancel_all();
    signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    _exit(128 + sig); /* not reached */
}

static void *take_signals(void *arg)
{
    for (;;) {
        int sig = 0;
        if (sigwait(&sg.set, &sig) != 0)
            continue;
        pthread_mutex_lock(&sg.lock);
        bool ready = sg.ready;
        if (ready && !sg.sig) {
            sg.sig = sig;
            pthread_cond_broadcast(&sg.got);
        }
        pthread_mutex_unlock(&sg.lock);
        if (!ready)
            die_of(sig);
    }
    return NULL;
}

int cli_signals_start(void)
{
    sigemptyset(&sg.set);
    sigaddset(&sg.set, SIGINT);
    sigaddset(&sg.set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sg.set, NULL);
    signal(SIGPIPE, SIG_IGN);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&sg.got, &attr);
    pthread_condattr_destroy(&attr);
    pthread_t t;
    int e = thread_start(&t, NULL, take_signals, NULL);
    if (e != 0) {
        pthread_sigmask(SIG_UNBLOCK, &sg.set, NULL);
        errno = e;
        return -1;
    }
    pthread_detach(t);
    return 0;
}

void cli_signals_ready(void)
{
    pthread_mutex_lock(&sg.lock);
    sg.ready = true;
    pthread_mutex_unlock(&sg.lock);
}

int cli_signals_wait(uint64_t timeout_ns)
{
    struct timespec when;
    clock_gettime(CLOCK_MONOTONIC, &when);
    uint64_t total = (uint64_t)when.tv_nsec + timeout_ns % 1000000000u;
    when.tv_sec += (time_t)(timeout_ns / 1000000000u + total / 1000000000u);
    when.tv_nsec = (long)(total % 1000000000u);
    pthread_mutex_lock(&sg.lock);
    int r = 0;
    while (!sg.sig && r != ETIMEDOUT)
        r = timeout_ns ? pthread_cond_timedwait(&sg.got, &sg.lock, &when)
                       : pthread_cond_wait(&sg.got, &sg.lock);
    int sig = sg.sig;
    pthread_mutex_unlock(&sg.lock);
    return sig;
}
