/* emit_c.c: writes a validated Module as C (see emit_c.h). One `static` C function per Wasm
 * function; the operand stack becomes numbered temporaries named by type and depth (i3 is
 * the i32 at depth 3; function N is fnN, local N is lN), so every branch target finds its values in the same variables and
 * GCC's SSA pass removes the copies. Blocks, loops and ifs become labels and gotos.
 * Numeric operations call numeric.h and SIMD ones simd.h (the interpreter's own definitions),
 * never re-derive them.
 * Must not: know about compilers, artifacts, or the engine's runtime structures. */
#include "emit_c.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/instr.h"
#include "../engine/lower.h"
#include "../engine/native_abi.h"

/* ---- a growable text buffer ---------------------------------------------------------- */

typedef struct Buf {
    char *p;
    size_t len, cap;
    bool oom;
} Buf;

static void bprintf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    if (b->oom)
        return;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

/* ---- value types in C ----------------------------------------------------------------- */
/* f32/f64 values are C float/double (so GCC keeps them in vector registers); numeric.h works
 * on bit patterns, so operations wrap its calls in f32_bits/f32_from_bits, which compile to
 * nothing. Copying a float never changes its bits on the targets Corral supports (SSE). */

static const char *ctype(ValType t)
{
    switch (t) {
    case VT_I32: return "uint32_t";
    case VT_F32: return "float";
    case VT_F64: return "double";
    case VT_V128: return "V128";
    default: return "uint64_t"; /* i64, funcref, externref */
    }
}

/* The initializer of a zero of type t. */
static const char *czero(ValType t) { return t == VT_V128 ? "{{0}}" : "0"; }

/* The letter naming a temporary of type t: i3 is the i32 at depth 3. */
static char tletter(ValType t)
{
    switch (t) {
    case VT_I32: return 'i';
    case VT_I64: return 'j';
    case VT_F32: return 'f';
    case VT_F64: return 'd';
    case VT_V128: return 'v';
    default: return 'r';
    }
}

static int tclass(ValType t)
{
    switch (t) {
    case VT_I32: return 0;
    case VT_I64: return 1;
    case VT_F32: return 2;
    case VT_F64: return 3;
    case VT_V128: return 5;
    default: return 4;
    }
}
enum { NCLASS = 6 };

/* "raw bits (uint64_t) to a C value" and back, for globals and trampolines (scalars; a v128
 * takes two cells: from_cell and to_cell). */
static void from_bits(Buf *b, ValType t, const char *x)
{
    switch (t) {
    case VT_I32: bprintf(b, "(uint32_t)(%s)", x); break;
    case VT_F32: bprintf(b, "f32_from_bits((uint32_t)(%s))", x); break;
    case VT_F64: bprintf(b, "f64_from_bits(%s)", x); break;
    default: bprintf(b, "(%s)", x); break;
    }
}
static void to_bits(Buf *b, ValType t, const char *x)
{
    switch (t) {
    case VT_F32: bprintf(b, "(uint64_t)f32_bits(%s)", x); break;
    case VT_F64: bprintf(b, "f64_bits(%s)", x); break;
    default: bprintf(b, "(uint64_t)(%s)", x); break;
    }
}

/* The value of type t in the cells of array arr from cell k on (an expression), and the
 * statement that stores x there: the engine's cell layout (a v128 in two cells). */
static void from_cell(Buf *b, ValType t, const char *arr, uint32_t k)
{
    char cell[48];
    snprintf(cell, sizeof cell, "%s[%u]", arr, (unsigned)k);
    if (t == VT_V128)
        bprintf(b, "v128_load(&%s)", cell);
    else
        from_bits(b, t, cell);
}
static void to_cell(Buf *b, ValType t, const char *arr, uint32_t k, const char *x)
{
    if (t == VT_V128) {
        bprintf(b, "v128_store(&%s[%u], %s);", arr, (unsigned)k, x);
        return;
    }
    bprintf(b, "%s[%u] = ", arr, (unsigned)k);
    to_bits(b, t, x);
    bprintf(b, ";");
}

/* ---- per-module and per-function state ------------------------------------------------ */

enum { FR_FUNC, FR_BLOCK, FR_LOOP, FR_IF };

typedef struct Frame {
    uint8_t kind;
    bool has_else;
    uint32_t label;
    uint32_t height; /* stack height below the block's params */
    uint32_t nparams, nresults;
    uint32_t cost; /* FR_LOOP: the fuel a taken back-edge charges */
    const ValType *params, *results; /* into a FuncType, or &single */
    ValType single;
} Frame;

typedef struct Fn {
    const Module *m;
    const uint32_t *canon; /* canonical type index per type index */
    Buf *b;
    ValType *stack;
    uint32_t sp, stack_cap;
    uint32_t maxd[NCLASS]; /* per tclass: 1 + deepest temporary used */
    Frame *frames;
    uint32_t nframes, frames_cap;
    uint32_t next_label;
    uint32_t ftype; /* type index of the function being emitted */
    ValType *locals;
    uint32_t nlocals;
    uint32_t *loop_costs; /* per loop of the body, in order of appearance (dead ones too) */
    uint32_t nloops;      /* loops read so far */
    size_t cur_off;       /* offset of the instruction being emitted */
    bool checks;          /* explicit bounds and stack checks (no guard regions) */
    bool fuel;            /* count fuel (CC_FLAG_FUEL), else poll for interrupts */
    bool emit_osr;        /* emit entries at loops in this function */
    bool osr_all;         /* EMIT_OSR without a pick: entries in every function */
    const uint8_t *entries; /* per defined function: EMIT_ENTRY_* (emit_c_module_entries) */
    uint16_t next_op;     /* the opcode after the instruction being emitted */
    bool tick_local;      /* the fuel slice is in the local tk (loops and no calls) */
    uint32_t ncalls;      /* calls in the body (fuel_costs) */
    uint8_t *has_loop;    /* per defined function: its body has a loop */
    uint8_t *has_osr;     /* per defined function: it has an entry at a loop (fnN_osr) */
    uint32_t *osr;        /* this body's entry loops: pairs (Wasm offset, label) */
    uint32_t nosr, osr_cap;
    bool oom;
} Fn;

static void push(Fn *f, ValType t)
{
    if (f->sp == f->stack_cap) {
        uint32_t cap = f->stack_cap ? f->stack_cap * 2 : 64;
        ValType *s = realloc(f->stack, (size_t)cap * sizeof *s);
        if (!s) {
            f->oom = true;
            return;
        }
        f->stack = s;
        f->stack_cap = cap;
    }
    f->stack[f->sp] = t;
    int k = tclass(t);
    if (f->sp + 1 > f->maxd[k])
        f->maxd[k] = f->sp + 1;
    f->sp++;
}

/* Name of the temporary at depth d (which must hold a value). */
typedef struct Var {
    char s[16];
} Var;
static Var var_at(const Fn *f, uint32_t d)
{
    Var v;
    snprintf(v.s, sizeof v.s, "%c%u", tletter(f->stack[d]), (unsigned)d);
    return v;
}
static Var var_typed(ValType t, uint32_t d)
{
    Var v;
    snprintf(v.s, sizeof v.s, "%c%u", tletter(t), (unsigned)d);
    return v;
}
/* Pops the top value; returns its temporary's name. */
static Var pop(Fn *f)
{
    f->sp--;
    return var_at(f, f->sp);
}

static void blocktype(const Module *m, int64_t bt, Frame *fr)
{
    fr->nparams = fr->nresults = 0;
    fr->params = fr->results = NULL;
    if (bt == BT_EMPTY)
        return;
    if (bt < 0) {
        fr->single = (ValType)(0x80 + bt);
        fr->nresults = 1;
        return;
    }
    const FuncType *t = m->types[bt];
    fr->nparams = t->nparams;
    fr->nresults = t->nresults;
    fr->params = ft_params(t);
    fr->results = ft_results(t);
}
static const ValType *fr_results(const Frame *fr)
{
    return fr->results ? fr->results : &fr->single;
}

static Frame *push_frame(Fn *f, uint8_t kind, int64_t bt)
{
    if (f->nframes == f->frames_cap) {
        uint32_t cap = f->frames_cap ? f->frames_cap * 2 : 16;
        Frame *p = realloc(f->frames, cap * sizeof *p);
        if (!p) {
            f->oom = true;
            return NULL;
        }
        f->frames = p;
        f->frames_cap = cap;
    }
    Frame *fr = &f->frames[f->nframes++];
    memset(fr, 0, sizeof *fr);
    fr->kind = kind;
    if (kind != FR_FUNC)
        blocktype(f->m, bt, fr);
    fr->label = f->next_label++;
    fr->height = f->sp - fr->nparams;
    if (kind == FR_LOOP)
        fr->cost = f->loop_costs[f->nloops - 1];
    return fr;
}

/* Moves the values a branch to frame fr carries into that frame's temporaries and jumps. */
static void branch(Fn *f, uint32_t depth)
{
    Frame *fr = &f->frames[f->nframes - 1 - depth];
    if (fr->kind == FR_LOOP && !f->fuel && !f->checks)
        bprintf(f->b, "CC_POLL_READ(); ");
    else if (fr->kind == FR_LOOP && !f->fuel)
        bprintf(f->b, "CC_POLL(%zuu); ", f->cur_off);
    else if (fr->kind == FR_LOOP)
        bprintf(f->b, f->tick_local ? "CC_CHARGE(%u, %zuu); "
                                    : "if (CC_UNLIKELY((c->tick -= %u) < 0)) c->rt->fuel(c, %zuu); ",
                (unsigned)fr->cost, f->cur_off);
    uint32_t n = fr->kind == FR_LOOP ? fr->nparams : fr->nresults;
    const ValType *ts = fr->kind == FR_LOOP ? fr->params : fr_results(fr);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t from = f->sp - n + i, to = fr->height + i;
        if (from != to)
            bprintf(f->b, "%s = %s; ", var_typed(ts[i], to).s, var_at(f, from).s);
    }
    bprintf(f->b, "goto L%u;\n", (unsigned)fr->label);
}

/* ---- numeric instructions ------------------------------------------------------------- */
/* Templates for the operations numeric.h leaves to C operators: @ is the first operand, # the
 * second. Every other operation with a fixed signature calls num_<name> from numeric.h. */
typedef struct Tmpl {
    uint16_t op;
    const char *text;
} Tmpl;

static const Tmpl tmpls[] = {
    {OP_I32_EQZ, "(uint32_t)(@ == 0)"},  {OP_I32_EQ, "(uint32_t)(@ == #)"},
    {OP_I32_NE, "(uint32_t)(@ != #)"},   {OP_I32_LT_U, "(uint32_t)(@ < #)"},
    {OP_I32_GT_U, "(uint32_t)(@ > #)"},  {OP_I32_LE_U, "(uint32_t)(@ <= #)"},
    {OP_I32_GE_U, "(uint32_t)(@ >= #)"}, {OP_I32_GT_S, "(uint32_t)num_i32_lt_s(#, @)"},
    {OP_I32_LE_S, "(uint32_t)!num_i32_lt_s(#, @)"},
    {OP_I32_GE_S, "(uint32_t)!num_i32_lt_s(@, #)"},
    {OP_I32_ADD, "@ + #"},   {OP_I32_SUB, "@ - #"},   {OP_I32_MUL, "@ * #"},
    {OP_I32_AND, "@ & #"},   {OP_I32_OR, "@ | #"},    {OP_I32_XOR, "@ ^ #"},
    {OP_I64_EQZ, "(uint32_t)(@ == 0)"},  {OP_I64_EQ, "(uint32_t)(@ == #)"},
    {OP_I64_NE, "(uint32_t)(@ != #)"},   {OP_I64_LT_U, "(uint32_t)(@ < #)"},
    {OP_I64_GT_U, "(uint32_t)(@ > #)"},  {OP_I64_LE_U, "(uint32_t)(@ <= #)"},
    {OP_I64_GE_U, "(uint32_t)(@ >= #)"}, {OP_I64_GT_S, "(uint32_t)num_i64_lt_s(#, @)"},
    {OP_I64_LE_S, "(uint32_t)!num_i64_lt_s(#, @)"},
    {OP_I64_GE_S, "(uint32_t)!num_i64_lt_s(@, #)"},
    {OP_I64_ADD, "@ + #"},   {OP_I64_SUB, "@ - #"},   {OP_I64_MUL, "@ * #"},
    {OP_I64_AND, "@ & #"},   {OP_I64_OR, "@ | #"},    {OP_I64_XOR, "@ ^ #"},
    {OP_I32_WRAP_I64, "(uint32_t)@"},
    {OP_I64_EXTEND_I32_S, "(uint64_t)(int64_t)(int32_t)@"},
    {OP_I64_EXTEND_I32_U, "(uint64_t)@"},
    {OP_I32_REINTERPRET_F32, "f32_bits(@)"}, {OP_I64_REINTERPRET_F64, "f64_bits(@)"},
    {OP_F32_REINTERPRET_I32, "f32_from_bits(@)"}, {OP_F64_REINTERPRET_I64, "f64_from_bits(@)"},
};

static ValType letter_type(char c) { return valtype_from_letter(c); }

static bool traps_numerically(uint16_t op)
{
    return (op >= OP_I32_DIV_S && op <= OP_I32_REM_U) || (op >= OP_I64_DIV_S && op <= OP_I64_REM_U) ||
           (op >= OP_I32_TRUNC_F32_S && op <= OP_I32_TRUNC_F64_U) ||
           (op >= OP_I64_TRUNC_F32_S && op <= OP_I64_TRUNC_F64_U);
}

/* An operand as numeric.h wants it (bits for floats). */
static void operand(Buf *b, char letter, const char *v)
{
    if (letter == 'f')
        bprintf(b, "f32_bits(%s)", v);
    else if (letter == 'F')
        bprintf(b, "f64_bits(%s)", v);
    else
        bprintf(b, "%s", v);
}

static void emit_numeric(Fn *f, const Instr *in)
{
    const OpInfo *oi = &op_info[in->op];
    size_t np = strlen(oi->params);
    Var a = {{0}}, bv = {{0}};
    if (np == 2)
        bv = pop(f);
    a = pop(f);
    char rl = oi->results[0];
    push(f, letter_type(rl));
    Var dst = var_at(f, f->sp - 1);
    char fn[48];
    snprintf(fn, sizeof fn, "num_%s", oi->name);
    for (char *p = fn; *p; p++)
        if (*p == '.')
            *p = '_';
    for (size_t i = 0; i < sizeof tmpls / sizeof tmpls[0]; i++) {
        if (tmpls[i].op != in->op)
            continue;
        bprintf(f->b, "%s = ", dst.s);
        for (const char *p = tmpls[i].text; *p; p++) {
            if (*p == '@')
                bprintf(f->b, "%s", a.s);
            else if (*p == '#')
                bprintf(f->b, "%s", bv.s);
            else
                bprintf(f->b, "%c", *p);
        }
        bprintf(f->b, ";\n");
        return;
    }
    if (traps_numerically(in->op)) {
        /* numeric.h writes an integer result through a pointer; the trap code is its NumTrap */
        const char *it = rl == 'i' ? "uint32_t" : "uint64_t";
        bprintf(f->b, "{ %s r_; NumTrap t_ = %s(", it, fn);
        operand(f->b, oi->params[0], a.s);
        if (np == 2) {
            bprintf(f->b, ", ");
            operand(f->b, oi->params[1], bv.s);
        }
        bprintf(f->b, ", &r_); if (CC_UNLIKELY(t_)) c->rt->trap(c, t_, %zuu); %s = r_; }\n",
                in->off, dst.s);
        return;
    }
    bprintf(f->b, "%s = %s(%s(", dst.s,
            rl == 'f' ? "f32_from_bits" : rl == 'F' ? "f64_from_bits" : rl == 'i' ? "(uint32_t)" : "(uint64_t)",
            fn);
    operand(f->b, oi->params[0], a.s);
    if (np == 2) {
        bprintf(f->b, ", ");
        operand(f->b, oi->params[1], bv.s);
    }
    bprintf(f->b, "));\n");
}

/* ---- memory access -------------------------------------------------------------------- */
/* $ stands for the effective address (a uint8_t pointer), @ for the stored value. */
typedef struct MemOp {
    uint16_t op;
    uint8_t bytes;
    const char *text;
} MemOp;

static const MemOp memops[] = {
    {OP_I32_LOAD, 4, "ld_u32($)"},
    {OP_I64_LOAD, 8, "ld_u64($)"},
    {OP_F32_LOAD, 4, "f32_from_bits(ld_u32($))"},
    {OP_F64_LOAD, 8, "f64_from_bits(ld_u64($))"},
    {OP_I32_LOAD8_S, 1, "(uint32_t)(int32_t)(int8_t)ld_u8($)"},
    {OP_I32_LOAD8_U, 1, "(uint32_t)ld_u8($)"},
    {OP_I32_LOAD16_S, 2, "(uint32_t)(int32_t)(int16_t)ld_u16($)"},
    {OP_I32_LOAD16_U, 2, "(uint32_t)ld_u16($)"},
    {OP_I64_LOAD8_S, 1, "(uint64_t)(int64_t)(int8_t)ld_u8($)"},
    {OP_I64_LOAD8_U, 1, "(uint64_t)ld_u8($)"},
    {OP_I64_LOAD16_S, 2, "(uint64_t)(int64_t)(int16_t)ld_u16($)"},
    {OP_I64_LOAD16_U, 2, "(uint64_t)ld_u16($)"},
    {OP_I64_LOAD32_S, 4, "(uint64_t)(int64_t)(int32_t)ld_u32($)"},
    {OP_I64_LOAD32_U, 4, "(uint64_t)ld_u32($)"},
    {OP_I32_STORE, 4, "st_u32($, @)"},
    {OP_I64_STORE, 8, "st_u64($, @)"},
    {OP_F32_STORE, 4, "st_u32($, f32_bits(@))"},
    {OP_F64_STORE, 8, "st_u64($, f64_bits(@))"},
    {OP_I32_STORE8, 1, "st_u8($, (uint8_t)@)"},
    {OP_I32_STORE16, 2, "st_u16($, (uint16_t)@)"},
    {OP_I64_STORE8, 1, "st_u8($, (uint8_t)@)"},
    {OP_I64_STORE16, 2, "st_u16($, (uint16_t)@)"},
    {OP_I64_STORE32, 4, "st_u32($, (uint32_t)@)"},
};

/* The effective address of a memory access of n bytes at addr plus the memarg's offset, into
 * ea (64-bit arithmetic, so the sum cannot wrap), after its bounds check: memory 0's in the
 * explicit-bounds-check mode only (else its guard region faults), every other memory's
 * always (multiple memories: the guard region the fault handler knows is memory 0's). Those
 * are read through c->mems at each access, so a grow or a call needs no reload. */
static void mem_ea(Fn *f, const Instr *in, const char *addr, unsigned n, char *ea, size_t cap)
{
    if (in->mem == 0) {
        if (f->checks)
            bprintf(f->b, "if (CC_UNLIKELY((uint64_t)%s + %uu + %u > msize)) c->rt->trap(c, CC_TRAP_OOB_MEMORY, %zuu);\n",
                    addr, (unsigned)in->b, n, in->off);
        snprintf(ea, cap, "(mem + (uint64_t)%s + %uu)", addr, (unsigned)in->b);
        return;
    }
    bprintf(f->b, "if (CC_UNLIKELY((uint64_t)%s + %uu + %u > c->mems[%u]->size)) c->rt->trap(c, CC_TRAP_OOB_MEMORY, %zuu);\n",
            addr, (unsigned)in->b, n, (unsigned)in->mem, in->off);
    snprintf(ea, cap, "(c->mems[%u]->data + (uint64_t)%s + %uu)", (unsigned)in->mem, addr,
             (unsigned)in->b);
}

/* A load or store; see mem_ea. */
static void emit_memop(Fn *f, const Instr *in)
{
    const MemOp *mo = NULL;
    for (size_t i = 0; i < sizeof memops / sizeof memops[0]; i++)
        if (memops[i].op == in->op)
            mo = &memops[i];
    bool store = in->op >= OP_I32_STORE;
    Var val = {{0}};
    if (store)
        val = pop(f);
    Var addr = pop(f);
    char ea[80];
    mem_ea(f, in, addr.s, mo->bytes, ea, sizeof ea);
    if (!store) {
        push(f, letter_type(op_info[in->op].results[0]));
        bprintf(f->b, "%s = ", var_at(f, f->sp - 1).s);
    }
    for (const char *p = mo->text; *p; p++) {
        if (*p == '$')
            bprintf(f->b, "%s", ea);
        else if (*p == '@')
            bprintf(f->b, "%s", val.s);
        else
            bprintf(f->b, "%c", *p);
    }
    bprintf(f->b, ";\n");
    /* Without bounds checks the load is the check, and GCC drops a load whose value is
     * unused: a load set into a local (which may be dead) is kept, and so is every value
     * dropped (OP_DROP), which keeps whatever loads it was computed from. Not every load:
     * the constraint costs a separate load instruction (10% on nbody). */
    if (!store && !f->checks && f->next_op == OP_LOCAL_SET) {
        char l = op_info[in->op].results[0];
        bprintf(f->b, "CC_KEEP_%c(%s);\n", l == 'f' || l == 'F' ? 'F' : 'I', var_at(f, f->sp - 1).s);
    }
}

/* ---- SIMD (simd.h) ------------------------------------------------------------------- */
/* Every SIMD instruction calls its simd.h function, simd_<name> (f32x4 and f64x2 splats and
 * lanes use the i32x4 and i64x2 ones on bits); v128 values are V128 temporaries. */

/* A memory access: the lane width (or the whole access) is 1 << the natural alignment. */
static void emit_simd_mem(Fn *f, const Instr *in, const Var *args, const Var *dst,
                          const char *fn)
{
    const OpInfo *oi = &op_info[in->op];
    unsigned n = 1u << oi->align, w = 8 * n;
    char ea[80];
    mem_ea(f, in, args[0].s, n, ea, sizeof ea);
    switch (in->op) {
    case OP_V128_LOAD: bprintf(f->b, "%s = v128_load(%s);\n", dst->s, ea); break;
    case OP_V128_STORE: bprintf(f->b, "v128_store(%s, %s);\n", ea, args[1].s); break;
    case OP_V128_LOAD8_LANE: case OP_V128_LOAD16_LANE:
    case OP_V128_LOAD32_LANE: case OP_V128_LOAD64_LANE:
        bprintf(f->b, "%s = %s; v_set%u(&%s, %u, ld_u%u(%s));\n", dst->s, args[1].s, w, dst->s,
                (unsigned)in->lane, w, ea);
        break;
    case OP_V128_STORE8_LANE: case OP_V128_STORE16_LANE:
    case OP_V128_STORE32_LANE: case OP_V128_STORE64_LANE:
        bprintf(f->b, "st_u%u(%s, v_u%u(%s, %u));\n", w, ea, w, args[1].s, (unsigned)in->lane);
        break;
    default: bprintf(f->b, "%s = %s(%s);\n", dst->s, fn, ea); break;
    }
    /* as emit_memop: without bounds checks the load is the check */
    if (oi->results[0] && !f->checks && f->next_op == OP_LOCAL_SET)
        bprintf(f->b, "CC_KEEP_V(%s);\n", dst->s);
}

static void emit_simd(Fn *f, const Instr *in)
{
    const OpInfo *oi = &op_info[in->op];
    size_t np = strlen(oi->params);
    Var args[3];
    for (size_t i = np; i-- > 0;)
        args[i] = pop(f);
    char rl = oi->results[0];
    Var dst = {{0}};
    if (rl) {
        push(f, letter_type(rl));
        dst = var_at(f, f->sp - 1);
    }
    char fn[48];
    snprintf(fn, sizeof fn, "simd_%s", oi->name);
    for (char *p = fn; *p; p++)
        if (*p == '.')
            *p = '_';
    if (oi->imm == IMM_MEMARG || oi->imm == IMM_MEMARG_LANE) {
        emit_simd_mem(f, in, args, &dst, fn);
        return;
    }
    if (oi->imm == IMM_V128) { /* lanes 0-7 and 8-15 of the image as little-endian u64s */
        uint64_t lo = 0, hi = 0;
        for (int i = 7; i >= 0; i--) {
            lo = lo << 8 | in->tab[i];
            hi = hi << 8 | in->tab[8 + i];
        }
        bprintf(f->b, "%s = v128_from_u64(0x%llxull, 0x%llxull);\n", dst.s,
                (unsigned long long)lo, (unsigned long long)hi);
        return;
    }
    if (oi->imm == IMM_SHUFFLE) {
        bprintf(f->b, "{ static const uint8_t s_[16] = {");
        for (int i = 0; i < 16; i++)
            bprintf(f->b, "%u, ", (unsigned)in->tab[i]);
        bprintf(f->b, "}; %s = simd_i8x16_shuffle(%s, %s, s_); }\n", dst.s, args[0].s, args[1].s);
        return;
    }
    if (!strncmp(fn, "simd_f32x4_", 11) && (oi->imm == IMM_LANE || strstr(fn, "splat")))
        memcpy(fn, "simd_i32x4_", 11);
    if (!strncmp(fn, "simd_f64x2_", 11) && (oi->imm == IMM_LANE || strstr(fn, "splat")))
        memcpy(fn, "simd_i64x2_", 11);
    bprintf(f->b, "%s = %s(%s(", dst.s,
            rl == 'f' ? "f32_from_bits" : rl == 'F' ? "f64_from_bits"
            : rl == 'i' ? "(uint32_t)" : rl == 'I' ? "(uint64_t)" : "", fn);
    for (size_t i = 0; i < np; i++) {
        bprintf(f->b, "%s", i ? ", " : "");
        if (i == 1 && oi->imm == IMM_LANE)
            bprintf(f->b, "%u, ", (unsigned)in->lane); /* replace_lane(a, lane, x) */
        operand(f->b, oi->params[i], args[i].s);
    }
    if (np == 1 && oi->imm == IMM_LANE)
        bprintf(f->b, ", %u", (unsigned)in->lane); /* extract_lane(a, lane) */
    bprintf(f->b, "));\n");
}

/* ---- calls ---------------------------------------------------------------------------- */

static void ret_type(Buf *b, const Fn *f, uint32_t type)
{
    const FuncType *t = f->m->types[type];
    if (t->nresults == 0)
        bprintf(b, "void");
    else if (t->nresults == 1)
        bprintf(b, "%s", ctype(ft_results(t)[0]));
    else
        bprintf(b, "CcR%u", (unsigned)f->canon[type]);
}

/* Memory 0's base and size live in the locals mem and msize; anything that can move or
 * resize memory (a call, memory.grow) is followed by a reload. */
static void reload_mem(Fn *f)
{
    if (f->m->nmems)
        bprintf(f->b, "mem = c->mem0->data; msize = c->mem0->size;\n");
}

/* The argument list ", a, b" of a call of type `type` whose params are on top of the stack;
 * pops them. */
static char *pop_args(Fn *f, const FuncType *t)
{
    uint32_t base = f->sp - t->nparams;
    Buf args = {0};
    bprintf(&args, "%s", "");
    for (uint32_t i = 0; i < t->nparams; i++)
        bprintf(&args, ", %s", var_at(f, base + i).s);
    f->sp = base;
    if (args.oom) {
        f->oom = true;
        free(args.p);
        return NULL;
    }
    return args.p;
}

/* Emits "<results> = CALLEE(c, args);" for a direct C call of a function of this module and
 * pushes the results; callee is a C expression. */
static void emit_call(Fn *f, uint32_t type, const char *callee)
{
    const FuncType *t = f->m->types[type];
    char *as = pop_args(f, t);
    if (!as)
        return;
    if (f->tick_local)
        bprintf(f->b, "CC_TICK_SAVE(); ");
    if (t->nresults == 0) {
        bprintf(f->b, "%s(c%s);\n", callee, as);
    } else if (t->nresults == 1) {
        push(f, ft_results(t)[0]);
        bprintf(f->b, "%s = %s(c%s);\n", var_at(f, f->sp - 1).s, callee, as);
    } else {
        bprintf(f->b, "{ CcR%u r_ = %s(c%s);", (unsigned)f->canon[type], callee, as);
        for (uint32_t i = 0; i < t->nresults; i++) {
            push(f, ft_results(t)[i]);
            bprintf(f->b, " %s = r_.v%u;", var_at(f, f->sp - 1).s, (unsigned)i);
        }
        bprintf(f->b, " }\n");
    }
    free(as);
    if (f->tick_local)
        bprintf(f->b, "CC_TICK_LOAD();\n");
    reload_mem(f);
}

/* A call through the runtime (an import, or a function of another instance): the params go
 * into cells, the results come back in them. func is a C expression of type CcFunc *. */
static void emit_call_cells(Fn *f, uint32_t type, const char *func, size_t off)
{
    const FuncType *t = f->m->types[type];
    uint32_t np = valtypes_cells(ft_params(t), t->nparams);
    uint32_t nr = valtypes_cells(ft_results(t), t->nresults);
    uint32_t n = np > nr ? np : nr;
    uint32_t base = f->sp - t->nparams;
    bprintf(f->b, "{ uint64_t cl_[%u];", (unsigned)(n ? n : 1));
    for (uint32_t i = 0, k = 0; i < t->nparams; k += valtype_cells(ft_params(t)[i]), i++) {
        bprintf(f->b, " ");
        to_cell(f->b, ft_params(t)[i], "cl_", k, var_at(f, base + i).s);
    }
    f->sp = base;
    if (f->tick_local)
        bprintf(f->b, " CC_TICK_SAVE(); c->rt->call(c, %s, cl_, %zuu); CC_TICK_LOAD();", func, off);
    else
        bprintf(f->b, " c->rt->call(c, %s, cl_, %zuu);", func, off);
    for (uint32_t i = 0, k = 0; i < t->nresults; k += valtype_cells(ft_results(t)[i]), i++) {
        push(f, ft_results(t)[i]);
        bprintf(f->b, " %s = ", var_at(f, f->sp - 1).s);
        from_cell(f->b, ft_results(t)[i], "cl_", k);
        bprintf(f->b, ";");
    }
    bprintf(f->b, " }\n");
    reload_mem(f);
}

static void emit_call_direct(Fn *f, const Instr *in)
{
    uint32_t type = f->m->func_types[in->a];
    if (in->a < f->m->nfunc_imports) {
        char func[32];
        snprintf(func, sizeof func, "c->funcs[%u]", (unsigned)in->a);
        emit_call_cells(f, type, func, in->off);
        return;
    }
    char callee[24];
    snprintf(callee, sizeof callee, "fn%u", (unsigned)in->a);
    emit_call(f, type, callee);
}

/* call_indirect: the interpreter's checks in its order (bounds, null, signature: equal type
 * pointers, else a structural compare). A function of this instance is called directly;
 * any other (host, another instance) through the runtime. */
static void emit_call_indirect(Fn *f, const Instr *in)
{
    Var idx = pop(f);
    uint32_t want = f->canon[in->a];
    bprintf(f->b,
            "{ CcTable *t_ = c->tables[%u]; uint32_t x_ = %s;\n"
            "if (CC_UNLIKELY(x_ >= t_->size)) c->rt->trap(c, CC_TRAP_UNDEF_ELEM, %zuu);\n"
            "const CcFunc *e_ = (const CcFunc *)(uintptr_t)t_->elems[x_];\n"
            "if (CC_UNLIKELY(!e_)) { c->trap_arg = x_; c->rt->trap(c, CC_TRAP_UNINIT_ELEM, %zuu); }\n"
            "if (CC_UNLIKELY(e_->type != c->types[%u] && !c->rt->sig_eq(c, e_->type, c->types[%u])))"
            " c->rt->trap(c, CC_TRAP_SIG_MISMATCH, %zuu);\n"
            "if (e_->inst == c->inst) {\n",
            (unsigned)in->b, idx.s, in->off, in->off, (unsigned)in->a, (unsigned)in->a, in->off);
    /* both arms pop the same arguments and push the same results; the first arm's results
     * overwrite the types at the arguments' depths, which name the second arm's arguments,
     * so those are restored in between */
    uint32_t sp = f->sp, np = f->m->types[in->a]->nparams;
    ValType *saved = malloc(((size_t)np + 1) * sizeof *saved);
    if (!saved) {
        f->oom = true;
        return;
    }
    memcpy(saved, f->stack + sp - np, np * sizeof *saved);
    char callee[64];
    snprintf(callee, sizeof callee, "((CcF%u)cc_funcs[e_->index])", (unsigned)want);
    emit_call(f, in->a, callee);
    bprintf(f->b, "} else ");
    f->sp = sp;
    memcpy(f->stack + sp - np, saved, np * sizeof *saved);
    free(saved);
    emit_call_cells(f, in->a, "e_", in->off);
    bprintf(f->b, "}\n");
}

/* ---- one function --------------------------------------------------------------------- */

static void emit_global_get(Fn *f, uint32_t g)
{
    ValType t = f->m->globals[g].type.type;
    push(f, t);
    const Global *gl = &f->m->globals[g];
    char x[32];
    bool constant = !gl->type.mut && g >= f->m->nglobal_imports && gl->init.kind == CONST_VALUE;
    bprintf(f->b, "%s = ", var_at(f, f->sp - 1).s);
    if (t == VT_V128) { /* the cells hold the image (a v128 global's two cells) */
        if (constant)
            bprintf(f->b, "v128_load((const uint64_t[2]){0x%llxull, 0x%llxull});\n",
                    (unsigned long long)gl->init.value, (unsigned long long)gl->init.value_hi);
        else
            bprintf(f->b, "v128_load(c->globals[%u]);\n", (unsigned)g);
        return;
    }
    /* an immutable global with a constant initialiser is that constant: GCC can fold it */
    if (constant)
        snprintf(x, sizeof x, "0x%llxull", (unsigned long long)gl->init.value);
    else
        snprintf(x, sizeof x, "*c->globals[%u]", (unsigned)g);
    from_bits(f->b, t, x);
    bprintf(f->b, ";\n");
}

static void emit_global_set(Fn *f, uint32_t g)
{
    ValType t = f->m->globals[g].type.type;
    Var v = pop(f);
    if (t == VT_V128) {
        bprintf(f->b, "v128_store(c->globals[%u], %s);\n", (unsigned)g, v.s);
        return;
    }
    bprintf(f->b, "*c->globals[%u] = ", (unsigned)g);
    to_bits(f->b, t, v.s);
    bprintf(f->b, ";\n");
}

/* if with params: the then-branch may overwrite the temporaries the else-branch needs, so the
 * params are saved in p<label>_<i> on entry and restored at the else (or the implicit one). */
static void restore_if_params(Fn *f, const Frame *fr)
{
    for (uint32_t i = 0; i < fr->nparams; i++)
        bprintf(f->b, "%s = p%u_%u;\n", var_typed(fr->params[i], fr->height + i).s,
                (unsigned)fr->label, (unsigned)i);
}

static void end_frame(Fn *f)
{
    Frame fr = f->frames[--f->nframes];
    if (fr.kind == FR_IF && !fr.has_else) {
        bprintf(f->b, "goto L%u;\nE%u:;\n", (unsigned)fr.label, (unsigned)fr.label);
        restore_if_params(f, &fr);
    }
    if (fr.kind != FR_LOOP)
        bprintf(f->b, "L%u:;\n", (unsigned)fr.label);
    f->sp = fr.height;
    const ValType *rs = fr_results(&fr);
    for (uint32_t i = 0; i < fr.nresults; i++)
        push(f, rs[i]);
    if (fr.kind != FR_FUNC)
        return;
    if (f->tick_local)
        bprintf(f->b, "CC_TICK_SAVE();\n");
    if (fr.nresults == 0)
        bprintf(f->b, "return;\n");
    else if (fr.nresults == 1)
        bprintf(f->b, "return %s;\n", var_at(f, 0).s);
    else {
        bprintf(f->b, "{ CcR%u r_;", (unsigned)f->canon[f->ftype]);
        for (uint32_t i = 0; i < fr.nresults; i++)
            bprintf(f->b, " r_.v%u = %s;", (unsigned)i, var_at(f, i).s);
        bprintf(f->b, " return r_; }\n");
    }
}

/* Records a loop where the interpreter may hand a running frame over (on-stack
 * replacement): one at an empty operand stack, so the locals are the whole state. */
static void osr_point(Fn *f, uint32_t off, uint32_t label)
{
    if (f->nosr == f->osr_cap) {
        uint32_t cap = f->osr_cap ? f->osr_cap * 2 : 8;
        uint32_t *p = realloc(f->osr, 2 * sizeof *p * cap);
        if (!p) {
            f->oom = true;
            return;
        }
        f->osr = p;
        f->osr_cap = cap;
    }
    f->osr[2 * f->nosr] = off;
    f->osr[2 * f->nosr + 1] = label;
    f->nosr++;
}

static void emit_instr(Fn *f, const Instr *in, bool *dead)
{
    Frame *fr;
    Var a, b2, n;
    switch (in->op) {
    case OP_UNREACHABLE:
        bprintf(f->b, "c->rt->trap(c, CC_TRAP_UNREACHABLE, %zuu);\n", in->off);
        *dead = true;
        break;
    case OP_NOP: break;
    case OP_BLOCK: push_frame(f, FR_BLOCK, in->blocktype); break;
    case OP_LOOP:
        fr = push_frame(f, FR_LOOP, in->blocktype);
        if (fr)
            bprintf(f->b, "L%u:;\n", (unsigned)fr->label);
        if (fr && f->emit_osr && fr->height == 0 && fr->nparams == 0)
            osr_point(f, (uint32_t)in->off, fr->label);
        break;
    case OP_IF:
        a = pop(f);
        fr = push_frame(f, FR_IF, in->blocktype);
        if (!fr)
            break;
        for (uint32_t i = 0; i < fr->nparams; i++)
            bprintf(f->b, "%s p%u_%u = %s;\n", ctype(fr->params[i]), (unsigned)fr->label,
                    (unsigned)i, var_at(f, fr->height + i).s);
        bprintf(f->b, "if (!%s) goto E%u;\n", a.s, (unsigned)fr->label);
        break;
    case OP_ELSE:
        fr = &f->frames[f->nframes - 1];
        fr->has_else = true;
        bprintf(f->b, "goto L%u;\nE%u:;\n", (unsigned)fr->label, (unsigned)fr->label);
        restore_if_params(f, fr);
        f->sp = fr->height;
        for (uint32_t i = 0; i < fr->nparams; i++)
            push(f, fr->params[i]);
        break;
    case OP_END: end_frame(f); break;
    case OP_BR:
        branch(f, in->a);
        *dead = true;
        break;
    case OP_BR_IF:
        a = pop(f);
        bprintf(f->b, "if (%s) { ", a.s);
        branch(f, in->a);
        bprintf(f->b, "}\n");
        break;
    case OP_BR_TABLE: {
        a = pop(f);
        const uint8_t *pos = in->tab;
        bprintf(f->b, "switch (%s) {\n", a.s);
        for (uint32_t i = 0; i < in->a; i++) {
            bprintf(f->b, "case %u: ", (unsigned)i);
            branch(f, instr_br_label(&pos));
        }
        bprintf(f->b, "default: ");
        branch(f, in->b);
        bprintf(f->b, "}\n");
        *dead = true;
        break;
    }
    case OP_RETURN:
        branch(f, f->nframes - 1);
        *dead = true;
        break;
    case OP_CALL: emit_call_direct(f, in); break;
    case OP_CALL_INDIRECT: emit_call_indirect(f, in); break;
    case OP_REF_NULL:
        push(f, (ValType)in->a);
        bprintf(f->b, "%s = 0;\n", var_at(f, f->sp - 1).s);
        break;
    case OP_REF_IS_NULL:
        a = pop(f);
        push(f, VT_I32);
        bprintf(f->b, "%s = (uint32_t)(%s == 0);\n", var_at(f, f->sp - 1).s, a.s);
        break;
    case OP_REF_FUNC:
        push(f, VT_FUNCREF);
        bprintf(f->b, "%s = (uint64_t)(uintptr_t)c->funcs[%u];\n", var_at(f, f->sp - 1).s,
                (unsigned)in->a);
        break;
    case OP_DROP:
        if (!f->checks) {
            ValType t = f->stack[f->sp - 1];
            if (t == VT_V128)
                bprintf(f->b, "CC_KEEP_V(%s);\n", var_at(f, f->sp - 1).s);
            else
                bprintf(f->b, "CC_KEEP_%c(%s);\n", t == VT_F32 || t == VT_F64 ? 'F' : 'I',
                        var_at(f, f->sp - 1).s);
        }
        f->sp--;
        break;
    case OP_SELECT:
    case OP_SELECT_T:
        n = pop(f);
        b2 = pop(f);
        a = var_at(f, f->sp - 1);
        bprintf(f->b, "if (!%s) %s = %s;\n", n.s, a.s, b2.s);
        break;
    case OP_LOCAL_GET:
        push(f, f->locals[in->a]);
        bprintf(f->b, "%s = l%u;\n", var_at(f, f->sp - 1).s, (unsigned)in->a);
        break;
    case OP_LOCAL_SET:
        a = pop(f);
        bprintf(f->b, "l%u = %s;\n", (unsigned)in->a, a.s);
        break;
    case OP_LOCAL_TEE:
        bprintf(f->b, "l%u = %s;\n", (unsigned)in->a, var_at(f, f->sp - 1).s);
        break;
    case OP_GLOBAL_GET: emit_global_get(f, in->a); break;
    case OP_GLOBAL_SET: emit_global_set(f, in->a); break;
    case OP_TABLE_GET:
        a = pop(f);
        push(f, f->m->tables[in->a].elem);
        bprintf(f->b,
                "if (CC_UNLIKELY(%s >= c->tables[%u]->size)) c->rt->trap(c, CC_TRAP_OOB_TABLE, %zuu);\n"
                "%s = c->tables[%u]->elems[%s];\n",
                a.s, (unsigned)in->a, in->off, var_at(f, f->sp - 1).s, (unsigned)in->a, a.s);
        break;
    case OP_TABLE_SET:
        b2 = pop(f);
        a = pop(f);
        bprintf(f->b,
                "if (CC_UNLIKELY(%s >= c->tables[%u]->size)) c->rt->trap(c, CC_TRAP_OOB_TABLE, %zuu);\n"
                "c->tables[%u]->elems[%s] = %s;\n",
                a.s, (unsigned)in->a, in->off, (unsigned)in->a, a.s, b2.s);
        break;
    case OP_MEMORY_SIZE:
        push(f, VT_I32);
        if (in->mem == 0)
            bprintf(f->b, "%s = (uint32_t)(msize >> 16);\n", var_at(f, f->sp - 1).s);
        else
            bprintf(f->b, "%s = (uint32_t)(c->mems[%u]->size >> 16);\n", var_at(f, f->sp - 1).s,
                    (unsigned)in->mem);
        break;
    case OP_MEMORY_GROW:
        a = var_at(f, f->sp - 1);
        bprintf(f->b, "%s = c->rt->memory_grow(c, %u, %s);\n", a.s, (unsigned)in->mem, a.s);
        reload_mem(f); /* memory 0 too: it may be the same memory, imported twice */
        break;
    case OP_I32_CONST:
        push(f, VT_I32);
        bprintf(f->b, "%s = 0x%xu;\n", var_at(f, f->sp - 1).s, (unsigned)(uint32_t)in->imm);
        break;
    case OP_I64_CONST:
        push(f, VT_I64);
        bprintf(f->b, "%s = 0x%llxull;\n", var_at(f, f->sp - 1).s, (unsigned long long)in->imm);
        break;
    case OP_F32_CONST:
        push(f, VT_F32);
        bprintf(f->b, "%s = f32_from_bits(0x%xu);\n", var_at(f, f->sp - 1).s,
                (unsigned)(uint32_t)in->imm);
        break;
    case OP_F64_CONST:
        push(f, VT_F64);
        bprintf(f->b, "%s = f64_from_bits(0x%llxull);\n", var_at(f, f->sp - 1).s,
                (unsigned long long)in->imm);
        break;
    case OP_MEMORY_INIT: {
        n = pop(f), b2 = pop(f), a = pop(f);
        bprintf(f->b, "c->rt->memory_init(c, %u, %u, %s, %s, %s, %zuu);\n", (unsigned)in->mem,
                (unsigned)in->a, a.s, b2.s, n.s, in->off);
        break;
    }
    case OP_DATA_DROP: bprintf(f->b, "c->data_len[%u] = 0;\n", (unsigned)in->a); break;
    case OP_MEMORY_COPY:
        n = pop(f), b2 = pop(f), a = pop(f);
        bprintf(f->b, "c->rt->memory_copy(c, %u, %u, %s, %s, %s, %zuu);\n", (unsigned)in->mem,
                (unsigned)in->a, a.s, b2.s, n.s, in->off);
        break;
    case OP_MEMORY_FILL:
        n = pop(f), b2 = pop(f), a = pop(f);
        bprintf(f->b, "c->rt->memory_fill(c, %u, %s, %s, %s, %zuu);\n", (unsigned)in->mem, a.s,
                b2.s, n.s, in->off);
        break;
    case OP_TABLE_INIT:
        n = pop(f), b2 = pop(f), a = pop(f);
        bprintf(f->b, "c->rt->table_init(c, %u, %u, %s, %s, %s, %zuu);\n", (unsigned)in->b,
                (unsigned)in->a, a.s, b2.s, n.s, in->off);
        break;
    case OP_ELEM_DROP: bprintf(f->b, "c->elem_len[%u] = 0;\n", (unsigned)in->a); break;
    case OP_TABLE_COPY:
        n = pop(f), b2 = pop(f), a = pop(f);
        bprintf(f->b, "c->rt->table_copy(c, %u, %u, %s, %s, %s, %zuu);\n", (unsigned)in->a,
                (unsigned)in->b, a.s, b2.s, n.s, in->off);
        break;
    case OP_TABLE_GROW:
        n = pop(f), a = pop(f);
        push(f, VT_I32);
        bprintf(f->b, "%s = c->rt->table_grow(c, %u, %s, %s);\n", var_at(f, f->sp - 1).s,
                (unsigned)in->a, a.s, n.s);
        break;
    case OP_TABLE_SIZE:
        push(f, VT_I32);
        bprintf(f->b, "%s = c->tables[%u]->size;\n", var_at(f, f->sp - 1).s, (unsigned)in->a);
        break;
    case OP_TABLE_FILL:
        n = pop(f), b2 = pop(f), a = pop(f);
        bprintf(f->b, "c->rt->table_fill(c, %u, %s, %s, %s, %zuu);\n", (unsigned)in->a, a.s, b2.s,
                n.s, in->off);
        break;
    default:
        if (op_info[in->op].code >= 0xfd00)
            emit_simd(f, in);
        else if (op_info[in->op].imm == IMM_MEMARG)
            emit_memop(f, in);
        else
            emit_numeric(f, in);
        break;
    }
}

/* Skips unreachable code up to the else or end that closes the current frame. Returns true
 * when in is that else/end (to be emitted), false to skip in. */
static bool dead_step(const Instr *in, uint32_t *nest)
{
    switch (in->op) {
    case OP_BLOCK:
    case OP_LOOP:
    case OP_IF: (*nest)++; return false;
    case OP_ELSE: return *nest == 0;
    case OP_END:
        if (*nest == 0)
            return true;
        (*nest)--;
        return false;
    default: return false;
    }
}

static uint32_t fuel_charge(uint32_t n) { return n < FUEL_MAX_CHARGE ? n : FUEL_MAX_CHARGE; }

/* The fuel the interpreter charges for this body (lower.c): at entry every instruction read,
 * dead code and the final end included; on a loop's back-edge the instructions strictly
 * between the loop and its end. Fills f->loop_costs; returns the entry charge or -1. */
static int64_t fuel_costs(Fn *f, const Code *code)
{
    const Module *m = f->m;
    Reader r;
    rd_init(&r, m->bytes, code->body_end);
    r.p = m->bytes + code->body_start;
    uint32_t n = 0, nloops = 0, depth = 0, cap = 0;
    typedef struct { uint32_t first, loop; } Open; /* loop = ordinal + 1, 0 for other blocks */
    Open *open = NULL;
    f->ncalls = 0;
    free(f->loop_costs);
    f->loop_costs = NULL;
    uint32_t lcap = 0;
    for (;;) {
        Instr in;
        if (instr_read(&r, &in) != RD_OK)
            break;
        uint32_t idx = n++;
        if (in.op == OP_CALL || in.op == OP_CALL_INDIRECT)
            f->ncalls++;
        if (in.op == OP_BLOCK || in.op == OP_LOOP || in.op == OP_IF) {
            if (depth == cap) {
                cap = cap ? cap * 2 : 16;
                Open *o = realloc(open, cap * sizeof *o);
                if (!o)
                    goto oom;
                open = o;
            }
            open[depth].first = idx;
            open[depth].loop = 0;
            if (in.op == OP_LOOP) {
                if (nloops == lcap) {
                    lcap = lcap ? lcap * 2 : 8;
                    uint32_t *c = realloc(f->loop_costs, lcap * sizeof *c);
                    if (!c)
                        goto oom;
                    f->loop_costs = c;
                }
                f->loop_costs[nloops] = 0;
                open[depth].loop = ++nloops;
            }
            depth++;
        } else if (in.op == OP_END) {
            if (depth == 0)
                break; /* the function's end */
            depth--;
            if (open[depth].loop)
                f->loop_costs[open[depth].loop - 1] = fuel_charge(idx - open[depth].first - 1);
        }
    }
    free(open);
    return fuel_charge(n);
oom:
    free(open);
    return -1;
}

static void emit_signature(Buf *b, const Fn *f, uint32_t fidx)
{
    uint32_t type = f->m->func_types[fidx];
    const FuncType *t = f->m->types[type];
    bprintf(b, "static ");
    ret_type(b, f, type);
    bprintf(b, " fn%u(CcCtx *c", (unsigned)fidx);
    for (uint32_t i = 0; i < t->nparams; i++)
        bprintf(b, ", %s l%u", ctype(ft_params(t)[i]), (unsigned)i);
    bprintf(b, ")");
}

/* How a function's head starts it: called (its parameters), entered at a loop from the
 * interpreter (every local from the interpreter's cells a), or either (HEAD_MERGED: a call
 * comes through a wrapper with at == CC_AT_ENTRY and its parameters in a). */
enum { HEAD_CALL, HEAD_OSR, HEAD_MERGED };
#define AT_ENTRY "0xffffffffu"

/* The entry's fuel charge or poll (none when entered at a loop: the interpreter charged the
 * entry and the back-edge). */
static void emit_entry_charge(Fn *f, Buf *head, const Code *code, int64_t entry_cost)
{
    if (!f->fuel && !f->checks)
        bprintf(head, "CC_POLL_READ();\n");
    else if (!f->fuel)
        bprintf(head, "CC_POLL(%uu);\n", (unsigned)code->body_start);
    else if (f->tick_local)
        bprintf(head, "CC_CHARGE(%u, %uu);\n", (unsigned)entry_cost, (unsigned)code->body_start);
    else
        bprintf(head, "if (CC_UNLIKELY((c->tick -= %u) < 0)) c->rt->fuel(c, %uu);\n",
                (unsigned)entry_cost, (unsigned)code->body_start);
}

/* A function's declarations and what runs before its body: its locals (from the
 * interpreter's cells a unless called), temporaries, the memory, the stack check, and for a
 * call the entry's charge (HEAD_MERGED: after its switch). */
static void emit_head(Fn *f, Buf *head, const Code *code, int64_t entry_cost, int how)
{
    bool osr = how != HEAD_CALL;
    const Module *m = f->m;
    const FuncType *t = m->types[f->ftype];
    bprintf(head, "\n{\n");
    /* osr: the interpreter's frame holds local i from cell k (a v128 takes two) */
    uint32_t k = 0;
    for (uint32_t i = 0; i < f->nlocals; k += valtype_cells(f->locals[i]), i++) {
        if (!osr && i < t->nparams)
            continue;
        if (how == HEAD_MERGED && i >= t->nparams) { /* zero when called */
            bprintf(head, "%s l%u = %s;\nif (at != " AT_ENTRY ") l%u = ", ctype(f->locals[i]),
                    (unsigned)i, czero(f->locals[i]), (unsigned)i);
            from_cell(head, f->locals[i], "a", k);
            bprintf(head, ";\n");
            continue;
        }
        bprintf(head, "%s l%u = ", ctype(f->locals[i]), (unsigned)i);
        if (osr)
            from_cell(head, f->locals[i], "a", k);
        else
            bprintf(head, "%s", czero(f->locals[i]));
        bprintf(head, ";\n");
    }
    static const ValType reps[NCLASS] = {VT_I32, VT_I64, VT_F32, VT_F64, VT_FUNCREF, VT_V128};
    uint64_t cells = k;
    for (int c = 0; c < NCLASS; c++)
        for (uint32_t d = 0; d < f->maxd[c]; d++) {
            bprintf(head, "%s %s = %s;\n", ctype(reps[c]), var_typed(reps[c], d).s,
                    czero(reps[c]));
            cells += valtype_cells(reps[c]);
        }
    if (m->nmems)
        bprintf(head, "uint8_t *mem = c->mem0->data; uint64_t msize = c->mem0->size;\n"
                      "(void)mem; (void)msize;\n");
    /* The frame may reach below its frame address by what its values need (GCC spills at
     * most every temporary): the check allows for that much. Without checks the stack's
     * guard page stops a recursion (native.c). */
    if (f->checks)
        bprintf(head,
                "if (CC_UNLIKELY((uintptr_t)__builtin_frame_address(0) < c->stack_limit + %lluu))"
                " c->rt->trap(c, CC_TRAP_STACK, %uu);\n",
                (unsigned long long)(cells * 8 + 256), (unsigned)code->body_start);
    /* A function without loops charges once, in place; one with loops keeps the slice in
     * a register for its back-edges (CC_CHARGE). */
    if (!f->fuel)
        bprintf(head, "uint32_t *const stop_ = c->stop; (void)stop_;\n");
    else if (f->tick_local)
        bprintf(head, "int32_t tk = c->tick;\n");
    if (!osr)
        emit_entry_charge(f, head, code, entry_cost);
}

/* The function's entry at its loops (CcOsr): fnN_osr, the same body entered at a loop's
 * label, and cc_oN, which checks the loop and moves the results to the cells. */
/* merged: fnN_osr is the function's only body, and fnN a wrapper that enters it at
 * AT_ENTRY with its parameters in cells (one copy of the body to compile). */
static int emit_osr(Fn *f, uint32_t fidx, const Code *code, int64_t entry_cost, const Buf *body,
                    bool merged, FILE *out)
{
    const FuncType *t = f->m->types[f->ftype];
    Buf b = {0};
    bprintf(&b, "static ");
    ret_type(&b, f, f->ftype);
    bprintf(&b, " fn%u_osr(CcCtx *c, const uint64_t *a, uint32_t at)", (unsigned)fidx);
    emit_head(f, &b, code, 0, merged ? HEAD_MERGED : HEAD_OSR);
    bprintf(&b, "switch (at) {\n");
    for (uint32_t i = 0; i < f->nosr; i++)
        bprintf(&b, "case %uu: goto L%u;\n", (unsigned)f->osr[2 * i], (unsigned)f->osr[2 * i + 1]);
    bprintf(&b, merged ? "default: break;\n}\n" : "default: __builtin_unreachable();\n}\n");
    if (merged)
        emit_entry_charge(f, &b, code, entry_cost);
    if (b.oom || fputs(b.p, out) < 0 || fputs(body->p, out) < 0 || fputs("}\n", out) < 0) {
        free(b.p);
        return -1;
    }
    b.len = 0;
    if (merged) {
        emit_signature(&b, f, fidx);
        uint32_t cells = valtypes_cells(ft_params(t), t->nparams);
        bprintf(&b, "\n{\n    uint64_t a[%u];\n", (unsigned)(cells ? cells : 1));
        for (uint32_t i = 0, k = 0; i < t->nparams; k += valtype_cells(ft_params(t)[i]), i++) {
            char v[16];
            snprintf(v, sizeof v, "l%u", (unsigned)i);
            bprintf(&b, "    ");
            to_cell(&b, ft_params(t)[i], "a", k, v);
            bprintf(&b, "\n");
        }
        bprintf(&b, "    %sfn%u_osr(c, a, " AT_ENTRY ");\n}\n\n", t->nresults ? "return " : "",
                (unsigned)fidx);
    }
    bprintf(&b, "static int cc_o%u(CcCtx *c, uint64_t *a, uint32_t at)\n{\n    switch (at) {",
            (unsigned)fidx);
    for (uint32_t i = 0; i < f->nosr; i++)
        bprintf(&b, " case %uu:", (unsigned)f->osr[2 * i]);
    bprintf(&b, " break;\n    default: return 0;\n    }\n    ");
    if (t->nresults)
        bprintf(&b, "__auto_type v = ");
    bprintf(&b, "fn%u_osr(c, a, at);\n", (unsigned)fidx);
    for (uint32_t i = 0, k = 0; i < t->nresults; k += valtype_cells(ft_results(t)[i]), i++) {
        char v[16];
        snprintf(v, sizeof v, t->nresults == 1 ? "v" : "v.v%u", (unsigned)i);
        bprintf(&b, "    ");
        to_cell(&b, ft_results(t)[i], "a", k, v);
        bprintf(&b, "\n");
    }
    bprintf(&b, "    return 1;\n}\n\n");
    int rc = b.oom || fputs(b.p, out) < 0 ? -1 : 0;
    free(b.p);
    f->has_osr[fidx - f->m->nfunc_imports] = 1;
    return rc;
}

static int emit_function(Fn *f, uint32_t fidx, FILE *out, EmitError *err)
{
    const Module *m = f->m;
    const Code *code = &m->codes[fidx - m->nfunc_imports];
    uint32_t type = m->func_types[fidx];
    const FuncType *t = m->types[type];
    Buf body = {0}, head = {0};
    f->b = &body;
    f->ftype = type;
    f->sp = 0;
    f->nframes = 0;
    f->next_label = 0;
    memset(f->maxd, 0, sizeof f->maxd);
    f->nlocals = t->nparams + code->nlocals;
    f->locals = malloc(((size_t)f->nlocals + 1) * sizeof *f->locals);
    if (!f->locals)
        goto oom;
    memcpy(f->locals, ft_params(t), t->nparams * sizeof *f->locals);
    uint32_t k = t->nparams;
    for (uint32_t i = 0; i < code->ndecls; i++)
        for (uint32_t j = 0; j < code->decls[i].count; j++)
            f->locals[k++] = code->decls[i].type;

    f->nloops = 0;
    f->nosr = 0;
    /* entries at loops: for every function (EMIT_OSR alone), or for the functions the caller
     * picked, as it says (emit_c_module_entries), and none elsewhere */
    uint8_t how = f->entries ? f->entries[fidx - m->nfunc_imports] : EMIT_ENTRY_NONE;
    bool merge = how == EMIT_ENTRY_ONE_BODY;
    f->emit_osr = f->osr_all || how != EMIT_ENTRY_NONE;
    int64_t entry_cost = fuel_costs(f, code);
    if (entry_cost < 0)
        goto oom;
    /* the slice in a register pays off in loops without calls: each call would store and
     * load it again */
    f->tick_local = f->fuel && f->loop_costs != NULL && f->ncalls == 0;
    f->has_loop[fidx - m->nfunc_imports] = f->loop_costs != NULL;
    Frame *fr = push_frame(f, FR_FUNC, 0);
    if (!fr)
        goto oom;
    fr->nresults = t->nresults;
    fr->results = ft_results(t);

    Reader r;
    rd_init(&r, m->bytes, code->body_end);
    r.p = m->bytes + code->body_start;
    bool dead = false;
    uint32_t nest = 0;
    while (f->nframes > 0 && !f->oom) {
        Instr in;
        if (instr_read(&r, &in) != RD_OK) {
            err->msg = "cannot re-read a validated body";
            err->offset = rd_off(&r);
            goto fail;
        }
        f->cur_off = in.off;
        {
            /* the next instruction's opcode: a load whose value it discards is kept */
            Reader peek = r;
            Instr nx;
            f->next_op = instr_read(&peek, &nx) == RD_OK ? nx.op : OP_END;
        }
        if (in.op == OP_LOOP)
            f->nloops++;
        if (dead) {
            if (!dead_step(&in, &nest))
                continue;
            dead = false;
            /* the stack below the frame is what the else/end resets to */
            f->sp = f->frames[f->nframes - 1].height + f->frames[f->nframes - 1].nparams;
        }
        emit_instr(f, &in, &dead);
    }
    if (f->oom)
        goto oom;

    bool merged = merge && f->nosr;
    if (!merged) {
        emit_signature(&head, f, fidx);
        emit_head(f, &head, code, entry_cost, HEAD_CALL);
    }
    if (head.oom || body.oom)
        goto oom;
    if (!merged && (fputs(head.p, out) < 0 || fputs(body.p, out) < 0 || fputs("}\n\n", out) < 0)) {
        err->msg = "write error";
        goto fail;
    }
    if (f->nosr && emit_osr(f, fidx, code, entry_cost, &body, merged, out) != 0) {
        err->msg = "out of memory or write error";
        goto fail;
    }
    free(head.p);
    free(body.p);
    free(f->locals);
    return 0;
oom:
    err->msg = "out of memory";
fail:
    free(head.p);
    free(body.p);
    free(f->locals);
    return 1;
}

/* ---- module-level parts --------------------------------------------------------------- */

static void emit_types(Buf *b, const Fn *f)
{
    const Module *m = f->m;
    for (uint32_t i = 0; i < m->ntypes; i++) {
        if (f->canon[i] != i)
            continue;
        const FuncType *t = m->types[i];
        if (t->nresults > 1) {
            bprintf(b, "typedef struct { ");
            for (uint32_t j = 0; j < t->nresults; j++)
                bprintf(b, "%s v%u; ", ctype(ft_results(t)[j]), (unsigned)j);
            bprintf(b, "} CcR%u;\n", (unsigned)i);
        }
        bprintf(b, "typedef ");
        ret_type(b, f, i);
        bprintf(b, " (*CcF%u)(CcCtx *", (unsigned)i);
        for (uint32_t j = 0; j < t->nparams; j++)
            bprintf(b, ", %s", ctype(ft_params(t)[j]));
        bprintf(b, ");\n");
    }
}

/* The engine's entry for every defined function (params and results in cells), and the
 * module descriptor, the one symbol the shared object exports. */
static void emit_entries(Buf *b, const Fn *f)
{
    const Module *m = f->m;
    for (uint32_t x = m->nfunc_imports; x < m->nfuncs; x++) {
        const FuncType *t = m->types[m->func_types[x]];
        bprintf(b, "static void cc_e%u(CcCtx *c, uint64_t *a)\n{\n    ", (unsigned)x);
        if (t->nresults)
            bprintf(b, "__auto_type v = ");
        bprintf(b, "fn%u(c", (unsigned)x);
        for (uint32_t i = 0, k = 0; i < t->nparams; k += valtype_cells(ft_params(t)[i]), i++) {
            bprintf(b, ", ");
            from_cell(b, ft_params(t)[i], "a", k);
        }
        bprintf(b, ");\n");
        for (uint32_t i = 0, k = 0; i < t->nresults; k += valtype_cells(ft_results(t)[i]), i++) {
            char v[16];
            snprintf(v, sizeof v, t->nresults == 1 ? "v" : "v.v%u", (unsigned)i);
            bprintf(b, "    ");
            to_cell(b, ft_results(t)[i], "a", k, v);
            bprintf(b, "\n");
        }
        bprintf(b, "    (void)a;\n}\n");
    }
    bprintf(b, "static const uint8_t cc_loops[%u] = {", (unsigned)(m->nfuncs - m->nfunc_imports + 1));
    for (uint32_t x = m->nfunc_imports; x < m->nfuncs; x++)
        bprintf(b, "%u, ", (unsigned)f->has_loop[x - m->nfunc_imports]);
    bprintf(b, "0};\n");
    bprintf(b, "static const CcEntry cc_entries[%u] = {", (unsigned)(m->nfuncs - m->nfunc_imports + 1));
    for (uint32_t x = m->nfunc_imports; x < m->nfuncs; x++)
        bprintf(b, "cc_e%u, ", (unsigned)x);
    bool any_osr = false;
    for (uint32_t i = 0; i < m->ncodes; i++)
        any_osr |= f->has_osr[i] != 0;
    bprintf(b, "0};\n");
    if (any_osr) {
        bprintf(b, "static const CcOsr cc_osr[%u] = {", (unsigned)(m->ncodes + 1));
        for (uint32_t x = m->nfunc_imports; x < m->nfuncs; x++)
            bprintf(b, f->has_osr[x - m->nfunc_imports] ? "cc_o%u, " : "0, ", (unsigned)x);
        bprintf(b, "0};\nstatic void (*const cc_osr_funcs[%u])(void) = {",
                (unsigned)(m->ncodes + 1));
        for (uint32_t x = m->nfunc_imports; x < m->nfuncs; x++)
            bprintf(b, f->has_osr[x - m->nfunc_imports] ? "(void (*)(void))fn%u_osr, " : "0, ",
                    (unsigned)x);
        bprintf(b, "0};\n");
    }
    bprintf(b, "__attribute__((visibility(\"default\"))) const CcModule %s = {%uu, %uu, %uu, %uu, cc_entries, cc_funcs, cc_loops, %s};\n",
            "corral_native_module", (unsigned)CC_ABI_VERSION, (unsigned)m->nfuncs, (unsigned)m->nfunc_imports,
            (f->checks ? CC_FLAG_BOUNDS_CHECKS : 0u) | (f->fuel ? CC_FLAG_FUEL : 0u),
            any_osr ? "cc_osr, cc_osr_funcs" : "0, 0");
}

static int flush(Buf *b, FILE *out, EmitError *err)
{
    if (b->oom) {
        err->msg = "out of memory";
        return 1;
    }
    if (b->len && fwrite(b->p, 1, b->len, out) != b->len) {
        err->msg = "write error";
        return 1;
    }
    b->len = 0;
    return 0;
}

/* Whether m uses 128-bit SIMD, so its C needs simd.h: a v128 in a type, a global or a local,
 * or an instruction of the 0xFD group anywhere in a body. Sets *off to where (0 when in a
 * type). */
static bool uses_simd(const Module *m, size_t *off)
{
    *off = 0;
    for (uint32_t i = 0; i < m->ntypes; i++)
        for (uint32_t k = 0; k < m->types[i]->nparams + m->types[i]->nresults; k++)
            if (m->types[i]->types[k] == VT_V128)
                return true;
    for (uint32_t i = 0; i < m->nglobals; i++)
        if (m->globals[i].type.type == VT_V128)
            return true;
    for (uint32_t c = 0; c < m->ncodes; c++) {
        const Code *code = &m->codes[c];
        for (uint32_t d = 0; d < code->ndecls; d++)
            if (code->decls[d].type == VT_V128)
                return true;
        Reader r;
        rd_init(&r, m->bytes, code->body_end);
        r.p = m->bytes + code->body_start;
        Instr in;
        while (!rd_eof(&r) && instr_read(&r, &in) == RD_OK) {
            if (op_info[in.op].code >= 0xfd00) {
                *off = in.off;
                return true;
            }
        }
    }
    return false;
}

int emit_c_module(const Module *m, uint32_t flags, FILE *out, EmitError *err)
{
    return emit_c_module_entries(m, flags, NULL, out, err);
}

int emit_c_module_entries(const Module *m, uint32_t flags, const uint8_t *entries, FILE *out,
                          EmitError *err)
{
    err->msg = NULL;
    err->offset = 0;
    size_t simd_off;
    bool simd = uses_simd(m, &simd_off);
    int rc = 1;
    Fn f = {.m = m, .checks = (flags & CC_FLAG_BOUNDS_CHECKS) != 0,
            .fuel = (flags & CC_FLAG_FUEL) != 0,
            .osr_all = (flags & EMIT_OSR) != 0 && !entries,
            .entries = (flags & EMIT_OSR) ? entries : NULL};
    Buf b = {0};
    uint32_t *canon = malloc(sizeof *canon * (m->ntypes + 1));
    if (!canon) {
        err->msg = "out of memory";
        return 1;
    }
    for (uint32_t i = 0; i < m->ntypes; i++) {
        canon[i] = i;
        for (uint32_t j = 0; j < i; j++)
            if (functype_equal(m->types[i], m->types[j])) {
                canon[i] = j;
                break;
            }
    }
    f.canon = canon;
    f.has_loop = calloc(m->ncodes + 1, 1);
    f.has_osr = calloc(m->ncodes + 1, 1);
    if (!f.has_loop || !f.has_osr) {
        free(f.has_loop);
        free(f.has_osr);
        free(canon);
        err->msg = "out of memory";
        return 1;
    }

    bprintf(&b, "/* Generated by Corral's C emitter (src/compile/emit_c.c). Do not edit. */\n"
                "%s\n%s\n%s\n", emit_abi_text, emit_numeric_text, simd ? emit_simd_text : "");
    emit_types(&b, &f);
    for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++) {
        emit_signature(&b, &f, i);
        bprintf(&b, ";\n");
    }
    bprintf(&b, "static void (*const cc_funcs[%u])(void) = {", (unsigned)m->nfuncs + 1);
    for (uint32_t i = 0; i < m->nfuncs; i++) {
        if (i < m->nfunc_imports)
            bprintf(&b, "0, ");
        else
            bprintf(&b, "(void (*)(void))fn%u, ", (unsigned)i);
    }
    bprintf(&b, "0};\n\n");
    if (flush(&b, out, err))
        goto done;
    for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++)
        if (emit_function(&f, i, out, err))
            goto done;
    emit_entries(&b, &f);
    if (flush(&b, out, err))
        goto done;
    rc = 0;
done:
    free(b.p);
    free(f.stack);
    free(f.frames);
    free(f.loop_costs);
    free(f.has_loop);
    free(f.has_osr);
    free(f.osr);
    free(canon);
    return rc;
}

const char *emit_c_declines(const Module *m)
{
    uint32_t missing = atomic_load_explicit(&m->features_used, memory_order_relaxed) &
                       ~(uint32_t)EMIT_C_FEATURES;
    if (!missing)
        return NULL;
    const char *name = corral_feature_name(missing & -missing);
    return name ? name : "a WebAssembly feature";
}
