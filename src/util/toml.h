/* toml.h: Corral's TOML 1.0 parser and the read-only tree it builds. The parser validates the
 * whole document (UTF-8, control characters, every value form, the table definition rules)
 * and reports the first error as a value with a line, a column and a message; it never
 * aborts, recurses at most TOML_MAX_DEPTH levels and indexes big tables by hash. */
#ifndef CORRAL_TOML_H
#define CORRAL_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Tables and arrays nest at most this deep (the root table is level 0). */
#define TOML_MAX_DEPTH 128

typedef enum TomlKind {
    TOML_STRING,
    TOML_INTEGER,
    TOML_FLOAT,
    TOML_BOOL,
    TOML_DATETIME,       /* date, time and offset: 1979-05-27T07:32:00Z */
    TOML_DATETIME_LOCAL, /* date and time: 1979-05-27T07:32:00 */
    TOML_DATE_LOCAL,     /* 1979-05-27 */
    TOML_TIME_LOCAL,     /* 07:32:00.999 */
    TOML_ARRAY,
    TOML_TABLE,
} TomlKind;

typedef enum TomlStatus {
    TOML_OK = 0,
    TOML_ERR_SYNTAX, /* the text is not valid TOML 1.0; the error says where and why */
    TOML_ERR_NOMEM,  /* out of memory */
} TomlStatus;

/* Which parts a datetime has; the kind follows from them. */
enum { TOML_DT_DATE = 1, TOML_DT_TIME = 2, TOML_DT_OFFSET = 4 };

typedef struct TomlDatetime {
    int year, month, day;       /* valid with TOML_DT_DATE: 0000-9999, 1-12, 1-31 */
    int hour, minute, second;   /* valid with TOML_DT_TIME: 0-23, 0-59, 0-60 */
    uint32_t nanosecond;        /* fraction of the second, truncated to 9 digits */
    int frac_digits;            /* digits of fraction written, 0-9 (0: none) */
    int offset_minutes;         /* valid with TOML_DT_OFFSET: -1439..1439 east of UTC */
    unsigned flags;             /* TOML_DT_* */
} TomlDatetime;

/* Longest text toml_datetime_format writes, with its NUL. */
#define TOML_DATETIME_TEXT 40

typedef struct TomlError {
    uint32_t line, column; /* 1-based; the column counts characters, not bytes */
    char message[200];     /* "duplicate key 'a'", "invalid escape '\x'" ... */
} TomlError;

typedef struct TomlValue TomlValue;

/* One key of a table, in the order the document first mentions the keys. */
typedef struct TomlEntry {
    const char *key;       /* UTF-8, NUL-terminated, but may hold NUL (via \u0000) */
    size_t key_len;
    uint32_t line, column; /* where the key is written (a [header]'s for a defined table) */
    TomlValue *value;
} TomlEntry;

/* Parses text[0..len) (need not be NUL-terminated; the tree copies what it keeps). On
 * success *out_root is the root table, owned by the caller (release with toml_free), and
 * *out_err is zeroed; on failure *out_root is NULL and *out_err describes the first error. */
__attribute__((warn_unused_result)) TomlStatus toml_parse(const char *text, size_t len,
                                                          TomlValue **out_root,
                                                          TomlError *out_err);
/* Releases a tree returned by toml_parse (only a root; NULL is allowed). Every pointer into
 * the tree, keys and strings included, dies with it. */
void toml_free(TomlValue *root);

TomlKind toml_kind(const TomlValue *v);
/* "string", "integer", "float", "bool", "datetime", "datetime-local", "date-local",
 * "time-local", "array", "table" (toml-test's names). */
const char *toml_kind_name(TomlKind kind);
/* Where the value starts in the text; for a table made by a [header], the header. */
uint32_t toml_line(const TomlValue *v);
uint32_t toml_column(const TomlValue *v);

/* Tables. Lookup is by exact bytes; everything returned is borrowed from the tree. */
size_t toml_table_len(const TomlValue *t); /* 0 when t is not a table */
const TomlEntry *toml_table_entry(const TomlValue *t, size_t i); /* NULL when out of range */
const TomlEntry *toml_table_find(const TomlValue *t, const char *key, size_t key_len);
const TomlValue *toml_table_get(const TomlValue *t, const char *key); /* NUL-terminated key */

/* Arrays (static arrays and arrays of tables alike). */
size_t toml_array_len(const TomlValue *a); /* 0 when a is not an array */
const TomlValue *toml_array_at(const TomlValue *a, size_t i); /* NULL when out of range */

/* Typed getters: true and *out set when v is of that kind, else false and *out untouched. */
bool toml_as_string(const TomlValue *v, const char **out, size_t *out_len);
bool toml_as_int(const TomlValue *v, int64_t *out);
bool toml_as_float(const TomlValue *v, double *out);
bool toml_as_bool(const TomlValue *v, bool *out);
bool toml_as_datetime(const TomlValue *v, TomlDatetime *out); /* any of the four kinds */

/* Writes dt in RFC 3339 form: 1979-05-27T07:32:00.5-07:00, 1979-05-27, 07:32:00 (a zero
 * offset as Z, the fraction with the digits written). Truncates to fit cap (always
 * NUL-terminated when cap > 0) and returns the full length, as snprintf does. */
size_t toml_datetime_format(const TomlDatetime *dt, char *buf, size_t cap);

#endif
