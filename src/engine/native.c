/* native.c: the runtime side of the compiled tier (docs/design/compiled.md). A module may
 * carry native code (a shared object written by compile/, loaded by native_load.c) with an
 * entry per defined function. Its instances then give each function a stub whose one
 * instruction, NATIVE, calls native_enter: the interpreter stays the only way in, so calls
 * from the embedder, from other instances and from host functions need nothing new, and an
 * instance can switch from interpreted to native code at any function entry.
 *
 * Native code traps by longjmp to the innermost native_enter (the one place that crosses
 * frames); it never crosses interpreter or host frames, since each call out of native code
 * goes through interp_call, which returns traps as values.
 *
 * Must not: know about C, compilers or artifact files (compile/ does). */
#include "runtime.h"

#include "lower.h"
#include "native_abi.h"
#include "native_load.h"

#include <execinfo.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

/* The engine's objects start with the prefixes native_abi.h describes. */
_Static_assert(offsetof(struct corral_memory, data) == offsetof(CcMem, data), "CcMem");
_Static_assert(offsetof(struct corral_memory, size) == offsetof(CcMem, size), "CcMem");
_Static_assert(offsetof(struct corral_table, elems) == offsetof(CcTable, elems), "CcTable");
_Static_assert(offsetof(struct corral_table, size) == offsetof(CcTable, size), "CcTable");
_Static_assert(offsetof(struct corral_func, type) == offsetof(CcFunc, type), "CcFunc");
_Static_assert(offsetof(struct corral_func, inst) == offsetof(CcFunc, inst), "CcFunc");
_Static_assert(offsetof(struct corral_func, code) == offsetof(CcFunc, code), "CcFunc");
_Static_assert(offsetof(struct corral_func, index) == offsetof(CcFunc, index), "CcFunc");
_Static_assert(sizeof(Cell) == sizeof(uint64_t), "cells are 64-bit");

/* A module's native code: the loaded object and a stub per defined function. */
/* Where a defined function's code starts, for naming the frames of a backtrace. */
typedef struct FuncAddr {
    uintptr_t addr;
    uint32_t index;
} FuncAddr;

typedef struct NativeCode {
    void *handle; /* native_load.c */
    const CcModule *desc;
    LoweredFunc *stubs; /* per defined function: frame of max(params, results), NATIVE */
    uintptr_t lo, hi;   /* the object's executable code */
    uint32_t nimports, ncodes; /* the module's function imports and bodies */
    /* Defined functions and their entries by address (2 * ncodes), for naming a trap's
     * frames: sorted by the first trap that needs it (addr_index), so a run without a trap
     * never pays for it. */
    _Atomic(FuncAddr *) by_addr;
} NativeCode;

/* An instance's native view. ctx comes first: the runtime services get a CcCtx *. */
typedef struct NativeInst {
    CcCtx ctx;
    Instance *inst;
    const NativeCode *code;
} NativeInst;

/* ---- the NATIVE stub's code, shared by every stub --------------------------------------- */

static uint32_t native_code_words[IOP_WORDS(0)] __attribute__((aligned(8)));
static once_flag native_code_once = ONCE_FLAG_INIT;

static void build_native_code(void)
{
    const void *const *handlers = interp_handler_table();
    uint64_t hw = handlers ? (uint64_t)(uintptr_t)handlers[IOP_NATIVE] : (uint64_t)IOP_NATIVE;
    memcpy(native_code_words, &hw, 8);
}

/* ---- traps ---------------------------------------------------------------------------- */

#define RT __attribute__((section("corral_native_rt"), noinline))

/* Unwinds to the innermost native_enter with "call stack exhausted", touching no more stack
 * than the jump: native_enter makes the trap. */
RT __attribute__((noreturn)) static void stack_out(CcCtx *c)
{
    Store *s = ((NativeInst *)c)->inst->store;
    s->native_fault = CC_TRAP_STACK;
    /* the margin below stack_limit leaves room for the unwinder */
    s->native_nbt = native_backtrace(s->native_bt, NATIVE_BT_MAX);
    native_jump(s, 2);
}

#define STACK_FIRST(c)                                                          \
    do {                                                                        \
        if (__builtin_expect((uintptr_t)__builtin_frame_address(0) < (c)->stack_limit, 0)) \
            stack_out(c);                                                       \
    } while (0)

static const char *const trap_text[CC_TRAP_COUNT] = {
    [CC_TRAP_DIV_ZERO] = "integer divide by zero",
    [CC_TRAP_OVERFLOW] = "integer overflow",
    [CC_TRAP_INVALID_CONV] = "invalid conversion to integer",
    [CC_TRAP_UNREACHABLE] = "unreachable",
    [CC_TRAP_OOB_MEMORY] = OOB_MEM,
    [CC_TRAP_OOB_TABLE] = OOB_TABLE,
    [CC_TRAP_UNDEF_ELEM] = "undefined element",
    [CC_TRAP_UNINIT_ELEM] = "uninitialized element", /* + the index */
    [CC_TRAP_SIG_MISMATCH] = "indirect call type mismatch",
    [CC_TRAP_STACK] = "call stack exhausted",
    [CC_TRAP_INTERRUPT] = "interrupted", /* the store's own message replaces it */
};

/* The defined function whose body holds byte offset off (binary search of the bodies). */
static uint32_t func_at(const Module *m, uint32_t off)
{
    uint32_t lo = 0, hi = m->ncodes;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->codes[mid].body_start <= off)
            lo = mid;
        else
            hi = mid;
    }
    return m->nfunc_imports + lo;
}

/* Hands t (NULL: out of memory) to the innermost native_enter. off > 0 adds the frame of
 * the instruction at that offset. */
static _Noreturn void raise_trap(NativeInst *ni, Trap *t, uint32_t off)
{
    Store *s = ni->inst->store;
    const Module *m = ni->inst->module;
    if (!t)
        t = trap_new("out of memory");
    if (t && !t->is_exit && off && m->ncodes)
        trap_push_frame(t, m, func_at(m, off), off);
    s->native_nbt = t && !t->is_exit ? native_backtrace(s->native_bt, NATIVE_BT_MAX) : 0;
    s->native_trap = t;
    native_jump(s, 1);
}

RT __attribute__((noreturn)) static void rt_trap(CcCtx *c, uint32_t code, uint32_t off)
{
    STACK_FIRST(c);
    NativeInst *ni = (NativeInst *)c;
    const char *msg = code < CC_TRAP_COUNT && trap_text[code] ? trap_text[code] : "trap";
    char buf[64];
    if (code == CC_TRAP_UNINIT_ELEM) {
        snprintf(buf, sizeof buf, "uninitialized element %u", (unsigned)c->trap_arg);
        msg = buf;
    }
    raise_trap(ni, trap_new(msg), off);
}

static void rt_check(CcCtx *c, const char *msg, uint32_t off)
{
    if (msg)
        raise_trap((NativeInst *)c, trap_new(msg), off);
}

/* ---- runtime services ----------------------------------------------------------------- */
/* Compiled code calls these at any depth of the stack. Each one checks the stack first
 * (STACK_FIRST) and unwinds without allocating when it is short; they live in one section
 * so that a fault in a prologue, at the guard page, is recognised (native_fault.c). */

RT static void rt_call(CcCtx *c, const CcFunc *cf, uint64_t *cells, uint32_t off)
{
    STACK_FIRST(c);
    NativeInst *ni = (NativeInst *)c;
    Store *s = ni->inst->store;
    Func *f = (Func *)(uintptr_t)cf;
    s->fuel_tick = c->tick;
    Trap *t = f->host ? interp_call_host(ni->inst, f, cells) : interp_call(s, f, cells);
    c->tick = s->fuel_tick;
    if (t)
        raise_trap(ni, t, off);
}

RT static int rt_sig_eq(CcCtx *c, const void *a, const void *b)
{
    STACK_FIRST(c);
    const FuncType *x = a, *y = b;
    return x == y || (x->hash == y->hash && functype_equal(x, y));
}

RT static void rt_fuel(CcCtx *c, uint32_t off)
{
    STACK_FIRST(c);
    NativeInst *ni = (NativeInst *)c;
    char buf[96];
    Store *s = ni->inst->store;
    s->fuel_tick = c->tick;
    const char *msg = fuel_refill(s, buf, sizeof buf);
    c->tick = s->fuel_tick;
    if (msg)
        raise_trap(ni, trap_new(msg), off);
}

RT static uint32_t rt_memory_grow(CcCtx *c, uint32_t mem, uint32_t delta)
{
    STACK_FIRST(c);
    return (uint32_t)memory_grow(((NativeInst *)c)->inst->mems[mem], delta);
}

RT static void rt_memory_init(CcCtx *c, uint32_t mem, uint32_t seg, uint32_t d, uint32_t s,
                           uint32_t n, uint32_t off)
{
    STACK_FIRST(c);
    Instance *inst = ((NativeInst *)c)->inst;
    rt_check(c, bulk_memory_init(inst, inst->mems[mem], seg, d, s, n), off);
}

RT static void rt_memory_copy(CcCtx *c, uint32_t dmem, uint32_t smem, uint32_t d, uint32_t s,
                           uint32_t n, uint32_t off)
{
    STACK_FIRST(c);
    Instance *inst = ((NativeInst *)c)->inst;
    rt_check(c, bulk_memory_copy(inst->store, inst->mems[dmem], inst->mems[smem], d, s, n), off);
}

RT static void rt_memory_fill(CcCtx *c, uint32_t mem, uint32_t d, uint32_t val, uint32_t n,
                           uint32_t off)
{
    STACK_FIRST(c);
    Instance *inst = ((NativeInst *)c)->inst;
    rt_check(c, bulk_memory_fill(inst->store, inst->mems[mem], d, (uint8_t)val, n), off);
}

RT static void rt_table_init(CcCtx *c, uint32_t t, uint32_t seg, uint32_t d, uint32_t s, uint32_t n,
                          uint32_t off)
{
    STACK_FIRST(c);
    rt_check(c, bulk_table_init(((NativeInst *)c)->inst, t, seg, d, s, n), off);
}

RT static void rt_table_copy(CcCtx *c, uint32_t td, uint32_t ts, uint32_t d, uint32_t s,
                          uint32_t n, uint32_t off)
{
    STACK_FIRST(c);
    Instance *inst = ((NativeInst *)c)->inst;
    rt_check(c, bulk_table_copy(inst->store, inst->tables[td], inst->tables[ts], d, s, n), off);
}

RT static void rt_table_fill(CcCtx *c, uint32_t t, uint32_t d, uint64_t val, uint32_t n,
                          uint32_t off)
{
    STACK_FIRST(c);
    Instance *inst = ((NativeInst *)c)->inst;
    rt_check(c, bulk_table_fill(inst->store, inst->tables[t], d, val, n), off);
}

RT static uint32_t rt_table_grow(CcCtx *c, uint32_t t, uint64_t init, uint32_t delta)
{
    STACK_FIRST(c);
    return (uint32_t)table_grow(((NativeInst *)c)->inst->tables[t], delta, init);
}

static const CcRt runtime = {
    .trap = rt_trap,
    .call = rt_call,
    .sig_eq = rt_sig_eq,
    .fuel = rt_fuel,
    .memory_grow = rt_memory_grow,
    .memory_init = rt_memory_init,
    .memory_copy = rt_memory_copy,
    .memory_fill = rt_memory_fill,
    .table_init = rt_table_init,
    .table_copy = rt_table_copy,
    .table_fill = rt_table_fill,
    .table_grow = rt_table_grow,
};

/* ---- the stack bound -------------------------------------------------------------------- */

/* The lowest address compiled code of this thread may use before calling out: the thread's
 * stack less a margin for host functions, the interpreter and the C library (an eighth of
 * the stack, at least 128 KiB). Without the thread's bounds, 1 MiB below the current frame.
 * *lo_out: the stack's low end. */
#ifdef __GLIBC__
extern void *__libc_stack_end;
#endif

static uintptr_t thread_stack_limit(uintptr_t *lo_out)
{
    static _Thread_local uintptr_t limit, low;
    if (limit) {
        *lo_out = low;
        return limit;
    }
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    uintptr_t lo = here > ((uintptr_t)1 << 20) ? here - ((uintptr_t)1 << 20) : 0;
    size_t size = (size_t)1 << 20;
    pthread_attr_t attr;
    struct rlimit rl;
#ifdef __GLIBC__
    /* The main thread: its stack ends RLIMIT_STACK below where it starts. (glibc's
     * pthread_getattr_np finds that by reading /proc/self/maps, a third of a hello world's
     * start-up.) The top found here is a little low, so the bound a little high: safe. */
    if (getpid() == gettid() && getrlimit(RLIMIT_STACK, &rl) == 0 &&
        rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > ((rlim_t)1 << 20) &&
        (uintptr_t)__libc_stack_end > rl.rlim_cur) {
        uintptr_t top = ((uintptr_t)__libc_stack_end + 4095) & ~(uintptr_t)4095;
        lo = top - (uintptr_t)rl.rlim_cur;
        size = (size_t)rl.rlim_cur;
    } else
#endif
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *addr;
        size_t sz;
        if (pthread_attr_getstack(&attr, &addr, &sz) == 0) {
            lo = (uintptr_t)addr;
            size = sz;
        }
        pthread_attr_destroy(&attr);
    }
    size_t margin = size / 8 > ((size_t)128 << 10) ? size / 8 : (size_t)128 << 10;
    limit = lo + margin;
    low = lo;
    *lo_out = low;
    return limit;
}

/* ---- entering native code ------------------------------------------------------------ */

#if defined(__SANITIZE_ADDRESS__)
#define ASAN_JUMPS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN_JUMPS 1
#endif
#endif
#ifdef ASAN_JUMPS
void __asan_handle_no_return(void);
#endif

_Noreturn void native_jump(Store *s, int kind)
{
    s->native_jump = kind;
#ifdef ASAN_JUMPS
    __asan_handle_no_return(); /* the frames jumped over lose their poisoning, as longjmp's do */
#endif
    __builtin_longjmp(s->native_jb, 1);
}

/* In FuncAddr.index: the entry trampoline of that function, which may hold the function's
 * code inlined (then it is that function's frame), or only a call of it (then the frame is
 * there already). */
#define ENTRY_BIT 0x80000000u

/* Entries of addr_index: a function, its entry, its entry at loops and that entry's code. */
#define INDEX_LEN(nc) (4 * (size_t)(nc)->ncodes)

static int by_address(const void *a, const void *b)
{
    uintptr_t x = ((const FuncAddr *)a)->addr, y = ((const FuncAddr *)b)->addr;
    return x < y ? -1 : x > y;
}

/* nc's functions and entries (the engine's trampolines: no frame of the module) sorted by
 * address, made on first use by any thread; NULL when nc has no code or memory ran out (the
 * frames then go unnamed). */
static const FuncAddr *addr_index(const NativeCode *nc)
{
    NativeCode *cache = (NativeCode *)nc; /* made once, then only read */
    FuncAddr *a = atomic_load_explicit(&cache->by_addr, memory_order_acquire);
    if (a || nc->ncodes == 0 || !(a = malloc(INDEX_LEN(nc) * sizeof *a)))
        return a;
    const CcModule *d = nc->desc;
    for (uint32_t i = 0; i < nc->ncodes; i++) {
        FuncAddr *e = &a[4 * i];
        uint32_t f = nc->nimports + i;
        e[0] = (FuncAddr){(uintptr_t)d->funcs[f], f};
        e[1] = (FuncAddr){(uintptr_t)d->entries[i], f | ENTRY_BIT};
        /* the entries at loops where the code has them; else slots sorted past the end */
        bool osr = d->osr && d->osr[i] && d->osr_funcs && d->osr_funcs[i];
        e[2] = (FuncAddr){osr ? (uintptr_t)d->osr_funcs[i] : UINTPTR_MAX, f};
        e[3] = (FuncAddr){osr ? (uintptr_t)d->osr[i] : UINTPTR_MAX, f | ENTRY_BIT};
    }
    qsort(a, INDEX_LEN(nc), sizeof *a, by_address);
    FuncAddr *first = NULL;
    if (!atomic_compare_exchange_strong_explicit(&cache->by_addr, &first, a,
                                                 memory_order_acq_rel, memory_order_acquire)) {
        free(a); /* another thread made it first */
        return first;
    }
    return a;
}

/* The function of nc whose code holds pc (ENTRY_BIT set in an entry), or UINT32_MAX (not
 * nc's code); idx is addr_index(nc). */
static uint32_t func_of_pc(const NativeCode *nc, const FuncAddr *idx, uintptr_t pc)
{
    if (pc < nc->lo || pc >= nc->hi || !idx || pc < idx[0].addr)
        return UINT32_MAX;
    uint32_t lo = 0, hi = (uint32_t)INDEX_LEN(nc);
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (idx[mid].addr <= pc)
            lo = mid;
        else
            hi = mid;
    }
    return idx[lo].index;
}

/* Appends to t the compiled frames of the backtrace the trap recorded: the first run of
 * return addresses in this object's code (the frames of this activation, innermost first),
 * each at its function's start (the call's offset is not known). skip_first: the innermost
 * one is in t already. */
static void add_native_frames(Trap *t, const Store *s, const NativeInst *ni, bool skip_first)
{
    const NativeCode *nc = ni->code;
    const Module *m = ni->inst->module;
    bool started = false;
    uint32_t last = UINT32_MAX;
    if (!t || t->is_exit)
        return;
    const FuncAddr *idx = addr_index(nc);
    for (int i = 0; i < s->native_nbt; i++) {
        uintptr_t pc = (uintptr_t)s->native_bt[i];
        uint32_t fi = func_of_pc(nc, idx, pc ? pc - 1 : 0);
        if (fi == UINT32_MAX) {
            if (started)
                break;
            continue;
        }
        started = true;
        bool entry = fi & ENTRY_BIT;
        fi &= ~ENTRY_BIT;
        if (entry && fi == last)
            continue;
        last = fi;
        if (skip_first) {
            skip_first = false;
            continue;
        }
        trap_push_frame(t, m, fi, m->codes[fi - m->nfunc_imports].body_start);
    }
}

/* A fault of compiled code (native_fault.c) as a trap, with its recorded frames. */
static Trap *fault_trap(Store *s, const NativeInst *ni)
{
    const char *why = s->native_fault == CC_TRAP_INTERRUPT ? interrupt_message(s) : NULL;
    Trap *t = trap_new(why ? why : trap_text[s->native_fault]);
    add_native_frames(t, s, ni, false);
    return t;
}

bool native_is_stub(const Func *f)
{
    return f->code && f->code->code == native_code_words;
}

/* Runs the native code of f (an entry, or osr's entry at the loop at Wasm offset at):
 * the store's view of faults and fuel set up around it. *ran is false when osr declined. */
static Trap *run_native(Store *s, Func *f, Cell *cells, CcOsr osr, uint32_t at, bool *ran)
{
    NativeInst *ni = f->inst->native;
    const CcModule *desc = ni->code->desc;
    bool guard = !(desc->flags & CC_FLAG_BOUNDS_CHECKS);
    *ran = true;
    if (guard && !native_fault_ready())
        return trap_new("cannot set up the signal handling compiled code needs");
    if (!(desc->flags & CC_FLAG_FUEL) && s->fuel_reserve != CORRAL_FUEL_UNLIMITED)
        return trap_new("fuel was set after this instance started in code compiled without "
                        "fuel checks (compile with fuel, as `corral run --fuel` does)");
    if (s->native_nest == 0)
        s->native_stack_limit = thread_stack_limit(&s->native_stack_lo);
    ni->ctx.stack_limit = s->native_stack_limit;
    /* what a fault may hit: this instance's guard region */
    uintptr_t mem_lo = s->native_mem_lo, mem_hi = s->native_mem_hi;
    Memory *mem0 = f->inst->mem0;
    s->native_mem_lo = mem0 ? (uintptr_t)mem0->data : 0;
    s->native_mem_hi = mem0 && mem0->guarded ? s->native_mem_lo + MEMORY_GUARD_BYTES : 0;
    Store *prev_store = native_fault_swap_store(s);
    void **prev = s->native_jb;
    void *jb[5]; /* __builtin_setjmp's: frame, label and stack pointer, far cheaper than
                  * setjmp's every register, on the path of every call into native code */
    s->native_jb = jb;
    s->native_nest++;
    /* this instance's code counts fuel in its context; the store has it again after */
    int32_t tick_outer = ni->ctx.tick;
    ni->ctx.tick = s->fuel_tick;
    int jumped = 0;
    if (__builtin_setjmp(jb) == 0) {
        if (osr)
            *ran = osr(&ni->ctx, cells, at) != 0;
        else
            desc->entries[f->index - desc->nimports](&ni->ctx, cells);
    } else {
        jumped = s->native_jump;
    }
    s->fuel_tick = ni->ctx.tick;
    ni->ctx.tick = tick_outer;
    s->native_jb = prev;
    s->native_nest--;
    s->native_mem_lo = mem_lo;
    s->native_mem_hi = mem_hi;
    native_fault_swap_store(prev_store);
    if (!jumped)
        return NULL;
    if (jumped == 2)
        return fault_trap(s, ni);
    Trap *t = s->native_trap;
    s->native_trap = NULL;
    /* the innermost frame, when the trap had an offset, is there already */
    add_native_frames(t, s, ni, t && t->nframes > 0);
    return t;
}

Trap *native_enter(Store *s, Func *f, Cell *cells)
{
    bool ran;
    return run_native(s, f, cells, NULL, 0, &ran);
}

bool native_osr(Store *s, Func *f, Cell *cells, uint32_t label, Trap **trap)
{
    NativeInst *ni = f->inst->native;
    /* f has native code in this instance when its code is the native stub */
    if (!ni || f->code->code != native_code_words)
        return false;
    const Module *m = f->inst->module;
    uint32_t ci = f->index - m->nfunc_imports;
    const CcModule *desc = ni->code->desc;
    CcOsr osr = desc->osr ? desc->osr[ci] : NULL;
    uint32_t at = lowered_osr_loop(lower_peek(m, ci), label);
    if (!osr || at == UINT32_MAX)
        return false;
    bool ran;
    *trap = run_native(s, f, cells, osr, at, &ran);
    if (ran)
        s->nosr++;
    return ran || *trap;
}

/* ---- instances ------------------------------------------------------------------------ */

/* Gives inst its native view. all: every defined function runs native code from its next
 * entry; else (an instance switching while it runs, native_refresh) only those with loops.
 * A call from the interpreter into native code costs about as much as an interpreted call
 * of a few instructions, so a small function called from a loop still running in the
 * interpreter is better left there; native code calls it directly either way. */
static int attach(Store *s, Instance *inst, const NativeCode *nc, bool all)
{
    const Module *m = inst->module;
    /* code that does not count fuel does not run in a store that has a budget, and code
     * without bounds checks runs only on a guarded memory 0 (the others are always checked
     * explicitly): else stay interpreted */
    if (!(nc->desc->flags & CC_FLAG_FUEL) && s->fuel_reserve != CORRAL_FUEL_UNLIMITED)
        return 0;
    if (!(nc->desc->flags & CC_FLAG_BOUNDS_CHECKS)) {
        if (inst->mem0 && !inst->mem0->guarded)
            return 0;
        if (!(nc->desc->flags & CC_FLAG_FUEL) && !native_poll_page(s))
            return 0; /* its polls read the page */
    }
    NativeInst *ni = store_alloc(s, sizeof *ni);
    uint64_t **globals = store_alloc(s, (m->nglobals + 1) * sizeof *globals);
    if (!ni || !globals)
        return -1;
    for (uint32_t i = 0; i < m->nglobals; i++)
        globals[i] = inst->globals[i]->val;
    ni->inst = inst;
    ni->code = nc;
    ni->ctx = (CcCtx){
        .mem0 = (CcMem *)inst->mem0,
        .mems = (CcMem **)inst->mems,
        .globals = globals,
        .tables = (CcTable **)inst->tables,
        .funcs = (CcFunc **)inst->funcs,
        .types = (const void *const *)m->types,
        .elem_len = inst->elem_len,
        .data_len = inst->data_len,
        .rt = &runtime,
        .stop = (nc->desc->flags & CC_FLAG_BOUNDS_CHECKS) ? (uint32_t *)&s->interrupt
                                                          : native_poll_page(s),
        .inst = inst,
    };
    inst->native = ni;
    for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++)
        if (all || nc->desc->loops[i - m->nfunc_imports])
            inst->funcs[i]->code = &nc->stubs[i - m->nfunc_imports];
    return 0;
}

int native_instance_init(Store *s, Instance *inst)
{
    const struct corral_module *cm = NULL;
    /* the instance holds its module only as a Module: the corral_module is found through
     * the store's reference, recorded by corral_instance_new */
    cm = inst->cmodule;
    NativeCode *nc = atomic_load_explicit(&((struct corral_module *)cm)->native,
                                          memory_order_acquire);
    if (nc)
        return attach(s, inst, nc, true);
    if (!atomic_load_explicit(&((struct corral_module *)cm)->expect_native, memory_order_relaxed))
        return 0;
    if (s->nnative_waiting == s->capnative_waiting) {
        uint32_t cap = s->capnative_waiting ? s->capnative_waiting * 2 : 4;
        Instance **w = realloc(s->native_waiting, cap * sizeof *w);
        if (!w)
            return -1;
        s->native_waiting = w;
        s->capnative_waiting = cap;
    }
    s->native_waiting[s->nnative_waiting++] = inst;
    return 0;
}

void native_refresh(Store *s)
{
    uint32_t keep = 0;
    for (uint32_t i = 0; i < s->nnative_waiting; i++) {
        Instance *inst = s->native_waiting[i];
        struct corral_module *cm = (struct corral_module *)inst->cmodule;
        NativeCode *nc = atomic_load_explicit(&cm->native, memory_order_acquire);
        if (!nc && atomic_load_explicit(&cm->late_native, memory_order_acquire)) {
            /* corral_module_attach_native_late's code arrives now */
            NativeCode *late = atomic_exchange_explicit(&cm->late_native, NULL,
                                                        memory_order_acq_rel);
            NativeCode *expected = NULL;
            if (late && !atomic_compare_exchange_strong_explicit(
                            &cm->native, &expected, late, memory_order_acq_rel,
                            memory_order_acquire))
                native_code_free(late);
            nc = atomic_load_explicit(&cm->native, memory_order_acquire);
        }
        if (nc && attach(s, inst, nc, false) == 0)
            continue;
        if (!nc && !atomic_load_explicit(&cm->expect_native, memory_order_relaxed))
            continue; /* compilation gave up: stay interpreted */
        s->native_waiting[keep++] = inst;
    }
    s->nnative_waiting = keep;
}

/* ---- attaching code to a module -------------------------------------------------------- */

void native_code_free(NativeCode *nc)
{
    if (!nc)
        return;
    native_fault_code_remove(nc->lo, nc->hi);
    native_so_close(nc->handle);
    free(nc->stubs);
    free(atomic_load_explicit(&nc->by_addr, memory_order_relaxed));
    free(nc);
}

static corral_error_t *attach_code(corral_module_t *cm, const uint8_t *so, size_t len,
                                   bool late);

corral_error_t *corral_module_attach_native(corral_module_t *cm, const uint8_t *so, size_t len)
{
    return attach_code(cm, so, len, false);
}

corral_error_t *corral_module_attach_native_late(corral_module_t *cm, const uint8_t *so,
                                                 size_t len)
{
    corral_module_expect_native(cm, true);
    return attach_code(cm, so, len, true);
}

static corral_error_t *attach_code(corral_module_t *cm, const uint8_t *so, size_t len,
                                   bool late)
{
    const Module *m = cm->m;
    char err[256];
    void *sym = NULL;
    call_once(&native_code_once, build_native_code);
    void *handle = native_so_open(so, len, CC_MODULE_SYMBOL, &sym, err, sizeof err);
    if (!handle)
        return error_new(SIZE_MAX, "cannot load native code: %s", err);
    const CcModule *desc = sym;
    if (desc->abi != CC_ABI_VERSION || desc->nfuncs != m->nfuncs ||
        desc->nimports != m->nfunc_imports) {
        native_so_close(handle);
        return error_new(SIZE_MAX, "native code does not match this module or engine (ABI %u, "
                                   "%u functions; expected ABI %u, %u functions)",
                         (unsigned)desc->abi, (unsigned)desc->nfuncs, (unsigned)CC_ABI_VERSION,
                         (unsigned)m->nfuncs);
    }
    if (!(desc->flags & CC_FLAG_BOUNDS_CHECKS) && !native_guard_supported()) {
        native_so_close(handle);
        return error_new(SIZE_MAX, "native code made for guarded memories, which this process "
                                   "cannot reserve (ulimit -v?): recompile it here");
    }
    NativeCode *nc = calloc(1, sizeof *nc);
    LoweredFunc *stubs = calloc(m->ncodes + 1, sizeof *stubs);
    if (!nc || !stubs) {
        free(nc);
        free(stubs);
        native_so_close(handle);
        return error_new(SIZE_MAX, "out of memory");
    }
    native_so_code_range(handle, &nc->lo, &nc->hi);
    native_fault_code_add(nc->lo, nc->hi);
    nc->nimports = m->nfunc_imports;
    nc->ncodes = m->ncodes;
    for (uint32_t i = 0; i < m->ncodes; i++) {
        uint32_t idx = m->nfunc_imports + i;
        const FuncType *t = m->types[m->func_types[idx]];
        LoweredFunc *lf = &stubs[i];
        lf->code = native_code_words;
        lf->code_len = IOP_WORDS(0);
        lf->nparams = t->nparams;
        lf->nresults = t->nresults;
        lf->nlocals = t->nparams;
        lf->frame_cells = t->nparams > t->nresults ? t->nparams : t->nresults;
        lf->func_index = idx;
    }
    nc->handle = handle;
    nc->desc = desc;
    nc->stubs = stubs;
    NativeCode *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(late ? &cm->late_native : &cm->native,
                                                 &expected, nc, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        native_code_free(nc); /* another thread attached code first: keep that */
    }
    return NULL;
}

uint64_t corral_store_osr_count(const corral_store_t *s) { return s->nosr; }

bool corral_module_is_native(const corral_module_t *cm)
{
    return atomic_load_explicit(&((corral_module_t *)cm)->native, memory_order_acquire) != NULL;
}

void corral_module_expect_native(corral_module_t *cm, bool expect)
{
    if (expect && !atomic_load_explicit(&cm->resident, memory_order_acquire)) {
        _Atomic uint8_t *r = calloc(cm->m->ncodes + 1, sizeof *r);
        _Atomic uint8_t *none = NULL;
        if (r && !atomic_compare_exchange_strong_explicit(&cm->resident, &none, r,
                                                          memory_order_acq_rel,
                                                          memory_order_acquire))
            free(r);
    }
    atomic_store_explicit(&cm->expect_native, expect ? 1u : 0u, memory_order_relaxed);
}

void module_note_resident(const Func *f, uint8_t how)
{
    if (!f->inst || !f->code)
        return;
    struct corral_module *cm = (struct corral_module *)f->inst->cmodule;
    _Atomic uint8_t *r = cm ? atomic_load_explicit(&cm->resident, memory_order_acquire) : NULL;
    uint32_t first = cm ? cm->m->nfunc_imports : 0;
    if (r && f->index >= first && f->index - first < cm->m->ncodes)
        atomic_store_explicit(&r[f->index - first], how, memory_order_relaxed);
}

bool module_resident(struct corral_module *cm, uint8_t *out)
{
    _Atomic uint8_t *r = atomic_load_explicit(&cm->resident, memory_order_acquire);
    if (!r)
        return false;
    for (uint32_t i = 0; i < cm->m->ncodes; i++)
        out[i] = atomic_load_explicit(&r[i], memory_order_relaxed);
    return true;
}
