/* events.h: the task events a shim owes containerd (/tasks/create, /tasks/start,
 * /tasks/exit, /tasks/delete), published in the order they were queued by one publisher
 * thread, so that a request handler never waits on containerd. Delivery is a ttrpc call
 * containerd.services.events.ttrpc.v1.Events/Forward on containerd's ttrpc socket (env
 * TTRPC_ADDRESS); without that address events are logged and dropped (containerd 1.6
 * always sets it; the `publish` binary fallback is not implemented). */
#ifndef CORRAL_SHIM_EVENTS_H
#define CORRAL_SHIM_EVENTS_H

#include "shim/container.h"
#include "shim/pb.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef struct ShimEvents ShimEvents;

/* A publisher to containerd's ttrpc socket address (a path, "unix://" accepted; NULL or
 * "": log and drop) for namespace ns (copied). Starts the publisher thread. NULL when out
 * of memory or no thread. */
ShimEvents *shim_events_new(const char *address, const char *ns);
/* Queues one event: topic ("/tasks/exit"), type ("containerd.events.TaskExit"), and the
 * encoded event message (taken: *event is emptied). Never blocks on containerd. */
void shim_events_publish(ShimEvents *e, const char *topic, const char *type, PbBuf *event);
/* Waits until every queued event has been delivered or dropped, at most timeout_ms;
 * false on timeout. The shim calls it before it exits. */
bool shim_events_drain(ShimEvents *e, int timeout_ms);
/* Drains (at most 2 s), stops the thread and frees. */
void shim_events_free(ShimEvents *e);

/* The four task events, encoded from containerd 1.6's api/events/task.proto and queued. */
void shim_event_task_create(ShimEvents *e, const ShimCreate *req, uint32_t pid);
void shim_event_task_start(ShimEvents *e, const char *id, uint32_t pid);
void shim_event_task_exit(ShimEvents *e, const char *id, uint32_t pid, uint32_t exit_status,
                          struct timespec exited_at);
void shim_event_task_delete(ShimEvents *e, const char *id, uint32_t pid, uint32_t exit_status,
                            struct timespec exited_at);

#endif
