/* instr.c: opcode table and the one instruction decoder. Both tables are constant data
 * generated from opcode.def, so decoding needs no initialisation and is thread-safe. */
#include "instr.h"
#include "corral.h"

#include <stdio.h>
#include <string.h>

const OpInfo op_info[OP_COUNT] = {
#define OP(e, code, name, imm, params, results, align) \
    {name, code, IMM_##imm, align, params, results},
#include "opcode.def"
#undef OP
};

/* Opcode -> Op + 1 (0 = no such opcode), built at compile time from opcode.def: single-byte
 * opcodes at their byte, 0xFC-prefixed ones at 0x100 + sub-opcode, 0xFD-prefixed ones at
 * 0x200 + sub-opcode, 0xFD-prefixed ones from 0x100 on (relaxed SIMD, 0xFD01xx in opcode.def)
 * at 0x300 + sub-opcode - 0x100, 0xFB-prefixed ones (GC) at 0x400 + sub-opcode. */
#define OPCODE_SLOT(code)                                                             \
    ((code) >= 0xfd0100 ? 0x300 + ((code) & 0xff) : (code) >= 0xfd00 ? 0x200 + ((code) & 0xff) \
     : (code) >= 0xfc00 ? 0x100 + ((code) & 0xff) : (code) >= 0xfb00 ? 0x400 + ((code) & 0xff) \
     : (code))
static const uint16_t opcode_map[0x420] = {
#define OP(e, code, name, imm, params, results, align) [OPCODE_SLOT(code)] = OP_##e + 1,
#include "opcode.def"
#undef OP
};

static RdStatus zero_byte(Reader *r)
{
    uint8_t b;
    if (rd_u8(r, &b))
        return RD_ERR;
    if (b != 0)
        return rd_fail_at(r, rd_off(r) - 1, "zero byte expected");
    return RD_OK;
}

/* A memory index: a u32 with multiple memories, else WebAssembly 2.0's zero byte. */
static RdStatus memidx(Reader *r, uint32_t features, uint32_t *out)
{
    if (features & CORRAL_FEATURE_MULTI_MEMORY)
        return rd_u32(r, out);
    *out = 0;
    return zero_byte(r);
}

const char *instr_later_valtype(uint8_t t, uint32_t features)
{
    bool fr = features & CORRAL_FEATURE_FUNCTION_REFERENCES;
    switch (t) {
    case 0x69:
        return features & CORRAL_FEATURE_EXCEPTIONS
                   ? NULL
                   : "malformed value type (exnref: exception handling is switched off)";
    case 0x63:
    case 0x64:
        return fr ? NULL : "malformed value type (ref: function-references is switched off)";
    case 0x72:
    case 0x73:
        return fr ? NULL : "malformed value type (a bottom reference type: function-references "
                           "is switched off)";
    case 0x74:
        if (fr && !(features & CORRAL_FEATURE_EXCEPTIONS))
            return "malformed value type (nullexnref: exception handling is switched off)";
        return fr ? NULL : "malformed value type (nullexnref: function-references is switched "
                           "off)";
    case 0x6a: case 0x6b: case 0x6c: case 0x6d: case 0x6e: case 0x71:
        /* GC's abstract types: with gc on, types whose only values are null until GC's
         * instructions (which make the others) are implemented */
        return features & CORRAL_FEATURE_GC
                   ? NULL
                   : "malformed value type (a GC reference type: gc is switched off)";
    default: return NULL;
    }
}

RdStatus instr_read_heaptype(Reader *r, uint32_t features, uint32_t *out)
{
    size_t at = rd_off(r);
    int64_t v;
    if (rd_s33(r, &v))
        return RD_ERR;
    if (v >= 0) {
        uint64_t idx = (uint64_t)v < VT_MAX_TYPE_INDEX ? (uint64_t)v : VT_MAX_TYPE_INDEX;
        *out = VT_CONCRETE | (uint32_t)idx << 9;
        return RD_OK;
    }
    if (v < -0x40 || !heap_is_abstract((uint32_t)(v + 0x80)))
        return rd_fail_at(r, at, "malformed heap type");
    uint8_t code = (uint8_t)(v + 0x80);
    const char *later = instr_later_valtype(code, features);
    if (later)
        return rd_fail_at(r, at, later);
    *out = code;
    return RD_OK;
}

RdStatus instr_read_valtype(Reader *r, uint32_t features, ValType *out)
{
    size_t at = rd_off(r);
    uint8_t b;
    if (rd_u8(r, &b))
        return RD_ERR;
    if (b & 0x80)
        return rd_fail(r, "integer representation too long");
    if (b == VT_V128 && !(features & CORRAL_FEATURE_SIMD))
        return rd_fail_at(r, at, "malformed value type (v128: SIMD is switched off)");
    if (valtype_is_num(b) || b == VT_V128) {
        *out = b;
        return RD_OK;
    }
    const char *later = instr_later_valtype(b, features);
    if (later)
        return rd_fail_at(r, at, later);
    if (b == 0x63 || b == 0x64) {
        uint32_t h;
        if (instr_read_heaptype(r, features, &h))
            return RD_ERR;
        *out = vt_ref(b == 0x63, h);
        return RD_OK;
    }
    if (heap_is_abstract(b)) {
        *out = b;
        return RD_OK;
    }
    return rd_fail_at(r, at, "malformed value type");
}

/* A block type: s33, with typed function references also a reference value type. */
static RdStatus read_blocktype(Reader *r, uint32_t features, int64_t *out)
{
    if (!(features & CORRAL_FEATURE_FUNCTION_REFERENCES))
        return rd_s33(r, out);
    const uint8_t *start = r->p;
    if (rd_s33(r, out))
        return RD_ERR;
    int64_t bt = *out;
    if (bt >= 0 || bt == BT_EMPTY || bt < -0x40)
        return RD_OK;
    uint8_t code = (uint8_t)(bt + 0x80);
    if (code == VT_FUNCREF || code == VT_EXTERNREF || code == VT_EXNREF ||
        !(code == 0x63 || code == 0x64 || heap_is_abstract(code)))
        return RD_OK;
    r->p = start;
    ValType t;
    if (instr_read_valtype(r, features, &t))
        return RD_ERR;
    *out = BT_REF_BASE - (int64_t)t;
    return RD_OK;
}

static RdStatus read_imm(Reader *r, Imm imm, Instr *in, uint32_t features)
{
    int32_t s32;
    int64_t s64;
    uint8_t b;
    switch (imm) {
    case IMM_NONE:
        return RD_OK;
    case IMM_BLOCKTYPE:
        return read_blocktype(r, features, &in->blocktype);
    case IMM_LABEL:
    case IMM_FUNC:
    case IMM_LOCAL:
    case IMM_GLOBAL:
    case IMM_TABLE:
    case IMM_DATA:
    case IMM_ELEM:
    case IMM_TAG:
    case IMM_TYPE:
        return rd_u32(r, &in->a);
    case IMM_TRY_TABLE:
        if (read_blocktype(r, features, &in->blocktype) || rd_u32(r, &in->a))
            return RD_ERR;
        in->tab = r->p;
        for (uint32_t i = 0; i < in->a; i++) {
            uint32_t x;
            size_t at = rd_off(r);
            if (rd_u8(r, &b))
                return RD_ERR;
            if (b > CATCH_ALL_REF)
                return rd_fail_at(r, at, "malformed catch clause");
            if (b < CATCH_ALL && rd_u32(r, &x))
                return RD_ERR;
            if (rd_u32(r, &x))
                return RD_ERR;
        }
        return RD_OK;
    case IMM_BR_TABLE:
        if (rd_u32(r, &in->a))
            return RD_ERR;
        in->tab = r->p;
        for (uint32_t i = 0; i < in->a; i++) {
            uint32_t l;
            if (rd_u32(r, &l))
                return RD_ERR;
        }
        return rd_u32(r, &in->b);
    case IMM_CALL_INDIRECT:
    case IMM_TABLE_INIT:
    case IMM_TABLE_COPY:
    case IMM_TYPE_FIELD:
    case IMM_TYPE_COUNT:
    case IMM_TYPE_DATA:
    case IMM_TYPE_ELEM:
    case IMM_TYPE_TYPE:
        if (rd_u32(r, &in->a))
            return RD_ERR;
        return rd_u32(r, &in->b);
    case IMM_HEAPTYPE:
        return instr_read_heaptype(r, features, &in->a);
    case IMM_BR_ON_CAST:
        if (rd_u8(r, &in->lane))
            return RD_ERR;
        if (in->lane > 3)
            return rd_fail_at(r, rd_off(r) - 1, "malformed br_on_cast flags");
        if (rd_u32(r, &in->a) || instr_read_heaptype(r, features, &in->b))
            return RD_ERR;
        return instr_read_heaptype(r, features, &in->mem);
    case IMM_REFTYPE:
        if (features & CORRAL_FEATURE_FUNCTION_REFERENCES)
            return instr_read_heaptype(r, features, &in->a);
        if (rd_u8(r, &b))
            return RD_ERR;
        if (b != 0x70 && b != 0x6f && b != 0x69)
            return rd_fail_at(r, rd_off(r) - 1, "malformed reference type");
        in->a = b;
        return RD_OK;
    case IMM_SELECT_T:
        if (rd_u32(r, &in->a))
            return RD_ERR;
        for (uint32_t i = 0; i < in->a; i++) {
            const uint8_t *at = r->p;
            if (rd_u8(r, &b))
                return RD_ERR;
            ValType t = b;
            if ((b == 0x63 || b == 0x64) && (features & CORRAL_FEATURE_FUNCTION_REFERENCES)) {
                r->p = at;
                if (instr_read_valtype(r, features, &t))
                    return RD_ERR;
            }
            if (i == 0)
                in->b = t;
        }
        return RD_OK;
    case IMM_V128:
    case IMM_SHUFFLE:
        in->tab = r->p;
        for (int i = 0; i < 16; i++)
            if (rd_u8(r, &b))
                return RD_ERR;
        return RD_OK;
    case IMM_LANE:
        return rd_u8(r, &in->lane);
    case IMM_MEMARG_LANE:
        if (read_imm(r, IMM_MEMARG, in, features))
            return RD_ERR;
        return rd_u8(r, &in->lane);
    case IMM_MEMARG: {
        /* Flags, as WebAssembly 3.0 reads them whatever the features (the 2.0 suite's cases
         * decode alike): the alignment exponent below 64; 64..127, a memory index follows
         * (multiple memories); 128 and more are malformed. */
        size_t at = rd_off(r);
        if (rd_u32(r, &in->a))
            return RD_ERR;
        if (in->a >= 0x80)
            return rd_fail_at(r, at, "malformed memop flags");
        if (in->a & 0x40) {
            if (rd_u32(r, &in->mem))
                return RD_ERR;
            in->a &= 0x3f;
        }
        /* The offset: a u64 with memory64 (validation bounds it by the memory's address
         * type), WebAssembly 2.0's u32 without. */
        if (features & CORRAL_FEATURE_MEMORY64) {
            if (rd_u64(r, &in->offset))
                return RD_ERR;
        } else {
            if (rd_u32(r, &in->b))
                return RD_ERR;
            in->offset = in->b;
        }
        in->b = (uint32_t)in->offset;
        return RD_OK;
    }
    case IMM_MEMIDX:
        return memidx(r, features, &in->mem);
    case IMM_I32:
        if (rd_s32(r, &s32))
            return RD_ERR;
        in->imm = (uint64_t)(int64_t)s32;
        return RD_OK;
    case IMM_I64:
        if (rd_s64(r, &s64))
            return RD_ERR;
        in->imm = (uint64_t)s64;
        return RD_OK;
    case IMM_F32: {
        uint32_t bits;
        if (rd_f32(r, &bits))
            return RD_ERR;
        in->imm = bits;
        return RD_OK;
    }
    case IMM_F64:
        return rd_f64(r, &in->imm);
    case IMM_MEMORY_INIT:
        if (rd_u32(r, &in->a))
            return RD_ERR;
        return memidx(r, features, &in->mem);
    case IMM_MEMORY_COPY:
        if (memidx(r, features, &in->mem))
            return RD_ERR;
        return memidx(r, features, &in->a);
    }
    return rd_fail(r, "illegal opcode");
}

/* Messages for the instructions of features not supported yet (later.def). */
#define LATER_MSG_EH(n) "exception handling (" n ") is not supported yet"
#define LATER_MSG_FUNCREF(n) "typed function references (" n ") are not supported yet"
#define LATER_MSG_GC(n) "garbage collection (" n ") is not supported yet"
#define LATER_MSG_WIDE(n) "wide arithmetic (" n ") is not supported yet"
#define LATER_MSG_THREADS(n) "threads (" n ") are not supported yet"

static const struct {
    uint32_t code;
    const char *msg;
} later[] = {
#define LATER(code, name, feature) {code, LATER_MSG_##feature(name)},
#include "later.def"
#undef LATER
};

const char instr_illegal_msg[] = "illegal opcode";

/* An opcode Corral does not decode: the later feature's message, or "illegal opcode". */
static RdStatus unknown_opcode(Reader *r, size_t off, uint32_t code)
{
    for (size_t i = 0; i < sizeof later / sizeof *later; i++)
        if (later[i].code == code)
            return rd_fail_at(r, off, later[i].msg);
    return rd_fail_at(r, off, instr_illegal_msg);
}

RdStatus instr_read(Reader *r, Instr *out)
{
    return instr_read_f(r, out, CORRAL_FEATURES_ALL);
}

RdStatus instr_read_f(Reader *r, Instr *out, uint32_t features)
{
    out->off = rd_off(r);
    out->a = out->b = 0;
    out->mem = 0;
    out->offset = 0;
    out->blocktype = BT_EMPTY;
    out->imm = 0;
    out->tab = NULL;
    out->lane = 0;
    uint8_t b;
    if (rd_u8(r, &b))
        return RD_ERR;
    uint16_t slot = b;
    uint32_t code = b; /* later.def's form */
    if (b >= 0xfb && b <= 0xfe) {
        uint32_t sub;
        if (rd_u32(r, &sub))
            return RD_ERR;
        code = (uint32_t)b << 16 | (sub & 0xffff);
        if ((b != 0xfc || sub >= 32) && (b != 0xfd || sub >= 0x200) && (b != 0xfb || sub >= 32))
            return unknown_opcode(r, out->off, code);
        slot = (uint16_t)((b == 0xfc ? 0x100 : b == 0xfb ? 0x400 : 0x200) + sub);
    }
    uint16_t op1 = opcode_map[slot];
    if (op1 == 0)
        return unknown_opcode(r, out->off, code);
    out->op = (uint16_t)(op1 - 1);
    return read_imm(r, (Imm)op_info[out->op].imm, out, features);
}

void instr_describe_illegal(const uint8_t *p, size_t n, char *buf, size_t cap)
{
    if (n == 0) {
        snprintf(buf, cap, "%s", instr_illegal_msg);
        return;
    }
    if (p[0] < 0xfb || p[0] > 0xfe || n < 2) {
        snprintf(buf, cap, "%s %02x", instr_illegal_msg, p[0]);
        return;
    }
    uint32_t sub = 0;
    for (size_t i = 1; i < n && i < 6; i++) {
        sub |= (uint32_t)(p[i] & 0x7f) << (7 * (i - 1));
        if (!(p[i] & 0x80))
            break;
    }
    snprintf(buf, cap, "%s %02x %u", instr_illegal_msg, p[0], (unsigned)sub);
}

uint32_t instr_br_label(const uint8_t **pos)
{
    const uint8_t *p = *pos;
    uint32_t v = 0;
    unsigned shift = 0;
    for (;;) {
        uint8_t b = *p++;
        v |= (uint32_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80) || shift >= 35)
            break;
    }
    *pos = p;
    return v;
}

uint32_t instr_lane_count(uint16_t op)
{
    const OpInfo *oi = &op_info[op];
    if (oi->imm == IMM_MEMARG_LANE)
        return 16u >> oi->align;
    /* "i8x16.", "i16x8.", "i32x4.", "f64x2." ...: the count follows the 'x' */
    const char *x = strchr(oi->name, 'x');
    uint32_t n = 0;
    for (x = x ? x + 1 : ""; *x >= '0' && *x <= '9'; x++)
        n = n * 10 + (uint32_t)(*x - '0');
    return n;
}

uint8_t valtype_from_letter(char c)
{
    switch (c) {
    case 'i': return 0x7f;
    case 'I': return 0x7e;
    case 'f': return 0x7d;
    case 'F': return 0x7c;
    case 'V': return 0x7b;
    default: return 0;
    }
}

Catch instr_catch(const uint8_t **pos)
{
    Catch c = {**pos, 0, 0};
    (*pos)++;
    if (c.kind < CATCH_ALL)
        c.tag = instr_br_label(pos);
    c.label = instr_br_label(pos);
    return c;
}

uint32_t instr_feature(uint16_t op)
{
    switch (op) {
    case OP_THROW:
    case OP_THROW_REF:
    case OP_TRY_TABLE:
        return CORRAL_FEATURE_EXCEPTIONS;
    case OP_TRY:
    case OP_CATCH:
    case OP_CATCH_ALL:
    case OP_RETHROW:
    case OP_DELEGATE:
        return CORRAL_FEATURE_LEGACY_EXCEPTIONS;
    default:
        break;
    }
    uint32_t code = op_info[op].code;
    if (code >= 0xfd0100)
        return CORRAL_FEATURE_RELAXED_SIMD;
    if (code >> 8 == 0xfd)
        return CORRAL_FEATURE_SIMD;
    if (code == 0x12 || code == 0x13)
        return CORRAL_FEATURE_TAIL_CALL;
    if (code == 0x14 || code == 0x15 || (code >= 0xd4 && code <= 0xd6))
        return CORRAL_FEATURE_FUNCTION_REFERENCES;
    if (code == 0xd3 || code >> 8 == 0xfb)
        return CORRAL_FEATURE_GC;
    return 0;
}
