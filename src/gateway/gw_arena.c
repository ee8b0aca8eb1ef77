/* gw_arena.c: the fixed-capacity per-request bump allocator. Owns nothing but the offsets:
 * the buffer belongs to the caller, and nothing here ever calls malloc. */
#include "gateway/gw_arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

void gw_arena_init(GwArena *a, void *buf, size_t cap)
{
    a->base = buf;
    a->cap = buf ? cap : 0;
    a->used = 0;
    a->peak = 0;
}

void gw_arena_reset(GwArena *a)
{
    a->used = 0;
}

/* Takes n bytes starting at the first offset that is a multiple of align (a power of two);
 * the alignment is of the address, so it holds whatever the caller's buffer alignment. */
static void *take(GwArena *a, size_t n, size_t align)
{
    if (!a->base)
        return NULL;
    uintptr_t at = (uintptr_t)a->base + a->used;
    size_t pad = (size_t)(-at & (align - 1));
    if (pad > a->cap - a->used || n > a->cap - a->used - pad)
        return NULL;
    void *p = a->base + a->used + pad;
    a->used += pad + n;
    if (a->used > a->peak)
        a->peak = a->used;
    return p;
}

void *gw_arena_alloc(GwArena *a, size_t n)
{
    return take(a, n, alignof(max_align_t));
}

char *gw_arena_chars(GwArena *a, size_t n)
{
    return take(a, n, 1);
}

char *gw_arena_strndup(GwArena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = gw_arena_chars(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
