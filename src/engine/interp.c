/* interp.c: the interpreter. Runs lowered code (iop.def) in one dispatch loop with threaded
 * dispatch (dispatch.h), without native recursion for Wasm-to-Wasm calls: frames live on the
 * store's value stack, return addresses on a separate control stack. Cold paths (traps,
 * host calls, bulk memory and table operations) are separate functions. Numeric semantics
 * come from numeric.h only. Fuel and interrupts are checked at function entries and taken
 * back-edges only (interrupt.c has the slow path). See docs/design/interp.md. */
#include "runtime.h"

#include "dispatch.h"
#include "gc.h"
#include "lower.h"
#include "numeric.h"
#include "simd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#if defined(__GNUC__)
#define COLD __attribute__((noinline, cold))
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define COLD
#define UNLIKELY(x) (x)
#endif

/* Nested activations (host -> Wasm -> host ...) each take native stack; cap them. */
#define MAX_NESTED_ENTRIES 256

struct corral_caller {
    Instance *inst;
};

corral_memory_t *corral_caller_memory(corral_caller_t *caller)
{
    return caller && caller->inst ? caller->inst->caller_mem : NULL;
}

corral_memory_t *corral_caller_memory_at(corral_caller_t *caller, uint32_t index)
{
    if (!caller || !caller->inst || index >= caller->inst->module->nmems)
        return NULL;
    return caller->inst->mems[index];
}

/* One control-stack entry per Wasm frame: the frame's function, and where its caller
 * resumes. ret == NULL marks the first frame of an activation (its caller is native code).
 * The running function is csp[-1].func, so run() needs no register for it. */
typedef struct CtlFrame {
    const uint32_t *ret; /* the caller's ip after the call */
    Cell *fp;            /* the caller's frame */
    Func *func;          /* this frame's function */
} CtlFrame;

/* A frame stopped where a collection may run (docs/design/gc.md, "Roots"): an allocating GC
 * instruction (ip its start) or a host call (ip past the call), so the collector can walk
 * the frames from there: csp[-1] is the frame's entry, fp its cells. They link outwards
 * through the nested activations (a host call's record is where the next one in stops). */
typedef struct GcPoint {
    const uint32_t *ip;
    Cell *fp;
    const CtlFrame *csp;
    bool call;
    const struct GcPoint *outer;
} GcPoint;

/* Per-store interpreter state (Store.interp). */
typedef struct InterpState {
    CtlFrame *cs, *cs_end; /* control stack: max_call_depth entries */
    CtlFrame *csp;         /* next free entry (for a nested activation) */
    Cell *stack_end;       /* end of Store.stack */
    Cell *top;             /* first free value cell (for a nested activation) */
    uint32_t nest;         /* live activations */
    Exn *exn_free;         /* dead exceptions to reuse (runtime.h, Exn) */
    struct Resident *resident; /* note_resident's record, made on first use */
    const GcPoint *gc_point;   /* the innermost stopped frame, NULL: none */
    uint32_t nresident;
} InterpState;

static void state_free(void *p)
{
    InterpState *st = p;
    if (st) {
        free(st->cs);
        free(st->resident);
    }
    free(st);
}

/* ---- resident calls, for the background compile ----------------------------------------
 * While a module's code is being compiled (Store.nnative_waiting), every fuel slice notes
 * the calls on the control stack; a call seen at RESIDENT_SLICES slices in a row (some
 * milliseconds) is long-running, and its function is marked in its module's resident set
 * (corral_module.resident). The compiler gives the functions marked when it starts an entry
 * at their loops, through which such a call moves to native code (on-stack replacement);
 * other functions get none and their calls finish in the interpreter. How a function is
 * marked says which form of entry it gets:
 *   RESIDENT_CALLER  the call was the innermost one at fewer than half of the last slices
 *                    (a decaying weight): it spends its time in its callees (a driver loop
 *                    entered once), so one body serves calls and the entry (multi-entry
 *                    loops cost little next to its calls);
 *   RESIDENT_LOOP    the innermost one at half of them or more: a loop that does the work
 *                    itself, or a short function called again and again from one place
 *                    (its frame is the same every time, and its caller's share of the work
 *                    may be too small to break the run): a second copy with the entry, so
 *                    that calls keep the plain body's loops.
 * Only the RESIDENT_DEPTH outermost calls are followed. */
#define RESIDENT_DEPTH 64
#define RESIDENT_SLICES 256

typedef struct Resident {
    const Func *func;
    const Cell *fp;
    const uint32_t *ret;
    uint32_t run;  /* slices in a row, up to RESIDENT_SLICES */
    uint32_t topw; /* weight of the recent slices where it was the innermost call: each
                    * slice keeps 15/16 of it and adds 64 if so (at most 1024) */
} Resident;

static COLD void note_resident(InterpState *st, const CtlFrame *csp)
{
    if (!st->resident && !(st->resident = calloc(RESIDENT_DEPTH, sizeof *st->resident)))
        return;
    uint32_t all = (uint32_t)(csp - st->cs);
    uint32_t depth = all > RESIDENT_DEPTH ? RESIDENT_DEPTH : all;
    for (uint32_t i = 0; i < depth; i++) {
        const CtlFrame *c = &st->cs[i];
        Resident *r = &st->resident[i];
        uint32_t top = i + 1 == all ? 64 : 0;
        if (i < st->nresident && r->func == c->func && r->fp == c->fp && r->ret == c->ret) {
            r->topw = r->topw - r->topw / 16 + top;
            if (r->run < RESIDENT_SLICES)
                r->run++;
            if (r->run == RESIDENT_SLICES) /* as it is now: the compile takes the last word */
                module_note_resident(c->func, r->topw > 512 ? RESIDENT_LOOP : RESIDENT_CALLER);
            continue;
        }
        *r = (Resident){c->func, c->fp, c->ret, 1, top * 16};
    }
    st->nresident = depth;
}

static InterpState *state_get(Store *s)
{
    if (s->interp)
        return s->interp;
    const corral_config_t *cfg = &s->engine->cfg;
    InterpState *st = calloc(1, sizeof *st);
    size_t depth = cfg->max_call_depth ? cfg->max_call_depth : 1;
    size_t cells = (size_t)(cfg->max_stack_bytes / sizeof(Cell));
    if (cells < 16)
        cells = 16;
    if (!st)
        return NULL;
    st->cs = malloc(depth * sizeof *st->cs);
    if (!s->stack) {
        s->stack = malloc(cells * sizeof(Cell)); /* untouched pages stay uncommitted */
        s->stack_cells = s->stack ? cells : 0;
    }
    if (!st->cs || !s->stack) {
        state_free(st);
        return NULL;
    }
    st->cs_end = st->cs + cfg->max_call_depth;
    st->csp = st->cs;
    st->stack_end = s->stack + s->stack_cells;
    st->top = s->stack;
    s->interp = st;
    s->interp_free = state_free;
    return st;
}

/* ---- traps and backtraces ------------------------------------------------------------- */

static void push_frame(Trap *t, const Func *f, const uint32_t *ip)
{
    const LoweredFunc *lf = f->code;
    if (ip < lf->code || ip >= lf->code + lf->code_len) {
        /* a call that was running when its function switched to native code: it runs the
         * lowered code still */
        const Module *m = f->inst->module;
        lf = lower_peek(m, f->index - m->nfunc_imports);
    }
    trap_push_frame(t, f->inst->module, f->index,
                    lowered_wasm_offset(lf, (uint32_t)(ip - lf->code)));
}

/* Appends the Wasm frames of this activation, innermost first: the newest frame stopped at
 * ip (an instruction start or, after a call, one word into the next one: any word of an
 * instruction maps to it), each older one at the return address its callee's entry holds. */
static COLD void add_frames(Trap *t, const uint32_t *ip, const CtlFrame *csp,
                            const CtlFrame *base)
{
    if (!t || t->is_exit) /* an exit request is not an error: no backtrace */
        return;
    for (const CtlFrame *c = csp; c-- > base;) {
        push_frame(t, c->func, ip);
        if (c > base)
            ip = c->ret - 1;
    }
}

static COLD Trap *make_trap(const char *msg, const uint32_t *ip, const CtlFrame *csp,
                            const CtlFrame *base)
{
    Trap *t = trap_new(msg);
    add_frames(t, ip, csp, base);
    return t;
}

/* ---- host calls ---------------------------------------------------------------------- */

/* Calls host function f with its params in cells; results replace them. */
static COLD Trap *call_host(Instance *caller, Func *f, Cell *cells)
{
    const FuncType *ft = f->type;
    size_t np = ft->nparams, nr = ft->nresults;
    corral_val_t small[16];
    corral_val_t *args = np + nr <= 16 ? small : malloc((np + nr) * sizeof *args);
    if (!args)
        return trap_new("out of memory");
    corral_val_t *res = args + np;
    static const Cell zeros[2];
    for (size_t i = 0, k = 0; i < np; i++)
        k += cells_to_val(ft->plain ? NULL : ft->mod, cells + k, ft_params(ft)[i], &args[i]);
    for (size_t i = 0; i < nr; i++)
        (void)cells_to_val(ft->plain ? NULL : ft->mod, zeros, ft_results(ft)[i], &res[i]);
    struct corral_caller c = {caller};
    Trap *t = f->host(f->host_env, &c, args, res);
    for (size_t i = 0, k = 0; !t && i < nr; i++) {
        if ((ValType)res[i].kind != valtype_kind_m(ft->plain ? NULL : ft->mod, ft_results(ft)[i]))
            t = trap_new("host function returned a value of the wrong type");
        else
            k += val_to_cells(&res[i], cells + k);
    }
    if (args != small)
        free(args);
    return t;
}

/* ---- exceptions ------------------------------------------------------------------------ */

/* A new exception of tag with its payload copied from vals: a dead one from the free list
 * when the first there has room, else a new one. NULL when out of memory. */
static COLD Exn *exn_new(Store *s, InterpState *st, const Tag *tag, const Cell *vals)
{
    const FuncType *t = tag->type;
    uint32_t n = valtypes_cells(ft_params(t), t->nparams);
    Exn *e = st->exn_free;
    if (e && e->cap >= n) {
        st->exn_free = e->next_free;
    } else {
        uint32_t cap = n < 4 ? 4 : n;
        e = store_alloc(s, sizeof *e + (size_t)cap * sizeof(Cell));
        if (!e || !gc_register(s, GC_ROOT_EXN, e))
            return NULL;
        e->cap = cap;
    }
    e->tag = tag;
    e->ncells = n;
    e->holds = 0;
    e->escaped = false;
    e->next_free = NULL;
    memcpy(e->vals, vals, (size_t)n * sizeof(Cell));
    return e;
}

/* Drops a legacy catch arm's hold on e: the last one puts it on the free list, unless an
 * exnref to it exists or it is the exception being thrown (its landing decides). */
static void exn_release(InterpState *st, Exn *e, const Exn *flying)
{
    if (e->holds && --e->holds == 0 && !e->escaped && e != flying) {
        e->next_free = st->exn_free;
        st->exn_free = e;
    }
}

/* A throw at pos leaves the legacy catch arms of this frame that hold it, but for one that
 * also holds target (the landing, or EH_NONE when the frame is left): they let go of their
 * exceptions. */
static COLD void release_left_arms(InterpState *st, const LoweredFunc *lf, Cell *fp,
                                   uint32_t pos, uint32_t target, const Exn *flying)
{
    for (uint32_t i = 0; i < lf->nhandlers; i++) {
        for (uint32_t c = lf->handlers[i].first; c != EH_NONE; c = lf->clauses[c].next) {
            const EhClause *cl = &lf->clauses[c];
            if (cl->arm_end == EH_NONE || pos < cl->target || pos >= cl->arm_end ||
                (target >= cl->target && target < cl->arm_end))
                continue;
            exn_release(st, (Exn *)(uintptr_t) * (Cell *)(void *)((char *)fp + cl->exn), flying);
        }
    }
}

/* The lowered code f runs (see push_frame for why it may differ from f->code). */
static const LoweredFunc *frame_code(const Func *f, const uint32_t *ip)
{
    const LoweredFunc *lf = f->code;
    if (ip >= lf->code && ip < lf->code + lf->code_len)
        return lf;
    const Module *m = f->inst->module;
    return lower_peek(m, f->index - m->nfunc_imports);
}

/* The clause of f's handlers that catches e thrown at code word pos, or NULL: the innermost
 * handler covering pos (the last of those opened), then each one's `next`. */
static COLD const EhClause *eh_find(const LoweredFunc *lf, const Instance *inst, const Exn *e,
                                    uint32_t pos)
{
    uint32_t h = lf->nhandlers;
    while (h-- > 0)
        if (lf->handlers[h].start <= pos && pos < lf->handlers[h].end)
            break;
    for (; h < lf->nhandlers; h = lf->handlers[h].next)
        for (uint32_t c = lf->handlers[h].first; c != EH_NONE; c = lf->clauses[c].next) {
            const EhClause *cl = &lf->clauses[c];
            if (cl->tag == EH_NONE || inst->tags[cl->tag] == e->tag)
                return cl;
        }
    return NULL;
}

/* ---- the interpreter loop ------------------------------------------------------------- */

/* A tail call's n argument cells, at byte offset off in the frame fp, move to the frame's
 * start. The destination lies below the source, so an ascending copy is safe. */
static inline void tail_args(Cell *fp, uint32_t off, uint32_t n)
{
    const Cell *src = (const Cell *)(const void *)((const char *)fp + off);
    for (uint32_t k = 0; k < n; k++)
        fp[k] = src[k];
}

/* Operand k of the current instruction, the cell it addresses, and typed views. */
#define OPND(k) (ip[2 + (k)])
#define SLOT(k) (*(Cell *)(void *)((char *)fp + OPND(k)))
#define R32(k) ((uint32_t)SLOT(k))
#define IMM64(k) ((uint64_t)(int64_t)(int32_t)OPND(k))
#define JUMP(k)                        \
    do {                               \
        ip += (int32_t)OPND(k);        \
        DISPATCH();                    \
    } while (0)

/* call_indirect's and return_call_indirect's callee: table OPND(1)'s element R32(2), of type
 * OPND(0), into callee; or the trap. */
#define INDIRECT_CALLEE()                                                                    \
    do {                                                                                     \
        Table *t = inst->tables[OPND(1)];                                                    \
        uint32_t i = R32(2);                                                                 \
        if (i >= t->size) {                                                                  \
            msg = "undefined element";                                                       \
            goto trap;                                                                       \
        }                                                                                    \
        callee = (Func *)(uintptr_t)t->elems[i];                                             \
        if (!callee) {                                                                       \
            trap_arg = i;                                                                    \
            goto trap_uninit;                                                                \
        }                                                                                    \
        const FuncType *want = inst->module->types[OPND(0)];                                 \
        if (callee->type != want &&                                                          \
            (callee->type->hash != want->hash || !functype_equal(callee->type, want)) &&     \
            !functype_sub(callee->type, want)) {                                             \
            msg = "indirect call type mismatch";                                             \
            goto trap;                                                                       \
        }                                                                                    \
    } while (0)

/* Fuel: charges n units at a function entry. A negative tick means the slice is spent:
 * fuel_entry settles it (interrupt.c) and resumes or traps. */
#define CHARGE_ENTRY(n)                 \
    do {                                \
        tick -= (int32_t)(n);           \
        if (UNLIKELY(tick < 0))         \
            goto fuel_entry;            \
    } while (0)

/* A taken back-edge: charges the loop's cost (operand k + 1), then jumps to operand k. */
#define JUMP_BACK(k)                    \
    do {                                \
        tick -= (int32_t)OPND((k) + 1); \
        if (UNLIKELY(tick < 0)) {       \
            trap_arg = (k);             \
            goto fuel_back;             \
        }                               \
        JUMP(k);                        \
    } while (0)

#define RELOAD_MEM()                                       \
    do {                                                   \
        Memory *m0_ = inst->mem0;                          \
        mem = m0_ ? m0_->data : NULL;                      \
        memsize = m0_ ? m0_->size : 0;                     \
    } while (0)


/* Handler shapes. Every handler reads all its operands before writing its destination:
 * the lowering may point the destination at one of the sources. */
#define UN(name, expr)           \
    H(name) {                    \
        Cell a = SLOT(1);        \
        SLOT(0) = (expr);        \
    }                            \
    NEXT(name);
#define BIN32(name, expr)                 \
    H(name) {                             \
        uint32_t a = R32(1), b = R32(2);  \
        SLOT(0) = (uint32_t)(expr);       \
    }                                     \
    NEXT(name);
#define BIN32I(name, expr)                 \
    H(name) {                              \
        uint32_t a = R32(1), b = OPND(2);  \
        SLOT(0) = (uint32_t)(expr);        \
    }                                      \
    NEXT(name);
#define BIN64(name, expr)                   \
    H(name) {                               \
        uint64_t a = SLOT(1), b = SLOT(2);  \
        SLOT(0) = (uint64_t)(expr);         \
    }                                       \
    NEXT(name);
#define BIN64I(name, expr)                   \
    H(name) {                                \
        uint64_t a = SLOT(1), b = IMM64(2);  \
        SLOT(0) = (uint64_t)(expr);          \
    }                                        \
    NEXT(name);
#define DIV(name, T, fn)                        \
    H(name) {                                   \
        T r = 0;                                \
        NumTrap t_ = fn((T)SLOT(1), (T)SLOT(2), &r); \
        if (t_ != NUM_OK) {                     \
            msg = num_trap_msg(t_);             \
            goto trap;                          \
        }                                       \
        SLOT(0) = r;                            \
    }                                           \
    NEXT(name);
#define TRUNC(name, InT, OutT, fn)              \
    H(name) {                                   \
        OutT r = 0;                             \
        NumTrap t_ = fn((InT)SLOT(1), &r);      \
        if (t_ != NUM_OK) {                     \
            msg = num_trap_msg(t_);             \
            goto trap;                          \
        }                                       \
        SLOT(0) = r;                            \
    }                                           \
    NEXT(name);
/* A load from the effective address ea (u64: a 32-bit address plus a 32-bit offset cannot
 * wrap), bounds-checked against the memory's current size. The address forms differ only in
 * how ea is computed (iop.def: LOAD, LOADA, LOADX, LOADS). */
#define LOAD_EA(name, n, ea_expr, expr)                         \
    H(name) {                                                   \
        uint64_t ea = (ea_expr);                                \
        if (ea + (n) > memsize)                                 \
            goto trap_oob;                                      \
        const uint8_t *p = mem + ea;                            \
        SLOT(0) = (expr);                                       \
    }                                                           \
    NEXT(name);
#define EA_PLAIN ((uint64_t)R32(1) + OPND(2))
#define EA_A ((uint64_t)(uint32_t)(R32(1) + OPND(2)) + OPND(3))
#define EA_X ((uint64_t)(uint32_t)(R32(1) + R32(2)) + OPND(3))
#define EA_S ((uint64_t)(uint32_t)((R32(1) << OPND(2)) + OPND(3)) + OPND(4))
/* Every load width and extension: X(wasm name, bytes, value read at p). */
#define LOAD_KINDS(X)                                           \
    X(I32_LOAD, 4, ld_u32(p))                                   \
    X(I64_LOAD, 8, ld_u64(p))                                   \
    X(I32_LOAD8_S, 1, (uint32_t)S32((int8_t)ld_u8(p)))          \
    X(I32_LOAD8_U, 1, ld_u8(p))                                 \
    X(I32_LOAD16_S, 2, (uint32_t)S32((int16_t)ld_u16(p)))       \
    X(I32_LOAD16_U, 2, ld_u16(p))                               \
    X(I64_LOAD8_S, 1, (uint64_t)S64((int8_t)ld_u8(p)))          \
    X(I64_LOAD8_U, 1, ld_u8(p))                                 \
    X(I64_LOAD16_S, 2, (uint64_t)S64((int16_t)ld_u16(p)))       \
    X(I64_LOAD16_U, 2, ld_u16(p))                               \
    X(I64_LOAD32_S, 4, (uint64_t)S64((int32_t)ld_u32(p)))       \
    X(I64_LOAD32_U, 4, ld_u32(p))
#define LOAD_PLAIN(name, n, expr) LOAD_EA(name, n, EA_PLAIN, expr)
#define LOAD_A(name, n, expr) LOAD_EA(name##_A, n, EA_A, expr)
#define LOAD_X(name, n, expr) LOAD_EA(name##_X, n, EA_X, expr)
/* dst = a op (T)mem[...]: the BINM superinstructions (iop.def) */
#define BIN_M(name, n, ld, expr)                                \
    H(name) {                                                   \
        uint64_t ea = (uint64_t)(uint32_t)(R32(2) + OPND(3)) + OPND(4); \
        if (ea + (n) > memsize)                                 \
            goto trap_oob;                                      \
        Cell a = SLOT(1), b = ld(mem + ea);                     \
        SLOT(0) = (expr);                                       \
    }                                                           \
    NEXT(name);
#define STORE(name, n, stmt)                                    \
    H(name) {                                                   \
        uint64_t ea = (uint64_t)R32(0) + OPND(2);               \
        if (ea + (n) > memsize)                                 \
            goto trap_oob;                                      \
        uint8_t *p = mem + ea;                                  \
        Cell v = SLOT(1);                                       \
        stmt;                                                   \
    }                                                           \
    NEXT(name);
#define STORE_IMM(name, n, stmt)                                \
    H(name) {                                                   \
        uint64_t ea = (uint64_t)R32(0) + OPND(2);               \
        if (ea + (n) > memsize)                                 \
            goto trap_oob;                                      \
        uint8_t *p = mem + ea;                                  \
        Cell v = IMM64(1);                                      \
        stmt;                                                   \
    }                                                           \
    NEXT(name);
#define BRC32(name, cond)                                       \
    H(name) {                                                   \
        uint32_t a = R32(0), b = R32(1);                        \
        if (cond)                                               \
            JUMP(2);                                            \
    }                                                           \
    NEXT(name);
#define BRC32I(name, cond)                                      \
    H(name) {                                                   \
        uint32_t a = R32(0), b = OPND(1);                       \
        if (cond)                                               \
            JUMP(2);                                            \
    }                                                           \
    NEXT(name);
#define BRC64(name, cond)                                       \
    H(name) {                                                   \
        uint64_t a = SLOT(0), b = SLOT(1);                      \
        if (cond)                                               \
            JUMP(2);                                            \
    }                                                           \
    NEXT(name);
#define BRC64I(name, cond)                                      \
    H(name) {                                                   \
        uint64_t a = SLOT(0), b = IMM64(1);                     \
        if (cond)                                               \
            JUMP(2);                                            \
    }                                                           \
    NEXT(name);
#define BRC32B(name, cond)                                      \
    H(name) {                                                   \
        uint32_t a = R32(0), b = R32(1);                        \
        if (cond)                                               \
            JUMP_BACK(2);                                       \
    }                                                           \
    NEXT(name);
#define BRC32IB(name, cond)                                     \
    H(name) {                                                   \
        uint32_t a = R32(0), b = OPND(1);                       \
        if (cond)                                               \
            JUMP_BACK(2);                                       \
    }                                                           \
    NEXT(name);
#define BRC64B(name, cond)                                      \
    H(name) {                                                   \
        uint64_t a = SLOT(0), b = SLOT(1);                      \
        if (cond)                                               \
            JUMP_BACK(2);                                       \
    }                                                           \
    NEXT(name);
#define BRC64IB(name, cond)                                     \
    H(name) {                                                   \
        uint64_t a = SLOT(0), b = IMM64(1);                     \
        if (cond)                                               \
            JUMP_BACK(2);                                       \
    }                                                           \
    NEXT(name);
/* SIMD (iop.def's SIMD shape): v128 operands are 16 bytes from a slot's cell, read and
 * written with memcpy (cells are only 8-byte aligned). */
#define VGET(k) v128_load((const char *)fp + OPND(k))
#define VSET(k, v) v128_store((char *)fp + OPND(k), (v))
#define VUN(name, fn)                                           \
    H_APART(name) VSET(0, fn(VGET(1)));                               \
    NEXT(name);
#define VBIN(name, fn)                                          \
    H_APART(name) {                                                   \
        V128 a = VGET(1), b = VGET(2);                          \
        VSET(0, fn(a, b));                                      \
    }                                                           \
    NEXT(name);
#define VTERN(name, fn)                                         \
    H_APART(name) {                                                   \
        V128 a = VGET(1), b = VGET(2), c = VGET(3);             \
        VSET(0, fn(a, b, c));                                   \
    }                                                           \
    NEXT(name);
#define VSHIFT(name, fn)                                        \
    H_APART(name) {                                                   \
        V128 a = VGET(1);                                       \
        VSET(0, fn(a, R32(2)));                                 \
    }                                                           \
    NEXT(name);
#define VSPLAT(name, fn)                                        \
    H_APART(name) VSET(0, fn(SLOT(1)));                               \
    NEXT(name);
#define VTEST(name, fn)                                         \
    H_APART(name) SLOT(0) = fn(VGET(1));                              \
    NEXT(name);
#define VEXTRACT(name, fn)                                      \
    H_APART(name) SLOT(0) = fn(VGET(1), OPND(2));                     \
    NEXT(name);
#define VREPLACE(name, fn)                                      \
    H_APART(name) {                                                   \
        V128 a = VGET(1);                                       \
        VSET(0, fn(a, OPND(3), SLOT(2)));                       \
    }                                                           \
    NEXT(name);
#define VSHUFFLE(name)                                          \
    H_APART(name) {                                                   \
        V128 a = VGET(1), b = VGET(2);                          \
        VSET(0, simd_i8x16_shuffle(a, b, (const uint8_t *)&OPND(3))); \
    }                                                           \
    NEXT(name);
/* dst addr offset */
#define VLOAD(name, n, fn)                                      \
    H_APART(name) {                                                   \
        uint64_t ea = (uint64_t)R32(1) + OPND(2);               \
        if (ea + (n) > memsize)                                 \
            goto trap_oob;                                      \
        VSET(0, fn(mem + ea));                                  \
    }                                                           \
    NEXT(name);
/* addr v offset */
#define VSTORE(name, n, stmt)                                   \
    H_APART(name) {                                                   \
        uint64_t ea = (uint64_t)R32(0) + OPND(2);               \
        if (ea + (n) > memsize)                                 \
            goto trap_oob;                                      \
        uint8_t *p = mem + ea;                                  \
        V128 v = VGET(1);                                       \
        stmt;                                                   \
    }                                                           \
    NEXT(name);
/* dst addr v offset lane: stmt replaces lane l of v */
#define VLOAD_LANE(name, n, stmt)                               \
    H_APART(name) {                                                   \
        uint64_t ea = (uint64_t)R32(1) + OPND(3);               \
        if (ea + (n) > memsize)                                 \
            goto trap_oob;                                      \
        const uint8_t *p = mem + ea;                            \
        V128 v = VGET(2);                                       \
        unsigned l = OPND(4);                                   \
        stmt;                                                   \
        VSET(0, v);                                             \
    }                                                           \
    NEXT(name);
/* addr v offset lane */
#define VSTORE_LANE(name, n, stmt)                              \
    H_APART(name) {                                                   \
        uint64_t ea = (uint64_t)R32(0) + OPND(2);               \
        if (ea + (n) > memsize)                                 \
            goto trap_oob;                                      \
        uint8_t *p = mem + ea;                                  \
        V128 v = VGET(1);                                       \
        unsigned l = OPND(3);                                   \
        stmt;                                                   \
    }                                                           \
    NEXT(name);
/* The _M forms (iop.def, "Memories"): operand k is the memory word (its index, LOWER_MEM64
 * for a 64-bit memory), k + 1 and k + 2 the offset's halves; the address is the cell of
 * slot operand a (its low 32 bits for a 32-bit memory). Declares p, the n bytes at the
 * effective address, or traps: the sum is checked for overflow, then against the size. */
#define MEM_OF(k) (inst->mems[OPND(k) & ~LOWER_MEM64])
#define ADDR_OF(k, a) ((OPND(k) & LOWER_MEM64) ? SLOT(a) : (uint64_t)R32(a))
#define MEM_M(a, k, n)                                                              \
    uint8_t *p;                                                                     \
    {                                                                               \
        const Memory *mm_ = MEM_OF(k);                                              \
        uint64_t a_ = ADDR_OF(k, a);                                                \
        uint64_t ea_ = a_ + ((uint64_t)OPND((k) + 1) | (uint64_t)OPND((k) + 2) << 32); \
        if (UNLIKELY(ea_ < a_ || mm_->size < (n) || ea_ > mm_->size - (n)))         \
            goto trap_oob;                                                          \
        p = mm_->data + ea_;                                                        \
    }
/* dst addr mem lo hi */
#define LOAD_M(name, n, expr)                                   \
    H_APART(name##_M) {                                         \
        MEM_M(1, 2, n)                                          \
        SLOT(0) = (expr);                                       \
    }                                                           \
    NEXT(name##_M);
/* addr val mem lo hi */
#define STORE_M(name, n, stmt)                                  \
    H_APART(name##_M) {                                         \
        MEM_M(0, 2, n)                                          \
        Cell v = SLOT(1);                                       \
        stmt;                                                   \
    }                                                           \
    NEXT(name##_M);
#define VLOAD_M(name, n, fn)                                    \
    H_APART(name##_M) {                                         \
        MEM_M(1, 2, n)                                          \
        VSET(0, fn(p));                                         \
    }                                                           \
    NEXT(name##_M);
#define VSTORE_M(name, n, stmt)                                 \
    H_APART(name##_M) {                                         \
        MEM_M(0, 2, n)                                          \
        V128 v = VGET(1);                                       \
        stmt;                                                   \
    }                                                           \
    NEXT(name##_M);
/* dst addr v mem lo hi lane */
#define VLOAD_LANE_M(name, n, stmt)                             \
    H_APART(name##_M) {                                         \
        MEM_M(1, 3, n)                                          \
        V128 v = VGET(2);                                       \
        unsigned l = OPND(6);                                   \
        stmt;                                                   \
        VSET(0, v);                                             \
    }                                                           \
    NEXT(name##_M);
/* addr v mem lo hi lane */
#define VSTORE_LANE_M(name, n, stmt)                            \
    H_APART(name##_M) {                                         \
        MEM_M(0, 2, n)                                          \
        V128 v = VGET(1);                                       \
        unsigned l = OPND(5);                                   \
        stmt;                                                   \
    }                                                           \
    NEXT(name##_M);
#define CHECKED(call)         \
    do {                      \
        msg = (call);         \
        if (msg)              \
            goto trap;        \
    } while (0)

#define S32(x) ((int32_t)(x))
#define S64(x) ((int64_t)(x))

static const void *const *handler_table;

/* Runs entry (a Wasm function) with its params in args[0..]; results land there too.
 * Called with st == NULL only once, to publish the handler table. */
static Trap *run(Store *s, InterpState *st, Func *entry, Cell *args)
{
    static const void *const handlers[] = {
#define IOP(name, nops, wasm, shape) HANDLER_ADDR(name)
#include "iop.def"
#undef IOP
        NULL};
    if (!st) {
        handler_table = DISPATCH_THREADED ? handlers : NULL;
        return NULL;
    }
    const uint32_t *ip = NULL;
    Cell *fp = NULL;
    Instance *inst = NULL;
    uint8_t *mem = NULL;
    uint64_t memsize = 0;
    CtlFrame *csp = st->csp;
    CtlFrame *const cs_entry = csp;
    CtlFrame *const cs_end = st->cs_end;
    Cell *const stack_end = st->stack_end;
    Func *callee = entry;
    Cell *nfp = args;
    const char *msg = NULL;
    Exn *exn = NULL;
    bool host_tail = false; /* host_call runs a tail call's host callee: the frame is gone */
    uint32_t trap_arg = 0;
    char msgbuf[96];
    /* The fuel slice left (Store.fuel_tick), kept in a local while running: stored back
     * before a host call and on every way out, reloaded after a host call. */
    int32_t tick = s->fuel_tick;
    goto enter;

    /* ---- calls: callee and nfp set, ip just past the call instruction ---- */
enter: {
    if (callee->host)
        goto host_call;
    const LoweredFunc *lf = callee->code;
    if (csp == cs_end || (size_t)(stack_end - nfp) < lf->frame_cells) {
        msg = "call stack exhausted";
        goto trap_at_call;
    }
    csp->ret = ip;
    csp->fp = fp;
    csp->func = callee;
    csp++;
    fp = nfp;
    ip = lf->code;
    if (callee->inst != inst) {
        inst = callee->inst;
        RELOAD_MEM();
    }
    CHARGE_ENTRY(lf->fuel);
    DISPATCH();
}

host_call: {
    const FuncType *ft = callee->type;
    Cell *saved_top = st->top;
    uint32_t np = valtypes_cells(ft_params(ft), ft->nparams);
    uint32_t nr = valtypes_cells(ft_results(ft), ft->nresults);
    st->top = nfp + (np > nr ? np : nr);
    st->csp = csp;
    s->depth = (uint32_t)(csp - st->cs);
    s->fuel_tick = tick; /* the host may read or set fuel, or re-enter */
    GcPoint gp = {ip, fp, csp, true, st->gc_point}; /* the caller, for the collector */
    st->gc_point = &gp;
    Trap *t = call_host(inst, callee, nfp);
    st->gc_point = gp.outer;
    tick = s->fuel_tick;
    st->top = saved_top;
    bool was_tail = host_tail;
    host_tail = false;
    if (t && t->exn) { /* an exception out of the host function: handlers here may catch it */
        exn = t->exn;
        corral_trap_delete(t);
        if (was_tail) /* not this frame's: it ended with the tail call */
            goto unwind_frame;
        ip--;
        goto throw_search;
    }
    if (t) {
        add_frames(t, ip - 1, csp, cs_entry);
        st->csp = cs_entry;
        return t;
    }
    RELOAD_MEM();
    DISPATCH();
}

tail_call:
    /* callee is Wasm and its arguments are at the start of this frame (tail_args): the
     * callee enters there as if this frame's caller had called it */
    nfp = fp;
    csp--;
    ip = csp->ret;
    fp = csp->fp;
    goto enter;

    /* ---- exceptions: exn thrown at ip (a THROW, or a word of the call it came out of) ---- */
throw_search:
    for (;;) {
        Func *f = csp[-1].func;
        const LoweredFunc *lf = frame_code(f, ip);
        uint32_t pos = (uint32_t)(ip - lf->code);
        const EhClause *cl = lf->nhandlers ? eh_find(lf, f->inst, exn, pos) : NULL;
        if (lf->nhandlers)
            release_left_arms(st, lf, fp, pos, cl ? cl->target : EH_NONE, exn);
        if (cl) {
            if (cl->tag != EH_NONE) /* a catch_all's label takes no payload: no room */
                memcpy((char *)fp + cl->vals, exn->vals, (size_t)exn->ncells * sizeof(Cell));
            if (cl->arm_end != EH_NONE) { /* a legacy catch: its arm holds it */
                *(Cell *)(void *)((char *)fp + cl->exn) = (Cell)(uintptr_t)exn;
                exn->holds++;
            } else if (cl->exn != EH_NONE) {
                *(Cell *)(void *)((char *)fp + cl->exn) = (Cell)(uintptr_t)exn;
                exn->escaped = true;
            } else if (!exn->escaped && !exn->holds) {
                exn->next_free = st->exn_free;
                st->exn_free = exn;
            }
            ip = lf->code + cl->target;
            inst = f->inst;
            RELOAD_MEM();
            /* a catch may branch back to a loop: it charges as a back-edge would */
            CHARGE_ENTRY(1);
            DISPATCH();
        }
        goto unwind_frame;
    }
unwind_frame:
    /* exn leaves the current frame as a trap would; its caller sees it at its call */
    csp--;
    if (!csp->ret) {
        st->csp = csp;
        s->fuel_tick = tick;
        Trap *t = trap_new_exception(exn);
        return t ? t : trap_new("out of memory");
    }
    ip = csp->ret - 1;
    fp = csp->fp;
    goto throw_search;

do_return:
    csp--;
    ip = csp->ret;
    fp = csp->fp;
    if (!ip) {
        st->csp = csp;
        s->fuel_tick = tick;
        return NULL;
    }
    /* mem and memsize are current unless the callee ran in another instance: code of this
     * instance reloads them after every grow, call into another instance or host call. */
    if (csp[-1].func->inst != inst) {
        inst = csp[-1].func->inst;
        RELOAD_MEM();
    }
    DISPATCH();

    DISPATCH_SWITCH_BEGIN

    /* ---- control ---- */
    H(UNREACHABLE) {
        msg = "unreachable";
        goto trap;
    }
    H(BR) JUMP(0);
    H(BR_IF) {
        if (R32(0))
            JUMP(1);
    }
    NEXT(BR_IF);
    H(BR_UNLESS) {
        if (!R32(0))
            JUMP(1);
    }
    NEXT(BR_UNLESS);
    H(BR_BACK) JUMP_BACK(0);
    H(BR_IF_BACK) {
        if (R32(0))
            JUMP_BACK(1);
    }
    NEXT(BR_IF_BACK);
    H(BR_UNLESS_BACK) {
        if (!R32(0))
            JUMP_BACK(1);
    }
    NEXT(BR_UNLESS_BACK);
    H(BR_TABLE) {
        uint32_t i = R32(0), n = OPND(1);
        JUMP(2 + (i < n ? i : n));
    }
    H(RETURN) goto do_return;
    H(RETURN1) {
        fp[0] = SLOT(0);
        goto do_return;
    }
    H(CALL) {
        /* A defined function: Wasm code of this same instance, so no host check and no
         * instance or memory switch (the generic path is `enter`). */
        callee = inst->funcs[OPND(0)];
        nfp = (Cell *)(void *)((char *)fp + OPND(1));
        ip += IOP_LEN_CALL;
        const LoweredFunc *lf = callee->code;
        if (csp == cs_end || (size_t)(stack_end - nfp) < lf->frame_cells) {
            msg = "call stack exhausted";
            goto trap_at_call;
        }
        csp->ret = ip;
        csp->fp = fp;
        csp->func = callee;
        csp++;
        fp = nfp;
        ip = lf->code;
        CHARGE_ENTRY(lf->fuel);
        DISPATCH();
    }
    H(CALL_IMPORT) {
        callee = inst->funcs[OPND(0)];
        nfp = (Cell *)(void *)((char *)fp + OPND(1));
        ip += IOP_LEN_CALL_IMPORT;
        goto enter;
    }
    H(CALL_INDIRECT) {
        INDIRECT_CALLEE();
        nfp = (Cell *)(void *)((char *)fp + OPND(3));
        ip += IOP_LEN_CALL_INDIRECT;
        goto enter;
    }

    /* ---- tail calls: the arguments move down to cell 0 and the callee replaces this frame,
     * so a chain of tail calls runs in constant value stack and control stack ---- */
    H(RETURN_CALL) {
        callee = inst->funcs[OPND(0)];
        tail_args(fp, OPND(1), OPND(2));
        goto tail_call;
    }
    H(RETURN_CALL_IMPORT) {
        callee = inst->funcs[OPND(0)];
        if (callee->host) { /* called as CALL_IMPORT calls it; the code after returns */
            nfp = (Cell *)(void *)((char *)fp + OPND(1));
            ip += IOP_LEN_RETURN_CALL_IMPORT;
            host_tail = true;
            goto host_call;
        }
        tail_args(fp, OPND(1), OPND(2));
        goto tail_call;
    }
    H(RETURN_CALL_INDIRECT) {
        INDIRECT_CALLEE();
        if (callee->host) {
            nfp = (Cell *)(void *)((char *)fp + OPND(3));
            ip += IOP_LEN_RETURN_CALL_INDIRECT;
            host_tail = true;
            goto host_call;
        }
        tail_args(fp, OPND(3), OPND(4));
        goto tail_call;
    }

    /* ---- typed function references ---- */
    H_APART(CALL_REF) {
        callee = (Func *)(uintptr_t)SLOT(0);
        if (!callee) {
            msg = "null function reference";
            goto trap;
        }
        nfp = (Cell *)(void *)((char *)fp + OPND(1));
        ip += IOP_LEN_CALL_REF;
        goto enter;
    }
    H_APART(RETURN_CALL_REF) {
        callee = (Func *)(uintptr_t)SLOT(0);
        if (!callee) {
            msg = "null function reference";
            goto trap;
        }
        if (callee->host) {
            nfp = (Cell *)(void *)((char *)fp + OPND(1));
            ip += IOP_LEN_RETURN_CALL_REF;
            host_tail = true;
            goto host_call;
        }
        tail_args(fp, OPND(1), OPND(2));
        goto tail_call;
    }
    H_APART(BR_NULL) {
        if (!SLOT(0))
            JUMP(1);
    }
    NEXT(BR_NULL);
    H_APART(BR_NONNULL) {
        if (SLOT(0))
            JUMP(1);
    }
    NEXT(BR_NONNULL);
    H_APART(REF_AS_NON_NULL) {
        if (!SLOT(0)) {
            msg = "null reference";
            goto trap;
        }
    }
    NEXT(REF_AS_NON_NULL);

    /* ---- garbage collection (gc.c) ---- */
    /* An allocation: a safepoint, where a collection may run, with this frame published
     * (a GcPoint) for the collector's walk of the frames by their stack maps. */
#define GC_ALLOC(call)                                          \
    do {                                                        \
        GcPoint gp_ = {ip, fp, csp, false, st->gc_point};       \
        st->gc_point = &gp_;                                    \
        s->gc_safepoint = true;                                 \
        msg = (call);                                           \
        s->gc_safepoint = false;                                \
        st->gc_point = gp_.outer;                               \
        if (msg)                                                \
            goto trap;                                          \
    } while (0)
    H_APART(GC_STRUCT_NEW) GC_ALLOC(gc_struct_new(inst, OPND(2), &SLOT(1), &SLOT(0)));
    NEXT(GC_STRUCT_NEW);
    H_APART(GC_STRUCT_NEW_DEFAULT) GC_ALLOC(gc_struct_new_default(inst, OPND(1), &SLOT(0)));
    NEXT(GC_STRUCT_NEW_DEFAULT);
    H_APART(GC_STRUCT_GET) {
        Cell r = SLOT(1);
        if (!r)
            goto trap_null_struct;
        SLOT(0) = gc_obj(r)->data[OPND(2)];
    }
    NEXT(GC_STRUCT_GET);
    H_APART(GC_STRUCT_GET_S) {
        Cell r = SLOT(1);
        if (!r)
            goto trap_null_struct;
        Cell v = gc_obj(r)->data[OPND(2)];
        SLOT(0) = OPND(3) == 8 ? (uint32_t)(int32_t)(int8_t)v : (uint32_t)(int32_t)(int16_t)v;
    }
    NEXT(GC_STRUCT_GET_S);
    H_APART(GC_STRUCT_GET_V128) {
        Cell r = SLOT(1);
        if (!r)
            goto trap_null_struct;
        const Cell *d = gc_obj(r)->data + OPND(2);
        Cell *o = &SLOT(0);
        o[0] = d[0];
        o[1] = d[1];
    }
    NEXT(GC_STRUCT_GET_V128);
    H_APART(GC_STRUCT_SET) {
        Cell r = SLOT(0), v = SLOT(1);
        if (!r)
            goto trap_null_struct;
        gc_obj(r)->data[OPND(2)] = OPND(3) == 8 ? (uint8_t)v : OPND(3) == 16 ? (uint16_t)v : v;
    }
    NEXT(GC_STRUCT_SET);
    H_APART(GC_STRUCT_SET_V128) {
        Cell r = SLOT(0);
        if (!r)
            goto trap_null_struct;
        const Cell *v = &SLOT(1);
        Cell *d = gc_obj(r)->data + OPND(2);
        d[0] = v[0];
        d[1] = v[1];
    }
    NEXT(GC_STRUCT_SET_V128);
    H_APART(GC_ARRAY_NEW) {
        const Cell *init = &SLOT(1);
        GC_ALLOC(gc_array_new(inst, OPND(3), init[0], OPND(4) ? init[1] : 0, R32(2), &SLOT(0)));
    }
    NEXT(GC_ARRAY_NEW);
    H_APART(GC_ARRAY_NEW_DEFAULT) GC_ALLOC(gc_array_new(inst, OPND(2), 0, 0, R32(1), &SLOT(0)));
    NEXT(GC_ARRAY_NEW_DEFAULT);
    H_APART(GC_ARRAY_NEW_FIXED)
        GC_ALLOC(gc_array_new_fixed(inst, OPND(3), &SLOT(1), OPND(2), &SLOT(0)));
    NEXT(GC_ARRAY_NEW_FIXED);
    H_APART(GC_ARRAY_NEW_DATA)
        GC_ALLOC(gc_array_new_data(inst, OPND(3), OPND(4), R32(1), R32(2), &SLOT(0)));
    NEXT(GC_ARRAY_NEW_DATA);
    H_APART(GC_ARRAY_NEW_ELEM)
        GC_ALLOC(gc_array_new_elem(inst, OPND(3), OPND(4), R32(1), R32(2), &SLOT(0)));
    NEXT(GC_ARRAY_NEW_ELEM);
    H_APART(GC_ARRAY_GET) {
        Cell r = SLOT(1);
        uint32_t i = R32(2);
        if (!r)
            goto trap_null_array;
        if (i >= gc_obj(r)->len)
            goto trap_array;
        gc_array_load(gc_obj(r), i, OPND(3), &SLOT(0));
    }
    NEXT(GC_ARRAY_GET);
    H_APART(GC_ARRAY_SET) {
        Cell r = SLOT(0);
        uint32_t i = R32(1);
        if (!r)
            goto trap_null_array;
        if (i >= gc_obj(r)->len)
            goto trap_array;
        gc_array_store(gc_obj(r), i, &SLOT(2));
    }
    NEXT(GC_ARRAY_SET);
    H_APART(GC_ARRAY_LEN) {
        Cell r = SLOT(1);
        if (!r)
            goto trap_null_array;
        SLOT(0) = gc_obj(r)->len;
    }
    NEXT(GC_ARRAY_LEN);
    H_APART(GC_ARRAY_FILL) {
        const Cell *v = &SLOT(2);
        Cell val[2] = {v[0], OPND(4) ? v[1] : 0};
        CHECKED(gc_array_fill(s, SLOT(0), R32(1), val, R32(3)));
    }
    NEXT(GC_ARRAY_FILL);
    H_APART(GC_ARRAY_COPY) CHECKED(gc_array_copy(s, SLOT(0), R32(1), SLOT(2), R32(3), R32(4)));
    NEXT(GC_ARRAY_COPY);
    H_APART(GC_ARRAY_INIT_DATA)
        CHECKED(gc_array_init_data(inst, SLOT(0), OPND(4), R32(1), R32(2), R32(3)));
    NEXT(GC_ARRAY_INIT_DATA);
    H_APART(GC_ARRAY_INIT_ELEM)
        CHECKED(gc_array_init_elem(inst, SLOT(0), OPND(4), R32(1), R32(2), R32(3)));
    NEXT(GC_ARRAY_INIT_ELEM);
    H_APART(GC_REF_TEST) {
        bool ok = gc_ref_test(inst->module, SLOT(1), OPND(2), OPND(3) & 1);
        SLOT(0) = ok != ((OPND(3) & 2) != 0);
    }
    NEXT(GC_REF_TEST);
    H_APART(GC_REF_CAST) {
        if (!gc_ref_test(inst->module, SLOT(0), OPND(1), OPND(2))) {
            msg = "cast failure";
            goto trap;
        }
    }
    NEXT(GC_REF_CAST);
    H_APART(GC_CONVERT) {
        Cell r = SLOT(1);
        GC_ALLOC(OPND(2) ? gc_internalize(s, r, &SLOT(0)) : gc_externalize(s, r, &SLOT(0)));
    }
    NEXT(GC_CONVERT);
    H_APART(GC_REF_I31) SLOT(0) = gc_i31(R32(1));
    NEXT(GC_REF_I31);
    H_APART(GC_I31_GET) {
        Cell r = SLOT(1);
        if (!r) {
            msg = "null i31 reference";
            goto trap;
        }
        uint32_t v = (uint32_t)(r >> 1) & 0x7fffffffu;
        SLOT(0) = OPND(2) ? (uint32_t)((int32_t)(v << 1) >> 1) : v;
    }
    NEXT(GC_I31_GET);
    H_APART(GC_REF_EQ) SLOT(0) = SLOT(1) == SLOT(2);
    NEXT(GC_REF_EQ);

    H(LAZY) {
        /* The first call of a function not lowered yet: `enter` took the stub (lower.h) and
         * pushed a frame charging nothing. Lower the function, give this store's Func its
         * code, drop the frame and enter again. */
        Func *f = csp[-1].func;
        const char *why = NULL;
        const LoweredFunc *lf =
            lower_get(inst->module, f->index - inst->module->nfunc_imports, &why);
        csp--;
        nfp = fp;
        fp = csp->fp;
        ip = csp->ret;
        callee = f;
        if (!lf) {
            msg = why;
            goto trap_at_call;
        }
        f->code = lf;
        goto enter;
    }

    H_APART(THROW) {
        exn = exn_new(s, st, inst->tags[OPND(0)], &SLOT(1));
        if (!exn) {
            msg = "out of memory";
            goto trap;
        }
        goto throw_search;
    }
    H_APART(EXN_RELEASE) {
        exn_release(st, (Exn *)(uintptr_t)SLOT(0), NULL);
    }
    NEXT(EXN_RELEASE);
    H_APART(THROW_REF) {
        exn = (Exn *)(uintptr_t)SLOT(0);
        if (!exn) {
            msg = "null exception reference";
            goto trap;
        }
        goto throw_search;
    }

    H(NATIVE) {
        /* A function compiled to native code (native.c): its frame holds the params. The
         * native code may call back into the interpreter, so the frame is published as a
         * host call's is. Its own traps carry their innermost frame; its callers' follow. */
        Cell *saved_top = st->top;
        st->top = fp + csp[-1].func->code->frame_cells;
        st->csp = csp;
        s->depth = (uint32_t)(csp - st->cs);
        s->fuel_tick = tick;
        Trap *t = native_enter(s, csp[-1].func, fp);
        tick = s->fuel_tick;
        st->top = saved_top;
        RELOAD_MEM(); /* the native code may have grown the memory */
        if (t && t->exn) { /* compiled code has no handlers: its caller's may catch it */
            exn = t->exn;
            corral_trap_delete(t);
            goto unwind_frame;
        }
        if (t) {
            if (csp - 1 > cs_entry)
                add_frames(t, csp[-1].ret - 1, csp - 1, cs_entry);
            st->csp = cs_entry;
            return t;
        }
        goto do_return;
    }

    /* ---- moves, variables, references ---- */
    H(ZERO) {
        Cell *z = (Cell *)(void *)((char *)fp + OPND(0));
        uint32_t n = OPND(1);
        if (n <= 4) { /* lower.c leaves room for 4 cells */
            z[0] = 0;
            z[1] = 0;
            z[2] = 0;
            z[3] = 0;
        } else {
            memset(z, 0, (size_t)n * sizeof(Cell));
        }
    }
    NEXT(ZERO);
    H(COPY) SLOT(0) = SLOT(1);
    NEXT(COPY);
    H(COPY2) {
        SLOT(0) = SLOT(1);
        SLOT(2) = SLOT(3);
    }
    NEXT(COPY2);
    H(CONST32) SLOT(0) = OPND(1);
    NEXT(CONST32);
    H(CONST64) SLOT(0) = (uint64_t)OPND(1) | ((uint64_t)OPND(2) << 32);
    NEXT(CONST64);
    H(SELECT) {
        Cell a = SLOT(1), b = SLOT(2);
        SLOT(0) = R32(3) ? a : b;
    }
    NEXT(SELECT);
    H(GLOBAL_GET) SLOT(0) = inst->globals[OPND(1)]->val[0];
    NEXT(GLOBAL_GET);
    H(GLOBAL_SET) inst->globals[OPND(1)]->val[0] = SLOT(0);
    NEXT(GLOBAL_SET);
    H_APART(V128_SELECT) {
        V128 a = VGET(1), b = VGET(2);
        VSET(0, R32(3) ? a : b);
    }
    NEXT(V128_SELECT);
    H_APART(V128_GLOBAL_GET) VSET(0, v128_load(inst->globals[OPND(1)]->val));
    NEXT(V128_GLOBAL_GET);
    H_APART(V128_GLOBAL_SET) v128_store(inst->globals[OPND(1)]->val, VGET(0));
    NEXT(V128_GLOBAL_SET);
    H(REF_IS_NULL) SLOT(0) = SLOT(1) == 0;
    NEXT(REF_IS_NULL);
    H(REF_FUNC) SLOT(0) = (Cell)(uintptr_t)inst->funcs[OPND(1)];
    NEXT(REF_FUNC);

    /* ---- tables ---- */
    H(TABLE_GET) {
        Table *t = inst->tables[OPND(2)];
        uint32_t i = R32(1);
        if (i >= t->size)
            goto trap_table;
        SLOT(0) = t->elems[i];
    }
    NEXT(TABLE_GET);
    H(TABLE_SET) {
        Table *t = inst->tables[OPND(0)];
        uint32_t i = R32(1);
        if (i >= t->size)
            goto trap_table;
        t->elems[i] = SLOT(2);
    }
    NEXT(TABLE_SET);
    H(TABLE_SIZE) SLOT(0) = inst->tables[OPND(1)]->size;
    NEXT(TABLE_SIZE);
    H(TABLE_GROW) {
        Cell init = SLOT(1);
        uint32_t n = R32(2);
        SLOT(0) = (uint32_t)table_grow(inst->tables[OPND(3)], n, init);
    }
    NEXT(TABLE_GROW);
    H(TABLE_FILL) CHECKED(bulk_table_fill(s, inst->tables[OPND(0)], R32(1), SLOT(2), R32(3)));
    NEXT(TABLE_FILL);
    H(TABLE_COPY) CHECKED(bulk_table_copy(s, inst->tables[OPND(0)], inst->tables[OPND(1)], R32(2),
                                     R32(3), R32(4)));
    NEXT(TABLE_COPY);
    H(TABLE_INIT) CHECKED(bulk_table_init(inst, OPND(0), OPND(1), R32(2), R32(3), R32(4)));
    NEXT(TABLE_INIT);
    H(ELEM_DROP) inst->elem_len[OPND(0)] = 0;
    NEXT(ELEM_DROP);
    H_APART(I64_SAT_U32) {
        uint64_t a = SLOT(1);
        SLOT(0) = a > UINT32_MAX ? UINT32_MAX : a;
    }
    NEXT(I64_SAT_U32);
    H_APART(TABLE_GROW64) {
        Cell init = SLOT(1);
        uint64_t n = SLOT(2);
        SLOT(0) = (uint64_t)(n > UINT32_MAX ? -1 : table_grow(inst->tables[OPND(3)], (uint32_t)n, init));
    }
    NEXT(TABLE_GROW64);

    /* ---- memory ---- */
    H(MEMORY_SIZE) SLOT(0) = (uint32_t)(memsize / WASM_PAGE);
    NEXT(MEMORY_SIZE);
    H(MEMORY_GROW) {
        SLOT(0) = (uint32_t)bulk_grow_memory(inst, R32(1));
        RELOAD_MEM();
    }
    NEXT(MEMORY_GROW);
    H(MEMORY_INIT) CHECKED(bulk_memory_init(inst, inst->mem0, OPND(0), R32(1), R32(2), R32(3)));
    NEXT(MEMORY_INIT);
    H(DATA_DROP) inst->data_len[OPND(0)] = 0;
    NEXT(DATA_DROP);
    H(MEMORY_COPY) CHECKED(bulk_memory_copy(s, inst->mem0, inst->mem0, R32(0), R32(1), R32(2)));
    NEXT(MEMORY_COPY);
    H(MEMORY_FILL) CHECKED(bulk_memory_fill(s, inst->mem0, R32(0), (uint8_t)R32(1), R32(2)));
    NEXT(MEMORY_FILL);

    LOAD_KINDS(LOAD_PLAIN)
    LOAD_KINDS(LOAD_A)
    LOAD_KINDS(LOAD_X)
    LOAD_EA(I32_LOAD_S, 4, EA_S, ld_u32(p))
    LOAD_EA(I64_LOAD_S, 8, EA_S, ld_u64(p))
    BIN_M(I32_ADD_M, 4, ld_u32, (uint32_t)((uint32_t)a + (uint32_t)b))
    BIN_M(I64_ADD_M, 8, ld_u64, a + b)
    BIN_M(F64_ADD_M, 8, ld_u64, num_f64_add(a, b))
    BIN_M(F64_SUB_M, 8, ld_u64, num_f64_sub(a, b))
    BIN_M(F64_MUL_M, 8, ld_u64, num_f64_mul(a, b))
    H(F64_MULADD) {
        uint64_t t = num_f64_mul(SLOT(1), SLOT(2));
        SLOT(0) = num_f64_add(t, SLOT(3));
    }
    NEXT(F64_MULADD);
    H(F64_MULSUB) {
        uint64_t t = num_f64_mul(SLOT(1), SLOT(2));
        SLOT(0) = num_f64_sub(t, SLOT(3));
    }
    NEXT(F64_MULSUB);
    H(F64_RMULSUB) {
        uint64_t t = num_f64_mul(SLOT(1), SLOT(2));
        SLOT(0) = num_f64_sub(SLOT(3), t);
    }
    NEXT(F64_RMULSUB);
    STORE(I32_STORE, 4, st_u32(p, (uint32_t)v))
    STORE(I64_STORE, 8, st_u64(p, v))
    STORE(I32_STORE8, 1, st_u8(p, (uint8_t)v))
    STORE(I32_STORE16, 2, st_u16(p, (uint16_t)v))
    STORE(I64_STORE8, 1, st_u8(p, (uint8_t)v))
    STORE(I64_STORE16, 2, st_u16(p, (uint16_t)v))
    STORE(I64_STORE32, 4, st_u32(p, (uint32_t)v))
    STORE_IMM(I32_STORE_I, 4, st_u32(p, (uint32_t)v))
    STORE_IMM(I64_STORE_I, 8, st_u64(p, v))
    STORE_IMM(I32_STORE8_I, 1, st_u8(p, (uint8_t)v))
    STORE_IMM(I32_STORE16_I, 2, st_u16(p, (uint16_t)v))
    STORE_IMM(I64_STORE8_I, 1, st_u8(p, (uint8_t)v))
    STORE_IMM(I64_STORE16_I, 2, st_u16(p, (uint16_t)v))
    STORE_IMM(I64_STORE32_I, 4, st_u32(p, (uint32_t)v))

    /* ---- unary numeric ---- */
    UN(I32_EQZ, (uint32_t)a == 0)
    UN(I64_EQZ, a == 0)
    UN(I32_CLZ, num_i32_clz((uint32_t)a))
    UN(I32_CTZ, num_i32_ctz((uint32_t)a))
    UN(I32_POPCNT, num_i32_popcnt((uint32_t)a))
    UN(I64_CLZ, num_i64_clz(a))
    UN(I64_CTZ, num_i64_ctz(a))
    UN(I64_POPCNT, num_i64_popcnt(a))
    UN(F32_ABS, num_f32_abs((uint32_t)a))
    UN(F32_NEG, num_f32_neg((uint32_t)a))
    UN(F32_CEIL, num_f32_ceil((uint32_t)a))
    UN(F32_FLOOR, num_f32_floor((uint32_t)a))
    UN(F32_TRUNC, num_f32_trunc((uint32_t)a))
    UN(F32_NEAREST, num_f32_nearest((uint32_t)a))
    UN(F32_SQRT, num_f32_sqrt((uint32_t)a))
    UN(F64_ABS, num_f64_abs(a))
    UN(F64_NEG, num_f64_neg(a))
    UN(F64_CEIL, num_f64_ceil(a))
    UN(F64_FLOOR, num_f64_floor(a))
    UN(F64_TRUNC, num_f64_trunc(a))
    UN(F64_NEAREST, num_f64_nearest(a))
    UN(F64_SQRT, num_f64_sqrt(a))
    UN(I32_WRAP_I64, (uint32_t)a)
    TRUNC(I32_TRUNC_F32_S, uint32_t, uint32_t, num_i32_trunc_f32_s)
    TRUNC(I32_TRUNC_F32_U, uint32_t, uint32_t, num_i32_trunc_f32_u)
    TRUNC(I32_TRUNC_F64_S, uint64_t, uint32_t, num_i32_trunc_f64_s)
    TRUNC(I32_TRUNC_F64_U, uint64_t, uint32_t, num_i32_trunc_f64_u)
    UN(I64_EXTEND_I32_S, (uint64_t)S64(S32((uint32_t)a)))
    UN(I64_EXTEND_I32_U, (uint32_t)a)
    TRUNC(I64_TRUNC_F32_S, uint32_t, uint64_t, num_i64_trunc_f32_s)
    TRUNC(I64_TRUNC_F32_U, uint32_t, uint64_t, num_i64_trunc_f32_u)
    TRUNC(I64_TRUNC_F64_S, uint64_t, uint64_t, num_i64_trunc_f64_s)
    TRUNC(I64_TRUNC_F64_U, uint64_t, uint64_t, num_i64_trunc_f64_u)
    UN(F32_CONVERT_I32_S, num_f32_convert_i32_s((uint32_t)a))
    UN(F32_CONVERT_I32_U, num_f32_convert_i32_u((uint32_t)a))
    UN(F32_CONVERT_I64_S, num_f32_convert_i64_s(a))
    UN(F32_CONVERT_I64_U, num_f32_convert_i64_u(a))
    UN(F32_DEMOTE_F64, num_f32_demote_f64(a))
    UN(F64_CONVERT_I32_S, num_f64_convert_i32_s((uint32_t)a))
    UN(F64_CONVERT_I32_U, num_f64_convert_i32_u((uint32_t)a))
    UN(F64_CONVERT_I64_S, num_f64_convert_i64_s(a))
    UN(F64_CONVERT_I64_U, num_f64_convert_i64_u(a))
    UN(F64_PROMOTE_F32, num_f64_promote_f32((uint32_t)a))
    UN(I32_EXTEND8_S, num_i32_extend8_s((uint32_t)a))
    UN(I32_EXTEND16_S, num_i32_extend16_s((uint32_t)a))
    UN(I64_EXTEND8_S, num_i64_extend8_s(a))
    UN(I64_EXTEND16_S, num_i64_extend16_s(a))
    UN(I64_EXTEND32_S, num_i64_extend32_s(a))
    UN(I32_TRUNC_SAT_F32_S, num_i32_trunc_sat_f32_s((uint32_t)a))
    UN(I32_TRUNC_SAT_F32_U, num_i32_trunc_sat_f32_u((uint32_t)a))
    UN(I32_TRUNC_SAT_F64_S, num_i32_trunc_sat_f64_s(a))
    UN(I32_TRUNC_SAT_F64_U, num_i32_trunc_sat_f64_u(a))
    UN(I64_TRUNC_SAT_F32_S, num_i64_trunc_sat_f32_s((uint32_t)a))
    UN(I64_TRUNC_SAT_F32_U, num_i64_trunc_sat_f32_u((uint32_t)a))
    UN(I64_TRUNC_SAT_F64_S, num_i64_trunc_sat_f64_s(a))
    UN(I64_TRUNC_SAT_F64_U, num_i64_trunc_sat_f64_u(a))

    /* ---- binary i32 ---- */
    BIN32(I32_EQ, a == b)
    BIN32(I32_NE, a != b)
    BIN32(I32_LT_S, S32(a) < S32(b))
    BIN32(I32_LT_U, a < b)
    BIN32(I32_GT_S, S32(a) > S32(b))
    BIN32(I32_GT_U, a > b)
    BIN32(I32_LE_S, S32(a) <= S32(b))
    BIN32(I32_LE_U, a <= b)
    BIN32(I32_GE_S, S32(a) >= S32(b))
    BIN32(I32_GE_U, a >= b)
    BIN32(I32_ADD, a + b)
    BIN32(I32_SUB, a - b)
    BIN32(I32_MUL, a * b)
    DIV(I32_DIV_S, uint32_t, num_i32_div_s)
    DIV(I32_DIV_U, uint32_t, num_i32_div_u)
    DIV(I32_REM_S, uint32_t, num_i32_rem_s)
    DIV(I32_REM_U, uint32_t, num_i32_rem_u)
    BIN32(I32_AND, a & b)
    BIN32(I32_OR, a | b)
    BIN32(I32_XOR, a ^ b)
    BIN32(I32_SHL, num_i32_shl(a, b))
    BIN32(I32_SHR_S, num_i32_shr_s(a, b))
    BIN32(I32_SHR_U, num_i32_shr_u(a, b))
    BIN32(I32_ROTL, num_i32_rotl(a, b))
    BIN32(I32_ROTR, num_i32_rotr(a, b))

    /* ---- binary i64 ---- */
    BIN64(I64_EQ, a == b)
    BIN64(I64_NE, a != b)
    BIN64(I64_LT_S, S64(a) < S64(b))
    BIN64(I64_LT_U, a < b)
    BIN64(I64_GT_S, S64(a) > S64(b))
    BIN64(I64_GT_U, a > b)
    BIN64(I64_LE_S, S64(a) <= S64(b))
    BIN64(I64_LE_U, a <= b)
    BIN64(I64_GE_S, S64(a) >= S64(b))
    BIN64(I64_GE_U, a >= b)
    BIN64(I64_ADD, a + b)
    BIN64(I64_SUB, a - b)
    BIN64(I64_MUL, a * b)
    DIV(I64_DIV_S, uint64_t, num_i64_div_s)
    DIV(I64_DIV_U, uint64_t, num_i64_div_u)
    DIV(I64_REM_S, uint64_t, num_i64_rem_s)
    DIV(I64_REM_U, uint64_t, num_i64_rem_u)
    BIN64(I64_AND, a & b)
    BIN64(I64_OR, a | b)
    BIN64(I64_XOR, a ^ b)
    BIN64(I64_SHL, num_i64_shl(a, b))
    BIN64(I64_SHR_S, num_i64_shr_s(a, b))
    BIN64(I64_SHR_U, num_i64_shr_u(a, b))
    BIN64(I64_ROTL, num_i64_rotl(a, b))
    BIN64(I64_ROTR, num_i64_rotr(a, b))

    /* ---- binary f32 / f64 (operands are bit patterns) ---- */
    BIN32(F32_EQ, num_f32_eq(a, b))
    BIN32(F32_NE, num_f32_ne(a, b))
    BIN32(F32_LT, num_f32_lt(a, b))
    BIN32(F32_GT, num_f32_gt(a, b))
    BIN32(F32_LE, num_f32_le(a, b))
    BIN32(F32_GE, num_f32_ge(a, b))
    BIN32(F32_ADD, num_f32_add(a, b))
    BIN32(F32_SUB, num_f32_sub(a, b))
    BIN32(F32_MUL, num_f32_mul(a, b))
    BIN32(F32_DIV, num_f32_div(a, b))
    BIN32(F32_MIN, num_f32_min(a, b))
    BIN32(F32_MAX, num_f32_max(a, b))
    BIN32(F32_COPYSIGN, num_f32_copysign(a, b))
    H(F64_EQ) SLOT(0) = (uint32_t)num_f64_eq(SLOT(1), SLOT(2));
    NEXT(F64_EQ);
    H(F64_NE) SLOT(0) = (uint32_t)num_f64_ne(SLOT(1), SLOT(2));
    NEXT(F64_NE);
    H(F64_LT) SLOT(0) = (uint32_t)num_f64_lt(SLOT(1), SLOT(2));
    NEXT(F64_LT);
    H(F64_GT) SLOT(0) = (uint32_t)num_f64_gt(SLOT(1), SLOT(2));
    NEXT(F64_GT);
    H(F64_LE) SLOT(0) = (uint32_t)num_f64_le(SLOT(1), SLOT(2));
    NEXT(F64_LE);
    H(F64_GE) SLOT(0) = (uint32_t)num_f64_ge(SLOT(1), SLOT(2));
    NEXT(F64_GE);
    BIN64(F64_ADD, num_f64_add(a, b))
    BIN64(F64_SUB, num_f64_sub(a, b))
    BIN64(F64_MUL, num_f64_mul(a, b))
    BIN64(F64_DIV, num_f64_div(a, b))
    BIN64(F64_MIN, num_f64_min(a, b))
    BIN64(F64_MAX, num_f64_max(a, b))
    BIN64(F64_COPYSIGN, num_f64_copysign(a, b))

    /* ---- binary with an immediate ---- */
    BIN32I(I32_EQ_I, a == b)
    BIN32I(I32_NE_I, a != b)
    BIN32I(I32_LT_S_I, S32(a) < S32(b))
    BIN32I(I32_LT_U_I, a < b)
    BIN32I(I32_GT_S_I, S32(a) > S32(b))
    BIN32I(I32_GT_U_I, a > b)
    BIN32I(I32_LE_S_I, S32(a) <= S32(b))
    BIN32I(I32_LE_U_I, a <= b)
    BIN32I(I32_GE_S_I, S32(a) >= S32(b))
    BIN32I(I32_GE_U_I, a >= b)
    BIN32I(I32_ADD_I, a + b)
    BIN32I(I32_SUB_I, a - b)
    BIN32I(I32_MUL_I, a * b)
    BIN32I(I32_AND_I, a & b)
    BIN32I(I32_OR_I, a | b)
    BIN32I(I32_XOR_I, a ^ b)
    BIN32I(I32_SHL_I, num_i32_shl(a, b))
    BIN32I(I32_SHR_S_I, num_i32_shr_s(a, b))
    BIN32I(I32_SHR_U_I, num_i32_shr_u(a, b))
    BIN32I(I32_ROTL_I, num_i32_rotl(a, b))
    BIN32I(I32_ROTR_I, num_i32_rotr(a, b))
    BIN64I(I64_EQ_I, a == b)
    BIN64I(I64_NE_I, a != b)
    BIN64I(I64_LT_S_I, S64(a) < S64(b))
    BIN64I(I64_LT_U_I, a < b)
    BIN64I(I64_GT_S_I, S64(a) > S64(b))
    BIN64I(I64_GT_U_I, a > b)
    BIN64I(I64_LE_S_I, S64(a) <= S64(b))
    BIN64I(I64_LE_U_I, a <= b)
    BIN64I(I64_GE_S_I, S64(a) >= S64(b))
    BIN64I(I64_GE_U_I, a >= b)
    BIN64I(I64_ADD_I, a + b)
    BIN64I(I64_SUB_I, a - b)
    BIN64I(I64_MUL_I, a * b)
    BIN64I(I64_AND_I, a & b)
    BIN64I(I64_OR_I, a | b)
    BIN64I(I64_XOR_I, a ^ b)
    BIN64I(I64_SHL_I, num_i64_shl(a, b))
    BIN64I(I64_SHR_S_I, num_i64_shr_s(a, b))
    BIN64I(I64_SHR_U_I, num_i64_shr_u(a, b))
    BIN64I(I64_ROTL_I, num_i64_rotl(a, b))
    BIN64I(I64_ROTR_I, num_i64_rotr(a, b))

    /* ---- fused compare and branch ---- */
    BRC32(BR_I32_EQ, a == b)
    BRC32(BR_I32_NE, a != b)
    BRC32(BR_I32_LT_S, S32(a) < S32(b))
    BRC32(BR_I32_LT_U, a < b)
    BRC32(BR_I32_GT_S, S32(a) > S32(b))
    BRC32(BR_I32_GT_U, a > b)
    BRC32(BR_I32_LE_S, S32(a) <= S32(b))
    BRC32(BR_I32_LE_U, a <= b)
    BRC32(BR_I32_GE_S, S32(a) >= S32(b))
    BRC32(BR_I32_GE_U, a >= b)
    BRC32I(BR_I32_EQ_I, a == b)
    BRC32I(BR_I32_NE_I, a != b)
    BRC32I(BR_I32_LT_S_I, S32(a) < S32(b))
    BRC32I(BR_I32_LT_U_I, a < b)
    BRC32I(BR_I32_GT_S_I, S32(a) > S32(b))
    BRC32I(BR_I32_GT_U_I, a > b)
    BRC32I(BR_I32_LE_S_I, S32(a) <= S32(b))
    BRC32I(BR_I32_LE_U_I, a <= b)
    BRC32I(BR_I32_GE_S_I, S32(a) >= S32(b))
    BRC32I(BR_I32_GE_U_I, a >= b)
    BRC64(BR_I64_EQ, a == b)
    BRC64(BR_I64_NE, a != b)
    BRC64(BR_I64_LT_S, S64(a) < S64(b))
    BRC64(BR_I64_LT_U, a < b)
    BRC64(BR_I64_GT_S, S64(a) > S64(b))
    BRC64(BR_I64_GT_U, a > b)
    BRC64(BR_I64_LE_S, S64(a) <= S64(b))
    BRC64(BR_I64_LE_U, a <= b)
    BRC64(BR_I64_GE_S, S64(a) >= S64(b))
    BRC64(BR_I64_GE_U, a >= b)
    BRC64I(BR_I64_EQ_I, a == b)
    BRC64I(BR_I64_NE_I, a != b)
    BRC64I(BR_I64_LT_S_I, S64(a) < S64(b))
    BRC64I(BR_I64_LT_U_I, a < b)
    BRC64I(BR_I64_GT_S_I, S64(a) > S64(b))
    BRC64I(BR_I64_GT_U_I, a > b)
    BRC64I(BR_I64_LE_S_I, S64(a) <= S64(b))
    BRC64I(BR_I64_LE_U_I, a <= b)
    BRC64I(BR_I64_GE_S_I, S64(a) >= S64(b))
    BRC64I(BR_I64_GE_U_I, a >= b)

    /* ---- fused compare and branch back to a loop header ---- */
    BRC32B(BR_I32_EQ_BACK, a == b)
    BRC32B(BR_I32_NE_BACK, a != b)
    BRC32B(BR_I32_LT_S_BACK, S32(a) < S32(b))
    BRC32B(BR_I32_LT_U_BACK, a < b)
    BRC32B(BR_I32_GT_S_BACK, S32(a) > S32(b))
    BRC32B(BR_I32_GT_U_BACK, a > b)
    BRC32B(BR_I32_LE_S_BACK, S32(a) <= S32(b))
    BRC32B(BR_I32_LE_U_BACK, a <= b)
    BRC32B(BR_I32_GE_S_BACK, S32(a) >= S32(b))
    BRC32B(BR_I32_GE_U_BACK, a >= b)
    BRC32IB(BR_I32_EQ_I_BACK, a == b)
    BRC32IB(BR_I32_NE_I_BACK, a != b)
    BRC32IB(BR_I32_LT_S_I_BACK, S32(a) < S32(b))
    BRC32IB(BR_I32_LT_U_I_BACK, a < b)
    BRC32IB(BR_I32_GT_S_I_BACK, S32(a) > S32(b))
    BRC32IB(BR_I32_GT_U_I_BACK, a > b)
    BRC32IB(BR_I32_LE_S_I_BACK, S32(a) <= S32(b))
    BRC32IB(BR_I32_LE_U_I_BACK, a <= b)
    BRC32IB(BR_I32_GE_S_I_BACK, S32(a) >= S32(b))
    BRC32IB(BR_I32_GE_U_I_BACK, a >= b)
    BRC64B(BR_I64_EQ_BACK, a == b)
    BRC64B(BR_I64_NE_BACK, a != b)
    BRC64B(BR_I64_LT_S_BACK, S64(a) < S64(b))
    BRC64B(BR_I64_LT_U_BACK, a < b)
    BRC64B(BR_I64_GT_S_BACK, S64(a) > S64(b))
    BRC64B(BR_I64_GT_U_BACK, a > b)
    BRC64B(BR_I64_LE_S_BACK, S64(a) <= S64(b))
    BRC64B(BR_I64_LE_U_BACK, a <= b)
    BRC64B(BR_I64_GE_S_BACK, S64(a) >= S64(b))
    BRC64B(BR_I64_GE_U_BACK, a >= b)
    BRC64IB(BR_I64_EQ_I_BACK, a == b)
    BRC64IB(BR_I64_NE_I_BACK, a != b)
    BRC64IB(BR_I64_LT_S_I_BACK, S64(a) < S64(b))
    BRC64IB(BR_I64_LT_U_I_BACK, a < b)
    BRC64IB(BR_I64_GT_S_I_BACK, S64(a) > S64(b))
    BRC64IB(BR_I64_GT_U_I_BACK, a > b)
    BRC64IB(BR_I64_LE_S_I_BACK, S64(a) <= S64(b))
    BRC64IB(BR_I64_LE_U_I_BACK, a <= b)
    BRC64IB(BR_I64_GE_S_I_BACK, S64(a) >= S64(b))
    BRC64IB(BR_I64_GE_U_I_BACK, a >= b)

    /* ---- 128-bit SIMD (simd.h) ---- */
    VLOAD(V128_LOAD, 16, v128_load)
    VLOAD(V128_LOAD8X8_S, 8, simd_v128_load8x8_s)
    VLOAD(V128_LOAD8X8_U, 8, simd_v128_load8x8_u)
    VLOAD(V128_LOAD16X4_S, 8, simd_v128_load16x4_s)
    VLOAD(V128_LOAD16X4_U, 8, simd_v128_load16x4_u)
    VLOAD(V128_LOAD32X2_S, 8, simd_v128_load32x2_s)
    VLOAD(V128_LOAD32X2_U, 8, simd_v128_load32x2_u)
    VLOAD(V128_LOAD8_SPLAT, 1, simd_v128_load8_splat)
    VLOAD(V128_LOAD16_SPLAT, 2, simd_v128_load16_splat)
    VLOAD(V128_LOAD32_SPLAT, 4, simd_v128_load32_splat)
    VLOAD(V128_LOAD64_SPLAT, 8, simd_v128_load64_splat)
    VSTORE(V128_STORE, 16, v128_store(p, v))
    H_APART(V128_CONST) memcpy((char *)fp + OPND(0), &OPND(1), 16);
    NEXT(V128_CONST);
    VSHUFFLE(I8X16_SHUFFLE)
    VBIN(I8X16_SWIZZLE, simd_i8x16_swizzle)
    VSPLAT(I8X16_SPLAT, simd_i8x16_splat)
    VSPLAT(I16X8_SPLAT, simd_i16x8_splat)
    VSPLAT(I32X4_SPLAT, simd_i32x4_splat)
    VSPLAT(I64X2_SPLAT, simd_i64x2_splat)
    VSPLAT(F32X4_SPLAT, simd_i32x4_splat)
    VSPLAT(F64X2_SPLAT, simd_i64x2_splat)
    VEXTRACT(I8X16_EXTRACT_LANE_S, simd_i8x16_extract_lane_s)
    VEXTRACT(I8X16_EXTRACT_LANE_U, simd_i8x16_extract_lane_u)
    VREPLACE(I8X16_REPLACE_LANE, simd_i8x16_replace_lane)
    VEXTRACT(I16X8_EXTRACT_LANE_S, simd_i16x8_extract_lane_s)
    VEXTRACT(I16X8_EXTRACT_LANE_U, simd_i16x8_extract_lane_u)
    VREPLACE(I16X8_REPLACE_LANE, simd_i16x8_replace_lane)
    VEXTRACT(I32X4_EXTRACT_LANE, simd_i32x4_extract_lane)
    VREPLACE(I32X4_REPLACE_LANE, simd_i32x4_replace_lane)
    VEXTRACT(I64X2_EXTRACT_LANE, simd_i64x2_extract_lane)
    VREPLACE(I64X2_REPLACE_LANE, simd_i64x2_replace_lane)
    VEXTRACT(F32X4_EXTRACT_LANE, simd_i32x4_extract_lane)
    VREPLACE(F32X4_REPLACE_LANE, simd_i32x4_replace_lane)
    VEXTRACT(F64X2_EXTRACT_LANE, simd_i64x2_extract_lane)
    VREPLACE(F64X2_REPLACE_LANE, simd_i64x2_replace_lane)
    VBIN(I8X16_EQ, simd_i8x16_eq)
    VBIN(I8X16_NE, simd_i8x16_ne)
    VBIN(I8X16_LT_S, simd_i8x16_lt_s)
    VBIN(I8X16_LT_U, simd_i8x16_lt_u)
    VBIN(I8X16_GT_S, simd_i8x16_gt_s)
    VBIN(I8X16_GT_U, simd_i8x16_gt_u)
    VBIN(I8X16_LE_S, simd_i8x16_le_s)
    VBIN(I8X16_LE_U, simd_i8x16_le_u)
    VBIN(I8X16_GE_S, simd_i8x16_ge_s)
    VBIN(I8X16_GE_U, simd_i8x16_ge_u)
    VBIN(I16X8_EQ, simd_i16x8_eq)
    VBIN(I16X8_NE, simd_i16x8_ne)
    VBIN(I16X8_LT_S, simd_i16x8_lt_s)
    VBIN(I16X8_LT_U, simd_i16x8_lt_u)
    VBIN(I16X8_GT_S, simd_i16x8_gt_s)
    VBIN(I16X8_GT_U, simd_i16x8_gt_u)
    VBIN(I16X8_LE_S, simd_i16x8_le_s)
    VBIN(I16X8_LE_U, simd_i16x8_le_u)
    VBIN(I16X8_GE_S, simd_i16x8_ge_s)
    VBIN(I16X8_GE_U, simd_i16x8_ge_u)
    VBIN(I32X4_EQ, simd_i32x4_eq)
    VBIN(I32X4_NE, simd_i32x4_ne)
    VBIN(I32X4_LT_S, simd_i32x4_lt_s)
    VBIN(I32X4_LT_U, simd_i32x4_lt_u)
    VBIN(I32X4_GT_S, simd_i32x4_gt_s)
    VBIN(I32X4_GT_U, simd_i32x4_gt_u)
    VBIN(I32X4_LE_S, simd_i32x4_le_s)
    VBIN(I32X4_LE_U, simd_i32x4_le_u)
    VBIN(I32X4_GE_S, simd_i32x4_ge_s)
    VBIN(I32X4_GE_U, simd_i32x4_ge_u)
    VBIN(F32X4_EQ, simd_f32x4_eq)
    VBIN(F32X4_NE, simd_f32x4_ne)
    VBIN(F32X4_LT, simd_f32x4_lt)
    VBIN(F32X4_GT, simd_f32x4_gt)
    VBIN(F32X4_LE, simd_f32x4_le)
    VBIN(F32X4_GE, simd_f32x4_ge)
    VBIN(F64X2_EQ, simd_f64x2_eq)
    VBIN(F64X2_NE, simd_f64x2_ne)
    VBIN(F64X2_LT, simd_f64x2_lt)
    VBIN(F64X2_GT, simd_f64x2_gt)
    VBIN(F64X2_LE, simd_f64x2_le)
    VBIN(F64X2_GE, simd_f64x2_ge)
    VUN(V128_NOT, simd_v128_not)
    VBIN(V128_AND, simd_v128_and)
    VBIN(V128_ANDNOT, simd_v128_andnot)
    VBIN(V128_OR, simd_v128_or)
    VBIN(V128_XOR, simd_v128_xor)
    VTERN(V128_BITSELECT, simd_v128_bitselect)
    VTEST(V128_ANY_TRUE, simd_v128_any_true)
    VLOAD_LANE(V128_LOAD8_LANE, 1, v_set8(&v, l, ld_u8(p)))
    VLOAD_LANE(V128_LOAD16_LANE, 2, v_set16(&v, l, ld_u16(p)))
    VLOAD_LANE(V128_LOAD32_LANE, 4, v_set32(&v, l, ld_u32(p)))
    VLOAD_LANE(V128_LOAD64_LANE, 8, v_set64(&v, l, ld_u64(p)))
    VSTORE_LANE(V128_STORE8_LANE, 1, st_u8(p, v_u8(v, l)))
    VSTORE_LANE(V128_STORE16_LANE, 2, st_u16(p, v_u16(v, l)))
    VSTORE_LANE(V128_STORE32_LANE, 4, st_u32(p, v_u32(v, l)))
    VSTORE_LANE(V128_STORE64_LANE, 8, st_u64(p, v_u64(v, l)))
    VLOAD(V128_LOAD32_ZERO, 4, simd_v128_load32_zero)
    VLOAD(V128_LOAD64_ZERO, 8, simd_v128_load64_zero)
    VUN(F32X4_DEMOTE_F64X2_ZERO, simd_f32x4_demote_f64x2_zero)
    VUN(F64X2_PROMOTE_LOW_F32X4, simd_f64x2_promote_low_f32x4)
    VUN(I8X16_ABS, simd_i8x16_abs)
    VUN(I8X16_NEG, simd_i8x16_neg)
    VUN(I8X16_POPCNT, simd_i8x16_popcnt)
    VTEST(I8X16_ALL_TRUE, simd_i8x16_all_true)
    VTEST(I8X16_BITMASK, simd_i8x16_bitmask)
    VBIN(I8X16_NARROW_I16X8_S, simd_i8x16_narrow_i16x8_s)
    VBIN(I8X16_NARROW_I16X8_U, simd_i8x16_narrow_i16x8_u)
    VUN(F32X4_CEIL, simd_f32x4_ceil)
    VUN(F32X4_FLOOR, simd_f32x4_floor)
    VUN(F32X4_TRUNC, simd_f32x4_trunc)
    VUN(F32X4_NEAREST, simd_f32x4_nearest)
    VSHIFT(I8X16_SHL, simd_i8x16_shl)
    VSHIFT(I8X16_SHR_S, simd_i8x16_shr_s)
    VSHIFT(I8X16_SHR_U, simd_i8x16_shr_u)
    VBIN(I8X16_ADD, simd_i8x16_add)
    VBIN(I8X16_ADD_SAT_S, simd_i8x16_add_sat_s)
    VBIN(I8X16_ADD_SAT_U, simd_i8x16_add_sat_u)
    VBIN(I8X16_SUB, simd_i8x16_sub)
    VBIN(I8X16_SUB_SAT_S, simd_i8x16_sub_sat_s)
    VBIN(I8X16_SUB_SAT_U, simd_i8x16_sub_sat_u)
    VUN(F64X2_CEIL, simd_f64x2_ceil)
    VUN(F64X2_FLOOR, simd_f64x2_floor)
    VBIN(I8X16_MIN_S, simd_i8x16_min_s)
    VBIN(I8X16_MIN_U, simd_i8x16_min_u)
    VBIN(I8X16_MAX_S, simd_i8x16_max_s)
    VBIN(I8X16_MAX_U, simd_i8x16_max_u)
    VUN(F64X2_TRUNC, simd_f64x2_trunc)
    VBIN(I8X16_AVGR_U, simd_i8x16_avgr_u)
    VUN(I16X8_EXTADD_PAIRWISE_I8X16_S, simd_i16x8_extadd_pairwise_i8x16_s)
    VUN(I16X8_EXTADD_PAIRWISE_I8X16_U, simd_i16x8_extadd_pairwise_i8x16_u)
    VUN(I32X4_EXTADD_PAIRWISE_I16X8_S, simd_i32x4_extadd_pairwise_i16x8_s)
    VUN(I32X4_EXTADD_PAIRWISE_I16X8_U, simd_i32x4_extadd_pairwise_i16x8_u)
    VUN(I16X8_ABS, simd_i16x8_abs)
    VUN(I16X8_NEG, simd_i16x8_neg)
    VBIN(I16X8_Q15MULR_SAT_S, simd_i16x8_q15mulr_sat_s)
    VTEST(I16X8_ALL_TRUE, simd_i16x8_all_true)
    VTEST(I16X8_BITMASK, simd_i16x8_bitmask)
    VBIN(I16X8_NARROW_I32X4_S, simd_i16x8_narrow_i32x4_s)
    VBIN(I16X8_NARROW_I32X4_U, simd_i16x8_narrow_i32x4_u)
    VUN(I16X8_EXTEND_LOW_I8X16_S, simd_i16x8_extend_low_i8x16_s)
    VUN(I16X8_EXTEND_HIGH_I8X16_S, simd_i16x8_extend_high_i8x16_s)
    VUN(I16X8_EXTEND_LOW_I8X16_U, simd_i16x8_extend_low_i8x16_u)
    VUN(I16X8_EXTEND_HIGH_I8X16_U, simd_i16x8_extend_high_i8x16_u)
    VSHIFT(I16X8_SHL, simd_i16x8_shl)
    VSHIFT(I16X8_SHR_S, simd_i16x8_shr_s)
    VSHIFT(I16X8_SHR_U, simd_i16x8_shr_u)
    VBIN(I16X8_ADD, simd_i16x8_add)
    VBIN(I16X8_ADD_SAT_S, simd_i16x8_add_sat_s)
    VBIN(I16X8_ADD_SAT_U, simd_i16x8_add_sat_u)
    VBIN(I16X8_SUB, simd_i16x8_sub)
    VBIN(I16X8_SUB_SAT_S, simd_i16x8_sub_sat_s)
    VBIN(I16X8_SUB_SAT_U, simd_i16x8_sub_sat_u)
    VUN(F64X2_NEAREST, simd_f64x2_nearest)
    VBIN(I16X8_MUL, simd_i16x8_mul)
    VBIN(I16X8_MIN_S, simd_i16x8_min_s)
    VBIN(I16X8_MIN_U, simd_i16x8_min_u)
    VBIN(I16X8_MAX_S, simd_i16x8_max_s)
    VBIN(I16X8_MAX_U, simd_i16x8_max_u)
    VBIN(I16X8_AVGR_U, simd_i16x8_avgr_u)
    VBIN(I16X8_EXTMUL_LOW_I8X16_S, simd_i16x8_extmul_low_i8x16_s)
    VBIN(I16X8_EXTMUL_HIGH_I8X16_S, simd_i16x8_extmul_high_i8x16_s)
    VBIN(I16X8_EXTMUL_LOW_I8X16_U, simd_i16x8_extmul_low_i8x16_u)
    VBIN(I16X8_EXTMUL_HIGH_I8X16_U, simd_i16x8_extmul_high_i8x16_u)
    VUN(I32X4_ABS, simd_i32x4_abs)
    VUN(I32X4_NEG, simd_i32x4_neg)
    VTEST(I32X4_ALL_TRUE, simd_i32x4_all_true)
    VTEST(I32X4_BITMASK, simd_i32x4_bitmask)
    VUN(I32X4_EXTEND_LOW_I16X8_S, simd_i32x4_extend_low_i16x8_s)
    VUN(I32X4_EXTEND_HIGH_I16X8_S, simd_i32x4_extend_high_i16x8_s)
    VUN(I32X4_EXTEND_LOW_I16X8_U, simd_i32x4_extend_low_i16x8_u)
    VUN(I32X4_EXTEND_HIGH_I16X8_U, simd_i32x4_extend_high_i16x8_u)
    VSHIFT(I32X4_SHL, simd_i32x4_shl)
    VSHIFT(I32X4_SHR_S, simd_i32x4_shr_s)
    VSHIFT(I32X4_SHR_U, simd_i32x4_shr_u)
    VBIN(I32X4_ADD, simd_i32x4_add)
    VBIN(I32X4_SUB, simd_i32x4_sub)
    VBIN(I32X4_MUL, simd_i32x4_mul)
    VBIN(I32X4_MIN_S, simd_i32x4_min_s)
    VBIN(I32X4_MIN_U, simd_i32x4_min_u)
    VBIN(I32X4_MAX_S, simd_i32x4_max_s)
    VBIN(I32X4_MAX_U, simd_i32x4_max_u)
    VBIN(I32X4_DOT_I16X8_S, simd_i32x4_dot_i16x8_s)
    VBIN(I32X4_EXTMUL_LOW_I16X8_S, simd_i32x4_extmul_low_i16x8_s)
    VBIN(I32X4_EXTMUL_HIGH_I16X8_S, simd_i32x4_extmul_high_i16x8_s)
    VBIN(I32X4_EXTMUL_LOW_I16X8_U, simd_i32x4_extmul_low_i16x8_u)
    VBIN(I32X4_EXTMUL_HIGH_I16X8_U, simd_i32x4_extmul_high_i16x8_u)
    VUN(I64X2_ABS, simd_i64x2_abs)
    VUN(I64X2_NEG, simd_i64x2_neg)
    VTEST(I64X2_ALL_TRUE, simd_i64x2_all_true)
    VTEST(I64X2_BITMASK, simd_i64x2_bitmask)
    VUN(I64X2_EXTEND_LOW_I32X4_S, simd_i64x2_extend_low_i32x4_s)
    VUN(I64X2_EXTEND_HIGH_I32X4_S, simd_i64x2_extend_high_i32x4_s)
    VUN(I64X2_EXTEND_LOW_I32X4_U, simd_i64x2_extend_low_i32x4_u)
    VUN(I64X2_EXTEND_HIGH_I32X4_U, simd_i64x2_extend_high_i32x4_u)
    VSHIFT(I64X2_SHL, simd_i64x2_shl)
    VSHIFT(I64X2_SHR_S, simd_i64x2_shr_s)
    VSHIFT(I64X2_SHR_U, simd_i64x2_shr_u)
    VBIN(I64X2_ADD, simd_i64x2_add)
    VBIN(I64X2_SUB, simd_i64x2_sub)
    VBIN(I64X2_MUL, simd_i64x2_mul)
    VBIN(I64X2_EQ, simd_i64x2_eq)
    VBIN(I64X2_NE, simd_i64x2_ne)
    VBIN(I64X2_LT_S, simd_i64x2_lt_s)
    VBIN(I64X2_GT_S, simd_i64x2_gt_s)
    VBIN(I64X2_LE_S, simd_i64x2_le_s)
    VBIN(I64X2_GE_S, simd_i64x2_ge_s)
    VBIN(I64X2_EXTMUL_LOW_I32X4_S, simd_i64x2_extmul_low_i32x4_s)
    VBIN(I64X2_EXTMUL_HIGH_I32X4_S, simd_i64x2_extmul_high_i32x4_s)
    VBIN(I64X2_EXTMUL_LOW_I32X4_U, simd_i64x2_extmul_low_i32x4_u)
    VBIN(I64X2_EXTMUL_HIGH_I32X4_U, simd_i64x2_extmul_high_i32x4_u)
    VUN(F32X4_ABS, simd_f32x4_abs)
    VUN(F32X4_NEG, simd_f32x4_neg)
    VUN(F32X4_SQRT, simd_f32x4_sqrt)
    VBIN(F32X4_ADD, simd_f32x4_add)
    VBIN(F32X4_SUB, simd_f32x4_sub)
    VBIN(F32X4_MUL, simd_f32x4_mul)
    VBIN(F32X4_DIV, simd_f32x4_div)
    VBIN(F32X4_MIN, simd_f32x4_min)
    VBIN(F32X4_MAX, simd_f32x4_max)
    VBIN(F32X4_PMIN, simd_f32x4_pmin)
    VBIN(F32X4_PMAX, simd_f32x4_pmax)
    VUN(F64X2_ABS, simd_f64x2_abs)
    VUN(F64X2_NEG, simd_f64x2_neg)
    VUN(F64X2_SQRT, simd_f64x2_sqrt)
    VBIN(F64X2_ADD, simd_f64x2_add)
    VBIN(F64X2_SUB, simd_f64x2_sub)
    VBIN(F64X2_MUL, simd_f64x2_mul)
    VBIN(F64X2_DIV, simd_f64x2_div)
    VBIN(F64X2_MIN, simd_f64x2_min)
    VBIN(F64X2_MAX, simd_f64x2_max)
    VBIN(F64X2_PMIN, simd_f64x2_pmin)
    VBIN(F64X2_PMAX, simd_f64x2_pmax)
    VUN(I32X4_TRUNC_SAT_F32X4_S, simd_i32x4_trunc_sat_f32x4_s)
    VUN(I32X4_TRUNC_SAT_F32X4_U, simd_i32x4_trunc_sat_f32x4_u)
    VUN(F32X4_CONVERT_I32X4_S, simd_f32x4_convert_i32x4_s)
    VUN(F32X4_CONVERT_I32X4_U, simd_f32x4_convert_i32x4_u)
    VUN(I32X4_TRUNC_SAT_F64X2_S_ZERO, simd_i32x4_trunc_sat_f64x2_s_zero)
    VUN(I32X4_TRUNC_SAT_F64X2_U_ZERO, simd_i32x4_trunc_sat_f64x2_u_zero)
    VUN(F64X2_CONVERT_LOW_I32X4_S, simd_f64x2_convert_low_i32x4_s)
    VUN(F64X2_CONVERT_LOW_I32X4_U, simd_f64x2_convert_low_i32x4_u)

    /* relaxed SIMD (WebAssembly 3.0) */
    VBIN(I8X16_RELAXED_SWIZZLE, simd_i8x16_relaxed_swizzle)
    VUN(I32X4_RELAXED_TRUNC_F32X4_S, simd_i32x4_relaxed_trunc_f32x4_s)
    VUN(I32X4_RELAXED_TRUNC_F32X4_U, simd_i32x4_relaxed_trunc_f32x4_u)
    VUN(I32X4_RELAXED_TRUNC_F64X2_S_ZERO, simd_i32x4_relaxed_trunc_f64x2_s_zero)
    VUN(I32X4_RELAXED_TRUNC_F64X2_U_ZERO, simd_i32x4_relaxed_trunc_f64x2_u_zero)
    VTERN(F32X4_RELAXED_MADD, simd_f32x4_relaxed_madd)
    VTERN(F32X4_RELAXED_NMADD, simd_f32x4_relaxed_nmadd)
    VTERN(F64X2_RELAXED_MADD, simd_f64x2_relaxed_madd)
    VTERN(F64X2_RELAXED_NMADD, simd_f64x2_relaxed_nmadd)
    VTERN(I8X16_RELAXED_LANESELECT, simd_i8x16_relaxed_laneselect)
    VTERN(I16X8_RELAXED_LANESELECT, simd_i16x8_relaxed_laneselect)
    VTERN(I32X4_RELAXED_LANESELECT, simd_i32x4_relaxed_laneselect)
    VTERN(I64X2_RELAXED_LANESELECT, simd_i64x2_relaxed_laneselect)
    VBIN(F32X4_RELAXED_MIN, simd_f32x4_relaxed_min)
    VBIN(F32X4_RELAXED_MAX, simd_f32x4_relaxed_max)
    VBIN(F64X2_RELAXED_MIN, simd_f64x2_relaxed_min)
    VBIN(F64X2_RELAXED_MAX, simd_f64x2_relaxed_max)
    VBIN(I16X8_RELAXED_Q15MULR_S, simd_i16x8_relaxed_q15mulr_s)
    VBIN(I16X8_RELAXED_DOT_I8X16_I7X16_S, simd_i16x8_relaxed_dot_i8x16_i7x16_s)
    VTERN(I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S, simd_i32x4_relaxed_dot_i8x16_i7x16_add_s)
    /* ---- any memory but a 32-bit memory 0 (iop.def, "Memories"); apart from the hot
     * handlers, as the SIMD ones are ---- */
    H_APART(MEMORY_SIZE_M) SLOT(0) = MEM_OF(1)->size / WASM_PAGE;
    NEXT(MEMORY_SIZE_M);
    H_APART(MEMORY_GROW_M) {
        int64_t r = memory_grow(MEM_OF(2), ADDR_OF(2, 1));
        SLOT(0) = (OPND(2) & LOWER_MEM64) ? (uint64_t)r : (uint32_t)r;
        RELOAD_MEM(); /* the memory may be memory 0 too (imported twice) */
    }
    NEXT(MEMORY_GROW_M);
    H_APART(MEMORY_INIT_M)
    CHECKED(bulk_memory_init(inst, MEM_OF(1), OPND(0), ADDR_OF(1, 2), R32(3), R32(4)));
    NEXT(MEMORY_INIT_M);
    H_APART(MEMORY_COPY_M) {
        /* the length is an i64 only when both memories are 64-bit */
        uint64_t n = (OPND(0) & OPND(1) & LOWER_MEM64) ? SLOT(4) : (uint64_t)R32(4);
        CHECKED(bulk_memory_copy(s, MEM_OF(0), MEM_OF(1), ADDR_OF(0, 2), ADDR_OF(1, 3), n));
    }
    NEXT(MEMORY_COPY_M);
    H_APART(MEMORY_FILL_M)
    CHECKED(bulk_memory_fill(s, MEM_OF(0), ADDR_OF(0, 1), (uint8_t)R32(2), ADDR_OF(0, 3)));
    NEXT(MEMORY_FILL_M);
    LOAD_KINDS(LOAD_M)
    STORE_M(I32_STORE, 4, st_u32(p, (uint32_t)v))
    STORE_M(I64_STORE, 8, st_u64(p, v))
    STORE_M(I32_STORE8, 1, st_u8(p, (uint8_t)v))
    STORE_M(I32_STORE16, 2, st_u16(p, (uint16_t)v))
    STORE_M(I64_STORE8, 1, st_u8(p, (uint8_t)v))
    STORE_M(I64_STORE16, 2, st_u16(p, (uint16_t)v))
    STORE_M(I64_STORE32, 4, st_u32(p, (uint32_t)v))
    VLOAD_M(V128_LOAD, 16, v128_load)
    VLOAD_M(V128_LOAD8X8_S, 8, simd_v128_load8x8_s)
    VLOAD_M(V128_LOAD8X8_U, 8, simd_v128_load8x8_u)
    VLOAD_M(V128_LOAD16X4_S, 8, simd_v128_load16x4_s)
    VLOAD_M(V128_LOAD16X4_U, 8, simd_v128_load16x4_u)
    VLOAD_M(V128_LOAD32X2_S, 8, simd_v128_load32x2_s)
    VLOAD_M(V128_LOAD32X2_U, 8, simd_v128_load32x2_u)
    VLOAD_M(V128_LOAD8_SPLAT, 1, simd_v128_load8_splat)
    VLOAD_M(V128_LOAD16_SPLAT, 2, simd_v128_load16_splat)
    VLOAD_M(V128_LOAD32_SPLAT, 4, simd_v128_load32_splat)
    VLOAD_M(V128_LOAD64_SPLAT, 8, simd_v128_load64_splat)
    VSTORE_M(V128_STORE, 16, v128_store(p, v))
    VLOAD_LANE_M(V128_LOAD8_LANE, 1, v_set8(&v, l, ld_u8(p)))
    VLOAD_LANE_M(V128_LOAD16_LANE, 2, v_set16(&v, l, ld_u16(p)))
    VLOAD_LANE_M(V128_LOAD32_LANE, 4, v_set32(&v, l, ld_u32(p)))
    VLOAD_LANE_M(V128_LOAD64_LANE, 8, v_set64(&v, l, ld_u64(p)))
    VSTORE_LANE_M(V128_STORE8_LANE, 1, st_u8(p, v_u8(v, l)))
    VSTORE_LANE_M(V128_STORE16_LANE, 2, st_u16(p, v_u16(v, l)))
    VSTORE_LANE_M(V128_STORE32_LANE, 4, st_u32(p, v_u32(v, l)))
    VSTORE_LANE_M(V128_STORE64_LANE, 8, st_u64(p, v_u64(v, l)))
    VLOAD_M(V128_LOAD32_ZERO, 4, simd_v128_load32_zero)
    VLOAD_M(V128_LOAD64_ZERO, 8, simd_v128_load64_zero)

    DISPATCH_SWITCH_END

    /* ---- fuel slices and interrupts (tick < 0 after a charge) ---- */
fuel_entry:
    /* ip is the first instruction of the function being entered */
    s->fuel_tick = tick;
    msg = fuel_refill(s, msgbuf, sizeof msgbuf);
    tick = s->fuel_tick;
    if (msg)
        goto trap;
    if (UNLIKELY(s->nnative_waiting != 0))
        note_resident(st, csp);
    DISPATCH();
fuel_back:
    /* ip is the back-edge branch, its target operand trap_arg */
    s->fuel_tick = tick;
    msg = fuel_refill(s, msgbuf, sizeof msgbuf);
    tick = s->fuel_tick;
    if (msg)
        goto trap;
    if (UNLIKELY(s->nnative_waiting != 0))
        note_resident(st, csp);
    if (UNLIKELY(inst->native != NULL)) {
        /* the function may have native code now: the rest of this call can run there,
         * from the loop's start (on-stack replacement), published as NATIVE's call is */
        Func *f = csp[-1].func;
        const LoweredFunc *lf = lower_peek(inst->module, f->index - inst->module->nfunc_imports);
        uint32_t label = (uint32_t)(ip + (int32_t)OPND(trap_arg) - lf->code);
        Cell *saved_top = st->top;
        st->top = fp + lf->frame_cells;
        st->csp = csp;
        s->depth = (uint32_t)(csp - st->cs);
        s->fuel_tick = tick;
        Trap *t = NULL;
        bool ran = native_osr(s, f, fp, label, &t);
        tick = s->fuel_tick;
        st->top = saved_top;
        RELOAD_MEM();
        if (ran) {
            if (t && t->exn) { /* as for NATIVE */
                exn = t->exn;
                corral_trap_delete(t);
                goto unwind_frame;
            }
            if (t) {
                if (csp - 1 > cs_entry)
                    add_frames(t, csp[-1].ret - 1, csp - 1, cs_entry);
                st->csp = cs_entry;
                return t;
            }
            goto do_return;
        }
    }
    JUMP(trap_arg);

    /* ---- traps ---- */
trap_oob:
    msg = OOB_MEM;
    goto trap;
trap_table:
    msg = OOB_TABLE;
    goto trap;
trap_null_struct:
    msg = "null structure reference";
    goto trap;
trap_null_array:
    msg = "null array reference";
    goto trap;
trap_array:
    msg = "out of bounds array access";
    goto trap;
trap_uninit:
    /* the reference interpreter's wording, with the element index */
    snprintf(msgbuf, sizeof msgbuf, "uninitialized element %u", (unsigned)trap_arg);
    msg = msgbuf;
    goto trap;
trap_at_call:
    /* ip is past the call; ip is NULL (and there is no frame) when the activation's entry
     * failed */
    ip = ip ? ip - 1 : ip;
trap:
    {
        Trap *t = make_trap(msg, ip, csp, cs_entry);
        st->csp = cs_entry;
        s->fuel_tick = tick;
        return t ? t : trap_new(msg);
    }
}

static once_flag handlers_once = ONCE_FLAG_INIT;

static void publish_handlers(void) { (void)run(NULL, NULL, NULL, NULL); }

const void *const *interp_handler_table(void)
{
    call_once(&handlers_once, publish_handlers);
    return handler_table;
}

/* A GC module's frame stops only at its safepoints; were one without a map, its frame is
 * scanned whole (sound: the collector checks each cell against the live objects), and a
 * stress build (gc.c, CORRAL_GC_STRESS) stops there, so that its tests find the gap. */
#ifdef CORRAL_GC_STRESS
#define GC_STRICT_MAPS true
#else
#define GC_STRICT_MAPS false
#endif

/* One frame's references: by its stack map at the safepoint ip stopped at, or, for a
 * function without maps (a module without GC) or an ip that is no safepoint, every cell of
 * its frame (the collector checks each against the live objects). */
static void gc_frame(const Func *f, const uint32_t *ip, bool call, const Cell *fp,
                     void (*mark)(void *, Cell), void *ctx)
{
    const LoweredFunc *lf = f->code;
    uint32_t n = 0;
    const uint32_t *bits = NULL;
    if (lf->gc_maps && ip >= lf->code && ip <= lf->code + lf->code_len)
        bits = lowered_stack_map(lf, (uint32_t)(ip - lf->code), call, &n);
    if (!bits && lf->gc_maps && GC_STRICT_MAPS) {
        fprintf(stderr, "gc: func %u stopped at %ld, no stack map there\n", lf->func_index,
                (long)(ip - lf->code));
        abort();
    }
    if (!bits) {
        for (uint32_t i = 0; i < lf->frame_cells; i++)
            mark(ctx, fp[i]);
        return;
    }
    for (uint32_t w = 0; w < (n + 31) / 32; w++)
        for (uint32_t b = bits[w]; b; b &= b - 1)
            mark(ctx, fp[w * 32 + (uint32_t)__builtin_ctz(b)]);
}

void interp_gc_frames(const Store *s, void (*mark)(void *, Cell), void *ctx)
{
    const InterpState *st = s->interp;
    for (const GcPoint *p = st ? st->gc_point : NULL; p; p = p->outer) {
        const uint32_t *ip = p->ip;
        const Cell *fp = p->fp;
        bool call = p->call;
        for (const CtlFrame *c = p->csp; fp && ip && c > st->cs;) {
            c--;
            gc_frame(c->func, ip, call, fp, mark, ctx);
            ip = c->ret;
            fp = c->fp;
            call = true;
        }
    }
}

Exn *interp_exn_new(Store *s, const Tag *tag, const Cell *cells)
{
    InterpState *st = state_get(s);
    return st ? exn_new(s, st, tag, cells) : NULL;
}

Trap *interp_call_host(Instance *caller, Func *f, Cell *cells)
{
    return call_host(caller, f, cells);
}

Trap *interp_call(Store *s, Func *f, Cell *cells)
{
    /* An interrupt request stands until cleared: nothing new starts, not even a host
     * function, and a host that re-enters Wasm after an interrupt gets the trap at once. */
    const char *why = interrupt_message(s);
    if (why)
        return trap_new(why);
    /* Native code called from outside the interpreter (the embedder, a host function, a
     * start function, other native code) goes straight in, as the NATIVE instruction would
     * from its frame: without the interpreter's stacks, whose two mmaps (and munmaps at the
     * end) were 10 us of an artifact's start-up when nothing else is interpreted. Entries
     * are bounded as the interpreter's are. */
    if (!f->host && native_is_stub(f))
        return s->native_nest >= MAX_NESTED_ENTRIES ? trap_new("call stack exhausted")
                                                    : native_enter(s, f, cells);
    InterpState *st = state_get(s);
    if (!st)
        return trap_new("out of memory");
    if (f->host)
        return call_host(NULL, f, cells);
    const FuncType *ft = f->type;
    size_t np = valtypes_cells(ft_params(ft), ft->nparams);
    size_t nr = valtypes_cells(ft_results(ft), ft->nresults);
    size_t need = np > nr ? np : nr;
    Cell *base = st->top;
    if (st->nest >= MAX_NESTED_ENTRIES || (size_t)(st->stack_end - base) < need)
        return trap_new("call stack exhausted");
    memcpy(base, cells, np * sizeof(Cell));
    uint32_t depth = s->depth;
    st->nest++;
    Trap *t = run(s, st, f, base);
    st->nest--;
    st->top = base;
    s->depth = depth;
    if (!t)
        memcpy(cells, base, nr * sizeof(Cell));
    return t;
}
