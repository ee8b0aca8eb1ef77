/* container_stub.c: a runtime that refuses every container, so that the shim's protocol
 * half (start, Connect, Create's error path, Shutdown, delete) can be tried against a real
 * containerd before src/shim/container.c exists. Built as
 * build/tests/containerd-shim-corral-v1-stub; never part of the real shim. */
#include "shim/container.h"

#include <stdlib.h>
#include <string.h>

int shim_container_create(const ShimCreate *req, ShimExitFn on_exit, void *ud, ShimContainer **out,
                          uint32_t *out_pid, char **out_err)
{
    *out_err = strdup("this is the protocol-only stub shim: no runtime (container.c) built in");
    return SHIM_UNIMPLEMENTED;
}

int shim_container_start(ShimContainer *c, uint32_t *out_pid, char **out_err)
{
    return SHIM_INTERNAL;
}

void shim_container_state(ShimContainer *c, ShimState *out)
{
    memset(out, 0, sizeof *out);
}

int shim_container_kill(ShimContainer *c, uint32_t signal, char **out_err)
{
    return SHIM_INTERNAL;
}

void shim_container_wait(ShimContainer *c, uint32_t *out_exit_status,
                         struct timespec *out_exited_at)
{
}

uint64_t shim_container_memory(ShimContainer *c)
{
    return 0;
}

uint64_t shim_container_cpu_ns(ShimContainer *c)
{
    return 0;
}

int shim_container_delete(ShimContainer *c, ShimState *out_final, char **out_err)
{
    return SHIM_INTERNAL;
}

const char *shim_container_id(const ShimContainer *c)
{
    return "";
}

int shim_container_cleanup(const char *bundle, char **out_err)
{
    return SHIM_OK;
}
