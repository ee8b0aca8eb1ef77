/* grpc_status.c: the names of the gRPC status codes (grpc_status.h), from grpc_status.def. */
#include "shim/grpc_status.h"

#include <stdio.h>

static const char *const names[] = {
#define X(num, id, name) [num] = name,
#include "shim/grpc_status.def"
#undef X
};

const char *shim_status_name(int code)
{
    static _Thread_local char other[24];
    if (code >= 0 && (size_t)code < sizeof names / sizeof names[0] && names[code])
        return names[code];
    snprintf(other, sizeof other, "code %d", code);
    return other;
}
