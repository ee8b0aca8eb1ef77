/* reader.c: LEB128, fixed-width and UTF-8 reads for the binary decoder. The LEB128 rules are
 * the spec's: at most ceil(N/7) bytes ("integer representation too long"), and the unused
 * bits of the last byte must be zero (unsigned) or a sign extension (signed), else
 * "integer too large". */
#include "reader.h"

#include <string.h>

void rd_init(Reader *r, const uint8_t *base, size_t len)
{
    r->base = base;
    r->p = base;
    r->end = base + len;
    r->err = NULL;
    r->err_off = 0;
}

RdStatus rd_fail_at(Reader *r, size_t off, const char *msg)
{
    if (!r->err) {
        r->err = msg;
        r->err_off = off;
    }
    return RD_ERR;
}

RdStatus rd_fail(Reader *r, const char *msg) { return rd_fail_at(r, rd_off(r), msg); }

RdStatus rd_sub(Reader *r, size_t n, Reader *out)
{
    if (rd_left(r) < n)
        return rd_fail(r, "unexpected end");
    out->base = r->base;
    out->p = r->p;
    out->end = r->p + n;
    out->err = NULL;
    out->err_off = 0;
    r->p += n;
    return RD_OK;
}

RdStatus rd_u8_slow(Reader *r, uint8_t *out)
{
    if (r->p >= r->end)
        return rd_fail(r, "unexpected end");
    *out = *r->p++;
    return RD_OK;
}

/* Shared LEB128 core: reads at most ceil(bits/7) bytes; checks the unused high bits. */
static RdStatus read_leb(Reader *r, unsigned bits, bool is_signed, uint64_t *out)
{
    unsigned maxbytes = (bits + 6) / 7;
    uint64_t result = 0;
    unsigned shift = 0;
    size_t start = rd_off(r);
    for (unsigned i = 0;; i++) {
        if (r->p >= r->end)
            return rd_fail(r, "unexpected end");
        uint8_t b = *r->p++;
        if (i == maxbytes - 1) {
            if (b & 0x80)
                return rd_fail_at(r, start, "integer representation too long");
            /* Bits of the final byte beyond the type's width. */
            unsigned used = bits - shift; /* 1..7 */
            if (used < 7) {
                uint8_t extra = (uint8_t)(b & 0x7f) >> used;
                uint8_t ok_mask = (uint8_t)(0x7f >> used);
                if (is_signed) {
                    bool neg = (b >> (used - 1)) & 1;
                    if (extra != (neg ? ok_mask : 0))
                        return rd_fail_at(r, start, "integer too large");
                } else if (extra != 0) {
                    return rd_fail_at(r, start, "integer too large");
                }
            }
            result |= (uint64_t)(b & 0x7f) << shift;
            shift += 7;
            break;
        }
        result |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80))
            break;
    }
    if (is_signed && shift < 64 && (result >> (shift - 1)) & 1)
        result |= ~(uint64_t)0 << shift;
    *out = result;
    return RD_OK;
}

RdStatus rd_u32_slow(Reader *r, uint32_t *out)
{
    uint64_t v;
    if (read_leb(r, 32, false, &v))
        return RD_ERR;
    *out = (uint32_t)v;
    return RD_OK;
}

RdStatus rd_s32_slow(Reader *r, int32_t *out)
{
    uint64_t v;
    if (read_leb(r, 32, true, &v))
        return RD_ERR;
    *out = (int32_t)(uint32_t)v;
    return RD_OK;
}

RdStatus rd_s33_slow(Reader *r, int64_t *out)
{
    uint64_t v;
    if (read_leb(r, 33, true, &v))
        return RD_ERR;
    *out = (int64_t)v;
    return RD_OK;
}

RdStatus rd_s64_slow(Reader *r, int64_t *out)
{
    uint64_t v;
    if (read_leb(r, 64, true, &v))
        return RD_ERR;
    *out = (int64_t)v;
    return RD_OK;
}

RdStatus rd_u64(Reader *r, uint64_t *out) { return read_leb(r, 64, false, out); }

RdStatus rd_bytes(Reader *r, size_t n, const uint8_t **out)
{
    if (rd_left(r) < n)
        return rd_fail(r, "unexpected end");
    *out = r->p;
    r->p += n;
    return RD_OK;
}

RdStatus rd_f32(Reader *r, uint32_t *out_bits)
{
    const uint8_t *b;
    if (rd_bytes(r, 4, &b))
        return RD_ERR;
    *out_bits = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return RD_OK;
}

RdStatus rd_f64(Reader *r, uint64_t *out_bits)
{
    const uint8_t *b;
    if (rd_bytes(r, 8, &b))
        return RD_ERR;
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    *out_bits = v;
    return RD_OK;
}

RdStatus rd_name(Reader *r, const uint8_t **out, uint32_t *out_len)
{
    uint32_t n;
    if (rd_u32(r, &n))
        return RD_ERR;
    if (rd_left(r) < n)
        return rd_fail(r, "length out of bounds");
    if (!utf8_valid(r->p, n))
        return rd_fail(r, "malformed UTF-8 encoding");
    *out = r->p;
    *out_len = n;
    r->p += n;
    return RD_OK;
}

bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        unsigned len;
        uint32_t cp, min;
        if ((c & 0xe0) == 0xc0) {
            len = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (unsigned k = 1; k < len; k++) {
            uint8_t cc = s[i + k];
            if ((cc & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (cc & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}
