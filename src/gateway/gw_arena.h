/* gw_arena.h: the per-request bump allocator of the gateway: a fixed buffer the caller owns,
 * handed out front to back and taken back all at once by gw_arena_reset. It never calls
 * malloc, so a request can never use more than the buffer, and a full arena is an answer
 * (NULL), not a crash: the caller turns it into a 431 or 500.
 * (src/util/arena.h is the growing, malloc-backed arena for startup data such as a TOML
 * tree; this one is separate because per-request memory must be capped and malloc-free.) */
#ifndef CORRAL_GW_ARENA_H
#define CORRAL_GW_ARENA_H

#include <stddef.h>

typedef struct GwArena {
    unsigned char *base; /* the caller's buffer; borrowed, must outlive every use */
    size_t cap;          /* its size in bytes */
    size_t used;         /* bytes handed out since the last reset */
    size_t peak;         /* the largest `used` seen since init (for sizing the buffer) */
} GwArena;

/* Makes an empty arena over buf[0..cap). buf is borrowed: the caller frees it (if it must)
 * after the last use of anything allocated here. buf may be NULL with cap 0 (every
 * allocation then fails). */
void gw_arena_init(GwArena *a, void *buf, size_t cap);
/* Forgets every allocation (pointers into the arena die); keeps the buffer. O(1). */
void gw_arena_reset(GwArena *a);
/* n bytes aligned for any type, uninitialised, or NULL when they do not fit. n == 0 gives a
 * valid pointer that must not be dereferenced (when there is room for the alignment;
 * never for an arena without a buffer). */
void *gw_arena_alloc(GwArena *a, size_t n);
/* n bytes with no alignment (for text), uninitialised, or NULL when they do not fit. */
char *gw_arena_chars(GwArena *a, size_t n);
/* A NUL-terminated copy of s[0..n), or NULL when it does not fit. s may hold NUL bytes; they
 * are copied like any other. */
char *gw_arena_strndup(GwArena *a, const char *s, size_t n);

#endif
