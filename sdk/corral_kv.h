/* corral_kv.h: the guest side of Corral's key-value interface (import module "corral_kv"),
 * for C compiled with clang --target=wasm32-wasi. Header only: the imports, the error codes
 * and a few inline helpers. The ABI is described in docs/design/kv.md.
 *
 * The runtime grants a module the stores it may open by name ("default" is the usual one).
 * Keys are 1..256 bytes of UTF-8, values up to 1 MiB of any bytes; every call returns an
 * error code (CORRAL_KV_OK = 0) and nothing traps.
 *
 * Example:
 *
 *     #include "corral_kv.h"
 *     #include <stdio.h>
 *
 *     int main(void)
 *     {
 *         corral_kv_store_t s;
 *         if (corral_kv_open_str("default", &s) != CORRAL_KV_OK)
 *             return 1;
 *         corral_kv_set_str(s, "greeting", "hello");
 *         char *v;
 *         size_t n;
 *         if (corral_kv_get_alloc(s, "greeting", 8, &v, &n) == CORRAL_KV_OK) {
 *             printf("%s (%zu bytes)\n", v, n); // v is NUL-terminated for convenience
 *             free(v);
 *         }
 *         int64_t hits;
 *         corral_kv_increment(s, "hits", 4, 1, &hits); // stored as "1", "2" ...
 *         uint8_t page[512];
 *         corral_kv_keys_t it;
 *         const char *key;
 *         size_t len;
 *         corral_kv_keys_init(&it, s, page, sizeof page);
 *         while (corral_kv_keys_next(&it, &key, &len))
 *             printf("key %.*s\n", (int)len, key);
 *         corral_kv_close(s);
 *         return it.err;
 *     }
 *
 * Build: clang --target=wasm32-wasi -O2 app.c -o app.wasm */
#ifndef CORRAL_KV_GUEST_H
#define CORRAL_KV_GUEST_H

#include <stddef.h>
#include <stdint.h>

/* Error codes (the numbers of Corral's src/host/kv_errors.def; a test keeps them equal). */
#define CORRAL_KV_OK 0
#define CORRAL_KV_NO_SUCH_STORE 1     /* the name is granted but no such store is configured */
#define CORRAL_KV_ACCESS_DENIED 2     /* the module may not open this store */
#define CORRAL_KV_INVALID_HANDLE 3    /* not open (or closed) in this instance */
#define CORRAL_KV_MEMORY_ACCESS 4     /* a pointer/length lies outside the memory */
#define CORRAL_KV_KEY_TOO_LONG 5      /* more than 256 bytes */
#define CORRAL_KV_VALUE_TOO_LARGE 6   /* more than 1 MiB */
#define CORRAL_KV_NOT_FOUND 7         /* no such key */
#define CORRAL_KV_BUFFER_TOO_SMALL 8  /* the needed size was written to the length out-param */
#define CORRAL_KV_NOT_A_NUMBER 9      /* increment: not a decimal int64, or overflow */
#define CORRAL_KV_STORE_TABLE_FULL 10 /* 256 handles open in this instance */
#define CORRAL_KV_BACKEND_ERROR 11    /* the store's backend failed */
#define CORRAL_KV_INVALID_KEY 12      /* empty, or not UTF-8 */

#define CORRAL_KV_MAX_KEY 256
#define CORRAL_KV_MAX_VALUE (1024 * 1024)

#if defined(__wasm__) /* the rest is for guests; the codes above are usable anywhere */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef uint32_t corral_kv_store_t; /* a handle: nonzero when open */

#define CORRAL_KV_IMPORT(n) __attribute__((import_module("corral_kv"), import_name(n)))

/* ---- the imports: (i32 ...) -> i32 each; increment's delta is the one i64 ---- */

/* Opens the store called name; *out_store is its handle. */
CORRAL_KV_IMPORT("open")
uint32_t corral_kv_open(const char *name, size_t name_len, corral_kv_store_t *out_store);
CORRAL_KV_IMPORT("close")
uint32_t corral_kv_close(corral_kv_store_t store);
/* Copies the value into buf and sets *out_len. When buf_len is smaller than the value:
 * CORRAL_KV_BUFFER_TOO_SMALL, *out_len = the value's length, buf untouched. */
CORRAL_KV_IMPORT("get")
uint32_t corral_kv_get(corral_kv_store_t store, const char *key, size_t key_len, void *buf,
                       size_t buf_len, uint32_t *out_len);
CORRAL_KV_IMPORT("set")
uint32_t corral_kv_set(corral_kv_store_t store, const char *key, size_t key_len, const void *val,
                       size_t val_len);
/* Deleting a missing key is not an error. */
CORRAL_KV_IMPORT("delete")
uint32_t corral_kv_delete(corral_kv_store_t store, const char *key, size_t key_len);
/* *out_exists = 1 or 0. */
CORRAL_KV_IMPORT("exists")
uint32_t corral_kv_exists(corral_kv_store_t store, const char *key, size_t key_len,
                          uint32_t *out_exists);
/* Fills buf with the keys strictly greater (bytewise) than after[0..after_len) (empty: from
 * the first), ascending, as many as fit, each as a little-endian u32 length and its bytes.
 * *out_count = how many (0: no more); *out_written = bytes used. When not even the next key
 * fits: CORRAL_KV_BUFFER_TOO_SMALL with *out_written = the bytes it needs. after may point
 * into buf (the last key of the previous page). corral_kv_keys_next does all this. */
CORRAL_KV_IMPORT("list_keys")
uint32_t corral_kv_list_keys(corral_kv_store_t store, const void *after, size_t after_len,
                             void *buf, size_t buf_len, uint32_t *out_count, uint32_t *out_written);
/* Atomically adds delta to the value (a missing key counts as 0) and sets *out_value to the
 * sum. Values are decimal text: get returns "42". CORRAL_KV_NOT_A_NUMBER when the value is
 * not a decimal int64 or the sum overflows (the value is then left alone). */
CORRAL_KV_IMPORT("increment")
uint32_t corral_kv_increment(corral_kv_store_t store, const char *key, size_t key_len,
                             int64_t delta, int64_t *out_value);

/* ---- helpers ---- */

static inline uint32_t corral_kv_open_str(const char *name, corral_kv_store_t *out_store)
{
    return corral_kv_open(name, strlen(name), out_store);
}

static inline uint32_t corral_kv_set_str(corral_kv_store_t store, const char *key,
                                         const char *value)
{
    return corral_kv_set(store, key, strlen(key), value, strlen(value));
}

/* Gets the value into a malloc'd buffer (*out, release with free()), asking again with a
 * bigger buffer for as long as the value outgrows it. The buffer holds one more byte, a NUL,
 * so a text value can be used as a C string. On an error *out is NULL. */
static inline uint32_t corral_kv_get_alloc(corral_kv_store_t store, const char *key, size_t key_len,
                                           char **out, size_t *out_len)
{
    size_t cap = 256;
    *out = NULL;
    for (;;) {
        char *buf = (char *)malloc(cap + 1);
        uint32_t len = 0;
        if (!buf)
            return CORRAL_KV_BACKEND_ERROR;
        uint32_t err = corral_kv_get(store, key, key_len, buf, cap, &len);
        if (err == CORRAL_KV_OK) {
            buf[len] = '\0';
            *out = buf;
            *out_len = len;
            return err;
        }
        free(buf);
        if (err != CORRAL_KV_BUFFER_TOO_SMALL)
            return err;
        cap = len; /* the value may change before the next try: then loop again */
    }
}

/* Walks every key of a store, a page at a time, through a buffer of the caller's (260 bytes
 * hold any key; more means fewer calls). Keys point into the buffer and stay valid until the
 * next call. err is CORRAL_KV_OK after a complete walk. */
typedef struct corral_kv_keys {
    corral_kv_store_t store;
    uint8_t *buf;
    size_t cap;
    uint32_t left;         /* keys of the page not returned yet */
    size_t pos;            /* where the next one starts in buf */
    const uint8_t *cursor; /* the last key returned (in buf), or NULL */
    size_t cursor_len;
    bool done;
    uint32_t err;
} corral_kv_keys_t;

static inline void corral_kv_keys_init(corral_kv_keys_t *it, corral_kv_store_t store, void *buf,
                                       size_t cap)
{
    memset(it, 0, sizeof *it);
    it->store = store;
    it->buf = (uint8_t *)buf;
    it->cap = cap;
}

/* The next key, or false at the end (or on an error, left in it->err). */
static inline bool corral_kv_keys_next(corral_kv_keys_t *it, const char **key, size_t *len)
{
    if (it->left == 0) {
        uint32_t count = 0, written = 0;
        if (it->done)
            return false;
        it->err = corral_kv_list_keys(it->store, it->cursor, it->cursor_len, it->buf, it->cap,
                                      &count, &written);
        if (it->err != CORRAL_KV_OK || count == 0) {
            it->done = true;
            return false;
        }
        it->left = count;
        it->pos = 0;
    }
    uint32_t n;
    memcpy(&n, it->buf + it->pos, 4); /* Wasm is little-endian */
    it->cursor = it->buf + it->pos + 4;
    it->cursor_len = n;
    it->pos += 4 + (size_t)n;
    it->left--;
    *key = (const char *)it->cursor;
    *len = n;
    return true;
}

/* "NOT_FOUND" ... for messages. */
static inline const char *corral_kv_error_name(uint32_t err)
{
    static const char *const names[] = {
        "OK",
        "NO_SUCH_STORE",
        "ACCESS_DENIED",
        "INVALID_HANDLE",
        "MEMORY_ACCESS",
        "KEY_TOO_LONG",
        "VALUE_TOO_LARGE",
        "NOT_FOUND",
        "BUFFER_TOO_SMALL",
        "NOT_A_NUMBER",
        "STORE_TABLE_FULL",
        "BACKEND_ERROR",
        "INVALID_KEY",
    };
    return err < sizeof names / sizeof names[0] ? names[err] : "?";
}

#endif /* __wasm__ */
#endif
