/* wasi_core.c: the calls that touch no descriptor: arguments and environment, clocks,
 * random bytes, process exit and signals, sched_yield. Every guest pointer is checked before
 * anything is written. */
#include "wasi/wasi_int.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

/* ---- arguments and environment ----
 * Both are a list of NUL-terminated strings: *_sizes_get gives the count and the bytes of
 * all strings; *_get writes count u32 pointers at list and the strings packed at buf. */

static uint32_t strings_sizes(WasiCall *c, char **v, size_t n, uint32_t count_ptr,
                              uint32_t size_ptr)
{
    uint64_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += strlen(v[i]) + 1;
    if (!gm_ok(&c->mem, count_ptr, 4) || !gm_ok(&c->mem, size_ptr, 4))
        return WASI_EFAULT;
    if (bytes > UINT32_MAX || n > UINT32_MAX)
        return WASI_EOVERFLOW;
    st32(c->mem.base + count_ptr, (uint32_t)n);
    st32(c->mem.base + size_ptr, (uint32_t)bytes);
    return WASI_ESUCCESS;
}

static uint32_t strings_get(WasiCall *c, char **v, size_t n, uint32_t list, uint32_t buf)
{
    uint64_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += strlen(v[i]) + 1;
    if (!gm_ok(&c->mem, list, (uint64_t)n * 4) || !gm_ok(&c->mem, buf, bytes))
        return WASI_EFAULT;
    uint64_t off = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        st32(c->mem.base + list + 4 * i, (uint32_t)(buf + off));
        memcpy(c->mem.base + buf + off, v[i], len);
        off += len;
    }
    return WASI_ESUCCESS;
}

uint32_t wasi_args_sizes_get(WasiCall *c, const corral_val_t *a)
{
    return strings_sizes(c, c->w->argv, c->w->argc, ARG32(0), ARG32(1));
}

uint32_t wasi_args_get(WasiCall *c, const corral_val_t *a)
{
    return strings_get(c, c->w->argv, c->w->argc, ARG32(0), ARG32(1));
}

uint32_t wasi_environ_sizes_get(WasiCall *c, const corral_val_t *a)
{
    return strings_sizes(c, c->w->env, c->w->nenv, ARG32(0), ARG32(1));
}

uint32_t wasi_environ_get(WasiCall *c, const corral_val_t *a)
{
    return strings_get(c, c->w->env, c->w->nenv, ARG32(0), ARG32(1));
}

/* ---- clocks ---- */

/* The host clock for a WASI clockid: realtime, monotonic, process and thread CPU time. */
static bool host_clock(uint32_t id, clockid_t *out)
{
    static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                    CLOCK_THREAD_CPUTIME_ID};
    if (id >= sizeof ids / sizeof ids[0])
        return false;
    *out = ids[id];
    return true;
}

static uint64_t ts_ns(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

uint32_t wasi_clock_res_get(WasiCall *c, const corral_val_t *a)
{
    clockid_t id;
    struct timespec ts;
    if (!host_clock(ARG32(0), &id))
        return WASI_EINVAL;
    if (!gm_ok(&c->mem, ARG32(1), 8))
        return WASI_EFAULT;
    if (clock_getres(id, &ts) != 0)
        return wasi_errno_from_host(errno);
    uint64_t ns = ts_ns(&ts);
    return gm_put64(&c->mem, ARG32(1), ns ? ns : 1);
}

uint32_t wasi_clock_time_get(WasiCall *c, const corral_val_t *a)
{
    clockid_t id;
    struct timespec ts;
    if (!host_clock(ARG32(0), &id))
        return WASI_EINVAL;
    if (!gm_ok(&c->mem, ARG32(2), 8))
        return WASI_EFAULT;
    if (clock_gettime(id, &ts) != 0)
        return wasi_errno_from_host(errno);
    return gm_put64(&c->mem, ARG32(2), ts_ns(&ts));
}

/* Monotonic now is shared with poll_oneoff and the deadline. */

/* ---- random ---- */

uint32_t wasi_random_get(WasiCall *c, const corral_val_t *a)
{
    uint32_t buf = ARG32(0), len = ARG32(1);
    if (!gm_ok(&c->mem, buf, len))
        return WASI_EFAULT;
    uint8_t *p = c->mem.base + buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return wasi_errno_from_host(n < 0 ? errno : EIO);
        p += n;
        len -= (uint32_t)n;
    }
    return WASI_ESUCCESS;
}

/* ---- process ---- */

uint32_t wasi_proc_exit(WasiCall *c, const corral_val_t *a)
{
    c->trap = corral_trap_new_exit((int32_t)ARG32(0));
    if (!c->trap)
        c->trap = corral_trap_new("out of memory");
    return WASI_ESUCCESS;
}

/* Signals are not delivered: like wasmtime, raising one ends the guest with a trap that
 * says so, which is closer to what the guest asked for than carrying on. */
uint32_t wasi_proc_raise(WasiCall *c, const corral_val_t *a)
{
    char msg[80];
    snprintf(msg, sizeof msg, "proc_raise(%u): signals are not supported", ARG32(0) & 0xff);
    c->trap = corral_trap_new(msg);
    return WASI_ENOSYS;
}

uint32_t wasi_sched_yield(WasiCall *c, const corral_val_t *a)
{
    sched_yield();
    return WASI_ESUCCESS;
}
