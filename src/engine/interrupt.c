/* interrupt.c: what stops code running in a store: fuel (a deterministic budget of Wasm
 * instructions that the interpreter charges at function entries and loop back-edges) and
 * interrupt requests (a flag any thread may set). The interpreter keeps the hot counter in a
 * local; this file owns the public API and the slow path the interpreter calls when a slice
 * of fuel is spent. It must not read the clock. See docs/design/interp.md, "Interruption". */
#include "runtime.h"

#include <stdatomic.h>
#include <stdio.h>

void corral_store_set_fuel(corral_store_t *s, uint64_t fuel)
{
    s->fuel_budget = fuel;
    if (fuel == CORRAL_FUEL_UNLIMITED) {
        s->fuel_reserve = CORRAL_FUEL_UNLIMITED;
        s->fuel_tick = FUEL_SLICE;
        return;
    }
    s->fuel_tick = fuel < FUEL_SLICE ? (int32_t)fuel : FUEL_SLICE;
    s->fuel_reserve = fuel - (uint64_t)s->fuel_tick; /* never UNLIMITED: fuel < UINT64_MAX */
}

uint64_t corral_store_fuel(const corral_store_t *s)
{
    if (s->fuel_reserve == CORRAL_FUEL_UNLIMITED)
        return CORRAL_FUEL_UNLIMITED;
    /* Outside the interpreter (or in a host call, after it stored its counter) the tick is
     * never negative: a charge that makes it so is settled by fuel_refill() at once. */
    return s->fuel_reserve + (uint64_t)(s->fuel_tick > 0 ? s->fuel_tick : 0);
}

/* Relaxed ordering is enough: the flag publishes no other data, and the interpreter only
 * needs to see it eventually (at its next slow check, at most FUEL_SLICE units later). */
void corral_store_interrupt(corral_store_t *s, corral_interrupt_t why)
{
    atomic_store_explicit(&s->interrupt, (uint32_t)why, memory_order_seq_cst);
    if (atomic_load_explicit(&s->poll_page, memory_order_seq_cst))
        native_poll_sync(s); /* compiled code polls by reading the page */
}

const char *interrupt_message(const Store *s)
{
    switch (atomic_load_explicit(&s->interrupt, memory_order_relaxed)) {
    case CORRAL_INTERRUPT_NONE: return NULL;
    case CORRAL_INTERRUPT_DEADLINE: return "interrupted: time limit exceeded";
    default: return "interrupted: cancelled by the host"; /* CANCEL, or an unknown reason */
    }
}

const char *fuel_refill(Store *s, char *buf, size_t buf_len)
{
    if (s->nnative_waiting)
        native_refresh(s);
    const char *why = interrupt_message(s);
    if (s->fuel_reserve != CORRAL_FUEL_UNLIMITED) {
        /* Settle the slice: a negative tick is what the last charge overdrew. */
        int64_t t = s->fuel_tick;
        if (t < 0 && (uint64_t)-t > s->fuel_reserve) {
            s->fuel_reserve = 0;
            s->fuel_tick = 0;
            if (why)
                return why;
            snprintf(buf, buf_len, "fuel exhausted: all %llu units of fuel consumed",
                     (unsigned long long)s->fuel_budget);
            return buf;
        }
        s->fuel_reserve = t < 0 ? s->fuel_reserve - (uint64_t)-t : s->fuel_reserve + (uint64_t)t;
        s->fuel_tick = 0;
        if (why)
            return why;
        s->fuel_tick = s->fuel_reserve < FUEL_SLICE ? (int32_t)s->fuel_reserve : FUEL_SLICE;
        s->fuel_reserve -= (uint64_t)s->fuel_tick;
        return NULL;
    }
    s->fuel_tick = FUEL_SLICE;
    return why;
}
