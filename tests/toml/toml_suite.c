/* toml_suite.c: runs the TOML 1.0 cases of toml-test (the list files-toml-1.0.0) against
 * src/util/toml. A valid case must parse to the tree in its .json, compared the way
 * toml-test compares (types exact; integers as int64; floats numerically, any NaN equal to
 * any NaN; datetimes as instants, or as fields when local, after normalising 't', 'z' and ' ');
 * strings bytewise; tables by key set; arrays in order). An invalid case must be rejected with
 * a position and a message. Every prefix of every case must also parse or fail cleanly.
 * Usage: toml_suite [-v] DIR   (-v prints the error message of each invalid case) */
#include "util/toml.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* jansson refuses NUL inside object keys, which valid/key/quoted-unicode.json has. Keys are
 * therefore read with each \u0000 rewritten to this private-use code point and mapped back
 * before the lookup; a file that itself uses the code point is refused, so the map is exact. */
#define NUL_STAND_IN "\xF3\xB0\x80\x80" /* U+F0000 */
#define NUL_STAND_IN_ESC "\\udb80\\udc00"

typedef struct Check {
    char path[1024]; /* the key path being compared, for messages */
    size_t path_len;
    char why[1536]; /* the first mismatch */
} Check;

static bool verbose;

/* A whole file in a buffer of exactly its size plus a NUL (so overreads are caught by ASan
 * once the parser is handed only len bytes). */
static char *read_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = NULL;
    size_t n = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long end = ftell(f);
        if (end >= 0 && fseek(f, 0, SEEK_SET) == 0) {
            n = (size_t)end;
            b = malloc(n + 1);
        }
    }
    if (b && fread(b, 1, n, f) != n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b)
        b[n] = '\0';
    *len = n;
    return b;
}

static bool fail(Check *c, const char *fmt, ...)
{
    int n = snprintf(c->why, sizeof c->why, "at '%s': ", c->path_len ? c->path : "(root)");
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof c->why)
        vsnprintf(c->why + n, sizeof c->why - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static size_t path_push(Check *c, const char *fmt, ...)
{
    size_t saved = c->path_len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->path + saved, sizeof c->path - saved, fmt, ap);
    va_end(ap);
    if (n > 0)
        c->path_len = saved + (size_t)n < sizeof c->path ? saved + (size_t)n : sizeof c->path - 1;
    return saved;
}

static void path_pop(Check *c, size_t saved)
{
    c->path_len = saved;
    c->path[saved] = '\0';
}

/* ---- datetimes, parsed independently of the parser under test ---- */

static bool digits(const char **s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*s)++) {
        if (!isdigit((unsigned char)**s))
            return false;
        v = v * 10 + (**s - '0');
    }
    *out = v;
    return true;
}

static bool lit(const char **s, char ch)
{
    if (**s != ch)
        return false;
    (*s)++;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The time of an RFC 3339 text of a toml-test kind, as seconds and nanoseconds (local kinds
 * as if at UTC, as Go's time.Parse does). Normalises 't', 'z' and ' ' first. */
static bool parse_instant(const char *kind, const char *text, int64_t *secs, int *nanos)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *q = buf; *q; q++)
        *q = *q == ' ' || *q == 't' ? 'T' : *q == 'z' ? 'Z' : *q;
    bool date = strcmp(kind, "time-local") != 0, time = strcmp(kind, "date-local") != 0;
    bool offset = strcmp(kind, "datetime") == 0;
    const char *s = buf;
    int y = 0, mo = 1, d = 1, h = 0, mi = 0, se = 0, ns = 0, off = 0;
    if (date && !(digits(&s, 4, &y) && lit(&s, '-') && digits(&s, 2, &mo) && lit(&s, '-') &&
                  digits(&s, 2, &d)))
        return false;
    if (date && time && !lit(&s, 'T'))
        return false;
    if (time && !(digits(&s, 2, &h) && lit(&s, ':') && digits(&s, 2, &mi) && lit(&s, ':') &&
                  digits(&s, 2, &se)))
        return false;
    if (time && lit(&s, '.')) {
        int n = 0;
        for (; isdigit((unsigned char)*s); s++, n++)
            if (n < 9)
                ns = ns * 10 + (*s - '0');
        if (n == 0)
            return false;
        for (; n < 9; n++)
            ns *= 10;
    }
    if (offset && !lit(&s, 'Z')) {
        int sign = *s == '-' ? -1 : 1, oh, om;
        if (!(lit(&s, sign < 0 ? '-' : '+') && digits(&s, 2, &oh) && lit(&s, ':') &&
              digits(&s, 2, &om)))
            return false;
        off = sign * (oh * 60 + om);
    }
    if (*s != '\0')
        return false;
    *secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off * 60;
    *nanos = ns;
    return true;
}

/* ---- comparison ---- */

static bool cmp_value(Check *c, const json_t *want, const TomlValue *have);

static bool cmp_datetime(Check *c, const char *kind, const char *want, const TomlValue *have)
{
    TomlDatetime dt;
    char text[TOML_DATETIME_TEXT];
    if (!toml_as_datetime(have, &dt))
        return fail(c, "not a datetime");
    size_t n = toml_datetime_format(&dt, text, sizeof text);
    int64_t ws, hs;
    int wn, hn;
    if (!parse_instant(kind, want, &ws, &wn))
        return fail(c, "test bug: cannot read expected %s '%s'", kind, want);
    if (n >= sizeof text || !parse_instant(kind, text, &hs, &hn))
        return fail(c, "toml_datetime_format gave a malformed %s '%s'", kind, text);
    if (ws != hs || wn != hn)
        return fail(c, "expected %s %s, got %s", kind, want, text);
    return true;
}

static bool cmp_float(Check *c, const char *want, const TomlValue *have)
{
    double h;
    if (!toml_as_float(have, &h))
        return fail(c, "not a float");
    size_t n = strlen(want);
    bool want_nan = n >= 3 && strcasecmp(want + n - 3, "nan") == 0;
    if (want_nan || isnan(h))
        return want_nan && isnan(h) ? true : fail(c, "expected float %s, got %g", want, h);
    errno = 0;
    char *end;
    double w = strtod(want, &end);
    if (*end != '\0' || (errno == ERANGE && isinf(w))) /* underflow is fine, as in Go */
        return fail(c, "test bug: cannot read expected float '%s'", want);
    return w == h ? true : fail(c, "expected float %s, got %.17g", want, h);
}

static bool cmp_int(Check *c, const char *want, const TomlValue *have)
{
    int64_t h;
    if (!toml_as_int(have, &h))
        return fail(c, "not an integer");
    errno = 0;
    char *end;
    long long w = strtoll(want, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return fail(c, "test bug: cannot read expected integer '%s'", want);
    return w == h ? true : fail(c, "expected integer %s, got %lld", want, (long long)h);
}

static bool cmp_string(Check *c, const json_t *want, const TomlValue *have)
{
    const char *s;
    size_t n;
    if (!toml_as_string(have, &s, &n))
        return fail(c, "not a string");
    size_t wn = json_string_length(want);
    if (wn != n || memcmp(json_string_value(want), s, n) != 0)
        return fail(c, "expected string \"%s\", got \"%.*s\" (%zu vs %zu bytes)",
                    json_string_value(want), (int)n, s, wn, n);
    return true;
}

/* {"type": T, "value": V} against a scalar. */
static bool cmp_scalar(Check *c, const json_t *want, const TomlValue *have)
{
    const char *type = json_string_value(json_object_get(want, "type"));
    const json_t *value = json_object_get(want, "value");
    const char *v = json_string_value(value);
    if (!type || !v)
        return fail(c, "test bug: malformed tagged value");
    const char *got = toml_kind_name(toml_kind(have));
    if (strcmp(type, got) != 0)
        return fail(c, "expected %s, got %s", type, got);
    switch (toml_kind(have)) {
    case TOML_STRING:
        return cmp_string(c, value, have);
    case TOML_INTEGER:
        return cmp_int(c, v, have);
    case TOML_FLOAT:
        return cmp_float(c, v, have);
    case TOML_BOOL: {
        bool b = false;
        toml_as_bool(have, &b);
        return strcmp(v, b ? "true" : "false") == 0 ? true
                                                    : fail(c, "expected %s, got %d", v, b);
    }
    default:
        return cmp_datetime(c, type, v, have);
    }
}

/* toml-test's rule: an object with exactly "type" and "value" is a value, not a table. */
static bool is_tagged(const json_t *o)
{
    return json_object_size(o) == 2 && json_object_get(o, "type") && json_object_get(o, "value");
}

/* A key from the .json with the NUL stand-in mapped back, into buf (cap >= strlen + 1). */
static size_t unmangle_key(const char *k, size_t n, char *buf)
{
    size_t o = 0, m = sizeof NUL_STAND_IN - 1;
    for (size_t i = 0; i < n;) {
        bool nul = n - i >= m && memcmp(k + i, NUL_STAND_IN, m) == 0;
        buf[o++] = nul ? '\0' : k[i];
        i += nul ? m : 1;
    }
    return o;
}

static bool cmp_table(Check *c, const json_t *want, const TomlValue *have)
{
    if (toml_kind(have) != TOML_TABLE)
        return fail(c, "expected a table, got %s", toml_kind_name(toml_kind(have)));
    if (json_object_size(want) != toml_table_len(have))
        return fail(c, "expected %zu keys, got %zu", json_object_size(want), toml_table_len(have));
    const char *k;
    size_t kn;
    json_t *w;
    json_object_keylen_foreach((json_t *)want, k, kn, w)
    {
        char *key = malloc(kn + 1);
        size_t len = unmangle_key(k, kn, key);
        const TomlEntry *e = toml_table_find(have, key, len);
        size_t saved = path_push(c, c->path_len ? ".%s" : "%s", k);
        bool ok = e ? cmp_value(c, w, e->value) : fail(c, "key missing");
        path_pop(c, saved);
        free(key);
        if (!ok)
            return false;
    }
    return true;
}

static bool cmp_array(Check *c, const json_t *want, const TomlValue *have)
{
    if (toml_kind(have) != TOML_ARRAY)
        return fail(c, "expected an array, got %s", toml_kind_name(toml_kind(have)));
    if (json_array_size(want) != toml_array_len(have))
        return fail(c, "expected %zu items, got %zu", json_array_size(want), toml_array_len(have));
    for (size_t i = 0; i < json_array_size(want); i++) {
        size_t saved = path_push(c, "[%zu]", i);
        bool ok = cmp_value(c, json_array_get(want, i), toml_array_at(have, i));
        path_pop(c, saved);
        if (!ok)
            return false;
    }
    return true;
}

static bool cmp_value(Check *c, const json_t *want, const TomlValue *have)
{
    if (json_is_array(want))
        return cmp_array(c, want, have);
    if (!json_is_object(want))
        return fail(c, "test bug: expected JSON is neither an object nor an array");
    if (!is_tagged(want))
        return cmp_table(c, want, have);
    if (toml_kind(have) == TOML_TABLE || toml_kind(have) == TOML_ARRAY)
        return fail(c, "expected a value, got %s", toml_kind_name(toml_kind(have)));
    return cmp_scalar(c, want, have);
}

/* ---- loading the expected JSON ---- */

/* The JSON text with \u0000 inside object keys replaced by the stand-in's escape. */
static char *mangle_nul_keys(const char *t, size_t n, size_t *out_len)
{
    char *o = malloc(2 * n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (t[i] != '"') {
            o[k++] = t[i++];
            continue;
        }
        size_t j = i + 1; /* the closing quote */
        while (j < n && t[j] != '"')
            j += t[j] == '\\' ? 2 : 1;
        size_t after = j + 1;
        while (after < n && isspace((unsigned char)t[after]))
            after++;
        bool key = j < n && after < n && t[after] == ':';
        size_t end = j < n ? j + 1 : n;
        for (size_t q = i; q < end;) {
            if (key && end - q >= 6 && memcmp(t + q, "\\u0000", 6) == 0) {
                memcpy(o + k, NUL_STAND_IN_ESC, 12);
                k += 12, q += 6;
            } else {
                size_t m = t[q] == '\\' && end - q >= 2 ? 2 : 1;
                memcpy(o + k, t + q, m);
                k += m, q += m;
            }
        }
        i = end;
    }
    o[k] = '\0';
    *out_len = k;
    return o;
}

static json_t *load_expected(const char *path, char *why, size_t why_cap)
{
    size_t n, m;
    char *text = read_bytes(path, &n);
    if (!text) {
        snprintf(why, why_cap, "cannot read the .json");
        return NULL;
    }
    if (memmem(text, n, NUL_STAND_IN, 4) || strcasestr(text, NUL_STAND_IN_ESC)) {
        snprintf(why, why_cap, "the .json uses U+F0000, the driver's stand-in for NUL in keys");
        free(text);
        return NULL;
    }
    char *mangled = mangle_nul_keys(text, n, &m);
    json_error_t err;
    json_t *j = json_loadb(mangled, m, JSON_ALLOW_NUL, &err);
    if (!j)
        snprintf(why, why_cap, "bad JSON on line %d of the .json: %s", err.line, err.text);
    free(mangled);
    free(text);
    return j;
}

/* ---- the cases ---- */

/* Parses every proper prefix of text in an exact-size buffer: each must either parse or
 * fail with a position and a message. Returns false (with why) otherwise. */
static bool check_prefixes(const char *text, size_t len, char *why, size_t why_cap)
{
    for (size_t n = 0; n < len; n++) {
        char *b = malloc(n ? n : 1);
        memcpy(b, text, n);
        TomlValue *root;
        TomlError err;
        TomlStatus st = toml_parse(b, n, &root, &err);
        free(b);
        toml_free(root);
        if ((st == TOML_OK) != (root != NULL) || st == TOML_ERR_NOMEM ||
            (st != TOML_OK && (err.line == 0 || err.column == 0 || err.message[0] == '\0'))) {
            snprintf(why, why_cap, "prefix of %zu bytes: status %d without a proper error", n,
                     (int)st);
            return false;
        }
    }
    return true;
}

/* Parses file (exact-size copy) into *out_root; returns the status. */
static TomlStatus parse_file(const char *path, TomlValue **out_root, TomlError *err,
                             char **out_text, size_t *out_len)
{
    *out_text = read_bytes(path, out_len);
    if (!*out_text) {
        snprintf(err->message, sizeof err->message, "cannot read file");
        *out_root = NULL;
        return TOML_ERR_NOMEM;
    }
    char *exact = malloc(*out_len ? *out_len : 1);
    memcpy(exact, *out_text, *out_len);
    TomlStatus st = toml_parse(exact, *out_len, out_root, err);
    free(exact);
    return st;
}

static bool run_valid(const char *dir, const char *name, char *why, size_t why_cap)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    TomlValue *root;
    TomlError err;
    char *text;
    size_t len;
    TomlStatus st = parse_file(path, &root, &err, &text, &len);
    bool ok = st == TOML_OK;
    if (!ok)
        snprintf(why, why_cap, "rejected: %u:%u: %s", err.line, err.column, err.message);
    snprintf(path + strlen(path) - 5, 6, ".json");
    json_t *want = ok ? load_expected(path, why, why_cap) : NULL;
    Check c = {.path_len = 0};
    if (want && !cmp_value(&c, want, root))
        snprintf(why, why_cap, "%s", c.why);
    ok = ok && want && c.why[0] == '\0';
    ok = ok && check_prefixes(text, len, why, why_cap);
    json_decref(want);
    toml_free(root);
    free(text);
    return ok;
}

static bool run_invalid(const char *dir, const char *name, char *why, size_t why_cap)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    TomlValue *root;
    TomlError err;
    char *text;
    size_t len;
    TomlStatus st = parse_file(path, &root, &err, &text, &len);
    bool ok = st == TOML_ERR_SYNTAX && err.line > 0 && err.column > 0 && err.message[0];
    if (st == TOML_OK)
        snprintf(why, why_cap, "accepted, but it is invalid TOML 1.0");
    else if (!ok)
        snprintf(why, why_cap, "rejected without a proper error (status %d: %u:%u: %s)",
                 (int)st, err.line, err.column, err.message);
    else if (verbose)
        printf("%s:%u:%u: %s\n", name, err.line, err.column, err.message);
    ok = ok && check_prefixes(text, len, why, why_cap);
    toml_free(root);
    free(text);
    return ok;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int main(int argc, char **argv)
{
    int arg = 1;
    if (arg < argc && strcmp(argv[arg], "-v") == 0)
        verbose = true, arg++;
    if (arg + 1 != argc) {
        fprintf(stderr, "usage: toml_suite [-v] TOML_TEST_DIR\n");
        return 2;
    }
    const char *dir = argv[arg];
    char list[4096];
    snprintf(list, sizeof list, "%s/files-toml-1.0.0", dir);
    FILE *f = fopen(list, "r");
    if (!f) {
        fprintf(stderr, "toml: cannot open %s\n", list);
        return 2;
    }
    int valid = 0, invalid = 0, failed = 0;
    char line[2048], why[2048];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        bool is_valid = strncmp(line, "valid/", 6) == 0;
        if (!ends_with(line, ".toml") || (!is_valid && strncmp(line, "invalid/", 8) != 0))
            continue; /* the .json files belong to the valid cases */
        why[0] = '\0';
        bool ok = is_valid ? run_valid(dir, line, why, sizeof why)
                           : run_invalid(dir, line, why, sizeof why);
        if (ok)
            *(is_valid ? &valid : &invalid) += 1;
        else
            failed++, printf("FAIL %s: %s\n", line, why);
    }
    fclose(f);
    printf("toml: %d valid passed, %d invalid passed, %d failed\n", valid, invalid, failed);
    return failed != 0 || valid + invalid == 0;
}
