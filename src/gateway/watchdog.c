/* watchdog.c: see watchdog.h. */
#include "gateway/watchdog.h"
#include "util/thread.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

typedef struct Slot {
    pthread_mutex_t lock;
    corral_store_t *store; /* NULL when disarmed */
    uint64_t deadline_ns;
    bool fired;
} Slot;

struct GwWatchdog {
    pthread_t thread;
    atomic_bool stop;
    unsigned nslots;
    Slot *slots;
};

uint64_t gw_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *watch(void *arg)
{
    GwWatchdog *wd = arg;
    const struct timespec tick = {0, 1000000}; /* 1 ms */
    while (!atomic_load(&wd->stop)) {
        nanosleep(&tick, NULL);
        uint64_t now = gw_now_ns();
        for (unsigned i = 0; i < wd->nslots; i++) {
            Slot *s = &wd->slots[i];
            pthread_mutex_lock(&s->lock);
            if (s->store && now >= s->deadline_ns) {
                corral_store_interrupt(s->store, CORRAL_INTERRUPT_DEADLINE);
                s->store = NULL;
                s->fired = true;
            }
            pthread_mutex_unlock(&s->lock);
        }
    }
    return NULL;
}

GwWatchdog *gw_watchdog_start(unsigned nslots)
{
    GwWatchdog *wd = calloc(1, sizeof *wd);
    if (!wd)
        return NULL;
    wd->slots = calloc(nslots ? nslots : 1, sizeof *wd->slots);
    if (!wd->slots) {
        free(wd);
        return NULL;
    }
    wd->nslots = nslots;
    for (unsigned i = 0; i < nslots; i++)
        pthread_mutex_init(&wd->slots[i].lock, NULL);
    atomic_init(&wd->stop, false);
    if (thread_start(&wd->thread, NULL, watch, wd) != 0) {
        free(wd->slots);
        free(wd);
        return NULL;
    }
    return wd;
}

void gw_watchdog_arm(GwWatchdog *wd, unsigned slot, corral_store_t *store, uint64_t deadline_ns)
{
    Slot *s = &wd->slots[slot];
    pthread_mutex_lock(&s->lock);
    s->store = store;
    s->deadline_ns = deadline_ns;
    s->fired = false;
    pthread_mutex_unlock(&s->lock);
}

bool gw_watchdog_disarm(GwWatchdog *wd, unsigned slot)
{
    Slot *s = &wd->slots[slot];
    pthread_mutex_lock(&s->lock);
    bool fired = s->fired;
    s->store = NULL;
    s->fired = false;
    pthread_mutex_unlock(&s->lock);
    return fired;
}

void gw_watchdog_stop(GwWatchdog *wd)
{
    if (!wd)
        return;
    atomic_store(&wd->stop, true);
    pthread_join(wd->thread, NULL);
    for (unsigned i = 0; i < wd->nslots; i++)
        pthread_mutex_destroy(&wd->slots[i].lock);
    free(wd->slots);
    free(wd);
}
