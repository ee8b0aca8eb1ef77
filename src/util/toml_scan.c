/* toml_scan.c: the parser's cursor services: error values with line and column, the texts
 * that describe what was found, UTF-8 checking of the whole input, whitespace, comments and
 * line ends, and the scratch buffer. No grammar beyond that lives here. */
#include "util/toml_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TomlStatus toml_fail(TomlParser *p, size_t off, const char *fmt, ...)
{
    if (p->err->line != 0)
        return TOML_ERR_SYNTAX;
    toml_position(p, off, &p->err->line, &p->err->column);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
    return TOML_ERR_SYNTAX;
}

TomlStatus toml_nomem(TomlParser *p)
{
    toml_position(p, p->pos, &p->err->line, &p->err->column);
    snprintf(p->err->message, sizeof p->err->message, "out of memory");
    return TOML_ERR_NOMEM;
}

void toml_position(TomlParser *p, size_t off, uint32_t *out_line, uint32_t *out_col)
{
    if (off > p->len)
        off = p->len;
    if (off < p->at_off || p->at_line == 0) {
        p->at_off = p->origin;
        p->at_line = 1;
        p->at_col = 1;
    }
    for (size_t i = p->at_off; i < off; i++) {
        unsigned char c = (unsigned char)p->s[i];
        if (c == '\n') {
            p->at_line += p->at_line < UINT32_MAX;
            p->at_col = 1;
        } else if ((c & 0xC0) != 0x80) {
            p->at_col += p->at_col < UINT32_MAX;
        }
    }
    p->at_off = off;
    *out_line = p->at_line;
    *out_col = p->at_col;
}

/* Length of the well-formed sequence starting at s[0..n), or 0 when it is malformed
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) ||
        (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
        return 0;
    return len;
}

size_t toml_utf8_check(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq(s + i, n - i);
        if (k == 0)
            return i;
        i += k;
    }
    return n;
}

/* The code point starting at s[0..n) (the byte itself when malformed). */
static uint32_t decode_utf8(const unsigned char *s, size_t n)
{
    static const unsigned char lead_bits[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    size_t len = utf8_seq(s, n);
    if (len == 0)
        return s[0];
    uint32_t cp = s[0] & lead_bits[len];
    for (size_t i = 1; i < len; i++)
        cp = cp << 6 | (s[i] & 0x3F);
    return cp;
}

const char *toml_describe(const TomlParser *p, size_t off, char *buf, size_t cap)
{
    if (off >= p->len)
        return "end of input";
    unsigned char c = (unsigned char)p->s[off];
    if (c == '\n' || (c == '\r' && off + 1 < p->len && p->s[off + 1] == '\n'))
        return "end of line";
    if (c == ' ')
        return "a space";
    if (c == '\'')
        snprintf(buf, cap, "\"'\"");
    else if (c > 0x20 && c < 0x7F)
        snprintf(buf, cap, "'%c'", c);
    else
        snprintf(buf, cap, "U+%04X",
                 (unsigned)decode_utf8((const unsigned char *)p->s + off, p->len - off));
    return buf;
}

const char *toml_quote_key(const char *key, size_t len, char *buf, size_t cap)
{
    size_t o = 0, i = 0, limit = cap > 8 ? cap - 8 : 0; /* room for an escape, "..." and NUL */
    for (; i < len && o < limit; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c < 0x20 || c == 0x7F)
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02X", c);
        else
            buf[o++] = (char)c;
    }
    if (i < len && cap > 8) {
        while (o > 0 && ((unsigned char)buf[o - 1] & 0xC0) == 0x80)
            o--; /* do not cut a character in half */
        if (o > 0 && (unsigned char)buf[o - 1] >= 0xC0)
            o--;
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    if (cap > 0)
        buf[o < cap ? o : cap - 1] = '\0';
    return buf;
}

void toml_skip_ws(TomlParser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
        p->pos++;
}

TomlStatus toml_skip_comment(TomlParser *p)
{
    if (toml_peek(p) != '#')
        return TOML_OK;
    for (p->pos++; p->pos < p->len; p->pos++) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '\n' || c == '\r')
            return TOML_OK; /* the caller judges the line end */
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            return toml_fail(p, p->pos, "control character U+%04X is not allowed in a comment",
                             c);
    }
    return TOML_OK;
}

/* Consumes a newline (LF or CRLF) at the cursor; false when there is none. */
static bool take_newline(TomlParser *p)
{
    int c = toml_peek(p);
    if (c == '\n') {
        p->pos++;
        return true;
    }
    if (c == '\r' && toml_peek_at(p, 1) == '\n') {
        p->pos += 2;
        return true;
    }
    return false;
}

TomlStatus toml_skip_blank(TomlParser *p)
{
    for (;;) {
        toml_skip_ws(p);
        TomlStatus st = toml_skip_comment(p);
        if (st != TOML_OK)
            return st;
        if (!take_newline(p))
            return TOML_OK;
    }
}

TomlStatus toml_end_line(TomlParser *p, const char *after)
{
    toml_skip_ws(p);
    TomlStatus st = toml_skip_comment(p);
    if (st != TOML_OK)
        return st;
    if (p->pos >= p->len || take_newline(p))
        return TOML_OK;
    if (toml_peek(p) == '\r')
        return toml_fail(p, p->pos, "carriage return not followed by a newline");
    char d[24];
    return toml_fail(p, p->pos, "expected a newline after %s, found %s", after,
                     toml_describe(p, p->pos, d, sizeof d));
}

TomlStatus toml_buf_put(TomlParser *p, const char *s, size_t n)
{
    if (p->buf_cap - p->buf_len < n) {
        size_t cap = p->buf_cap ? p->buf_cap : 64;
        while (cap - p->buf_len < n) {
            if (cap > SIZE_MAX / 2)
                return toml_nomem(p);
            cap *= 2;
        }
        char *b = realloc(p->buf, cap);
        if (!b)
            return toml_nomem(p);
        p->buf = b;
        p->buf_cap = cap;
    }
    if (n)
        memcpy(p->buf + p->buf_len, s, n);
    p->buf_len += n;
    return TOML_OK;
}

char *toml_strdup(TomlParser *p, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *d = arena_alloc(p->arena, n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}
