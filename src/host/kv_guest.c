/* kv_guest.c: the guest side of corral_kv: a KvCtx (grants and the handle table of one
 * instance), the functions of kv_funcs.def with their pointer checks and little-endian
 * writes, and kv_link. Every guest argument is checked here, before any backend sees it:
 * the backends trust what they are given. Uses corral.h only (and the UTF-8 check of util). */
#include "host/host_link.h"
#include "host/kv_backend.h"
#include "util/strf.h"

#include "util/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- contexts ---- */

typedef struct KvCall KvCall;
typedef uint32_t (*KvHandler)(KvCall *c, const corral_val_t *a);

typedef struct KvFuncDef {
    const char *name, *params;
    KvHandler handler;
} KvFuncDef;

#define X(name, params, doc) static uint32_t guest_##name(KvCall *c, const corral_val_t *a);
#include "host/kv_funcs.def"
#undef X

static const KvFuncDef funcs[] = {
#define X(name, params, doc) {#name, params, guest_##name},
#include "host/kv_funcs.def"
#undef X
};

enum { NFUNCS = sizeof funcs / sizeof funcs[0] };

/* The env of one host function. */
typedef struct Binding {
    KvCtx *ctx;
    const KvFuncDef *def;
} Binding;

/* A handle is gen << 8 | slot: never 0 (gen >= 1), and a slot reopened after a close gets a
 * new gen, so a stale handle is INVALID_HANDLE rather than someone else's store. */
typedef struct Slot {
    KvBackend *backend; /* NULL: free */
    uint32_t gen;       /* 1 .. MAX_GEN once used */
} Slot;

#define MAX_GEN 0x7fffffu /* handles stay positive as i32 */

struct KvCtx {
    KvHost *host;
    char **granted;
    size_t ngranted;
    Slot slots[KV_MAX_HANDLES];
    Binding bindings[NFUNCS];
};

KvCtx *kv_ctx_new(KvHost *h, const char *const *granted, size_t ngranted)
{
    if (!h && ngranted)
        return NULL; /* a grant needs the stores it names */
    KvCtx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->host = h;
    ctx->granted = calloc(ngranted ? ngranted : 1, sizeof *ctx->granted);
    if (!ctx->granted)
        goto fail;
    for (; ctx->ngranted < ngranted; ctx->ngranted++)
        if (!(ctx->granted[ctx->ngranted] = strdup(granted[ctx->ngranted])))
            goto fail;
    for (size_t i = 0; i < NFUNCS; i++)
        ctx->bindings[i] = (Binding){ctx, &funcs[i]};
    return ctx;
fail:
    kv_ctx_free(ctx);
    return NULL;
}

void kv_ctx_reset(KvCtx *ctx)
{
    for (size_t i = 0; i < KV_MAX_HANDLES; i++)
        ctx->slots[i].backend = NULL; /* gen stays: the next open of the slot bumps it */
}

void kv_ctx_free(KvCtx *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->ngranted; i++)
        free(ctx->granted[i]);
    free(ctx->granted);
    free(ctx);
}

/* ---- guest memory ---- */

/* One call: the context and the calling instance's memory. */
struct KvCall {
    KvCtx *ctx;
    uint8_t *base; /* NULL when the instance has no memory */
    uint64_t size;
};

static uint8_t no_memory[1];

/* [ptr, ptr + len) lies inside memory. 64-bit sums: no u32 wrap-around. */
static bool in_bounds(const KvCall *c, uint32_t ptr, uint64_t len)
{
    return (uint64_t)ptr + len <= c->size;
}

/* The host address of ptr (checked by in_bounds); never NULL, so the backends may pass it to
 * memcpy even for an empty range. */
static uint8_t *at(const KvCall *c, uint32_t ptr)
{
    return c->base ? c->base + ptr : no_memory;
}

static void put32(const KvCall *c, uint32_t ptr, uint32_t v)
{
    uint8_t *p = at(c, ptr);
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(const KvCall *c, uint32_t ptr, uint64_t v)
{
    uint8_t *p = at(c, ptr);
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t arg(const corral_val_t *a, int i)
{
    return (uint32_t)a[i].of.i32;
}

/* ---- checks ---- */

/* The store behind handle h; NULL when it is not open in this instance. */
static KvBackend *lookup(const KvCall *c, uint32_t h)
{
    const Slot *s = &c->ctx->slots[h & 0xff];
    return s->backend && s->gen == h >> 8 ? s->backend : NULL;
}

/* Keys are 1..256 bytes of UTF-8 (Spin's SIP 010). */
static KvError check_key(const KvCall *c, uint32_t ptr, uint32_t len)
{
    if (len == 0)
        return KV_ERR_INVALID_KEY;
    if (len > KV_MAX_KEY)
        return KV_ERR_KEY_TOO_LONG;
    return utf8_valid(at(c, ptr), len) ? KV_ERR_OK : KV_ERR_INVALID_KEY;
}

/* The common prologue of the calls on (handle, key_ptr, key_len): bounds first (key and the
 * extra ranges), then the handle, then the key. */
static KvError key_call(const KvCall *c, const corral_val_t *a, KvBackend **out_b)
{
    if (!in_bounds(c, arg(a, 1), arg(a, 2)))
        return KV_ERR_MEMORY_ACCESS;
    if (!(*out_b = lookup(c, arg(a, 0))))
        return KV_ERR_INVALID_HANDLE;
    return check_key(c, arg(a, 1), arg(a, 2));
}

static bool granted(const KvCtx *ctx, const uint8_t *name, size_t len)
{
    for (size_t i = 0; i < ctx->ngranted; i++)
        if (strlen(ctx->granted[i]) == len && !memcmp(ctx->granted[i], name, len))
            return true;
    return false;
}

/* ---- the functions (kv_funcs.def) ---- */

static uint32_t guest_open(KvCall *c, const corral_val_t *a)
{
    uint32_t name = arg(a, 0), name_len = arg(a, 1), out = arg(a, 2);
    if (!in_bounds(c, name, name_len) || !in_bounds(c, out, 4))
        return KV_ERR_MEMORY_ACCESS;
    if (!granted(c->ctx, at(c, name), name_len))
        return KV_ERR_ACCESS_DENIED;
    KvBackend *b = kv_host_store(c->ctx->host, at(c, name), name_len);
    if (!b)
        return KV_ERR_NO_SUCH_STORE;
    for (uint32_t i = 0; i < KV_MAX_HANDLES; i++) {
        Slot *s = &c->ctx->slots[i];
        if (s->backend)
            continue;
        s->backend = b;
        s->gen = s->gen % MAX_GEN + 1;
        put32(c, out, s->gen << 8 | i);
        return KV_ERR_OK;
    }
    return KV_ERR_STORE_TABLE_FULL;
}

static uint32_t guest_close(KvCall *c, const corral_val_t *a)
{
    if (!lookup(c, arg(a, 0)))
        return KV_ERR_INVALID_HANDLE;
    c->ctx->slots[arg(a, 0) & 0xff].backend = NULL;
    return KV_ERR_OK;
}

static uint32_t guest_get(KvCall *c, const corral_val_t *a)
{
    uint32_t key = arg(a, 1), key_len = arg(a, 2), buf = arg(a, 3), buf_len = arg(a, 4);
    uint32_t out = arg(a, 5);
    if (!in_bounds(c, buf, buf_len) || !in_bounds(c, out, 4))
        return KV_ERR_MEMORY_ACCESS;
    KvBackend *b;
    KvError e = key_call(c, a, &b);
    if (e != KV_ERR_OK)
        return e;
    uint8_t *val;
    size_t len;
    if ((e = b->ops->get(b, at(c, key), key_len, &val, &len)) != KV_ERR_OK)
        return e;
    if (len > UINT32_MAX) {
        e = KV_ERR_BACKEND_ERROR;
    } else {
        /* Too small: only the size, so the guest can grow its buffer and ask again. */
        put32(c, out, (uint32_t)len);
        if (len > buf_len)
            e = KV_ERR_BUFFER_TOO_SMALL;
        else if (len)
            memcpy(at(c, buf), val, len);
    }
    free(val);
    return e;
}

static uint32_t guest_set(KvCall *c, const corral_val_t *a)
{
    uint32_t key = arg(a, 1), key_len = arg(a, 2), val = arg(a, 3), val_len = arg(a, 4);
    if (!in_bounds(c, val, val_len))
        return KV_ERR_MEMORY_ACCESS;
    KvBackend *b;
    KvError e = key_call(c, a, &b);
    if (e != KV_ERR_OK)
        return e;
    if (val_len > KV_MAX_VALUE)
        return KV_ERR_VALUE_TOO_LARGE;
    return b->ops->set(b, at(c, key), key_len, at(c, val), val_len);
}

static uint32_t guest_delete(KvCall *c, const corral_val_t *a)
{
    KvBackend *b;
    KvError e = key_call(c, a, &b);
    return e != KV_ERR_OK ? e : b->ops->del(b, at(c, arg(a, 1)), arg(a, 2));
}

static uint32_t guest_exists(KvCall *c, const corral_val_t *a)
{
    uint32_t out = arg(a, 3);
    if (!in_bounds(c, out, 4))
        return KV_ERR_MEMORY_ACCESS;
    KvBackend *b;
    bool yes = false;
    KvError e = key_call(c, a, &b);
    if (e == KV_ERR_OK)
        e = b->ops->exists(b, at(c, arg(a, 1)), arg(a, 2), &yes);
    if (e == KV_ERR_OK)
        put32(c, out, yes);
    return e;
}

/* The page list_keys fills: the guest's buffer, how much of it is used, and how much the
 * first key refused would have needed. */
typedef struct Page {
    uint8_t *buf;
    uint64_t cap, used;
    uint32_t count;
    uint64_t needed; /* bytes the first key that did not fit needs (0: none was refused) */
} Page;

/* Appends the keys of l that fit; false once one did not (the page is full). */
static bool fill_page(Page *p, const KvKeyList *l)
{
    for (size_t i = 0; i < l->count; i++) {
        const KvKey *k = &l->keys[i];
        uint64_t need = 4 + (uint64_t)k->len;
        if (p->used + need > p->cap) {
            p->needed = need;
            return false;
        }
        uint8_t *o = p->buf + p->used;
        for (int j = 0; j < 4; j++)
            o[j] = (uint8_t)(k->len >> (8 * j));
        memcpy(o + 4, k->data, k->len);
        p->used += need;
        p->count++;
    }
    return true;
}

/* Batches asked of the backend: enough for the space left, at most this many. */
#define LIST_BATCH 1024u

/* Fills p with the keys after cursor[0..cursor_len) (owned; consumed). */
static KvError list_into(KvBackend *b, Page *p, uint8_t *cursor, size_t cursor_len)
{
    KvError e = KV_ERR_OK;
    KvKeyList l = {0};
    for (bool first = true;; first = false) {
        uint64_t room = (p->cap - p->used) / 5; /* every entry takes at least 5 bytes */
        if (!first && room == 0)
            break;
        size_t limit = room == 0 ? 1 : room < LIST_BATCH ? (size_t)room : LIST_BATCH;
        e = b->ops->list_after(b, cursor, cursor_len, limit, &l);
        if (e != KV_ERR_OK || !fill_page(p, &l) || l.count < limit)
            break;
        /* The whole batch fit: go on after its last key. */
        free(cursor);
        cursor = l.keys[l.count - 1].data; /* taken from the list, which frees the rest */
        cursor_len = l.keys[l.count - 1].len;
        l.keys[l.count - 1].data = NULL;
        kv_keylist_clear(&l);
    }
    kv_keylist_clear(&l);
    free(cursor);
    return e;
}

static uint32_t guest_list_keys(KvCall *c, const corral_val_t *a)
{
    uint32_t after = arg(a, 1), after_len = arg(a, 2), buf = arg(a, 3), buf_len = arg(a, 4);
    uint32_t count_out = arg(a, 5), written_out = arg(a, 6);
    if (!in_bounds(c, after, after_len) || !in_bounds(c, buf, buf_len) ||
        !in_bounds(c, count_out, 4) || !in_bounds(c, written_out, 4))
        return KV_ERR_MEMORY_ACCESS;
    KvBackend *b = lookup(c, arg(a, 0));
    if (!b)
        return KV_ERR_INVALID_HANDLE;
    /* The cursor is copied out first: a guest naturally points it into the buffer that this
     * call overwrites (the last key of its previous page), and the host keeps no pointer into
     * guest memory across a backend call. */
    uint8_t *cursor = malloc(after_len ? after_len : 1);
    if (!cursor)
        return KV_ERR_BACKEND_ERROR;
    memcpy(cursor, at(c, after), after_len);
    Page p = {at(c, buf), buf_len, 0, 0, 0};
    KvError e = list_into(b, &p, cursor, after_len);
    if (e != KV_ERR_OK)
        return e;
    if (p.count == 0 && p.needed) {
        put32(c, count_out, 0);
        put32(c, written_out, p.needed > UINT32_MAX ? UINT32_MAX : (uint32_t)p.needed);
        return KV_ERR_BUFFER_TOO_SMALL;
    }
    put32(c, count_out, p.count);
    put32(c, written_out, (uint32_t)p.used);
    return KV_ERR_OK;
}

static uint32_t guest_increment(KvCall *c, const corral_val_t *a)
{
    uint32_t out = arg(a, 4);
    /* Checked before the increment: a failed write must not lose an applied increment. */
    if (!in_bounds(c, out, 8))
        return KV_ERR_MEMORY_ACCESS;
    KvBackend *b;
    int64_t sum;
    KvError e = key_call(c, a, &b);
    if (e == KV_ERR_OK)
        e = b->ops->increment(b, at(c, arg(a, 1)), arg(a, 2), a[3].of.i64, &sum);
    if (e == KV_ERR_OK)
        put64(c, out, (uint64_t)sum);
    return e;
}

/* Every corral_kv function: sets up the call, runs the handler, returns its code. Nothing
 * traps: every failure is an error code for the guest. */
static corral_trap_t *host_call(void *env, corral_caller_t *caller, const corral_val_t *args,
                                corral_val_t *results)
{
    const Binding *bd = env;
    corral_memory_t *mem = corral_caller_memory(caller);
    KvCall c = {bd->ctx, NULL, 0};
    if (mem) {
        c.base = corral_memory_data(mem);
        c.size = corral_memory_size(mem);
    }
    results[0] = corral_val_i32((int32_t)bd->def->handler(&c, args));
    return NULL;
}

/* ---- linking ---- */

static corral_functype_t *functype_of(const KvFuncDef *d)
{
    corral_valkind_t p[8], r[1] = {CORRAL_I32};
    size_t np = strlen(d->params);
    for (size_t i = 0; i < np; i++)
        p[i] = d->params[i] == 'I' ? CORRAL_I64 : CORRAL_I32;
    return corral_functype_new(p, np, r, 1);
}



static const KvFuncDef *find_func(const char *name, size_t len)
{
    for (size_t i = 0; i < NFUNCS; i++)
        if (strlen(funcs[i].name) == len && !memcmp(funcs[i].name, name, len))
            return &funcs[i];
    return NULL;
}

/* The host function for import d (from KV_MODULE, host_link_each's HostMakeFunc); NULL with
 * *out_err (NULL: out of memory). */
static corral_func_t *make_import(void *ud, corral_store_t *store, const corral_extern_desc_t *d,
                                  char **out_err)
{
    KvCtx *ctx = ud;
    const KvFuncDef *def = find_func(d->name, d->name_len);
    if (!def) {
        *out_err = strf("unknown import %s::%.*s", KV_MODULE, (int)d->name_len, d->name);
        return NULL;
    }
    corral_functype_t *want = functype_of(def);
    if (!want)
        return NULL;
    corral_func_t *f = NULL;
    if (!host_link_type_ok(d, want))
        *out_err = host_link_type_error(d, want);
    else
        f = corral_func_new(store, want, host_call, &ctx->bindings[def - funcs], NULL);
    corral_functype_delete(want);
    return f;
}

bool kv_link(KvCtx *ctx, corral_store_t *store, const corral_module_t *module,
             corral_extern_t *imports, size_t nimports, char **out_err)
{
    return host_link_each(store, module, imports, nimports, KV_MODULE, NULL, make_import, ctx,
                          out_err);
}
