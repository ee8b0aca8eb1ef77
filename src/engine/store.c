/* store.c: stores and what they own. A store is single-threaded; every object created in
 * it is recorded here and released, newest first, when the store is deleted. */
#include "gc.h"
#include "runtime.h"

#include <stdatomic.h>
#include <sys/mman.h>

#include <stdatomic.h>
#include <stdlib.h>

int store_own(Store *s, OwnKind kind, void *p)
{
    if (s->nowned == s->capowned) {
        size_t cap = s->capowned ? s->capowned * 2 : 64;
        Owned *o = realloc(s->owned, cap * sizeof *o);
        if (!o)
            return -1;
        s->owned = o;
        s->capowned = cap;
    }
    s->owned[s->nowned].kind = (uint8_t)kind;
    s->owned[s->nowned].ptr = p;
    s->nowned++;
    return 0;
}

void *store_alloc(Store *s, size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p)
        return NULL;
    if (store_own(s, OWN_PLAIN, p) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

corral_store_t *corral_store_new(corral_engine_t *engine)
{
    Store *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->engine = engine;
    atomic_init(&s->interrupt, CORRAL_INTERRUPT_NONE);
    corral_store_set_fuel(s, CORRAL_FUEL_UNLIMITED);
    return s;
}

static void release(Owned *o)
{
    switch ((OwnKind)o->kind) {
    case OWN_PLAIN:
        free(o->ptr);
        break;
    case OWN_MEMORY:
        memory_release(o->ptr);
        break;
    case OWN_TABLE_ELEMS:
        free(((Table *)o->ptr)->elems);
        break;
    case OWN_MODULE_REF:
        module_release(o->ptr);
        break;
    case OWN_HOST_FUNC: {
        Func *f = o->ptr;
        if (f->host_finalizer)
            f->host_finalizer(f->host_env);
        break;
    }
    }
}

size_t corral_store_mark(const corral_store_t *s) { return s->nowned; }

void corral_store_reset(corral_store_t *s) { corral_store_reset_to(s, 0); }

void corral_store_reset_to(corral_store_t *s, size_t mark)
{
    if (mark > s->nowned)
        mark = s->nowned;
    for (size_t i = s->nowned; i-- > mark;) {
        if (s->owned[i].kind == OWN_MEMORY)
            memory_recycle(s, s->owned[i].ptr);
        else
            release(&s->owned[i]);
    }
    s->nowned = mark;
    if (mark == 0)
        gc_free_all(s); /* a partial reset keeps them: what is kept may refer to them */
    else
        gc_forget_after(s, mark);
    s->depth = 0;
    s->nnative_waiting = 0; /* they were made after any mark a caller keeps */
    atomic_store(&s->interrupt, CORRAL_INTERRUPT_NONE);
    if (atomic_load(&s->poll_page))
        native_poll_sync(s); /* compiled code's polls read the page again */
    corral_store_set_fuel(s, CORRAL_FUEL_UNLIMITED);
}

void corral_store_delete(corral_store_t *s)
{
    if (!s)
        return;
    for (size_t i = s->nowned; i-- > 0;)
        release(&s->owned[i]);
    gc_free_all(s);
    memory_cache_clear(s);
    free(s->owned);
    free(s->native_waiting);
    if (atomic_load_explicit(&s->poll_page, memory_order_relaxed))
        munmap(atomic_load_explicit(&s->poll_page, memory_order_relaxed), POLL_PAGE);
    if (s->interp_free)
        s->interp_free(s->interp);
    free(s->stack);
    free(s);
}
