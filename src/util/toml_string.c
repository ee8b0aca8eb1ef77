/* toml_string.c: basic "...", literal '...' and their multi-line forms, decoded into UTF-8 in
 * the scratch buffer and then copied to the arena. Multi-line strings drop a newline right
 * after the opening quotes, turn CRLF into LF and honour the line-ending backslash.
 * Control characters other than tab are rejected everywhere; \x and \e are TOML 1.1 only. */
#include "util/toml_int.h"

#include <string.h>

/* The single-character escapes of TOML 1.0 and the byte each one stands for. */
static const struct {
    char name, byte;
} escapes[] = {
    {'b', '\b'}, {'t', '\t'}, {'n', '\n'}, {'f', '\f'}, {'r', '\r'}, {'"', '"'}, {'\\', '\\'},
};

static bool is_ctrl(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7F; }

/* Appends the bytes from the cursor up to a quote, a backslash (when escapes count), a
 * control character or a line end. */
static TomlStatus put_run(TomlParser *p, char quote, bool escapes_on)
{
    size_t i = p->pos;
    while (i < p->len) {
        unsigned char c = (unsigned char)p->s[i];
        if (c == (unsigned char)quote || (escapes_on && c == '\\') || is_ctrl(c))
            break;
        i++;
    }
    TomlStatus st = toml_buf_put(p, p->s + p->pos, i - p->pos);
    p->pos = i;
    return st;
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static TomlStatus put_utf8(TomlParser *p, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | cp >> 18);
        b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return toml_buf_put(p, b, n);
}

/* \uXXXX or \UXXXXXXXX; the cursor is past the letter, esc is the backslash's offset. */
static TomlStatus scan_unicode(TomlParser *p, size_t esc, int digits)
{
    char letter = digits == 4 ? 'u' : 'U';
    uint32_t cp = 0;
    for (int i = 0; i < digits; i++) {
        int h = hex_value(toml_peek_at(p, (size_t)i));
        if (h < 0)
            return toml_fail(p, esc, "invalid escape: \\%c needs %d hex digits", letter, digits);
        cp = cp << 4 | (uint32_t)h;
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return toml_fail(p, esc, "invalid escape \\%c%.*s: not a Unicode scalar value", letter,
                         digits, p->s + p->pos);
    p->pos += (size_t)digits;
    return put_utf8(p, cp);
}

/* An escape sequence at the cursor (a backslash). */
static TomlStatus scan_escape(TomlParser *p)
{
    size_t esc = p->pos;
    int c = toml_peek_at(p, 1);
    for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
        if (c == escapes[i].name) {
            p->pos += 2;
            return toml_buf_put(p, &escapes[i].byte, 1);
        }
    }
    if (c == 'u' || c == 'U') {
        p->pos += 2;
        return scan_unicode(p, esc, c == 'u' ? 4 : 8);
    }
    if (c > 0x20 && c < 0x7F)
        return toml_fail(p, esc, "invalid escape '\\%c'", c);
    char d[24];
    return toml_fail(p, esc, "invalid escape: backslash followed by %s",
                     toml_describe(p, esc + 1, d, sizeof d));
}

/* Whatever stopped a string that is not a quote or a backslash: the end, a line end in a
 * single-line string, or a control character. */
static TomlStatus fail_in_string(TomlParser *p, size_t open, bool multi)
{
    int c = toml_peek(p);
    if (c < 0)
        return toml_fail(p, open, multi ? "unterminated multi-line string" : "unterminated string");
    if (c == '\r' && !(toml_peek_at(p, 1) == '\n'))
        return toml_fail(p, p->pos, "carriage return not followed by a newline");
    if (c == '\n' || c == '\r')
        return toml_fail(p, p->pos, "unterminated string: a line ends before the closing quote");
    return toml_fail(p, p->pos, "control character U+%04X is not allowed in a string", c);
}

static TomlStatus scan_single(TomlParser *p, size_t open, char quote)
{
    for (;;) {
        TomlStatus st = put_run(p, quote, quote == '"');
        if (st != TOML_OK)
            return st;
        int c = toml_peek(p);
        if (c == quote) {
            p->pos++;
            return TOML_OK;
        }
        if (c != '\\' || quote != '"')
            return fail_in_string(p, open, false);
        st = scan_escape(p);
        if (st != TOML_OK)
            return st;
    }
}

/* A run of quotes inside a multi-line string: fewer than three are content; three to five
 * close it, the extra ones being content. */
static TomlStatus scan_quotes(TomlParser *p, char quote, bool *out_closed)
{
    size_t n = 0;
    while (toml_peek_at(p, n) == quote)
        n++;
    *out_closed = n >= 3;
    if (n > 5)
        return toml_fail(p, p->pos + 5, "too many quotes: a multi-line string ends with at most "
                                        "five");
    size_t content = n >= 3 ? n - 3 : n;
    TomlStatus st = toml_buf_put(p, p->s + p->pos, content);
    p->pos += n;
    return st;
}

/* A backslash followed by optional spaces or tabs and a newline. */
static bool line_end_backslash(const TomlParser *p)
{
    size_t k = 1;
    while (toml_peek_at(p, k) == ' ' || toml_peek_at(p, k) == '\t')
        k++;
    int c = toml_peek_at(p, k);
    return c == '\n' || (c == '\r' && toml_peek_at(p, k + 1) == '\n');
}

/* Skips the backslash and all whitespace and newlines after it. */
static void trim_after_backslash(TomlParser *p)
{
    p->pos++;
    for (;;) {
        int c = toml_peek(p);
        if (c == ' ' || c == '\t' || c == '\n')
            p->pos++;
        else if (c == '\r' && toml_peek_at(p, 1) == '\n')
            p->pos += 2;
        else
            return;
    }
}

/* One step after a run inside a multi-line string: a quote, an escape or a newline. */
static TomlStatus scan_multi_step(TomlParser *p, size_t open, char quote, bool *out_closed)
{
    int c = toml_peek(p);
    if (c == quote)
        return scan_quotes(p, quote, out_closed);
    if (c == '\\' && quote == '"') {
        if (!line_end_backslash(p))
            return scan_escape(p);
        trim_after_backslash(p);
        return TOML_OK;
    }
    if (c == '\n' || (c == '\r' && toml_peek_at(p, 1) == '\n')) {
        p->pos += c == '\n' ? 1 : 2;
        return toml_buf_put(p, "\n", 1);
    }
    return fail_in_string(p, open, true);
}

static TomlStatus scan_multi(TomlParser *p, size_t open, char quote)
{
    if (toml_peek(p) == '\n')
        p->pos++;
    else if (toml_peek(p) == '\r' && toml_peek_at(p, 1) == '\n')
        p->pos += 2;
    bool closed = false;
    while (!closed) {
        TomlStatus st = put_run(p, quote, quote == '"');
        if (st == TOML_OK)
            st = scan_multi_step(p, open, quote, &closed);
        if (st != TOML_OK)
            return st;
    }
    return TOML_OK;
}

TomlStatus toml_scan_string(TomlParser *p, bool allow_multi, char **out_s, size_t *out_len)
{
    size_t open = p->pos;
    char quote = p->s[open];
    bool multi = toml_peek_at(p, 1) == quote && toml_peek_at(p, 2) == quote;
    if (multi && !allow_multi)
        return toml_fail(p, open, "a key cannot be a multi-line string");
    toml_buf_clear(p);
    p->pos += multi ? 3 : 1;
    TomlStatus st = multi ? scan_multi(p, open, quote) : scan_single(p, open, quote);
    if (st != TOML_OK)
        return st;
    *out_s = toml_strdup(p, p->buf ? p->buf : "", p->buf_len);
    *out_len = p->buf_len;
    return *out_s ? TOML_OK : toml_nomem(p);
}
