/* clock: clock_res_get and clock_time_get on the four preview 1 clocks. Values vary, so only
 * properties are printed: resolutions are positive and at most a second, the realtime clock
 * is in a plausible range and agrees with time() and gettimeofday(), monotonic and CPU-time
 * clocks never go back, and an unknown clock id is EINVAL. */
#include "wasitest.h"

#include <sys/time.h>
#include <time.h>

static const char *const clock_names[] = {"realtime", "monotonic", "process_cputime",
                                          "thread_cputime"};

int main(void)
{
    for (__wasi_clockid_t id = 0; id < 4; id++) {
        __wasi_timestamp_t res = 0, t0 = 0, t1 = 0;
        int e = __wasi_clock_res_get(id, &res);
        printf("%s res: %s, positive=%d, at most 1s=%d\n", clock_names[id], wt_errstr(e), res > 0,
               res <= 1000000000ull);
        e = __wasi_clock_time_get(id, 1, &t0);
        int nondecreasing = 1;
        for (int i = 0; i < 1000 && e == 0; i++) {
            e = __wasi_clock_time_get(id, 1, &t1);
            if (t1 < t0)
                nondecreasing = 0;
            t0 = t1;
        }
        printf("%s time: %s, 1000 reads nondecreasing=%d, nonzero=%d\n", clock_names[id],
               wt_errstr(e), nondecreasing, t1 > 0);
    }

    __wasi_timestamp_t now = 0;
    __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1000, &now);
    const uint64_t y2020 = 1577836800ull * 1000000000ull, y2100 = 4102444800ull * 1000000000ull;
    printf("realtime between 2020 and 2100: %d\n", now > y2020 && now < y2100);
    time_t secs = time(NULL);
    printf("time() within 5 s of realtime: %d\n",
           (uint64_t)secs + 5 >= now / 1000000000ull && (uint64_t)secs <= now / 1000000000ull + 5);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("gettimeofday usec in range: %d\n", tv.tv_usec >= 0 && tv.tv_usec < 1000000);

    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (volatile int i = 0; i < 100000; i++) {
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("CLOCK_MONOTONIC advances or stays: %d\n",
           b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));

    __wasi_timestamp_t dummy;
    wt_report("clock_res_get(99)", __wasi_clock_res_get(99, &dummy));
    wt_report("clock_time_get(99)", __wasi_clock_time_get(99, 1, &dummy));
    return 0;
}
