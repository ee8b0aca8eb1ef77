/* native_abi.h: the contract between C written by compile/emit_c.c and the engine that runs
 * it (native.c). The emitter copies this text into every generated translation unit, so it
 * stands alone (<stdint.h> only) and must not change without CC_ABI_VERSION changing: an
 * artifact built against another version is refused when loaded.
 *
 * Generated code works on the engine's own runtime objects through the prefix structs
 * below (CcMem is the start of struct corral_memory, and so on; native.c checks the layouts
 * at compile time), so host functions, other instances and the interpreter see the same
 * memories, tables, globals and functions. Everything that is not a plain load or store
 * goes through the CcRt table of function pointers: the generated code imports no symbol. */
#ifndef CORRAL_NATIVE_ABI_H
#define CORRAL_NATIVE_ABI_H

#include <stdint.h>

/* A plain decimal literal: artifact.c spells it as text (#) in the code version. */
#define CC_ABI_VERSION 7

/* Trap codes for CcRt.trap. 1-3 equal numeric.h's NumTrap, so a failed division or
 * truncation passes its NumTrap unchanged. */
enum {
    CC_TRAP_DIV_ZERO = 1,     /* "integer divide by zero" */
    CC_TRAP_OVERFLOW = 2,     /* "integer overflow" */
    CC_TRAP_INVALID_CONV = 3, /* "invalid conversion to integer" */
    CC_TRAP_UNREACHABLE = 4,  /* "unreachable" */
    CC_TRAP_OOB_MEMORY = 5,   /* "out of bounds memory access" */
    CC_TRAP_OOB_TABLE = 6,    /* "out of bounds table access" */
    CC_TRAP_UNDEF_ELEM = 7,   /* "undefined element" */
    CC_TRAP_UNINIT_ELEM = 8,  /* "uninitialized element N", N in CcCtx.trap_arg */
    CC_TRAP_SIG_MISMATCH = 9, /* "indirect call type mismatch" */
    CC_TRAP_STACK = 10,       /* "call stack exhausted" */
    CC_TRAP_INTERRUPT = 11,   /* the store's interrupt message (a poll faulted) */
    CC_TRAP_COUNT
};

typedef struct CcMem {  /* struct corral_memory */
    uint8_t *data;      /* moves on grow */
    uint64_t size;      /* bytes */
} CcMem;

typedef struct CcTable { /* struct corral_table */
    uint64_t *elems;     /* CcFunc * for funcref, the host's pointer for externref; 0 = null */
    uint32_t size;
} CcTable;

typedef struct CcFunc {  /* struct corral_func */
    const void *type;    /* const FuncType *: equal pointers mean equal types */
    void *inst;          /* defining instance, NULL for host functions */
    const void *code;
    uint32_t index;      /* in its module's function index space */
} CcFunc;

typedef struct CcCtx CcCtx;

/* Runtime services. Each one that can trap does not return then; offsets are the Wasm byte
 * offset of the instruction, for the trap's backtrace. */
typedef struct CcRt {
    void (*trap)(CcCtx *c, uint32_t code, uint32_t off) __attribute__((noreturn));
    /* Calls any function (host, another instance's, or interpreted) with its params in
     * cells; results replace them. */
    void (*call)(CcCtx *c, const CcFunc *f, uint64_t *cells, uint32_t off);
    /* Whether two function types (CcFunc.type) are structurally equal. */
    int (*sig_eq)(CcCtx *c, const void *a, const void *b);
    /* *c->tick went below 0: settles the fuel slice, checks interrupts; may trap. */
    void (*fuel)(CcCtx *c, uint32_t off);
    /* The memory operations take the memory's index (multiple memories). */
    uint32_t (*memory_grow)(CcCtx *c, uint32_t mem, uint32_t delta); /* old pages, or 0xffffffff */
    void (*memory_init)(CcCtx *c, uint32_t mem, uint32_t seg, uint32_t d, uint32_t s, uint32_t n,
                        uint32_t off);
    void (*memory_copy)(CcCtx *c, uint32_t dmem, uint32_t smem, uint32_t d, uint32_t s,
                        uint32_t n, uint32_t off);
    void (*memory_fill)(CcCtx *c, uint32_t mem, uint32_t d, uint32_t val, uint32_t n,
                        uint32_t off);
    void (*table_init)(CcCtx *c, uint32_t t, uint32_t seg, uint32_t d, uint32_t s, uint32_t n,
                       uint32_t off);
    void (*table_copy)(CcCtx *c, uint32_t td, uint32_t ts, uint32_t d, uint32_t s, uint32_t n,
                       uint32_t off);
    void (*table_fill)(CcCtx *c, uint32_t t, uint32_t d, uint64_t val, uint32_t n, uint32_t off);
    uint32_t (*table_grow)(CcCtx *c, uint32_t t, uint64_t init, uint32_t delta);
} CcRt;

/* One instance as generated code sees it; index spaces as the module's, imports first. */
struct CcCtx {
    CcMem *mem0;             /* memory 0, or 0 */
    CcMem **mems;            /* every memory (multiple memories): those but memory 0 are
                              * always accessed with explicit bounds checks */
    uint64_t **globals;      /* each global's value cell (raw bits) */
    CcTable **tables;
    CcFunc **funcs;
    const void *const *types; /* the module's function types, by type index */
    uint32_t *elem_len;      /* per element segment, 0 once dropped */
    uint32_t *data_len;      /* per data segment, 0 once dropped */
    const CcRt *rt;
    int32_t tick;            /* the store's fuel slice while this instance's code runs (charges
                              * subtract, < 0 calls rt->fuel); the runtime copies it to and
                              * from the store around everything that may read it */
    uintptr_t stack_limit;   /* a frame below this address traps with CC_TRAP_STACK */
    uint32_t *stop;          /* without CC_FLAG_FUEL: code with bounds checks reads it (a
                             * relaxed atomic load; nonzero: interrupted, rt->fuel traps);
                             * code for guard regions only reads it, and the read faults
                             * while an interrupt is pending (the store's poll page) */
    uint32_t trap_arg;
    void *inst;              /* the engine's instance (compared with CcFunc.inst) */
};

/* Cells hold one value each but a v128, which takes two consecutive cells holding its 16-byte
 * image in memory order (a v128 global's cells too: CcCtx.globals points at both). */

/* A defined function's entry from the engine: params in cells, results replace them. */
typedef void (*CcEntry)(CcCtx *c, uint64_t *cells);

/* A defined function's entry at one of its loops (on-stack replacement): every local in
 * cells (the interpreter's frame), the loop named by its Wasm byte offset; runs the rest of
 * the function from the loop's start and puts the results in cells. Returns 0, having run
 * nothing, when that loop is not an entry point (only loops at an empty operand stack and
 * without params are). */
typedef int (*CcOsr)(CcCtx *c, uint64_t *cells, uint32_t loop_off);

/* What a compiled module exports: the one visible symbol, CC_MODULE_SYMBOL. */
typedef struct CcModule {
    uint32_t abi;      /* CC_ABI_VERSION */
    uint32_t nfuncs;   /* the module's function index space */
    uint32_t nimports; /* imported functions: entries[] covers the others */
    uint32_t flags;    /* CC_FLAG_* the code was generated with */
    const CcEntry *entries;
    void (*const *funcs)(void); /* each function's code by function index (imports: 0), to
                                 * name the frames of a backtrace */
    const uint8_t *loops;       /* per defined function: 1 when its body has a loop */
    const CcOsr *osr;           /* per defined function: its entry at a loop, or 0; the
                                 * array itself 0 when no function has one */
    void (*const *osr_funcs)(void); /* per defined function: the code behind osr[] (0: none),
                                     * to name frames */
} CcModule;

#define CC_MODULE_SYMBOL "corral_native_module"

/* Code-changing choices, part of the artifact header and the cache key. */
#define CC_FLAG_BOUNDS_CHECKS 1u /* explicit bounds checks (no guard regions) */
#define CC_FLAG_FUEL 2u          /* fuel counted at entries and back-edges (the interpreter's
                                  * charges); without it they only poll CcCtx.stop */

#define CC_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Keeps a load whose value is unused: without bounds checks the load itself is what traps,
 * and the C compiler would drop it. */
#if defined(__x86_64__)
#define CC_KEEP_F(x) __asm__ volatile("" : : "x"(x))
#elif defined(__aarch64__)
#define CC_KEEP_F(x) __asm__ volatile("" : : "w"(x))
#else
#define CC_KEEP_F(x) __asm__ volatile("" : : "m"(x))
#endif
#define CC_KEEP_I(x) __asm__ volatile("" : : "r"(x))
#define CC_KEEP_V(x) __asm__ volatile("" : : "m"(x)) /* a v128 (simd.h's V128) */

/* Fuel in generated code: each function keeps the store's slice in a local, tk, written back
 * before every call and return (anything called may read or spend fuel) and read again
 * after a call. A charge below 0 settles the slice through the runtime. */
/* Without fuel: an interrupt request stops the code at an entry or back-edge. With guard
 * regions the poll is a plain read of a page the runtime makes unreadable: no call in the
 * code, which would keep GCC from optimising recursion (fib 2.2x native with a call, 0.8x
 * without). */
#define CC_POLL_READ() ((void)*(volatile const uint32_t *)stop_)
#define CC_POLL(off)                                                \
    do {                                                            \
        if (CC_UNLIKELY(__atomic_load_n(stop_, __ATOMIC_RELAXED)))  \
            c->rt->fuel(c, (off));                                  \
    } while (0)

#define CC_TICK_SAVE() (c->tick = tk)
#define CC_TICK_LOAD() (tk = c->tick)
#define CC_CHARGE(n, off)                   \
    do {                                    \
        if (CC_UNLIKELY((tk -= (n)) < 0)) { \
            c->tick = tk;                   \
            c->rt->fuel(c, (off));          \
            tk = c->tick;                   \
        }                                   \
    } while (0)

#endif
