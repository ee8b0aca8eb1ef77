/* wat_num.c: the text format's numeric literals: integers (decimal and hex, signed or not,
 * with "_" between digits) and floats (decimal and hex, inf, nan, nan:0x payloads), checked
 * against the spec's grammar first, then converted exactly. Decimal and hex floats are
 * rounded by the C library's strtof/strtod, which round correctly (to nearest, ties to
 * even) for both; only a literal the grammar accepts ever reaches them. */
#include "wat_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { LIT_NUM, LIT_INF, LIT_NAN, LIT_NAN_PAYLOAD };

/* A literal checked against the grammar, its digits without underscores in clean. */
typedef struct Lit {
    int form;       /* LIT_* */
    bool has_sign, neg, hex, is_int;
    char *clean;    /* sign, "0x", digits, '.', exponent: what strtod reads */
    size_t clean_len;
    uint64_t payload; /* LIT_NAN_PAYLOAD */
    bool payload_big; /* the payload exceeds 64 bits */
} Lit;

static bool is_digit(char c, bool hex)
{
    return (c >= '0' && c <= '9') ||
           (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
}

/* A digit run with single underscores between digits, copied without them. */
static bool scan_digits(const char *s, size_t n, size_t *i, bool hex, Lit *l)
{
    if (*i >= n || !is_digit(s[*i], hex))
        return false;
    while (*i < n) {
        if (is_digit(s[*i], hex)) {
            l->clean[l->clean_len++] = s[(*i)++];
        } else if (s[*i] == '_' && *i + 1 < n && is_digit(s[*i + 1], hex)) {
            (*i)++;
        } else {
            break;
        }
    }
    return true;
}

static unsigned digit_val(char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
}

/* The part after an optional sign: a hex or decimal number with an optional fraction and
 * exponent. */
static bool scan_number(const char *s, size_t n, size_t i, Lit *l)
{
    if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x')) {
        l->hex = true;
        memcpy(l->clean + l->clean_len, "0x", 2);
        l->clean_len += 2;
        i += 2;
    }
    if (!scan_digits(s, n, &i, l->hex, l))
        return false;
    l->is_int = true;
    if (i < n && s[i] == '.') {
        l->is_int = false;
        l->clean[l->clean_len++] = s[i++];
        if (i < n && is_digit(s[i], l->hex) && !scan_digits(s, n, &i, l->hex, l))
            return false;
    }
    if (i < n && (l->hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
        l->is_int = false;
        l->clean[l->clean_len++] = s[i++];
        if (i < n && (s[i] == '+' || s[i] == '-'))
            l->clean[l->clean_len++] = s[i++];
        if (!scan_digits(s, n, &i, false, l))
            return false;
    }
    return i == n;
}

/* Checks s[0..n) against the grammar of numeric literals; l->clean is owned on success. */
static bool scan(const char *s, size_t n, Lit *l)
{
    size_t i = 0;
    memset(l, 0, sizeof *l);
    if (n == 0)
        return false;
    l->clean = malloc(n + 3);
    if (!l->clean)
        return false;
    if (s[0] == '+' || s[0] == '-') {
        l->has_sign = true;
        l->neg = s[0] == '-';
        l->clean[l->clean_len++] = s[i++];
    }
    bool ok;
    if (n - i == 3 && !memcmp(s + i, "inf", 3)) {
        l->form = LIT_INF, ok = true;
    } else if (n - i == 3 && !memcmp(s + i, "nan", 3)) {
        l->form = LIT_NAN, ok = true;
    } else if (n - i > 6 && !memcmp(s + i, "nan:0x", 6)) {
        l->form = LIT_NAN_PAYLOAD;
        size_t j = i + 6, start = l->clean_len;
        ok = scan_digits(s, n, &j, true, l) && j == n;
        for (size_t k = start; ok && k < l->clean_len; k++) {
            if (l->payload >> 60)
                l->payload_big = true;
            l->payload = l->payload << 4 | digit_val(l->clean[k]);
        }
    } else {
        ok = scan_number(s, n, i, l);
    }
    if (!ok) {
        free(l->clean);
        l->clean = NULL;
    } else {
        l->clean[l->clean_len] = '\0';
    }
    return ok;
}

/* The magnitude of an integer literal; false when it exceeds 64 bits. */
static bool int_value(const Lit *l, uint64_t *out)
{
    const char *p = l->clean + (l->has_sign ? 1 : 0);
    unsigned base = l->hex ? 16 : 10;
    uint64_t v = 0;
    if (l->hex)
        p += 2;
    for (; *p; p++) {
        unsigned d = digit_val(*p);
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

NumStatus num_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    Lit l;
    if (!scan(s, n, &l))
        return NUM_SYNTAX;
    NumStatus st = NUM_OK;
    if (l.form != LIT_NUM || !l.is_int || l.has_sign)
        st = NUM_SYNTAX;
    else if (!int_value(&l, out) || *out > max)
        st = NUM_RANGE;
    free(l.clean);
    return st;
}

NumStatus num_int(const char *s, size_t n, int bits, uint64_t *out)
{
    Lit l;
    uint64_t v = 0;
    if (!scan(s, n, &l))
        return NUM_SYNTAX;
    NumStatus st = NUM_OK;
    uint64_t umax = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    uint64_t half = UINT64_C(1) << (bits - 1);
    if (l.form != LIT_NUM || !l.is_int)
        st = NUM_SYNTAX;
    else if (!int_value(&l, &v))
        st = NUM_RANGE;
    else if (!l.has_sign && v > umax)
        st = NUM_RANGE;
    else if (l.has_sign && (l.neg ? v > half : v >= half))
        st = NUM_RANGE;
    free(l.clean);
    if (!st)
        *out = (l.neg ? (uint64_t)0 - v : v) & umax;
    return st;
}

static NumStatus float_special(const Lit *l, int bits, uint64_t *out)
{
    int mant = bits == 32 ? 23 : 52;
    uint64_t exp_all = bits == 32 ? UINT64_C(0xff) << 23 : UINT64_C(0x7ff) << 52;
    uint64_t sign = l->neg ? UINT64_C(1) << (bits - 1) : 0;
    uint64_t payload = UINT64_C(1) << (mant - 1); /* canonical NaN */
    if (l->form == LIT_INF) {
        *out = sign | exp_all;
        return NUM_OK;
    }
    if (l->form == LIT_NAN_PAYLOAD) {
        if (l->payload_big || l->payload == 0 || l->payload >> mant)
            return NUM_RANGE;
        payload = l->payload;
    }
    *out = sign | exp_all | payload;
    return NUM_OK;
}

NumStatus num_float(const char *s, size_t n, int bits, uint64_t *out)
{
    Lit l;
    if (!scan(s, n, &l))
        return NUM_SYNTAX;
    NumStatus st = NUM_OK;
    if (l.form != LIT_NUM) {
        st = float_special(&l, bits, out);
    } else if (bits == 32) {
        float f = strtof(l.clean, NULL);
        uint32_t u;
        memcpy(&u, &f, 4);
        *out = u;
        st = isinf(f) ? NUM_RANGE : NUM_OK;
    } else {
        double d = strtod(l.clean, NULL);
        memcpy(out, &d, 8);
        st = isinf(d) ? NUM_RANGE : NUM_OK;
    }
    free(l.clean);
    return st;
}

bool text_utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t len;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
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
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
            return false;
        i += len;
    }
    return true;
}

bool num_v128_shape(const char *s, size_t n, V128Shape *out)
{
    static const struct {
        const char *name;
        uint8_t lane_bits;
        bool is_float;
    } shapes[] = {{"i8x16", 8, false},  {"i16x8", 16, false}, {"i32x4", 32, false},
                  {"i64x2", 64, false}, {"f32x4", 32, true},  {"f64x2", 64, true}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        if (strlen(shapes[i].name) == n && !memcmp(s, shapes[i].name, n)) {
            out->lane_bits = shapes[i].lane_bits;
            out->is_float = shapes[i].is_float;
            out->lanes = (uint8_t)(128 / shapes[i].lane_bits);
            return true;
        }
    return false;
}

NumStatus num_v128_lane(const char *s, size_t n, const V128Shape *sh, uint64_t *out)
{
    return sh->is_float ? num_float(s, n, sh->lane_bits, out) : num_int(s, n, sh->lane_bits, out);
}
