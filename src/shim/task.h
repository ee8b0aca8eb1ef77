/* task.h: the containerd.task.v2.Task ttrpc service (containerd 1.6's
 * runtime/v2/task/shim.proto) over the containers of container.h: a map from task id to
 * container, request decoding and response encoding, and the ordering of the task events.
 * All of the shim's calls into container.h are in task.c, so a test can supply its own. */
#ifndef CORRAL_SHIM_TASK_H
#define CORRAL_SHIM_TASK_H

#include "shim/events.h"
#include "shim/ttrpc.h"

#include <stddef.h>

typedef struct ShimTasks ShimTasks;

/* The task service of one shim process: containerd namespace ns and containerd's gRPC
 * socket containerd_address (both copied, for the runtime), events published through
 * events (borrowed; NULL: none). NULL when out of memory. */
ShimTasks *shim_tasks_new(const char *ns, const char *containerd_address, ShimEvents *events);
/* Frees the map; only when no request is being served and no task is left. */
void shim_tasks_free(ShimTasks *t);
/* Tasks created and not yet deleted. */
size_t shim_tasks_count(ShimTasks *t);
/* The method table for ttrpc_server_new; the server's ud must be the ShimTasks. */
const TtrpcMethod *shim_task_methods(size_t *out_n);

#endif
