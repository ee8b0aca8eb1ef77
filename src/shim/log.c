/* log.c: one timestamped line per call to the bundle's log FIFO (or stderr). Formatting
 * happens outside the lock into a stack buffer; only the single write(2) is serialized, so
 * a slow reader of the FIFO delays loggers but never corrupts a line. */
#include "shim/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int shim_log_debug;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;

enum { LINE_MAX_LEN = 2048 };

/* Writes all of buf, retrying short writes; a failed log write has nowhere to be reported. */
static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
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
    write_all(log_fd >= 0 ? log_fd : STDERR_FILENO, line, n);
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
    if (log_fd >= 0 && log_fd != fd)
        close(log_fd);
    log_fd = fd;
    pthread_mutex_unlock(&log_lock);
}
