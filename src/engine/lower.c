/* lower.c: the lowering pass. Turns a validated function body, on the function's first call
 * (lower_get), into the internal register form of iop.def in one pass: immediates decoded, branch targets resolved to code offsets,
 * operands addressed as frame slots. It keeps an abstract operand stack whose entries are a
 * temp slot, a local or a constant, so local.get and constants emit nothing. It trusts the
 * validator: malformed input is reported, never repaired. See docs/design/interp.md. */
#include "lower.h"
#include "gc.h"

#include "instr.h"
#include "runtime.h"
#include "validate.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#define NONE UINT32_MAX

/* ---- instruction-set tables (from iop.def) -------------------------------------------- */

enum {
    SH_SPECIAL, SH_UN, SH_BIN, SH_BINI, SH_LOAD, SH_LOADA, SH_LOADX, SH_LOADS, SH_BINM, SH_STORE,
    SH_STOREI, SH_BRC, SH_BRCI, SH_BRCB, SH_BRCIB, SH_SIMD, SH_LOADM, SH_STOREM, SH_SIMDM
};

static const uint8_t iop_shape[IOP_COUNT] = {
#define IOP(name, nops, wasm, shape) SH_##shape,
#include "iop.def"
#undef IOP
};

static const uint16_t iop_wasm[IOP_COUNT] = {
#define IOP(name, nops, wasm, shape) OP_##wasm,
#include "iop.def"
#undef IOP
};

static const int8_t iop_nops[IOP_COUNT] = {
#define IOP(name, nops, wasm, shape) nops,
#include "iop.def"
#undef IOP
};

static const char *const iop_names[IOP_COUNT] = {
#define IOP(name, nops, wasm, shape) #name,
#include "iop.def"
#undef IOP
};

const char *iop_name(Iop op) { return op < IOP_COUNT ? iop_names[op] : "?"; }

/* Wasm opcode -> internal instruction, per shape. IOP_COUNT where there is none. */
typedef struct OpMaps {
    uint16_t plain[OP_COUNT]; /* UN, BIN, LOAD, STORE, SIMD */
    uint16_t imm[OP_COUNT];   /* BINI, STOREI */
    uint16_t brc[OP_COUNT];   /* compare -> fused compare-and-branch */
    uint16_t brci[OP_COUNT];
    uint16_t loada[OP_COUNT]; /* load with an a + imm address */
    uint16_t loadx[OP_COUNT]; /* load with an a + b address */
    uint16_t loads[OP_COUNT]; /* load with an (i << k) + imm address */
    uint16_t binm[OP_COUNT];  /* operation with its right operand loaded from memory */
    uint16_t mem[OP_COUNT];   /* a memory access on any memory but a 32-bit memory 0 (_M) */
    uint16_t back[IOP_COUNT]; /* a branch -> its back-edge (_BACK) form */
} OpMaps;

static void build_maps(OpMaps *mp)
{
    for (int i = 0; i < OP_COUNT; i++)
        mp->plain[i] = mp->imm[i] = mp->brc[i] = mp->brci[i] = mp->loada[i] = mp->loadx[i] =
            mp->loads[i] = mp->binm[i] = mp->mem[i] = IOP_COUNT;
    for (int i = 0; i < IOP_COUNT; i++) {
        uint16_t w = iop_wasm[i];
        if (w == OP_COUNT)
            continue;
        switch (iop_shape[i]) {
        case SH_BINI:
        case SH_STOREI: mp->imm[w] = (uint16_t)i; break;
        case SH_BRC: mp->brc[w] = (uint16_t)i; break;
        case SH_BRCI: mp->brci[w] = (uint16_t)i; break;
        case SH_LOADA: mp->loada[w] = (uint16_t)i; break;
        case SH_LOADX: mp->loadx[w] = (uint16_t)i; break;
        case SH_LOADS: mp->loads[w] = (uint16_t)i; break;
        case SH_BINM: mp->binm[w] = (uint16_t)i; break;
        case SH_LOADM: case SH_STOREM: case SH_SIMDM: mp->mem[w] = (uint16_t)i; break;
        case SH_BRCB: case SH_BRCIB: break; /* below, once brc and brci are complete */
        default: mp->plain[w] = (uint16_t)i; break;
        }
    }
    for (int i = 0; i < IOP_COUNT; i++)
        mp->back[i] = IOP_COUNT;
    for (int i = 0; i < IOP_COUNT; i++) {
        if (iop_shape[i] == SH_BRCB)
            mp->back[mp->brc[iop_wasm[i]]] = (uint16_t)i;
        else if (iop_shape[i] == SH_BRCIB)
            mp->back[mp->brci[iop_wasm[i]]] = (uint16_t)i;
    }
    mp->back[IOP_BR] = IOP_BR_BACK;
    mp->back[IOP_BR_IF] = IOP_BR_IF_BACK;
    mp->back[IOP_BR_UNLESS] = IOP_BR_UNLESS_BACK;
    mp->plain[OP_F32_LOAD] = IOP_I32_LOAD; /* cells hold float bits: same access */
    mp->plain[OP_F64_LOAD] = IOP_I64_LOAD;
    mp->plain[OP_F32_STORE] = IOP_I32_STORE;
    mp->plain[OP_F64_STORE] = IOP_I64_STORE;
    mp->loada[OP_F32_LOAD] = IOP_I32_LOAD_A;
    mp->loada[OP_F64_LOAD] = IOP_I64_LOAD_A;
    mp->loadx[OP_F32_LOAD] = IOP_I32_LOAD_X;
    mp->loadx[OP_F64_LOAD] = IOP_I64_LOAD_X;
    mp->loads[OP_F32_LOAD] = IOP_I32_LOAD_S;
    mp->loads[OP_F64_LOAD] = IOP_I64_LOAD_S;
    mp->imm[OP_F32_STORE] = IOP_I32_STORE_I;
    mp->imm[OP_F64_STORE] = IOP_I64_STORE_I;
    mp->mem[OP_F32_LOAD] = IOP_I32_LOAD_M;
    mp->mem[OP_F64_LOAD] = IOP_I64_LOAD_M;
    mp->mem[OP_F32_STORE] = IOP_I32_STORE_M;
    mp->mem[OP_F64_STORE] = IOP_I64_STORE_M;
}

/* For a constant left operand: the op' with (c op x) == (x op' c), or OP_COUNT. */
static Op swap_op(Op op)
{
    switch (op) {
    case OP_I32_ADD: case OP_I32_MUL: case OP_I32_AND: case OP_I32_OR: case OP_I32_XOR:
    case OP_I32_EQ: case OP_I32_NE:
    case OP_I64_ADD: case OP_I64_MUL: case OP_I64_AND: case OP_I64_OR: case OP_I64_XOR:
    case OP_I64_EQ: case OP_I64_NE:
        return op;
    case OP_I32_LT_S: return OP_I32_GT_S;
    case OP_I32_LT_U: return OP_I32_GT_U;
    case OP_I32_GT_S: return OP_I32_LT_S;
    case OP_I32_GT_U: return OP_I32_LT_U;
    case OP_I32_LE_S: return OP_I32_GE_S;
    case OP_I32_LE_U: return OP_I32_GE_U;
    case OP_I32_GE_S: return OP_I32_LE_S;
    case OP_I32_GE_U: return OP_I32_LE_U;
    case OP_I64_LT_S: return OP_I64_GT_S;
    case OP_I64_LT_U: return OP_I64_GT_U;
    case OP_I64_GT_S: return OP_I64_LT_S;
    case OP_I64_GT_U: return OP_I64_LT_U;
    case OP_I64_LE_S: return OP_I64_GE_S;
    case OP_I64_LE_U: return OP_I64_GE_U;
    case OP_I64_GE_S: return OP_I64_LE_S;
    case OP_I64_GE_U: return OP_I64_LE_U;
    default: return OP_COUNT;
    }
}

/* The integer compare that is true exactly when op is false, or OP_COUNT. */
static Op negate_cmp(Op op)
{
    switch (op) {
    case OP_I32_EQ: return OP_I32_NE;
    case OP_I32_NE: return OP_I32_EQ;
    case OP_I32_LT_S: return OP_I32_GE_S;
    case OP_I32_LT_U: return OP_I32_GE_U;
    case OP_I32_GT_S: return OP_I32_LE_S;
    case OP_I32_GT_U: return OP_I32_LE_U;
    case OP_I32_LE_S: return OP_I32_GT_S;
    case OP_I32_LE_U: return OP_I32_GT_U;
    case OP_I32_GE_S: return OP_I32_LT_S;
    case OP_I32_GE_U: return OP_I32_LT_U;
    case OP_I64_EQ: return OP_I64_NE;
    case OP_I64_NE: return OP_I64_EQ;
    case OP_I64_LT_S: return OP_I64_GE_S;
    case OP_I64_LT_U: return OP_I64_GE_U;
    case OP_I64_GT_S: return OP_I64_LE_S;
    case OP_I64_GT_U: return OP_I64_LE_U;
    case OP_I64_LE_S: return OP_I64_GT_S;
    case OP_I64_LE_U: return OP_I64_GT_U;
    case OP_I64_GE_S: return OP_I64_LT_S;
    case OP_I64_GE_U: return OP_I64_LT_U;
    default: return OP_COUNT;
    }
}

static bool is_i64_op(Op op) { return op_info[op].params && op_info[op].params[0] == 'I'; }

/* ---- the lowering state --------------------------------------------------------------- */

/* An abstract operand-stack entry: where the value is right now. The entry at depth d
 * owns its temp slot, cells nlocal_cells + cell .. + wide (a v128 takes two cells, so cell
 * is the cells of the entries below it: a prefix sum); a LOCAL or CONST entry has not been
 * written there (yet). Only scalars are ever CONST. */
typedef enum { V_SLOT, V_LOCAL, V_CONST } AKind;
typedef struct AVal {
    uint8_t kind;   /* AKind */
    uint8_t wide;   /* a v128: two cells */
    uint8_t ref;    /* of a reference type (GC stack maps: a cell the collector reads) */
    uint32_t cell;  /* first cell of the temp slot, from the first temp */
    uint32_t local; /* V_LOCAL */
    uint64_t k;     /* V_CONST: the cell's bits */
} AVal;

/* C_TRY: a legacy try (its body, then its catch and catch_all handlers); a try_table is a
 * C_BLOCK with a handler. */
typedef enum { C_FUNC, C_BLOCK, C_LOOP, C_IF, C_TRY } CtlKind;

/* A control frame. Its label's values live in temp slots height .. height + arity. */
typedef struct Ctl {
    uint8_t kind;        /* CtlKind */
    const ValType *ptypes, *rtypes; /* the block's param and result types */
    bool unreachable;    /* the rest of the current arm is dead code */
    uint32_t height;     /* stack height at entry, block params excluded */
    uint32_t nparams, nresults;
    uint32_t label;      /* C_LOOP: code position of the label */
    uint32_t first;      /* C_LOOP: number of the loop instruction (see Lower.ninstr) */
    uint32_t fixups;     /* forward branches to the end, or (C_LOOP) the fuel-cost words of
                          * the back-edges, patched at the end: list in Lower.fix, or NONE */
    uint32_t else_word;  /* C_IF: target word of the jump to the else arm, NONE once placed */
    uint32_t else_base;
    uint32_t wlog;       /* Lower.nwlog at entry: the locals written before the block */
    uint32_t eh;         /* the handler covering code inside the block (EH_NONE: none) */
    uint32_t handler;    /* try_table, C_TRY: the block's own handler, else EH_NONE */
    uint32_t cfix;       /* catch clauses branching to the block's end: a list through
                          * Lower.clfix, patched at the end (NONE: none) */
    uint32_t last_clause; /* C_TRY: its last clause so far (EH_NONE: none) */
    bool catching;       /* C_TRY: in a catch arm, whose caught exception sits in the
                          * temp at height (the payload above it) */
    uint32_t prev_arm;   /* C_TRY catching: Lower.arm_top before its first arm */
} Ctl;

/* A forward branch waiting for its label: code[word] = label - base; or a back-edge waiting
 * for its loop's fuel cost: code[word] = cost. */
typedef struct Fixup {
    uint32_t word, base, next;
} Fixup;

typedef struct Lower {
    const Module *m;
    const OpMaps *maps;
    uint32_t func_index;
    uint32_t nlocals, nresults;
    const ValType *rtypes; /* the function's result types */
    uint32_t *local_cell;  /* per local (and one past the last): its first cell */
    uint32_t nlocal_cells; /* local_cell[nlocals]: where temps start */
    uint8_t *local_ref;    /* per local: of a reference type */
    bool gc;               /* the module uses GC: safepoints get stack maps */
    uint32_t cur_off; /* byte offset of the Wasm instruction being lowered */
    uint32_t ninstr;  /* number of that instruction in the body (from 0, dead code included) */
    bool oom;

    uint32_t *code;
    uint32_t len, cap;
    uint32_t *starts; /* start of every emitted instruction, for linking */
    uint32_t nstarts, capstarts;
    CodeMap *map;
    uint32_t nmap, capmap;
    CodeMap *osr; /* LoweredFunc.osr */
    uint32_t nosr, caposr;

    AVal *stack;
    uint32_t h, caph;
    uint32_t maxc; /* the most temp cells in use at any point */
    uint32_t clean;       /* entries below this depth are V_SLOT */
    uint32_t *local_refs; /* per local: V_LOCAL entries on the stack */

    /* Which declared locals may be read before they are written, so that only those are
     * zeroed on entry (see note_local_read). written[i]: local i is written on every path
     * to here; wlog lists those locals in the order they became written, so leaving a
     * block forgets what was written inside it by truncating the list. */
    uint8_t *written;
    uint32_t *wlog;
    uint32_t nwlog;
    uint32_t zero_lo, zero_hi; /* locals [zero_lo, zero_hi) need zeroing; empty if lo >= hi */

    Ctl *ctl;
    uint32_t nctl, capctl;
    Fixup *fix;
    uint32_t nfix, capfix;
    uint32_t *stub; /* br_table scratch: per label depth, its stub's position */

    /* The last instruction, when it produced the top stack value into its temp slot and
     * nothing (code or label) has followed: its destination may still be retargeted. */
    uint32_t last_start, last_end, last_h;
    /* The producer before that one, when it ended exactly where the last one starts (for
     * three-instruction fusions), else NONE. */
    uint32_t prev_start;
    /* Code position of the last label placed: no instruction may be merged across it. */
    uint32_t label_pos;

    /* Exception handlers (LoweredFunc.handlers): clfix[i] links clause i into its target
     * block's list of clauses to patch (Ctl.cfix). */
    EhHandler *hand;
    uint32_t nhand, caphand;
    EhClause *cl;
    uint32_t ncl, capcl;
    uint32_t *clfix;
    uint32_t capclfix;
    /* The innermost C_TRY in a catch arm (its index in ctl), NONE: none; each one's
     * prev_arm links the next one out, so a branch finds the arms it leaves in O(1) each. */
    uint32_t arm_top;

    /* GC stack maps (LoweredFunc.safe): sbits the bitsets; scratch the one being made */
    GcSafepoint *safe;
    uint32_t nsafe, capsafe;
    uint32_t *sbits;
    uint32_t nsbits, capsbits;
    uint32_t *scratch;
    uint32_t capscratch, scratch_cells;
} Lower;

static bool grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    uint64_t ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    if (ncap > UINT32_MAX / 2)
        return false;
    void *q = realloc(*p, (size_t)ncap * elem);
    if (!q)
        return false;
    *p = q;
    *cap = (uint32_t)ncap;
    return true;
}

#define GROW(L, arr, cap, need) \
    (grow((void **)&(L)->arr, &(L)->cap, (need), sizeof *(L)->arr) || ((L)->oom = true, false))

/* The first temp cell of the entry at depth d (d == h: of the next entry pushed). */
static uint32_t cell_at(const Lower *L, uint32_t d)
{
    if (d < L->h)
        return L->stack[d].cell;
    return L->h ? L->stack[L->h - 1].cell + 1u + L->stack[L->h - 1].wide : 0;
}
static uint32_t temp(const Lower *L, uint32_t depth)
{
    return (L->nlocal_cells + cell_at(L, depth)) * 8u;
}
static uint32_t local_slot(const Lower *L, uint32_t i) { return L->local_cell[i] * 8u; }
static bool local_wide(const Lower *L, uint32_t i)
{
    return L->local_cell[i + 1] - L->local_cell[i] == 2;
}

/* ---- GC stack maps (docs/design/gc.md, "Roots") ---------------------------------------- */

/* Takes the reference cells of the frame now, the operand entries below depth `depth` that
 * sit in their temps and every local of reference type, into L->scratch (a GC module only).
 * A V_LOCAL entry's value is in its local's cell; a V_CONST one is a number or null. */
static void safepoint_take(Lower *L, uint32_t depth)
{
    if (!L->gc || L->oom)
        return;
    uint32_t n = L->nlocal_cells + cell_at(L, depth), nw = (n + 31) / 32;
    if (!GROW(L, scratch, capscratch, nw + 1))
        return;
    memset(L->scratch, 0, (size_t)(nw + 1) * sizeof *L->scratch);
    for (uint32_t i = 0; i < L->nlocals; i++)
        if (L->local_ref[i])
            L->scratch[L->local_cell[i] / 32] |= 1u << (L->local_cell[i] % 32);
    for (uint32_t d = 0; d < depth; d++)
        if (L->stack[d].kind == V_SLOT && L->stack[d].ref) {
            uint32_t c = L->nlocal_cells + L->stack[d].cell;
            L->scratch[c / 32] |= 1u << (c % 32);
        }
    L->scratch_cells = n;
}

/* Records the map taken last as the safepoint at code position pos (see GcSafepoint). Code
 * truncated by a fusion may have left entries at or past pos: they go. A bitset equal to the
 * previous entry's is shared. */
static void safepoint_put(Lower *L, uint32_t pos, bool call)
{
    if (!L->gc || L->oom || pos == NONE)
        return;
    uint32_t key = pos << 1 | (uint32_t)!call, n = L->scratch_cells, nw = (n + 31) / 32;
    while (L->nsafe && L->safe[L->nsafe - 1].key >= key)
        L->nsafe--;
    /* one word more: an empty frame's map is an empty bitset, not none */
    if (!GROW(L, safe, capsafe, L->nsafe + 1) || !GROW(L, sbits, capsbits, L->nsbits + nw + 1))
        return;
    const GcSafepoint *prev = L->nsafe ? &L->safe[L->nsafe - 1] : NULL;
    uint32_t bits = L->nsbits;
    if (prev && prev->ncells == n &&
        memcmp(L->sbits + prev->bits, L->scratch, (size_t)nw * sizeof *L->scratch) == 0) {
        bits = prev->bits;
    } else {
        memcpy(L->sbits + bits, L->scratch, (size_t)nw * sizeof *L->scratch);
        L->nsbits += nw;
    }
    L->safe[L->nsafe++] = (GcSafepoint){key, n, bits};
}

/* ---- emitting code -------------------------------------------------------------------- */

static void add_map(Lower *L, uint32_t pos)
{
    if (L->nmap && L->map[L->nmap - 1].wasm == L->cur_off)
        return;
    if (!GROW(L, map, capmap, L->nmap + 1))
        return;
    L->map[L->nmap].code = pos;
    L->map[L->nmap].wasm = L->cur_off;
    L->nmap++;
}

/* Appends an instruction with n operand words; returns its position (NONE when out of
 * memory, after which nothing more is emitted). */
static uint32_t emit(Lower *L, Iop op, uint32_t n, const uint32_t *ops)
{
    uint32_t words = IOP_WORDS(n);
    if (L->oom || !GROW(L, code, cap, L->len + words) ||
        !GROW(L, starts, capstarts, L->nstarts + 1))
        return NONE;
    uint32_t pos = L->len;
    L->prev_start = L->last_start != NONE && L->last_end == pos ? L->last_start : NONE;
    uint64_t hw = op; /* replaced by the handler word when linking */
    memcpy(&L->code[pos], &hw, 8);
    for (uint32_t k = 0; k < n; k++)
        L->code[pos + 2 + k] = ops[k];
    for (uint32_t k = 2 + n; k < words; k++)
        L->code[pos + k] = 0;
    L->len += words;
    L->starts[L->nstarts++] = pos;
    add_map(L, pos);
    L->last_start = NONE;
    return pos;
}

#define EMIT(L, op, ...) \
    emit((L), (op), sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t), \
         (const uint32_t[]){__VA_ARGS__})

static Iop code_op(const Lower *L, uint32_t pos)
{
    uint64_t hw;
    memcpy(&hw, &L->code[pos], 8);
    return (Iop)hw;
}

/* Removes the code from pos on (pos is an instruction start). */
static void truncate_code(Lower *L, uint32_t pos)
{
    L->len = pos;
    while (L->nstarts && L->starts[L->nstarts - 1] >= pos)
        L->nstarts--;
    while (L->nmap && L->map[L->nmap - 1].code >= pos)
        L->nmap--;
    L->last_start = NONE;
}

static void patch(Lower *L, uint32_t word, uint32_t base, uint32_t target)
{
    if (word < L->len)
        L->code[word] = target - base; /* two's complement: a signed offset */
}

/* Marks a branch target at the current position: no producer may be retargeted across it. */
static uint32_t place_label(Lower *L)
{
    L->last_start = NONE;
    L->label_pos = L->len;
    return L->len;
}

/* Appends COPY dst src, merged into a COPY2 with a COPY just before it when no label lies
 * between them (COPY2 does both moves in order: the same effect). */
static void emit_copy(Lower *L, uint32_t dst, uint32_t src)
{
    uint32_t p = L->len - IOP_LEN_COPY;
    if (L->nstarts && L->starts[L->nstarts - 1] == p && L->label_pos != L->len &&
        code_op(L, p) == IOP_COPY && !L->oom && GROW(L, code, cap, L->len + 2)) {
        uint64_t hw = IOP_COPY2;
        memcpy(&L->code[p], &hw, 8);
        L->code[p + 4] = dst;
        L->code[p + 5] = src;
        L->len = p + IOP_LEN_COPY2;
        L->last_start = NONE;
        return;
    }
    EMIT(L, IOP_COPY, dst, src);
}

/* Moves a value of one or two cells (a v128: two COPYs, merged into a COPY2, in ascending
 * order, so a move to a lower overlapping slot is safe). */
static void emit_move(Lower *L, uint32_t dst, uint32_t src, bool wide)
{
    emit_copy(L, dst, src);
    if (wide)
        emit_copy(L, dst + 8, src + 8);
}

static void emit_const(Lower *L, uint32_t dst, uint64_t k)
{
    if (k <= UINT32_MAX)
        EMIT(L, IOP_CONST32, dst, (uint32_t)k);
    else
        EMIT(L, IOP_CONST64, dst, (uint32_t)k, (uint32_t)(k >> 32));
}

/* ---- the abstract stack --------------------------------------------------------------- */

/* Pushes an entry (of two cells when wide); NULL when out of memory (L->oom is then set). */
static AVal *push(Lower *L, AKind kind, bool wide)
{
    if (!GROW(L, stack, caph, L->h + 1))
        return NULL;
    uint32_t cell = cell_at(L, L->h);
    AVal *v = &L->stack[L->h];
    if (kind == V_SLOT && L->clean == L->h)
        L->clean++;
    L->h++;
    if (cell + 1u + wide > L->maxc)
        L->maxc = cell + 1u + wide;
    v->kind = (uint8_t)kind;
    v->wide = wide;
    v->ref = 0;
    v->cell = cell;
    v->local = 0;
    v->k = 0;
    return v;
}

static void push_slot(Lower *L) { (void)push(L, V_SLOT, false); }
static void push_slot_wide(Lower *L, bool wide) { (void)push(L, V_SLOT, wide); }
static void push_slot_type(Lower *L, ValType t)
{
    push_slot_wide(L, t == VT_V128);
    if (L->h && valtype_is_ref(t))
        L->stack[L->h - 1].ref = 1;
}

/* The top entry holds a reference (a producer whose result type the caller knows). */
static void set_top_ref(Lower *L, bool ref)
{
    if (L->h)
        L->stack[L->h - 1].ref = ref;
}

static void push_local(Lower *L, uint32_t i)
{
    AVal *v = push(L, V_LOCAL, local_wide(L, i));
    if (!v)
        return;
    v->local = i;
    v->ref = L->local_ref[i];
    L->local_refs[i]++;
}

static void push_const(Lower *L, uint64_t k)
{
    AVal *v = push(L, V_CONST, false);
    if (v)
        v->k = k;
}

static void pop(Lower *L)
{
    if (L->h == 0)
        return;
    AVal *v = &L->stack[--L->h];
    if (v->kind == V_LOCAL)
        L->local_refs[v->local]--;
    if (L->clean > L->h)
        L->clean = L->h;
}

static void pop_n(Lower *L, uint32_t n)
{
    while (n--)
        pop(L);
}

/* Writes the entry at depth d into its temp slot. */
static void materialize(Lower *L, uint32_t d)
{
    AVal *v = &L->stack[d];
    if (v->kind == V_LOCAL) {
        emit_move(L, temp(L, d), local_slot(L, v->local), v->wide);
        L->local_refs[v->local]--;
    } else if (v->kind == V_CONST) {
        emit_const(L, temp(L, d), v->k);
    }
    v->kind = V_SLOT;
}

/* Materializes every entry below depth `to`. */
static void flush_below(Lower *L, uint32_t to)
{
    for (uint32_t d = L->clean; d < to; d++)
        materialize(L, d);
    if (L->clean < to)
        L->clean = to;
}

/* The slot an instruction reads the entry at depth d from (constants are materialized). */
static uint32_t operand(Lower *L, uint32_t d)
{
    AVal *v = &L->stack[d];
    if (v->kind == V_LOCAL)
        return local_slot(L, v->local);
    if (v->kind == V_CONST)
        materialize(L, d);
    return temp(L, d);
}

/* The source slot of a move that must not change the abstract stack (CONST handled by the
 * caller). */
static uint32_t source_slot(const Lower *L, uint32_t d)
{
    const AVal *v = &L->stack[d];
    return v->kind == V_LOCAL ? local_slot(L, v->local) : temp(L, d);
}

/* Records that the instruction at pos wrote the new top of stack (operand 0 = dst). */
static void set_producer(Lower *L, uint32_t pos)
{
    if (pos == NONE)
        return;
    L->last_start = pos;
    L->last_end = L->len;
    L->last_h = L->h;
}

/* True when the top entry is the untouched result of the last instruction. */
static bool producer_is_top(const Lower *L)
{
    return L->last_start != NONE && L->last_end == L->len && L->last_h == L->h && L->h > 0 &&
           L->stack[L->h - 1].kind == V_SLOT;
}

/* Before local i is written, entries that still read it must take their own copy. */
static void preserve_local(Lower *L, uint32_t i)
{
    for (uint32_t d = 0; d < L->h && L->local_refs[i]; d++)
        if (L->stack[d].kind == V_LOCAL && L->stack[d].local == i)
            materialize(L, d);
}

/* ---- control ------------------------------------------------------------------------- */

static Ctl *ctl_at(Lower *L, uint32_t depth) { return &L->ctl[L->nctl - 1 - depth]; }

static uint32_t arity(const Ctl *c) { return c->kind == C_LOOP ? c->nparams : c->nresults; }

/* Whether op is the _BACK form of a branch (its cost operand follows its target). */
static inline bool is_back_form(Iop op) /* inline: only asserts use it */
{
    return op == IOP_BR_BACK || op == IOP_BR_IF_BACK || op == IOP_BR_UNLESS_BACK ||
           iop_shape[op] == SH_BRCB || iop_shape[op] == SH_BRCIB;
}

/* The fuel a function entry or a back-edge charges for n Wasm instructions. */
static uint32_t fuel_charge(uint32_t n) { return n < FUEL_MAX_CHARGE ? n : FUEL_MAX_CHARGE; }

/* Records a branch (target word at word, offsets relative to base) to c's label. A branch
 * to a loop must be a _BACK form, whose cost operand follows the target word: it is filled
 * in at the loop's end, when the loop's size is known. */
static void jump_to(Lower *L, Ctl *c, uint32_t word, uint32_t base)
{
    if (word == NONE || L->oom)
        return;
    assert(c->kind != C_LOOP || is_back_form(code_op(L, base)));
    if (c->kind == C_LOOP)
        patch(L, word, base, c->label);
    if (!GROW(L, fix, capfix, L->nfix + 1))
        return;
    L->fix[L->nfix] = c->kind == C_LOOP ? (Fixup){word + 1, 0, c->fixups}
                                        : (Fixup){word, base, c->fixups};
    c->fixups = L->nfix++;
}

/* Emits an unconditional branch to c's label (the _BACK form for a loop). */
static void emit_br(Lower *L, Ctl *c)
{
    uint32_t pos = c->kind == C_LOOP ? EMIT(L, IOP_BR_BACK, 0, 0) : EMIT(L, IOP_BR, 0);
    jump_to(L, c, pos == NONE ? NONE : pos + 2, pos);
}

/* Whether branching to c with the stack at height h must move values. */
static bool moves_needed(const Lower *L, const Ctl *c, uint32_t h)
{
    uint32_t n = arity(c), src = h - n;
    if (n == 0)
        return false;
    if (src != c->height)
        return true;
    for (uint32_t k = 0; k < n; k++)
        if (L->stack[src + k].kind != V_SLOT)
            return true;
    return false;
}

/* Copies the top arity(c) values into c's label slots without changing the abstract stack.
 * The label's values start at the temp of depth c->height and lie as the values do (same
 * types), so value k's slot is that much below its own. Ascending order is safe: a label's
 * slots never lie above its values' slots. */
static void emit_moves(Lower *L, const Ctl *c)
{
    uint32_t n = arity(c), src = L->h - n;
    uint32_t down = (cell_at(L, src) - cell_at(L, c->height)) * 8u;
    for (uint32_t k = 0; k < n; k++) {
        const AVal *v = &L->stack[src + k];
        uint32_t dst = temp(L, src + k) - down;
        if (v->kind == V_CONST) {
            emit_const(L, dst, v->k);
        } else {
            uint32_t s = source_slot(L, src + k);
            if (s != dst)
                emit_move(L, dst, s, v->wide);
        }
    }
}

/* Returns from the function: results to cells 0..n, then RETURN. Leaves the abstract
 * stack unchanged (br_if and br_table stubs emit this on one path only). */
static void emit_return(Lower *L)
{
    uint32_t n = L->nresults, base = L->h - n;
    if (n == 1 && L->stack[base].kind != V_CONST && !L->stack[base].wide) {
        EMIT(L, IOP_RETURN1, source_slot(L, base));
        return;
    }
    /* Result k goes to the cells from rk (its temp's cell less the first result's: the
     * results lie as the values do). Moving in ascending order is safe except for a value
     * k read from a local below rk, whose cells an earlier result may have overwritten:
     * such values go through their temp slot first. */
    uint32_t down = temp(L, base);
    for (uint32_t k = 0; k < n; k++) {
        const AVal *v = &L->stack[base + k];
        if (v->kind == V_LOCAL && local_slot(L, v->local) < temp(L, base + k) - down)
            emit_move(L, temp(L, base + k), local_slot(L, v->local), v->wide);
    }
    for (uint32_t k = 0; k < n; k++) {
        const AVal *v = &L->stack[base + k];
        uint32_t rk = temp(L, base + k) - down;
        if (v->kind == V_CONST) {
            emit_const(L, rk, v->k);
            continue;
        }
        bool from_local = v->kind == V_LOCAL && local_slot(L, v->local) >= rk;
        uint32_t s = from_local ? local_slot(L, v->local) : temp(L, base + k);
        if (s != rk)
            emit_move(L, rk, s, v->wide);
    }
    emit(L, IOP_RETURN, 0, NULL);
}

/* The rest of the current arm is dead: drop its values and skip code until else/end. */
static void set_unreachable(Lower *L)
{
    Ctl *c = ctl_at(L, 0);
    pop_n(L, L->h - c->height);
    c->unreachable = true;
}

/* Emits a conditional branch on nin operands (a, and b when nin is 2) followed by its target
 * word, 0 for now; in the _BACK form, with a cost operand after the target, when back.
 * Returns the target word and sets *base to the instruction's start; NONE when out of
 * memory. */
static uint32_t emit_cond(Lower *L, Iop op, bool back, uint32_t nin, uint32_t a, uint32_t b,
                          uint32_t *base)
{
    uint32_t ops[4] = {a, b, 0, 0};
    ops[nin] = 0; /* the target */
    uint32_t pos = emit(L, back ? (Iop)L->maps->back[op] : op, nin + 1 + back, ops);
    *base = pos;
    return pos == NONE ? NONE : pos + 2 + nin;
}

/* Pops the condition on top and emits a jump taken when it is nonzero (when_true) or zero,
 * fusing a compare (or i32.eqz) that just produced it; a back-edge (back) when the target is
 * a loop. Returns the target word, whose instruction starts at *base; NONE when out of
 * memory. */
static uint32_t cond_jump(Lower *L, bool when_true, bool back, uint32_t *base)
{
    if (producer_is_top(L)) {
        uint32_t p = L->last_start;
        Iop op = code_op(L, p);
        uint8_t sh = iop_shape[op];
        if (op == IOP_I32_EQZ) {
            uint32_t a = L->code[p + 3];
            truncate_code(L, p);
            pop(L);
            return emit_cond(L, when_true ? IOP_BR_UNLESS : IOP_BR_IF, back, 1, a, 0, base);
        }
        Op w = (Op)iop_wasm[op];
        if ((sh == SH_BIN || sh == SH_BINI) && negate_cmp(w) != OP_COUNT) {
            if (!when_true)
                w = negate_cmp(w);
            Iop fused = (Iop)(sh == SH_BIN ? L->maps->brc[w] : L->maps->brci[w]);
            uint32_t a = L->code[p + 3], b = L->code[p + 4];
            truncate_code(L, p);
            pop(L);
            return emit_cond(L, fused, back, 2, a, b, base);
        }
    }
    uint32_t cond = operand(L, L->h - 1);
    pop(L);
    return emit_cond(L, when_true ? IOP_BR_IF : IOP_BR_UNLESS, back, 1, cond, 0, base);
}

static bool push_ctl(Lower *L, CtlKind kind, uint32_t np, const ValType *pt, uint32_t nr,
                     const ValType *rt)
{
    if (!GROW(L, ctl, capctl, L->nctl + 1))
        return false;
    Ctl *c = &L->ctl[L->nctl++];
    memset(c, 0, sizeof *c);
    c->kind = (uint8_t)kind;
    c->ptypes = pt;
    c->rtypes = rt;
    c->height = L->h - np;
    c->nparams = np;
    c->nresults = nr;
    c->fixups = NONE;
    c->else_word = NONE;
    c->wlog = L->nwlog;
    c->eh = L->nctl > 1 ? L->ctl[L->nctl - 2].eh : EH_NONE;
    c->handler = EH_NONE;
    c->cfix = NONE;
    c->last_clause = EH_NONE;
    return true;
}

/* ---- definite assignment of locals -----------------------------------------------------
 * Wasm zeroes declared locals on entry. A local that is written on every path before it is
 * read needs no zeroing, and most are (compilers emit one local per temporary), so the
 * call path zeroes only the range of the others. The analysis is a forward walk: a write
 * marks a local, a block's end (or an else) forgets the marks made inside it, since a
 * branch may have skipped them; a loop's end keeps them, as only falling through the body
 * reaches it. Branches out of a loop's body reach the end of an enclosing block, whose own
 * end forgets. Dead code is never lowered and so neither reads nor writes. */
static void note_local_read(Lower *L, uint32_t i)
{
    if (L->written[i])
        return;
    if (L->zero_lo >= L->zero_hi) {
        L->zero_lo = i;
        L->zero_hi = i + 1;
    } else {
        if (i < L->zero_lo)
            L->zero_lo = i;
        if (i >= L->zero_hi)
            L->zero_hi = i + 1;
    }
}

static void note_local_write(Lower *L, uint32_t i)
{
    if (L->written[i])
        return;
    L->written[i] = 1;
    L->wlog[L->nwlog++] = i; /* at most one entry per local: wlog has nlocals entries */
}

/* Forgets the writes made since the block c was entered. */
static void forget_writes(Lower *L, const Ctl *c)
{
    while (L->nwlog > c->wlog)
        L->written[L->wlog[--L->nwlog]] = 0;
}

/* ---- instructions -------------------------------------------------------------------- */

static int op_block(Lower *L, const Instr *in)
{
    uint32_t np, nr;
    const ValType *p, *r;
    if (!blocktype_sig(L->m, in->blocktype, &np, &p, &nr, &r))
        return -1;
    if (in->op == OP_IF) {
        flush_below(L, L->h - 1);
        uint32_t base, word = cond_jump(L, false, false, &base);
        if (!push_ctl(L, C_IF, np, p, nr, r))
            return 0;
        ctl_at(L, 0)->else_word = word;
        ctl_at(L, 0)->else_base = base;
        return 0;
    }
    flush_below(L, L->h);
    bool osr = in->op == OP_LOOP && L->h == 0 && np == 0;
    if (!push_ctl(L, in->op == OP_LOOP ? C_LOOP : C_BLOCK, np, p, nr, r))
        return 0;
    if (in->op == OP_LOOP) {
        ctl_at(L, 0)->label = place_label(L);
        ctl_at(L, 0)->first = L->ninstr;
        if (osr && GROW(L, osr, caposr, L->nosr + 1))
            L->osr[L->nosr++] = (CodeMap){ctl_at(L, 0)->label, (uint32_t)in->off};
    }
    return 0;
}

static void op_else(Lower *L)
{
    Ctl *c = ctl_at(L, 0);
    if (!c->unreachable) {
        flush_below(L, L->h);
        emit_br(L, c);
    }
    uint32_t here = place_label(L);
    patch(L, c->else_word, c->else_base, here);
    c->else_word = NONE;
    forget_writes(L, c);
    pop_n(L, L->h - c->height);
    for (uint32_t i = 0; i < c->nparams; i++)
        push_slot_type(L, c->ptypes[i]);
    c->unreachable = false;
}

static void release_arm(Lower *L, const Ctl *c);
static void release_arms(Lower *L, uint32_t n);

/* The blocks a branch to the label at depth leaves (a loop's label is inside the loop). */
static uint32_t blocks_left(const Lower *L, uint32_t depth)
{
    return L->ctl[L->nctl - 1 - depth].kind == C_LOOP ? depth : depth + 1;
}

/* Whether a branch to the label at depth leaves a legacy catch arm (which must then let its
 * exception go: release_arms). */
static bool leaves_arm(const Lower *L, uint32_t depth)
{
    return L->arm_top != NONE && L->arm_top >= L->nctl - blocks_left(L, depth);
}

/* Returns true when the function's final end was reached. */
static bool op_end(Lower *L)
{
    Ctl *c = ctl_at(L, 0);
    if (c->kind == C_FUNC) {
        if (!c->unreachable)
            emit_return(L);
        return true;
    }
    if (!c->unreachable)
        flush_below(L, L->h);
    if (c->catching && !c->unreachable) {
        release_arm(L, c);
        emit_moves(L, c); /* from above the caught exception down to the label's slots */
    }
    if (c->catching) {
        L->cl[c->last_clause].arm_end = L->len;
        L->arm_top = c->prev_arm;
    }
    if (c->handler != EH_NONE && !c->catching)
        L->hand[c->handler].end = L->len;
    bool reached = !c->unreachable || c->else_word != NONE || c->cfix != NONE ||
                   (c->fixups != NONE && c->kind != C_LOOP);
    uint32_t here = place_label(L);
    for (uint32_t f = c->cfix; f != NONE; f = L->clfix[f])
        L->cl[f].target = here;
    patch(L, c->else_word, c->else_base, here);
    /* A loop's back-edges charge its body: the instructions strictly between loop and end. */
    uint32_t target = c->kind == C_LOOP ? fuel_charge(L->ninstr - c->first - 1) : here;
    for (uint32_t f = c->fixups; f != NONE; f = L->fix[f].next)
        patch(L, L->fix[f].word, L->fix[f].base, target);
    uint32_t height = c->height, nr = c->nresults;
    const ValType *rt = c->rtypes;
    if (c->kind != C_LOOP)
        forget_writes(L, c);
    L->nctl--;
    pop_n(L, L->h - height);
    for (uint32_t i = 0; i < nr; i++)
        push_slot_type(L, rt[i]);
    if (!reached)
        set_unreachable(L);
    return false;
}

static void op_br(Lower *L, uint32_t depth)
{
    Ctl *c = ctl_at(L, depth);
    if (leaves_arm(L, depth))
        release_arms(L, blocks_left(L, depth));
    if (c->kind == C_FUNC) {
        emit_return(L);
    } else {
        emit_moves(L, c);
        emit_br(L, c);
    }
    set_unreachable(L);
}

static void op_br_if(Lower *L, uint32_t depth)
{
    Ctl *c = ctl_at(L, depth);
    uint32_t base, word;
    bool release = leaves_arm(L, depth);
    if (c->kind != C_FUNC && !moves_needed(L, c, L->h - 1) && !release) {
        word = cond_jump(L, true, c->kind == C_LOOP, &base);
        jump_to(L, c, word, base);
        return;
    }
    /* Values must move (or catch arms let go): skip that and the jump when the condition
     * is false. */
    word = cond_jump(L, false, false, &base);
    if (release)
        release_arms(L, blocks_left(L, depth));
    if (c->kind == C_FUNC) {
        emit_return(L);
    } else {
        emit_moves(L, c);
        emit_br(L, c);
    }
    patch(L, word, base, place_label(L));
}

/* br_on_null (on_null) and br_on_non_null: a jump over the branch when the reference on top
 * says not to take it, then the branch as br_if's slow path makes it. br_on_null's label
 * takes the values below the reference, which stays on the stack when not taken;
 * br_on_non_null's takes the reference too, which is dropped when not taken. */
static void op_br_on_null(Lower *L, uint32_t depth, bool on_null)
{
    Ctl *c = ctl_at(L, depth);
    uint32_t base, ref = operand(L, L->h - 1);
    AVal saved = L->stack[L->h - 1];
    uint32_t word = emit_cond(L, on_null ? IOP_BR_NONNULL : IOP_BR_NULL, false, 1, ref, 0, &base);
    if (on_null)
        pop(L); /* the branch leaves without it */
    if (leaves_arm(L, depth))
        release_arms(L, blocks_left(L, depth));
    if (c->kind == C_FUNC) {
        emit_return(L);
    } else {
        emit_moves(L, c);
        emit_br(L, c);
    }
    patch(L, word, base, place_label(L));
    if (on_null) { /* back on the stack as it was */
        AVal *v = push(L, (AKind)saved.kind, saved.wide);
        if (v) {
            v->local = saved.local;
            v->k = saved.k;
            v->ref = saved.ref;
            if (saved.kind == V_LOCAL)
                L->local_refs[saved.local]++;
        }
    } else {
        pop(L);
    }
}

static void op_br_table(Lower *L, const Instr *in)
{
    uint32_t n = in->a;
    uint32_t idx = operand(L, L->h - 1);
    pop(L);
    if (!GROW(L, code, cap, L->len + IOP_WORDS(n + 3)))
        return;
    uint32_t *ops = calloc((size_t)n + 3, sizeof *ops);
    if (!ops) {
        L->oom = true;
        return;
    }
    ops[0] = idx;
    ops[1] = n;
    uint32_t pos = emit(L, IOP_BR_TABLE, n + 3, ops);
    free(ops);
    if (pos == NONE)
        return;
    for (uint32_t d = 0; d < L->nctl; d++)
        L->stub[d] = NONE;
    /* Direct entries first; labels whose values must move, and loops (whose back-edges
     * charge fuel), get one stub each, after. */
    const uint8_t *tab = in->tab;
    for (uint32_t i = 0; i <= n; i++) {
        uint32_t depth = i < n ? instr_br_label(&tab) : in->b;
        Ctl *c = ctl_at(L, depth);
        if (c->kind != C_FUNC && c->kind != C_LOOP && !moves_needed(L, c, L->h) &&
            !leaves_arm(L, depth))
            jump_to(L, c, pos + 4 + i, pos);
        else
            L->stub[depth] = 0; /* needed */
    }
    for (uint32_t depth = 0; depth < L->nctl; depth++) {
        if (L->stub[depth] == NONE)
            continue;
        L->stub[depth] = place_label(L);
        Ctl *c = ctl_at(L, depth);
        if (leaves_arm(L, depth))
            release_arms(L, blocks_left(L, depth));
        if (c->kind == C_FUNC) {
            emit_return(L);
        } else {
            emit_moves(L, c);
            emit_br(L, c);
        }
    }
    tab = in->tab;
    for (uint32_t i = 0; i <= n; i++) {
        uint32_t depth = i < n ? instr_br_label(&tab) : in->b;
        if (L->stub[depth] != NONE)
            patch(L, pos + 4 + i, pos, L->stub[depth]);
    }
    set_unreachable(L);
}

static void op_local_set(Lower *L, uint32_t i, bool tee)
{
    AVal v = L->stack[L->h - 1];
    uint32_t d = L->h - 1;
    bool retarget = producer_is_top(L);
    pop(L);
    if (L->local_refs[i]) {
        preserve_local(L, i);
        retarget = false;
    }
    if (v.kind == V_CONST) {
        emit_const(L, local_slot(L, i), v.k);
    } else if (v.kind == V_LOCAL) {
        if (v.local != i)
            emit_move(L, local_slot(L, i), local_slot(L, v.local), v.wide);
    } else if (retarget && L->last_end == L->len) {
        L->code[L->last_start + 2] = local_slot(L, i);
    } else {
        emit_move(L, local_slot(L, i), temp(L, d), v.wide);
    }
    L->last_start = NONE;
    if (tee) {
        if (v.kind == V_CONST)
            push_const(L, v.k);
        else
            push_local(L, i);
    }
}

static void op_call(Lower *L, uint32_t funcidx, const FuncType *ft, Iop op, uint32_t typeidx,
                    uint32_t table)
{
    uint32_t elem = 0;
    if (op == IOP_CALL_INDIRECT || op == IOP_CALL_REF) {
        elem = operand(L, L->h - 1);
        pop(L);
    }
    uint32_t np = ft->nparams, first = L->h - np;
    for (uint32_t d = first; d < L->h; d++)
        materialize(L, d);
    if (op == IOP_CALL)
        EMIT(L, funcidx < L->m->nfunc_imports ? IOP_CALL_IMPORT : IOP_CALL, funcidx,
             temp(L, first));
    else if (op == IOP_CALL_REF)
        EMIT(L, IOP_CALL_REF, elem, temp(L, first));
    else
        EMIT(L, IOP_CALL_INDIRECT, typeidx, table, elem, temp(L, first));
    safepoint_take(L, L->h); /* the arguments too: a host callee's are in these cells */
    safepoint_put(L, L->len, true);
    pop_n(L, np);
    for (uint32_t k = 0; k < ft->nresults; k++)
        push_slot_type(L, ft_results(ft)[k]);
}

/* A tail call: the arguments go to their temps, as a call's do, and the interpreter moves
 * them to the frame's start. A host callee (possible unless the callee is defined here) runs
 * as a plain call and comes back to the instructions after, which return its results. */
static void op_return_call(Lower *L, uint32_t funcidx, const FuncType *ft, Iop op,
                           uint32_t typeidx, uint32_t table)
{
    uint32_t elem = 0;
    if (op == IOP_RETURN_CALL_INDIRECT || op == IOP_RETURN_CALL_REF) {
        elem = operand(L, L->h - 1);
        pop(L);
    }
    uint32_t np = ft->nparams, first = L->h - np;
    for (uint32_t d = first; d < L->h; d++)
        materialize(L, d);
    uint32_t cells = valtypes_cells(ft_params(ft), np);
    /* the frame goes: the legacy catch arms it is in let their exceptions go, as at a
     * return (their slots lie below the arguments' temps) */
    release_arms(L, L->nctl);
    if (op == IOP_RETURN_CALL && funcidx < L->m->nfunc_imports)
        op = IOP_RETURN_CALL_IMPORT;
    if (op == IOP_RETURN_CALL_INDIRECT)
        EMIT(L, op, typeidx, table, elem, temp(L, first), cells);
    else if (op == IOP_RETURN_CALL_REF)
        EMIT(L, op, elem, temp(L, first), cells);
    else
        EMIT(L, op, funcidx, temp(L, first), cells);
    /* a host callee comes back to this frame */
    safepoint_take(L, L->h);
    safepoint_put(L, L->len, true);
    if (op != IOP_RETURN_CALL) {
        pop_n(L, np);
        for (uint32_t k = 0; k < ft->nresults; k++)
            push_slot_type(L, ft_results(ft)[k]);
        emit_return(L);
    }
    set_unreachable(L);
}

static bool fits_imm(Op op, uint64_t k)
{
    return !is_i64_op(op) || (int64_t)k == (int64_t)(int32_t)(uint32_t)k;
}

/* True when x op k == x for every x (x + 0, x << 32, x & -1, ...). */
static bool is_identity(Op op, uint64_t k)
{
    bool i64 = is_i64_op(op);
    uint64_t ones = i64 ? UINT64_MAX : UINT32_MAX, width = i64 ? 63 : 31;
    switch (op) {
    case OP_I32_ADD: case OP_I32_SUB: case OP_I32_OR: case OP_I32_XOR:
    case OP_I64_ADD: case OP_I64_SUB: case OP_I64_OR: case OP_I64_XOR:
        return k == 0;
    case OP_I32_SHL: case OP_I32_SHR_S: case OP_I32_SHR_U: case OP_I32_ROTL: case OP_I32_ROTR:
    case OP_I64_SHL: case OP_I64_SHR_S: case OP_I64_SHR_U: case OP_I64_ROTL: case OP_I64_ROTR:
        return (k & width) == 0;
    case OP_I32_MUL: case OP_I64_MUL:
        return k == 1;
    case OP_I32_AND: case OP_I64_AND:
        return k == ones;
    default:
        return false;
    }
}

/* ---- superinstructions ----------------------------------------------------------------
 * Fusions rewind the instruction(s) that just produced an operand and emit one instruction
 * doing the same work. The rewound producer's result lived only in the temp slot being
 * consumed, so nothing else can read it. A fused instruction's backtrace offset is that of
 * the part that can trap (the memory access). */

/* The load just emitted before the address was consumed: fuses i32.add + load (LOADX),
 * i32.shl by k + i32.add of imm + load (LOADS), i32.add of imm + load (LOADA). Returns
 * false when no fusion applies. */
static bool fuse_load(Lower *L, Op op, uint32_t offset)
{
    if (!producer_is_top(L))
        return false;
    uint32_t p = L->last_start, q = L->prev_start, d = temp(L, L->h - 1);
    Iop last = code_op(L, p);
    if (last != IOP_I32_ADD_I && last != IOP_I32_ADD)
        return false; /* (only those two have the operands read below) */
    uint32_t a = L->code[p + 3], b = L->code[p + 4];
    if (last == IOP_I32_ADD_I && q != NONE && code_op(L, q) == IOP_I32_SHL_I &&
        L->maps->loads[op] != IOP_COUNT && L->code[q + 2] == d && a == d) {
        uint32_t i = L->code[q + 3], k = L->code[q + 4] & 31;
        truncate_code(L, q);
        pop(L);
        push_slot(L);
        set_producer(L, EMIT(L, (Iop)L->maps->loads[op], d, i, k, b, offset));
        return true;
    }
    Iop fused = last == IOP_I32_ADD_I ? (Iop)L->maps->loada[op]
                : last == IOP_I32_ADD ? (Iop)L->maps->loadx[op] : IOP_COUNT;
    if (fused == IOP_COUNT)
        return false;
    truncate_code(L, p);
    pop(L);
    push_slot(L);
    set_producer(L, EMIT(L, fused, d, a, b, offset));
    return true;
}

/* The load (plain or _A) at p, of the width op's right operand has: its address slot,
 * immediate and offset; false when the instruction at p is no such load. */
static bool load_parts(const Lower *L, Op op, uint32_t p, uint32_t *addr, uint32_t *imm,
                       uint32_t *off)
{
    bool wide = op != OP_I32_ADD;
    Iop ld = code_op(L, p);
    if (ld == (wide ? IOP_I64_LOAD : IOP_I32_LOAD)) {
        *addr = L->code[p + 3];
        *imm = 0;
        *off = L->code[p + 4];
        return true;
    }
    if (ld == (wide ? IOP_I64_LOAD_A : IOP_I32_LOAD_A)) {
        *addr = L->code[p + 3];
        *imm = L->code[p + 4];
        *off = L->code[p + 5];
        return true;
    }
    return false;
}

/* Byte offset in the module of the Wasm instruction that emitted code position pos. */
static uint32_t map_offset(const Lower *L, uint32_t pos)
{
    for (uint32_t i = L->nmap; i-- > 0;)
        if (L->map[i].code <= pos)
            return L->map[i].wasm;
    return L->cur_off;
}

/* True when the entry at depth d is the result of the last instruction and nothing has been
 * emitted since (the entries above it, if any, are locals or constants). */
static bool produced_last(const Lower *L, uint32_t d)
{
    return L->last_start != NONE && L->last_end == L->len && L->last_h == d + 1 &&
           L->stack[d].kind == V_SLOT;
}

/* a op b where one operand was just loaded from memory: one BINM instruction (the load is
 * the right operand, or either one for the commutative ones: every BINM op but f64.sub;
 * IEEE addition and multiplication commute, NaN payloads aside, which Wasm leaves open). */
static bool fuse_binm(Lower *L, Op op)
{
    Iop fused = (Iop)L->maps->binm[op];
    if (fused == IOP_COUNT)
        return false;
    uint32_t da = L->h - 2, db = L->h - 1, other;
    if (produced_last(L, db) && L->stack[da].kind != V_CONST)
        other = da;
    else if (produced_last(L, da) && L->stack[db].kind != V_CONST && op != OP_F64_SUB)
        other = db;
    else
        return false;
    uint32_t p = L->last_start, addr, imm, off;
    if (!load_parts(L, op, p, &addr, &imm, &off))
        return false;
    uint32_t saved = L->cur_off, sa = source_slot(L, other);
    L->cur_off = map_offset(L, p); /* a trap here is the load's */
    truncate_code(L, p);
    pop_n(L, 2);
    push_slot(L);
    set_producer(L, EMIT(L, fused, temp(L, da), sa, addr, imm, off));
    L->cur_off = saved;
    return true;
}

/* f64.mul whose product is consumed at once by f64.add or f64.sub: one instruction. */
static bool fuse_f64_mul(Lower *L, Op op)
{
    if (op != OP_F64_ADD && op != OP_F64_SUB)
        return false;
    uint32_t da = L->h - 2, db = L->h - 1;
    bool prod_b = produced_last(L, db), prod_a = !prod_b && produced_last(L, da);
    if ((!prod_a && !prod_b) || code_op(L, L->last_start) != IOP_F64_MUL)
        return false;
    uint32_t other = prod_b ? da : db;
    if (L->stack[other].kind == V_CONST)
        return false;
    Iop fused = op == OP_F64_ADD ? IOP_F64_MULADD : prod_a ? IOP_F64_MULSUB : IOP_F64_RMULSUB;
    uint32_t p = L->last_start, x = L->code[p + 3], y = L->code[p + 4];
    uint32_t c = source_slot(L, other);
    truncate_code(L, p);
    pop_n(L, 2);
    push_slot(L);
    set_producer(L, EMIT(L, fused, temp(L, da), x, y, c));
    return true;
}

static void op_binary(Lower *L, Op op)
{
    if (L->stack[L->h - 1].kind == V_CONST && is_identity(op, L->stack[L->h - 1].k)) {
        pop(L); /* the left operand is the result, wherever it is */
        return;
    }
    if (fuse_binm(L, op) || fuse_f64_mul(L, op))
        return;
    uint32_t da = L->h - 2, db = L->h - 1;
    const AVal *a = &L->stack[da], *b = &L->stack[db];
    uint32_t pos;
    Iop ii = (Iop)L->maps->imm[op];
    Op sw = swap_op(op);
    if (ii != IOP_COUNT && b->kind == V_CONST && fits_imm(op, b->k)) {
        uint32_t imm = (uint32_t)b->k;
        uint32_t sa = operand(L, da);
        pop_n(L, 2);
        push_slot(L);
        pos = EMIT(L, ii, temp(L, da), sa, imm);
    } else if (a->kind == V_CONST && b->kind != V_CONST && sw != OP_COUNT &&
               L->maps->imm[sw] != IOP_COUNT && fits_imm(op, a->k)) {
        uint32_t imm = (uint32_t)a->k;
        uint32_t sb = operand(L, db);
        pop_n(L, 2);
        push_slot(L);
        pos = EMIT(L, (Iop)L->maps->imm[sw], temp(L, da), sb, imm);
    } else {
        uint32_t sa = operand(L, da), sb = operand(L, db);
        pop_n(L, 2);
        push_slot(L);
        pos = EMIT(L, (Iop)L->maps->plain[op], temp(L, da), sa, sb);
    }
    set_producer(L, pos);
}

static void op_unary(Lower *L, Op op)
{
    uint32_t d = L->h - 1;
    uint32_t sa = operand(L, d);
    pop(L);
    push_slot(L);
    set_producer(L, EMIT(L, (Iop)L->maps->plain[op], temp(L, d), sa));
}

/* Pops n operands into slots (deepest first). */
static void pop_operands(Lower *L, uint32_t n, uint32_t *out)
{
    uint32_t first = L->h - n;
    for (uint32_t k = 0; k < n; k++)
        out[k] = operand(L, first + k);
    pop_n(L, n);
}

/* A producer with operands popped from the stack: dst first, then the operands, then the
 * trailing immediates; its result a v128 when wide. */
static void produce_wide(Lower *L, Iop op, uint32_t nin, uint32_t imm0, uint32_t nimm, bool wide)
{
    uint32_t ops[6];
    pop_operands(L, nin, ops + 1);
    push_slot_wide(L, wide);
    ops[0] = temp(L, L->h - 1);
    if (nimm)
        ops[1 + nin] = imm0;
    set_producer(L, emit(L, op, 1 + nin + nimm, ops));
}

static void produce(Lower *L, Iop op, uint32_t nin, uint32_t imm0, uint32_t nimm)
{
    produce_wide(L, op, nin, imm0, nimm, false);
}

/* The head of op_simd and op_mem_m: pops the instruction's operands into ops after the
 * result's slot, which it pushes when there is a result (*result); returns the words used. */
static uint32_t produced_operands(Lower *L, const OpInfo *oi, uint32_t *ops, bool *result)
{
    uint32_t np = (uint32_t)strlen(oi->params);
    *result = oi->results[0] != '\0';
    pop_operands(L, np, ops + *result);
    if (*result) {
        push_slot_wide(L, oi->results[0] == 'V');
        ops[0] = temp(L, L->h - 1);
    }
    return *result + np;
}

/* A SIMD instruction (iop.def's SIMD shape): [dst] operands [offset] [lane] [4 words]. */
static void op_simd(Lower *L, const Instr *in, Iop iop)
{
    const OpInfo *oi = &op_info[in->op];
    uint32_t ops[12];
    bool result;
    uint32_t n = produced_operands(L, oi, ops, &result);
    if (oi->imm == IMM_MEMARG || oi->imm == IMM_MEMARG_LANE)
        ops[n++] = in->b;
    if (oi->imm == IMM_LANE || oi->imm == IMM_MEMARG_LANE)
        ops[n++] = in->lane;
    if (oi->imm == IMM_V128 || oi->imm == IMM_SHUFFLE) {
        memcpy(ops + n, in->tab, 16);
        n += 4;
    }
    assert(n == (uint32_t)iop_nops[iop]);
    uint32_t pos = emit(L, iop, n, ops);
    if (result)
        set_producer(L, pos);
}

/* Whether memory idx is a 32-bit memory 0, whose accesses have the fast forms (iop.def,
 * "Memories"). */
static bool mem_fast(const Module *m, uint32_t idx)
{
    return idx == 0 && !m->mems[0].lim.is64;
}

/* The memory operand of the _M forms. */
static uint32_t mem_word(const Module *m, uint32_t idx)
{
    return idx | (m->mems[idx].lim.is64 ? LOWER_MEM64 : 0);
}

/* A memory access on any other memory (iop.def's LOADM, STOREM and SIMDM shapes): [dst]
 * operands, then the memory, the offset's two words and [lane]. */
static void op_mem_m(Lower *L, const Instr *in, Iop iop)
{
    const OpInfo *oi = &op_info[in->op];
    uint32_t ops[12];
    bool result;
    uint32_t n = produced_operands(L, oi, ops, &result);
    ops[n++] = mem_word(L->m, in->mem);
    ops[n++] = (uint32_t)in->offset;
    ops[n++] = (uint32_t)(in->offset >> 32);
    if (oi->imm == IMM_MEMARG_LANE)
        ops[n++] = in->lane;
    assert(n == (uint32_t)iop_nops[iop]);
    uint32_t pos = emit(L, iop, n, ops);
    if (result)
        set_producer(L, pos);
}

/* A consumer: leading immediates, then the popped operands (memory stores put the offset
 * last, see op_store). */
static void consume(Lower *L, Iop op, uint32_t nimm, uint32_t imm0, uint32_t imm1, uint32_t nin)
{
    uint32_t ops[6];
    ops[0] = imm0;
    ops[1] = imm1;
    pop_operands(L, nin, ops + nimm);
    emit(L, op, nimm + nin, ops);
}

/* ---- exception handling ---------------------------------------------------------------- */

/* Opens a handler covering the code from here (its end is set when its body ends). */
static uint32_t open_handler(Lower *L, uint32_t next)
{
    if (!GROW(L, hand, caphand, L->nhand + 1))
        return EH_NONE;
    L->hand[L->nhand] = (EhHandler){place_label(L), place_label(L), next, EH_NONE};
    return L->nhand++;
}

/* Appends a clause (tag, or EH_NONE for catch_all) whose values go to vals and exception to
 * exn; its target is set by the caller. Returns its index, or EH_NONE when out of memory. */
static uint32_t add_clause(Lower *L, uint32_t tag, uint32_t vals, uint32_t exn)
{
    if (!GROW(L, cl, capcl, L->ncl + 1) || !GROW(L, clfix, capclfix, L->ncl + 1))
        return EH_NONE;
    L->cl[L->ncl] = (EhClause){tag, EH_NONE, vals, exn, EH_NONE, EH_NONE};
    L->clfix[L->ncl] = NONE;
    return L->ncl++;
}

/* The cells of tag x's payload. */
static uint32_t tag_cells(const Lower *L, uint32_t x)
{
    const FuncType *t = L->m->types[L->m->tag_types[x]];
    return valtypes_cells(ft_params(t), t->nparams);
}

/* try_table: its clauses branch to labels outside it, whose slots take the payload (and
 * the exception, for the _ref forms) as a br would put them there. */
static int op_try_table(Lower *L, const Instr *in)
{
    uint32_t np, nr;
    const ValType *p, *r;
    if (!blocktype_sig(L->m, in->blocktype, &np, &p, &nr, &r))
        return -1;
    flush_below(L, L->h);
    uint32_t outer = ctl_at(L, 0)->eh, h = open_handler(L, outer), prev = EH_NONE;
    if (h == EH_NONE)
        return 0; /* out of memory: L->oom ends the lowering */
    const uint8_t *pos = in->tab;
    for (uint32_t i = 0; i < in->a; i++) {
        Catch k = instr_catch(&pos);
        Ctl *c = ctl_at(L, k.label);
        bool has_tag = k.kind == CATCH_TAG || k.kind == CATCH_TAG_REF;
        bool ref = k.kind == CATCH_TAG_REF || k.kind == CATCH_ALL_REF;
        uint32_t vals = c->kind == C_FUNC ? 0 : temp(L, c->height);
        uint32_t ncells = has_tag ? tag_cells(L, k.tag) : 0;
        uint32_t x = add_clause(L, has_tag ? k.tag : EH_NONE, vals,
                                ref ? vals + 8 * ncells : EH_NONE);
        if (x == EH_NONE)
            return 0;
        if (c->kind == C_LOOP) {
            L->cl[x].target = c->label;
        } else if (c->kind != C_FUNC) {
            L->clfix[x] = c->cfix;
            c->cfix = x;
        }
        if (prev == EH_NONE)
            L->hand[h].first = x;
        else
            L->cl[prev].next = x;
        prev = x;
    }
    if (!push_ctl(L, C_BLOCK, np, p, nr, r))
        return 0;
    ctl_at(L, 0)->handler = h;
    ctl_at(L, 0)->eh = h;
    L->hand[h].start = place_label(L);
    return 0;
}

static int op_try(Lower *L, const Instr *in)
{
    uint32_t np, nr;
    const ValType *p, *r;
    if (!blocktype_sig(L->m, in->blocktype, &np, &p, &nr, &r))
        return -1;
    flush_below(L, L->h);
    uint32_t h = open_handler(L, ctl_at(L, 0)->eh);
    if (h == EH_NONE || !push_ctl(L, C_TRY, np, p, nr, r))
        return 0;
    ctl_at(L, 0)->handler = h;
    ctl_at(L, 0)->eh = h;
    return 0;
}

/* Leaving c's catch arm (c a C_TRY in a reachable arm) by a branch or at its end: before
 * the values move, as they may overwrite the exception's slot. */
static void release_arm(Lower *L, const Ctl *c)
{
    EMIT(L, IOP_EXN_RELEASE, temp(L, c->height));
}

/* A branch leaves the n innermost blocks: their catch arms let their exceptions go. */
static void release_arms(Lower *L, uint32_t n)
{
    for (uint32_t a = L->arm_top; a != NONE && a >= L->nctl - n; a = L->ctl[a].prev_arm)
        release_arm(L, &L->ctl[a]);
}

/* Legacy catch x / catch_all: ends the try's body or the previous arm (a jump to the end),
 * then starts an arm where the handler lands: the caught exception in the temp at the
 * try's height (for rethrow), the payload above it. */
static void op_catch(Lower *L, const Instr *in)
{
    Ctl *c = ctl_at(L, 0);
    if (!c->unreachable) {
        flush_below(L, L->h);
        if (c->catching) {
            release_arm(L, c);
            emit_moves(L, c);
        }
    }
    if (!c->catching)
        L->hand[c->handler].end = L->len;
    if (!c->unreachable)
        emit_br(L, c);
    if (c->catching)
        L->cl[c->last_clause].arm_end = L->len;
    uint32_t here = place_label(L);
    forget_writes(L, c);
    pop_n(L, L->h - c->height);
    uint32_t exn = temp(L, c->height);
    uint32_t tag = in->op == OP_CATCH ? in->a : EH_NONE;
    uint32_t x = add_clause(L, tag, exn + 8, exn);
    if (x == EH_NONE)
        return;
    L->cl[x].target = here;
    L->cl[x].arm_end = here; /* set when the arm ends */
    if (c->last_clause == EH_NONE)
        L->hand[c->handler].first = x;
    else
        L->cl[c->last_clause].next = x;
    c->last_clause = x;
    if (!c->catching) {
        c->prev_arm = L->arm_top;
        L->arm_top = L->nctl - 1;
    }
    c->catching = true;
    c->eh = L->hand[c->handler].next; /* a throw in an arm goes further out */
    c->unreachable = false;
    push_slot(L);
    if (tag != EH_NONE) {
        const FuncType *t = L->m->types[L->m->tag_types[tag]];
        for (uint32_t i = 0; i < t->nparams; i++)
            push_slot_type(L, ft_params(t)[i]);
    }
}

/* Legacy delegate l: the try's handler passes what it sees to the handler of label l (in
 * the try's context: l counts from the block around the try). */
static void op_delegate(Lower *L, const Instr *in)
{
    Ctl *c = ctl_at(L, 0);
    L->hand[c->handler].next = ctl_at(L, in->a + 1)->eh;
    (void)op_end(L);
}

static void op_throw(Lower *L, uint32_t tag)
{
    const FuncType *t = L->m->types[L->m->tag_types[tag]];
    uint32_t first = L->h - t->nparams;
    for (uint32_t d = first; d < L->h; d++)
        materialize(L, d);
    EMIT(L, IOP_THROW, tag, temp(L, first));
    set_unreachable(L);
}

static void op_throw_ref(Lower *L, uint32_t slot)
{
    EMIT(L, IOP_THROW_REF, slot);
    set_unreachable(L);
}

/* The i64 index (size, length) at depth d of a 64-bit table's instruction, made the u32 the
 * table instructions take: saturated, as an index past 2^32-1 is out of bounds anyway
 * (iop.def, I64_SAT_U32). A constant is saturated here; anything else in its temp slot. */
static void narrow_index(Lower *L, uint32_t d)
{
    AVal *v = &L->stack[d];
    if (v->kind == V_CONST) {
        if (v->k > UINT32_MAX)
            v->k = UINT32_MAX;
        return;
    }
    materialize(L, d);
    EMIT(L, IOP_I64_SAT_U32, temp(L, d), temp(L, d));
}

/* Narrows the operands at depths h-n .. h-1 of a table instruction whose bit k (from the
 * deepest) is set in which. */
static void narrow_indices(Lower *L, uint32_t n, unsigned which)
{
    for (uint32_t k = 0; k < n; k++)
        if (which >> k & 1)
            narrow_index(L, L->h - n + k);
}

static bool table64(const Module *m, uint32_t idx) { return m->tables[idx].lim.is64; }

/* ---- garbage collection (iop.def's GC_ forms, gc.c) ---- */

/* A GC instruction with nin operands popped and, when `result` is not 0, a result of that
 * type pushed: dst first, the operands, then nimm immediates. */
static void gc_op(Lower *L, Iop op, uint32_t nin, ValType result, const uint32_t *imm,
                  uint32_t nimm)
{
    uint32_t ops[12], r = result != 0;
    safepoint_take(L, L->h); /* the operands are read after an allocation */
    pop_operands(L, nin, ops + r);
    if (r) {
        push_slot_type(L, result);
        ops[0] = temp(L, L->h - 1);
    }
    for (uint32_t k = 0; k < nimm; k++)
        ops[r + nin + k] = imm[k];
    uint32_t pos = emit(L, op, r + nin + nimm, ops);
    safepoint_put(L, pos, false);
    if (r)
        set_producer(L, pos);
}

/* n operands moved to consecutive temps, then popped: the first one's slot. */
static uint32_t gc_args(Lower *L, uint32_t n)
{
    uint32_t first = L->h - n;
    for (uint32_t d = first; d < L->h; d++)
        materialize(L, d);
    uint32_t at = temp(L, first);
    pop_n(L, n);
    return at;
}

/* A new object's instruction whose operands sit in consecutive temps: dst, args, imms. */
static void gc_new_args(Lower *L, Iop op, uint32_t n, const uint32_t *imm, uint32_t nimm)
{
    uint32_t ops[4];
    safepoint_take(L, L->h);
    ops[1] = gc_args(L, n);
    push_slot_wide(L, false);
    set_top_ref(L, true);
    ops[0] = temp(L, L->h - 1);
    for (uint32_t k = 0; k < nimm; k++)
        ops[2 + k] = imm[k];
    uint32_t pos = emit(L, op, 2 + nimm, ops);
    safepoint_put(L, pos, false);
    set_producer(L, pos);
}

/* A heap type immediate with its concrete index canonical. */
static uint32_t gc_heap(const Module *m, uint32_t h)
{
    return vt_is_concrete(h) && vt_index(h) < m->ntypes ? VT_CONCRETE | m->canon[vt_index(h)] << 9
                                                        : h;
}

static void op_gc(Lower *L, const Instr *in)
{
    const Module *m = L->m;
    const FuncType *t = in->a < m->ntypes ? m->types[in->a] : NULL;
    uint32_t imm[3];
    switch ((Op)in->op) {
    case OP_STRUCT_NEW:
        imm[0] = in->a;
        gc_new_args(L, IOP_GC_STRUCT_NEW, t->nparams, imm, 1);
        return;
    case OP_STRUCT_NEW_DEFAULT:
        imm[0] = in->a;
        gc_op(L, IOP_GC_STRUCT_NEW_DEFAULT, 0, VT_EXTERNREF, imm, 1);
        return;
    case OP_STRUCT_GET:
    case OP_STRUCT_GET_S:
    case OP_STRUCT_GET_U: {
        ValType st = t->types[in->b];
        imm[0] = gc_field_cell(t, in->b);
        imm[1] = st == ST_I8 ? 8 : 16;
        if (st == VT_V128)
            gc_op(L, IOP_GC_STRUCT_GET_V128, 1, VT_V128, imm, 1);
        else if (in->op == OP_STRUCT_GET_S)
            gc_op(L, IOP_GC_STRUCT_GET_S, 1, VT_I32, imm, 2);
        else
            gc_op(L, IOP_GC_STRUCT_GET, 1, storage_unpacked(st), imm, 1);
        return;
    }
    case OP_STRUCT_SET: {
        ValType st = t->types[in->b];
        imm[0] = gc_field_cell(t, in->b);
        imm[1] = st == ST_I8 ? 8 : st == ST_I16 ? 16 : 64;
        if (st == VT_V128)
            gc_op(L, IOP_GC_STRUCT_SET_V128, 2, 0, imm, 1);
        else
            gc_op(L, IOP_GC_STRUCT_SET, 2, 0, imm, 2);
        return;
    }
    case OP_ARRAY_NEW:
        imm[0] = in->a;
        imm[1] = t->types[0] == VT_V128;
        gc_op(L, IOP_GC_ARRAY_NEW, 2, VT_EXTERNREF, imm, 2);
        return;
    case OP_ARRAY_NEW_DEFAULT:
        imm[0] = in->a;
        gc_op(L, IOP_GC_ARRAY_NEW_DEFAULT, 1, VT_EXTERNREF, imm, 1);
        return;
    case OP_ARRAY_NEW_FIXED:
        imm[0] = in->b;
        imm[1] = in->a;
        gc_new_args(L, IOP_GC_ARRAY_NEW_FIXED, in->b, imm, 2);
        return;
    case OP_ARRAY_NEW_DATA:
    case OP_ARRAY_NEW_ELEM:
        imm[0] = in->a;
        imm[1] = in->b;
        gc_op(L, in->op == OP_ARRAY_NEW_DATA ? IOP_GC_ARRAY_NEW_DATA : IOP_GC_ARRAY_NEW_ELEM, 2,
              VT_EXTERNREF, imm, 2);
        return;
    case OP_ARRAY_GET:
    case OP_ARRAY_GET_S:
    case OP_ARRAY_GET_U:
        imm[0] = in->op == OP_ARRAY_GET_S;
        gc_op(L, IOP_GC_ARRAY_GET, 2, storage_unpacked(t->types[0]), imm, 1);
        return;
    case OP_ARRAY_SET:
        gc_op(L, IOP_GC_ARRAY_SET, 3, 0, imm, 0);
        return;
    case OP_ARRAY_LEN:
        gc_op(L, IOP_GC_ARRAY_LEN, 1, VT_I32, imm, 0);
        return;
    case OP_ARRAY_FILL:
        imm[0] = t->types[0] == VT_V128;
        gc_op(L, IOP_GC_ARRAY_FILL, 4, 0, imm, 1);
        return;
    case OP_ARRAY_COPY:
        gc_op(L, IOP_GC_ARRAY_COPY, 5, 0, imm, 0);
        return;
    case OP_ARRAY_INIT_DATA:
    case OP_ARRAY_INIT_ELEM:
        imm[0] = in->b;
        gc_op(L, in->op == OP_ARRAY_INIT_DATA ? IOP_GC_ARRAY_INIT_DATA : IOP_GC_ARRAY_INIT_ELEM,
              4, 0, imm, 1);
        return;
    case OP_REF_TEST:
    case OP_REF_TEST_NULL:
        imm[0] = gc_heap(m, in->a);
        imm[1] = in->op == OP_REF_TEST_NULL;
        gc_op(L, IOP_GC_REF_TEST, 1, VT_I32, imm, 2);
        return;
    case OP_REF_CAST:
    case OP_REF_CAST_NULL:
        EMIT(L, IOP_GC_REF_CAST, operand(L, L->h - 1), gc_heap(m, in->a),
             in->op == OP_REF_CAST_NULL);
        return;
    case OP_BR_ON_CAST:
    case OP_BR_ON_CAST_FAIL: {
        /* the test into an i32 (negated for br_on_cast_fail), then br_if */
        uint32_t ref = operand(L, L->h - 1);
        push_slot_wide(L, false);
        uint32_t pos = EMIT(L, IOP_GC_REF_TEST, temp(L, L->h - 1), ref, gc_heap(m, in->mem),
                            ((in->lane & 2) ? 1u : 0u) | (in->op == OP_BR_ON_CAST_FAIL ? 2u : 0u));
        set_producer(L, pos);
        op_br_if(L, in->a);
        return;
    }
    case OP_ANY_CONVERT_EXTERN:
    case OP_EXTERN_CONVERT_ANY:
        imm[0] = in->op == OP_ANY_CONVERT_EXTERN;
        gc_op(L, IOP_GC_CONVERT, 1, VT_EXTERNREF, imm, 1);
        return;
    case OP_REF_I31:
        gc_op(L, IOP_GC_REF_I31, 1, VT_EXTERNREF, imm, 0);
        return;
    case OP_I31_GET_S:
    case OP_I31_GET_U:
        imm[0] = in->op == OP_I31_GET_S;
        gc_op(L, IOP_GC_I31_GET, 1, VT_I32, imm, 1);
        return;
    case OP_REF_EQ:
        gc_op(L, IOP_GC_REF_EQ, 2, VT_I32, imm, 0);
        return;
    default:
        return;
    }
}

static int lower_instr(Lower *L, const Instr *in, bool *done)
{
    Op op = (Op)in->op;
    const Module *m = L->m;
    switch (op) {
    case OP_UNREACHABLE:
        emit(L, IOP_UNREACHABLE, 0, NULL);
        set_unreachable(L);
        return 0;
    case OP_NOP:
        return 0;
    case OP_BLOCK:
    case OP_LOOP:
    case OP_IF:
        return op_block(L, in);
    case OP_ELSE:
        op_else(L);
        return 0;
    case OP_END:
        *done = op_end(L);
        return 0;
    case OP_BR:
        op_br(L, in->a);
        return 0;
    case OP_BR_IF:
        op_br_if(L, in->a);
        return 0;
    case OP_BR_TABLE:
        op_br_table(L, in);
        return 0;
    case OP_RETURN:
        release_arms(L, L->nctl);
        emit_return(L);
        set_unreachable(L);
        return 0;
    case OP_CALL:
        op_call(L, in->a, m->types[m->func_types[in->a]], IOP_CALL, 0, 0);
        return 0;
    case OP_CALL_INDIRECT:
        if (table64(m, in->b))
            narrow_index(L, L->h - 1);
        op_call(L, 0, m->types[in->a], IOP_CALL_INDIRECT, in->a, in->b);
        return 0;
    case OP_RETURN_CALL:
        op_return_call(L, in->a, m->types[m->func_types[in->a]], IOP_RETURN_CALL, 0, 0);
        return 0;
    case OP_RETURN_CALL_INDIRECT:
        if (table64(m, in->b))
            narrow_index(L, L->h - 1);
        op_return_call(L, 0, m->types[in->a], IOP_RETURN_CALL_INDIRECT, in->a, in->b);
        return 0;
    case OP_CALL_REF:
        op_call(L, 0, m->types[in->a], IOP_CALL_REF, in->a, 0);
        return 0;
    case OP_RETURN_CALL_REF:
        op_return_call(L, 0, m->types[in->a], IOP_RETURN_CALL_REF, in->a, 0);
        return 0;
    case OP_BR_ON_NULL:
    case OP_BR_ON_NON_NULL:
        op_br_on_null(L, in->a, op == OP_BR_ON_NULL);
        return 0;
    case OP_REF_AS_NON_NULL:
        EMIT(L, IOP_REF_AS_NON_NULL, operand(L, L->h - 1));
        return 0;
    case OP_REF_EQ:
    case OP_STRUCT_NEW:
    case OP_STRUCT_NEW_DEFAULT:
    case OP_STRUCT_GET:
    case OP_STRUCT_GET_S:
    case OP_STRUCT_GET_U:
    case OP_STRUCT_SET:
    case OP_ARRAY_NEW:
    case OP_ARRAY_NEW_DEFAULT:
    case OP_ARRAY_NEW_FIXED:
    case OP_ARRAY_NEW_DATA:
    case OP_ARRAY_NEW_ELEM:
    case OP_ARRAY_GET:
    case OP_ARRAY_GET_S:
    case OP_ARRAY_GET_U:
    case OP_ARRAY_SET:
    case OP_ARRAY_LEN:
    case OP_ARRAY_FILL:
    case OP_ARRAY_COPY:
    case OP_ARRAY_INIT_DATA:
    case OP_ARRAY_INIT_ELEM:
    case OP_REF_TEST:
    case OP_REF_TEST_NULL:
    case OP_REF_CAST:
    case OP_REF_CAST_NULL:
    case OP_BR_ON_CAST:
    case OP_BR_ON_CAST_FAIL:
    case OP_ANY_CONVERT_EXTERN:
    case OP_EXTERN_CONVERT_ANY:
    case OP_REF_I31:
    case OP_I31_GET_S:
    case OP_I31_GET_U:
        op_gc(L, in);
        return 0;

    case OP_TRY_TABLE:
        return op_try_table(L, in);
    case OP_TRY:
        return op_try(L, in);
    case OP_CATCH:
    case OP_CATCH_ALL:
        op_catch(L, in);
        return 0;
    case OP_DELEGATE:
        op_delegate(L, in);
        return 0;
    case OP_THROW:
        op_throw(L, in->a);
        return 0;
    case OP_THROW_REF: {
        uint32_t a = operand(L, L->h - 1);
        pop(L);
        op_throw_ref(L, a);
        return 0;
    }
    case OP_RETHROW: {
        Ctl *c = ctl_at(L, in->a);
        op_throw_ref(L, temp(L, c->height));
        return 0;
    }
    case OP_REF_NULL:
        push_const(L, 0);
        return 0;
    case OP_REF_IS_NULL:
        produce(L, IOP_REF_IS_NULL, 1, 0, 0);
        return 0;
    case OP_REF_FUNC:
        produce(L, IOP_REF_FUNC, 0, in->a, 1);
        return 0;
    case OP_DROP:
        pop(L);
        return 0;
    case OP_SELECT:
    case OP_SELECT_T:
        if (L->stack[L->h - 2].wide) {
            produce_wide(L, IOP_V128_SELECT, 3, 0, 0, true);
        } else {
            bool ref = L->stack[L->h - 2].ref || L->stack[L->h - 3].ref;
            produce(L, IOP_SELECT, 3, 0, 0);
            set_top_ref(L, ref);
        }
        return 0;
    case OP_LOCAL_GET:
        note_local_read(L, in->a);
        push_local(L, in->a);
        return 0;
    case OP_LOCAL_SET:
    case OP_LOCAL_TEE:
        op_local_set(L, in->a, op == OP_LOCAL_TEE);
        note_local_write(L, in->a);
        return 0;
    case OP_GLOBAL_GET:
        if (m->globals[in->a].type.type == VT_V128)
            produce_wide(L, IOP_V128_GLOBAL_GET, 0, in->a, 1, true);
        else
            produce(L, IOP_GLOBAL_GET, 0, in->a, 1);
        set_top_ref(L, valtype_is_ref(m->globals[in->a].type.type));
        return 0;
    case OP_GLOBAL_SET: {
        uint32_t s;
        pop_operands(L, 1, &s);
        EMIT(L, m->globals[in->a].type.type == VT_V128 ? IOP_V128_GLOBAL_SET : IOP_GLOBAL_SET, s,
             in->a);
        return 0;
    }
    case OP_TABLE_GET:
        if (table64(m, in->a))
            narrow_indices(L, 1, 1);
        produce(L, IOP_TABLE_GET, 1, in->a, 1);
        set_top_ref(L, true);
        return 0;
    case OP_TABLE_SET:
        if (table64(m, in->a))
            narrow_indices(L, 2, 1);
        consume(L, IOP_TABLE_SET, 1, in->a, 0, 2);
        return 0;
    case OP_TABLE_SIZE:
        produce(L, IOP_TABLE_SIZE, 0, in->a, 1);
        return 0;
    case OP_TABLE_GROW:
        produce(L, table64(m, in->a) ? IOP_TABLE_GROW64 : IOP_TABLE_GROW, 2, in->a, 1);
        return 0;
    case OP_TABLE_FILL:
        if (table64(m, in->a))
            narrow_indices(L, 3, 1 | 4);
        consume(L, IOP_TABLE_FILL, 1, in->a, 0, 3);
        return 0;
    case OP_TABLE_COPY: {
        bool d64 = table64(m, in->a), s64 = table64(m, in->b);
        if (d64 || s64)
            narrow_indices(L, 3, (d64 ? 1 : 0) | (s64 ? 2 : 0) | (d64 && s64 ? 4 : 0));
        consume(L, IOP_TABLE_COPY, 2, in->a, in->b, 3);
        return 0;
    }
    case OP_TABLE_INIT:
        if (table64(m, in->b))
            narrow_indices(L, 3, 1);
        consume(L, IOP_TABLE_INIT, 2, in->b, in->a, 3);
        return 0;
    case OP_ELEM_DROP:
        EMIT(L, IOP_ELEM_DROP, in->a);
        return 0;
    case OP_MEMORY_SIZE:
        if (mem_fast(m, in->mem))
            produce(L, IOP_MEMORY_SIZE, 0, 0, 0);
        else
            produce(L, IOP_MEMORY_SIZE_M, 0, mem_word(m, in->mem), 1);
        return 0;
    case OP_MEMORY_GROW:
        if (mem_fast(m, in->mem))
            produce(L, IOP_MEMORY_GROW, 1, 0, 0);
        else
            produce(L, IOP_MEMORY_GROW_M, 1, mem_word(m, in->mem), 1);
        return 0;
    case OP_MEMORY_INIT:
        if (mem_fast(m, in->mem))
            consume(L, IOP_MEMORY_INIT, 1, in->a, 0, 3);
        else
            consume(L, IOP_MEMORY_INIT_M, 2, in->a, mem_word(m, in->mem), 3);
        return 0;
    case OP_DATA_DROP:
        EMIT(L, IOP_DATA_DROP, in->a);
        return 0;
    case OP_MEMORY_COPY:
        if (mem_fast(m, in->mem) && mem_fast(m, in->a))
            consume(L, IOP_MEMORY_COPY, 0, 0, 0, 3);
        else
            consume(L, IOP_MEMORY_COPY_M, 2, mem_word(m, in->mem), mem_word(m, in->a), 3);
        return 0;
    case OP_MEMORY_FILL:
        if (mem_fast(m, in->mem))
            consume(L, IOP_MEMORY_FILL, 0, 0, 0, 3);
        else
            consume(L, IOP_MEMORY_FILL_M, 1, mem_word(m, in->mem), 0, 3);
        return 0;
    case OP_I32_CONST:
        push_const(L, (uint32_t)in->imm);
        return 0;
    case OP_I64_CONST:
    case OP_F32_CONST:
    case OP_F64_CONST:
        push_const(L, in->imm);
        return 0;
    case OP_I32_REINTERPRET_F32:
    case OP_I64_REINTERPRET_F64:
    case OP_F32_REINTERPRET_I32:
    case OP_F64_REINTERPRET_I64:
        return 0; /* cells hold bits: nothing to do */
    default:
        break;
    }
    Iop iop = (Iop)L->maps->plain[op];
    if (iop == IOP_COUNT)
        return -1;
    uint8_t imm = op_info[op].imm;
    if ((imm == IMM_MEMARG || imm == IMM_MEMARG_LANE) && !mem_fast(m, in->mem)) {
        op_mem_m(L, in, (Iop)L->maps->mem[op]);
        return 0;
    }
    switch (iop_shape[iop]) {
    case SH_SIMD:
        op_simd(L, in, iop);
        return 0;
    case SH_UN:
        op_unary(L, op);
        return 0;
    case SH_BIN:
        op_binary(L, op);
        return 0;
    case SH_LOAD:
        if (!fuse_load(L, op, in->b))
            produce(L, iop, 1, in->b, 1);
        return 0;
    case SH_STORE: {
        uint32_t ops[3];
        const AVal *v = &L->stack[L->h - 1];
        Iop si = (Iop)L->maps->imm[op];
        if (v->kind == V_CONST && (int64_t)v->k == (int64_t)(int32_t)(uint32_t)v->k) {
            iop = si; /* the value as a sign-extended immediate */
            ops[1] = (uint32_t)v->k;
            pop(L);
            pop_operands(L, 1, ops);
        } else if (v->kind == V_CONST && (iop == IOP_I32_STORE || op == OP_I32_STORE8 ||
                                          op == OP_I32_STORE16)) {
            iop = si; /* i32 stores only use the low 32 bits */
            ops[1] = (uint32_t)v->k;
            pop(L);
            pop_operands(L, 1, ops);
        } else {
            pop_operands(L, 2, ops);
        }
        ops[2] = in->b;
        emit(L, iop, 3, ops);
        return 0;
    }
    default:
        return -1;
    }
}

/* ---- functions ----------------------------------------------------------------------- */

/* The function's first instruction, a ZERO emitted before the body, gets the range of
 * locals to zero (note_local_read), or is removed when there are none: most functions
 * then pay nothing for zeroing. Branch offsets are relative, so moving the code is safe. */
static void place_zero(Lower *L, uint32_t nzero)
{
    if (L->oom || L->nstarts == 0 || L->starts[0] != 0)
        return;
    if (nzero) {
        L->code[2] = local_slot(L, L->zero_lo);
        L->code[3] = L->local_cell[L->zero_hi] - L->local_cell[L->zero_lo];
        return;
    }
    uint32_t w = IOP_LEN_ZERO;
    memmove(L->code, L->code + w, (size_t)(L->len - w) * sizeof *L->code);
    L->len -= w;
    memmove(L->starts, L->starts + 1, (size_t)(L->nstarts - 1) * sizeof *L->starts);
    L->nstarts--;
    for (uint32_t i = 0; i < L->nstarts; i++)
        L->starts[i] -= w;
    uint32_t drop = L->nmap > 1 && L->map[1].code == w; /* an entry of the ZERO's own */
    memmove(L->map, L->map + drop, (size_t)(L->nmap - drop) * sizeof *L->map);
    L->nmap -= drop;
    for (uint32_t i = 1; i < L->nmap; i++)
        L->map[i].code -= w;
    for (uint32_t i = 0; i < L->nosr; i++)
        L->osr[i].code -= w; /* every label follows the ZERO */
    for (uint32_t i = 0; i < L->nsafe; i++)
        L->safe[i].key -= w << 1; /* and every safepoint */
    for (uint32_t i = 0; i < L->nhand; i++) { /* and every handler */
        L->hand[i].start -= w;
        L->hand[i].end -= w;
    }
    for (uint32_t i = 0; i < L->ncl; i++) {
        if (L->cl[i].target != EH_NONE)
            L->cl[i].target -= w;
        if (L->cl[i].arm_end != EH_NONE)
            L->cl[i].arm_end -= w;
    }
    if (L->nmap)
        L->map[0].code = 0;
}

/* Clauses that branch to the function's label return: the payload, in cells 0.., is the
 * function's results. They continue at a RETURN at the end of the code. */
static void finish_handlers(Lower *L)
{
    uint32_t ret = NONE;
    for (uint32_t i = 0; i < L->ncl; i++) {
        if (L->cl[i].target != EH_NONE)
            continue;
        if (ret == NONE)
            ret = place_label(L), emit(L, IOP_RETURN, 0, NULL);
        L->cl[i].target = ret;
    }
}

static void link_code(Lower *L)
{
    const void *const *handlers = interp_handler_table();
    if (!handlers)
        return;
    for (uint32_t i = 0; i < L->nstarts; i++) {
        uint32_t pos = L->starts[i];
        uint64_t hw = (uint64_t)(uintptr_t)handlers[code_op(L, pos)];
        memcpy(&L->code[pos], &hw, 8);
    }
}

static void lower_release(Lower *L)
{
    free(L->code);
    free(L->starts);
    free(L->map);
    free(L->osr);
    free(L->safe);
    free(L->sbits);
    free(L->scratch);
    free(L->local_ref);
    free(L->stack);
    free(L->local_refs);
    free(L->local_cell);
    free(L->written);
    free(L->wlog);
    free(L->ctl);
    free(L->fix);
    free(L->stub);
    free(L->hand);
    free(L->cl);
    free(L->clfix);
}

static int fail(DecodeError *err, size_t off, uint32_t func, const char *msg)
{
    err->msg = msg;
    err->offset = off;
    err->func = func;
    return -1;
}

/* The frame's layout of locals: a prefix sum of their cells (v128s take two). */
static void set_local_cells(Lower *L, const FuncType *ft, const Code *code)
{
    uint32_t i = 0, cell = 0;
    for (; i < ft->nparams; i++) {
        L->local_cell[i] = cell;
        L->local_ref[i] = valtype_is_ref(ft_params(ft)[i]);
        cell += valtype_cells(ft_params(ft)[i]);
    }
    for (uint32_t d = 0; d < code->ndecls; d++) {
        uint32_t w = valtype_cells(code->decls[d].type);
        for (uint32_t k = 0; k < code->decls[d].count; k++, i++) {
            L->local_cell[i] = cell;
            L->local_ref[i] = valtype_is_ref(code->decls[d].type);
            cell += w;
        }
    }
    L->local_cell[i] = cell;
    L->nlocal_cells = cell;
}

static int lower_func(const Module *m, const OpMaps *maps, uint32_t ci, LoweredFunc **out,
                      DecodeError *err)
{
    const Code *code = &m->codes[ci];
    uint32_t fidx = m->nfunc_imports + ci;
    const FuncType *ft = m->types[m->func_types[fidx]];
    Lower L;
    memset(&L, 0, sizeof L);
    L.m = m;
    L.maps = maps;
    L.func_index = fidx;
    L.nlocals = ft->nparams + code->nlocals;
    L.nresults = ft->nresults;
    L.rtypes = ft_results(ft);
    L.last_start = NONE;
    L.arm_top = NONE;
    L.local_refs = calloc((size_t)L.nlocals + 1, sizeof *L.local_refs);
    L.written = calloc((size_t)L.nlocals + 1, 1);
    L.wlog = malloc(((size_t)L.nlocals + 1) * sizeof *L.wlog);
    L.local_cell = malloc(((size_t)L.nlocals + 1) * sizeof *L.local_cell);
    L.local_ref = calloc((size_t)L.nlocals + 1, 1);
    L.gc = atomic_load_explicit(&m->features_used, memory_order_relaxed) & CORRAL_FEATURE_GC;
    if (!L.local_refs || !L.written || !L.wlog || !L.local_cell || !L.local_ref ||
        !push_ctl(&L, C_FUNC, 0, NULL, ft->nresults, ft_results(ft))) {
        lower_release(&L);
        return fail(err, code->body_start, fidx, "out of memory");
    }
    set_local_cells(&L, ft, code);
    memset(L.written, 1, ft->nparams); /* params hold the arguments: never zeroed */
    Reader r;
    rd_init(&r, m->bytes, code->body_end);
    r.p = m->bytes + code->body_start;
    L.cur_off = code->body_start;
    EMIT(&L, IOP_ZERO, 0, 0); /* operands set, or the instruction dropped, at the end */
    bool done = false;
    uint32_t skip = 0;   /* nesting depth inside dead code */
    uint32_t ninstr = 0; /* instructions read, dead code included: fuel counts them all */
    while (!done && !L.oom) {
        Instr in;
        if (instr_read(&r, &in) != RD_OK) {
            lower_release(&L);
            return fail(err, r.err_off, fidx, r.err ? r.err : "unexpected end");
        }
        L.cur_off = (uint32_t)in.off;
        L.ninstr = ninstr++;
        if (ctl_at(&L, 0)->unreachable) {
            if (in.op == OP_BLOCK || in.op == OP_LOOP || in.op == OP_IF || in.op == OP_TRY ||
                in.op == OP_TRY_TABLE) {
                skip++;
                continue;
            }
            if (skip && (in.op == OP_END || in.op == OP_DELEGATE)) {
                skip--;
                continue;
            }
            if (skip || (in.op != OP_END && in.op != OP_ELSE && in.op != OP_CATCH &&
                         in.op != OP_CATCH_ALL && in.op != OP_DELEGATE))
                continue;
        }
        if (in.op == OP_BR_TABLE && !L.stub) {
            L.stub = malloc(sizeof *L.stub * ((size_t)code->body_end - code->body_start + 1));
            if (!L.stub)
                L.oom = true;
        }
        if (!L.oom && lower_instr(&L, &in, &done) != 0) {
            lower_release(&L);
            return fail(err, in.off, fidx, "unsupported instruction");
        }
    }
    if (L.oom) {
        lower_release(&L);
        return fail(err, code->body_start, fidx, "out of memory");
    }
    uint64_t frame = (uint64_t)L.nlocal_cells + L.maxc;
    uint32_t result_cells = valtypes_cells(ft_results(ft), ft->nresults);
    if (frame < result_cells)
        frame = result_cells;
    uint32_t nzero = L.zero_lo < L.zero_hi ? L.zero_hi - L.zero_lo : 0;
    uint32_t zero_cell = nzero ? L.local_cell[L.zero_lo] : 0;
    /* GC: the declared locals are zeroed on entry (not only those read before written), as
     * the stack maps name every local of reference type at every safepoint; the temps need
     * not be, as the maps name only temps written (docs/design/gc.md) */
    uint32_t gc_from = L.local_cell[ft->nparams], gc_cells = 0;
    if (L.gc && L.nlocal_cells > gc_from) {
        gc_cells = L.nlocal_cells - gc_from;
        zero_cell = gc_from;
    }
    if ((nzero || gc_cells) && frame < (uint64_t)zero_cell + 4)
        frame = (uint64_t)zero_cell + 4; /* interp.c zeroes 1-4 cells as 4 cells */
    if (frame > LOWER_MAX_FRAME_CELLS) {
        lower_release(&L);
        return fail(err, code->body_start, fidx, "function frame too large");
    }
    if (gc_cells && !L.oom && L.nstarts && L.starts[0] == 0) {
        L.code[2] = gc_from * 8u;
        L.code[3] = gc_cells;
    } else {
        place_zero(&L, nzero);
    }
    finish_handlers(&L);
    link_code(&L);
    LoweredFunc *lf = calloc(1, sizeof *lf);
    if (!lf) {
        lower_release(&L);
        return fail(err, code->body_start, fidx, "out of memory");
    }
    lf->code = L.code;
    lf->code_len = L.len;
    lf->nparams = ft->nparams;
    lf->nresults = ft->nresults;
    lf->nlocals = L.nlocals;
    lf->frame_cells = (uint32_t)frame;
    lf->func_index = fidx;
    lf->fuel = fuel_charge(ninstr);
    lf->map = L.map;
    lf->nmap = L.nmap;
    lf->osr = L.osr;
    lf->nosr = L.nosr;
    lf->nhandlers = L.nhand;
    lf->handlers = L.hand;
    lf->clauses = L.cl;
    lf->gc_maps = L.gc;
    lf->nsafe = L.nsafe;
    lf->safe = L.safe;
    lf->safe_bits = L.sbits;
    L.safe = NULL;
    L.sbits = NULL;
    L.code = NULL;
    L.map = NULL;
    L.osr = NULL;
    L.hand = NULL;
    L.cl = NULL;
    lower_release(&L);
    *out = lf;
    return 0;
}

/* The opcode maps are constant once built: one copy for every module and thread. */
static OpMaps op_maps;
static once_flag op_maps_once = ONCE_FLAG_INIT;

static void build_op_maps(void) { build_maps(&op_maps); }

int lower_module(Module *m, DecodeError *err)
{
    m->lowered = calloc(m->ncodes ? m->ncodes : 1, sizeof *m->lowered);
    if (!m->lowered)
        return fail(err, 0, UINT32_MAX, "out of memory");
    return 0;
}

const LoweredFunc *lower_get(const Module *m, uint32_t ci, const char **out_err)
{
    LoweredFunc *lf = atomic_load_explicit(&m->lowered[ci], memory_order_acquire);
    if (lf)
        return lf;
    call_once(&op_maps_once, build_op_maps);
    DecodeError err = {.msg = NULL};
    if (lower_func(m, &op_maps, ci, &lf, &err) != 0) {
        *out_err = err.msg;
        return NULL;
    }
    /* Another thread may have lowered the same function meanwhile: the first one stored
     * wins, and this copy (identical code) is dropped. */
    LoweredFunc *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(&m->lowered[ci], &expected, lf,
                                                 memory_order_acq_rel, memory_order_acquire)) {
        free(lf->code);
        free(lf->map);
        free(lf->osr);
        free(lf->safe);
        free(lf->safe_bits);
        free(lf->handlers);
        free(lf->clauses);
        free(lf);
        return expected;
    }
    return lf;
}

const LoweredFunc *lower_peek(const Module *m, uint32_t ci)
{
    LoweredFunc *lf = atomic_load_explicit(&m->lowered[ci], memory_order_acquire);
    return lf ? lf : lower_stub();
}

/* The stub's code is one LAZY instruction, linked like any other code. */
static uint32_t stub_code[IOP_WORDS(0)] __attribute__((aligned(8)));
static LoweredFunc stub;
static once_flag stub_once = ONCE_FLAG_INIT;

static void build_stub(void)
{
    const void *const *handlers = interp_handler_table();
    uint64_t hw = handlers ? (uint64_t)(uintptr_t)handlers[IOP_LAZY] : (uint64_t)IOP_LAZY;
    memcpy(stub_code, &hw, 8);
    stub.code = stub_code;
    stub.code_len = IOP_WORDS(0);
    stub.func_index = UINT32_MAX;
}

const LoweredFunc *lower_stub(void)
{
    call_once(&stub_once, build_stub);
    return &stub;
}

void lowered_free(Module *m)
{
    if (!m || !m->lowered)
        return;
    for (uint32_t i = 0; i < m->ncodes; i++) {
        LoweredFunc *lf = atomic_load_explicit(&m->lowered[i], memory_order_relaxed);
        if (!lf)
            continue;
        free(lf->code);
        free(lf->map);
        free(lf->osr);
        free(lf->safe);
        free(lf->safe_bits);
        free(lf->handlers);
        free(lf->clauses);
        free(lf);
    }
    free(m->lowered);
    m->lowered = NULL;
}

uint32_t lowered_osr_loop(const LoweredFunc *lf, uint32_t pos)
{
    uint32_t lo = 0, hi = lf->nosr;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (lf->osr[mid].code == pos)
            return lf->osr[mid].wasm;
        if (lf->osr[mid].code < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return UINT32_MAX;
}

uint32_t lowered_wasm_offset(const LoweredFunc *lf, uint32_t pos)
{
    uint32_t lo = 0, hi = lf->nmap;
    if (!hi)
        return 0;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (lf->map[mid].code <= pos)
            lo = mid;
        else
            hi = mid;
    }
    return lf->map[lo].wasm;
}


/* ---- debugging ------------------------------------------------------------------------ */

static Iop op_at(const LoweredFunc *lf, uint32_t pos)
{
    uint64_t hw;
    memcpy(&hw, &lf->code[pos], 8);
    const void *const *handlers = interp_handler_table();
    if (!handlers)
        return hw < IOP_COUNT ? (Iop)hw : IOP_COUNT;
    for (int i = 0; i < IOP_COUNT; i++)
        if ((uint64_t)(uintptr_t)handlers[i] == hw)
            return (Iop)i;
    return IOP_COUNT;
}

void lowered_dump(const LoweredFunc *lf, FILE *out)
{
    fprintf(out, "func %u: params %u results %u locals %u frame %u cells, %u words\n",
            lf->func_index, lf->nparams, lf->nresults, lf->nlocals, lf->frame_cells,
            lf->code_len);
    for (uint32_t pos = 0; pos < lf->code_len;) {
        Iop op = op_at(lf, pos);
        if (op == IOP_COUNT) {
            fprintf(out, "  %5u  ???\n", pos);
            return;
        }
        int n = iop_nops[op] < 0 ? (int)lf->code[pos + 3] + 3 : iop_nops[op];
        fprintf(out, "  %5u  %-16s", pos, iop_names[op]);
        for (int k = 0; k < n; k++)
            fprintf(out, " %d", (int32_t)lf->code[pos + 2 + k]);
        fprintf(out, "\n");
        pos += IOP_WORDS(n);
    }
}

const uint32_t *lowered_stack_map(const LoweredFunc *lf, uint32_t pos, bool call,
                                  uint32_t *out_ncells)
{
    uint32_t key = pos << 1 | (uint32_t)!call, lo = 0, hi = lf->nsafe;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (lf->safe[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == lf->nsafe || lf->safe[lo].key != key)
        return NULL;
    *out_ncells = lf->safe[lo].ncells;
    return lf->safe_bits + lf->safe[lo].bits;
}
