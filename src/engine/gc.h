/* gc.h: garbage collection's objects (docs/design/gc.md): structs and arrays, i31 values and
 * boxes of host references, allocated from the store, with the operations the interpreter's
 * GC instructions call. A reference of GC's any hierarchy is a Cell:
 *   0                 null
 *   odd               an i31: the value in bits 1-31 (ref.i31 makes no object)
 *   otherwise         a GcObj*
 * An extern reference is the host's pointer, or a GcObj* that extern.convert_any gave out
 * (the store remembers those, so any.convert_extern gives the object back). */
#ifndef CORRAL_GC_H
#define CORRAL_GC_H

#include "runtime.h"

enum {
    GC_PLAIN = 0,   /* a struct or array of type `type` */
    GC_HOSTBOX = 1, /* a host reference seen as anyref (any.convert_extern): data[0] */
    GC_I31BOX = 2,  /* an i31 seen as externref (extern.convert_any): data[0] the i31 cell */
};

typedef struct GcObj {
    struct GcObj *next;   /* the store's objects */
    const FuncType *type; /* GC_PLAIN: its defined type (type->mod, type->idx name it) */
    uint32_t len;         /* an array's element count */
    uint8_t box;          /* GC_* */
    uint8_t esize;        /* an array's element bytes (1, 2, 4, 8, 16) */
    uint8_t mark;
    uint8_t pad;
    Cell data[];          /* a struct's fields (a cell each, v128 two); an array's elements,
                           * esize bytes each */
} GcObj;

static inline bool gc_is_i31(Cell c) { return c & 1; }
static inline Cell gc_i31(uint32_t v) { return (Cell)(v & 0x7fffffffu) << 1 | 1u; }
static inline GcObj *gc_obj(Cell c) { return (GcObj *)(uintptr_t)c; }

/* The cell a struct type's field i starts at. */
uint32_t gc_field_cell(const FuncType *t, uint32_t i);
/* The cells a struct of type t takes. */
uint32_t gc_struct_cells(const FuncType *t);
/* The byte size of an array element of storage type s. */
uint32_t gc_elem_size(ValType s);

/* The collector. Structures holding references register with the store when made (a
 * global, a table, an exception); a collection marks from them, the value stack's cells in
 * use, the host's roots and the objects' reference fields, then frees what it did not reach.
 * It runs only at safepoints: allocations made while s->gc_safepoint is set (the
 * interpreter's GC instructions). */
enum { GC_ROOT_GLOBAL, GC_ROOT_TABLE, GC_ROOT_EXN, GC_ROOT_ELEMS /* an Instance's elem_vals */ };
typedef struct GcRoot {
    uint8_t kind;
    void *p;
    size_t owned; /* the store's owned count just after p was made */
} GcRoot;
/* false on out of memory */
bool gc_register(Store *s, int kind, void *p);
/* Whether a global or table of type t (of module m, or NULL) may hold a GC reference. */
bool gc_holds_refs(const Module *m, ValType t);
/* Keeps module cm referenced until the store's objects are freed; false on OOM. */
bool gc_keep_module(Store *s, struct corral_module *cm);
/* Drops registrations of structures released by corral_store_reset_to(mark). */
void gc_forget_after(Store *s, size_t mark);
/* A collection now; returns the bytes freed. */
size_t gc_collect(Store *s);
/* The host's roots (corral_anyref_root): a multiset of cells; false on out of memory. */
bool gc_root_add(Store *s, Cell c);
void gc_root_remove(Store *s, Cell c);

/* Allocation: NULL when the store's GC heap limit would be passed or memory is short. */
GcObj *gc_alloc_struct(Store *s, const FuncType *t);
GcObj *gc_alloc_array(Store *s, const FuncType *t, uint32_t len);
/* Frees every object of the store (corral_store_reset, corral_store_delete). */
void gc_free_all(Store *s);

/* Instructions: a trap message, or NULL. */
const char *gc_struct_new(Instance *inst, uint32_t type, const Cell *args, Cell *dst);
const char *gc_struct_new_default(Instance *inst, uint32_t type, Cell *dst);
const char *gc_array_new(Instance *inst, uint32_t type, Cell init_lo, Cell init_hi, uint32_t n,
                         Cell *dst);
const char *gc_array_new_fixed(Instance *inst, uint32_t type, const Cell *args, uint32_t n,
                               Cell *dst);
const char *gc_array_new_data(Instance *inst, uint32_t type, uint32_t seg, uint32_t s,
                              uint32_t n, Cell *dst);
const char *gc_array_new_elem(Instance *inst, uint32_t type, uint32_t seg, uint32_t s,
                              uint32_t n, Cell *dst);
const char *gc_array_fill(Store *st, Cell arr, uint32_t d, const Cell *val, uint32_t n);
const char *gc_array_copy(Store *st, Cell dst, uint32_t d, Cell src, uint32_t s, uint32_t n);
const char *gc_array_init_data(Instance *inst, Cell arr, uint32_t seg, uint32_t d, uint32_t s,
                               uint32_t n);
const char *gc_array_init_elem(Instance *inst, Cell arr, uint32_t seg, uint32_t d, uint32_t s,
                               uint32_t n);
/* An array element into dst (v128: two cells); sign: sign-extend a packed one. */
void gc_array_load(const GcObj *o, uint32_t i, bool sign, Cell *dst);
void gc_array_store(GcObj *o, uint32_t i, const Cell *val);

/* Whether reference c is of heap type heap (a heap type word of module m) or, when
 * nullable, null. */
bool gc_ref_test(const Module *m, Cell c, uint32_t heap, bool nullable);
/* any.convert_extern and extern.convert_any; NULL on out of memory. */
const char *gc_internalize(Store *s, Cell ext, Cell *dst);
const char *gc_externalize(Store *s, Cell any, Cell *dst);

/* Constant expressions (instance.c): whether op is one of GC's constant instructions, and
 * runs one on the stack st[0..n) of one-cell values (a v128 element gets a zero high half):
 * the new height. An allocation past the heap limit gives null and sets s->gc_const_oom. */
bool gc_const_op(uint16_t op);
struct Instr;
uint32_t gc_const_eval(const Instance *inst, const struct Instr *in, Cell *st, uint32_t n);

/* The public API's view of an anyref cell: its heap type code (HT_I31, HT_STRUCT, HT_ARRAY,
 * HT_EXTERN for a host reference, 0 for null). */
uint32_t gc_ref_kind(Cell c);

#endif
