/* test_gateway.c: unit tests of the gateway core (src/gateway): the request arena, the text
 * rules, request-target splitting, route patterns and both precedence modes, _routes output,
 * the CGI environment (every variable of WAGI's table, WAGI's own golden vectors and its
 * dynamic-routes table verbatim, the host algorithm, header mapping, precedence), argv, the
 * CGI response parser (WAGI's cases, the fixed defects, malformed output), arena overflow
 * everywhere, and a random-input loop over the response parser and the _routes parser that
 * checks invariants (run it under ASan and UBSan: make asan). */
#include "unit.h"

#include "gateway/cgi_env.h"
#include "gateway/cgi_response.h"
#include "gateway/gw_arena.h"
#include "gateway/http_text.h"
#include "gateway/request.h"
#include "gateway/route.h"

#include <ctype.h>
#include <stdalign.h>
#include <stdbool.h>
#include <string.h>

/* ---- helpers ---- */

static alignas(max_align_t) unsigned char arena_buf[1 << 16];
static GwArena arena;

static void fresh_arena(void)
{
    gw_arena_init(&arena, arena_buf, sizeof arena_buf);
}

/* Compares a string result; says what differed. */
static void check_str_at(const char *got, const char *want, const char *what, int line)
{
    if (got && want && strcmp(got, want) == 0) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "%s:%d: FAIL: %s: got '%s', want '%s'\n", __FILE__, line, what,
            got ? got : "(null)", want ? want : "(null)");
}
#define CHECK_STR(got, want, what) check_str_at((got), (want), (what), __LINE__)

/* Compares a (pointer, length) result with a C string. */
static void check_mem_at(const void *got, size_t got_len, const char *want, const char *what,
                         int line)
{
    if (got_len == strlen(want) && (got_len == 0 || memcmp(got, want, got_len) == 0)) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "%s:%d: FAIL: %s: got '%.*s', want '%s'\n", __FILE__, line, what, (int)got_len,
            got ? (const char *)got : "", want);
}
#define CHECK_MEM(got, got_len, want, what) check_mem_at((got), (got_len), (want), (what), __LINE__)

#define HDR(n, v)                                                                                  \
    {                                                                                              \
        (n), sizeof(n) - 1, (v), sizeof(v) - 1                                                     \
    }
#define COUNT(a) (sizeof(a) / sizeof *(a))

/* The value of NAME in env, or NULL; *times counts how often the name occurs. */
static const char *env_find(const GwStrList *env, const char *name, int *times)
{
    const char *found = NULL;
    size_t n = strlen(name);
    *times = 0;
    for (size_t i = 0; i < env->count; i++) {
        if (strncmp(env->items[i], name, n) == 0 && env->items[i][n] == '=') {
            found = env->items[i] + n + 1;
            (*times)++;
        }
    }
    return found;
}

/* The value of NAME, which must occur exactly once (else the check fails and NULL). */
static const char *env_get_at(const GwStrList *env, const char *name, int line)
{
    int times;
    const char *v = env_find(env, name, &times);
    if (times != 1) {
        failed++;
        fprintf(stderr, "%s:%d: FAIL: %s occurs %d times\n", __FILE__, line, name, times);
        return NULL;
    }
    return v;
}
#define ENV(env, name) env_get_at((env), (name), __LINE__)

static bool env_has(const GwStrList *env, const char *name)
{
    int times;
    env_find(env, name, &times);
    return times > 0;
}

static GwRequest request(const char *method, const char *target, const GwHeader *h, size_t n)
{
    return (GwRequest){
        .method = method,
        .target = target,
        .version = "HTTP/1.1",
        .headers = h,
        .nheaders = n,
        .remote_ip = "127.0.0.1",
        .remote_port = 40000,
    };
}

/* Routes req through t and builds its environment; false if either step fails. */
static bool route_env(const GwRouteTable *t, const GwRequest *req, const GwCgiServer *srv,
                      const GwEnvVar *menv, size_t nmenv, GwStrList *env, GwRouteMatch *m)
{
    GwTarget tg;
    gw_target_parse(req->target, &tg);
    if (!gw_route_match(t, tg.path, tg.path_len, m))
        return false;
    return gw_cgi_env_build(&arena, req, m, srv, menv, nmenv, env) == GW_OK;
}

static void add_ok(GwRouteTable *t, const char *route, unsigned handler, const char *ep,
                   const char *routes_text)
{
    GwRouteError err;
    GwStatus st = gw_route_table_add_module(t, route, handler, ep, routes_text,
                                            routes_text ? strlen(routes_text) : 0, &err);
    CHECK(st == GW_OK, route);
    if (st != GW_OK)
        fprintf(stderr, "  error: %s\n", err.message);
}

/* ---- arena ---- */

static void test_arena(void)
{
    alignas(max_align_t) unsigned char buf[256];
    GwArena a;
    gw_arena_init(&a, buf, sizeof buf);
    char *c = gw_arena_chars(&a, 3);
    CHECK(c == (char *)buf && a.used == 3, "chars are packed from the start");
    void *p = gw_arena_alloc(&a, 8);
    CHECK(p && (uintptr_t)p % alignof(max_align_t) == 0, "alloc is max-aligned");
    CHECK((unsigned char *)p >= buf + 3, "alloc after the chars");
    char *s = gw_arena_strndup(&a, "ab\0cd", 5);
    CHECK(s && memcmp(s, "ab\0cd", 6) == 0, "strndup copies NUL bytes and terminates");
    CHECK(gw_arena_chars(&a, sizeof buf) == NULL, "overflow gives NULL");
    size_t used = a.used;
    CHECK(gw_arena_alloc(&a, SIZE_MAX) == NULL && gw_arena_strndup(&a, "x", SIZE_MAX) == NULL,
          "huge sizes give NULL without wrapping");
    CHECK(a.used == used, "a failed allocation takes nothing");
    char *rest = gw_arena_chars(&a, sizeof buf - a.used);
    CHECK(rest != NULL && a.used == sizeof buf, "the last byte can be used");
    CHECK(gw_arena_chars(&a, 1) == NULL, "then nothing more");
    CHECK(gw_arena_chars(&a, 0) != NULL, "zero bytes still fit");
    CHECK(a.peak == sizeof buf, "peak records the high-water mark");
    gw_arena_reset(&a);
    CHECK(a.used == 0 && a.peak == sizeof buf && gw_arena_chars(&a, 1) == (char *)buf,
          "reset starts over, keeps the peak");
    GwArena none;
    gw_arena_init(&none, NULL, 100);
    CHECK(none.cap == 0 && gw_arena_alloc(&none, 0) == NULL && gw_arena_chars(&none, 1) == NULL,
          "an arena without a buffer allocates nothing");
}

/* ---- text rules ---- */

static bool utf8_ok(const char *s)
{
    return gw_utf8_valid((const uint8_t *)s, strlen(s));
}

static size_t utf8_step(const char *s, bool *ok)
{
    return gw_utf8_next((const uint8_t *)s, strlen(s), ok);
}

static void test_text(void)
{
    CHECK(gw_is_token("X-Test_Header.1~!#$%&'*+^`|", 27), "every tchar");
    CHECK(!gw_is_token("", 0), "empty is no token");
    const char *bad = " \t\"(),/:;<=>?@[\\]{}\x7f\x80";
    for (const char *p = bad; *p; p++)
        CHECK(!gw_is_tchar((unsigned char)*p), "separator, space, DEL, non-ASCII");
    CHECK(!gw_is_tchar(0), "NUL");
    CHECK(gw_is_field_byte('\t') && gw_is_field_byte(' ') && gw_is_field_byte('~') &&
              gw_is_field_byte(0x80) && gw_is_field_byte(0xff),
          "HTAB, SP, VCHAR, obs-text");
    CHECK(!gw_is_field_byte(0) && !gw_is_field_byte('\r') && !gw_is_field_byte('\n') &&
              !gw_is_field_byte(0x01) && !gw_is_field_byte(0x1f) && !gw_is_field_byte(0x7f),
          "CTLs and DEL");

    CHECK(utf8_ok("") && utf8_ok("plain") && utf8_ok("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
          "valid UTF-8");
    CHECK(utf8_ok("\xed\x9f\xbf") && utf8_ok("\xf4\x8f\xbf\xbf") && utf8_ok("\xef\xbf\xbf"),
          "U+D7FF, U+10FFFF, U+FFFF");
    const char *invalid[] = {
        "\x80",         "\xc0\x80",         "\xc1\xbf",         "\xe0\x80\x80", "\xe0\x9f\xbf",
        "\xed\xa0\x80", "\xf0\x80\x80\x80", "\xf4\x90\x80\x80", "\xf5",         "\xff",
        "\xc3",         "\xe2\x82",         "\xf0\x9f\x98",     "a\xc3(b"};
    for (size_t i = 0; i < COUNT(invalid); i++)
        CHECK(!utf8_ok(invalid[i]), "invalid UTF-8 (overlong, surrogate, range, truncated)");
    bool ok;
    CHECK(utf8_step("\xf0\x9f\x98", &ok) == 3 && !ok, "maximal subpart of a truncated 4-byte");
    CHECK(utf8_step("\xe0\x80\x80", &ok) == 1 && !ok, "overlong E0 80: one byte");
    CHECK(utf8_step("\xe2\x82(", &ok) == 2 && !ok, "E2 82 then ASCII: two bytes");
    CHECK(utf8_step("\xed\xa0\x80", &ok) == 1 && !ok, "surrogate: one byte");
    CHECK(utf8_step("\xf0\x9f\x98\x80", &ok) == 4 && ok, "emoji: four bytes");

    CHECK(gw_ascii_ieq("Content-TYPE", 12, "content-type"), "case-blind equal");
    CHECK(!gw_ascii_ieq("Content-Typ", 11, "content-type"), "shorter");
    CHECK(!gw_ascii_ieq("Content-Types", 13, "content-type"), "longer");
    CHECK(gw_ascii_ieq("", 0, ""), "both empty");
}

/* ---- request-target ---- */

static void test_target(void)
{
    GwTarget t;
    gw_target_parse("/path/test%3brun?foo=bar", &t);
    CHECK_MEM(t.path, t.path_len, "/path/test%3brun", "origin path");
    CHECK_MEM(t.query, t.query_len, "foo=bar", "origin query");
    CHECK(t.has_query && t.host_len == 0 && t.port_len == 0, "origin-form has no authority");

    gw_target_parse("/p", &t);
    CHECK(!t.has_query && t.query_len == 0 && t.query && *t.query == '\0', "no query");
    gw_target_parse("/p?", &t);
    CHECK(t.has_query && t.query_len == 0, "empty query is still a query");
    gw_target_parse("/p?a=1?b#frag?x", &t);
    CHECK_MEM(t.path, t.path_len, "/p", "path before the first '?'");
    CHECK_MEM(t.query, t.query_len, "a=1?b", "the fragment is cut off the query");
    gw_target_parse("/p#f?x", &t);
    CHECK_MEM(t.path, t.path_len, "/p", "the fragment is cut off the path");
    CHECK(!t.has_query, "a '?' inside the fragment is no query");

    gw_target_parse("https://example.com:3000/path/test%3brun?foo=bar", &t);
    CHECK_MEM(t.host, t.host_len, "example.com", "absolute-form host");
    CHECK_MEM(t.port, t.port_len, "3000", "absolute-form port");
    CHECK_MEM(t.path, t.path_len, "/path/test%3brun", "absolute-form path");
    CHECK_MEM(t.query, t.query_len, "foo=bar", "absolute-form query");

    gw_target_parse("http://user:pw@h.example/x", &t);
    CHECK_MEM(t.host, t.host_len, "h.example", "userinfo skipped");
    CHECK(t.port_len == 0, "no port");
    gw_target_parse("http://[::1]:8080", &t);
    CHECK_MEM(t.host, t.host_len, "[::1]", "IPv6 host keeps its brackets");
    CHECK_MEM(t.port, t.port_len, "8080", "IPv6 port");
    CHECK_MEM(t.path, t.path_len, "/", "no path means /");
    gw_target_parse("http://h:99999/x", &t);
    CHECK(t.port_len == 0, "an out-of-range port is ignored");
    gw_target_parse("http://h:8a/x", &t);
    CHECK(t.port_len == 0, "a non-numeric port is ignored");
    gw_target_parse("HTTP+x-1.://H?q", &t);
    CHECK_MEM(t.host, t.host_len, "H", "any scheme");
    CHECK_MEM(t.query, t.query_len, "q", "query after the authority");

    gw_target_parse("*", &t);
    CHECK_MEM(t.path, t.path_len, "*", "asterisk-form stays a path");
    gw_target_parse("example.com:443", &t);
    CHECK_MEM(t.path, t.path_len, "example.com:443", "authority-form stays a path");
    CHECK(t.host_len == 0, "and has no host");
    gw_target_parse("//h/x", &t);
    CHECK_MEM(t.path, t.path_len, "//h/x", "a path starting // is a path");
}

/* ---- route patterns ---- */

static void check_parse_err(const char *text, const char *want, int line)
{
    GwRoutePattern p;
    GwRouteError err;
    GwStatus st = gw_route_parse(text, strlen(text), &p, &err);
    if (st == GW_ERR_INVALID && strstr(err.message, want)) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "%s:%d: FAIL: route '%s': status %d, message '%s', want '%s'\n", __FILE__, line,
            text, st, st ? err.message : "", want);
}

static void test_route_parse(void)
{
    GwRoutePattern p;
    GwRouteError err;
    CHECK(gw_route_parse("/foo/...", 8, &p, &err) == GW_OK && p.kind == GW_ROUTE_PREFIX &&
              p.base_len == 4 && p.text_len == 8,
          "/foo/... is the prefix /foo");
    CHECK(gw_route_parse("/...", 4, &p, &err) == GW_OK && p.kind == GW_ROUTE_PREFIX &&
              p.base_len == 0,
          "/... is the empty prefix");
    CHECK(gw_route_parse("/foo", 4, &p, &err) == GW_OK && p.kind == GW_ROUTE_EXACT &&
              p.base_len == 4,
          "/foo is exact");
    CHECK(gw_route_parse("/foo/", 5, &p, &err) == GW_OK && p.kind == GW_ROUTE_EXACT,
          "/foo/ is exact");
    CHECK(gw_route_parse("/foo...", 7, &p, &err) == GW_OK && p.kind == GW_ROUTE_EXACT,
          "/foo... (no slash) is exact");
    CHECK(gw_route_parse("/a/.../b", 8, &p, &err) == GW_OK && p.kind == GW_ROUTE_EXACT,
          "... in the middle is exact");
    CHECK(gw_route_parse("/", 1, &p, &err) == GW_OK && p.kind == GW_ROUTE_EXACT, "/ is exact");
    CHECK(gw_route_parse("/x/...trailing", 6, &p, &err) == GW_OK && p.kind == GW_ROUTE_PREFIX,
          "the length bounds the text");
    check_parse_err("", "route is empty", __LINE__);
    check_parse_err("foo", "route 'foo' must start with '/'", __LINE__);
    check_parse_err("...", "must start with '/'", __LINE__);
    check_parse_err("/a b", "route '/a b' contains a space or control character", __LINE__);
    check_parse_err("/a\tb", "route '/a?b' contains a space or control", __LINE__);
    check_parse_err("/a\x7f", "control character", __LINE__);
    check_parse_err("/a?b=1", "contains '?': routes match the path only", __LINE__);
    check_parse_err("/a#top", "contains '#'", __LINE__);
    CHECK(gw_route_parse("/a\0b", 4, &p, &err) == GW_ERR_INVALID, "a NUL byte is refused");
}

/* ---- matching: WAGI's own dispatcher tests ---- */

/* The route of the entry matching path in t, or NULL. */
static const GwRouteEntry *match(const GwRouteTable *t, const char *path, GwRouteMatch *m)
{
    return gw_route_match(t, path, strlen(path), m) ? m->entry : NULL;
}

static bool matches(const char *route, const char *path)
{
    GwRouteTable t;
    GwRouteMatch m;
    gw_route_table_init(&t, GW_ROUTING_WAGI);
    add_ok(&t, route, 0, NULL, NULL);
    bool r = match(&t, path, &m) != NULL;
    gw_route_table_free(&t);
    return r;
}

/* X_RAW_PATH_INFO of path on route (WAGI's relative_path), or "(no match)". */
static void check_raw_info(const char *route, const char *path, const char *want, int line)
{
    GwRouteTable t;
    GwRouteMatch m;
    gw_route_table_init(&t, GW_ROUTING_WAGI);
    add_ok(&t, route, 0, NULL, NULL);
    if (match(&t, path, &m))
        check_mem_at(m.raw_path_info, m.raw_path_info_len, want, path, line);
    else
        check_str_at("(no match)", want, path, line);
    gw_route_table_free(&t);
}

static void test_route_match(void)
{
    CHECK(matches("/foo", "/foo"), "exact matches exact");
    CHECK(!matches("/foo", "/foo/") && matches("/foo/", "/foo/") && !matches("/foo/", "/foo"),
          "exact: trailing slash significant");
    CHECK(!matches("/foo", "/foo/bar") && !matches("/foo", "/foo/wizz/skronk"),
          "exact does not match sub-paths");
    CHECK(!matches("/foo", "/foobar") && !matches("/foo", "/foowizz/foo/skronk"),
          "exact does not match superstrings");
    CHECK(matches("/foo/...", "/foo") && matches("/foo/...", "/foo/"), "prefix matches itself");
    CHECK(matches("/foo/...", "/foo/bar") && matches("/foo/...", "/foo/wizz/skronk"),
          "prefix matches sub-paths");
    CHECK(!matches("/foo/...", "/foobar") && !matches("/foo/...", "/foowizz/foo/skronk"),
          "prefix does not match superstrings (WAGI PR #129)");
    CHECK(matches("/...", "/") && matches("/...", "/anything/at/all"), "/... matches all");
    CHECK(!matches("/...", "*"), "/... does not match a non-path");
    CHECK(!matches("/a/b", "/a%2Fb") && matches("/a%2Fb", "/a%2Fb"), "matching is on raw text");
    CHECK(!matches("/Foo", "/foo"), "case-sensitive");

    /* should_produce_relative_path */
    check_raw_info("/static/...", "/static/images/icon.png", "/images/icon.png", __LINE__);
    check_raw_info("/static/images/icon.png", "/static/images/icon.png", "", __LINE__);
    check_raw_info("/...", "/", "/", __LINE__);
    check_raw_info("/", "/", "", __LINE__);
    check_raw_info("/foo/...", "/foo", "", __LINE__);
    check_raw_info("/foo/...", "/foo/", "/", __LINE__);
    check_raw_info("/path/...", "/path/test%3brun", "/test%3brun", __LINE__);

    /* First match wins across modules: an early /... shadows the rest. */
    GwRouteTable t;
    GwRouteMatch m;
    gw_route_table_init(&t, GW_ROUTING_WAGI);
    add_ok(&t, "/a", 0, NULL, NULL);
    add_ok(&t, "/...", 1, NULL, NULL);
    add_ok(&t, "/b", 2, NULL, NULL);
    add_ok(&t, "/a", 3, NULL, NULL);
    CHECK(match(&t, "/a", &m) && m.entry->handler == 0, "first of two equal routes wins");
    CHECK(match(&t, "/b", &m) && m.entry->handler == 1, "an earlier /... shadows /b");
    CHECK(match(&t, "/", &m) && m.entry->handler == 1, "/ goes to /...");
    CHECK(t.count == 4 && strcmp(t.entries[1].entrypoint, "_start") == 0,
          "entrypoint defaults to _start");
    CHECK_STR(t.entries[1].script_name, "/", "SCRIPT_NAME of /... is /");
    gw_route_table_free(&t);
    CHECK(t.count == 0 && t.entries == NULL, "free empties the table");

    CHECK(gw_route_is_healthz("/healthz", 8), "/healthz");
    CHECK(!gw_route_is_healthz("/healthz/", 9) && !gw_route_is_healthz("/healthzz", 9) &&
              !gw_route_is_healthz("/Healthz", 8) && !gw_route_is_healthz("/health", 7),
          "only exactly /healthz");

    GwRouteError err;
    gw_route_table_init(&t, GW_ROUTING_WAGI);
    CHECK(gw_route_table_add_module(&t, "nope", 0, NULL, NULL, 0, &err) == GW_ERR_INVALID &&
              strstr(err.message, "must start with '/'") && t.count == 0,
          "a bad module route is refused");
    gw_route_table_free(&t);
}

/* ---- _routes ---- */

static const char *dyn_text = "/exact on_exact\n/wildcard/... on_wildcard\n/main _start\n";

/* One row of WAGI.md's dynamic-routes table, checked through the whole environment. */
static void check_dyn_row(const GwRouteTable *t, const char *path, unsigned handler,
                          const char *entrypoint, const char *matched, const char *script,
                          const char *info, int line)
{
    fresh_arena();
    GwRequest req = request("GET", path, NULL, 0);
    GwCgiServer srv = {0};
    GwStrList env;
    GwRouteMatch m;
    if (!route_env(t, &req, &srv, NULL, 0, &env, &m)) {
        check_str_at("(no match)", path, "dynamic route", line);
        return;
    }
    if (m.entry->handler != handler) {
        failed++;
        fprintf(stderr, "%s:%d: FAIL: %s: handler %u, want %u\n", __FILE__, line, path,
                m.entry->handler, handler);
    } else {
        passed++;
    }
    check_str_at(m.entry->entrypoint, entrypoint, "entrypoint", line);
    check_str_at(env_get_at(&env, "X_MATCHED_ROUTE", line), matched, "X_MATCHED_ROUTE", line);
    check_str_at(env_get_at(&env, "SCRIPT_NAME", line), script, "SCRIPT_NAME", line);
    check_str_at(env_get_at(&env, "PATH_INFO", line), info, "PATH_INFO", line);
}

static void test_dynamic_routes(void)
{
    GwRouteTable t;
    gw_route_table_init(&t, GW_ROUTING_WAGI);
    add_ok(&t, "/", 0, "main", NULL);
    add_ok(&t, "/exactparent", 1, "main", dyn_text);
    add_ok(&t, "/wildcardparent/...", 2, "main", dyn_text);
    add_ok(&t, "/exactparentslash/", 3, "main", dyn_text);
    CHECK(t.count == 1 + 3 * 4, "three sub-routes plus the parent per module");
    /* WAGI.md 1.6, "Dynamic routes", verbatim. */
    check_dyn_row(&t, "/", 0, "main", "/", "/", "", __LINE__);
    check_dyn_row(&t, "/exactparent/exact", 1, "on_exact", "/exactparent/exact",
                  "/exactparent/exact", "", __LINE__);
    check_dyn_row(&t, "/exactparent/wildcard/fizz/buzz", 1, "on_wildcard",
                  "/exactparent/wildcard/...", "/exactparent/wildcard", "/fizz/buzz", __LINE__);
    check_dyn_row(&t, "/wildcardparent", 2, "main", "/wildcardparent/...", "/wildcardparent", "",
                  __LINE__);
    check_dyn_row(&t, "/wildcardparent/fizz/buzz", 2, "main", "/wildcardparent/...",
                  "/wildcardparent", "/fizz/buzz", __LINE__);
    check_dyn_row(&t, "/exactparentslash/exact", 3, "on_exact", "/exactparentslash/exact",
                  "/exactparentslash/exact", "", __LINE__);
    /* And around it. */
    check_dyn_row(&t, "/exactparent", 1, "main", "/exactparent", "/exactparent", "", __LINE__);
    check_dyn_row(&t, "/exactparent/main", 1, "_start", "/exactparent/main", "/exactparent/main",
                  "", __LINE__);
    check_dyn_row(&t, "/wildcardparent/exact", 2, "on_exact", "/wildcardparent/exact",
                  "/wildcardparent/exact", "", __LINE__);
    check_dyn_row(&t, "/wildcardparent/wildcard", 2, "on_wildcard", "/wildcardparent/wildcard/...",
                  "/wildcardparent/wildcard", "", __LINE__);
    check_dyn_row(&t, "/exactparentslash/", 3, "main", "/exactparentslash/", "/exactparentslash/",
                  "", __LINE__);
    GwRouteMatch m;
    CHECK(!match(&t, "/exactparent/other", &m), "an exact parent has no other sub-paths");
    CHECK(!match(&t, "/exactparent/wildcardx", &m), "nor /wildcardx");
    /* Table order: sub-routes in reverse print order, then the parent. */
    CHECK_STR(t.entries[1].route, "/exactparent/main", "last printed first");
    CHECK_STR(t.entries[2].route, "/exactparent/wildcard/...", "then the middle one");
    CHECK_STR(t.entries[3].route, "/exactparent/exact", "then the first printed");
    CHECK_STR(t.entries[4].route, "/exactparent", "then the parent");
    CHECK(t.entries[1].dynamic && !t.entries[4].dynamic && t.entries[1].handler == 1,
          "sub-routes are marked dynamic and keep the module number");
    gw_route_table_free(&t);

    /* The last printed wins between equal sub-routes. */
    gw_route_table_init(&t, GW_ROUTING_WAGI);
    add_ok(&t, "/p/...", 0, NULL, "/a first\n/a second\n");
    CHECK(match(&t, "/p/a", &m) && strcmp(m.entry->entrypoint, "second") == 0, "last printed wins");
    gw_route_table_free(&t);

    /* concat_no_duplicate_slash. */
    gw_route_table_init(&t, GW_ROUTING_WAGI);
    add_ok(&t, "/example", 0, NULL, "/hello hello\n");
    add_ok(&t, "/noslash/", 1, NULL, "bare bare\n");
    add_ok(&t, "/kid/...", 3, NULL, "/... all\n");
    add_ok(&t, "/root", 4, NULL, "/ slash\n");
    add_ok(&t, "/...", 2, NULL, "/top top\n");
    CHECK_STR(t.entries[0].route, "/example/hello", "/example + /hello");
    CHECK_STR(t.entries[2].route, "/noslash/bare", "/noslash/ + bare");
    CHECK_STR(t.entries[4].route, "/kid//...", "/kid/... + /... is the prefix /kid/");
    CHECK_STR(t.entries[6].route, "/root/", "/root + / is /root/");
    CHECK_STR(t.entries[8].route, "/top", "/... + /top");
    CHECK(match(&t, "/kid/", &m) && strcmp(m.entry->entrypoint, "all") == 0,
          "/kid//... matches /kid/");
    CHECK(match(&t, "/kid", &m) && strcmp(m.entry->entrypoint, "_start") == 0,
          "but /kid is the parent's");
    gw_route_table_free(&t);
}

static void check_routes_err(const char *text, size_t len, const char *want, int line)
{
    GwRouteTable t;
    GwRouteError err;
    gw_route_table_init(&t, GW_ROUTING_WAGI);
    add_ok(&t, "/before", 9, NULL, NULL);
    GwStatus st = gw_route_table_add_module(&t, "/p", 0, NULL, text, len, &err);
    if (st == GW_ERR_INVALID && strstr(err.message, want) && t.count == 1) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "%s:%d: FAIL: _routes: status %d, count %zu, message '%s', want '%s'\n",
                __FILE__, line, st, t.count, st ? err.message : "", want);
    }
    gw_route_table_free(&t);
}
#define ROUTES_ERR(text, want) check_routes_err((text), sizeof(text) - 1, (want), __LINE__)

static size_t routes_count(const char *text)
{
    GwRouteTable t;
    GwRouteError err;
    gw_route_table_init(&t, GW_ROUTING_WAGI);
    GwStatus st = gw_route_table_add_module(&t, "/p", 0, NULL, text, strlen(text), &err);
    size_t n = st == GW_OK ? t.count - 1 : (size_t)-1;
    gw_route_table_free(&t);
    return n;
}

static void test_routes_text(void)
{
    /* WAGI's dynamic_route.rs tests. */
    ROUTES_ERR("", "_routes printed nothing");
    ROUTES_ERR("/hello", "line 1 is '/hello': expected two columns '<route> <export>', found one");
    ROUTES_ERR("/hello hello\n/goodbye", "line 2 is '/goodbye'");
    ROUTES_ERR("/hello hello heya", "found three or more");
    ROUTES_ERR("/hello hello\n/goodbye goodbye and_farewell", "line 2");
    CHECK(routes_count("/hello hello") == 1, "two columns");
    CHECK(routes_count("/hello hello\n") == 1, "trailing newline");
    CHECK(routes_count("/hello hello\n/goodbye goodbye") == 2, "two lines");
    /* Around them. */
    CHECK(routes_count("\n\n/a a\n\n/b b\n") == 2, "empty lines are skipped");
    CHECK(routes_count("/a a\r\n/b b\r\n") == 2, "CRLF line endings");
    CHECK(routes_count("\r\n/a a\n") == 1, "a lone CR line is empty");
    CHECK(routes_count("  /a \t a  \n") == 1, "surrounding whitespace");
    ROUTES_ERR("/a a\n   \n", "line 2 is blank");
    ROUTES_ERR("/a \xff", "not UTF-8");
    ROUTES_ERR("/a a\n/b?x b", "line 2: route '/p/b?x' contains '?'");
    ROUTES_ERR("/a\x01 b", "control character");
    check_routes_err("/a\0x b", 6, "control character", __LINE__);
    CHECK(routes_count("\n") == 0, "only empty lines: no sub-routes, no error (as WAGI)");
}

/* ---- Spin precedence ---- */

static void test_route_spin(void)
{
    GwRouteTable t;
    GwRouteMatch m;
    gw_route_table_init(&t, GW_ROUTING_SPIN);
    add_ok(&t, "/...", 0, NULL, NULL);
    add_ok(&t, "/api/...", 1, NULL, NULL);
    add_ok(&t, "/api/v1/...", 2, NULL, NULL);
    add_ok(&t, "/api/v1", 3, NULL, NULL);
    add_ok(&t, "/api/...", 4, NULL, NULL);
    add_ok(&t, "/dup", 5, NULL, NULL);
    add_ok(&t, "/dup", 6, NULL, NULL);
    CHECK(match(&t, "/x", &m) && m.entry->handler == 0, "catch-all last resort");
    CHECK(match(&t, "/api/v1", &m) && m.entry->handler == 3, "exact beats prefix");
    CHECK(match(&t, "/api/v1/x", &m) && m.entry->handler == 2, "longest prefix wins");
    CHECK_MEM(m.raw_path_info, m.raw_path_info_len, "/x", "its path info");
    CHECK(match(&t, "/api/v2", &m) && m.entry->handler == 4, "equal prefixes: the later wins");
    CHECK(match(&t, "/dup", &m) && m.entry->handler == 6, "equal exacts: the later wins");
    gw_route_table_free(&t);

    gw_route_table_init(&t, GW_ROUTING_SPIN);
    add_ok(&t, "/p/...", 0, "main", "/a first\n/a second\n/b/... b\n");
    add_ok(&t, "/p/b/...", 1, NULL, NULL);
    CHECK(match(&t, "/p/a", &m) && strcmp(m.entry->entrypoint, "second") == 0,
          "sub-routes: the last printed wins here too");
    CHECK(match(&t, "/p/b/c", &m) && m.entry->handler == 1, "a later module's equal prefix wins");
    CHECK(match(&t, "/p/c", &m) && strcmp(m.entry->entrypoint, "main") == 0, "parent prefix");
    gw_route_table_free(&t);

    gw_route_table_init(&t, GW_ROUTING_WAGI);
    add_ok(&t, "/...", 0, NULL, NULL);
    add_ok(&t, "/api", 1, NULL, NULL);
    CHECK(match(&t, "/api", &m) && m.entry->handler == 0, "WAGI mode: first match");
    t.mode = GW_ROUTING_SPIN;
    CHECK(match(&t, "/api", &m) && m.entry->handler == 1, "same table, Spin mode: exact");
    gw_route_table_free(&t);
}

/* ---- CGI environment ---- */

/* WAGI's test_headers (http_util.rs), verbatim: route /path/..., POST
 * https://example.com:3000/path/test%3brun?foo=bar, TLS, client 192.168.0.1, body 1234. */
/* gw_route_slug: the readable part of a route's log folder. */
static void slug_is(int line, const char *route, const char *want)
{
    char out[GW_ROUTE_SLUG_MAX + 1];
    memset(out, 'X', sizeof out);
    size_t n = gw_route_slug(route, out);
    if (n == strlen(want) && !strcmp(out, want)) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "%s:%d: FAIL: gw_route_slug('%s') = '%.*s' (%zu), want '%s'\n", __FILE__, line,
            route, (int)sizeof out, out, n, want);
}

static void test_route_slug(void)
{
    slug_is(__LINE__, "/", "root");
    slug_is(__LINE__, "/...", "root_...");
    slug_is(__LINE__, "/hello", "hello");
    slug_is(__LINE__, "/hello/", "hello");
    slug_is(__LINE__, "/static/...", "static_...");
    slug_is(__LINE__, "/api/v1/users/:id", "api_v1_users_id");
    slug_is(__LINE__, "/a//b", "a_b");
    slug_is(__LINE__, "/caf%C3%A9", "caf_C3_A9");
    slug_is(__LINE__, "/caf\xc3\xa9/x", "caf_x");
    slug_is(__LINE__, "/../../etc", "etc");
    slug_is(__LINE__, "/.hidden", "hidden");
    slug_is(__LINE__, "/a.b-c_d", "a.b-c_d");
    slug_is(__LINE__, "/%20", "20");
    slug_is(__LINE__, "/$&'()*+,;=@~!", "root");
    /* 48 bytes at most, never ending in the separator */
    slug_is(__LINE__,
            "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    slug_is(__LINE__, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/b",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    slug_is(__LINE__, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/b",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_b");
    /* every byte value: only safe characters come out */
    char route[3] = "/";
    for (int c = 1; c < 256; c++) {
        route[1] = (char)c;
        char out[GW_ROUTE_SLUG_MAX + 1];
        size_t n = gw_route_slug(route, out);
        bool safe = n > 0 && out[0] != '.' && strlen(out) == n;
        for (size_t i = 0; i < n; i++)
            safe = safe && (isalnum((unsigned char)out[i]) || strchr("._-", out[i]));
        CHECK(safe, "gw_route_slug of any byte is safe as a file name");
    }
}

static void test_env_golden(void)
{
    fresh_arena();
    GwRouteTable t;
    gw_route_table_init(&t, GW_ROUTING_WAGI);
    add_ok(&t, "/path/...", 0, NULL, NULL);
    GwHeader h[] = {
        HDR("X-Test-Header", "hello"),       HDR("Accept", "text/html"),
        HDR("User-agent", "test"),           HDR("Host", "example.com:3000"),
        HDR("Authorization", "supersecret"), HDR("Connection", "sensitive"),
    };
    GwRequest req =
        request("POST", "https://example.com:3000/path/test%3brun?foo=bar", h, COUNT(h));
    req.tls = true;
    req.remote_ip = "192.168.0.1";
    req.remote_port = 3000;
    req.body_len = 1234;
    GwCgiServer srv = {.default_host = "example.com:3000"};
    GwStrList env;
    GwRouteMatch m;
    CHECK(route_env(&t, &req, &srv, NULL, 0, &env, &m), "golden request routes and builds");
    CHECK_STR(ENV(&env, "X_MATCHED_ROUTE"), "/path/...", "X_MATCHED_ROUTE");
    CHECK_STR(ENV(&env, "HTTP_ACCEPT"), "text/html", "HTTP_ACCEPT");
    CHECK_STR(ENV(&env, "REQUEST_METHOD"), "POST", "REQUEST_METHOD");
    CHECK_STR(ENV(&env, "SERVER_PROTOCOL"), "HTTP/1.1", "SERVER_PROTOCOL");
    CHECK_STR(ENV(&env, "HTTP_USER_AGENT"), "test", "HTTP_USER_AGENT");
    CHECK_STR(ENV(&env, "SCRIPT_NAME"), "/path", "SCRIPT_NAME");
    CHECK_STR(ENV(&env, "SERVER_SOFTWARE"), "WAGI/1", "SERVER_SOFTWARE");
    CHECK_STR(ENV(&env, "SERVER_PORT"), "3000", "SERVER_PORT");
    CHECK_STR(ENV(&env, "SERVER_NAME"), "example.com", "SERVER_NAME");
    CHECK_STR(ENV(&env, "AUTH_TYPE"), "", "AUTH_TYPE");
    CHECK_STR(ENV(&env, "REMOTE_ADDR"), "192.168.0.1", "REMOTE_ADDR");
    CHECK_STR(ENV(&env, "REMOTE_HOST"), "192.168.0.1", "REMOTE_HOST");
    CHECK_STR(ENV(&env, "PATH_INFO"), "/test;run", "PATH_INFO");
    CHECK_STR(ENV(&env, "PATH_TRANSLATED"), "/test;run", "PATH_TRANSLATED");
    CHECK_STR(ENV(&env, "X_RAW_PATH_INFO"), "/test%3brun", "X_RAW_PATH_INFO");
    CHECK_STR(ENV(&env, "QUERY_STRING"), "foo=bar", "QUERY_STRING");
    CHECK_STR(ENV(&env, "CONTENT_LENGTH"), "1234", "CONTENT_LENGTH");
    CHECK_STR(ENV(&env, "HTTP_HOST"), "example.com:3000", "HTTP_HOST");
    CHECK_STR(ENV(&env, "GATEWAY_INTERFACE"), "CGI/1.1", "GATEWAY_INTERFACE");
    CHECK_STR(ENV(&env, "REMOTE_USER"), "", "REMOTE_USER");
    CHECK_STR(ENV(&env, "X_FULL_URL"), "https://example.com:3000/path/test%3brun?foo=bar",
              "X_FULL_URL");
    CHECK_STR(ENV(&env, "HTTP_X_TEST_HEADER"), "hello", "HTTP_X_TEST_HEADER");
    CHECK(!env_has(&env, "HTTP_AUTHORIZATION"), "no HTTP_AUTHORIZATION");
    CHECK(!env_has(&env, "HTTP_CONNECTION"), "no HTTP_CONNECTION");
    CHECK_STR(ENV(&env, "CONTENT_TYPE"), "", "CONTENT_TYPE without the header");
    CHECK(env.count == GW_CGI_COUNT + 4 && env.items[env.count] == NULL,
          "19 CGI variables, 4 headers, NULL-terminated");
    /* The same through the default --hostname: the Host header decides. */
    fresh_arena();
    srv.default_host = NULL;
    CHECK(route_env(&t, &req, &srv, NULL, 0, &env, &m), "with the default --hostname");
    CHECK_STR(ENV(&env, "SERVER_NAME"), "example.com", "Host header host");
    CHECK_STR(ENV(&env, "SERVER_PORT"), "3000", "Host header port");
    gw_route_table_free(&t);
}

/* Builds the environment of a GET to target on route with headers h, default --hostname. */
static bool env_for(const char *route, const GwRequest *req, GwStrList *env)
{
    GwRouteTable t;
    GwRouteMatch m;
    GwCgiServer srv = {0};
    fresh_arena();
    gw_route_table_init(&t, GW_ROUTING_WAGI);
    add_ok(&t, route, 0, NULL, NULL);
    bool ok = route_env(&t, req, &srv, NULL, 0, env, &m);
    gw_route_table_free(&t); /* env holds copies: it outlives the table */
    return ok;
}

/* Each row of WAGI.md 1.6 on its own (not already pinned by the golden vector). */
static void test_env_table(void)
{
    GwStrList env;
    GwHeader h[] = {HDR("Host", "example.com"), HDR("Content-Type", "text/plain; charset=utf-8"),
                    HDR("Content-Length", "4")};
    GwRequest req = request("PUT", "/app/a%20b%2Fc/%zz%?x=1&y", h, COUNT(h));
    req.version = "HTTP/1.0";
    req.body_len = 0;
    const char *route = "/app/...";
    CHECK(env_for(route, &req, &env), "builds");
    CHECK_STR(ENV(&env, "X_MATCHED_ROUTE"), "/app/...", "X_MATCHED_ROUTE");
    CHECK_STR(ENV(&env, "SCRIPT_NAME"), "/app", "SCRIPT_NAME");
    CHECK_STR(ENV(&env, "AUTH_TYPE"), "", "AUTH_TYPE always empty");
    CHECK_STR(ENV(&env, "CONTENT_LENGTH"), "0", "CONTENT_LENGTH 0 for no body");
    CHECK_STR(ENV(&env, "CONTENT_TYPE"), "text/plain; charset=utf-8", "CONTENT_TYPE fixed");
    CHECK_STR(ENV(&env, "HTTP_CONTENT_TYPE"), "text/plain; charset=utf-8", "HTTP_CONTENT_TYPE");
    CHECK_STR(ENV(&env, "HTTP_CONTENT_LENGTH"), "4", "HTTP_CONTENT_LENGTH");
    CHECK_STR(ENV(&env, "GATEWAY_INTERFACE"), "CGI/1.1", "GATEWAY_INTERFACE");
    CHECK_STR(ENV(&env, "X_FULL_URL"), "http://example.com:3000/app/a%20b%2Fc/%zz%?x=1&y",
              "X_FULL_URL: http without TLS, port always present, raw target");
    CHECK_STR(ENV(&env, "QUERY_STRING"), "x=1&y", "QUERY_STRING raw");
    CHECK_STR(ENV(&env, "REMOTE_ADDR"), "127.0.0.1", "REMOTE_ADDR");
    CHECK_STR(ENV(&env, "REMOTE_HOST"), "127.0.0.1", "REMOTE_HOST = REMOTE_ADDR");
    CHECK_STR(ENV(&env, "REMOTE_USER"), "", "REMOTE_USER always empty");
    CHECK_STR(ENV(&env, "REQUEST_METHOD"), "PUT", "REQUEST_METHOD");
    CHECK_STR(ENV(&env, "X_RAW_PATH_INFO"), "/a%20b%2Fc/%zz%", "X_RAW_PATH_INFO not decoded");
    CHECK_STR(ENV(&env, "PATH_INFO"), "/a b/c/%zz%", "PATH_INFO decoded; bad escapes stay");
    CHECK_STR(ENV(&env, "PATH_TRANSLATED"), "/a b/c/%zz%", "PATH_TRANSLATED = PATH_INFO");
    CHECK_STR(ENV(&env, "SERVER_NAME"), "example.com", "SERVER_NAME from Host");
    CHECK_STR(ENV(&env, "SERVER_PORT"), "3000", "SERVER_PORT from --hostname");
    CHECK_STR(ENV(&env, "SERVER_PROTOCOL"), "HTTP/1.0", "SERVER_PROTOCOL as received");
    CHECK_STR(ENV(&env, "SERVER_SOFTWARE"), "WAGI/1", "SERVER_SOFTWARE");
    CHECK(env.count == GW_CGI_COUNT + 3, "one variable per header");

    req = request("GET", "/app", NULL, 0);
    CHECK(env_for(route, &req, &env), "builds without query");
    CHECK_STR(ENV(&env, "QUERY_STRING"), "", "QUERY_STRING empty without '?'");
    CHECK_STR(ENV(&env, "X_FULL_URL"), "http://localhost:3000/app", "X_FULL_URL without query");
    CHECK_STR(ENV(&env, "PATH_INFO"), "", "PATH_INFO empty at the prefix itself");
    CHECK_STR(ENV(&env, "CONTENT_TYPE"), "", "CONTENT_TYPE empty without the header");
    req = request("GET", "/app?", NULL, 0);
    CHECK(env_for(route, &req, &env), "builds with an empty query");
    CHECK_STR(ENV(&env, "X_FULL_URL"), "http://localhost:3000/app?", "X_FULL_URL keeps the '?'");

    /* PATH_INFO decoding: invalid UTF-8 becomes U+FFFD per maximal subpart (from_utf8_lossy). */
    req = request("GET", "/app/%FF%e2%82x%C3%A9%F0%9F%98%80", NULL, 0);
    CHECK(env_for(route, &req, &env), "builds with bad UTF-8 in the path");
    CHECK_STR(ENV(&env, "PATH_INFO"), "/\xef\xbf\xbd\xef\xbf\xbdx\xc3\xa9\xf0\x9f\x98\x80",
              "PATH_INFO lossy");
    CHECK_STR(ENV(&env, "X_RAW_PATH_INFO"), "/%FF%e2%82x%C3%A9%F0%9F%98%80", "raw stays raw");
    req.body_len = UINT64_MAX;
    CHECK(env_for(route, &req, &env), "builds with a huge body");
    CHECK_STR(ENV(&env, "CONTENT_LENGTH"), "18446744073709551615", "CONTENT_LENGTH u64");

    /* Bad requests. */
    GwRouteMatch m = {0};
    GwRouteEntry e = {.route = "/...", .route_len = 4, .script_name = "/", .script_name_len = 1};
    m.entry = &e;
    GwCgiServer srv = {0};
    const char *bad[] = {"/a b", "/caf\xc3\xa9", "/a\x7f", "/a\tb"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        req = request("GET", bad[i], NULL, 0);
        m.raw_path_info = bad[i];
        m.raw_path_info_len = strlen(bad[i]);
        CHECK(gw_cgi_env_build(&arena, &req, &m, &srv, NULL, 0, &env) == GW_ERR_BAD_REQUEST,
              "target outside visible ASCII is a bad request");
    }
    req = request("GET", "/a%00b", NULL, 0);
    m.raw_path_info = "/a%00b";
    m.raw_path_info_len = 6;
    CHECK(gw_cgi_env_build(&arena, &req, &m, &srv, NULL, 0, &env) == GW_ERR_BAD_REQUEST,
          "PATH_INFO decoding to NUL is a bad request");
    m.raw_path_info = "/a";
    m.raw_path_info_len = 2;
    req = request("GE T", "/a", NULL, 0);
    CHECK(gw_cgi_env_build(&arena, &req, &m, &srv, NULL, 0, &env) == GW_ERR_BAD_REQUEST,
          "a method that is not a token is a bad request");
    req = request(NULL, "/a", NULL, 0);
    CHECK(gw_cgi_env_build(&arena, &req, &m, &srv, NULL, 0, &env) == GW_ERR_BAD_REQUEST,
          "no method is a bad request");
    req = request("GET", NULL, NULL, 0);
    CHECK(gw_cgi_env_build(&arena, &req, &m, &srv, NULL, 0, &env) == GW_ERR_BAD_REQUEST,
          "no target is a bad request");
}

/* SERVER_NAME:SERVER_PORT for target with an optional Host value and --hostname dflt. */
static void check_host(const char *target, const char *host, const char *dflt, const char *want,
                       int line)
{
    GwHeader h[] = {{"Host", 4, host, host ? strlen(host) : 0}};
    GwRequest req = request("GET", target, h, host ? 1 : 0);
    GwTarget t;
    gw_target_parse(target, &t);
    GwHostPort hp = gw_cgi_host_port(&req, &t, dflt);
    char got[200];
    snprintf(got, sizeof got, "%.*s:%.*s", (int)hp.host_len, hp.host, (int)hp.port_len, hp.port);
    check_str_at(got, want, target, line);
}

static void test_host(void)
{
    /* WAGI's test_parse_host_header_uri, verbatim. */
    check_host("http://localhost:443/foo/bar", "wagi.net:31337", "example.com:1234",
               "wagi.net:31337", __LINE__);
    check_host("http://localhost:443/foo/bar", "wagi.net", "example.com:1234", "wagi.net:1234",
               __LINE__);
    check_host("http://localhost:8080/foo/bar", NULL, "example.com:1234", "example.com:1234",
               __LINE__);
    check_host("http://localhost:8080/foo/bar", NULL, "", "localhost:8080", __LINE__);
    /* WAGI.md: Host: wagi.net with the default --hostname gives wagi.net:3000. */
    check_host("/", "wagi.net", NULL, "wagi.net:3000", __LINE__);
    check_host("/", NULL, NULL, "localhost:3000", __LINE__);
    check_host("/", "wagi.net:8080", NULL, "wagi.net:8080", __LINE__);
    check_host("/", NULL, "", "localhost:80", __LINE__);
    check_host("/", "", NULL, "localhost:3000", __LINE__);
    check_host("/", ":9000", NULL, "localhost:9000", __LINE__);
    check_host("/", "wagi.net:", NULL, "wagi.net:3000", __LINE__);
    check_host("/", "a:b:c", NULL, "a:b:c", __LINE__);
    check_host("/", NULL, "myhost", "myhost:80", __LINE__);
    check_host("http://uri.example/x", NULL, "", "uri.example:80", __LINE__);
    check_host("https://uri.example/x", NULL, "", "uri.example:80", __LINE__);
    /* IPv6 literals (fixed: WAGI splits them at their first ':'). */
    check_host("/", "[::1]:8080", NULL, "[::1]:8080", __LINE__);
    check_host("/", "[2001:db8::1]", NULL, "[2001:db8::1]:3000", __LINE__);
    check_host("http://[::1]:9/x", NULL, "", "[::1]:9", __LINE__);
    check_host("/", NULL, "[::1]:7", "[::1]:7", __LINE__);
    /* A Host value that is not visible ASCII is ignored, as hyper's to_str fails on it. */
    check_host("/", "caf\xc3\xa9.example", NULL, "localhost:3000", __LINE__);
    check_host("/", "a\x01", NULL, "localhost:3000", __LINE__);
    /* The first Host header counts (hyper's headers.get). */
    GwHeader h[] = {HDR("host", "first:1"), HDR("HOST", "second:2")};
    GwRequest req = request("GET", "/", h, 2);
    GwTarget t;
    gw_target_parse("/", &t);
    GwHostPort hp = gw_cgi_host_port(&req, &t, NULL);
    CHECK_MEM(hp.host, hp.host_len, "first", "first Host header");
}

static void test_env_headers(void)
{
    GwStrList env;
    GwHeader h[] = {
        HDR("x-lower-case", "a"),
        HDR("X-Dup", "one"),
        HDR("X-Dup", "two"),
        HDR("X-Mix", "dash"),
        HDR("X_Mix", "underscore"),
        HDR("Proxy", "http://evil:8080"),
        HDR("Proxy-Authorization", "Basic x"),
        HDR("proxy-connection", "keep-alive"),
        HDR("Proxy_Smuggled", "x"),
        HDR("Proxyless", "kept"),
        HDR("AUTHORIZATION", "secret"),
        HDR("connection", "close"),
        HDR("Bad Name", "x"),
        HDR("Bad=Name", "x"),
        HDR("", "empty name"),
        {"Nul\0Name", 8, "x", 1},
        {"X-Nul", 5, "a\0b", 3},
        HDR("X-Cr", "a\rb"),
        HDR("X-Lf", "a\nb"),
        HDR("X-Binary", "\xff\xfe"),
        HDR("X-Utf8", "caf\xc3\xa9"),
        HDR("X-Empty", ""),
        HDR("X-Tab", "a\tb"),
        HDR("X-Ctl", "a\x01"
                     "b"),
        HDR("X-Dropped-Later", "first"),
        {"X-Dropped-Later", 15, "bad\0", 4},
        HDR("Content-Type", "application/json"),
        HDR("Content_Type", "text/late"),
    };
    GwRequest req = request("GET", "/", h, COUNT(h));
    CHECK(env_for("/", &req, &env), "builds");
    CHECK_STR(ENV(&env, "HTTP_X_LOWER_CASE"), "a", "upper-cased, '-' to '_'");
    CHECK_STR(ENV(&env, "HTTP_X_DUP"), "two", "duplicates: last wins");
    CHECK_STR(ENV(&env, "HTTP_X_MIX"), "underscore", "X-Mix and X_Mix are one name, last wins");
    CHECK(!env_has(&env, "HTTP_PROXY"), "httpoxy: Proxy skipped");
    CHECK(!env_has(&env, "HTTP_PROXY_AUTHORIZATION"), "Proxy-Authorization skipped");
    CHECK(!env_has(&env, "HTTP_PROXY_CONNECTION"), "Proxy-Connection skipped");
    CHECK(!env_has(&env, "HTTP_PROXY_SMUGGLED"), "Proxy_* skipped too");
    CHECK_STR(ENV(&env, "HTTP_PROXYLESS"), "kept", "a name merely starting Proxy is kept");
    CHECK(!env_has(&env, "HTTP_AUTHORIZATION") && !env_has(&env, "HTTP_CONNECTION"),
          "Authorization and Connection skipped in any case");
    for (size_t i = 0; i < env.count; i++) {
        const char *eq = strchr(env.items[i], '=');
        bool name_ok = eq && eq > env.items[i];
        for (const char *p = env.items[i]; name_ok && p < eq; p++)
            name_ok = gw_is_tchar((unsigned char)*p);
        CHECK(name_ok, "every name is a non-empty token before the first '='");
        CHECK(strstr(env.items[i], "BAD") == NULL && strstr(env.items[i], "HTTP_NUL") == NULL,
              "bad names skipped");
    }
    CHECK(!env_has(&env, "HTTP_"), "empty name skipped");
    CHECK(!env_has(&env, "HTTP_X_NUL") && !env_has(&env, "HTTP_X_CR") &&
              !env_has(&env, "HTTP_X_LF"),
          "NUL, CR, LF values drop the header");
    CHECK_STR(ENV(&env, "HTTP_X_BINARY"), "CORRUPT VALUE", "non-UTF-8 value");
    CHECK_STR(ENV(&env, "HTTP_X_UTF8"), "caf\xc3\xa9", "UTF-8 value kept");
    CHECK_STR(ENV(&env, "HTTP_X_EMPTY"), "", "empty value kept");
    CHECK_STR(ENV(&env, "HTTP_X_TAB"), "a\tb", "HTAB kept");
    CHECK_STR(ENV(&env, "HTTP_X_CTL"),
              "a\x01"
              "b",
              "other CTLs kept (harmless in env)");
    CHECK_STR(ENV(&env, "HTTP_X_DROPPED_LATER"), "first",
              "a dropped later duplicate does not hide the earlier one");
    CHECK_STR(ENV(&env, "HTTP_CONTENT_TYPE"), "text/late", "Content_Type maps to the same name");
    CHECK_STR(ENV(&env, "CONTENT_TYPE"), "text/late", "CONTENT_TYPE follows HTTP_CONTENT_TYPE");

    GwHeader ct[] = {HDR("content-type", "\xff"), HDR("CONTENT-TYPE", "bad\n")};
    req = request("GET", "/", ct, COUNT(ct));
    CHECK(env_for("/", &req, &env), "builds");
    CHECK_STR(ENV(&env, "CONTENT_TYPE"), "CORRUPT VALUE", "CONTENT_TYPE: corrupt, dropped last");
}

static void test_env_precedence(void)
{
    GwEnvVar global[] = {
        {"A", "from-env-file"}, {"B", "global"},    {"A", "from-env"}, {"SERVER_NAME", "evil"},
        {"HTTP_X", "user"},     {"HTTP_Y", "user"}, {"", "empty"},     {"BAD=NAME", "x"},
        {NULL, "null"},         {"NULLV", NULL},    {"EMPTYV", ""},
    };
    GwEnvVar module[] = {{"B", "module-1"}, {"C", "c"}, {"B", "module-2"}, {"PATH_INFO", "evil"}};
    GwHeader h[] = {HDR("X", "header")};
    GwCgiServer srv = {.default_host = NULL, .global_env = global, .nglobal_env = COUNT(global)};
    GwRouteTable t;
    GwRouteMatch m;
    GwStrList env;
    fresh_arena();
    gw_route_table_init(&t, GW_ROUTING_WAGI);
    add_ok(&t, "/...", 0, NULL, NULL);
    GwRequest req = request("GET", "/p", h, 1);
    CHECK(route_env(&t, &req, &srv, module, COUNT(module), &env, &m), "builds");
    CHECK_STR(ENV(&env, "A"), "from-env", "--env beats --env-file");
    CHECK_STR(ENV(&env, "B"), "module-2", "module environment beats global; its last wins");
    CHECK_STR(ENV(&env, "C"), "c", "module-only variable");
    CHECK_STR(ENV(&env, "SERVER_NAME"), "localhost", "CGI variables beat global");
    CHECK_STR(ENV(&env, "PATH_INFO"), "/p", "CGI variables beat the module's");
    CHECK_STR(ENV(&env, "HTTP_X"), "header", "HTTP_* beats user variables");
    CHECK_STR(ENV(&env, "HTTP_Y"), "user", "a user HTTP_ name without a header stays");
    CHECK_STR(ENV(&env, "NULLV"), "", "NULL value is empty");
    CHECK_STR(ENV(&env, "EMPTYV"), "", "empty value");
    CHECK(!env_has(&env, "") && !env_has(&env, "BAD"), "bad user names skipped");
    CHECK(env.count == GW_CGI_COUNT + 1 + 6, "each name once");
    gw_route_table_free(&t);
}

/* ---- argv ---- */

static void check_argv(const char *target, const char *tpl, const char *const *want, size_t n,
                       int line)
{
    fresh_arena();
    GwRequest req = request("GET", target, NULL, 0);
    GwStrList argv;
    if (gw_cgi_argv_build(&arena, &req, tpl, &argv) != GW_OK) {
        check_str_at("(error)", target, "argv", line);
        return;
    }
    bool same = argv.count == n && argv.items[n] == NULL;
    for (size_t i = 0; same && i < n; i++)
        same = strcmp(argv.items[i], want[i]) == 0;
    if (same) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "%s:%d: FAIL: argv of %s:", __FILE__, line, target);
    for (size_t i = 0; i < argv.count; i++)
        fprintf(stderr, " '%s'", argv.items[i]);
    fprintf(stderr, "\n");
}
#define ARGV(target, tpl, ...)                                                                     \
    do {                                                                                           \
        static const char *const want_[] = {__VA_ARGS__};                                          \
        check_argv((target), (tpl), want_, COUNT(want_), __LINE__);                                \
    } while (0)

static void test_argv(void)
{
    /* WAGI.md 1.7. */
    ARGV("/env/foo?greet=matt&foo=bar", NULL, "/env/foo", "greet=matt", "foo=bar");
    ARGV("/env/foo", NULL, "/env/foo");
    ARGV("/p?", NULL, "/p", "");
    ARGV("/p?a=1&&b&", NULL, "/p", "a=1", "", "b", "");
    ARGV("/p%20q?x%20y=1", NULL, "/p%20q", "x%20y=1");
    ARGV("https://h:1/abs?q=1", NULL, "/abs", "q=1");
    ARGV("/env/foo?greet=matt&foo=bar", "ruby index.rb ${SCRIPT_NAME} ${ARGS}", "ruby", "index.rb",
         "/env/foo", "greet=matt", "foo=bar");
    ARGV("/env/foo", "ruby index.rb ${SCRIPT_NAME} ${ARGS}", "ruby", "index.rb", "/env/foo");
    ARGV("/a?x", "  ${SCRIPT_NAME}${ARGS}\t--flag  ", "/ax", "--flag");
    ARGV("/a?x", "${SCRIPT_NAME}/${SCRIPT_NAME} [${ARGS}] ${OTHER} $ {ARGS}", "/a//a", "[x]",
         "${OTHER}", "$", "{ARGS}");
    /* One pass: text from the request is not expanded again. */
    ARGV("/${ARGS}?q", "${SCRIPT_NAME}", "/${ARGS}");
    ARGV("/p?${SCRIPT_NAME}", "${ARGS}", "${SCRIPT_NAME}");
    {
        fresh_arena();
        GwRequest req = request("GET", "/p", NULL, 0);
        GwStrList argv;
        CHECK(gw_cgi_argv_build(&arena, &req, "", &argv) == GW_OK && argv.count == 0 &&
                  argv.items[0] == NULL,
              "an empty template gives no arguments");
        CHECK(gw_cgi_argv_build(&arena, &req, "   ", &argv) == GW_OK && argv.count == 0,
              "a blank template gives no arguments");
        req.target = "/\xc3\xa9";
        CHECK(gw_cgi_argv_build(&arena, &req, NULL, &argv) == GW_ERR_BAD_REQUEST,
              "non-ASCII target refused");
    }
}

/* ---- arena overflow ---- */

static void test_overflow(void)
{
    GwRouteTable t;
    GwRouteMatch m;
    gw_route_table_init(&t, GW_ROUTING_WAGI);
    add_ok(&t, "/path/...", 0, NULL, NULL);
    GwHeader h[] = {HDR("X-Test-Header", "hello"), HDR("Host", "example.com:3000"),
                    HDR("X-Bin", "\xff")};
    GwRequest req =
        request("POST", "https://example.com:3000/path/test%3b%FFrun?foo=bar", h, COUNT(h));
    GwEnvVar genv[] = {{"G", "g"}};
    GwCgiServer srv = {.global_env = genv, .nglobal_env = 1};
    GwTarget tg;
    gw_target_parse(req.target, &tg);
    CHECK(gw_route_match(&t, tg.path, tg.path_len, &m), "routes");
    static alignas(max_align_t) unsigned char small[4096];
    GwStrList env;
    size_t need = 0;
    bool monotone = true;
    for (size_t cap = 0; cap <= sizeof small; cap++) {
        GwArena a;
        gw_arena_init(&a, small, cap);
        GwStatus st = gw_cgi_env_build(&a, &req, &m, &srv, NULL, 0, &env);
        if (st == GW_OK && !need)
            need = cap;
        if (need && st != GW_OK)
            monotone = false;
        if (!need && st != GW_ERR_NOMEM)
            monotone = false;
        CHECK(a.used <= cap, "never past the capacity");
    }
    CHECK(need > 0 && monotone, "env: NOMEM below the size it needs, OK from there on");

    need = 0;
    monotone = true;
    GwStrList argv;
    for (size_t cap = 0; cap <= 512; cap++) {
        GwArena a;
        gw_arena_init(&a, small, cap);
        GwStatus st =
            gw_cgi_argv_build(&a, &req, cap % 2 ? NULL : "x ${SCRIPT_NAME} ${ARGS}", &argv);
        CHECK(st == GW_OK || st == GW_ERR_NOMEM, "argv: OK or NOMEM");
        if (cap == 512)
            CHECK(st == GW_OK, "argv fits in 512");
    }

    static const char resp[] = "Content-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
                               "X-Long: 0123456789012345678901234567890123456789\r\n\r\nbody";
    need = 0;
    for (size_t cap = 0; cap <= 1024; cap++) {
        GwArena a;
        GwCgiResponse r;
        gw_arena_init(&a, small, cap);
        GwStatus st = gw_cgi_response_parse(&a, (const uint8_t *)resp, sizeof resp - 1, &r);
        if (st == GW_ERR_NOMEM) {
            CHECK(r.status == 500 && r.nheaders == 0 && r.body_len == 0 && r.error != NULL,
                  "response NOMEM is a usable 500");
        } else {
            CHECK(st == GW_OK && r.status == 200 && r.nheaders == 4, "response fits");
            if (!need)
                need = cap;
        }
    }
    CHECK(need > 0 && need < 1024, "the response needed some arena");
    gw_route_table_free(&t);
}

/* ---- CGI response ---- */

static GwCgiResponse parse_resp(const char *out, size_t len)
{
    GwCgiResponse r;
    fresh_arena();
    GwStatus st = gw_cgi_response_parse(&arena, (const uint8_t *)out, len, &r);
    CHECK(st == GW_OK, "parse returns OK");
    return r;
}
#define PARSE(lit) parse_resp((lit), sizeof(lit) - 1)

static const char *hval(const GwCgiResponse *r, const char *lower_name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (gw_ascii_ieq(r->headers[i].name, r->headers[i].name_len, lower_name))
            return r->headers[i].value;
    return NULL;
}

static void check_error_resp(const GwCgiResponse *r, unsigned status, const char *body,
                             const char *why_part, int line)
{
    bool ok = r->status == status && r->nheaders == 0 && r->body_len == strlen(body) &&
              memcmp(r->body, body, r->body_len) == 0 && r->error && strstr(r->error, why_part);
    if (ok) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "%s:%d: FAIL: status %u (want %u), %zu headers, body '%.*s', error '%s'\n",
            __FILE__, line, r->status, status, r->nheaders, (int)r->body_len, r->body,
            r->error ? r->error : "(none)");
}
#define ERR502(lit, why)                                                                           \
    do {                                                                                           \
        GwCgiResponse r_ = PARSE(lit);                                                             \
        check_error_resp(&r_, 502, "", (why), __LINE__);                                           \
    } while (0)

static void test_response_wagi(void)
{
    /* can_serve_wat: CRLF headers, body CRs preserved. */
    GwCgiResponse r = PARSE("content-type: text/plain\r\n\r\nOh hi world\r\n");
    CHECK(r.status == 200 && r.nheaders == 1 && !r.error, "200, one header");
    CHECK_STR(r.headers[0].name, "content-type", "name as written, NUL-terminated");
    CHECK_STR(r.headers[0].value, "text/plain", "value NUL-terminated");
    CHECK(r.headers[0].name_len == 12 && r.headers[0].value_len == 10, "lengths");
    CHECK_MEM(r.body, r.body_len, "Oh hi world\r\n", "body bytes preserved");

    r = PARSE("Content-Type: text/html\n\n<p>\n\nstill body\r\n\r\n");
    CHECK_MEM(r.body, r.body_len, "<p>\n\nstill body\r\n\r\n", "only the first blank line counts");
    r = PARSE("Content-Type: a\n\r\nbody");
    CHECK(r.status == 200 && !r.error, "LF CR LF ends the headers");
    CHECK_MEM(r.body, r.body_len, "body", "body after LF CR LF");
    r = PARSE("Content-Type: a\n\n");
    CHECK(r.status == 200 && r.body_len == 0, "empty body");
    {
        static const char bin[] = "Content-Type: application/octet-stream\n\n\0\x01\xff\r";
        r = parse_resp(bin, sizeof bin - 1);
        CHECK(r.body_len == 4 && memcmp(r.body, "\0\x01\xff\r", 4) == 0, "binary body");
        CHECK(r.body == (const uint8_t *)bin + sizeof bin - 5, "the body points into stdout");
    }

    /* Status alone is sufficient; Status with a reason; status with content-type. */
    r = PARSE("Status: 204\n\n");
    CHECK(r.status == 204 && r.nheaders == 0 && !r.error, "Status-only response");
    r = PARSE("Status: 404 Not Found\n\n");
    CHECK(r.status == 404, "Status with a reason phrase");
    r = PARSE("status: 404\ncontent-type: text/plain\n\nNot found");
    CHECK(r.status == 404 && r.nheaders == 1 && strcmp(hval(&r, "content-type"), "text/plain") == 0,
          "status: 404 with content-type");
    CHECK_MEM(r.body, r.body_len, "Not found", "its body");
    r = PARSE("Status:418\tteapot\n\n");
    CHECK(r.status == 418, "no space after ':', HTAB before the reason");
    r = PARSE("Status: 599\n\n");
    CHECK(r.status == 599, "599 is the highest");
    r = PARSE("Status: 100\n\n");
    CHECK(r.status == 100, "100 is the lowest");

    /* Location gives 302. */
    r = PARSE("Location: https://example.com/\n\n");
    CHECK(r.status == 302 && r.nheaders == 1, "Location gives 302");
    CHECK_STR(hval(&r, "location"), "https://example.com/", "Location kept");

    /* Bad Status gives 502. */
    ERR502("Status: abc\n\n", "Status");
    ERR502("Status: 99\n\n", "Status");
    ERR502("Status: 600\n\n", "Status");
    ERR502("Status: 1000\n\n", "Status");
    ERR502("Status: 404abc\n\n", "Status");
    ERR502("Status:\n\n", "Status");
    ERR502("Status: -20\n\n", "Status");
    ERR502("Status: +200\n\n", "Status");
    ERR502("Content-Type: text/plain\nStatus: OK 200\n\nbody", "Status");

    /* Missing or insufficient headers: 500 with a text that says what is missing (not WAGI's
     * "Exactly one of 'location' or 'content-type' must be specified", which was wrong). */
    static const char *const msg =
        "At least one of 'content-type', 'status' or 'location' must be specified, then a "
        "blank line";
    CHECK(strcmp(GW_CGI_INSUFFICIENT, msg) == 0, "the rule, as Corral applies it");
    r = PARSE("");
    check_error_resp(&r, 500, msg, "nothing", __LINE__);
    r = PARSE("Content-Type: text/plain\nno blank line");
    check_error_resp(&r, 500, msg, "no blank line", __LINE__);
    r = PARSE("Content-Type: text/plain\r\n");
    check_error_resp(&r, 500, msg, "no blank line", __LINE__);
    r = PARSE("just a body, no headers at all");
    check_error_resp(&r, 500, msg, "no blank line", __LINE__);
    r = PARSE("X-Foo: bar\n\nbody");
    check_error_resp(&r, 500, msg, "no Content-Type", __LINE__);
    r = PARSE("\n\nbody");
    check_error_resp(&r, 500, msg, "no Content-Type", __LINE__);
    r = PARSE("Content-Type: text/plain\xff\n\n");
    check_error_resp(&r, 500, "", "not UTF-8", __LINE__);
    r = PARSE("Content-Type: text/plain\n\n\xff\xfe body need not be UTF-8");
    CHECK(r.status == 200, "a non-UTF-8 body is fine");
}

static void test_response_fixed(void)
{
    /* Several Set-Cookie, order kept. */
    GwCgiResponse r = PARSE("Content-Type: text/html\r\nSet-Cookie: a=1\r\nX-Other: o\r\n"
                            "set-cookie: b=2; Path=/\r\nSet-Cookie: c=3\r\n\r\n");
    CHECK(r.status == 200 && r.nheaders == 5, "all five headers");
    CHECK_STR(r.headers[1].value, "a=1", "first cookie");
    CHECK_STR(r.headers[2].name, "X-Other", "order kept");
    CHECK_STR(r.headers[3].value, "b=2; Path=/", "second cookie");
    CHECK_STR(r.headers[4].value, "c=3", "third cookie");

    /* Status beats Location wherever it is. */
    r = PARSE("Location: /x\nStatus: 301 Moved\n\n");
    CHECK(r.status == 301 && strcmp(hval(&r, "location"), "/x") == 0, "Status after Location");
    r = PARSE("Status: 307\nLocation: /y\n\n");
    CHECK(r.status == 307 && strcmp(hval(&r, "location"), "/y") == 0, "Status before Location");
    r = PARSE("Status: 200\nLocation: /z\n\n");
    CHECK(r.status == 200, "even Status 200 beats Location");

    /* Single-valued headers: the later replaces the earlier, in place. */
    r = PARSE("Content-Type: text/plain\nX-A: 1\ncontent-type: text/html\nLocation: /a\n"
              "LOCATION: /b\n\n");
    CHECK(r.nheaders == 3, "one Content-Type, one Location");
    CHECK_STR(hval(&r, "content-type"), "text/html", "the later Content-Type");
    CHECK_STR(r.headers[0].name, "content-type", "in the first one's place, later's name");
    CHECK_STR(hval(&r, "location"), "/b", "the later Location");

    /* Trimming, empty values, obs-text, colons in values. */
    r = PARSE("  Content-Type :  text/plain  \nX-Empty:\nX-Url: http://a:1/b\nX-Utf8: caf\xc3\xa9\n"
              "X-Tab:\ta\tb\t\n\n");
    CHECK(r.status == 200 && r.nheaders == 5, "five headers");
    CHECK_STR(r.headers[0].name, "Content-Type", "name trimmed");
    CHECK_STR(r.headers[0].value, "text/plain", "value trimmed");
    CHECK_STR(hval(&r, "x-empty"), "", "empty value");
    CHECK_STR(hval(&r, "x-url"), "http://a:1/b", "split at the first ':'");
    CHECK_STR(hval(&r, "x-utf8"), "caf\xc3\xa9", "obs-text allowed");
    CHECK_STR(hval(&r, "x-tab"), "a\tb", "inner HTAB kept, outer trimmed");
    r = PARSE("Content-Type:\n\n");
    CHECK(r.status == 200 && r.nheaders == 1, "an empty Content-Type is still sufficient");

    /* Lines without ':' are skipped and counted, as WAGI does. */
    r = PARSE("debug output\nContent-Type: text/plain\nmore junk\n\nbody");
    CHECK(r.status == 200 && r.nheaders == 1 && r.skipped == 2 && !r.error,
          "colon-less lines skipped");
    r = PARSE("\nContent-Type: a\n\n");
    CHECK(r.status == 200 && r.skipped == 0, "a leading empty line is ignored");
    r = PARSE("Content-Type: a\n \t \n\n");
    CHECK(r.status == 200 && r.skipped == 0, "a whitespace-only line is ignored, not a fold");

    /* Hop-by-hop and framing headers are dropped. */
    r = PARSE("Content-Type: a\nConnection: close\nKeep-Alive: 5\nTransfer-Encoding: chunked\n"
              "content-length: 999\nUpgrade: websocket\nTE: trailers\nTrailer: X\n"
              "Proxy-Connection: keep-alive\nX-Kept: y\n\nbody");
    CHECK(r.status == 200 && r.nheaders == 2 && r.dropped == 8, "eight dropped");
    CHECK(hval(&r, "x-kept") && !hval(&r, "content-length") && !hval(&r, "transfer-encoding"),
          "only the others remain");
    r = PARSE("Connection: close\n\n");
    check_error_resp(&r, 500, GW_CGI_INSUFFICIENT, "no Content-Type", __LINE__);

    /* Injected bytes make the whole response a 502. */
    ERR502("Content-Type: text/plain\nX-A: a\rInjected: 1\n\nbody", "CR inside");
    ERR502("Content-Type: text/plain\rLocation: /evil\n\n", "CR inside");
    ERR502("Content-Type: text/plain\n\rX: y\n\n", "CR inside");
    ERR502("Content-Type: text/plain\nSet-Cookie: a\n Injected: 1\n\n", "obs-fold");
    ERR502("Content-Type: text/plain\nX-A: a\n\tfolded\n\n", "obs-fold");
    ERR502("Content-Type: text/plain\nX-A: a\0b\n\n", "control byte");
    ERR502("Content-Type: text/pl\x01"
           "ain\n\n",
           "control byte");
    ERR502("Content-Type: text/plain\nX-A: a\x7f\n\n", "control byte");
    ERR502("Content-Type: text/plain\nX-A: \x1b[31m\n\n", "control byte");
    ERR502("Content-Type: text/plain\nX-A: a\vb\n\n", "control byte");
    ERR502("Content-Type: text/plain\nBad Name: x\n\n", "not a token");
    ERR502("Content-Type: text/plain\n: no name\n\n", "not a token");
    ERR502("Content-Type: text/plain\nX(y): z\n\n", "not a token");
    ERR502("Content-Type: text/plain\nX\0Y: z\n\n", "not a token");
    ERR502("Content-Type: text/plain\nX\x01: z\n\n", "not a token");
    ERR502("Content-Type: text/plain\nX-\xc3\xa9: z\n\n", "not a token");
    r = PARSE("Content-Type: text/plain\nX-A: ok\nBad Name: x\n\n");
    CHECK(r.error_line == 3, "the error names its line");
    r = PARSE("Content-Type: text/plain\r\r\n\r\nbody");
    CHECK(r.status == 200 && !r.error, "several CRs before a LF are a line ending");
    CHECK_MEM(r.body, r.body_len, "body", "body after CR CR LF CR LF");
}

/* ---- random input ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Checks what any parse result must satisfy. */
static bool response_sane(const GwCgiResponse *r, const uint8_t *out, size_t len)
{
    if (r->status < 100 || r->status > 599 || !r->body)
        return false;
    bool in_out = r->body >= out && r->body + r->body_len <= out + len;
    if (!in_out && r->body_len != 0 && strcmp((const char *)r->body, GW_CGI_INSUFFICIENT) != 0)
        return false;
    if ((r->status == 500 || r->status == 502) && r->error && r->nheaders)
        return false;
    for (size_t i = 0; i < r->nheaders; i++) {
        const GwHeader *h = &r->headers[i];
        if (!gw_is_token(h->name, h->name_len) || h->name[h->name_len] != '\0' ||
            h->value[h->value_len] != '\0' || gw_ascii_ieq(h->name, h->name_len, "status") ||
            gw_ascii_ieq(h->name, h->name_len, "content-length") ||
            gw_ascii_ieq(h->name, h->name_len, "transfer-encoding"))
            return false;
        for (size_t k = 0; k < h->value_len; k++)
            if (!gw_is_field_byte((unsigned char)h->value[k]))
                return false;
        if (h->value_len && (h->value[0] == ' ' || h->value[h->value_len - 1] == ' '))
            return false;
    }
    return true;
}

/* Appends p (1 byte if it is "", the NUL) to buf[*len..cap) if it fits. */
static void put(uint8_t *buf, size_t *len, size_t cap, const char *p)
{
    size_t n = *p ? strlen(p) : 1;
    if (*len + n <= cap) {
        memcpy(buf + *len, p, n);
        *len += n;
    }
}

/* A CGI-like output: a few "Name: value" lines from the pieces, a blank line, a body; then
 * sometimes a few random bytes changed. */
static size_t cgi_like(uint8_t *buf, size_t cap)
{
    static const char *const names[] = {"Content-Type", "Location",       "Status",
                                        "Set-Cookie",   "content-length", "X-A",
                                        "Connection",   "Bad Name",       ""};
    static const char *const values[] = {"text/plain", "200",  "302 Found", "999",      "/x",
                                         "a=b",        "\x01", "\xff",      "\xc3\xa9", " ",
                                         "\t",         "\r",   ""};
    static const char *const ends[] = {"\n", "\r\n", "\r\r\n", "\n "};
    size_t len = 0, lines = rng() % 6;
    for (size_t i = 0; i < lines; i++) {
        put(buf, &len, cap, names[rng() % COUNT(names)]);
        put(buf, &len, cap, rng() % 2 ? ": " : ":");
        for (size_t k = rng() % 3; k > 0; k--)
            put(buf, &len, cap, values[rng() % COUNT(values)]);
        put(buf, &len, cap, ends[rng() % 8 < 6 ? rng() % 2 : 2 + rng() % 2]);
    }
    if (rng() % 8)
        put(buf, &len, cap, rng() % 2 ? "\n" : "\r\n");
    for (size_t k = rng() % 32; k > 0 && len < cap; k--)
        buf[len++] = (uint8_t)rng();
    for (size_t k = rng() % 3 == 0 ? rng() % 3 + 1 : 0; k > 0 && len; k--)
        buf[rng() % len] = (uint8_t)rng();
    return len;
}

static void test_random(void)
{
    static const char *const pieces[] = {
        "Content-Type",
        "Location",
        "Status",
        "Set-Cookie",
        "content-length",
        "X-A",
        ":",
        ": ",
        " ",
        "\t",
        "\r",
        "\n",
        "\r\n",
        "\n\n",
        "\r\n\r\n",
        "200",
        "302 Found",
        "999",
        "text/plain",
        "/x",
        "\0",
        "\x01",
        "\x7f",
        "\xff",
        "\xc3\xa9",
        "\xe2\x82",
        "a=b",
        "Transfer-Encoding",
        "chunked",
        "Upgrade",
        "%",
        "(",
        "...",
    };
    static uint8_t buf[512];
    static alignas(max_align_t) unsigned char abuf[2048];
    size_t bad = 0, errors = 0, oks = 0;
    for (int iter = 0; iter < 200000; iter++) {
        size_t len = 0;
        size_t target = rng() % sizeof buf;
        if (iter % 3 == 0) {
            len = cgi_like(buf, sizeof buf);
        } else {
            while (len < target) {
                if (iter % 3 == 1)
                    put(buf, &len, sizeof buf, pieces[rng() % COUNT(pieces)]);
                else
                    buf[len++] = (uint8_t)rng();
                if (len == sizeof buf)
                    break;
            }
        }
        GwArena a;
        gw_arena_init(&a, abuf, iter % 7 == 0 ? rng() % sizeof abuf : sizeof abuf);
        GwCgiResponse r;
        GwStatus st = gw_cgi_response_parse(&a, buf, len, &r);
        if ((st != GW_OK && st != GW_ERR_NOMEM) || !response_sane(&r, buf, len))
            bad++;
        if (r.error)
            errors++;
        else
            oks++;
    }
    CHECK(bad == 0, "random stdout: every result sane");
    CHECK(oks > 1000 && errors > 1000, "random stdout: both outcomes reached");
    if (oks <= 1000 || errors <= 1000)
        fprintf(stderr, "  %zu parsed, %zu turned into errors\n", oks, errors);

    /* _routes output: never a crash, all or nothing. */
    size_t routes_bad = 0, accepted = 0;
    for (int iter = 0; iter < 20000; iter++) {
        static const char *const rp[] = {"/a",     "/...",   " ",  "\n", "\r\n", "x",
                                         "_start", "/b/...", "\t", "?",  "\xff", "/"};
        char text[128];
        size_t len = 0, n = rng() % 12;
        for (size_t i = 0; i < n; i++) {
            const char *p = rp[rng() % COUNT(rp)];
            size_t k = strlen(p);
            if (len + k >= sizeof text)
                break;
            memcpy(text + len, p, k);
            len += k;
        }
        GwRouteTable t;
        GwRouteError err;
        gw_route_table_init(&t, iter % 2 ? GW_ROUTING_SPIN : GW_ROUTING_WAGI);
        GwStatus st =
            gw_route_table_add_module(&t, iter % 3 ? "/p/..." : "/", 1, NULL, text, len, &err);
        if (st == GW_OK) {
            accepted++;
            GwRouteMatch m;
            for (size_t i = 0; i < t.count; i++) {
                const GwRouteEntry *e = &t.entries[i];
                if (e->route[0] != '/' || strlen(e->route) != e->route_len ||
                    !gw_route_match(&t, e->route, e->base_len, &m))
                    routes_bad++;
            }
        } else if (st != GW_ERR_INVALID || t.count != 0 || !err.message[0]) {
            routes_bad++;
        }
        gw_route_table_free(&t);
    }
    CHECK(routes_bad == 0, "random _routes: entries sane, errors clean");
    CHECK(accepted > 100, "random _routes: some accepted");
}

int main(void)
{
    test_arena();
    test_text();
    test_target();
    test_route_parse();
    test_route_match();
    test_dynamic_routes();
    test_routes_text();
    test_route_spin();
    test_route_slug();
    test_env_golden();
    test_env_table();
    test_host();
    test_env_headers();
    test_env_precedence();
    test_argv();
    test_overflow();
    test_response_wagi();
    test_response_fixed();
    test_random();
    return unit_report("test_gateway");
}
