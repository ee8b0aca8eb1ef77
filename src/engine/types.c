/* types.c: subtyping, equality and names of value types (module.h's ValType words).
 * A concrete heap type's subtypes are itself, the types declaring it as a supertype (GC's
 * sub form) and its hierarchy's bottom (nofunc for a function type, none for a struct or
 * array type); its supertypes its declared ones and func, or struct / array, eq and any. */
#include "module.h"

#include <stdio.h>

/* The kind (DT_*) of concrete heap type h of m (a function type when m is unknown). */
static uint8_t heap_kind(const Module *m, uint32_t h)
{
    if (!m || vt_index(h) >= m->ntypes)
        return DT_FUNC;
    return m->types[vt_index(h)]->kind;
}

bool heap_sub(const Module *m, uint32_t a, uint32_t b)
{
    if (a == b)
        return true;
    if (vt_is_concrete(a) && vt_is_concrete(b)) {
        if (!m)
            return false;
        /* declared supertypes (canonical); bounded, as an invalid module may loop */
        uint32_t x = vt_index(a);
        for (int depth = 0; depth < 64 && x < m->ntypes && m->tinfo; depth++) {
            x = m->tinfo[x].super;
            if (x == vt_index(b))
                return true;
            if (x == NO_SUPER)
                break;
        }
        return false;
    }
    uint32_t ca = a & 0xff;
    if (ca == VT_CONCRETE) {
        uint8_t k = heap_kind(m, a);
        switch (b & 0xff) {
        case HT_FUNC: return k == DT_FUNC;
        case HT_ANY:
        case HT_EQ: return k != DT_FUNC;
        case HT_STRUCT: return k == DT_STRUCT;
        case HT_ARRAY: return k == DT_ARRAY;
        default: return false;
        }
    }
    if ((b & 0xff) == VT_CONCRETE)
        return heap_kind(m, b) == DT_FUNC ? ca == HT_NOFUNC : ca == HT_NONE;
    switch (b & 0xff) {
    case HT_FUNC: return ca == HT_NOFUNC;
    case HT_EXTERN: return ca == HT_NOEXTERN;
    case HT_EXN: return ca == HT_NOEXN;
    case HT_ANY:
        return ca == HT_EQ || ca == HT_I31 || ca == HT_STRUCT || ca == HT_ARRAY || ca == HT_NONE;
    case HT_EQ: return ca == HT_I31 || ca == HT_STRUCT || ca == HT_ARRAY || ca == HT_NONE;
    case HT_I31:
    case HT_STRUCT:
    case HT_ARRAY: return ca == HT_NONE;
    default: return false;
    }
}

bool valtype_sub(const Module *m, ValType a, ValType b)
{
    if (a == b)
        return true;
    if (!valtype_is_ref(a) || !valtype_is_ref(b))
        return false;
    if (valtype_nullable(a) && !valtype_nullable(b))
        return false;
    return heap_sub(m, vt_heap(a), vt_heap(b));
}

bool valtype_sub_x(const Module *ma, ValType a, const Module *mb, ValType b)
{
    if (!vt_is_concrete(a) || !vt_is_concrete(b) || ma == mb)
        return valtype_sub(vt_is_concrete(a) ? ma : vt_is_concrete(b) ? mb : ma ? ma : mb, a, b);
    if (!ma || !mb || vt_index(a) >= ma->ntypes || vt_index(b) >= mb->ntypes)
        return false;
    if (valtype_nullable(a) && !valtype_nullable(b))
        return false;
    return functype_sub(ma->types[vt_index(a)], mb->types[vt_index(b)]);
}

ValType valtype_kind_m(const Module *m, ValType t)
{
    if (vt_is_concrete(t) && heap_kind(m, t) != DT_FUNC)
        return HT_ANY;
    return valtype_kind(t);
}

static const char *heap_name(uint32_t code)
{
    switch (code) {
    case HT_FUNC: return "func";
    case HT_EXTERN: return "extern";
    case HT_EXN: return "exn";
    case HT_NOFUNC: return "nofunc";
    case HT_NOEXTERN: return "noextern";
    case HT_NOEXN: return "noexn";
    case HT_ANY: return "any";
    case HT_EQ: return "eq";
    case HT_I31: return "i31";
    case HT_STRUCT: return "struct";
    case HT_ARRAY: return "array";
    case HT_NONE: return "none";
    default: return "?";
    }
}

const char *valtype_str(ValType t, char *buf, size_t cap)
{
    switch (t) {
    case VT_I32: snprintf(buf, cap, "i32"); return buf;
    case VT_I64: snprintf(buf, cap, "i64"); return buf;
    case VT_F32: snprintf(buf, cap, "f32"); return buf;
    case VT_F64: snprintf(buf, cap, "f64"); return buf;
    case VT_V128: snprintf(buf, cap, "v128"); return buf;
    case VT_FUNCREF: snprintf(buf, cap, "funcref"); return buf;
    case VT_EXTERNREF: snprintf(buf, cap, "externref"); return buf;
    case VT_EXNREF: snprintf(buf, cap, "exnref"); return buf;
    default: break;
    }
    if (!valtype_is_ref(t)) {
        snprintf(buf, cap, "?");
        return buf;
    }
    const char *null = valtype_nullable(t) ? "null " : "";
    if (vt_is_concrete(t))
        snprintf(buf, cap, "(ref %s%u)", null, vt_index(t));
    else
        snprintf(buf, cap, "(ref %s%s)", null, heap_name(vt_code(t)));
    return buf;
}
