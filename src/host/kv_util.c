/* kv_util.c: what the key-value files share: the error table (kv_errors.def), diagnostics,
 * key lists and the decimal format of counters. No I/O and no state of its own. */
#include "host/kv_backend.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ---- */

static const struct {
    const char *name, *message;
} errors[] = {
#define X(name, num, msg) [num] = {#name, msg},
#include "host/kv_errors.def"
#undef X
};

enum { NERRORS = sizeof errors / sizeof errors[0] };

const char *kv_error_name(uint32_t code)
{
    return code < NERRORS && errors[code].name ? errors[code].name : "?";
}

const char *kv_error_message(uint32_t code)
{
    return code < NERRORS && errors[code].message ? errors[code].message : "unknown error";
}

/* ---- messages ---- */

void kv_log(const KvLog *log, const char *fmt, ...)
{
    if (!log || !log->fn)
        return;
    char msg[512];
    memcpy(msg, "kv: ", 4);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + 4, sizeof msg - 4, fmt, ap);
    va_end(ap);
    log->fn(log->ud, msg);
}

/* ---- key lists ---- */

bool kv_keylist_push(KvKeyList *l, const uint8_t *key, size_t len)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        KvKey *k = realloc(l->keys, cap * sizeof *k);
        if (!k)
            return false;
        l->keys = k;
        l->cap = cap;
    }
    uint8_t *d = malloc(len ? len : 1);
    if (!d)
        return false;
    if (len)
        memcpy(d, key, len);
    l->keys[l->count++] = (KvKey){d, len};
    return true;
}

void kv_keylist_clear(KvKeyList *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->keys[i].data);
    free(l->keys);
    *l = (KvKeyList){0};
}

/* ---- counters ---- */

bool kv_parse_i64(const uint8_t *s, size_t len, int64_t *out)
{
    size_t i = 0;
    bool neg = len > 0 && s[0] == '-';
    i += neg;
    if (i == len)
        return false;
    if (s[i] == '0') { /* only "0" itself: no leading zeros, no "-0" */
        if (len != 1)
            return false;
        *out = 0;
        return true;
    }
    /* Accumulate negatively so INT64_MIN needs no special case. */
    int64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        int d = s[i] - '0';
        if (v < (INT64_MIN + d) / 10)
            return false;
        v = v * 10 - d;
    }
    if (!neg && v == INT64_MIN)
        return false;
    *out = neg ? v : -v;
    return true;
}

size_t kv_format_i64(int64_t v, char *buf)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t len = 0;
    if (v < 0)
        buf[len++] = '-';
    while (n)
        buf[len++] = tmp[--n];
    return len;
}

KvError kv_add_i64(const uint8_t *old, size_t old_len, int64_t delta, int64_t *out)
{
    int64_t v = 0;
    if (old && !kv_parse_i64(old, old_len, &v))
        return KV_ERR_NOT_A_NUMBER;
    if (__builtin_add_overflow(v, delta, out))
        return KV_ERR_NOT_A_NUMBER;
    return KV_ERR_OK;
}
