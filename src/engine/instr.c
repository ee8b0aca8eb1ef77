/* instr.c: opcode table and the one instruction decoder. The byte->Op maps are built once,
 * lazily and idempotently (two threads may race to build identical tables harmlessly is not
 * acceptable in C11, so they are built under a call_once). */
#include "instr.h"

#include <threads.h>

const OpInfo op_info[OP_COUNT] = {
#define OP(e, code, name, imm, params, results, align) \
    {name, code, IMM_##imm, align, params, results},
#include "opcode.def"
#undef OP
};

#define NO_OP 0xffff
static uint16_t single_byte[256];
static uint16_t prefixed_fc[32];
static once_flag maps_once = ONCE_FLAG_INIT;

static void build_maps(void)
{
    for (int i = 0; i < 256; i++)
        single_byte[i] = NO_OP;
    for (int i = 0; i < 32; i++)
        prefixed_fc[i] = NO_OP;
    for (int op = 0; op < OP_COUNT; op++) {
        uint16_t c = op_info[op].code;
        if (c >= 0xfc00)
            prefixed_fc[c & 0xff] = (uint16_t)op;
        else
            single_byte[c] = (uint16_t)op;
    }
}

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
    call_once(&maps_once, build_maps);
    out->off = rd_off(r);
    out->a = out->b = 0;
    out->blocktype = BT_EMPTY;
    out->imm = 0;
    out->tab = NULL;
    uint8_t b;
    if (rd_u8(r, &b))
        return RD_ERR;
    uint16_t op;
    if (b == 0xfc) {
        uint32_t sub;
        if (rd_u32(r, &sub))
            return RD_ERR;
        op = sub < 32 ? prefixed_fc[sub] : NO_OP;
    } else {
        op = single_byte[b];
    }
    if (op == NO_OP)
        return rd_fail_at(r, out->off, "illegal opcode");
    out->op = op;
    return read_imm(r, (Imm)op_info[op].imm, out);
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
