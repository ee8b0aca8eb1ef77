/* kv_host.c: the process-wide KvHost (kv.h): reads the [key_value_store.NAME] tables of the
 * runtime configuration (Corral's TOML parser), opens one backend per store, adds the
 * store "default", and finds a store by name. Read-only once made, so lookups take no lock.
 * Other top-level tables of the file belong to other host interfaces and are not read here. */
#include "host/kv_backend.h"
#include "util/strf.h"

#include "util/toml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Store {
    char *name;
    KvBackend *backend;
} Store;

struct KvHost {
    Store *stores;
    size_t nstores;
    KvLog log; /* the backends point at it */
};

/* Reading a configuration: the host being filled, the file (for messages and relative
 * paths) and the first error. */
typedef struct Reader {
    KvHost *h;
    const char *file;
    char *err;
} Reader;

static KvHost *fail(Reader *r, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets the first error as "file:line: message"; returns NULL for the caller to pass on. */
static KvHost *fail(Reader *r, uint32_t line, const char *fmt, ...)
{
    if (r->err)
        return NULL;
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->err = strf("%s:%u: %s", r->file, (unsigned)line, msg);
    return NULL;
}

static bool add_store(KvHost *h, const char *name, KvBackend *b)
{
    Store *s = realloc(h->stores, (h->nstores + 1) * sizeof *s);
    if (!s)
        return false;
    h->stores = s;
    char *n = strdup(name);
    if (!n)
        return false;
    s[h->nstores++] = (Store){n, b};
    return true;
}

KvBackend *kv_host_store(const KvHost *h, const uint8_t *name, size_t len)
{
    for (size_t i = 0; i < h->nstores; i++)
        if (strlen(h->stores[i].name) == len && !memcmp(h->stores[i].name, name, len))
            return h->stores[i].backend;
    return NULL;
}

bool kv_host_has_store(const KvHost *h, const char *name)
{
    return kv_host_store(h, (const uint8_t *)name, strlen(name)) != NULL;
}

/* ---- one [key_value_store.NAME] table ---- */

/* Store names become part of Redis keys ("corral:NAME:key"), so ':' and friends are out. */
static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || memchr(s, '\0', n))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') && !(s[i] >= '0' && s[i] <= '9') &&
            s[i] != '_' && s[i] != '-' && s[i] != '.')
            return false;
    return true;
}

/* The string value of key in table t, or NULL when absent; error when not a string. */
static const char *get_string(Reader *r, const TomlValue *t, const char *key, const char *store,
                              bool *bad)
{
    const TomlEntry *e = toml_table_find(t, key, strlen(key));
    const char *s;
    size_t n;
    if (!e)
        return NULL;
    if (!toml_as_string(e->value, &s, &n) || memchr(s, '\0', n) || n == 0) {
        fail(r, e->line, "[key_value_store.%s]: '%s' must be a non-empty string", store, key);
        *bad = true;
        return NULL;
    }
    return s;
}

/* A relative path is relative to the configuration file's directory. Owned. */
static char *resolve_path(const char *file, const char *path)
{
    const char *slash = strrchr(file, '/');
    if (path[0] == '/' || !slash)
        return strdup(path);
    return strf("%.*s/%s", (int)(slash - file), file, path);
}

typedef enum Backend { B_SQLITE, B_REDIS, B_MEMORY } Backend;

typedef struct TypeDef {
    const char *name; /* as written in type = "..." */
    Backend backend;
    const char *key; /* the one key the table may hold besides type, or NULL */
} TypeDef;

/* "spin" is Spin's name for its SQLite store, accepted so Spin runtime configs work. */
static const TypeDef types[] = {
    {"sqlite", B_SQLITE, "path"},
    {"spin", B_SQLITE, "path"},
    {"redis", B_REDIS, "url"},
    {"memory", B_MEMORY, NULL},
};

static const TypeDef *find_type(const char *name)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(types[i].name, name))
            return &types[i];
    return NULL;
}

/* Every key of t must be "type" or d's. */
static bool check_keys(Reader *r, const TomlValue *t, const TypeDef *d, const char *store)
{
    for (size_t i = 0; i < toml_table_len(t); i++) {
        const TomlEntry *e = toml_table_entry(t, i);
        if (strcmp(e->key, "type") && !(d->key && !strcmp(e->key, d->key))) {
            fail(r, e->line,
                 "unknown key '%s' in [key_value_store.%s] (a %s store takes: type%s%s)", e->key,
                 store, d->name, d->key ? ", " : "", d->key ? d->key : "");
            return false;
        }
    }
    return true;
}

/* Opens the backend that the store's table e describes. */
static KvBackend *open_configured(Reader *r, const TomlEntry *e, const char *state_dir)
{
    const char *name = e->key;
    bool bad = false;
    const char *type = get_string(r, e->value, "type", name, &bad);
    if (!type) {
        if (!bad)
            fail(r, e->line,
                 "[key_value_store.%s] needs a type (\"sqlite\", \"redis\" or "
                 "\"memory\")",
                 name);
        return NULL;
    }
    const TypeDef *d = find_type(type);
    if (!d) {
        uint32_t line = toml_table_find(e->value, "type", 4)->line;
        fail(r, line,
             "[key_value_store.%s]: unknown type '%s' (expected \"sqlite\", \"redis\" "
             "or \"memory\")",
             name, type);
        return NULL;
    }
    if (!check_keys(r, e->value, d, name))
        return NULL;
    char *err = NULL, *path = NULL;
    KvBackend *b = NULL;
    if (d->backend == B_SQLITE) {
        const char *p = get_string(r, e->value, "path", name, &bad);
        if (bad)
            return NULL;
        if (p && !strcmp(p, ":memory:")) {
            fail(r, e->line,
                 "[key_value_store.%s]: an SQLite \":memory:\" database is private "
                 "to one connection; use type = \"memory\"",
                 name);
            return NULL;
        }
        path = p ? resolve_path(r->file, p) : strf("%s/sqlite_key_value.db", state_dir);
        b = path ? kv_sqlite_open(path, name, &r->h->log, &err) : NULL;
    } else if (d->backend == B_REDIS) {
        const char *url = get_string(r, e->value, "url", name, &bad);
        if (!url) {
            if (!bad)
                fail(r, e->line,
                     "[key_value_store.%s]: a redis store needs a url "
                     "(\"redis://host:port\")",
                     name);
            return NULL;
        }
        b = kv_redis_open(url, name, &r->h->log, &err);
    } else {
        b = kv_memory_open(name, &r->h->log, &err);
    }
    if (!b)
        fail(r, e->line, "[key_value_store.%s]: %s", name, err ? err : "out of memory");
    free(err);
    free(path);
    return b;
}

/* Reads the file's key_value_store tables into r->h. */
static bool read_stores(Reader *r, const TomlValue *root, const char *state_dir)
{
    const TomlEntry *kvs = toml_table_find(root, "key_value_store", 15);
    if (!kvs)
        return true;
    if (toml_kind(kvs->value) != TOML_TABLE) {
        fail(r, kvs->line, "'key_value_store' must be a table of [key_value_store.NAME] tables");
        return false;
    }
    for (size_t i = 0; i < toml_table_len(kvs->value); i++) {
        const TomlEntry *e = toml_table_entry(kvs->value, i);
        if (!valid_name(e->key, e->key_len)) {
            fail(r, e->line,
                 "key-value store name '%s' may only hold letters, digits, '_', '-' "
                 "and '.'",
                 e->key);
            return false;
        }
        if (toml_kind(e->value) != TOML_TABLE) {
            fail(r, e->line, "key_value_store.%s must be a table", e->key);
            return false;
        }
        KvBackend *b = open_configured(r, e, state_dir);
        if (!b)
            return false;
        if (!add_store(r->h, e->key, b)) {
            b->ops->close(b);
            fail(r, e->line, "out of memory");
            return false;
        }
    }
    return true;
}

/* The whole file as a malloc'd buffer; NULL with *out_err set. */
static char *slurp(const char *file, size_t *out_len, char **out_err)
{
    FILE *f = fopen(file, "rb");
    if (!f) {
        *out_err = strf("cannot read runtime config '%s': %s", file, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        char *b = realloc(buf, cap *= 2);
        if (!b)
            free(buf);
        buf = b;
    }
    if (buf && ferror(f)) {
        *out_err = strf("cannot read runtime config '%s': %s", file, strerror(errno));
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *out_len = len;
    return buf;
}

static bool read_config(Reader *r, const char *file, const char *state_dir)
{
    size_t len;
    char *text = slurp(file, &len, &r->err);
    if (!text)
        return false;
    TomlValue *root = NULL;
    TomlError terr;
    TomlStatus st = toml_parse(text, len, &root, &terr);
    free(text);
    if (st != TOML_OK) {
        if (st == TOML_ERR_SYNTAX)
            r->err = strf("%s:%u:%u: %s", file, (unsigned)terr.line, (unsigned)terr.column,
                          terr.message);
        return false;
    }
    bool ok = read_stores(r, root, state_dir);
    toml_free(root);
    return ok;
}

KvHost *kv_host_new(const char *runtime_config, const char *state_dir, char **out_err)
{
    *out_err = NULL;
    KvHost *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    Reader r = {h, runtime_config, NULL};
    if (!state_dir)
        state_dir = ".corral";
    if (runtime_config && !read_config(&r, runtime_config, state_dir))
        goto fail;
    if (!kv_host_store(h, (const uint8_t *)"default", 7)) {
        char *err = NULL, *path = strf("%s/sqlite_key_value.db", state_dir);
        KvBackend *b = path ? kv_sqlite_open(path, "default", &h->log, &err) : NULL;
        free(path);
        if (!b || !add_store(h, "default", b)) {
            if (b)
                b->ops->close(b);
            r.err = err ? strf("the default key-value store: %s", err) : NULL;
            free(err);
            goto fail;
        }
    }
    return h;
fail:
    *out_err = r.err;
    kv_host_free(h);
    return NULL;
}

void kv_host_free(KvHost *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->nstores; i++) {
        h->stores[i].backend->ops->close(h->stores[i].backend);
        free(h->stores[i].name);
    }
    free(h->stores);
    free(h);
}

void kv_host_set_log(KvHost *h, void (*fn)(void *ud, const char *msg), void *ud)
{
    h->log = (KvLog){fn, ud};
}
