/* value_text.c: values as the command line spells them (cli.h): parsing arguments and
 * printing results. Integers and NaN payloads are parsed digit by digit here, not with
 * strtoull, which would take blanks, a second "0x" or a sign where none belongs; decimal and
 * hex floats go to strtod/strtof, which round correctly, once the spelling is checked. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- parsing ---- */

/* Reads all of p as digits of base 10 or 16 (no sign, no prefix, at least one digit). Sets
 * *out_overflow when the value does not fit in 64 bits. */
static bool parse_digits(const char *p, int base, uint64_t *out, bool *out_overflow)
{
    uint64_t v = 0;
    *out_overflow = false;
    if (*p == '\0')
        return false;
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        unsigned d;
        if (isdigit(c))
            d = (unsigned)(c - '0');
        else if (base == 16 && isxdigit(c))
            d = (unsigned)(tolower(c) - 'a' + 10);
        else
            return false;
        if (v > (UINT64_MAX - d) / (unsigned)base)
            *out_overflow = true;
        else
            v = v * (unsigned)base + d;
    }
    *out = v;
    return true;
}

/* Skips an optional sign; *out_neg says whether it was '-'. */
static const char *skip_sign(const char *p, bool *out_neg)
{
    *out_neg = *p == '-';
    return *p == '-' || *p == '+' ? p + 1 : p;
}

/* Skips "0x" or "0X"; NULL when p does not start with it. */
static const char *skip_hex_prefix(const char *p)
{
    return p[0] == '0' && (p[1] == 'x' || p[1] == 'X') ? p + 2 : NULL;
}

/* An optionally signed decimal or 0x-hex integer, as a sign and a magnitude. A leading 0 is
 * decimal, not octal. */
static bool parse_int(const char *text, const char *range_err, bool *out_neg, uint64_t *out_mag,
                      const char **out_err)
{
    const char *p = skip_sign(text, out_neg), *hex = skip_hex_prefix(p);
    bool overflow;
    *out_err = "not an integer";
    if (!parse_digits(hex ? hex : p, hex ? 16 : 10, out_mag, &overflow))
        return false;
    *out_err = range_err;
    return !overflow;
}

static bool parse_i32(const char *text, corral_val_t *out, const char **out_err)
{
    bool neg;
    uint64_t mag;
    if (!parse_int(text, "out of range for i32", &neg, &mag, out_err))
        return false;
    if (neg ? mag > UINT64_C(0x80000000) : mag > UINT32_MAX) {
        *out_err = "out of range for i32";
        return false;
    }
    uint32_t bits = neg ? 0u - (uint32_t)mag : (uint32_t)mag;
    *out = corral_val_i32((int32_t)bits);
    return true;
}

static bool parse_i64(const char *text, corral_val_t *out, const char **out_err)
{
    bool neg;
    uint64_t mag;
    if (!parse_int(text, "out of range for i64", &neg, &mag, out_err))
        return false;
    if (neg && mag > UINT64_C(0x8000000000000000)) {
        *out_err = "out of range for i64";
        return false;
    }
    uint64_t bits = neg ? 0u - mag : mag;
    *out = corral_val_i64((int64_t)bits);
    return true;
}

/* The IEEE-754 layout of f32 (mant_bits 23) or f64 (52). */
static int exp_bits_of(int mant_bits)
{
    return mant_bits == 23 ? 8 : 11;
}

static uint64_t inf_bits(int mant_bits, bool neg)
{
    int exp_bits = exp_bits_of(mant_bits);
    uint64_t sign = neg ? UINT64_C(1) << (mant_bits + exp_bits) : 0;
    return sign | ((UINT64_C(1) << exp_bits) - 1) << mant_bits;
}

/* What follows "nan" (p): nothing, for the canonical quiet NaN, or ":0xPAYLOAD". */
static bool parse_nan(const char *p, int mant_bits, bool neg, uint64_t *out_bits,
                      const char **out_err)
{
    uint64_t payload = UINT64_C(1) << (mant_bits - 1);
    const char *hex = p[0] == ':' ? skip_hex_prefix(p + 1) : NULL;
    bool overflow = false;
    *out_err = "not a number";
    if (*p != '\0' && !(hex && parse_digits(hex, 16, &payload, &overflow)))
        return false;
    *out_err = "NaN payload must not be 0 (that is infinity)";
    if (payload == 0)
        return false;
    *out_err =
        mant_bits == 23 ? "NaN payload out of range for f32" : "NaN payload out of range for f64";
    if (overflow || payload >> mant_bits != 0)
        return false;
    *out_bits = inf_bits(mant_bits, neg) | payload;
    return true;
}

static void set_float_bits(corral_valkind_t kind, uint64_t bits, corral_val_t *out)
{
    out->kind = kind;
    if (kind == CORRAL_F32)
        out->of.f32_bits = (uint32_t)bits;
    else
        out->of.f64_bits = bits;
}

/* inf, infinity, nan and nan:0xPAYLOAD are ours; strtod only ever sees a number that starts
 * with a digit or a point, so it cannot take its own spellings ("nan(123)", blanks) too. */
static bool parse_float(corral_valkind_t kind, const char *text, corral_val_t *out,
                        const char **out_err)
{
    bool is32 = kind == CORRAL_F32, neg;
    int mant_bits = is32 ? 23 : 52;
    const char *p = skip_sign(text, &neg);
    uint64_t bits;
    if (!strncasecmp(p, "nan", 3)) {
        if (!parse_nan(p + 3, mant_bits, neg, &bits, out_err))
            return false;
        set_float_bits(kind, bits, out);
        return true;
    }
    if (!strcasecmp(p, "inf") || !strcasecmp(p, "infinity")) {
        set_float_bits(kind, inf_bits(mant_bits, neg), out);
        return true;
    }
    *out_err = "not a number";
    if (!isdigit((unsigned char)*p) && *p != '.')
        return false;
    char *end;
    bool overflow;
    errno = 0;
    if (is32) {
        float f = strtof(text, &end);
        *out = corral_val_f32(f);
        overflow = isinf(f);
    } else {
        double d = strtod(text, &end);
        *out = corral_val_f64(d);
        overflow = isinf(d);
    }
    if (*end != '\0')
        return false;
    /* Underflow (ERANGE with a result of 0 or a subnormal) is IEEE rounding to nearest and
     * accepted; only overflow, which would silently become infinity, is an error. */
    *out_err = is32 ? "out of range for f32" : "out of range for f64";
    return !overflow;
}

bool cli_parse_val(corral_valkind_t kind, const char *text, corral_val_t *out, const char **out_err)
{
    memset(out, 0, sizeof *out);
    switch (kind) {
    case CORRAL_I32:
        return parse_i32(text, out, out_err);
    case CORRAL_I64:
        return parse_i64(text, out, out_err);
    case CORRAL_F32:
    case CORRAL_F64:
        return parse_float(kind, text, out, out_err);
    case CORRAL_FUNCREF:
    case CORRAL_EXTERNREF:
    case CORRAL_EXNREF:
    case CORRAL_ANYREF:
        out->kind = kind;
        *out_err = "only null is accepted for a reference";
        return strcmp(text, "null") == 0;
    case CORRAL_V128:
        break;
    }
    *out_err = "unsupported type";
    return false;
}

/* ---- printing ---- */

/* NaNs and infinities as the text format spells them; false for a finite number. */
static bool format_special(uint64_t bits, int mant_bits, char *buf, size_t size)
{
    uint64_t mant = bits & ((UINT64_C(1) << mant_bits) - 1);
    const char *sign = bits >> (mant_bits + exp_bits_of(mant_bits)) ? "-" : "";
    if ((bits & inf_bits(mant_bits, false)) != inf_bits(mant_bits, false))
        return false;
    if (mant == 0)
        snprintf(buf, size, "%sinf", sign);
    else if (mant == UINT64_C(1) << (mant_bits - 1))
        snprintf(buf, size, "%snan", sign);
    else
        snprintf(buf, size, "%snan:0x%" PRIx64, sign, mant);
    return true;
}

/* A positive decimal m * 10^e, m having as many digits as the precision it was made at. */
typedef struct Decimal {
    uint64_t m;
    int e;
} Decimal;

static bool reads_back(Decimal d, double v, bool is32)
{
    char text[48];
    snprintf(text, sizeof text, "%" PRIu64 "e%d", d.m, d.e);
    return is32 ? strtof(text, NULL) == (float)v : strtod(text, NULL) == v;
}

/* The shortest decimal that reads back to v (positive, finite, exactly a float when is32).
 * At each precision the candidates are the two decimals either side of v: %.*e gives the
 * nearer one; the other can be the only one inside v's rounding interval when that is
 * lopsided (v a power of two), so it is tried too. 9 digits (17 for f64) always suffice. */
static Decimal shortest_decimal(double v, bool is32)
{
    Decimal d = {0, 0};
    uint64_t pow10 = 1; /* 10^(prec-1) */
    for (int prec = 1; prec <= (is32 ? 9 : 17); prec++, pow10 *= 10) {
        char text[48], *point;
        int exp10;
        snprintf(text, sizeof text, "%.*e", prec - 1, v); /* "d.ddde+XX" */
        point = strchr(text, '.');
        if (point) /* drop the point: "dddde+XX" */
            memmove(point, point + 1, strlen(point));
        d.m = strtoull(text, &point, 10);
        exp10 = atoi(point + 1);
        d.e = exp10 - (prec - 1);
        if (reads_back(d, v, is32))
            return d;
        Decimal below = {d.m - 1, d.e}, above = {d.m + 1, d.e};
        if (below.m >= pow10 && reads_back(below, v, is32))
            return below;
        if (above.m == pow10 * 10)
            above = (Decimal){pow10, d.e + 1};
        if (reads_back(above, v, is32))
            return above;
    }
    return d; /* not reached: the last precision always reads back */
}

/* Lays out digits (no trailing zeros) with the decimal point after point digits, the way
 * JavaScript's Number.prototype.toString does: plain notation for 1e-6 <= |v| < 1e21. */
static void layout_decimal(const char *sign, const char *digits, int point, char *buf, size_t size)
{
    static const char zeros[] = "000000000000000000000"; /* 21: the most either form pads */
    int k = (int)strlen(digits);
    if (k <= point && point <= 21) /* 1500 */
        snprintf(buf, size, "%s%s%.*s", sign, digits, point - k, zeros);
    else if (0 < point && point <= 21) /* 1.5 */
        snprintf(buf, size, "%s%.*s.%s", sign, point, digits, digits + point);
    else if (-6 < point && point <= 0) /* 0.0015 */
        snprintf(buf, size, "%s0.%.*s%s", sign, -point, zeros, digits);
    else /* 1.5e+21, 1.5e-7 */
        snprintf(buf, size, "%s%.1s%s%se%+d", sign, digits, k > 1 ? "." : "", digits + 1,
                 point - 1);
}

static void format_finite(double v, bool is32, char *buf, size_t size)
{
    const char *sign = signbit(v) ? "-" : "";
    char digits[24];
    if (v == 0) {
        snprintf(buf, size, "%s0", sign);
        return;
    }
    Decimal d = shortest_decimal(fabs(v), is32);
    while (d.m % 10 == 0) {
        d.m /= 10;
        d.e++;
    }
    int k = snprintf(digits, sizeof digits, "%" PRIu64, d.m);
    layout_decimal(sign, digits, d.e + k, buf, size);
}

void cli_format_val(const corral_val_t *v, char *buf, size_t size)
{
    switch (v->kind) {
    case CORRAL_I32:
        snprintf(buf, size, "%" PRId32, v->of.i32);
        return;
    case CORRAL_I64:
        snprintf(buf, size, "%" PRId64, v->of.i64);
        return;
    case CORRAL_F32:
        if (!format_special(v->of.f32_bits, 23, buf, size))
            format_finite(corral_val_as_f32(v), true, buf, size);
        return;
    case CORRAL_F64:
        if (!format_special(v->of.f64_bits, 52, buf, size))
            format_finite(corral_val_as_f64(v), false, buf, size);
        return;
    case CORRAL_FUNCREF:
        snprintf(buf, size, "%s", v->of.funcref ? "funcref" : "null");
        return;
    case CORRAL_EXTERNREF:
        if (v->of.externref)
            snprintf(buf, size, "externref:0x%" PRIxPTR, (uintptr_t)v->of.externref);
        else
            snprintf(buf, size, "null");
        return;
    case CORRAL_EXNREF:
        snprintf(buf, size, "%s", v->of.externref ? "exnref" : "null");
        return;
    case CORRAL_ANYREF: {
        static const char *const names[] = {"null", "i31", "struct", "array", "hostref"};
        corral_anykind_t k = corral_anyref_kind(v);
        if (k == CORRAL_ANY_I31)
            snprintf(buf, size, "i31:%" PRId32, corral_anyref_i31(v, true));
        else
            snprintf(buf, size, "%s", names[k]);
        return;
    }
    case CORRAL_V128: {
        uint32_t w[4];
        for (int i = 0; i < 4; i++) /* lanes are little-endian in the image */
            w[i] = (uint32_t)v->of.v128[4 * i] | (uint32_t)v->of.v128[4 * i + 1] << 8 |
                   (uint32_t)v->of.v128[4 * i + 2] << 16 | (uint32_t)v->of.v128[4 * i + 3] << 24;
        snprintf(buf, size, "i32x4 0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08" PRIx32,
                 w[0], w[1], w[2], w[3]);
        return;
    }
    }
    snprintf(buf, size, "?");
}

void cli_format_offset(size_t offset, char *buf, size_t size)
{
    snprintf(buf, size, "0x%06zx", offset);
}
