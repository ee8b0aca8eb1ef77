/* wat_body.c: instructions in the text format, plain and folded, into the binary format:
 * block types, labels (named or by depth, "mismatching label" on end $x), immediates by
 * their kind in the instruction table (memargs, constants, indices in every space). It
 * encodes, and leaves typing to the validator. */
#include "wat_int.h"

#include <stdlib.h>
#include <string.h>

static TxStatus instr(Wat *w, Buf *out);

/* ---- labels ---- */

static TxStatus push_label(Wat *w, size_t id)
{
    if (w->nlabels == w->labels_cap) {
        uint32_t cap = w->labels_cap ? w->labels_cap * 2 : 16;
        size_t *v = realloc(w->label_ids, cap * sizeof *v);
        if (!v)
            return wat_fail(w, "out of memory");
        w->label_ids = v;
        w->labels_cap = cap;
    }
    w->label_ids[w->nlabels++] = id;
    return TX_OK;
}

/* A label index: a depth, or the innermost enclosing label of that name. */
static TxStatus label_index(Wat *w, uint32_t *out)
{
    const Tok *t = wat_peek(w);
    if (t->kind != TOK_ID)
        return wat_index(w, SP_LABEL, out);
    for (uint32_t d = 0; d < w->nlabels; d++) {
        size_t id = w->label_ids[w->nlabels - 1 - d];
        if (id != SIZE_MAX && same_id(w, id, w->pos)) {
            *out = d;
            w->pos++;
            return TX_OK;
        }
    }
    return wat_fail(w, "unknown label %.*s", (int)t->len, w->lx->src + t->off);
}

/* The optional $id after end or else: it must repeat the block's label. */
static TxStatus end_label(Wat *w)
{
    if (wat_peek(w)->kind != TOK_ID)
        return TX_OK;
    size_t label = w->label_ids[w->nlabels - 1];
    if (label == SIZE_MAX || !same_id(w, label, w->pos))
        return wat_fail(w, "mismatching label");
    w->pos++;
    return TX_OK;
}

/* ---- immediates ---- */

static TxStatus num_error(Wat *w, NumStatus st, const char *range_msg)
{
    const Tok *t = wat_peek(w);
    /* nan:canonical and nan:arithmetic are the script format's, not literals */
    if (t->kind == TOK_RPAREN || t->kind == TOK_LPAREN || t->kind == TOK_EOF ||
        tok_is(w->lx, t, "nan:canonical") || tok_is(w->lx, t, "nan:arithmetic"))
        return wat_fail(w, "unexpected token");
    return wat_fail(w, "%s", st == NUM_RANGE ? range_msg : "unknown operator");
}

static TxStatus const_imm(Wat *w, uint8_t imm, Buf *out)
{
    const Tok *t = wat_peek(w);
    uint64_t v = 0;
    NumStatus st = NUM_SYNTAX;
    const char *s = w->lx->src + t->off;
    bool lit = t->kind == TOK_NUM || t->kind == TOK_KEYWORD;
    switch (imm) {
    case TIMM_I32:
        st = lit ? num_int(s, t->len, 32, &v) : NUM_SYNTAX;
        if (st)
            return num_error(w, st, "i32 constant out of range");
        buf_s32(out, (int32_t)(uint32_t)v);
        break;
    case TIMM_I64:
        st = lit ? num_int(s, t->len, 64, &v) : NUM_SYNTAX;
        if (st)
            return num_error(w, st, "i64 constant out of range");
        buf_s64(out, (int64_t)v);
        break;
    default:
        st = lit ? num_float(s, t->len, imm == TIMM_F32 ? 32 : 64, &v) : NUM_SYNTAX;
        if (st)
            return num_error(w, st, "constant out of range");
        buf_le(out, v, imm == TIMM_F32 ? 4 : 8);
        break;
    }
    w->pos++;
    return TX_OK;
}

/* A memory index that may be left out: memory 0 then. */
static TxStatus opt_memidx(Wat *w, uint32_t *out)
{
    *out = 0;
    return wat_at_index(w) ? wat_index(w, SP_MEMORY, out) : TX_OK;
}

/* memidx? offset=N? align=N?, in that order. The offset and the alignment are u64s with
 * TEXT_MEMORY64 (the validator bounds them), else u32s. A memory other than 0 sets bit 6 of
 * the alignment field, and its index follows (multiple memories). With a lane index after
 * the memarg (lane), a number is the memory only when a number or the memarg follows it. */
static TxStatus memarg(Wat *w, const TInstr *ti, bool lane, Buf *out)
{
    uint64_t offset = 0, align = (uint64_t)1 << ti->align;
    bool wide = w->flags & TEXT_MEMORY64;
    uint32_t mem = 0;
    const Tok *next = wat_peek_at(w, 1);
    const char *ns = w->lx->src + next->off;
    bool memidx = !lane || wat_peek(w)->kind == TOK_ID || next->kind == TOK_NUM ||
                  (next->kind == TOK_KEYWORD && ((next->len > 7 && !memcmp(ns, "offset=", 7)) ||
                                                 (next->len > 6 && !memcmp(ns, "align=", 6))));
    if (memidx && opt_memidx(w, &mem))
        return TX_ERR;
    const Tok *t = wat_peek(w);
    const char *s = w->lx->src + t->off;
    if (t->kind == TOK_KEYWORD && t->len > 7 && !memcmp(s, "offset=", 7)) {
        NumStatus st = num_uint(s + 7, t->len - 7, wide ? UINT64_MAX : UINT32_MAX, &offset);
        if (st)
            return wat_fail(w, st != NUM_RANGE ? "unknown operator"
                               : wide          ? "i64 constant out of range"
                                               : "i32 constant out of range");
        w->pos++;
        t = wat_peek(w);
        s = w->lx->src + t->off;
    }
    if (t->kind == TOK_KEYWORD && t->len > 6 && !memcmp(s, "align=", 6)) {
        NumStatus st = num_uint(s + 6, t->len - 6, wide ? UINT64_MAX : UINT32_MAX, &align);
        if (st)
            return wat_fail(w, st != NUM_RANGE ? "unknown operator"
                               : wide          ? "i64 constant out of range"
                                               : "i32 constant out of range");
        if (align == 0 || (align & (align - 1)))
            return wat_fail(w, "alignment must be a power of two");
        w->pos++;
    }
    uint32_t log2 = 0;
    while (((uint64_t)1 << log2) < align)
        log2++;
    if (mem) {
        buf_u32(out, log2 | 0x40);
        buf_u32(out, mem);
    } else {
        buf_u32(out, log2);
    }
    buf_u64(out, offset);
    return TX_OK;
}

/* ---- SIMD immediates ---- */

/* A token that is a number or looks like one (inf, nan:..., .5): a lane literal to count,
 * whose own form is checked when it is read. */
static bool lane_like(const Wat *w, const Tok *t)
{
    if (t->kind == TOK_NUM || t->kind == TOK_RESERVED) /* .0, _100: malformed numbers */
        return true;
    if (t->kind != TOK_KEYWORD || t->len == 0)
        return false;
    const char *s = w->lx->src + t->off;
    return strchr("0123456789+-.", s[0]) || (t->len >= 3 && (!memcmp(s, "inf", 3) ||
                                                             !memcmp(s, "nan", 3)));
}

/* v128.const SHAPE LANE...: the 16 bytes, lanes little-endian. */
static TxStatus v128_imm(Wat *w, Buf *out)
{
    const Tok *t = wat_peek(w);
    V128Shape sh;
    if (t->kind != TOK_KEYWORD || !num_v128_shape(w->lx->src + t->off, t->len, &sh))
        return wat_fail(w, "unexpected token");
    w->pos++;
    /* the lanes' count first: too few or too many is its own error */
    unsigned n = 0;
    for (size_t k = w->pos; lane_like(w, &w->lx->toks[k]); k++)
        n++;
    if (n != sh.lanes)
        return wat_fail(w, "wrong number of lane literals");
    for (unsigned i = 0; i < sh.lanes; i++) {
        t = wat_peek(w);
        uint64_t v = 0;
        NumStatus st = t->kind == TOK_NUM || t->kind == TOK_KEYWORD
                           ? num_v128_lane(w->lx->src + t->off, t->len, &sh, &v)
                           : NUM_SYNTAX;
        if (st)
            return num_error(w, st, "constant out of range");
        buf_le(out, v, sh.lane_bits / 8);
        w->pos++;
    }
    return TX_OK;
}

/* A lane index above 255: in 2.0's phrase and 3.0's, the two suites' texts. */
static const char lane_range_msg[] = "malformed lane index: i8 constant out of range";

/* A lane index: a u8 (a larger one is a malformed lane index; whether it fits the shape is
 * the validator's). */
static TxStatus lane_imm(Wat *w, Buf *out)
{
    const Tok *t = wat_peek(w);
    uint64_t v;
    if (t->kind != TOK_NUM)
        return wat_fail(w, "unexpected token");
    NumStatus st = num_uint(w->lx->src + t->off, t->len, 255, &v);
    if (st == NUM_SYNTAX)
        return wat_fail(w, "unexpected token");
    if (st)
        return wat_fail(w, "%s", lane_range_msg);
    buf_byte(out, (uint8_t)v);
    w->pos++;
    return TX_OK;
}

/* i8x16.shuffle's 16 lane indices. */
static TxStatus shuffle_imm(Wat *w, Buf *out)
{
    unsigned n = 0;
    for (const Tok *t = wat_peek(w); lane_like(w, t); t = wat_peek(w), n++) {
        uint64_t v;
        if (num_uint(w->lx->src + t->off, t->len, 255, &v))
            return wat_fail(w, "%s", lane_range_msg);
        if (n < 16)
            buf_byte(out, (uint8_t)v);
        w->pos++;
    }
    return n == 16 ? TX_OK : wat_fail(w, "invalid lane length");
}

static TxStatus index_imm(Wat *w, Space sp, Buf *out)
{
    uint32_t x;
    if (wat_index(w, sp, &x))
        return TX_ERR;
    buf_u32(out, x);
    return TX_OK;
}

/* An index that may be left out (table instructions): 0 then. */
static TxStatus opt_index_imm(Wat *w, Space sp, Buf *out)
{
    if (!wat_at_index(w)) {
        buf_u32(out, 0);
        return TX_OK;
    }
    return index_imm(w, sp, out);
}

static TxStatus br_table_imm(Wat *w, Buf *out)
{
    Buf labels = {0};
    uint32_t n = 0, x;
    while (wat_at_index(w)) {
        if (label_index(w, &x)) {
            buf_free(&labels);
            return TX_ERR;
        }
        buf_u32(&labels, x);
        n++;
    }
    if (n == 0)
        return wat_fail(w, "unexpected token");
    buf_u32(out, n - 1);
    buf_bytes(out, labels.p, labels.len);
    buf_free(&labels);
    return TX_OK;
}

/* select, or select (result t*)*: the typed form 0x1c. */
static TxStatus select_instr(Wat *w, Buf *out)
{
    Buf types = {0};
    uint32_t ntypes = 0;
    if (!wat_at_field(w, "result")) {
        buf_byte(out, 0x1b);
        return TX_OK;
    }
    while (wat_at_field(w, "result")) {
        w->pos += 2;
        while (wat_peek(w)->kind != TOK_RPAREN) {
            uint32_t t;
            if (wat_valtype(w, &t)) {
                buf_free(&types);
                return TX_ERR;
            }
            buf_valtype(&types, t);
            ntypes++;
        }
        w->pos++;
    }
    buf_byte(out, 0x1c);
    buf_u32(out, ntypes);
    buf_bytes(out, types.p, types.len);
    buf_free(&types);
    return TX_OK;
}

static TxStatus call_indirect_imm(Wat *w, Buf *out)
{
    uint32_t table = 0;
    TypeUse tu;
    if (wat_at_index(w) && wat_index(w, SP_TABLE, &table))
        return TX_ERR;
    if (wat_typeuse(w, TU_INSTR, &tu))
        return TX_ERR;
    buf_u32(out, tu.index);
    buf_u32(out, table);
    return TX_OK;
}

/* table.init x? y: with one index it is the segment, of table 0. */
static TxStatus table_init_imm(Wat *w, Buf *out)
{
    uint32_t a, b;
    if (wat_index(w, wat_peek_at(w, 1)->kind == TOK_ID || wat_peek_at(w, 1)->kind == TOK_NUM
                         ? SP_TABLE : SP_ELEM, &a))
        return TX_ERR;
    if (!wat_at_index(w)) {
        buf_u32(out, a);
        buf_u32(out, 0);
        return TX_OK;
    }
    if (wat_index(w, SP_ELEM, &b))
        return TX_ERR;
    buf_u32(out, b);
    buf_u32(out, a);
    return TX_OK;
}

static TxStatus table_copy_imm(Wat *w, Buf *out)
{
    if (!wat_at_index(w)) {
        buf_bytes(out, "\0\0", 2);
        return TX_OK;
    }
    return index_imm(w, SP_TABLE, out) || index_imm(w, SP_TABLE, out);
}

/* ref.null's heap type: func, extern ..., or a type index. */
static TxStatus reftype_imm(Wat *w, Buf *out)
{
    uint32_t h;
    if (wat_heaptype(w, &h))
        return TX_ERR;
    buf_heaptype(out, h);
    return TX_OK;
}

/* A u32 immediate written as a number (array.new_fixed's count). */
static TxStatus u32_imm(Wat *w, Buf *out)
{
    const Tok *t = wat_peek(w);
    uint64_t v;
    if (t->kind != TOK_NUM || num_uint(w->lx->src + t->off, t->len, UINT32_MAX, &v))
        return wat_fail(w, "unexpected token");
    w->pos++;
    buf_u32(out, (uint32_t)v);
    return TX_OK;
}

/* GC's ref.test and ref.cast: the opcode by the target's nullability (the second form is the
 * nullable one), then its heap type. */
static TxStatus cast_instr(Wat *w, const TInstr *ti, Buf *out)
{
    uint32_t rt;
    if (wat_reftype(w, &rt))
        return TX_ERR;
    bool nullable = !(rt & TV_NONNULL);
    instr_emit_opcode(out, ti->code + (nullable ? 1 : 0));
    buf_heaptype(out, rt & ~TV_NONNULL);
    return TX_OK;
}

/* br_on_cast and br_on_cast_fail: label, source and target reference types. */
static TxStatus br_on_cast_imm(Wat *w, Buf *out)
{
    uint32_t l, a, b;
    if (label_index(w, &l) || wat_reftype(w, &a) || wat_reftype(w, &b))
        return TX_ERR;
    buf_byte(out, (uint8_t)((a & TV_NONNULL ? 0 : 1) | (b & TV_NONNULL ? 0 : 2)));
    buf_u32(out, l);
    buf_heaptype(out, a & ~TV_NONNULL);
    buf_heaptype(out, b & ~TV_NONNULL);
    return TX_OK;
}

/* struct.get ...: a type, then a field of it (by index or by its id). */
static TxStatus type_field_imm(Wat *w, Buf *out)
{
    uint32_t t, f;
    if (wat_index(w, SP_TYPE, &t) || wat_field_index(w, t, &f))
        return TX_ERR;
    buf_u32(out, t);
    buf_u32(out, f);
    return TX_OK;
}

/* An instruction other than a block, after its name: opcode and immediates. */
static TxStatus plain(Wat *w, const TInstr *ti, Buf *out)
{
    uint32_t mem;
    if (ti->imm == TIMM_SELECT_T || (ti->imm == TIMM_NONE && !strcmp(ti->name, "select")))
        return select_instr(w, out);
    if (ti->imm == TIMM_HEAPTYPE)
        return cast_instr(w, ti, out);
    instr_emit_opcode(out, ti->code);
    switch ((TImm)ti->imm) {
    case TIMM_NONE:
        return TX_OK;
    case TIMM_LABEL: {
        uint32_t x;
        if (label_index(w, &x))
            return TX_ERR;
        buf_u32(out, x);
        return TX_OK;
    }
    case TIMM_BR_TABLE:
        return br_table_imm(w, out);
    case TIMM_FUNC:
        return index_imm(w, SP_FUNC, out);
    case TIMM_CALL_INDIRECT:
        return call_indirect_imm(w, out);
    case TIMM_REFTYPE:
        return reftype_imm(w, out);
    case TIMM_LOCAL:
        return index_imm(w, SP_LOCAL, out);
    case TIMM_GLOBAL:
        return index_imm(w, SP_GLOBAL, out);
    case TIMM_TABLE:
        return opt_index_imm(w, SP_TABLE, out);
    case TIMM_MEMARG:
        return memarg(w, ti, false, out);
    case TIMM_MEMIDX: /* memory.size, memory.grow, memory.fill: memidx? */
        if (opt_memidx(w, &mem))
            return TX_ERR;
        buf_u32(out, mem);
        return TX_OK;
    case TIMM_I32:
    case TIMM_I64:
    case TIMM_F32:
    case TIMM_F64:
        return const_imm(w, ti->imm, out);
    case TIMM_MEMORY_INIT: /* memory.init memidx? dataidx: with two indices, the memory first */
        w->uses_data_count = true;
        mem = 0;
        if (wat_at_index(w) && (wat_peek_at(w, 1)->kind == TOK_ID || wat_peek_at(w, 1)->kind == TOK_NUM) &&
            wat_index(w, SP_MEMORY, &mem))
            return TX_ERR;
        if (index_imm(w, SP_DATA, out))
            return TX_ERR;
        buf_u32(out, mem);
        return TX_OK;
    case TIMM_DATA:
        w->uses_data_count = true;
        return index_imm(w, SP_DATA, out);
    case TIMM_MEMORY_COPY: /* memory.copy (memidx memidx)?: destination, then source */
        if (!wat_at_index(w)) {
            buf_bytes(out, "\0\0", 2);
            return TX_OK;
        }
        return index_imm(w, SP_MEMORY, out) || index_imm(w, SP_MEMORY, out);
    case TIMM_TABLE_INIT:
        return table_init_imm(w, out);
    case TIMM_ELEM:
        return index_imm(w, SP_ELEM, out);
    case TIMM_TABLE_COPY:
        return table_copy_imm(w, out);
    case TIMM_V128:
        return v128_imm(w, out);
    case TIMM_SHUFFLE:
        return shuffle_imm(w, out);
    case TIMM_LANE:
        return lane_imm(w, out);
    case TIMM_MEMARG_LANE:
        if (memarg(w, ti, true, out))
            return TX_ERR;
        return lane_imm(w, out);
    case TIMM_TAG:
        return index_imm(w, SP_TAG, out);
    case TIMM_TYPE:
        return index_imm(w, SP_TYPE, out);
    case TIMM_TYPE_FIELD:
        return type_field_imm(w, out);
    case TIMM_TYPE_COUNT:
        return index_imm(w, SP_TYPE, out) || u32_imm(w, out);
    case TIMM_TYPE_DATA:
        w->uses_data_count = true;
        return index_imm(w, SP_TYPE, out) || index_imm(w, SP_DATA, out);
    case TIMM_TYPE_ELEM:
        return index_imm(w, SP_TYPE, out) || index_imm(w, SP_ELEM, out);
    case TIMM_TYPE_TYPE:
        return index_imm(w, SP_TYPE, out) || index_imm(w, SP_TYPE, out);
    case TIMM_BR_ON_CAST:
        return br_on_cast_imm(w, out);
    case TIMM_HEAPTYPE:
    case TIMM_SELECT_T:
    case TIMM_BLOCKTYPE:
    case TIMM_TRY_TABLE:
        break;
    }
    return wat_fail(w, "unknown operator");
}

/* ---- blocks ---- */

/* The keywords that continue a legacy try (instructions only inside one). */
static bool is_try_part(const Wat *w, const Tok *t)
{
    return tok_is(w->lx, t, "catch") || tok_is(w->lx, t, "catch_all") ||
           tok_is(w->lx, t, "delegate");
}

static bool is_block(const Wat *w, const Tok *t)
{
    return tok_is(w->lx, t, "block") || tok_is(w->lx, t, "loop") || tok_is(w->lx, t, "if") ||
           tok_is(w->lx, t, "try_table") || tok_is(w->lx, t, "try");
}

/* label? blocktype, after block/loop/if: writes the opcode and the block type; the caller
 * pushes *out_label. */
static TxStatus block_head_only(Wat *w, uint8_t opcode, Buf *out, size_t *out_label)
{
    TypeUse tu;
    *out_label = SIZE_MAX;
    if (wat_peek(w)->kind == TOK_ID)
        *out_label = w->pos++;
    if (wat_typeuse(w, TU_BLOCK, &tu))
        return TX_ERR;
    buf_byte(out, opcode);
    if (tu.has_type || tu.nparams || tu.nresults > 1)
        buf_s64(out, tu.index);
    else if (tu.nresults == 1)
        buf_valtype(out, tu.single_result);
    else
        buf_byte(out, 0x40);
    return TX_OK;
}

static TxStatus block_head(Wat *w, uint8_t opcode, Buf *out)
{
    size_t label;
    return block_head_only(w, opcode, out, &label) || push_label(w, label);
}

static uint8_t block_opcode(const Wat *w, const Tok *t)
{
    if (tok_is(w->lx, t, "try_table"))
        return 0x1f;
    if (tok_is(w->lx, t, "try"))
        return 0x06;
    return tok_is(w->lx, t, "block") ? 0x02 : tok_is(w->lx, t, "loop") ? 0x03 : 0x04;
}

/* try_table's head after its keyword: label? blocktype (catch x l | catch_ref x l |
 * catch_all l | catch_all_ref l)*. The clauses' labels are outside the block: its own
 * label is pushed after them. */
static TxStatus try_table_head(Wat *w, Buf *out)
{
    static const char *const kinds[] = {"catch", "catch_ref", "catch_all", "catch_all_ref"};
    size_t label;
    Buf clauses = {0};
    uint32_t n = 0;
    if (block_head_only(w, 0x1f, out, &label))
        return TX_ERR;
    TxStatus st = TX_OK;
    while (!st && wat_peek(w)->kind == TOK_LPAREN) {
        int k = 0;
        while (k < 4 && !tok_is(w->lx, wat_peek_at(w, 1), kinds[k]))
            k++;
        if (k == 4)
            break;
        w->pos += 2;
        uint32_t x;
        buf_byte(&clauses, (uint8_t)k);
        if (k < 2) {
            if (wat_index(w, SP_TAG, &x))
                st = TX_ERR;
            else
                buf_u32(&clauses, x);
        }
        if (!st && !(st = label_index(w, &x)))
            buf_u32(&clauses, x);
        if (!st)
            st = wat_expect(w, TOK_RPAREN);
        n++;
    }
    if (!st) {
        buf_u32(out, n);
        buf_bytes(out, clauses.p, clauses.len);
    }
    buf_free(&clauses);
    return st || push_label(w, label);
}

/* A legacy try's handlers in the plain syntax, after its body: catch x instr*, catch_all
 * instr*, then end; or delegate l, which ends the try (its label is out of scope there). */
static TxStatus plain_try_rest(Wat *w, Buf *out)
{
    bool handlers = false, all = false;
    for (;; handlers = true) {
        if (all && (tok_is(w->lx, wat_peek(w), "catch") ||
                    tok_is(w->lx, wat_peek(w), "catch_all")))
            return wat_fail(w, "unexpected token");
        if (tok_is(w->lx, wat_peek(w), "catch")) {
            w->pos++;
            buf_byte(out, 0x07);
            if (index_imm(w, SP_TAG, out) || body_instrs(w, out))
                return TX_ERR;
        } else if (tok_is(w->lx, wat_peek(w), "catch_all")) {
            w->pos++;
            all = true;
            buf_byte(out, 0x19);
            if (body_instrs(w, out))
                return TX_ERR;
        } else {
            break;
        }
    }
    if (!handlers && tok_is(w->lx, wat_peek(w), "delegate")) {
        uint32_t x;
        w->pos++;
        w->nlabels--;
        if (label_index(w, &x))
            return TX_ERR;
        buf_byte(out, 0x18);
        buf_u32(out, x);
        return TX_OK;
    }
    if (wat_keyword(w, "end") || end_label(w))
        return TX_ERR;
    buf_byte(out, 0x0b);
    w->nlabels--;
    return TX_OK;
}

/* (try label? blocktype (do instr*) (catch x instr*)* (catch_all instr*)?) or
 * (try label? blocktype (do instr*) (delegate l)), after try. */
static TxStatus folded_try(Wat *w, Buf *out)
{
    if (block_head(w, 0x06, out))
        return TX_ERR;
    if (wat_at_field(w, "do")) {
        w->pos += 2;
        if (body_instrs(w, out) || wat_expect(w, TOK_RPAREN))
            return TX_ERR;
    }
    bool handlers = false, all = false;
    for (;; handlers = true) {
        if (all && (wat_at_field(w, "catch") || wat_at_field(w, "catch_all")))
            return wat_fail(w, "unexpected token");
        if (wat_at_field(w, "catch")) {
            w->pos += 2;
            buf_byte(out, 0x07);
            if (index_imm(w, SP_TAG, out) || body_instrs(w, out) || wat_expect(w, TOK_RPAREN))
                return TX_ERR;
        } else if (wat_at_field(w, "catch_all")) {
            w->pos += 2;
            all = true;
            buf_byte(out, 0x19);
            if (body_instrs(w, out) || wat_expect(w, TOK_RPAREN))
                return TX_ERR;
        } else {
            break;
        }
    }
    if (!handlers && wat_at_field(w, "delegate")) {
        uint32_t x;
        w->pos += 2;
        w->nlabels--;
        if (label_index(w, &x) || wat_expect(w, TOK_RPAREN))
            return TX_ERR;
        buf_byte(out, 0x18);
        buf_u32(out, x);
        return wat_expect(w, TOK_RPAREN);
    }
    buf_byte(out, 0x0b);
    w->nlabels--;
    return wat_expect(w, TOK_RPAREN);
}

/* block/loop/if ... end in the plain syntax. */
static TxStatus plain_block(Wat *w, Buf *out)
{
    const Tok *kw = wat_peek(w);
    uint8_t op = block_opcode(w, kw);
    w->pos++;
    if ((op == 0x1f ? try_table_head(w, out) : block_head(w, op, out)) || body_instrs(w, out))
        return TX_ERR;
    if (op == 0x06)
        return plain_try_rest(w, out);
    if (op == 0x04 && tok_is(w->lx, wat_peek(w), "else")) {
        w->pos++;
        if (end_label(w) || (buf_byte(out, 0x05), body_instrs(w, out)))
            return TX_ERR;
    }
    if (wat_keyword(w, "end") || end_label(w))
        return TX_ERR;
    buf_byte(out, 0x0b);
    w->nlabels--;
    return TX_OK;
}

/* (if label? blocktype folded* (then instr*) (else instr*)?) */
static TxStatus folded_if(Wat *w, Buf *out)
{
    Buf head = {0};
    size_t label;
    TxStatus st = block_head_only(w, 0x04, &head, &label);
    /* the conditions are outside the block: its label is pushed after them */
    while (!st && wat_peek(w)->kind == TOK_LPAREN && !wat_at_field(w, "then"))
        st = body_folded(w, out);
    buf_bytes(out, head.p, head.len);
    buf_free(&head);
    if (st || push_label(w, label) || wat_expect(w, TOK_LPAREN) || wat_keyword(w, "then") || body_instrs(w, out) ||
        wat_expect(w, TOK_RPAREN))
        return TX_ERR;
    if (wat_at_field(w, "else")) {
        w->pos += 2;
        buf_byte(out, 0x05);
        if (body_instrs(w, out) || wat_expect(w, TOK_RPAREN))
            return TX_ERR;
    }
    buf_byte(out, 0x0b);
    w->nlabels--;
    return wat_expect(w, TOK_RPAREN);
}

/* The immediates of a folded plain instruction, skipped to reach its operands: tokens and
 * the (type ...), (param ...), (result ...) groups of call_indirect and select, and the
 * (ref ...) types of GC's casts. */
static void skip_immediates(Wat *w)
{
    for (;;) {
        const Tok *t = wat_peek(w);
        if (t->kind == TOK_RPAREN || t->kind == TOK_EOF)
            return;
        if (t->kind == TOK_LPAREN) {
            const Tok *k = wat_peek_at(w, 1);
            if (!tok_is(w->lx, k, "type") && !tok_is(w->lx, k, "param") &&
                !tok_is(w->lx, k, "result") && !tok_is(w->lx, k, "ref"))
                return;
            w->pos = t->match + 1;
        } else {
            w->pos++;
        }
    }
}

static const TInstr *lookup_op(Wat *w)
{
    const Tok *t = wat_peek(w);
    if (t->kind != TOK_KEYWORD || is_try_part(w, t))
        return NULL;
    return instr_lookup(w->lx->src + t->off, t->len);
}

static TxStatus unknown_op(Wat *w)
{
    const Tok *t = wat_peek(w);
    if (t->kind != TOK_KEYWORD || is_try_part(w, t) || tok_is(w->lx, t, "param") || tok_is(w->lx, t, "result") ||
        tok_is(w->lx, t, "local") || tok_is(w->lx, t, "type") || tok_is(w->lx, t, "then") ||
        tok_is(w->lx, t, "else") || tok_is(w->lx, t, "end"))
        return wat_fail(w, "unexpected token");
    return wat_fail(w, "unknown operator %.*s", t->len > 64 ? 64 : (int)t->len, w->lx->src + t->off);
}

TxStatus body_folded(Wat *w, Buf *out)
{
    if (wat_expect(w, TOK_LPAREN))
        return TX_ERR;
    const Tok *kw = wat_peek(w);
    if (is_block(w, kw)) {
        uint8_t op = block_opcode(w, kw);
        w->pos++;
        if (op == 0x04)
            return folded_if(w, out);
        if (op == 0x06)
            return folded_try(w, out);
        if ((op == 0x1f ? try_table_head(w, out) : block_head(w, op, out)) ||
            body_instrs(w, out) || wat_expect(w, TOK_RPAREN))
            return TX_ERR;
        buf_byte(out, 0x0b);
        w->nlabels--;
        return TX_OK;
    }
    const TInstr *ti = lookup_op(w);
    if (!ti)
        return unknown_op(w);
    size_t imm = ++w->pos;
    skip_immediates(w);
    size_t operands = w->pos;
    while (wat_peek(w)->kind == TOK_LPAREN)
        if (body_folded(w, out))
            return TX_ERR;
    if (wat_peek(w)->kind != TOK_RPAREN)
        return wat_fail(w, "unexpected token");
    size_t close = w->pos;
    w->pos = imm;
    if (plain(w, ti, out))
        return TX_ERR;
    if (w->pos != operands)
        return wat_fail(w, "unexpected token");
    w->pos = close + 1;
    return TX_OK;
}

static TxStatus instr(Wat *w, Buf *out)
{
    if (wat_peek(w)->kind == TOK_LPAREN)
        return body_folded(w, out);
    if (is_block(w, wat_peek(w)))
        return plain_block(w, out);
    const TInstr *ti = lookup_op(w);
    if (!ti)
        return unknown_op(w);
    w->pos++;
    return plain(w, ti, out);
}

TxStatus body_instrs(Wat *w, Buf *out)
{
    for (;;) {
        const Tok *t = wat_peek(w);
        if (t->kind == TOK_RPAREN || t->kind == TOK_EOF || tok_is(w->lx, t, "end") ||
            tok_is(w->lx, t, "else") || tok_is(w->lx, t, "catch") ||
            tok_is(w->lx, t, "catch_all") || tok_is(w->lx, t, "delegate"))
            return out->oom ? wat_fail(w, "out of memory") : TX_OK;
        if (instr(w, out))
            return TX_ERR;
    }
}

TxStatus body_expr(Wat *w, Buf *out)
{
    if (body_instrs(w, out))
        return TX_ERR;
    if (wat_peek(w)->kind != TOK_RPAREN)
        return wat_fail(w, "unexpected token");
    buf_byte(out, 0x0b);
    return TX_OK;
}
