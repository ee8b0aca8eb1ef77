/* semver.c: SemVer 2.0.0 parsing and precedence, and Bindle's search ranges (semver.h). The
 * range rules are Cargo's (Rust's semver crate, which Bindle uses): each operator's test is a
 * small function on the comparator's possibly partial version, below. */
#include "store/semver.h"

#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* A number at s[*i..n): digits, no leading zero, fits 64 bits. */
static bool number(const char *s, size_t n, size_t *i, uint64_t *out)
{
    size_t start = *i;
    uint64_t x = 0;
    while (*i < n && is_digit(s[*i])) {
        unsigned d = (unsigned)(s[*i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return false;
        x = x * 10 + d;
        (*i)++;
    }
    size_t len = *i - start;
    if (len == 0 || (len > 1 && s[start] == '0'))
        return false;
    *out = x;
    return true;
}

/* Dot-separated identifiers at s[*i..n) up to end_char or the end: each non-empty, of
 * [0-9A-Za-z-]; numeric ones without leading zeros when no_leading_zero. */
static bool identifiers(const char *s, size_t n, size_t *i, char end_char, bool no_leading_zero)
{
    for (;;) {
        size_t start = *i;
        bool numeric = true;
        while (*i < n && is_ident_char(s[*i])) {
            numeric = numeric && is_digit(s[*i]);
            (*i)++;
        }
        size_t len = *i - start;
        if (len == 0 || (no_leading_zero && numeric && len > 1 && s[start] == '0'))
            return false;
        if (*i < n && s[*i] == '.') {
            (*i)++;
            continue;
        }
        return *i == n || s[*i] == end_char;
    }
}

/* Parses the optional -PRE and +BUILD at s[*i..n) into v. */
static bool pre_and_build(const char *s, size_t n, size_t *i, SemVer *v)
{
    v->pre = v->build = "";
    v->pre_len = v->build_len = 0;
    if (*i < n && s[*i] == '-') {
        size_t start = ++*i;
        if (!identifiers(s, n, i, '+', true))
            return false;
        v->pre = s + start;
        v->pre_len = *i - start;
    }
    if (*i < n && s[*i] == '+') {
        size_t start = ++*i;
        if (!identifiers(s, n, i, '\0', false) || *i != n)
            return false;
        v->build = s + start;
        v->build_len = *i - start;
    }
    return true;
}

bool semver_parse(const char *s, size_t n, SemVer *out)
{
    size_t i = 0;
    SemVer v;
    if (!number(s, n, &i, &v.major) || i >= n || s[i++] != '.' || !number(s, n, &i, &v.minor) ||
        i >= n || s[i++] != '.' || !number(s, n, &i, &v.patch))
        return false;
    if (!pre_and_build(s, n, &i, &v) || i != n)
        return false;
    *out = v;
    return true;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

/* One pre-release identifier against another: numbers numerically and below words, words
 * in ASCII order. */
static int cmp_ident(const char *a, size_t an, const char *b, size_t bn)
{
    bool anum = true, bnum = true;
    for (size_t i = 0; i < an; i++)
        anum = anum && is_digit(a[i]);
    for (size_t i = 0; i < bn; i++)
        bnum = bnum && is_digit(b[i]);
    if (anum && bnum) { /* no leading zeros: the longer is the larger */
        if (an != bn)
            return an < bn ? -1 : 1;
        int c = memcmp(a, b, an);
        return c < 0 ? -1 : c > 0;
    }
    if (anum != bnum)
        return anum ? -1 : 1;
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return cmp_u64(an, bn);
}

/* Pre-release precedence; no pre-release is above any. */
static int cmp_pre(const char *a, size_t an, const char *b, size_t bn)
{
    if (an == 0 || bn == 0)
        return an == bn ? 0 : an == 0 ? 1 : -1;
    size_t i = 0, j = 0;
    while (i < an && j < bn) {
        size_t ie = i, je = j;
        while (ie < an && a[ie] != '.')
            ie++;
        while (je < bn && b[je] != '.')
            je++;
        int c = cmp_ident(a + i, ie - i, b + j, je - j);
        if (c != 0)
            return c;
        i = ie + 1;
        j = je + 1;
    }
    /* The one with identifiers left over is larger. */
    bool a_more = i < an, b_more = j < bn;
    return a_more == b_more ? 0 : a_more ? 1 : -1;
}

int semver_cmp(const SemVer *a, const SemVer *b)
{
    int c = cmp_u64(a->major, b->major);
    if (c == 0)
        c = cmp_u64(a->minor, b->minor);
    if (c == 0)
        c = cmp_u64(a->patch, b->patch);
    if (c == 0)
        c = cmp_pre(a->pre, a->pre_len, b->pre, b->pre_len);
    return c;
}

bool semver_same(const SemVer *a, const SemVer *b)
{
    return a->major == b->major && a->minor == b->minor && a->patch == b->patch &&
           a->pre_len == b->pre_len && memcmp(a->pre, b->pre, a->pre_len) == 0 &&
           a->build_len == b->build_len && memcmp(a->build, b->build, a->build_len) == 0;
}

/* ---- ranges ---- */

typedef enum Op { OP_EXACT, OP_GT, OP_GE, OP_LT, OP_LE, OP_TILDE, OP_CARET, OP_WILD } Op;

/* One comparator: an operator and a version whose minor and patch may be missing. */
typedef struct Comparator {
    Op op;
    SemVer v;
    bool has_minor, has_patch;
    unsigned wild_parts; /* OP_WILD: how many numbers come before the wildcard (0 to 2) */
} Comparator;

static int pre_cmp(const SemVer *v, const Comparator *c)
{
    return cmp_pre(v->pre, v->pre_len, c->v.pre, c->v.pre_len);
}

static bool match_exact(const Comparator *c, const SemVer *v)
{
    if (v->major != c->v.major || (c->has_minor && v->minor != c->v.minor) ||
        (c->has_patch && v->patch != c->v.patch))
        return false;
    return pre_cmp(v, c) == 0;
}

static bool match_greater(const Comparator *c, const SemVer *v)
{
    if (v->major != c->v.major)
        return v->major > c->v.major;
    if (!c->has_minor)
        return false;
    if (v->minor != c->v.minor)
        return v->minor > c->v.minor;
    if (!c->has_patch)
        return false;
    if (v->patch != c->v.patch)
        return v->patch > c->v.patch;
    return pre_cmp(v, c) > 0;
}

static bool match_less(const Comparator *c, const SemVer *v)
{
    if (v->major != c->v.major)
        return v->major < c->v.major;
    if (!c->has_minor)
        return false;
    if (v->minor != c->v.minor)
        return v->minor < c->v.minor;
    if (!c->has_patch)
        return false;
    if (v->patch != c->v.patch)
        return v->patch < c->v.patch;
    return pre_cmp(v, c) < 0;
}

/* ~1.2.3: >=1.2.3 <1.3.0; ~1.2: >=1.2.0 <1.3.0; ~1: >=1.0.0 <2.0.0. */
static bool match_tilde(const Comparator *c, const SemVer *v)
{
    if (v->major != c->v.major || (c->has_minor && v->minor != c->v.minor))
        return false;
    if (c->has_patch && v->patch != c->v.patch)
        return v->patch > c->v.patch;
    return pre_cmp(v, c) >= 0;
}

/* ^1.2.3: >=1.2.3 <2.0.0; ^0.2.3: >=0.2.3 <0.3.0; ^0.0.3: =0.0.3; ^1.2: >=1.2.0 <2.0.0;
 * ^0.0: <0.1.0; ^1 and ^0: the major alone. */
static bool match_caret(const Comparator *c, const SemVer *v)
{
    if (v->major != c->v.major)
        return false;
    if (!c->has_minor)
        return true;
    if (!c->has_patch)
        return c->v.major > 0 ? v->minor >= c->v.minor : v->minor == c->v.minor;
    if (c->v.major > 0) {
        if (v->minor != c->v.minor)
            return v->minor > c->v.minor;
        if (v->patch != c->v.patch)
            return v->patch > c->v.patch;
    } else if (c->v.minor > 0) {
        if (v->minor != c->v.minor)
            return false;
        if (v->patch != c->v.patch)
            return v->patch > c->v.patch;
    } else if (v->minor != c->v.minor || v->patch != c->v.patch) {
        return false;
    }
    return pre_cmp(v, c) >= 0;
}

static bool comparator_matches(const Comparator *c, const SemVer *v)
{
    switch (c->op) {
    case OP_EXACT:
        return match_exact(c, v);
    case OP_GT:
        return match_greater(c, v);
    case OP_GE:
        return match_exact(c, v) || match_greater(c, v);
    case OP_LT:
        return match_less(c, v);
    case OP_LE:
        return match_exact(c, v) || match_less(c, v);
    case OP_TILDE:
        return match_tilde(c, v);
    case OP_CARET:
        return match_caret(c, v);
    case OP_WILD: /* "*", "1.*", "1.2.*": the parts before the wildcard must be equal */
        return (c->wild_parts < 1 || v->major == c->v.major) &&
               (c->wild_parts < 2 || v->minor == c->v.minor);
    }
    return false;
}

/* Cargo's rule: a pre-release version is a candidate only for a comparator that names its
 * MAJOR.MINOR.PATCH with a pre-release. */
static bool pre_allowed(const Comparator *c, const SemVer *v)
{
    return c->op != OP_WILD && c->has_minor && c->has_patch && c->v.pre_len > 0 &&
           c->v.major == v->major && c->v.minor == v->minor && c->v.patch == v->patch;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_wild(char c)
{
    return c == '*' || c == 'x' || c == 'X';
}

/* The operator at s[*i..n). */
static Op read_op(const char *s, size_t n, size_t *i, bool *given)
{
    static const struct {
        const char *text;
        Op op;
    } ops[] = {{">=", OP_GE},   {"<=", OP_LE},   {">", OP_GT},   {"<", OP_LT},
               {"=", OP_EXACT}, {"~", OP_TILDE}, {"^", OP_CARET}};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        size_t len = strlen(ops[k].text);
        if (n - *i >= len && memcmp(s + *i, ops[k].text, len) == 0) {
            *i += len;
            *given = true;
            return ops[k].op;
        }
    }
    *given = false;
    return OP_CARET;
}

/* The (partial, maybe wildcard) version of a comparator: s[0..n) is one token. */
static bool read_partial(const char *s, size_t n, Comparator *c, bool op_given)
{
    size_t i = 0;
    memset(&c->v, 0, sizeof c->v);
    c->v.pre = c->v.build = "";
    c->has_minor = c->has_patch = false;
    c->wild_parts = 0;
    uint64_t *parts[3] = {&c->v.major, &c->v.minor, &c->v.patch};
    for (unsigned k = 0; k < 3; k++) {
        if (k > 0) {
            if (i == n || s[i] != '.')
                break;
            i++;
        }
        if (i < n && is_wild(s[i])) {
            /* "*", "1.*", "1.2.x": only bare or with =, and only wildcards after it. */
            if (op_given && c->op != OP_EXACT)
                return false;
            c->op = OP_WILD;
            c->wild_parts = k;
            for (i++; i < n; i += 2)
                if (s[i] != '.' || i + 1 == n || !is_wild(s[i + 1]) || ++k > 2)
                    return false;
            return true;
        }
        if (!number(s, n, &i, parts[k]))
            return false;
        if (k == 1)
            c->has_minor = true;
        else if (k == 2)
            c->has_patch = true;
    }
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        if (!c->has_patch) /* a pre-release needs the full version */
            return false;
        if (!pre_and_build(s, n, &i, &c->v))
            return false;
    }
    return i == n;
}

int semver_range_match(const char *r, size_t n, const SemVer *v)
{
    if (n == 0)
        return 1;
    SemVer exact;
    if (semver_parse(r, n, &exact))
        return semver_same(&exact, v);
    size_t i = 0;
    bool all = true, pre_ok = v->pre_len == 0, any = false;
    while (i < n) {
        while (i < n && is_blank(r[i]))
            i++;
        if (i == n)
            break;
        if (any && r[i] == ',') { /* a comma between comparators (blanks also separate) */
            i++;
            while (i < n && is_blank(r[i]))
                i++;
            if (i == n)
                return -1;
        }
        Comparator c;
        bool given;
        c.op = read_op(r, n, &i, &given);
        while (i < n && is_blank(r[i]))
            i++;
        size_t start = i;
        while (i < n && !is_blank(r[i]) && r[i] != ',')
            i++;
        if (!read_partial(r + start, i - start, &c, given))
            return -1;
        any = true;
        all = all && comparator_matches(&c, v);
        pre_ok = pre_ok || pre_allowed(&c, v);
    }
    if (!any)
        return -1;
    return all && pre_ok;
}
