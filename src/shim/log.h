/* log.h: the shim's one log. containerd hands every shim a `log` FIFO in the bundle and
 * copies what arrives there into its own log; before that is open (and in tests) lines go
 * to stderr. Each call writes one whole timestamped line under a lock, so lines from the
 * request threads, the runtime and the event publisher never interleave. */
#ifndef CORRAL_SHIM_LOG_H
#define CORRAL_SHIM_LOG_H

/* printf-style; a trailing newline is added (one given is not doubled). Thread-safe. */
void shim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, prefixed with "id: " (the container's id) when id is not NULL. */
void shim_log_id(const char *id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sends later lines to fd (owned by the log from now on; a previous one is closed);
 * -1 returns to stderr. The shim calls it once with the bundle's log FIFO. */
void shim_log_set_fd(int fd);
/* Whether -debug was given: debug-only lines check it before calling shim_log. */
extern int shim_log_debug;

#endif
