/* wast_script.c: the spec interpreter's script format (.wast): modules (text, binary and
 * quoted), register, invoke and get, and the assertions, into TextScript commands for a
 * runner. Modules are encoded here; whether they decode, validate, link or run is the
 * runner's business. A module whose text is malformed is not a script error: the command
 * carries the error, since assert_malformed expects exactly that. */
#include "wat_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Sp {
    Lexer lx;
    size_t pos;
    TextError *err;
    unsigned flags; /* TEXT_* */
} Sp;

static const Tok *peek(const Sp *p)
{
    return &p->lx.toks[p->pos];
}

static const Tok *peek_at(const Sp *p, size_t k)
{
    size_t i = p->pos + k;
    return &p->lx.toks[i < p->lx.ntoks ? i : p->lx.ntoks - 1];
}

static TxStatus sp_fail(Sp *p, const char *msg)
{
    return tok_fail(p->err, peek(p), "%s", msg);
}

static TxStatus expect(Sp *p, TokKind kind)
{
    if (peek(p)->kind != kind)
        return sp_fail(p, "unexpected token");
    p->pos++;
    return TX_OK;
}

static bool at_form(const Sp *p, const char *kw)
{
    return peek(p)->kind == TOK_LPAREN && tok_is(&p->lx, peek_at(p, 1), kw);
}

static char *dup_bytes(const void *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* An optional $id, copied. */
static TxStatus opt_id_copy(Sp *p, char **out)
{
    *out = NULL;
    if (peek(p)->kind != TOK_ID)
        return TX_OK;
    *out = dup_bytes(p->lx.src + peek(p)->off, peek(p)->len);
    p->pos++;
    return *out ? TX_OK : sp_fail(p, "out of memory");
}

/* string*: the concatenated bytes into b. */
static void strings(Sp *p, Buf *b)
{
    while (peek(p)->kind == TOK_STRING) {
        buf_bytes(b, lex_str(&p->lx, peek(p)), peek(p)->val_len);
        p->pos++;
    }
}

static TxStatus set_module_error(Sp *p, TextModule *m, const TextError *e)
{
    char buf[TEXT_MSG_SIZE + 32];
    snprintf(buf, sizeof buf, "%u:%u: %s", (unsigned)e->line, (unsigned)e->col, e->msg);
    m->error = dup_bytes(buf, strlen(buf));
    return m->error ? TX_OK : sp_fail(p, "out of memory");
}

/* (module $id? ...), at "(". */
static TxStatus module_form(Sp *p, TextCommand *c)
{
    size_t close = peek(p)->match;
    Buf b = {0};
    TextError merr = {0};
    TextModule *m = &c->module;
    p->pos += 2;
    if (tok_is(&p->lx, peek(p), "definition")) {
        c->definition = true;
        p->pos++;
    }
    if (opt_id_copy(p, &c->id))
        return TX_ERR;
    c->has_module = true;
    TxStatus st = TX_OK;
    if (tok_is(&p->lx, peek(p), "binary") || tok_is(&p->lx, peek(p), "quote")) {
        bool quote = tok_is(&p->lx, peek(p), "quote");
        p->pos++;
        strings(p, &b);
        if (peek(p)->kind != TOK_RPAREN) {
            buf_free(&b);
            return sp_fail(p, "unexpected token");
        }
        m->binary = !quote;
        m->quoted = quote;
        if (b.oom) {
            st = sp_fail(p, "out of memory");
        } else if (!quote) {
            m->bytes = b.p;
            m->len = b.len;
            b.p = NULL;
        } else if (text_module_encode_f(b.p ? (const char *)b.p : "", b.len, p->flags,
                                        &m->bytes, &m->len, &merr)) {
            st = set_module_error(p, m, &merr);
        }
        buf_free(&b);
    } else if (wat_encode_fields(&p->lx, p->pos, close, p->flags, &b, &merr)) {
        buf_free(&b);
        st = set_module_error(p, m, &merr);
    } else {
        m->bytes = b.p;
        m->len = b.len;
    }
    p->pos = close + 1;
    return st;
}

/* ---- values ---- */

static const struct {
    const char *name;
    uint8_t kind;
} const_kinds[] = {
    {"i32.const", TV_I32}, {"i64.const", TV_I64}, {"f32.const", TV_F32}, {"f64.const", TV_F64},
};

/* (v128.const SHAPE LANE...) after its name; in results a float lane may be a NaN
 * pattern. */
static TxStatus v128_value(Sp *p, bool result, TextVal *out)
{
    const Tok *t = peek(p);
    V128Shape sh;
    if (t->kind != TOK_KEYWORD || !num_v128_shape(p->lx.src + t->off, t->len, &sh))
        return sp_fail(p, "unexpected token");
    p->pos++;
    out->kind = TV_V128;
    out->lane_bits = sh.lane_bits;
    out->lane_float = sh.is_float;
    out->nlanes = sh.lanes;
    for (unsigned i = 0; i < sh.lanes; i++) {
        t = peek(p);
        if (sh.is_float && result && tok_is(&p->lx, t, "nan:canonical")) {
            out->lane_match[i] = TVM_NAN_CANONICAL;
        } else if (sh.is_float && result && tok_is(&p->lx, t, "nan:arithmetic")) {
            out->lane_match[i] = TVM_NAN_ARITHMETIC;
        } else if ((t->kind != TOK_NUM && t->kind != TOK_KEYWORD) ||
                   num_v128_lane(p->lx.src + t->off, t->len, &sh, &out->lanes[i])) {
            return sp_fail(p, "constant out of range or malformed");
        }
        p->pos++;
    }
    return expect(p, TOK_RPAREN);
}

static TxStatus values(Sp *p, bool result, TextVal **out, size_t *n);
static TxStatus either_value(Sp *p, TextVal *out);

/* (i32.const N) ... (ref.null func|extern), (ref.extern N), and in results also
 * nan:canonical, nan:arithmetic, (ref.func) and (ref.null). */
static TxStatus value(Sp *p, bool result, TextVal *out)
{
    if (expect(p, TOK_LPAREN))
        return TX_ERR;
    const Tok *op = peek(p);
    const Tok *arg = peek_at(p, 1);
    const char *a = p->lx.src + arg->off;
    memset(out, 0, sizeof *out);
    p->pos++;
    for (size_t i = 0; i < sizeof const_kinds / sizeof const_kinds[0]; i++) {
        if (!tok_is(&p->lx, op, const_kinds[i].name))
            continue;
        out->kind = const_kinds[i].kind;
        bool is_float = out->kind == TV_F32 || out->kind == TV_F64;
        int bits = out->kind == TV_I32 || out->kind == TV_F32 ? 32 : 64;
        if (is_float && result && tok_is(&p->lx, arg, "nan:canonical")) {
            out->match = TVM_NAN_CANONICAL;
        } else if (is_float && result && tok_is(&p->lx, arg, "nan:arithmetic")) {
            out->match = TVM_NAN_ARITHMETIC;
        } else if (arg->kind != TOK_NUM && arg->kind != TOK_KEYWORD) {
            return sp_fail(p, "unexpected token");
        } else if (is_float ? num_float(a, arg->len, bits, &out->bits)
                            : num_int(a, arg->len, bits, &out->bits)) {
            return sp_fail(p, "constant out of range or malformed");
        }
        p->pos++;
        return expect(p, TOK_RPAREN);
    }
    if (tok_is(&p->lx, op, "v128.const"))
        return v128_value(p, result, out);
    if (tok_is(&p->lx, op, "either") && result)
        return either_value(p, out);
    if (tok_is(&p->lx, op, "ref.null") && arg->kind == TOK_RPAREN && result) {
        out->kind = TV_NULLREF;
        out->match = TVM_NULL;
    } else if (tok_is(&p->lx, op, "ref.null") && result &&
               (arg->kind == TOK_KEYWORD || arg->kind == TOK_ID || arg->kind == TOK_NUM)) {
        /* (ref.null ht) as a result: a null of any heap type (the value carries none) */
        out->kind = TV_NULLREF;
        out->match = TVM_NULL;
        p->pos++;
    } else if (tok_is(&p->lx, op, "ref.null") &&
               (tok_is(&p->lx, arg, "any") || tok_is(&p->lx, arg, "eq") ||
                tok_is(&p->lx, arg, "i31") || tok_is(&p->lx, arg, "struct") ||
                tok_is(&p->lx, arg, "array") || tok_is(&p->lx, arg, "none"))) {
        out->kind = TV_ANYREF;
        out->match = TVM_NULL;
        p->pos++;
    } else if (result && (tok_is(&p->lx, op, "ref.struct") || tok_is(&p->lx, op, "ref.array") ||
                          tok_is(&p->lx, op, "ref.i31") || tok_is(&p->lx, op, "ref.eq") ||
                          tok_is(&p->lx, op, "ref.any"))) {
        static const struct {
            const char *name;
            uint8_t heap;
        } cats[] = {{"ref.struct", 0x6b}, {"ref.array", 0x6a}, {"ref.i31", 0x6c},
                    {"ref.eq", 0x6d},     {"ref.any", 0x6e}};
        out->kind = TV_ANYREF;
        out->match = TVM_ANY_REF;
        for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++)
            if (tok_is(&p->lx, op, cats[i].name))
                out->heap = cats[i].heap;
    } else if (tok_is(&p->lx, op, "ref.host")) {
        out->kind = TV_ANYREF;
        out->heap = 0x6f;
        if (arg->kind != TOK_NUM || num_uint(a, arg->len, UINT32_MAX, &out->bits))
            return sp_fail(p, "unexpected token");
        p->pos++;
    } else if (tok_is(&p->lx, op, "ref.null")) {
        bool ext = tok_is(&p->lx, arg, "extern") || tok_is(&p->lx, arg, "noextern");
        if (!ext && !tok_is(&p->lx, arg, "func") && !tok_is(&p->lx, arg, "nofunc") &&
            arg->kind != TOK_ID && arg->kind != TOK_NUM)
            return sp_fail(p, "unexpected token");
        out->kind = ext ? TV_EXTERNREF : TV_FUNCREF;
        out->match = TVM_NULL;
        p->pos++;
    } else if (tok_is(&p->lx, op, "ref.extern")) {
        out->kind = TV_EXTERNREF;
        if (arg->kind == TOK_RPAREN && result) {
            out->match = TVM_ANY_REF;
        } else {
            if (arg->kind != TOK_NUM || num_uint(a, arg->len, UINT32_MAX, &out->bits))
                return sp_fail(p, "unexpected token");
            p->pos++;
        }
    } else if (tok_is(&p->lx, op, "ref.func") && result) {
        out->kind = TV_FUNCREF;
        out->match = TVM_ANY_REF;
        if (arg->kind == TOK_NUM || arg->kind == TOK_ID)
            p->pos++;
    } else {
        return sp_fail(p, "unknown value");
    }
    return expect(p, TOK_RPAREN);
}

static void vals_free(TextVal *vs, size_t n)
{
    for (size_t i = 0; vs && i < n; i++)
        vals_free(vs[i].alts, vs[i].nalts);
    free(vs);
}

/* (either RESULT...) after its name: the value may match any alternative. */
static TxStatus either_value(Sp *p, TextVal *out)
{
    out->kind = TV_EITHER;
    if (values(p, true, &out->alts, &out->nalts))
        return TX_ERR;
    return expect(p, TOK_RPAREN);
}

static TxStatus values(Sp *p, bool result, TextVal **out, size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    while (peek(p)->kind == TOK_LPAREN) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 4;
            TextVal *v = realloc(*out, cap * sizeof *v);
            if (!v)
                return sp_fail(p, "out of memory");
            *out = v;
        }
        memset(&(*out)[*n], 0, sizeof **out);
        (*n)++; /* counted now, so a failed (either) still frees what it holds */
        if (value(p, result, &(*out)[*n - 1]))
            return TX_ERR;
    }
    return TX_OK;
}

/* ---- commands ---- */

static TxStatus name_copy(Sp *p, char **out, size_t *out_len)
{
    if (peek(p)->kind != TOK_STRING)
        return sp_fail(p, "unexpected token");
    *out = dup_bytes(lex_str(&p->lx, peek(p)), peek(p)->val_len);
    *out_len = peek(p)->val_len;
    p->pos++;
    return *out ? TX_OK : sp_fail(p, "out of memory");
}

/* (invoke $id? "name" value*) | (get $id? "name") */
static TxStatus action(Sp *p, TextCommand *c)
{
    TextAction *a = &c->action;
    if (at_form(p, "get")) {
        a->is_get = true;
    } else if (!at_form(p, "invoke")) {
        return sp_fail(p, "unexpected token");
    }
    c->has_action = true;
    p->pos += 2;
    if (opt_id_copy(p, &a->module) || name_copy(p, &a->name, &a->name_len))
        return TX_ERR;
    if (!a->is_get && values(p, false, &a->args, &a->nargs))
        return TX_ERR;
    return expect(p, TOK_RPAREN);
}

static TxStatus message(Sp *p, TextCommand *c)
{
    size_t n;
    return name_copy(p, &c->text, &n);
}

static const struct {
    const char *name;
    uint8_t kind;
} assertions[] = {
    {"assert_return", TCMD_ASSERT_RETURN},
    {"assert_trap", TCMD_ASSERT_TRAP},
    {"assert_exhaustion", TCMD_ASSERT_EXHAUSTION},
    {"assert_malformed", TCMD_ASSERT_MALFORMED},
    {"assert_invalid", TCMD_ASSERT_INVALID},
    {"assert_unlinkable", TCMD_ASSERT_UNLINKABLE},
    {"assert_uninstantiable", TCMD_ASSERT_UNINSTANTIABLE},
    {"assert_exception", TCMD_ASSERT_EXCEPTION},
};

static TxStatus assertion(Sp *p, TextCommand *c)
{
    switch (c->kind) {
    case TCMD_ASSERT_RETURN:
        return action(p, c) || values(p, true, &c->expected, &c->nexpected);
    case TCMD_ASSERT_TRAP:
        if (at_form(p, "module")) {
            c->kind = TCMD_ASSERT_UNINSTANTIABLE;
            return module_form(p, c) || message(p, c);
        }
        return action(p, c) || message(p, c);
    case TCMD_ASSERT_EXHAUSTION:
        return action(p, c) || message(p, c);
    case TCMD_ASSERT_EXCEPTION:
        return action(p, c);
    default:
        if (!at_form(p, "module"))
            return sp_fail(p, "unexpected token");
        return module_form(p, c) || message(p, c);
    }
}

static TxStatus command(Sp *p, TextCommand *c)
{
    const Tok *kw = peek_at(p, 1);
    if (peek(p)->kind != TOK_LPAREN || kw->kind != TOK_KEYWORD)
        return sp_fail(p, "unexpected token");
    c->line = peek(p)->line;
    if (tok_is(&p->lx, kw, "module") && tok_is(&p->lx, peek_at(p, 2), "instance")) {
        c->kind = TCMD_MODULE_INSTANCE;
        p->pos += 3;
        if (opt_id_copy(p, &c->id) || opt_id_copy(p, &c->of))
            return TX_ERR;
        if (!c->of) { /* (module instance $M) */
            c->of = c->id;
            c->id = NULL;
        }
        return c->of ? expect(p, TOK_RPAREN) : sp_fail(p, "unexpected token");
    }
    if (tok_is(&p->lx, kw, "module")) {
        c->kind = TCMD_MODULE;
        return module_form(p, c);
    }
    if (tok_is(&p->lx, kw, "register")) {
        c->kind = TCMD_REGISTER;
        p->pos += 2;
        return name_copy(p, &c->as, &c->as_len) || opt_id_copy(p, &c->id) ||
               expect(p, TOK_RPAREN);
    }
    if (tok_is(&p->lx, kw, "invoke") || tok_is(&p->lx, kw, "get")) {
        c->kind = TCMD_ACTION;
        return action(p, c);
    }
    for (size_t i = 0; i < sizeof assertions / sizeof assertions[0]; i++)
        if (tok_is(&p->lx, kw, assertions[i].name)) {
            c->kind = assertions[i].kind;
            p->pos += 2;
            return assertion(p, c) || expect(p, TOK_RPAREN);
        }
    p->pos++;
    return sp_fail(p, "unknown command");
}

static void command_free(TextCommand *c)
{
    free(c->id);
    free(c->of);
    free(c->as);
    free(c->module.bytes);
    free(c->module.error);
    free(c->action.module);
    free(c->action.name);
    vals_free(c->action.args, c->action.nargs);
    vals_free(c->expected, c->nexpected);
    free(c->text);
}

/* A script may be a module's fields alone: one module command. */
static bool bare_module(const Sp *p)
{
    static const char *const fields[] = {"type",   "import", "func", "table", "memory",
                                         "global", "export", "start", "elem", "data"};
    if (peek(p)->kind != TOK_LPAREN)
        return false;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (tok_is(&p->lx, peek_at(p, 1), fields[i]))
            return true;
    return false;
}

static TxStatus bare_script(Sp *p, TextScript *out)
{
    Buf b = {0};
    TextError merr = {0};
    TxStatus st = TX_OK;
    out->cmds = calloc(1, sizeof *out->cmds);
    if (!out->cmds) {
        lex_free(&p->lx);
        return tok_fail(p->err, NULL, "out of memory");
    }
    out->ncmds = 1;
    TextCommand *c = &out->cmds[0];
    c->kind = TCMD_MODULE;
    c->line = 1;
    c->has_module = true;
    if (wat_encode_fields(&p->lx, 0, p->lx.ntoks - 1, p->flags, &b, &merr)) {
        buf_free(&b);
        st = set_module_error(p, &c->module, &merr);
    } else {
        c->module.bytes = b.p;
        c->module.len = b.len;
    }
    lex_free(&p->lx);
    if (st)
        text_script_free(out);
    return st;
}

TxStatus text_script_parse(const char *src, size_t len, TextScript *out, TextError *err)
{
    return text_script_parse_f(src, len, TEXT_3_0, out, err);
}

TxStatus text_script_parse_f(const char *src, size_t len, unsigned flags, TextScript *out,
                             TextError *err)
{
    Sp p = {.err = err, .flags = flags};
    size_t cap = 0;
    memset(out, 0, sizeof *out);
    if (lex_all(&p.lx, src, len, err))
        return TX_ERR;
    TxStatus st = TX_OK;
    if (bare_module(&p))
        return bare_script(&p, out);
    while (!st && peek(&p)->kind != TOK_EOF) {
        if (out->ncmds == cap) {
            cap = cap ? cap * 2 : 64;
            TextCommand *v = realloc(out->cmds, cap * sizeof *v);
            if (!v) {
                st = sp_fail(&p, "out of memory");
                break;
            }
            out->cmds = v;
        }
        TextCommand *c = &out->cmds[out->ncmds++];
        memset(c, 0, sizeof *c);
        st = command(&p, c);
    }
    lex_free(&p.lx);
    if (st)
        text_script_free(out);
    return st;
}

void text_script_free(TextScript *s)
{
    for (size_t i = 0; i < s->ncmds; i++)
        command_free(&s->cmds[i]);
    free(s->cmds);
    memset(s, 0, sizeof *s);
}
