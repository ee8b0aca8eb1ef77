/* table.c: tables of references. Elements are cells (Func* for funcref, the host's
 * pointer for externref); a table grows by reallocation within its effective maximum. */
#include "runtime.h"

#include "gc.h"

#include <stdlib.h>

Table *table_create(Store *s, ValType elem, uint64_t min, uint64_t max, Cell init)
{
    bool has_max = max != UINT64_MAX;
    uint64_t decl_max = has_max ? max : 0;
    uint64_t cap = s->engine->cfg.max_table_elems;
    if (max > cap)
        max = cap;
    if (min > max)
        return NULL;
    Table *t = store_alloc(s, sizeof *t);
    if (!t)
        return NULL;
    t->elem = elem;
    t->max = (uint32_t)max;
    t->has_max = has_max;
    t->is64 = false; /* the caller sets it for a 64-bit table */
    t->decl_max = decl_max;
    if (store_own(s, OWN_TABLE_ELEMS, t) != 0)
        return NULL;
    if (elem != VT_FUNCREF && vt_code(elem) != HT_FUNC && vt_code(elem) != HT_NOFUNC &&
        !gc_register(s, GC_ROOT_TABLE, t)) /* may hold GC references (gc.c) */
        return NULL;
    if (table_grow(t, (uint32_t)min, init) < 0) /* min <= max <= the cap, a u32 */
        return NULL;
    return t;
}

int64_t table_grow(Table *t, uint32_t delta, Cell init)
{
    uint32_t old = t->size;
    if (delta > t->max - old)
        return -1;
    if (delta == 0)
        return old;
    Cell *e = realloc(t->elems, ((size_t)old + delta) * sizeof *e);
    if (!e)
        return -1;
    for (uint32_t i = old; i < old + delta; i++)
        e[i] = init;
    t->elems = e;
    t->size = old + delta;
    return old;
}
