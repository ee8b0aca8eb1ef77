/* pb.c: Protocol Buffers wire format, the subset pb.h describes. */
#include "shim/pb.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void pb_buf_free(PbBuf *b)
{
    free(b->data);
    *b = (PbBuf){0};
}

static bool grow(PbBuf *b, size_t more)
{
    if (b->oom)
        return false;
    if (b->cap - b->len >= more)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->len < more) {
        if (cap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    uint8_t *d = realloc(b->data, cap);
    if (!d) {
        b->oom = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void pb_raw(PbBuf *b, const void *p, size_t len)
{
    if (len && grow(b, len)) {
        memcpy(b->data + b->len, p, len);
        b->len += len;
    }
}

static void varint(PbBuf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        tmp[n++] = byte | (v ? 0x80 : 0);
    } while (v);
    pb_raw(b, tmp, n);
}

static void tag(PbBuf *b, uint32_t field, unsigned wire)
{
    varint(b, (uint64_t)field << 3 | wire);
}

void pb_uint(PbBuf *b, uint32_t field, uint64_t v)
{
    if (v) {
        tag(b, field, PB_VARINT);
        varint(b, v);
    }
}

void pb_int(PbBuf *b, uint32_t field, int64_t v)
{
    pb_uint(b, field, (uint64_t)v);
}

static void len_field(PbBuf *b, uint32_t field, const void *p, size_t len)
{
    tag(b, field, PB_LEN);
    varint(b, len);
    pb_raw(b, p, len);
}

void pb_bytes(PbBuf *b, uint32_t field, const void *p, size_t len)
{
    if (len)
        len_field(b, field, p, len);
}

void pb_str(PbBuf *b, uint32_t field, const char *s)
{
    if (s && *s)
        len_field(b, field, s, strlen(s));
}

void pb_msg(PbBuf *b, uint32_t field, const PbBuf *sub)
{
    if (sub->oom)
        b->oom = true;
    else
        len_field(b, field, sub->data, sub->len);
}

void pb_timestamp(PbBuf *b, uint32_t field, const struct timespec *t)
{
    PbBuf ts = {0};
    pb_int(&ts, 1, (int64_t)t->tv_sec);
    pb_int(&ts, 2, (int64_t)t->tv_nsec);
    pb_msg(b, field, &ts);
    pb_buf_free(&ts);
}

void pb_any(PbBuf *b, uint32_t field, const char *type_url, const PbBuf *value)
{
    PbBuf any = {0};
    pb_str(&any, 1, type_url);
    pb_bytes(&any, 2, value->data, value->len);
    any.oom |= value->oom;
    pb_msg(b, field, &any);
    pb_buf_free(&any);
}

PbReader pb_reader(const void *p, size_t len)
{
    const uint8_t *s = p ? p : (const uint8_t *)"";
    return (PbReader){.p = s, .end = s + (p ? len : 0)};
}

static bool get_varint(PbReader *r, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end)
            return false;
        uint8_t byte = *r->p++;
        if (shift == 63 && byte > 1)
            return false;
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

static bool get_fixed(PbReader *r, unsigned n, uint64_t *out)
{
    if ((size_t)(r->end - r->p) < n)
        return false;
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += n;
    *out = v;
    return true;
}

static bool field_body(PbReader *r, PbField *f)
{
    switch (f->wire) {
    case PB_VARINT:
        return get_varint(r, &f->u);
    case PB_I64:
        return get_fixed(r, 8, &f->u);
    case PB_I32:
        return get_fixed(r, 4, &f->u);
    case PB_LEN:
        if (!get_varint(r, &f->u) || f->u > (uint64_t)(r->end - r->p))
            return false;
        f->data = r->p;
        f->len = (size_t)f->u;
        r->p += f->len;
        return true;
    default: /* groups (3, 4) are long deprecated and never sent by containerd */
        return false;
    }
}

bool pb_next(PbReader *r, PbField *f)
{
    if (r->bad || r->p >= r->end)
        return false;
    uint64_t key;
    *f = (PbField){0};
    if (!get_varint(r, &key) || key >> 3 == 0 || key >> 3 > 0x1fffffff)
        goto bad;
    f->num = (uint32_t)(key >> 3);
    f->wire = key & 7;
    if (!field_body(r, f))
        goto bad;
    return true;
bad:
    r->bad = true;
    return false;
}

PbReader pb_sub(const PbField *f)
{
    PbReader r = pb_reader(f->data, f->wire == PB_LEN ? f->len : 0);
    r.bad = f->wire != PB_LEN;
    return r;
}

char *pb_strdup(const PbField *f)
{
    size_t n = f->wire == PB_LEN ? f->len : 0;
    char *s = malloc(n + 1);
    if (s) {
        if (n)
            memcpy(s, f->data, n);
        s[n] = 0;
    }
    return s;
}
