/* log.c: one timestamped line per call to a bundle's log FIFO (or stderr). Formatting
 * happens outside the lock into a stack buffer; only the write(2) is serialized, so a slow
 * reader of the FIFO delays loggers but never corrupts a line. A FIFO whose reader has gone
 * (EPIPE; SIGPIPE is ignored by the shim) is dropped and the next one tried. */
#include "shim/log.h"
#include "util/fs.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int shim_log_debug;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
enum { LINE_MAX_LEN = 2048, SINKS_MAX = 16 };

static int sinks[SINKS_MAX]; /* oldest first; none: stderr */
static size_t nsinks;

/* With log_lock held: the line to the first sink that takes it, dropping failed ones. */
static void write_line(const char *line, size_t n)
{
    while (nsinks > 0) {
        if (fs_write_all(sinks[0], line, n))
            return;
        close(sinks[0]);
        memmove(sinks, sinks + 1, --nsinks * sizeof sinks[0]);
    }
    (void)fs_write_all(STDERR_FILENO, line, n); /* a failed log write has nowhere to go */
}

static void log_line(const char *id, const char *fmt, va_list ap)
{
    char line[LINE_MAX_LEN];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(line + n, sizeof line - n, ".%06ldZ corral-shim[%d]: %s%s",
                          ts.tv_nsec / 1000, (int)getpid(), id ? id : "", id ? ": " : "");
    if (n < sizeof line) {
        int m = vsnprintf(line + n, sizeof line - n, fmt, ap);
        n = m < 0 ? n : n + (size_t)m;
    }
    if (n > sizeof line - 2)
        n = sizeof line - 2; /* truncated: keep room for the newline */
    if (n > 0 && line[n - 1] == '\n')
        n--;
    line[n++] = '\n';
    pthread_mutex_lock(&log_lock);
    write_line(line, n);
    pthread_mutex_unlock(&log_lock);
}

void shim_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line(NULL, fmt, ap);
    va_end(ap);
}

void shim_log_id(const char *id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line(id, fmt, ap);
    va_end(ap);
}

void shim_log_set_fd(int fd)
{
    pthread_mutex_lock(&log_lock);
    for (size_t i = 0; i < nsinks; i++) {
        if (sinks[i] != fd)
            close(sinks[i]);
    }
    nsinks = 0;
    if (fd >= 0)
        sinks[nsinks++] = fd;
    pthread_mutex_unlock(&log_lock);
}

int shim_log_add_bundle(const char *bundle)
{
    char path[PATH_MAX + 8];
    snprintf(path, sizeof path, "%s/log", bundle);
    /* Non-blocking open: ENXIO when nobody reads, instead of hanging; then blocking
     * writes, so that a briefly full pipe delays a line rather than losing it. */
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    pthread_mutex_lock(&log_lock);
    bool room = nsinks < SINKS_MAX;
    if (room)
        sinks[nsinks++] = fd;
    pthread_mutex_unlock(&log_lock);
    if (!room)
        close(fd);
    return room ? fd : -1;
}
