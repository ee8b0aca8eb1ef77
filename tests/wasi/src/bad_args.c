/* bad_args: calls with arguments no libc would pass: flag bits preview 1 does not define, enum
 * values out of range, paths with a NUL inside or longer than any host path, fds that are not
 * open. Each is refused with the errno shown, and the host never crashes. */
#include "wasitest.h"

#include <stdlib.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
IMPORT(path_open)
int32_t raw_path_open(int32_t fd, int32_t flags, int32_t path, int32_t len, int32_t oflags,
                      int64_t base, int64_t inheriting, int32_t fdflags, int32_t out);
IMPORT(path_symlink)
int32_t raw_path_symlink(int32_t old, int32_t old_len, int32_t fd, int32_t path, int32_t len);
IMPORT(path_filestat_get)
int32_t raw_path_filestat_get(int32_t fd, int32_t flags, int32_t path, int32_t len, int32_t out);

static uint32_t fd_out;
static __wasi_filestat_t st;

static int32_t open_raw(const char *path, int32_t len, int32_t oflags, int32_t fdflags)
{
    return raw_path_open(WT_PREOPEN, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, (int32_t)path, len, oflags,
                         WT_READ_RIGHTS, 0, fdflags, (int32_t)&fd_out);
}

static const char *refused(int e)
{
    return e ? "refused" : "ALLOWED";
}

int main(void)
{
    static const char nul[] = "hello.txt\0/../../etc/passwd";
    printf("path_open, a NUL inside the path: %s\n",
           wt_errstr(open_raw(nul, (int32_t)sizeof nul - 1, 0, 0)));
    printf("path_open, the NUL counted as the last byte: %s\n",
           wt_errstr(open_raw("hello.txt", 10, 0, 0)));
    size_t big = 70000;
    char *longpath = malloc(big + 1);
    for (size_t i = 0; i < big; i += 2) {
        longpath[i] = 'a';
        longpath[i + 1] = '/';
    }
    longpath[big] = 0;
    printf("path_open, a 70000-byte path: %s\n", wt_errstr(open_raw(longpath, (int32_t)big, 0, 0)));
    printf("path_filestat_get, a 70000-byte path: %s\n",
           wt_errstr(raw_path_filestat_get(WT_PREOPEN, 0, (int32_t)longpath, (int32_t)big,
                                           (int32_t)&st)));
    printf("path_symlink, a 70000-byte target: %s\n",
           wt_errstr(raw_path_symlink((int32_t)longpath, (int32_t)big, WT_PREOPEN,
                                      (int32_t) "biglink", 7)));
    printf("path_open, oflags bit 4: %s\n", wt_errstr(open_raw("hello.txt", 9, 1 << 4, 0)));
    printf("path_open, fdflags bit 5: %s\n", wt_errstr(open_raw("hello.txt", 9, 0, 1 << 5)));

    __wasi_fd_t fd;
    __wasi_path_open(WT_PREOPEN, 0, "hello.txt", 0, WT_FILE_RIGHTS, 0, 0, &fd);
    __wasi_filesize_t pos;
    printf("fd_seek, whence 3: %s\n", wt_errstr(__wasi_fd_seek(fd, 0, 3, &pos)));
    printf("fd_fdstat_set_flags, bit 5: %s\n", wt_errstr(__wasi_fd_fdstat_set_flags(fd, 1 << 5)));
    printf("fd_filestat_set_times, flag bit 4: %s\n",
           wt_errstr(__wasi_fd_filestat_set_times(fd, 0, 0, 1 << 4)));
    printf("path_filestat_set_times, flag bit 4: %s\n",
           wt_errstr(__wasi_path_filestat_set_times(WT_PREOPEN, 0, "hello.txt", 0, 0, 1 << 4)));

    __wasi_subscription_t sub;
    memset(&sub, 0, sizeof sub);
    sub.u.tag = 3;
    __wasi_event_t ev;
    __wasi_size_t n = 0;
    int e = __wasi_poll_oneoff(&sub, &ev, 1, &n);
    printf("poll_oneoff, event type 3: %s", wt_errstr(e));
    if (!e)
        printf(" events=%u error=%s", (unsigned)n, n ? wt_errstr(ev.error) : "-");
    printf("\n");
    memset(&sub, 0, sizeof sub);
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = 99;
    e = __wasi_poll_oneoff(&sub, &ev, 1, &n);
    printf("poll_oneoff, clock 99: %s", wt_errstr(e));
    if (!e)
        printf(" events=%u error=%s", (unsigned)n, n ? wt_errstr(ev.error) : "-");
    printf("\n");

    /* File calls on a directory fd: refused (the errno varies between runtimes). */
    char buf[8];
    __wasi_iovec_t in = {(uint8_t *)buf, sizeof buf};
    __wasi_ciovec_t out = {(const uint8_t *)"x", 1};
    printf("on the preopen: fd_read %s, fd_write %s, fd_pread %s, fd_pwrite %s,",
           refused(__wasi_fd_read(WT_PREOPEN, &in, 1, &n)),
           refused(__wasi_fd_write(WT_PREOPEN, &out, 1, &n)),
           refused(__wasi_fd_pread(WT_PREOPEN, &in, 1, 0, &n)),
           refused(__wasi_fd_pwrite(WT_PREOPEN, &out, 1, 0, &n)));
    printf(" fd_filestat_set_size %s, fd_allocate %s\n",
           refused(__wasi_fd_filestat_set_size(WT_PREOPEN, 0)),
           refused(__wasi_fd_allocate(WT_PREOPEN, 0, 10)));
    printf("path calls on a file fd: path_open %s, path_create_directory %s, fd_readdir %s\n",
           refused(__wasi_path_open(fd, 0, "x", 0, 0, 0, 0, &(__wasi_fd_t){0})),
           refused(__wasi_path_create_directory(fd, "x")),
           refused(__wasi_fd_readdir(fd, (uint8_t *)buf, sizeof buf, 0, &n)));

    printf("fd_renumber onto itself: %s\n", wt_errstr(__wasi_fd_renumber(fd, fd)));
    printf("fd_close of the preopen: %s\n", wt_errstr(__wasi_fd_close(WT_PREOPEN)));
    printf("path_open through the closed preopen: %s\n", wt_errstr(open_raw("hello.txt", 9, 0, 0)));
    printf("fd_prestat_get of it: %s\n",
           wt_errstr(__wasi_fd_prestat_get(WT_PREOPEN, &(__wasi_prestat_t){0})));
    printf("still running\n");
    return 0;
}
