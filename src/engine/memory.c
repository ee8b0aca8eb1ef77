/* memory.c: linear memories. On 64-bit hosts a memory reserves its whole maximum as
 * inaccessible address space once and commits pages on grow, so the base never moves and
 * new pages arrive zeroed from the kernel; elsewhere (or when the reservation fails) it
 * falls back to a heap buffer that moves on grow. Bounds are always checked in software by
 * the interpreter; the reservation is what later lets guard pages replace those checks. */
#include "runtime.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The public part comes first so a Memory* is a MemImpl*. */
typedef struct MemImpl {
    Memory pub;
    size_t reserved; /* bytes of address space reserved by mmap, 0 for the heap fallback */
} MemImpl;

static bool reserve(MemImpl *mi, uint64_t max_bytes, uint64_t init_bytes)
{
    if (sizeof(void *) < 8 || max_bytes > ((uint64_t)1 << 33))
        return false;
    size_t len = max_bytes ? (size_t)max_bytes : 4096;
    void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return false;
    if (init_bytes && mprotect(p, (size_t)init_bytes, PROT_READ | PROT_WRITE) != 0) {
        munmap(p, len);
        return false;
    }
    mi->pub.data = p;
    mi->reserved = len;
    return true;
}

Memory *memory_create(Store *s, uint64_t min_pages, uint64_t max_pages)
{
    uint64_t cap = s->engine->cfg.max_memory_pages;
    bool has_max = max_pages != UINT64_MAX;
    uint64_t decl_max = max_pages;
    if (max_pages > cap)
        max_pages = cap;
    if (min_pages > max_pages)
        return NULL;
    MemImpl *mi = calloc(1, sizeof *mi);
    if (!mi)
        return NULL;
    mi->pub.has_max = has_max;
    mi->pub.decl_max = has_max ? decl_max : 0;
    mi->pub.size = min_pages * WASM_PAGE;
    mi->pub.max_pages = max_pages;
    if (!reserve(mi, max_pages * WASM_PAGE, mi->pub.size)) {
        mi->pub.data = calloc(1, mi->pub.size ? (size_t)mi->pub.size : 1);
        if (!mi->pub.data) {
            free(mi);
            return NULL;
        }
    }
    if (store_own(s, OWN_MEMORY, &mi->pub) != 0) {
        memory_release(&mi->pub);
        return NULL;
    }
    return &mi->pub;
}

int64_t memory_grow(Memory *m, uint64_t delta)
{
    MemImpl *mi = (MemImpl *)m;
    uint64_t old = m->size / WASM_PAGE;
    if (delta > m->max_pages || old + delta > m->max_pages)
        return -1;
    if (delta == 0)
        return (int64_t)old;
    uint64_t new_size = (old + delta) * WASM_PAGE;
    if (new_size > SIZE_MAX)
        return -1;
    if (mi->reserved) {
        if (mprotect(m->data + m->size, (size_t)(new_size - m->size), PROT_READ | PROT_WRITE))
            return -1;
    } else {
        uint8_t *p = realloc(m->data, (size_t)new_size);
        if (!p)
            return -1;
        memset(p + m->size, 0, (size_t)(new_size - m->size));
        m->data = p;
    }
    m->size = new_size;
    return (int64_t)old;
}

void memory_release(Memory *m)
{
    MemImpl *mi = (MemImpl *)m;
    if (mi->reserved)
        munmap(m->data, mi->reserved);
    else
        free(m->data);
    free(mi);
}
