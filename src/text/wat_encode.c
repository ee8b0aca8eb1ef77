/* wat_encode.c: the binary format's primitives for the text library: a growable byte
 * buffer, LEB128 and little-endian writers, names. Section framing is wat_module.c's. A
 * failed allocation is sticky (Buf.oom), so callers check once at the end. */
#include "wat_int.h"

#include <stdlib.h>
#include <string.h>

static bool reserve(Buf *b, size_t n)
{
    if (b->oom)
        return false;
    if (b->cap - b->len >= n)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->len < n) {
        if (cap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void buf_byte(Buf *b, uint8_t v)
{
    if (reserve(b, 1))
        b->p[b->len++] = v;
}

void buf_bytes(Buf *b, const void *p, size_t n)
{
    if (n && reserve(b, n)) {
        memcpy(b->p + b->len, p, n);
        b->len += n;
    }
}

void buf_u32(Buf *b, uint32_t v)
{
    buf_u64(b, v);
}

void buf_u64(Buf *b, uint64_t v)
{
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        buf_byte(b, (uint8_t)(byte | (v ? 0x80 : 0)));
    } while (v);
}

void buf_s64(Buf *b, int64_t v)
{
    for (;;) {
        uint8_t byte = (uint8_t)(v & 0x7f);
        v >>= 7; /* arithmetic shift: gcc and clang define it for negative values */
        bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
        buf_byte(b, (uint8_t)(byte | (done ? 0 : 0x80)));
        if (done)
            return;
    }
}

void buf_s32(Buf *b, int32_t v)
{
    buf_s64(b, v);
}

void buf_name(Buf *b, const uint8_t *p, size_t n)
{
    buf_u32(b, (uint32_t)n);
    buf_bytes(b, p, n);
}

void buf_le(Buf *b, uint64_t v, int nbytes)
{
    for (int i = 0; i < nbytes; i++)
        buf_byte(b, (uint8_t)(v >> (8 * i)));
}

void buf_free(Buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}
