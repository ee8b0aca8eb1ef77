/* test_semver.c: SemVer 2.0.0 parsing and precedence (the spec's own examples), and the
 * search ranges of BINDLE.md 4.5: a bare version is exact (npm), the rest as Rust's
 * semver::VersionReq (Cargo's table of operators, partial versions, wildcards, pre-release
 * rule), comma or blank joined comparators, unparsable ranges matching nothing. */
#include "store/semver.h"
#include "unit.h"

#include <string.h>

static bool parses(const char *s)
{
    SemVer v;
    return semver_parse(s, strlen(s), &v);
}

static void test_parse(void)
{
    const char *good[] = {"0.0.0",
                          "1.2.3",
                          "10.20.30",
                          "1.1.2-prerelease+meta",
                          "1.1.2+meta",
                          "1.1.2+meta-valid",
                          "1.0.0-alpha",
                          "1.0.0-beta",
                          "1.0.0-alpha.beta",
                          "1.0.0-alpha.beta.1",
                          "1.0.0-alpha.1",
                          "1.0.0-alpha0.valid",
                          "1.0.0-alpha.0valid",
                          "1.0.0-rc.1+build.1",
                          "2.0.0-rc.1+build.123",
                          "1.2.3-beta",
                          "10.2.3-DEV-SNAPSHOT",
                          "1.2.3-SNAPSHOT-123",
                          "2.0.0+build.1848",
                          "2.0.1-alpha.1227",
                          "1.0.0-0A.is.legal",
                          "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
                          "18446744073709551615.0.0",
                          "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay",
                          "1.2.3+001"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (!parses(good[i]))
            fprintf(stderr, "  should parse: %s\n", good[i]);
        CHECK(parses(good[i]), "valid SemVer parses");
    }
    const char *bad[] = {"",
                         "1",
                         "1.2",
                         "1.2.3-0123",
                         "1.2.3-0123.0123",
                         "1.1.2+.123",
                         "+invalid",
                         "-invalid",
                         "-invalid+invalid",
                         "alpha",
                         "1.2.3.DEV",
                         "1.2-SNAPSHOT",
                         "1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788",
                         "01.1.1",
                         "1.01.1",
                         "1.1.01",
                         "1.2.3-",
                         "1.2.3+",
                         "1.2.3-a..b",
                         "v1.2.3",
                         " 1.2.3",
                         "1.2.3 ",
                         "1.2.3-é",
                         "18446744073709551616.0.0",
                         "1.2.3-+",
                         "1.2.3+a+b",
                         "1.2.3-a_b",
                         "1..2.3",
                         "1.2.3\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parses(bad[i]))
            fprintf(stderr, "  should not parse: '%s'\n", bad[i]);
        CHECK(!parses(bad[i]), "invalid SemVer refused");
    }
    SemVer v;
    CHECK(semver_parse("1.2.3-rc.1+b.2", 14, &v) && v.major == 1 && v.minor == 2 && v.patch == 3 &&
              v.pre_len == 4 && !memcmp(v.pre, "rc.1", 4) && v.build_len == 3 &&
              !memcmp(v.build, "b.2", 3),
          "parts of a version");
}

static int cmp(const char *a, const char *b)
{
    SemVer x, y;
    if (!semver_parse(a, strlen(a), &x) || !semver_parse(b, strlen(b), &y))
        return 99;
    return semver_cmp(&x, &y);
}

static void test_precedence(void)
{
    /* SemVer 2.0.0 section 11's chain, in ascending order. */
    const char *chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                           "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                           "1.0.0-rc.1",  "1.0.0",         "1.0.1",
                           "1.1.0",       "2.0.0",         "2.1.0",
                           "2.1.1",       "10.0.0"};
    size_t n = sizeof chain / sizeof chain[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int want = i < j ? -1 : i > j;
            int got = cmp(chain[i], chain[j]);
            if (got != want)
                fprintf(stderr, "  cmp(%s, %s) = %d, want %d\n", chain[i], chain[j], got, want);
            CHECK(got == want, "precedence chain");
        }
    CHECK(cmp("1.0.0+a", "1.0.0+b") == 0, "build metadata ignored in precedence");
    CHECK(cmp("1.0.0-2", "1.0.0-10") < 0, "numeric identifiers compare as numbers");
    CHECK(cmp("1.0.0-a", "1.0.0-1") > 0, "words above numbers");
    CHECK(cmp("1.0.0-99999999999999999999999", "1.0.0-100000000000000000000000") < 0,
          "long numeric identifiers");
    SemVer a, b;
    semver_parse("1.0.0+a", 7, &a);
    semver_parse("1.0.0+b", 7, &b);
    CHECK(!semver_same(&a, &b) && semver_same(&a, &a), "semver_same sees build metadata");
}

/* range r matches v (1), does not (0), or is not a range (-1). */
static void check_range(const char *r, const char *v, int want)
{
    SemVer x;
    if (!semver_parse(v, strlen(v), &x)) {
        CHECK(0, "test version parses");
        return;
    }
    int got = semver_range_match(r, strlen(r), &x);
    if (got != want)
        fprintf(stderr, "  range '%s' on %s: got %d, want %d\n", r, v, got, want);
    CHECK(got == want, "range");
}

static void test_ranges(void)
{
    check_range("", "1.2.3", 1);
    check_range("", "1.2.3-alpha", 1);
    /* npm's rule: a full version alone is exact. */
    check_range("1.2.3", "1.2.3", 1);
    check_range("1.2.3", "1.2.4", 0);
    check_range("1.2.3", "1.2.3+build", 0);
    check_range("1.2.3+build", "1.2.3+build", 1);
    check_range("1.2.3-rc.1", "1.2.3-rc.1", 1);
    /* caret, and bare partial versions (caret too) */
    check_range("^1.2.3", "1.2.3", 1);
    check_range("^1.2.3", "1.9.0", 1);
    check_range("^1.2.3", "2.0.0", 0);
    check_range("^1.2.3", "1.2.2", 0);
    check_range("^0.2.3", "0.2.9", 1);
    check_range("^0.2.3", "0.3.0", 0);
    check_range("^0.0.3", "0.0.3", 1);
    check_range("^0.0.3", "0.0.4", 0);
    check_range("^1.2", "1.2.0", 1);
    check_range("^1.2", "1.1.9", 0);
    check_range("^0.0", "0.0.9", 1);
    check_range("^0.0", "0.1.0", 0);
    check_range("^0", "0.9.9", 1);
    check_range("^1", "1.99.0", 1);
    check_range("1.2", "1.5.0", 1);
    check_range("1", "2.0.0", 0);
    /* tilde */
    check_range("~1.2.3", "1.2.9", 1);
    check_range("~1.2.3", "1.3.0", 0);
    check_range("~1.2", "1.2.0", 1);
    check_range("~1", "1.9.0", 1);
    check_range("~1", "2.0.0", 0);
    /* comparisons, partial ones included */
    check_range(">=1.2.3", "1.2.3", 1);
    check_range(">=1.2.3", "1.2.2", 0);
    check_range(">1.2.3", "1.2.3", 0);
    check_range(">1.2", "1.2.9", 0);
    check_range(">1.2", "1.3.0", 1);
    check_range(">1", "2.0.0", 1);
    check_range("<1.2.3", "1.2.2", 1);
    check_range("<1.2", "1.1.9", 1);
    check_range("<1.2", "1.2.0", 0);
    check_range("<=1.2", "1.2.9", 1);
    check_range("<=1.2", "1.3.0", 0);
    check_range("=1.2.3", "1.2.3", 1);
    check_range("=1.2", "1.2.7", 1);
    check_range("=1", "1.7.7", 1);
    check_range("= 1.2.3", "1.2.3", 1);
    check_range(">= 1.2.3", "1.5.0", 1);
    /* joined comparators, with commas or blanks */
    check_range(">=1.2.3, <1.8.0", "1.5.0", 1);
    check_range(">=1.2.3, <1.8.0", "1.8.0", 0);
    check_range(">=1.2.3 <1.8.0", "1.7.0", 1);
    check_range(">=1.2.3,<1.8.0", "1.1.0", 0);
    /* wildcards */
    check_range("*", "7.0.0", 1);
    check_range("1.*", "1.4.0", 1);
    check_range("1.*", "2.0.0", 0);
    check_range("1.2.*", "1.2.9", 1);
    check_range("1.2.x", "1.3.0", 0);
    check_range("1.x.x", "1.3.0", 1);
    check_range("=1.*", "1.3.0", 1);
    /* pre-releases: only through a comparator naming the same MAJOR.MINOR.PATCH with one */
    check_range(">=1.2.3-alpha", "1.2.3-beta", 1);
    check_range(">=1.2.3-alpha", "1.2.4-beta", 0);
    check_range(">=1.2.3", "1.2.4-beta", 0);
    check_range("^1.2.3-rc.1", "1.2.3-rc.2", 1);
    check_range("^1.2.3-rc.1", "1.2.3", 1);
    check_range("*", "1.2.3-beta", 0);
    check_range("<1.2.3", "1.2.3-beta", 0);
    /* not ranges: match nothing */
    const char *bad[] = {"x.y",    "1.2.3 ||",   ">=1.2.3 || <1", ">=",       "^",
                         "1.*.3",  ">1.*",       "1.2.3.4",       "~>1.2",    "1.2-rc",
                         ",1.2.3", ">=1.2.3,",   "01.2",          "1.2.3-01", " ",
                         "abc",    ">=1.2.3,,<2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_range(bad[i], "1.2.3", -1);
}

int main(void)
{
    test_parse();
    test_precedence();
    test_ranges();
    return unit_report("test_semver");
}
