/* instance.c: instantiation in the spec's order: check and link imports, allocate functions,
 * globals, tables and memories, resolve exports, apply active element then data segments
 * (a trap stops there, earlier writes stay, as the spec requires), then run the start
 * function. Knows nothing of where imports come from: the embedder passes them in order. */
#include "runtime.h"

#include "gc.h"

#include "instr.h"
#include "lower.h"

#include <stdatomic.h>
#include <string.h>

/* Runs an extended constant expression from its bytes. It has been validated: constant
 * instructions only, at most CONST_MAX_DEPTH operands, one i32 or i64 result; the checks
 * here only keep a broken invariant from reading out of bounds. */
static Cell eval_expr(const Instance *inst, const ConstExpr *e)
{
    Cell st[2 * CONST_MAX_DEPTH]; /* a v128 (a GC field's or element's value) takes two */
    uint32_t n = 0;
    Reader r;
    Instr in;
    rd_init(&r, inst->module->bytes, e->end);
    r.p += e->start;
    while (!rd_eof(&r) && !instr_read(&r, &in)) {
        Cell b = n ? st[n - 1] : 0;
        switch (in.op) {
        case OP_I32_ADD: case OP_I32_SUB: case OP_I32_MUL:
        case OP_I64_ADD: case OP_I64_SUB: case OP_I64_MUL: {
            if (n < 2)
                return 0;
            Cell a = st[n - 2], x;
            n--;
            if (in.op == OP_I32_ADD || in.op == OP_I64_ADD)
                x = a + b;
            else if (in.op == OP_I32_SUB || in.op == OP_I64_SUB)
                x = a - b;
            else
                x = a * b;
            bool narrow = in.op == OP_I32_ADD || in.op == OP_I32_SUB || in.op == OP_I32_MUL;
            st[n - 1] = narrow ? (uint32_t)x : x; /* an i32 stays zero-extended */
            continue;
        }
        default:
            break;
        }
        if (gc_const_op(in.op)) { /* GC's allocations, ref.i31, conversions */
            if (n >= 2 * CONST_MAX_DEPTH)
                return 0;
            n = gc_const_eval(inst, &in, st, n);
            continue;
        }
        if (n + 2 > 2 * CONST_MAX_DEPTH)
            return 0;
        switch (in.op) {
        case OP_I32_CONST: st[n++] = (uint32_t)in.imm; break;
        case OP_V128_CONST:
            memcpy(&st[n++], in.tab, 8);
            memcpy(&st[n++], in.tab + 8, 8);
            break;
        case OP_GLOBAL_GET:
            st[n++] = inst->globals[in.a]->val[0];
            if (inst->globals[in.a]->type.type == VT_V128)
                st[n++] = inst->globals[in.a]->val[1];
            break;
        case OP_REF_FUNC: st[n++] = (Cell)(uintptr_t)inst->funcs[in.a]; break;
        case OP_REF_NULL: st[n++] = 0; break;
        default: st[n++] = in.imm; break; /* i64, f32, f64.const: the bits */
        }
    }
    return n ? st[n - 1] : 0;
}

Cell const_eval(const Instance *inst, const ConstExpr *e)
{
    switch ((ConstKind)e->kind) {
    case CONST_EXPR:
        return eval_expr(inst, e);
    case CONST_VALUE:
        return e->value;
    case CONST_GLOBAL_GET:
        return inst->globals[e->index]->val[0];
    case CONST_REF_FUNC:
        return (Cell)(uintptr_t)inst->funcs[e->index];
    case CONST_REF_NULL:
    case CONST_INVALID:
        break;
    }
    return 0;
}

void const_eval_v128(const Instance *inst, const ConstExpr *e, Cell out[2])
{
    if (e->kind == CONST_GLOBAL_GET) {
        memcpy(out, inst->globals[e->index]->val, 2 * sizeof(Cell));
        return;
    }
    out[0] = e->value;
    out[1] = e->value_hi;
}

/* Import matching (spec 2.0 "import subtyping"): limits may be narrower, types equal. */
static bool limits_match(uint64_t min, uint64_t max, bool has_max, const Limits *want)
{
    if (min < want->min)
        return false;
    if (!want->has_max)
        return true;
    return has_max && max <= want->max;
}

static bool import_matches(const Module *m, const Import *im, const corral_extern_t *ex)
{
    if ((int)ex->kind != (int)im->kind)
        return false;
    switch (im->kind) {
    case EXTERN_FUNC: /* the export's type may be a declared subtype of the import's */
        return functype_sub(ex->of.func->type, m->types[im->d.func_type]);
    case EXTERN_TABLE: {
        const Table *t = ex->of.table;
        return valtype_sub_x(t->mod, t->elem, m, im->d.table.elem) &&
               valtype_sub_x(m, im->d.table.elem, t->mod, t->elem) &&
               t->is64 == im->d.table.lim.is64 &&
               limits_match(t->size, t->decl_max, t->has_max, &im->d.table.lim);
    }
    case EXTERN_MEMORY: {
        const Memory *mem = ex->of.memory;
        uint64_t pages = mem->size / WASM_PAGE;
        return mem->is64 == im->d.mem.lim.is64 &&
               limits_match(pages, mem->decl_max, mem->has_max, &im->d.mem.lim);
    }
    case EXTERN_GLOBAL: {
        const Global_ *g = ex->of.global;
        /* an immutable global may have a subtype of the import's type (3.0); the types of
         * two modules compare through them */
        return g->type.mut == im->d.global.mut &&
               valtype_sub_x(g->mod, g->type.type, m, im->d.global.type) &&
               (!g->type.mut || valtype_sub_x(m, im->d.global.type, g->mod, g->type.type));
    }
    case EXTERN_TAG:
        return functype_equal(ex->of.tag->type, m->types[im->d.tag_type]);
    }
    return false;
}

static corral_error_t *link_imports(Instance *inst, const corral_extern_t *imports, size_t n)
{
    const Module *m = inst->module;
    if (n != m->nimports)
        return error_new(SIZE_MAX, "unknown import: expected %u imports, got %zu", m->nimports, n);
    uint32_t nf = 0, nt = 0, nm = 0, ng = 0, ntag = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const Import *im = &m->imports[i];
        const corral_extern_t *ex = &imports[i];
        if (!import_matches(m, im, ex))
            return error_new(SIZE_MAX, "incompatible import type for %.*s::%.*s",
                             (int)im->module.len, im->module.ptr, (int)im->name.len,
                             im->name.ptr);
        switch (im->kind) {
        case EXTERN_FUNC: inst->funcs[nf++] = ex->of.func; break;
        case EXTERN_TABLE: inst->tables[nt++] = ex->of.table; break;
        case EXTERN_MEMORY: inst->mems[nm++] = ex->of.memory; break;
        case EXTERN_GLOBAL: inst->globals[ng++] = ex->of.global; break;
        case EXTERN_TAG: inst->tags[ntag++] = ex->of.tag; break;
        }
    }
    return NULL;
}

static bool alloc_index_spaces(Store *s, Instance *inst)
{
    const Module *m = inst->module;
    inst->funcs = store_alloc(s, m->nfuncs * sizeof(Func *));
    inst->tables = store_alloc(s, m->ntables * sizeof(Table *));
    inst->mems = store_alloc(s, m->nmems * sizeof(Memory *));
    inst->globals = store_alloc(s, m->nglobals * sizeof(Global_ *));
    inst->tags = store_alloc(s, m->ntags * sizeof(Tag *));
    inst->elem_len = store_alloc(s, m->nelems * sizeof(uint32_t));
    inst->elem_vals = store_alloc(s, m->nelems * sizeof(Cell *));
    inst->data_len = store_alloc(s, m->ndatas * sizeof(uint32_t));
    return inst->funcs && inst->tables && inst->mems && inst->globals && inst->tags &&
           inst->elem_len && inst->elem_vals && inst->data_len;
}

Cell elem_item(const Instance *inst, uint32_t seg, uint32_t k)
{
    if (inst->elem_vals[seg])
        return inst->elem_vals[seg][k];
    return const_eval(inst, &inst->module->elems[seg].items[k]);
}

/* Functions first: global initialisers may take ref.func of any function. */
static bool define_funcs(Store *s, Instance *inst)
{
    const Module *m = inst->module;
    uint32_t n = m->nfuncs - m->nfunc_imports;
    Func *fs = store_alloc(s, n * sizeof *fs);
    if (!fs && n)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t idx = m->nfunc_imports + i;
        fs[i].type = m->types[m->func_types[idx]];
        fs[i].inst = inst;
        fs[i].code = lower_peek(m, i);
        fs[i].index = idx;
        inst->funcs[idx] = &fs[i];
    }
    return true;
}

/* Each defined tag is a new one: tags have identity. */
static bool define_tags(Store *s, Instance *inst)
{
    const Module *m = inst->module;
    for (uint32_t i = m->ntag_imports; i < m->ntags; i++) {
        Tag *t = store_alloc(s, sizeof *t);
        if (!t)
            return false;
        t->type = m->types[m->tag_types[i]];
        inst->tags[i] = t;
    }
    return true;
}

static bool define_globals(Store *s, Instance *inst)
{
    const Module *m = inst->module;
    for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
        Global_ *g = store_alloc(s, sizeof *g);
        if (!g)
            return false;
        g->type = m->globals[i].type;
        g->mod = m;
        if (gc_holds_refs(m, g->type.type) && !gc_register(s, GC_ROOT_GLOBAL, g))
            return false;
        if (g->type.type == VT_V128)
            const_eval_v128(inst, &m->globals[i].init, g->val);
        else
            g->val[0] = const_eval(inst, &m->globals[i].init);
        inst->globals[i] = g;
    }
    return true;
}

static uint64_t declared_max(const Limits *l) { return l->has_max ? l->max : UINT64_MAX; }

static corral_error_t *define_tables_and_memories(Store *s, Instance *inst)
{
    const Module *m = inst->module;
    for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
        const TableType *tt = &m->tables[i];
        /* typed function references: a table's initializer gives every element (its
         * expressions may read imported globals only, which are linked by now) */
        const ConstExpr *init = m->table_inits ? &m->table_inits[i - m->ntable_imports] : NULL;
        Cell fill = init && init->start ? const_eval(inst, init) : 0;
        inst->tables[i] = table_create(s, tt->elem, tt->lim.min, declared_max(&tt->lim), fill);
        if (!inst->tables[i])
            return error_new(SIZE_MAX, "table of %llu elements exceeds the limit of %u",
                             (unsigned long long)tt->lim.min, s->engine->cfg.max_table_elems);
        inst->tables[i]->is64 = tt->lim.is64;
        inst->tables[i]->mod = m;
    }
    for (uint32_t i = m->nmem_imports; i < m->nmems; i++) {
        const Limits *l = &m->mems[i].lim;
        inst->mems[i] = memory_create(s, l->min, declared_max(l));
        if (!inst->mems[i])
            return error_new(SIZE_MAX, "memory of %llu pages exceeds the limit of %u pages",
                             (unsigned long long)l->min, s->engine->cfg.max_memory_pages);
        inst->mems[i]->is64 = l->is64;
    }
    inst->mem0 = m->nmems ? inst->mems[0] : NULL;
    inst->caller_mem = inst->mem0;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const Export *ex = &m->exports[i];
        if (ex->kind == EXTERN_MEMORY && ex->name.len == 6 && !memcmp(ex->name.ptr, "memory", 6))
            inst->caller_mem = inst->mems[ex->index];
    }
    return NULL;
}

/* Active element segments: table.init then elem.drop; declarative ones are dropped. */
static Trap *init_elems(Instance *inst)
{
    const Module *m = inst->module;
    bool rooted = false;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const ElemSeg *seg = &m->elems[i];
        inst->elem_len[i] = seg->mode == SEG_PASSIVE ? seg->count : 0;
        bool allocates = false; /* GC: items that make objects are evaluated once */
        for (uint32_t k = 0; k < seg->count && !allocates && seg->mode == SEG_PASSIVE; k++)
            allocates = seg->items[k].kind == CONST_EXPR;
        if (allocates) {
            Cell *vals = store_alloc(inst->store, seg->count * sizeof(Cell));
            if (!vals)
                return trap_new("out of memory");
            for (uint32_t k = 0; k < seg->count; k++)
                vals[k] = const_eval(inst, &seg->items[k]);
            inst->elem_vals[i] = vals;
            /* roots until dropped (gc.c); registered once per instance */
            if (!rooted && gc_holds_refs(m, seg->type)) {
                if (!gc_register(inst->store, GC_ROOT_ELEMS, inst))
                    return trap_new("out of memory");
                rooted = true;
            }
        }
        if (seg->mode != SEG_ACTIVE)
            continue;
        Table *t = inst->tables[seg->table];
        uint64_t off = const_eval(inst, &seg->offset);
        if (!t->is64)
            off = (uint32_t)off;
        if (off > t->size || seg->count > t->size - off)
            return trap_new("out of bounds table access");
        for (uint32_t k = 0; k < seg->count; k++)
            t->elems[off + k] = const_eval(inst, &seg->items[k]);
    }
    return NULL;
}

static Trap *init_datas(Instance *inst)
{
    const Module *m = inst->module;
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const DataSeg *seg = &m->datas[i];
        inst->data_len[i] = seg->mode == SEG_PASSIVE ? seg->len : 0;
        if (seg->mode != SEG_ACTIVE)
            continue;
        Memory *mem = inst->mems[seg->mem];
        uint64_t off = const_eval(inst, &seg->offset);
        if (!mem->is64)
            off = (uint32_t)off;
        if (off > mem->size || seg->len > mem->size - off)
            return trap_new("out of bounds memory access");
        memcpy(mem->data + off, m->bytes + seg->start, seg->len);
    }
    return NULL;
}

corral_error_t *corral_instance_new(corral_store_t *s, const corral_module_t *cm,
                                    const corral_extern_t *imports, size_t nimports,
                                    corral_instance_t **out, corral_trap_t **out_trap)
{
    *out = NULL;
    if (out_trap)
        *out_trap = NULL;
    const Module *m = cm->m;
    Instance *inst = store_alloc(s, sizeof *inst);
    if (!inst)
        return error_new(SIZE_MAX, "out of memory");
    inst->module = m;
    inst->store = s;
    inst->cmodule = cm;
    if (store_own(s, OWN_MODULE_REF, (void *)cm) != 0)
        return error_new(SIZE_MAX, "out of memory");
    atomic_fetch_add(&((struct corral_module *)cm)->refs, 1);
    if ((atomic_load_explicit(&m->features_used, memory_order_relaxed) & CORRAL_FEATURE_GC) &&
        !gc_keep_module(s, (struct corral_module *)cm))
        return error_new(SIZE_MAX, "out of memory");
    if (!alloc_index_spaces(s, inst))
        return error_new(SIZE_MAX, "out of memory");
    corral_error_t *err = link_imports(inst, imports, nimports);
    if (err)
        return err;
    if (!define_funcs(s, inst) || !define_tags(s, inst) || !define_globals(s, inst))
        return error_new(SIZE_MAX, "out of memory");
    err = define_tables_and_memories(s, inst);
    if (err)
        return err;
    if (native_instance_init(s, inst) != 0)
        return error_new(SIZE_MAX, "out of memory");
    Trap *trap = init_elems(inst);
    if (!trap && s->gc_const_oom) /* a GC allocation in a constant expression failed */
        trap = trap_new("out of memory");
    s->gc_const_oom = false;
    if (!trap)
        trap = init_datas(inst);
    if (!trap && m->has_start) {
        Cell none[1];
        trap = interp_call(s, inst->funcs[m->start], none);
    }
    if (trap) {
        if (out_trap)
            *out_trap = trap;
        else
            corral_trap_delete(trap);
        return NULL;
    }
    *out = inst;
    return NULL;
}

bool corral_instance_export(corral_instance_t *inst, const char *name, size_t name_len,
                            corral_extern_t *out)
{
    const Module *m = inst->module;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const Export *ex = &m->exports[i];
        if (ex->name.len != name_len || memcmp(ex->name.ptr, name, name_len) != 0)
            continue;
        out->kind = (corral_externkind_t)ex->kind;
        switch (ex->kind) {
        case EXTERN_FUNC: out->of.func = inst->funcs[ex->index]; break;
        case EXTERN_TABLE: out->of.table = inst->tables[ex->index]; break;
        case EXTERN_MEMORY: out->of.memory = inst->mems[ex->index]; break;
        case EXTERN_GLOBAL: out->of.global = inst->globals[ex->index]; break;
        case EXTERN_TAG: out->of.tag = inst->tags[ex->index]; break;
        }
        return true;
    }
    return false;
}

uint32_t corral_instance_memory_count(const corral_instance_t *inst)
{
    return inst->module->nmems;
}

corral_memory_t *corral_instance_memory(corral_instance_t *inst, uint32_t index)
{
    return index < inst->module->nmems ? inst->mems[index] : NULL;
}
