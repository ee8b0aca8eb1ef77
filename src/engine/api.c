/* api.c: the public API's thin layer over the engine: engine and configuration, errors,
 * modules (decode -> validate -> lower), function types, values, and the accessors of
 * functions, memories, tables and globals. Instantiation lives in instance.c. */
#include "names.h"
#include "runtime.h"
#include "gc.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *corral_version(void) { return CORRAL_VERSION; }

/* ---- engine ---- */

void corral_config_default(corral_config_t *cfg)
{
    cfg->max_call_depth = 10000;
    cfg->max_stack_bytes = 8u << 20;
    cfg->max_gc_heap_bytes = (uint64_t)512 << 20;
    cfg->max_memory_pages = 65536;
    cfg->max_table_elems = 10000000;
    cfg->max_locals = 50000;
    cfg->max_funcs = 1000000;
    cfg->load_threads = 0;
    cfg->features = CORRAL_FEATURES_3_0;
}

corral_engine_t *corral_engine_new(const corral_config_t *cfg)
{
    Engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    if (cfg)
        e->cfg = *cfg;
    else
        corral_config_default(&e->cfg);
    return e;
}

void corral_engine_delete(corral_engine_t *engine) { free(engine); }

/* ---- errors ---- */

corral_error_t *error_new(size_t offset, const char *fmt, ...)
{
    corral_error_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return e;
}

/* Stands in for an error that could not be allocated, so callers always see one. */
static corral_error_t oom_error = {SIZE_MAX, "out of memory"};

static corral_error_t *error_or_oom(corral_error_t *e) { return e ? e : &oom_error; }

const char *corral_error_message(const corral_error_t *err) { return err->msg; }
size_t corral_error_offset(const corral_error_t *err) { return err->offset; }

void corral_error_delete(corral_error_t *err)
{
    if (err != &oom_error)
        free(err);
}

/* ---- modules ---- */

static corral_error_t *from_decode_error(const DecodeError *de)
{
    if (de->func != UINT32_MAX)
        return error_or_oom(error_new(de->offset, "func %u: %s", de->func, de->msg));
    return error_or_oom(error_new(de->offset, "%s", de->msg));
}

static corral_error_t *load(corral_engine_t *engine, const uint8_t *bytes, size_t len,
                            unsigned flags, bool lower, Module **out)
{
    DecodeLimits lim = {
        .max_locals = engine->cfg.max_locals,
        .max_funcs = engine->cfg.max_funcs,
        .max_table_elems = engine->cfg.max_table_elems,
        .max_segments = 100000,
        .threads = engine->cfg.load_threads,
        .features_off = CORRAL_FEATURES_ALL & ~engine->cfg.features,
    };
    DecodeError de = {.msg = NULL, .offset = 0, .func = UINT32_MAX};
    Module *m = NULL;
    if (decode_module(bytes, len, &lim, flags | DECODE_VALIDATE, &m, &de) != 0)
        return from_decode_error(&de);
    de.func = UINT32_MAX;
    if (lower && lower_module(m, &de) != 0) {
        corral_error_t *e = from_decode_error(&de);
        lowered_free(m); /* tolerates a module that was never (or partly) lowered */
        module_free(m);
        return e;
    }
    *out = m;
    return NULL;
}

static corral_error_t *module_new(corral_engine_t *engine, const uint8_t *bytes, size_t len,
                                  unsigned flags, corral_release_fn release, void *arg,
                                  corral_module_t **out)
{
    *out = NULL;
    struct corral_module *cm = calloc(1, sizeof *cm);
    corral_error_t *e = cm ? load(engine, bytes, len, flags, true, &cm->m) : &oom_error;
    if (e) {
        free(cm);
        if (release && (flags & DECODE_ADOPT))
            release(arg, bytes, len);
        return e;
    }
    cm->m->release = release;
    cm->m->release_arg = arg;
    cm->engine = engine;
    cm->refs = 1;
    *out = cm;
    return NULL;
}

corral_error_t *corral_module_new(corral_engine_t *engine, const uint8_t *bytes, size_t len,
                                  corral_module_t **out)
{
    return module_new(engine, bytes, len, 0, NULL, NULL, out);
}

corral_error_t *corral_module_new_owned(corral_engine_t *engine, const uint8_t *bytes, size_t len,
                                        corral_release_fn release, void *release_arg,
                                        corral_module_t **out)
{
    return module_new(engine, bytes, len, DECODE_ADOPT, release, release_arg, out);
}

corral_error_t *corral_module_validate(corral_engine_t *engine, const uint8_t *bytes, size_t len)
{
    Module *m = NULL;
    corral_error_t *e = load(engine, bytes, len, DECODE_ADOPT, false, &m);
    if (!e)
        module_free(m); /* release is NULL: the caller keeps its bytes */
    return e;
}

void module_retain(struct corral_module *cm) { atomic_fetch_add(&cm->refs, 1); }

void module_release(struct corral_module *cm)
{
    if (atomic_fetch_sub(&cm->refs, 1) != 1)
        return;
    module_names_free(cm);
    lowered_free(cm->m);
    native_code_free(atomic_load_explicit(&cm->native, memory_order_relaxed));
    native_code_free(atomic_load_explicit(&cm->late_native, memory_order_relaxed));
    free((void *)atomic_load_explicit(&cm->resident, memory_order_relaxed));
    module_free(cm->m);
    free(cm);
}

void corral_module_delete(corral_module_t *module)
{
    if (module)
        module_release(module);
}

size_t corral_module_import_count(const corral_module_t *m) { return m->m->nimports; }
size_t corral_module_export_count(const corral_module_t *m) { return m->m->nexports; }

static const FuncType *func_type_of(const Module *m, uint32_t funcidx)
{
    return m->types[m->func_types[funcidx]];
}

void corral_module_import(const corral_module_t *cm, size_t i, corral_extern_desc_t *out)
{
    const Import *im = &cm->m->imports[i];
    memset(out, 0, sizeof *out);
    out->module = im->module.ptr;
    out->module_len = im->module.len;
    out->name = im->name.ptr;
    out->name_len = im->name.len;
    out->kind = (corral_externkind_t)im->kind;
    for (size_t k = 0; k < i; k++)
        out->index += cm->m->imports[k].kind == im->kind;
    if (im->kind == EXTERN_FUNC)
        out->functype = cm->m->types[im->d.func_type];
    else if (im->kind == EXTERN_TAG)
        out->functype = cm->m->types[im->d.tag_type];
}

void corral_module_export(const corral_module_t *cm, size_t i, corral_extern_desc_t *out)
{
    const Export *ex = &cm->m->exports[i];
    memset(out, 0, sizeof *out);
    out->name = ex->name.ptr;
    out->name_len = ex->name.len;
    out->kind = (corral_externkind_t)ex->kind;
    out->index = ex->index;
    if (ex->kind == EXTERN_FUNC)
        out->functype = func_type_of(cm->m, ex->index);
    else if (ex->kind == EXTERN_TAG)
        out->functype = cm->m->types[cm->m->tag_types[ex->index]];
}

/* ---- tags ---- */

corral_tag_t *corral_tag_new(corral_store_t *store, const corral_functype_t *type)
{
    if (!type || type->nresults)
        return NULL;
    size_t size = functype_size(type->nparams, 0);
    FuncType *copy = store_alloc(store, size);
    Tag *t = copy ? store_alloc(store, sizeof *t) : NULL;
    if (!t)
        return NULL;
    memcpy(copy, type, size);
    t->type = copy;
    return t;
}

const corral_functype_t *corral_tag_type(const corral_tag_t *tag) { return tag->type; }

/* Whether the host's value v may go where type t of module m is expected (m: the module whose
 * indices t's names; NULL for a host type): its kind, and for a reference type without null,
 * of a bottom type or of a defined type, the reference itself, so that no function of another
 * type reaches code that trusts its static type (call_ref). */
static bool val_fits(const corral_val_t *v, ValType t, const Module *m)
{
    if ((ValType)v->kind != valtype_kind_m(m, t))
        return false;
    if (!valtype_is_ref(t))
        return true;
    const void *p = v->kind == CORRAL_FUNCREF ? (const void *)v->of.funcref : v->of.externref;
    if (!p)
        return valtype_nullable(t);
    uint32_t code = vt_code(t);
    /* GC's hierarchy: the object's type (a value Wasm gave out, or corral_anyref_host's) */
    if (v->kind == CORRAL_ANYREF)
        return (m || !vt_is_concrete(t)) &&
               gc_ref_test(m, (Cell)(uintptr_t)p, vt_heap(t), valtype_nullable(t));
    /* bottom types have no other value */
    if (code == HT_NOFUNC || code == HT_NOEXTERN || code == HT_NOEXN)
        return false;
    if (!vt_is_concrete(t))
        return true;
    return m && vt_index(t) < m->ntypes &&
           functype_sub(((const Func *)p)->type, m->types[vt_index(t)]);
}

/* The module a function type's words name types of (NULL for a plain type). */
static const Module *type_module(const FuncType *t) { return t->plain ? NULL : t->mod; }

corral_trap_t *corral_trap_new_exception(corral_store_t *store, const corral_tag_t *tag,
                                         const corral_val_t *args, size_t nargs)
{
    const FuncType *t = tag->type;
    if (nargs != t->nparams)
        return NULL;
    uint32_t ncells = valtypes_cells(ft_params(t), t->nparams);
    Cell *cells = malloc(((size_t)ncells + 1) * sizeof *cells);
    if (!cells)
        return NULL;
    bool ok = true;
    for (size_t i = 0, k = 0; i < nargs && ok; i++) {
        ok = val_fits(&args[i], ft_params(t)[i], type_module(t));
        if (ok)
            k += val_to_cells(&args[i], cells + k);
    }
    Exn *e = ok ? interp_exn_new(store, tag, cells) : NULL;
    free(cells);
    return e ? trap_new_exception(e) : NULL;
}

const corral_tag_t *corral_trap_exception_tag(const corral_trap_t *trap)
{
    return trap && trap->exn ? trap->exn->tag : NULL;
}

bool corral_trap_exception_arg(const corral_trap_t *trap, size_t i, corral_val_t *out)
{
    if (!trap || !trap->exn || i >= trap->exn->tag->type->nparams)
        return false;
    const FuncType *t = trap->exn->tag->type;
    uint32_t k = valtypes_cells(ft_params(t), (uint32_t)i);
    (void)cells_to_val(type_module(t), trap->exn->vals + k, ft_params(t)[i], out);
    return true;
}

/* ---- function types ---- */

corral_functype_t *corral_functype_new(const corral_valkind_t *params, size_t nparams,
                                       const corral_valkind_t *results, size_t nresults)
{
    if (nparams > 1000 || nresults > 1000)
        return NULL;
    FuncType *t = calloc(1, functype_size((uint32_t)nparams, (uint32_t)nresults));
    if (!t)
        return NULL;
    t->nparams = (uint32_t)nparams;
    t->nresults = (uint32_t)nresults;
    for (size_t i = 0; i < nparams; i++)
        t->types[i] = (ValType)params[i];
    for (size_t i = 0; i < nresults; i++)
        t->types[nparams + i] = (ValType)results[i];
    t->hash = functype_hash(t->types, t->nparams, t->nresults);
    t->plain = true;
    return t;
}

void corral_functype_delete(corral_functype_t *t) { free(t); }
size_t corral_functype_param_count(const corral_functype_t *t) { return t->nparams; }
size_t corral_functype_result_count(const corral_functype_t *t) { return t->nresults; }
corral_valkind_t corral_functype_param(const corral_functype_t *t, size_t i)
{
    return (corral_valkind_t)valtype_kind_m(t->plain ? NULL : t->mod, t->types[i]);
}
corral_valkind_t corral_functype_result(const corral_functype_t *t, size_t i)
{
    return (corral_valkind_t)valtype_kind_m(t->plain ? NULL : t->mod, t->types[t->nparams + i]);
}

bool corral_functype_equal(const corral_functype_t *a, const corral_functype_t *b)
{
    return functype_equal(a, b);
}

size_t corral_functype_format(const corral_functype_t *t, char *buf, size_t size)
{
    size_t len = 0;
    char scratch[1];
    if (size == 0) {
        buf = scratch;
        size = 1;
    }
#define APPEND(...)                                                                      \
    do {                                                                                 \
        int n_ = snprintf(buf + (len < size ? len : size - 1),                           \
                          len < size ? size - len : 1, __VA_ARGS__);                     \
        len += n_ > 0 ? (size_t)n_ : 0;                                                 \
    } while (0)
    APPEND("(");
    for (size_t i = 0; i < t->nparams; i++)
        APPEND("%s%s", i ? ", " : "", corral_valkind_name(corral_functype_param(t, i)));
    APPEND(")");
    if (t->nresults == 0)
        APPEND(" -> ()");
    for (size_t i = 0; i < t->nresults; i++)
        APPEND("%s%s", i ? ", " : " -> ", corral_valkind_name(corral_functype_result(t, i)));
#undef APPEND
    return len;
}

/* ---- values ---- */

corral_val_t corral_val_i32(int32_t v) { return (corral_val_t){CORRAL_I32, {.i32 = v}}; }
corral_val_t corral_val_i64(int64_t v) { return (corral_val_t){CORRAL_I64, {.i64 = v}}; }

corral_val_t corral_val_f32(float v)
{
    corral_val_t r = {CORRAL_F32, {.f32_bits = 0}};
    memcpy(&r.of.f32_bits, &v, 4);
    return r;
}

corral_val_t corral_val_f64(double v)
{
    corral_val_t r = {CORRAL_F64, {.f64_bits = 0}};
    memcpy(&r.of.f64_bits, &v, 8);
    return r;
}

float corral_val_as_f32(const corral_val_t *v)
{
    float f;
    memcpy(&f, &v->of.f32_bits, 4);
    return f;
}

double corral_val_as_f64(const corral_val_t *v)
{
    double d;
    memcpy(&d, &v->of.f64_bits, 8);
    return d;
}

const char *corral_valkind_name(corral_valkind_t k)
{
    switch (k) {
    case CORRAL_I32: return "i32";
    case CORRAL_I64: return "i64";
    case CORRAL_F32: return "f32";
    case CORRAL_F64: return "f64";
    case CORRAL_V128: return "v128";
    case CORRAL_FUNCREF: return "funcref";
    case CORRAL_EXTERNREF: return "externref";
    case CORRAL_EXNREF: return "exnref";
    case CORRAL_ANYREF: return "anyref";
    }
    return "?";
}

Cell val_to_cell(const corral_val_t *v)
{
    switch (v->kind) {
    case CORRAL_I32: return (uint32_t)v->of.i32;
    case CORRAL_I64: return (uint64_t)v->of.i64;
    case CORRAL_F32: return v->of.f32_bits;
    case CORRAL_F64: return v->of.f64_bits;
    case CORRAL_FUNCREF: return (Cell)(uintptr_t)v->of.funcref;
    case CORRAL_EXTERNREF: return (Cell)(uintptr_t)v->of.externref;
    case CORRAL_EXNREF: return (Cell)(uintptr_t)v->of.externref; /* as Wasm gave it out */
    case CORRAL_ANYREF: return (Cell)(uintptr_t)v->of.externref; /* as Wasm gave it out */
    case CORRAL_V128: break; /* two cells: val_to_cells */
    }
    return 0;
}

uint32_t val_to_cells(const corral_val_t *v, Cell *out)
{
    if (v->kind == CORRAL_V128) {
        memcpy(out, v->of.v128, 16);
        return 2;
    }
    out[0] = val_to_cell(v);
    return 1;
}

uint32_t cells_to_val(const Module *m, const Cell *c, ValType t, corral_val_t *out)
{
    if (t == VT_V128) {
        memset(out, 0, sizeof *out);
        out->kind = CORRAL_V128;
        memcpy(out->of.v128, c, 16);
        return 2;
    }
    *out = cell_to_val(m, c[0], t);
    return 1;
}

corral_val_t cell_to_val(const Module *m, Cell c, ValType t)
{
    corral_val_t v;
    memset(&v, 0, sizeof v);
    v.kind = (corral_valkind_t)valtype_kind_m(m, t);
    switch (valtype_kind_m(m, t)) {
    case VT_I32: v.of.i32 = (int32_t)(uint32_t)c; break;
    case VT_I64: v.of.i64 = (int64_t)c; break;
    case VT_F32: v.of.f32_bits = (uint32_t)c; break;
    case VT_F64: v.of.f64_bits = c; break;
    case VT_FUNCREF: v.of.funcref = (Func *)(uintptr_t)c; break;
    case VT_EXTERNREF: v.of.externref = (void *)(uintptr_t)c; break;
    case VT_EXNREF: v.of.externref = (void *)(uintptr_t)c; break;
    case HT_ANY: v.of.externref = (void *)(uintptr_t)c; break; /* gc.h's cell, opaque */
    default: break;
    }
    return v;
}

/* ---- functions ---- */

corral_func_t *corral_func_new(corral_store_t *store, const corral_functype_t *type,
                               corral_host_fn fn, void *env, void (*finalizer)(void *))
{
    size_t tsize = functype_size(type->nparams, type->nresults);
    FuncType *t = store_alloc(store, tsize);
    Func *f = t ? store_alloc(store, sizeof *f) : NULL;
    if (!f || store_own(store, OWN_HOST_FUNC, f) != 0)
        return NULL;
    memcpy(t, type, tsize);
    f->type = t;
    f->host = fn;
    f->host_env = env;
    f->host_finalizer = finalizer;
    f->index = UINT32_MAX;
    return f;
}

const corral_functype_t *corral_func_type(const corral_func_t *f) { return f->type; }

enum { MAX_DIRECT_CELLS = 16 };

corral_trap_t *corral_func_call(corral_store_t *store, corral_func_t *f, const corral_val_t *args,
                                size_t nargs, corral_val_t *results, size_t nresults)
{
    const FuncType *t = f->type;
    if (nargs != t->nparams || nresults != t->nresults)
        return trap_new("argument or result count does not match the function type");
    for (size_t i = 0; i < nargs; i++)
        if (!val_fits(&args[i], t->types[i], type_module(t)))
            return trap_new("argument type does not match the function type");
    size_t np = valtypes_cells(ft_params(t), t->nparams);
    size_t nr = valtypes_cells(ft_results(t), t->nresults);
    size_t n = np > nr ? np : nr;
    Cell local[MAX_DIRECT_CELLS];
    Cell *cells = n <= MAX_DIRECT_CELLS ? local : malloc(n * sizeof *cells);
    if (!cells)
        return trap_new("out of memory");
    for (size_t i = 0, c = 0; i < nargs; i++)
        c += val_to_cells(&args[i], cells + c);
    Trap *trap = interp_call(store, f, cells);
    if (!trap)
        for (size_t i = 0, c = 0; i < nresults; i++)
            c += cells_to_val(type_module(t), cells + c, ft_results(t)[i], &results[i]);
    if (cells != local)
        free(cells);
    return trap;
}

/* ---- memories ---- */

corral_memory_t *corral_memory_new(corral_store_t *store, uint32_t min_pages, int64_t max_pages)
{
    return memory_create(store, min_pages, max_pages < 0 ? UINT64_MAX : (uint64_t)max_pages);
}

corral_memory_t *corral_memory_new64(corral_store_t *store, uint64_t min_pages, int64_t max_pages)
{
    Memory *m = memory_create(store, min_pages, max_pages < 0 ? UINT64_MAX : (uint64_t)max_pages);
    if (m)
        m->is64 = true;
    return m;
}

uint8_t *corral_memory_data(corral_memory_t *m) { return m->data; }
size_t corral_memory_size(const corral_memory_t *m) { return (size_t)m->size; }
int64_t corral_memory_grow(corral_memory_t *m, uint32_t delta) { return memory_grow(m, delta); }
bool corral_memory_is64(const corral_memory_t *m) { return m->is64; }

/* ---- tables ---- */

corral_table_t *corral_table_new(corral_store_t *store, corral_valkind_t elem, uint32_t min,
                                 int64_t max, corral_val_t init)
{
    if (elem != CORRAL_FUNCREF && elem != CORRAL_EXTERNREF)
        return NULL;
    if (max > (int64_t)UINT32_MAX)
        return NULL;
    return table_create(store, (ValType)elem, min, max < 0 ? UINT64_MAX : (uint64_t)max,
                        val_to_cell(&init));
}

corral_table_t *corral_table_new64(corral_store_t *store, corral_valkind_t elem, uint64_t min,
                                   int64_t max, corral_val_t init)
{
    if (elem != CORRAL_FUNCREF && elem != CORRAL_EXTERNREF)
        return NULL;
    Table *t = table_create(store, (ValType)elem, min, max < 0 ? UINT64_MAX : (uint64_t)max,
                            val_to_cell(&init));
    if (t)
        t->is64 = true;
    return t;
}

bool corral_table_is64(const corral_table_t *t) { return t->is64; }

uint32_t corral_table_size(const corral_table_t *t) { return t->size; }

bool corral_table_get(const corral_table_t *t, uint32_t i, corral_val_t *out)
{
    if (i >= t->size)
        return false;
    *out = cell_to_val(t->mod, t->elems[i], t->elem);
    return true;
}

bool corral_table_set(corral_table_t *t, uint32_t i, corral_val_t v)
{
    if (i >= t->size || !val_fits(&v, t->elem, t->mod))
        return false;
    t->elems[i] = val_to_cell(&v);
    return true;
}

/* ---- globals ---- */

corral_global_t *corral_global_new(corral_store_t *store, corral_valkind_t type, bool mutable_,
                                   corral_val_t init)
{
    if (init.kind != type)
        return NULL;
    Global_ *g = store_alloc(store, sizeof *g);
    if (!g)
        return NULL;
    g->type.type = (ValType)type;
    g->type.mut = mutable_;
    if (gc_holds_refs(NULL, g->type.type) && !gc_register(store, GC_ROOT_GLOBAL, g))
        return NULL;
    (void)val_to_cells(&init, g->val);
    return g;
}

corral_val_t corral_global_get(const corral_global_t *g)
{
    corral_val_t v;
    (void)cells_to_val(g->mod, g->val, g->type.type, &v);
    return v;
}

bool corral_global_set(corral_global_t *g, corral_val_t v)
{
    if (!g->type.mut || !val_fits(&v, g->type.type, g->mod))
        return false;
    (void)val_to_cells(&v, g->val);
    return true;
}

/* ---- garbage collection's references (gc.h) ---- */

corral_anykind_t corral_anyref_kind(const corral_val_t *v)
{
    if (v->kind != CORRAL_ANYREF || !v->of.externref)
        return CORRAL_ANY_NULL;
    switch (gc_ref_kind((Cell)(uintptr_t)v->of.externref)) {
    case HT_I31: return CORRAL_ANY_I31;
    case HT_STRUCT: return CORRAL_ANY_STRUCT;
    case HT_ARRAY: return CORRAL_ANY_ARRAY;
    default: return CORRAL_ANY_HOST;
    }
}

bool corral_anyref_from_host(corral_store_t *store, void *host, corral_val_t *out)
{
    Cell c;
    memset(out, 0, sizeof *out);
    out->kind = CORRAL_ANYREF;
    if (gc_internalize(store, (Cell)(uintptr_t)host, &c))
        return false;
    out->of.externref = (void *)(uintptr_t)c;
    return true;
}

void *corral_anyref_host(const corral_val_t *v)
{
    if (corral_anyref_kind(v) != CORRAL_ANY_HOST)
        return NULL;
    return (void *)(uintptr_t)gc_obj((Cell)(uintptr_t)v->of.externref)->data[0];
}

int32_t corral_anyref_i31(const corral_val_t *v, bool sign)
{
    if (corral_anyref_kind(v) != CORRAL_ANY_I31)
        return 0;
    uint32_t x = (uint32_t)((uintptr_t)v->of.externref >> 1) & 0x7fffffffu;
    return sign ? (int32_t)(x << 1) >> 1 : (int32_t)x;
}

bool corral_anyref_root(corral_store_t *store, const corral_val_t *v)
{
    if (v->kind != CORRAL_ANYREF && v->kind != CORRAL_EXTERNREF)
        return false;
    return gc_root_add(store, (Cell)(uintptr_t)v->of.externref);
}

void corral_anyref_unroot(corral_store_t *store, const corral_val_t *v)
{
    gc_root_remove(store, (Cell)(uintptr_t)v->of.externref);
}

void corral_store_gc_stats(const corral_store_t *store, uint64_t *collections,
                           uint64_t *max_pause_ns, uint64_t *total_pause_ns)
{
    if (collections)
        *collections = store->gc_collections;
    if (max_pause_ns)
        *max_pause_ns = store->gc_pause_ns_max;
    if (total_pause_ns)
        *total_pause_ns = store->gc_pause_ns_total;
}
