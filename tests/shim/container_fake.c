/* container_fake.c: a runtime whose "guest" is a thread that writes one line to the stdout
 * FIFO and then runs until killed or 300 ms have passed (10 minutes for an id starting with
 * "long"), so that the shim's whole protocol (Create, Start, Wait, Kill, Delete, events,
 * Shutdown, delete) can be tried against a real containerd and ctr before
 * src/shim/container.c exists. Built as build/tests/containerd-shim-corral-v1-fake; never part of
 * the real shim. No mounts: run it with ctr --rootfs. */
#include "shim/container.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ShimContainer {
    char *id, *bundle, *stdout_path;
    int out_fd; /* the stdout FIFO, opened at Create as the real runtime does; -1: none */
    ShimExitFn on_exit;
    void *ud;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ShimStatus status;
    uint32_t signal, exit_status;
    struct timespec exited_at;
    pthread_t thread;
};

int shim_container_create(const ShimCreate *req, ShimExitFn on_exit, void *ud, ShimContainer **out,
                          uint32_t *out_pid, char **out_err)
{
    if (req->terminal) {
        *out_err = strdup("terminal is not supported");
        return SHIM_INVALID_ARGUMENT;
    }
    ShimContainer *c = calloc(1, sizeof *c);
    c->id = strdup(req->id);
    c->bundle = strdup(req->bundle);
    c->stdout_path = strdup(req->stdout_path ? req->stdout_path : "");
    c->on_exit = on_exit;
    c->ud = ud;
    c->status = SHIM_STATUS_CREATED;
    /* Opened now, while the client (ctr) holds the read end: ctr run -d leaves after Start,
     * and an open in the guest thread would then wait for a reader for ever. */
    c->out_fd = *c->stdout_path ? open(c->stdout_path, O_WRONLY | O_CLOEXEC) : -1;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    *out = c;
    *out_pid = (uint32_t)getpid();
    return SHIM_OK;
}

static void *guest(void *arg)
{
    ShimContainer *c = arg;
    if (c->out_fd >= 0) {
        dprintf(c->out_fd, "hello from the fake guest of %s\n", c->id);
        close(c->out_fd);
        c->out_fd = -1;
    }
    long run_ms = strncmp(c->id, "long", 4) == 0 ? 600000 : 300;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += run_ms / 1000;
    until.tv_nsec += run_ms % 1000 * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&c->mu);
    while (!c->signal && pthread_cond_timedwait(&c->cv, &c->mu, &until) != ETIMEDOUT) {
    }
    c->status = SHIM_STATUS_STOPPED;
    c->exit_status = c->signal ? 128 + c->signal : 0;
    clock_gettime(CLOCK_REALTIME, &c->exited_at);
    pthread_cond_broadcast(&c->cv);
    uint32_t st = c->exit_status;
    struct timespec at = c->exited_at;
    pthread_mutex_unlock(&c->mu);
    c->on_exit(c->ud, c, (uint32_t)getpid(), st, at);
    return NULL;
}

/* A container never started stops without running (killed or deleted before Start), so
 * that a Wait sent before Start returns, as container.h says. */
static bool stop_created(ShimContainer *c, uint32_t signal)
{
    pthread_mutex_lock(&c->mu);
    bool created = c->status == SHIM_STATUS_CREATED;
    if (created) {
        c->status = SHIM_STATUS_STOPPED;
        c->exit_status = 128 + signal;
        clock_gettime(CLOCK_REALTIME, &c->exited_at);
        pthread_cond_broadcast(&c->cv);
    }
    uint32_t st = c->exit_status;
    struct timespec at = c->exited_at;
    pthread_mutex_unlock(&c->mu);
    if (created)
        c->on_exit(c->ud, c, (uint32_t)getpid(), st, at);
    return created;
}

int shim_container_start(ShimContainer *c, uint32_t *out_pid, char **out_err)
{
    pthread_mutex_lock(&c->mu);
    int ok = c->status == SHIM_STATUS_CREATED;
    if (ok)
        c->status = SHIM_STATUS_RUNNING;
    pthread_mutex_unlock(&c->mu);
    if (!ok || pthread_create(&c->thread, NULL, guest, c) != 0) {
        *out_err = strdup("cannot start");
        return SHIM_FAILED_PRECONDITION;
    }
    *out_pid = (uint32_t)getpid();
    return SHIM_OK;
}

void shim_container_state(ShimContainer *c, ShimState *out)
{
    pthread_mutex_lock(&c->mu);
    *out = (ShimState){.status = c->status,
                       .pid = (uint32_t)getpid(),
                       .exit_status = c->exit_status,
                       .exited_at = c->exited_at,
                       .bundle = c->bundle,
                       .stdout_path = c->stdout_path};
    pthread_mutex_unlock(&c->mu);
}

int shim_container_kill(ShimContainer *c, uint32_t signal, char **out_err)
{
    if (stop_created(c, signal))
        return SHIM_OK;
    pthread_mutex_lock(&c->mu);
    int running = c->status == SHIM_STATUS_RUNNING;
    if (running && !c->signal)
        c->signal = signal;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (!running) {
        *out_err = strdup("process already finished");
        return SHIM_NOT_FOUND;
    }
    return SHIM_OK;
}

void shim_container_wait(ShimContainer *c, uint32_t *out_exit_status,
                         struct timespec *out_exited_at)
{
    pthread_mutex_lock(&c->mu);
    /* Until stopped, a container not yet started too: ctr run sends Wait before Start. */
    while (c->status != SHIM_STATUS_STOPPED)
        pthread_cond_wait(&c->cv, &c->mu);
    *out_exit_status = c->exit_status;
    *out_exited_at = c->exited_at;
    pthread_mutex_unlock(&c->mu);
}

uint64_t shim_container_memory(ShimContainer *c)
{
    return 1 << 20;
}

/* The fake guest does no work worth counting. */
uint64_t shim_container_cpu_ns(ShimContainer *c)
{
    return 0;
}

int shim_container_delete(ShimContainer *c, ShimState *out_final, char **out_err)
{
    pthread_mutex_lock(&c->mu);
    int started = c->status != SHIM_STATUS_CREATED;
    pthread_mutex_unlock(&c->mu);
    stop_created(c, 9);
    pthread_mutex_lock(&c->mu);
    if (c->status == SHIM_STATUS_RUNNING && !c->signal)
        c->signal = 9;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (started)
        pthread_join(c->thread, NULL);
    shim_container_state(c, out_final);
    out_final->bundle = out_final->stdout_path = NULL;
    if (c->out_fd >= 0)
        close(c->out_fd);
    free(c->id);
    free(c->bundle);
    free(c->stdout_path);
    free(c);
    return SHIM_OK;
}

const char *shim_container_id(const ShimContainer *c)
{
    return c->id;
}

int shim_container_cleanup(const char *bundle, char **out_err)
{
    return SHIM_OK;
}
