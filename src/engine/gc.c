/* gc.c: garbage collection's objects (gc.h, docs/design/gc.md). Objects are allocated one by
 * one and listed in their store, which frees them all when it is reset or deleted; the store's
 * limit on their bytes makes an allocation past it trap "out of memory". */
#include "gc.h"

#include "instr.h"
#include "numeric.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The default limit on a store's GC heap (bytes of objects and their headers). */
#define GC_DEFAULT_LIMIT ((size_t)512 << 20)

static const char OOM[] = "out of memory";
static const char OOB_ARRAY[] = "out of bounds array access";

uint32_t gc_field_cell(const FuncType *t, uint32_t i)
{
    uint32_t c = 0;
    for (uint32_t k = 0; k < i; k++)
        c += valtype_cells(t->types[k]);
    return c;
}

uint32_t gc_struct_cells(const FuncType *t) { return gc_field_cell(t, t->nparams); }

uint32_t gc_elem_size(ValType s)
{
    switch (s) {
    case ST_I8: return 1;
    case ST_I16: return 2;
    case VT_I32:
    case VT_F32: return 4;
    case VT_V128: return 16;
    default: return 8;
    }
}

/* ---- the set of object addresses (open addressing, rebuilt after each sweep) ---- */

static size_t set_slot(Cell c, size_t cap)
{
    uint64_t h = c * 0x9e3779b97f4a7c15u;
    return (size_t)(h >> 20) & (cap - 1);
}

static bool set_has(const Store *s, Cell c)
{
    if (!s->gc_set_cap || !c || (c & 7))
        return false;
    for (size_t i = set_slot(c, s->gc_set_cap);; i = (i + 1) & (s->gc_set_cap - 1)) {
        if (s->gc_set[i] == c)
            return true;
        if (!s->gc_set[i])
            return false;
    }
}

static void set_put(Cell *set, size_t cap, Cell c)
{
    size_t i = set_slot(c, cap);
    while (set[i])
        i = (i + 1) & (cap - 1);
    set[i] = c;
}

/* Makes room for one more address; false on out of memory. */
static bool set_reserve(Store *s)
{
    if (2 * (s->gc_set_n + 1) <= s->gc_set_cap)
        return true;
    size_t cap = s->gc_set_cap ? 2 * s->gc_set_cap : 1024;
    Cell *n = calloc(cap, sizeof *n);
    if (!n)
        return false;
    for (size_t i = 0; i < s->gc_set_cap; i++)
        if (s->gc_set[i])
            set_put(n, cap, s->gc_set[i]);
    free(s->gc_set);
    s->gc_set = n;
    s->gc_set_cap = cap;
    return true;
}

/* A stress build (-DCORRAL_GC_STRESS, `make gc-stress`) collects at every allocation made at
 * a safepoint, so that every stack map in a test run is used and a missing root shows as a use
 * after free under ASan. */
#ifdef CORRAL_GC_STRESS
#define GC_STRESS true
#else
#define GC_STRESS false
#endif

/* The least allocation volume between two collections. */
#define GC_MIN_TRIGGER ((size_t)1 << 20)

static size_t heap_limit(const Store *s)
{
    if (s->gc_limit)
        return s->gc_limit;
    uint64_t cfg = s->engine ? s->engine->cfg.max_gc_heap_bytes : 0;
    return cfg && cfg < SIZE_MAX ? (size_t)cfg : GC_DEFAULT_LIMIT;
}

static GcObj *alloc(Store *s, size_t data)
{
    size_t limit = heap_limit(s);
    size_t size = sizeof(GcObj) + data;
    if (data > limit)
        return NULL;
    size_t trigger = s->gc_trigger ? s->gc_trigger : GC_MIN_TRIGGER;
    /* not while compiled code runs below (its frames are not scanned: a non-GC module's
     * externref may hold an externalized object) */
    if (s->gc_safepoint && s->native_nest == 0 &&
        (GC_STRESS || s->gc_since > trigger || s->gc_bytes > limit - size))
        gc_collect(s);
    if (s->gc_bytes > limit - size || !set_reserve(s))
        return NULL;
    GcObj *o = calloc(1, size);
    if (!o)
        return NULL;
    s->gc_bytes += size;
    s->gc_since += size;
    o->next = s->gc_objects;
    s->gc_objects = o;
    set_put(s->gc_set, s->gc_set_cap, (Cell)(uintptr_t)o);
    s->gc_set_n++;
    return o;
}

GcObj *gc_alloc_struct(Store *s, const FuncType *t)
{
    GcObj *o = alloc(s, (size_t)gc_struct_cells(t) * sizeof(Cell));
    if (o)
        o->type = t;
    return o;
}

GcObj *gc_alloc_array(Store *s, const FuncType *t, uint32_t len)
{
    uint32_t es = gc_elem_size(t->types[0]);
    GcObj *o = alloc(s, ((size_t)len * es + 7) & ~(size_t)7);
    if (o) {
        o->type = t;
        o->len = len;
        o->esize = (uint8_t)es;
    }
    return o;
}

void gc_free_all(Store *s)
{
    for (GcObj *o = s->gc_objects, *next; o; o = next) {
        next = o->next;
        free(o);
    }
    s->gc_objects = NULL;
    s->gc_bytes = 0;
    free(s->gc_ext);
    s->gc_ext = NULL;
    s->gc_ext_n = s->gc_ext_cap = 0;
    free(s->gc_set);
    s->gc_set = NULL;
    s->gc_set_n = s->gc_set_cap = 0;
    free(s->gc_roots);
    s->gc_roots = NULL;
    s->gc_nroots = s->gc_roots_cap = 0;
    free(s->gc_host);
    s->gc_host = NULL;
    s->gc_nhost = s->gc_host_cap = 0;
    s->gc_since = s->gc_trigger = 0;
    for (size_t i = 0; i < s->gc_nmods; i++) /* after the objects, whose types they hold */
        module_release(s->gc_mods[i]);
    free(s->gc_mods);
    s->gc_mods = NULL;
    s->gc_nmods = s->gc_mods_cap = 0;
}

bool gc_keep_module(Store *s, struct corral_module *cm)
{
    for (size_t i = 0; i < s->gc_nmods; i++)
        if (s->gc_mods[i] == cm)
            return true;
    if (s->gc_nmods == s->gc_mods_cap) {
        size_t cap = s->gc_mods_cap ? 2 * s->gc_mods_cap : 4;
        struct corral_module **n = realloc(s->gc_mods, cap * sizeof *n);
        if (!n)
            return false;
        s->gc_mods = n;
        s->gc_mods_cap = cap;
    }
    module_retain(cm);
    s->gc_mods[s->gc_nmods++] = cm;
    return true;
}

/* A value of storage type st as a field holds it: packed ones truncated. */
static Cell pack(ValType st, Cell v)
{
    return st == ST_I8 ? (uint8_t)v : st == ST_I16 ? (uint16_t)v : v;
}

static const FuncType *deftype(const Instance *inst, uint32_t type)
{
    return inst->module->types[type];
}

const char *gc_struct_new(Instance *inst, uint32_t type, const Cell *args, Cell *dst)
{
    const FuncType *t = deftype(inst, type);
    GcObj *o = gc_alloc_struct(inst->store, t);
    if (!o)
        return OOM;
    uint32_t c = 0;
    for (uint32_t i = 0; i < t->nparams; i++) {
        o->data[c] = pack(t->types[i], args[c]);
        if (t->types[i] == VT_V128)
            o->data[c + 1] = args[c + 1];
        c += valtype_cells(t->types[i]);
    }
    *dst = (Cell)(uintptr_t)o;
    return NULL;
}

const char *gc_struct_new_default(Instance *inst, uint32_t type, Cell *dst)
{
    GcObj *o = gc_alloc_struct(inst->store, deftype(inst, type));
    if (!o)
        return OOM;
    *dst = (Cell)(uintptr_t)o;
    return NULL;
}

void gc_array_load(const GcObj *o, uint32_t i, bool sign, Cell *dst)
{
    const uint8_t *p = (const uint8_t *)o->data + (size_t)i * o->esize;
    switch (o->esize) {
    case 1: *dst = sign ? (uint32_t)(int32_t)(int8_t)ld_u8(p) : ld_u8(p); break;
    case 2: *dst = sign ? (uint32_t)(int32_t)(int16_t)ld_u16(p) : ld_u16(p); break;
    case 4: *dst = ld_u32(p); break;
    case 8: *dst = ld_u64(p); break;
    default:
        dst[0] = ld_u64(p);
        dst[1] = ld_u64(p + 8);
        break;
    }
}

void gc_array_store(GcObj *o, uint32_t i, const Cell *val)
{
    uint8_t *p = (uint8_t *)o->data + (size_t)i * o->esize;
    switch (o->esize) {
    case 1: st_u8(p, (uint8_t)val[0]); break;
    case 2: st_u16(p, (uint16_t)val[0]); break;
    case 4: st_u32(p, (uint32_t)val[0]); break;
    case 8: st_u64(p, val[0]); break;
    default:
        st_u64(p, val[0]);
        st_u64(p + 8, val[1]);
        break;
    }
}

static const char *new_array(Instance *inst, uint32_t type, uint32_t n, GcObj **out)
{
    *out = gc_alloc_array(inst->store, deftype(inst, type), n);
    return *out ? NULL : OOM;
}

const char *gc_array_new(Instance *inst, uint32_t type, Cell init_lo, Cell init_hi, uint32_t n,
                         Cell *dst)
{
    GcObj *o;
    const char *why = new_array(inst, type, n, &o);
    if (why)
        return why;
    Cell v[2] = {init_lo, init_hi};
    if (init_lo || init_hi)
        for (uint32_t i = 0; i < n; i++)
            gc_array_store(o, i, v);
    *dst = (Cell)(uintptr_t)o;
    return NULL;
}

const char *gc_array_new_fixed(Instance *inst, uint32_t type, const Cell *args, uint32_t n,
                               Cell *dst)
{
    GcObj *o;
    const char *why = new_array(inst, type, n, &o);
    if (why)
        return why;
    uint32_t step = o->esize == 16 ? 2 : 1;
    for (uint32_t i = 0; i < n; i++)
        gc_array_store(o, i, args + (size_t)i * step);
    *dst = (Cell)(uintptr_t)o;
    return NULL;
}

/* Whether [s, s + n) lies within [0, len). */
static bool in_range(uint32_t s, uint32_t n, uint64_t len) { return (uint64_t)s + n <= len; }

const char *gc_array_new_data(Instance *inst, uint32_t type, uint32_t seg, uint32_t s,
                              uint32_t n, Cell *dst)
{
    uint32_t es = gc_elem_size(deftype(inst, type)->types[0]);
    if (!in_range(s, 0, inst->data_len[seg]) ||
        (uint64_t)s + (uint64_t)n * es > inst->data_len[seg])
        return "out of bounds memory access";
    GcObj *o;
    const char *why = new_array(inst, type, n, &o);
    if (why)
        return why;
    if (n)
        memcpy(o->data, inst->module->bytes + inst->module->datas[seg].start + s,
               (size_t)n * es);
    *dst = (Cell)(uintptr_t)o;
    return NULL;
}

const char *gc_array_new_elem(Instance *inst, uint32_t type, uint32_t seg, uint32_t s,
                              uint32_t n, Cell *dst)
{
    if (!in_range(s, n, inst->elem_len[seg]))
        return "out of bounds table access";
    GcObj *o;
    const char *why = new_array(inst, type, n, &o);
    if (why)
        return why;
    for (uint32_t i = 0; i < n; i++) {
        Cell v[2] = {elem_item(inst, seg, s + i), 0};
        gc_array_store(o, i, v);
    }
    *dst = (Cell)(uintptr_t)o;
    return NULL;
}

const char *gc_array_fill(Store *st, Cell arr, uint32_t d, const Cell *val, uint32_t n)
{
    (void)st;
    if (!arr)
        return "null array reference";
    GcObj *o = gc_obj(arr);
    if (!in_range(d, n, o->len))
        return OOB_ARRAY;
    for (uint32_t i = 0; i < n; i++)
        gc_array_store(o, d + i, val);
    return NULL;
}

const char *gc_array_copy(Store *st, Cell dst, uint32_t d, Cell src, uint32_t s, uint32_t n)
{
    (void)st;
    if (!dst || !src)
        return "null array reference";
    GcObj *a = gc_obj(dst), *b = gc_obj(src);
    if (!in_range(d, n, a->len) || !in_range(s, n, b->len))
        return OOB_ARRAY;
    if (n)
        memmove((uint8_t *)a->data + (size_t)d * a->esize,
                (const uint8_t *)b->data + (size_t)s * b->esize, (size_t)n * a->esize);
    return NULL;
}

const char *gc_array_init_data(Instance *inst, Cell arr, uint32_t seg, uint32_t d, uint32_t s,
                               uint32_t n)
{
    if (!arr)
        return "null array reference";
    GcObj *o = gc_obj(arr);
    if (!in_range(d, n, o->len))
        return OOB_ARRAY;
    if ((uint64_t)s + (uint64_t)n * o->esize > inst->data_len[seg])
        return "out of bounds memory access";
    if (n)
        memcpy((uint8_t *)o->data + (size_t)d * o->esize,
               inst->module->bytes + inst->module->datas[seg].start + s, (size_t)n * o->esize);
    return NULL;
}

const char *gc_array_init_elem(Instance *inst, Cell arr, uint32_t seg, uint32_t d, uint32_t s,
                               uint32_t n)
{
    if (!arr)
        return "null array reference";
    GcObj *o = gc_obj(arr);
    if (!in_range(d, n, o->len))
        return OOB_ARRAY;
    if (!in_range(s, n, inst->elem_len[seg]))
        return "out of bounds table access";
    for (uint32_t i = 0; i < n; i++) {
        Cell v[2] = {elem_item(inst, seg, s + i), 0};
        gc_array_store(o, d + i, v);
    }
    return NULL;
}

/* ---- casts ---- */

/* Whether defined type t (of its module) is heap type `heap` of module m or a subtype. */
static bool deftype_sub(const FuncType *t, const Module *m, uint32_t heap)
{
    if (!vt_is_concrete(heap)) {
        switch (vt_code(heap)) {
        case HT_ANY:
        case HT_EQ: return t->kind != DT_FUNC;
        case HT_STRUCT: return t->kind == DT_STRUCT;
        case HT_ARRAY: return t->kind == DT_ARRAY;
        case HT_FUNC: return t->kind == DT_FUNC;
        default: return false;
        }
    }
    if (vt_index(heap) >= m->ntypes)
        return false;
    if (t->mod == m && t->idx < m->ntypes)
        return heap_sub(m, VT_CONCRETE | m->canon[t->idx] << 9, heap);
    return functype_sub(t, m->types[vt_index(heap)]);
}

bool gc_ref_test(const Module *m, Cell c, uint32_t heap, bool nullable)
{
    if (!c)
        return nullable;
    uint32_t code = vt_code(heap);
    /* the hierarchy: the target's */
    bool func = code == HT_FUNC || code == HT_NOFUNC ||
                (vt_is_concrete(heap) && vt_index(heap) < m->ntypes &&
                 m->types[vt_index(heap)]->kind == DT_FUNC);
    if (func) {
        const Func *f = (const Func *)(uintptr_t)c;
        if (code == HT_FUNC)
            return true;
        if (code == HT_NOFUNC)
            return false;
        return functype_equal(f->type, m->types[vt_index(heap)]) ||
               functype_sub(f->type, m->types[vt_index(heap)]);
    }
    if (code == HT_EXTERN)
        return true;
    if (code == HT_NOEXTERN || code == HT_NONE || code == HT_NOEXN)
        return false;
    if (code == HT_EXN)
        return true;
    if (gc_is_i31(c))
        return code == HT_ANY || code == HT_EQ || code == HT_I31;
    const GcObj *o = gc_obj(c);
    if (o->box == GC_HOSTBOX)
        return code == HT_ANY;
    if (code == HT_I31)
        return false;
    return deftype_sub(o->type, m, heap);
}

uint32_t gc_ref_kind(Cell c)
{
    if (!c)
        return 0;
    if (gc_is_i31(c))
        return HT_I31;
    const GcObj *o = gc_obj(c);
    if (o->box == GC_HOSTBOX)
        return HT_EXTERN;
    return o->type->kind == DT_ARRAY ? HT_ARRAY : HT_STRUCT;
}

/* ---- extern.convert_any and any.convert_extern ---- */

static size_t ext_slot(const Store *s, Cell c)
{
    uint64_t h = c * 0x9e3779b97f4a7c15u;
    return (size_t)(h >> 17) & (s->gc_ext_cap - 1);
}

static bool ext_has(const Store *s, Cell c)
{
    if (!s->gc_ext_cap)
        return false;
    for (size_t i = ext_slot(s, c);; i = (i + 1) & (s->gc_ext_cap - 1)) {
        if (s->gc_ext[i] == c)
            return true;
        if (!s->gc_ext[i])
            return false;
    }
}

static bool ext_add(Store *s, Cell c)
{
    if (ext_has(s, c))
        return true;
    if (2 * (s->gc_ext_n + 1) > s->gc_ext_cap) {
        size_t cap = s->gc_ext_cap ? 2 * s->gc_ext_cap : 64;
        Cell *old = s->gc_ext, *n = calloc(cap, sizeof *n);
        if (!n)
            return false;
        size_t oldcap = s->gc_ext_cap;
        s->gc_ext = n;
        s->gc_ext_cap = cap;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i]) {
                size_t k = ext_slot(s, old[i]);
                while (n[k])
                    k = (k + 1) & (cap - 1);
                n[k] = old[i];
            }
        free(old);
    }
    size_t k = ext_slot(s, c);
    while (s->gc_ext[k])
        k = (k + 1) & (s->gc_ext_cap - 1);
    s->gc_ext[k] = c;
    s->gc_ext_n++;
    return true;
}

const char *gc_externalize(Store *s, Cell any, Cell *dst)
{
    if (!any) {
        *dst = 0;
        return NULL;
    }
    if (gc_is_i31(any)) {
        GcObj *o = alloc(s, sizeof(Cell));
        if (!o)
            return OOM;
        o->box = GC_I31BOX;
        o->data[0] = any;
        any = (Cell)(uintptr_t)o;
    } else if (gc_obj(any)->box == GC_HOSTBOX) {
        *dst = gc_obj(any)->data[0];
        return NULL;
    }
    if (!ext_add(s, any))
        return OOM;
    *dst = any;
    return NULL;
}

const char *gc_internalize(Store *s, Cell ext, Cell *dst)
{
    if (!ext) {
        *dst = 0;
        return NULL;
    }
    if (ext_has(s, ext)) {
        const GcObj *o = gc_obj(ext);
        *dst = o->box == GC_I31BOX ? o->data[0] : ext;
        return NULL;
    }
    GcObj *o = alloc(s, sizeof(Cell));
    if (!o)
        return OOM;
    o->box = GC_HOSTBOX;
    o->data[0] = ext;
    *dst = (Cell)(uintptr_t)o;
    return NULL;
}

/* ---- constant expressions ---- */

bool gc_const_op(uint16_t op)
{
    switch (op) {
    case OP_STRUCT_NEW:
    case OP_STRUCT_NEW_DEFAULT:
    case OP_ARRAY_NEW:
    case OP_ARRAY_NEW_DEFAULT:
    case OP_ARRAY_NEW_FIXED:
    case OP_REF_I31:
    case OP_ANY_CONVERT_EXTERN:
    case OP_EXTERN_CONVERT_ANY: return true;
    default: return false;
    }
}

uint32_t gc_const_eval(const Instance *inst, const Instr *in, Cell *st, uint32_t n)
{
    Store *s = inst->store;
    const Module *m = inst->module;
    Cell r = 0;
    uint32_t nin = 0;
    const FuncType *t = in->a < m->ntypes ? m->types[in->a] : NULL;
    switch (in->op) {
    case OP_REF_I31:
        nin = 1;
        if (n >= 1)
            r = gc_i31((uint32_t)st[n - 1]);
        break;
    case OP_ANY_CONVERT_EXTERN:
    case OP_EXTERN_CONVERT_ANY:
        nin = 1;
        if (n >= 1 && (in->op == OP_ANY_CONVERT_EXTERN ? gc_internalize(s, st[n - 1], &r)
                                                       : gc_externalize(s, st[n - 1], &r)))
            r = 0;
        break;
    case OP_STRUCT_NEW:
    case OP_STRUCT_NEW_DEFAULT: {
        /* the fields' values: a cell each, a v128 two (instance.c's eval_expr) */
        nin = in->op == OP_STRUCT_NEW && t ? gc_struct_cells(t) : 0;
        GcObj *o = t && n >= nin ? gc_alloc_struct(s, t) : NULL;
        for (uint32_t i = 0, c = 0; o && in->op == OP_STRUCT_NEW && i < t->nparams;
             c += valtype_cells(t->types[i]), i++) {
            o->data[c] = pack(t->types[i], st[n - nin + c]);
            if (t->types[i] == VT_V128)
                o->data[c + 1] = st[n - nin + c + 1];
        }
        r = (Cell)(uintptr_t)o;
        break;
    }
    default: { /* array.new, array.new_default, array.new_fixed */
        uint32_t len, w = t && t->types[0] == VT_V128 ? 2 : 1;
        Cell fill[2] = {0, 0};
        if (in->op == OP_ARRAY_NEW_FIXED) {
            nin = in->b * w;
            len = in->b;
        } else {
            nin = in->op == OP_ARRAY_NEW ? 1 + w : 1;
            len = n >= 1 ? (uint32_t)st[n - 1] : 0;
            if (in->op == OP_ARRAY_NEW && n >= 1 + w) {
                fill[0] = st[n - 1 - w];
                fill[1] = w == 2 ? st[n - 2] : 0;
            }
        }
        GcObj *o = t && n >= nin ? gc_alloc_array(s, t, len) : NULL;
        for (uint32_t i = 0; o && i < len; i++)
            gc_array_store(o, i, in->op == OP_ARRAY_NEW_FIXED ? st + (n - nin) + (size_t)i * w
                                                              : fill);
        r = (Cell)(uintptr_t)o;
        break;
    }
    }
    if (!r && in->op != OP_ANY_CONVERT_EXTERN && in->op != OP_EXTERN_CONVERT_ANY)
        s->gc_const_oom = true; /* past the heap limit: instantiation traps */
    if (nin > n)
        nin = n;
    n -= nin;
    st[n++] = r; /* n < CONST_MAX_DEPTH: validated */
    return n;
}

/* ---- the collector ---- */

bool gc_register(Store *s, int kind, void *p)
{
    if (s->gc_nroots == s->gc_roots_cap) {
        size_t cap = s->gc_roots_cap ? 2 * s->gc_roots_cap : 16;
        GcRoot *n = realloc(s->gc_roots, cap * sizeof *n);
        if (!n)
            return false;
        s->gc_roots = n;
        s->gc_roots_cap = cap;
    }
    s->gc_roots[s->gc_nroots++] = (GcRoot){(uint8_t)kind, p, s->nowned};
    return true;
}

bool gc_holds_refs(const Module *m, ValType t)
{
    if (!valtype_is_ref(t))
        return false;
    ValType k = valtype_kind_m(m, t);
    return k == HT_ANY || k == VT_EXTERNREF;
}

void gc_forget_after(Store *s, size_t mark)
{
    size_t k = 0;
    for (size_t i = 0; i < s->gc_nroots; i++)
        if (s->gc_roots[i].owned <= mark)
            s->gc_roots[k++] = s->gc_roots[i];
    s->gc_nroots = k;
}

typedef struct Marker {
    Store *s;
    GcObj **stack;
    size_t n, cap;
    bool oom;
} Marker;

/* Marks the object cell c names, if it names one (a cell that is no object's address, an
 * i31, a host pointer, a function: nothing). */
static void mark_cell(Marker *mk, Cell c)
{
    if (!set_has(mk->s, c))
        return;
    GcObj *o = gc_obj(c);
    if (o->mark)
        return;
    o->mark = 1;
    if (mk->n == mk->cap) {
        size_t cap = mk->cap ? 2 * mk->cap : 256;
        GcObj **n = realloc(mk->stack, cap * sizeof *n);
        if (!n) {
            mk->oom = true; /* traced below by the fallback scan */
            return;
        }
        mk->stack = n;
        mk->cap = cap;
    }
    mk->stack[mk->n++] = o;
}

static void mark_frame_cell(void *mk, Cell c) { mark_cell(mk, c); }

static void mark_cells(Marker *mk, const Cell *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mark_cell(mk, c[i]);
}

/* A passive element segment's evaluated items, until it is dropped (its length 0). */
static void mark_elems(Marker *mk, const Instance *inst)
{
    for (uint32_t i = 0; i < inst->module->nelems; i++)
        if (inst->elem_vals[i])
            mark_cells(mk, inst->elem_vals[i], inst->elem_len[i]);
}

/* The references an object holds: its fields of reference type, by its type's layout. */
static void trace(Marker *mk, const GcObj *o)
{
    if (o->box != GC_PLAIN)
        return; /* a host pointer or an i31: no object */
    const FuncType *t = o->type;
    if (t->kind == DT_ARRAY) {
        if (!valtype_is_ref(t->types[0]))
            return;
        for (uint32_t i = 0; i < o->len; i++)
            mark_cell(mk, ld_u64((const uint8_t *)o->data + (size_t)i * 8));
        return;
    }
    for (uint32_t i = 0, c = 0; i < t->nparams; c += valtype_cells(t->types[i]), i++)
        if (valtype_is_ref(t->types[i]))
            mark_cell(mk, o->data[c]);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

size_t gc_collect(Store *s)
{
    uint64_t t0 = now_ns();
    Marker mk = {s, NULL, 0, 0, false};
    /* roots: the frames' reference cells by their stack maps, the registered structures,
     * the host's roots (a cell of reference type that is no object's address, a funcref or a
     * host's externref, marks nothing) */
    interp_gc_frames(s, mark_frame_cell, &mk);
    for (size_t i = 0; i < s->gc_nroots; i++) {
        const GcRoot *r = &s->gc_roots[i];
        if (r->kind == GC_ROOT_GLOBAL)
            mark_cell(&mk, ((const Global_ *)r->p)->val[0]);
        else if (r->kind == GC_ROOT_TABLE)
            mark_cells(&mk, ((const Table *)r->p)->elems, ((const Table *)r->p)->size);
        else if (r->kind == GC_ROOT_ELEMS)
            mark_elems(&mk, r->p);
        else
            mark_cells(&mk, ((const Exn *)r->p)->vals, ((const Exn *)r->p)->ncells);
    }
    mark_cells(&mk, s->gc_host, s->gc_nhost);
    for (;;) {
        while (mk.n)
            trace(&mk, mk.stack[--mk.n]);
        if (!mk.oom)
            break;
        /* the mark stack could not grow: trace every marked object again until no new
         * mark appears (slow, but never frees a reachable object) */
        mk.oom = false;
        for (GcObj *o = s->gc_objects; o; o = o->next)
            if (o->mark)
                trace(&mk, o);
    }
    free(mk.stack);
    /* sweep, and rebuild the address set from the survivors */
    size_t freed = 0, live = 0;
    if (s->gc_set) /* none yet: a collection before any allocation (a stress build) */
        memset(s->gc_set, 0, s->gc_set_cap * sizeof *s->gc_set);
    s->gc_set_n = 0;
    for (GcObj **pp = &s->gc_objects; *pp;) {
        GcObj *o = *pp;
        size_t size = sizeof(GcObj) + (o->box != GC_PLAIN ? sizeof(Cell)
                                       : o->type->kind == DT_ARRAY
                                           ? (((size_t)o->len * o->esize + 7) & ~(size_t)7)
                                           : (size_t)gc_struct_cells(o->type) * sizeof(Cell));
        if (!o->mark) {
            *pp = o->next;
            freed += size;
            free(o);
            continue;
        }
        o->mark = 0;
        live += size;
        set_put(s->gc_set, s->gc_set_cap, (Cell)(uintptr_t)o);
        s->gc_set_n++;
        pp = &o->next;
    }
    /* the externalized set keeps the survivors only */
    if (s->gc_ext_cap) {
        size_t k = 0;
        for (size_t i = 0; i < s->gc_ext_cap; i++)
            if (s->gc_ext[i] && set_has(s, s->gc_ext[i]))
                s->gc_ext[k++] = s->gc_ext[i];
        memset(s->gc_ext + k, 0, (s->gc_ext_cap - k) * sizeof *s->gc_ext);
        s->gc_ext_n = k;
        Cell *keep = s->gc_ext;
        Cell *fresh = calloc(s->gc_ext_cap, sizeof *fresh);
        for (size_t i = 0; fresh && i < k; i++)
            set_put(fresh, s->gc_ext_cap, keep[i]);
        if (!fresh) /* out of memory: forget them (they convert back as host references) */
            s->gc_ext_n = 0;
        else
            s->gc_ext = fresh;
        if (fresh)
            free(keep);
        else
            memset(keep, 0, s->gc_ext_cap * sizeof *keep);
    }
    s->gc_bytes = live;
    s->gc_since = 0;
    s->gc_trigger = live > GC_MIN_TRIGGER ? live : GC_MIN_TRIGGER;
    uint64_t pause = now_ns() - t0;
    s->gc_collections++;
    s->gc_pause_ns_total += pause;
    if (pause > s->gc_pause_ns_max)
        s->gc_pause_ns_max = pause;
    s->gc_freed += freed;
    return freed;
}

/* ---- the host's roots ---- */

bool gc_root_add(Store *s, Cell c)
{
    if (s->gc_nhost == s->gc_host_cap) {
        size_t cap = s->gc_host_cap ? 2 * s->gc_host_cap : 16;
        Cell *n = realloc(s->gc_host, cap * sizeof *n);
        if (!n)
            return false;
        s->gc_host = n;
        s->gc_host_cap = cap;
    }
    s->gc_host[s->gc_nhost++] = c;
    return true;
}

void gc_root_remove(Store *s, Cell c)
{
    for (size_t i = s->gc_nhost; i-- > 0;)
        if (s->gc_host[i] == c) {
            s->gc_host[i] = s->gc_host[--s->gc_nhost];
            return;
        }
}
