/* corral.h: Corral's public embedding API, the stable contract of the engine.
 *
 * Objects: an engine (configuration, shared and thread-safe), modules (decoded, validated and
 * compiled once; immutable and shareable across threads), stores (a single-threaded world of
 * runtime objects: instances, functions, memories, tables, globals) and traps.
 * Ownership: functions named _new return an owned object the caller releases with the
 * matching _delete; everything else borrows. Objects created in a store live until the
 * store is deleted. No function aborts the process: failures are returned as values. */
#ifndef CORRAL_H
#define CORRAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CORRAL_API __attribute__((visibility("default")))
#else
#define CORRAL_API
#endif

typedef struct corral_engine corral_engine_t;
typedef struct corral_module corral_module_t;
typedef struct corral_store corral_store_t;
typedef struct corral_instance corral_instance_t;
typedef struct corral_func corral_func_t;
typedef struct corral_memory corral_memory_t;
typedef struct corral_table corral_table_t;
typedef struct corral_global corral_global_t;
typedef struct corral_tag corral_tag_t; /* exception handling: an exception tag */
typedef struct corral_trap corral_trap_t;
typedef struct corral_error corral_error_t;
typedef struct corral_functype corral_functype_t;

/* The library's version, "MAJOR.MINOR.PATCH". */
#define CORRAL_VERSION "0.1.0"
CORRAL_API const char *corral_version(void);

/* ---- values ------------------------------------------------------------------------ */

/* Value kinds carry their binary type codes. */
typedef enum corral_valkind {
    CORRAL_I32 = 0x7f,
    CORRAL_I64 = 0x7e,
    CORRAL_F32 = 0x7d,
    CORRAL_F64 = 0x7c,
    CORRAL_V128 = 0x7b,
    CORRAL_FUNCREF = 0x70,
    CORRAL_EXTERNREF = 0x6f,
    CORRAL_EXNREF = 0x69, /* exception handling: an exception, opaque to the host */
    CORRAL_ANYREF = 0x6e, /* garbage collection's any hierarchy (struct, array, i31, a host
                           * reference made anyref): opaque, in of.externref; see
                           * corral_anyref_kind */
} corral_valkind_t;

/* A value. Floats are kept as raw IEEE-754 bit patterns so NaN payloads survive exactly;
 * corral_val_f32()/corral_val_as_f64() and friends convert. A null reference is NULL. A v128
 * is its 16 bytes in linear-memory order (lane 0 first, each lane little-endian). */
typedef struct corral_val {
    corral_valkind_t kind;
    union {
        int32_t i32;
        int64_t i64;
        uint32_t f32_bits;
        uint64_t f64_bits;
        corral_func_t *funcref;
        void *externref;
        uint8_t v128[16];
    } of;
} corral_val_t;

CORRAL_API corral_val_t corral_val_i32(int32_t v);
CORRAL_API corral_val_t corral_val_i64(int64_t v);
CORRAL_API corral_val_t corral_val_f32(float v);
CORRAL_API corral_val_t corral_val_f64(double v);
CORRAL_API float corral_val_as_f32(const corral_val_t *v);

/* Garbage collection's references (CORRAL_ANYREF values). An object stays valid while its
 * store lives and is not reset (docs/design/gc.md). */
typedef enum corral_anykind {
    CORRAL_ANY_NULL, CORRAL_ANY_I31, CORRAL_ANY_STRUCT, CORRAL_ANY_ARRAY, CORRAL_ANY_HOST,
} corral_anykind_t;
CORRAL_API corral_anykind_t corral_anyref_kind(const corral_val_t *v);
/* A host reference as an anyref (what any.convert_extern makes of it); false on OOM. Like
 * every anyref the host holds, it must be rooted (corral_anyref_root) to stay valid across
 * a call into the store; CORRAL_ANYREF values given to the engine must be ones it gave out. */
CORRAL_API bool corral_anyref_from_host(struct corral_store *store, void *host,
                                        corral_val_t *out);
/* The host reference of a CORRAL_ANY_HOST value, else NULL. */
CORRAL_API void *corral_anyref_host(const corral_val_t *v);
/* Keeps a CORRAL_ANYREF value's object alive across later calls into its store (the
 * collector frees what neither Wasm nor a root reaches; a value the host got stays valid
 * only until its next call into the store otherwise). Roots count: unroot once per root.
 * false on out of memory. */
CORRAL_API bool corral_anyref_root(struct corral_store *store, const corral_val_t *v);
CORRAL_API void corral_anyref_unroot(struct corral_store *store, const corral_val_t *v);
/* Collections so far in the store, their longest and total pause (nanoseconds). */
CORRAL_API void corral_store_gc_stats(const struct corral_store *store, uint64_t *collections,
                                      uint64_t *max_pause_ns, uint64_t *total_pause_ns);
/* The value of a CORRAL_ANY_I31 (sign-extended from 31 bits when sign), else 0. */
CORRAL_API int32_t corral_anyref_i31(const corral_val_t *v, bool sign);
CORRAL_API double corral_val_as_f64(const corral_val_t *v);
/* The type's name as in the text format: "i32", "funcref", ... */
CORRAL_API const char *corral_valkind_name(corral_valkind_t k);

/* ---- engine ------------------------------------------------------------------------ */

/* WebAssembly features beyond the 2.0 core, each of which can be switched off
 * (corral_config.features, `--wasm-features`). A module that uses a feature that is off is
 * refused as the 2.0 specification would refuse it. */
#define CORRAL_FEATURE_SIMD (1u << 0)              /* 128-bit SIMD (part of 2.0) */
#define CORRAL_FEATURE_TAIL_CALL (1u << 1)         /* return_call, return_call_indirect */
#define CORRAL_FEATURE_EXTENDED_CONST (1u << 2)    /* i32/i64 add, sub, mul in constants */
#define CORRAL_FEATURE_MULTI_MEMORY (1u << 3)      /* more than one memory */
#define CORRAL_FEATURE_MEMORY64 (1u << 4)          /* 64-bit memories and tables */
#define CORRAL_FEATURE_EXCEPTIONS (1u << 5)        /* tags, try_table, throw, throw_ref, exnref */
#define CORRAL_FEATURE_LEGACY_EXCEPTIONS (1u << 6) /* try, catch, catch_all, rethrow, delegate */
#define CORRAL_FEATURE_FUNCTION_REFERENCES (1u << 7) /* typed function references, call_ref */
#define CORRAL_FEATURE_GC (1u << 8)                /* structs, arrays, i31, casts */
#define CORRAL_FEATURE_RELAXED_SIMD (1u << 9)      /* relaxed SIMD */
/* The 2.0 feature set, and 3.0's (with the legacy exception instructions toolchains emit). */
#define CORRAL_FEATURES_2_0 CORRAL_FEATURE_SIMD
#define CORRAL_FEATURES_3_0 0x3ffu
#define CORRAL_FEATURES_ALL 0x3ffu

/* Parses a feature list into *features (starting from its current value): comma-separated
 * items, each a set ("2.0", "3.0", "all", "none") or a feature's name ("tail-call",
 * "multi-memory", ...) to switch it on, prefixed with '-' or "no-" to switch it off. Returns
 * NULL, or a message naming the item it could not read (static storage, not thread-safe). */
CORRAL_API const char *corral_features_parse(const char *list, uint32_t *features);
/* The name of one feature bit, or NULL. */
CORRAL_API const char *corral_feature_name(uint32_t feature);

typedef struct corral_config {
    uint32_t max_call_depth;    /* Wasm frames before "call stack exhausted" (default 10000) */
    uint64_t max_stack_bytes;   /* value-stack bytes per store (default 8 MiB) */
    uint32_t max_memory_pages;  /* cap on any linear memory, 64 KiB pages (default 65536) */
    uint32_t max_table_elems;   /* cap on any table's size (default 10,000,000) */
    uint32_t max_locals;        /* per function, params included (default 50,000) */
    uint32_t max_funcs;         /* per module (default 1,000,000) */
    uint32_t load_threads;      /* threads that validate a module with megabytes of code:
                                 * 0 = one per CPU, at most 8 (default); 1 = the caller's only */
    uint32_t features;          /* CORRAL_FEATURE_* switched on (default CORRAL_FEATURES_3_0) */
    uint64_t max_gc_heap_bytes; /* garbage collection's objects per store, headers included:
                                 * an allocation past it after a collection traps "out of
                                 * memory" (default 512 MiB) */
} corral_config_t;

/* Fills cfg with the defaults. */
CORRAL_API void corral_config_default(corral_config_t *cfg);
/* cfg may be NULL for defaults. Returns NULL only when out of memory. */
CORRAL_API corral_engine_t *corral_engine_new(const corral_config_t *cfg);
CORRAL_API void corral_engine_delete(corral_engine_t *engine);

/* ---- errors (decode, validation, link) --------------------------------------------- */

CORRAL_API const char *corral_error_message(const corral_error_t *err);
/* Byte offset in the module where the problem is, or SIZE_MAX when none applies. */
CORRAL_API size_t corral_error_offset(const corral_error_t *err);
CORRAL_API void corral_error_delete(corral_error_t *err);

/* ---- modules ----------------------------------------------------------------------- */

/* Decodes, validates and compiles bytes (copied). On failure returns an owned error and
 * leaves *out NULL. The module may be used from any thread and outlives no engine. */
CORRAL_API corral_error_t *corral_module_new(corral_engine_t *engine, const uint8_t *bytes,
                                             size_t len, corral_module_t **out);
/* Called when a module made by corral_module_new_owned is freed, with the bytes it was
 * given. */
typedef void (*corral_release_fn)(void *arg, const uint8_t *bytes, size_t len);
/* Like corral_module_new, without the copy: the module keeps `bytes` and reads them for as
 * long as it lives, so they must stay valid and unchanged; when it is freed (or when this
 * fails) it calls release(release_arg, bytes, len), unless release is NULL. For a big module
 * read from a file this halves the memory for its bytes. */
CORRAL_API corral_error_t *corral_module_new_owned(corral_engine_t *engine, const uint8_t *bytes,
                                                   size_t len, corral_release_fn release,
                                                   void *release_arg, corral_module_t **out);
/* Decodes and validates only (no compilation, and no copy of the bytes). */
CORRAL_API corral_error_t *corral_module_validate(corral_engine_t *engine, const uint8_t *bytes,
                                                  size_t len);
/* Releases the caller's handle. Instances made from the module keep it alive until their
 * store is deleted, so the order of the two deletions does not matter. */
CORRAL_API void corral_module_delete(corral_module_t *module);

/* The compiled tier (docs/design/compiled.md). Attaches native code to a module: `so` is a
 * shared object the compiled tier made for exactly this module (the caller has verified its
 * origin: it is mapped executable and run). Instances created afterwards run it; instances
 * of a module marked with corral_module_expect_native switch to it at their next function
 * entry once it arrives. Attaching twice keeps the first. NULL or an error. */
CORRAL_API corral_error_t *corral_module_attach_native(corral_module_t *module,
                                                       const uint8_t *so, size_t len);
/* The same, but the code arrives as a background compile's would: instances created before
 * it switches at their first fuel slice, and their running functions move to it at a loop
 * (on-stack replacement). The switch then happens at a fixed point of the run: for tests. */
CORRAL_API corral_error_t *corral_module_attach_native_late(corral_module_t *module,
                                                            const uint8_t *so, size_t len);
CORRAL_API bool corral_module_is_native(const corral_module_t *module);
/* Marks a module whose native code is being compiled (true) or will not come (false). */
CORRAL_API void corral_module_expect_native(corral_module_t *module, bool expect);

typedef enum corral_externkind {
    CORRAL_EXTERN_FUNC = 0,
    CORRAL_EXTERN_TABLE = 1,
    CORRAL_EXTERN_MEMORY = 2,
    CORRAL_EXTERN_GLOBAL = 3,
    CORRAL_EXTERN_TAG = 4, /* exception handling */
} corral_externkind_t;

/* Describes an import or export. Strings point into the module (not NUL-terminated). */
typedef struct corral_extern_desc {
    const char *module; /* imports only */
    size_t module_len;
    const char *name;
    size_t name_len;
    corral_externkind_t kind;
    uint32_t index; /* in the module's index space of that kind (imports come first) */
    const corral_functype_t *functype; /* for functions and tags (their params), borrowed
                                        * from the module */
} corral_extern_desc_t;

CORRAL_API size_t corral_module_import_count(const corral_module_t *m);
CORRAL_API void corral_module_import(const corral_module_t *m, size_t i, corral_extern_desc_t *out);
CORRAL_API size_t corral_module_export_count(const corral_module_t *m);
CORRAL_API void corral_module_export(const corral_module_t *m, size_t i, corral_extern_desc_t *out);

/* The name of function func_index (imports first, as everywhere) from the module's "name"
 * custom section, the names compilers keep for debuggers (clang and rustc write one;
 * wat2wasm with --debug-names). The name is as stored: UTF-8, not NUL-terminated, possibly
 * empty, possibly a C++ or Rust mangled symbol; it points into the module and lives as long
 * as it. Returns false when the module gives that function no name: no name section, none
 * for this index, or a malformed section (custom sections are not validated, so a broken
 * one never fails a module; it is ignored as a whole). The section is parsed on the first
 * call, in O(names); each lookup is a binary search. Safe from any thread. */
CORRAL_API bool corral_module_func_name(const corral_module_t *module, uint32_t func_index,
                                        const char **out_name, size_t *out_len);

/* ---- function types ---------------------------------------------------------------- */

CORRAL_API corral_functype_t *corral_functype_new(const corral_valkind_t *params, size_t nparams,
                                                  const corral_valkind_t *results,
                                                  size_t nresults);
CORRAL_API void corral_functype_delete(corral_functype_t *t);
CORRAL_API size_t corral_functype_param_count(const corral_functype_t *t);
CORRAL_API size_t corral_functype_result_count(const corral_functype_t *t);
CORRAL_API corral_valkind_t corral_functype_param(const corral_functype_t *t, size_t i);
CORRAL_API corral_valkind_t corral_functype_result(const corral_functype_t *t, size_t i);
/* Whether two types have the same params and results. */
CORRAL_API bool corral_functype_equal(const corral_functype_t *a, const corral_functype_t *b);
/* Writes t as "(i32, i64) -> i32" ("-> ()" without results) into buf, truncated to fit and
 * NUL-terminated when size > 0; returns the full length, as snprintf does. For messages
 * about mismatched imports. */
CORRAL_API size_t corral_functype_format(const corral_functype_t *t, char *buf, size_t size);

/* ---- stores ------------------------------------------------------------------------ */

/* A store is used by one thread at a time. Deleting it frees every object created in it. */
CORRAL_API corral_store_t *corral_store_new(corral_engine_t *engine);
CORRAL_API void corral_store_delete(corral_store_t *store);
/* Frees every object created in store, as deleting it would, and leaves the store empty and
 * ready for reuse with fuel unlimited and no interrupt pending. What is expensive to build
 * is kept for the next use: the execution stacks and a few linear-memory reservations, which
 * the next memories created in the store reuse after zeroing everything the last user could
 * reach (so no state survives, and no mmap, munmap or page fault is paid again). For
 * servers that run one short-lived instance after another on the same thread. Must not be
 * called while code runs in the store. */
CORRAL_API void corral_store_reset(corral_store_t *store);
/* A point in a store's life, for corral_store_reset_to. */
CORRAL_API size_t corral_store_mark(const corral_store_t *store);
/* As corral_store_reset, but keeps every object created before mark (a value of
 * corral_store_mark): e.g. host functions linked once, then an instance per request after
 * them. Objects created after the mark must not be referenced by those before it (an object
 * only refers to objects that existed when it was made, so this holds by construction). */
CORRAL_API void corral_store_reset_to(corral_store_t *store, size_t mark);

/* ---- interruption: fuel and asynchronous interrupts ------------------------------------
 * Running code checks both at function entries and loop back-edges (never per instruction),
 * so the checks cost little; a check that fails traps with a message that names the limit.
 * Fuel is an instruction budget: entering a function charges its whole body and a branch
 * back to a loop charges the loop's body, counted in Wasm instructions of the binary, so the
 * same module, inputs and budget always stop at the same place (docs/design/interp.md). A
 * bulk operation (memory.fill, table.copy ...) counts as one instruction. */

/* Sets the remaining fuel; CORRAL_FUEL_UNLIMITED (the default) disables fuel accounting. */
#define CORRAL_FUEL_UNLIMITED UINT64_MAX
CORRAL_API void corral_store_set_fuel(corral_store_t *store, uint64_t fuel);
CORRAL_API uint64_t corral_store_fuel(const corral_store_t *store);
/* How many calls running in the interpreter moved to native code at a loop (on-stack
 * replacement, when native code arrives while they run): for tests and diagnostics. */
CORRAL_API uint64_t corral_store_osr_count(const corral_store_t *store);

/* Why code was interrupted; the trap message names it. */
typedef enum corral_interrupt {
    CORRAL_INTERRUPT_NONE = 0,
    CORRAL_INTERRUPT_DEADLINE = 1, /* "interrupted: time limit exceeded" */
    CORRAL_INTERRUPT_CANCEL = 2,   /* "interrupted: cancelled by the host" */
} corral_interrupt_t;

/* Asks code running in store to stop; safe to call from any thread (e.g. a timer thread
 * enforcing a deadline). Running code sees it within at most 10,000 executed instructions or
 * one 1 MiB chunk of a bulk operation, and every call into the engine sees it on entry. The
 * request stays set until cleared with CORRAL_INTERRUPT_NONE, so code entered later stops
 * too. */
CORRAL_API void corral_store_interrupt(corral_store_t *store, corral_interrupt_t why);

/* ---- externals --------------------------------------------------------------------- */

typedef struct corral_extern {
    corral_externkind_t kind;
    union {
        corral_func_t *func;
        corral_table_t *table;
        corral_memory_t *memory;
        corral_global_t *global;
        corral_tag_t *tag;
    } of;
} corral_extern_t;

/* ---- traps ------------------------------------------------------------------------- */

/* A trap: a message (the spec's wording, e.g. "integer divide by zero") and a backtrace. */
CORRAL_API corral_trap_t *corral_trap_new(const char *message);
CORRAL_API const char *corral_trap_message(const corral_trap_t *trap);
/* Backtrace, innermost frame first: function index in its module and byte offset of the
 * trapping instruction in the module binary. */
CORRAL_API size_t corral_trap_frame_count(const corral_trap_t *trap);
CORRAL_API void corral_trap_frame(const corral_trap_t *trap, size_t i, uint32_t *out_func_index,
                                  size_t *out_offset);
/* Whether frame i is code of module (so corral_module_func_name(module, index) names it).
 * Frames of several modules mix when modules import each other's functions. module must be
 * alive; a trap may outlive the modules of its frames, which are only compared, never read. */
CORRAL_API bool corral_trap_frame_in_module(const corral_trap_t *trap, size_t i,
                                            const corral_module_t *module);
CORRAL_API void corral_trap_delete(corral_trap_t *trap);

/* An exit request: a host function (WASI's proc_exit) returns this trap to unwind the guest's
 * whole stack; it is not an error. corral_trap_exit_status() tells whether a trap is one and
 * gives the status. */
CORRAL_API corral_trap_t *corral_trap_new_exit(int32_t status);
CORRAL_API bool corral_trap_exit_status(const corral_trap_t *trap, int32_t *out_status);
/* Whether the trap is a WebAssembly exception (throw, throw_ref) that no handler caught on
 * its way out of the call: its message is "uncaught exception". A host function that returns
 * such a trap (one it got calling Wasm, or made with corral_trap_new_exception) throws the
 * exception into its Wasm caller, whose handlers may catch it. */
CORRAL_API bool corral_trap_is_exception(const corral_trap_t *trap);
/* A new exception of tag with args (the tag's params, in number and kinds), as a trap for a
 * host function to return. NULL when the args do not fit the tag, or out of memory. */
CORRAL_API corral_trap_t *corral_trap_new_exception(corral_store_t *store, const corral_tag_t *tag,
                                                    const corral_val_t *args, size_t nargs);
/* An exception trap's tag and its argument i (false when there is none). Valid while the
 * store the exception was thrown in lives. */
CORRAL_API const corral_tag_t *corral_trap_exception_tag(const corral_trap_t *trap);
CORRAL_API bool corral_trap_exception_arg(const corral_trap_t *trap, size_t i, corral_val_t *out);

/* ---- functions --------------------------------------------------------------------- */

/* The context of a host call: gives access to the calling instance's memories. */
typedef struct corral_caller corral_caller_t;
/* The caller's memory as interfaces such as WASI define it: the memory the calling instance
 * exports as "memory", else its memory 0; NULL when it has none (or no instance called). */
CORRAL_API corral_memory_t *corral_caller_memory(corral_caller_t *caller);
/* The calling instance's memory `index` (in its memory index space, imports first), or NULL
 * when there is no such memory: every memory of a module with several (multi-memory). */
CORRAL_API corral_memory_t *corral_caller_memory_at(corral_caller_t *caller, uint32_t index);

/* A host function. args has the type's param count, results its result count (filled by
 * the callee with the right kinds). Return NULL on success or an owned trap. */
typedef corral_trap_t *(*corral_host_fn)(void *env, corral_caller_t *caller,
                                         const corral_val_t *args, corral_val_t *results);

/* type is copied. finalizer (may be NULL) is called on env when the store is deleted. */
CORRAL_API corral_func_t *corral_func_new(corral_store_t *store, const corral_functype_t *type,
                                          corral_host_fn fn, void *env, void (*finalizer)(void *));
CORRAL_API const corral_functype_t *corral_func_type(const corral_func_t *f);
/* Calls f. nargs/nresults must match its type (a mismatch returns a trap). Returns NULL on
 * success or an owned trap. */
CORRAL_API corral_trap_t *corral_func_call(corral_store_t *store, corral_func_t *f,
                                           const corral_val_t *args, size_t nargs,
                                           corral_val_t *results, size_t nresults);

/* ---- memories, tables, globals ----------------------------------------------------- */

/* max_pages < 0 means no maximum. */
CORRAL_API corral_memory_t *corral_memory_new(corral_store_t *store, uint32_t min_pages,
                                              int64_t max_pages);
/* The same for a 64-bit memory (memory64), which only imports of a 64-bit memory match. Its
 * pages are capped by corral_config.max_memory_pages as any memory's. */
CORRAL_API corral_memory_t *corral_memory_new64(corral_store_t *store, uint64_t min_pages,
                                                int64_t max_pages);
CORRAL_API uint8_t *corral_memory_data(corral_memory_t *m);
CORRAL_API size_t corral_memory_size(const corral_memory_t *m); /* bytes */
/* Returns the old size in pages, or -1 when the grow is refused. */
CORRAL_API int64_t corral_memory_grow(corral_memory_t *m, uint32_t delta_pages);
/* Whether m is a 64-bit memory (memory64: i64 addresses). */
CORRAL_API bool corral_memory_is64(const corral_memory_t *m);

CORRAL_API corral_table_t *corral_table_new(corral_store_t *store, corral_valkind_t elem,
                                            uint32_t min, int64_t max, corral_val_t init);
/* The same for a 64-bit table (memory64), which only imports of a 64-bit table match. Its
 * size is capped by corral_config.max_table_elems as any table's. */
CORRAL_API corral_table_t *corral_table_new64(corral_store_t *store, corral_valkind_t elem,
                                              uint64_t min, int64_t max, corral_val_t init);
CORRAL_API bool corral_table_is64(const corral_table_t *t);
CORRAL_API uint32_t corral_table_size(const corral_table_t *t);
CORRAL_API bool corral_table_get(const corral_table_t *t, uint32_t i, corral_val_t *out);
CORRAL_API bool corral_table_set(corral_table_t *t, uint32_t i, corral_val_t v);

CORRAL_API corral_global_t *corral_global_new(corral_store_t *store, corral_valkind_t type,
                                              bool mutable_, corral_val_t init);
CORRAL_API corral_val_t corral_global_get(const corral_global_t *g);
/* Fails (false) for immutable globals or a value of the wrong kind. */
CORRAL_API bool corral_global_set(corral_global_t *g, corral_val_t v);

/* A new exception tag with type's params (its results must be empty; NULL otherwise or on
 * out of memory). Tags have identity: two tags of one type are different tags. */
CORRAL_API corral_tag_t *corral_tag_new(corral_store_t *store, const corral_functype_t *type);
CORRAL_API const corral_functype_t *corral_tag_type(const corral_tag_t *tag);

/* ---- instances --------------------------------------------------------------------- */

/* Instantiates module in store with imports in the module's import order. A link error
 * ("unknown import", "incompatible import type") returns an owned error; a trap during
 * initialisation or in the start function sets *out_trap (owned) and returns NULL error
 * with *out NULL. On success *out is the instance (owned by the store). */
CORRAL_API corral_error_t *corral_instance_new(corral_store_t *store, const corral_module_t *module,
                                               const corral_extern_t *imports, size_t nimports,
                                               corral_instance_t **out, corral_trap_t **out_trap);
/* Looks up an export by name; false when there is none. */
CORRAL_API bool corral_instance_export(corral_instance_t *inst, const char *name, size_t name_len,
                                       corral_extern_t *out);
/* The instance's memories by index (its module's memory index space, imports first), exported
 * or not: their count, and memory `index` or NULL past the count. */
CORRAL_API uint32_t corral_instance_memory_count(const corral_instance_t *inst);
CORRAL_API corral_memory_t *corral_instance_memory(corral_instance_t *inst, uint32_t index);

#ifdef __cplusplus
}
#endif
#endif
