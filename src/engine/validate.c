/* validate.c: WebAssembly 2.0 validation, following the spec's appendix algorithm: an
 * operand stack and a control stack, kept in a Val and reused by every function body, with
 * VT_UNKNOWN values for unreachable code. decode.c calls it in module order (validate.h).
 * Bodies are read from m->bytes by a fast path for the common instructions and instr_read
 * for the rest; it never changes the Module, never allocates per instruction, and reports
 * the spec's phrase with a byte offset. */
#include "validate.h"
#include "corral.h"

#include "instr.h"
#include "lower.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

/* Not in the spec: bounds that keep a hostile module from exhausting memory or time (16 M
 * operand values, 1 M nested blocks; V8's and wasmparser's 1000 params or results per type,
 * since one instruction may move that many values). Compilers stay far below them. */
#define MAX_VALUES (1u << 24)
#define MAX_DEPTH (1u << 20)
#define MAX_ARITY 1000u

/* Bodies with at most this many locals get a flat array of local types (one byte each);
 * bigger ones use a binary search over the run-length declarations. */
#define FLAT_LOCALS (1u << 16)

#define VT_UNKNOWN 0 /* any type: popped from the polymorphic stack of unreachable code */
#define MAX_PAGES 65536u
#define MAX_PAGES64 ((uint64_t)1 << 48) /* memory64's bound */

typedef enum { V_OK = 0, V_ERR = 1 } VStatus;
#define V_WARN __attribute__((warn_unused_result))

/* A control frame: the block's signature, the operand height at entry, and whether the
 * rest of the block is unreachable (its stack is then polymorphic below `height`). */
typedef struct Frame {
    const ValType *params, *results;
    uint32_t nparams, nresults;
    uint32_t height;
    uint32_t init_height; /* Val.ninits at entry: locals set inside are unset at its end */
    uint16_t op; /* OP_BLOCK (also the function itself), OP_LOOP, OP_IF, OP_ELSE */
    bool unreachable;
} Frame;

/* A memory.init or data.drop seen before the data section's length is known. */
typedef struct DataUse {
    uint32_t off, func, idx;
} DataUse;

typedef struct Val {
    const Module *m;
    DecodeError *err;
    uint32_t func; /* function index of the body, UINT32_MAX outside bodies */
    size_t off;    /* offset of the instruction being checked */
    ValType *vals; /* operand stack */
    uint32_t nvals, cap_vals;
    /* The most values the current body may hold: MAX_VALUES, or less when its locals leave
     * less room in an interpreter frame (LOWER_MAX_FRAME_CELLS); room = min(cap, limit), the
     * bound the fast paths check. */
    uint32_t limit_vals, room_vals;
    Frame *ctrl; /* control stack */
    uint32_t nctrl, cap_ctrl;
    /* Locals of the current body: params, then decls (decl_end[i] = running total). */
    const ValType *params;
    uint32_t nparams;
    const Code *code;
    uint64_t *decl_end;
    uint32_t cap_decls;
    ValType *ltypes; /* every local's type (params first) when there are at most FLAT_LOCALS */
    uint32_t nltypes;
    bool flat;       /* ltypes is in use for the current body */
    /* Non-defaultable locals ((ref ht), typed function references): when the body has any
     * (nondef), linit[i] says local i is set on every path here, and inits lists the locals
     * set since, in order, so a block's end unsets those set inside it (the spec's rule). */
    bool nondef;
    uint8_t *linit;
    uint32_t cap_linit;
    uint32_t *inits;
    uint32_t ninits, cap_inits;
    DataUse *uses;   /* memory.init and data.drop in a module without a data count section */
    uint32_t nuses, cap_uses;
    uint8_t *refs;  /* bitmap over function indices: C.refs */
    uint32_t body;  /* index in m->codes of the body being checked */
    bool mem0_is64; /* memory 0 is a 64-bit memory: its accesses take the generic path */
    bool malformed; /* the error is one the spec's decoder reports (binary format) */
} Val;

typedef VStatus (*Handler)(Val *v, const Instr *in);
static V_WARN VStatus feature_off(Val *v, const Instr *in);

/* ---- errors ---- */

static VStatus fail(Val *v, size_t off, const char *msg)
{
    v->err->msg = msg;
    v->err->offset = off;
    v->err->func = v->func;
    return V_ERR;
}

static VStatus fail_idx(Val *v, size_t off, const char *what, uint32_t idx)
{
    snprintf(v->err->buf, sizeof v->err->buf, "%s %u", what, idx);
    return fail(v, off, v->err->buf);
}

static VStatus mismatch(Val *v)
{
    return fail(v, v->off, "type mismatch");
}

/* Appends " [t0 t1 ...]" naming n types to buf (of cap bytes, NUL-terminated). */
static void append_types(char *buf, size_t cap, const ValType *t, uint32_t n)
{
    size_t len = strlen(buf);
    len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, " [");
    for (uint32_t i = 0; i < n && len < cap; i++) {
        char name[48];
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? " " : "",
                                t[i] == VT_UNKNOWN ? "_" : valtype_str(t[i], name, sizeof name));
    }
    if (len < cap)
        snprintf(buf + len, cap - len, "]");
}

/* "type mismatch: WHAT requires [want] but stack has [have]", the reference interpreter's
 * words, naming the types expected and the values there. */
static VStatus mismatch_detail(Val *v, const char *what, const ValType *want, uint32_t nwant,
                               const ValType *have, uint32_t nhave)
{
    char *b = v->err->buf;
    size_t cap = sizeof v->err->buf;
    snprintf(b, cap, "type mismatch: %s requires", what);
    append_types(b, cap, want, nwant);
    snprintf(b + strlen(b), cap - strlen(b), " but stack has");
    append_types(b, cap, have, nhave);
    return fail(v, v->off, b);
}

/* Errors the spec's decoder would raise: they win over any validation error (see skim). */
static VStatus malformed(Val *v, size_t off, const char *msg)
{
    v->malformed = true;
    return fail(v, off, msg);
}

/* ---- fixed signatures from opcode.def, converted once (build_sigs) to type codes ---- */

typedef struct Sig {
    uint8_t np, nr;
    ValType p[4], r[2];
} Sig;

static Sig sigs[OP_COUNT];
static once_flag sigs_once = ONCE_FLAG_INIT;

static uint8_t letters_to_types(const char *s, ValType *out, size_t cap)
{
    uint8_t n = 0;
    for (; s[n]; n++) {
        assert(n < cap && valtype_from_letter(s[n]));
        out[n] = valtype_from_letter(s[n]);
    }
    (void)cap;
    return n;
}

/* ---- block types ---- */

/* One-element arrays for the single-value block types; also the non-NULL empty array. */
static const ValType single_types[] = {VT_I32, VT_I64,     VT_F32,       VT_F64,
                                       VT_V128, VT_FUNCREF, VT_EXTERNREF, VT_EXNREF};

/* Stable one-element arrays of the abstract reference types: [code - 0x69][nonnull]. */
static const ValType abstract_refs[12][2] = {
#define AR(c) {c, c | VT_NONNULL}
    AR(0x69), AR(0x6a), AR(0x6b), AR(0x6c), AR(0x6d), AR(0x6e),
    AR(0x6f), AR(0x70), AR(0x71), AR(0x72), AR(0x73), AR(0x74),
#undef AR
};

/* A one-element array holding reference type t (its index canonicalized), or NULL when it
 * names no type of m. */
static const ValType *ref_single(const Module *m, ValType t)
{
    bool nn = !valtype_nullable(t);
    if (!vt_is_concrete(t))
        return heap_is_abstract(vt_code(t)) ? &abstract_refs[vt_code(t) - 0x69][nn] : NULL;
    if (vt_index(t) >= m->ntypes || !m->ref_singles)
        return NULL;
    return &m->ref_singles[2 * (size_t)vt_index(t) + nn];
}

bool blocktype_sig(const Module *m, int64_t bt, uint32_t *nparams, const ValType **params,
                   uint32_t *nresults, const ValType **results)
{
    *nparams = 0;
    *params = single_types;
    *nresults = 0;
    *results = single_types;
    if (bt == BT_EMPTY)
        return true;
    if (bt >= 0) {
        if ((uint64_t)bt >= m->ntypes || m->types[bt]->kind != DT_FUNC)
            return false;
        const FuncType *t = m->types[bt];
        *nparams = t->nparams;
        *params = ft_params(t);
        *nresults = t->nresults;
        *results = ft_results(t);
        return true;
    }
    if (bt_is_ref(bt)) {
        ValType t = bt_ref(bt);
        const ValType *at = ref_single(m, t);
        if (!at)
            return false;
        module_uses(m, CORRAL_FEATURE_FUNCTION_REFERENCES);
        *nresults = 1;
        *results = at;
        return true;
    }
    for (size_t i = 0; i < sizeof single_types / sizeof *single_types; i++) {
        if (bt == (int64_t)single_types[i] - 0x80) {
            if ((single_types[i] == VT_EXNREF && !(m->features & CORRAL_FEATURE_EXCEPTIONS)) ||
                (single_types[i] == VT_V128 && !(m->features & CORRAL_FEATURE_SIMD)))
                return false;
            *nresults = 1;
            *results = &single_types[i];
            return true;
        }
    }
    return false;
}

static bool valtype_ok(uint32_t t)
{
    return valtype_is_num((ValType)t) || valtype_is_vec((ValType)t) || valtype_is_ref((ValType)t);
}

/* ---- operand stack ---- */

static void set_limit(Val *v, uint32_t limit)
{
    v->limit_vals = limit;
    v->room_vals = v->cap_vals < limit ? v->cap_vals : limit;
}

static V_WARN VStatus reserve_vals(Val *v, uint32_t n)
{
    if (n <= v->room_vals - v->nvals)
        return V_OK;
    if (n > v->limit_vals - v->nvals)
        return fail(v, v->off,
                    v->limit_vals < MAX_VALUES ? "function frame too large"
                                               : "too many values on the operand stack");
    uint64_t cap = (uint64_t)v->cap_vals * 2;
    if (cap < (uint64_t)v->nvals + n)
        cap = (uint64_t)v->nvals + n;
    if (cap > MAX_VALUES)
        cap = MAX_VALUES;
    ValType *p = realloc(v->vals, (size_t)cap * sizeof *p);
    if (!p)
        return fail(v, v->off, "out of memory");
    v->vals = p;
    v->cap_vals = (uint32_t)cap;
    set_limit(v, v->limit_vals);
    return V_OK;
}

static inline Frame *top(Val *v)
{
    return &v->ctrl[v->nctrl - 1];
}

static V_WARN VStatus push(Val *v, ValType t)
{
    if (v->nvals == v->room_vals && reserve_vals(v, 1))
        return V_ERR;
    v->vals[v->nvals++] = t;
    return V_OK;
}

static V_WARN VStatus push_types(Val *v, const ValType *t, uint32_t n)
{
    if (n == 0)
        return V_OK;
    if (reserve_vals(v, n))
        return V_ERR;
    memcpy(v->vals + v->nvals, t, n * sizeof *t);
    v->nvals += n;
    return V_OK;
}

/* Pops any value; *out is VT_UNKNOWN at the bottom of an unreachable block. */
static V_WARN VStatus pop_any(Val *v, ValType *out)
{
    const Frame *f = top(v);
    if (v->nvals == f->height) {
        *out = VT_UNKNOWN;
        return f->unreachable ? V_OK : mismatch(v);
    }
    *out = v->vals[--v->nvals];
    return V_OK;
}

static V_WARN VStatus pop_expect(Val *v, ValType want)
{
    ValType t;
    if (pop_any(v, &t))
        return V_ERR;
    return t == want || t == VT_UNKNOWN || valtype_sub(v->m, t, want) ? V_OK : mismatch(v);
}

/* Checks the top of the stack against t[0..n) as the spec's pop_vals would, without
 * popping. *out_have counts the values present (at most n); the others are the polymorphic
 * bottom of unreachable code, which matches anything at no cost. */
static V_WARN VStatus match_top(Val *v, const ValType *t, uint32_t n, uint32_t *out_have)
{
    const Frame *f = top(v);
    uint32_t avail = v->nvals - f->height;
    uint32_t have = avail < n ? avail : n;
    const ValType *s = v->vals + v->nvals - have;
    if (have < n && !f->unreachable)
        return mismatch_detail(v, "instruction", t, n, s, have);
    for (uint32_t i = 0; i < have; i++)
        if (s[i] != t[n - have + i] && s[i] != VT_UNKNOWN &&
            !valtype_sub(v->m, s[i], t[n - have + i]))
            return mismatch_detail(v, "instruction", t, n, s, have);
    *out_have = have;
    return V_OK;
}

/* Pops t[0..n) (t[n-1] on top). The fast path compares the top of the stack at once. */
static V_WARN VStatus pop_types(Val *v, const ValType *t, uint32_t n)
{
    uint32_t have;
    if (n == 0)
        return V_OK;
    if (n <= v->nvals - top(v)->height) {
        const ValType *s = v->vals + v->nvals - n;
        uint32_t i = 0;
        while (i < n && s[i] == t[i])
            i++;
        if (i == n) {
            v->nvals -= n;
            return V_OK;
        }
    }
    if (match_top(v, t, n, &have))
        return V_ERR;
    v->nvals -= have;
    return V_OK;
}

/* ---- control stack ---- */

static V_WARN VStatus push_ctrl(Val *v, uint16_t op, const ValType *params, uint32_t np,
                                const ValType *results, uint32_t nr)
{
    if (v->nctrl == v->cap_ctrl) {
        if (v->nctrl >= MAX_DEPTH)
            return fail(v, v->off, "blocks nested too deeply");
        uint32_t cap = v->cap_ctrl ? v->cap_ctrl * 2 : 64;
        Frame *p = realloc(v->ctrl, (size_t)cap * sizeof *p);
        if (!p)
            return fail(v, v->off, "out of memory");
        v->ctrl = p;
        v->cap_ctrl = cap;
    }
    v->ctrl[v->nctrl++] = (Frame){params, results, np, nr, v->nvals, v->ninits, op, false};
    return push_types(v, params, np);
}

static VStatus set_unreachable(Val *v)
{
    Frame *f = top(v);
    v->nvals = f->height;
    f->unreachable = true;
    return V_OK;
}

static const ValType *label_types(const Frame *f, uint32_t *n)
{
    *n = f->op == OP_LOOP ? f->nparams : f->nresults;
    return f->op == OP_LOOP ? f->params : f->results;
}

static V_WARN VStatus label(Val *v, uint32_t depth, const Frame **out)
{
    if (depth >= v->nctrl)
        return fail_idx(v, v->off, "unknown label", depth);
    *out = &v->ctrl[v->nctrl - 1 - depth];
    return V_OK;
}

/* ---- control instructions ---- */

static V_WARN VStatus enter_block(Val *v, const Instr *in)
{
    uint32_t np, nr;
    const ValType *p, *r;
    if (!blocktype_sig(v->m, in->blocktype, &np, &p, &nr, &r))
        return fail(v, in->off, "unknown type");
    if (pop_types(v, p, np))
        return V_ERR;
    return push_ctrl(v, in->op, p, np, r, nr);
}

static VStatus op_block(Val *v, const Instr *in)
{
    return enter_block(v, in);
}

static VStatus op_if(Val *v, const Instr *in)
{
    uint32_t np, nr;
    const ValType *p, *r;
    /* an unknown block type is reported before the condition is looked at */
    if ((in->blocktype >= 0 || bt_is_ref(in->blocktype)) &&
        !blocktype_sig(v->m, in->blocktype, &np, &p, &nr, &r))
        return fail(v, in->off, "unknown type");
    if (pop_expect(v, VT_I32))
        return V_ERR;
    return enter_block(v, in);
}

/* Unsets the non-defaultable locals set since the frame's entry. */
static void reset_inits(Val *v, const Frame *f)
{
    while (v->ninits > f->init_height)
        v->linit[v->inits[--v->ninits]] = 0;
}

/* Checks that the block's results are exactly what is left above its entry height. */
static V_WARN VStatus close_block(Val *v, const Frame *f)
{
    if (pop_types(v, f->results, f->nresults))
        return V_ERR;
    if (v->nvals == f->height)
        return V_OK;
    return mismatch_detail(v, "block", f->results, f->nresults, v->vals + f->height,
                           v->nvals - f->height);
}

static VStatus op_else(Val *v, const Instr *in)
{
    Frame *f = top(v);
    /* The reference decoder ends the enclosing instruction sequence at a stray else. */
    if (f->op != OP_IF)
        return malformed(v, in->off, "END opcode expected");
    if (close_block(v, f))
        return V_ERR;
    f->op = OP_ELSE;
    f->unreachable = false;
    reset_inits(v, f);
    return push_types(v, f->params, f->nparams);
}

static VStatus op_end(Val *v, const Instr *in)
{
    (void)in;
    Frame f = *top(v);
    if (close_block(v, &f))
        return V_ERR;
    /* An if without else behaves as if its else passed the params through. */
    if (f.op == OP_IF) {
        if (f.nparams != f.nresults)
            return mismatch(v);
        for (uint32_t i = 0; i < f.nparams; i++)
            if (!valtype_sub(v->m, f.params[i], f.results[i]))
                return mismatch(v);
    }
    reset_inits(v, &f);
    v->nctrl--;
    return v->nctrl ? push_types(v, f.results, f.nresults) : V_OK;
}

static VStatus op_br(Val *v, const Instr *in)
{
    const Frame *f;
    uint32_t n;
    if (label(v, in->a, &f))
        return V_ERR;
    const ValType *t = label_types(f, &n);
    if (pop_types(v, t, n))
        return V_ERR;
    return set_unreachable(v);
}

static VStatus op_br_if(Val *v, const Instr *in)
{
    const Frame *f;
    uint32_t n;
    if (pop_expect(v, VT_I32) || label(v, in->a, &f))
        return V_ERR;
    const ValType *t = label_types(f, &n);
    if (pop_types(v, t, n))
        return V_ERR;
    return push_types(v, t, n);
}

/* The spec's push_vals(pop_vals(t)) for one br_table target: the stack keeps its values; at
 * a polymorphic bottom the missing ones come back as VT_UNKNOWN. */
static V_WARN VStatus check_label(Val *v, const ValType *t, uint32_t n)
{
    uint32_t have;
    if (match_top(v, t, n, &have))
        return V_ERR;
    uint32_t missing = n - have;
    if (!missing)
        return V_OK;
    if (reserve_vals(v, missing))
        return V_ERR;
    ValType *base = v->vals + v->nvals - have;
    memmove(base + missing, base, have * sizeof *base);
    for (uint32_t i = 0; i < missing; i++)
        base[i] = VT_UNKNOWN;
    v->nvals += missing;
    return V_OK;
}

static VStatus op_br_table(Val *v, const Instr *in)
{
    const Frame *def;
    uint32_t arity, n;
    if (pop_expect(v, VT_I32) || label(v, in->b, &def))
        return V_ERR;
    const ValType *dt = label_types(def, &arity), *last = NULL;
    const uint8_t *pos = in->tab;
    for (uint32_t i = 0; i < in->a; i++) {
        const Frame *f;
        if (label(v, instr_br_label(&pos), &f))
            return V_ERR;
        const ValType *t = label_types(f, &n);
        if (n != arity)
            return mismatch(v);
        if (t != last && check_label(v, t, n)) /* a repeated signature checks the same */
            return V_ERR;
        last = t;
    }
    if (pop_types(v, dt, arity))
        return V_ERR;
    return set_unreachable(v);
}

static VStatus op_return(Val *v, const Instr *in)
{
    (void)in;
    const Frame *f = &v->ctrl[0];
    if (pop_types(v, f->results, f->nresults))
        return V_ERR;
    return set_unreachable(v);
}

static VStatus op_unreachable(Val *v, const Instr *in)
{
    (void)in;
    return set_unreachable(v);
}

static V_WARN VStatus call_type(Val *v, const FuncType *t)
{
    if (pop_types(v, ft_params(t), t->nparams))
        return V_ERR;
    return push_types(v, ft_results(t), t->nresults);
}

static VStatus op_call(Val *v, const Instr *in)
{
    const Module *m = v->m;
    if (in->a >= m->nfuncs)
        return fail_idx(v, in->off, "unknown function", in->a);
    return call_type(v, m->types[m->func_types[in->a]]);
}

/* The address type of table idx (which exists): i64 for a 64-bit table (memory64). */
static ValType table_at(const Val *v, uint32_t idx)
{
    return v->m->tables[idx].lim.is64 ? VT_I64 : VT_I32;
}

/* call_indirect's and return_call_indirect's table, type and index operand: *out the type. */
static V_WARN VStatus indirect_type(Val *v, const Instr *in, const FuncType **out)
{
    const Module *m = v->m;
    if (in->b >= m->ntables)
        return fail_idx(v, in->off, "unknown table", in->b);
    if (in->a >= m->ntypes)
        return fail_idx(v, in->off, "unknown type", in->a);
    if (!valtype_sub(m, m->tables[in->b].elem, VT_FUNCREF) || m->types[in->a]->kind != DT_FUNC)
        return mismatch(v);
    *out = m->types[in->a];
    return pop_expect(v, table_at(v, in->b));
}

static VStatus op_call_indirect(Val *v, const Instr *in)
{
    const FuncType *t;
    return indirect_type(v, in, &t) ? V_ERR : call_type(v, t);
}

/* A tail call returns the callee's results as the caller's: the two result types must
 * match, then the call's operands are popped and the rest of the block is unreachable. */
static V_WARN VStatus tail_call_type(Val *v, const FuncType *t)
{
    const Frame *f = &v->ctrl[0];
    if (t->nresults != f->nresults)
        return mismatch(v);
    for (uint32_t i = 0; i < t->nresults; i++)
        if (!valtype_sub(v->m, ft_results(t)[i], f->results[i]))
            return mismatch(v);
    if (pop_types(v, ft_params(t), t->nparams))
        return V_ERR;
    return set_unreachable(v);
}

static VStatus op_return_call(Val *v, const Instr *in)
{
    const Module *m = v->m;
    if (in->a >= m->nfuncs)
        return fail_idx(v, in->off, "unknown function", in->a);
    return tail_call_type(v, m->types[m->func_types[in->a]]);
}

static VStatus op_return_call_indirect(Val *v, const Instr *in)
{
    const FuncType *t;
    return indirect_type(v, in, &t) ? V_ERR : tail_call_type(v, t);
}

/* ---- exception handling ---- */

static V_WARN VStatus tag_type(Val *v, uint32_t idx, const FuncType **out)
{
    const Module *m = v->m;
    if (idx >= m->ntags)
        return fail_idx(v, v->off, "unknown tag", idx);
    *out = m->types[m->tag_types[idx]];
    return V_OK;
}

static VStatus op_throw(Val *v, const Instr *in)
{
    const FuncType *t;
    if (tag_type(v, in->a, &t) || pop_types(v, ft_params(t), t->nparams))
        return V_ERR;
    return set_unreachable(v);
}

static VStatus op_throw_ref(Val *v, const Instr *in)
{
    (void)in;
    if (pop_expect(v, VT_EXNREF))
        return V_ERR;
    return set_unreachable(v);
}

/* A catch clause's label must take the tag's params (catch, catch_ref), then an exnref
 * (catch_ref, catch_all_ref). */
static V_WARN VStatus check_catch(Val *v, const Catch *c)
{
    const FuncType *t = NULL;
    const Frame *f;
    uint32_t n;
    if (c->kind < CATCH_ALL && tag_type(v, c->tag, &t))
        return V_ERR;
    if (label(v, c->label, &f))
        return V_ERR;
    const ValType *lt = label_types(f, &n);
    uint32_t np = t ? t->nparams : 0;
    bool ref = c->kind == CATCH_TAG_REF || c->kind == CATCH_ALL_REF;
    if (n != np + ref || (ref && !valtype_sub(v->m, VT_EXNREF | VT_NONNULL, lt[np])))
        return mismatch(v);
    for (uint32_t i = 0; i < np; i++)
        if (!valtype_sub(v->m, ft_params(t)[i], lt[i]))
            return mismatch(v);
    return V_OK;
}

static VStatus op_try_table(Val *v, const Instr *in)
{
    const uint8_t *pos = in->tab;
    for (uint32_t i = 0; i < in->a; i++) {
        Catch c = instr_catch(&pos);
        if (check_catch(v, &c))
            return V_ERR;
    }
    return enter_block(v, in);
}

/* Legacy: catch and catch_all end the try's body (or the previous handler) and start a
 * handler, with the tag's params (catch) or nothing (catch_all) on the stack. */
static VStatus op_catch(Val *v, const Instr *in)
{
    Frame *f = top(v);
    const FuncType *t = NULL;
    if (f->op != OP_TRY && f->op != OP_CATCH)
        return malformed(v, in->off, "catch without try");
    if (close_block(v, f))
        return V_ERR;
    if (in->op == OP_CATCH && tag_type(v, in->a, &t))
        return V_ERR;
    f->op = in->op;
    f->unreachable = false;
    reset_inits(v, f);
    return t ? push_types(v, ft_params(t), t->nparams) : V_OK;
}

static VStatus op_delegate(Val *v, const Instr *in)
{
    Frame f = *top(v);
    if (f.op != OP_TRY)
        return malformed(v, in->off, "delegate without try");
    if (close_block(v, &f))
        return V_ERR;
    reset_inits(v, &f);
    v->nctrl--;
    const Frame *target;
    if (label(v, in->a, &target))
        return V_ERR;
    return push_types(v, f.results, f.nresults);
}

static VStatus op_rethrow(Val *v, const Instr *in)
{
    const Frame *f;
    if (label(v, in->a, &f))
        return V_ERR;
    if (f->op != OP_CATCH && f->op != OP_CATCH_ALL)
        return fail(v, in->off, "invalid rethrow label");
    return set_unreachable(v);
}

/* ---- references and parametric instructions ---- */

/* A value type named by an instruction or a declaration: its concrete index must name a
 * type ("unknown type"); *out gets the canonical word. note: record the features it needs as
 * used (an element segment's (ref func), what 2.0's funcidx vectors mean in 3.0, needs
 * none). */
static V_WARN VStatus check_valtype_f(Val *v, ValType t, size_t off, ValType *out, bool note)
{
    if (vt_is_concrete(t)) {
        if (vt_index(t) >= v->m->ntypes)
            return fail_idx(v, off, "unknown type", vt_index(t));
        t = vt_concrete(v->m->canon[vt_index(t)], valtype_nullable(t));
    }
    if (vt_code(t) == HT_EXN || vt_code(t) == HT_NOEXN) {
        if (!(v->m->features & CORRAL_FEATURE_EXCEPTIONS))
            return malformed(v, off, "malformed reference type (exn: exception handling "
                                     "is switched off)");
        module_uses(v->m, CORRAL_FEATURE_EXCEPTIONS);
    }
    if (note && valtype_is_ref(t) && t != VT_FUNCREF && t != VT_EXTERNREF && t != VT_EXNREF)
        module_uses(v->m, CORRAL_FEATURE_FUNCTION_REFERENCES);
    if (valtype_is_ref(t) && valtype_kind(t) == HT_ANY)
        module_uses(v->m, CORRAL_FEATURE_GC);
    if (out)
        *out = t;
    return V_OK;
}

static V_WARN VStatus check_valtype(Val *v, ValType t, size_t off, ValType *out)
{
    return check_valtype_f(v, t, off, out, true);
}

static VStatus op_ref_null(Val *v, const Instr *in)
{
    ValType t;
    if (check_valtype(v, (ValType)in->a, in->off, &t))
        return V_ERR;
    return push(v, t);
}

/* The type of ref.func f: (ref $t) with typed function references, else funcref. */
static ValType func_ref_type(const Module *m, uint32_t f)
{
    if (!(m->features & CORRAL_FEATURE_FUNCTION_REFERENCES) || m->func_types[f] >= m->ntypes)
        return VT_FUNCREF;
    return vt_concrete(m->canon[m->func_types[f]], false);
}

static VStatus op_ref_as_non_null(Val *v, const Instr *in)
{
    (void)in;
    ValType t;
    if (pop_any(v, &t))
        return V_ERR;
    if (t == VT_UNKNOWN)
        return push(v, VT_UNKNOWN);
    if (!valtype_is_ref(t))
        return mismatch(v);
    return push(v, t | VT_NONNULL);
}

/* br_on_null l: [t* (ref null ht)] -> [t* (ref ht)], branching with t* on null. */
static VStatus op_br_on_null(Val *v, const Instr *in)
{
    const Frame *f;
    uint32_t n;
    ValType t;
    if (label(v, in->a, &f) || pop_any(v, &t))
        return V_ERR;
    if (t != VT_UNKNOWN && !valtype_is_ref(t))
        return mismatch(v);
    const ValType *lt = label_types(f, &n);
    if (pop_types(v, lt, n) || push_types(v, lt, n))
        return V_ERR;
    return push(v, t == VT_UNKNOWN ? VT_UNKNOWN : t | VT_NONNULL);
}

/* br_on_non_null l: [t* (ref null ht)] -> [t*], branching with t* (ref ht) when not null:
 * the label's last type is a reference type the operand's non-null form matches. */
static VStatus op_br_on_non_null(Val *v, const Instr *in)
{
    const Frame *f;
    uint32_t n;
    ValType t;
    if (label(v, in->a, &f))
        return V_ERR;
    const ValType *lt = label_types(f, &n);
    if (n == 0 || !valtype_is_ref(lt[n - 1]))
        return mismatch(v);
    if (pop_any(v, &t))
        return V_ERR;
    if (t != VT_UNKNOWN && (!valtype_is_ref(t) || !valtype_sub(v->m, t | VT_NONNULL, lt[n - 1])))
        return mismatch(v);
    if (pop_types(v, lt, n - 1) || push_types(v, lt, n - 1))
        return V_ERR;
    return V_OK;
}

/* call_ref's and return_call_ref's type and operand: a (ref null $t). */
static V_WARN VStatus ref_call_type(Val *v, const Instr *in, const FuncType **out)
{
    const Module *m = v->m;
    if (in->a >= m->ntypes)
        return fail_idx(v, in->off, "unknown type", in->a);
    if (m->types[in->a]->kind != DT_FUNC)
        return mismatch(v);
    *out = m->types[in->a];
    return pop_expect(v, vt_concrete(m->canon[in->a], true));
}

static VStatus op_call_ref(Val *v, const Instr *in)
{
    const FuncType *t;
    return ref_call_type(v, in, &t) ? V_ERR : call_type(v, t);
}

static VStatus op_return_call_ref(Val *v, const Instr *in)
{
    const FuncType *t;
    if (!(v->m->features & CORRAL_FEATURE_TAIL_CALL))
        return feature_off(v, in);
    module_uses(v->m, CORRAL_FEATURE_TAIL_CALL);
    return ref_call_type(v, in, &t) ? V_ERR : tail_call_type(v, t);
}

static VStatus op_ref_is_null(Val *v, const Instr *in)
{
    (void)in;
    ValType t;
    if (pop_any(v, &t))
        return V_ERR;
    if (t != VT_UNKNOWN && !valtype_is_ref(t))
        return mismatch(v);
    return push(v, VT_I32);
}

static bool is_ref_declared(const Val *v, uint32_t f)
{
    return v->refs[f >> 3] >> (f & 7) & 1;
}

static VStatus op_ref_func(Val *v, const Instr *in)
{
    if (in->a >= v->m->nfuncs)
        return fail_idx(v, in->off, "unknown function", in->a);
    if (!is_ref_declared(v, in->a))
        return fail(v, in->off, "undeclared function reference");
    return push(v, func_ref_type(v->m, in->a));
}

static VStatus op_drop(Val *v, const Instr *in)
{
    (void)in;
    ValType t;
    return pop_any(v, &t);
}

static VStatus op_select(Val *v, const Instr *in)
{
    (void)in;
    ValType t1, t2;
    if (pop_expect(v, VT_I32) || pop_any(v, &t1) || pop_any(v, &t2))
        return V_ERR;
    bool num1 = t1 == VT_UNKNOWN || valtype_is_num(t1) || valtype_is_vec(t1);
    bool num2 = t2 == VT_UNKNOWN || valtype_is_num(t2) || valtype_is_vec(t2);
    if (!num1 || !num2 || (t1 != t2 && t1 != VT_UNKNOWN && t2 != VT_UNKNOWN))
        return mismatch(v);
    return push(v, t1 == VT_UNKNOWN ? t2 : t1);
}

static VStatus op_select_t(Val *v, const Instr *in)
{
    if (in->a != 1)
        return fail(v, in->off, "invalid result arity");
    if (!valtype_ok(in->b) || (in->b == VT_V128 && !(v->m->features & CORRAL_FEATURE_SIMD)) ||
        (in->b == VT_EXNREF && !(v->m->features & CORRAL_FEATURE_EXCEPTIONS)))
        return malformed(v, in->off, "malformed value type");
    ValType t;
    if (check_valtype(v, (ValType)in->b, in->off, &t))
        return V_ERR;
    if (pop_expect(v, VT_I32) || pop_expect(v, t) || pop_expect(v, t))
        return V_ERR;
    return push(v, t);
}

/* ---- variables ---- */

static V_WARN VStatus local_type(Val *v, uint32_t idx, ValType *out)
{
    if (v->flat) {
        if (idx >= v->nltypes)
            return fail_idx(v, v->off, "unknown local", idx);
        *out = v->ltypes[idx];
        return V_OK;
    }
    if (idx < v->nparams) {
        *out = v->params[idx];
        return V_OK;
    }
    uint64_t i = (uint64_t)idx - v->nparams;
    const Code *c = v->code;
    if (c->ndecls == 0 || i >= v->decl_end[c->ndecls - 1])
        return fail_idx(v, v->off, "unknown local", idx);
    uint32_t lo = 0, hi = c->ndecls - 1; /* first decl whose end is past i */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v->decl_end[mid] > i)
            hi = mid;
        else
            lo = mid + 1;
    }
    *out = c->decls[lo].type;
    return V_OK;
}

/* Records that local idx (which exists) is set, for a body with non-defaultable locals. */
static V_WARN VStatus set_local_init(Val *v, uint32_t idx)
{
    if (!v->nondef || v->linit[idx])
        return V_OK;
    if (v->ninits == v->cap_inits) {
        uint32_t cap = v->cap_inits ? v->cap_inits * 2 : 16;
        uint32_t *p = realloc(v->inits, (size_t)cap * sizeof *p);
        if (!p)
            return fail(v, v->off, "out of memory");
        v->inits = p;
        v->cap_inits = cap;
    }
    v->inits[v->ninits++] = idx;
    v->linit[idx] = 1;
    return V_OK;
}

static VStatus op_local_get(Val *v, const Instr *in)
{
    ValType t;
    if (local_type(v, in->a, &t))
        return V_ERR;
    if (v->nondef && !v->linit[in->a])
        return fail(v, in->off, "uninitialized local");
    return push(v, t);
}

static VStatus op_local_set(Val *v, const Instr *in)
{
    ValType t;
    if (local_type(v, in->a, &t) || pop_expect(v, t))
        return V_ERR;
    return set_local_init(v, in->a);
}

static VStatus op_local_tee(Val *v, const Instr *in)
{
    ValType t;
    if (local_type(v, in->a, &t) || pop_expect(v, t) || set_local_init(v, in->a))
        return V_ERR;
    return push(v, t);
}

static V_WARN VStatus global(Val *v, uint32_t idx, const GlobalType **out)
{
    if (idx >= v->m->nglobals)
        return fail_idx(v, v->off, "unknown global", idx);
    *out = &v->m->globals[idx].type;
    return V_OK;
}

static VStatus op_global_get(Val *v, const Instr *in)
{
    const GlobalType *g = NULL;
    return global(v, in->a, &g) ? V_ERR : push(v, g->type);
}

static VStatus op_global_set(Val *v, const Instr *in)
{
    const GlobalType *g = NULL;
    if (global(v, in->a, &g))
        return V_ERR;
    if (!g->mut) /* the 3.0 suite's phrase when a 3.0 feature is on, the 2.0 suite's else */
        return fail(v, in->off, v->m->features & ~CORRAL_FEATURES_2_0 ? "immutable global"
                                                                    : "global is immutable");
    return pop_expect(v, g->type);
}

/* ---- tables, memories, segments ---- */

static V_WARN VStatus table(Val *v, uint32_t idx, ValType *out_elem)
{
    if (idx >= v->m->ntables)
        return fail_idx(v, v->off, "unknown table", idx);
    *out_elem = v->m->tables[idx].elem;
    return V_OK;
}


static V_WARN VStatus elem_seg(Val *v, uint32_t idx, ValType *out_type)
{
    if (idx >= v->m->nelems)
        return fail_idx(v, v->off, "unknown elem segment", idx);
    *out_type = v->m->elems[idx].type;
    return V_OK;
}

/* ---- garbage collection ---- */

/* Defined type idx of kind `kind` (DT_STRUCT, DT_ARRAY): *out its type. */
static V_WARN VStatus gc_type(Val *v, uint32_t idx, uint8_t kind, const FuncType **out)
{
    if (idx >= v->m->ntypes)
        return fail_idx(v, v->off, "unknown type", idx);
    *out = v->m->types[idx];
    return (*out)->kind == kind ? V_OK : mismatch(v);
}

static ValType gc_ref(const Val *v, uint32_t idx, bool nullable)
{
    return vt_concrete(v->m->canon[idx], nullable);
}

static V_WARN VStatus pop_fields(Val *v, const FuncType *t)
{
    for (uint32_t i = t->nparams; i-- > 0;)
        if (pop_expect(v, storage_unpacked(t->types[i])))
            return V_ERR;
    return V_OK;
}

static VStatus op_struct_new(Val *v, const Instr *in)
{
    const FuncType *t;
    if (gc_type(v, in->a, DT_STRUCT, &t) || pop_fields(v, t))
        return V_ERR;
    return push(v, gc_ref(v, in->a, false));
}

static VStatus op_struct_new_default(Val *v, const Instr *in)
{
    const FuncType *t;
    if (gc_type(v, in->a, DT_STRUCT, &t))
        return V_ERR;
    for (uint32_t i = 0; i < t->nparams; i++)
        if (!valtype_defaultable(t->types[i]))
            return fail(v, in->off, "type mismatch: a field type is not defaultable");
    return push(v, gc_ref(v, in->a, false));
}

/* struct.get*, struct.set's type and field: *st the field's storage type. */
static V_WARN VStatus struct_field(Val *v, const Instr *in, ValType *st, bool *mut)
{
    const FuncType *t;
    if (gc_type(v, in->a, DT_STRUCT, &t))
        return V_ERR;
    if (in->b >= t->nparams)
        return fail_idx(v, in->off, "unknown field", in->b);
    *st = t->types[in->b];
    *mut = field_mutable(t, in->b);
    return V_OK;
}

static bool packed(ValType st) { return st == ST_I8 || st == ST_I16; }

static VStatus op_struct_get(Val *v, const Instr *in)
{
    ValType st;
    bool mut;
    if (struct_field(v, in, &st, &mut))
        return V_ERR;
    if (packed(st) != (in->op != OP_STRUCT_GET))
        return mismatch(v);
    if (pop_expect(v, gc_ref(v, in->a, true)))
        return V_ERR;
    return push(v, storage_unpacked(st));
}

static VStatus op_struct_set(Val *v, const Instr *in)
{
    ValType st;
    bool mut;
    if (struct_field(v, in, &st, &mut))
        return V_ERR;
    if (!mut)
        return fail(v, in->off, "immutable field");
    if (pop_expect(v, storage_unpacked(st)))
        return V_ERR;
    return pop_expect(v, gc_ref(v, in->a, true));
}

static VStatus op_array_new(Val *v, const Instr *in)
{
    const FuncType *t;
    if (gc_type(v, in->a, DT_ARRAY, &t) || pop_expect(v, VT_I32))
        return V_ERR;
    if (in->op == OP_ARRAY_NEW) {
        if (pop_expect(v, storage_unpacked(t->types[0])))
            return V_ERR;
    } else if (!valtype_defaultable(t->types[0])) {
        return fail(v, in->off, "type mismatch: the element type is not defaultable");
    }
    return push(v, gc_ref(v, in->a, false));
}

/* The most operands array.new_fixed takes (as other engines: 10000). */
#define MAX_NEW_FIXED 10000u

static VStatus op_array_new_fixed(Val *v, const Instr *in)
{
    const FuncType *t;
    if (gc_type(v, in->a, DT_ARRAY, &t))
        return V_ERR;
    if (in->b > MAX_NEW_FIXED)
        return fail(v, in->off, "array.new_fixed: too many operands");
    for (uint32_t i = 0; i < in->b; i++)
        if (pop_expect(v, storage_unpacked(t->types[0])))
            return V_ERR;
    return push(v, gc_ref(v, in->a, false));
}

static VStatus chk_data(Val *v, const Instr *in);

/* array.new_data's and array.init_data's data segment (b): elements of a number or vector
 * type. */
static V_WARN VStatus array_data(Val *v, const Instr *in, const FuncType *t)
{
    ValType st = t->types[0];
    if (valtype_is_ref(st))
        return fail(v, in->off, "array type is not numeric or vector");
    Instr d = *in;
    d.a = in->b;
    return chk_data(v, &d);
}

static V_WARN VStatus array_elem(Val *v, const Instr *in, const FuncType *t)
{
    ValType et;
    if (elem_seg(v, in->b, &et))
        return V_ERR;
    return valtype_sub(v->m, et, t->types[0]) ? V_OK : mismatch(v);
}

static VStatus op_array_new_seg(Val *v, const Instr *in)
{
    const FuncType *t;
    if (gc_type(v, in->a, DT_ARRAY, &t))
        return V_ERR;
    if (in->op == OP_ARRAY_NEW_DATA ? array_data(v, in, t) : array_elem(v, in, t))
        return V_ERR;
    if (pop_expect(v, VT_I32) || pop_expect(v, VT_I32))
        return V_ERR;
    return push(v, gc_ref(v, in->a, false));
}

static V_WARN VStatus array_mut(Val *v, const Instr *in, uint32_t idx, const FuncType **t)
{
    if (gc_type(v, idx, DT_ARRAY, t))
        return V_ERR;
    return field_mutable(*t, 0) ? V_OK : fail(v, in->off, "immutable array");
}

static VStatus op_array_get(Val *v, const Instr *in)
{
    const FuncType *t;
    if (gc_type(v, in->a, DT_ARRAY, &t))
        return V_ERR;
    if (packed(t->types[0]) != (in->op != OP_ARRAY_GET))
        return mismatch(v);
    if (pop_expect(v, VT_I32) || pop_expect(v, gc_ref(v, in->a, true)))
        return V_ERR;
    return push(v, storage_unpacked(t->types[0]));
}

static VStatus op_array_set(Val *v, const Instr *in)
{
    const FuncType *t;
    if (array_mut(v, in, in->a, &t) || pop_expect(v, storage_unpacked(t->types[0])) ||
        pop_expect(v, VT_I32))
        return V_ERR;
    return pop_expect(v, gc_ref(v, in->a, true));
}

static VStatus op_array_len(Val *v, const Instr *in)
{
    (void)in;
    if (pop_expect(v, vt_ref(true, HT_ARRAY)))
        return V_ERR;
    return push(v, VT_I32);
}

static VStatus op_array_fill(Val *v, const Instr *in)
{
    const FuncType *t;
    if (array_mut(v, in, in->a, &t) || pop_expect(v, VT_I32) ||
        pop_expect(v, storage_unpacked(t->types[0])) || pop_expect(v, VT_I32))
        return V_ERR;
    return pop_expect(v, gc_ref(v, in->a, true));
}

static VStatus op_array_copy(Val *v, const Instr *in)
{
    const FuncType *d, *s;
    if (array_mut(v, in, in->a, &d) || gc_type(v, in->b, DT_ARRAY, &s))
        return V_ERR;
    ValType ds = d->types[0], ss = s->types[0];
    if (ds != ss && (packed(ds) || packed(ss) || !valtype_sub(v->m, ss, ds)))
        return fail(v, in->off, "array types do not match");
    if (pop_expect(v, VT_I32) || pop_expect(v, VT_I32) || pop_expect(v, gc_ref(v, in->b, true)) ||
        pop_expect(v, VT_I32))
        return V_ERR;
    return pop_expect(v, gc_ref(v, in->a, true));
}

static VStatus op_array_init_seg(Val *v, const Instr *in)
{
    const FuncType *t;
    if (array_mut(v, in, in->a, &t))
        return V_ERR;
    if (in->op == OP_ARRAY_INIT_DATA ? array_data(v, in, t) : array_elem(v, in, t))
        return V_ERR;
    if (pop_expect(v, VT_I32) || pop_expect(v, VT_I32) || pop_expect(v, VT_I32))
        return V_ERR;
    return pop_expect(v, gc_ref(v, in->a, true));
}

/* The top of heap type h's hierarchy: any, func, extern or exn. */
static uint32_t heap_top(const Module *m, uint32_t h)
{
    if (vt_is_concrete(h))
        return vt_index(h) < m->ntypes && m->types[vt_index(h)]->kind == DT_FUNC ? HT_FUNC
                                                                               : HT_ANY;
    switch (vt_code(h)) {
    case HT_FUNC:
    case HT_NOFUNC: return HT_FUNC;
    case HT_EXTERN:
    case HT_NOEXTERN: return HT_EXTERN;
    case HT_EXN:
    case HT_NOEXN: return HT_EXN;
    default: return HT_ANY;
    }
}

/* A cast's target type (ref null? heap), checked: *out canonical. */
static V_WARN VStatus cast_type(Val *v, const Instr *in, uint32_t heap, bool nullable,
                                ValType *out)
{
    return check_valtype(v, vt_ref(nullable, heap), in->off, out);
}

/* Pops a reference of rt's hierarchy: *out its type (VT_UNKNOWN when unreachable). */
static V_WARN VStatus pop_ref_of(Val *v, ValType rt, ValType *out)
{
    if (pop_any(v, out))
        return V_ERR;
    if (*out == VT_UNKNOWN)
        return V_OK;
    if (!valtype_is_ref(*out) || heap_top(v->m, vt_heap(*out) & ~0u) !=
                                     heap_top(v->m, vt_heap(rt)))
        return mismatch(v);
    return V_OK;
}

static VStatus op_ref_test(Val *v, const Instr *in)
{
    ValType rt, t;
    bool nullable = in->op == OP_REF_TEST_NULL || in->op == OP_REF_CAST_NULL;
    if (cast_type(v, in, in->a, nullable, &rt) || pop_ref_of(v, rt, &t))
        return V_ERR;
    if (in->op == OP_REF_TEST || in->op == OP_REF_TEST_NULL)
        return push(v, VT_I32);
    return push(v, rt);
}

/* br_on_cast l rt1 rt2: [t* rt1] -> [t* (rt1 minus rt2)], branching with rt2 when the cast
 * succeeds; br_on_cast_fail branches with (rt1 minus rt2) when it fails, else gives rt2. */
static VStatus op_br_on_cast(Val *v, const Instr *in)
{
    ValType rt1, rt2;
    const Frame *f;
    uint32_t n;
    if (label(v, in->a, &f) || cast_type(v, in, in->b, in->lane & 1, &rt1) ||
        cast_type(v, in, in->mem, in->lane & 2, &rt2))
        return V_ERR;
    if (!valtype_sub(v->m, rt2, rt1))
        return fail(v, in->off, "type mismatch: the cast's target is not a subtype of its "
                                "source");
    ValType diff = valtype_nullable(rt2) ? rt1 | VT_NONNULL : rt1;
    ValType branch = in->op == OP_BR_ON_CAST ? rt2 : diff;
    ValType stay = in->op == OP_BR_ON_CAST ? diff : rt2;
    const ValType *lt = label_types(f, &n);
    if (n == 0 || !valtype_sub(v->m, branch, lt[n - 1]))
        return mismatch(v);
    if (pop_expect(v, rt1) || pop_types(v, lt, n - 1) || push_types(v, lt, n - 1))
        return V_ERR;
    return push(v, stay);
}

static VStatus op_convert(Val *v, const Instr *in)
{
    bool to_any = in->op == OP_ANY_CONVERT_EXTERN;
    ValType t;
    if (pop_any(v, &t))
        return V_ERR;
    uint32_t from = to_any ? HT_EXTERN : HT_ANY;
    if (t == VT_UNKNOWN)
        t = vt_ref(true, from);
    if (!valtype_is_ref(t) || heap_top(v->m, vt_heap(t)) != from)
        return mismatch(v);
    return push(v, vt_ref(valtype_nullable(t), to_any ? HT_ANY : HT_EXTERN));
}

static VStatus op_ref_i31(Val *v, const Instr *in)
{
    (void)in;
    return pop_expect(v, VT_I32) ? V_ERR : push(v, vt_ref(false, HT_I31));
}

static VStatus op_i31_get(Val *v, const Instr *in)
{
    (void)in;
    return pop_expect(v, vt_ref(true, HT_I31)) ? V_ERR : push(v, VT_I32);
}

static VStatus op_ref_eq(Val *v, const Instr *in)
{
    (void)in;
    if (pop_expect(v, vt_ref(true, HT_EQ)) || pop_expect(v, vt_ref(true, HT_EQ)))
        return V_ERR;
    return push(v, VT_I32);
}

/* Table instructions take indices, sizes and lengths of their table's address type. */
static VStatus op_table_get(Val *v, const Instr *in)
{
    ValType t;
    if (table(v, in->a, &t) || pop_expect(v, table_at(v, in->a)))
        return V_ERR;
    return push(v, t);
}

static VStatus op_table_set(Val *v, const Instr *in)
{
    ValType t;
    if (table(v, in->a, &t) || pop_expect(v, t))
        return V_ERR;
    return pop_expect(v, table_at(v, in->a));
}

static VStatus op_table_grow(Val *v, const Instr *in)
{
    ValType t;
    if (table(v, in->a, &t) || pop_expect(v, table_at(v, in->a)) || pop_expect(v, t))
        return V_ERR;
    return push(v, table_at(v, in->a));
}

static VStatus op_table_fill(Val *v, const Instr *in)
{
    ValType t;
    if (table(v, in->a, &t) || pop_expect(v, table_at(v, in->a)) || pop_expect(v, t))
        return V_ERR;
    return pop_expect(v, table_at(v, in->a));
}

static VStatus op_table_size(Val *v, const Instr *in)
{
    ValType t;
    return table(v, in->a, &t) ? V_ERR : push(v, table_at(v, in->a));
}

/* The length is an i64 only when both tables are 64-bit. */
static VStatus op_table_copy(Val *v, const Instr *in)
{
    ValType dst, src;
    if (table(v, in->a, &dst) || table(v, in->b, &src))
        return V_ERR;
    if (!valtype_sub(v->m, src, dst))
        return mismatch(v);
    ValType dt = table_at(v, in->a), st = table_at(v, in->b);
    if (pop_expect(v, dt == VT_I64 && st == VT_I64 ? VT_I64 : VT_I32) || pop_expect(v, st))
        return V_ERR;
    return pop_expect(v, dt);
}

static VStatus op_table_init(Val *v, const Instr *in)
{
    ValType tt, et;
    if (table(v, in->b, &tt) || elem_seg(v, in->a, &et))
        return V_ERR;
    if (!valtype_sub(v->m, et, tt))
        return mismatch(v);
    if (pop_expect(v, VT_I32) || pop_expect(v, VT_I32))
        return V_ERR;
    return pop_expect(v, table_at(v, in->b));
}

/* Index checks of instructions whose operands are the fixed signature of opcode.def. */

/* Memory idx, or "unknown memory"; *out_at is its address type (i64 for memory64). */
static V_WARN VStatus memory(Val *v, uint32_t idx, ValType *out_at)
{
    if (idx >= v->m->nmems)
        return fail_idx(v, v->off, "unknown memory", idx);
    *out_at = v->m->mems[idx].lim.is64 ? VT_I64 : VT_I32;
    return V_OK;
}

static VStatus chk_memarg(Val *v, const Instr *in)
{
    ValType at;
    if (memory(v, in->mem, &at))
        return V_ERR;
    if (in->a > op_info[in->op].align)
        return fail(v, in->off, "alignment must not be larger than natural");
    if (at == VT_I32 && in->offset > UINT32_MAX)
        return fail(v, in->off, "offset out of range");
    return V_OK;
}

/* A lane immediate below the shape's lane count. */
static VStatus chk_lane(Val *v, const Instr *in)
{
    return in->lane < instr_lane_count(in->op) ? V_OK : fail(v, in->off, "invalid lane index");
}

static VStatus chk_memarg_lane(Val *v, const Instr *in)
{
    return chk_memarg(v, in) ? V_ERR : chk_lane(v, in);
}

/* Lane indices of i8x16.shuffle select from the 32 bytes of both operands. */
static VStatus chk_shuffle(Val *v, const Instr *in)
{
    for (int i = 0; i < 16; i++)
        if (in->tab[i] >= 32)
            return fail(v, in->off, "invalid lane index");
    return V_OK;
}

/* Without a data count section, whether memory.init and data.drop are malformed ("data
 * count section required") or name an unknown segment depends on the data section, which
 * follows the bodies: each use is noted and judged by validate_data_uses. Modules converted
 * from text lack the section when they have no data, and the spec tests then expect
 * "unknown data segment". */
static VStatus note_data_use(Val *v, const Instr *in)
{
    if (v->nuses == v->cap_uses) {
        uint32_t cap = v->cap_uses ? v->cap_uses * 2 : 8;
        DataUse *p = realloc(v->uses, (size_t)cap * sizeof *p);
        if (!p)
            return fail(v, in->off, "out of memory");
        v->uses = p;
        v->cap_uses = cap;
    }
    v->uses[v->nuses++] = (DataUse){(uint32_t)in->off, v->func, in->a};
    return V_OK;
}

static VStatus chk_data(Val *v, const Instr *in)
{
    const Module *m = v->m;
    if (!m->has_datacount)
        return note_data_use(v, in);
    if (in->a >= m->datacount)
        return fail_idx(v, in->off, "unknown data segment", in->a);
    return V_OK;
}

/* memory.size, memory.grow, memory.fill, memory.copy and memory.init: typed by the address
 * types of their memories (i64 for memory64). */
static VStatus op_memory_size(Val *v, const Instr *in)
{
    ValType at;
    return memory(v, in->mem, &at) ? V_ERR : push(v, at);
}

static VStatus op_memory_grow(Val *v, const Instr *in)
{
    ValType at;
    if (memory(v, in->mem, &at) || pop_expect(v, at))
        return V_ERR;
    return push(v, at);
}

static VStatus op_memory_fill(Val *v, const Instr *in)
{
    ValType at;
    if (memory(v, in->mem, &at) || pop_expect(v, at) || pop_expect(v, VT_I32))
        return V_ERR;
    return pop_expect(v, at);
}

/* The length is an i64 only when both memories are 64-bit. */
static VStatus op_memory_copy(Val *v, const Instr *in)
{
    ValType dt, st;
    if (memory(v, in->mem, &dt) || memory(v, in->a, &st))
        return V_ERR;
    ValType nt = dt == VT_I64 && st == VT_I64 ? VT_I64 : VT_I32;
    if (pop_expect(v, nt) || pop_expect(v, st))
        return V_ERR;
    return pop_expect(v, dt);
}

static VStatus op_memory_init(Val *v, const Instr *in)
{
    ValType at;
    if (memory(v, in->mem, &at) || chk_data(v, in))
        return V_ERR;
    if (pop_expect(v, VT_I32) || pop_expect(v, VT_I32))
        return V_ERR;
    return pop_expect(v, at);
}

static VStatus chk_table(Val *v, const Instr *in)
{
    ValType t;
    return table(v, in->a, &t);
}

static VStatus chk_elem(Val *v, const Instr *in)
{
    ValType t;
    return elem_seg(v, in->a, &t);
}


static const Handler imm_checks[] = {
    [IMM_MEMARG] = chk_memarg,
    [IMM_LANE] = chk_lane,
    [IMM_MEMARG_LANE] = chk_memarg_lane,
    [IMM_SHUFFLE] = chk_shuffle,
    [IMM_DATA] = chk_data,
    [IMM_TABLE] = chk_table,
    [IMM_ELEM] = chk_elem,
};

/* Instructions whose typing is not a fixed signature (NULL params in opcode.def). */
static const Handler handlers[OP_COUNT] = {
    [OP_UNREACHABLE] = op_unreachable,
    [OP_BLOCK] = op_block,
    [OP_LOOP] = op_block,
    [OP_IF] = op_if,
    [OP_ELSE] = op_else,
    [OP_END] = op_end,
    [OP_BR] = op_br,
    [OP_BR_IF] = op_br_if,
    [OP_BR_TABLE] = op_br_table,
    [OP_RETURN] = op_return,
    [OP_CALL] = op_call,
    [OP_CALL_INDIRECT] = op_call_indirect,
    [OP_RETURN_CALL] = op_return_call,
    [OP_RETURN_CALL_INDIRECT] = op_return_call_indirect,
    [OP_REF_NULL] = op_ref_null,
    [OP_REF_IS_NULL] = op_ref_is_null,
    [OP_REF_FUNC] = op_ref_func,
    [OP_REF_AS_NON_NULL] = op_ref_as_non_null,
    [OP_BR_ON_NULL] = op_br_on_null,
    [OP_BR_ON_NON_NULL] = op_br_on_non_null,
    [OP_CALL_REF] = op_call_ref,
    [OP_RETURN_CALL_REF] = op_return_call_ref,
    [OP_DROP] = op_drop,
    [OP_SELECT] = op_select,
    [OP_SELECT_T] = op_select_t,
    [OP_LOCAL_GET] = op_local_get,
    [OP_LOCAL_SET] = op_local_set,
    [OP_LOCAL_TEE] = op_local_tee,
    [OP_GLOBAL_GET] = op_global_get,
    [OP_GLOBAL_SET] = op_global_set,
    [OP_TABLE_GET] = op_table_get,
    [OP_TABLE_SET] = op_table_set,
    [OP_TABLE_GROW] = op_table_grow,
    [OP_TABLE_FILL] = op_table_fill,
    [OP_THROW] = op_throw,
    [OP_THROW_REF] = op_throw_ref,
    [OP_TRY_TABLE] = op_try_table,
    [OP_TRY] = op_block,
    [OP_CATCH] = op_catch,
    [OP_CATCH_ALL] = op_catch,
    [OP_DELEGATE] = op_delegate,
    [OP_RETHROW] = op_rethrow,
    [OP_TABLE_SIZE] = op_table_size,
    [OP_TABLE_COPY] = op_table_copy,
    [OP_TABLE_INIT] = op_table_init,
    [OP_MEMORY_SIZE] = op_memory_size,
    [OP_MEMORY_GROW] = op_memory_grow,
    [OP_MEMORY_FILL] = op_memory_fill,
    [OP_MEMORY_COPY] = op_memory_copy,
    [OP_MEMORY_INIT] = op_memory_init,
    [OP_REF_EQ] = op_ref_eq,
    [OP_STRUCT_NEW] = op_struct_new,
    [OP_STRUCT_NEW_DEFAULT] = op_struct_new_default,
    [OP_STRUCT_GET] = op_struct_get,
    [OP_STRUCT_GET_S] = op_struct_get,
    [OP_STRUCT_GET_U] = op_struct_get,
    [OP_STRUCT_SET] = op_struct_set,
    [OP_ARRAY_NEW] = op_array_new,
    [OP_ARRAY_NEW_DEFAULT] = op_array_new,
    [OP_ARRAY_NEW_FIXED] = op_array_new_fixed,
    [OP_ARRAY_NEW_DATA] = op_array_new_seg,
    [OP_ARRAY_NEW_ELEM] = op_array_new_seg,
    [OP_ARRAY_GET] = op_array_get,
    [OP_ARRAY_GET_S] = op_array_get,
    [OP_ARRAY_GET_U] = op_array_get,
    [OP_ARRAY_SET] = op_array_set,
    [OP_ARRAY_LEN] = op_array_len,
    [OP_ARRAY_FILL] = op_array_fill,
    [OP_ARRAY_COPY] = op_array_copy,
    [OP_ARRAY_INIT_DATA] = op_array_init_seg,
    [OP_ARRAY_INIT_ELEM] = op_array_init_seg,
    [OP_REF_TEST] = op_ref_test,
    [OP_REF_TEST_NULL] = op_ref_test,
    [OP_REF_CAST] = op_ref_test,
    [OP_REF_CAST_NULL] = op_ref_test,
    [OP_BR_ON_CAST] = op_br_on_cast,
    [OP_BR_ON_CAST_FAIL] = op_br_on_cast,
    [OP_ANY_CONVERT_EXTERN] = op_convert,
    [OP_EXTERN_CONVERT_ANY] = op_convert,
    [OP_REF_I31] = op_ref_i31,
    [OP_I31_GET_S] = op_i31_get,
    [OP_I31_GET_U] = op_i31_get,
};

static void build_fast(void);

static void build_sigs(void)
{
    for (int op = 0; op < OP_COUNT; op++) {
        assert(op_info[op].params || handlers[op]); /* every op is typed somewhere */
        if (!op_info[op].params)
            continue;
        sigs[op].np = letters_to_types(op_info[op].params, sigs[op].p, sizeof sigs[op].p);
        sigs[op].nr = letters_to_types(op_info[op].results, sigs[op].r, sizeof sigs[op].r);
    }
    build_fast();
}

static V_WARN VStatus op_fixed(Val *v, const Instr *in)
{
    uint8_t imm = op_info[in->op].imm;
    Handler chk = imm < sizeof imm_checks / sizeof *imm_checks ? imm_checks[imm] : NULL;
    if (chk && chk(v, in))
        return V_ERR;
    const Sig *s = &sigs[in->op];
    if ((imm == IMM_MEMARG || imm == IMM_MEMARG_LANE) && v->m->mems[in->mem].lim.is64) {
        Sig s64 = *s; /* a 64-bit memory's address (always the first operand) is an i64 */
        s64.p[0] = VT_I64;
        if (pop_types(v, s64.p, s64.np))
            return V_ERR;
        return push_types(v, s->r, s->nr);
    }
    if (pop_types(v, s->p, s->np))
        return V_ERR;
    return push_types(v, s->r, s->nr);
}

/* ---- the fast path: the instructions that make up most code, typed inline ---- */

/* How run_body_fast handles an opcode byte. Anything with an immediate it cannot take in one
 * short step (a long LEB128, a memory index) goes through instr_read and the tables above,
 * so the two paths accept and reject exactly the same bytes. */
#define FAST_KINDS(X)                                                                      \
    X(GENERIC)    /* instr_read and the tables above */                                    \
    X(PLAIN)      /* no immediate, fixed signature (numeric instructions, nop) */          \
    X(MEM)        /* memarg, fixed signature (loads and stores) */                         \
    X(LOCAL_GET)                                                                           \
    X(LOCAL_SET)                                                                           \
    X(LOCAL_TEE)                                                                           \
    X(GLOBAL_GET)                                                                          \
    X(GLOBAL_SET)                                                                          \
    X(I32_CONST)                                                                           \
    X(I64_CONST)                                                                           \
    X(CALL)                                                                                \
    X(BR)                                                                                  \
    X(BR_IF)                                                                               \
    X(BLOCK)      /* block, loop, if */                                                    \
    X(END)                                                                                 \
    X(DROP)                                                                                \
    X(NONE)       /* no immediate, typed by its handler (unreachable, return, select) */

typedef enum {
#define X(k) FK_##k,
    FAST_KINDS(X)
#undef X
} FastKind;

typedef struct Fast {
    uint8_t kind;  /* FastKind */
    uint8_t np, nr;
    uint8_t align; /* FK_MEM: natural alignment */
    ValType p[2], r;
    uint16_t op;
} Fast;

static Fast fast[256];

static void build_fast(void)
{
    static const struct {
        uint8_t code, kind;
    } special[] = {
        {0x20, FK_LOCAL_GET}, {0x21, FK_LOCAL_SET}, {0x22, FK_LOCAL_TEE}, {0x23, FK_GLOBAL_GET},
        {0x41, FK_I32_CONST}, {0x42, FK_I64_CONST}, {0x10, FK_CALL},      {0x0c, FK_BR},
        {0x0d, FK_BR_IF},     {0x02, FK_BLOCK},     {0x03, FK_BLOCK},     {0x04, FK_BLOCK},
        {0x0b, FK_END},       {0x1a, FK_DROP},      {0x00, FK_NONE},      {0x0f, FK_NONE},
        {0x1b, FK_NONE},      {0x24, FK_GLOBAL_SET},
    };
    for (int op = 0; op < OP_COUNT; op++) {
        const OpInfo *oi = &op_info[op];
        const Sig *sg = &sigs[op];
        if (oi->code >= 0x100 || !oi->params || sg->np > 2 || sg->nr > 1)
            continue;
        if (oi->imm != IMM_NONE && oi->imm != IMM_MEMARG)
            continue;
        Fast *f = &fast[oi->code];
        f->kind = oi->imm == IMM_NONE ? FK_PLAIN : FK_MEM;
        f->np = sg->np;
        f->nr = sg->nr;
        f->align = oi->align;
        memcpy(f->p, sg->p, sg->np * sizeof *sg->p);
        f->r = sg->nr ? sg->r[0] : 0;
        f->op = (uint16_t)op;
    }
    for (size_t i = 0; i < sizeof special / sizeof *special; i++)
        fast[special[i].code].kind = special[i].kind;
    for (int op = 0; op < OP_COUNT; op++)
        if (op_info[op].code < 0x100)
            fast[op_info[op].code].op = (uint16_t)op;
}

/* A u32 LEB128 inside [p, end) that the spec accepts (at most 5 bytes, no bits past 32):
 * stores it and returns the byte after it, or NULL, leaving the error to the generic path.
 * Linkers pad relocated indices to 5 bytes, so those are common. */
static inline const uint8_t *leb_u32(const uint8_t *p, const uint8_t *end, uint32_t *out)
{
    uint32_t x = 0;
    for (unsigned i = 0; i < 5 && p + i < end; i++) {
        x |= (uint32_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            if (i == 4 && p[i] > 0x0f)
                return NULL;
            *out = x;
            return p + i + 1;
        }
    }
    return NULL;
}

/* The end of a signed LEB128 of at most n bytes (5 for s32, 10 for s64) that the spec
 * accepts: the unused bits of a last byte must copy the sign bit. NULL otherwise. */
static inline const uint8_t *skip_sleb(const uint8_t *p, const uint8_t *end, unsigned n)
{
    for (unsigned i = 0; i < n && p + i < end; i++) {
        if (p[i] & 0x80)
            continue;
        if (i == n - 1) {
            /* bits used in the last byte: 32 - 28 = 4 or 64 - 63 = 1 */
            unsigned used = n == 5 ? 4 : 1;
            uint8_t high = (uint8_t)(p[i] >> (used - 1)); /* sign bit and the unused ones */
            if (high != 0 && high != (0x7f >> (used - 1)))
                return NULL;
        }
        return p + i + 1;
    }
    return NULL;
}

static inline V_WARN VStatus fast_push(Val *v, ValType t)
{
    if (v->nvals < v->room_vals) {
        v->vals[v->nvals++] = t;
        return V_OK;
    }
    return push(v, t);
}

/* Pops f's params and pushes its result, comparing the top of the stack at once. */
static inline V_WARN VStatus fast_sig(Val *v, const Fast *f)
{
    uint32_t n = v->nvals;
    if (n - v->ctrl[v->nctrl - 1].height >= f->np && n < v->room_vals) {
        const ValType *top = v->vals + n;
        if ((f->np < 1 || top[-1] == f->p[f->np - 1]) && (f->np < 2 || top[-2] == f->p[0])) {
            n -= f->np;
            if (f->nr)
                v->vals[n++] = f->r;
            v->nvals = n;
            return V_OK;
        }
    }
    const Sig *sg = &sigs[f->op];
    if (pop_types(v, sg->p, sg->np))
        return V_ERR;
    return push_types(v, sg->r, sg->nr);
}

/* One function per kind: the instruction at p by the fast path. Each returns the byte after
 * it, p itself when the instruction needs the generic path, or NULL on a validation error. */
typedef const uint8_t *FastFn(Val *v, const Fast *f, const uint8_t *p, const uint8_t *end);

static inline const uint8_t *fk_GENERIC(Val *v, const Fast *f, const uint8_t *p,
                                        const uint8_t *end)
{
    (void)v, (void)f, (void)end;
    return p;
}

static inline const uint8_t *fk_PLAIN(Val *v, const Fast *f, const uint8_t *p, const uint8_t *end)
{
    (void)end;
    return fast_sig(v, f) ? NULL : p + 1;
}

static inline const uint8_t *fk_MEM(Val *v, const Fast *f, const uint8_t *p, const uint8_t *end)
{
    const uint8_t *q;
    uint32_t x;
    if (p + 1 >= end || p[1] >= 0x40 || !(q = leb_u32(p + 2, end, &x)) || v->mem0_is64)
        return p; /* a long alignment, a memory index, a long offset, or memory64 */
    if (!v->m->nmems) {
        (void)fail_idx(v, v->off, "unknown memory", 0);
        return NULL;
    }
    if (p[1] > f->align) {
        (void)fail(v, v->off, "alignment must not be larger than natural");
        return NULL;
    }
    return fast_sig(v, f) ? NULL : q;
}

/* The type of local x, flat array first. */
static inline V_WARN VStatus fast_local(Val *v, uint32_t x, ValType *t)
{
    if (v->flat && x < v->nltypes) {
        *t = v->ltypes[x];
        return V_OK;
    }
    return local_type(v, x, t);
}

static inline const uint8_t *fk_LOCAL_GET(Val *v, const Fast *f, const uint8_t *p,
                                          const uint8_t *end)
{
    const uint8_t *q;
    uint32_t x;
    ValType t;
    (void)f;
    if (v->nondef || !(q = leb_u32(p + 1, end, &x)))
        return p;
    return fast_local(v, x, &t) || fast_push(v, t) ? NULL : q;
}

/* local.set and local.tee: a matching top of stack is popped (set) or left (tee). */
static inline const uint8_t *local_set_tee(Val *v, const uint8_t *p, const uint8_t *end,
                                           bool tee)
{
    const uint8_t *q;
    uint32_t x;
    ValType t;
    if (v->nondef || !(q = leb_u32(p + 1, end, &x)))
        return p;
    if (fast_local(v, x, &t))
        return NULL;
    if (v->nvals > v->ctrl[v->nctrl - 1].height && v->vals[v->nvals - 1] == t) {
        v->nvals -= !tee;
        return q;
    }
    if (pop_expect(v, t) || (tee && push(v, t)))
        return NULL;
    return q;
}

static inline const uint8_t *fk_LOCAL_SET(Val *v, const Fast *f, const uint8_t *p,
                                          const uint8_t *end)
{
    (void)f;
    return local_set_tee(v, p, end, false);
}

static inline const uint8_t *fk_LOCAL_TEE(Val *v, const Fast *f, const uint8_t *p,
                                          const uint8_t *end)
{
    (void)f;
    return local_set_tee(v, p, end, true);
}

static inline const uint8_t *fk_GLOBAL_GET(Val *v, const Fast *f, const uint8_t *p,
                                           const uint8_t *end)
{
    const GlobalType *g = NULL;
    const uint8_t *q;
    uint32_t x;
    (void)f;
    if (!(q = leb_u32(p + 1, end, &x)))
        return p;
    return global(v, x, &g) || fast_push(v, g->type) ? NULL : q;
}

/* An instruction with one u32 immediate, typed by its handler. */
static inline const uint8_t *with_index(Val *v, const uint8_t *p, const uint8_t *end, Handler h)
{
    const uint8_t *q;
    uint32_t x;
    if (!(q = leb_u32(p + 1, end, &x)))
        return p;
    Instr in = {.off = v->off, .a = x};
    return h(v, &in) ? NULL : q;
}

static inline const uint8_t *fk_GLOBAL_SET(Val *v, const Fast *f, const uint8_t *p,
                                           const uint8_t *end)
{
    (void)f;
    return with_index(v, p, end, op_global_set);
}

static inline const uint8_t *fk_I32_CONST(Val *v, const Fast *f, const uint8_t *p,
                                          const uint8_t *end)
{
    const uint8_t *q;
    (void)f;
    if (!(q = skip_sleb(p + 1, end, 5)))
        return p;
    return fast_push(v, VT_I32) ? NULL : q;
}

static inline const uint8_t *fk_I64_CONST(Val *v, const Fast *f, const uint8_t *p,
                                          const uint8_t *end)
{
    const uint8_t *q;
    (void)f;
    if (!(q = skip_sleb(p + 1, end, 10)))
        return p;
    return fast_push(v, VT_I64) ? NULL : q;
}

static inline const uint8_t *fk_CALL(Val *v, const Fast *f, const uint8_t *p, const uint8_t *end)
{
    const uint8_t *q;
    uint32_t x;
    (void)f;
    if (!(q = leb_u32(p + 1, end, &x)))
        return p;
    if (x >= v->m->nfuncs) {
        (void)fail_idx(v, v->off, "unknown function", x);
        return NULL;
    }
    return call_type(v, v->m->types[v->m->func_types[x]]) ? NULL : q;
}

static inline const uint8_t *fk_BR(Val *v, const Fast *f, const uint8_t *p, const uint8_t *end)
{
    (void)f;
    return with_index(v, p, end, op_br);
}

static inline const uint8_t *fk_BR_IF(Val *v, const Fast *f, const uint8_t *p, const uint8_t *end)
{
    (void)f;
    return with_index(v, p, end, op_br_if);
}

static inline const uint8_t *fk_BLOCK(Val *v, const Fast *f, const uint8_t *p, const uint8_t *end)
{
    /* reference types beyond 2.0's shorthands (0x63/0x64 ht, nullfuncref ...) take the
     * generic path */
    if (p + 1 >= end || (p[1] & 0x80) ||
        (p[1] >= 0x60 && p[1] < 0x7b && p[1] != 0x70 && p[1] != 0x6f && p[1] != 0x69))
        return p;
    Instr in = {.op = f->op, .off = v->off, .blocktype = rd_sext7(p[1])};
    return (f->op == OP_IF ? op_if : op_block)(v, &in) ? NULL : p + 2;
}

static inline const uint8_t *fk_END(Val *v, const Fast *f, const uint8_t *p, const uint8_t *end)
{
    (void)f, (void)end;
    Instr in = {.off = v->off};
    return op_end(v, &in) ? NULL : p + 1;
}

static inline const uint8_t *fk_DROP(Val *v, const Fast *f, const uint8_t *p, const uint8_t *end)
{
    (void)f, (void)end;
    ValType t;
    return pop_any(v, &t) ? NULL : p + 1;
}

static inline const uint8_t *fk_NONE(Val *v, const Fast *f, const uint8_t *p, const uint8_t *end)
{
    (void)end;
    Instr in = {.off = v->off};
    return handlers[f->op](v, &in) ? NULL : p + 1;
}

/* ---- function bodies ---- */

/* A body that ends before its final `end`. The reference decoder reads on past the body's
 * size, so its message depends on what follows; these are the cases the spec tests pin. */
static VStatus missing_end(Val *v, const Code *c)
{
    const Module *m = v->m;
    if (c->body_end >= m->bytes_len)
        return malformed(v, c->body_end, "unexpected end of section or function");
    if (c == &m->codes[m->ncodes - 1])
        return malformed(v, c->body_end, "section size mismatch");
    return malformed(v, c->body_end, "END opcode expected");
}

/* An instruction of a feature that is switched off: refused as the decoder of a version
 * without the feature refuses it. */
static V_WARN VStatus feature_off(Val *v, const Instr *in)
{
    const char *f = corral_feature_name(instr_feature(in->op));
    snprintf(v->err->buf, sizeof v->err->buf, "illegal opcode (%s: %s is switched off)",
             op_info[in->op].name, f ? f : "its feature");
    return malformed(v, in->off, v->err->buf);
}

/* An instruction that could not be read at `at`. The spec's decoder reads a body's
 * instructions on past its size (checking the size after), so an immediate cut off by the
 * body's end is judged by the bytes that follow it in the module: the error of a read over
 * the rest of the module, when that read fails too. */
static VStatus read_failed(Val *v, const Reader *r, size_t at)
{
    const Module *m = v->m;
    if (r->err && !strcmp(r->err, "unexpected end") && r->end < m->bytes + m->bytes_len) {
        Reader all;
        Instr in;
        rd_init(&all, m->bytes, m->bytes_len);
        all.p += at;
        if (instr_read_f(&all, &in, m->features))
            return malformed(v, all.err_off, all.err);
    }
    return malformed(v, r->err_off, r->err);
}

/* Reads the body to its final `end`: ops[op], or `other` where ops has none. */
static V_WARN VStatus run_body(Val *v, Reader *r, const Handler *ops, Handler other)
{
    Instr in;
    while (v->nctrl > 0) {
        if (rd_eof(r))
            return missing_end(v, v->code);
        size_t at = rd_off(r);
        if (instr_read_f(r, &in, v->m->features))
            return read_failed(v, r, at);
        v->off = in.off;
        uint32_t feature = instr_feature(in.op);
        if (feature & ~v->m->features)
            return feature_off(v, &in);
        if (feature)
            module_uses(v->m, feature);
        Handler h = ops[in.op] ? ops[in.op] : other;
        if (h && h(v, &in))
            return V_ERR;
    }
    /* The reference decoder reads the body up to its `end`, then checks the size. */
    return rd_eof(r) ? V_OK : malformed(v, rd_off(r), "section size mismatch");
}

/* The fast loop's dispatch, configured as the interpreter's (dispatch.h): threaded, one
 * indirect jump per kind, which the branch predictor follows better than the single jump of a
 * switch (about 10% of validation time, measured on the 75 MB LLVM module); a switch where
 * the compiler lacks labels as values. */
#if defined(__GNUC__) && !defined(CORRAL_SWITCH_DISPATCH)
#define VD_LABEL(k) &&vd_##k,
#define VD_TABLE static const void *const vd_labels[] = {FAST_KINDS(VD_LABEL)};
#define VD_CASE(k) vd_##k:
#define VD_DISPATCH(kind) goto *vd_labels[kind]
#define VD_SWITCH_BEGIN
#define VD_SWITCH_END
#else
#define VD_TABLE
#define VD_CASE(k) case FK_##k:
#define VD_DISPATCH(kind)  \
    do {                   \
        vd_kind = (kind);  \
        goto vd_switch;    \
    } while (0)
#define VD_SWITCH_BEGIN  \
    vd_switch:           \
    switch (vd_kind) {
#define VD_SWITCH_END }
#endif

/* run_body for validation: the fast path where it applies, the generic one elsewhere. The
 * cursor stays in p (written back to r for the generic path); only `end` can close the
 * function's frame, so only it checks for the end of the body. */
static V_WARN VStatus run_body_fast(Val *v, Reader *r)
{
    VD_TABLE
    const uint8_t *const end = r->end, *const base = r->base;
    const uint8_t *p = r->p, *q;
    FastKind vd_kind = FK_GENERIC;
    (void)vd_kind;
#define VD_NEXT()                          \
    do {                                   \
        if (p >= end)                      \
            goto generic;                  \
        v->off = (size_t)(p - base);       \
        VD_DISPATCH(fast[*p].kind);        \
    } while (0)
/* Runs kind k's function; the generic path when it declines. */
#define VD_RUN(k)                          \
    VD_CASE(k)                             \
    q = fk_##k(v, &fast[*p], p, end);      \
    if (!q)                                \
        return V_ERR;                      \
    if (q == p)                            \
        goto generic;                      \
    p = q;                                 \
    if (FK_##k == FK_END && !v->nctrl)     \
        goto done;                         \
    VD_NEXT();
    if (v->nctrl == 0)
        goto done;
    VD_NEXT();
    VD_SWITCH_BEGIN
    FAST_KINDS(VD_RUN)
    VD_SWITCH_END
generic: {
    Instr in;
    r->p = p;
    if (rd_eof(r))
        return missing_end(v, v->code);
    if (instr_read_f(r, &in, v->m->features))
        return read_failed(v, r, (size_t)(p - base));
    v->off = in.off;
    uint32_t feature = instr_feature(in.op);
    if (feature & ~v->m->features)
        return feature_off(v, &in);
    if (feature)
        module_uses(v->m, feature);
    Handler h = handlers[in.op] ? handlers[in.op] : op_fixed;
    if (h(v, &in))
        return V_ERR;
    p = r->p;
    if (v->nctrl == 0)
        goto done;
    VD_NEXT();
}
done:
    r->p = p;
    return rd_eof(r) ? V_OK : malformed(v, rd_off(r), "section size mismatch");
#undef VD_RUN
#undef VD_NEXT
}

static V_WARN VStatus setup_locals(Val *v, const Code *c, const FuncType *t)
{
    v->params = ft_params(t);
    v->nparams = t->nparams;
    if (c->ndecls > v->cap_decls) {
        uint64_t *p = realloc(v->decl_end, (size_t)c->ndecls * sizeof *p);
        if (!p)
            return fail(v, c->size_off, "out of memory");
        v->decl_end = p;
        v->cap_decls = c->ndecls;
    }
    uint64_t sum = 0;
    for (uint32_t i = 0; i < c->ndecls; i++)
        v->decl_end[i] = sum += c->decls[i].count;
    uint64_t total = sum + t->nparams;
    v->ninits = 0;
    v->nondef = false;
    for (uint32_t i = 0; i < c->ndecls; i++) {
        if (check_valtype(v, c->decls[i].type, c->size_off, NULL))
            return V_ERR;
        v->nondef |= !valtype_defaultable(c->decls[i].type) && c->decls[i].count;
    }
    if (v->nondef) { /* total is bounded by the decoder's max_locals */
        if (total > v->cap_linit) {
            uint8_t *p = realloc(v->linit, (size_t)total);
            if (!p)
                return fail(v, c->size_off, "out of memory");
            v->linit = p;
            v->cap_linit = (uint32_t)total;
        }
        memset(v->linit, 1, t->nparams);
        uint8_t *li = v->linit + t->nparams;
        for (uint32_t i = 0; i < c->ndecls; i++) {
            memset(li, valtype_defaultable(c->decls[i].type), c->decls[i].count);
            li += c->decls[i].count;
        }
    }
    v->flat = total <= FLAT_LOCALS;
    if (!v->flat)
        return V_OK;
    if (!v->ltypes) { /* once per validator */
        v->ltypes = malloc(FLAT_LOCALS * sizeof *v->ltypes);
        if (!v->ltypes)
            return fail(v, c->size_off, "out of memory");
    }
    memcpy(v->ltypes, v->params, t->nparams * sizeof *v->ltypes);
    ValType *out = v->ltypes + t->nparams;
    for (uint32_t i = 0; i < c->ndecls; i++)
        for (uint32_t k = 0; k < c->decls[i].count; k++)
            *out++ = c->decls[i].type;
    v->nltypes = (uint32_t)total;
    return V_OK;
}

/* Empties the stacks, opens the function's frame and a reader over body code_idx. */
static V_WARN VStatus begin_body(Val *v, uint32_t code_idx, const ValType *results,
                                 uint32_t nresults, Reader *r)
{
    const Module *m = v->m;
    const Code *c = &m->codes[code_idx];
    v->body = code_idx;
    v->code = c;
    v->func = m->nfunc_imports + code_idx;
    v->off = c->body_start;
    if (c->body_start > c->body_end || c->body_end > m->bytes_len)
        return malformed(v, c->size_off, "unexpected end");
    v->nvals = v->nctrl = 0;
    set_limit(v, MAX_VALUES);
    if (reserve_vals(v, 64)) /* allocates once: vals is never NULL in a body */
        return V_ERR;
    rd_init(r, m->bytes, c->body_end);
    r->p += c->body_start;
    return push_ctrl(v, OP_BLOCK, single_types, 0, results, nresults);
}

static V_WARN VStatus validate_body(Val *v, uint32_t code_idx)
{
    const Module *m = v->m;
    const FuncType *t = m->types[m->func_types[m->nfunc_imports + code_idx]];
    Reader r;
    if (begin_body(v, code_idx, ft_results(t), t->nresults, &r))
        return V_ERR;
    if (setup_locals(v, &m->codes[code_idx], t))
        return V_ERR;
    /* The interpreter's frame holds the locals, the operand stack and up to 4 cells more
     * (lower.c): refuse here, at load, a body whose frame could not be made. */
    uint64_t locals = (uint64_t)t->nparams + m->codes[code_idx].nlocals;
    if (locals + 8 >= LOWER_MAX_FRAME_CELLS)
        return fail(v, m->codes[code_idx].body_start, "function frame too large");
    if (LOWER_MAX_FRAME_CELLS - 8 - locals < MAX_VALUES)
        set_limit(v, (uint32_t)(LOWER_MAX_FRAME_CELLS - 8 - locals));
    return run_body_fast(v, &r);
}

/* ---- skimming: a body read for what the spec's decoder checks only (block structure, data
 * count, select types), for a module that is not validated or already has a validation
 * error: the spec decodes the whole module before validating any of it, so a malformation
 * in a later body still takes precedence. ---- */

static VStatus skim_block(Val *v, const Instr *in)
{
    return push_ctrl(v, in->op, single_types, 0, single_types, 0);
}

static VStatus skim_else(Val *v, const Instr *in)
{
    if (top(v)->op != OP_IF)
        return malformed(v, in->off, "END opcode expected");
    top(v)->op = OP_ELSE;
    return V_OK;
}

static VStatus skim_catch(Val *v, const Instr *in)
{
    uint16_t op = top(v)->op;
    if (op != OP_TRY && op != OP_CATCH)
        return malformed(v, in->off, "catch without try");
    top(v)->op = in->op;
    return V_OK;
}

static VStatus skim_delegate(Val *v, const Instr *in)
{
    if (top(v)->op != OP_TRY)
        return malformed(v, in->off, "delegate without try");
    v->nctrl--;
    return V_OK;
}

static VStatus skim_end(Val *v, const Instr *in)
{
    (void)in;
    v->nctrl--;
    return V_OK;
}

static VStatus skim_select_t(Val *v, const Instr *in)
{
    return in->a == 0 || valtype_ok(in->b) ? V_OK : malformed(v, in->off, "malformed value type");
}

static VStatus skim_data(Val *v, const Instr *in)
{
    return v->m->has_datacount ? V_OK : note_data_use(v, in);
}

/* array.new_data, array.init_data: the data index is b */
static VStatus skim_data_b(Val *v, const Instr *in)
{
    Instr d = *in;
    d.a = in->b;
    return skim_data(v, &d);
}

static const Handler skim_handlers[OP_COUNT] = {
    [OP_BLOCK] = skim_block,      [OP_LOOP] = skim_block,     [OP_IF] = skim_block,
    [OP_ELSE] = skim_else,        [OP_END] = skim_end,        [OP_SELECT_T] = skim_select_t,
    [OP_MEMORY_INIT] = skim_data, [OP_DATA_DROP] = skim_data,
    [OP_ARRAY_NEW_DATA] = skim_data_b, [OP_ARRAY_INIT_DATA] = skim_data_b,
    [OP_TRY] = skim_block,        [OP_TRY_TABLE] = skim_block, [OP_CATCH] = skim_catch,
    [OP_CATCH_ALL] = skim_catch,  [OP_DELEGATE] = skim_delegate,
};

/* ---- constant expressions ---- */

/* The type one constant instruction pushes, checking that it is constant in C', whose
 * globals are the first nglobals: the imported ones in WebAssembly 2.0; in 3.0 (with GC's
 * rule) those before the global being initialised, or all of them for a segment. */
static V_WARN VStatus const_instr(Val *v, const Instr *in, uint32_t nglobals, ValType *out)
{
    const Module *m = v->m;
    switch (in->op) {
    case OP_I32_CONST:
    case OP_I64_CONST:
    case OP_F32_CONST:
    case OP_F64_CONST:
    case OP_V128_CONST:
        *out = sigs[in->op].r[0];
        return V_OK;
    case OP_REF_NULL:
        return check_valtype(v, (ValType)in->a, in->off, out);
    case OP_REF_FUNC:
        if (in->a >= m->nfuncs)
            return fail_idx(v, in->off, "unknown function", in->a);
        *out = func_ref_type(m, in->a);
        return V_OK;
    case OP_GLOBAL_GET:
        if (in->a >= nglobals)
            return fail_idx(v, in->off, "unknown global", in->a);
        *out = m->globals[in->a].type.type;
        return m->globals[in->a].type.mut ? fail(v, in->off, "constant expression required") : V_OK;
    default:
        return fail(v, in->off, "constant expression required");
    }
}

/* GC's constant instructions (3.0): allocations, ref.i31 and the conversions. */
static bool const_gc_op(uint16_t op)
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

/* Types one of them on the constant stack (stack[0..*n)); *typed goes false on a mismatch,
 * as check_const's typing does. */
static V_WARN VStatus const_gc(Val *v, const Instr *in, ValType *stack, uint32_t *n,
                               bool *typed)
{
    const Module *m = v->m;
    ValType want[2], res;
    const ValType *ops = want;
    uint32_t nin = 0;
    bool fixed_elem = false;
    if (!(m->features & CORRAL_FEATURE_GC))
        return feature_off(v, in);
    module_uses(m, CORRAL_FEATURE_GC);
    switch (in->op) {
    case OP_REF_I31:
        want[0] = VT_I32;
        nin = 1;
        res = vt_ref(false, HT_I31);
        break;
    case OP_ANY_CONVERT_EXTERN:
    case OP_EXTERN_CONVERT_ANY: {
        bool to_any = in->op == OP_ANY_CONVERT_EXTERN;
        ValType t = *n ? stack[*n - 1] : VT_UNKNOWN;
        bool nullable = !valtype_is_ref(t) || valtype_nullable(t);
        want[0] = vt_ref(true, to_any ? HT_EXTERN : HT_ANY);
        nin = 1;
        res = vt_ref(nullable, to_any ? HT_ANY : HT_EXTERN);
        break;
    }
    default: {
        uint8_t kind = in->op == OP_STRUCT_NEW || in->op == OP_STRUCT_NEW_DEFAULT ? DT_STRUCT
                                                                                 : DT_ARRAY;
        if (in->a >= m->ntypes)
            return fail_idx(v, in->off, "unknown type", in->a);
        const FuncType *t = m->types[in->a];
        if (t->kind != kind) {
            *typed = false;
            return V_OK;
        }
        res = vt_concrete(m->canon[in->a], false);
        if (in->op == OP_STRUCT_NEW) {
            ops = t->types; /* packed ones: unpacked below */
            nin = t->nparams;
        } else if (in->op == OP_STRUCT_NEW_DEFAULT || in->op == OP_ARRAY_NEW_DEFAULT) {
            for (uint32_t i = 0; i < t->nparams; i++)
                if (!valtype_defaultable(t->types[i]))
                    return fail(v, in->off, "type mismatch: a field type is not defaultable");
            want[0] = VT_I32;
            nin = in->op == OP_ARRAY_NEW_DEFAULT;
        } else if (in->op == OP_ARRAY_NEW) {
            want[0] = storage_unpacked(t->types[0]);
            want[1] = VT_I32;
            nin = 2;
        } else {
            if (in->b > MAX_NEW_FIXED)
                return fail(v, in->off, "array.new_fixed: too many operands");
            want[0] = storage_unpacked(t->types[0]);
            nin = in->b;
            fixed_elem = true;
        }
        break;
    }
    }
    if (!*typed)
        return V_OK;
    if (*n < nin) {
        *typed = false;
        return V_OK;
    }
    for (uint32_t k = 0; k < nin; k++) {
        ValType w = fixed_elem ? want[0] : storage_unpacked(ops[k]);
        if (!valtype_sub(m, stack[*n - nin + k], w)) {
            *typed = false;
            return V_OK;
        }
    }
    *n -= nin;
    stack[(*n)++] = res;
    return V_OK;
}

/* i32/i64 add, sub and mul: constant with extended constant expressions (3.0). */
static bool const_binop(uint16_t op)
{
    return op == OP_I32_ADD || op == OP_I32_SUB || op == OP_I32_MUL || op == OP_I64_ADD ||
           op == OP_I64_SUB || op == OP_I64_MUL;
}

static V_WARN VStatus const_reader(Val *v, const ConstExpr *e, Reader *r)
{
    if (e->start > e->end || e->end > v->m->bytes_len)
        return fail(v, e->start, "unexpected end");
    rd_init(r, v->m->bytes, e->end);
    r->p += e->start;
    return V_OK;
}

/* Re-reads the expression: every instruction constant, exactly one value of type want. As
 * in the spec's algorithm, constness is checked for every instruction before typing: a type
 * error is reported only when the whole expression is constant. */
static V_WARN VStatus check_const(Val *v, const ConstExpr *e, ValType want, uint32_t nglobals)
{
    Reader r;
    /* A funcidx-vector element item: decoded, with no expression bytes (decode.c). */
    if (e->kind == CONST_REF_FUNC && e->start == e->end) {
        if (e->index >= v->m->nfuncs)
            return fail_idx(v, e->start, "unknown function", e->index);
        return valtype_sub(v->m, func_ref_type(v->m, e->index), want)
                   ? V_OK : fail(v, e->start, "type mismatch");
    }
    if (const_reader(v, e, &r))
        return V_ERR;
    ValType stack[CONST_MAX_DEPTH];
    uint32_t n = 0;
    bool typed = true;
    while (!rd_eof(&r)) {
        Instr in;
        if (instr_read_f(&r, &in, v->m->features))
            return malformed(v, r.err_off, r.err);
        if (const_binop(in.op)) {
            if (!(v->m->features & CORRAL_FEATURE_EXTENDED_CONST)) {
                snprintf(v->err->buf, sizeof v->err->buf,
                         "constant expression required (%s: extended-const is switched off)",
                         op_info[in.op].name);
                return fail(v, in.off, v->err->buf);
            }
            module_uses(v->m, CORRAL_FEATURE_EXTENDED_CONST);
            ValType t = sigs[in.op].r[0];
            typed = typed && n >= 2 && stack[n - 1] == t && stack[n - 2] == t;
            if (typed)
                n--;
            continue;
        }
        if (const_gc_op(in.op)) {
            if (n == CONST_MAX_DEPTH)
                return fail(v, in.off, "constant expression too deep (an implementation limit)");
            if (const_gc(v, &in, stack, &n, &typed))
                return V_ERR;
            continue;
        }
        ValType t = VT_UNKNOWN;
        if (const_instr(v, &in, nglobals, &t))
            return V_ERR;
        if (n == CONST_MAX_DEPTH)
            return fail(v, in.off, "constant expression too deep (an implementation limit)");
        if (typed)
            stack[n++] = t;
    }
    return typed && n == 1 && valtype_sub(v->m, stack[0], want) ? V_OK
                                                                : fail(v, e->start, "type mismatch");
}

static void declare_ref(Val *v, uint32_t f)
{
    if (f < v->m->nfuncs)
        v->refs[f >> 3] |= (uint8_t)(1u << (f & 7));
}

/* Adds the ref.func operands of an expression to C.refs; read errors are left to check_const. */
static void scan_refs(Val *v, const ConstExpr *e)
{
    Reader r;
    Instr in;
    if (e->kind == CONST_REF_FUNC) {
        declare_ref(v, e->index);
        return;
    }
    if (const_reader(v, e, &r))
        return;
    while (!rd_eof(&r) && !instr_read_f(&r, &in, v->m->features))
        if (in.op == OP_REF_FUNC)
            declare_ref(v, in.a);
}

/* C.refs: functions referenced outside function bodies (and not by the start section). */
static V_WARN VStatus collect_refs(Val *v)
{
    const Module *m = v->m;
    v->refs = calloc(m->nfuncs / 8 + 1, 1);
    if (!v->refs)
        return fail(v, 0, "out of memory");
    for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++)
        scan_refs(v, &m->globals[i].init);
    for (uint32_t i = m->ntable_imports; i < m->ntables; i++) /* table initializers */
        if (m->table_inits[i - m->ntable_imports].start)
            scan_refs(v, &m->table_inits[i - m->ntable_imports]);
    for (uint32_t i = 0; i < m->nelems; i++)
        for (uint32_t k = 0; k < m->elems[i].count; k++)
            scan_refs(v, &m->elems[i].items[k]);
    for (uint32_t i = 0; i < m->nexports; i++)
        if (m->exports[i].kind == EXTERN_FUNC)
            declare_ref(v, m->exports[i].index);
    return V_OK;
}

/* ---- module-level checks ---- */

static size_t name_off(const Module *m, Name n)
{
    return (size_t)((const uint8_t *)n.ptr - m->bytes);
}

static V_WARN VStatus check_limits(Val *v, const Limits *l, uint64_t range, const char *msg)
{
    if (l->min > range || (l->has_max && l->max > range))
        return fail(v, l->off, msg);
    if (l->has_max && l->min > l->max)
        return fail(v, l->off, "size minimum must not be greater than maximum");
    return V_OK;
}

static V_WARN VStatus check_table_type(Val *v, const TableType *t)
{
    if (t->lim.is64) {
        module_uses(v->m, CORRAL_FEATURE_MEMORY64);
        return check_limits(v, &t->lim, UINT64_MAX, "table size must be at most 2^64-1");
    }
    return check_limits(v, &t->lim, UINT32_MAX, "table size must be at most 2^32-1");
}

static V_WARN VStatus check_mem_type(Val *v, const MemType *t)
{
    if (t->lim.is64) {
        module_uses(v->m, CORRAL_FEATURE_MEMORY64);
        return check_limits(v, &t->lim, MAX_PAGES64,
                            "memory size must be at most 2^48 pages (256 TiB) for i64");
    }
    return check_limits(v, &t->lim, MAX_PAGES, "memory size must be at most 65536 pages (4GiB)");
}

/* The deepest chain of declared supertypes (V8's and wasmparser's limit). */
#define MAX_SUBTYPE_DEPTH 63

/* Type i's declared supertype: one at most, an earlier type, not final, whose function type
 * type i's matches (params contravariant, results covariant). */
static V_WARN VStatus check_subtype(Val *v, uint32_t i)
{
    const Module *m = v->m;
    const TypeInfo *ti = &m->tinfo[i];
    if (ti->nsupers == 0)
        return V_OK;
    if (ti->nsupers > 1)
        return fail_idx(v, 0, "sub type: more than one supertype for type", i);
    if (ti->super_raw >= i)
        return fail_idx(v, 0, "unknown type", ti->super_raw);
    uint32_t depth = 0;
    for (uint32_t x = ti->super; x != NO_SUPER; x = m->tinfo[x].super)
        if (++depth > MAX_SUBTYPE_DEPTH)
            return fail_idx(v, 0, "sub type hierarchy too deep at type", i);
    const FuncType *a = m->types[i], *b = m->types[ti->super];
    if (m->tinfo[ti->super].final || a->kind != b->kind)
        return fail_idx(v, 0, "sub type", i);
    if (a->kind != DT_FUNC) {
        /* struct: a prefix of the supertype's fields; each field immutable and covariant,
         * or mutable and the same (array: its one field) */
        if (a->nparams < b->nparams)
            return fail_idx(v, 0, "sub type", i);
        for (uint32_t k = 0; k < b->nparams; k++) {
            ValType fa = a->types[k], fb = b->types[k];
            bool ma = field_mutable(a, k), mb = field_mutable(b, k);
            if (ma != mb || (ma ? fa != fb : fa != fb && !valtype_sub(m, fa, fb)))
                return fail_idx(v, 0, "sub type", i);
        }
        return V_OK;
    }
    if (a->nparams != b->nparams || a->nresults != b->nresults)
        return fail_idx(v, 0, "sub type", i);
    for (uint32_t k = 0; k < a->nparams; k++)
        if (!valtype_sub(m, ft_params(b)[k], ft_params(a)[k]))
            return fail_idx(v, 0, "sub type", i);
    for (uint32_t k = 0; k < a->nresults; k++)
        if (!valtype_sub(m, ft_results(a)[k], ft_results(b)[k]))
            return fail_idx(v, 0, "sub type", i);
    return V_OK;
}

static V_WARN VStatus check_types(Val *v)
{
    const Module *m = v->m;
    for (uint32_t i = 0; i < m->ntypes; i++) {
        const FuncType *t = m->types[i];
        if (t->kind == DT_FUNC && (t->nparams > MAX_ARITY || t->nresults > MAX_ARITY))
            return fail_idx(v, 0, "too many params or results in type", i);
        /* a type names types of its recursion group and earlier ones only (the decoder
         * made those canonical, so they stay below the group's end) */
        const TypeInfo *ti = &m->tinfo[i];
        uint32_t end = ti->group + ti->group_len;
        for (uint32_t k = 0; k < t->nparams + t->nresults; k++)
            if (vt_is_concrete(t->types[k]) && vt_index(t->types[k]) >= end)
                return fail_idx(v, 0, "unknown type", vt_index(t->types[k]));
        if (check_subtype(v, i))
            return V_ERR;
    }
    return V_OK;
}

/* A tag's type: a function type without results (exception handling). */
static V_WARN VStatus check_tag_type(Val *v, uint32_t type, size_t off)
{
    const Module *m = v->m;
    if (type >= m->ntypes)
        return fail_idx(v, off, "unknown type", type);
    if (m->types[type]->kind != DT_FUNC)
        return fail(v, off, "type mismatch: a tag's type must be a function type");
    return m->types[type]->nresults ? fail(v, off, "non-empty tag result type") : V_OK;
}

static V_WARN VStatus check_tags(Val *v)
{
    const Module *m = v->m;
    for (uint32_t i = m->ntag_imports; i < m->ntags; i++)
        if (check_tag_type(v, m->tag_types[i], 0))
            return V_ERR;
    return V_OK;
}

static V_WARN VStatus check_imports(Val *v)
{
    const Module *m = v->m;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const Import *im = &m->imports[i];
        VStatus s = V_OK;
        if (im->kind == EXTERN_FUNC && im->d.func_type >= m->ntypes)
            s = fail_idx(v, name_off(m, im->module), "unknown type", im->d.func_type);
        else if (im->kind == EXTERN_FUNC && m->types[im->d.func_type]->kind != DT_FUNC)
            s = fail(v, name_off(m, im->module), "type mismatch: a function's type must be a "
                                                 "function type");
        else if (im->kind == EXTERN_TABLE)
            s = check_table_type(v, &im->d.table) ||
                check_valtype(v, im->d.table.elem, name_off(m, im->module), NULL);
        else if (im->kind == EXTERN_GLOBAL)
            s = check_valtype(v, im->d.global.type, name_off(m, im->module), NULL);
        else if (im->kind == EXTERN_MEMORY)
            s = check_mem_type(v, &im->d.mem);
        else if (im->kind == EXTERN_TAG)
            s = check_tag_type(v, im->d.tag_type, name_off(m, im->module));
        if (s)
            return V_ERR;
    }
    return V_OK;
}

static V_WARN VStatus check_funcs(Val *v)
{
    const Module *m = v->m;
    for (uint32_t i = 0; i < m->nfuncs; i++)
        if (m->func_types[i] >= m->ntypes)
            return fail_idx(v, 0, "unknown type", m->func_types[i]);
        else if (m->types[m->func_types[i]]->kind != DT_FUNC)
            return fail_idx(v, 0, "type mismatch: not a function type: type",
                            m->func_types[i]);
    return V_OK;
}

static V_WARN VStatus check_tables_mems(Val *v)
{
    const Module *m = v->m;
    for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
        const TableType *t = &m->tables[i];
        const ConstExpr *init = &m->table_inits[i - m->ntable_imports];
        if (check_table_type(v, t) || check_valtype(v, t->elem, t->lim.off, NULL))
            return V_ERR;
        /* a table of a type without null needs an initializer (typed function references) */
        if (init->start == 0 && !valtype_defaultable(t->elem))
            return fail(v, t->lim.off, "type mismatch");
        if (init->start != 0 && check_const(v, init, t->elem, m->nglobal_imports))
            return V_ERR;
    }
    for (uint32_t i = m->nmem_imports; i < m->nmems; i++)
        if (check_mem_type(v, &m->mems[i]))
            return V_ERR;
    if (m->nmems > 1) {
        if (!(m->features & CORRAL_FEATURE_MULTI_MEMORY))
            return fail(v, m->mems[1].lim.off, "multiple memories (multi-memory is switched off)");
        module_uses(m, CORRAL_FEATURE_MULTI_MEMORY);
    }
    return V_OK;
}

static V_WARN VStatus check_globals(Val *v)
{
    const Module *m = v->m;
    bool later = m->features & CORRAL_FEATURE_GC; /* 3.0: earlier globals, not only imports */
    for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++)
        if (check_valtype(v, m->globals[i].type.type, m->globals[i].init.start, NULL) ||
            check_const(v, &m->globals[i].init, m->globals[i].type.type,
                        later ? i : m->nglobal_imports))
            return V_ERR;
    return V_OK;
}

/* The globals a segment's expressions may read: all of them in 3.0 (GC's rule), the imported
 * ones in 2.0. */
static uint32_t seg_globals(const Module *m)
{
    return m->features & CORRAL_FEATURE_GC ? m->nglobals : m->nglobal_imports;
}

static V_WARN VStatus check_elem(Val *v, const ElemSeg *s)
{
    bool note = s->type != (VT_FUNCREF | VT_NONNULL); /* (ref func): any funcidx vector */
    if (check_valtype_f(v, s->type, s->offset.start, NULL, note))
        return V_ERR;
    for (uint32_t k = 0; k < s->count; k++)
        if (check_const(v, &s->items[k], s->type, seg_globals(v->m)))
            return V_ERR;
    if (s->mode != SEG_ACTIVE)
        return V_OK;
    v->off = s->offset.start;
    ValType t;
    if (table(v, s->table, &t) || check_const(v, &s->offset, table_at(v, s->table), seg_globals(v->m)))
        return V_ERR;
    return valtype_sub(v->m, s->type, t) ? V_OK : mismatch(v);
}

static V_WARN VStatus check_elems(Val *v)
{
    const Module *m = v->m;
    for (uint32_t i = 0; i < m->nelems; i++)
        if (check_elem(v, &m->elems[i]))
            return V_ERR;
    return V_OK;
}

static V_WARN VStatus check_datas(Val *v)
{
    const Module *m = v->m;
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const DataSeg *d = &m->datas[i];
        if (d->mode != SEG_ACTIVE)
            continue;
        if (d->mem >= m->nmems)
            return fail_idx(v, d->offset.start, "unknown memory", d->mem);
        if (check_const(v, &d->offset, m->mems[d->mem].lim.is64 ? VT_I64 : VT_I32, seg_globals(m)))
            return V_ERR;
    }
    return V_OK;
}

static V_WARN VStatus check_start(Val *v)
{
    const Module *m = v->m;
    if (!m->has_start)
        return V_OK;
    if (m->start >= m->nfuncs)
        return fail_idx(v, 0, "unknown function", m->start);
    const FuncType *t = m->types[m->func_types[m->start]];
    return t->nparams || t->nresults ? fail(v, 0, "start function") : V_OK;
}

static int cmp_export(const void *a, const void *b)
{
    const Export *x = *(const Export *const *)a, *y = *(const Export *const *)b;
    uint32_t n = x->name.len < y->name.len ? x->name.len : y->name.len;
    int c = n ? memcmp(x->name.ptr, y->name.ptr, n) : 0;
    if (c || x->name.len != y->name.len)
        return c ? c : (x->name.len < y->name.len ? -1 : 1);
    return x < y ? -1 : x > y;
}

static V_WARN VStatus check_export_index(Val *v, const Export *e)
{
    static const char *const unknown[] = {"unknown function", "unknown table", "unknown memory",
                                          "unknown global", "unknown tag"};
    const Module *m = v->m;
    const uint32_t counts[] = {m->nfuncs, m->ntables, m->nmems, m->nglobals, m->ntags};
    if ((unsigned)e->kind > EXTERN_TAG)
        return fail(v, name_off(m, e->name), "malformed export kind");
    if (e->index >= counts[e->kind])
        return fail_idx(v, name_off(m, e->name), unknown[e->kind], e->index);
    return V_OK;
}

/* Export names must be unique: sorted by name (then position), duplicates are neighbours. */
static V_WARN VStatus check_exports(Val *v)
{
    const Module *m = v->m;
    for (uint32_t i = 0; i < m->nexports; i++)
        if (check_export_index(v, &m->exports[i]))
            return V_ERR;
    if (m->nexports < 2)
        return V_OK;
    const Export **sorted = malloc((size_t)m->nexports * sizeof *sorted);
    if (!sorted)
        return fail(v, 0, "out of memory");
    for (uint32_t i = 0; i < m->nexports; i++)
        sorted[i] = &m->exports[i];
    qsort(sorted, m->nexports, sizeof *sorted, cmp_export);
    VStatus s = V_OK;
    for (uint32_t i = 1; i < m->nexports && !s; i++) {
        const Name *a = &sorted[i - 1]->name, *b = &sorted[i]->name;
        if (a->len == b->len && (a->len == 0 || !memcmp(a->ptr, b->ptr, a->len)))
            s = fail(v, name_off(m, *b), "duplicate export name");
    }
    free(sorted);
    return s;
}

/* ---- the validator's interface to the decoder ---- */

Val *validate_new(const Module *m)
{
    call_once(&sigs_once, build_sigs);
    Val *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->m = m;
    v->func = UINT32_MAX;
    v->mem0_is64 = m->nmems && m->mems[0].lim.is64;
    return v;
}

void validate_delete(Val *v)
{
    if (!v)
        return;
    free(v->vals);
    free(v->ctrl);
    free(v->decl_end);
    free(v->ltypes);
    free(v->linit);
    free(v->inits);
    free(v->refs);
    free(v->uses);
    free(v);
}

static void reset_err(Val *v, DecodeError *err)
{
    v->err = err;
    v->func = UINT32_MAX;
    v->malformed = false;
    err->msg = NULL;
    err->offset = 0;
    err->func = UINT32_MAX;
}

int validate_head(Val *v, DecodeError *err)
{
    reset_err(v, err);
    if (check_types(v) || check_imports(v) || check_funcs(v) || check_tables_mems(v) ||
        check_tags(v))
        return VAL_INVALID;
    if (collect_refs(v) || check_globals(v) || check_elems(v) || check_start(v) ||
        check_exports(v))
        return v->malformed ? VAL_MALFORMED : VAL_INVALID;
    return VAL_OK;
}

static V_WARN VStatus skim_body(Val *v, uint32_t code_idx)
{
    Reader r;
    return begin_body(v, code_idx, single_types, 0, &r) || run_body(v, &r, skim_handlers, NULL);
}

int validate_code(Val *v, uint32_t code_idx, bool full, DecodeError *err)
{
    reset_err(v, err);
    if (!full)
        return skim_body(v, code_idx) ? (v->malformed ? VAL_MALFORMED : VAL_INVALID) : VAL_OK;
    if (!validate_body(v, code_idx))
        return VAL_OK;
    if (v->malformed)
        return VAL_MALFORMED;
    /* A malformation further on in the same body wins over the validation error. */
    DecodeError saved = *err; /* saved.msg may point at err->buf: restored with it */
    if (skim_body(v, code_idx) && v->malformed)
        return VAL_MALFORMED;
    *err = saved;
    return VAL_INVALID;
}

int validate_take_uses(Val *into, Val *from)
{
    for (uint32_t i = 0; i < from->nuses; i++) {
        Instr in = {.off = from->uses[i].off, .a = from->uses[i].idx};
        into->func = from->uses[i].func;
        if (note_data_use(into, &in))
            return -1;
    }
    from->nuses = 0;
    return 0;
}

static int cmp_use(const void *a, const void *b)
{
    uint32_t x = ((const DataUse *)a)->off, y = ((const DataUse *)b)->off;
    return x < y ? -1 : x > y;
}

int validate_data_uses(Val *v, DecodeError *err)
{
    reset_err(v, err);
    /* Uses from several threads (bodies.c), or noted twice: module order. */
    if (v->nuses > 1)
        qsort(v->uses, v->nuses, sizeof *v->uses, cmp_use);
    for (uint32_t i = 0; i < v->nuses; i++) {
        if (v->uses[i].idx < v->m->ndatas) {
            v->func = v->uses[i].func;
            (void)malformed(v, v->uses[i].off, "data count section required");
            return VAL_MALFORMED;
        }
    }
    if (!v->nuses)
        return VAL_OK;
    v->func = v->uses[0].func;
    (void)fail_idx(v, v->uses[0].off, "unknown data segment", v->uses[0].idx);
    return VAL_INVALID;
}

int validate_tail(Val *v, DecodeError *err)
{
    reset_err(v, err);
    return check_datas(v) ? (v->malformed ? VAL_MALFORMED : VAL_INVALID) : VAL_OK;
}
