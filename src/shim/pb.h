/* pb.h: the little of Protocol Buffers the containerd shim speaks (ttrpc requests and
 * responses, the task service's messages, events, and containerd's gRPC API): varints and
 * length-delimited fields, written into a growable buffer and read field by field. No
 * schema compiler: each message is a short function that names its field numbers, from the
 * .proto files of containerd 1.6 (docs/design/shim.md lists them). Proto3 rules: a scalar
 * equal to its default (0, "", empty) is not written; a reader skips fields it does not
 * know, of every wire type, and never reads past its end. */
#ifndef CORRAL_SHIM_PB_H
#define CORRAL_SHIM_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Wire types. */
enum { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

/* A message being written. Out of memory sets oom and drops later writes; check it once at
 * the end. */
typedef struct PbBuf {
    uint8_t *data;
    size_t len, cap;
    bool oom;
} PbBuf;

void pb_buf_free(PbBuf *b);
/* Field writers; each writes nothing for a proto3 default value. */
void pb_uint(PbBuf *b, uint32_t field, uint64_t v); /* uint32, uint64, bool, enum */
void pb_int(PbBuf *b, uint32_t field, int64_t v);   /* int32, int64 (negative: 10 bytes) */
void pb_bytes(PbBuf *b, uint32_t field, const void *p, size_t len);
void pb_str(PbBuf *b, uint32_t field, const char *s); /* NULL or "" writes nothing */
/* A nested message, always written (even when empty: presence matters for messages). */
void pb_msg(PbBuf *b, uint32_t field, const PbBuf *sub);
/* Raw bytes, no tag (frame headers, prebuilt messages). */
void pb_raw(PbBuf *b, const void *p, size_t len);

/* Well-known types. google.protobuf.Timestamp{seconds=1, nanos=2} as field `field`,
 * always present (containerd's timestamps are not nullable), from a CLOCK_REALTIME time. */
struct timespec;
void pb_timestamp(PbBuf *b, uint32_t field, const struct timespec *t);
/* google.protobuf.Any{type_url=1, value=2} as field `field`. */
void pb_any(PbBuf *b, uint32_t field, const char *type_url, const PbBuf *value);

/* A message being read: [p, end). */
typedef struct PbReader {
    const uint8_t *p, *end;
    bool bad; /* set when the bytes are not a valid message; pb_next then returns false */
} PbReader;

typedef struct PbField {
    uint32_t num;
    uint8_t wire;
    uint64_t u;          /* PB_VARINT, PB_I64, PB_I32 values */
    const uint8_t *data; /* PB_LEN: the bytes, inside the reader's buffer */
    size_t len;
} PbField;

PbReader pb_reader(const void *p, size_t len);
/* The next field, or false at the end (r->bad tells an error from a clean end). */
bool pb_next(PbReader *r, PbField *f);
/* A PB_LEN field as a reader of the message it holds. */
PbReader pb_sub(const PbField *f);
/* A PB_LEN field as a NUL-terminated copy (malloc; NULL when out of memory). */
char *pb_strdup(const PbField *f);

#endif
