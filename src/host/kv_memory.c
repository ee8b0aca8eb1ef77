/* kv_memory.c: the in-memory backend: one sorted array of entries per store behind a mutex.
 * Lookups are binary searches, list_after is a binary search and a walk; an insertion moves
 * the tail of the array (pointers only), fine for the store sizes a process keeps in RAM.
 * Contents live as long as the KvHost and are shared by every instance of the process. */
#include "host/kv_backend.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct Entry {
    uint8_t *key, *val; /* one allocation: key bytes then value bytes */
    size_t key_len, val_len;
} Entry;

typedef struct MemStore {
    KvBackend base;
    pthread_mutex_t lock;
    Entry *entries; /* ascending by key */
    size_t count, cap;
} MemStore;

/* Bytewise order: memcmp, then the shorter first. */
static int compare(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

/* The index of the first entry >= key; *found when it equals key. */
static size_t lower_bound(const MemStore *m, const uint8_t *key, size_t len, bool *found)
{
    size_t lo = 0, hi = m->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (compare(m->entries[mid].key, m->entries[mid].key_len, key, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < m->count && compare(m->entries[lo].key, m->entries[lo].key_len, key, len) == 0;
    return lo;
}

/* Replaces entry e's value (or fills a new entry) with one allocation holding both. */
static bool fill_entry(Entry *e, const uint8_t *key, size_t key_len, const uint8_t *val,
                       size_t val_len)
{
    uint8_t *p = malloc(key_len + val_len + 1);
    if (!p)
        return false;
    memcpy(p, key, key_len);
    if (val_len)
        memcpy(p + key_len, val, val_len);
    *e = (Entry){p, p + key_len, key_len, val_len};
    return true;
}

/* Stores key = val with the lock held. */
static KvError put_locked(MemStore *m, const uint8_t *key, size_t key_len, const uint8_t *val,
                          size_t val_len)
{
    bool found;
    size_t i = lower_bound(m, key, key_len, &found);
    Entry e;
    if (!fill_entry(&e, key, key_len, val, val_len))
        return KV_ERR_BACKEND_ERROR;
    if (found) {
        free(m->entries[i].key);
        m->entries[i] = e;
        return KV_ERR_OK;
    }
    if (m->count == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        Entry *n = realloc(m->entries, cap * sizeof *n);
        if (!n) {
            free(e.key);
            return KV_ERR_BACKEND_ERROR;
        }
        m->entries = n;
        m->cap = cap;
    }
    memmove(&m->entries[i + 1], &m->entries[i], (m->count - i) * sizeof *m->entries);
    m->entries[i] = e;
    m->count++;
    return KV_ERR_OK;
}

static KvError mem_get(KvBackend *b, const uint8_t *key, size_t key_len, uint8_t **out_val,
                       size_t *out_len)
{
    MemStore *m = (MemStore *)b;
    KvError r = KV_ERR_NOT_FOUND;
    bool found;
    pthread_mutex_lock(&m->lock);
    size_t i = lower_bound(m, key, key_len, &found);
    if (found) {
        const Entry *e = &m->entries[i];
        uint8_t *v = malloc(e->val_len ? e->val_len : 1);
        r = v ? KV_ERR_OK : KV_ERR_BACKEND_ERROR;
        if (v && e->val_len)
            memcpy(v, e->val, e->val_len);
        *out_val = v;
        *out_len = e->val_len;
    }
    pthread_mutex_unlock(&m->lock);
    if (r == KV_ERR_BACKEND_ERROR)
        kv_log(b->log, "memory store: out of memory");
    return r;
}

static KvError mem_set(KvBackend *b, const uint8_t *key, size_t key_len, const uint8_t *val,
                       size_t val_len)
{
    MemStore *m = (MemStore *)b;
    pthread_mutex_lock(&m->lock);
    KvError r = put_locked(m, key, key_len, val, val_len);
    pthread_mutex_unlock(&m->lock);
    if (r != KV_ERR_OK)
        kv_log(b->log, "memory store: out of memory");
    return r;
}

static KvError mem_del(KvBackend *b, const uint8_t *key, size_t key_len)
{
    MemStore *m = (MemStore *)b;
    bool found;
    pthread_mutex_lock(&m->lock);
    size_t i = lower_bound(m, key, key_len, &found);
    if (found) {
        free(m->entries[i].key);
        memmove(&m->entries[i], &m->entries[i + 1], (m->count - i - 1) * sizeof *m->entries);
        m->count--;
    }
    pthread_mutex_unlock(&m->lock);
    return KV_ERR_OK;
}

static KvError mem_exists(KvBackend *b, const uint8_t *key, size_t key_len, bool *out)
{
    MemStore *m = (MemStore *)b;
    pthread_mutex_lock(&m->lock);
    lower_bound(m, key, key_len, out);
    pthread_mutex_unlock(&m->lock);
    return KV_ERR_OK;
}

static KvError mem_list_after(KvBackend *b, const uint8_t *after, size_t after_len, size_t limit,
                              KvKeyList *out)
{
    MemStore *m = (MemStore *)b;
    KvError r = KV_ERR_OK;
    bool found;
    pthread_mutex_lock(&m->lock);
    size_t i = lower_bound(m, after, after_len, &found);
    for (i += found; i < m->count && limit > 0 && r == KV_ERR_OK; i++, limit--)
        if (!kv_keylist_push(out, m->entries[i].key, m->entries[i].key_len))
            r = KV_ERR_BACKEND_ERROR;
    pthread_mutex_unlock(&m->lock);
    if (r != KV_ERR_OK)
        kv_log(b->log, "memory store: out of memory");
    return r;
}

static KvError mem_increment(KvBackend *b, const uint8_t *key, size_t key_len, int64_t delta,
                             int64_t *out)
{
    MemStore *m = (MemStore *)b;
    bool found;
    pthread_mutex_lock(&m->lock);
    size_t i = lower_bound(m, key, key_len, &found);
    const Entry *e = found ? &m->entries[i] : NULL;
    KvError r = kv_add_i64(e ? e->val : NULL, e ? e->val_len : 0, delta, out);
    if (r == KV_ERR_OK) {
        char text[24];
        size_t n = kv_format_i64(*out, text);
        r = put_locked(m, key, key_len, (const uint8_t *)text, n);
    }
    pthread_mutex_unlock(&m->lock);
    if (r == KV_ERR_BACKEND_ERROR)
        kv_log(b->log, "memory store: out of memory");
    return r;
}

static void mem_close(KvBackend *b)
{
    MemStore *m = (MemStore *)b;
    for (size_t i = 0; i < m->count; i++)
        free(m->entries[i].key);
    free(m->entries);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static const KvBackendOps mem_ops = {
    mem_get, mem_set, mem_del, mem_exists, mem_list_after, mem_increment, mem_close,
};

KvBackend *kv_memory_open(const char *store, const KvLog *log, char **out_err)
{
    *out_err = NULL;
    MemStore *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->base = (KvBackend){&mem_ops, log};
    pthread_mutex_init(&m->lock, NULL);
    return &m->base;
}
