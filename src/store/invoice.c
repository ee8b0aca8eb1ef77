/* invoice.c: reading an invoice from TOML or JSON (invoice.h). Both formats go through one
 * schema reader over a small Node view, so TOML and JSON refuse the same things with the
 * same words. Every string and array is copied into the invoice's arena. */
#include "store/invoice.h"

#include "store/bindle_id.h"
#include "util/strf.h"
#include "util/toml.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- a view of a TOML or JSON value ---- */

typedef enum NodeKind { N_STRING, N_INT, N_BOOL, N_TABLE, N_ARRAY, N_NULL, N_OTHER } NodeKind;

typedef struct Node {
    const TomlValue *t; /* one of t and j */
    json_t *j;
} Node;

typedef struct NodeEntry {
    const char *key;
    size_t key_len;
    Node value;
    uint32_t line; /* TOML only; 0 for JSON */
} NodeEntry;

static NodeKind node_kind(Node n)
{
    if (n.t) {
        switch (toml_kind(n.t)) {
        case TOML_STRING:
            return N_STRING;
        case TOML_INTEGER:
            return N_INT;
        case TOML_BOOL:
            return N_BOOL;
        case TOML_TABLE:
            return N_TABLE;
        case TOML_ARRAY:
            return N_ARRAY;
        default:
            return N_OTHER;
        }
    }
    switch (json_typeof(n.j)) {
    case JSON_STRING:
        return N_STRING;
    case JSON_INTEGER:
        return N_INT;
    case JSON_TRUE:
    case JSON_FALSE:
        return N_BOOL;
    case JSON_OBJECT:
        return N_TABLE;
    case JSON_ARRAY:
        return N_ARRAY;
    case JSON_NULL:
        return N_NULL;
    default:
        return N_OTHER;
    }
}

static const char *const kind_names[] = {"a string", "an integer", "a boolean",   "a table",
                                         "an array", "null",       "another type"};

static size_t node_len(Node n)
{
    if (n.t)
        return toml_kind(n.t) == TOML_TABLE ? toml_table_len(n.t) : toml_array_len(n.t);
    return json_is_object(n.j) ? json_object_size(n.j) : json_array_size(n.j);
}

static Node node_at(Node n, size_t i)
{
    if (n.t)
        return (Node){toml_array_at(n.t, i), NULL};
    return (Node){NULL, json_array_get(n.j, i)};
}

/* ---- the reader's context ---- */

typedef struct Reader {
    Invoice *inv;
    char *err;
    bool nomem;
} Reader;

static bool fail(Reader *r, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(Reader *r, uint32_t line, const char *fmt, ...)
{
    if (r->err)
        return false;
    va_list ap;
    va_start(ap, fmt);
    char *msg = vstrf(fmt, ap);
    va_end(ap);
    if (msg && line) {
        r->err = strf("%s at line %u", msg, (unsigned)line);
        free(msg);
    } else {
        r->err = msg;
    }
    if (!r->err)
        r->nomem = true;
    return false;
}

static char *copy(Reader *r, const char *s, size_t n)
{
    char *d = arena_alloc(&r->inv->arena, n + 1);
    if (!d) {
        r->nomem = true;
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* The entries of table n, in document order (TOML) or key order (JSON, whose objects
 * jansson keeps in a hash table). */
static NodeEntry *node_entries(Reader *r, Node n, size_t *out_n)
{
    size_t len = node_len(n);
    NodeEntry *e = arena_alloc(&r->inv->arena, (len ? len : 1) * sizeof *e);
    if (!e) {
        r->nomem = true;
        return NULL;
    }
    if (n.t) {
        for (size_t i = 0; i < len; i++) {
            const TomlEntry *te = toml_table_entry(n.t, i);
            e[i] = (NodeEntry){te->key, te->key_len, {te->value, NULL}, te->line};
        }
    } else {
        size_t i = 0;
        const char *key;
        json_t *v;
        json_object_foreach(n.j, key, v)
        {
            e[i++] = (NodeEntry){key, strlen(key), {NULL, v}, 0};
        }
        len = i;
    }
    *out_n = len;
    return e;
}

/* Field names of one table of the schema; a key not among them is an error. */
typedef struct Fields {
    const char *where; /* "the invoice", "[bindle]", "a parcel's label" ... */
    const char *const *names;
    size_t n;
} Fields;

/* Which of f's fields each entry is; fails on an unknown or repeated one. slot[k] gets the
 * entry of field k or NULL. */
static bool match_fields(Reader *r, Node table, const Fields *f, const NodeEntry **slot)
{
    size_t n;
    NodeEntry *e = node_entries(r, table, &n);
    if (!e)
        return false;
    for (size_t k = 0; k < f->n; k++)
        slot[k] = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < f->n && !(strlen(f->names[k]) == e[i].key_len &&
                             memcmp(f->names[k], e[i].key, e[i].key_len) == 0))
            k++;
        if (k == f->n) {
            char shown[80];
            snprintf(shown, sizeof shown, "%.*s", (int)(e[i].key_len > 60 ? 60 : e[i].key_len),
                     e[i].key);
            return fail(r, e[i].line, "unknown field '%s' in %s", shown, f->where);
        }
        /* JSON null is an absent optional field, as serde reads Option<T>. */
        slot[k] = node_kind(e[i].value) == N_NULL ? NULL : &e[i];
    }
    return true;
}

static bool want(Reader *r, const NodeEntry *e, NodeKind kind, const char *where)
{
    NodeKind got = node_kind(e->value);
    if (got == kind)
        return true;
    return fail(r, e->line, "'%.*s' in %s must be %s, not %s", (int)e->key_len, e->key, where,
                kind_names[kind], kind_names[got]);
}

static bool missing(Reader *r, const char *field, const char *where, uint32_t line)
{
    return fail(r, line, "missing field '%s' in %s", field, where);
}

/* A required (or, with optional, absent-is-NULL) string field. */
static bool get_string(Reader *r, const NodeEntry *e, const char *field, const char *where,
                       bool optional, uint32_t line, char **out)
{
    *out = NULL;
    if (!e)
        return optional || missing(r, field, where, line);
    if (!want(r, e, N_STRING, where))
        return false;
    const char *s;
    size_t n;
    if (e->value.t) {
        toml_as_string(e->value.t, &s, &n);
    } else {
        s = json_string_value(e->value.j);
        n = json_string_length(e->value.j);
    }
    if (memchr(s, '\0', n))
        return fail(r, e->line, "'%s' in %s must not contain a NUL character", field, where);
    return (*out = copy(r, s, n)) != NULL;
}

static bool get_u64(Reader *r, const NodeEntry *e, const char *field, const char *where,
                    uint32_t line, uint64_t *out)
{
    if (!e)
        return missing(r, field, where, line);
    if (!want(r, e, N_INT, where))
        return false;
    int64_t v;
    if (e->value.t)
        toml_as_int(e->value.t, &v);
    else
        v = (int64_t)json_integer_value(e->value.j);
    if (v < 0)
        return fail(r, e->line, "'%s' in %s must not be negative", field, where);
    *out = (uint64_t)v;
    return true;
}

static bool get_bool(Reader *r, const NodeEntry *e, const char *where, bool *has, bool *out)
{
    *has = false;
    if (!e)
        return true;
    if (!want(r, e, N_BOOL, where))
        return false;
    if (e->value.t)
        toml_as_bool(e->value.t, out);
    else
        *out = json_is_true(e->value.j);
    *has = true;
    return true;
}

static bool get_strings(Reader *r, const NodeEntry *e, const char *where, InvStrings *out)
{
    memset(out, 0, sizeof *out);
    if (!e)
        return true;
    if (!want(r, e, N_ARRAY, where))
        return false;
    size_t n = node_len(e->value);
    out->items = arena_alloc(&r->inv->arena, (n ? n : 1) * sizeof *out->items);
    if (!out->items) {
        r->nomem = true;
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        NodeEntry item = {e->key, e->key_len, node_at(e->value, i), e->line};
        if (!get_string(r, &item, e->key, where, false, e->line, &out->items[i]))
            return false;
    }
    out->n = n;
    out->present = true;
    return true;
}

static int pair_cmp(const void *a, const void *b)
{
    return strcmp(((const InvPair *)a)->key, ((const InvPair *)b)->key);
}

/* A map of string to string, kept in key order (Bindle's BTreeMap). */
static bool get_map(Reader *r, const NodeEntry *e, const char *where, InvMap *out)
{
    memset(out, 0, sizeof *out);
    if (!e)
        return true;
    if (!want(r, e, N_TABLE, where))
        return false;
    size_t n;
    NodeEntry *items = node_entries(r, e->value, &n);
    if (!items)
        return false;
    out->items = arena_alloc(&r->inv->arena, (n ? n : 1) * sizeof *out->items);
    if (!out->items) {
        r->nomem = true;
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (memchr(items[i].key, '\0', items[i].key_len))
            return fail(r, items[i].line, "a key in %s must not contain a NUL character", where);
        out->items[i].key = copy(r, items[i].key, items[i].key_len);
        if (!out->items[i].key ||
            !get_string(r, &items[i], out->items[i].key, where, false, 0, &out->items[i].value))
            return false;
    }
    qsort(out->items, n, sizeof *out->items, pair_cmp);
    out->n = n;
    out->present = true;
    return true;
}

/* An array of tables (TOML's [[x]], JSON's array of objects): *out_n elements of size each,
 * read by one(). */
typedef bool (*ReadOne)(Reader *r, Node table, uint32_t line, void *out);

static bool get_tables(Reader *r, const NodeEntry *e, const char *where, size_t size, ReadOne one,
                       void **out, size_t *out_n, bool *present)
{
    *out = NULL;
    *out_n = 0;
    *present = false;
    if (!e)
        return true;
    if (!want(r, e, N_ARRAY, "the invoice"))
        return false;
    size_t n = node_len(e->value);
    char *items = arena_zalloc(&r->inv->arena, (n ? n : 1) * size);
    if (!items) {
        r->nomem = true;
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        Node t = node_at(e->value, i);
        if (node_kind(t) != N_TABLE)
            return fail(r, e->line, "each '%s' must be a table (%s)", e->key, where);
        uint32_t line = t.t ? toml_line(t.t) : 0;
        if (!one(r, t, line, items + i * size))
            return false;
    }
    *out = items;
    *out_n = n;
    *present = true;
    return true;
}

/* ---- the schema ---- */

/* Declares one table's schema: its fields f_ (names in order) and e_, the entry found for
 * each (filled by match_fields). */
#define FIELD_TABLE(where, ...)                                                                    \
    static const char *const names_[] = {__VA_ARGS__};                                             \
    static const Fields f_ = {where, names_, sizeof names_ / sizeof names_[0]};                    \
    const NodeEntry *e_[sizeof names_ / sizeof names_[0]]

static bool read_feature(Reader *r, const NodeEntry *e, InvLabel *l)
{
    const char *where = "a label's feature table";
    if (!e)
        return true;
    if (!want(r, e, N_TABLE, where))
        return false;
    size_t n;
    NodeEntry *sections = node_entries(r, e->value, &n);
    if (!sections)
        return false;
    l->features = arena_zalloc(&r->inv->arena, (n ? n : 1) * sizeof *l->features);
    if (!l->features) {
        r->nomem = true;
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        InvFeature *f = &l->features[i];
        if (memchr(sections[i].key, '\0', sections[i].key_len))
            return fail(r, sections[i].line, "a key in %s must not contain a NUL character", where);
        if (!(f->section = copy(r, sections[i].key, sections[i].key_len)) ||
            !get_map(r, &sections[i], where, &f->map))
            return false;
    }
    for (size_t i = 1; i < n; i++) /* sorted by section, insertion sort (few sections) */
        for (size_t k = i; k > 0 && strcmp(l->features[k - 1].section, l->features[k].section) > 0;
             k--) {
            InvFeature t = l->features[k];
            l->features[k] = l->features[k - 1];
            l->features[k - 1] = t;
        }
    l->nfeatures = n;
    l->has_feature = true;
    return true;
}

static bool read_label(Reader *r, Node table, uint32_t line, InvLabel *l)
{
    const char *w = "a parcel's label";
    FIELD_TABLE("a parcel's label", "sha256", "mediaType", "name", "size", "annotations", "feature",
                "origin");
    if (!match_fields(r, table, &f_, e_))
        return false;
    if (!get_string(r, e_[0], "sha256", w, false, line, &l->sha256) ||
        !get_string(r, e_[1], "mediaType", w, true, line, &l->media_type) ||
        !get_string(r, e_[2], "name", w, false, line, &l->name) ||
        !get_u64(r, e_[3], "size", w, line, &l->size) ||
        !get_map(r, e_[4], "a label's annotations", &l->annotations) ||
        !read_feature(r, e_[5], l) || !get_string(r, e_[6], "origin", w, true, line, &l->origin))
        return false;
    if (!l->media_type && !(l->media_type = copy(r, "application/octet-stream", 24)))
        return false;
    if (!bindle_sha_ok(l->sha256, strlen(l->sha256)))
        return fail(r, e_[0]->line, "label sha256 '%.80s' is not 64 lower-case hex digits",
                    l->sha256);
    const char *why = bindle_parcel_name_check(l->name, strlen(l->name));
    if (why)
        return fail(r, e_[2]->line, "%s: '%.80s'", why, l->name);
    return true;
}

static bool read_parcel(Reader *r, Node table, uint32_t line, void *out)
{
    InvParcel *p = out;
    FIELD_TABLE("a parcel", "label", "conditions");
    if (!match_fields(r, table, &f_, e_))
        return false;
    if (!e_[0])
        return missing(r, "label", "a parcel", line);
    if (!want(r, e_[0], N_TABLE, "a parcel") ||
        !read_label(r, e_[0]->value, e_[0]->line ? e_[0]->line : line, &p->label))
        return false;
    if (!e_[1])
        return true;
    if (!want(r, e_[1], N_TABLE, "a parcel"))
        return false;
    p->has_conditions = true;
    Node cond = e_[1]->value;
    const char *const cnames[] = {"memberOf", "requires"};
    const Fields cf = {"a parcel's conditions", cnames, 2};
    const NodeEntry *ce[2];
    return match_fields(r, cond, &cf, ce) &&
           get_strings(r, ce[0], "a parcel's conditions", &p->member_of) &&
           get_strings(r, ce[1], "a parcel's conditions", &p->requires);
}

static bool read_group(Reader *r, Node table, uint32_t line, void *out)
{
    InvGroup *g = out;
    const char *w = "a group";
    FIELD_TABLE("a group", "name", "required", "satisfiedBy");
    if (!match_fields(r, table, &f_, e_))
        return false;
    if (!get_string(r, e_[0], "name", w, false, line, &g->name) ||
        !get_bool(r, e_[1], w, &g->has_required, &g->required) ||
        !get_string(r, e_[2], "satisfiedBy", w, true, line, &g->satisfied_by))
        return false;
    const char *s = g->satisfied_by;
    if (s && strcmp(s, "allOf") && strcmp(s, "oneOf") && strcmp(s, "optional"))
        return fail(r, e_[2]->line,
                    "unknown variant '%.40s' of satisfiedBy, expected one of "
                    "'allOf', 'oneOf', 'optional'",
                    s);
    return true;
}

static bool read_signature(Reader *r, Node table, uint32_t line, void *out)
{
    InvSignature *s = out;
    const char *w = "a signature";
    FIELD_TABLE("a signature", "by", "signature", "key", "role", "at");
    if (!match_fields(r, table, &f_, e_))
        return false;
    if (!get_string(r, e_[0], "by", w, false, line, &s->by) ||
        !get_string(r, e_[1], "signature", w, false, line, &s->signature) ||
        !get_string(r, e_[2], "key", w, false, line, &s->key) ||
        !get_string(r, e_[3], "role", w, false, line, &s->role) ||
        !get_u64(r, e_[4], "at", w, line, &s->at))
        return false;
    if (strcmp(s->role, "creator") && strcmp(s->role, "approver") && strcmp(s->role, "host") &&
        strcmp(s->role, "proxy"))
        return fail(r, e_[3]->line,
                    "unknown variant '%.40s' of role, expected one of "
                    "'creator', 'approver', 'host', 'proxy'",
                    s->role);
    return true;
}

static bool read_bindle(Reader *r, const NodeEntry *e)
{
    Invoice *inv = r->inv;
    const char *w = "[bindle]";
    if (!e)
        return missing(r, "bindle", "the invoice", 0);
    if (!want(r, e, N_TABLE, "the invoice"))
        return false;
    Node table = e->value;
    uint32_t line = e->line;
    FIELD_TABLE("[bindle]", "name", "version", "description", "authors");
    if (!match_fields(r, table, &f_, e_))
        return false;
    if (!get_string(r, e_[0], "name", w, false, line, &inv->name) ||
        !get_string(r, e_[1], "version", w, false, line, &inv->version) ||
        !get_string(r, e_[2], "description", w, true, line, &inv->description) ||
        !get_strings(r, e_[3], w, &inv->authors))
        return false;
    const char *why = bindle_name_check(inv->name, strlen(inv->name));
    if (why)
        return fail(r, e_[0]->line, "%s: '%.80s'", why, inv->name);
    if (!semver_parse(inv->version, strlen(inv->version), &inv->semver))
        return fail(r, e_[1]->line, "invalid SemVer version '%.80s'", inv->version);
    return true;
}

static bool read_invoice(Reader *r, Node table)
{
    Invoice *inv = r->inv;
    const char *w = "the invoice";
    FIELD_TABLE("the invoice", "bindleVersion", "yanked", "yankedSignature", "bindle",
                "annotations", "parcel", "group", "signature");
    if (!match_fields(r, table, &f_, e_))
        return false;
    return get_string(r, e_[0], "bindleVersion", w, false, 0, &inv->bindle_version) &&
           get_bool(r, e_[1], w, &inv->has_yanked, &inv->yanked) &&
           get_tables(r, e_[2], "yankedSignature", sizeof(InvSignature), read_signature,
                      (void **)&inv->yanked_signatures.items, &inv->yanked_signatures.n,
                      &inv->yanked_signatures.present) &&
           read_bindle(r, e_[3]) &&
           get_map(r, e_[4], "the invoice's annotations", &inv->annotations) &&
           get_tables(r, e_[5], "parcel", sizeof(InvParcel), read_parcel, (void **)&inv->parcels,
                      &inv->nparcels, &inv->has_parcels) &&
           get_tables(r, e_[6], "group", sizeof(InvGroup), read_group, (void **)&inv->groups,
                      &inv->ngroups, &inv->has_groups) &&
           get_tables(r, e_[7], "signature", sizeof(InvSignature), read_signature,
                      (void **)&inv->signatures.items, &inv->signatures.n,
                      &inv->signatures.present);
}

/* ---- entry points ---- */

static Invoice *invoice_new(void)
{
    Invoice *inv = calloc(1, sizeof *inv);
    if (inv)
        arena_init(&inv->arena);
    return inv;
}

void invoice_free(Invoice *inv)
{
    if (!inv)
        return;
    arena_release(&inv->arena);
    free(inv);
}

Invoice *invoice_parse(const char *text, size_t len, InvFormat format, char **out_err)
{
    *out_err = NULL;
    Invoice *inv = invoice_new();
    if (!inv) {
        *out_err = strf("out of memory");
        return NULL;
    }
    Reader r = {inv, NULL, false};
    TomlValue *root = NULL;
    json_t *jroot = NULL;
    bool ok = false;
    if (format == INV_TOML) {
        TomlError terr;
        TomlStatus st = toml_parse(text, len, &root, &terr);
        if (st == TOML_ERR_NOMEM)
            r.nomem = true;
        else if (st != TOML_OK)
            fail(&r, 0, "invalid TOML at line %u, column %u: %s", (unsigned)terr.line,
                 (unsigned)terr.column, terr.message);
        else
            ok = read_invoice(&r, (Node){root, NULL});
    } else {
        json_error_t jerr;
        jroot = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!jroot)
            fail(&r, 0, "invalid JSON at line %d, column %d: %s", jerr.line, jerr.column,
                 jerr.text);
        else if (!json_is_object(jroot))
            fail(&r, 0, "an invoice must be a JSON object");
        else
            ok = read_invoice(&r, (Node){NULL, jroot});
    }
    toml_free(root);
    json_decref(jroot);
    if (ok && !r.nomem)
        return inv;
    *out_err = r.err ? r.err : strf("out of memory");
    if (r.err && r.nomem) {
        free(r.err);
        *out_err = strf("out of memory");
    }
    invoice_free(inv);
    return NULL;
}

Invoice *invoice_from_toml(const TomlValue *table, char **out_err)
{
    *out_err = NULL;
    Invoice *inv = invoice_new();
    if (!inv) {
        *out_err = strf("out of memory");
        return NULL;
    }
    Reader r = {inv, NULL, false};
    bool ok = toml_kind(table) == TOML_TABLE ? read_invoice(&r, (Node){table, NULL})
                                             : fail(&r, 0, "an invoice must be a table");
    if (ok && !r.nomem)
        return inv;
    *out_err = r.err && !r.nomem ? r.err : (free(r.err), strf("out of memory"));
    invoice_free(inv);
    return NULL;
}

const InvParcel *invoice_find_parcel(const Invoice *inv, const char *sha)
{
    for (size_t i = 0; i < inv->nparcels; i++)
        if (strcmp(inv->parcels[i].label.sha256, sha) == 0)
            return &inv->parcels[i];
    return NULL;
}

static char *arena_dup(Arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = arena_alloc(a, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

bool invoice_add_signature(Invoice *inv, const InvSignature *sig)
{
    InvSignatures *s = &inv->signatures;
    InvSignature *items = arena_alloc(&inv->arena, (s->n + 1) * sizeof *items);
    if (!items)
        return false;
    if (s->n)
        memcpy(items, s->items, s->n * sizeof *items);
    InvSignature *d = &items[s->n];
    d->at = sig->at;
    if (!(d->by = arena_dup(&inv->arena, sig->by)) ||
        !(d->signature = arena_dup(&inv->arena, sig->signature)) ||
        !(d->key = arena_dup(&inv->arena, sig->key)) ||
        !(d->role = arena_dup(&inv->arena, sig->role)))
        return false;
    s->items = items;
    s->n++;
    s->present = true;
    return true;
}

char *invoice_id(const Invoice *inv)
{
    return strf("%s/%s", inv->name, inv->version);
}
