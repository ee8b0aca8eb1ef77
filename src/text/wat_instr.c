/* wat_instr.c: the instruction table of the text format, made from the engine's opcode.def
 * (the single source of truth for names, opcodes, immediates and natural alignments), so a
 * new row there, SIMD's 0xFD group included, is a new text instruction here; only a new
 * immediate kind needs code, in wat_body.c. Lookups go through a hash built on first use. */
#include "wat_int.h"

#include <string.h>

static const TInstr table[] = {
#define OP(e, code, name, imm, params, results, align) {name, code, TIMM_##imm, align},
#include "../engine/opcode.def"
#undef OP
};

enum { NTABLE = sizeof table / sizeof table[0], HASH_SIZE = 2048 };

_Static_assert(NTABLE < HASH_SIZE / 2, "the instruction hash needs room");

static uint32_t hash_name(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

/* slot -> table index + 1. Built once; the first entry of a duplicated name ("select")
 * wins, and wat_body.c picks the typed form itself. Filled before use in every thread that
 * reads it: the fill is idempotent (same values written), so a race only repeats work. */
static uint16_t slots[HASH_SIZE];
static volatile bool built;

static void build(void)
{
    for (size_t i = 0; i < NTABLE; i++) {
        size_t n = strlen(table[i].name);
        uint32_t h = hash_name(table[i].name, n) & (HASH_SIZE - 1);
        bool dup = false;
        while (slots[h]) {
            const char *other = table[slots[h] - 1].name;
            if (strlen(other) == n && !memcmp(other, table[i].name, n)) {
                dup = true;
                break;
            }
            h = (h + 1) & (HASH_SIZE - 1);
        }
        if (!dup)
            slots[h] = (uint16_t)(i + 1);
    }
    built = true;
}

const TInstr *instr_lookup(const char *s, size_t n)
{
    if (!built)
        build();
    uint32_t h = hash_name(s, n) & (HASH_SIZE - 1);
    while (slots[h]) {
        const TInstr *t = &table[slots[h] - 1];
        if (strlen(t->name) == n && !memcmp(t->name, s, n))
            return t;
        h = (h + 1) & (HASH_SIZE - 1);
    }
    return NULL;
}

void instr_emit_opcode(Buf *b, uint32_t code)
{
    if (code < 0x100) {
        buf_byte(b, (uint8_t)code);
    } else if (code < 0x10000) {
        buf_byte(b, (uint8_t)(code >> 8));
        buf_u32(b, code & 0xff);
    } else { /* room for a prefix whose sub-opcodes pass 0xff (SIMD's 0xFD group) */
        buf_byte(b, (uint8_t)(code >> 16));
        buf_u32(b, code & 0xffff);
    }
}
