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

/* The LEB128 reads have an inline path for the one-byte encodings that make up most of
 * any module, and an out-of-line one (reader.c) for the rest and for errors. */
RD_WARN RdStatus rd_u8_slow(Reader *r, uint8_t *out);
RD_WARN RdStatus rd_u32_slow(Reader *r, uint32_t *out);
RD_WARN RdStatus rd_s32_slow(Reader *r, int32_t *out);
RD_WARN RdStatus rd_s33_slow(Reader *r, int64_t *out);
RD_WARN RdStatus rd_s64_slow(Reader *r, int64_t *out);

/* A one-byte LEB128 at the cursor (continuation bit clear), or -1. */
static inline int rd_leb1(const Reader *r)
{
    return r->p < r->end && !(*r->p & 0x80) ? *r->p : -1;
}

/* The 7 bits of a one-byte signed LEB128, sign-extended. */
static inline int64_t rd_sext7(int b) { return (int64_t)(int8_t)(uint8_t)(b << 1) >> 1; }

static inline RD_WARN RdStatus rd_u8(Reader *r, uint8_t *out)
{
    if (r->p < r->end) {
        *out = *r->p++;
        return RD_OK;
    }
    return rd_u8_slow(r, out);
}

static inline RD_WARN RdStatus rd_u32(Reader *r, uint32_t *out) /* unsigned, <= 5 bytes */
{
    int b = rd_leb1(r);
    if (b < 0)
        return rd_u32_slow(r, out);
    r->p++;
    *out = (uint32_t)b;
    return RD_OK;
}

static inline RD_WARN RdStatus rd_s32(Reader *r, int32_t *out) /* signed, <= 5 bytes */
{
    int b = rd_leb1(r);
    if (b < 0)
        return rd_s32_slow(r, out);
    r->p++;
    *out = (int32_t)rd_sext7(b);
    return RD_OK;
}

static inline RD_WARN RdStatus rd_s33(Reader *r, int64_t *out) /* signed 33-bit (block types) */
{
    int b = rd_leb1(r);
    if (b < 0)
        return rd_s33_slow(r, out);
    r->p++;
    *out = rd_sext7(b);
    return RD_OK;
}

static inline RD_WARN RdStatus rd_s64(Reader *r, int64_t *out) /* signed, <= 10 bytes */
{
    int b = rd_leb1(r);
    if (b < 0)
        return rd_s64_slow(r, out);
    r->p++;
    *out = rd_sext7(b);
    return RD_OK;
}

RD_WARN RdStatus rd_u64(Reader *r, uint64_t *out);  /* unsigned LEB128, <= 10 bytes */
RD_WARN RdStatus rd_f32(Reader *r, uint32_t *out_bits);
RD_WARN RdStatus rd_f64(Reader *r, uint64_t *out_bits);
RD_WARN RdStatus rd_bytes(Reader *r, size_t n, const uint8_t **out);
/* A vec(byte) name: length, bytes, validated as UTF-8 ("malformed UTF-8 encoding"). */
RD_WARN RdStatus rd_name(Reader *r, const uint8_t **out, uint32_t *out_len);

/* True when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool utf8_valid(const uint8_t *s, size_t n);

#endif
