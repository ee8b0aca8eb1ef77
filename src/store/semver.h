/* semver.h: Semantic Versioning 2.0.0 versions (parse, precedence) and the version ranges of
 * Bindle's search (BINDLE.md 4.5): a bare full version is an exact match (npm's rule),
 * anything else is read as Rust's semver::VersionReq (Cargo's operators). Pure functions on
 * borrowed text; nothing here allocates. */
#ifndef CORRAL_STORE_SEMVER_H
#define CORRAL_STORE_SEMVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A version; pre and build point into the parsed text (borrowed), without their '-' / '+'. */
typedef struct SemVer {
    uint64_t major, minor, patch;
    const char *pre; /* dot-separated identifiers; pre_len 0: none */
    size_t pre_len;
    const char *build;
    size_t build_len;
} SemVer;

/* Parses exactly s[0..n) as MAJOR.MINOR.PATCH[-PRE][+BUILD]: no blanks, no leading 'v', no
 * leading zeros in numbers (nor in numeric pre-release identifiers), no empty identifier,
 * identifiers of [0-9A-Za-z-], numbers that fit 64 bits. false when it is not one. */
bool semver_parse(const char *s, size_t n, SemVer *out);

/* Precedence (SemVer 2.0.0 section 11): <0, 0, >0. Build metadata is ignored. */
int semver_cmp(const SemVer *a, const SemVer *b);

/* Equal in every part, build metadata included (Rust's Version ==). */
bool semver_same(const SemVer *a, const SemVer *b);

/* Whether v satisfies range r[0..n):
 *   - "" matches every version;
 *   - a full version ("1.2.3", "1.2.3-rc.1+b") matches only that version (semver_same);
 *   - otherwise comparators joined by ',' and/or blanks, all of which must hold: an operator
 *     (=, >, >=, <, <=, ~, ^, or none meaning ^) and a version that may be partial ("1",
 *     "1.2") or end in a wildcard ("1.*", "1.2.x", "*"; only without an operator or with
 *     =). A pre-release version matches only when a comparator names the same
 *     MAJOR.MINOR.PATCH with a pre-release (Cargo's rule).
 * Returns 1 (matches), 0 (does not) or -1 (r is not a range: it then matches nothing). */
int semver_range_match(const char *r, size_t n, const SemVer *v);

#endif
