/* set_times: fd_filestat_set_times and futimens: exact times to the nanosecond, setting one
 * time and leaving the other, "now" for either, and the invalid flag combinations (a time and
 * "now" for the same field) rejected with EINVAL without a change. */
#include "wasitest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void show(int fd, const char *what)
{
    __wasi_filestat_t st;
    __wasi_fd_filestat_get(fd, &st);
    printf("%s: atim=%llu mtim=%llu\n", what, (unsigned long long)st.atim,
           (unsigned long long)st.mtim);
}

static uint64_t now_ns(void)
{
    __wasi_timestamp_t t;
    __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t);
    return t;
}

int main(void)
{
    int fd = open("/scratch/times.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    wt_report("set both",
              __wasi_fd_filestat_set_times(fd, 1000000000123456789ull, 1100000000987654321ull,
                                           __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    show(fd, "after set both");
    wt_report("set mtim only",
              __wasi_fd_filestat_set_times(fd, 5, 1200000000000000001ull, __WASI_FSTFLAGS_MTIM));
    show(fd, "after set mtim only");
    wt_report("set atim only",
              __wasi_fd_filestat_set_times(fd, 1300000000000000002ull, 7, __WASI_FSTFLAGS_ATIM));
    show(fd, "after set atim only");
    wt_report("no flags", __wasi_fd_filestat_set_times(fd, 1, 2, 0));
    show(fd, "after no flags");

    wt_report("ATIM|ATIM_NOW", __wasi_fd_filestat_set_times(
                                   fd, 1, 2, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
    wt_report("MTIM|MTIM_NOW", __wasi_fd_filestat_set_times(
                                   fd, 1, 2, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));
    show(fd, "unchanged by the invalid calls");

    uint64_t before = now_ns();
    wt_report("MTIM_NOW", __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    __wasi_filestat_t st;
    __wasi_fd_filestat_get(fd, &st);
    printf("mtim now within 5 s: %d, atim kept: %d\n",
           st.mtim + 5000000000ull >= before && st.mtim <= now_ns() + 5000000000ull,
           st.atim == 1300000000000000002ull);
    wt_report("ATIM_NOW", __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM_NOW));
    __wasi_fd_filestat_get(fd, &st);
    printf("atim now within 5 s: %d\n", st.atim + 5000000000ull >= before);

    /* (wasi-libc 2022's futimens refuses UTIME_OMIT for the modification time by itself, with
     * EINVAL, so only the access time is omitted here.) */
    struct timespec ts[2] = {{1400000000, 5}, {1500000000, 6}};
    wt_report("futimens both", wt_libc(futimens(fd, ts) != 0));
    show(fd, "after futimens both");
    struct timespec omit[2] = {{0, UTIME_OMIT}, {1600000000, 7}};
    wt_report("futimens omit atime", wt_libc(futimens(fd, omit) != 0));
    show(fd, "after futimens omit atime");
    wt_report("set_times fd 99", __wasi_fd_filestat_set_times(99, 0, 0, __WASI_FSTFLAGS_MTIM));
    close(fd);
    return 0;
}
