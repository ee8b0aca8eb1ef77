/* emit_c.c: writes a validated Module as C (see emit_c.h). One `static` C function per Wasm
 * function; the operand stack becomes numbered temporaries named by type and depth (i3 is
 * the i32 at depth 3; function N is fnN, local N is lN), so every branch target finds its values in the same variables and
 * GCC's SSA pass removes the copies. Blocks, loops and ifs become labels and gotos.
 * Numeric operations call numeric.h (the interpreter's own definitions), never re-derive them.
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
    default: return "uint64_t"; /* i64, funcref, externref */
    }
}

/* The letter naming a temporary of type t: i3 is the i32 at depth 3. */
static char tletter(ValType t)
{
    switch (t) {
    case VT_I32: return 'i';
    case VT_I64: return 'j';
    case VT_F32: return 'f';
    case VT_F64: return 'd';
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
    default: return 4;
    }
}

/* "raw bits (uint64_t) to a C value" and back, for globals and trampolines. */
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
    uint32_t maxd[5]; /* per tclass: 1 + deepest temporary used */
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
    uint16_t next_op;     /* the opcode after the instruction being emitted */
    bool tick_local;      /* the fuel slice is in the local tk (loops and no calls) */
    uint32_t ncalls;      /* calls in the body (fuel_costs) */
    uint8_t *has_loop;    /* per defined function: its body has a loop */
    bool oom;
} Fn;

static void push(Fn *f, ValType t)
{
    if (f->sp == f->stack_cap) {
        uint32_t cap = f->stack_cap ? f->stack_cap * 2 : 64;
        ValType *s = realloc(f->stack, cap);
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

/* The explicit-bounds-check mode: compare against the memory's size, then access
 * mem + (uint64_t)addr + offset (64-bit arithmetic, so the sum cannot wrap). */
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
    if (f->checks)
        bprintf(f->b, "if (CC_UNLIKELY((uint64_t)%s + %uu + %u > msize)) c->rt->trap(c, CC_TRAP_OOB_MEMORY, %zuu);\n",
                addr.s, (unsigned)in->b, (unsigned)mo->bytes, in->off);
    char ea[48];
    snprintf(ea, sizeof ea, "(mem + (uint64_t)%s + %uu)", addr.s, (unsigned)in->b);
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
    uint32_t n = t->nparams > t->nresults ? t->nparams : t->nresults;
    uint32_t base = f->sp - t->nparams;
    bprintf(f->b, "{ uint64_t cl_[%u];", (unsigned)(n ? n : 1));
    for (uint32_t i = 0; i < t->nparams; i++) {
        bprintf(f->b, " cl_[%u] = ", (unsigned)i);
        to_bits(f->b, ft_params(t)[i], var_at(f, base + i).s);
        bprintf(f->b, ";");
    }
    f->sp = base;
    if (f->tick_local)
        bprintf(f->b, " CC_TICK_SAVE(); c->rt->call(c, %s, cl_, %zuu); CC_TICK_LOAD();", func, off);
    else
        bprintf(f->b, " c->rt->call(c, %s, cl_, %zuu);", func, off);
    for (uint32_t i = 0; i < t->nresults; i++) {
        char cell[16];
        snprintf(cell, sizeof cell, "cl_[%u]", (unsigned)i);
        push(f, ft_results(t)[i]);
        bprintf(f->b, " %s = ", var_at(f, f->sp - 1).s);
        from_bits(f->b, ft_results(t)[i], cell);
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
    /* both arms pop the same arguments and push the same results */
    uint32_t sp = f->sp;
    char callee[64];
    snprintf(callee, sizeof callee, "((CcF%u)cc_funcs[e_->index])", (unsigned)want);
    emit_call(f, in->a, callee);
    bprintf(f->b, "} else ");
    f->sp = sp;
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
    /* an immutable global with a constant initialiser is that constant: GCC can fold it */
    if (!gl->type.mut && g >= f->m->nglobal_imports && gl->init.kind == CONST_VALUE)
        snprintf(x, sizeof x, "0x%llxull", (unsigned long long)gl->init.value);
    else
        snprintf(x, sizeof x, "*c->globals[%u]", (unsigned)g);
    bprintf(f->b, "%s = ", var_at(f, f->sp - 1).s);
    from_bits(f->b, t, x);
    bprintf(f->b, ";\n");
}

static void emit_global_set(Fn *f, uint32_t g)
{
    ValType t = f->m->globals[g].type.type;
    Var v = pop(f);
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
        bprintf(f->b, "%s = (uint32_t)(msize >> 16);\n", var_at(f, f->sp - 1).s);
        break;
    case OP_MEMORY_GROW:
        a = var_at(f, f->sp - 1);
        bprintf(f->b, "%s = c->rt->memory_grow(c, %s);\n", a.s, a.s);
        reload_mem(f);
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
        bprintf(f->b, "c->rt->memory_init(c, %u, %s, %s, %s, %zuu);\n", (unsigned)in->a, a.s,
                b2.s, n.s, in->off);
        break;
    }
    case OP_DATA_DROP: bprintf(f->b, "c->data_len[%u] = 0;\n", (unsigned)in->a); break;
    case OP_MEMORY_COPY:
        n = pop(f), b2 = pop(f), a = pop(f);
        bprintf(f->b, "c->rt->memory_copy(c, %s, %s, %s, %zuu);\n", a.s, b2.s, n.s, in->off);
        break;
    case OP_MEMORY_FILL:
        n = pop(f), b2 = pop(f), a = pop(f);
        bprintf(f->b, "c->rt->memory_fill(c, %s, %s, %s, %zuu);\n", a.s, b2.s, n.s, in->off);
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
        if (op_info[in->op].imm == IMM_MEMARG)
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
    f->locals = malloc(f->nlocals + 1);
    if (!f->locals)
        goto oom;
    memcpy(f->locals, ft_params(t), t->nparams);
    uint32_t k = t->nparams;
    for (uint32_t i = 0; i < code->ndecls; i++)
        for (uint32_t j = 0; j < code->decls[i].count; j++)
            f->locals[k++] = code->decls[i].type;

    f->nloops = 0;
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

    emit_signature(&head, f, fidx);
    bprintf(&head, "\n{\n");
    for (uint32_t i = t->nparams; i < f->nlocals; i++)
        bprintf(&head, "%s l%u = 0;\n", ctype(f->locals[i]), (unsigned)i);
    static const ValType reps[5] = {VT_I32, VT_I64, VT_F32, VT_F64, VT_FUNCREF};
    uint64_t cells = f->nlocals;
    for (int c = 0; c < 5; c++)
        for (uint32_t d = 0; d < f->maxd[c]; d++) {
            bprintf(&head, "%s %s = 0;\n", ctype(reps[c]), var_typed(reps[c], d).s);
            cells++;
        }
    if (m->nmems)
        bprintf(&head, "uint8_t *mem = c->mem0->data; uint64_t msize = c->mem0->size;\n"
                       "(void)mem; (void)msize;\n");
    /* The frame may reach below its frame address by what its values need (GCC spills at
     * most every temporary): the check allows for that much. Without checks the stack's
     * guard page stops a recursion (native.c). */
    if (f->checks)
        bprintf(&head,
                "if (CC_UNLIKELY((uintptr_t)__builtin_frame_address(0) < c->stack_limit + %lluu))"
                " c->rt->trap(c, CC_TRAP_STACK, %uu);\n",
                (unsigned long long)(cells * 8 + 256), (unsigned)code->body_start);
    /* A function without loops charges once, in place; one with loops keeps the slice in
     * a register for its back-edges (CC_CHARGE). */
    if (!f->fuel && !f->checks)
        bprintf(&head, "uint32_t *const stop_ = c->stop;\nCC_POLL_READ();\n");
    else if (!f->fuel)
        bprintf(&head, "uint32_t *const stop_ = c->stop;\nCC_POLL(%uu);\n",
                (unsigned)code->body_start);
    else if (f->tick_local)
        bprintf(&head, "int32_t tk = c->tick;\nCC_CHARGE(%u, %uu);\n", (unsigned)entry_cost,
                (unsigned)code->body_start);
    else
        bprintf(&head, "if (CC_UNLIKELY((c->tick -= %u) < 0)) c->rt->fuel(c, %uu);\n",
                (unsigned)entry_cost, (unsigned)code->body_start);
    if (head.oom || body.oom)
        goto oom;
    if (fputs(head.p, out) < 0 || fputs(body.p, out) < 0 || fputs("}\n\n", out) < 0) {
        err->msg = "write error";
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
        for (uint32_t i = 0; i < t->nparams; i++) {
            char arg[16];
            snprintf(arg, sizeof arg, "a[%u]", (unsigned)i);
            bprintf(b, ", ");
            from_bits(b, ft_params(t)[i], arg);
        }
        bprintf(b, ");\n");
        for (uint32_t i = 0; i < t->nresults; i++) {
            char v[16];
            snprintf(v, sizeof v, t->nresults == 1 ? "v" : "v.v%u", (unsigned)i);
            bprintf(b, "    a[%u] = ", (unsigned)i);
            to_bits(b, ft_results(t)[i], v);
            bprintf(b, ";\n");
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
    bprintf(b, "0};\n__attribute__((visibility(\"default\"))) const CcModule %s = {%uu, %uu, %uu, %uu, cc_entries, cc_funcs, cc_loops};\n",
            "corral_native_module", (unsigned)CC_ABI_VERSION, (unsigned)m->nfuncs, (unsigned)m->nfunc_imports,
            (f->checks ? CC_FLAG_BOUNDS_CHECKS : 0u) | (f->fuel ? CC_FLAG_FUEL : 0u));
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

int emit_c_module(const Module *m, uint32_t flags, FILE *out, EmitError *err)
{
    err->msg = NULL;
    err->offset = 0;
    int rc = 1;
    Fn f = {.m = m, .checks = (flags & CC_FLAG_BOUNDS_CHECKS) != 0,
            .fuel = (flags & CC_FLAG_FUEL) != 0};
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
    if (!f.has_loop) {
        free(canon);
        err->msg = "out of memory";
        return 1;
    }

    bprintf(&b, "/* Generated by Corral's C emitter (src/compile/emit_c.c). Do not edit. */\n"
                "%s\n%s\n", emit_abi_text, emit_numeric_text);
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
    free(canon);
    return rc;
}
