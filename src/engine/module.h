/* module.h: the decoded form of a WebAssembly module. Produced by decode.c, checked by
 * validate.c, then immutable but for `lowered`, which lower.c fills one function at a time on
 * first call (atomically): one Module may be instantiated many times, from many threads.
 * Index spaces (funcs, tables, memories, globals) list imports first. */
#ifndef CORRAL_MODULE_H
#define CORRAL_MODULE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value types by their binary codes. */
typedef uint8_t ValType;
enum {
    VT_I32 = 0x7f,
    VT_I64 = 0x7e,
    VT_F32 = 0x7d,
    VT_F64 = 0x7c,
    VT_V128 = 0x7b,
    VT_FUNCREF = 0x70,
    VT_EXTERNREF = 0x6f,
    VT_EXNREF = 0x69, /* exception handling: a caught exception (runtime.h's Exn) or null */
};

static inline bool valtype_is_ref(ValType t)
{
    return t == VT_FUNCREF || t == VT_EXTERNREF || t == VT_EXNREF;
}
static inline bool valtype_is_num(ValType t)
{
    return t == VT_I32 || t == VT_I64 || t == VT_F32 || t == VT_F64;
}
static inline bool valtype_is_vec(ValType t) { return t == VT_V128; }
/* The 64-bit cells a value of type t takes in frames (lower.h): 2 for v128, else 1. */
static inline uint32_t valtype_cells(ValType t) { return t == VT_V128 ? 2u : 1u; }
/* The cells of n values of types t[0..n). */
static inline uint32_t valtypes_cells(const ValType *t, uint32_t n)
{
    uint32_t c = n;
    for (uint32_t i = 0; i < n; i++)
        c += t[i] == VT_V128;
    return c;
}

/* A function signature: params then results in one array. Allocated with its types inline.
 * hash lets call_indirect compare signatures structurally in O(1) in the common case.
 * This is also the public corral_functype_t. */
typedef struct corral_functype {
    uint32_t nparams, nresults;
    uint32_t hash;
    ValType types[]; /* nparams + nresults */
} FuncType;

static inline const ValType *ft_params(const FuncType *t) { return t->types; }
static inline const ValType *ft_results(const FuncType *t) { return t->types + t->nparams; }
bool functype_equal(const FuncType *a, const FuncType *b);
uint32_t functype_hash(const ValType *types, uint32_t nparams, uint32_t nresults);

typedef struct Limits {
    uint64_t min, max; /* max valid only when has_max */
    bool has_max;
    bool is64;         /* memory64: an i64 address type (64-bit memory or table) */
    uint32_t off;      /* byte offset of the limits in the module (for error messages) */
} Limits;

typedef struct TableType {
    ValType elem; /* VT_FUNCREF or VT_EXTERNREF */
    Limits lim;
} TableType;

typedef struct MemType {
    Limits lim; /* in 64 KiB pages */
} MemType;

typedef struct GlobalType {
    ValType type;
    bool mut;
} GlobalType;

typedef enum {
    EXTERN_FUNC = 0,
    EXTERN_TABLE = 1,
    EXTERN_MEMORY = 2,
    EXTERN_GLOBAL = 3,
    EXTERN_TAG = 4, /* exception handling */
} ExternKind;

/* A name inside the module's bytes (not NUL-terminated). */
typedef struct Name {
    const char *ptr;
    uint32_t len;
} Name;

typedef struct Import {
    Name module, name;
    ExternKind kind;
    union {
        uint32_t func_type; /* type index */
        TableType table;
        MemType mem;
        GlobalType global;
        uint32_t tag_type; /* type index of the tag's (params-only) function type */
    } d;
} Import;

typedef struct Export {
    Name name;
    ExternKind kind;
    uint32_t index;
} Export;

/* A constant expression. The decoder records its byte range (the validator re-reads it
 * with the spec's algorithm) and, when it is one of the single-instruction forms of
 * WebAssembly 2.0, the decoded form the instantiator evaluates; an expression of several
 * instructions (WebAssembly 3.0's extended constant expressions) is run from its bytes. */
typedef enum {
    CONST_INVALID = 0, /* not a single supported instruction; validation rejects it */
    CONST_EXPR,        /* several instructions: const_eval runs them (validated first) */
    CONST_VALUE,       /* i32/i64/f32/f64.const: value holds the bits; v128.const: value
                        * and value_hi are its two cells (bytes 0-7 and 8-15 of its image) */
    CONST_GLOBAL_GET,  /* index = global */
    CONST_REF_NULL,    /* type = reftype */
    CONST_REF_FUNC,    /* index = function */
} ConstKind;

/* The deepest operand stack an extended constant expression may build (an implementation
 * limit: validation refuses deeper ones, so evaluation needs no allocation). */
#define CONST_MAX_DEPTH 256

typedef struct ConstExpr {
    uint8_t kind;   /* ConstKind */
    ValType type;   /* result type of CONST_VALUE / CONST_REF_NULL */
    uint32_t index;
    uint64_t value, value_hi;
    uint32_t start, end; /* byte range in Module.bytes, end excludes the final 0x0b */
} ConstExpr;

typedef struct Global {
    GlobalType type;
    ConstExpr init;
} Global;

typedef enum { SEG_ACTIVE = 0, SEG_PASSIVE = 1, SEG_DECLARATIVE = 2 } SegMode;

typedef struct ElemSeg {
    uint8_t mode; /* SegMode */
    ValType type; /* VT_FUNCREF or VT_EXTERNREF */
    uint32_t table;
    ConstExpr offset;   /* active only */
    uint32_t count;
    ConstExpr *items;   /* count items (funcidx vectors become CONST_REF_FUNC) */
} ElemSeg;

typedef struct DataSeg {
    uint8_t mode; /* SEG_ACTIVE or SEG_PASSIVE */
    uint32_t mem;
    ConstExpr offset;
    uint32_t start, len; /* bytes in Module.bytes */
} DataSeg;

/* Run-length local declarations as in the binary. */
typedef struct LocalDecl {
    uint32_t count;
    ValType type;
} LocalDecl;

struct LoweredFunc; /* lower.h */

/* The body of a defined function. */
typedef struct Code {
    uint32_t nlocals;        /* declared locals, excluding params */
    uint32_t ndecls;
    LocalDecl *decls;
    uint32_t body_start;     /* first instruction, offset in Module.bytes */
    uint32_t body_end;       /* one past the final `end` */
    uint32_t size_off;       /* offset of the body's size field (for error messages) */
} Code;

typedef struct CustomSection {
    Name name;
    uint32_t start, len; /* payload in Module.bytes */
} CustomSection;

typedef struct Module {
    const uint8_t *bytes; /* the binary; Names and ranges point into it */
    uint32_t features;    /* CORRAL_FEATURE_* the module was decoded and validated with */
    /* CORRAL_FEATURE_* the module uses (set by the decoder and the validator, which may run on
     * several threads: module_uses); the compiled tier declines features it lacks. */
    _Atomic uint32_t features_used;
    size_t bytes_len;
    /* How the bytes are let go when the module is freed: a copy of decode_module's is freed;
     * adopted bytes (DECODE_ADOPT) go to release(release_arg, bytes, len) unless it is NULL. */
    bool bytes_copied;
    void (*release)(void *arg, const uint8_t *bytes, size_t len);
    void *release_arg;

    uint32_t ntypes;
    FuncType **types;

    uint32_t nimports;
    Import *imports;

    /* Index spaces, imports first. func_types[i] is a type index. */
    uint32_t nfuncs, nfunc_imports;
    uint32_t *func_types;
    uint32_t ntables, ntable_imports;
    TableType *tables;
    uint32_t nmems, nmem_imports;
    MemType *mems;
    uint32_t nglobals, nglobal_imports;
    Global *globals; /* init is meaningful only for defined globals */
    uint32_t ntags, ntag_imports;
    uint32_t *tag_types; /* type index of each tag (exception handling) */

    uint32_t nexports;
    Export *exports;

    bool has_start;
    uint32_t start;

    uint32_t nelems;
    ElemSeg *elems;

    bool has_datacount;
    uint32_t datacount;
    uint32_t ndatas;
    DataSeg *datas;

    uint32_t ncodes; /* == nfuncs - nfunc_imports after decoding */
    Code *codes;

    uint32_t ncustoms;
    CustomSection *customs;

    /* Filled by lower.c: one per defined function, NULL until the function is first called
     * (lower_get); set once, with release order, and never changed after. */
    _Atomic(struct LoweredFunc *) *lowered;
} Module;

/* Records that m uses feature (a CORRAL_FEATURE_* bit). features_used is the one field the
 * validator, which sees the module as const, writes. */
static inline void module_uses(const Module *m, uint32_t feature)
{
    _Atomic uint32_t *used = (_Atomic uint32_t *)&m->features_used;
    if (!(atomic_load_explicit(used, memory_order_relaxed) & feature))
        atomic_fetch_or_explicit(used, feature, memory_order_relaxed);
}

/* Limits the decoder enforces before allocating (from corral_config_t). */
typedef struct DecodeLimits {
    uint32_t max_locals;      /* per function, params included */
    uint32_t max_funcs;
    uint32_t max_table_elems; /* declared table minimum */
    uint32_t max_segments;
    uint32_t threads;         /* for function bodies: 0 = one per CPU (at most 8), 1 = none */
    uint32_t features_off;    /* CORRAL_FEATURE_* switched off (0: every feature on) */
} DecodeLimits;

/* Error with the spec's phrase and a byte offset. msg is a static string or err_buf. */
typedef struct DecodeError {
    const char *msg;
    size_t offset;
    uint32_t func; /* function index for body errors, UINT32_MAX otherwise */
    char buf[160];
} DecodeError;

/* decode_module flags. */
enum {
    DECODE_VALIDATE = 1, /* also validate (validate.h), as the sections are read */
    DECODE_ADOPT = 2,    /* use the bytes in place instead of copying them: the caller keeps
                          * them alive and unchanged while the module lives, and sets
                          * release/release_arg on the module to be told when it is freed */
};

/* decode.c: parses bytes (copied, or adopted with DECODE_ADOPT) into a fresh Module, decoding every function body as the
 * code section is read (and validating everything with DECODE_VALIDATE). Returns 0, or 1 with
 * err filled; the first malformation wins over any validation error. */
int decode_module(const uint8_t *bytes, size_t len, const DecodeLimits *lim, unsigned flags,
                  Module **out, DecodeError *err) __attribute__((warn_unused_result));
void module_free(Module *m);


#endif
