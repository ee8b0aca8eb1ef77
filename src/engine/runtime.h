/* runtime.h: the engine's runtime objects (the structs behind corral.h's opaque types) and
 * the contract between the instantiator (instance.c), the public API (api.c) and the
 * interpreter (lower.c, interp.c). Everything a store creates is owned by the store. */
#ifndef CORRAL_RUNTIME_H
#define CORRAL_RUNTIME_H

#include "../../include/corral.h"
#include "module.h"

/* A value cell: every Wasm value occupies one 64-bit cell in frames, globals and tables, but
 * a v128, which takes two consecutive cells holding its 16-byte image in memory order.
 * i32 is zero-extended, f32/f64 are bit patterns, references are pointers (NULL = null). */
typedef uint64_t Cell;

typedef struct corral_engine Engine;
typedef struct corral_store Store;
typedef struct corral_instance Instance;
typedef struct corral_func Func;
typedef struct corral_memory Memory;
typedef struct corral_table Table;
typedef struct corral_global Global_;
typedef struct corral_trap Trap;
typedef struct corral_tag Tag;

#define WASM_PAGE 65536u

struct corral_engine {
    corral_config_t cfg;
};

/* A compiled module, reference counted: the owner's handle plus one per instance, so a
 * module lives as long as any store still runs code from it. */
struct corral_module {
    Engine *engine;
    Module *m;
    _Atomic uint32_t refs;
    struct FuncNames *_Atomic names; /* names.c: the name section's, parsed on first use */
    /* native.c: compiled code for every defined function, once attached (never detached
     * before the module is freed); expect_native: code is being compiled, so instances
     * look for it at every fuel slice and switch to it. */
    struct NativeCode *_Atomic native;
    _Atomic uint32_t expect_native;
    struct NativeCode *_Atomic late_native; /* corral_module_attach_native_late's code, which
                                             * the first fuel slice moves to native */
    /* While code is expected: per defined function, whether a call of it has run in the
     * interpreter for a while (interp.c, note_resident), made by corral_module_expect_native
     * and read by the background compile (module_resident). */
    _Atomic uint8_t *_Atomic resident;
};

/* Drops one reference to a module (the last one frees it). */
void module_release(struct corral_module *cm);
void module_retain(struct corral_module *cm);

/* Decode, validation and link errors. */
struct corral_error {
    size_t offset; /* SIZE_MAX when none applies */
    char msg[240];
};

/* Creates an error (printf-style message). NULL only when out of memory. */
corral_error_t *error_new(size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct LoweredFunc; /* lower.h */

/* The first four fields are native_abi.h's CcFunc, in its order. */
struct corral_func {
    const FuncType *type;
    Instance *inst;                     /* defining instance; NULL for host functions */
    const struct LoweredFunc *code;     /* Wasm functions */
    uint32_t index;                     /* function index in its module (backtraces) */
    corral_host_fn host;                /* host functions */
    void *host_env;
    void (*host_finalizer)(void *);
};

/* The first two fields are native_abi.h's CcMem. */
struct corral_memory {
    uint8_t *data;      /* base; moves on grow */
    uint64_t size;      /* bytes = pages * WASM_PAGE */
    uint64_t max_pages; /* effective maximum: declared max capped by the engine */
    uint64_t decl_max;  /* declared maximum (import matching), valid when has_max */
    bool has_max;
    bool guarded;       /* MEMORY_GUARD_BYTES of address space reserved from data on: any
                         * 32-bit address plus 32-bit offset faults past size */
    bool is64;          /* memory64: a 64-bit memory (i64 addresses; import matching) */
};

/* The first two fields are native_abi.h's CcTable. */
struct corral_table {
    Cell *elems;        /* size cells: Func* for funcref, host pointer for externref */
    uint32_t size;
    uint32_t max;       /* effective maximum: declared max capped by the engine */
    ValType elem;
    bool has_max;       /* a maximum was declared (then it is decl_max) */
    bool is64;          /* memory64: a 64-bit table (i64 indices; import matching) */
    uint64_t decl_max;
    const Module *mod;  /* the defining module, whose type indices elem's names (NULL: host) */
};

struct corral_global {
    GlobalType type;
    const Module *mod; /* the defining module, whose type indices type names (NULL: host) */
    Cell val[2]; /* val[0] for every type; a v128 takes both cells (its image) */
};

/* An exception tag: compared by identity (an imported tag is its exporter's). */
struct corral_tag {
    const FuncType *type; /* params only; owned by the tag's module or the store */
};

/* An exception (the object an exnref points at): its tag and its payload, the tag's params
 * as cells. Made by throw in the store (store_alloc), which frees it: an exnref may be kept
 * in locals, globals or tables, and there is no collector to say when it dies. One that no
 * exnref ever pointed at (`escaped` false) and no legacy catch holds (`holds` 0: the catch
 * arms running with it, for rethrow) is dead once a plain catch took its payload or the last
 * arm holding it is left, and goes back to the interpreter's free list for the next throw:
 * loops of throws and catches (and C's longjmp) run in constant memory. */
typedef struct Exn {
    const Tag *tag;
    uint32_t ncells, cap; /* payload cells; room for cap */
    uint32_t holds;       /* legacy catch arms holding it */
    bool escaped;         /* an exnref to it was made (catch_ref, catch_all_ref) */
    struct Exn *next_free;
    Cell vals[];
} Exn;

/* The collector's frame roots (interp.c): calls mark with each cell of the interpreter's
 * frames live now that may hold a reference, by the frames' stack maps at their safepoints
 * (a frame of a function without maps: all its cells). Only while a collection may run:
 * inside an allocating GC instruction. */
void interp_gc_frames(const Store *s, void (*mark)(void *, Cell), void *ctx);

/* A live instance. The arrays span the module's index spaces, imports first. */
struct corral_instance {
    const Module *module;
    const struct corral_module *cmodule; /* the handle module belongs to (referenced) */
    Store *store;
    Func **funcs;
    Table **tables;
    Memory **mems;
    Global_ **globals;
    Tag **tags;
    uint32_t *elem_len;  /* per element segment: its length, 0 once dropped */
    Cell **elem_vals;    /* per element segment: its references evaluated at instantiation
                          * when an item allocates (GC), so every use sees the same
                          * objects; else NULL, and uses evaluate the items (elem_item) */
    uint32_t *data_len;  /* per data segment: its length, 0 once dropped */
    Memory *mem0;        /* mems[0] or NULL: the interpreter's fast path */
    Memory *caller_mem;  /* what host functions see as the caller's memory
                          * (corral_caller_memory): the memory exported as "memory", else
                          * memory 0, else NULL */
    struct NativeInst *native; /* native.c: the instance as native code sees it, or NULL */
};

/* One frame of a trap's backtrace. */
typedef struct TrapFrame {
    const Module *module; /* compared, never dereferenced: the trap may outlive it */
    uint32_t func;
    size_t offset;
} TrapFrame;

struct corral_trap {
    char *msg;
    size_t nframes, capframes;
    TrapFrame *frames;
    bool is_exit;        /* corral_trap_new_exit: an exit request, not an error */
    Exn *exn;            /* an exception leaving a call: handlers further out may catch it */
    int32_t exit_status;
};

/* What a store owns, released in reverse order when the store is deleted. */
typedef enum { OWN_PLAIN, OWN_MEMORY, OWN_TABLE_ELEMS, OWN_HOST_FUNC, OWN_MODULE_REF } OwnKind;
typedef struct Owned {
    uint8_t kind; /* OwnKind */
    void *ptr;
} Owned;

/* The size of a store's poll page (native_fault.c). */
#define POLL_PAGE 4096

/* Return addresses a trap in compiled code records for its backtrace (native.c). */
#define NATIVE_BT_MAX 48

/* Memory reservations a store keeps across corral_store_reset (memory.c). */
#define STORE_MEM_CACHE 4

/* The store: owns every object created in it, and the execution stacks. */
struct corral_store {
    Engine *engine;
    Owned *owned;
    size_t nowned, capowned;
    Cell *stack;        /* value stack: frames of cells, contiguous (interp.c manages it) */
    size_t stack_cells;
    void *interp;       /* interpreter-private per-store state (control stack), or NULL */
    void (*interp_free)(void *);
    uint32_t depth;     /* current Wasm call depth across nested entries */

    /* Interruption (docs/design/interp.md, "Interruption: fuel and deadlines"). Remaining
     * fuel = fuel_reserve + fuel_tick; the interpreter spends fuel_tick (a slice of at most
     * FUEL_SLICE units, kept in a local while it runs) and calls fuel_refill() when a charge
     * takes it below 0. fuel_reserve is CORRAL_FUEL_UNLIMITED when fuel is off. */
    int32_t fuel_tick;
    uint64_t fuel_reserve;
    uint64_t fuel_budget;              /* the amount last set, for the trap message */
    _Atomic uint32_t interrupt;        /* corral_interrupt_t; written by any thread */
    /* A page compiled code reads at its polls (native_fault.c): readable, and made
     * unreadable by an interrupt request, so the next poll faults. Made on first use. */
    uint32_t *_Atomic poll_page;
    bool poll_blocked; /* the page is unreadable now (native_poll_sync, under its lock) */

    /* Linear-memory reservations kept by corral_store_reset for the next memories created
     * in this store (memory.c): no mmap, munmap or page fault per reuse. */
    Memory *mem_cache[STORE_MEM_CACHE];
    uint32_t nmem_cache;

    /* Native code (native.c): the innermost entry's jmp_buf, the trap it returns, the
     * stack bound compiled code checks, nested entries; instances waiting for their
     * module's code (switched at a fuel slice). */
    void **native_jb;   /* the innermost native_enter's __builtin_setjmp buffer */
    int native_jump;    /* why it was jumped to: 1 a trap (native_trap), 2 a fault */
    Trap *native_trap;
    uintptr_t native_stack_limit;
    uintptr_t native_stack_lo;             /* the thread's stack's low end */
    uintptr_t native_mem_lo, native_mem_hi; /* the running instance's guard region */
    int native_fault;                      /* the trap code a fault stood for */
    int native_nbt;                        /* return addresses at the last native trap */
    void *native_bt[NATIVE_BT_MAX];
    uint32_t native_nest;
    uint32_t nnative_waiting, capnative_waiting;
    uint64_t nosr; /* on-stack replacements (native_osr) */
    Instance **native_waiting;

    /* Garbage collection's heap (gc.c): every object, its bytes and their limit, and the
     * objects extern.convert_any gave out (an open-addressing set of GcObj*). */
    struct GcObj *gc_objects;
    size_t gc_bytes, gc_limit;
    Cell *gc_ext;
    size_t gc_ext_n, gc_ext_cap;
    /* The collector (gc.c, docs/design/gc.md): the set of object addresses (open
     * addressing), the structures that hold references (globals, tables, exceptions: each
     * with the store's owned count when registered, for corral_store_reset_to), the host's
     * roots, the allocation volume since the last collection and its trigger; collections
     * happen only at the interpreter's safepoints (gc_safepoint set). */
    Cell *gc_set;
    size_t gc_set_n, gc_set_cap;
    struct GcRoot *gc_roots;
    size_t gc_nroots, gc_roots_cap;
    Cell *gc_host;
    size_t gc_nhost, gc_host_cap;
    size_t gc_since, gc_trigger;
    bool gc_safepoint;
    bool gc_const_oom; /* an allocation of a constant expression failed (instance.c traps) */
    /* modules whose instances made objects here, referenced until the objects are freed
     * (an object's type points into its module; corral_store_reset_to may release the
     * instance) */
    struct corral_module **gc_mods;
    size_t gc_nmods, gc_mods_cap;
    uint64_t gc_collections, gc_pause_ns_total, gc_pause_ns_max, gc_freed;
};

/* ---- store ownership (store.c) ------------------------------------------------------ */

/* Allocates zeroed memory owned by the store (freed when the store is deleted). NULL on OOM. */
void *store_alloc(Store *s, size_t size);
/* Records that the store must release p (of the given kind) at deletion. 0 or -1 (OOM). */
int store_own(Store *s, OwnKind kind, void *p) __attribute__((warn_unused_result));

/* ---- interruption (interrupt.c) ------------------------------------------------------ */

/* The largest slice of fuel the interpreter spends between two calls of fuel_refill(): with
 * unlimited fuel, the longest run (in fuel units) before an interrupt request is seen. */
#define FUEL_SLICE 10000

/* Called by the interpreter when a charge took s->fuel_tick below 0 (the interpreter has
 * stored its counter there). Settles the slice against the reserve and either starts the
 * next slice (returns NULL) or returns why code must stop: the interrupt's message or the
 * fuel message (formatted into buf). Stopping for fuel leaves 0 fuel. */
const char *fuel_refill(Store *s, char *buf, size_t buf_len);
/* The message of an interrupt request, or NULL when none is pending. */
const char *interrupt_message(const Store *s);

/* ---- traps (trap.c) ---------------------------------------------------------------- */

/* Creates a trap with msg (copied). Returns NULL only when out of memory. */
Trap *trap_new(const char *msg);
/* A trap carrying an exception that leaves a call ("uncaught exception"). */
Trap *trap_new_exception(Exn *exn);
/* Appends a backtrace frame: function func of module at offset. */
void trap_push_frame(Trap *t, const Module *module, uint32_t func, size_t offset);

/* ---- bulk operations (bulk.c): NULL or the trap's message -------------------------- */

#define OOB_MEM "out of bounds memory access"
#define OOB_TABLE "out of bounds table access"

/* Addresses and lengths are u64 (memory64); the bounds checks cannot overflow. */
const char *bulk_memory_init(Instance *inst, Memory *mem, uint32_t seg, uint64_t d, uint32_t s,
                             uint32_t n);
const char *bulk_memory_copy(const Store *st, Memory *dst, Memory *src, uint64_t d, uint64_t s,
                             uint64_t n);
const char *bulk_memory_fill(const Store *st, Memory *mem, uint64_t d, uint8_t val, uint64_t n);
const char *bulk_table_init(Instance *inst, uint32_t ti, uint32_t seg, uint32_t d, uint32_t s,
                            uint32_t n);
const char *bulk_table_copy(const Store *st, Table *dt, Table *srct, uint32_t d, uint32_t s,
                            uint32_t n);
const char *bulk_table_fill(const Store *st, Table *t, uint32_t i, Cell val, uint32_t n);
/* memory.grow of memory 0: the old page count or -1. */
int64_t bulk_grow_memory(Instance *inst, uint32_t delta);

/* ---- native code (native.c) -------------------------------------------------------- */

/* Gives a new instance its native view when its module has code (else, when code is
 * expected, puts it on the store's waiting list). After tables, memories and globals exist,
 * before any code runs. 0, or -1 when out of memory. */
int native_instance_init(Store *s, Instance *inst);
/* Runs defined function f of an instance with native code (the interpreter's NATIVE
 * instruction): params in cells, results replace them. NULL or an owned trap. */
Trap *native_enter(Store *s, Func *f, Cell *cells);
/* On-stack replacement: when f (running in the interpreter with its locals in cells, at a
 * back-edge to the loop whose label is word label of its lowered code) has native code
 * with an entry at that loop, runs the rest of f there and returns true with *trap set (NULL
 * or an owned trap; results in cells). Else false: nothing ran. */
bool native_osr(Store *s, Func *f, Cell *cells, uint32_t label, Trap **trap);
/* Whether f's code is its native code's stub (the NATIVE instruction alone). */
bool native_is_stub(const Func *f);
/* Marks f's function as resident in its module (a call of it runs long in the interpreter):
 * how is RESIDENT_CALLER or RESIDENT_LOOP (interp.c says which is which; the last mark
 * stands). */
enum { RESIDENT_NONE, RESIDENT_CALLER, RESIDENT_LOOP };
void module_note_resident(const Func *f, uint8_t how);
/* The functions of cm marked resident so far: out[i] for defined function i (ncodes bytes,
 * RESIDENT_*); false when cm keeps no record. */
bool module_resident(struct corral_module *cm, uint8_t *out);
/* Switches waiting instances whose module's code has arrived (called at fuel slices). */
void native_refresh(Store *s);
void native_code_free(struct NativeCode *nc);

/* Faults of compiled code (native_fault.c). Whether code without explicit checks can run
 * here (guarded memories and the fault handler); making the handler ready on this thread;
 * registering an object's code [lo, hi) (native_so_code_range: the union of its executable
 * segments; empty for none) so its faults become traps, and unregistering it, before the
 * object is unloaded; the store whose code this thread runs (returns the previous one). */
bool native_guard_supported(void);
bool native_fault_ready(void);
void native_fault_code_add(uintptr_t lo, uintptr_t hi);
void native_fault_code_remove(uintptr_t lo, uintptr_t hi);
Store *native_fault_swap_store(Store *s);
/* The store's poll page, made on first use (NULL when it cannot be). */
uint32_t *native_poll_page(Store *s);
/* Makes the poll page match the interrupt flag (unreadable while one is pending). */
void native_poll_sync(Store *s);
/* Unwinds to the innermost native_enter of s: kind 1 for native_trap, 2 for native_fault. */
_Noreturn void native_jump(Store *s, int kind);
/* backtrace(), outside a signal handler (the first call loads the unwinder). */
int native_backtrace(void **buf, int n);

/* ---- memory and table primitives (memory.c, table.c) ------------------------------- */

/* The reservation a guarded memory has: 4 GiB of addresses plus 4 GiB of offsets plus the
 * widest access, rounded to a page: compiled code then needs no bounds check. */
#define MEMORY_GUARD_BYTES (((uint64_t)8 << 30) + WASM_PAGE)
/* 1 where the compiled tier makes code (src/compile/tier.c: x86-64 only so far). Elsewhere
 * nothing runs native code, so no memory is guarded: the interpreter checks bounds itself. */
#if defined(__x86_64__) && !defined(__ILP32__)
#define NATIVE_CODE_HOST 1
#else
#define NATIVE_CODE_HOST 0
#endif
/* Whether this process can reserve guarded memories (tried once; never without
 * NATIVE_CODE_HOST: 8 GiB reservations would only cost, under qemu-user gigabytes of its
 * page descriptors and minutes of system time in the unit tests). */
bool memory_guard_available(void);

/* Creates a memory of min pages (zeroed), effective max = min(declared, engine cap), owned by
 * the store; max UINT64_MAX means none declared. NULL when min exceeds the cap or on OOM. */
Memory *memory_create(Store *s, uint64_t min_pages, uint64_t max_pages);
void memory_release(Memory *m);
/* Releases m, or keeps its reservation in s's cache for a later memory_create (the store is
 * being reset). */
void memory_recycle(Store *s, Memory *m);
/* Releases the reservations in s's cache. */
void memory_cache_clear(Store *s);
/* Grows by delta pages; returns the old page count or -1 (never traps). */
int64_t memory_grow(Memory *m, uint64_t delta);
/* Creates a (32-bit) table of min elements set to init; max UINT64_MAX means none declared.
 * NULL when min exceeds the engine's cap or on OOM. */
Table *table_create(Store *s, ValType elem, uint64_t min, uint64_t max, Cell init);
/* Grows by delta with init; returns the old size or -1. */
int64_t table_grow(Table *t, uint32_t delta, Cell init);

/* ---- the interpreter (interp.c) ---------------------------------------------------- */

/* Calls f (Wasm or host) with its params in cells, one each (a v128 two: valtype_cells); on
 * success its results are in the cells from 0 likewise. cells must have room for the params'
 * and the results' cells. Returns NULL or an owned trap with backtrace. Re-entrant: host functions may call back into Wasm. */
Trap *interp_call(Store *s, Func *f, Cell *cells);
/* A new exception of tag with its payload from cells, in s (interp.c keeps the dead ones
 * for reuse). NULL when out of memory. */
Exn *interp_exn_new(Store *s, const Tag *tag, const Cell *cells);
/* Calls host function f for a caller in instance `caller` (NULL: none). */
Trap *interp_call_host(Instance *caller, Func *f, Cell *cells);

/* ---- lowering (lower.c) ------------------------------------------------------------ */

/* Prepares a validated module for lazy lowering (lower.h): allocates m->lowered, all NULL.
 * 0 on success; on failure (out of memory) fills err. */
int lower_module(Module *m, DecodeError *err) __attribute__((warn_unused_result));
void lowered_free(Module *m);

/* Evaluates a validated constant expression (as decoded into ConstExpr) in the context of
 * inst: globals and functions of the instance. Implemented in instance.c. */
Cell const_eval(const Instance *inst, const ConstExpr *e);
/* Item k of element segment seg of inst. */
Cell elem_item(const Instance *inst, uint32_t seg, uint32_t k);
/* The same for a v128 global's initializer: both cells. */
void const_eval_v128(const Instance *inst, const ConstExpr *e, Cell out[2]);

/* Converts between public values and cells: one cell (any type but v128), or the cells
 * (valtype_cells) of any type, returning how many were written or read. */
Cell val_to_cell(const corral_val_t *v);
corral_val_t cell_to_val(const Module *m, Cell c, ValType t);
uint32_t val_to_cells(const corral_val_t *v, Cell *out);
uint32_t cells_to_val(const Module *m, const Cell *c, ValType t, corral_val_t *out);

#endif
