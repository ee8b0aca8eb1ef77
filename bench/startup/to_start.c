/* to_start.c: how long a WASI runtime takes from spawn to the guest's main, for
 * bench/startup_limits.sh. Runs the command WARMUP + RUNS times. Each time it reads
 * CLOCK_MONOTONIC, spawns the command with stdout on a pipe, and reads what the guest prints:
 * its own reading of CLOCK_MONOTONIC on entering main (bench/startup/stamp.c). This needs a
 * runtime that passes the host's monotonic clock through, as corral and Node's WASI do.
 * For each timed run it prints "TO_MAIN_S TOTAL_S": the guest's reading minus the spawn time,
 * and the time from the spawn until the child had exited (what hyperfine -N measures).
 *   to_start WARMUP RUNS CMD [ARGS...]
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One run: 0 and the two times, or -1 with a message on stderr. */
static int run_once(char **argv, double *to_main, double *total)
{
    int fds[2], status;
    pid_t pid;
    posix_spawn_file_actions_t fa;
    char buf[256];
    size_t len = 0;
    ssize_t n;

    if (pipe(fds) != 0) {
        perror("to_start: pipe");
        return -1;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    long long t0 = now_ns();
    int err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (err != 0) {
        fprintf(stderr, "to_start: cannot run %s\n", argv[0]);
        close(fds[0]);
        return -1;
    }
    while ((n = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)n;
    close(fds[0]);
    if (waitpid(pid, &status, 0) != pid) {
        perror("to_start: waitpid");
        return -1;
    }
    long long t1 = now_ns();
    buf[len] = '\0';
    char *end;
    long long stamp = strtoll(buf, &end, 10);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || end == buf || stamp < t0 || stamp > t1) {
        fprintf(stderr,
                "to_start: %s: exit status %d, printed '%.40s', not a monotonic time "
                "between the spawn and the exit\n",
                argv[0], status, buf);
        return -1;
    }
    *to_main = (double)(stamp - t0) / 1e9;
    *total = (double)(t1 - t0) / 1e9;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s WARMUP RUNS CMD [ARGS...]\n", argv[0]);
        return 2;
    }
    int warmup = atoi(argv[1]), runs = atoi(argv[2]);
    for (int i = 0; i < warmup + runs; i++) {
        double to_main, total;
        if (run_once(argv + 3, &to_main, &total) != 0)
            return 1;
        if (i >= warmup)
            printf("%.9f %.9f\n", to_main, total);
    }
    return 0;
}
