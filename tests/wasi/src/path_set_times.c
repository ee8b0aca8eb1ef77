/* path_set_times: path_filestat_set_times and utimensat: exact times, one field at a time,
 * "now", through a symlink (sets the target), and the errors: ENOENT, EINVAL for a time and
 * "now" on the same field. */
#include "wasitest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void show(const char *path)
{
    __wasi_filestat_t s;
    int e = __wasi_path_filestat_get(WT_PREOPEN, 0, path, &s);
    if (e)
        printf("  %s: %s\n", path, wt_errstr(e));
    else
        printf("  %s: atim=%llu mtim=%llu\n", path, (unsigned long long)s.atim,
               (unsigned long long)s.mtim);
}

int main(void)
{
    const __wasi_lookupflags_t F = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
    const __wasi_fstflags_t BOTH = __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM;
    wt_report("set both on hello.txt",
              __wasi_path_filestat_set_times(WT_PREOPEN, F, "hello.txt", 1000000000000000001ull,
                                             1000000000000000002ull, BOTH));
    show("hello.txt");
    wt_report("set both on dir",
              __wasi_path_filestat_set_times(WT_PREOPEN, F, "dir", 1234567890000000001ull,
                                             1234567890123456789ull, BOTH));
    show("dir");
    wt_report("set both through link-hello (follow)",
              __wasi_path_filestat_set_times(WT_PREOPEN, F, "link-hello", 1100000000000000000ull,
                                             1100000000000000000ull, BOTH));
    show("hello.txt");
    wt_report("missing", __wasi_path_filestat_set_times(WT_PREOPEN, F, "missing", 0, 0, BOTH));
    wt_report("MTIM|MTIM_NOW",
              __wasi_path_filestat_set_times(WT_PREOPEN, F, "hello.txt", 0, 5,
                                             __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));
    show("hello.txt");

    __wasi_timestamp_t before;
    __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &before);
    wt_report("ATIM_NOW|MTIM_NOW",
              __wasi_path_filestat_set_times(WT_PREOPEN, F, "digits.txt", 0, 0,
                                             __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW));
    __wasi_filestat_t s;
    __wasi_path_filestat_get(WT_PREOPEN, 0, "digits.txt", &s);
    printf("both now within 5 s: %d\n",
           s.atim + 5000000000ull >= before && s.mtim + 5000000000ull >= before);

    struct timespec ts[2] = {{1600000000, 111}, {1700000000, 222}};
    wt_report("utimensat", wt_libc(utimensat(AT_FDCWD, "/data/empty.txt", ts, 0) != 0));
    show("empty.txt");
    struct timespec omit[2] = {{0, UTIME_OMIT}, {1750000000, 333}};
    wt_report("utimensat omit atime",
              wt_libc(utimensat(AT_FDCWD, "/data/empty.txt", omit, 0) != 0));
    show("empty.txt");
    return 0;
}
