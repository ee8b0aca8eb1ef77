/* test_toml.c: the TOML API beyond what toml-test checks: error positions and messages, key
 * order and key lines, typed getters, datetime formatting, integer and float limits, the
 * depth cap against hostile nesting, TOML 1.1 forms staying rejected, and big tables. */
#include "unit.h"
#include "util/toml.h"

#include <math.h>
#include <string.h>

static TomlValue *parse(const char *text, TomlError *err)
{
    TomlValue *root = NULL;
    TomlError local;
    if (toml_parse(text, strlen(text), &root, err ? err : &local) != TOML_OK)
        return NULL;
    return root;
}

/* Parsing text fails at line:column with exactly msg. */
static void check_error(const char *text, uint32_t line, uint32_t column, const char *msg)
{
    TomlError err;
    TomlValue *root = parse(text, &err);
    bool ok = !root && err.line == line && err.column == column && strcmp(err.message, msg) == 0;
    if (!ok)
        fprintf(stderr, "  for %s\n  got %u:%u: %s\n  want %u:%u: %s\n", text, err.line,
                err.column, err.message, line, column, msg);
    CHECK(ok, "error position and message");
    toml_free(root);
}

static void check_rejected(const char *text, const char *what)
{
    TomlError err;
    TomlValue *root = parse(text, &err);
    CHECK(!root && err.line > 0 && err.message[0], what);
    toml_free(root);
}

static void test_errors(void)
{
    check_error("a = 1\na = 2\n", 2, 1, "duplicate key 'a' (first defined on line 1)");
    check_error("x = \"A\\x41\"", 1, 7, "invalid escape '\\x'");
    check_error("key 1", 1, 5, "expected '=' after key, found '1'");
    check_error("\"\xC3\xA9\" = \"\\q\"", 1, 8, "invalid escape '\\q'");
    check_error("a = 1\r\nb = \xC3\xA9\r\n", 2, 5, "expected a value, found U+00E9");
    check_error("# \xC3\x28\n", 1, 3, "invalid UTF-8 (byte 0xC3)");
    check_error("[a]\nx = 1\n[a]\n", 3, 2, "table 'a' is already defined (line 1)");
    check_error("t = {a = 1}\nt.b = 2\n", 2, 1, "cannot add keys to inline table 't' (line 1)");
    check_error("s = \"abc\n", 1, 9, "unterminated string: a line ends before the closing quote");
    check_error("s = '''abc\n\n", 1, 5, "unterminated multi-line string");
    check_error("n = 9223372036854775808", 1, 5,
                "integer 9223372036854775808 does not fit in 64 bits");
    check_error("n = 0x8000000000000000", 1, 5,
                "integer 0x8000000000000000 does not fit in 64 bits");
    check_error("f = 1e400", 1, 5, "float 1e400 is out of range");
    check_error("d = 2023-02-29", 1, 13, "day 29 is out of range for 2023-02");
    check_error("a = [1, 2\n", 1, 5, "unterminated array");
    check_error("a = 1 b = 2", 1, 7, "expected a newline after a key/value pair, found 'b'");
    check_error("a = \"x\" \x0B", 1, 9, "expected a newline after a key/value pair, found U+000B");
    check_error("a = 1\rb = 2", 1, 6, "carriage return not followed by a newline");
}

/* Forms TOML 1.1 adds must stay errors in a 1.0 parser. */
static void test_no_toml_11(void)
{
    check_rejected("s = \"\\e\"", "\\e escape");
    check_rejected("s = \"\\x41\"", "\\x escape");
    check_rejected("t = {\n a = 1 }", "newline in inline table");
    check_rejected("t = { a = 1, }", "trailing comma in inline table");
    check_rejected("t = 07:32", "time without seconds");
    check_rejected("t = 1979-05-27T07:32Z", "datetime without seconds");
}

static void test_key_order_and_lines(void)
{
    const char *text = "zeta = 1\n"
                       "alpha = 2\n"
                       "  mid.inner = 3\n"
                       "[[route]]\n"
                       "path = '/a'\n"
                       "[[route]]\n"
                       "path = '/b'\n"
                       "[late.sub]\n"
                       "[late]\n"
                       "x = 1\n";
    TomlValue *root = parse(text, NULL);
    CHECK(root != NULL, "document parses");
    const char *order[] = {"zeta", "alpha", "mid", "route", "late"};
    const uint32_t lines[] = {1, 2, 3, 4, 9}, columns[] = {1, 1, 3, 3, 2};
    CHECK(toml_table_len(root) == 5, "five root keys");
    for (size_t i = 0; i < 5; i++) {
        const TomlEntry *e = toml_table_entry(root, i);
        CHECK(e && strcmp(e->key, order[i]) == 0, "keys in file order");
        CHECK(e && e->line == lines[i] && e->column == columns[i], "key line and column");
    }
    const TomlValue *routes = toml_table_get(root, "route");
    CHECK(toml_array_len(routes) == 2, "two routes");
    CHECK(toml_line(toml_array_at(routes, 1)) == 6, "array element table at its [[header]]");
    const TomlEntry *path = toml_table_entry(toml_array_at(routes, 1), 0);
    CHECK(path && path->line == 7, "key line inside an array of tables");
    CHECK(toml_line(toml_table_get(root, "late")) == 9, "defined table at its own [header]");
    CHECK(toml_table_entry(root, 5) == NULL, "entry out of range");
    toml_free(root);
}

static void test_getters(void)
{
    TomlValue *root = parse("s = \"a\\u0000b\"\ni = -42\nf = -0.0\nb = true\n"
                            "d = 1979-05-27\na = [1, 'x']\n",
                            NULL);
    CHECK(root != NULL, "document parses");
    const char *s = NULL;
    size_t n = 0;
    CHECK(toml_as_string(toml_table_get(root, "s"), &s, &n) && n == 3 &&
              memcmp(s, "a\0b", 3) == 0,
          "string with NUL keeps its length");
    int64_t i = 0;
    CHECK(toml_as_int(toml_table_get(root, "i"), &i) && i == -42, "integer");
    double f = 1;
    CHECK(toml_as_float(toml_table_get(root, "f"), &f) && f == 0 && signbit(f), "negative zero");
    bool b = false;
    CHECK(toml_as_bool(toml_table_get(root, "b"), &b) && b, "bool");
    CHECK(!toml_as_int(toml_table_get(root, "s"), &i) && i == -42, "mismatched getter fails");
    CHECK(!toml_as_string(toml_table_get(root, "nope"), &s, &n), "missing key is NULL");
    TomlDatetime dt;
    CHECK(toml_as_datetime(toml_table_get(root, "d"), &dt) && dt.year == 1979 &&
              toml_kind(toml_table_get(root, "d")) == TOML_DATE_LOCAL,
          "local date");
    const TomlValue *a = toml_table_get(root, "a");
    CHECK(toml_array_len(a) == 2 && toml_kind(toml_array_at(a, 1)) == TOML_STRING, "array");
    CHECK(toml_array_at(a, 2) == NULL && toml_array_len(root) == 0, "array bounds");
    CHECK(toml_table_get(NULL, "x") == NULL && toml_table_len(NULL) == 0, "NULL tolerated");
    CHECK(strcmp(toml_kind_name(TOML_DATETIME_LOCAL), "datetime-local") == 0, "kind names");
    toml_free(root);
    toml_free(NULL);
}

static void check_format(const char *value, const char *want)
{
    char text[128];
    snprintf(text, sizeof text, "v = %s", value);
    TomlValue *root = parse(text, NULL);
    TomlDatetime dt;
    char out[TOML_DATETIME_TEXT];
    bool ok = root && toml_as_datetime(toml_table_get(root, "v"), &dt) &&
              toml_datetime_format(&dt, out, sizeof out) == strlen(want) &&
              strcmp(out, want) == 0;
    CHECK(ok, want);
    toml_free(root);
}

static void test_datetime_format(void)
{
    check_format("1979-05-27T07:32:00.5-07:00", "1979-05-27T07:32:00.5-07:00");
    check_format("1979-05-27 07:32:00z", "1979-05-27T07:32:00Z");
    check_format("1979-05-27t07:32:00-00:00", "1979-05-27T07:32:00Z");
    check_format("07:32:00.1234567891234", "07:32:00.123456789");
    check_format("2000-02-29", "2000-02-29");
    check_format("1987-07-05T17:45:60.010+13:45", "1987-07-05T17:45:60.010+13:45");
    TomlDatetime dt = {.year = 2024, .month = 1, .day = 2, .flags = TOML_DT_DATE};
    char small[5];
    CHECK(toml_datetime_format(&dt, small, sizeof small) == 10 && strcmp(small, "2024") == 0,
          "format truncates like snprintf");
}

static void test_limits(void)
{
    TomlValue *root = parse("a = -9223372036854775808\nb = 0x7fffffffffffffff\n"
                            "c = 0o777\nd = 0b1010\ne = +inf\nf = -nan\n",
                            NULL);
    int64_t v = 0;
    double f = 0;
    CHECK(root && toml_as_int(toml_table_get(root, "a"), &v) && v == INT64_MIN, "INT64_MIN");
    CHECK(toml_as_int(toml_table_get(root, "b"), &v) && v == INT64_MAX, "hex INT64_MAX");
    CHECK(toml_as_int(toml_table_get(root, "c"), &v) && v == 511, "octal");
    CHECK(toml_as_int(toml_table_get(root, "d"), &v) && v == 10, "binary");
    CHECK(toml_as_float(toml_table_get(root, "e"), &f) && isinf(f) && f > 0, "inf");
    CHECK(toml_as_float(toml_table_get(root, "f"), &f) && isnan(f), "nan");
    toml_free(root);
}

/* A string of n copies of unit between prefix and suffix. */
static char *repeat(const char *prefix, const char *unit, size_t n, const char *suffix)
{
    size_t a = strlen(prefix), u = strlen(unit), z = strlen(suffix);
    char *s = malloc(a + u * n + z + 1);
    memcpy(s, prefix, a);
    for (size_t i = 0; i < n; i++)
        memcpy(s + a + i * u, unit, u);
    memcpy(s + a + u * n, suffix, z + 1);
    return s;
}

static char *nested_arrays(size_t n)
{
    char *head = repeat("a = ", "[", n, "");
    char *text = repeat(head, "]", n, "\n");
    free(head);
    return text;
}

static char *nested_inline(size_t n)
{
    char *head = repeat("a = ", "{b = ", n, "1");
    char *text = repeat(head, "}", n, "\n");
    free(head);
    return text;
}

static char *header_path(size_t n) { return repeat("[a", ".a", n - 1, "]\n"); }

/* n parts make n - 1 tables; the value itself is no container. */
static char *dotted_key(size_t n) { return repeat("a", ".a", n - 1, " = 1\n"); }

/* The text build(n) makes parses for n == limit and fails with the depth error past it. */
static void check_cap(char *(*build)(size_t), size_t limit, const char *what)
{
    for (size_t n = limit; n <= limit + 1; n++) {
        char *text = build(n);
        TomlError err;
        TomlValue *root = parse(text, &err);
        CHECK(n > limit ? !root && strstr(err.message, "nesting too deep") : root != NULL, what);
        toml_free(root);
        free(text);
    }
}

static void test_depth(void)
{
    check_cap(nested_arrays, TOML_MAX_DEPTH, "arrays nest 128 deep");
    check_cap(nested_inline, TOML_MAX_DEPTH, "inline tables nest 128 deep");
    check_cap(header_path, TOML_MAX_DEPTH, "header paths nest 128 deep");
    check_cap(dotted_key, TOML_MAX_DEPTH + 1, "dotted keys nest 128 tables deep");
    char *hostile = repeat("a = ", "[", 1000000, "");
    check_rejected(hostile, "a million open brackets");
    free(hostile);
    hostile = repeat("a = ", "{b=", 1000000, "");
    check_rejected(hostile, "a million open braces");
    free(hostile);
    hostile = repeat("[[a]]\n[[a", ".a", 1000000, "]]\n");
    check_rejected(hostile, "a header of a million parts");
    free(hostile);
}

static void test_duplicates(void)
{
    check_rejected("a = {b = 1, b = 2}", "duplicate in inline table");
    check_rejected("a.b = 1\na.b = 2", "duplicate dotted key");
    check_rejected("[a]\n[a]", "table defined twice");
    check_rejected("\"a\" = 1\na = 2", "quoted and bare spellings are the same key");
    TomlValue *root = parse("\"\\u0000\" = 1\n'\\u0000' = 2\n\"\" = 3\n", NULL);
    CHECK(root && toml_table_len(root) == 3, "NUL, backslash-u and empty keys are distinct");
    const TomlEntry *e = toml_table_find(root, "\0", 1);
    CHECK(e && e->key_len == 1 && e->value && toml_kind(e->value) == TOML_INTEGER,
          "key holding NUL found by length");
    toml_free(root);
}

/* A table of n keys: each is found, in order; a scan per lookup would make this crawl. */
static void test_big_table(void)
{
    size_t n = 200000;
    char *text = malloc(n * 24 + 1), *o = text;
    for (size_t i = 0; i < n; i++)
        o += sprintf(o, "key%zu = %zu\n", i * 7919 % n, i);
    TomlValue *root = parse(text, NULL);
    CHECK(root && toml_table_len(root) == n, "all keys kept");
    bool all = true;
    for (size_t i = 0; i < n && root; i++) {
        char key[32];
        snprintf(key, sizeof key, "key%zu", i * 7919 % n);
        int64_t v = -1;
        all = all && toml_as_int(toml_table_get(root, key), &v) && (size_t)v == i &&
              strcmp(toml_table_entry(root, i)->key, key) == 0;
    }
    CHECK(all, "every key found, in insertion order");
    strcpy(o, "key0 = 1\n");
    TomlError err;
    CHECK(!parse(text, &err) && err.line == n + 1, "duplicate found in a big table");
    free(text);
    toml_free(root);
}

static void test_empty(void)
{
    TomlValue *root = parse("", NULL);
    CHECK(root && toml_table_len(root) == 0, "empty document");
    toml_free(root);
    root = parse("\xEF\xBB\xBF# only a BOM and a comment", NULL);
    CHECK(root && toml_table_len(root) == 0, "BOM");
    toml_free(root);
    check_error("\xEF\xBB\xBF" "a = \n", 1, 5, "expected a value, found end of line");
}

int main(void)
{
    test_errors();
    test_no_toml_11();
    test_key_order_and_lines();
    test_getters();
    test_datetime_format();
    test_limits();
    test_depth();
    test_duplicates();
    test_big_table();
    test_empty();
    return unit_report("test_toml");
}
