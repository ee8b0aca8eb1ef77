/* efault: guest pointers and lengths that leave linear memory make the call fail with EFAULT
 * (and never crash the host): the imports are called directly with raw addresses. Memory
 * that ends exactly at the boundary is fine. */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
IMPORT(fd_write) int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t nwritten);
IMPORT(fd_read) int32_t raw_fd_read(int32_t fd, int32_t iovs, int32_t n, int32_t nread);
IMPORT(args_sizes_get) int32_t raw_args_sizes_get(int32_t argc, int32_t size);
IMPORT(args_get) int32_t raw_args_get(int32_t argv, int32_t buf);
IMPORT(environ_sizes_get) int32_t raw_environ_sizes_get(int32_t count, int32_t size);
IMPORT(clock_time_get) int32_t raw_clock_time_get(int32_t id, int64_t precision, int32_t out);
IMPORT(random_get) int32_t raw_random_get(int32_t buf, int32_t len);
IMPORT(path_open)
int32_t raw_path_open(int32_t fd, int32_t flags, int32_t path, int32_t len, int32_t oflags,
                      int64_t base, int64_t inheriting, int32_t fdflags, int32_t out);
IMPORT(fd_prestat_dir_name) int32_t raw_prestat_dir_name(int32_t fd, int32_t buf, int32_t len);
IMPORT(fd_fdstat_get) int32_t raw_fdstat_get(int32_t fd, int32_t out);
IMPORT(poll_oneoff) int32_t raw_poll_oneoff(int32_t in, int32_t out, int32_t n, int32_t nevents);

static uint32_t mem_end(void)
{
    return (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
}

int main(void)
{
    const int32_t end = (int32_t)mem_end();
    static __wasi_ciovec_t iov[1];
    static const char msg[] = "ok\n";
    static __wasi_size_t n;
    iov[0].buf = (const uint8_t *)msg;
    iov[0].buf_len = 3;

    printf("fd_write iovs out of memory: %s\n",
           wt_errstr(raw_fd_write(1, end - 4, 1, (int32_t)&n)));
    printf("fd_write iovs at -8: %s\n", wt_errstr(raw_fd_write(1, -8, 1, (int32_t)&n)));
    printf("fd_write huge iov count: %s\n",
           wt_errstr(raw_fd_write(1, (int32_t)iov, 0x20000000, (int32_t)&n)));
    printf("fd_write nwritten out of memory: %s\n",
           wt_errstr(raw_fd_write(2, (int32_t)iov, 0, end - 2)));
    static __wasi_ciovec_t bad[1];
    bad[0].buf = (const uint8_t *)(uintptr_t)(end - 2);
    bad[0].buf_len = 3;
    printf("fd_write buffer crossing the end: %s\n",
           wt_errstr(raw_fd_write(1, (int32_t)bad, 1, (int32_t)&n)));
    bad[0].buf = (const uint8_t *)(uintptr_t)0xFFFFFFF0u;
    bad[0].buf_len = 0x20;
    printf("fd_write buffer wrapping around: %s\n",
           wt_errstr(raw_fd_write(1, (int32_t)bad, 1, (int32_t)&n)));

    int fd = open("/data/hello.txt", O_RDONLY);
    static __wasi_iovec_t rio[1];
    rio[0].buf = (uint8_t *)(uintptr_t)(end - 4);
    rio[0].buf_len = 16;
    printf("fd_read into a buffer crossing the end: %s\n",
           wt_errstr(raw_fd_read(fd, (int32_t)rio, 1, (int32_t)&n)));
    rio[0].buf_len = 4; /* ends exactly at the end of memory: fine */
    int32_t e = raw_fd_read(fd, (int32_t)rio, 1, (int32_t)&n);
    printf("fd_read into the last 4 bytes: %s nread=%u\n", wt_errstr(e), e ? 0u : (unsigned)n);

    printf("args_sizes_get out of memory: %s\n", wt_errstr(raw_args_sizes_get(end, end)));
    printf("args_get out of memory: %s\n", wt_errstr(raw_args_get(end - 2, end - 2)));
    printf("environ_sizes_get out of memory: %s\n", wt_errstr(raw_environ_sizes_get(-4, -4)));
    printf("clock_time_get out of memory: %s\n", wt_errstr(raw_clock_time_get(0, 1, end - 4)));
    printf("random_get crossing the end: %s\n", wt_errstr(raw_random_get(end - 8, 16)));
    printf("random_get wrapping around: %s\n", wt_errstr(raw_random_get(-8, 16)));
    printf("random_get ending at the end: %s\n", wt_errstr(raw_random_get(end - 8, 8)));
    printf("path_open path out of memory: %s\n",
           wt_errstr(raw_path_open(3, 0, end - 3, 10, 0, WT_READ_RIGHTS, 0, 0, (int32_t)&n)));
    printf("path_open result out of memory: %s\n",
           wt_errstr(raw_path_open(3, 0, (int32_t) "hello.txt", 9, 0, WT_READ_RIGHTS, 0, 0, end)));
    printf("prestat_dir_name out of memory: %s\n", wt_errstr(raw_prestat_dir_name(3, end - 1, 5)));
    printf("fdstat_get out of memory: %s\n", wt_errstr(raw_fdstat_get(1, end - 8)));
    static __wasi_event_t ev[1];
    printf("poll_oneoff subscriptions out of memory: %s\n",
           wt_errstr(raw_poll_oneoff(end - 16, (int32_t)ev, 1, (int32_t)&n)));
    printf("still running\n");
    return 0;
}
