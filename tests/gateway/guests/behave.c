/* behave.c: one misbehaviour (or slow good behaviour) per MODE, the module's `environment`
 * variable; N is the number in QUERY_STRING ("?2000"). Modes:
 *   exit0   a response, then exit(0): WASI proc_exit(0), a success in Corral (500 in WAGI)
 *   exit3   a response, then exit(3): a failure
 *   trap    unreachable
 *   loop    never returns
 *   grow    memory.grow 1 MiB at a time until refused, then abort (a trap)
 *   bigout  a response whose body is N bytes (it stops at the first failed write)
 *   sleep   sleeps N ms, then a response
 *   hit     appends a line to /data/hits (a volume), so run.sh can count executions
 *   stderr  writes "stderr-line QUERY_STRING" to stderr, then a response
 *   peek    reads one byte of stdin and leaves the rest
 *   fds     opens /data/f (when there is a /data) and leaves it open; prints that descriptor
 *           and every descriptor from 3 to 63 that is valid: a fresh instance always shows
 *           the same list, so a descriptor left over from an earlier request shows up */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static void ok(const char *what)
{
    printf("Content-Type: text/plain\n\n%s\n", what);
}

int main(void)
{
    const char *mode = getenv("MODE"), *q = getenv("QUERY_STRING");
    long n = q ? atol(q) : 0;
    if (!mode)
        mode = "";
    if (!strcmp(mode, "exit0")) {
        ok("exit0");
        exit(0);
    } else if (!strcmp(mode, "exit3")) {
        ok("exit3");
        exit(3);
    } else if (!strcmp(mode, "trap")) {
        __builtin_trap();
    } else if (!strcmp(mode, "loop")) {
        for (volatile unsigned long i = 0;; i++)
            ;
    } else if (!strcmp(mode, "grow")) {
        while (__builtin_wasm_memory_grow(0, 16) != (size_t)-1)
            ;
        abort();
    } else if (!strcmp(mode, "bigout")) {
        static char chunk[1000];
        memset(chunk, 'x', sizeof chunk);
        printf("Content-Type: text/plain\n\n");
        for (long i = 0; i < n; i += (long)sizeof chunk) {
            size_t k = n - i < (long)sizeof chunk ? (size_t)(n - i) : sizeof chunk;
            if (fwrite(chunk, 1, k, stdout) != k || fflush(stdout) != 0)
                return 1;
        }
    } else if (!strcmp(mode, "sleep")) {
        struct timespec ts = {n / 1000, (n % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        ok("slept");
    } else if (!strcmp(mode, "hit")) {
        FILE *f = fopen("/data/hits", "a");
        if (!f || fprintf(f, "hit %s\n", q ? q : "") < 0 || fclose(f) != 0) {
            printf("Status: 500\n\ncannot append to /data/hits\n");
            return 0;
        }
        ok("hit");
    } else if (!strcmp(mode, "stderr")) {
        fprintf(stderr, "stderr-line %s\n", q ? q : "");
        ok("stderr");
    } else if (!strcmp(mode, "peek")) {
        char c;
        ssize_t r = read(0, &c, 1);
        printf("Content-Type: text/plain\n\npeeked %d\n", (int)r);
    } else if (!strcmp(mode, "fds")) {
        int fd = open("/data/f", O_RDONLY);
        printf("Content-Type: text/plain\n\nopen=%d valid=", fd);
        for (int i = 3; i < 64; i++) {
            __wasi_fdstat_t st;
            if (__wasi_fd_fdstat_get((__wasi_fd_t)i, &st) == 0)
                printf("%d,", i);
        }
        printf("\n");
    } else {
        printf("Status: 500\nContent-Type: text/plain\n\nunknown MODE '%s'\n", mode);
    }
    return 0;
}
