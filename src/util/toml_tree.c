/* toml_tree.c: the document tree: building it (new values, table insert with a hash index
 * once a table is big, array append; all memory from the document's arena) and reading it
 * (lookups, iteration, typed getters). Knows nothing of TOML syntax or definition rules. */
#include "util/hash.h"
#include "util/toml_int.h"

#include <stdlib.h>
#include <string.h>

/* Tables with more entries than this get a hash index; smaller ones are scanned. */
#define INDEX_MIN 8

static const char *const kind_names[] = {
    [TOML_STRING] = "string",
    [TOML_INTEGER] = "integer",
    [TOML_FLOAT] = "float",
    [TOML_BOOL] = "bool",
    [TOML_DATETIME] = "datetime",
    [TOML_DATETIME_LOCAL] = "datetime-local",
    [TOML_DATE_LOCAL] = "date-local",
    [TOML_TIME_LOCAL] = "time-local",
    [TOML_ARRAY] = "array",
    [TOML_TABLE] = "table",
};

TomlValue *toml_new(TomlParser *p, TomlKind kind, TomlPos at)
{
    TomlValue *v = arena_zalloc(p->arena, sizeof *v);
    if (!v)
        return NULL;
    v->kind = (uint8_t)kind;
    v->line = at.line;
    v->column = at.column;
    if (kind == TOML_TABLE)
        v->u.tab.seed = p->seed;
    return v;
}

static bool key_is(const TomlEntry *e, const char *key, size_t key_len)
{
    return e->key_len == key_len && memcmp(e->key, key, key_len) == 0;
}

static size_t home_slot(const TomlValue *t, const char *key, size_t key_len)
{
    return (size_t)hash_bytes(key, key_len, t->u.tab.seed) & (t->u.tab.nslots - 1);
}

TomlEntry *toml_find(TomlValue *t, const char *key, size_t key_len)
{
    if (!t || t->kind != TOML_TABLE)
        return NULL;
    TomlEntry *entries = t->u.tab.entries;
    if (!t->u.tab.slots) {
        for (size_t i = 0; i < t->u.tab.len; i++)
            if (key_is(&entries[i], key, key_len))
                return &entries[i];
        return NULL;
    }
    size_t mask = t->u.tab.nslots - 1;
    for (size_t i = home_slot(t, key, key_len);; i = (i + 1) & mask) {
        uint32_t s = t->u.tab.slots[i];
        if (s == 0)
            return NULL;
        if (key_is(&entries[s - 1], key, key_len))
            return &entries[s - 1];
    }
}

/* Puts entry index i into the index (which has a free slot). */
static void index_entry(TomlValue *t, size_t i)
{
    const TomlEntry *e = &t->u.tab.entries[i];
    size_t mask = t->u.tab.nslots - 1, s = home_slot(t, e->key, e->key_len);
    while (t->u.tab.slots[s] != 0)
        s = (s + 1) & mask;
    t->u.tab.slots[s] = (uint32_t)(i + 1);
}

/* A fresh index at most half full, holding every entry. */
static TomlStatus reindex(TomlParser *p, TomlValue *t)
{
    size_t n = t->u.tab.nslots ? t->u.tab.nslots : 16;
    while (n / 2 <= t->u.tab.len) {
        if (n > SIZE_MAX / 2 / sizeof(uint32_t))
            return toml_nomem(p);
        n *= 2;
    }
    uint32_t *slots = arena_zalloc(p->arena, n * sizeof *slots);
    if (!slots)
        return toml_nomem(p);
    t->u.tab.slots = slots;
    t->u.tab.nslots = n;
    for (size_t i = 0; i < t->u.tab.len; i++)
        index_entry(t, i);
    return TOML_OK;
}

/* Room for one more element in a growing array of elem-sized items. */
static void *make_room(TomlParser *p, void *items, size_t len, size_t *cap, size_t elem)
{
    if (len < *cap)
        return items;
    size_t n = *cap ? *cap * 2 : 4;
    if (n > SIZE_MAX / elem)
        return NULL;
    void *grown = arena_grow(p->arena, items, len * elem, n * elem);
    if (grown)
        *cap = n;
    return grown;
}

TomlStatus toml_insert(TomlParser *p, TomlValue *t, char *key, size_t key_len, TomlPos at,
                       TomlValue *v)
{
    if (t->u.tab.len >= UINT32_MAX - 1)
        return toml_fail(p, p->pos, "too many keys in one table");
    TomlEntry *entries = make_room(p, t->u.tab.entries, t->u.tab.len, &t->u.tab.cap,
                                   sizeof(TomlEntry));
    if (!entries)
        return toml_nomem(p);
    t->u.tab.entries = entries;
    TomlEntry *e = &entries[t->u.tab.len++];
    e->key = key;
    e->key_len = key_len;
    e->value = v;
    e->line = at.line;
    e->column = at.column;
    if (t->u.tab.len > INDEX_MIN && t->u.tab.len * 2 > t->u.tab.nslots)
        return reindex(p, t);
    if (t->u.tab.slots)
        index_entry(t, t->u.tab.len - 1);
    return TOML_OK;
}

TomlStatus toml_push(TomlParser *p, TomlValue *arr, TomlValue *v)
{
    TomlValue **items = make_room(p, arr->u.arr.items, arr->u.arr.len, &arr->u.arr.cap,
                                  sizeof(TomlValue *));
    if (!items)
        return toml_nomem(p);
    arr->u.arr.items = items;
    items[arr->u.arr.len++] = v;
    return TOML_OK;
}

void toml_free(TomlValue *root)
{
    if (!root)
        return;
    TomlDoc *doc = (TomlDoc *)root; /* a root is the first member of its TomlDoc */
    arena_release(&doc->arena);
    free(doc);
}

TomlKind toml_kind(const TomlValue *v) { return (TomlKind)v->kind; }

const char *toml_kind_name(TomlKind kind)
{
    return (unsigned)kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[kind] : "?";
}

uint32_t toml_line(const TomlValue *v) { return v->line; }

uint32_t toml_column(const TomlValue *v) { return v->column; }

size_t toml_table_len(const TomlValue *t)
{
    return t && t->kind == TOML_TABLE ? t->u.tab.len : 0;
}

const TomlEntry *toml_table_entry(const TomlValue *t, size_t i)
{
    return i < toml_table_len(t) ? &t->u.tab.entries[i] : NULL;
}

const TomlEntry *toml_table_find(const TomlValue *t, const char *key, size_t key_len)
{
    return toml_find((TomlValue *)t, key, key_len); /* only reads */
}

const TomlValue *toml_table_get(const TomlValue *t, const char *key)
{
    const TomlEntry *e = key ? toml_table_find(t, key, strlen(key)) : NULL;
    return e ? e->value : NULL;
}

size_t toml_array_len(const TomlValue *a)
{
    return a && a->kind == TOML_ARRAY ? a->u.arr.len : 0;
}

const TomlValue *toml_array_at(const TomlValue *a, size_t i)
{
    return i < toml_array_len(a) ? a->u.arr.items[i] : NULL;
}

bool toml_as_string(const TomlValue *v, const char **out, size_t *out_len)
{
    if (!v || v->kind != TOML_STRING)
        return false;
    *out = v->u.str.s;
    if (out_len)
        *out_len = v->u.str.len;
    return true;
}

bool toml_as_int(const TomlValue *v, int64_t *out)
{
    if (!v || v->kind != TOML_INTEGER)
        return false;
    *out = v->u.i;
    return true;
}

bool toml_as_float(const TomlValue *v, double *out)
{
    if (!v || v->kind != TOML_FLOAT)
        return false;
    *out = v->u.f;
    return true;
}

bool toml_as_bool(const TomlValue *v, bool *out)
{
    if (!v || v->kind != TOML_BOOL)
        return false;
    *out = v->u.b;
    return true;
}

bool toml_as_datetime(const TomlValue *v, TomlDatetime *out)
{
    if (!v || v->kind < TOML_DATETIME || v->kind > TOML_TIME_LOCAL)
        return false;
    *out = v->u.dt;
    return true;
}
