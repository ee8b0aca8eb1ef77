/* kv_backend.h: what a key-value backend provides (a small vtable), what the backends share
 * (key lists, the decimal integer format of increment, diagnostics), and their constructors.
 * One file per backend: kv_sqlite.c, kv_redis.c, kv_memory.c. Never included by embedders.
 *
 * Contract of every operation: callable from any thread at once; keys are 1..KV_MAX_KEY
 * bytes and values at most KV_MAX_VALUE (the guest layer checked); ordering is bytewise
 * (memcmp, then the shorter first); the result is KV_ERR_OK, NOT_FOUND (get only),
 * NOT_A_NUMBER (increment only) or BACKEND_ERROR (with a message sent to the log). */
#ifndef CORRAL_KV_BACKEND_H
#define CORRAL_KV_BACKEND_H

#include "host/kv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define KV_WARN __attribute__((warn_unused_result))
#else
#define KV_WARN
#endif

/* Where diagnostics go (KvHost's; fn may be NULL). Shared by the host and its backends. */
typedef struct KvLog {
    void (*fn)(void *ud, const char *msg);
    void *ud;
} KvLog;

/* printf into the log, prefixed "kv: "; nothing when there is no log function. */
void kv_log(const KvLog *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Keys returned by list_after: owned copies, in ascending order. */
typedef struct KvKey {
    uint8_t *data;
    size_t len;
} KvKey;

typedef struct KvKeyList {
    KvKey *keys;
    size_t count, cap;
} KvKeyList;

/* Appends a copy of key; false when out of memory. */
KV_WARN bool kv_keylist_push(KvKeyList *l, const uint8_t *key, size_t len);
/* Frees the keys and empties the list (reusable afterwards). */
void kv_keylist_clear(KvKeyList *l);

/* Values stored by increment are ASCII decimal in Redis's canonical form (what INCRBY
 * accepts and writes): an optional '-', then "0" or a digit 1-9 and more digits, no sign
 * '+', no spaces, no leading zeros, no "-0", within int64. false for anything else. */
bool kv_parse_i64(const uint8_t *s, size_t len, int64_t *out);
/* Writes v in that form into buf (at least 21 bytes, no NUL); returns the length. */
size_t kv_format_i64(int64_t v, char *buf);
/* The increment rule shared by the backends that compute it themselves: old (absent: NULL)
 * plus delta. NOT_A_NUMBER when old is not a number or the sum overflows. */
KV_WARN KvError kv_add_i64(const uint8_t *old, size_t old_len, int64_t delta, int64_t *out);

typedef struct KvBackend KvBackend;

typedef struct KvBackendOps {
    /* *out_val: an owned malloc'd copy (never NULL on success, even for an empty value). */
    KvError (*get)(KvBackend *b, const uint8_t *key, size_t key_len, uint8_t **out_val,
                   size_t *out_len);
    KvError (*set)(KvBackend *b, const uint8_t *key, size_t key_len, const uint8_t *val,
                   size_t val_len);
    /* Deleting a missing key is not an error. */
    KvError (*del)(KvBackend *b, const uint8_t *key, size_t key_len);
    KvError (*exists)(KvBackend *b, const uint8_t *key, size_t key_len, bool *out);
    /* Appends to out up to limit (>= 1) keys strictly greater than after[0..after_len) (any
     * bytes; empty means from the start), ascending. Fewer than limit means no more. */
    KvError (*list_after)(KvBackend *b, const uint8_t *after, size_t after_len, size_t limit,
                          KvKeyList *out);
    /* Atomically: value = (value, or 0 when absent) + delta, stored as decimal; *out the sum. */
    KvError (*increment)(KvBackend *b, const uint8_t *key, size_t key_len, int64_t delta,
                         int64_t *out);
    void (*close)(KvBackend *b);
} KvBackendOps;

/* Every backend's object starts with this. log is the host's and outlives the backend. */
struct KvBackend {
    const KvBackendOps *ops;
    const KvLog *log;
};

/* Constructors. store is the store's name (a namespace inside a shared database); log is
 * kept. On failure NULL with *out_err an owned message (NULL when out of memory). */
KvBackend *kv_sqlite_open(const char *path, const char *store, const KvLog *log, char **out_err);
/* url: redis://[[user]:password@]host[:port][/db]; validated here, connected on first use. */
KvBackend *kv_redis_open(const char *url, const char *store, const KvLog *log, char **out_err);
KvBackend *kv_memory_open(const char *store, const KvLog *log, char **out_err);

/* kv_host.c: the backend of the configured store named name[0..len); NULL when none. */
KvBackend *kv_host_store(const KvHost *h, const uint8_t *name, size_t len);

#endif
