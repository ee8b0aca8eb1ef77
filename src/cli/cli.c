/* cli.c: the helpers every subcommand shares (cli.h): error lines, whole-file reads, and the
 * command line's spelling of values. Nothing here knows about a particular subcommand. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fstat, fileno */
#endif

#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("corral: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bool cli_is_help(const char *arg)
{
    return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

/* ---- files ---- */

/* Appends the rest of f to a growing buffer; works for files whose size stat cannot tell. */
static bool read_all(FILE *f, uint8_t **out_bytes, size_t *out_len)
{
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        uint8_t *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!bigger) {
            free(buf);
            buf = NULL;
            errno = ENOMEM;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    if (!buf || ferror(f)) {
        free(buf);
        return false;
    }
    *out_bytes = buf;
    *out_len = len;
    return true;
}

bool cli_read_file(const char *path, uint8_t **out_bytes, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error("%s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        cli_error("%s: %s", path, strerror(errno));
        fclose(f);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        cli_error("%s: %s", path, S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
        fclose(f);
        return false;
    }
    errno = 0;
    bool ok = read_all(f, out_bytes, out_len);
    if (!ok)
        cli_error("%s: %s", path, errno ? strerror(errno) : "read error");
    fclose(f);
    return ok;
}

/* ---- parsing values ---- */

/* Reads an optionally signed decimal or 0x-hex integer. Sign handling is ours: strtoull
 * would accept "-" itself, leading blanks, and a leading 0 as octal. */
static bool parse_int(const char *text, const char *range_err, bool *out_neg, uint64_t *out_mag,
                      const char **out_err)
{
    const char *p = text;
    *out_neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    *out_err = "not an integer";
    if (!(base == 16 ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p)))
        return false;
    char *end;
    errno = 0;
    *out_mag = strtoull(p, &end, base);
    if (*end != '\0')
        return false;
    *out_err = range_err;
    return errno == 0;
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

/* The text format's NaN: [sign]nan or [sign]nan:0xPAYLOAD. mant_bits is 23 or 52. Returns
 * false when text is not spelled as a NaN at all; *out_bad when it is but is wrong. */
static bool parse_nan(const char *text, int mant_bits, uint64_t *out_bits, bool *out_bad)
{
    const char *p = text;
    bool neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    if (strncmp(p, "nan", 3) != 0)
        return false;
    p += 3;
    uint64_t quiet = UINT64_C(1) << (mant_bits - 1), payload = quiet;
    *out_bad = false;
    if (*p == ':') {
        if (strncmp(p + 1, "0x", 2) != 0 || !isxdigit((unsigned char)p[3])) {
            *out_bad = true;
            return true;
        }
        char *end;
        errno = 0;
        payload = strtoull(p + 3, &end, 16);
        *out_bad = errno != 0 || *end != '\0' || payload == 0 || payload >> mant_bits != 0;
    } else {
        *out_bad = *p != '\0';
    }
    int exp_bits = mant_bits == 23 ? 8 : 11;
    uint64_t exp = ((UINT64_C(1) << exp_bits) - 1) << mant_bits;
    *out_bits = (neg ? UINT64_C(1) << (mant_bits + exp_bits) : 0) | exp | payload;
    return true;
}

static bool parse_float(corral_valkind_t kind, const char *text, corral_val_t *out,
                        const char **out_err)
{
    bool is32 = kind == CORRAL_F32, bad;
    uint64_t bits;
    *out_err = "not a number";
    if (parse_nan(text, is32 ? 23 : 52, &bits, &bad)) {
        if (bad)
            return false;
        out->kind = kind;
        if (is32)
            out->of.f32_bits = (uint32_t)bits;
        else
            out->of.f64_bits = bits;
        return true;
    }
    if (*text == '\0' || isspace((unsigned char)*text))
        return false;
    char *end;
    errno = 0;
    if (is32) {
        float f = strtof(text, &end);
        *out = corral_val_f32(f);
        bad = errno == ERANGE && isinf(f);
    } else {
        double d = strtod(text, &end);
        *out = corral_val_f64(d);
        bad = errno == ERANGE && isinf(d);
    }
    if (*end != '\0')
        return false;
    if (bad)
        *out_err = is32 ? "out of range for f32" : "out of range for f64";
    return !bad;
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
        out->kind = kind;
        *out_err = "only null is accepted for a reference";
        return strcmp(text, "null") == 0;
    }
    *out_err = "unsupported type";
    return false;
}

/* ---- printing values ---- */

/* NaNs and infinities as the text format spells them; false for a finite number. */
static bool format_special(uint64_t bits, int mant_bits, char *buf, size_t size)
{
    int exp_bits = mant_bits == 23 ? 8 : 11;
    uint64_t mant = bits & ((UINT64_C(1) << mant_bits) - 1);
    uint64_t exp = (bits >> mant_bits) & ((UINT64_C(1) << exp_bits) - 1);
    const char *sign = bits >> (mant_bits + exp_bits) ? "-" : "";
    if (exp != (UINT64_C(1) << exp_bits) - 1)
        return false;
    if (mant == 0)
        snprintf(buf, size, "%sinf", sign);
    else if (mant == UINT64_C(1) << (mant_bits - 1))
        snprintf(buf, size, "%snan", sign);
    else
        snprintf(buf, size, "%snan:0x%" PRIx64, sign, mant);
    return true;
}

/* The shortest %g that reads back to the same number; %.9g (%.17g) always does. */
static void format_f32(uint32_t bits, char *buf, size_t size)
{
    if (format_special(bits, 23, buf, size))
        return;
    float f;
    memcpy(&f, &bits, sizeof f);
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(buf, size, "%.*g", prec, (double)f);
        if (strtof(buf, NULL) == f)
            return;
    }
}

static void format_f64(uint64_t bits, char *buf, size_t size)
{
    if (format_special(bits, 52, buf, size))
        return;
    double d;
    memcpy(&d, &bits, sizeof d);
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
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
        format_f32(v->of.f32_bits, buf, size);
        return;
    case CORRAL_F64:
        format_f64(v->of.f64_bits, buf, size);
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
    }
    snprintf(buf, size, "?");
}

void cli_format_offset(size_t offset, char *buf, size_t size)
{
    snprintf(buf, size, "0x%06zx", offset);
}

void cli_print_trap(const corral_trap_t *trap)
{
    const char *msg = corral_trap_message(trap);
    fprintf(stderr, "error: trap: %s\n", msg ? msg : "(no message)");
    size_t n = corral_trap_frame_count(trap);
    for (size_t i = 0; i < n; i++) {
        uint32_t func;
        size_t offset;
        char off[32];
        corral_trap_frame(trap, i, &func, &offset);
        if (func == UINT32_MAX) {
            fprintf(stderr, "  %zu: <host function>\n", i);
            continue;
        }
        cli_format_offset(offset, off, sizeof off);
        fprintf(stderr, "  %zu: func[%" PRIu32 "] @ %s\n", i, func, off);
    }
}
