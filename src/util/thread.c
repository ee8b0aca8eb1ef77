/* thread.c: see thread.h. A thread inherits its creator's signal mask, so the mask is set
 * around pthread_create: there is no moment at which the new thread could take a signal. */
#include "util/thread.h"

#include <signal.h>

int thread_start(pthread_t *out_thread, const pthread_attr_t *attr, void *(*fn)(void *),
                 void *arg)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE};
    sigset_t set, old;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&set, sigs[i]);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    int e = pthread_create(out_thread, attr, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return e;
}
