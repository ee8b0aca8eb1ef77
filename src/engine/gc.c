/* gc.c: garbage collection's objects (gc.h, docs/design/gc.md). Objects are allocated one by
 * one and listed in their store, which frees them all when it is reset or deleted; the store's
 * limit on their bytes makes an allocation past it trap "out of memory". */
#include "gc.h"

#include "instr.h"
#include "numeric.h"

#include <stdlib.h>
#include <string.h>

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

static GcObj *alloc(Store *s, size_t data)
{
    size_t limit = s->gc_limit ? s->gc_limit : GC_DEFAULT_LIMIT;
    size_t size = sizeof(GcObj) + data;
    if (data > limit || s->gc_bytes > limit - size)
        return NULL;
    GcObj *o = calloc(1, size);
    if (!o)
        return NULL;
    s->gc_bytes += size;
    o->next = s->gc_objects;
    s->gc_objects = o;
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
        nin = in->op == OP_STRUCT_NEW && t ? t->nparams : 0;
        GcObj *o = t && n >= nin ? gc_alloc_struct(s, t) : NULL;
        if (o && in->op == OP_STRUCT_NEW)
            for (uint32_t i = 0; i < nin; i++)
                o->data[gc_field_cell(t, i)] = pack(t->types[i], st[n - nin + i]);
        r = (Cell)(uintptr_t)o;
        break;
    }
    default: { /* array.new, array.new_default, array.new_fixed */
        uint32_t len;
        Cell fill[2] = {0, 0};
        if (in->op == OP_ARRAY_NEW_FIXED) {
            nin = in->b;
            len = in->b;
        } else {
            nin = in->op == OP_ARRAY_NEW ? 2 : 1;
            len = n >= 1 ? (uint32_t)st[n - 1] : 0;
            if (in->op == OP_ARRAY_NEW && n >= 2)
                fill[0] = st[n - 2];
        }
        GcObj *o = t && n >= nin ? gc_alloc_array(s, t, len) : NULL;
        for (uint32_t i = 0; o && i < len; i++) {
            Cell v[2] = {in->op == OP_ARRAY_NEW_FIXED ? st[n - nin + i] : fill[0], 0};
            gc_array_store(o, i, v);
        }
        r = (Cell)(uintptr_t)o;
        break;
    }
    }
    if (nin > n)
        nin = n;
    n -= nin;
    st[n++] = r; /* n < CONST_MAX_DEPTH: validated */
    return n;
}
