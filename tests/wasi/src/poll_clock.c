/* poll_clock: poll_oneoff with clock subscriptions: a relative 20 ms sleep takes at least
 * 20 ms on the monotonic clock and reports the subscription's userdata; the earliest of two
 * timeouts fires first; a zero timeout returns at once; nanosleep, usleep and sleep(0) work;
 * zero subscriptions are EINVAL. (Absolute deadlines are in poll_abstime.) */
#include "wasitest.h"

#include <time.h>
#include <unistd.h>

static uint64_t mono(void)
{
    __wasi_timestamp_t t;
    __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
    return t;
}

static __wasi_subscription_t clock_sub(uint64_t userdata, __wasi_clockid_t id, uint64_t timeout,
                                       __wasi_subclockflags_t flags)
{
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.flags = flags;
    return s;
}

int main(void)
{
    __wasi_event_t ev[4];
    __wasi_size_t n = 0;
    __wasi_subscription_t one = clock_sub(0xC0FFEE, __WASI_CLOCKID_MONOTONIC, 20000000, 0);
    uint64_t t0 = mono();
    wt_report("poll 20 ms", __wasi_poll_oneoff(&one, ev, 1, &n));
    uint64_t took = mono() - t0;
    printf("events=%u userdata=%llx error=%u type=%u at least 20 ms: %d\n", (unsigned)n,
           (unsigned long long)ev[0].userdata, ev[0].error, ev[0].type, took >= 20000000);

    __wasi_subscription_t two[2] = {clock_sub(1, __WASI_CLOCKID_MONOTONIC, 2000000000, 0),
                                    clock_sub(2, __WASI_CLOCKID_MONOTONIC, 10000000, 0)};
    t0 = mono();
    wt_report("poll 2 s and 10 ms", __wasi_poll_oneoff(two, ev, 2, &n));
    took = mono() - t0;
    printf("events=%u first userdata=%llu, well under 2 s: %d\n", (unsigned)n,
           (unsigned long long)ev[0].userdata, took < 1500000000);

    __wasi_subscription_t zero = clock_sub(5, __WASI_CLOCKID_MONOTONIC, 0, 0);
    wt_report("poll timeout 0", __wasi_poll_oneoff(&zero, ev, 1, &n));
    printf("events=%u\n", (unsigned)n);
    wt_report("poll no subscriptions", __wasi_poll_oneoff(&zero, ev, 0, &n));

    struct timespec ts = {0, 30000000};
    t0 = mono();
    wt_report("nanosleep 30 ms", wt_libc(nanosleep(&ts, NULL) != 0));
    printf("at least 30 ms: %d\n", mono() - t0 >= 30000000);
    t0 = mono();
    wt_report("usleep 5000", wt_libc(usleep(5000) != 0));
    printf("at least 5 ms: %d\n", mono() - t0 >= 5000000);
    printf("sleep(0)=%u\n", sleep(0));
    return 0;
}
