/* poll_abstime: poll_oneoff with absolute deadlines: ones that have already passed (on the
 * monotonic and the realtime clock, "now" included) return at once with the clock event; one
 * 15 ms ahead is waited for (on the clock it names). */
#include "wasitest.h"

static uint64_t now(__wasi_clockid_t id)
{
    __wasi_timestamp_t t;
    __wasi_clock_time_get(id, 1, &t);
    return t;
}

static void poll_at(const char *what, __wasi_clockid_t id, uint64_t deadline)
{
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = 77;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = deadline;
    s.u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
    __wasi_event_t ev;
    __wasi_size_t n = 0;
    uint64_t t0 = now(__WASI_CLOCKID_MONOTONIC);
    int e = __wasi_poll_oneoff(&s, &ev, 1, &n);
    uint64_t took = now(__WASI_CLOCKID_MONOTONIC) - t0;
    printf("%s: %s events=%u userdata=%llu type=%u, under 1 s: %d\n", what, wt_errstr(e),
           (unsigned)n, (unsigned long long)ev.userdata, ev.type, took < 1000000000ull);
}

int main(void)
{
    poll_at("monotonic deadline 1 ns", __WASI_CLOCKID_MONOTONIC, 1);
    poll_at("monotonic deadline now", __WASI_CLOCKID_MONOTONIC, now(__WASI_CLOCKID_MONOTONIC));
    poll_at("realtime deadline 1 ns", __WASI_CLOCKID_REALTIME, 1);
    poll_at("realtime deadline an hour ago", __WASI_CLOCKID_REALTIME,
            now(__WASI_CLOCKID_REALTIME) - 3600000000000ull);

    uint64_t t = now(__WASI_CLOCKID_REALTIME);
    poll_at("realtime deadline 15 ms ahead", __WASI_CLOCKID_REALTIME, t + 15000000);
    printf("realtime deadline passed: %d\n", now(__WASI_CLOCKID_REALTIME) >= t + 15000000);
    t = now(__WASI_CLOCKID_MONOTONIC);
    poll_at("monotonic deadline 15 ms ahead", __WASI_CLOCKID_MONOTONIC, t + 15000000);
    printf("monotonic deadline passed: %d\n", now(__WASI_CLOCKID_MONOTONIC) >= t + 15000000);
    return 0;
}
