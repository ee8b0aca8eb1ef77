/* container.h: the containers one shim process serves (all of a pod's, grouped by the
 * sandbox annotation), seen from the task service (task.c). A container is created from an
 * OCI bundle (config.json and rootfs), runs its WebAssembly guest on a thread of this
 * process (or, for a WAGI app, Corral's gateway), and is waited on, signalled and deleted.
 * Every function is thread-safe: the task service serves requests concurrently (Wait
 * blocks while State, Kill and others arrive).
 *
 * Errors are gRPC status codes (SHIM_*, grpc_status.h; what the ttrpc response carries) with
 * an owned message (free()); the message also goes to the shim log. */
#ifndef CORRAL_SHIM_CONTAINER_H
#define CORRAL_SHIM_CONTAINER_H

#include "shim/grpc_status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* containerd.task.v2 Status. */
typedef enum ShimStatus {
    SHIM_STATUS_UNKNOWN = 0,
    SHIM_STATUS_CREATED = 1,
    SHIM_STATUS_RUNNING = 2,
    SHIM_STATUS_STOPPED = 3,
} ShimStatus;

/* containerd.types.Mount: how containerd asks for the rootfs (overlay or bind). */
typedef struct ShimMount {
    char *type, *source, *target;
    char **options;
    size_t noptions;
} ShimMount;

/* Everything of CreateTaskRequest the runtime uses, plus where containerd is. */
typedef struct ShimCreate {
    const char *id;
    const char *bundle;      /* holds config.json and rootfs/ */
    const ShimMount *rootfs; /* to mount on bundle/rootfs; none with ctr --rootfs */
    size_t nrootfs;
    const char *stdin_path; /* FIFOs made by containerd; "" or NULL: none */
    const char *stdout_path;
    const char *stderr_path;
    bool terminal;                  /* refused: a guest has no terminal */
    const char *ns;                 /* containerd namespace */
    const char *containerd_address; /* containerd's gRPC socket (the content store) */
} ShimCreate;

typedef struct ShimState {
    ShimStatus status;
    uint32_t pid;              /* the process the guest runs in (see docs/design/shim.md) */
    uint32_t exit_status;      /* when stopped: the guest's exit status, 128+signal when
                                * killed, 134 for a trap */
    struct timespec exited_at; /* CLOCK_REALTIME; zero until stopped */
    bool terminal;
    char *bundle, *stdin_path, *stdout_path, *stderr_path; /* borrowed from the container */
} ShimState;

typedef struct ShimContainer ShimContainer;

/* Called once when a container's guest stops (from the thread that saw it stop), so the
 * task service publishes /tasks/exit. */
typedef void (*ShimExitFn)(void *ud, ShimContainer *c, uint32_t pid, uint32_t exit_status,
                           struct timespec exited_at);

/* Reads the bundle, mounts the rootfs, finds and loads the module, opens the stdio FIFOs:
 * everything short of running. On failure nothing stays mounted or open. */
int shim_container_create(const ShimCreate *req, ShimExitFn on_exit, void *ud, ShimContainer **out,
                          uint32_t *out_pid, char **out_err);
/* Starts the guest. */
int shim_container_start(ShimContainer *c, uint32_t *out_pid, char **out_err);
void shim_container_state(ShimContainer *c, ShimState *out);
/* Delivers signal (a Linux signal number) as a process would take it: SIGKILL, SIGTERM,
 * SIGINT and the others whose default action ends a process stop the guest within 100 ms
 * (the engine's interrupt and WASI's cancel); ignored-by-default signals do nothing. */
int shim_container_kill(ShimContainer *c, uint32_t signal, char **out_err);
/* Blocks until the guest has stopped (at once if it has). A container never started is
 * waited on too, as runc's shim does: `ctr run` sends Wait before Start. Kill or Delete of a
 * created container stops it and wakes such a Wait. */
void shim_container_wait(ShimContainer *c, uint32_t *out_exit_status,
                         struct timespec *out_exited_at);
/* Resident bytes attributable to the container (its instance's memories, stacks; a child
 * process's VmRSS). */
uint64_t shim_container_memory(ShimContainer *c);
/* CPU time the container has used so far, in nanoseconds (user and system): its guest
 * thread's (CLOCK_THREAD_CPUTIME_ID, kept when the thread ends), or a child process's. For
 * Stats, which CRI turns into the pod's CPU usage (kubectl top). */
uint64_t shim_container_cpu_ns(ShimContainer *c);
/* Stops the guest if it still runs, unmounts, closes and frees everything. Returns the
 * final state for DeleteResponse. */
int shim_container_delete(ShimContainer *c, ShimState *out_final, char **out_err);

/* The id the container was created with (borrowed). */
const char *shim_container_id(const ShimContainer *c);

/* For the `delete` subcommand, when the shim that served id is gone: unmounts
 * bundle/rootfs and removes what the shim left in the bundle. */
int shim_container_cleanup(const char *bundle, char **out_err);

#endif
