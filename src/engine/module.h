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

/* Value types (docs/design/loading.md, section 7): one 32-bit word.
 *   bits 0-7   code: a number or vector type's binary code (0x7f i32 ... 0x7b v128); for a
 *              reference type its heap type: an abstract heap type's binary code (0x70 func,
 *              0x6f extern, 0x69 exn, 0x73 nofunc ...) or VT_CONCRETE (a type index)
 *   bit 8      VT_NONNULL: a reference type without null ((ref ht) rather than (ref null ht))
 *   bits 9-31  the type index of a VT_CONCRETE heap type
 * So the 2.0 types keep their one-byte codes as values (funcref = (ref null func) = 0x70), and
 * two types are equal exactly when their words are (concrete indices are canonical after
 * decoding: Module.canon). */
typedef uint32_t ValType;
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

/* Heap types: the abstract ones by their binary codes (a value type's low byte). */
enum {
    HT_FUNC = 0x70,
    HT_EXTERN = 0x6f,
    HT_EXN = 0x69,
    HT_NOFUNC = 0x73,
    HT_NOEXTERN = 0x72,
    HT_NOEXN = 0x74,
    /* garbage collection's hierarchy (decoded once GC is implemented) */
    HT_ANY = 0x6e,
    HT_EQ = 0x6d,
    HT_I31 = 0x6c,
    HT_STRUCT = 0x6b,
    HT_ARRAY = 0x6a,
    HT_NONE = 0x71,
    VT_CONCRETE = 0x01, /* code of a reference to a defined type: the index is in bits 9-31 */
};
#define VT_NONNULL 0x100u
#define VT_MAX_TYPE_INDEX ((1u << 23) - 1)

static inline uint32_t vt_code(ValType t) { return t & 0xff; }
static inline bool heap_is_abstract(uint32_t code) { return code >= 0x69 && code <= 0x74; }
static inline bool valtype_is_ref(ValType t)
{
    uint32_t c = t & 0xff;
    return (c >= 0x69 && c <= 0x74) || c == VT_CONCRETE;
}
static inline bool valtype_is_num(ValType t)
{
    return t == VT_I32 || t == VT_I64 || t == VT_F32 || t == VT_F64;
}
static inline bool valtype_is_vec(ValType t) { return t == VT_V128; }
static inline bool valtype_nullable(ValType t) { return !(t & VT_NONNULL); }
/* The reference type (ref null? ht) of a heap type word (code | index << 9). */
static inline ValType vt_ref(bool nullable, uint32_t heap)
{
    return heap | (nullable ? 0 : VT_NONNULL);
}
static inline ValType vt_concrete(uint32_t typeidx, bool nullable)
{
    return VT_CONCRETE | typeidx << 9 | (nullable ? 0 : VT_NONNULL);
}
static inline bool vt_is_concrete(ValType t) { return (t & 0xff) == VT_CONCRETE; }
static inline uint32_t vt_index(ValType t) { return t >> 9; }
/* The heap type of a reference type (the word without the nullability bit). */
static inline uint32_t vt_heap(ValType t) { return t & ~VT_NONNULL; }
/* Whether values of type t have a default (zero/null) value: every type but (ref ht). */
static inline bool valtype_defaultable(ValType t) { return !(t & VT_NONNULL); }
/* The public value kind (corral_valkind_t) of type t: a reference type's hierarchy top
 * (funcref for func, nofunc and defined function types; externref; exnref), else t. */
static inline ValType valtype_kind(ValType t)
{
    if (!valtype_is_ref(t))
        return t;
    switch (t & 0xff) {
    case VT_CONCRETE:
    case HT_FUNC:
    case HT_NOFUNC: return VT_FUNCREF;
    case HT_EXTERN:
    case HT_NOEXTERN: return VT_EXTERNREF;
    case HT_EXN:
    case HT_NOEXN: return VT_EXNREF;
    default: return HT_ANY; /* garbage collection's hierarchy */
    }
}
struct Module;
/* valtype_kind knowing t's module (NULL: a function type): struct and array types are in
 * GC's any hierarchy (types.c). */
ValType valtype_kind_m(const struct Module *m, ValType t);
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

struct Module;

/* A function signature: params then results in one array. Allocated with its types inline.
 * hash lets call_indirect compare signatures in O(1) in the common case: for a plain type
 * (final, alone in its rec group, no concrete reference: every host type and every 2.0 type)
 * a hash of its words, compared structurally; for the others a hash of its equivalence class
 * that does not depend on the module, compared through their modules (functype_equal).
 * This is also the public corral_functype_t. */
typedef struct corral_functype {
    uint32_t nparams, nresults;
    uint32_t hash;
    bool plain;
    uint32_t idx;              /* !plain: the type's index in mod */
    uint8_t kind;              /* DT_FUNC, or GC's DT_STRUCT / DT_ARRAY (below) */
    const struct Module *mod;  /* !plain: the module that defines it */
    ValType types[]; /* nparams + nresults */
} FuncType;

/* A defined type's kind. A struct or array type is a FuncType too: nparams = its field
 * count (1 for an array), types[0..n) the fields' storage types (a value type, or the packed
 * ST_I8 / ST_I16), types[n..2n) their mutability (FIELD_CONST / FIELD_VAR; nresults = n). */
enum { DT_FUNC = 0, DT_STRUCT = 1, DT_ARRAY = 2 };
#define ST_I8 0x78u
#define ST_I16 0x77u
#define FIELD_CONST 0xa0u
#define FIELD_VAR 0xa1u
static inline bool field_mutable(const struct corral_functype *t, uint32_t i);
/* The value type a field of storage type s is read as (i32 for packed). */
static inline ValType storage_unpacked(ValType s) { return s == ST_I8 || s == ST_I16 ? VT_I32 : s; }

/* The bytes of a FuncType with np params and nr results. */
static inline size_t functype_size(uint32_t np, uint32_t nr)
{
    return sizeof(FuncType) + ((size_t)np + nr) * sizeof(ValType);
}
static inline const ValType *ft_params(const FuncType *t) { return t->types; }
static inline bool field_mutable(const FuncType *t, uint32_t i)
{
    return t->types[t->nparams + i] == FIELD_VAR;
}
static inline const ValType *ft_results(const FuncType *t) { return t->types + t->nparams; }
/* Whether two function types are the same (iso-recursive equivalence, across modules too). */
bool functype_equal(const FuncType *a, const FuncType *b);
/* Whether a is b or a declared subtype of it (slow: after functype_equal said no). */
bool functype_sub(const FuncType *a, const FuncType *b);
uint32_t functype_hash(const ValType *types, uint32_t nparams, uint32_t nresults);

/* A defined type's recursion group and declared supertype (GC's rec and sub forms, of
 * function types; a plain function type is a final type alone in its group). */
#define NO_SUPER UINT32_MAX
typedef struct TypeInfo {
    uint32_t group, group_len; /* its rec group: first type index and size */
    uint32_t super;            /* declared supertype (canonical), or NO_SUPER */
    uint32_t super_raw;        /* as decoded (the validator checks it names an earlier type) */
    uint32_t nsupers;          /* as declared (at most one is valid) */
    bool final;
} TypeInfo;

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
    /* canon[i]: the first type index equivalent to type i (iso-recursive equivalence; a
     * type is its own rec group until GC's rec groups are decoded). Every concrete heap type
     * in the module's value types is stored canonical, so equal types have equal words;
     * instruction immediates are mapped through canon by the validator. */
    uint32_t *canon;
    TypeInfo *tinfo; /* per type */
    uint32_t ncanon; /* types canonicalized so far (the decoder's progress) */
    /* ref_singles[2i], [2i + 1]: (ref null $i) and (ref $i), canonical: stable one-element
     * arrays for block types of one reference result (validate.h's blocktype_sig). */
    ValType *ref_singles;

    uint32_t nimports;
    Import *imports;

    /* Index spaces, imports first. func_types[i] is a type index. */
    uint32_t nfuncs, nfunc_imports;
    uint32_t *func_types;
    uint32_t ntables, ntable_imports;
    TableType *tables;
    /* Per defined table (index - ntable_imports): its initializer expression (typed function
     * references' 0x40 0x00 form), or all zero (start == 0) for none: null elements. */
    ConstExpr *table_inits;
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

/* Subtyping and equality of value types in module m (types.c): a <: b. Both words canonical. */
bool heap_sub(const Module *m, uint32_t a, uint32_t b);
bool valtype_sub(const Module *m, ValType a, ValType b);
/* a of module ma <: b of module mb (import matching; a NULL module: the host's, whose types
 * name no defined type). Concrete types of two modules compare through functype_sub. */
bool valtype_sub_x(const struct Module *ma, ValType a, const struct Module *mb, ValType b);
/* Writes "(ref null $3)", "funcref", "i32" ... into buf; returns buf. */
const char *valtype_str(ValType t, char *buf, size_t cap);

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
