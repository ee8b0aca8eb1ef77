/* doc_out.c: invoices and labels as jansson trees, and those trees as TOML (doc_out.h);
 * invoice_write (invoice.h) is here too: an invoice goes out through its tree. */
#include "store/doc_out.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building ---- */

/* Sets key to v (stolen) in obj; false when v is NULL or memory is short. */
static bool put(json_t *obj, const char *key, json_t *v)
{
    return v && json_object_set_new(obj, key, v) == 0;
}

static bool put_str(json_t *obj, const char *key, const char *s)
{
    return !s || put(obj, key, json_string(s));
}

static json_t *strings(const InvStrings *s)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < s->n; i++)
        if (json_array_append_new(a, json_string(s->items[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *map(const InvMap *m)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < m->n; i++)
        if (!put(o, m->items[i].key, json_string(m->items[i].value))) {
            json_decref(o);
            return NULL;
        }
    return o;
}

json_t *doc_label(const InvLabel *l)
{
    json_t *o = json_object();
    bool ok = o && put_str(o, "sha256", l->sha256) && put_str(o, "mediaType", l->media_type) &&
              put_str(o, "name", l->name) && put(o, "size", json_integer((json_int_t)l->size)) &&
              (!l->annotations.present || put(o, "annotations", map(&l->annotations)));
    if (ok && l->has_feature) {
        json_t *f = json_object();
        ok = put(o, "feature", f);
        for (size_t i = 0; ok && i < l->nfeatures; i++)
            ok = put(f, l->features[i].section, map(&l->features[i].map));
    }
    ok = ok && put_str(o, "origin", l->origin);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *parcel(const InvParcel *p)
{
    json_t *o = json_object();
    bool ok = o && put(o, "label", doc_label(&p->label));
    if (ok && p->has_conditions) {
        json_t *c = json_object();
        ok = put(o, "conditions", c) &&
             (!p->member_of.present || put(c, "memberOf", strings(&p->member_of))) &&
             (!p->requires.present || put(c, "requires", strings(&p->requires)));
    }
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *group(const InvGroup *g)
{
    json_t *o = json_object();
    if (!o || !put_str(o, "name", g->name) ||
        (g->has_required && !put(o, "required", json_boolean(g->required))) ||
        !put_str(o, "satisfiedBy", g->satisfied_by)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *signature(const InvSignature *s)
{
    json_t *o = json_object();
    if (!o || !put_str(o, "by", s->by) || !put_str(o, "signature", s->signature) ||
        !put_str(o, "key", s->key) || !put_str(o, "role", s->role) ||
        !put(o, "at", json_integer((json_int_t)s->at))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *signatures(const InvSignatures *s)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < s->n; i++)
        if (json_array_append_new(a, signature(&s->items[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

json_t *doc_invoice(const Invoice *inv)
{
    json_t *o = json_object(), *b = json_object();
    bool ok = o && b && put_str(o, "bindleVersion", inv->bindle_version) &&
              (!inv->has_yanked || put(o, "yanked", json_boolean(inv->yanked))) &&
              (!inv->yanked_signatures.present ||
               put(o, "yankedSignature", signatures(&inv->yanked_signatures)));
    if (ok) {
        ok = put(o, "bindle", b);
        b = NULL;
    }
    json_t *bindle = ok ? json_object_get(o, "bindle") : NULL;
    ok = ok && put_str(bindle, "name", inv->name) && put_str(bindle, "version", inv->version) &&
         put_str(bindle, "description", inv->description) &&
         (!inv->authors.present || put(bindle, "authors", strings(&inv->authors))) &&
         (!inv->annotations.present || put(o, "annotations", map(&inv->annotations)));
    if (ok && inv->has_parcels) {
        json_t *a = json_array();
        ok = put(o, "parcel", a);
        for (size_t i = 0; ok && i < inv->nparcels; i++)
            ok = json_array_append_new(a, parcel(&inv->parcels[i])) == 0;
    }
    if (ok && inv->has_groups) {
        json_t *a = json_array();
        ok = put(o, "group", a);
        for (size_t i = 0; ok && i < inv->ngroups; i++)
            ok = json_array_append_new(a, group(&inv->groups[i])) == 0;
    }
    ok = ok && (!inv->signatures.present || put(o, "signature", signatures(&inv->signatures)));
    json_decref(b);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

char *doc_json(const json_t *obj, size_t *out_len)
{
    char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (s)
        *out_len = strlen(s);
    return s;
}

/* ---- TOML ---- */

typedef struct Out {
    char *buf;
    size_t len, cap;
    bool bad; /* memory short or something TOML cannot say */
} Out;

static void put_bytes(Out *o, const char *s, size_t n)
{
    if (o->bad)
        return;
    if (o->cap - o->len < n + 1) {
        size_t cap = o->cap ? o->cap : 1024;
        while (cap - o->len < n + 1)
            cap *= 2;
        char *b = realloc(o->buf, cap);
        if (!b) {
            o->bad = true;
            return;
        }
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void put_s(Out *o, const char *s)
{
    put_bytes(o, s, strlen(s));
}

/* A TOML basic string: quotes, backslash and control characters escaped. */
static void put_quoted(Out *o, const char *s, size_t n)
{
    put_s(o, "\"");
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
            continue;
        put_bytes(o, s + run, i - run);
        run = i + 1;
        char esc[8];
        switch (c) {
        case '"':
            put_s(o, "\\\"");
            break;
        case '\\':
            put_s(o, "\\\\");
            break;
        case '\n':
            put_s(o, "\\n");
            break;
        case '\t':
            put_s(o, "\\t");
            break;
        case '\r':
            put_s(o, "\\r");
            break;
        default:
            snprintf(esc, sizeof esc, "\\u%04X", c);
            put_s(o, esc);
        }
    }
    put_bytes(o, s + run, n - run);
    put_s(o, "\"");
}

/* A key: bare when it is only A-Za-z0-9_- (and not empty), else quoted. */
static void put_key(Out *o, const char *k)
{
    size_t n = strlen(k);
    bool bare = n > 0;
    for (size_t i = 0; bare && i < n; i++) {
        char c = k[i];
        bare = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    }
    if (bare)
        put_bytes(o, k, n);
    else
        put_quoted(o, k, n);
}

static bool is_table_array(const json_t *v)
{
    return json_is_array(v) && json_array_size(v) > 0 && json_is_object(json_array_get(v, 0));
}

static void put_scalar(Out *o, const json_t *v)
{
    char num[32];
    switch (json_typeof(v)) {
    case JSON_STRING:
        put_quoted(o, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        put_s(o, num);
        break;
    case JSON_TRUE:
        put_s(o, "true");
        break;
    case JSON_FALSE:
        put_s(o, "false");
        break;
    case JSON_ARRAY: {
        put_s(o, "[");
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *item = json_array_get(v, i);
            if (json_is_object(item) || json_is_array(item))
                o->bad = true;
            put_s(o, i ? ", " : "");
            put_scalar(o, item);
        }
        put_s(o, "]");
        break;
    }
    default:
        o->bad = true;
    }
}

/* The header path: the parent's path, a dot, this key. */
static void put_path(Out *o, const char *path, const char *key)
{
    if (path[0]) {
        put_s(o, path);
        put_s(o, ".");
    }
    put_key(o, key);
}

static void table_body(Out *o, const json_t *obj, const char *path);

static char *child_path(const char *path, const char *key)
{
    Out p = {0};
    put_path(&p, path, key);
    put_s(&p, "");
    if (p.bad) {
        free(p.buf);
        return NULL;
    }
    return p.buf ? p.buf : calloc(1, 1);
}

/* The key/value lines of obj, then its sub-tables, then its arrays of tables. */
static void table_body(Out *o, const json_t *obj, const char *path)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (json_is_object(v) || is_table_array(v))
            continue;
        put_key(o, key);
        put_s(o, " = ");
        put_scalar(o, v);
        put_s(o, "\n");
    }
    for (int pass = 0; pass < 2 && !o->bad; pass++) {
        json_object_foreach((json_t *)obj, key, v)
        {
            if (pass == 0 ? !json_is_object(v) : !is_table_array(v))
                continue;
            char *p = child_path(path, key);
            if (!p) {
                o->bad = true;
                return;
            }
            size_t n = pass == 0 ? 1 : json_array_size(v);
            for (size_t i = 0; i < n; i++) {
                const json_t *t = pass == 0 ? v : json_array_get(v, i);
                if (!json_is_object(t))
                    o->bad = true;
                put_s(o, pass == 0 ? "\n[" : "\n[[");
                put_s(o, p);
                put_s(o, pass == 0 ? "]\n" : "]]\n");
                table_body(o, t, p);
            }
            free(p);
        }
    }
}

char *doc_toml(const json_t *obj, size_t *out_len)
{
    Out o = {0};
    if (!json_is_object(obj))
        return NULL;
    table_body(&o, obj, "");
    put_s(&o, "");
    if (o.bad) {
        free(o.buf);
        return NULL;
    }
    *out_len = o.len;
    return o.buf;
}

char *invoice_write(const Invoice *inv, InvFormat format, size_t *out_len)
{
    json_t *d = doc_invoice(inv);
    if (!d)
        return NULL;
    char *s = format == INV_TOML ? doc_toml(d, out_len) : doc_json(d, out_len);
    json_decref(d);
    return s;
}
