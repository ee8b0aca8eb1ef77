/* toml_number.c: integers (decimal with optional sign, 0x 0o 0b without) and floats
 * (fraction, exponent, inf, nan). Underscores must sit between two digits, decimal leading
 * zeros are errors, integers must fit in int64 and finite floats must stay finite. The digits
 * are gathered without underscores in the scratch buffer and converted from there. */
#include "util/toml_int.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>

static int digit_value(int c, int radix)
{
    int v = c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : 99;
    return v < radix ? v : -1;
}

/* One or more digits of radix, single underscores allowed between them; the digits go to
 * the scratch buffer. what names the digits expected, for the message. */
static TomlStatus scan_digits(TomlParser *p, int radix, const char *what)
{
    char d[24];
    if (digit_value(toml_peek(p), radix) < 0)
        return toml_fail(p, p->pos, "expected %s, found %s", what,
                         toml_describe(p, p->pos, d, sizeof d));
    for (;;) {
        size_t start = p->pos;
        while (digit_value(toml_peek(p), radix) >= 0)
            p->pos++;
        TomlStatus st = toml_buf_put(p, p->s + start, p->pos - start);
        if (st != TOML_OK)
            return st;
        if (toml_peek(p) != '_')
            return TOML_OK;
        if (digit_value(toml_peek_at(p, 1), radix) < 0)
            return toml_fail(p, p->pos, "'_' in a number must be between two digits");
        p->pos++;
    }
}

/* The number text from start to the cursor, cut to fit a message. */
static int shown(const TomlParser *p, size_t start)
{
    return p->pos - start < 40 ? (int)(p->pos - start) : 40;
}

static TomlStatus too_big(TomlParser *p, size_t start)
{
    return toml_fail(p, start, "integer %.*s%s does not fit in 64 bits", shown(p, start),
                     p->s + start, p->pos - start > 40 ? "..." : "");
}

/* The scratch buffer's digits (after an optional '-') as an int64. */
static TomlStatus to_int(TomlParser *p, size_t start, int radix, TomlValue *out)
{
    bool neg = p->buf_len > 0 && p->buf[0] == '-';
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (size_t i = neg; i < p->buf_len; i++) {
        uint64_t d = (uint64_t)digit_value((unsigned char)p->buf[i], radix);
        if (v > (limit - d) / (uint64_t)radix)
            return too_big(p, start);
        v = v * (uint64_t)radix + d;
    }
    out->kind = TOML_INTEGER;
    out->u.i = !neg ? (int64_t)v : v == limit ? INT64_MIN : -(int64_t)v;
    return TOML_OK;
}

/* The scratch buffer (digits, '.', 'e', signs: strtod's syntax) as a double. */
static TomlStatus to_float(TomlParser *p, size_t start, TomlValue *out)
{
    TomlStatus st = toml_buf_put(p, "", 1);
    if (st != TOML_OK)
        return st;
    char point = localeconv()->decimal_point[0]; /* strtod follows LC_NUMERIC */
    for (size_t i = 0; point != '.' && i < p->buf_len; i++)
        if (p->buf[i] == '.')
            p->buf[i] = point;
    errno = 0;
    double v = strtod(p->buf, NULL);
    if (errno == ERANGE && isinf(v))
        return toml_fail(p, start, "float %.*s%s is out of range", shown(p, start),
                         p->s + start, p->pos - start > 40 ? "..." : "");
    out->kind = TOML_FLOAT;
    out->u.f = v;
    return TOML_OK;
}

/* inf or nan after an optional sign (the cursor is past the sign). */
static TomlStatus scan_special(TomlParser *p, size_t start, bool neg, TomlValue *out)
{
    const char *word = toml_peek(p) == 'i' ? "inf" : "nan";
    for (size_t i = 0; i < 3; i++)
        if (toml_peek_at(p, i) != word[i])
            return toml_fail(p, start, "invalid value: expected a number, inf or nan");
    p->pos += 3;
    double v = word[0] == 'i' ? INFINITY : NAN;
    out->kind = TOML_FLOAT;
    out->u.f = neg ? -v : v;
    return TOML_OK;
}

/* 0x, 0o or 0b and the digits after it (the cursor is on the 0). */
static TomlStatus scan_radix(TomlParser *p, TomlValue *out)
{
    size_t start = p->pos;
    int c = toml_peek_at(p, 1);
    int radix = c == 'x' ? 16 : c == 'o' ? 8 : 2;
    const char *what = c == 'x' ? "a hexadecimal digit" : c == 'o' ? "an octal digit"
                                                                   : "a binary digit";
    p->pos += 2;
    toml_buf_clear(p);
    TomlStatus st = scan_digits(p, radix, what);
    return st != TOML_OK ? st : to_int(p, start, radix, out);
}

/* The fraction and exponent of a decimal number, if present. */
static TomlStatus scan_float_tail(TomlParser *p, bool *out_is_float)
{
    TomlStatus st = TOML_OK;
    if (toml_peek(p) == '.') {
        p->pos++;
        *out_is_float = true;
        st = toml_buf_put(p, ".", 1);
        if (st == TOML_OK)
            st = scan_digits(p, 10, "a digit after '.'");
    }
    if (st != TOML_OK || (toml_peek(p) != 'e' && toml_peek(p) != 'E'))
        return st;
    p->pos++;
    *out_is_float = true;
    st = toml_buf_put(p, "e", 1);
    if (st == TOML_OK && (toml_peek(p) == '+' || toml_peek(p) == '-')) {
        st = toml_buf_put(p, p->s + p->pos, 1);
        p->pos++;
    }
    return st != TOML_OK ? st : scan_digits(p, 10, "a digit in the exponent");
}

TomlStatus toml_scan_number(TomlParser *p, TomlValue *out)
{
    size_t start = p->pos;
    int c = toml_peek(p);
    bool neg = c == '-';
    if (c == '+' || c == '-')
        p->pos++;
    c = toml_peek(p);
    if (c == 'i' || c == 'n')
        return scan_special(p, start, neg, out);
    int next = toml_peek_at(p, 1);
    if (c == '0' && (next == 'x' || next == 'o' || next == 'b')) {
        if (p->pos != start)
            return toml_fail(p, start, "hexadecimal, octal and binary integers take no sign");
        return scan_radix(p, out);
    }
    toml_buf_clear(p);
    TomlStatus st = neg ? toml_buf_put(p, "-", 1) : TOML_OK;
    size_t digits = p->pos;
    if (st == TOML_OK)
        st = scan_digits(p, 10, "a digit");
    if (st != TOML_OK)
        return st;
    if (p->s[digits] == '0' && p->pos - digits > 1)
        return toml_fail(p, digits, "leading zeros are not allowed in decimal numbers");
    bool is_float = false;
    st = scan_float_tail(p, &is_float);
    if (st != TOML_OK)
        return st;
    return is_float ? to_float(p, start, out) : to_int(p, start, 10, out);
}
