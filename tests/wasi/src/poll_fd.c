/* poll_fd: poll_oneoff with fd subscriptions: a regular file is always ready to read and to
 * write; a mix of a long clock and a ready fd returns the fd event without waiting; a
 * subscription on an fd that is not open is EBADF (for the call or in its event). */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

static __wasi_subscription_t fd_sub(uint64_t userdata, uint8_t tag, __wasi_fd_t fd)
{
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.u.tag = tag;
    s.u.u.fd_read.file_descriptor = fd;
    return s;
}

static uint64_t mono(void)
{
    __wasi_timestamp_t t;
    __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
    return t;
}

int main(void)
{
    int rd = open("/data/hello.txt", O_RDONLY);
    int wr = open("/scratch/out.txt", O_WRONLY | O_CREAT, 0644);
    __wasi_event_t ev[4];
    __wasi_size_t n = 0;

    __wasi_subscription_t r = fd_sub(10, __WASI_EVENTTYPE_FD_READ, rd);
    wt_report("poll read on a file", __wasi_poll_oneoff(&r, ev, 1, &n));
    printf("events=%u userdata=%llu error=%s type=%u\n", (unsigned)n,
           (unsigned long long)ev[0].userdata, wt_errstr(ev[0].error), ev[0].type);

    __wasi_subscription_t w = fd_sub(11, __WASI_EVENTTYPE_FD_WRITE, wr);
    wt_report("poll write on a file", __wasi_poll_oneoff(&w, ev, 1, &n));
    printf("events=%u userdata=%llu error=%s type=%u\n", (unsigned)n,
           (unsigned long long)ev[0].userdata, wt_errstr(ev[0].error), ev[0].type);

    __wasi_subscription_t mix[2];
    memset(mix, 0, sizeof mix);
    mix[0].userdata = 20;
    mix[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    mix[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    mix[0].u.u.clock.timeout = 5000000000ull;
    mix[1] = fd_sub(21, __WASI_EVENTTYPE_FD_READ, rd);
    uint64_t t0 = mono();
    wt_report("poll 5 s clock and a ready file", __wasi_poll_oneoff(mix, ev, 2, &n));
    printf("events=%u first userdata=%llu, returned within 2 s: %d\n", (unsigned)n,
           (unsigned long long)ev[0].userdata, mono() - t0 < 2000000000ull);

    /* EBADF either for the whole call or in the subscription's event: both are fine. */
    __wasi_subscription_t bad = fd_sub(30, __WASI_EVENTTYPE_FD_READ, 99);
    int e = __wasi_poll_oneoff(&bad, ev, 1, &n);
    if (e == __WASI_ERRNO_BADF ||
        (!e && n == 1 && ev[0].userdata == 30 && ev[0].error == __WASI_ERRNO_BADF))
        printf("poll read on fd 99: EBADF\n");
    else
        printf("poll read on fd 99: %s events=%u error=%s\n", wt_errstr(e), (unsigned)n,
               wt_errstr(ev[0].error));
    return 0;
}
