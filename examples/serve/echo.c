/* echo.c: a form and JSON echo. Shows how a WAGI module reads a request body safely and
 * answers JSON:
 *   - the body is on stdin, CONTENT_LENGTH bytes of it. The module reads it in a loop (a
 *     read may return fewer bytes than asked), caps its size (413), and never trusts the
 *     number blindly: malformed, or more than stdin holds, gives 400;
 *   - an application/x-www-form-urlencoded body and the query string are decoded as browsers
 *     encode them ('+' is a space, %XX a byte) and answered as
 *       {"method":"POST","query":{"q":"1"},"form":{"a":"1","b":["2","3"]}}
 *     (a name given twice becomes an array, so the object has no duplicate keys);
 *   - an application/json body is checked against the JSON grammar and echoed back as
 *       {"method":"POST","json":<the body>}
 *     or refused with 400 when it is not JSON;
 *   - every string written is escaped as JSON requires, and bytes that are not UTF-8
 *     become U+FFFD, so the answer is always valid JSON.
 * Errors are CGI responses too: "Status: 400 Bad Request" plus a JSON {"error": "..."}.
 *
 * Build: scripts/build_examples.sh (into build/examples/serve/)
 * Try:   printf 'a=1&b=2' | build/corral run --env REQUEST_METHOD=POST --env CONTENT_LENGTH=7 \
 *          --env CONTENT_TYPE=application/x-www-form-urlencoded build/examples/serve/echo.wasm */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_BODY (1u << 20) /* bytes of body accepted; more is 413 */
#define MAX_FIELDS 1000     /* name=value pairs per query or form; more is 413 */
#define MAX_DEPTH 64        /* nesting of JSON arrays and objects accepted */

/* ---- Reading the request ------------------------------------------------------------- */

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

/* CONTENT_LENGTH as a number: 0 when unset or empty (a GET has no body); -1 when it is not
 * plain decimal digits. A value above cap is stored as cap + 1, whatever its size, so that a
 * twenty-digit length cannot overflow. */
static int parse_length(const char *s, size_t cap, size_t *out)
{
    size_t n = 0;
    if (!s)
        s = "";
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        n = n > cap ? cap + 1 : n * 10 + (size_t)(*p - '0');
    }
    *out = n > cap ? cap + 1 : n;
    return 0;
}

/* Reads up to want bytes of stdin into buf and returns how many arrived. read() may return
 * less than asked (a pipe hands over what it has), so loop until want bytes or end of file. */
static size_t read_body(unsigned char *buf, size_t want)
{
    size_t got = 0;
    while (got < want) {
        ssize_t r = read(STDIN_FILENO, buf + got, want - got);
        if (r > 0)
            got += (size_t)r;
        else if (r < 0 && errno == EINTR)
            continue;
        else
            break; /* end of file, or an error: the caller sees the shortfall */
    }
    return got;
}

/* True when the media type ct is want, ignoring case, surrounding blanks and parameters:
 * "Application/JSON; charset=utf-8" is application/json. */
static bool media_type_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, want, n) != 0)
        return false;
    for (ct += n; *ct == ' ' || *ct == '\t'; ct++)
        ;
    return *ct == '\0' || *ct == ';';
}

/* ---- application/x-www-form-urlencoded ----------------------------------------------- */

typedef struct Field {
    const char *name, *value;
    size_t name_len, value_len;
} Field;

typedef struct Fields {
    Field at[MAX_FIELDS];
    size_t n;
} Fields;

static int hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20; /* lower case */
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes s[0..n) in place ('+' to space, %XX to its byte) and returns the new length. A '%'
 * not followed by two hex digits stays as it is, as the WHATWG URL standard says. */
static size_t url_decode(char *s, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '+') {
            s[out++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && (hi = hex_digit((unsigned char)s[i + 1])) >= 0 &&
                   (lo = hex_digit((unsigned char)s[i + 2])) >= 0) {
            s[out++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            s[out++] = s[i];
        }
    }
    return out;
}

/* Splits s[0..n) ("a=1&b=x+y") at '&' into name=value pairs, decoding each in place, and
 * appends them to f. Empty pieces ("a=1&&b=2") are skipped; a piece without '=' is a name
 * with an empty value. Returns -1 when there are more than MAX_FIELDS pairs. */
static int parse_pairs(char *s, size_t n, Fields *f)
{
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && s[end] != '&')
            end++;
        if (end > i) {
            if (f->n == MAX_FIELDS)
                return -1;
            size_t eq = i;
            while (eq < end && s[eq] != '=')
                eq++;
            Field *fd = &f->at[f->n++];
            fd->name = s + i;
            fd->name_len = url_decode(s + i, eq - i);
            fd->value = eq < end ? s + eq + 1 : s + end;
            fd->value_len = eq < end ? url_decode(s + eq + 1, end - eq - 1) : 0;
        }
        i = end + 1;
    }
    return 0;
}

/* ---- JSON ---------------------------------------------------------------------------- */

/* The length of the well-formed UTF-8 sequence at s[0..n) (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 if there is none. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    if (c < 0x80)
        return 1;
    if (c < 0xC2 || c > 0xF4)
        return 0;
    len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (n < len)
        return 0;
    uint32_t cp = c & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Writes s[0..n) as a JSON string: quotes, backslashes and control characters escaped,
 * bytes that are not UTF-8 replaced by U+FFFD (form values are arbitrary bytes once
 * decoded: "%FF" is one). */
static void json_string(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    putchar('"');
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t len = utf8_sequence(s + i, n - i);
        if (len == 0) {
            fputs("\\ufffd", stdout);
            i++;
            continue;
        }
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\r')
            fputs("\\r", stdout);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            fwrite(s + i, 1, len, stdout);
        i += len;
    }
    putchar('"');
}

static void json_cstring(const char *s)
{
    json_string(s, strlen(s));
}

static bool same_name(const Field *a, const Field *b)
{
    return a->name_len == b->name_len && memcmp(a->name, b->name, a->name_len) == 0;
}

/* Writes the pairs as a JSON object in order of first appearance. A name seen more than once
 * ("b=2&b=3") maps to an array of its values. Quadratic, which MAX_FIELDS keeps cheap. */
static void json_fields(const Fields *f)
{
    bool first = true;
    putchar('{');
    for (size_t i = 0; i < f->n; i++) {
        size_t seen = 0, count = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = same_name(&f->at[j], &f->at[i]);
        if (seen)
            continue;
        for (size_t j = i; j < f->n; j++)
            count += same_name(&f->at[j], &f->at[i]);
        if (!first)
            putchar(',');
        first = false;
        json_string(f->at[i].name, f->at[i].name_len);
        putchar(':');
        if (count > 1)
            putchar('[');
        for (size_t j = i, k = 0; j < f->n; j++) {
            if (!same_name(&f->at[j], &f->at[i]))
                continue;
            if (k++)
                putchar(',');
            json_string(f->at[j].value, f->at[j].value_len);
        }
        if (count > 1)
            putchar(']');
    }
    putchar('}');
}

/* A recursive-descent check of RFC 8259's grammar over s[0..n). Enough to promise that the
 * echoed body is JSON, so the answer that embeds it is too. */
typedef struct Json {
    const unsigned char *s;
    size_t n, i;
} Json;

static bool json_value(Json *j, int depth);

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void json_ws(Json *j)
{
    while (j->i < j->n && is_ws(j->s[j->i]))
        j->i++;
}

static bool json_eat(Json *j, char c)
{
    if (j->i < j->n && j->s[j->i] == (unsigned char)c) {
        j->i++;
        return true;
    }
    return false;
}

static size_t json_digits(Json *j)
{
    size_t start = j->i;
    while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
        j->i++;
    return j->i - start;
}

static bool json_check_string(Json *j)
{
    if (!json_eat(j, '"'))
        return false;
    while (j->i < j->n) {
        unsigned char c = j->s[j->i];
        if (c == '"') {
            j->i++;
            return true;
        }
        if (c < 0x20)
            return false; /* control characters must be escaped */
        if (c == '\\') {
            if (++j->i >= j->n)
                return false;
            c = j->s[j->i++];
            if (c == 'u') {
                for (int k = 0; k < 4; k++)
                    if (j->i >= j->n || hex_digit(j->s[j->i++]) < 0)
                        return false;
            } else if (!strchr("\"\\/bfnrt", c) || c == '\0') {
                return false;
            }
            continue;
        }
        size_t len = utf8_sequence(j->s + j->i, j->n - j->i);
        if (len == 0)
            return false; /* RFC 8259 8.1: JSON text is UTF-8 */
        j->i += len;
    }
    return false; /* unterminated */
}

static bool json_check_number(Json *j)
{
    json_eat(j, '-');
    if (!json_eat(j, '0') &&
        (j->i >= j->n || j->s[j->i] < '1' || j->s[j->i] > '9' || !json_digits(j)))
        return false;
    if (json_eat(j, '.') && !json_digits(j))
        return false;
    if (json_eat(j, 'e') || json_eat(j, 'E')) {
        if (!json_eat(j, '+'))
            json_eat(j, '-');
        if (!json_digits(j))
            return false;
    }
    return true;
}

static bool json_literal(Json *j, const char *word)
{
    size_t n = strlen(word);
    if (j->n - j->i < n || memcmp(j->s + j->i, word, n) != 0)
        return false;
    j->i += n;
    return true;
}

/* Checks "[v, v ...]" or "{"k": v ...}" after its opening bracket was seen. */
static bool json_container(Json *j, int depth, char close, bool object)
{
    json_ws(j);
    if (json_eat(j, close))
        return true;
    do {
        json_ws(j);
        if (object) {
            if (!json_check_string(j))
                return false;
            json_ws(j);
            if (!json_eat(j, ':'))
                return false;
            json_ws(j);
        }
        if (!json_value(j, depth + 1))
            return false;
        json_ws(j);
    } while (json_eat(j, ','));
    return json_eat(j, close);
}

static bool json_value(Json *j, int depth)
{
    if (depth > MAX_DEPTH || j->i >= j->n)
        return false;
    switch (j->s[j->i]) {
    case '{':
        j->i++;
        return json_container(j, depth, '}', true);
    case '[':
        j->i++;
        return json_container(j, depth, ']', false);
    case '"':
        return json_check_string(j);
    case 't':
        return json_literal(j, "true");
    case 'f':
        return json_literal(j, "false");
    case 'n':
        return json_literal(j, "null");
    default:
        return json_check_number(j);
    }
}

/* True when s[0..n) is one JSON value with optional white space around it. */
static bool is_json(const unsigned char *s, size_t n)
{
    Json j = {s, n, 0};
    json_ws(&j);
    if (!json_value(&j, 0))
        return false;
    json_ws(&j);
    return j.i == j.n;
}

/* ---- The handler --------------------------------------------------------------------- */

/* Answers an error as a CGI response: a Status line, then a small JSON body. The module
 * still returns 0: the status travels in the header, not in the exit code. */
static int fail(const char *status, const char *message)
{
    printf("Status: %s\nContent-Type: application/json\n\n{\"error\":", status);
    json_cstring(message);
    printf("}\n");
    return 0;
}

static Fields query, form; /* static: 2 x 16 KiB is too much for the default wasm stack */

int main(void)
{
    const char *method = env_or("REQUEST_METHOD", "GET");
    /* WAGI always leaves CONTENT_TYPE empty (a bug Corral fixes); the header's value is
     * also in HTTP_CONTENT_TYPE, so fall back to it. */
    const char *ctype = env_or("CONTENT_TYPE", env_or("HTTP_CONTENT_TYPE", ""));
    bool is_form = media_type_is(ctype, "application/x-www-form-urlencoded");
    bool is_json_body = media_type_is(ctype, "application/json");
    char msg[128];

    size_t len;
    if (parse_length(getenv("CONTENT_LENGTH"), MAX_BODY, &len) != 0)
        return fail("400 Bad Request", "CONTENT_LENGTH is not a number");
    if (len > MAX_BODY) {
        snprintf(msg, sizeof msg, "the body is larger than %u bytes", MAX_BODY);
        return fail("413 Payload Too Large", msg);
    }
    unsigned char *body = malloc(len + 1);
    if (!body)
        return fail("500 Internal Server Error", "out of memory");
    size_t got = read_body(body, len);
    if (got < len) {
        snprintf(msg, sizeof msg, "the body ended after %zu of %zu bytes", got, len);
        return fail("400 Bad Request", msg);
    }

    if (is_json_body) {
        if (!is_json(body, len))
            return fail("400 Bad Request", "the body is not valid JSON");
        /* Trim the white space around the value, then embed it as it is. */
        size_t a = 0, b = len;
        while (a < b && is_ws(body[a]))
            a++;
        while (b > a && is_ws(body[b - 1]))
            b--;
        printf("Content-Type: application/json\n\n{\"method\":");
        json_cstring(method);
        printf(",\"json\":");
        fwrite(body + a, 1, b - a, stdout);
        printf("}\n");
        return 0;
    }
    if (len > 0 && !is_form)
        return fail("415 Unsupported Media Type",
                    "send application/x-www-form-urlencoded or application/json");

    /* The query is decoded in place, so work on a copy: environment strings belong to libc. */
    char *qs = strdup(env_or("QUERY_STRING", ""));
    if (!qs)
        return fail("500 Internal Server Error", "out of memory");
    if (parse_pairs(qs, strlen(qs), &query) != 0 || parse_pairs((char *)body, len, &form) != 0) {
        snprintf(msg, sizeof msg, "more than %d fields", MAX_FIELDS);
        return fail("413 Payload Too Large", msg);
    }
    printf("Content-Type: application/json\n\n{\"method\":");
    json_cstring(method);
    printf(",\"query\":");
    json_fields(&query);
    printf(",\"form\":");
    json_fields(&form);
    printf("}\n");
    free(qs);
    free(body);
    return 0;
}
