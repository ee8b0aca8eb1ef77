/* arena.c: chunked bump allocation. Chunks grow geometrically from 4 KiB to 64 KiB; a request
 * larger than a quarter of that gets a chunk of its own, so big blocks waste nothing. Owns
 * the chunk list only; it knows nothing of what is stored. */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN alignof(max_align_t)
#define CHUNK_MIN 4096
#define CHUNK_MAX 65536

struct ArenaChunk {
    ArenaChunk *next;
    size_t cap;
    max_align_t data[]; /* cap bytes, aligned for anything */
};

void arena_init(Arena *a)
{
    a->head = NULL;
    a->used = 0;
    a->last = NULL;
}

static size_t round_up(size_t n) { return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1); }

static char *chunk_bytes(ArenaChunk *c) { return (char *)c->data; }

/* Adds a chunk with room for at least n bytes; keeps the current head in use when the new
 * chunk is a private one for a big block, so the head's free tail is not lost. */
static void *new_chunk_alloc(Arena *a, size_t n)
{
    size_t want = a->head ? a->head->cap * 2 : CHUNK_MIN;
    if (want > CHUNK_MAX)
        want = CHUNK_MAX;
    int private = n > want / 4;
    size_t cap = private ? n : want;
    if (cap > SIZE_MAX - sizeof(ArenaChunk))
        return NULL;
    ArenaChunk *c = malloc(sizeof(ArenaChunk) + cap);
    if (!c)
        return NULL;
    c->cap = cap;
    if (private && a->head) {
        c->next = a->head->next;
        a->head->next = c;
        return chunk_bytes(c);
    }
    c->next = a->head;
    a->head = c;
    a->used = n;
    a->last = chunk_bytes(c);
    return a->last;
}

void *arena_alloc(Arena *a, size_t n)
{
    if (n > SIZE_MAX - ALIGN)
        return NULL;
    n = round_up(n ? n : 1);
    if (a->head && a->head->cap - a->used >= n) {
        a->last = chunk_bytes(a->head) + a->used;
        a->used += n;
        return a->last;
    }
    return new_chunk_alloc(a, n);
}

void *arena_zalloc(Arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *arena_grow(Arena *a, void *old, size_t old_n, size_t new_n)
{
    if (new_n > SIZE_MAX - ALIGN)
        return NULL;
    if (old && old == a->last) {
        size_t start = (size_t)((char *)old - chunk_bytes(a->head));
        if (a->head->cap - start >= round_up(new_n)) {
            a->used = start + round_up(new_n);
            return old;
        }
    }
    void *p = arena_alloc(a, new_n);
    if (p && old_n)
        memcpy(p, old, old_n);
    return p;
}

void arena_release(Arena *a)
{
    ArenaChunk *c = a->head;
    while (c) {
        ArenaChunk *next = c->next;
        free(c);
        c = next;
    }
    arena_init(a);
}
