/* emit_rt.h: the contract between C emitted by emit_c.c and the runtime that runs it. The
 * generated file includes this header and engine/numeric.h (the numeric semantics, shared
 * with the interpreter); the runtime (for now tests/compile/driver.c, later engine/native.c)
 * defines the cc_rt_* functions. Nothing here may depend on the rest of the engine. */
#ifndef CORRAL_EMIT_RT_H
#define CORRAL_EMIT_RT_H

#include <stdint.h>
#include <string.h>

/* Trap codes passed to cc_rt_trap. 1-3 equal numeric.h's NumTrap so a failed division or
 * truncation passes its NumTrap unchanged. */
enum {
    CC_TRAP_DIV_ZERO = 1,      /* "integer divide by zero" */
    CC_TRAP_OVERFLOW = 2,      /* "integer overflow" */
    CC_TRAP_INVALID_CONV = 3,  /* "invalid conversion to integer" */
    CC_TRAP_UNREACHABLE = 4,   /* "unreachable" */
    CC_TRAP_OOB_MEMORY = 5,    /* "out of bounds memory access" */
    CC_TRAP_OOB_TABLE = 6,     /* "out of bounds table access" */
    CC_TRAP_UNDEF_ELEM = 7,    /* "undefined element" */
    CC_TRAP_UNINIT_ELEM = 8,   /* "uninitialized element N", N in CcCtx.trap_arg */
    CC_TRAP_SIG_MISMATCH = 9,  /* "indirect call type mismatch" */
    CC_TRAP_STACK = 10,        /* "call stack exhausted" */
};

/* A table: elements are references. funcref = defined function index + 1, externref = the
 * host's value; 0 is null in both. */
typedef struct CcTable {
    uint64_t *elems;
    uint32_t size, max;
} CcTable;

/* An element segment after instantiation; a dropped segment has len 0. */
typedef struct CcElem {
    uint64_t *items;
    uint32_t len;
} CcElem;

/* One instance's state, as the generated code sees it. The runtime owns the memory behind
 * every pointer; generated code reads mem/mem_size into locals and reloads them after every
 * call and memory.grow (the only operations that can move or resize memory). */
typedef struct CcCtx {
    uint8_t *mem;
    uint64_t mem_size;      /* bytes */
    uint64_t *globals;      /* raw bits, one slot per global */
    CcTable *tables;
    CcElem *elems;
    uint8_t *data_dropped;  /* one flag per data segment */
    uintptr_t stack_limit;  /* functions trap with CC_TRAP_STACK below this frame address */
    uint32_t trap_arg;
    void *rt;               /* the runtime's own state */
} CcCtx;

/* Runtime entry points (defined by the runtime, called by generated code). */
_Noreturn void cc_rt_trap(CcCtx *c, uint32_t code, uint32_t wasm_offset);
/* Zeroed memory owned by the instance; never returns NULL (traps instead). */
void *cc_rt_alloc(CcCtx *c, size_t n);
/* Creates memory 0 with `min` pages, growable to `max` pages. */
void cc_rt_memory_new(CcCtx *c, uint32_t min, uint32_t max);
/* memory.grow: the old size in pages, or 0xffffffff. Updates c->mem and c->mem_size. */
uint32_t cc_rt_memory_grow(CcCtx *c, uint32_t delta);
/* table.grow: the old size, or 0xffffffff; new elements are `init`. */
uint32_t cc_rt_table_grow(CcCtx *c, uint32_t table, uint64_t init, uint32_t delta);

/* An exported entity; call is set for functions (args and results as raw bits). */
typedef struct CcExport {
    const char *name; /* name_len bytes; may hold NUL bytes */
    uint32_t name_len;
    uint8_t kind; /* 0 func, 1 table, 2 memory, 3 global (the binary's codes) */
    uint32_t index;
    uint32_t nparams, nresults;
    const char *types; /* params then results: i I f F (i32 i64 f32 f64), r (reference) */
    void (*call)(CcCtx *c, const uint64_t *args, uint64_t *results);
} CcExport;

#define CC_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- bulk operations, shared by every generated module (spec order: check, then act) ---- */

static inline void cc_memory_fill(CcCtx *c, uint32_t d, uint32_t val, uint32_t n, uint32_t off)
{
    if (CC_UNLIKELY((uint64_t)d + n > c->mem_size))
        cc_rt_trap(c, CC_TRAP_OOB_MEMORY, off);
    memset(c->mem + d, (int)(val & 0xff), n);
}
static inline void cc_memory_copy(CcCtx *c, uint32_t d, uint32_t s, uint32_t n, uint32_t off)
{
    if (CC_UNLIKELY((uint64_t)d + n > c->mem_size || (uint64_t)s + n > c->mem_size))
        cc_rt_trap(c, CC_TRAP_OOB_MEMORY, off);
    memmove(c->mem + d, c->mem + s, n);
}
static inline void cc_memory_init(CcCtx *c, uint32_t d, uint32_t s, uint32_t n,
                                  const uint8_t *seg, uint32_t seg_len, uint32_t off)
{
    if (CC_UNLIKELY((uint64_t)d + n > c->mem_size || (uint64_t)s + n > seg_len))
        cc_rt_trap(c, CC_TRAP_OOB_MEMORY, off);
    if (n)
        memcpy(c->mem + d, seg + s, n);
}
static inline void cc_table_fill(CcCtx *c, uint32_t t, uint32_t d, uint64_t v, uint32_t n,
                                 uint32_t off)
{
    CcTable *tab = &c->tables[t];
    if (CC_UNLIKELY((uint64_t)d + n > tab->size))
        cc_rt_trap(c, CC_TRAP_OOB_TABLE, off);
    for (uint32_t i = 0; i < n; i++)
        tab->elems[d + i] = v;
}
static inline void cc_table_copy(CcCtx *c, uint32_t td, uint32_t ts, uint32_t d, uint32_t s,
                                 uint32_t n, uint32_t off)
{
    CcTable *a = &c->tables[td], *b = &c->tables[ts];
    if (CC_UNLIKELY((uint64_t)d + n > a->size || (uint64_t)s + n > b->size))
        cc_rt_trap(c, CC_TRAP_OOB_TABLE, off);
    memmove(a->elems + d, b->elems + s, (size_t)n * sizeof *a->elems);
}
static inline void cc_table_init(CcCtx *c, uint32_t t, uint32_t e, uint32_t d, uint32_t s,
                                 uint32_t n, uint32_t off)
{
    CcTable *tab = &c->tables[t];
    CcElem *seg = &c->elems[e];
    if (CC_UNLIKELY((uint64_t)d + n > tab->size || (uint64_t)s + n > seg->len))
        cc_rt_trap(c, CC_TRAP_OOB_TABLE, off);
    if (n)
        memcpy(tab->elems + d, seg->items + s, (size_t)n * sizeof *tab->elems);
}

#endif
