/* swap.c: the host side of the sandbox race test. Exchanges two entries of a directory (a real
 * directory and a symlink that leads outside the preopen) as fast as it can until SIGTERM,
 * then prints "swaps: N" to stderr. Uses renameat2(RENAME_EXCHANGE), so the name always
 * exists and is one or the other; falls back to three renames where that is not supported.
 *
 * usage: swap DIR A B */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static int exchange(int dir, const char *a, const char *b)
{
    return (int)syscall(SYS_renameat2, dir, a, dir, b, RENAME_EXCHANGE);
}

/* Three renames through a temporary name: the window where A is missing is part of the race. */
static int rotate(int dir, const char *a, const char *b)
{
    if (renameat(dir, a, dir, "swap.tmp") != 0)
        return -1;
    if (renameat(dir, b, dir, a) != 0)
        return -1;
    return renameat(dir, "swap.tmp", dir, b);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: swap DIR A B\n");
        return 2;
    }
    int dir = open(argv[1], O_DIRECTORY | O_RDONLY);
    if (dir < 0) {
        fprintf(stderr, "swap: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    int (*step)(int, const char *, const char *) = exchange;
    unsigned long swaps = 0;
    while (!stop) {
        if (step(dir, argv[2], argv[3]) != 0) {
            if (step == exchange && (errno == ENOSYS || errno == EINVAL)) {
                step = rotate;
                continue;
            }
            fprintf(stderr, "swap: %s <-> %s: %s\n", argv[2], argv[3], strerror(errno));
            return 1;
        }
        swaps++;
    }
    fprintf(stderr, "swaps: %lu\n", swaps);
    return 0;
}
