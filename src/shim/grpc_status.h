/* grpc_status.h: the gRPC status codes as SHIM_* constants (SHIM_OK 0 .. SHIM_UNAUTHENTICATED
 * 16), generated from grpc_status.def, and their names. What every shim error is (container.h,
 * the ttrpc transport, the content-store reader); no meaning beyond gRPC's own. */
#ifndef CORRAL_SHIM_GRPC_STATUS_H
#define CORRAL_SHIM_GRPC_STATUS_H

enum {
#define X(num, id, name) SHIM_##id = num,
#include "shim/grpc_status.def"
#undef X
};

/* The code's gRPC name ("NotFound"), or "code N" for a number outside 0..16 (in a
 * thread-local buffer: valid until this thread's next call). Never NULL. */
const char *shim_status_name(int code);

#endif
