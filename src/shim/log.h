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
/* Sends later lines to fd alone (owned by the log from now on; earlier ones are closed);
 * -1 returns to stderr. */
void shim_log_set_fd(int fd);
/* Adds the `log` FIFO of bundle (when containerd reads it) as a further destination. A
 * shim serving a pod gets each container's FIFO this way: lines go to the oldest one that
 * still has a reader, since containerd stops reading a container's FIFO once it is
 * deleted. Returns the fd (owned by the log) or -1 when there is no reader or no room. */
int shim_log_add_bundle(const char *bundle);
/* Whether -debug was given: debug-only lines check it before calling shim_log. */
extern int shim_log_debug;

#endif
