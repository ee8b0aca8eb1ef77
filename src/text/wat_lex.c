/* wat_lex.c: the text format's tokens. Turns source text into an array of tokens with
 * positions, decodes string literals (every escape of the spec), drops line and nested
 * block comments and annotations "(@name ...)", and matches parentheses. It does not
 * interpret numbers (wat_num.c does, when the parser knows the type) or keywords. */
#include "wat_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Lx {
    Lexer *lx;
    TextError *err;
    size_t i;
    uint32_t line, col;
} Lx;

TxStatus tok_fail(TextError *err, const Tok *t, const char *fmt, ...)
{
    va_list ap;
    err->line = t ? t->line : 0;
    err->col = t ? t->col : 0;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return TX_ERR;
}

static TxStatus lx_fail(Lx *x, const char *msg)
{
    Tok at = {.line = x->line, .col = x->col};
    return tok_fail(x->err, &at, "%s", msg);
}

/* The spec's idchar: printable ASCII except space, quote, comma, semicolon, brackets and
 * braces, and parentheses. */
static bool is_idchar(unsigned char c)
{
    if (c <= 0x20 || c >= 0x7f)
        return false;
    return !strchr("\"(),;[]{}", c);
}

static void advance(Lx *x, size_t n)
{
    const char *s = x->lx->src;
    for (size_t k = 0; k < n && x->i < x->lx->len; k++, x->i++) {
        if (s[x->i] == '\n') {
            x->line++;
            x->col = 1;
        } else {
            x->col++;
        }
    }
}

static bool at(const Lx *x, size_t k, char c)
{
    return x->i + k < x->lx->len && x->lx->src[x->i + k] == c;
}

/* Skips a block comment at "(;", nested ones included. */
static TxStatus skip_block_comment(Lx *x)
{
    int depth = 0;
    do {
        if (x->i >= x->lx->len)
            return lx_fail(x, "unclosed comment");
        if (at(x, 0, '(') && at(x, 1, ';')) {
            depth++;
            advance(x, 2);
        } else if (at(x, 0, ';') && at(x, 1, ')')) {
            depth--;
            advance(x, 2);
        } else {
            advance(x, 1);
        }
    } while (depth > 0);
    return TX_OK;
}

/* Skips blanks and comments. */
static TxStatus skip_space(Lx *x)
{
    while (x->i < x->lx->len) {
        char c = x->lx->src[x->i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            advance(x, 1);
        } else if (c == ';' && at(x, 1, ';')) {
            while (x->i < x->lx->len && x->lx->src[x->i] != '\n' && x->lx->src[x->i] != '\r')
                advance(x, 1);
        } else if (c == '(' && at(x, 1, ';')) {
            if (skip_block_comment(x))
                return TX_ERR;
        } else {
            break;
        }
    }
    return TX_OK;
}

static TxStatus push_tok(Lx *x, const Tok *t)
{
    Lexer *lx = x->lx;
    if (lx->ntoks == lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 256;
        Tok *v = realloc(lx->toks, cap * sizeof *v);
        if (!v)
            return lx_fail(x, "out of memory");
        lx->toks = v;
        lx->cap = cap;
    }
    lx->toks[lx->ntoks++] = *t;
    return TX_OK;
}

static TxStatus str_byte(Lx *x, uint8_t c)
{
    Lexer *lx = x->lx;
    if (lx->strs_len == lx->strs_cap) {
        size_t cap = lx->strs_cap ? lx->strs_cap * 2 : 256;
        uint8_t *v = realloc(lx->strs, cap);
        if (!v)
            return lx_fail(x, "out of memory");
        lx->strs = v;
        lx->strs_cap = cap;
    }
    lx->strs[lx->strs_len++] = c;
    return TX_OK;
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A code point as UTF-8. */
static TxStatus str_utf8(Lx *x, uint32_t cp)
{
    uint8_t b[4];
    int n;
    if (cp < 0x80) {
        b[0] = (uint8_t)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (uint8_t)(0xc0 | cp >> 6), b[1] = (uint8_t)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xe0 | cp >> 12), b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (uint8_t)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        b[0] = (uint8_t)(0xf0 | cp >> 18), b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (uint8_t)(0x80 | (cp & 0x3f));
        n = 4;
    }
    for (int k = 0; k < n; k++)
        if (str_byte(x, b[k]))
            return TX_ERR;
    return TX_OK;
}

/* \u{hex}: a Unicode scalar value. */
static TxStatus escape_unicode(Lx *x)
{
    uint32_t cp = 0;
    int digits = 0;
    advance(x, 2); /* "u{" was checked by the caller */
    while (x->i < x->lx->len && x->lx->src[x->i] != '}') {
        char c = x->lx->src[x->i];
        if (c == '_' && digits > 0 && hex_val(x->i + 1 < x->lx->len ? x->lx->src[x->i + 1] : 0) >= 0) {
            advance(x, 1);
            continue;
        }
        int v = hex_val(c);
        if (v < 0 || cp > 0x10ffff)
            return lx_fail(x, "malformed escape in string");
        cp = cp * 16 + (uint32_t)v;
        digits++;
        advance(x, 1);
    }
    if (x->i >= x->lx->len || digits == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
        return lx_fail(x, "malformed escape in string");
    advance(x, 1);
    return str_utf8(x, cp);
}

static TxStatus escape(Lx *x)
{
    static const char simple[] = "t\tn\nr\r\"\"''\\\\";
    char c = x->i + 1 < x->lx->len ? x->lx->src[x->i + 1] : '\0';
    for (const char *s = simple; *s; s += 2)
        if (c == s[0]) {
            advance(x, 2);
            return str_byte(x, (uint8_t)s[1]);
        }
    if (c == 'u' && at(x, 2, '{')) {
        advance(x, 1);
        return escape_unicode(x);
    }
    int hi = hex_val(c), lo = hex_val(x->i + 2 < x->lx->len ? x->lx->src[x->i + 2] : 0);
    if (hi < 0 || lo < 0)
        return lx_fail(x, "unknown escape in string");
    advance(x, 3);
    return str_byte(x, (uint8_t)(hi * 16 + lo));
}

static TxStatus lex_string(Lx *x, Tok *t)
{
    t->kind = TOK_STRING;
    t->val_off = x->lx->strs_len;
    advance(x, 1);
    for (;;) {
        if (x->i >= x->lx->len)
            return tok_fail(x->err, t, "unclosed string");
        unsigned char c = (unsigned char)x->lx->src[x->i];
        if (c == '"')
            break;
        if (c == '\\') {
            if (escape(x))
                return TX_ERR;
            continue;
        }
        if (c < 0x20 || c == 0x7f)
            return lx_fail(x, "illegal control character in string");
        if (str_byte(x, c))
            return TX_ERR;
        advance(x, 1);
    }
    advance(x, 1);
    t->val_len = x->lx->strs_len - t->val_off;
    return TX_OK;
}

static uint8_t classify(const char *s, size_t n)
{
    size_t k = (s[0] == '+' || s[0] == '-') ? 1 : 0;
    if (s[0] == '$')
        return n > 1 ? TOK_ID : TOK_RESERVED;
    if (s[0] >= 'a' && s[0] <= 'z')
        return TOK_KEYWORD;
    if (k < n && s[k] >= '0' && s[k] <= '9')
        return TOK_NUM;
    if (k == 1 && n > 1 && (!strncmp(s + 1, "inf", n - 1 < 3 ? n - 1 : 3) || s[1] == 'n'))
        return TOK_NUM; /* "+inf", "-nan", "-nan:0x..."; num_float checks the rest */
    return TOK_RESERVED;
}

/* A character that is not a token's: a control character ("illegal character"), a byte of
 * malformed UTF-8, or well-formed UTF-8 outside ASCII (illegal too, outside strings). */
static TxStatus bad_char(Lx *x)
{
    const uint8_t *s = (const uint8_t *)x->lx->src + x->i;
    size_t n = x->lx->len - x->i, k = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
    if (s[0] >= 0x80 && (k > n || !text_utf8_valid(s, k)))
        return lx_fail(x, "malformed UTF-8 encoding");
    return lx_fail(x, "illegal character");
}

/* An annotation "(@id ...)" or "(@"id" ...)": skipped with everything in it, balanced
 * (strings, comments and nested parentheses and annotations included), as space. */
static TxStatus skip_annotation(Lx *x)
{
    Tok id = {.line = x->line, .col = x->col};
    size_t strs_mark = x->lx->strs_len;
    advance(x, 2);
    if (at(x, 0, '"')) { /* a quoted id: non-empty UTF-8, else no id at all */
        if (lex_string(x, &id)) {
            if (strncmp(x->err->msg, "illegal control", 15))
                return TX_ERR;
            return tok_fail(x->err, &id, "empty annotation id");
        }
        size_t n = x->lx->strs_len - strs_mark;
        if (n == 0)
            return tok_fail(x->err, &id, "empty annotation id");
        if (!text_utf8_valid(x->lx->strs + strs_mark, n))
            return tok_fail(x->err, &id, "malformed UTF-8 encoding");
    } else if (x->i < x->lx->len && is_idchar((unsigned char)x->lx->src[x->i])) {
        while (x->i < x->lx->len && is_idchar((unsigned char)x->lx->src[x->i]))
            advance(x, 1);
    } else {
        return tok_fail(x->err, &id, "empty annotation id");
    }
    int depth = 1;
    while (depth > 0) {
        if (skip_space(x))
            return TX_ERR;
        if (x->i >= x->lx->len)
            return tok_fail(x->err, &id, "unclosed annotation");
        unsigned char c = (unsigned char)x->lx->src[x->i];
        if (c == '(' || c == ')') {
            depth += c == '(' ? 1 : -1;
            advance(x, 1);
        } else if (c == '"') {
            Tok str = {.line = x->line, .col = x->col};
            if (lex_string(x, &str))
                return TX_ERR;
        } else if (is_idchar(c) || c == ',' || c == ';' || c == '[' || c == ']' || c == '{' ||
                   c == '}') {
            advance(x, 1);
        } else {
            return bad_char(x);
        }
    }
    x->lx->strs_len = strs_mark;
    return TX_OK;
}

/* An identifier: $name, or $"name" (WebAssembly 3.0), its name (without the $, escapes
 * decoded) kept as a string's value, so the parser compares names, not spellings. */
static TxStatus lex_id(Lx *x, Tok *t)
{
    Lexer *lx = x->lx;
    t->kind = TOK_ID;
    t->val_off = lx->strs_len;
    if (at(x, 1, '"')) {
        Tok str = *t;
        advance(x, 1);
        if (lex_string(x, &str)) {
            if (strncmp(x->err->msg, "illegal control", 15))
                return TX_ERR;
            return tok_fail(x->err, t, "empty identifier");
        }
        t->val_len = str.val_len;
        if (t->val_len == 0)
            return tok_fail(x->err, t, "empty identifier");
        if (!text_utf8_valid(lx->strs + t->val_off, t->val_len))
            return tok_fail(x->err, t, "malformed UTF-8 encoding");
        return TX_OK;
    }
    advance(x, 1);
    while (x->i < lx->len && is_idchar((unsigned char)lx->src[x->i])) {
        if (str_byte(x, (uint8_t)lx->src[x->i]))
            return TX_ERR;
        advance(x, 1);
    }
    t->val_len = lx->strs_len - t->val_off;
    return t->val_len ? TX_OK : tok_fail(x->err, t, "empty identifier");
}

static TxStatus lex_one(Lx *x, size_t **stack, size_t *depth, size_t *stack_cap)
{
    Lexer *lx = x->lx;
    Tok t = {.line = x->line, .col = x->col, .off = x->i};
    char c = lx->src[x->i];
    if (c == '(' && at(x, 1, '@'))
        return skip_annotation(x);
    if (c == '(') {
        t.kind = TOK_LPAREN;
        advance(x, 1);
        if (*depth == *stack_cap) {
            size_t cap = *stack_cap ? *stack_cap * 2 : 64;
            size_t *v = realloc(*stack, cap * sizeof *v);
            if (!v)
                return lx_fail(x, "out of memory");
            *stack = v;
            *stack_cap = cap;
        }
        (*stack)[(*depth)++] = lx->ntoks;
    } else if (c == ')') {
        t.kind = TOK_RPAREN;
        /* an unmatched one stays a token: the parser fails where it reaches it, after any
         * error in what comes before, as the spec's parser does */
        if (*depth > 0)
            lx->toks[(*stack)[--*depth]].match = lx->ntoks;
        advance(x, 1);
    } else if (c == '"') {
        if (lex_string(x, &t))
            return TX_ERR;
    } else if (c == '$') {
        if (lex_id(x, &t))
            return TX_ERR;
    } else if (is_idchar((unsigned char)c)) {
        size_t n = 0;
        while (x->i + n < lx->len && is_idchar((unsigned char)lx->src[x->i + n]))
            n++;
        t.kind = classify(lx->src + x->i, n);
        advance(x, n);
    } else {
        return lx_fail(x, "unexpected character");
    }
    t.len = x->i - t.off;
    /* Tokens other than parentheses must be separated from the next by space or one */
    if (t.kind != TOK_LPAREN && t.kind != TOK_RPAREN && x->i < lx->len) {
        char n = lx->src[x->i];
        if (n == '"' || ((t.kind == TOK_STRING || lx->src[x->i - 1] == '"') &&
                         is_idchar((unsigned char)n)))
            return lx_fail(x, "unknown operator"); /* the spec's lexer sees one odd token */
    }
    return push_tok(x, &t);
}

TxStatus lex_all(Lexer *lx, const char *src, size_t len, TextError *err)
{
    Lx x = {lx, err, 0, 1, 1};
    size_t *stack = NULL, depth = 0, stack_cap = 0;
    memset(lx, 0, sizeof *lx);
    lx->src = src;
    lx->len = len;
    TxStatus st = TX_OK;
    for (;;) {
        if ((st = skip_space(&x)) || x.i >= len)
            break;
        if ((st = lex_one(&x, &stack, &depth, &stack_cap)))
            break;
    }
    if (!st && depth > 0) { /* the spec's parser sees the end where ")" should be */
        const Tok *open = &lx->toks[stack[depth - 1]];
        Tok end = {.line = x.line, .col = x.col};
        st = tok_fail(err, &end, "unexpected token (end of text; the \"(\" at %u:%u is not closed)",
                      (unsigned)open->line, (unsigned)open->col);
    }
    free(stack);
    Tok eof = {.kind = TOK_EOF, .line = x.line, .col = x.col, .off = len};
    if (!st)
        st = push_tok(&x, &eof);
    if (st)
        lex_free(lx);
    return st;
}

void lex_free(Lexer *lx)
{
    free(lx->toks);
    free(lx->strs);
    memset(lx, 0, sizeof *lx);
}

const uint8_t *lex_str(const Lexer *lx, const Tok *t)
{
    return lx->strs ? lx->strs + t->val_off : (const uint8_t *)"";
}

bool tok_is(const Lexer *lx, const Tok *t, const char *kw)
{
    size_t n = strlen(kw);
    return t->kind == TOK_KEYWORD && t->len == n && !memcmp(lx->src + t->off, kw, n);
}
