/* toml_int.h: what the toml_*.c files share and nothing outside them sees: the tree's layout,
 * the parser's cursor, and the functions each file offers the others. The text has been
 * checked as UTF-8 before any of these run, so scanners only police ASCII. */
#ifndef CORRAL_TOML_INT_H
#define CORRAL_TOML_INT_H

#include "util/arena.h"
#include "util/toml.h"

#define TOML_WARN __attribute__((warn_unused_result))

/* How a table or array came to be; decides what later lines may do with it. */
enum {
    TF_INLINE = 1,   /* an inline table { }: closed for good */
    TF_DEFINED = 2,  /* defined by a [header] (or [[header]] element): no second [header] */
    TF_IMPLICIT = 4, /* created on the way to a [header]: one later [header] may define it */
    TF_DOTTED = 8,   /* made by a dotted key: more may add to it; a [header] only passes */
    TF_AOT = 16,     /* an array made by [[header]]s (else a static array value) */
};

struct TomlValue {
    uint8_t kind;  /* TomlKind */
    uint8_t flags; /* TF_* for tables and arrays */
    uint32_t line, column;
    union {
        struct {
            char *s; /* NUL-terminated */
            size_t len;
        } str;
        int64_t i;
        double f;
        bool b;
        TomlDatetime dt;
        struct {
            TomlValue **items;
            size_t len, cap;
        } arr;
        struct {
            TomlEntry *entries; /* in insertion order */
            uint32_t *slots;    /* open addressing, entry index + 1 (0 = empty), or NULL */
            size_t len, cap, nslots;
            uint64_t seed;
        } tab;
    } u;
};

/* A line and a column, 1-based (the column counts characters). */
typedef struct TomlPos {
    uint32_t line, column;
} TomlPos;

/* What toml_parse hands out: the root first, so the root's address is the document's. */
typedef struct TomlDoc {
    TomlValue root;
    Arena arena;
} TomlDoc;

typedef struct TomlParser {
    const char *s; /* the text and its length; pos is the cursor */
    size_t len, pos;
    Arena *arena;
    uint64_t seed;
    TomlError *err;
    char *buf; /* scratch for decoding strings and numbers (malloc'd, reused) */
    size_t buf_len, buf_cap;
    size_t at_off; /* position cache: line and column of offset at_off */
    uint32_t at_line, at_col;
    size_t origin; /* where counting starts (after a BOM) */
} TomlParser;

/* toml_scan.c: cursor, errors, positions. */
/* The byte at the cursor (or k bytes past it) as 0..255, or -1 past the end. */
static inline int toml_peek(const TomlParser *p)
{
    return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}
static inline int toml_peek_at(const TomlParser *p, size_t k)
{
    return p->len - p->pos > k ? (unsigned char)p->s[p->pos + k] : -1;
}
/* Records an error at byte offset off (only the first sticks) and returns TOML_ERR_SYNTAX. */
TomlStatus toml_fail(TomlParser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
TomlStatus toml_nomem(TomlParser *p);
/* Line and column (1-based, characters) of byte offset off; cheap for rising offsets, so
 * positions are taken in text order (a backward step recounts from the start). */
void toml_position(TomlParser *p, size_t off, uint32_t *out_line, uint32_t *out_col);
static inline TomlPos toml_pos(TomlParser *p, size_t off)
{
    TomlPos at;
    toml_position(p, off, &at.line, &at.column);
    return at;
}
/* A short description of what is at off, for "found ..." ("'x'", "end of line" ...). */
const char *toml_describe(const TomlParser *p, size_t off, char *buf, size_t cap);
/* A key quoted for a message, control characters escaped, long keys cut. */
const char *toml_quote_key(const char *key, size_t len, char *buf, size_t cap);
/* Offset of the first malformed UTF-8 byte in s[0..n), or n when it is all well-formed. */
size_t toml_utf8_check(const unsigned char *s, size_t n);
void toml_skip_ws(TomlParser *p); /* spaces and tabs */
/* Skips a comment at the cursor if there is one, rejecting control characters. */
TOML_WARN TomlStatus toml_skip_comment(TomlParser *p);
/* Whitespace, comments and newlines (between array items). */
TOML_WARN TomlStatus toml_skip_blank(TomlParser *p);
/* After an expression: whitespace, an optional comment, then a newline or the end. */
TOML_WARN TomlStatus toml_end_line(TomlParser *p, const char *after);
/* Scratch buffer: clear, append. */
static inline void toml_buf_clear(TomlParser *p) { p->buf_len = 0; }
TOML_WARN TomlStatus toml_buf_put(TomlParser *p, const char *s, size_t n);
/* A NUL-terminated arena copy of s[0..n). */
char *toml_strdup(TomlParser *p, const char *s, size_t n);

/* toml_string.c: any of the four string forms at the cursor, decoded into a new arena string.
 * allow_multi is false for keys. */
TOML_WARN TomlStatus toml_scan_string(TomlParser *p, bool allow_multi, char **out_s,
                                      size_t *out_len);

/* toml_number.c: an integer or float at the cursor, into out (kind and value). */
TOML_WARN TomlStatus toml_scan_number(TomlParser *p, TomlValue *out);

/* toml_datetime.c: a date, time or datetime at the cursor. toml_looks_like_datetime tells
 * whether the text at the cursor starts one (YYYY- or HH:). */
bool toml_looks_like_datetime(const TomlParser *p);
TOML_WARN TomlStatus toml_scan_datetime(TomlParser *p, TomlValue *out);

/* toml_tree.c: building the tree. New values are zeroed but for kind and position. */
TomlValue *toml_new(TomlParser *p, TomlKind kind, TomlPos at);
TomlEntry *toml_find(TomlValue *t, const char *key, size_t key_len);
/* Appends key (an arena string, adopted) -> v; the caller has checked it is new. */
TOML_WARN TomlStatus toml_insert(TomlParser *p, TomlValue *t, char *key, size_t key_len,
                                 TomlPos at, TomlValue *v);
TOML_WARN TomlStatus toml_push(TomlParser *p, TomlValue *arr, TomlValue *v);

#endif
