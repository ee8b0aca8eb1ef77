/* wat_module.c: a module in the text format, with every abbreviation of the spec (inline
 * imports and exports, inline and implicit types, inline elem and data of tables and
 * memories, elem's and data's offset forms), encoded into the binary format. Two passes over
 * the module's fields: the first binds every identifier and counts each index space (so a
 * field may name what comes after it) and reads the explicit types; the second encodes.
 * Nothing here checks types: the engine's validator does, after decoding the result. */
#include "wat_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    SEC_TYPE = 1, SEC_IMPORT, SEC_FUNC, SEC_TABLE, SEC_MEMORY, SEC_GLOBAL, SEC_EXPORT,
    SEC_START, SEC_ELEM, SEC_CODE, SEC_DATA, SEC_DATACOUNT, SEC_TAG,
};

enum { VT_I32 = 0x7f, VT_I64 = 0x7e, VT_F32 = 0x7d, VT_F64 = 0x7c, VT_V128 = 0x7b,
       VT_FUNCREF = 0x70 };

static const char *const space_names[NSPACES] = {
    "type", "func", "table", "memory", "global", "elem", "data", "local", "label", "tag",
};

/* ---- tokens ---- */

TxStatus wat_fail(Wat *w, const char *fmt, ...)
{
    va_list ap;
    char msg[TEXT_MSG_SIZE];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tok_fail(w->err, wat_peek(w), "%s", msg);
}

bool wat_at_field(const Wat *w, const char *kw)
{
    return wat_peek(w)->kind == TOK_LPAREN && tok_is(w->lx, wat_peek_at(w, 1), kw);
}

TxStatus wat_expect(Wat *w, TokKind kind)
{
    if (wat_peek(w)->kind != kind)
        return wat_fail(w, "unexpected token");
    w->pos++;
    return TX_OK;
}

TxStatus wat_keyword(Wat *w, const char *kw)
{
    if (!tok_is(w->lx, wat_peek(w), kw))
        return wat_fail(w, "unexpected token");
    w->pos++;
    return TX_OK;
}

/* "(" kw */
static TxStatus open_field(Wat *w, const char *kw)
{
    if (wat_expect(w, TOK_LPAREN) || wat_keyword(w, kw))
        return TX_ERR;
    return TX_OK;
}

static const char *tok_text(const Wat *w, const Tok *t)
{
    return w->lx->src + t->off;
}

/* An optional $id: its token index, or SIZE_MAX. */
static size_t opt_id(Wat *w)
{
    if (wat_peek(w)->kind != TOK_ID)
        return SIZE_MAX;
    return w->pos++;
}

/* ---- names ---- */

static uint32_t hash_tok(const Wat *w, size_t tok)
{
    const Tok *t = &w->lx->toks[tok];
    const uint8_t *s = lex_str(w->lx, t);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < t->val_len; i++)
        h = (h ^ s[i]) * 16777619u;
    return h;
}

/* Whether id tokens a and b name the same: $abc and $"abc" do. */
bool same_id(const Wat *w, size_t a, size_t b)
{
    const Tok *x = &w->lx->toks[a], *y = &w->lx->toks[b];
    return x->val_len == y->val_len && !memcmp(lex_str(w->lx, x), lex_str(w->lx, y), x->val_len);
}

/* The index bound to the id token tok, or UINT32_MAX. */
static uint32_t names_find(const Wat *w, Space sp, size_t tok)
{
    const Names *ns = &w->names[sp];
    if (!ns->hash_cap)
        return UINT32_MAX;
    uint32_t h = hash_tok(w, tok) & (ns->hash_cap - 1);
    for (; ns->hash[h]; h = (h + 1) & (ns->hash_cap - 1))
        if (same_id(w, ns->ids[ns->hash[h] - 1], tok))
            return ns->hash[h] - 1;
    return UINT32_MAX;
}

static bool names_rehash(const Wat *w, Names *ns)
{
    uint32_t cap = ns->hash_cap ? ns->hash_cap * 2 : 16;
    uint32_t *hash = calloc(cap, sizeof *hash);
    if (!hash)
        return false;
    free(ns->hash);
    ns->hash = hash;
    ns->hash_cap = cap;
    for (uint32_t i = 0; i < ns->n; i++) {
        if (ns->ids[i] == SIZE_MAX)
            continue;
        uint32_t h = hash_tok(w, ns->ids[i]) & (cap - 1);
        while (hash[h])
            h = (h + 1) & (cap - 1);
        hash[h] = i + 1;
    }
    return true;
}

/* Adds the next index of space sp, bound to the id token tok (SIZE_MAX: none). */
TxStatus names_bind(Wat *w, Space sp, size_t tok)
{
    Names *ns = &w->names[sp];
    if (tok != SIZE_MAX && names_find(w, sp, tok) != UINT32_MAX)
        return tok_fail(w->err, &w->lx->toks[tok], "duplicate %s %.*s", space_names[sp],
                        (int)w->lx->toks[tok].len, tok_text(w, &w->lx->toks[tok]));
    if (ns->n == UINT32_MAX - 1)
        return wat_fail(w, "too many definitions");
    if (ns->n == ns->cap) {
        uint32_t cap = ns->cap ? ns->cap * 2 : 16;
        size_t *ids = realloc(ns->ids, cap * sizeof *ids);
        if (!ids)
            return wat_fail(w, "out of memory");
        ns->ids = ids;
        ns->cap = cap;
    }
    ns->ids[ns->n++] = tok;
    if ((ns->n + 1) * 2 > ns->hash_cap && !names_rehash(w, ns))
        return wat_fail(w, "out of memory");
    if (tok != SIZE_MAX) {
        uint32_t h = hash_tok(w, tok) & (ns->hash_cap - 1);
        while (ns->hash[h])
            h = (h + 1) & (ns->hash_cap - 1);
        ns->hash[h] = ns->n;
    }
    return TX_OK;
}

void names_reset(Names *ns)
{
    ns->n = 0;
    if (ns->hash)
        memset(ns->hash, 0, ns->hash_cap * sizeof *ns->hash);
}

static void names_free(Names *ns)
{
    free(ns->ids);
    free(ns->hash);
}

bool wat_at_index(const Wat *w)
{
    uint8_t k = wat_peek(w)->kind;
    return k == TOK_ID || k == TOK_NUM;
}

TxStatus wat_index(Wat *w, Space sp, uint32_t *out)
{
    const Tok *t = wat_peek(w);
    if (t->kind == TOK_ID) {
        *out = names_find(w, sp, w->pos);
        if (*out == UINT32_MAX)
            return wat_fail(w, "unknown %s %.*s", space_names[sp], (int)t->len, tok_text(w, t));
        w->pos++;
        return TX_OK;
    }
    uint64_t v;
    NumStatus st = t->kind == TOK_NUM ? num_uint(tok_text(w, t), t->len, UINT32_MAX, &v)
                                      : NUM_SYNTAX;
    if (st == NUM_RANGE)
        return wat_fail(w, "i32 constant out of range");
    if (st)
        return wat_fail(w, t->kind == TOK_NUM ? "unknown operator" : "unexpected token");
    *out = (uint32_t)v;
    w->pos++;
    return TX_OK;
}

/* ---- types ---- */

/* Heap type keywords and their binary codes. */
static const struct {
    const char *name;
    uint8_t code;
} heap_types[] = {{"func", 0x70},   {"extern", 0x6f},   {"exn", 0x69},    {"nofunc", 0x73},
                  {"noextern", 0x72}, {"noexn", 0x74},  {"any", 0x6e},    {"eq", 0x6d},
                  {"i31", 0x6c},    {"struct", 0x6b},   {"array", 0x6a},  {"none", 0x71}};

TxStatus wat_heaptype(Wat *w, uint32_t *out)
{
    for (size_t i = 0; i < sizeof heap_types / sizeof heap_types[0]; i++)
        if (tok_is(w->lx, wat_peek(w), heap_types[i].name)) {
            *out = heap_types[i].code;
            w->pos++;
            return TX_OK;
        }
    uint32_t x;
    if (!wat_at_index(w))
        return wat_fail(w, "unexpected token");
    if (wat_index(w, SP_TYPE, &x))
        return TX_ERR;
    if (x > TV_MAX_INDEX)
        return wat_fail(w, "unknown type");
    *out = TV_CONCRETE | x << 9;
    return TX_OK;
}

/* (ref null? heaptype), at its "(". */
static TxStatus ref_type(Wat *w, uint32_t *out)
{
    w->pos += 2;
    bool null = tok_is(w->lx, wat_peek(w), "null");
    if (null)
        w->pos++;
    uint32_t h;
    if (wat_heaptype(w, &h) || wat_expect(w, TOK_RPAREN))
        return TX_ERR;
    *out = h | (null ? 0 : TV_NONNULL);
    return TX_OK;
}

/* The reference type shorthands. */
static const struct {
    const char *name;
    uint8_t code;
} ref_words[] = {{"funcref", 0x70},      {"externref", 0x6f},   {"exnref", 0x69},
                 {"nullfuncref", 0x73},  {"nullexternref", 0x72}, {"nullexnref", 0x74},
                 {"anyref", 0x6e},       {"eqref", 0x6d},       {"i31ref", 0x6c},
                 {"structref", 0x6b},    {"arrayref", 0x6a},    {"nullref", 0x71}};

TxStatus wat_valtype(Wat *w, uint32_t *out)
{
    static const struct {
        const char *name;
        uint8_t code;
    } types[] = {{"i32", VT_I32}, {"i64", VT_I64}, {"f32", VT_F32}, {"f64", VT_F64},
                 {"v128", VT_V128}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (tok_is(w->lx, wat_peek(w), types[i].name)) {
            *out = types[i].code;
            w->pos++;
            return TX_OK;
        }
    if (wat_at_field(w, "ref") || (wat_peek(w)->kind == TOK_KEYWORD))
        return wat_reftype(w, out);
    return wat_fail(w, "unexpected token");
}

TxStatus wat_reftype(Wat *w, uint32_t *out)
{
    if (wat_at_field(w, "ref"))
        return ref_type(w, out);
    for (size_t i = 0; i < sizeof ref_words / sizeof ref_words[0]; i++)
        if (tok_is(w->lx, wat_peek(w), ref_words[i].name)) {
            *out = ref_words[i].code;
            w->pos++;
            return TX_OK;
        }
    /* A word the text format does not have ("anyfunc"): the spec's lexer sees no such
     * token. */
    const Tok *t = wat_peek(w);
    if (t->kind == TOK_KEYWORD && !instr_lookup(tok_text(w, t), t->len))
        return wat_fail(w, "unknown operator %.*s", t->len > 64 ? 64 : (int)t->len, tok_text(w, t));
    return wat_fail(w, "unexpected token");
}

void buf_heaptype(Buf *b, uint32_t h)
{
    if ((h & 0xff) == TV_CONCRETE)
        buf_s64(b, (int64_t)(h >> 9));
    else
        buf_byte(b, (uint8_t)(h & 0x7f));
}

void buf_valtype(Buf *b, uint32_t t)
{
    if (t < 0x80 && t != TV_CONCRETE) { /* a number, vector or nullable abstract type */
        buf_byte(b, (uint8_t)t);
        return;
    }
    buf_byte(b, t & TV_NONNULL ? 0x64 : 0x63);
    buf_heaptype(b, t & ~TV_NONNULL);
}

/* types: np + nr words, unaligned (a Buf's bytes). */
static bool sig_equal(const FuncSig *s, const uint8_t *types, uint32_t np, uint32_t nr)
{
    return s->nparams == np && s->nresults == nr &&
           (np + nr == 0 || !memcmp(s->types, types, ((size_t)np + nr) * sizeof *s->types));
}

static TxStatus add_type(Wat *w, const uint8_t *types, uint32_t np, uint32_t nr)
{
    if (w->ntypes == w->types_cap) {
        uint32_t cap = w->types_cap ? w->types_cap * 2 : 16;
        FuncSig *v = realloc(w->types, cap * sizeof *v);
        if (!v)
            return wat_fail(w, "out of memory");
        w->types = v;
        w->types_cap = cap;
    }
    FuncSig *s = &w->types[w->ntypes];
    s->types = malloc(((size_t)np + nr + 1) * sizeof *s->types);
    if (!s->types)
        return wat_fail(w, "out of memory");
    if (np + nr)
        memcpy(s->types, types, ((size_t)np + nr) * sizeof *s->types);
    s->nparams = np;
    s->nresults = nr;
    s->group_len = 1;
    s->sub = false;
    s->final = true;
    s->nsupers = 0;
    s->super = 0;
    s->kind = 0;
    s->field_ids = NULL;
    w->ntypes++;
    return TX_OK;
}

/* A storage type: i8, i16 or a value type (packed codes 0x78, 0x77). */
static TxStatus storage_type(Wat *w, uint32_t *out)
{
    if (tok_is(w->lx, wat_peek(w), "i8") || tok_is(w->lx, wat_peek(w), "i16")) {
        *out = tok_is(w->lx, wat_peek(w), "i8") ? 0x78 : 0x77;
        w->pos++;
        return TX_OK;
    }
    return wat_valtype(w, out);
}

/* A field type: storagetype or (mut storagetype), appended to types and muts. */
static TxStatus field_type(Wat *w, Buf *types, Buf *muts)
{
    uint32_t t, mut = wat_at_field(w, "mut");
    if (mut)
        w->pos += 2;
    if (storage_type(w, &t) || (mut && wat_expect(w, TOK_RPAREN)))
        return TX_ERR;
    buf_bytes(types, &t, sizeof t);
    buf_bytes(muts, &mut, sizeof mut);
    return TX_OK;
}

/* (struct (field id? fieldtype) | (field fieldtype*))*) or (array fieldtype), after the
 * keyword: a type of kind 1 or 2 appended. */
static TxStatus aggregate_type(Wat *w, bool is_struct)
{
    Buf types = {0}, muts = {0}, ids = {0};
    uint32_t n = 0;
    TxStatus st = TX_OK;
    if (!is_struct) {
        st = field_type(w, &types, &muts);
        n = 1;
    }
    while (is_struct && !st && wat_at_field(w, "field")) {
        w->pos += 2;
        if (wat_peek(w)->kind == TOK_ID) {
            const Tok *t = wat_peek(w);
            for (size_t k = 0; k < ids.len / sizeof(size_t); k++) {
                size_t prev;
                memcpy(&prev, ids.p + k * sizeof prev, sizeof prev);
                const Tok *f = prev == SIZE_MAX ? NULL : &w->lx->toks[prev];
                if (f && f->len == t->len && !memcmp(tok_text(w, f), tok_text(w, t), t->len)) {
                    st = wat_fail(w, "duplicate field");
                    break;
                }
            }
            if (st)
                break;
            size_t id = w->pos++;
            buf_bytes(&ids, &id, sizeof id);
            st = field_type(w, &types, &muts);
            n++;
        } else {
            while (!st && wat_peek(w)->kind != TOK_RPAREN && wat_peek(w)->kind != TOK_EOF) {
                size_t none = SIZE_MAX;
                buf_bytes(&ids, &none, sizeof none);
                st = field_type(w, &types, &muts);
                n++;
            }
        }
        if (!st)
            st = wat_expect(w, TOK_RPAREN);
    }
    if (!st && (types.oom || muts.oom || ids.oom))
        st = wat_fail(w, "out of memory");
    if (!st) {
        buf_bytes(&types, muts.p, muts.len);
        st = add_type(w, types.p, n, n);
    }
    if (!st) {
        FuncSig *s = &w->types[w->ntypes - 1];
        s->kind = is_struct ? 1 : 2;
        if (is_struct && n) {
            s->field_ids = malloc(n * sizeof *s->field_ids);
            if (!s->field_ids)
                st = wat_fail(w, "out of memory");
            else
                memcpy(s->field_ids, ids.p, n * sizeof *s->field_ids);
        }
    }
    buf_free(&types);
    buf_free(&muts);
    buf_free(&ids);
    return st;
}

TxStatus wat_field_index(Wat *w, uint32_t type, uint32_t *out)
{
    const Tok *t = wat_peek(w);
    if (t->kind != TOK_ID) {
        if (!wat_at_index(w))
            return wat_fail(w, "unexpected token");
        return wat_index(w, SP_TYPE, out);
    }
    if (type < w->ntypes && w->types[type].field_ids) {
        const FuncSig *s = &w->types[type];
        for (uint32_t i = 0; i < s->nparams; i++) {
            if (s->field_ids[i] == SIZE_MAX)
                continue;
            const Tok *f = &w->lx->toks[s->field_ids[i]];
            if (f->len == t->len && !memcmp(tok_text(w, f), tok_text(w, t), t->len)) {
                *out = i;
                w->pos++;
                return TX_OK;
            }
        }
    }
    return wat_fail(w, "unknown field");
}

/* (param ...)* (result ...)* into sig (params then results). bind: params' ids become
 * locals; allow_ids: a param may carry an id (type definitions, functions). */
static TxStatus params_results(Wat *w, Buf *sig, uint32_t *np, uint32_t *nr, bool bind,
                               bool allow_ids)
{
    *np = *nr = 0;
    while (wat_at_field(w, "param")) {
        w->pos += 2;
        if (wat_peek(w)->kind == TOK_ID) {
            uint32_t t;
            if (!allow_ids)
                return wat_fail(w, "unexpected token");
            size_t id = w->pos++;
            if (wat_valtype(w, &t) || (bind && names_bind(w, SP_LOCAL, id)))
                return TX_ERR;
            buf_bytes(sig, &t, sizeof t);
            (*np)++;
        } else {
            while (wat_peek(w)->kind != TOK_RPAREN) {
                uint32_t t;
                if (wat_valtype(w, &t) || (bind && names_bind(w, SP_LOCAL, SIZE_MAX)))
                    return TX_ERR;
                buf_bytes(sig, &t, sizeof t);
                (*np)++;
            }
        }
        if (wat_expect(w, TOK_RPAREN))
            return TX_ERR;
    }
    while (wat_at_field(w, "result")) {
        w->pos += 2;
        while (wat_peek(w)->kind != TOK_RPAREN) {
            uint32_t t;
            if (wat_valtype(w, &t))
                return TX_ERR;
            buf_bytes(sig, &t, sizeof t);
            (*nr)++;
        }
        w->pos++;
    }
    if (wat_at_field(w, "param"))
        return wat_fail(w, "unexpected token");
    return sig->oom ? wat_fail(w, "out of memory") : TX_OK;
}

TxStatus wat_typeuse(Wat *w, TypeUseMode mode, TypeUse *out)
{
    bool bind_params = mode == TU_FUNC, for_block = mode == TU_BLOCK;
    Buf sig = {0};
    uint32_t np, nr;
    memset(out, 0, sizeof *out);
    if (wat_at_field(w, "type")) {
        w->pos += 2;
        if (wat_index(w, SP_TYPE, &out->index) || wat_expect(w, TOK_RPAREN))
            return TX_ERR;
        out->has_type = true;
    }
    size_t at = w->pos;
    if (params_results(w, &sig, &np, &nr, bind_params, mode == TU_FUNC || mode == TU_IMPORT)) {
        buf_free(&sig);
        return TX_ERR;
    }
    out->nparams = np;
    out->nresults = nr;
    if (np == 0 && nr == 1)
        memcpy(&out->single_result, sig.p, sizeof out->single_result);
    TxStatus st = TX_OK;
    if (out->has_type && out->index < w->ntypes) {
        const FuncSig *s = &w->types[out->index];
        if ((np || nr) && !sig_equal(s, sig.p, np, nr))
            st = tok_fail(w->err, &w->lx->toks[at], "inline function type");
        else if (!np && !nr && bind_params)
            for (uint32_t i = 0; i < s->nparams && !st; i++)
                st = names_bind(w, SP_LOCAL, SIZE_MAX);
    } else if (!out->has_type && !(for_block && np == 0 && nr <= 1)) {
        uint32_t i = 0;
        /* the first plain function type alike: final, no supertype, alone in its group */
        while (i < w->ntypes && (w->types[i].group_len != 1 || w->types[i].sub ||
                                 w->types[i].kind != 0 ||
                                 !sig_equal(&w->types[i], sig.p, np, nr)))
            i++;
        if (i == w->ntypes)
            st = add_type(w, sig.p, np, nr);
        out->index = i;
    }
    buf_free(&sig);
    return st;
}

/* (type id? (func (param ...)* (result ...)*)), or with GC's (sub final? x* (func ...)),
 * in the first pass, after "(type". bind: bind its id (a type in a rec group was bound with
 * the group's). */
static TxStatus type_field(Wat *w, bool bind)
{
    Buf sig = {0};
    uint32_t np, nr, supers[1] = {0}, nsupers = 0;
    bool sub = false, final = true;
    size_t id = opt_id(w);
    TxStatus st = TX_ERR;
    /* bound first: a type may name itself (its own recursion group) */
    if (bind && names_bind(w, SP_TYPE, id))
        goto fail;
    if (wat_at_field(w, "sub")) {
        w->pos += 2;
        sub = true;
        final = tok_is(w->lx, wat_peek(w), "final");
        if (final)
            w->pos++;
        while (wat_at_index(w)) {
            uint32_t x;
            if (wat_index(w, SP_TYPE, &x))
                goto fail;
            if (nsupers++ == 0)
                supers[0] = x;
        }
    }
    if (wat_at_field(w, "struct") || wat_at_field(w, "array")) {
        bool is_struct = wat_at_field(w, "struct");
        w->pos += 2;
        if (aggregate_type(w, is_struct) || wat_expect(w, TOK_RPAREN) ||
            (sub && wat_expect(w, TOK_RPAREN)) || wat_expect(w, TOK_RPAREN))
            goto fail;
    } else if (open_field(w, "func") || params_results(w, &sig, &np, &nr, false, true) ||
               wat_expect(w, TOK_RPAREN) || (sub && wat_expect(w, TOK_RPAREN)) ||
               wat_expect(w, TOK_RPAREN) || add_type(w, sig.p, np, nr))
        goto fail;
    FuncSig *t = &w->types[w->ntypes - 1];
    t->sub = sub;
    t->final = final;
    t->nsupers = nsupers;
    t->super = supers[0];
    st = TX_OK;
fail:
    buf_free(&sig);
    return st;
}

/* (rec (type ...)*), after "(rec": the group's ids are bound first, so its types may name
 * each other. */
static TxStatus rec_field(Wat *w)
{
    size_t at = w->pos;
    uint32_t n = 0, first = w->ntypes;
    while (wat_at_field(w, "type")) {
        size_t open = w->pos;
        w->pos += 2;
        if (names_bind(w, SP_TYPE, opt_id(w)))
            return TX_ERR;
        w->pos = w->lx->toks[open].match + 1;
        n++;
    }
    w->pos = at;
    while (wat_at_field(w, "type")) {
        w->pos += 2;
        if (type_field(w, false))
            return TX_ERR;
    }
    if (n > 0) {
        w->types[first].group_len = n;
        for (uint32_t i = first + 1; i < w->ntypes; i++)
            w->types[i].group_len = 0;
    } else {
        w->nempty_recs++;
    }
    return wat_expect(w, TOK_RPAREN);
}

/* ---- limits, table and global types ---- */

/* A limit: a u64 with TEXT_MEMORY64, else a u32. */
static TxStatus limit_num(Wat *w, uint64_t *out)
{
    const Tok *t = wat_peek(w);
    bool wide = w->flags & TEXT_MEMORY64;
    NumStatus st = num_uint(w->lx->src + t->off, t->len, wide ? UINT64_MAX : UINT32_MAX, out);
    if (st == NUM_RANGE)
        return wat_fail(w, wide ? "i64 constant out of range" : "i32 constant out of range");
    if (st)
        return wat_fail(w, "unknown operator");
    w->pos++;
    return TX_OK;
}

/* An address type, i32 or i64 (memory64), that may be left out: true for i64. */
static bool addr_type(Wat *w)
{
    if (!(w->flags & TEXT_MEMORY64))
        return false;
    if (tok_is(w->lx, wat_peek(w), "i64")) {
        w->pos++;
        return true;
    }
    if (tok_is(w->lx, wat_peek(w), "i32"))
        w->pos++;
    return false;
}

/* The limits (after the address type, is64 for i64): the flags byte (bit 0 a maximum, bit 2
 * the i64 address type), then the bounds. */
static TxStatus limits(Wat *w, bool is64, Buf *out)
{
    uint64_t min, max;
    if (wat_peek(w)->kind != TOK_NUM)
        return wat_fail(w, "unexpected token");
    if (limit_num(w, &min))
        return TX_ERR;
    if (wat_peek(w)->kind == TOK_NUM) {
        if (limit_num(w, &max))
            return TX_ERR;
        buf_byte(out, is64 ? 5 : 1);
        buf_u64(out, min);
        buf_u64(out, max);
    } else {
        buf_byte(out, is64 ? 4 : 0);
        buf_u64(out, min);
    }
    return TX_OK;
}

static TxStatus table_type(Wat *w, Buf *out)
{
    Buf lim = {0};
    uint32_t rt;
    TxStatus st = limits(w, addr_type(w), &lim);
    if (!st)
        st = wat_reftype(w, &rt);
    if (!st) {
        buf_valtype(out, rt);
        buf_bytes(out, lim.p, lim.len);
    }
    buf_free(&lim);
    return st;
}

static TxStatus global_type(Wat *w, Buf *out)
{
    uint32_t t;
    if (wat_at_field(w, "mut")) {
        w->pos += 2;
        if (wat_valtype(w, &t) || wat_expect(w, TOK_RPAREN))
            return TX_ERR;
        buf_valtype(out, t);
        buf_byte(out, 1);
        return TX_OK;
    }
    if (wat_valtype(w, &t))
        return TX_ERR;
    buf_valtype(out, t);
    buf_byte(out, 0);
    return TX_OK;
}

/* ---- the first pass: bind names, count index spaces ---- */

/* Kinds of the fields that define into an index space, in export-kind order. */
enum { NDEF_KINDS = 5 };
static const char *const def_kinds[NDEF_KINDS] = {"func", "table", "memory", "global", "tag"};
static const char *const def_words[NDEF_KINDS] = {"function", "table", "memory", "global",
                                                  "tag"};
static const Space def_spaces[NDEF_KINDS] = {SP_FUNC, SP_TABLE, SP_MEMORY, SP_GLOBAL, SP_TAG};

static int def_kind(const Wat *w, const Tok *t)
{
    for (int k = 0; k < NDEF_KINDS; k++)
        if (tok_is(w->lx, t, def_kinds[k]))
            return k;
    return -1;
}

typedef struct Scan {
    int first_def; /* kind of the first definition (not import), or -1 */
} Scan;

static TxStatus note_import(Wat *w, const Scan *sc)
{
    if (sc->first_def >= 0)
        return wat_fail(w, "import after %s", def_words[sc->first_def]);
    return TX_OK;
}

/* (export "name") ... after a definition's id: skipped in the first pass. */
static void skip_exports(Wat *w)
{
    while (wat_at_field(w, "export"))
        w->pos = wat_peek(w)->match + 1;
}

static TxStatus scan_field(Wat *w, Scan *sc)
{
    const Tok *kw = wat_peek_at(w, 1);
    size_t end = wat_peek(w)->match;
    int k;
    w->pos += 2;
    if (tok_is(w->lx, kw, "type")) {
        if (type_field(w, true))
            return TX_ERR;
    } else if (tok_is(w->lx, kw, "rec")) {
        if (rec_field(w))
            return TX_ERR;
        w->pos--; /* the caller expects the field's ")" */
    } else if (tok_is(w->lx, kw, "import")) {
        if (note_import(w, sc))
            return TX_ERR;
        w->pos += 2; /* the two names: checked in the second pass */
        if (wat_peek(w)->kind != TOK_LPAREN || (k = def_kind(w, wat_peek_at(w, 1))) < 0)
            return TX_OK; /* malformed: the second pass says where */
        w->pos += 2;
        if (names_bind(w, def_spaces[k], opt_id(w)))
            return TX_ERR;
    } else if ((k = def_kind(w, kw)) >= 0) {
        size_t id = opt_id(w);
        skip_exports(w);
        if (wat_at_field(w, "import")) {
            if (note_import(w, sc))
                return TX_ERR;
        } else if (sc->first_def < 0) {
            sc->first_def = k;
        }
        bool imported = wat_at_field(w, "import");
        if (names_bind(w, def_spaces[k], id))
            return TX_ERR;
        /* (table addrtype? reftype (elem ...)) and (memory addrtype? (data ...)) also define
         * a segment */
        if (!imported && (k == 1 || k == 2) && (tok_is(w->lx, wat_peek(w), "i64") ||
                                                tok_is(w->lx, wat_peek(w), "i32")))
            w->pos++;
        if (!imported && k == 1 &&
            (wat_peek(w)->kind == TOK_KEYWORD || wat_at_field(w, "ref"))) {
            w->pos = wat_peek(w)->kind == TOK_KEYWORD ? w->pos + 1 : wat_peek(w)->match + 1;
            if (wat_at_field(w, "elem") && names_bind(w, SP_ELEM, SIZE_MAX))
                return TX_ERR;
        } else if (!imported && k == 2 && wat_at_field(w, "data")) {
            if (names_bind(w, SP_DATA, SIZE_MAX))
                return TX_ERR;
        }
    } else if (tok_is(w->lx, kw, "elem") || tok_is(w->lx, kw, "data")) {
        if (names_bind(w, tok_is(w->lx, kw, "elem") ? SP_ELEM : SP_DATA, opt_id(w)))
            return TX_ERR;
    } else if (!tok_is(w->lx, kw, "export") && !tok_is(w->lx, kw, "start")) {
        w->pos--;
        return wat_fail(w, "unexpected token");
    }
    w->pos = end + 1;
    return TX_OK;
}

/* ---- the second pass: encode ---- */

static TxStatus name_string(Wat *w, Buf *out)
{
    const Tok *t = wat_peek(w);
    if (t->kind != TOK_STRING)
        return wat_fail(w, "unexpected token");
    if (!text_utf8_valid(lex_str(w->lx, t), t->val_len))
        return wat_fail(w, "malformed UTF-8 encoding");
    buf_name(out, lex_str(w->lx, t), t->val_len);
    w->pos++;
    return TX_OK;
}

/* (export "name")* of a definition of kind k with index idx. */
static TxStatus inline_exports(Wat *w, int k, uint32_t idx)
{
    while (wat_at_field(w, "export")) {
        w->pos += 2;
        if (name_string(w, &w->sec[SEC_EXPORT]) || wat_expect(w, TOK_RPAREN))
            return TX_ERR;
        buf_byte(&w->sec[SEC_EXPORT], (uint8_t)k);
        buf_u32(&w->sec[SEC_EXPORT], idx);
        w->count[SEC_EXPORT]++;
    }
    return TX_OK;
}

/* The description of an import of kind k (after its id), into the import section. */
static TxStatus import_desc(Wat *w, int k)
{
    Buf *sec = &w->sec[SEC_IMPORT];
    TypeUse tu;
    buf_byte(sec, (uint8_t)k);
    switch (k) {
    case 0:
        if (wat_typeuse(w, TU_IMPORT, &tu))
            return TX_ERR;
        buf_u32(sec, tu.index);
        w->nfunc_imports++;
        return TX_OK;
    case 1:
        return table_type(w, sec);
    case 2:
        return limits(w, addr_type(w), sec);
    case 4:
        buf_byte(sec, 0); /* the attribute: an exception */
        if (wat_typeuse(w, TU_IMPORT, &tu))
            return TX_ERR;
        buf_u32(sec, tu.index);
        return TX_OK;
    default:
        return global_type(w, sec);
    }
}

/* (import "m" "n") inside a definition of kind k, then its type. */
static TxStatus inline_import(Wat *w, int k)
{
    w->pos += 2;
    if (name_string(w, &w->sec[SEC_IMPORT]) || name_string(w, &w->sec[SEC_IMPORT]) ||
        wat_expect(w, TOK_RPAREN) || import_desc(w, k))
        return TX_ERR;
    w->count[SEC_IMPORT]++;
    return TX_OK;
}

static TxStatus import_field(Wat *w, int *out_kind)
{
    int k;
    if (name_string(w, &w->sec[SEC_IMPORT]) || name_string(w, &w->sec[SEC_IMPORT]))
        return TX_ERR;
    if (wat_peek(w)->kind != TOK_LPAREN || (k = def_kind(w, wat_peek_at(w, 1))) < 0)
        return wat_fail(w, "unexpected token");
    w->pos += 2;
    opt_id(w);
    if (import_desc(w, k) || wat_expect(w, TOK_RPAREN))
        return TX_ERR;
    w->count[SEC_IMPORT]++;
    *out_kind = k;
    return TX_OK;
}

/* (local id? t) | (local t*), repeated, as the code section's run-length groups. */
static TxStatus locals(Wat *w, Buf *out)
{
    Buf types = {0};
    TxStatus st = TX_OK;
    while (!st && wat_at_field(w, "local")) {
        w->pos += 2;
        uint32_t t;
        if (wat_peek(w)->kind == TOK_ID) {
            size_t id = w->pos++;
            st = wat_valtype(w, &t) || names_bind(w, SP_LOCAL, id);
            buf_bytes(&types, &t, sizeof t);
        } else {
            while (!st && wat_peek(w)->kind != TOK_RPAREN) {
                st = wat_valtype(w, &t) || names_bind(w, SP_LOCAL, SIZE_MAX);
                buf_bytes(&types, &t, sizeof t);
            }
        }
        if (!st)
            st = wat_expect(w, TOK_RPAREN);
    }
    uint32_t groups = 0;
    size_t n = types.len / sizeof(uint32_t);
    uint32_t *tv = (uint32_t *)(void *)types.p; /* Buf memory comes from malloc: aligned */
    for (size_t i = 0; !st && i < n; i++)
        groups += i == 0 || tv[i] != tv[i - 1];
    buf_u32(out, groups);
    for (size_t i = 0; !st && i < n;) {
        size_t j = i;
        while (j < n && tv[j] == tv[i])
            j++;
        buf_u32(out, (uint32_t)(j - i));
        buf_valtype(out, tv[i]);
        i = j;
    }
    if (types.oom && !st)
        st = wat_fail(w, "out of memory");
    buf_free(&types);
    return st;
}

static TxStatus func_field(Wat *w, uint32_t idx)
{
    TypeUse tu;
    Buf body = {0};
    opt_id(w);
    if (inline_exports(w, 0, idx))
        return TX_ERR;
    if (wat_at_field(w, "import"))
        return inline_import(w, 0) || wat_expect(w, TOK_RPAREN);
    names_reset(&w->names[SP_LOCAL]);
    w->nlabels = 0;
    TxStatus st = wat_typeuse(w, TU_FUNC, &tu) || locals(w, &body) || body_instrs(w, &body);
    if (!st && wat_peek(w)->kind != TOK_RPAREN)
        st = wat_fail(w, "unexpected token");
    if (!st) {
        w->pos++;
        buf_byte(&body, 0x0b);
        buf_u32(&w->sec[SEC_FUNC], tu.index);
        w->count[SEC_FUNC]++;
        buf_u32(&w->sec[SEC_CODE], (uint32_t)body.len);
        buf_bytes(&w->sec[SEC_CODE], body.p, body.len);
        w->count[SEC_CODE]++;
    }
    buf_free(&body);
    return st;
}

/* An element segment's items: "func x*" or bare x*, written as elemkind 0x00 and a vector
 * of function indices (*funcs_out set: the caller's flags byte takes the form without
 * expressions, whose type is funcref in 2.0 and (ref func) in 3.0; with funcs_out NULL,
 * as (ref.func x) expressions of type table_rt); or "reftype item*"
 * where an item is (item instr*) or one folded instruction, written as the reftype
 * (table_rt's when given) and a vector of expressions. n counts them. */
static TxStatus elem_items(Wat *w, Buf *out, uint32_t *n, const uint32_t *table_rt,
                           bool *funcs_out)
{
    Buf items = {0};
    uint32_t rt = VT_FUNCREF;
    bool funcs = true;
    TxStatus st = TX_OK;
    *n = 0;
    if (tok_is(w->lx, wat_peek(w), "func")) {
        w->pos++;
    } else if (wat_peek(w)->kind == TOK_KEYWORD || wat_at_field(w, "ref")) {
        st = wat_reftype(w, &rt);
        funcs = false;
    } else if (wat_peek(w)->kind == TOK_LPAREN) {
        funcs = false; /* a table's inline (elem (ref.func $f) ...) */
    }
    while (!st && wat_peek(w)->kind != TOK_RPAREN) {
        uint32_t f;
        if (funcs && funcs_out) {
            st = wat_index(w, SP_FUNC, &f);
            buf_u32(&items, f);
        } else if (funcs) { /* the segment of a table's (elem x*): (ref.func x) items */
            st = wat_index(w, SP_FUNC, &f);
            buf_byte(&items, 0xd2);
            buf_u32(&items, f);
            buf_byte(&items, 0x0b);
        } else if (wat_at_field(w, "item")) {
            w->pos += 2;
            st = body_expr(w, &items) || wat_expect(w, TOK_RPAREN);
        } else if (wat_peek(w)->kind == TOK_LPAREN) {
            st = body_folded(w, &items);
            buf_byte(&items, 0x0b);
        } else {
            st = wat_fail(w, "unexpected token");
        }
        (*n)++;
    }
    if (funcs_out)
        *funcs_out = funcs;
    if (!st) {
        if (funcs && funcs_out)
            buf_byte(out, 0x00);
        else
            buf_valtype(out, table_rt ? *table_rt : rt);
        buf_u32(out, *n);
        buf_bytes(out, items.p, items.len);
    }
    buf_free(&items);
    return st;
}

/* (offset instr*) or one folded instruction, then end. */
static TxStatus offset_expr(Wat *w, Buf *out)
{
    if (wat_at_field(w, "offset")) {
        w->pos += 2;
        return body_expr(w, out) || wat_expect(w, TOK_RPAREN);
    }
    if (wat_peek(w)->kind != TOK_LPAREN)
        return wat_fail(w, "unexpected token");
    if (body_folded(w, out))
        return TX_ERR;
    buf_byte(out, 0x0b);
    return TX_OK;
}

static TxStatus elem_field(Wat *w)
{
    Buf *sec = &w->sec[SEC_ELEM];
    uint32_t table = 0, n;
    size_t flags_at = sec->len;
    bool funcs;
    opt_id(w);
    if (tok_is(w->lx, wat_peek(w), "declare")) {
        w->pos++;
        buf_byte(sec, 7);
    } else if (wat_at_field(w, "table") || wat_at_field(w, "offset") ||
               (wat_peek(w)->kind == TOK_LPAREN && !wat_at_field(w, "ref"))) {
        if (wat_at_field(w, "table")) {
            w->pos += 2;
            if (wat_index(w, SP_TABLE, &table) || wat_expect(w, TOK_RPAREN))
                return TX_ERR;
        }
        buf_byte(sec, 6);
        buf_u32(sec, table);
        if (offset_expr(w, sec))
            return TX_ERR;
    } else {
        buf_byte(sec, 5);
    }
    if (elem_items(w, sec, &n, NULL, &funcs) || wat_expect(w, TOK_RPAREN))
        return TX_ERR;
    if (funcs && sec->len > flags_at)
        sec->p[flags_at] -= 4; /* 5, 6, 7: the forms 1, 2, 3 with function indices */
    w->count[SEC_ELEM]++;
    return TX_OK;
}

/* string*: the concatenated bytes. */
static void data_strings(Wat *w, Buf *out)
{
    while (wat_peek(w)->kind == TOK_STRING) {
        buf_bytes(out, lex_str(w->lx, wat_peek(w)), wat_peek(w)->val_len);
        w->pos++;
    }
}

static TxStatus data_field(Wat *w)
{
    Buf *sec = &w->sec[SEC_DATA];
    Buf bytes = {0};
    uint32_t mem = 0;
    opt_id(w);
    if (wat_peek(w)->kind == TOK_LPAREN) {
        if (wat_at_field(w, "memory")) {
            w->pos += 2;
            if (wat_index(w, SP_MEMORY, &mem) || wat_expect(w, TOK_RPAREN))
                return TX_ERR;
        }
        if (mem) {
            buf_byte(sec, 2);
            buf_u32(sec, mem);
        } else {
            buf_byte(sec, 0);
        }
        if (offset_expr(w, sec))
            return TX_ERR;
    } else {
        buf_byte(sec, 1);
    }
    data_strings(w, &bytes);
    buf_name(sec, bytes.p, bytes.len);
    buf_free(&bytes);
    w->count[SEC_DATA]++;
    return wat_expect(w, TOK_RPAREN);
}

/* (table id? export* addrtype? reftype (elem ...)): a table just large enough, and its
 * segment. */
static TxStatus table_with_elem(Wat *w, uint32_t idx, bool is64)
{
    Buf seg = {0};
    uint32_t rt;
    uint32_t n;
    if (wat_reftype(w, &rt))
        return TX_ERR;
    if (!wat_at_field(w, "elem"))
        return wat_fail(w, "unexpected token");
    w->pos += 2; /* (elem */
    buf_byte(&seg, 6);
    buf_u32(&seg, idx);
    buf_bytes(&seg, is64 ? "\x42\x00\x0b" : "\x41\x00\x0b", 3); /* i64/i32.const 0 end */
    /* the table's type, even for a list of function indices */
    TxStatus st = elem_items(w, &seg, &n, &rt, NULL) || wat_expect(w, TOK_RPAREN);
    if (!st) {
        buf_bytes(&w->sec[SEC_ELEM], seg.p, seg.len);
        w->count[SEC_ELEM]++;
        buf_valtype(&w->sec[SEC_TABLE], rt);
        buf_byte(&w->sec[SEC_TABLE], is64 ? 5 : 1);
        buf_u32(&w->sec[SEC_TABLE], n);
        buf_u32(&w->sec[SEC_TABLE], n);
        w->count[SEC_TABLE]++;
    }
    buf_free(&seg);
    return st;
}

static TxStatus table_field(Wat *w, uint32_t idx)
{
    opt_id(w);
    if (inline_exports(w, 1, idx))
        return TX_ERR;
    if (wat_at_field(w, "import"))
        return inline_import(w, 1) || wat_expect(w, TOK_RPAREN);
    size_t at = w->pos;
    bool is64 = addr_type(w);
    if (wat_peek(w)->kind == TOK_KEYWORD || wat_at_field(w, "ref")) {
        if (table_with_elem(w, idx, is64))
            return TX_ERR;
    } else {
        w->pos = at;
        Buf type = {0};
        TxStatus st = table_type(w, &type);
        if (!st && wat_peek(w)->kind != TOK_RPAREN) {
            /* typed function references: an initializer expression, 0x40 0x00 first */
            buf_bytes(&w->sec[SEC_TABLE], "\x40\x00", 2);
            buf_bytes(&w->sec[SEC_TABLE], type.p, type.len);
            st = body_expr(w, &w->sec[SEC_TABLE]);
        } else if (!st) {
            buf_bytes(&w->sec[SEC_TABLE], type.p, type.len);
        }
        buf_free(&type);
        if (st)
            return TX_ERR;
        w->count[SEC_TABLE]++;
    }
    return wat_expect(w, TOK_RPAREN);
}

static TxStatus memory_field(Wat *w, uint32_t idx)
{
    opt_id(w);
    if (inline_exports(w, 2, idx))
        return TX_ERR;
    if (wat_at_field(w, "import"))
        return inline_import(w, 2) || wat_expect(w, TOK_RPAREN);
    size_t at = w->pos;
    bool is64 = addr_type(w);
    if (wat_at_field(w, "data")) {
        Buf bytes = {0};
        w->pos += 2;
        data_strings(w, &bytes);
        uint64_t pages = ((uint64_t)bytes.len + 65535) / 65536;
        Buf *sec = &w->sec[SEC_DATA];
        if (idx) {
            buf_byte(sec, 2);
            buf_u32(sec, idx);
        } else {
            buf_byte(sec, 0);
        }
        buf_bytes(sec, is64 ? "\x42\x00\x0b" : "\x41\x00\x0b", 3); /* i64/i32.const 0 end */
        buf_name(sec, bytes.p, bytes.len);
        buf_free(&bytes);
        w->count[SEC_DATA]++;
        buf_byte(&w->sec[SEC_MEMORY], is64 ? 5 : 1);
        buf_u64(&w->sec[SEC_MEMORY], pages);
        buf_u64(&w->sec[SEC_MEMORY], pages);
        if (wat_expect(w, TOK_RPAREN))
            return TX_ERR;
    } else {
        w->pos = at;
        if (limits(w, addr_type(w), &w->sec[SEC_MEMORY]))
            return TX_ERR;
    }
    w->count[SEC_MEMORY]++;
    return wat_expect(w, TOK_RPAREN);
}

static TxStatus global_field(Wat *w, uint32_t idx)
{
    opt_id(w);
    if (inline_exports(w, 3, idx))
        return TX_ERR;
    if (wat_at_field(w, "import"))
        return inline_import(w, 3) || wat_expect(w, TOK_RPAREN);
    w->nlabels = 0;
    if (global_type(w, &w->sec[SEC_GLOBAL]) || body_expr(w, &w->sec[SEC_GLOBAL]) ||
        wat_expect(w, TOK_RPAREN))
        return TX_ERR;
    w->count[SEC_GLOBAL]++;
    return TX_OK;
}

/* (tag id? (export ..)* (import ..)? typeuse) */
static TxStatus tag_field(Wat *w, uint32_t idx)
{
    TypeUse tu;
    opt_id(w);
    if (inline_exports(w, 4, idx))
        return TX_ERR;
    if (wat_at_field(w, "import"))
        return inline_import(w, 4) || wat_expect(w, TOK_RPAREN);
    if (wat_typeuse(w, TU_IMPORT, &tu))
        return TX_ERR;
    buf_byte(&w->sec[SEC_TAG], 0);
    buf_u32(&w->sec[SEC_TAG], tu.index);
    w->count[SEC_TAG]++;
    return wat_expect(w, TOK_RPAREN);
}

static TxStatus export_field(Wat *w)
{
    Buf *sec = &w->sec[SEC_EXPORT];
    int k;
    uint32_t idx;
    if (name_string(w, sec))
        return TX_ERR;
    if (wat_peek(w)->kind != TOK_LPAREN || (k = def_kind(w, wat_peek_at(w, 1))) < 0)
        return wat_fail(w, "unexpected token");
    w->pos += 2;
    if (wat_index(w, def_spaces[k], &idx) || wat_expect(w, TOK_RPAREN) ||
        wat_expect(w, TOK_RPAREN))
        return TX_ERR;
    buf_byte(sec, (uint8_t)k);
    buf_u32(sec, idx);
    w->count[SEC_EXPORT]++;
    return TX_OK;
}

static TxStatus start_field(Wat *w)
{
    uint32_t idx;
    if (w->have_start)
        return wat_fail(w, "multiple start sections");
    if (wat_index(w, SP_FUNC, &idx) || wat_expect(w, TOK_RPAREN))
        return TX_ERR;
    w->have_start = true;
    buf_u32(&w->sec[SEC_START], idx);
    return TX_OK;
}

static TxStatus emit_field(Wat *w, uint32_t *next)
{
    const Tok *kw = wat_peek_at(w, 1);
    int k = def_kind(w, kw);
    w->pos += 2;
    if (tok_is(w->lx, kw, "type") || tok_is(w->lx, kw, "rec")) {
        w->pos = w->lx->toks[w->pos - 2].match + 1;
        return TX_OK;
    }
    if (tok_is(w->lx, kw, "import")) {
        if (import_field(w, &k))
            return TX_ERR;
        next[k]++;
        return wat_expect(w, TOK_RPAREN);
    }
    if (k == 0)
        return func_field(w, next[0]++);
    if (k == 1)
        return table_field(w, next[1]++);
    if (k == 2)
        return memory_field(w, next[2]++);
    if (k == 3)
        return global_field(w, next[3]++);
    if (k == 4)
        return tag_field(w, next[4]++);
    if (tok_is(w->lx, kw, "export"))
        return export_field(w);
    if (tok_is(w->lx, kw, "start"))
        return start_field(w);
    if (tok_is(w->lx, kw, "elem"))
        return elem_field(w);
    return data_field(w);
}

/* ---- the module ---- */

static void section(Buf *out, int id, const Buf *payload, uint32_t count)
{
    Buf head = {0};
    buf_u32(&head, count);
    buf_byte(out, (uint8_t)id);
    buf_u32(out, (uint32_t)(head.len + payload->len));
    buf_bytes(out, head.p, head.len);
    buf_bytes(out, payload->p, payload->len);
    if (head.oom)
        out->oom = true;
    buf_free(&head);
}

static void assemble(Wat *w, Buf *out)
{
    static const int order[] = {SEC_TYPE,   SEC_IMPORT, SEC_FUNC,      SEC_TABLE,
                                SEC_MEMORY, SEC_TAG,    SEC_GLOBAL,    SEC_EXPORT, SEC_START,
                                SEC_ELEM,   SEC_DATACOUNT, SEC_CODE,   SEC_DATA};
    uint32_t nentries = w->nempty_recs;
    for (uint32_t i = 0; i < w->nempty_recs; i++)
        buf_bytes(&w->sec[SEC_TYPE], "\x4e\x00", 2);
    for (uint32_t i = 0; i < w->ntypes; i++) {
        const FuncSig *s = &w->types[i];
        if (s->group_len > 0)
            nentries++;
        if (s->group_len > 1) {
            buf_byte(&w->sec[SEC_TYPE], 0x4e);
            buf_u32(&w->sec[SEC_TYPE], s->group_len);
        }
        if (s->sub) {
            buf_byte(&w->sec[SEC_TYPE], s->final ? 0x4f : 0x50);
            buf_u32(&w->sec[SEC_TYPE], s->nsupers ? 1 : 0);
            if (s->nsupers)
                buf_u32(&w->sec[SEC_TYPE], s->super);
        }
        if (s->kind) {
            buf_byte(&w->sec[SEC_TYPE], s->kind == 1 ? 0x5f : 0x5e);
            if (s->kind == 1)
                buf_u32(&w->sec[SEC_TYPE], s->nparams);
            for (uint32_t k = 0; k < s->nparams; k++) {
                if (s->types[k] == 0x78 || s->types[k] == 0x77)
                    buf_byte(&w->sec[SEC_TYPE], (uint8_t)s->types[k]);
                else
                    buf_valtype(&w->sec[SEC_TYPE], s->types[k]);
                buf_byte(&w->sec[SEC_TYPE], (uint8_t)s->types[s->nparams + k]);
            }
            continue;
        }
        buf_byte(&w->sec[SEC_TYPE], 0x60);
        buf_u32(&w->sec[SEC_TYPE], s->nparams);
        for (uint32_t k = 0; k < s->nparams; k++)
            buf_valtype(&w->sec[SEC_TYPE], s->types[k]);
        buf_u32(&w->sec[SEC_TYPE], s->nresults);
        for (uint32_t k = 0; k < s->nresults; k++)
            buf_valtype(&w->sec[SEC_TYPE], s->types[s->nparams + k]);
    }
    w->count[SEC_TYPE] = nentries;
    buf_bytes(out, "\0asm\1\0\0\0", 8);
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        int id = order[i];
        if (id == SEC_START && w->have_start) {
            buf_byte(out, SEC_START);
            buf_name(out, w->sec[SEC_START].p, w->sec[SEC_START].len);
        } else if (id == SEC_DATACOUNT && (w->count[SEC_DATA] || w->uses_data_count)) {
            Buf n = {0};
            buf_u32(&n, w->count[SEC_DATA]);
            buf_byte(out, SEC_DATACOUNT);
            buf_name(out, n.p, n.len);
            buf_free(&n);
        } else if (id != SEC_START && id != SEC_DATACOUNT && w->count[id]) {
            section(out, id, &w->sec[id], w->count[id]);
        }
    }
}

static void wat_free(Wat *w)
{
    for (int i = 0; i < NSPACES; i++)
        names_free(&w->names[i]);
    for (uint32_t i = 0; i < w->ntypes; i++) {
        free(w->types[i].types);
        free(w->types[i].field_ids);
    }
    free(w->types);
    for (int i = 0; i < 14; i++)
        buf_free(&w->sec[i]);
    free(w->label_ids);
}

/* Runs pass (scan or emit) over every field between begin and end. */
static TxStatus each_field(Wat *w, size_t begin, size_t end, bool emit, Scan *sc,
                           uint32_t *next)
{
    for (w->pos = begin; w->pos < end;) {
        const Tok *open = wat_peek(w);
        if (open->kind != TOK_LPAREN || wat_peek_at(w, 1)->kind != TOK_KEYWORD) {
            if (!emit)
                return TX_OK; /* the second pass reports it after the fields before it */
            if (open->kind == TOK_LPAREN && wat_peek_at(w, 1)->kind == TOK_RESERVED) {
                w->pos++; /* "(@x": the spec's lexer knows no such token */
                return wat_fail(w, "unknown operator");
            }
            return wat_fail(w, "unexpected token");
        }
        size_t close = open->match;
        if (emit ? emit_field(w, next) : scan_field(w, sc))
            return TX_ERR;
        if (w->pos != close + 1)
            return wat_fail(w, "unexpected token");
    }
    return TX_OK;
}

TxStatus wat_encode_fields(const Lexer *lx, size_t begin, size_t end, unsigned flags, Buf *out,
                           TextError *err)
{
    Wat w;
    Scan sc = {-1};
    uint32_t next[NDEF_KINDS] = {0};
    memset(&w, 0, sizeof w);
    w.lx = lx;
    w.err = err;
    w.flags = flags;
    TxStatus st = each_field(&w, begin, end, false, &sc, next);
    if (!st)
        st = each_field(&w, begin, end, true, &sc, next);
    if (!st)
        assemble(&w, out);
    for (int i = 0; !st && i < 14; i++)
        if (w.sec[i].oom)
            st = tok_fail(err, NULL, "out of memory");
    if (!st && out->oom)
        st = tok_fail(err, NULL, "out of memory");
    wat_free(&w);
    return st;
}

TxStatus text_module_encode(const char *src, size_t len, uint8_t **out_bytes, size_t *out_len,
                            TextError *err)
{
    return text_module_encode_f(src, len, TEXT_3_0, out_bytes, out_len, err);
}

TxStatus text_module_encode_f(const char *src, size_t len, unsigned flags, uint8_t **out_bytes,
                              size_t *out_len, TextError *err)
{
    Lexer lx;
    Buf out = {0};
    *out_bytes = NULL;
    *out_len = 0;
    if (lex_all(&lx, src, len, err))
        return TX_ERR;
    size_t begin = 0, end = lx.ntoks - 1;
    TxStatus st = TX_OK;
    if (lx.toks[0].kind == TOK_LPAREN && tok_is(&lx, &lx.toks[1], "module")) {
        end = lx.toks[0].match;
        begin = lx.toks[2].kind == TOK_ID ? 3 : 2;
        if (end + 1 != lx.ntoks - 1)
            st = tok_fail(err, &lx.toks[end + 1], "unexpected token");
    }
    if (!st)
        st = wat_encode_fields(&lx, begin, end, flags, &out, err);
    lex_free(&lx);
    if (st) {
        buf_free(&out);
        return TX_ERR;
    }
    *out_bytes = out.p;
    *out_len = out.len;
    return TX_OK;
}
