/* write: fd_write on stdout and stderr: one iovec, several iovecs gathered in order, empty
 * iovecs, zero iovecs, and one large write; nwritten is reported for each. Writes to fds that
 * are not open are EBADF. */
#include "wasitest.h"

#include <stdlib.h>

static void put(const char *label, __wasi_fd_t fd, const __wasi_ciovec_t *iov, size_t n)
{
    __wasi_size_t nw = 12345;
    int e = __wasi_fd_write(fd, iov, n, &nw);
    char what[64];
    snprintf(what, sizeof what, "%s nwritten=%u", label, e ? 0u : (unsigned)nw);
    fflush(stdout);
    /* Report on stderr so the report does not land inside the data on stdout. */
    fprintf(stderr, "%s: %s\n", what, wt_errstr(e));
}

int main(void)
{
    __wasi_ciovec_t one[] = {{(const uint8_t *)"single iovec\n", 13}};
    put("one", 1, one, 1);
    __wasi_ciovec_t three[] = {{(const uint8_t *)"gather", 6},
                               {(const uint8_t *)"", 0},
                               {(const uint8_t *)"ed ", 3},
                               {(const uint8_t *)"in order\n", 9}};
    put("four with an empty one", 1, three, 4);
    put("zero iovecs", 1, three, 0);
    __wasi_ciovec_t empty[] = {{(const uint8_t *)"x", 0}};
    put("one empty iovec", 1, empty, 1);
    __wasi_ciovec_t err[] = {{(const uint8_t *)"to stderr\n", 10}};
    put("stderr", 2, err, 1);

    /* 64 KiB in one call: 1024 lines of 64 bytes. */
    size_t n = 1024 * 64;
    char *big = malloc(n + 1);
    for (int i = 0; i < 1024; i++)
        snprintf(big + i * 64, 65, "%04d %058d\n", i, 0);
    __wasi_ciovec_t large[] = {{(const uint8_t *)big, n}};
    put("64 KiB", 1, large, 1);

    /* 5000 one-byte iovecs: more than a host writev takes at once, so a call may write only
     * some of them (a short write is allowed); together the calls write them all, in order. */
    enum { N = 5000 };
    static __wasi_ciovec_t many[N];
    static char letters[N + 1];
    for (int i = 0; i < N; i++) {
        letters[i] = (char)(i % 64 == 63 ? '\n' : 'a' + i % 26);
        many[i].buf = (const uint8_t *)&letters[i];
        many[i].buf_len = 1;
    }
    size_t total = 0, at = 0;
    int e = 0;
    while (at < N && !e) {
        __wasi_size_t nw = 0;
        e = __wasi_fd_write(1, many + at, N - at, &nw);
        at += nw; /* one byte per iovec */
        total += nw;
        if (!e && nw == 0)
            break;
    }
    fprintf(stderr, "5000 one-byte iovecs: %s, %zu written\n", wt_errstr(e), total);

    put("fd 99", 99, one, 1);
    put("fd -1", (__wasi_fd_t)-1, one, 1);
    return 0;
}
