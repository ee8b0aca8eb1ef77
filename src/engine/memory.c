/* memory.c: linear memories. On 64-bit hosts a memory reserves its whole maximum as
 * inaccessible address space once and commits pages on grow, so the base never moves and
 * new pages arrive zeroed from the kernel; elsewhere (or when the reservation fails) it
 * falls back to a heap buffer that moves on grow. Where it can, the reservation is
 * MEMORY_GUARD_BYTES whatever the maximum, so compiled code needs no bounds checks: every
 * address past the size faults (native.c turns the fault into the trap). The interpreter
 * checks bounds in software either way. */
#include "runtime.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The public part comes first so a Memory* is a MemImpl*. */
typedef struct MemImpl {
    Memory pub;
    size_t reserved; /* bytes of address space reserved by mmap, 0 for the heap fallback */
} MemImpl;

static void *map_none(size_t len)
{
    void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* The trial reservation of memory_guard_available, kept for the first guarded memory
 * instead of unmapped: a start-up that makes one memory maps 8 GiB once, not twice. */
static _Atomic(void *) spare;

bool memory_guard_available(void)
{
    if (!NATIVE_CODE_HOST)
        return false;
    static _Atomic int state; /* 0 unknown, 1 yes, 2 no */
    int v = atomic_load_explicit(&state, memory_order_relaxed);
    if (v == 0) {
        void *p = sizeof(void *) >= 8 ? map_none((size_t)MEMORY_GUARD_BYTES) : NULL;
        void *none = NULL;
        if (p && !atomic_compare_exchange_strong(&spare, &none, p))
            munmap(p, (size_t)MEMORY_GUARD_BYTES); /* another thread's trial was first */
        v = p ? 1 : 2;
        atomic_store_explicit(&state, v, memory_order_relaxed);
    }
    return v == 1;
}

/* A fresh guarded region (MEMORY_GUARD_BYTES, inaccessible): the spare, else a new one. */
static void *map_guarded(void)
{
    void *p = atomic_exchange(&spare, NULL);
    return p ? p : map_none((size_t)MEMORY_GUARD_BYTES);
}

/* Reserves a guarded region (MEMORY_GUARD_BYTES) when the process can, else the maximum. */
static bool reserve(MemImpl *mi, uint64_t max_bytes, uint64_t init_bytes)
{
    if (sizeof(void *) < 8 || max_bytes > ((uint64_t)1 << 33))
        return false;
    size_t len = max_bytes ? (size_t)max_bytes : 4096;
    void *p = NULL;
    if (memory_guard_available() && (p = map_guarded()))
        len = (size_t)MEMORY_GUARD_BYTES;
    else if (!(p = map_none(len)))
        return false;
    if (init_bytes && mprotect(p, (size_t)init_bytes, PROT_READ | PROT_WRITE) != 0) {
        munmap(p, len);
        return false;
    }
    mi->pub.data = p;
    mi->reserved = len;
    return true;
}

/* Bytes of a reused memory zeroed with memset (its pages stay resident); beyond them the
 * kernel zeroes (madvise), at the price of page faults on the next touch. */
#define KEEP_RESIDENT ((size_t)2 << 20)

/* Makes a cached reservation ready for a new memory of init_bytes: everything the last user
 * could reach is zeroed, and exactly [0, init_bytes) is accessible, so the new memory reads
 * as fresh (zeroes) and grows as a new one would. */
static bool reuse(MemImpl *mi, uint64_t init_bytes)
{
    uint8_t *p = mi->pub.data;
    size_t used = (size_t)mi->pub.size;
    size_t kept = used < KEEP_RESIDENT ? used : KEEP_RESIDENT;
    memset(p, 0, kept);
    if (used > kept && madvise(p + kept, used - kept, MADV_DONTNEED) != 0)
        return false;
    if (init_bytes > used &&
        mprotect(p + used, (size_t)init_bytes - used, PROT_READ | PROT_WRITE) != 0)
        return false;
    if (init_bytes < used && mprotect(p + init_bytes, used - (size_t)init_bytes, PROT_NONE) != 0)
        return false;
    return true;
}

/* Takes a cached reservation of at least len bytes from s, ready for init_bytes; NULL when
 * there is none. */
static MemImpl *from_cache(Store *s, uint64_t len, uint64_t init_bytes)
{
    for (uint32_t i = 0; i < s->nmem_cache; i++) {
        MemImpl *mi = (MemImpl *)s->mem_cache[i];
        if (mi->reserved < len)
            continue;
        s->mem_cache[i] = s->mem_cache[--s->nmem_cache];
        if (!reuse(mi, init_bytes)) {
            memory_release(&mi->pub);
            return NULL;
        }
        return mi;
    }
    return NULL;
}

void memory_recycle(Store *s, Memory *m)
{
    MemImpl *mi = (MemImpl *)m;
    if (mi->reserved && s->nmem_cache < STORE_MEM_CACHE)
        s->mem_cache[s->nmem_cache++] = m;
    else
        memory_release(m);
}

void memory_cache_clear(Store *s)
{
    while (s->nmem_cache)
        memory_release(s->mem_cache[--s->nmem_cache]);
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
    uint64_t max_bytes = max_pages * WASM_PAGE, init_bytes = min_pages * WASM_PAGE;
    MemImpl *mi = from_cache(s, max_bytes ? max_bytes : 4096, init_bytes);
    if (!mi) {
        mi = calloc(1, sizeof *mi);
        if (!mi)
            return NULL;
        if (!reserve(mi, max_bytes, init_bytes)) {
            mi->pub.data = calloc(1, init_bytes ? (size_t)init_bytes : 1);
            if (!mi->pub.data) {
                free(mi);
                return NULL;
            }
        }
    }
    mi->pub.guarded = mi->reserved >= MEMORY_GUARD_BYTES;
    mi->pub.is64 = false; /* the caller sets it for a 64-bit memory */
    mi->pub.has_max = has_max;
    mi->pub.decl_max = has_max ? decl_max : 0;
    mi->pub.size = init_bytes;
    mi->pub.max_pages = max_pages;
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
