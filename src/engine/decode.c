/* decode.c: the WebAssembly 2.0 binary format (sections 0..12) into a Module. It owns
 * well-formedness: section framing and order, LEB128 and UTF-8, vector counts and the
 * engine's decode limits, and it drives the checks of validate.c in module order (the
 * sections before the code section, each body as the code section is read through bodies.c,
 * the data segments), so that the first malformation wins over any validation error (see
 * docs/design/loading.md). Every count is checked against the bytes left before anything is
 * allocated, so no input makes it allocate more than a small multiple of its own size. */
#include "corral.h"
#include "module.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "instr.h"
#include "bodies.h"
#include "validate.h"

/* The spec interpreter's wording for running out of bytes inside a section or body. */
static const char EOS_MSG[] = "unexpected end of section or function";

/* Section ids; the function, table, memory and global sections (3..6) define the index
 * spaces in ExternKind order. */
enum { SEC_CUSTOM = 0, SEC_FUNC = 3, SEC_TAG = 13, NSECTIONS = 14 };

/* Canonical position of each non-custom section; datacount sits between element and code,
 * the tag section (exception handling) between memory and global. */
static const uint8_t section_rank[NSECTIONS] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};

/* The section that defines the index space of extern kind k. */
static int space_section(ExternKind k) { return k == EXTERN_TAG ? SEC_TAG : SEC_FUNC + (int)k; }

typedef struct Dec {
    Module *m;
    DecodeLimits lim;
    size_t sec_end;          /* end of the current section's payload */
    uint8_t last_rank;       /* rank of the last non-custom section seen */
    bool seen[NSECTIONS];
    uint32_t ndefined_funcs; /* length of the function section */
    uint32_t customs_cap;
    uint32_t err_func;       /* function whose body holds the error, else UINT32_MAX */
    unsigned flags;          /* DECODE_* */
    /* Function bodies are decoded as the code section is read (validate_code), validated
     * or only skimmed. A validation error waits in `pending`: a malformation found later
     * still wins, as the spec decodes the whole module before validating it. */
    Val *val;
    bool skim;               /* skim the remaining bodies */
    uint8_t pending_kind;    /* PEND_* */
    DecodeError pending;
    char msgbuf[160];        /* a body's error message, when the reader must hold it */
} Dec;

enum { PEND_NONE, PEND_HEAD, PEND_BODY, PEND_TAIL };

typedef RdStatus (*SectionParser)(Dec *d, Reader *r);

/* ---- primitives shared by the section parsers ---- */

/* Room between the cursor and end, zero when the cursor already ran past it. */
static size_t room(const Reader *r, size_t end)
{
    size_t pos = rd_off(r);
    return pos < end ? end - pos : 0;
}

/* The spec's len32: a u32 no larger than the bytes left in the module, counted from the
 * first byte of the length itself ("length out of bounds"). */
static RD_WARN RdStatus read_len(Reader *r, uint32_t *out)
{
    size_t start = rd_off(r);
    size_t left = rd_left(r);
    if (rd_u32(r, out))
        return RD_ERR;
    if (*out > left)
        return rd_fail_at(r, start, "length out of bounds");
    return RD_OK;
}

/* A vector count: read_len, and at most one element per byte left before end, so the
 * caller may allocate count elements. */
static RD_WARN RdStatus read_count(Reader *r, size_t end, uint32_t *out)
{
    size_t start = rd_off(r);
    if (read_len(r, out))
        return RD_ERR;
    if (*out > room(r, end))
        return rd_fail_at(r, start, EOS_MSG);
    return RD_OK;
}

static RD_WARN RdStatus read_name(Reader *r, Name *out)
{
    size_t start = rd_off(r);
    uint32_t n;
    const uint8_t *p;
    if (read_len(r, &n) || rd_bytes(r, n, &p))
        return RD_ERR;
    if (!utf8_valid(p, n))
        return rd_fail_at(r, start, "malformed UTF-8 encoding");
    out->ptr = (const char *)p;
    out->len = n;
    return RD_OK;
}

/* A one-byte code read as the spec reads it, as a signed 7-bit LEB128: a set continuation
 * bit makes the encoding too long. Returns the byte itself. */
static RD_WARN RdStatus read_s7(Reader *r, uint8_t *out)
{
    if (rd_u8(r, out))
        return RD_ERR;
    if (*out & 0x80)
        return rd_fail(r, "integer representation too long");
    return RD_OK;
}

/* A value type (instr_read_valtype), its concrete index canonical when it names a type
 * already decoded (Module.canon); other indices stay as read for the validator to judge. */
static RD_WARN RdStatus read_valtype(Reader *r, const Module *m, ValType *out)
{
    if (instr_read_valtype(r, m->features, out))
        return RD_ERR;
    if (vt_is_concrete(*out) && vt_index(*out) < m->ncanon)
        *out = vt_concrete(m->canon[vt_index(*out)], valtype_nullable(*out));
    return RD_OK;
}

static RD_WARN RdStatus read_reftype(Reader *r, const Module *m, ValType *out)
{
    size_t at = rd_off(r);
    uint8_t b = r->p < r->end ? *r->p : 0;
    const char *exn = "exception handling (tables and segments of exnref) is not supported yet";
    if (b == VT_EXNREF)
        return rd_fail_at(r, at, exn);
    if (b == 0x63 || b == 0x64 || heap_is_abstract(b)) {
        if (read_valtype(r, m, out))
            return RD_ERR;
        if (vt_code(*out) == HT_EXN || vt_code(*out) == HT_NOEXN)
            return rd_fail_at(r, at, exn);
        return RD_OK;
    }
    if (read_s7(r, &b))
        return RD_ERR;
    if (b == 0x40)
        return rd_fail_at(r, at, "typed function references (a table initializer) are not "
                                 "supported yet");
    return rd_fail_at(r, at, "malformed reference type");
}

/* The limits flags. WebAssembly 2.0 reads them as a 1-bit unsigned LEB128; flags of later
 * features (shared memories, 64-bit memories and tables) are named, and WebAssembly 2.0 calls
 * them "integer too large", as this does for 2 (shared with no maximum, invalid even with
 * threads). With memory64 they are a byte, WebAssembly 3.0's: bit 0 a maximum follows, bit 1
 * shared (threads), bit 2 an i64 address type; anything else is "malformed limits flags". */
static RD_WARN RdStatus read_flags(Reader *r, uint32_t feat, bool table, Limits *out)
{
    uint8_t b;
    if (rd_u8(r, &b))
        return RD_ERR;
    size_t at = rd_off(r) - 1;
    if (feat & CORRAL_FEATURE_MEMORY64) {
        if (b > 7 || (table && (b & 2)))
            return rd_fail_at(r, at, "malformed limits flags");
        if (b & 2)
            return rd_fail_at(r, at, "threads (shared memory) are not supported yet");
        out->has_max = b & 1;
        out->is64 = (b & 4) != 0;
        return RD_OK;
    }
    if ((b & 0x7f) > 1) {
        if (b == 3)
            return rd_fail_at(r, at, "threads (shared memory) are not supported yet");
        if (b >= 4 && b <= 7)
            return rd_fail_at(r, at, "memory64 (64-bit memories and tables) is switched off");
        return rd_fail_at(r, at, "integer too large");
    }
    if (b & 0x80)
        return rd_fail(r, "integer representation too long");
    out->has_max = b == 1;
    out->is64 = false;
    return RD_OK;
}

/* Limits of a memory or (table) a table: u32 bounds; with memory64 u64s, as WebAssembly 3.0
 * reads them whatever the address type (validation bounds them by it). */
static RD_WARN RdStatus read_limits(Reader *r, uint32_t feat, bool table, Limits *out)
{
    out->off = (uint32_t)rd_off(r);
    out->min = out->max = 0;
    if (read_flags(r, feat, table, out))
        return RD_ERR;
    if (feat & CORRAL_FEATURE_MEMORY64)
        return rd_u64(r, &out->min) || (out->has_max && rd_u64(r, &out->max)) ? RD_ERR : RD_OK;
    uint32_t min, max = 0;
    if (rd_u32(r, &min) || (out->has_max && rd_u32(r, &max)))
        return RD_ERR;
    out->min = min;
    out->max = max;
    return RD_OK;
}

static RD_WARN RdStatus read_tabletype(Reader *r, const Module *m, TableType *out)
{
    if (read_reftype(r, m, &out->elem))
        return RD_ERR;
    return read_limits(r, m->features, true, &out->lim);
}

static RD_WARN RdStatus read_globaltype(Reader *r, const Module *m, GlobalType *out)
{
    uint8_t mut;
    if (read_valtype(r, m, &out->type) || rd_u8(r, &mut))
        return RD_ERR;
    if (mut > 1)
        return rd_fail_at(r, rd_off(r) - 1, "malformed mutability");
    out->mut = mut == 1;
    return RD_OK;
}

/* calloc for n elements; n == 0 yields NULL without error. */
static RD_WARN RdStatus alloc_array(Reader *r, size_t n, size_t size, void **out)
{
    *out = NULL;
    if (n == 0)
        return RD_OK;
    *out = calloc(n, size);
    if (!*out)
        return rd_fail(r, "out of memory");
    return RD_OK;
}

/* ---- constant expressions ---- */

/* Fills kind/type/index/value when the expression is one supported instruction. */
static void classify_const(const Instr *in, ConstExpr *out)
{
    out->kind = CONST_VALUE;
    out->value = in->imm;
    switch (in->op) {
    case OP_I32_CONST:
        out->type = VT_I32;
        out->value = (uint32_t)in->imm; /* zero-extended, like a Cell */
        return;
    case OP_I64_CONST: out->type = VT_I64; return;
    case OP_F32_CONST: out->type = VT_F32; return;
    case OP_F64_CONST: out->type = VT_F64; return;
    case OP_V128_CONST:
        out->type = VT_V128;
        memcpy(&out->value, in->tab, 8); /* the cells hold the image (lower.h) */
        memcpy(&out->value_hi, in->tab + 8, 8);
        return;
    case OP_GLOBAL_GET:
        out->kind = CONST_GLOBAL_GET;
        out->index = in->a;
        return;
    case OP_REF_NULL:
        out->kind = CONST_REF_NULL;
        out->type = (ValType)in->a;
        return;
    case OP_REF_FUNC:
        out->kind = CONST_REF_FUNC;
        out->type = VT_FUNCREF;
        out->index = in->a;
        return;
    case OP_STRUCT_NEW_DEFAULT:
    case OP_ARRAY_NEW_FIXED: /* GC: run by const_eval (instance.c) */
        out->kind = CONST_EXPR;
        out->value = 0;
        return;
    default:
        out->kind = CONST_INVALID;
        out->value = 0;
        return;
    }
}

/* Reads instructions up to the `end` that closes the expression. Nested blocks are only
 * skipped over (validation rejects them); an `else` at the outer level is malformed as in
 * the spec's decoder. Each step consumes at least one byte, so this always terminates. */
static RD_WARN RdStatus read_const(Reader *r, size_t sec_end, uint32_t features, ConstExpr *out)
{
    memset(out, 0, sizeof *out);
    out->start = (uint32_t)rd_off(r);
    Instr in, first = {0};
    size_t depth = 0, n = 0;
    for (;;) {
        /* An expression stops at its section's end (the 3.0 suite's binary.wast: an
         * initializer without `end` must not read the next section's id as an opcode). */
        if (rd_off(r) >= sec_end)
            return rd_fail_at(r, sec_end, EOS_MSG);
        if (instr_read_f(r, &in, features))
            return RD_ERR;
        if (in.op == OP_END && depth == 0)
            break;
        if (in.op == OP_ELSE && depth == 0)
            return rd_fail_at(r, in.off, "END opcode expected");
        if (in.op == OP_BLOCK || in.op == OP_LOOP || in.op == OP_IF)
            depth++;
        else if (in.op == OP_END)
            depth--;
        if (n++ == 0)
            first = in;
    }
    out->end = (uint32_t)in.off;
    if (n == 1)
        classify_const(&first, out);
    else if (n > 1)
        out->kind = CONST_EXPR;
    return RD_OK;
}

/* ---- index spaces ---- */

/* Allocates the index space of one extern kind (imports first, then ndef definitions) and
 * copies the imported entries in. Each kind is reserved exactly once. */
static RD_WARN RdStatus space_reserve(Dec *d, Reader *r, ExternKind kind, uint32_t ndef)
{
    Module *m = d->m;
    static const size_t elem_size[] = {sizeof(uint32_t), sizeof(TableType), sizeof(MemType),
                                       sizeof(Global), sizeof(uint32_t)};
    uint32_t *counts[] = {&m->nfuncs, &m->ntables, &m->nmems, &m->nglobals, &m->ntags};
    uint32_t nimp[] = {m->nfunc_imports, m->ntable_imports, m->nmem_imports,
                       m->nglobal_imports, m->ntag_imports};
    void *arr;
    uint64_t total = (uint64_t)nimp[kind] + ndef;
    if (total > UINT32_MAX)
        return rd_fail(r, "too many definitions");
    if (alloc_array(r, (size_t)total, elem_size[kind], &arr))
        return RD_ERR;
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const Import *im = &m->imports[i];
        if (im->kind != kind)
            continue;
        switch (kind) {
        case EXTERN_FUNC: ((uint32_t *)arr)[k++] = im->d.func_type; break;
        case EXTERN_TABLE: ((TableType *)arr)[k++] = im->d.table; break;
        case EXTERN_MEMORY: ((MemType *)arr)[k++] = im->d.mem; break;
        case EXTERN_GLOBAL: ((Global *)arr)[k++].type = im->d.global; break;
        case EXTERN_TAG: ((uint32_t *)arr)[k++] = im->d.tag_type; break;
        }
    }
    switch (kind) {
    case EXTERN_FUNC: m->func_types = arr; break;
    case EXTERN_TABLE: m->tables = arr; break;
    case EXTERN_MEMORY: m->mems = arr; break;
    case EXTERN_GLOBAL: m->globals = arr; break;
    case EXTERN_TAG: m->tag_types = arr; break;
    }
    *counts[kind] = (uint32_t)total;
    return RD_OK;
}

/* ---- sections, one parser each; r spans to the end of the module as in the spec's
 * decoder, and read_section checks that each consumed exactly its declared size ---- */

static RD_WARN RdStatus add_custom(Dec *d, Reader *r, const CustomSection *cs)
{
    Module *m = d->m;
    if (m->ncustoms == d->customs_cap) {
        uint32_t cap = d->customs_cap ? d->customs_cap * 2 : 4;
        CustomSection *n = realloc(m->customs, cap * sizeof *n);
        if (!n)
            return rd_fail(r, "out of memory");
        m->customs = n;
        d->customs_cap = cap;
    }
    m->customs[m->ncustoms++] = *cs;
    return RD_OK;
}

static RD_WARN RdStatus sec_custom(Dec *d, Reader *r)
{
    CustomSection cs;
    if (read_name(r, &cs.name))
        return RD_ERR;
    /* The size passed read_len, which counts its own bytes: the end may still lie past
     * the module's last byte. */
    size_t len = (size_t)(r->end - r->base);
    if (rd_off(r) > d->sec_end || d->sec_end > len)
        return rd_fail_at(r, d->sec_end < len ? d->sec_end : len, EOS_MSG);
    cs.start = (uint32_t)rd_off(r);
    cs.len = (uint32_t)(d->sec_end - cs.start);
    r->p = r->base + d->sec_end;
    return add_custom(d, r, &cs);
}

/* A result type into a fresh array (*out, NULL when empty). */
static RD_WARN RdStatus read_resulttype(Reader *r, const Module *m, ValType **out,
                                        uint32_t *out_n)
{
    *out = NULL;
    if (read_len(r, out_n))
        return RD_ERR;
    if (*out_n > (size_t)(r->end - r->p)) /* each type takes a byte at least */
        return rd_fail(r, "unexpected end");
    if (alloc_array(r, *out_n, sizeof **out, (void **)out))
        return RD_ERR;
    for (uint32_t i = 0; i < *out_n; i++)
        if (read_valtype(r, m, &(*out)[i]))
            return RD_ERR;
    return RD_OK;
}

/* A field type of GC's struct and array types: a storage type (a value type, or i8 / i16
 * packed) and its mutability; *st the storage type, *mut FIELD_CONST or FIELD_VAR. */
static RD_WARN RdStatus read_fieldtype(Reader *r, const Module *m, ValType *st, ValType *mut)
{
    if (r->p < r->end && (*r->p == ST_I8 || *r->p == ST_I16))
        *st = *r->p++;
    else if (read_valtype(r, m, st))
        return RD_ERR;
    uint8_t b;
    if (rd_u8(r, &b))
        return RD_ERR;
    if (b > 1)
        return rd_fail_at(r, rd_off(r) - 1, "malformed mutability");
    *mut = b ? FIELD_VAR : FIELD_CONST;
    return RD_OK;
}

/* The most fields a struct type may have (as other engines: 10000). */
#define MAX_STRUCT_FIELDS 10000u

/* A struct (0x5f vec(fieldtype)) or array (0x5e fieldtype) type into *out. */
static RD_WARN RdStatus read_aggregate(Reader *r, const Module *m, uint8_t form, FuncType **out)
{
    uint32_t n = 1;
    if (form == 0x5f) {
        if (read_len(r, &n))
            return RD_ERR;
        if (n > (size_t)(r->end - r->p) / 2) /* each field takes two bytes at least */
            return rd_fail(r, "unexpected end");
        if (n > MAX_STRUCT_FIELDS)
            return rd_fail(r, "too many fields in struct type");
    }
    FuncType *t = calloc(1, functype_size(n, n));
    if (!t)
        return rd_fail(r, "out of memory");
    t->nparams = t->nresults = n;
    t->kind = form == 0x5f ? DT_STRUCT : DT_ARRAY;
    t->plain = false;
    *out = t; /* the caller frees it on error too */
    for (uint32_t i = 0; i < n; i++)
        if (read_fieldtype(r, m, &t->types[i], &t->types[n + i]))
            return RD_ERR;
    t->hash = functype_hash(t->types, n, n) ^ t->kind;
    return RD_OK;
}

static RD_WARN RdStatus read_functype(Reader *r, const Module *m, FuncType **out)
{
    uint8_t form;
    ValType *params = NULL, *results = NULL;
    uint32_t np, nr;
    *out = NULL;
    if (read_s7(r, &form))
        return RD_ERR;
    if (form == 0x5e || form == 0x5f) {
        if (!(m->features & CORRAL_FEATURE_GC))
            return rd_fail_at(r, rd_off(r) - 1,
                              "garbage collection (struct and array types) is switched off");
        module_uses(m, CORRAL_FEATURE_GC);
        return read_aggregate(r, m, form, out);
    }
    if (form == 0x4e || form == 0x4f || form == 0x50)
        return rd_fail_at(r, rd_off(r) - 1, "malformed function type");
    if (form != 0x60)
        return rd_fail_at(r, rd_off(r) - 1, "malformed function type");
    RdStatus st = read_resulttype(r, m, &params, &np);
    if (!st)
        st = read_resulttype(r, m, &results, &nr);
    FuncType *t = st ? NULL : malloc(sizeof *t + ((size_t)np + nr) * sizeof(ValType));
    if (!st && !t)
        st = rd_fail(r, "out of memory");
    if (t) {
        t->nparams = np;
        t->nresults = nr;
        if (np)
            memcpy(t->types, params, np * sizeof *params);
        if (nr)
            memcpy(t->types + np, results, nr * sizeof *results);
        t->hash = functype_hash(t->types, np, nr);
        t->plain = true; /* until its group says otherwise (type_identity) */
        t->mod = NULL;
        t->idx = 0;
        t->kind = DT_FUNC;
        *out = t;
    }
    free(params);
    free(results);
    return st;
}

/* Records the features a value type belongs to as used (exnref: exception handling; the
 * types beyond 2.0's: typed function references), so that a module with such values but no
 * instruction of the feature is still seen to need it. */
static void note_valtype(const Module *m, ValType t)
{
    if (vt_code(t) == HT_EXN || vt_code(t) == HT_NOEXN)
        module_uses(m, CORRAL_FEATURE_EXCEPTIONS);
    if (valtype_is_ref(t) && t != VT_FUNCREF && t != VT_EXTERNREF && t != VT_EXNREF)
        module_uses(m, CORRAL_FEATURE_FUNCTION_REFERENCES);
    if (valtype_is_ref(t) && valtype_kind(t) == HT_ANY)
        module_uses(m, CORRAL_FEATURE_GC);
}

/* A word of type g + k of the rec group [g, g + len), for comparing groups: references into
 * the group become relative (code 0x02, unused by value types), others stay (canonical). */
static ValType group_norm(ValType t, uint32_t g, uint32_t len)
{
    if (vt_is_concrete(t) && vt_index(t) >= g && vt_index(t) - g < len)
        return 0x02 | (vt_index(t) - g) << 9 | (t & VT_NONNULL);
    return t;
}

static uint32_t super_norm(uint32_t s, uint32_t g, uint32_t len)
{
    return s != NO_SUPER && s >= g && s - g < len ? 0x80000000u | (s - g) : s;
}

static uint32_t group_hash(const Module *m, uint32_t g, uint32_t len)
{
    uint32_t h = 2166136261u ^ len;
    for (uint32_t i = g; i < g + len; i++) {
        const FuncType *t = m->types[i];
        const TypeInfo *ti = &m->tinfo[i];
        h = (h ^ t->nparams ^ (t->nresults << 16) ^ ((uint32_t)ti->final << 31) ^
             ((uint32_t)t->kind << 24)) * 16777619u;
        h = (h ^ super_norm(ti->super, g, len)) * 16777619u;
        for (uint32_t k = 0; k < t->nparams + t->nresults; k++)
            h = (h ^ group_norm(t->types[k], g, len)) * 16777619u;
    }
    return h;
}

static bool group_equal(const Module *m, uint32_t g, uint32_t h, uint32_t len)
{
    if (m->tinfo[h].group_len != len)
        return false;
    for (uint32_t k = 0; k < len; k++) {
        const FuncType *a = m->types[g + k], *b = m->types[h + k];
        const TypeInfo *ia = &m->tinfo[g + k], *ib = &m->tinfo[h + k];
        if (a->nparams != b->nparams || a->nresults != b->nresults || ia->final != ib->final ||
            a->kind != b->kind || super_norm(ia->super, g, len) != super_norm(ib->super, h, len))
            return false;
        for (uint32_t i = 0; i < a->nparams + a->nresults; i++)
            if (group_norm(a->types[i], g, len) != group_norm(b->types[i], h, len))
                return false;
    }
    return true;
}

/* Finds the canonical indices of the rec group [g, g + len): the types of the first
 * equivalent group (iso-recursive equivalence: alike, with references inside the group
 * compared by position), found through a hash table of the canonical groups (tab: cap slots
 * of first index + 1); the group's references to itself are rewritten to that group's. */
static void canonicalize(Module *m, uint32_t g, uint32_t len, uint32_t *tab, uint32_t cap)
{
    uint32_t s = group_hash(m, g, len) & (cap - 1);
    for (; len && tab[s]; s = (s + 1) & (cap - 1)) {
        uint32_t h = tab[s] - 1;
        if (!group_equal(m, g, h, len))
            continue;
        for (uint32_t k = 0; k < len; k++) {
            FuncType *t = m->types[g + k];
            TypeInfo *ti = &m->tinfo[g + k];
            for (uint32_t i = 0; i < t->nparams + t->nresults; i++) {
                ValType w = t->types[i];
                if (vt_is_concrete(w) && vt_index(w) >= g && vt_index(w) - g < len)
                    t->types[i] = vt_concrete(h + vt_index(w) - g, valtype_nullable(w));
            }
            if (ti->super != NO_SUPER && ti->super >= g && ti->super - g < len)
                ti->super = h + ti->super - g;
            t->hash = functype_hash(t->types, t->nparams, t->nresults);
            m->canon[g + k] = h + k;
        }
        return;
    }
    if (len)
        tab[s] = g + 1;
    for (uint32_t k = 0; k < len; k++)
        m->canon[g + k] = g + k;
}

/* Sets plain, mod, idx and the hash of the types of group [g, g + len), canonical already: a
 * type that is not plain hashes its equivalence class (module-independent: references out of
 * the group by the referenced type's hash, into it by position). */
static void type_identity(Module *m, uint32_t g, uint32_t len)
{
    if (len == 0)
        return;
    bool plain = len == 1 && m->tinfo[g].final && m->tinfo[g].nsupers == 0 &&
                 m->types[g]->kind == DT_FUNC;
    for (uint32_t k = 0; plain && k < m->types[g]->nparams + m->types[g]->nresults; k++)
        plain = !vt_is_concrete(m->types[g]->types[k]);
    if (plain)
        return;
    if (m->canon[g] != g) { /* a copy of an earlier group: its types' hashes */
        for (uint32_t k = 0; k < len; k++) {
            FuncType *t = m->types[g + k];
            t->plain = false;
            t->mod = m;
            t->idx = g + k;
            t->hash = m->types[m->canon[g + k]]->hash;
        }
        return;
    }
    uint32_t h = 0x9e3779b9u ^ len;
    for (uint32_t i = g; i < g + len; i++) {
        const FuncType *t = m->types[i];
        const TypeInfo *ti = &m->tinfo[i];
        uint32_t sup = 0;
        if (ti->super != NO_SUPER && ti->super >= g && ti->super - g < len)
            sup = 0x40000000u | (ti->super - g);
        else if (ti->super != NO_SUPER)
            sup = m->types[ti->super < m->ntypes ? ti->super : g]->hash;
        h = (h ^ t->nparams ^ (t->nresults << 16) ^ ((uint32_t)ti->final << 31) ^
             ((uint32_t)t->kind << 24)) * 16777619u;
        h = (h ^ (ti->nsupers ? 1u : 0u) ^ sup) * 16777619u;
        for (uint32_t k = 0; k < t->nparams + t->nresults; k++) {
            ValType w = t->types[k];
            if (vt_is_concrete(w)) {
                uint32_t x = vt_index(w);
                w = x >= g && x - g < len ? 0x02 | (x - g) << 9
                                          : (x < g ? m->types[x]->hash : 0x03u) << 9 | 0x03;
                w ^= t->types[k] & VT_NONNULL;
            }
            h = (h ^ w) * 16777619u;
        }
    }
    for (uint32_t k = 0; k < len; k++) {
        FuncType *t = m->types[g + k];
        t->plain = false;
        t->mod = m;
        t->idx = g + k;
        t->hash = (h ^ k) * 16777619u;
    }
}

/* The implementation limit on types (as other engines: a million). */
#define MAX_TYPES 1000000u

/* Grows the type arrays to hold n types. */
static RD_WARN RdStatus grow_types(Reader *r, Module *m, uint32_t *cap, uint32_t n)
{
    if (n <= *cap)
        return RD_OK;
    uint32_t c = *cap ? *cap : 16;
    while (c < n)
        c *= 2;
    FuncType **t = realloc(m->types, (size_t)c * sizeof *t);
    if (t)
        m->types = t;
    uint32_t *cn = t ? realloc(m->canon, (size_t)c * sizeof *cn) : NULL;
    if (cn)
        m->canon = cn;
    TypeInfo *ti = cn ? realloc(m->tinfo, (size_t)c * sizeof *ti) : NULL;
    if (!ti)
        return rd_fail(r, "out of memory");
    m->tinfo = ti;
    *cap = c;
    return RD_OK;
}

/* A subtype: (sub final? x* comptype) as 0x50 / 0x4f vec(typeidx) comptype, or a bare
 * comptype (final, no supertype). */
static RD_WARN RdStatus read_subtype(Reader *r, Module *m, uint32_t i)
{
    TypeInfo *ti = &m->tinfo[i];
    *ti = (TypeInfo){.super = NO_SUPER, .super_raw = NO_SUPER, .final = true};
    m->types[i] = NULL;
    if (r->p < r->end && (*r->p == 0x50 || *r->p == 0x4f)) {
        if (!(m->features & CORRAL_FEATURE_GC))
            return rd_fail_at(r, rd_off(r), "malformed sub type (sub: gc is switched off)");
        ti->final = *r->p++ == 0x4f;
        module_uses(m, CORRAL_FEATURE_GC);
        if (read_count(r, (size_t)(r->end - r->base), &ti->nsupers))
            return RD_ERR;
        for (uint32_t k = 0; k < ti->nsupers; k++) {
            uint32_t x;
            if (rd_u32(r, &x))
                return RD_ERR;
            if (k == 0)
                ti->super_raw = ti->super = x < m->ncanon ? m->canon[x] : x;
        }
    }
    return read_functype(r, m, &m->types[i]);
}

/* The type section: a vector of recursion groups, each a single subtype or 0x4e and a
 * vector of them (GC's rec). */
static RD_WARN RdStatus sec_type(Dec *d, Reader *r)
{
    Module *m = d->m;
    uint32_t n, cap = 0;
    if (read_count(r, d->sec_end, &n))
        return RD_ERR;
    if (n > MAX_TYPES)
        return rd_fail(r, "too many types");
    uint32_t tcap = 16; /* the canonical groups' table: at most n groups */
    while (tcap < 2 * n)
        tcap *= 2;
    uint32_t *tab = calloc(tcap, sizeof *tab);
    if (!tab)
        return rd_fail(r, "out of memory");
    RdStatus st = RD_OK;
    for (uint32_t e = 0; e < n && !st; e++) {
        uint32_t len = 1, g = m->ntypes;
        if (r->p < r->end && *r->p == 0x4e) {
            if (!(m->features & CORRAL_FEATURE_GC)) {
                st = rd_fail_at(r, rd_off(r), "malformed type (rec: gc is switched off)");
                break;
            }
            r->p++;
            module_uses(m, CORRAL_FEATURE_GC);
            if ((st = read_count(r, d->sec_end, &len)))
                break;
        }
        if ((uint64_t)g + len > MAX_TYPES) {
            st = rd_fail(r, "too many types");
            break;
        }
        if ((st = grow_types(r, m, &cap, g + len)))
            break;
        for (uint32_t k = 0; k < len && !st; k++) {
            if ((st = read_subtype(r, m, g + k))) {
                free(m->types[g + k]);
                break;
            }
            m->tinfo[g + k].group = g;
            m->tinfo[g + k].group_len = len;
            m->ntypes = g + k + 1; /* module_free frees the ones read */
            const FuncType *t = m->types[g + k];
            for (uint32_t i = 0; i < t->nparams + t->nresults; i++)
                note_valtype(m, t->types[i]);
        }
        if (st)
            break;
        canonicalize(m, g, len, tab, tcap);
        type_identity(m, g, len);
        m->ncanon = m->ntypes;
    }
    free(tab);
    if (st)
        return RD_ERR;
    n = m->ntypes;
    if (alloc_array(r, 2 * (size_t)n, sizeof *m->ref_singles, (void **)&m->ref_singles))
        return RD_ERR;
    for (uint32_t i = 0; i < n; i++) {
        m->ref_singles[2 * i] = vt_concrete(m->canon[i], true);
        m->ref_singles[2 * i + 1] = vt_concrete(m->canon[i], false);
    }
    return RD_OK;
}

/* A tag type: the attribute 0 (an exception), then a type index. */
static RD_WARN RdStatus read_tagtype(Reader *r, uint32_t *out)
{
    uint8_t attr;
    if (rd_u8(r, &attr))
        return RD_ERR;
    if (attr != 0)
        return rd_fail_at(r, rd_off(r) - 1, "malformed tag attribute");
    return rd_u32(r, out);
}

static RD_WARN RdStatus read_import_desc(Reader *r, const Module *m, Import *im)
{
    uint32_t feat = m->features;
    uint8_t kind;
    if (rd_u8(r, &kind))
        return RD_ERR;
    im->kind = (ExternKind)kind;
    switch (kind) {
    case EXTERN_FUNC: return rd_u32(r, &im->d.func_type);
    case EXTERN_TABLE: return read_tabletype(r, m, &im->d.table);
    case EXTERN_MEMORY: return read_limits(r, feat, false, &im->d.mem.lim);
    case EXTERN_GLOBAL: return read_globaltype(r, m, &im->d.global);
    case EXTERN_TAG:
        if (!(feat & CORRAL_FEATURE_EXCEPTIONS))
            return rd_fail_at(r, rd_off(r) - 1, "malformed import kind (a tag: exception "
                                                "handling is switched off)");
        return read_tagtype(r, &im->d.tag_type);
    default: return rd_fail_at(r, rd_off(r) - 1, "malformed import kind");
    }
}

static RD_WARN RdStatus sec_import(Dec *d, Reader *r)
{
    Module *m = d->m;
    uint32_t n;
    if (read_count(r, d->sec_end, &n) ||
        alloc_array(r, n, sizeof *m->imports, (void **)&m->imports))
        return RD_ERR;
    m->nimports = n;
    for (uint32_t i = 0; i < n; i++) {
        Import *im = &m->imports[i];
        if (read_name(r, &im->module) || read_name(r, &im->name) ||
            read_import_desc(r, m, im))
            return RD_ERR;
        uint32_t *count[] = {&m->nfunc_imports, &m->ntable_imports, &m->nmem_imports,
                             &m->nglobal_imports, &m->ntag_imports};
        (*count[im->kind])++;
        if (im->kind == EXTERN_TAG)
            module_uses(m, CORRAL_FEATURE_EXCEPTIONS);
        if (im->kind == EXTERN_GLOBAL)
            note_valtype(m, im->d.global.type);
        if (im->kind == EXTERN_TABLE)
            note_valtype(m, im->d.table.elem);
    }
    if (m->nfunc_imports > d->lim.max_funcs)
        return rd_fail(r, "too many functions");
    return RD_OK;
}

static RD_WARN RdStatus sec_func(Dec *d, Reader *r)
{
    Module *m = d->m;
    uint32_t n;
    if (read_count(r, d->sec_end, &n))
        return RD_ERR;
    if ((uint64_t)m->nfunc_imports + n > d->lim.max_funcs)
        return rd_fail(r, "too many functions");
    if (space_reserve(d, r, EXTERN_FUNC, n))
        return RD_ERR;
    d->ndefined_funcs = n;
    for (uint32_t i = 0; i < n; i++)
        if (rd_u32(r, &m->func_types[m->nfunc_imports + i]))
            return RD_ERR;
    return RD_OK;
}

static RD_WARN RdStatus sec_table(Dec *d, Reader *r)
{
    Module *m = d->m;
    uint32_t n;
    if (read_count(r, d->sec_end, &n) || space_reserve(d, r, EXTERN_TABLE, n) ||
        alloc_array(r, n, sizeof *m->table_inits, (void **)&m->table_inits))
        return RD_ERR;
    for (uint32_t i = 0; i < n; i++) {
        TableType *t = &m->tables[m->ntable_imports + i];
        /* Limits with min > max, or past the address type's range, are the validator's to
         * report, in the spec's words; a valid minimum past the engine's limit
         * (max_table_elems) is refused when an instance would make the table (instance.c),
         * so the module itself loads (the 3.0 suite defines such a module without
         * instantiating it). */
        /* typed function references: 0x40 0x00 tabletype expr, a table with an initializer */
        bool has_init = (m->features & CORRAL_FEATURE_FUNCTION_REFERENCES) && r->p < r->end &&
                        *r->p == 0x40;
        if (has_init) {
            uint8_t b;
            r->p++;
            if (rd_u8(r, &b))
                return RD_ERR;
            if (b != 0)
                return rd_fail_at(r, rd_off(r) - 1, "malformed table type");
            module_uses(m, CORRAL_FEATURE_FUNCTION_REFERENCES);
        }
        if (read_tabletype(r, m, t))
            return RD_ERR;
        note_valtype(m, t->elem);
        if (has_init && read_const(r, d->sec_end, m->features, &m->table_inits[i]))
            return RD_ERR;
    }
    return RD_OK;
}

static RD_WARN RdStatus sec_memory(Dec *d, Reader *r)
{
    Module *m = d->m;
    uint32_t n;
    if (read_count(r, d->sec_end, &n) || space_reserve(d, r, EXTERN_MEMORY, n))
        return RD_ERR;
    for (uint32_t i = 0; i < n; i++)
        if (read_limits(r, m->features, false, &m->mems[m->nmem_imports + i].lim))
            return RD_ERR;
    return RD_OK;
}

static RD_WARN RdStatus sec_global(Dec *d, Reader *r)
{
    Module *m = d->m;
    uint32_t n;
    if (read_count(r, d->sec_end, &n) || space_reserve(d, r, EXTERN_GLOBAL, n))
        return RD_ERR;
    for (uint32_t i = 0; i < n; i++) {
        Global *g = &m->globals[m->nglobal_imports + i];
        if (read_globaltype(r, m, &g->type) ||
            read_const(r, d->sec_end, m->features, &g->init))
            return RD_ERR;
        note_valtype(m, g->type.type);
    }
    return RD_OK;
}

static RD_WARN RdStatus sec_tag(Dec *d, Reader *r)
{
    Module *m = d->m;
    uint32_t n;
    if (read_count(r, d->sec_end, &n) || space_reserve(d, r, EXTERN_TAG, n))
        return RD_ERR;
    module_uses(m, CORRAL_FEATURE_EXCEPTIONS);
    for (uint32_t i = 0; i < n; i++)
        if (read_tagtype(r, &m->tag_types[m->ntag_imports + i]))
            return RD_ERR;
    return RD_OK;
}

static RD_WARN RdStatus sec_export(Dec *d, Reader *r)
{
    Module *m = d->m;
    uint32_t n;
    if (read_count(r, d->sec_end, &n) ||
        alloc_array(r, n, sizeof *m->exports, (void **)&m->exports))
        return RD_ERR;
    m->nexports = n;
    for (uint32_t i = 0; i < n; i++) {
        Export *e = &m->exports[i];
        uint8_t kind;
        if (read_name(r, &e->name) || rd_u8(r, &kind))
            return RD_ERR;
        if (kind == EXTERN_TAG && !(m->features & CORRAL_FEATURE_EXCEPTIONS))
            return rd_fail_at(r, rd_off(r) - 1, "malformed export kind (a tag: exception "
                                                "handling is switched off)");
        if (kind > EXTERN_TAG)
            return rd_fail_at(r, rd_off(r) - 1, "malformed export kind");
        e->kind = (ExternKind)kind;
        if (rd_u32(r, &e->index))
            return RD_ERR;
    }
    return RD_OK;
}

static RD_WARN RdStatus sec_start(Dec *d, Reader *r)
{
    d->m->has_start = true;
    return rd_u32(r, &d->m->start);
}

/* Items of flags 0..3: a vector of function indices, each a ref.func with no expression
 * bytes (start == end == the index's offset); validate.c tells them apart by that. */
static RD_WARN RdStatus read_elem_funcs(Dec *d, Reader *r, ElemSeg *seg)
{
    if (read_count(r, d->sec_end, &seg->count) ||
        alloc_array(r, seg->count, sizeof *seg->items, (void **)&seg->items))
        return RD_ERR;
    /* 3.0: a vector of function indices has type (ref func) */
    if (d->m->features & CORRAL_FEATURE_FUNCTION_REFERENCES)
        seg->type = VT_FUNCREF | VT_NONNULL;
    for (uint32_t i = 0; i < seg->count; i++) {
        ConstExpr *it = &seg->items[i];
        it->kind = CONST_REF_FUNC;
        it->type = VT_FUNCREF;
        it->start = it->end = (uint32_t)rd_off(r);
        if (rd_u32(r, &it->index))
            return RD_ERR;
    }
    return RD_OK;
}

static RD_WARN RdStatus read_elem_exprs(Dec *d, Reader *r, ElemSeg *seg)
{
    if (read_count(r, d->sec_end, &seg->count) ||
        alloc_array(r, seg->count, sizeof *seg->items, (void **)&seg->items))
        return RD_ERR;
    for (uint32_t i = 0; i < seg->count; i++)
        if (read_const(r, d->sec_end, d->m->features, &seg->items[i]))
            return RD_ERR;
    return RD_OK;
}

/* The element type of flags 1..3: elemkind 0x00 (funcref). */
static RD_WARN RdStatus read_elemkind(Reader *r, ValType *out)
{
    uint8_t k;
    if (rd_u8(r, &k))
        return RD_ERR;
    if (k != 0)
        return rd_fail_at(r, rd_off(r) - 1, "malformed element kind");
    *out = VT_FUNCREF;
    return RD_OK;
}

/* Flags: bit 0 passive or declarative (bit 1 picks declarative), else active with an
 * explicit table when bit 1 is set; bit 2 selects expressions over function indices. */
static RD_WARN RdStatus read_elem(Dec *d, Reader *r, ElemSeg *seg)
{
    uint32_t flags;
    size_t off = rd_off(r);
    if (rd_u32(r, &flags))
        return RD_ERR;
    if (flags > 7)
        return rd_fail_at(r, off, "malformed elements segment kind");
    bool exprs = flags & 4;
    seg->type = VT_FUNCREF;
    if (flags & 1) {
        seg->mode = (flags & 2) ? SEG_DECLARATIVE : SEG_PASSIVE;
    } else {
        seg->mode = SEG_ACTIVE;
        if ((flags & 2) && rd_u32(r, &seg->table))
            return RD_ERR;
        if (read_const(r, d->sec_end, d->m->features, &seg->offset))
            return RD_ERR;
    }
    if (flags & 3) {
        RdStatus st = exprs ? read_reftype(r, d->m, &seg->type) : read_elemkind(r, &seg->type);
        if (st)
            return RD_ERR;
    }
    return exprs ? read_elem_exprs(d, r, seg) : read_elem_funcs(d, r, seg);
}

static RD_WARN RdStatus sec_elem(Dec *d, Reader *r)
{
    Module *m = d->m;
    uint32_t n;
    if (read_count(r, d->sec_end, &n))
        return RD_ERR;
    if (n > d->lim.max_segments)
        return rd_fail(r, "too many segments");
    if (alloc_array(r, n, sizeof *m->elems, (void **)&m->elems))
        return RD_ERR;
    m->nelems = n;
    for (uint32_t i = 0; i < n; i++)
        if (read_elem(d, r, &m->elems[i]))
            return RD_ERR;
    return RD_OK;
}

static RD_WARN RdStatus sec_datacount(Dec *d, Reader *r)
{
    d->m->has_datacount = true;
    return rd_u32(r, &d->m->datacount);
}

/* Copies an error whose message may point into its own buffer. */
static void copy_error(DecodeError *dst, const DecodeError *src)
{
    *dst = *src;
    if (src->msg == src->buf)
        dst->msg = dst->buf;
}

static void set_pending(Dec *d, const DecodeError *e, uint8_t kind)
{
    copy_error(&d->pending, e);
    d->pending_kind = kind;
    d->skim = true;
}

/* Starts the checks of the bodies: at the code section, or at the end of a module without
 * one. With DECODE_VALIDATE, everything before the code section is validated first. */
static RD_WARN RdStatus start_checks(Dec *d, Reader *r, uint32_t ncodes)
{
    if (d->val)
        return RD_OK;
    /* The index spaces are complete (no later section defines any): make those of kinds
     * that are only imported. */
    for (int k = EXTERN_FUNC; k <= EXTERN_TAG; k++)
        if (!d->seen[space_section((ExternKind)k)] && space_reserve(d, r, (ExternKind)k, 0))
            return RD_ERR;
    d->val = validate_new(d->m);
    if (!d->val)
        return rd_fail(r, "out of memory");
    /* Bodies whose count does not match the function section are only skimmed: the
     * decoder reports the mismatch at the end. */
    d->skim = !(d->flags & DECODE_VALIDATE) || ncodes != d->ndefined_funcs;
    if (!(d->flags & DECODE_VALIDATE))
        return RD_OK;
    DecodeError e;
    int st = validate_head(d->val, &e);
    if (st == VAL_MALFORMED)
        return rd_fail_at(r, e.offset, e.msg);
    if (st == VAL_INVALID)
        set_pending(d, &e, PEND_HEAD);
    return RD_OK;
}

/* Local declarations; their total must fit in u32 (the spec) and in the engine's limit.
 * The limit counts declared locals only: parameters add at most 1000 (the validator's cap
 * on a function type), so a frame stays bounded by max_locals + 1000 cells of locals. */
static RD_WARN RdStatus read_locals(Dec *d, Reader *b, Code *c)
{
    size_t off = rd_off(b);
    if (read_count(b, (size_t)(b->end - b->base), &c->ndecls) ||
        alloc_array(b, c->ndecls, sizeof *c->decls, (void **)&c->decls))
        return RD_ERR;
    uint64_t total = 0;
    for (uint32_t i = 0; i < c->ndecls; i++) {
        if (rd_u32(b, &c->decls[i].count) || read_valtype(b, d->m, &c->decls[i].type))
            return RD_ERR;
        note_valtype(d->m, c->decls[i].type);
        total += c->decls[i].count;
    }
    if (total > UINT32_MAX || total > d->lim.max_locals)
        return rd_fail_at(b, off, "too many locals");
    c->nlocals = (uint32_t)total;
    return RD_OK;
}

/* One entry: size, then a body reader bounded by it; instructions are left to validate.c. */
static RD_WARN RdStatus read_code(Dec *d, Reader *r, Code *c)
{
    uint32_t size;
    Reader body;
    c->size_off = (uint32_t)rd_off(r);
    if (read_len(r, &size) || rd_sub(r, size, &body))
        return RD_ERR;
    if (read_locals(d, &body, c))
        return rd_fail_at(r, body.err_off, body.err);
    c->body_start = (uint32_t)rd_off(&body);
    c->body_end = (uint32_t)(body.end - body.base);
    return RD_OK;
}

/* Reports a body's malformation, which comes before any error the reader holds (that of a
 * later body's header). */
static RD_WARN RdStatus body_malformed(Dec *d, Reader *r, uint32_t ci, const DecodeError *e)
{
    d->err_func = d->m->nfunc_imports + ci;
    const char *msg = e->msg;
    if (msg == e->buf) {
        snprintf(d->msgbuf, sizeof d->msgbuf, "%s", e->buf);
        msg = d->msgbuf;
    }
    r->err = NULL;
    return rd_fail_at(r, e->offset, msg);
}

/* The bodies' headers (size, locals) are read first, then the bodies are checked, on several
 * threads when they are big (bodies.c). A header that cannot be read ends the section, after
 * the bodies before it are checked: a malformation in one of them comes first. */
static RD_WARN RdStatus sec_code(Dec *d, Reader *r)
{
    Module *m = d->m;
    uint32_t n, nread;
    if (read_count(r, d->sec_end, &n) || alloc_array(r, n, sizeof *m->codes, (void **)&m->codes))
        return RD_ERR;
    m->ncodes = n;
    if (start_checks(d, r, n))
        return RD_ERR;
    RdStatus header = RD_OK;
    for (nread = 0; nread < n; nread++) {
        d->err_func = m->nfunc_imports + nread;
        if ((header = read_code(d, r, &m->codes[nread])) != RD_OK)
            break;
    }
    BodiesOutcome o;
    if (check_bodies(m, d->val, nread, !d->skim, d->lim.threads, &o) != 0)
        return header ? RD_ERR : rd_fail(r, "out of memory");
    if (o.malformed_body != UINT32_MAX)
        return body_malformed(d, r, o.malformed_body, &o.malformed);
    if (o.invalid_body != UINT32_MAX && d->pending_kind == PEND_NONE)
        set_pending(d, &o.invalid, PEND_BODY);
    if (header)
        return RD_ERR; /* err_func is that body's */
    d->err_func = UINT32_MAX;
    return RD_OK;
}

static RD_WARN RdStatus read_data(Reader *r, size_t sec_end, uint32_t features, DataSeg *seg)
{
    uint32_t flags, len;
    size_t off = rd_off(r);
    const uint8_t *p;
    if (rd_u32(r, &flags))
        return RD_ERR;
    if (flags > 2)
        return rd_fail_at(r, off, "malformed data segment kind");
    seg->mode = flags == 1 ? SEG_PASSIVE : SEG_ACTIVE;
    if (flags == 2 && rd_u32(r, &seg->mem))
        return RD_ERR;
    if (flags != 1 && read_const(r, sec_end, features, &seg->offset))
        return RD_ERR;
    if (read_len(r, &len) || rd_bytes(r, len, &p))
        return RD_ERR;
    seg->start = (uint32_t)(p - r->base);
    seg->len = len;
    return RD_OK;
}

static RD_WARN RdStatus sec_data(Dec *d, Reader *r)
{
    Module *m = d->m;
    uint32_t n;
    if (read_count(r, d->sec_end, &n))
        return RD_ERR;
    if (n > d->lim.max_segments)
        return rd_fail(r, "too many segments");
    if (alloc_array(r, n, sizeof *m->datas, (void **)&m->datas))
        return RD_ERR;
    m->ndatas = n;
    for (uint32_t i = 0; i < n; i++)
        if (read_data(r, d->sec_end, m->features, &m->datas[i]))
            return RD_ERR;
    return RD_OK;
}

static const SectionParser section_parsers[NSECTIONS] = {
    sec_custom, sec_type,   sec_import, sec_func, sec_table, sec_memory,   sec_global,
    sec_export, sec_start, sec_elem,   sec_code, sec_data,  sec_datacount, sec_tag,
};

/* ---- module framing ---- */

static RD_WARN RdStatus read_header(Reader *r)
{
    static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6d};
    static const uint8_t version[4] = {0x01, 0x00, 0x00, 0x00};
    const uint8_t *p;
    if (rd_bytes(r, 4, &p))
        return RD_ERR;
    if (memcmp(p, magic, 4) != 0)
        return rd_fail_at(r, 0, "magic header not detected");
    if (rd_bytes(r, 4, &p))
        return RD_ERR;
    if (memcmp(p, version, 4) != 0)
        return rd_fail_at(r, 4, "unknown binary version");
    return RD_OK;
}

/* Id, order, size, payload. A known section out of order is what the spec's decoder sees as
 * content after the last section it could place. */
static RD_WARN RdStatus read_section(Dec *d, Reader *r)
{
    size_t id_off = rd_off(r);
    uint8_t id;
    uint32_t size;
    if (rd_u8(r, &id))
        return RD_ERR;
    if (id == SEC_TAG && !(d->m->features & CORRAL_FEATURE_EXCEPTIONS))
        return rd_fail_at(r, id_off, "malformed section id (the tag section: exception "
                                     "handling is switched off)");
    if (id >= NSECTIONS)
        return rd_fail_at(r, id_off, "malformed section id");
    if (id != SEC_CUSTOM) {
        if (section_rank[id] <= d->last_rank)
            return rd_fail_at(r, id_off, "unexpected content after last section");
        d->last_rank = section_rank[id];
        d->seen[id] = true;
    }
    if (read_len(r, &size))
        return RD_ERR;
    size_t start = rd_off(r);
    d->sec_end = start + size;
    if (section_parsers[id](d, r))
        return RD_ERR;
    if (rd_off(r) != d->sec_end)
        return rd_fail_at(r, start, "section size mismatch");
    return RD_OK;
}

/* Checks that span sections, and index spaces for kinds that are only imported. */
static RD_WARN RdStatus finish(Dec *d, Reader *r)
{
    Module *m = d->m;
    size_t end = m->bytes_len;
    if (d->ndefined_funcs != m->ncodes)
        return rd_fail_at(r, end, "function and code section have inconsistent lengths");
    if (m->has_datacount && m->datacount != m->ndatas)
        return rd_fail_at(r, end, "data count and data section have inconsistent lengths");
    if (start_checks(d, r, 0))
        return RD_ERR;
    DecodeError e;
    int st = validate_data_uses(d->val, &e);
    if (st == VAL_MALFORMED) {
        d->err_func = e.func;
        return rd_fail_at(r, e.offset, e.msg);
    }
    bool earlier = d->pending_kind == PEND_NONE ||
                   (d->pending_kind == PEND_BODY && e.offset < d->pending.offset);
    if (st == VAL_INVALID && (d->flags & DECODE_VALIDATE) && earlier)
        set_pending(d, &e, PEND_BODY);
    if ((d->flags & DECODE_VALIDATE) && d->pending_kind != PEND_HEAD) {
        /* Module-level checks come before the bodies': a bad data segment wins. */
        st = validate_tail(d->val, &e);
        if (st == VAL_MALFORMED)
            return rd_fail_at(r, e.offset, e.msg);
        if (st == VAL_INVALID)
            set_pending(d, &e, PEND_TAIL);
    }
    return RD_OK;
}

static void set_error(DecodeError *err, const Reader *r, uint32_t func)
{
    err->msg = r->err ? r->err : "malformed module";
    err->offset = r->err_off;
    err->func = func;
    /* After the header every read is inside a section or body: use the spec's wording. */
    if (r->err_off >= 8 && strcmp(err->msg, "unexpected end") == 0)
        err->msg = EOS_MSG;
    /* Name the opcode: "illegal opcode ff". */
    size_t len = (size_t)(r->end - r->base);
    if (err->msg == instr_illegal_msg && err->offset < len) {
        instr_describe_illegal(r->base + err->offset, len - err->offset, err->buf,
                               sizeof err->buf);
        err->msg = err->buf;
    }
}

static void limits_or_defaults(const DecodeLimits *lim, DecodeLimits *out)
{
    static const DecodeLimits defaults = {50000, 1000000, 10000000, 100000, 0, 0};
    *out = defaults;
    if (!lim)
        return;
    if (lim->max_locals)
        out->max_locals = lim->max_locals;
    if (lim->max_funcs)
        out->max_funcs = lim->max_funcs;
    if (lim->max_table_elems)
        out->max_table_elems = lim->max_table_elems;
    if (lim->max_segments)
        out->max_segments = lim->max_segments;
    out->threads = lim->threads;
    out->features_off = lim->features_off;
}

static RD_WARN RdStatus decode_all(Dec *d, Reader *r)
{
    if (read_header(r))
        return RD_ERR;
    while (!rd_eof(r))
        if (read_section(d, r))
            return RD_ERR;
    return finish(d, r);
}

/* Copies the bytes, decodes them; on failure frees everything and fills err. A NULL lim, or a
 * zero field in it, means the default limit. */
int decode_module(const uint8_t *bytes, size_t len, const DecodeLimits *lim, unsigned flags,
                  Module **out, DecodeError *err)
{
    *out = NULL;
    err->msg = NULL;
    err->offset = 0;
    err->func = UINT32_MAX;
    err->buf[0] = '\0';
    if (len > UINT32_MAX) {
        err->msg = "module too large";
        return 1;
    }
    Module *m = calloc(1, sizeof *m);
    uint8_t *copy = NULL;
    if (m && !(flags & DECODE_ADOPT)) {
        copy = malloc(len ? len : 1);
        if (copy && len)
            memcpy(copy, bytes, len);
    }
    if (!m || (!(flags & DECODE_ADOPT) && !copy)) {
        free(m);
        err->msg = "out of memory";
        return 1;
    }
    m->bytes = copy ? copy : bytes;
    m->bytes_copied = copy != NULL;
    m->bytes_len = len;
    Dec d = {.m = m, .err_func = UINT32_MAX, .flags = flags};
    limits_or_defaults(lim, &d.lim);
    m->features = CORRAL_FEATURES_ALL & ~d.lim.features_off;
    Reader r;
    rd_init(&r, m->bytes, len);
    int failed = 1;
    if (decode_all(&d, &r)) {
        set_error(err, &r, d.err_func);
        if (err->msg == d.msgbuf) { /* d dies on return: the message moves into err */
            snprintf(err->buf, sizeof err->buf, "%s", d.msgbuf);
            err->msg = err->buf;
        }
    } else if (d.pending_kind != PEND_NONE)
        copy_error(err, &d.pending);
    else
        failed = 0;
    validate_delete(d.val);
    if (failed) {
        module_free(m);
        return 1;
    }
    *out = m;
    return 0;
}

/* Frees what decode_module allocated. m->lowered belongs to lower.c, which must release it
 * before calling this. */
void module_free(Module *m)
{
    if (!m)
        return;
    for (uint32_t i = 0; i < m->ntypes; i++)
        free(m->types[i]);
    free(m->types);
    free(m->canon);
    free(m->tinfo);
    free(m->ref_singles);
    free(m->table_inits);
    free(m->imports);
    free(m->func_types);
    free(m->tables);
    free(m->mems);
    free(m->globals);
    free(m->tag_types);
    free(m->exports);
    for (uint32_t i = 0; i < m->nelems; i++)
        free(m->elems[i].items);
    free(m->elems);
    free(m->datas);
    for (uint32_t i = 0; i < m->ncodes; i++)
        free(m->codes[i].decls);
    free(m->codes);
    free(m->customs);
    if (m->bytes_copied)
        free((void *)m->bytes);
    else if (m->release)
        m->release(m->release_arg, m->bytes, m->bytes_len);
    free(m);
}

/* Structural equality of two signatures. It does not trust the hashes (a caller may compare
 * those first as a fast negative test). */
/* Type i of ma and type j of mb are the same type: their rec groups are alike, position by
 * position, references out of them the same types (recursively: they point to earlier groups,
 * so this ends). budget bounds the work a hostile pair of modules can ask for; running out
 * answers "not the same", the safe side (a link error or a trap, never a confusion). */
static bool type_equiv(const Module *ma, uint32_t i, const Module *mb, uint32_t j, int *budget)
{
    if (--*budget < 0 || i >= ma->ntypes || j >= mb->ntypes)
        return false;
    i = ma->canon[i];
    j = mb->canon[j];
    if (ma == mb)
        return i == j;
    if (ma->types[i]->hash != mb->types[j]->hash)
        return false;
    const TypeInfo *ta = &ma->tinfo[i], *tb = &mb->tinfo[j];
    uint32_t ga = ta->group, gb = tb->group, len = ta->group_len;
    if (tb->group_len != len || i - ga != j - gb)
        return false;
    for (uint32_t k = 0; k < len; k++) {
        const FuncType *a = ma->types[ga + k], *b = mb->types[gb + k];
        const TypeInfo *xa = &ma->tinfo[ga + k], *xb = &mb->tinfo[gb + k];
        if (a->nparams != b->nparams || a->nresults != b->nresults || xa->final != xb->final ||
            a->kind != b->kind || (xa->super == NO_SUPER) != (xb->super == NO_SUPER))
            return false;
        if (xa->super != NO_SUPER) {
            bool ina = xa->super >= ga && xa->super - ga < len;
            bool inb = xb->super >= gb && xb->super - gb < len;
            if (ina != inb || (ina && xa->super - ga != xb->super - gb) ||
                (!ina && !type_equiv(ma, xa->super, mb, xb->super, budget)))
                return false;
        }
        for (uint32_t n = 0; n < a->nparams + a->nresults; n++) {
            ValType wa = a->types[n], wb = b->types[n];
            if (!vt_is_concrete(wa) || !vt_is_concrete(wb)) {
                if (wa != wb)
                    return false;
                continue;
            }
            if ((wa & VT_NONNULL) != (wb & VT_NONNULL))
                return false;
            uint32_t x = vt_index(wa), y = vt_index(wb);
            bool ina = x >= ga && x - ga < len, inb = y >= gb && y - gb < len;
            if (ina != inb || (ina && x - ga != y - gb) ||
                (!ina && !type_equiv(ma, x, mb, y, budget)))
                return false;
        }
    }
    return true;
}

#define TYPE_EQUIV_BUDGET 100000

bool functype_equal(const FuncType *a, const FuncType *b)
{
    if (a == b)
        return true;
    if (a->nparams != b->nparams || a->nresults != b->nresults || a->plain != b->plain ||
        a->kind != b->kind)
        return false;
    if (a->plain)
        return memcmp(a->types, b->types,
                      ((size_t)a->nparams + a->nresults) * sizeof *a->types) == 0;
    int budget = TYPE_EQUIV_BUDGET;
    return a->mod && b->mod && type_equiv(a->mod, a->idx, b->mod, b->idx, &budget);
}

bool functype_sub(const FuncType *a, const FuncType *b)
{
    if (functype_equal(a, b))
        return true;
    if (a->plain || !a->mod || !b->mod)
        return false;
    const Module *m = a->mod;
    int budget = TYPE_EQUIV_BUDGET;
    uint32_t x = m->canon[a->idx];
    for (int depth = 0; depth < 64; depth++) {
        x = m->tinfo[x].super;
        if (x == NO_SUPER || x >= m->ntypes)
            return false;
        if (b->plain ? functype_equal(m->types[x], b) : type_equiv(m, x, b->mod, b->idx, &budget))
            return true;
    }
    return false;
}

/* FNV-1a over the arity and the type codes; equal signatures hash equally. */
uint32_t functype_hash(const ValType *types, uint32_t nparams, uint32_t nresults)
{
    uint32_t h = 2166136261u;
    uint32_t head[2] = {nparams, nresults};
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 4; k++)
            h = (h ^ ((head[i] >> (8 * k)) & 0xff)) * 16777619u;
    size_t n = (size_t)nparams + nresults;
    for (size_t i = 0; i < n; i++)
        h = (h ^ types[i]) * 16777619u;
    return h;
}
