/* bulk.c: the bulk memory and table operations (memory.init/copy/fill, table.init/copy/fill,
 * memory.grow), shared by the interpreter and native code. Each checks its bounds before it
 * moves anything and returns NULL or the trap's message. */
#include "runtime.h"

#include <string.h>

/* Bulk operations look at the interrupt flag after every chunk they move, the last one
 * included: 1 MiB of memory or 64 Ki table elements, tens of microseconds. So neither one
 * huge operation nor a loop of large ones outlasts a deadline: such a loop's own checks come
 * only every FUEL_SLICE units, and a bulk operation is one unit whatever its length. The
 * stops leave partial writes, which is fine: an interrupt is not a spec trap, and the bounds
 * were checked before anything moved. */
#define BULK_CHUNK ((uint64_t)1 << 20)
#define TABLE_CHUNK ((uint32_t)1 << 16)

/* memmove of n bytes in chunks; returns the interrupt's message when one stopped it. Chunks
 * go in the order that never overwrites a source byte not yet copied: downwards when dst
 * lies above src. */
static const char *move_chunked(const Store *st, void *dst_, const void *src_, uint64_t n)
{
    uint8_t *dst = dst_;
    const uint8_t *src = src_;
    bool down = (uintptr_t)dst > (uintptr_t)src;
    for (uint64_t done = 0; done < n;) {
        uint64_t c = n - done < BULK_CHUNK ? n - done : BULK_CHUNK;
        uint64_t at = down ? n - done - c : done;
        memmove(dst + at, src + at, c);
        done += c;
        const char *why = interrupt_message(st);
        if (why)
            return why;
    }
    return NULL;
}

/* Whether [off, off + n) lies within size bytes (or elements), without overflow. */
static inline bool in_bounds(uint64_t off, uint64_t n, uint64_t size)
{
    return off <= size && n <= size - off;
}

const char *bulk_memory_init(Instance *inst, Memory *mem, uint32_t seg, uint64_t d, uint32_t s,
                             uint32_t n)
{
    if ((uint64_t)s + n > inst->data_len[seg] || !in_bounds(d, n, mem->size))
        return OOB_MEM;
    return move_chunked(inst->store, mem->data + d,
                        inst->module->bytes + inst->module->datas[seg].start + s, n);
}

const char *bulk_memory_copy(const Store *st, Memory *dst, Memory *src, uint64_t d, uint64_t s,
                             uint64_t n)
{
    if (!in_bounds(s, n, src->size) || !in_bounds(d, n, dst->size))
        return OOB_MEM;
    return move_chunked(st, dst->data + d, src->data + s, n);
}

const char *bulk_memory_fill(const Store *st, Memory *mem, uint64_t d, uint8_t val, uint64_t n)
{
    if (!in_bounds(d, n, mem->size))
        return OOB_MEM;
    for (uint64_t done = 0; done < n;) {
        uint64_t c = n - done < BULK_CHUNK ? n - done : BULK_CHUNK;
        memset(mem->data + d + done, val, c);
        done += c;
        const char *why = interrupt_message(st);
        if (why)
            return why;
    }
    return NULL;
}

const char *bulk_table_init(Instance *inst, uint32_t ti, uint32_t seg, uint32_t d,
                                   uint32_t s, uint32_t n)
{
    Table *t = inst->tables[ti];
    if ((uint64_t)s + n > inst->elem_len[seg] || (uint64_t)d + n > t->size)
        return OOB_TABLE;
    for (uint32_t done = 0; done < n;) {
        uint32_t c = n - done < TABLE_CHUNK ? n - done : TABLE_CHUNK;
        for (uint32_t k = done; k < done + c; k++)
            t->elems[d + k] = elem_item(inst, seg, s + k);
        done += c;
        const char *why = interrupt_message(inst->store);
        if (why)
            return why;
    }
    return NULL;
}

const char *bulk_table_copy(const Store *st, Table *dt, Table *srct, uint32_t d,
                                   uint32_t s, uint32_t n)
{
    if ((uint64_t)s + n > srct->size || (uint64_t)d + n > dt->size)
        return OOB_TABLE;
    return move_chunked(st, dt->elems + d, srct->elems + s, (uint64_t)n * sizeof(Cell));
}

const char *bulk_table_fill(const Store *st, Table *t, uint32_t i, Cell val, uint32_t n)
{
    if ((uint64_t)i + n > t->size)
        return OOB_TABLE;
    for (uint32_t done = 0; done < n;) {
        uint32_t c = n - done < TABLE_CHUNK ? n - done : TABLE_CHUNK;
        for (uint32_t k = done; k < done + c; k++)
            t->elems[i + k] = val;
        done += c;
        const char *why = interrupt_message(st);
        if (why)
            return why;
    }
    return NULL;
}

int64_t bulk_grow_memory(Instance *inst, uint32_t delta)
{
    return inst->mem0 ? memory_grow(inst->mem0, delta) : -1;
}

