/* instr.c: opcode table and the one instruction decoder. Both tables are constant data
 * generated from opcode.def, so decoding needs no initialisation and is thread-safe. */
#include "instr.h"

const OpInfo op_info[OP_COUNT] = {
#define OP(e, code, name, imm, params, results, align) \
    {name, code, IMM_##imm, align, params, results},
#include "opcode.def"
#undef OP
};

/* Opcode -> Op + 1 (0 = no such opcode), built at compile time from opcode.def: single-byte
 * opcodes at their byte, 0xFC-prefixed ones at 0x100 + sub-opcode. */
#define OPCODE_SLOT(code) ((code) >= 0xfc00 ? 0x100 + ((code) & 0xff) : (code))
static const uint16_t opcode_map[0x100 + 32] = {
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

static RdStatus read_imm(Reader *r, Imm imm, Instr *in)
{
    int32_t s32;
    int64_t s64;
    uint8_t b;
    switch (imm) {
    case IMM_NONE:
        return RD_OK;
    case IMM_BLOCKTYPE:
        return rd_s33(r, &in->blocktype);
    case IMM_LABEL:
    case IMM_FUNC:
    case IMM_LOCAL:
    case IMM_GLOBAL:
    case IMM_TABLE:
    case IMM_DATA:
    case IMM_ELEM:
        return rd_u32(r, &in->a);
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
        if (rd_u32(r, &in->a))
            return RD_ERR;
        return rd_u32(r, &in->b);
    case IMM_REFTYPE:
        if (rd_u8(r, &b))
            return RD_ERR;
        if (b != 0x70 && b != 0x6f)
            return rd_fail_at(r, rd_off(r) - 1, "malformed reference type");
        in->a = b;
        return RD_OK;
    case IMM_SELECT_T:
        if (rd_u32(r, &in->a))
            return RD_ERR;
        for (uint32_t i = 0; i < in->a; i++) {
            if (rd_u8(r, &b))
                return RD_ERR;
            if (i == 0)
                in->b = b;
        }
        return RD_OK;
    case IMM_MEMARG:
        if (rd_u32(r, &in->a))
            return RD_ERR;
        return rd_u32(r, &in->b);
    case IMM_MEMIDX:
        return zero_byte(r);
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
        return zero_byte(r);
    case IMM_MEMORY_COPY:
        if (zero_byte(r))
            return RD_ERR;
        return zero_byte(r);
    }
    return rd_fail(r, "illegal opcode");
}

RdStatus instr_read(Reader *r, Instr *out)
{
    out->off = rd_off(r);
    out->a = out->b = 0;
    out->blocktype = BT_EMPTY;
    out->imm = 0;
    out->tab = NULL;
    uint8_t b;
    if (rd_u8(r, &b))
        return RD_ERR;
    uint16_t slot = b;
    if (b == 0xfc) {
        uint32_t sub;
        if (rd_u32(r, &sub))
            return RD_ERR;
        if (sub >= 32)
            return rd_fail_at(r, out->off, "illegal opcode");
        slot = (uint16_t)(0x100 + sub);
    }
    uint16_t op1 = opcode_map[slot];
    if (op1 == 0)
        return rd_fail_at(r, out->off, "illegal opcode");
    out->op = (uint16_t)(op1 - 1);
    return read_imm(r, (Imm)op_info[out->op].imm, out);
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

uint8_t valtype_from_letter(char c)
{
    switch (c) {
    case 'i': return 0x7f;
    case 'I': return 0x7e;
    case 'f': return 0x7d;
    case 'F': return 0x7c;
    default: return 0;
    }
}
