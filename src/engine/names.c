/* names.c: function names from the "name" custom section (the spec's appendix, "Name
 * Section"), for backtraces: corral_module_func_name. The section is parsed on the first
 * lookup, not at load, so modules that never trap pay nothing; a malformed one is ignored
 * (custom sections are not validated) and never touches anything outside its own bytes. */
#include "names.h"

#include "runtime.h"
#include "util/reader.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { SUB_MODULE = 0, SUB_FUNCS = 1 };

/* Reads the name map of subsection 1: vec(idx name), indices strictly increasing. A count
 * larger than the module's functions, or than the bytes could hold (each entry takes at
 * least two), is malformed before anything is allocated. */
static int read_name_map(Reader *r, uint32_t nfuncs, FuncNames **out)
{
    uint32_t count;
    if (rd_u32(r, &count) || count > nfuncs || count > rd_left(r) / 2)
        return 0;
    FuncNames *t = malloc(sizeof *t + (size_t)count * sizeof t->v[0]);
    if (!t)
        return -1;
    t->n = count;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t func, len;
        const uint8_t *name;
        if (rd_u32(r, &func) || func >= nfuncs || (i > 0 && func <= t->v[i - 1].func) ||
            rd_name(r, &name, &len)) {
            free(t);
            return 0;
        }
        t->v[i] = (FuncName){func, (uint32_t)(name - r->base), len};
    }
    if (!rd_eof(r)) { /* the subsection's size and its content disagree */
        free(t);
        return 0;
    }
    *out = count ? t : NULL;
    if (!count)
        free(t);
    return 0;
}

int func_names_parse(const uint8_t *bytes, size_t bytes_len, uint32_t start, uint32_t len,
                     uint32_t nfuncs, FuncNames **out)
{
    *out = NULL;
    if (start > bytes_len || len > bytes_len - start)
        return 0;
    Reader r;
    rd_init(&r, bytes, (size_t)start + len);
    r.p = bytes + start;
    /* Subsections: id, size, content; each id at most once, in increasing order. Only the
     * module name (0) may come before the function names (1). */
    int last = -1;
    while (!rd_eof(&r)) {
        uint8_t id;
        uint32_t size;
        Reader sub;
        if (rd_u8(&r, &id) || rd_u32(&r, &size) || rd_sub(&r, size, &sub) || id <= last)
            return 0;
        last = id;
        if (id == SUB_FUNCS)
            return read_name_map(&sub, nfuncs, out);
        if (id > SUB_FUNCS)
            return 0;
    }
    return 0;
}

const FuncName *func_names_find(const FuncNames *names, uint32_t func)
{
    size_t lo = 0, hi = names ? names->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (names->v[mid].func == func)
            return &names->v[mid];
        if (names->v[mid].func < func)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- the cache in corral_module ---- */

/* Stands for "parsed, no names", so a module without them is not parsed again. */
static FuncNames no_names;

/* The first custom section named "name" (the spec allows one); NULL when there is none. */
static const CustomSection *name_section(const Module *m)
{
    for (uint32_t i = 0; i < m->ncustoms; i++)
        if (m->customs[i].name.len == 4 && !memcmp(m->customs[i].name.ptr, "name", 4))
            return &m->customs[i];
    return NULL;
}

/* The module's table, parsed on first use. Modules are shared between threads: each thread
 * that finds no table parses one and offers it; the first offer wins, the others are freed.
 * NULL (not cached, so a later call tries again) only when out of memory. */
static const FuncNames *module_names(const struct corral_module *cm)
{
    _Atomic(FuncNames *) *slot = (_Atomic(FuncNames *) *)&cm->names;
    FuncNames *t = atomic_load_explicit(slot, memory_order_acquire);
    if (t)
        return t;
    const Module *m = cm->m;
    const CustomSection *cs = name_section(m);
    if (cs && func_names_parse(m->bytes, m->bytes_len, cs->start, cs->len, m->nfuncs, &t) != 0)
        return NULL;
    if (!t)
        t = &no_names;
    FuncNames *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(slot, &expected, t, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        if (t != &no_names)
            free(t);
        t = expected;
    }
    return t;
}

bool corral_module_func_name(const corral_module_t *module, uint32_t func_index,
                             const char **out_name, size_t *out_len)
{
    const FuncName *fn = func_names_find(module_names(module), func_index);
    if (!fn)
        return false;
    *out_name = (const char *)module->m->bytes + fn->off;
    *out_len = fn->len;
    return true;
}

void module_names_free(struct corral_module *cm)
{
    FuncNames *t = atomic_load_explicit(&cm->names, memory_order_acquire);
    if (t != &no_names)
        free(t);
}
