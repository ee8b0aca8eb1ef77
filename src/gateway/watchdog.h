/* watchdog.h: per-request wall-clock deadlines for the gateway's workers. One thread wakes
 * every millisecond and interrupts (CORRAL_INTERRUPT_DEADLINE) the store of any worker whose
 * deadline has passed; the guest then traps "interrupted: time limit exceeded" at its next
 * check (engine: within 10,000 instructions). Arming and disarming is a mutex per worker,
 * uncontended in practice; disarm waits for an interrupt being delivered, so none can land
 * on the store after the request that earned it (the store is then reset and reused). */
#ifndef CORRAL_GW_WATCHDOG_H
#define CORRAL_GW_WATCHDOG_H

#include "corral.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct GwWatchdog GwWatchdog;

/* A watchdog for nslots workers; NULL when out of memory or the thread cannot start. */
GwWatchdog *gw_watchdog_start(unsigned nslots);
/* From now until disarm, interrupt store once CLOCK_MONOTONIC passes deadline_ns. */
void gw_watchdog_arm(GwWatchdog *wd, unsigned slot, corral_store_t *store, uint64_t deadline_ns);
/* Cancels slot's deadline; true when it had already fired. */
bool gw_watchdog_disarm(GwWatchdog *wd, unsigned slot);
void gw_watchdog_stop(GwWatchdog *wd);
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t gw_now_ns(void);

#endif
