/* toml_parse.c: the document grammar (expressions, keys, [headers], [[headers]], arrays and
 * inline tables) and TOML 1.0's definition rules, which live in the TF_* flags: a [header]
 * defines a table once; dotted keys extend only tables they made themselves; inline tables
 * are closed; [[x]] appends only to arrays of tables and a [header] path walks into the
 * newest element. Dotted keys are resolved part by part as they are read, so no key path is
 * stored; depth is counted on the way and capped at TOML_MAX_DEPTH. */
#include "util/hash.h"
#include "util/toml_int.h"

#include <stdlib.h>
#include <string.h>

/* One simple key as read: bytes (in the text for a bare key, in the arena for a quoted one),
 * where it is, and where the whole dotted key it belongs to starts (for messages). */
typedef struct KeyPart {
    const char *s;
    size_t len;
    char *decoded;   /* s as an arena string (a quoted key), or NULL (s is in the text) */
    size_t off, end; /* the part's text */
    size_t path_off; /* the dotted key's text starts here */
    TomlPos at;
} KeyPart;

/* The table that key/value lines go into: the root, or the latest [header]'s table. */
typedef struct Section {
    TomlValue *table;
    int depth;
} Section;

static TOML_WARN TomlStatus parse_value(TomlParser *p, int depth, TomlValue **out);

static bool is_bare(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

static bool is_line_end(int c) { return c < 0 || c == '\n' || c == '\r' || c == '#'; }

static const char *const kind_phrases[] = {
    [TOML_STRING] = "a string",
    [TOML_INTEGER] = "an integer",
    [TOML_FLOAT] = "a float",
    [TOML_BOOL] = "a boolean",
    [TOML_DATETIME] = "a datetime",
    [TOML_DATETIME_LOCAL] = "a local datetime",
    [TOML_DATE_LOCAL] = "a local date",
    [TOML_TIME_LOCAL] = "a local time",
    [TOML_ARRAY] = "an array",
    [TOML_TABLE] = "a table",
};

/* What v is, for messages: "an integer", "an inline table", "an array of tables" ... */
static const char *describe_value(const TomlValue *v)
{
    if (v->kind == TOML_TABLE && (v->flags & TF_INLINE))
        return "an inline table";
    if (v->kind == TOML_ARRAY && (v->flags & TF_AOT))
        return "an array of tables";
    return kind_phrases[v->kind];
}

/* The dotted key as written, up to and including part k, quoted for a message. */
static const char *written(const TomlParser *p, const KeyPart *k, char *buf, size_t cap)
{
    return toml_quote_key(p->s + k->path_off, k->end - k->path_off, buf, cap);
}

static TomlStatus check_depth(TomlParser *p, int depth, size_t off)
{
    if (depth <= TOML_MAX_DEPTH)
        return TOML_OK;
    return toml_fail(p, off, "nesting too deep: tables and arrays nest at most %d levels",
                     TOML_MAX_DEPTH);
}

/* A simple key at the cursor, part of the dotted key starting at path_off. */
static TomlStatus parse_key_part(TomlParser *p, size_t path_off, KeyPart *out)
{
    int c = toml_peek(p);
    out->off = p->pos;
    out->path_off = path_off;
    out->at = toml_pos(p, p->pos);
    out->decoded = NULL;
    if (c == '"' || c == '\'') {
        TomlStatus st = toml_scan_string(p, false, &out->decoded, &out->len);
        out->s = out->decoded;
        out->end = p->pos;
        return st;
    }
    while (is_bare(toml_peek(p)))
        p->pos++;
    out->s = p->s + out->off;
    out->len = p->pos - out->off;
    out->end = p->pos;
    if (out->len > 0)
        return TOML_OK;
    char d[24];
    return toml_fail(p, p->pos, "expected a key, found %s", toml_describe(p, p->pos, d, sizeof d));
}

/* Consumes a dot after a key part, with the whitespace around it; false when none. */
static bool take_dot(TomlParser *p)
{
    toml_skip_ws(p);
    if (toml_peek(p) != '.')
        return false;
    p->pos++;
    toml_skip_ws(p);
    return true;
}

/* Adds a new table or array under key k of t. */
static TomlStatus add_child(TomlParser *p, TomlValue *t, const KeyPart *k, TomlValue *child)
{
    char *key = k->decoded ? k->decoded : toml_strdup(p, k->s, k->len);
    if (!key)
        return toml_nomem(p);
    return toml_insert(p, t, key, k->len, k->at, child);
}

static TomlStatus new_child(TomlParser *p, TomlValue *t, const KeyPart *k, TomlKind kind,
                            uint8_t flags, TomlValue **out)
{
    *out = toml_new(p, kind, k->at);
    if (!*out)
        return toml_nomem(p);
    (*out)->flags = flags;
    return add_child(p, t, k, *out);
}

/* Why a dotted key may not go through the existing entry e. */
static TomlStatus fail_dotted(TomlParser *p, const KeyPart *k, const TomlEntry *e)
{
    char q[64];
    written(p, k, q, sizeof q);
    const TomlValue *v = e->value;
    if (v->kind == TOML_TABLE && (v->flags & TF_INLINE))
        return toml_fail(p, k->off, "cannot add keys to inline table '%s' (line %u)", q, e->line);
    if (v->kind == TOML_TABLE)
        return toml_fail(p, k->off,
                         "cannot add keys to table '%s' with a dotted key: a [header] made it "
                         "(line %u)",
                         q, e->line);
    return toml_fail(p, k->off, "key '%s' is already defined as %s (line %u), not a table", q,
                     describe_value(v), e->line);
}

/* One step of a dotted key a.b.c = ...: into (or creating) the table for k. */
static TomlStatus dotted_step(TomlParser *p, TomlValue **t, const KeyPart *k, int depth)
{
    TomlEntry *e = toml_find(*t, k->s, k->len);
    if (!e) {
        TomlStatus st = check_depth(p, depth, k->off);
        return st != TOML_OK ? st : new_child(p, *t, k, TOML_TABLE, TF_DOTTED, t);
    }
    TomlValue *v = e->value;
    if (v->kind != TOML_TABLE || !(v->flags & TF_DOTTED) || (v->flags & TF_INLINE))
        return fail_dotted(p, k, e);
    *t = v;
    return TOML_OK;
}

static TomlStatus fail_duplicate(TomlParser *p, const KeyPart *k, const TomlEntry *e)
{
    char q[64];
    return toml_fail(p, k->off, "duplicate key '%s' (first defined on line %u)",
                     written(p, k, q, sizeof q), e->line);
}

/* key = value, into table t at depth (t's own). */
static TomlStatus parse_keyval(TomlParser *p, TomlValue *t, int depth)
{
    KeyPart k;
    TomlStatus st;
    size_t path_off = p->pos;
    for (;;) {
        st = parse_key_part(p, path_off, &k);
        if (st != TOML_OK || !take_dot(p))
            break;
        st = dotted_step(p, &t, &k, ++depth);
        if (st != TOML_OK)
            return st;
    }
    if (st != TOML_OK)
        return st;
    char d[24];
    if (toml_peek(p) != '=')
        return toml_fail(p, p->pos, "expected '=' after key, found %s",
                         toml_describe(p, p->pos, d, sizeof d));
    const TomlEntry *e = toml_find(t, k.s, k.len);
    if (e)
        return fail_duplicate(p, &k, e);
    p->pos++;
    toml_skip_ws(p);
    TomlValue *v;
    st = parse_value(p, depth + 1, &v);
    return st != TOML_OK ? st : add_child(p, t, &k, v);
}

/* Why a [header] path may not go through the existing entry e. */
static TomlStatus fail_header_path(TomlParser *p, const KeyPart *k, const TomlEntry *e)
{
    char q[64];
    written(p, k, q, sizeof q);
    const TomlValue *v = e->value;
    if (v->kind == TOML_TABLE)
        return toml_fail(p, k->off, "cannot extend inline table '%s' (line %u) with a [header]",
                         q, e->line);
    if (v->kind == TOML_ARRAY)
        return toml_fail(p, k->off,
                         "cannot extend array '%s' (line %u) with a [header]: only arrays of "
                         "tables can be",
                         q, e->line);
    return toml_fail(p, k->off, "key '%s' is already defined as %s (line %u), not a table", q,
                     describe_value(v), e->line);
}

/* One step of a [header] path: into (or creating) the table for k; through an array of
 * tables, into its newest element. */
static TomlStatus header_step(TomlParser *p, TomlValue **t, const KeyPart *k, int *depth)
{
    TomlEntry *e = toml_find(*t, k->s, k->len);
    if (!e) {
        TomlStatus st = check_depth(p, ++*depth, k->off);
        return st != TOML_OK ? st : new_child(p, *t, k, TOML_TABLE, TF_IMPLICIT, t);
    }
    TomlValue *v = e->value;
    if (v->kind == TOML_TABLE && !(v->flags & TF_INLINE)) {
        *t = v;
        ++*depth;
        return TOML_OK;
    }
    if (v->kind != TOML_ARRAY || !(v->flags & TF_AOT))
        return fail_header_path(p, k, e);
    *t = v->u.arr.items[v->u.arr.len - 1]; /* [[x]] made it, so it has an element */
    *depth += 2;
    return TOML_OK;
}

/* The last key of [a.b.c]: defines the table, unless something defined it before. */
static TomlStatus define_table(TomlParser *p, TomlValue *t, const KeyPart *k, TomlPos hdr,
                               Section *sec)
{
    TomlEntry *e = toml_find(t, k->s, k->len);
    sec->depth++;
    if (!e) {
        TomlStatus st = check_depth(p, sec->depth, k->off);
        if (st == TOML_OK)
            st = new_child(p, t, k, TOML_TABLE, TF_DEFINED, &sec->table);
        if (st == TOML_OK) {
            sec->table->line = hdr.line;
            sec->table->column = hdr.column;
        }
        return st;
    }
    TomlValue *v = e->value;
    char q[64];
    written(p, k, q, sizeof q);
    if (v->kind != TOML_TABLE || (v->flags & TF_INLINE))
        return toml_fail(p, k->off, "key '%s' is already defined as %s (line %u)", q,
                         describe_value(v), e->line);
    if (!(v->flags & TF_IMPLICIT))
        return toml_fail(p, k->off, "table '%s' is already defined (line %u)", q, e->line);
    v->flags = TF_DEFINED; /* made on the way to a sub-table; this is its definition */
    v->line = hdr.line;
    v->column = hdr.column;
    e->line = k->at.line;
    e->column = k->at.column;
    sec->table = v;
    return TOML_OK;
}

/* The last key of [[a.b.c]]: appends a table to the array of tables, making it if needed. */
static TomlStatus append_table(TomlParser *p, TomlValue *t, const KeyPart *k, TomlPos hdr,
                               Section *sec)
{
    TomlEntry *e = toml_find(t, k->s, k->len);
    TomlValue *arr = e ? e->value : NULL;
    TomlStatus st = check_depth(p, sec->depth += 2, k->off);
    if (st == TOML_OK && !arr)
        st = new_child(p, t, k, TOML_ARRAY, TF_AOT, &arr);
    if (st != TOML_OK)
        return st;
    if (arr->kind != TOML_ARRAY || !(arr->flags & TF_AOT)) {
        char q[64];
        return toml_fail(p, k->off,
                         "cannot make '%s' an array of tables: it is already defined as %s "
                         "(line %u)",
                         written(p, k, q, sizeof q), describe_value(arr), e->line);
    }
    sec->table = toml_new(p, TOML_TABLE, hdr);
    if (!sec->table)
        return toml_nomem(p);
    sec->table->flags = TF_DEFINED;
    return toml_push(p, arr, sec->table);
}

/* The closing ] or ]] of a header. */
static TomlStatus close_header(TomlParser *p, bool aot)
{
    if (toml_peek(p) == ']' && (!aot || toml_peek_at(p, 1) == ']')) {
        p->pos += aot ? 2 : 1;
        return TOML_OK;
    }
    char d[24];
    return toml_fail(p, p->pos, "expected '%s' to close the table header, found %s",
                     aot ? "]]" : "]", toml_describe(p, p->pos, d, sizeof d));
}

/* [a.b.c] or [[a.b.c]]: makes its table the section. */
static TomlStatus parse_header(TomlParser *p, TomlValue *root, Section *sec)
{
    TomlPos hdr = toml_pos(p, p->pos);
    bool aot = toml_peek_at(p, 1) == '[';
    p->pos += aot ? 2 : 1;
    toml_skip_ws(p);
    TomlValue *t = root;
    sec->depth = 0;
    KeyPart k;
    TomlStatus st;
    size_t path_off = p->pos;
    for (;;) {
        st = parse_key_part(p, path_off, &k);
        if (st != TOML_OK || !take_dot(p))
            break;
        st = header_step(p, &t, &k, &sec->depth);
        if (st != TOML_OK)
            return st;
    }
    if (st == TOML_OK)
        st = close_header(p, aot);
    if (st != TOML_OK)
        return st;
    return aot ? append_table(p, t, &k, hdr, sec) : define_table(p, t, &k, hdr, sec);
}

static TomlStatus fail_unclosed(TomlParser *p, size_t open, const char *what)
{
    return toml_fail(p, open, "unterminated %s", what);
}

/* After '[': items separated by commas; newlines and comments may come between them. */
static TomlStatus parse_array(TomlParser *p, int depth, TomlValue *arr)
{
    size_t open = p->pos++;
    for (;;) {
        TomlStatus st = toml_skip_blank(p);
        if (st != TOML_OK)
            return st;
        if (toml_peek(p) == ']')
            break;
        if (toml_peek(p) < 0)
            return fail_unclosed(p, open, "array");
        TomlValue *v;
        st = parse_value(p, depth + 1, &v);
        if (st == TOML_OK)
            st = toml_push(p, arr, v);
        if (st == TOML_OK)
            st = toml_skip_blank(p);
        if (st != TOML_OK)
            return st;
        int c = toml_peek(p);
        if (c == ']')
            break;
        if (c < 0)
            return fail_unclosed(p, open, "array");
        char d[24];
        if (c != ',')
            return toml_fail(p, p->pos, "expected ',' or ']' after an array item, found %s",
                             toml_describe(p, p->pos, d, sizeof d));
        p->pos++;
    }
    p->pos++;
    return TOML_OK;
}

/* What may follow an inline table's '{' or ',' (a key) was not there. */
static TomlStatus fail_inline_key(TomlParser *p, size_t open)
{
    int c = toml_peek(p);
    if (c < 0)
        return fail_unclosed(p, open, "inline table");
    if (is_line_end(c))
        return toml_fail(p, p->pos, "an inline table must be on one line (TOML 1.0)");
    if (c == '}')
        return toml_fail(p, p->pos, "trailing comma in inline table (not allowed in TOML 1.0)");
    return TOML_OK;
}

/* After '{': key/value pairs separated by commas, all on one line; then closed for good. */
static TomlStatus parse_inline(TomlParser *p, int depth, TomlValue *t)
{
    size_t open = p->pos++;
    toml_skip_ws(p);
    bool empty = toml_peek(p) == '}';
    while (!empty) {
        TomlStatus st = fail_inline_key(p, open);
        if (st == TOML_OK)
            st = parse_keyval(p, t, depth);
        if (st != TOML_OK)
            return st;
        toml_skip_ws(p);
        int c = toml_peek(p);
        if (c == '}')
            break;
        char d[24];
        if (c != ',' && is_line_end(c))
            return fail_inline_key(p, open);
        if (c != ',')
            return toml_fail(p, p->pos, "expected ',' or '}' in inline table, found %s",
                             toml_describe(p, p->pos, d, sizeof d));
        p->pos++;
        toml_skip_ws(p);
    }
    p->pos++;
    t->flags = TF_INLINE;
    return TOML_OK;
}

static TomlStatus scan_bool(TomlParser *p, TomlValue *v)
{
    const char *word = toml_peek(p) == 't' ? "true" : "false";
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return toml_fail(p, p->pos, "invalid value: expected %s", word);
    p->pos += n;
    v->kind = TOML_BOOL;
    v->u.b = word[0] == 't';
    return TOML_OK;
}

static TomlStatus fail_no_value(TomlParser *p)
{
    char d[24];
    int c = toml_peek(p);
    bool word = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    return toml_fail(p, p->pos, "expected a value, found %s%s",
                     toml_describe(p, p->pos, d, sizeof d),
                     word ? " (strings must be quoted)" : "");
}

/* A scalar at the cursor into v. */
static TomlStatus scan_scalar(TomlParser *p, TomlValue *v)
{
    int c = toml_peek(p);
    if (c == '"' || c == '\'') {
        v->kind = TOML_STRING;
        return toml_scan_string(p, true, &v->u.str.s, &v->u.str.len);
    }
    if (c == 't' || c == 'f')
        return scan_bool(p, v);
    if (toml_looks_like_datetime(p))
        return toml_scan_datetime(p, v);
    if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'i' || c == 'n')
        return toml_scan_number(p, v);
    return fail_no_value(p);
}

/* Any value at the cursor; depth is the level it will have in the tree. */
static TomlStatus parse_value(TomlParser *p, int depth, TomlValue **out)
{
    int c = toml_peek(p);
    bool container = c == '[' || c == '{';
    TomlStatus st = container ? check_depth(p, depth, p->pos) : TOML_OK;
    if (st != TOML_OK)
        return st;
    TomlKind kind = c == '[' ? TOML_ARRAY : c == '{' ? TOML_TABLE : TOML_BOOL;
    TomlValue *v = toml_new(p, kind, toml_pos(p, p->pos));
    if (!v)
        return toml_nomem(p);
    *out = v;
    if (c == '[')
        return parse_array(p, depth, v);
    if (c == '{')
        return parse_inline(p, depth, v);
    return scan_scalar(p, v);
}

static TomlStatus parse_document(TomlParser *p, TomlValue *root)
{
    Section sec = {root, 0};
    for (;;) {
        toml_skip_ws(p);
        int c = toml_peek(p);
        if (c < 0)
            return TOML_OK;
        TomlStatus st = TOML_OK;
        const char *what = "a comment";
        if (c == '[') {
            st = parse_header(p, root, &sec);
            what = "a table header";
        } else if (!is_line_end(c)) {
            st = parse_keyval(p, sec.table, sec.depth);
            what = "a key/value pair";
        }
        if (st == TOML_OK)
            st = toml_end_line(p, what);
        if (st != TOML_OK)
            return st;
    }
}

/* A UTF-8 byte order mark is skipped; the rest must be well-formed UTF-8. */
static TomlStatus parse_text(TomlParser *p, TomlValue *root)
{
    if (p->len >= 3 && memcmp(p->s, "\xEF\xBB\xBF", 3) == 0)
        p->pos = p->origin = 3;
    size_t bad = p->pos + toml_utf8_check((const unsigned char *)p->s + p->pos, p->len - p->pos);
    if (bad < p->len)
        return toml_fail(p, bad, "invalid UTF-8 (byte 0x%02X)", (unsigned char)p->s[bad]);
    return parse_document(p, root);
}

TomlStatus toml_parse(const char *text, size_t len, TomlValue **out_root, TomlError *out_err)
{
    memset(out_err, 0, sizeof *out_err);
    *out_root = NULL;
    TomlDoc *doc = calloc(1, sizeof *doc);
    if (!doc) {
        strcpy(out_err->message, "out of memory");
        return TOML_ERR_NOMEM;
    }
    arena_init(&doc->arena);
    TomlParser p = {.s = text ? text : "", .len = text ? len : 0, .arena = &doc->arena,
                    .err = out_err, .seed = hash_seed(doc)};
    TomlValue *root = &doc->root;
    root->kind = TOML_TABLE;
    root->flags = TF_DEFINED;
    root->line = root->column = 1;
    root->u.tab.seed = p.seed;
    TomlStatus st = parse_text(&p, root);
    free(p.buf);
    if (st != TOML_OK) {
        toml_free(root);
        return st;
    }
    *out_root = root;
    return TOML_OK;
}
