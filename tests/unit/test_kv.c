/* test_kv.c: the key-value host interface (src/host/kv*.c) driven from inside real guests:
 * build/tests/wasm/kv.wasm (tests/unit/wasm/kv.wat) re-exports every corral_kv import, so
 * the test passes the arguments, pointers included, and reads the little-endian results
 * out of the guest's memory; kv_guest.wasm is a WASI program written with sdk/corral_kv.h.
 * The same suite runs on every backend: memory, SQLite and Redis (a redis-server started
 * here on a free port and stopped at the end; a missing redis-server is a failure). Then
 * what only one backend has: SQLite's file, schema and persistence, several processes
 * incrementing one counter, Redis's key layout, reconnection and connection errors; and the
 * runtime configuration's errors, kv_link's errors and the error tables. */
#include "../../sdk/corral_kv.h"
#include "corral.h"
#include "host/kv.h"
#include "unit.h"
#include "wasi/wasi.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The backend under test, for failure messages. */
static const char *backend = "-";

#define CHECKB(cond, what)                                                                         \
    do {                                                                                           \
        if (cond) {                                                                                \
            passed++;                                                                              \
        } else {                                                                                   \
            failed++;                                                                              \
            fprintf(stderr, "%s:%d: FAIL [%s]: %s\n", __FILE__, __LINE__, backend, what);          \
        }                                                                                          \
    } while (0)

/* Error codes, short. */
enum {
    OK = KV_ERR_OK,
    NO_SUCH_STORE = KV_ERR_NO_SUCH_STORE,
    ACCESS_DENIED = KV_ERR_ACCESS_DENIED,
    INVALID_HANDLE = KV_ERR_INVALID_HANDLE,
    MEMORY_ACCESS = KV_ERR_MEMORY_ACCESS,
    KEY_TOO_LONG = KV_ERR_KEY_TOO_LONG,
    VALUE_TOO_LARGE = KV_ERR_VALUE_TOO_LARGE,
    NOT_FOUND = KV_ERR_NOT_FOUND,
    BUFFER_TOO_SMALL = KV_ERR_BUFFER_TOO_SMALL,
    NOT_A_NUMBER = KV_ERR_NOT_A_NUMBER,
    STORE_TABLE_FULL = KV_ERR_STORE_TABLE_FULL,
    BACKEND_ERROR = KV_ERR_BACKEND_ERROR,
    INVALID_KEY = KV_ERR_INVALID_KEY,
    TRAPPED = 0xffffffffu,
};

/* kv.wasm's memory: 40 pages. Scratch addresses in it. */
enum {
    MEM_SIZE = 40 * 65536,
    OUT = 16,       /* u32 outputs */
    OUT2 = 24,      /* second u32 output */
    OUT64 = 32,     /* i64 output */
    NAME = 256,     /* store names */
    KEY = 1024,     /* keys, up to 1 KiB */
    BUF = 4096,     /* list pages, up to 60 KiB */
    VAL = 65536,    /* values to set, up to 1 MiB + 1 */
    GOT = 0x120000, /* values read back, up to 1 MiB + 1 */
};

/* ---- a guest: kv.wasm in a store of its own, with a KvCtx ---- */

enum { F_OPEN, F_CLOSE, F_GET, F_SET, F_DELETE, F_EXISTS, F_LIST, F_INC, NF };
static const char *const fnames[NF] = {"open",   "close",  "get",       "set",
                                       "delete", "exists", "list_keys", "increment"};

typedef struct World {
    corral_engine_t *engine;
    corral_module_t *kv;      /* kv.wasm */
    corral_module_t *sdk;     /* kv_guest.wasm */
    corral_module_t *nomem;   /* kv_nomem.wasm */
    corral_module_t *badname; /* kv_badname.wasm */
    corral_module_t *badtype; /* kv_badtype.wasm */
} World;

typedef struct Guest {
    corral_store_t *store;
    corral_instance_t *inst;
    KvCtx *ctx;
    uint8_t *mem;
    corral_func_t *fn[NF];
} Guest;

static corral_module_t *load(corral_engine_t *engine, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "build/tests/wasm/%s.wasm", name);
    size_t len;
    uint8_t *bytes = read_file(path, &len);
    corral_module_t *m = NULL;
    if (!bytes) {
        fprintf(stderr, "test_kv: cannot read %s (make unit builds it)\n", path);
        return NULL;
    }
    corral_error_t *err = corral_module_new(engine, bytes, len, &m);
    free(bytes);
    if (err) {
        fprintf(stderr, "test_kv: %s: %s\n", path, corral_error_message(err));
        corral_error_delete(err);
    }
    return m;
}

static bool world_open(World *w)
{
    memset(w, 0, sizeof *w);
    w->engine = corral_engine_new(NULL);
    return w->engine && (w->kv = load(w->engine, "kv")) && (w->sdk = load(w->engine, "kv_guest")) &&
           (w->nomem = load(w->engine, "kv_nomem")) &&
           (w->badname = load(w->engine, "kv_badname")) &&
           (w->badtype = load(w->engine, "kv_badtype"));
}

static void world_close(World *w)
{
    corral_module_delete(w->kv);
    corral_module_delete(w->sdk);
    corral_module_delete(w->nomem);
    corral_module_delete(w->badname);
    corral_module_delete(w->badtype);
    corral_engine_delete(w->engine);
}

/* Instantiates module in a new store with a context granted grants; false on any error. */
static bool instantiate(Guest *g, corral_engine_t *engine, const corral_module_t *module, KvHost *h,
                        const char *const *grants, size_t ngrants)
{
    memset(g, 0, sizeof *g);
    g->ctx = kv_ctx_new(h, grants, ngrants);
    g->store = corral_store_new(engine);
    size_t n = corral_module_import_count(module);
    corral_extern_t *imports = calloc(n ? n : 1, sizeof *imports);
    char *err = NULL;
    if (!g->ctx || !g->store || !imports || !kv_link(g->ctx, g->store, module, imports, n, &err)) {
        fprintf(stderr, "test_kv: link: %s\n", err ? err : "out of memory");
        free(err);
        free(imports);
        return false;
    }
    corral_trap_t *trap = NULL;
    corral_error_t *cerr = corral_instance_new(g->store, module, imports, n, &g->inst, &trap);
    free(imports);
    if (cerr || trap) {
        fprintf(stderr, "test_kv: instantiate: %s\n",
                cerr ? corral_error_message(cerr) : corral_trap_message(trap));
        corral_error_delete(cerr);
        corral_trap_delete(trap);
        return false;
    }
    corral_extern_t ex;
    if (corral_instance_export(g->inst, "memory", 6, &ex) && ex.kind == CORRAL_EXTERN_MEMORY)
        g->mem = corral_memory_data(ex.of.memory);
    for (int i = 0; i < NF; i++)
        if (corral_instance_export(g->inst, fnames[i], strlen(fnames[i]), &ex))
            g->fn[i] = ex.of.func;
    return true;
}

static bool guest_new(Guest *g, World *w, KvHost *h, const char *const *grants, size_t n)
{
    return instantiate(g, w->engine, w->kv, h, grants, n) && g->mem;
}

static void guest_free(Guest *g)
{
    corral_store_delete(g->store);
    kv_ctx_free(g->ctx);
}

/* Calls export f; its result, or TRAPPED. */
static uint32_t call_vals(Guest *g, int f, const corral_val_t *args, size_t n)
{
    corral_val_t r = corral_val_i32(-1);
    if (!g->fn[f])
        return TRAPPED;
    corral_trap_t *trap = corral_func_call(g->store, g->fn[f], args, n, &r, 1);
    if (trap) {
        fprintf(stderr, "test_kv: %s trapped: %s\n", fnames[f], corral_trap_message(trap));
        corral_trap_delete(trap);
        return TRAPPED;
    }
    return (uint32_t)r.of.i32;
}

/* Calls export f with n u32 arguments (increment's delta is 0 this way: use g_inc_raw). */
static uint32_t call(Guest *g, int f, int n, ...)
{
    corral_val_t a[8];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        a[i] = corral_val_i32((int32_t)va_arg(ap, uint32_t));
    va_end(ap);
    return call_vals(g, f, a, (size_t)n);
}

static uint32_t g_inc_raw(Guest *g, uint32_t h, uint32_t key, uint32_t key_len, int64_t delta,
                          uint32_t out)
{
    corral_val_t a[5] = {corral_val_i32((int32_t)h), corral_val_i32((int32_t)key),
                         corral_val_i32((int32_t)key_len), corral_val_i64(delta),
                         corral_val_i32((int32_t)out)};
    return call_vals(g, F_INC, a, 5);
}

static uint32_t rd32(const Guest *g, uint32_t at)
{
    const uint8_t *p = g->mem + at;
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int64_t rd64(const Guest *g, uint32_t at)
{
    return (int64_t)((uint64_t)rd32(g, at) | (uint64_t)rd32(g, at + 4) << 32);
}

static void wr32(Guest *g, uint32_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        g->mem[at + i] = (uint8_t)(v >> (8 * i));
}

/* ---- the calls with their data placed in memory ---- */

static uint32_t g_open(Guest *g, const char *name, uint32_t *out)
{
    size_t n = strlen(name);
    memcpy(g->mem + NAME, name, n);
    wr32(g, OUT, 0);
    uint32_t e = call(g, F_OPEN, 3, NAME, (uint32_t)n, OUT);
    *out = rd32(g, OUT);
    return e;
}

static uint32_t g_close(Guest *g, uint32_t h)
{
    return call(g, F_CLOSE, 1, h);
}

static uint32_t g_set(Guest *g, uint32_t h, const void *key, size_t key_len, const void *val,
                      size_t val_len)
{
    memcpy(g->mem + KEY, key, key_len);
    if (val_len)
        memcpy(g->mem + VAL, val, val_len);
    return call(g, F_SET, 5, h, KEY, (uint32_t)key_len, VAL, (uint32_t)val_len);
}

static uint32_t g_set_str(Guest *g, uint32_t h, const char *key, const char *val)
{
    return g_set(g, h, key, strlen(key), val, strlen(val));
}

/* Gets into GOT with room buf_len; *out_len from the guest's memory (0xdeadbeef: unwritten). */
static uint32_t g_get(Guest *g, uint32_t h, const void *key, size_t key_len, uint32_t buf_len,
                      uint32_t *out_len)
{
    memcpy(g->mem + KEY, key, key_len);
    wr32(g, OUT, 0xdeadbeef);
    uint32_t e = call(g, F_GET, 6, h, KEY, (uint32_t)key_len, GOT, buf_len, OUT);
    *out_len = rd32(g, OUT);
    return e;
}

/* The value of key as text (static buffer), or NULL on an error. */
static const char *g_get_str(Guest *g, uint32_t h, const char *key)
{
    static char text[256];
    uint32_t len;
    if (g_get(g, h, key, strlen(key), sizeof text - 1, &len) != OK)
        return NULL;
    memcpy(text, g->mem + GOT, len);
    text[len] = '\0';
    return text;
}

static uint32_t g_del(Guest *g, uint32_t h, const void *key, size_t key_len)
{
    memcpy(g->mem + KEY, key, key_len);
    return call(g, F_DELETE, 3, h, KEY, (uint32_t)key_len);
}

static uint32_t g_exists(Guest *g, uint32_t h, const void *key, size_t key_len, uint32_t *out)
{
    memcpy(g->mem + KEY, key, key_len);
    wr32(g, OUT, 0xdeadbeef);
    uint32_t e = call(g, F_EXISTS, 4, h, KEY, (uint32_t)key_len, OUT);
    *out = rd32(g, OUT);
    return e;
}

static uint32_t g_inc(Guest *g, uint32_t h, const char *key, int64_t delta, int64_t *out)
{
    size_t n = strlen(key);
    memcpy(g->mem + KEY, key, n);
    uint32_t e = g_inc_raw(g, h, KEY, (uint32_t)n, delta, OUT64);
    *out = rd64(g, OUT64);
    return e;
}

/* list_keys with the cursor and page given as addresses. */
static uint32_t g_list(Guest *g, uint32_t h, uint32_t after, uint32_t after_len, uint32_t buf,
                       uint32_t buf_len, uint32_t *count, uint32_t *written)
{
    wr32(g, OUT, 0xdeadbeef);
    wr32(g, OUT2, 0xdeadbeef);
    uint32_t e = call(g, F_LIST, 7, h, after, after_len, buf, buf_len, OUT, OUT2);
    *count = rd32(g, OUT);
    *written = rd32(g, OUT2);
    return e;
}

/* ---- the suite every backend runs ---- */

/* Opens "default" (the suite's store) and "aux" (a second store of the same backend). */
typedef struct Suite {
    World *w;
    KvHost *h;
    Guest g;
    uint32_t def, aux;
} Suite;

static const char *const suite_grants[] = {"default", "aux", "ghost"};

static void suite_open_close(Suite *s)
{
    Guest *g = &s->g;
    uint32_t h1, h2, h3;
    CHECKB(g_open(g, "default", &h1) == OK && h1 != 0, "open default: a nonzero handle");
    CHECKB(g_open(g, "default", &h2) == OK && h2 != h1, "open it again: another handle");
    CHECKB(g_close(g, h2) == OK, "close");
    CHECKB(g_close(g, h2) == INVALID_HANDLE, "close twice: INVALID_HANDLE");
    CHECKB(g_open(g, "default", &h3) == OK && h3 != h2, "a reused slot gets a new handle");
    CHECKB(g_set_str(g, h2, "k", "v") == INVALID_HANDLE, "the stale handle: INVALID_HANDLE");
    CHECKB(g_close(g, 0) == INVALID_HANDLE, "handle 0: INVALID_HANDLE");
    CHECKB(g_close(g, 0x7fffffffu) == INVALID_HANDLE, "handle 0x7fffffff: INVALID_HANDLE");
    CHECKB(g_close(g, h1 ^ 0x100) == INVALID_HANDLE, "a handle with the wrong generation");
    uint32_t len;
    CHECKB(g_get(g, 12345, "k", 1, 16, &len) == INVALID_HANDLE, "get on a bad handle");
    CHECKB(g_close(g, h3) == OK && g_close(g, h1) == OK, "close both");
}

static void suite_grants_check(Suite *s)
{
    Guest *g = &s->g;
    uint32_t h = 0xdeadbeef;
    CHECKB(g_open(g, "ghost", &h) == NO_SUCH_STORE, "granted, not configured: NO_SUCH_STORE");
    CHECKB(h == 0, "no handle written on an error");
    CHECKB(g_open(g, "other", &h) == ACCESS_DENIED, "configured, not granted: ACCESS_DENIED");
    CHECKB(g_open(g, "", &h) == ACCESS_DENIED, "empty name: ACCESS_DENIED");
    CHECKB(g_open(g, "defaul", &h) == ACCESS_DENIED, "a prefix of a grant: ACCESS_DENIED");
    Guest none;
    if (guest_new(&none, s->w, s->h, NULL, 0)) {
        CHECKB(g_open(&none, "default", &h) == ACCESS_DENIED, "granted nothing: ACCESS_DENIED");
        guest_free(&none);
    } else {
        CHECKB(0, "instantiate with no grants");
    }
}

static void suite_basic(Suite *s)
{
    Guest *g = &s->g;
    uint32_t h = s->def, len, yes;
    g_del(g, h, "alpha", 5);
    CHECKB(g_get(g, h, "alpha", 5, 64, &len) == NOT_FOUND, "get missing: NOT_FOUND");
    CHECKB(len == 0xdeadbeef, "NOT_FOUND writes no length");
    CHECKB(g_exists(g, h, "alpha", 5, &yes) == OK && yes == 0, "exists missing: 0");
    CHECKB(g_set_str(g, h, "alpha", "one") == OK, "set");
    const char *v = g_get_str(g, h, "alpha");
    CHECKB(v && !strcmp(v, "one"), "get returns it");
    CHECKB(g_exists(g, h, "alpha", 5, &yes) == OK && yes == 1, "exists: 1");
    CHECKB(g_set_str(g, h, "alpha", "two!") == OK, "overwrite");
    v = g_get_str(g, h, "alpha");
    CHECKB(v && !strcmp(v, "two!"), "get sees the last write");
    CHECKB(g_get(g, h, "alpha", 5, 64, &len) == OK && len == 4, "len_out is the length (LE)");
    CHECKB(g_del(g, h, "alpha", 5) == OK, "delete");
    CHECKB(g_get(g, h, "alpha", 5, 64, &len) == NOT_FOUND, "deleted: NOT_FOUND");
    CHECKB(g_del(g, h, "alpha", 5) == OK, "delete a missing key: OK");
    CHECKB(g_exists(g, h, "alpha", 5, &yes) == OK && yes == 0, "exists after delete: 0");

    /* Stores are separate namespaces. */
    CHECKB(g_set_str(g, s->def, "shared", "in default") == OK &&
               g_set_str(g, s->aux, "shared", "in aux") == OK,
           "the same key in two stores");
    v = g_get_str(g, s->def, "shared");
    CHECKB(v && !strcmp(v, "in default"), "default keeps its value");
    v = g_get_str(g, s->aux, "shared");
    CHECKB(v && !strcmp(v, "in aux"), "aux keeps its value");
    CHECKB(g_del(g, s->aux, "shared", 6) == OK && g_get_str(g, s->def, "shared"),
           "a delete in aux leaves default alone");
    g_del(g, s->def, "shared", 6);
}

static void suite_values(Suite *s)
{
    Guest *g = &s->g;
    uint32_t h = s->def, len, yes;
    CHECKB(g_set(g, h, "empty", 5, "", 0) == OK, "set an empty value");
    CHECKB(g_get(g, h, "empty", 5, 0, &len) == OK && len == 0, "get it: OK, length 0");
    CHECKB(g_exists(g, h, "empty", 5, &yes) == OK && yes == 1, "an empty value exists");

    static const uint8_t bin[] = {0, 'a', 0, 0xff, 0xfe, 0, 0x80, '\n', 0};
    CHECKB(g_set(g, h, "bin", 3, bin, sizeof bin) == OK, "set binary with NULs");
    CHECKB(g_get(g, h, "bin", 3, 64, &len) == OK && len == sizeof bin &&
               !memcmp(g->mem + GOT, bin, sizeof bin),
           "binary value round-trips byte for byte");

    const char *utf = "ключ/🔑";
    CHECKB(g_set_str(g, h, utf, "unicode") == OK, "a multi-byte UTF-8 key");
    const char *v = g_get_str(g, h, utf);
    CHECKB(v && !strcmp(v, "unicode"), "read back by the same key");
    g_del(g, h, utf, strlen(utf));

    /* Keys: 1..256 bytes of UTF-8. */
    char key[300];
    memset(key, 'k', sizeof key);
    CHECKB(g_set(g, h, key, 256, "x", 1) == OK, "256-byte key: OK");
    CHECKB(g_get(g, h, key, 256, 8, &len) == OK && len == 1, "256-byte key: get");
    CHECKB(g_set(g, h, key, 257, "x", 1) == KEY_TOO_LONG, "257-byte key: KEY_TOO_LONG (set)");
    CHECKB(g_get(g, h, key, 257, 8, &len) == KEY_TOO_LONG, "257: KEY_TOO_LONG (get)");
    CHECKB(g_del(g, h, key, 257) == KEY_TOO_LONG, "257: KEY_TOO_LONG (delete)");
    CHECKB(g_exists(g, h, key, 257, &yes) == KEY_TOO_LONG, "257: KEY_TOO_LONG (exists)");
    int64_t n;
    memcpy(g->mem + KEY, key, 257);
    CHECKB(g_inc_raw(g, h, KEY, 257, 1, OUT64) == KEY_TOO_LONG, "257: KEY_TOO_LONG (incr)");
    CHECKB(g_del(g, h, key, 256) == OK, "delete the 256-byte key");
    CHECKB(g_set(g, h, "", 0, "x", 1) == INVALID_KEY, "empty key: INVALID_KEY");
    CHECKB(g_get(g, h, "", 0, 8, &len) == INVALID_KEY, "empty key: INVALID_KEY (get)");
    CHECKB(g_set(g, h, "a\xff", 2, "x", 1) == INVALID_KEY, "invalid UTF-8: INVALID_KEY");
    CHECKB(g_set(g, h, "\xc0\xaf", 2, "x", 1) == INVALID_KEY, "overlong UTF-8: INVALID_KEY");
    CHECKB(g_set(g, h, "\xed\xa0\x80", 3, "x", 1) == INVALID_KEY, "a surrogate: INVALID_KEY");
    CHECKB(g_exists(g, h, "\xff", 1, &yes) == INVALID_KEY, "INVALID_KEY (exists)");
    CHECKB(g_del(g, h, "\xff", 1) == INVALID_KEY, "INVALID_KEY (delete)");
    memcpy(g->mem + KEY, "\xfe", 1);
    CHECKB(g_inc_raw(g, h, KEY, 1, 1, OUT64) == INVALID_KEY, "INVALID_KEY (increment)");
    CHECKB(g_inc(g, h, "", 1, &n) == INVALID_KEY, "empty key: INVALID_KEY (increment)");
    CHECKB(g_set(g, h, "nul\0key", 7, "x", 1) == OK, "a key with a NUL is UTF-8: OK");
    CHECKB(g_get(g, h, "nul\0key", 7, 8, &len) == OK && len == 1 &&
               g_get(g, h, "nul", 3, 8, &len) == NOT_FOUND,
           "and is not the same as its prefix");
    g_del(g, h, "nul\0key", 7);

    /* Values: up to 1 MiB. */
    uint8_t *big = malloc(KV_MAX_VALUE + 1);
    for (uint32_t i = 0; i < KV_MAX_VALUE + 1; i++)
        big[i] = (uint8_t)(i * 2654435761u >> 24);
    CHECKB(g_set(g, h, "big", 3, big, KV_MAX_VALUE) == OK, "1 MiB value: OK");
    memset(g->mem + GOT, 0, KV_MAX_VALUE);
    CHECKB(g_get(g, h, "big", 3, KV_MAX_VALUE, &len) == OK && len == KV_MAX_VALUE &&
               !memcmp(g->mem + GOT, big, KV_MAX_VALUE),
           "1 MiB value read back whole");
    CHECKB(g_set(g, h, "big", 3, big, KV_MAX_VALUE + 1) == VALUE_TOO_LARGE,
           "1 MiB + 1: VALUE_TOO_LARGE");
    CHECKB(g_get(g, h, "big", 3, KV_MAX_VALUE + 1, &len) == OK && len == KV_MAX_VALUE,
           "the refused set changed nothing");
    g_del(g, h, "big", 3);
    free(big);
}

static void suite_buffer(Suite *s)
{
    Guest *g = &s->g;
    uint32_t h = s->def, len;
    char val[100];
    for (int i = 0; i < 100; i++)
        val[i] = (char)('A' + i % 26);
    CHECKB(g_set(g, h, "hundred", 7, val, 100) == OK, "set 100 bytes");
    memset(g->mem + GOT, 0xaa, 200);
    CHECKB(g_get(g, h, "hundred", 7, 10, &len) == BUFFER_TOO_SMALL, "10-byte buffer: too small");
    CHECKB(len == 100, "len_out = the length needed");
    bool untouched = true;
    for (int i = 0; i < 200; i++)
        untouched &= g->mem[GOT + i] == 0xaa;
    CHECKB(untouched, "nothing written into the buffer");
    CHECKB(g_get(g, h, "hundred", 7, 0, &len) == BUFFER_TOO_SMALL && len == 100,
           "0-byte buffer: too small, 100");
    CHECKB(g_get(g, h, "hundred", 7, 99, &len) == BUFFER_TOO_SMALL && len == 100,
           "99 bytes: too small");
    CHECKB(g_get(g, h, "hundred", 7, len, &len) == OK && len == 100 &&
               !memcmp(g->mem + GOT, val, 100),
           "retry with the size given: OK and the bytes");
    CHECKB(g->mem[GOT + 100] == 0xaa, "nothing written past the value");
    g_del(g, h, "hundred", 7);
}

/* Reads every key of store h through pages of page_len bytes at BUF, each call's cursor
 * pointing into the page (the previous page's last key); false on any error. */
static bool list_all(Guest *g, uint32_t h, uint32_t page_len, char ***out, size_t *out_n,
                     int *calls)
{
    uint32_t after = BUF, after_len = 0, count, written;
    size_t n = 0, cap = 0;
    char **keys = NULL;
    *calls = 0;
    for (;;) {
        uint32_t e = g_list(g, h, after, after_len, BUF, page_len, &count, &written);
        ++*calls;
        if (e != OK || count > page_len)
            return false;
        if (count == 0)
            break;
        uint32_t pos = 0;
        for (uint32_t i = 0; i < count; i++) {
            uint32_t len = rd32(g, BUF + pos);
            if (pos + 4 + len > written)
                return false;
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                keys = realloc(keys, cap * sizeof *keys);
            }
            keys[n] = malloc(len + 1);
            memcpy(keys[n], g->mem + BUF + pos + 4, len);
            keys[n++][len] = '\0';
            after = BUF + pos + 4;
            after_len = len;
            pos += 4 + len;
        }
        if (pos != written)
            return false;
    }
    *out = keys;
    *out_n = n;
    return true;
}

static void free_keys(char **keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
}

static void suite_list(Suite *s)
{
    Guest *g = &s->g;
    uint32_t h = s->aux, count, written;
    enum { NKEYS = 1500 };
    /* Start from an empty store. */
    char **keys;
    size_t n;
    int calls;
    if (list_all(g, h, 4096, &keys, &n, &calls)) {
        for (size_t i = 0; i < n; i++)
            g_del(g, h, keys[i], strlen(keys[i]));
        free_keys(keys, n);
    }
    CHECKB(g_list(g, h, BUF, 0, BUF, 64, &count, &written) == OK && count == 0 && written == 0,
           "an empty store lists nothing");

    char key[32];
    bool ok = true;
    for (int i = 0; i < NKEYS; i++) {
        snprintf(key, sizeof key, "key:%04d", i);
        ok &= g_set_str(g, h, key, "v") == OK;
    }
    CHECKB(ok, "set 1500 keys");

    /* 40 bytes: 3 keys of 12 bytes per page. */
    CHECKB(list_all(g, h, 40, &keys, &n, &calls), "page through 40-byte buffers");
    CHECKB(n == NKEYS, "1500 keys listed");
    CHECKB(calls == NKEYS / 3 + 1, "3 keys a page, then one empty page");
    bool in_order = n == NKEYS;
    for (size_t i = 0; in_order && i < n; i++) {
        snprintf(key, sizeof key, "key:%04zu", i);
        in_order = !strcmp(keys[i], key);
    }
    CHECKB(in_order, "every key once, ascending");
    free_keys(keys, n);

    /* One call fills a big page, across several backend batches (1024 each). */
    CHECKB(g_list(g, h, BUF, 0, BUF, 60000, &count, &written) == OK && count == NKEYS &&
               written == NKEYS * 12,
           "a 60000-byte page takes all 1500 in one call");

    /* The cursor: strictly greater. */
    memcpy(g->mem + KEY, "key:0999", 8);
    CHECKB(g_list(g, h, KEY, 8, BUF, 12, &count, &written) == OK && count == 1 && written == 12 &&
               rd32(g, BUF) == 8 && !memcmp(g->mem + BUF + 4, "key:1000", 8),
           "after key:0999 comes key:1000, LE length prefix");
    memcpy(g->mem + KEY, "key:0999x", 9);
    CHECKB(g_list(g, h, KEY, 9, BUF, 12, &count, &written) == OK && count == 1 &&
               !memcmp(g->mem + BUF + 4, "key:1000", 8),
           "a cursor that is not a key");
    memcpy(g->mem + KEY, "key:1499", 8);
    CHECKB(g_list(g, h, KEY, 8, BUF, 64, &count, &written) == OK && count == 0 && written == 0,
           "after the last key: count 0");

    /* Too small for the next key. */
    CHECKB(g_list(g, h, BUF, 0, BUF, 11, &count, &written) == BUFFER_TOO_SMALL && count == 0 &&
               written == 12,
           "11 bytes for a 12-byte entry: BUFFER_TOO_SMALL, 12 needed");
    CHECKB(g_list(g, h, BUF, 0, BUF, 0, &count, &written) == BUFFER_TOO_SMALL && written == 12,
           "0 bytes: BUFFER_TOO_SMALL");
    CHECKB(g_list(g, h, BUF, 0, BUF, 23, &count, &written) == OK && count == 1 && written == 12,
           "23 bytes: one key, the second does not fit but that is not an error");

    /* Bytewise order, and other stores' keys never show. */
    for (int i = 0; i < NKEYS; i++) {
        snprintf(key, sizeof key, "key:%04d", i);
        g_del(g, h, key, strlen(key));
    }
    const char *const order[] = {"A", "Z", "a", "ab", "b", "z", "~", "é", "中"};
    for (size_t i = sizeof order / sizeof order[0]; i-- > 0;)
        g_set_str(g, h, order[i], "o");
    g_set_str(g, s->def, "b0", "not in aux");
    CHECKB(list_all(g, h, 4096, &keys, &n, &calls) && n == sizeof order / sizeof order[0],
           "9 keys listed");
    bool bytewise = n == sizeof order / sizeof order[0];
    for (size_t i = 0; bytewise && i < n; i++)
        bytewise = !strcmp(keys[i], order[i]);
    CHECKB(bytewise, "bytewise order: A Z a ab b z ~ é 中");
    free_keys(keys, n);
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        g_del(g, h, order[i], strlen(order[i]));
    g_del(g, s->def, "b0", 2);
    CHECKB(g_list(g, 999, BUF, 0, BUF, 64, &count, &written) == INVALID_HANDLE,
           "list on a bad handle");
}

static void suite_increment(Suite *s)
{
    Guest *g = &s->g;
    uint32_t h = s->def;
    int64_t n = 0;
    g_del(g, h, "ctr", 3);
    CHECKB(g_inc(g, h, "ctr", 5, &n) == OK && n == 5, "a missing key starts at 0: 5");
    CHECKB(g_inc(g, h, "ctr", -7, &n) == OK && n == -2, "-7: -2");
    const char *v = g_get_str(g, h, "ctr");
    CHECKB(v && !strcmp(v, "-2"), "stored as decimal text \"-2\"");
    CHECKB(g_set_str(g, h, "ctr", "42") == OK && g_inc(g, h, "ctr", 0, &n) == OK && n == 42,
           "a value set as \"42\" counts from 42");
    CHECKB(g_inc(g, h, "ctr", 1LL << 40, &n) == OK && n == 42 + (1LL << 40), "a 64-bit delta");
    static const char *const nan[] = {"abc",
                                      "",
                                      " 1",
                                      "1 ",
                                      "+1",
                                      "007",
                                      "-0",
                                      "1.5",
                                      "0x10",
                                      "9223372036854775808",
                                      "-9223372036854775809",
                                      "--1"};
    for (size_t i = 0; i < sizeof nan / sizeof nan[0]; i++) {
        g_set_str(g, h, "nan", nan[i]);
        char what[80];
        snprintf(what, sizeof what, "\"%s\": NOT_A_NUMBER", nan[i]);
        CHECKB(g_inc(g, h, "nan", 1, &n) == NOT_A_NUMBER, what);
    }
    v = g_get_str(g, h, "nan");
    CHECKB(v && !strcmp(v, "--1"), "NOT_A_NUMBER leaves the value alone");
    g_set_str(g, h, "max", "9223372036854775807");
    CHECKB(g_inc(g, h, "max", 1, &n) == NOT_A_NUMBER, "INT64_MAX + 1: NOT_A_NUMBER");
    CHECKB(g_inc(g, h, "max", -1, &n) == OK && n == INT64_MAX - 1, "INT64_MAX - 1: OK");
    g_set_str(g, h, "min", "-9223372036854775808");
    CHECKB(g_inc(g, h, "min", -1, &n) == NOT_A_NUMBER, "INT64_MIN - 1: NOT_A_NUMBER");
    CHECKB(g_inc(g, h, "min", 0, &n) == OK && n == INT64_MIN, "INT64_MIN parses");
    g_del(g, h, "min", 3);
    CHECKB(g_inc(g, h, "min", INT64_MIN, &n) == OK && n == INT64_MIN, "delta INT64_MIN");
    v = g_get_str(g, h, "min");
    CHECKB(v && !strcmp(v, "-9223372036854775808"), "written as -9223372036854775808");
    g_set_str(g, h, "zero", "0");
    CHECKB(g_inc(g, h, "zero", 3, &n) == OK && n == 3, "\"0\" is a number");
    g_del(g, h, "ctr", 3);
    g_del(g, h, "nan", 3);
    g_del(g, h, "max", 3);
    g_del(g, h, "min", 3);
    g_del(g, h, "zero", 4);
}

static void suite_table_full(Suite *s)
{
    Guest g;
    if (!guest_new(&g, s->w, s->h, suite_grants, 3)) {
        CHECKB(0, "instantiate");
        return;
    }
    uint32_t hs[KV_MAX_HANDLES], extra;
    bool ok = true;
    for (uint32_t i = 0; i < KV_MAX_HANDLES; i++)
        ok &= g_open(&g, i % 2 ? "default" : "aux", &hs[i]) == OK;
    CHECKB(ok, "256 handles open");
    CHECKB(g_open(&g, "default", &extra) == STORE_TABLE_FULL, "the 257th: STORE_TABLE_FULL");
    CHECKB(g_set_str(&g, hs[255], "t", "v") == OK, "the 256th works");
    CHECKB(g_close(&g, hs[17]) == OK && g_open(&g, "default", &extra) == OK,
           "close one: open works again");
    CHECKB(g_open(&g, "default", &extra) == STORE_TABLE_FULL, "and the table is full again");
    g_del(&g, hs[255], "t", 1);
    guest_free(&g);
}

/* The arguments of one call, with one of them replaced. */
typedef struct BadCase {
    int f;
    int ptr_arg;   /* which argument is the pointer */
    int len_arg;   /* its length argument, or -1 for a fixed-size output */
    uint32_t size; /* the fixed size */
} BadCase;

static void suite_memory(Suite *s)
{
    Guest *g = &s->g;
    uint32_t h = s->def;
    memcpy(g->mem + KEY, "mk", 2);
    memcpy(g->mem + NAME, "default", 7);
    g_set_str(g, h, "mk", "7");
    /* Valid arguments for each function; each case spoils one pointer. */
    const uint32_t base[NF][7] = {
        [F_OPEN] = {NAME, 7, OUT},       [F_GET] = {h, KEY, 2, GOT, 64, OUT},
        [F_SET] = {h, KEY, 2, VAL, 1},   [F_DELETE] = {h, KEY, 2},
        [F_EXISTS] = {h, KEY, 2, OUT},   [F_LIST] = {h, KEY, 0, BUF, 64, OUT, OUT2},
        [F_INC] = {h, KEY, 2, 0, OUT64},
    };
    static const int nargs[NF] = {3, 1, 6, 5, 3, 4, 7, 5};
    static const BadCase cases[] = {
        {F_OPEN, 0, 1, 0},   {F_OPEN, 2, -1, 4},   {F_GET, 1, 2, 0},  {F_GET, 3, 4, 0},
        {F_GET, 5, -1, 4},   {F_SET, 1, 2, 0},     {F_SET, 3, 4, 0},  {F_DELETE, 1, 2, 0},
        {F_EXISTS, 1, 2, 0}, {F_EXISTS, 3, -1, 4}, {F_LIST, 1, 2, 0}, {F_LIST, 3, 4, 0},
        {F_LIST, 5, -1, 4},  {F_LIST, 6, -1, 4},   {F_INC, 1, 2, 0},  {F_INC, 4, -1, 8},
    };
    /* (pointer, length) pairs outside [0, MEM_SIZE): past the end, straddling it, wrapping
     * around 2^32 as a u32 sum, and lengths that only 64-bit arithmetic sees as too big. */
    static const uint32_t bad_ranges[][2] = {
        {MEM_SIZE, 1},       {MEM_SIZE - 1, 2}, {0xffffffffu, 1},
        {0xfffffff0u, 0x20}, {1, 0xffffffffu},  {MEM_SIZE + 1, 0},
        {0xffffffffu, 0},    {16, MEM_SIZE},    {0x80000000u, 0x80000000u},
    };
    static const uint32_t bad_fixed[] = {MEM_SIZE,    MEM_SIZE - 1, MEM_SIZE - 3,
                                         0xffffffffu, 0xfffffffdu,  0x80000000u};
    int total = 0, right = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const BadCase *bc = &cases[c];
        size_t nbad = bc->len_arg >= 0 ? sizeof bad_ranges / sizeof bad_ranges[0]
                                       : sizeof bad_fixed / sizeof bad_fixed[0];
        for (size_t b = 0; b < nbad; b++) {
            corral_val_t a[7];
            for (int i = 0; i < nargs[bc->f]; i++)
                a[i] = corral_val_i32((int32_t)base[bc->f][i]);
            if (bc->f == F_INC)
                a[3] = corral_val_i64(1);
            if (bc->len_arg >= 0) {
                a[bc->ptr_arg] = corral_val_i32((int32_t)bad_ranges[b][0]);
                a[bc->len_arg] = corral_val_i32((int32_t)bad_ranges[b][1]);
            } else {
                a[bc->ptr_arg] = corral_val_i32((int32_t)bad_fixed[b]);
            }
            /* (An empty range inside memory is fine; {MEM_SIZE+1,0} and {~0,0} are not.) */
            uint32_t e = call_vals(g, bc->f, a, (size_t)nargs[bc->f]);
            total++;
            if (e == MEMORY_ACCESS) {
                right++;
            } else {
                char what[120];
                snprintf(what, sizeof what, "%s arg %d = %#x (len %#x): %s, not MEMORY_ACCESS",
                         fnames[bc->f], bc->ptr_arg, (unsigned)a[bc->ptr_arg].of.i32,
                         bc->len_arg >= 0 ? (unsigned)a[bc->len_arg].of.i32 : bc->size,
                         kv_error_name(e));
                CHECKB(0, what);
            }
        }
    }
    CHECKB(right == total && total > 100, "every bad pointer/length: MEMORY_ACCESS");

    /* Right at the end is inside. */
    uint32_t len;
    CHECKB(call(g, F_GET, 6, h, KEY, 2, GOT, 64, MEM_SIZE - 4) == OK && rd32(g, MEM_SIZE - 4) == 1,
           "len_out in the last 4 bytes: OK");
    CHECKB(g_inc_raw(g, h, KEY, 2, 1, MEM_SIZE - 8) == OK && rd64(g, MEM_SIZE - 8) == 8,
           "result_out in the last 8 bytes: OK");
    CHECKB(call(g, F_SET, 5, h, KEY, 2, MEM_SIZE, 0) == OK, "an empty value at the end: OK");
    CHECKB(g_get(g, h, "mk", 2, 8, &len) == OK && len == 0, "(it was set)");
    g_set_str(g, h, "mk", "7");
    /* A failed output write must not lose the increment: it is checked first. */
    CHECKB(g_inc_raw(g, h, KEY, 2, 1, MEM_SIZE - 7) == MEMORY_ACCESS, "result_out straddles");
    const char *v = g_get_str(g, h, "mk");
    CHECKB(v && !strcmp(v, "7"), "and the value was not incremented");
    CHECKB(call(g, F_SET, 5, h, KEY, 2, MEM_SIZE - 1, 2) == MEMORY_ACCESS,
           "a value straddling the end: MEMORY_ACCESS");
    v = g_get_str(g, h, "mk");
    CHECKB(v && !strcmp(v, "7"), "and nothing was set");
    /* Bounds come before the handle: a bad pointer with a bad handle is MEMORY_ACCESS. */
    CHECKB(call(g, F_GET, 6, 999, KEY, 2, GOT, 64, 0xfffffffeu) == MEMORY_ACCESS,
           "bounds are checked before the handle");
    g_del(g, h, "mk", 2);
}

/* ---- concurrency: 8 guests on 8 threads, one counter ---- */

enum { THREADS = 8, PER_THREAD = 1000 };

typedef struct Worker {
    World *w;
    KvHost *h;
    const char *key;
    int64_t results[PER_THREAD];
    int done;
    uint32_t err;
    pthread_t tid;
} Worker;

static void *worker_run(void *arg)
{
    Worker *wk = arg;
    Guest g;
    const char *grants[] = {"default"};
    uint32_t h;
    wk->err = TRAPPED;
    if (!guest_new(&g, wk->w, wk->h, grants, 1))
        return NULL;
    if ((wk->err = g_open(&g, "default", &h)) == OK) {
        for (wk->done = 0; wk->done < PER_THREAD; wk->done++)
            if ((wk->err = g_inc(&g, h, wk->key, 1, &wk->results[wk->done])) != OK)
                break;
    }
    guest_free(&g);
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Runs THREADS workers incrementing key on h; true when each saw only OK. Checks that the
 * sums they got back are exactly 1..THREADS*PER_THREAD (so no two saw the same one). */
static void suite_concurrency(Suite *s)
{
    Guest *g = &s->g;
    g_del(g, s->def, "counter", 7);
    Worker *wk = calloc(THREADS, sizeof *wk);
    double t0 = now_ms();
    for (int i = 0; i < THREADS; i++) {
        wk[i] = (Worker){.w = s->w, .h = s->h, .key = "counter"};
        pthread_create(&wk[i].tid, NULL, worker_run, &wk[i]);
    }
    int64_t *all = malloc(sizeof(int64_t) * THREADS * PER_THREAD);
    size_t n = 0;
    bool all_ok = true;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(wk[i].tid, NULL);
        all_ok &= wk[i].err == OK && wk[i].done == PER_THREAD;
        if (wk[i].err != OK)
            fprintf(stderr, "test_kv [%s]: worker %d: %s after %d\n", backend, i,
                    kv_error_name(wk[i].err), wk[i].done);
        for (int j = 0; j < wk[i].done; j++)
            all[n++] = wk[i].results[j];
    }
    double ms = now_ms() - t0;
    CHECKB(all_ok, "8 threads x 1000 increments: every one OK");
    const char *v = g_get_str(g, s->def, "counter");
    CHECKB(v && !strcmp(v, "8000"), "the counter is exactly 8000");
    qsort(all, n, sizeof *all, cmp_i64);
    bool distinct = n == THREADS * PER_THREAD;
    for (size_t i = 0; distinct && i < n; i++)
        distinct = all[i] == (int64_t)i + 1;
    CHECKB(distinct, "the 8000 results are 1..8000, each seen by exactly one increment");
    printf("test_kv [%s]: 8 threads x 1000 increments: counter %s, %.0f ms (%.0f/s)\n", backend,
           v ? v : "?", ms, THREADS * PER_THREAD / (ms / 1e3));
    /* Per thread, the sums only grow. */
    bool monotonic = true;
    for (int i = 0; i < THREADS; i++)
        for (int j = 1; j < wk[i].done; j++)
            monotonic &= wk[i].results[j] > wk[i].results[j - 1];
    CHECKB(monotonic, "each thread sees its sums grow");
    free(all);
    free(wk);
    g_del(g, s->def, "counter", 7);
}

/* ---- the SDK guest ---- */

typedef struct Out {
    char buf[8192];
    size_t len;
} Out;

static ssize_t out_write(void *ud, const uint8_t *b, size_t n)
{
    Out *o = ud;
    size_t room = sizeof o->buf - 1 - o->len;
    size_t k = n < room ? n : room;
    memcpy(o->buf + o->len, b, k);
    o->len += k;
    o->buf[o->len] = '\0';
    return (ssize_t)n;
}

static const char sdk_expected[] =
    "open: OK\n"
    "open default: ACCESS_DENIED\n"
    "set greeting: OK\n"
    "get greeting: OK\n"
    "greeting = hello (5 bytes)\n"
    "set big: OK\n"
    "get big: OK\n"
    "big: 5000 bytes, same\n"
    "get missing: NOT_FOUND\n"
    "hits = 42\n"
    "hits as text = \"42\"\n"
    "increment greeting: NOT_A_NUMBER\n"
    "exists k07 = 1\n"
    "keys: big greeting hits k00 k01 k02\n"
    "keys: 33, OK\n"
    "walk with 8 bytes: BUFFER_TOO_SMALL\n"
    "close: OK\n"
    "close again: INVALID_HANDLE\n"
    "codes: OK NO_SUCH_STORE ACCESS_DENIED INVALID_HANDLE MEMORY_ACCESS KEY_TOO_LONG "
    "VALUE_TOO_LARGE NOT_FOUND BUFFER_TOO_SMALL NOT_A_NUMBER STORE_TABLE_FULL BACKEND_ERROR "
    "INVALID_KEY ?\n";

/* kv_guest.wasm with WASI (stdout collected) and the store "sdk" granted. */
static void suite_sdk(Suite *s)
{
    Out out = {.len = 0};
    corral_wasi_config_t cfg;
    corral_wasi_config_default(&cfg);
    const char *argv[] = {"kv_guest", "sdk"};
    cfg.argv = argv;
    cfg.argc = 2;
    cfg.stdio[0].fd = -1;
    cfg.stdio[1] = (corral_wasi_stdio_t){-1, NULL, out_write, &out};
    cfg.stdio[2] = (corral_wasi_stdio_t){-1, NULL, out_write, &out};
    char *err = NULL;
    corral_wasi_t *wasi = corral_wasi_new(&cfg, &err);
    const char *grants[] = {"sdk"};
    KvCtx *ctx = kv_ctx_new(s->h, grants, 1);
    corral_store_t *store = corral_store_new(s->w->engine);
    size_t n = corral_module_import_count(s->w->sdk);
    corral_extern_t *imports = calloc(n, sizeof *imports);
    bool linked = wasi && ctx && kv_link(ctx, store, s->w->sdk, imports, n, &err);
    size_t filled = 0;
    for (size_t i = 0; linked && i < n; i++)
        filled += imports[i].of.func != NULL;
    CHECKB(linked && filled == 8, "kv_link fills the 8 corral_kv imports and nothing else");
    linked = linked && corral_wasi_link(wasi, store, s->w->sdk, imports, n, &err);
    CHECKB(linked, "then corral_wasi_link fills the rest");
    if (err)
        fprintf(stderr, "test_kv: link: %s\n", err);
    free(err);
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_extern_t start;
    int32_t status = -1;
    if (linked) {
        corral_error_t *cerr = corral_instance_new(store, s->w->sdk, imports, n, &inst, &trap);
        CHECKB(!cerr && !trap, "instantiate kv_guest.wasm");
        corral_error_delete(cerr);
    }
    if (inst && corral_instance_export(inst, "_start", 6, &start)) {
        trap = corral_func_call(store, start.of.func, NULL, 0, NULL, 0);
        status = 0;
        if (trap && !corral_trap_exit_status(trap, &status)) {
            fprintf(stderr, "test_kv: kv_guest trapped: %s\n", corral_trap_message(trap));
            status = -1;
        }
        corral_trap_delete(trap);
    }
    CHECKB(status == 0, "kv_guest exits 0");
    CHECKB(!strcmp(out.buf, sdk_expected), "kv_guest prints what the SDK should give");
    if (strcmp(out.buf, sdk_expected))
        fprintf(stderr, "--- kv_guest printed:\n%s--- expected:\n%s", out.buf, sdk_expected);
    free(imports);
    corral_store_delete(store);
    kv_ctx_free(ctx);
    corral_wasi_delete(wasi);
}

/* The whole suite on host h, whose stores default, aux and sdk are of the backend under test
 * and whose store "other" is not granted. */
static void run_suite(const char *name, World *w, KvHost *h)
{
    int before = passed + failed, failed_before = failed;
    backend = name;
    Suite s = {.w = w, .h = h};
    if (!guest_new(&s.g, w, h, suite_grants, 3)) {
        CHECKB(0, "instantiate kv.wasm");
        return;
    }
    CHECKB(g_open(&s.g, "default", &s.def) == OK && g_open(&s.g, "aux", &s.aux) == OK,
           "open default and aux");
    suite_open_close(&s);
    suite_grants_check(&s);
    suite_basic(&s);
    suite_values(&s);
    suite_buffer(&s);
    suite_list(&s);
    suite_increment(&s);
    suite_table_full(&s);
    suite_memory(&s);
    suite_concurrency(&s);
    suite_sdk(&s);
    guest_free(&s.g);
    printf("test_kv [%s]: %d checks, %d failed\n", name, passed + failed - before,
           failed - failed_before);
}

/* ---- files, the log, Redis ---- */

static char tmp[256];

static const char *path_in(const char *rel)
{
    static char p[16][512];
    static int i;
    i = (i + 1) % 16;
    snprintf(p[i], sizeof p[i], "%s/%s", tmp, rel);
    return p[i];
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* What the backends reported, for the checks that expect a reason. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char last_log[512];
static int nlogs;

static void log_fn(void *ud, const char *msg)
{
    pthread_mutex_lock(&log_lock);
    snprintf(last_log, sizeof last_log, "%s", msg);
    nlogs++;
    pthread_mutex_unlock(&log_lock);
    if (getenv("KV_TEST_VERBOSE"))
        fprintf(stderr, "%s\n", msg);
}

/* A host from a config text written to tmp/NAME; NULL with the message printed. */
static KvHost *host_from(const char *name, const char *text, const char *state, char **out_err)
{
    char *err = NULL;
    const char *cfg = path_in(name);
    write_text(cfg, text);
    KvHost *h = kv_host_new(cfg, state, &err);
    if (h)
        kv_host_set_log(h, log_fn, NULL);
    if (out_err)
        *out_err = err;
    else if (!h)
        fprintf(stderr, "test_kv: kv_host_new(%s): %s\n", name, err ? err : "out of memory");
    if (!out_err)
        free(err);
    return h;
}

static const char redis_pass[] = "s3cret pass";
static pid_t redis_pid;
static int redis_port;

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    int port = -1;
    if (s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(s, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(s);
    return port;
}

/* A connection to the test's Redis, authenticated; NULL when it is not up. */
static redisContext *redis_admin(void)
{
    struct timeval tv = {1, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", redis_port, tv);
    if (!c || c->err) {
        redisFree(c);
        return NULL;
    }
    redisReply *r = redisCommand(c, "AUTH %s", redis_pass);
    bool ok = r && r->type != REDIS_REPLY_ERROR;
    freeReplyObject(r);
    if (!ok) {
        redisFree(c);
        return NULL;
    }
    return c;
}

/* Starts redis-server on a free port (it dies with this process); false when it cannot. */
static bool redis_start_once(void)
{
    redis_port = free_port();
    char port[16];
    snprintf(port, sizeof port, "%d", redis_port);
    const char *dir = path_in("redis");
    mkdir(dir, 0700);
    pid_t parent = getpid();
    redis_pid = fork();
    if (redis_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", dir, "--requirepass", redis_pass, "--daemonize", "no",
               (char *)NULL);
        fprintf(stderr, "test_kv: cannot run redis-server: %s\n", strerror(errno));
        _exit(127);
    }
    if (redis_pid < 0)
        return false;
    for (int i = 0; i < 100; i++) {
        int st;
        if (waitpid(redis_pid, &st, WNOHANG) == redis_pid) {
            redis_pid = 0;
            return false;
        }
        redisContext *c = redis_admin();
        if (c) {
            redisFree(c);
            return true;
        }
        usleep(50 * 1000);
    }
    kill(redis_pid, SIGTERM);
    waitpid(redis_pid, NULL, 0);
    redis_pid = 0;
    return false;
}

/* Another process may take the free port before redis-server binds it: try again then. */
static bool redis_start(void)
{
    for (int i = 0; i < 3; i++)
        if (redis_start_once())
            return true;
    return false;
}

static void redis_stop(void)
{
    if (redis_pid <= 0)
        return;
    kill(redis_pid, SIGTERM);
    waitpid(redis_pid, NULL, 0);
    redis_pid = 0;
}

/* ---- several processes on one counter ---- */

/* In a child: a host of its own from the same configuration, 2 threads x 1000 increments. */
static int child_increments(const char *cfg, const char *state)
{
    World w;
    char *err = NULL;
    KvHost *h = kv_host_new(cfg, state, &err);
    if (!h || !world_open(&w))
        return 2;
    Worker wk[2];
    for (int i = 0; i < 2; i++) {
        wk[i] = (Worker){.w = &w, .h = h, .key = "mp_counter"};
        pthread_create(&wk[i].tid, NULL, worker_run, &wk[i]);
    }
    int bad = 0;
    for (int i = 0; i < 2; i++) {
        pthread_join(wk[i].tid, NULL);
        bad |= wk[i].err != OK || wk[i].done != PER_THREAD;
    }
    kv_host_free(h);
    world_close(&w);
    return bad;
}

/* 4 processes x 2 threads x 1000 increments of one key: 8000. */
static void multiprocess(World *w, KvHost *h, const char *cfg, const char *state)
{
    Suite s = {.w = w, .h = h};
    if (!guest_new(&s.g, w, h, suite_grants, 1)) {
        CHECKB(0, "instantiate");
        return;
    }
    uint32_t def;
    g_open(&s.g, "default", &def);
    g_del(&s.g, def, "mp_counter", 10);
    fflush(NULL);
    double t0 = now_ms();
    pid_t kids[4];
    for (int i = 0; i < 4; i++)
        if ((kids[i] = fork()) == 0)
            _exit(child_increments(cfg, state));
    bool ok = true;
    for (int i = 0; i < 4; i++) {
        int st = 1;
        ok &= kids[i] > 0 && waitpid(kids[i], &st, 0) == kids[i] && WIFEXITED(st) &&
              WEXITSTATUS(st) == 0;
    }
    double ms = now_ms() - t0;
    CHECKB(ok, "4 processes x 2 threads x 1000 increments: all OK");
    const char *v = g_get_str(&s.g, def, "mp_counter");
    CHECKB(v && !strcmp(v, "8000"), "the counter shared by 4 processes is exactly 8000");
    printf("test_kv [%s]: 4 processes x 2 threads x 1000 increments: counter %s, %.0f ms\n",
           backend, v ? v : "?", ms);
    g_del(&s.g, def, "mp_counter", 10);
    guest_free(&s.g);
}

/* ---- many processes opening one new SQLite file at once ---- */

enum { OPEN_ROUNDS = 20, OPEN_KIDS = 16 };

/* In a child: wait until the parent closes the pipe (every child starts at once), open a
 * host on cfg (which opens the SQLite file: WAL mode and schema), then increment "opened"
 * once through a guest. 0 when all of it worked; the reason on stderr otherwise. */
static int child_open(int go, const char *cfg)
{
    World w;
    if (!world_open(&w))
        return 2;
    char c;
    while (read(go, &c, 1) < 0 && errno == EINTR)
        ;
    char *err = NULL;
    KvHost *h = kv_host_new(cfg, tmp, &err);
    if (!h) {
        fprintf(stderr, "test_kv: child %d: kv_host_new: %s\n", (int)getpid(), err ? err : "?");
        return 1;
    }
    Guest g;
    uint32_t def;
    int64_t sum = 0;
    int bad = !guest_new(&g, &w, h, suite_grants, 1);
    if (!bad) {
        bad = g_open(&g, "default", &def) != OK || g_inc(&g, def, "opened", 1, &sum) != OK;
        guest_free(&g);
    }
    kv_host_free(h);
    world_close(&w);
    return bad;
}

/* Regression (issue 10, item 1): 20 processes of `corral run` on one new database sometimes
 * failed with "database is locked". PRAGMA journal_mode=WAL on a file not yet in WAL mode
 * upgrades a read lock to an exclusive one, and SQLite answers SQLITE_BUSY at once, without
 * the busy handler, when several connections race for it. Before the fix, OPEN_ROUNDS rounds
 * of OPEN_KIDS processes opening a new file at the same instant failed in most runs. */
static void concurrent_open(World *w)
{
    int failures = 0, wrong = 0;
    double t0 = now_ms();
    for (int round = 0; round < OPEN_ROUNDS; round++) {
        char text[128], name[32];
        snprintf(text, sizeof text,
                 "[key_value_store.default]\ntype = \"sqlite\"\npath = \"race-%d/kv.db\"\n", round);
        snprintf(name, sizeof name, "race-%d.toml", round);
        const char *cfg = path_in(name);
        write_text(cfg, text);
        int go[2];
        if (pipe(go) != 0) {
            CHECKB(0, "pipe");
            return;
        }
        fflush(NULL);
        pid_t kids[OPEN_KIDS];
        for (int i = 0; i < OPEN_KIDS; i++)
            if ((kids[i] = fork()) == 0) {
                close(go[1]);
                _exit(child_open(go[0], cfg));
            }
        close(go[0]);
        usleep(50000); /* let every child reach the read */
        close(go[1]);
        int opened = 0;
        for (int i = 0; i < OPEN_KIDS; i++) {
            int st = 1;
            opened += kids[i] > 0 && waitpid(kids[i], &st, 0) == kids[i] && WIFEXITED(st) &&
                      WEXITSTATUS(st) == 0;
        }
        failures += OPEN_KIDS - opened;
        /* The file works afterwards, and holds one increment per child that succeeded. */
        char *err = NULL;
        KvHost *h = kv_host_new(cfg, tmp, &err);
        free(err);
        Guest g;
        uint32_t def;
        const char *v = NULL;
        if (h && guest_new(&g, w, h, suite_grants, 1)) {
            if (g_open(&g, "default", &def) == OK)
                v = g_get_str(&g, def, "opened");
            guest_free(&g);
        }
        wrong += !v || atoi(v) != opened;
        kv_host_free(h);
    }
    CHECKB(failures == 0, "16 processes opening a new SQLite file at once: every one opens it");
    CHECKB(wrong == 0, "and every one's increment is in the file");
    printf("test_kv [sqlite]: %d rounds x %d processes opening a new file at once: %d failed, "
           "%.0f ms\n",
           OPEN_ROUNDS, OPEN_KIDS, failures, now_ms() - t0);
}

/* ---- backends ---- */

static void test_memory(World *w)
{
    KvHost *h = host_from("memory.toml",
                          "[key_value_store.default]\ntype = \"memory\"\n"
                          "[key_value_store.aux]\ntype = \"memory\"\n"
                          "[key_value_store.sdk]\ntype = \"memory\"\n"
                          "[key_value_store.other]\ntype = \"memory\"\n",
                          path_in("state-memory"), NULL);
    backend = "memory";
    CHECKB(h != NULL, "a host of memory stores");
    if (!h)
        return;
    CHECKB(!file_exists(path_in("state-memory")), "no state directory when nothing needs it");
    run_suite("memory", w, h);
    kv_host_free(h);
}

static void test_sqlite(World *w)
{
    /* default is implicit: SQLite in the state directory (created, nested); aux shares its
     * file (the store column keeps them apart); sdk lives in a file relative to the config. */
    char state[512];
    snprintf(state, sizeof state, "%s", path_in("state/deep/er"));
    static const char cfg_text[] = "# the SQLite suite\n"
                                   "[key_value_store.aux]\ntype = \"sqlite\"\n"
                                   "[key_value_store.sdk]\ntype = \"spin\"\npath = \"sub/sdk.db\"\n"
                                   "[key_value_store.other]\ntype = \"memory\"\n";
    KvHost *h = host_from("sqlite.toml", cfg_text, state, NULL);
    backend = "sqlite";
    CHECKB(h != NULL, "a host of SQLite stores");
    if (!h)
        return;
    char db[600];
    snprintf(db, sizeof db, "%s/sqlite_key_value.db", state);
    CHECKB(file_exists(db), "default: <state_dir>/sqlite_key_value.db, directories created");
    CHECKB(file_exists(path_in("sub/sdk.db")), "a relative path is relative to the config");
    run_suite("sqlite", w, h);

    /* Persistence, and the file seen with sqlite3 itself. */
    Guest g;
    uint32_t def, aux;
    if (guest_new(&g, w, h, suite_grants, 2)) {
        g_open(&g, "default", &def);
        g_open(&g, "aux", &aux);
        g_set_str(&g, def, "persist", "across hosts");
        g_set_str(&g, aux, "persist", "aux's");
        guest_free(&g);
    }
    multiprocess(w, h, path_in("sqlite.toml"), state);
    concurrent_open(w);
    kv_host_free(h);
    h = host_from("sqlite.toml", cfg_text, state, NULL);
    if (h && guest_new(&g, w, h, suite_grants, 2)) {
        g_open(&g, "default", &def);
        const char *v = g_get_str(&g, def, "persist");
        CHECKB(v && !strcmp(v, "across hosts"), "a new host sees what the last one wrote");
        guest_free(&g);
    }
    sqlite3 *sq = NULL;
    sqlite3_stmt *st = NULL;
    int rows = -1;
    char mode[16] = "";
    if (sqlite3_open_v2(db, &sq, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(sq,
                           "SELECT count(*) FROM corral_key_value WHERE store = 'aux' AND "
                           "key = CAST('persist' AS BLOB) AND value = CAST('aux''s' AS BLOB)",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        rows = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(sq, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        snprintf(mode, sizeof mode, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(sq);
    CHECKB(rows == 1, "the row is (store 'aux', key BLOB, value BLOB) in corral_key_value");
    CHECKB(!strcmp(mode, "wal"), "the database is in WAL mode");
    kv_host_free(h);
}

static void test_redis(World *w)
{
    backend = "redis";
    bool up = redis_start();
    CHECKB(up, "redis-server starts (a declared dependency: scripts/deps.sh installs it)");
    if (!up) {
        fprintf(stderr, "test_kv: *** redis-server could not be started: the Redis backend is "
                        "NOT tested ***\n");
        return;
    }
    char cfg[1024];
    /* The password has a space: percent-encoded in the URL. default and aux share database
     * 2 (the key prefix keeps them apart); one as user "default", one with the password only. */
    snprintf(cfg, sizeof cfg,
             "[key_value_store.default]\ntype = \"redis\"\nurl = \"redis://:s3cret%%20pass@"
             "127.0.0.1:%d/2\"\n"
             "[key_value_store.aux]\ntype = \"redis\"\nurl = \"redis://default:s3cret%%20pass@"
             "127.0.0.1:%d/2\"\n"
             "[key_value_store.sdk]\ntype = \"redis\"\nurl = \"redis://:s3cret%%20pass@"
             "localhost:%d/3\"\n"
             "[key_value_store.other]\ntype = \"memory\"\n",
             redis_port, redis_port, redis_port);
    KvHost *h = host_from("redis.toml", cfg, path_in("state-redis"), NULL);
    CHECKB(h != NULL, "a host of Redis stores");
    if (!h) {
        redis_stop();
        return;
    }
    run_suite("redis", w, h);
    multiprocess(w, h, path_in("redis.toml"), path_in("state-redis"));

    /* The layout: "corral:<store>:<key>" strings and the "corral:<store>" index. */
    Guest g;
    uint32_t def, aux;
    redisContext *admin = redis_admin();
    if (guest_new(&g, w, h, suite_grants, 2) && admin) {
        g_open(&g, "default", &def);
        g_open(&g, "aux", &aux);
        g_set_str(&g, def, "layout", "v1");
        redisReply *r = redisCommand(admin, "SELECT 2");
        freeReplyObject(r);
        r = redisCommand(admin, "GET corral:default:layout");
        CHECKB(r && r->type == REDIS_REPLY_STRING && !strcmp(r->str, "v1"),
               "the value is at corral:default:layout in database 2");
        freeReplyObject(r);
        r = redisCommand(admin, "ZSCORE corral:default layout");
        CHECKB(r && r->type == REDIS_REPLY_STRING, "and the key is in the index corral:default");
        freeReplyObject(r);
        r = redisCommand(admin, "SET corral:default:count 41");
        freeReplyObject(r);
        r = redisCommand(admin, "ZADD corral:default 0 count");
        freeReplyObject(r);
        int64_t n;
        CHECKB(g_inc(&g, def, "count", 1, &n) == OK && n == 42,
               "a counter written by another Redis client");

        /* Kill every client connection: the pool must notice and reconnect. */
        r = redisCommand(admin, "CLIENT KILL TYPE normal SKIPME yes");
        CHECKB(r && r->type == REDIS_REPLY_INTEGER && r->integer >= 1,
               "CLIENT KILL closed the pooled connections");
        freeReplyObject(r);
        CHECKB(g_inc(&g, def, "count", 1, &n) == OK && n == 43,
               "an increment after the kill: a new connection, applied once");
        r = redisCommand(admin, "CLIENT KILL TYPE normal SKIPME yes");
        freeReplyObject(r);
        const char *v = g_get_str(&g, def, "layout");
        CHECKB(v && !strcmp(v, "v1"), "a get after the kill works");
        g_del(&g, def, "layout", 6);
        g_del(&g, def, "count", 5);
        guest_free(&g);
    }
    redisFree(admin);
    kv_host_free(h);

    /* A wrong password and a server that is not there: BACKEND_ERROR, and the log says why. */
    snprintf(cfg, sizeof cfg,
             "[key_value_store.default]\ntype = \"redis\"\nurl = \"redis://:wrong@127.0.0.1:%d\"\n"
             "[key_value_store.aux]\ntype = \"redis\"\nurl = \"redis://127.0.0.1:%d\"\n",
             redis_port, free_port());
    h = host_from("redis-bad.toml", cfg, path_in("state-redis"), NULL);
    if (h && guest_new(&g, w, h, suite_grants, 2)) {
        g_open(&g, "default", &def);
        g_open(&g, "aux", &aux);
        nlogs = 0;
        CHECKB(g_set_str(&g, def, "k", "v") == BACKEND_ERROR, "wrong password: BACKEND_ERROR");
        CHECKB(nlogs > 0 && strstr(last_log, "AUTH"), "and the log names AUTH");
        double t0 = now_ms();
        uint32_t len;
        CHECKB(g_get(&g, aux, "k", 1, 8, &len) == BACKEND_ERROR, "no server: BACKEND_ERROR");
        CHECKB(strstr(last_log, "cannot connect"), "and the log says it cannot connect");
        CHECKB(now_ms() - t0 < 3000, "quickly (refused, not a time-out)");
        guest_free(&g);
    } else {
        CHECKB(0, "host with bad Redis URLs (valid syntax) is made");
    }
    kv_host_free(h);
    redis_stop();
}

/* ---- configuration, linking, tables ---- */

/* kv_host_new on text must fail with a message containing want. */
static void config_error(const char *text, const char *want)
{
    char *err = NULL;
    KvHost *h = host_from("bad.toml", text, path_in("state-bad"), &err);
    char what[300];
    snprintf(what, sizeof what, "config error \"%s\" (got \"%s\")", want,
             err ? err
             : h ? "success"
                 : "NULL");
    CHECKB(!h && err && strstr(err, want), what);
    kv_host_free(h);
    free(err);
}

static void test_config(World *w)
{
    backend = "config";
    config_error("# x\n[key_value_store.default]\ntype = \"sqlite\"\npth = \"x.db\"\n",
                 "bad.toml:4: unknown key 'pth' in [key_value_store.default] (a sqlite store "
                 "takes: type, path)");
    config_error("[key_value_store.mem]\ntype = \"memory\"\nurl = \"x\"\n",
                 "bad.toml:3: unknown key 'url' in [key_value_store.mem] (a memory store takes: "
                 "type)");
    config_error("\n\n[key_value_store.x]\ntype = \"postgres\"\n",
                 "bad.toml:4: [key_value_store.x]: unknown type 'postgres'");
    config_error("[key_value_store.x]\npath = \"a.db\"\n", "bad.toml:1: [key_value_store.x] needs "
                                                           "a type");
    config_error("[key_value_store.x]\ntype = 5\n", "bad.toml:2: [key_value_store.x]: 'type' "
                                                    "must be a non-empty string");
    config_error("[key_value_store.\"a:b\"]\ntype = \"memory\"\n",
                 "bad.toml:1: key-value store name 'a:b' may only hold");
    config_error("key_value_store = 5\n", "bad.toml:1: 'key_value_store' must be a table");
    config_error("[key_value_store]\nx = 1\n", "bad.toml:2: key_value_store.x must be a table");
    config_error("[key_value_store.r]\ntype = \"redis\"\n",
                 "bad.toml:1: [key_value_store.r]: a redis store needs a url");
    config_error("[key_value_store.r]\ntype = \"redis\"\nurl = \"http://x\"\n",
                 "bad.toml:1: [key_value_store.r]: 'http://x' is not a redis:// URL");
    config_error("[key_value_store.r]\ntype = \"redis\"\nurl = \"redis://h:99999\"\n",
                 "the port must be a number from 1 to 65535");
    config_error("[key_value_store.r]\ntype = \"redis\"\nurl = \"redis://h/x\"\n",
                 "the database must be a number");
    config_error("[key_value_store.r]\ntype = \"redis\"\nurl = \"rediss://h\"\n",
                 "TLS (rediss://) is not supported");
    config_error("[key_value_store.r]\ntype = \"redis\"\nurl = \"redis://user@h\"\n",
                 "a user needs a password");
    config_error("[key_value_store.r]\ntype = \"redis\"\nurl = \"redis://\"\n", "no host");
    config_error("[key_value_store.s]\ntype = \"sqlite\"\npath = \":memory:\"\n",
                 "use type = \"memory\"");
    config_error(
        "[key_value_store.s]\ntype = \"sqlite\"\npath = \"/proc/nope/x.db\"\n",
        "bad.toml:1: [key_value_store.s]: cannot create the directory of '/proc/nope/x.db'");
    config_error("x = \n", "bad.toml:1:");

    char *err = NULL;
    KvHost *h = kv_host_new(path_in("missing.toml"), path_in("state-x"), &err);
    CHECKB(!h && err && strstr(err, "cannot read runtime config") && strstr(err, "missing.toml"),
           "a missing file is an error naming it");
    free(err);

    /* Other interfaces' tables are theirs; "spin" is SQLite; redis URL forms. */
    h = host_from("ok.toml",
                  "[outbound_http]\nanything = 1\n[variables]\nx = \"y\"\n"
                  "[key_value_store.default]\ntype = \"memory\"\n"
                  "[key_value_store.v6]\ntype = \"redis\"\nurl = \"redis://[::1]:7000/0\"\n"
                  "[key_value_store.plain]\ntype = \"redis\"\nurl = \"redis://example.com\"\n",
                  path_in("state-ok"), NULL);
    CHECKB(h != NULL, "other top-level tables are ignored; IPv6 and bare-host URLs parse");
    CHECKB(!file_exists(path_in("state-ok")), "default configured: no SQLite file is made");
    kv_host_free(h);

    /* No configuration at all: default is SQLite in the state directory. */
    h = kv_host_new(NULL, path_in("state-none"), &err);
    CHECKB(h && file_exists(path_in("state-none/sqlite_key_value.db")),
           "no config: default is <state_dir>/sqlite_key_value.db");
    Guest g;
    const char *grants[] = {"default", "aux"};
    if (h && guest_new(&g, w, h, grants, 2)) {
        uint32_t hd;
        CHECKB(g_open(&g, "default", &hd) == OK, "open default without a config");
        CHECKB(g_open(&g, "aux", &hd) == NO_SUCH_STORE, "aux: NO_SUCH_STORE without a config");
        guest_free(&g);
    }
    kv_host_free(h);
}

static void test_link(World *w)
{
    backend = "link";
    KvHost *h = host_from("link.toml", "[key_value_store.default]\ntype = \"memory\"\n",
                          path_in("state-link"), NULL);
    KvCtx *ctx = kv_ctx_new(h, NULL, 0);
    corral_store_t *store = corral_store_new(w->engine);
    corral_extern_t imports[4] = {0};
    char *err = NULL;
    CHECKB(!kv_link(ctx, store, w->badname, imports, 2, &err) && err &&
               !strcmp(err, "unknown import corral_kv::get_all"),
           "unknown import corral_kv::get_all");
    free(err);
    memset(imports, 0, sizeof imports);
    CHECKB(!kv_link(ctx, store, w->badtype, imports, 1, &err) && err &&
               !strcmp(err, "incompatible import type for corral_kv::increment: expects (i32, "
                            "i32, i32, i64, i32) -> i32, the module declares (i32, i32, i32, "
                            "i32, i32) -> i32"),
           "incompatible import type names both signatures");
    free(err);
    CHECKB(!kv_link(ctx, store, w->kv, imports, 3, &err) && err && strstr(err, "the module has 8"),
           "too short an import array");
    free(err);
    /* The WASI imports of kv_guest are left for corral_wasi_link (checked in the suites);
     * a guest without memory gets MEMORY_ACCESS for everything but empty ranges at 0. */
    Guest g;
    const char *grants[] = {"default"};
    if (instantiate(&g, w->engine, w->nomem, h, grants, 1)) {
        CHECKB(call(&g, F_OPEN, 3, 0, 0, 0) == MEMORY_ACCESS, "no memory: open's out is outside");
        CHECKB(call(&g, F_LIST, 7, 1, 0, 0, 0, 0, 0, 0) == MEMORY_ACCESS,
               "no memory: list_keys MEMORY_ACCESS");
        guest_free(&g);
    } else {
        CHECKB(0, "instantiate kv_nomem.wasm");
    }
    corral_store_delete(store);
    kv_ctx_free(ctx);
    kv_host_free(h);
}

/* A server's pattern: link once, mark the store, then per guest reset_to(mark) and
 * kv_ctx_reset; the host functions keep serving, and no handle outlives its guest. */
static void test_reuse(World *w)
{
    backend = "reuse";
    KvHost *h = host_from("reuse.toml", "[key_value_store.default]\ntype = \"memory\"\n",
                          path_in("state-reuse"), NULL);
    const char *grants[] = {"default"};
    KvCtx *ctx = kv_ctx_new(h, grants, 1);
    corral_store_t *store = corral_store_new(w->engine);
    size_t n = corral_module_import_count(w->kv);
    corral_extern_t *imports = calloc(n, sizeof *imports);
    char *err = NULL;
    bool linked = kv_link(ctx, store, w->kv, imports, n, &err);
    CHECKB(linked, "link once");
    free(err);
    size_t mark = corral_store_mark(store);
    uint32_t last = 0;
    bool ok = linked;
    for (int round = 0; ok && round < 3; round++) {
        Guest g = {.store = store, .ctx = ctx};
        corral_trap_t *trap = NULL;
        corral_error_t *cerr = corral_instance_new(store, w->kv, imports, n, &g.inst, &trap);
        ok = !cerr && !trap;
        corral_error_delete(cerr);
        corral_trap_delete(trap);
        if (!ok)
            break;
        corral_extern_t ex;
        corral_instance_export(g.inst, "memory", 6, &ex);
        g.mem = corral_memory_data(ex.of.memory);
        for (int i = 0; i < NF; i++)
            if (corral_instance_export(g.inst, fnames[i], strlen(fnames[i]), &ex))
                g.fn[i] = ex.of.func;
        if (round > 0)
            ok &= g_close(&g, last) == INVALID_HANDLE;
        uint32_t hs[KV_MAX_HANDLES];
        for (uint32_t i = 0; i < KV_MAX_HANDLES; i++)
            ok &= g_open(&g, "default", &hs[i]) == OK;
        int64_t v = 0;
        ok &= g_inc(&g, hs[0], "visits", 1, &v) == OK && v == round + 1;
        last = hs[0];
        corral_store_reset_to(store, mark);
        kv_ctx_reset(ctx);
    }
    CHECKB(ok, "3 guests through one link: a full table each, the last guest's handles invalid, "
               "the store's data kept");
    free(imports);
    corral_store_delete(store);
    kv_ctx_free(ctx);
    kv_host_free(h);
}

static void test_tables(void)
{
    backend = "tables";
#define X(name, num, msg)                                                                          \
    CHECKB(CORRAL_KV_##name == num, "sdk/corral_kv.h: CORRAL_KV_" #name " = " #num);               \
    CHECKB(!strcmp(kv_error_name(num), #name), "kv_error_name(" #num ") = " #name);                \
    CHECKB(!strcmp(kv_error_message(num), msg), "kv_error_message(" #num ")");
#include "host/kv_errors.def"
#undef X
    CHECKB(!strcmp(kv_error_name(13), "?") && !strcmp(kv_error_name(0xffffffffu), "?"),
           "kv_error_name of a non-code: ?");
    CHECKB(!strcmp(kv_error_message(99), "unknown error"), "kv_error_message of a non-code");
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    return remove(path);
}

/* Removes tmp (the databases, the Redis directory). */
static void cleanup(void)
{
    if (nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "test_kv: could not remove %s\n", tmp);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    snprintf(tmp, sizeof tmp, "/tmp/corral_test_kv.XXXXXX");
    if (!mkdtemp(tmp)) {
        perror("test_kv: mkdtemp");
        return 1;
    }
    World w;
    if (!world_open(&w)) {
        CHECK(0, "load the test modules");
        cleanup();
        return unit_report("test_kv");
    }
    test_tables();
    test_config(&w);
    test_link(&w);
    test_reuse(&w);
    test_memory(&w);
    test_sqlite(&w);
    test_redis(&w);
    world_close(&w);
    cleanup();
    return unit_report("test_kv");
}
