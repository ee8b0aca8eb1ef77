/* timer.c: a one-shot timer thread (cli.h) for `corral run --timeout`: after the delay it
 * calls corral_store_interrupt(store, CORRAL_INTERRUPT_DEADLINE) unless it was stopped
 * first. The store's interrupt is the one thing here touched from two threads, and the
 * engine makes it safe to call from any thread. */
#include "cli.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct CliTimer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct timespec when; /* CLOCK_MONOTONIC */
    bool stopped;
    corral_store_t *store;
};

static void *timer_main(void *arg)
{
    CliTimer *t = arg;
    int r = 0;
    pthread_mutex_lock(&t->lock);
    while (!t->stopped && r != ETIMEDOUT)
        r = pthread_cond_timedwait(&t->wake, &t->lock, &t->when);
    bool fire = !t->stopped;
    pthread_mutex_unlock(&t->lock);
    if (fire)
        corral_store_interrupt(t->store, CORRAL_INTERRUPT_DEADLINE);
    return NULL;
}

uint64_t cli_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

CliTimer *cli_timer_start(corral_store_t *store, uint64_t ns)
{
    CliTimer *t = calloc(1, sizeof *t);
    pthread_condattr_t attr;
    if (!t)
        return NULL;
    t->store = store;
    clock_gettime(CLOCK_MONOTONIC, &t->when);
    uint64_t total = (uint64_t)t->when.tv_nsec + ns % 1000000000u;
    t->when.tv_sec += (time_t)(ns / 1000000000u + total / 1000000000u);
    t->when.tv_nsec = (long)(total % 1000000000u);
    pthread_mutex_init(&t->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&t->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&t->thread, NULL, timer_main, t) != 0) {
        pthread_cond_destroy(&t->wake);
        pthread_mutex_destroy(&t->lock);
        free(t);
        return NULL;
    }
    return t;
}

void cli_timer_stop(CliTimer *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    t->stopped = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    free(t);
}
