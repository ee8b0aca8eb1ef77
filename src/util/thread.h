/* thread.h: starting the library's own threads (the gateway's watchdog, the tier's background
 * compiles, the validator's helpers) so that they never take the process's signals. */
#ifndef CORRAL_THREAD_H
#define CORRAL_THREAD_H

#include <pthread.h>

/* pthread_create with SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGPIPE blocked
 * in the new thread: a signal sent to the process reaches one of the application's threads
 * (one that takes it with sigwait, or whose default action applies), never a library thread
 * that would die of it. The caller's mask is unchanged. Returns pthread_create's result. */
int thread_start(pthread_t *out_thread, const pthread_attr_t *attr, void *(*fn)(void *),
                 void *arg);

#endif
