/* arena.h: a bump allocator for data that lives and dies together (a parsed document, one
 * request). Allocations are aligned for any type and released all at once by arena_release.
 * Nothing here aborts: NULL means out of memory or a size that would overflow. */
#ifndef CORRAL_ARENA_H
#define CORRAL_ARENA_H

#include <stddef.h>

typedef struct ArenaChunk ArenaChunk;

typedef struct Arena {
    ArenaChunk *head; /* newest chunk; allocation happens at its end */
    size_t used;      /* bytes taken in head */
    void *last;       /* the newest allocation, which arena_grow can extend in place */
} Arena;

void arena_init(Arena *a);
/* n bytes, uninitialised; owned by the arena. n == 0 gives a valid unique pointer. */
void *arena_alloc(Arena *a, size_t n);
/* n zeroed bytes; owned by the arena. */
void *arena_zalloc(Arena *a, size_t n);
/* A block of new_n bytes holding the first old_n bytes of old (which came from this arena,
 * or is NULL with old_n 0). The newest allocation grows in place when its chunk has room;
 * otherwise the old block stays allocated until release. new_n >= old_n. */
void *arena_grow(Arena *a, void *old, size_t old_n, size_t new_n);
/* Frees every allocation; the arena is empty and reusable afterwards. */
void arena_release(Arena *a);

#endif
