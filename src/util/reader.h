/* reader.h: a bounds-checked cursor over a byte buffer, with the WebAssembly binary
 * primitives (LEB128 with the spec's exact overflow rules, IEEE bit patterns, UTF-8 names).
 * Every read either succeeds or leaves a spec-worded message and the byte offset in the
 * reader; nothing here allocates or aborts. */
#ifndef CORRAL_READER_H
#define CORRAL_READER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct Reader {
    const uint8_t *base; /* start of the whole buffer (offsets are relative to it) */
    const uint8_t *p;    /* cursor */
    const uint8_t *end;  /* one past the readable range */
    const char *err;     /* first error's message (static string), NULL when none */
    size_t err_off;      /* byte offset of that error */
} Reader;

/* Status of every read: 0 is success. */
typedef enum { RD_OK = 0, RD_ERR = 1 } RdStatus;

#define RD_WARN __attribute__((warn_unused_result))

void rd_init(Reader *r, const uint8_t *base, size_t len);
/* A sub-reader over the next n bytes (fails with "unexpected end" if they are not there);
 * on success the parent is advanced past them. */
RD_WARN RdStatus rd_sub(Reader *r, size_t n, Reader *out);
/* Records the first error at the current position; returns RD_ERR for tail calls. */
RdStatus rd_fail(Reader *r, const char *msg);
RdStatus rd_fail_at(Reader *r, size_t off, const char *msg);

static inline size_t rd_off(const Reader *r) { return (size_t)(r->p - r->base); }
static inline size_t rd_left(const Reader *r) { return (size_t)(r->end - r->p); }
static inline bool rd_eof(const Reader *r) { return r->p >= r->end; }

RD_WARN RdStatus rd_u8(Reader *r, uint8_t *out);
RD_WARN RdStatus rd_u32(Reader *r, uint32_t *out);  /* unsigned LEB128, <= 5 bytes */
RD_WARN RdStatus rd_s32(Reader *r, int32_t *out);   /* signed LEB128, <= 5 bytes */
RD_WARN RdStatus rd_s33(Reader *r, int64_t *out);   /* signed 33-bit (block types) */
RD_WARN RdStatus rd_s64(Reader *r, int64_t *out);   /* signed LEB128, <= 10 bytes */
RD_WARN RdStatus rd_u64(Reader *r, uint64_t *out);  /* unsigned LEB128, <= 10 bytes */
RD_WARN RdStatus rd_f32(Reader *r, uint32_t *out_bits);
RD_WARN RdStatus rd_f64(Reader *r, uint64_t *out_bits);
RD_WARN RdStatus rd_bytes(Reader *r, size_t n, const uint8_t **out);
/* A vec(byte) name: length, bytes, validated as UTF-8 ("malformed UTF-8 encoding"). */
RD_WARN RdStatus rd_name(Reader *r, const uint8_t **out, uint32_t *out_len);

/* True when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool utf8_valid(const uint8_t *s, size_t n);

#endif
