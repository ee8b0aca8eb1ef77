/* test_http.c: outbound HTTP (src/host/http_*.c) driven from inside real guests: the
 * wasi_experimental_http imports called by build/tests/wasm/http.wasm (wat2wasm of
 * tests/unit/wasm/http.wat, thin wrappers taking every argument from here) against local
 * servers (tests/host/http_server.py, two of them on free ports of 127.0.0.1).
 * Covers the allow-list parser alone (valid and invalid entries, matching), linking, every
 * error code the ABI can produce (1-11 and 13; 12 is out of memory), out-of-bounds and
 * wrapping pointers, the buffer-too-small protocol, headers in order, body reads in chunks,
 * handle semantics, redirects (re-checked against the allow-list: a denied target never
 * receives the request), the time, size and concurrency limits, and proxies from the
 * environment being ignored. With build/tests/wasm/http_sdk.wasm (clang, sdk/) it also runs
 * a C guest written against sdk/wasi_experimental_http.h. */
#include "../../sdk/wasi_experimental_http.h"
#include "corral.h"
#include "host/http_outbound.h"
#include "unit.h"
#include "wasi/wasi.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Error codes, as a guest library hard-codes them (http_errors.def). */
enum {
    OK = 0,
    E_HANDLE = 1,
    E_NOMEM = 2,
    E_ACCESS = 3,
    E_SMALL = 4,
    E_NOHEADER = 5,
    E_UTF8 = 6,
    E_DENIED = 7,
    E_METHOD = 8,
    E_ENCODING = 9,
    E_URL = 10,
    E_REQUEST = 11,
    E_SESSIONS = 13,
};

/* Scratch addresses in the guest's two pages (131072 bytes). */
enum {
    MEM_SIZE = 131072,
    URL = 0x100,
    METHOD = 0x900,
    HDRS = 0xa00,
    BODY = 0x2000,
    STATUS = 0x3000,
    HANDLE = 0x3004,
    WRITTEN = 0x3008,
    NAME = 0x3100,
    BUF = 0x4000,
    BUF_MAX = MEM_SIZE - BUF,
};

static int port_a, port_b, port_closed;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the servers ---- */

static pid_t server_pid = -1;
static int server_stdin = -1;

static bool start_servers(void)
{
    int in[2], out[2];
    if (pipe(in) || pipe(out))
        return false;
    server_pid = fork();
    if (server_pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execlp("python3", "python3", "tests/host/http_server.py", "2", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    server_stdin = in[1];
    char line[64] = "";
    FILE *f = fdopen(out[0], "r");
    bool ok = f && fgets(line, sizeof line, f) && sscanf(line, "%d %d", &port_a, &port_b) == 2;
    if (f)
        fclose(f);
    /* A port nobody listens on: bound, then released. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    if (s >= 0 && !bind(s, (struct sockaddr *)&sa, sizeof sa) &&
        !getsockname(s, (struct sockaddr *)&sa, &len))
        port_closed = ntohs(sa.sin_port);
    if (s >= 0)
        close(s);
    return ok && port_closed > 0;
}

static void stop_servers(void)
{
    if (server_stdin >= 0)
        close(server_stdin);
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
    }
}

/* ---- the guest ---- */

typedef struct Env {
    corral_engine_t *engine;
    corral_module_t *module;
    corral_store_t *store;
    corral_instance_t *inst;
    HttpCtx *ctx;
    HttpAllowList *allow;
    uint8_t *mem;
} Env;

static uint8_t *http_wasm;
static size_t http_wasm_len;
static char trap_msg[256];

/* An instance of wasm with a context of the given allow-list entries and limits (max_body and
 * timeout 0 keep the defaults of http_policy_default). */
static bool env_open_with(Env *e, const uint8_t *wasm, size_t len, const char *const *allow,
                          size_t nallow, const HttpPolicy *limits)
{
    memset(e, 0, sizeof *e);
    char *err = NULL;
    e->allow = http_allow_parse(allow, nallow, &err);
    if (!e->allow) {
        fprintf(stderr, "allow-list: %s\n", err ? err : "out of memory");
        free(err);
        return false;
    }
    HttpPolicy p;
    http_policy_default(&p);
    if (limits)
        p = *limits;
    p.allow = e->allow;
    e->ctx = http_ctx_new(&p);
    e->engine = corral_engine_new(NULL);
    corral_error_t *cerr = corral_module_new(e->engine, wasm, len, &e->module);
    if (cerr) {
        fprintf(stderr, "load: %s\n", corral_error_message(cerr));
        corral_error_delete(cerr);
        return false;
    }
    e->store = corral_store_new(e->engine);
    size_t n = corral_module_import_count(e->module);
    corral_extern_t *imports = calloc(n ? n : 1, sizeof *imports);
    bool ok = http_link(e->ctx, e->store, e->module, imports, n, &err);
    if (!ok) {
        fprintf(stderr, "link: %s\n", err ? err : "out of memory");
        free(err);
        free(imports);
        return false;
    }
    corral_trap_t *trap = NULL;
    cerr = corral_instance_new(e->store, e->module, imports, n, &e->inst, &trap);
    free(imports);
    if (cerr || trap) {
        fprintf(stderr, "instantiate: %s\n", cerr ? corral_error_message(cerr) : "trap");
        corral_error_delete(cerr);
        corral_trap_delete(trap);
        return false;
    }
    corral_extern_t mem;
    if (corral_instance_export(e->inst, "memory", 6, &mem))
        e->mem = corral_memory_data(mem.of.memory);
    return true;
}

static bool env_open(Env *e, const char *const *allow, size_t nallow)
{
    return env_open_with(e, http_wasm, http_wasm_len, allow, nallow, NULL);
}

static void env_close(Env *e)
{
    corral_store_delete(e->store);
    corral_module_delete(e->module);
    corral_engine_delete(e->engine);
    http_ctx_free(e->ctx);
    http_allow_free(e->allow);
}

/* Calls export name with nargs i32s; returns its i32 result (an error code), or -1 on a trap
 * (message in trap_msg). */
static int32_t call(Env *e, const char *name, const uint32_t *args, size_t nargs)
{
    corral_extern_t ex;
    trap_msg[0] = 0;
    if (!corral_instance_export(e->inst, name, strlen(name), &ex)) {
        snprintf(trap_msg, sizeof trap_msg, "no export %s", name);
        return -1;
    }
    corral_val_t a[10], r;
    for (size_t i = 0; i < nargs; i++)
        a[i] = corral_val_i32((int32_t)args[i]);
    corral_trap_t *trap = corral_func_call(e->store, ex.of.func, a, nargs, &r, 1);
    if (trap) {
        snprintf(trap_msg, sizeof trap_msg, "%s", corral_trap_message(trap));
        corral_trap_delete(trap);
        return -1;
    }
    return r.of.i32;
}

static void put32(Env *e, uint32_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        e->mem[at + (uint32_t)i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(Env *e, uint32_t at)
{
    return e->mem[at] | (uint32_t)e->mem[at + 1] << 8 | (uint32_t)e->mem[at + 2] << 16 |
           (uint32_t)e->mem[at + 3] << 24;
}

static uint16_t get16(Env *e, uint32_t at)
{
    return (uint16_t)(e->mem[at] | e->mem[at + 1] << 8);
}

/* The raw call, every argument given. */
static int32_t g_req_raw(Env *e, uint32_t url, uint32_t url_len, uint32_t method,
                         uint32_t method_len, uint32_t hdrs, uint32_t hdrs_len, uint32_t body,
                         uint32_t body_len, uint32_t status, uint32_t handle)
{
    uint32_t a[] = {url,      url_len, method,   method_len, hdrs,
                    hdrs_len, body,    body_len, status,     handle};
    return call(e, "req", a, 10);
}

/* A request with its parts copied into the scratch areas; headers "" for none. */
static int32_t g_req_full(Env *e, const char *url, const char *method, const char *hdrs,
                          const void *body, size_t body_len)
{
    size_t ul = strlen(url), ml = strlen(method), hl = strlen(hdrs);
    memcpy(e->mem + URL, url, ul);
    memcpy(e->mem + METHOD, method, ml);
    memcpy(e->mem + HDRS, hdrs, hl);
    if (body_len)
        memcpy(e->mem + BODY, body, body_len);
    put32(e, STATUS, 0xdeadbeef);
    put32(e, HANDLE, 0xdeadbeef);
    return g_req_raw(e, URL, (uint32_t)ul, METHOD, (uint32_t)ml, HDRS, (uint32_t)hl, BODY,
                     (uint32_t)body_len, STATUS, HANDLE);
}

static int32_t g_get(Env *e, const char *url)
{
    return g_req_full(e, url, "GET", "", NULL, 0);
}

static int32_t g_close(Env *e, uint32_t h)
{
    uint32_t a[] = {h};
    return call(e, "close", a, 1);
}

static int32_t g_body_read(Env *e, uint32_t h, uint32_t buf, uint32_t len, uint32_t out)
{
    uint32_t a[] = {h, buf, len, out};
    return call(e, "body_read", a, 4);
}

static int32_t g_header_get_raw(Env *e, uint32_t h, uint32_t name, uint32_t name_len, uint32_t buf,
                                uint32_t buf_len, uint32_t out)
{
    uint32_t a[] = {h, name, name_len, buf, buf_len, out};
    return call(e, "header_get", a, 6);
}

static int32_t g_header_get(Env *e, uint32_t h, const char *name, uint32_t buf_len)
{
    memcpy(e->mem + NAME, name, strlen(name));
    put32(e, WRITTEN, 0xdeadbeef);
    return g_header_get_raw(e, h, NAME, (uint32_t)strlen(name), BUF, buf_len, WRITTEN);
}

static int32_t g_headers_all(Env *e, uint32_t h, uint32_t buf, uint32_t len, uint32_t out)
{
    uint32_t a[] = {h, buf, len, out};
    return call(e, "headers_get_all", a, 4);
}

/* The value header_get wrote, as a string (static buffer). */
static const char *header_value(Env *e)
{
    static char v[8192];
    uint32_t n = get32(e, WRITTEN);
    if (n >= sizeof v)
        n = sizeof v - 1;
    memcpy(v, e->mem + BUF, n);
    v[n] = 0;
    return v;
}

/* Reads the whole body in chunks of `chunk` bytes into a malloc'd NUL-terminated string
 * (NULL on an error code). */
static char *read_body(Env *e, uint32_t h, uint32_t chunk, size_t *out_len)
{
    size_t len = 0, cap = 1024;
    char *s = malloc(cap);
    for (;;) {
        if (g_body_read(e, h, BUF, chunk, WRITTEN) != OK) {
            free(s);
            return NULL;
        }
        uint32_t n = get32(e, WRITTEN);
        if (n == 0)
            break;
        while (len + n + 1 > cap)
            s = realloc(s, cap *= 2);
        memcpy(s + len, e->mem + BUF, n);
        len += n;
    }
    s[len] = 0;
    if (out_len)
        *out_len = len;
    return s;
}

/* GETs url and returns the body (malloc'd), or NULL with *out_err the error code. */
static char *fetch(Env *e, const char *url, int32_t *out_err, uint16_t *out_status)
{
    int32_t err = g_get(e, url);
    if (out_err)
        *out_err = err;
    if (err != OK)
        return NULL;
    if (out_status)
        *out_status = get16(e, STATUS);
    uint32_t h = get32(e, HANDLE);
    char *body = read_body(e, h, 4096, NULL);
    g_close(e, h);
    return body;
}

static char *url_of(int port, const char *path)
{
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "http://127.0.0.1:%d%s", port, path);
    return b;
}

/* The hit count of the server on port. */
static long hits(int port)
{
    const char *all[] = {"insecure:allow-all"};
    Env e;
    if (!env_open(&e, all, 1))
        return -1;
    char *body = fetch(&e, url_of(port, "/hits"), NULL, NULL);
    long n = body ? strtol(body, NULL, 10) : -1;
    free(body);
    env_close(&e);
    return n;
}

/* ---- the allow-list alone ---- */

static bool parses(const char *entry)
{
    char *err = NULL;
    HttpAllowList *a = http_allow_parse(&entry, 1, &err);
    if (!a && !err)
        fprintf(stderr, "parse '%s': out of memory?\n", entry);
    if (a && err)
        fprintf(stderr, "parse '%s': both a list and an error\n", entry);
    free(err);
    http_allow_free(a);
    return a != NULL;
}

static bool allows(const char *entry, const char *url)
{
    char *err = NULL;
    HttpAllowList *a = http_allow_parse(&entry, 1, &err);
    if (!a) {
        fprintf(stderr, "parse '%s': %s\n", entry, err ? err : "out of memory");
        free(err);
        return false;
    }
    bool ok = http_allow_check(a, url, strlen(url));
    http_allow_free(a);
    return ok;
}

static void test_allow_parser(void)
{
    static const char *const valid[] = {
        "insecure:allow-all",
        "http://example.com",
        "https://example.com",
        "*://example.com:*",
        "*://*:*",
        "http://*",
        "https://*:8443",
        "http://*.example.com",
        "HTTP://Example.COM",
        "http://example.com:8080",
        "http://example.com:1..100",
        "http://example.com/",
        "  https://example.com  ",
        "http://127.0.0.1",
        "http://[::1]",
        "http://[::1]:8080",
        "http://[2001:db8::1]:*",
        "http://localhost",
        "http://example.com:0",
        "http://example.com:65535",
        "*://example.com:80",
        "http://a-b_c.example.com",
        "http://example.com.",
        "http://*.b.example.com",
        "http://example.com:",
    };
    for (size_t i = 0; i < sizeof valid / sizeof *valid; i++) {
        char what[160];
        snprintf(what, sizeof what, "valid entry '%s'", valid[i]);
        CHECK(parses(valid[i]), what);
    }
    static const char *const invalid[] = {
        "",
        "example.com",
        "//example.com",
        "://example.com",
        "ftp://example.com",
        "redis://example.com:6379",
        "h2://example.com",
        "ht-tp://example.com",
        "http://example.com/path",
        "http://example.com/api/",
        "http://example.com?q=1",
        "http://example.com#frag",
        "http://user@example.com",
        "http://user:pw@example.com",
        "http://",
        "http://:80",
        "http://example.com:http",
        "http://example.com:-1",
        "http://example.com:65536",
        "http://example.com:123456",
        "http://example.com:+80",
        "http://example.com:100..100",
        "http://example.com:200..100",
        "http://example.com:1..",
        "http://example.com:1..x",
        "*://example.com",
        "http://ex*ample.com",
        "http://*example.com",
        "http://example.*",
        "http://*.*.example.com",
        "http://*.",
        "http://*..com",
        "http://a.*.com",
        "http://[::1",
        "http://[::1]x",
        "http://::1",
        "http://[::1]:80:80",
        "http://10.0.0.0/8",
        "http://self",
        "http://{a,b}.com",
        "{http,https}://a.com",
        "http://example.com:{80,443}",
        "http://exa mple.com",
        "http://exa%41mple.com",
        "http://a.com:80/",
        "https://example.com:443/x",
        "insecure:allow-al",
        "insecure:",
        "http://[fe80::1%25eth0]",
        "http://a\\b.com",
    };
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
        if (!strcmp(invalid[i], "http://a.com:80/"))
            continue; /* a trailing '/' after a port is allowed, as after a host */
        char what[160];
        snprintf(what, sizeof what, "invalid entry '%s'", invalid[i]);
        CHECK(!parses(invalid[i]), what);
    }
    CHECK(parses("http://a.com:80/"), "trailing / after a port");

    /* Errors name the entry and the reason; a bad entry anywhere fails the whole list. */
    const char *list[] = {"https://ok.example", "https://x.com/api"};
    char *err = NULL;
    CHECK(!http_allow_parse(list, 2, &err), "one bad entry fails the list");
    CHECK(err && strstr(err, "'https://x.com/api'") && strstr(err, "path"),
          "the error names the entry and says path");
    free(err);
    err = NULL;
    const char *star[] = {"*://a.com"};
    CHECK(!http_allow_parse(star, 1, &err) && err && strstr(err, "default port"),
          "scheme * without a port: says why");
    free(err);

    /* Empty list and NULL list deny everything. */
    HttpAllowList *none = http_allow_parse(NULL, 0, &err);
    CHECK(none && !err, "an empty list parses");
    CHECK(!http_allow_check(none, "http://a.com/", 14), "empty list denies");
    CHECK(!http_allow_check(NULL, "http://a.com/", 14), "NULL list denies");
    http_allow_free(none);

    /* Matching: scheme, host, port. */
    CHECK(allows("https://api.example.com", "https://api.example.com/x"), "https exact");
    CHECK(allows("https://api.example.com", "https://api.example.com:443/x"), "explicit 443");
    CHECK(!allows("https://api.example.com", "http://api.example.com/x"), "scheme differs");
    CHECK(!allows("https://api.example.com", "https://api.example.com:8443/"), "port differs");
    CHECK(!allows("https://api.example.com", "http://api.example.com:443/"),
          "http on 443 is not https");
    CHECK(allows("http://example.com", "http://example.com:80/"), "http default port");
    CHECK(!allows("http://example.com", "http://example.com:8080/"), "http other port");
    CHECK(allows("http://example.com:*", "http://example.com:8080/"), "port *");
    CHECK(allows("*://example.com:*", "https://example.com/"), "scheme * https");
    CHECK(allows("*://example.com:*", "http://example.com:1/"), "scheme * http");
    CHECK(allows("*://example.com:443", "https://example.com/"), "scheme * with port");
    CHECK(!allows("*://example.com:443", "http://example.com/"), "scheme * port 80 vs 443");
    CHECK(allows("http://example.com:8000..8010", "http://example.com:8000/"), "range start");
    CHECK(allows("http://example.com:8000..8010", "http://example.com:8009/"), "range end-1");
    CHECK(!allows("http://example.com:8000..8010", "http://example.com:8010/"),
          "range end excluded");
    CHECK(!allows("http://example.com:8000..8010", "http://example.com/"), "range vs 80");
    CHECK(allows("HTTP://EXAMPLE.com", "http://example.COM/"), "case-insensitive");
    CHECK(allows("http://example.com", "HTTP://Example.Com/"), "case-insensitive url");
    CHECK(allows("http://example.com.", "http://example.com/"), "entry trailing dot");
    CHECK(allows("http://example.com", "http://example.com./"), "url trailing dot");
    CHECK(!allows("http://example.com", "http://example.com.evil.com/"), "suffix attack");
    CHECK(!allows("http://example.com", "http://evil-example.com/"), "prefix attack");
    CHECK(!allows("http://example.com", "http://example.co/"), "shorter");
    /* Wildcards. */
    CHECK(allows("http://*.example.com", "http://a.example.com/"), "wildcard subdomain");
    CHECK(allows("http://*.example.com", "http://a.b.example.com/"), "wildcard deep");
    CHECK(!allows("http://*.example.com", "http://example.com/"), "wildcard: not the apex");
    CHECK(!allows("http://*.example.com", "http://aexample.com/"), "wildcard: label boundary");
    CHECK(!allows("http://*.example.com", "http://example.com.evil.com/"), "wildcard suffix");
    CHECK(!allows("http://*.example.com", "https://a.example.com/"), "wildcard keeps scheme");
    CHECK(allows("http://*.Example.COM", "http://A.example.com/"), "wildcard case");
    CHECK(!allows("http://*.0.1", "http://127.0.0.1/"), "wildcard never matches an IP");
    CHECK(allows("http://*", "http://anything.at.all/"), "host *");
    CHECK(allows("http://*", "http://10.1.2.3/"), "host * and an IP");
    CHECK(!allows("http://*", "https://anything/"), "host * keeps scheme");
    CHECK(allows("insecure:allow-all", "https://anything:1234/x"), "allow-all");
    CHECK(allows("*://*:*", "https://anything:1234/x"), "*://*:*");
    /* The parsed host is the one curl connects to. */
    CHECK(!allows("http://allowed.com", "http://allowed.com@evil.com/"), "userinfo trick");
    CHECK(allows("http://evil.com", "http://allowed.com@evil.com/"), "userinfo: real host");
    CHECK(!allows("http://allowed.com", "http://allowed.com:80@evil.com/"), "userinfo w/ port");
    CHECK(!allows("http://allowed.com", "http://allowed.com\\@evil.com/"),
          "backslash: curl's host is evil.com");
    CHECK(!allows("http://allowed.com", "http://evil.com#@allowed.com"), "fragment trick");
    CHECK(!allows("http://allowed.com", "http://evil.com/?@allowed.com"), "query trick");
    CHECK(allows("http://allowed.com", "http://%61llowed.com/"), "percent-encoded host");
    CHECK(allows("http://127.0.0.1", "http://127.1/"), "IPv4 short form");
    CHECK(allows("http://127.0.0.1", "http://0x7f.0.0.1/"), "IPv4 hex form");
    CHECK(allows("http://127.1", "http://127.0.0.1/"), "entry normalised like the URL");
    CHECK(!allows("http://127.0.0.1", "http://localhost/"), "no DNS in matching");
    CHECK(allows("http://[::1]:8080", "http://[0:0::1]:8080/"), "IPv6 normalised");
    CHECK(allows("http://[::1]", "http://[::1]/"), "IPv6 default port");
    CHECK(!allows("http://[::1]", "http://[::2]/"), "IPv6 differs");
    CHECK(!allows("http://[::1]", "http://[::ffff:127.0.0.1]/"), "mapped IPv4 is not ::1");
    CHECK(!allows("http://[fe80::1]", "http://[fe80::1%25eth0]/"), "zone id: exact no");
    CHECK(allows("http://*", "http://[fe80::1%25eth0]/"), "zone id: host * yes");
    /* Not http(s), or not a URL at all. */
    CHECK(!allows("insecure:allow-all", "ftp://example.com/"), "ftp never");
    CHECK(!allows("insecure:allow-all", "file:///etc/passwd"), "file never");
    CHECK(!allows("insecure:allow-all", "example.com"), "no scheme");
    CHECK(!allows("insecure:allow-all", "http://exa mple.com/"), "space in host");
    CHECK(!allows("insecure:allow-all", ""), "empty url");
    CHECK(!http_allow_check(NULL, "http://a\0b", 10), "NUL in url");
    const char *with_nul = "http://allowed.com\0.evil.com/";
    const char *entry = "http://allowed.com";
    HttpAllowList *a = http_allow_parse(&entry, 1, &err);
    CHECK(a && !http_allow_check(a, with_nul, 29), "NUL inside the url denies");
    CHECK(a && http_allow_check(a, with_nul, 18), "the part before the NUL alone is fine");
    http_allow_free(a);
    /* Several entries: any one allows. */
    const char *several[] = {"http://a.com", "https://b.com:8443", "*://*.c.com:*"};
    a = http_allow_parse(several, 3, &err);
    CHECK(a && http_allow_check(a, "http://a.com/", 13), "several: first");
    CHECK(a && http_allow_check(a, "https://b.com:8443/", 19), "several: second");
    CHECK(a && http_allow_check(a, "https://x.c.com:1/", 18), "several: third");
    CHECK(a && !http_allow_check(a, "https://b.com/", 14), "several: none");
    http_allow_free(a);
}

/* The SDK's numbers and the host's table agree; names and messages exist for each. */
static void test_codes(void)
{
#define X(name, num, msg)                                                                          \
    CHECK(WEH_##name == num, "sdk code " #name);                                                   \
    CHECK(!strcmp(http_error_name(num), #name), "name " #name);                                    \
    CHECK(!strcmp(http_error_message(num), msg), "message " #name);
#include "host/http_errors.def"
#undef X
    CHECK(!strcmp(http_error_name(14), "?") && !strcmp(http_error_message(99), "unknown error"),
          "not a code");
}

/* ---- linking ---- */

static void test_link(void)
{
    size_t len;
    uint8_t *wasm = read_file("build/tests/wasm/http_badtype.wasm", &len);
    corral_engine_t *engine = corral_engine_new(NULL);
    corral_module_t *m = NULL;
    HttpPolicy p;
    http_policy_default(&p);
    HttpCtx *c = http_ctx_new(&p);
    char *err = NULL;
    if (wasm && !corral_module_new(engine, wasm, len, &m)) {
        corral_store_t *s = corral_store_new(engine);
        corral_extern_t imports[1] = {{0}};
        CHECK(!http_link(c, s, m, imports, 1, &err), "wrong type refused");
        CHECK(err && strstr(err, "incompatible import type for wasi_experimental_http::close: "
                                 "expects (i32) -> i32, the module declares (i64) -> i32"),
              "wrong type message");
        free(err);
        err = NULL;
        corral_store_delete(s);
        corral_module_delete(m);
    } else {
        CHECK(false, "load http_badtype.wasm");
    }
    free(wasm);
    wasm = read_file("build/tests/wasm/http_badname.wasm", &len);
    if (wasm && !corral_module_new(engine, wasm, len, &m)) {
        corral_store_t *s = corral_store_new(engine);
        corral_extern_t imports[2] = {{0}};
        CHECK(!http_link(c, s, m, imports, 2, &err), "unknown function refused");
        CHECK(err && !strcmp(err, "unknown import wasi_experimental_http::req_v2"),
              "unknown function message");
        CHECK(imports[0].of.func == NULL, "another module's import left alone");
        free(err);
        err = NULL;
        CHECK(!http_link(c, s, m, imports, 1, &err) && err && strstr(err, "the module has 2"),
              "too few import slots");
        free(err);
        err = NULL;
        corral_store_delete(s);
        corral_module_delete(m);
    } else {
        CHECK(false, "load http_badname.wasm");
    }
    free(wasm);
    /* Entries already filled are kept: link http.wasm with req pre-filled by "someone". */
    if (!corral_module_new(engine, http_wasm, http_wasm_len, &m)) {
        corral_store_t *s = corral_store_new(engine);
        corral_extern_t imports[5] = {{0}};
        imports[1].kind = CORRAL_EXTERN_GLOBAL; /* not a func: counts as filled */
        CHECK(http_link(c, s, m, imports, 5, &err), "link with one entry pre-filled");
        CHECK(imports[1].kind == CORRAL_EXTERN_GLOBAL, "pre-filled entry kept");
        CHECK(imports[0].of.func && imports[2].of.func && imports[4].of.func, "others filled");
        corral_store_delete(s);
        corral_module_delete(m);
    }
    http_ctx_free(c);
    corral_engine_delete(engine);

    /* A module that does not export its memory: 2 from everything but close. */
    wasm = read_file("build/tests/wasm/http_nomem.wasm", &len);
    Env e;
    const char *all[] = {"insecure:allow-all"};
    if (wasm && env_open_with(&e, wasm, len, all, 1, NULL)) {
        CHECK(call(&e, "req", NULL, 0) == E_NOMEM, "no exported memory: req 2");
        CHECK(call(&e, "body_read", NULL, 0) == E_NOMEM, "no exported memory: body_read 2");
        CHECK(call(&e, "close", NULL, 0) == OK, "no exported memory: close 0");
        CHECK(http_ctx_last_error(e.ctx) == NULL, "close leaves no error");
        env_close(&e);
    } else {
        CHECK(false, "open http_nomem.wasm");
    }
    free(wasm);
}

/* ---- requests ---- */

static void test_basic(void)
{
    char allow[64];
    snprintf(allow, sizeof allow, "http://127.0.0.1:%d", port_a);
    const char *list[] = {allow};
    Env e;
    if (!env_open(&e, list, 1)) {
        CHECK(false, "open");
        return;
    }
    CHECK(g_get(&e, url_of(port_a, "/ok")) == OK, "GET /ok");
    CHECK(get16(&e, STATUS) == 200, "status 200 (u16 LE)");
    CHECK(e.mem[STATUS + 2] == 0xad && e.mem[STATUS + 3] == 0xde, "status writes 2 bytes only");
    uint32_t h = get32(&e, HANDLE);
    CHECK(h == 0, "first handle is 0");
    CHECK(g_header_get(&e, h, "content-type", 100) == OK && !strcmp(header_value(&e), "text/plain"),
          "header_get content-type");
    CHECK(g_header_get(&e, h, "Content-TYPE", 100) == OK && !strcmp(header_value(&e), "text/plain"),
          "header_get is case-insensitive");
    CHECK(g_header_get(&e, h, "x-nope", 100) == E_NOHEADER, "absent header: 5");
    char *body = read_body(&e, h, 4096, NULL);
    CHECK(body && !strcmp(body, "ok"), "body ok");
    free(body);
    CHECK(g_body_read(&e, h, BUF, 10, WRITTEN) == OK && get32(&e, WRITTEN) == 0,
          "EOF again: 0 bytes");
    CHECK(g_close(&e, h) == OK, "close");
    CHECK(g_body_read(&e, h, BUF, 10, WRITTEN) == E_HANDLE, "closed handle: 1");
    CHECK(g_close(&e, h) == OK, "close twice: 0 (idempotent, as the original)");
    CHECK(g_close(&e, 12345) == OK, "close unknown: 0");

    /* Handles are not reused at once. */
    CHECK(g_get(&e, url_of(port_a, "/ok")) == OK && get32(&e, HANDLE) == 1,
          "next handle is 1 although 0 was closed");
    uint32_t h1 = get32(&e, HANDLE);
    CHECK(g_get(&e, url_of(port_a, "/ok")) == OK && get32(&e, HANDLE) == 2, "then 2");
    uint32_t h2 = get32(&e, HANDLE);
    CHECK(g_body_read(&e, 0, BUF, 10, WRITTEN) == E_HANDLE, "old handle 0 stays invalid");
    g_close(&e, h1);
    g_close(&e, h2);

    /* Methods and bodies through /echo. */
    const char *hdrs = "x-one:1\nX-Two: two words \r\nx-empty:\n\nauthorization:Bearer t\n"
                       "content-length:999\n";
    CHECK(g_req_full(&e, url_of(port_a, "/echo"), "POST", hdrs, "hello", 5) == OK, "POST");
    h = get32(&e, HANDLE);
    body = read_body(&e, h, 7, NULL); /* small chunks */
    CHECK(body && strstr(body, "method: POST\n"), "echo: method");
    CHECK(body && strstr(body, "h: x-one: 1\n"), "echo: header");
    CHECK(body && strstr(body, "h: x-two: two words\n"), "echo: value without OWS");
    CHECK(body && strstr(body, "h: x-empty: \n"), "echo: empty value sent");
    CHECK(body && strstr(body, "h: authorization: Bearer t\n"), "echo: authorization");
    CHECK(body && strstr(body, "body-length: 5\n\nhello"), "echo: body, right length");
    CHECK(body && !strstr(body, "999"), "guest content-length dropped");
    CHECK(body && !strstr(body, "h: Content-Type"), "no form content type added");
    CHECK(body && !strstr(body, "h: Expect"), "no Expect added");
    free(body);
    g_close(&e, h);
    CHECK(g_req_full(&e, url_of(port_a, "/echo"), "PUT", "content-type:application/json\n", "{}",
                     2) == OK,
          "PUT");
    body = read_body(&e, get32(&e, HANDLE), 4096, NULL);
    CHECK(body && strstr(body, "method: PUT\n") &&
              strstr(body, "h: content-type: application/json\n") &&
              strstr(body, "body-length: 2\n\n{}"),
          "echo: PUT with its content type");
    free(body);
    g_close(&e, get32(&e, HANDLE));
    CHECK(g_req_full(&e, url_of(port_a, "/echo"), "DELETE", "", NULL, 0) == OK, "DELETE");
    body = read_body(&e, get32(&e, HANDLE), 4096, NULL);
    CHECK(body && strstr(body, "method: DELETE\n"), "echo: DELETE");
    free(body);
    g_close(&e, get32(&e, HANDLE));
    CHECK(g_req_full(&e, url_of(port_a, "/echo"), "GET", "", "abc", 3) == OK, "GET with body");
    body = read_body(&e, get32(&e, HANDLE), 4096, NULL);
    CHECK(body && strstr(body, "method: GET\n") && strstr(body, "body-length: 3\n\nabc"),
          "echo: GET with a body");
    free(body);
    g_close(&e, get32(&e, HANDLE));
    CHECK(g_req_full(&e, url_of(port_a, "/ok"), "HEAD", "", NULL, 0) == OK, "HEAD");
    CHECK(get16(&e, STATUS) == 200, "HEAD status");
    body = read_body(&e, get32(&e, HANDLE), 4096, NULL);
    CHECK(body && !body[0], "HEAD: no body");
    free(body);
    g_close(&e, get32(&e, HANDLE));
    CHECK(g_req_full(&e, url_of(port_a, "/status?code=404"), "GET", "", NULL, 0) == OK &&
              get16(&e, STATUS) == 404,
          "a 404 is a response, not an error");
    g_close(&e, get32(&e, HANDLE));
    CHECK(g_req_full(&e, url_of(port_a, "/status?code=500"), "GET", "", NULL, 0) == OK &&
              get16(&e, STATUS) == 500,
          "a 500 is a response");
    g_close(&e, get32(&e, HANDLE));
    env_close(&e);
}

static void test_headers(void)
{
    const char *all[] = {"insecure:allow-all"};
    Env e;
    if (!env_open(&e, all, 1)) {
        CHECK(false, "open");
        return;
    }
    CHECK(g_get(&e, url_of(port_a, "/headers")) == OK, "GET /headers");
    uint32_t h = get32(&e, HANDLE);
    CHECK(g_header_get(&e, h, "set-cookie", 100) == OK && !strcmp(header_value(&e), "a=1"),
          "repeated header: the first value");
    CHECK(g_header_get(&e, h, "X-MULTI", 100) == OK && !strcmp(header_value(&e), "one"),
          "x-multi: one");
    CHECK(g_header_get(&e, h, "x-empty", 100) == OK && get32(&e, WRITTEN) == 0,
          "empty value: 0 bytes");
    CHECK(g_header_get(&e, h, "x-padded", 100) == OK && !strcmp(header_value(&e), "padded value"),
          "value without OWS");
    CHECK(g_header_get(&e, h, "x-folded", 100) == OK && !strcmp(header_value(&e), "first second"),
          "obs-fold joined with one space");
    /* The buffer-too-small protocol: 4, the size needed written, nothing else written. */
    memset(e.mem + BUF, '#', 8);
    CHECK(g_header_get(&e, h, "x-long", 4096) == E_SMALL, "5000-byte value, 4096 buffer: 4");
    CHECK(get32(&e, WRITTEN) == 5000, "the size needed is written");
    CHECK(e.mem[BUF] == '#', "no partial value written");
    CHECK(g_header_get(&e, h, "x-long", 5000) == OK && get32(&e, WRITTEN) == 5000 &&
              e.mem[BUF] == 'L' && e.mem[BUF + 4999] == 'L',
          "retry with the size needed");
    CHECK(g_header_get(&e, h, "content-type", 10) == OK && !strcmp(header_value(&e), "text/plain"),
          "exact fit");
    CHECK(g_header_get(&e, h, "content-type", 9) == E_SMALL, "one short: 4");
    CHECK(g_header_get(&e, h, "content-type:", 100) == E_NOHEADER, "name with ':': 5");
    CHECK(g_header_get(&e, h, "", 100) == E_NOHEADER, "empty name: 5");
    /* headers_get_all: every line, in order, lower-case names. */
    CHECK(g_headers_all(&e, h, BUF, 100, WRITTEN) == E_SMALL, "headers_get_all small: 4");
    uint32_t need = get32(&e, WRITTEN);
    CHECK(need > 5000, "headers_get_all: size needed written");
    CHECK(g_headers_all(&e, h, BUF, need, WRITTEN) == OK && get32(&e, WRITTEN) == need,
          "headers_get_all exact");
    char *all_h = malloc(need + 1);
    memcpy(all_h, e.mem + BUF, need);
    all_h[need] = 0;
    const char *expect = "set-cookie:a=1\nx-multi:one\ncontent-type:text/plain\n"
                         "set-cookie:b=2\nx-multi:two\nx-empty:\nx-padded:padded value\n"
                         "x-long:";
    CHECK(!strncmp(all_h, expect, strlen(expect)), "headers_get_all: order and format");
    CHECK(strstr(all_h, "\nx-folded:first second\ncontent-length:2\nconnection:close\n") &&
              all_h[need - 1] == '\n',
          "headers_get_all: folded, then the rest");
    free(all_h);
    char *body = read_body(&e, h, 1, NULL);
    CHECK(body && !strcmp(body, "hi"), "body read 1 byte at a time");
    free(body);
    g_close(&e, h);

    /* Trailers are not headers. */
    CHECK(g_get(&e, url_of(port_a, "/trailer")) == OK, "GET /trailer");
    h = get32(&e, HANDLE);
    CHECK(g_header_get(&e, h, "x-trailer", 100) == E_NOHEADER, "trailer not a header");
    body = read_body(&e, h, 4096, NULL);
    CHECK(body && !strcmp(body, "hello"), "chunked body");
    free(body);
    g_close(&e, h);

    /* Body in chunks to EOF; a zero-length read is not EOF. */
    CHECK(g_get(&e, url_of(port_a, "/big?bytes=10000")) == OK, "GET /big 10000");
    h = get32(&e, HANDLE);
    uint32_t sizes[6];
    for (int i = 0; i < 6; i++) {
        int32_t r = g_body_read(&e, h, BUF, i == 1 ? 0 : 3000, WRITTEN);
        sizes[i] = r == OK ? get32(&e, WRITTEN) : 0xffffffff;
    }
    CHECK(sizes[0] == 3000 && sizes[1] == 0 && sizes[2] == 3000 && sizes[3] == 3000 &&
              sizes[4] == 1000 && sizes[5] == 0,
          "chunks 3000, (0-byte read), 3000, 3000, 1000, EOF");
    g_close(&e, h);
    env_close(&e);
}

/* The error codes the ABI can give, and guest pointers of every bad kind. */
static void test_errors(void)
{
    const char *all[] = {"insecure:allow-all"};
    Env e;
    if (!env_open(&e, all, 1)) {
        CHECK(false, "open");
        return;
    }
    const char *ok = url_of(port_a, "/ok");
    /* 10: not http(s), not absolute, NUL. */
    CHECK(g_get(&e, "ftp://127.0.0.1/") == E_URL, "ftp: 10");
    CHECK(g_get(&e, "file:///etc/passwd") == E_URL, "file: 10");
    CHECK(g_get(&e, "gopher://127.0.0.1/") == E_URL, "gopher: 10");
    CHECK(g_get(&e, "/relative") == E_URL, "relative: 10");
    CHECK(g_get(&e, "127.0.0.1/ok") == E_URL, "no scheme: 10");
    CHECK(g_get(&e, "http://") == E_URL, "no host: 10");
    CHECK(g_get(&e, "http://exa mple.com/") == E_URL, "space: 10");
    CHECK(g_get(&e, "") == E_URL, "empty: 10");
    CHECK(g_get(&e, "http://127.0.0.1:99999/") == E_URL, "port out of range: 10");
    CHECK(g_get(&e, "http://127.0.0.1/a\r\nX-Injected: 1") == E_URL, "CRLF in url: 10");
    CHECK(g_get(&e, "http://127.0.0.1\r\n/") == E_URL, "CRLF in host: 10");
    CHECK(g_get(&e, "http://evil.com%2f.example.com/") == E_URL, "encoded / in host: 10");
    memcpy(e.mem + URL, "http://127.0.0.1\0/", 18);
    CHECK(g_req_raw(&e, URL, 18, METHOD, 3, HDRS, 0, BODY, 0, STATUS, HANDLE) == E_URL,
          "NUL in url: 10");
    /* 6: not UTF-8. */
    CHECK(g_get(&e, "http://127.0.0.1/\xff") == E_UTF8, "url not UTF-8: 6");
    CHECK(g_get(&e, "http://127.0.0.1/\xc0\xaf") == E_UTF8, "overlong: 6");
    CHECK(g_get(&e, "http://127.0.0.1/\xed\xa0\x80") == E_UTF8, "surrogate: 6");
    CHECK(g_req_full(&e, ok, "G\xffT", "", NULL, 0) == E_UTF8, "method not UTF-8: 6");
    CHECK(g_req_full(&e, ok, "GET", "a:\xff\n", NULL, 0) == E_UTF8, "headers not UTF-8: 6");
    /* 8: methods. */
    CHECK(g_req_full(&e, ok, "", "", NULL, 0) == E_METHOD, "empty method: 8");
    CHECK(g_req_full(&e, ok, "GE T", "", NULL, 0) == E_METHOD, "space in method: 8");
    CHECK(g_req_full(&e, ok, "GET\r\nX: y", "", NULL, 0) == E_METHOD, "CRLF in method: 8");
    CHECK(g_req_full(&e, ok, "G(T", "", NULL, 0) == E_METHOD, "separator in method: 8");
    CHECK(g_req_full(&e, ok, "GÉT", "", NULL, 0) == E_METHOD, "non-ASCII method: 8");
    CHECK(g_req_full(&e, ok, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG", "", NULL, 0) == E_METHOD,
          "33-byte method: 8");
    CHECK(g_req_full(&e, url_of(port_a, "/echo"), "PURGE", "", NULL, 0) == OK &&
              get16(&e, STATUS) == 501,
          "a custom token method reaches the server (which answers 501)");
    g_close(&e, get32(&e, HANDLE));
    /* 9: headers. */
    CHECK(g_req_full(&e, ok, "GET", "no colon here\n", NULL, 0) == E_ENCODING,
          "header line without ':': 9, no panic");
    CHECK(g_req_full(&e, ok, "GET", "a:1\nbad\n", NULL, 0) == E_ENCODING, "second line bad");
    CHECK(g_req_full(&e, ok, "GET", ":v\n", NULL, 0) == E_ENCODING, "empty name: 9");
    CHECK(g_req_full(&e, ok, "GET", "a b:v\n", NULL, 0) == E_ENCODING, "space in name: 9");
    CHECK(g_req_full(&e, ok, "GET", "a:v\x01w\n", NULL, 0) == E_ENCODING, "control char: 9");
    CHECK(g_req_full(&e, ok, "GET", "a:v\rX-Injected: 1\n", NULL, 0) == E_ENCODING,
          "bare CR in value: 9");
    memcpy(e.mem + HDRS, "a:v\0w\n", 6);
    memcpy(e.mem + URL, ok, strlen(ok));
    memcpy(e.mem + METHOD, "GET", 3);
    CHECK(g_req_raw(&e, URL, (uint32_t)strlen(ok), METHOD, 3, HDRS, 6, BODY, 0, STATUS, HANDLE) ==
              E_ENCODING,
          "NUL in value: 9");
    CHECK(g_req_full(&e, ok, "GET", "\n\r\n\n", NULL, 0) == OK, "empty lines are fine");
    g_close(&e, get32(&e, HANDLE));
    CHECK(g_req_full(&e, ok, "GET", "a:b", NULL, 0) == OK, "no final newline is fine");
    g_close(&e, get32(&e, HANDLE));
    CHECK(g_req_full(&e, ok, "GET", "a:b:c\n", NULL, 0) == OK, "':' in a value is fine");
    g_close(&e, get32(&e, HANDLE));
    /* 11: transfers that fail. */
    CHECK(g_get(&e, url_of(port_closed, "/ok")) == E_REQUEST, "connection refused: 11");
    CHECK(http_ctx_last_error(e.ctx) && strstr(http_ctx_last_error(e.ctx), "failed"),
          "the message says why");
    CHECK(g_get(&e, url_of(port_a, "/badheader")) == E_REQUEST, "header without ':': 11");
    CHECK(g_get(&e, "https://127.0.0.1:1/") == E_REQUEST, "https refused: 11");
    CHECK(g_get(&e, "http://nonexistent.invalid/") == E_REQUEST, "unresolvable: 11");
    /* 3: every pointer out of bounds, including u32 wrap-around, for each call. */
    memcpy(e.mem + URL, ok, strlen(ok));
    uint32_t ul = (uint32_t)strlen(ok);
    CHECK(g_req_raw(&e, MEM_SIZE - 4, 8, METHOD, 3, HDRS, 0, BODY, 0, STATUS, HANDLE) == E_ACCESS,
          "url past the end: 3");
    CHECK(g_req_raw(&e, 0xfffffff0u, 0x20, METHOD, 3, HDRS, 0, BODY, 0, STATUS, HANDLE) == E_ACCESS,
          "url wraps u32: 3");
    CHECK(g_req_raw(&e, URL, 0xffffffffu, METHOD, 3, HDRS, 0, BODY, 0, STATUS, HANDLE) == E_ACCESS,
          "url_len 4 GiB: 3");
    CHECK(g_req_raw(&e, URL, ul, 0xffffffffu, 3, HDRS, 0, BODY, 0, STATUS, HANDLE) == E_ACCESS,
          "method wraps: 3");
    CHECK(g_req_raw(&e, URL, ul, METHOD, 3, MEM_SIZE, 1, BODY, 0, STATUS, HANDLE) == E_ACCESS,
          "headers past the end: 3");
    CHECK(g_req_raw(&e, URL, ul, METHOD, 3, HDRS, 0, 16, 0xfffffff0u, STATUS, HANDLE) == E_ACCESS,
          "body wraps: 3");
    CHECK(g_req_raw(&e, URL, ul, METHOD, 3, HDRS, 0, BODY, 0, MEM_SIZE - 1, HANDLE) == E_ACCESS,
          "status u16 straddles the end: 3");
    CHECK(g_req_raw(&e, URL, ul, METHOD, 3, HDRS, 0, BODY, 0, STATUS, MEM_SIZE - 3) == E_ACCESS,
          "handle u32 straddles the end: 3");
    CHECK(g_req_raw(&e, URL, ul, METHOD, 3, HDRS, 0, MEM_SIZE, 0, MEM_SIZE - 2, MEM_SIZE - 8) == OK,
          "spans ending exactly at the end are fine");
    CHECK(get16(&e, MEM_SIZE - 2) == 200, "status written at the very end");
    uint32_t h = get32(&e, MEM_SIZE - 8);
    CHECK(g_body_read(&e, h, MEM_SIZE - 1, 2, WRITTEN) == E_ACCESS, "body_read buf: 3");
    CHECK(g_body_read(&e, h, 0xffffffffu, 2, WRITTEN) == E_ACCESS, "body_read buf wraps: 3");
    CHECK(g_body_read(&e, h, BUF, 2, MEM_SIZE - 2) == E_ACCESS, "body_read out ptr: 3");
    CHECK(g_body_read(&e, h, BUF, 0xffffffffu, WRITTEN) == E_ACCESS,
          "body_read huge len: 3 (checked whole, not just what is written)");
    CHECK(g_body_read(&e, h, BUF, 1, WRITTEN) == OK && get32(&e, WRITTEN) == 1,
          "the cursor did not move on errors");
    CHECK(g_header_get_raw(&e, h, 0xfffffffeu, 4, BUF, 10, WRITTEN) == E_ACCESS,
          "header_get name wraps: 3, not 4");
    CHECK(g_header_get_raw(&e, h, NAME, 4, MEM_SIZE - 5, 10, WRITTEN) == E_ACCESS,
          "header_get buf: 3");
    CHECK(g_header_get_raw(&e, h, NAME, 4, BUF, 10, MEM_SIZE) == E_ACCESS, "header_get out ptr: 3");
    CHECK(g_headers_all(&e, h, 0x80000000u, 0x80000000u, WRITTEN) == E_ACCESS,
          "headers_get_all buf: 3");
    CHECK(g_headers_all(&e, h, BUF, 10, 0xfffffffdu) == E_ACCESS, "headers_get_all out: 3");
    /* 1 before 3: the handle is looked up first. */
    CHECK(g_body_read(&e, 999, 0xffffffffu, 2, WRITTEN) == E_HANDLE, "unknown handle: 1");
    CHECK(g_header_get_raw(&e, 999, NAME, 4, BUF, 10, WRITTEN) == E_HANDLE,
          "header_get unknown handle: 1");
    CHECK(g_headers_all(&e, 999, BUF, 10, WRITTEN) == E_HANDLE, "headers_get_all unknown: 1");
    CHECK(g_body_read(&e, 0xffffffffu, BUF, 10, WRITTEN) == E_HANDLE, "handle -1: 1");
    /* 6 for a header name that is not UTF-8. */
    memcpy(e.mem + NAME, "\xfe\xff", 2);
    CHECK(g_header_get_raw(&e, h, NAME, 2, BUF, 10, WRITTEN) == E_UTF8, "header name: 6");
    g_close(&e, h);
    env_close(&e);
}

/* ---- the allow-list on real requests ---- */

static int32_t try_get(const char *const *allow, size_t n, const char *url)
{
    Env e;
    if (!env_open(&e, allow, n))
        return -100;
    int32_t err;
    char *body = fetch(&e, url, &err, NULL);
    free(body);
    env_close(&e);
    return err;
}

static void test_allow_requests(void)
{
    char a_exact[64], b_exact[64], a_https[64], any_port[64], sub[64], localhost[64];
    snprintf(a_exact, sizeof a_exact, "http://127.0.0.1:%d", port_a);
    snprintf(b_exact, sizeof b_exact, "http://127.0.0.1:%d", port_b);
    snprintf(a_https, sizeof a_https, "https://127.0.0.1:%d", port_a);
    snprintf(any_port, sizeof any_port, "http://127.0.0.1:*");
    snprintf(sub, sizeof sub, "http://*.localhost:%d", port_a);
    snprintf(localhost, sizeof localhost, "http://localhost:%d", port_a);
    const char *l1[] = {a_exact};
    const char *l2[] = {a_https};
    const char *l3[] = {any_port};
    const char *l4[] = {"http://127.0.0.1"};
    const char *l5[] = {sub};
    const char *l6[] = {localhost};
    const char *l7[] = {"insecure:allow-all"};
    char url[128];
    /* Denied first, counting what server B receives. */
    long b_before = hits(port_b);
    CHECK(try_get(l1, 1, url_of(port_b, "/ok")) == E_DENIED, "other port: 7");
    CHECK(try_get(l2, 1, url_of(port_b, "/ok")) == E_DENIED, "https entry, http url: 7");
    CHECK(try_get(l4, 1, url_of(port_b, "/ok")) == E_DENIED, "no port means 80: 7");
    CHECK(try_get(NULL, 0, url_of(port_b, "/ok")) == E_DENIED, "empty list: 7");
    snprintf(url, sizeof url, "http://127.0.0.1:%d@127.0.0.1:%d/ok", port_a, port_b);
    CHECK(try_get(l1, 1, url) == E_DENIED, "userinfo trick: 7");
    CHECK(hits(port_b) == b_before, "server B received nothing from denied requests");
    CHECK(try_get(l1, 1, url_of(port_a, "/ok")) == OK, "allowed host and port");
    CHECK(try_get(l2, 1, url_of(port_a, "/ok")) == E_DENIED, "https entry, http url (A): 7");
    CHECK(try_get(l3, 1, url_of(port_b, "/ok")) == OK, "port *");
    CHECK(try_get(l4, 1, url_of(port_a, "/ok")) == E_DENIED, "no port means 80 (A): 7");
    snprintf(url, sizeof url, "http://localhost:%d/ok", port_a);
    CHECK(try_get(l1, 1, url) == E_DENIED, "localhost is not 127.0.0.1: 7");
    snprintf(url, sizeof url, "http://api.localhost:%d/ok", port_a);
    CHECK(try_get(l5, 1, url) == OK, "wildcard subdomain (curl resolves *.localhost)");
    snprintf(url, sizeof url, "http://localhost:%d/ok", port_a);
    CHECK(try_get(l5, 1, url) == E_DENIED, "wildcard does not match the apex: 7");
    CHECK(try_get(l6, 1, url) == OK, "the apex listed explicitly");
    CHECK(try_get(l7, 1, url_of(port_b, "/ok")) == OK, "insecure:allow-all");
    CHECK(try_get(NULL, 0, url_of(port_a, "/ok")) == E_DENIED, "empty list (A): 7");
    /* A denied request gives 7 before the method is looked at (the original's order). */
    Env e;
    if (env_open(&e, l1, 1)) {
        CHECK(g_req_full(&e, url_of(port_b, "/ok"), "BAD METHOD", "", NULL, 0) == E_DENIED,
              "7 before 8");
        CHECK(strstr(http_ctx_last_error(e.ctx), "not allowed"), "message: not allowed");
        env_close(&e);
    }
    /* No proxy from the environment (httpoxy): the request goes straight to A. */
    char proxy[64];
    snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", port_b);
    setenv("http_proxy", proxy, 1);
    setenv("HTTP_PROXY", proxy, 1);
    setenv("ALL_PROXY", proxy, 1);
    setenv("all_proxy", proxy, 1);
    long b0 = hits(port_b);
    CHECK(try_get(l1, 1, url_of(port_a, "/ok")) == OK, "request with proxies in the environment");
    CHECK(hits(port_b) == b0, "the proxy from the environment was not used");
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("ALL_PROXY");
    unsetenv("all_proxy");
}

static void test_redirects(void)
{
    char a_exact[64], b_exact[64];
    snprintf(a_exact, sizeof a_exact, "http://127.0.0.1:%d", port_a);
    snprintf(b_exact, sizeof b_exact, "http://127.0.0.1:%d", port_b);
    const char *only_a[] = {a_exact};
    const char *both[] = {a_exact, b_exact};
    char path[512];
    Env e;

    /* To a denied destination: 7, and B never sees the request. */
    long b0 = hits(port_b);
    snprintf(path, sizeof path, "/redirect?to=http://127.0.0.1:%d/ok", port_b);
    CHECK(try_get(only_a, 1, url_of(port_a, path)) == E_DENIED, "redirect to denied: 7");
    snprintf(path, sizeof path, "/redirect?code=307&to=http://127.0.0.1:%d/ok", port_b);
    CHECK(try_get(only_a, 1, url_of(port_a, path)) == E_DENIED, "307 to denied: 7");
    snprintf(path, sizeof path, "/redirect?code=301&to=http://localhost:%d/ok", port_a);
    CHECK(try_get(only_a, 1, url_of(port_a, path)) == E_DENIED, "to another name: 7");
    CHECK(hits(port_b) == b0, "the denied server received nothing");
    /* Within the list: A -> B -> A. */
    snprintf(path, sizeof path,
             "/redirect?to=http://127.0.0.1:%d/redirect%%3Fto%%3D"
             "http://127.0.0.1:%d/ok",
             port_b, port_a);
    uint16_t status = 0;
    int32_t err;
    if (env_open(&e, both, 2)) {
        char *body = fetch(&e, url_of(port_a, path), &err, &status);
        CHECK(err == OK && status == 200 && body && !strcmp(body, "ok"),
              "redirect chain A -> B -> A within the list");
        free(body);
        body = fetch(&e, url_of(port_a, "/loop?n=9"), &err, &status);
        CHECK(err == OK && status == 200 && body && !strcmp(body, "ok"),
              "10 relative redirects: the limit exactly");
        free(body);
        CHECK(g_get(&e, url_of(port_a, "/loop?n=10")) == E_REQUEST, "11 redirects: 11");
        CHECK(strstr(http_ctx_last_error(e.ctx), "too many redirects"), "message");
        body = fetch(&e, url_of(port_a, "/status?code=302"), &err, &status);
        CHECK(err == OK && status == 302, "302 without Location: returned as is");
        free(body);
        body = fetch(&e, url_of(port_a, "/redirect?code=300&to=/ok"), &err, &status);
        CHECK(err == OK && status == 300, "300 is not followed");
        free(body);
        CHECK(g_get(&e, url_of(port_a, "/redirect?to=ftp://127.0.0.1/")) == E_REQUEST,
              "redirect to ftp: 11");
        CHECK(g_get(&e, url_of(port_a, "/redirect?to=file:///etc/passwd")) == E_REQUEST,
              "redirect to file: 11");
        /* Methods across redirects. */
        CHECK(g_req_full(&e, url_of(port_a, "/redirect?code=303&to=/echo"), "POST",
                         "content-type:text/plain\n", "data", 4) == OK,
              "303 after POST");
        body = read_body(&e, get32(&e, HANDLE), 4096, NULL);
        CHECK(body && strstr(body, "method: GET\n") && strstr(body, "body-length: 0\n") &&
                  !strstr(body, "content-type"),
              "303: GET without the body or its content type");
        free(body);
        g_close(&e, get32(&e, HANDLE));
        CHECK(g_req_full(&e, url_of(port_a, "/redirect?code=302&to=/echo"), "POST", "", "data",
                         4) == OK,
              "302 after POST");
        body = read_body(&e, get32(&e, HANDLE), 4096, NULL);
        CHECK(body && strstr(body, "method: GET\n"), "302 after POST: GET");
        free(body);
        g_close(&e, get32(&e, HANDLE));
        CHECK(g_req_full(&e, url_of(port_a, "/redirect?code=307&to=/echo"), "POST", "", "data",
                         4) == OK,
              "307 after POST");
        body = read_body(&e, get32(&e, HANDLE), 4096, NULL);
        CHECK(body && strstr(body, "method: POST\n") && strstr(body, "body-length: 4\n\ndata"),
              "307: POST with the body again");
        free(body);
        g_close(&e, get32(&e, HANDLE));
        CHECK(g_req_full(&e, url_of(port_a, "/redirect?code=308&to=/echo"), "PUT", "", "x", 1) ==
                  OK,
              "308 after PUT");
        body = read_body(&e, get32(&e, HANDLE), 4096, NULL);
        CHECK(body && strstr(body, "method: PUT\n") && strstr(body, "body-length: 1\n\nx"),
              "308: PUT with the body");
        free(body);
        g_close(&e, get32(&e, HANDLE));
        /* Credentials stay on the origin they were meant for. */
        CHECK(g_req_full(&e, url_of(port_a, "/redirect?to=/echo"), "GET",
                         "authorization:Bearer s\ncookie:c=1\nx-keep:1\n", NULL, 0) == OK,
              "same-origin redirect with credentials");
        body = read_body(&e, get32(&e, HANDLE), 4096, NULL);
        CHECK(body && strstr(body, "h: authorization: Bearer s\n") &&
                  strstr(body, "h: cookie: c=1\n"),
              "same origin: credentials kept");
        free(body);
        g_close(&e, get32(&e, HANDLE));
        snprintf(path, sizeof path, "/redirect?to=http://127.0.0.1:%d/echo", port_b);
        CHECK(g_req_full(&e, url_of(port_a, path), "GET",
                         "authorization:Bearer s\ncookie:c=1\nx-keep:1\n", NULL, 0) == OK,
              "cross-origin redirect with credentials");
        body = read_body(&e, get32(&e, HANDLE), 4096, NULL);
        CHECK(body && !strstr(body, "authorization") && !strstr(body, "cookie") &&
                  strstr(body, "h: x-keep: 1\n"),
              "other origin: authorization and cookie dropped, the rest kept");
        free(body);
        g_close(&e, get32(&e, HANDLE));
        env_close(&e);
    }
    /* max_redirects 0: any redirect is an error. */
    HttpPolicy p;
    http_policy_default(&p);
    p.max_redirects = 0;
    if (env_open_with(&e, http_wasm, http_wasm_len, both, 2, &p)) {
        CHECK(g_get(&e, url_of(port_a, "/loop?n=1")) == E_REQUEST, "max_redirects 0: 11");
        CHECK(g_get(&e, url_of(port_a, "/ok")) == OK, "max_redirects 0: plain request ok");
        env_close(&e);
    }
}

static void test_limits(void)
{
    const char *all[] = {"insecure:allow-all"};
    HttpPolicy p;
    Env e;
    /* Timeout: 11, promptly. */
    http_policy_default(&p);
    p.timeout_ms = 300;
    if (env_open_with(&e, http_wasm, http_wasm_len, all, 1, &p)) {
        uint64_t t0 = now_ns();
        CHECK(g_get(&e, url_of(port_a, "/slow?ms=3000")) == E_REQUEST, "timeout: 11");
        uint64_t ms = (now_ns() - t0) / 1000000;
        CHECK(ms >= 250 && ms < 2000, "timeout after about 300 ms");
        CHECK(strstr(http_ctx_last_error(e.ctx), "timed out"), "message: timed out");
        CHECK(g_get(&e, url_of(port_a, "/slow?ms=50")) == OK, "a quick one still works");
        g_close(&e, get32(&e, HANDLE));
        /* The timeout covers the whole call, redirects included. */
        char path[128];
        snprintf(path, sizeof path, "/redirect?to=/slow%%3Fms%%3D200");
        CHECK(g_get(&e, url_of(port_a, path)) == OK, "redirect then 200 ms: within 300");
        g_close(&e, get32(&e, HANDLE));
        env_close(&e);
    }
    /* The context's deadline: the trap, as WASI's. */
    http_policy_default(&p);
    if (env_open_with(&e, http_wasm, http_wasm_len, all, 1, &p)) {
        http_ctx_set_deadline(e.ctx, now_ns() + 300000000u);
        uint64_t t0 = now_ns();
        CHECK(g_get(&e, url_of(port_a, "/slow?ms=3000")) == -1 &&
                  !strcmp(trap_msg, "interrupted: time limit exceeded"),
              "deadline: trap");
        CHECK((now_ns() - t0) / 1000000 < 2000, "deadline: prompt");
        http_ctx_set_deadline(e.ctx, now_ns() - 1000);
        long a0 = hits(port_a);
        CHECK(g_get(&e, url_of(port_a, "/ok")) == -1, "past the deadline: trap at once");
        CHECK(hits(port_a) == a0, "past the deadline: nothing sent");
        http_ctx_set_deadline(e.ctx, 0);
        CHECK(g_get(&e, url_of(port_a, "/ok")) == OK, "deadline cleared");
        env_close(&e);
    }
    /* Body cap, with Content-Length and chunked. */
    http_policy_default(&p);
    p.max_body = 1000;
    if (env_open_with(&e, http_wasm, http_wasm_len, all, 1, &p)) {
        size_t len = 0;
        CHECK(g_get(&e, url_of(port_a, "/big?bytes=1000")) == OK, "exactly max_body: ok");
        char *b = read_body(&e, get32(&e, HANDLE), 4096, &len);
        CHECK(b && len == 1000, "all 1000 bytes");
        free(b);
        g_close(&e, get32(&e, HANDLE));
        CHECK(g_get(&e, url_of(port_a, "/big?bytes=1001")) == E_REQUEST, "max_body + 1: 11");
        CHECK(strstr(http_ctx_last_error(e.ctx), "larger than 1000"), "message: larger");
        CHECK(g_get(&e, url_of(port_a, "/big?bytes=1000&chunked=1")) == OK, "chunked 1000 ok");
        g_close(&e, get32(&e, HANDLE));
        CHECK(g_get(&e, url_of(port_a, "/big?bytes=100000&chunked=1")) == E_REQUEST,
              "chunked past max_body: 11");
        CHECK(g_get(&e, url_of(port_a, "/ok")) == OK, "the context still works");
        g_close(&e, get32(&e, HANDLE));
        env_close(&e);
    }
    /* Header cap. */
    if (env_open(&e, all, 1)) {
        CHECK(g_get(&e, url_of(port_a, "/manyheaders?n=50")) == OK, "50 KB of headers: ok");
        g_close(&e, get32(&e, HANDLE));
        CHECK(g_get(&e, url_of(port_a, "/manyheaders?n=400")) == E_REQUEST,
              "400 KB of headers: 11");
        env_close(&e);
    }
    /* Open handles. */
    http_policy_default(&p);
    p.max_concurrency = 2;
    if (env_open_with(&e, http_wasm, http_wasm_len, all, 1, &p)) {
        CHECK(g_get(&e, url_of(port_a, "/ok")) == OK, "handle 1 of 2");
        uint32_t h0 = get32(&e, HANDLE);
        CHECK(g_get(&e, url_of(port_a, "/ok")) == OK, "handle 2 of 2");
        long a0 = hits(port_a);
        CHECK(g_get(&e, url_of(port_a, "/ok")) == E_SESSIONS, "third open handle: 13");
        CHECK(hits(port_a) == a0, "13 sends nothing");
        g_close(&e, h0);
        CHECK(g_get(&e, url_of(port_a, "/ok")) == OK, "after a close: ok again");
        env_close(&e);
    }
    /* http_ctx_reset: the next guest starts with no responses and handle 0. */
    http_policy_default(&p);
    p.max_concurrency = 2;
    if (env_open_with(&e, http_wasm, http_wasm_len, all, 1, &p)) {
        bool two = g_get(&e, url_of(port_a, "/ok")) == OK && g_get(&e, url_of(port_a, "/ok")) == OK;
        CHECK(two && get32(&e, HANDLE) == 1, "two open responses, handles 0 and 1");
        http_ctx_set_deadline(e.ctx, now_ns() - 1000);
        http_ctx_reset(e.ctx);
        CHECK(http_ctx_last_error(e.ctx) == NULL, "reset: no last error");
        CHECK(g_body_read(&e, 1, BUF, 10, WRITTEN) == E_HANDLE, "reset: old handles closed");
        CHECK(g_get(&e, url_of(port_a, "/ok")) == OK && get32(&e, HANDLE) == 0,
              "reset: deadline cleared, handle numbers restart at 0");
        CHECK(g_get(&e, url_of(port_a, "/ok")) == OK, "reset: the limit counts afresh");
        CHECK(g_get(&e, url_of(port_a, "/ok")) == E_SESSIONS, "reset: and still applies");
        env_close(&e);
    }
    /* Unlimited: many open handles. */
    http_policy_default(&p);
    p.max_concurrency = 0;
    if (env_open_with(&e, http_wasm, http_wasm_len, all, 1, &p)) {
        bool ok = true;
        for (int i = 0; i < 40 && ok; i++)
            ok = g_get(&e, url_of(port_a, "/ok")) == OK && get32(&e, HANDLE) == (uint32_t)i;
        CHECK(ok, "max_concurrency 0: 40 open handles, numbered 0-39");
        env_close(&e); /* frees them all (ASan checks) */
    }
}

/* ---- robustness: arbitrary arguments never crash the host ---- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/* A pointer: mostly inside the memory, sometimes near or past its end or anywhere. */
static uint32_t rnd_ptr(void)
{
    switch (rnd() % 4) {
    case 0:
        return rnd();
    case 1:
        return MEM_SIZE - rnd() % 16;
    default:
        return rnd() % MEM_SIZE;
    }
}

static uint32_t rnd_len(void)
{
    return rnd() % 8 == 0 ? rnd() : rnd() % 64;
}

/* Bytes from a set rich in what matters to the parsers. */
static void rnd_text(Env *e, uint32_t at, uint32_t n)
{
    static const char set[] = "aZ09:-_ \t\r\n\0\x7f\x80\xc3\xa9\xff()/@;=";
    for (uint32_t i = 0; i < n; i++)
        e->mem[at + i] = (uint8_t)set[rnd() % (sizeof set - 1)];
}

static void test_robustness(void)
{
    const char *all[] = {"insecure:allow-all"};
    Env deny, open_;
    if (!env_open(&deny, NULL, 0) || !env_open(&open_, all, 1)) {
        CHECK(false, "open");
        return;
    }
    /* Deny-all: whatever the arguments, no request is made and only these codes come back. */
    bool ok = true;
    for (int i = 0; i < 3000 && ok; i++) {
        for (uint32_t k = 0; k < 256; k++)
            deny.mem[URL + k] = (uint8_t)rnd();
        uint32_t a[10];
        for (int k = 0; k < 10; k++)
            a[k] = k % 2 ? rnd_len() : rnd_ptr();
        int32_t r =
            rnd() % 2
                ? g_req_raw(&deny, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9])
                : g_req_raw(&deny, URL, rnd() % 256, METHOD, 3, HDRS, 0, BODY, 0, STATUS, HANDLE);
        ok = r == E_ACCESS || r == E_UTF8 || r == E_URL || r == E_DENIED;
        if (!ok)
            fprintf(stderr, "deny-all req gave %d (%s)\n", r, trap_msg);
        uint32_t h = rnd() % 4;
        r = g_body_read(&deny, h, rnd_ptr(), rnd_len(), rnd_ptr());
        ok = ok && r == E_HANDLE;
        r = g_header_get_raw(&deny, h, rnd_ptr(), rnd_len(), rnd_ptr(), rnd_len(), rnd_ptr());
        ok = ok && r == E_HANDLE;
        ok = ok && g_close(&deny, rnd()) == OK;
    }
    CHECK(ok, "3000 random calls on a deny-all context: 1, 3, 6, 7 or 10, never a crash");
    /* Allowed: random methods and header blocks to /echo. */
    ok = true;
    const char *url = url_of(port_a, "/echo");
    memcpy(open_.mem + URL, url, strlen(url));
    int sent = 0;
    for (int i = 0; i < 300 && ok; i++) {
        uint32_t ml = 1 + rnd() % 8, hl = rnd() % 48;
        rnd_text(&open_, METHOD, ml);
        if (rnd() % 2)
            memcpy(open_.mem + METHOD, "POST", ml = 4);
        rnd_text(&open_, HDRS, hl);
        if (rnd() % 2) { /* a well-formed line with an odd but valid value */
            static const char vset[] = "aZ09:;= \t()/@\"";
            memcpy(open_.mem + HDRS, "x-r:", 4);
            for (uint32_t k = 4; k < hl; k++)
                open_.mem[HDRS + k] = (uint8_t)vset[rnd() % (sizeof vset - 1)];
        }
        int32_t r = g_req_raw(&open_, URL, (uint32_t)strlen(url), METHOD, ml, HDRS, hl, BODY,
                              rnd() % 64, STATUS, HANDLE);
        ok = r == OK || r == E_UTF8 || r == E_METHOD || r == E_ENCODING;
        if (!ok)
            fprintf(stderr, "random request gave %d (%s)\n", r, trap_msg);
        if (r == OK) {
            sent++;
            uint32_t h = get32(&open_, HANDLE);
            ok = g_headers_all(&open_, h, BUF, 4096, WRITTEN) == OK &&
                 g_body_read(&open_, h, BUF, 4096, WRITTEN) == OK && g_close(&open_, h) == OK;
        }
    }
    CHECK(ok, "300 random methods and header blocks: 0, 6, 8 or 9");
    CHECK(sent > 10, "some of them were sent");
    /* Random pointers against an open response. */
    CHECK(g_get(&open_, url_of(port_a, "/headers")) == OK, "an open response");
    uint32_t h = get32(&open_, HANDLE);
    ok = true;
    for (int i = 0; i < 3000 && ok; i++) {
        int32_t r1 = g_body_read(&open_, h, rnd_ptr(), rnd_len(), rnd_ptr());
        int32_t r2 =
            g_header_get_raw(&open_, h, rnd_ptr(), rnd_len(), rnd_ptr(), rnd_len(), rnd_ptr());
        int32_t r3 = g_headers_all(&open_, h, rnd_ptr(), rnd_len(), rnd_ptr());
        ok = (r1 == OK || r1 == E_ACCESS) &&
             (r2 == OK || r2 == E_ACCESS || r2 == E_SMALL || r2 == E_NOHEADER || r2 == E_UTF8) &&
             (r3 == OK || r3 == E_ACCESS || r3 == E_SMALL);
    }
    CHECK(ok, "3000 random pointer sets on an open response: 0, 3, 4, 5 or 6");
    env_close(&deny);
    env_close(&open_);
}

/* ---- the C guest SDK ---- */

typedef struct Out {
    char buf[8192];
    size_t len;
} Out;

static ssize_t out_write(void *ud, const uint8_t *b, size_t n)
{
    Out *o = ud;
    size_t k = n < sizeof o->buf - 1 - o->len ? n : sizeof o->buf - 1 - o->len;
    memcpy(o->buf + o->len, b, k);
    o->len += k;
    o->buf[o->len] = 0;
    return (ssize_t)n;
}

/* Runs the SDK guest's _start with argv {"sdk", url}; its stdout into out. Returns the exit
 * status, or -1. */
static int run_sdk(const uint8_t *wasm, size_t len, const char *url, Out *out)
{
    corral_wasi_config_t cfg;
    corral_wasi_config_default(&cfg);
    const char *argv[] = {"sdk", url};
    cfg.argv = argv;
    cfg.argc = 2;
    cfg.stdio[0].fd = -1;
    cfg.stdio[1] = (corral_wasi_stdio_t){-1, NULL, out_write, out};
    cfg.stdio[2].fd = -1;
    char *err = NULL;
    corral_wasi_t *w = corral_wasi_new(&cfg, &err);
    const char *all[] = {"insecure:allow-all"};
    HttpAllowList *a = http_allow_parse(all, 1, &err);
    HttpPolicy p;
    http_policy_default(&p);
    p.allow = a;
    HttpCtx *c = http_ctx_new(&p);
    corral_engine_t *engine = corral_engine_new(NULL);
    corral_module_t *m = NULL;
    int status = -1;
    if (w && a && c && !corral_module_new(engine, wasm, len, &m)) {
        corral_store_t *s = corral_store_new(engine);
        size_t n = corral_module_import_count(m);
        corral_extern_t *imports = calloc(n, sizeof *imports);
        corral_instance_t *inst = NULL;
        corral_trap_t *trap = NULL;
        corral_extern_t start;
        if (http_link(c, s, m, imports, n, &err) && corral_wasi_link(w, s, m, imports, n, &err) &&
            !corral_instance_new(s, m, imports, n, &inst, &trap) && inst &&
            corral_instance_export(inst, "_start", 6, &start)) {
            int32_t code = 0;
            trap = corral_func_call(s, start.of.func, NULL, 0, NULL, 0);
            status = !trap ? 0 : corral_trap_exit_status(trap, &code) ? code : -1;
        }
        if (err)
            fprintf(stderr, "sdk guest: %s\n", err);
        free(err);
        corral_trap_delete(trap);
        free(imports);
        corral_store_delete(s);
        corral_module_delete(m);
    }
    corral_engine_delete(engine);
    http_ctx_free(c);
    http_allow_free(a);
    corral_wasi_delete(w);
    return status;
}

static void test_sdk(void)
{
    size_t len;
    uint8_t *wasm = read_file("build/tests/wasm/http_sdk.wasm", &len);
    if (!wasm) {
        printf("test_http: build/tests/wasm/http_sdk.wasm missing (clang): SDK guest skipped\n");
        return;
    }
    Out out = {.len = 0};
    CHECK(run_sdk(wasm, len, url_of(port_a, "/big?bytes=10000"), &out) == 0, "SDK guest runs");
    CHECK(strstr(out.buf, "status 200\n") && strstr(out.buf, "bytes 10000\n"),
          "SDK guest: GET and the whole body");
    out.len = 0;
    out.buf[0] = 0;
    CHECK(run_sdk(wasm, len, url_of(port_a, "/headers"), &out) == 0, "SDK guest: headers");
    CHECK(strstr(out.buf, "content-type text/plain\n"), "SDK guest: header_get helper");
    out.len = 0;
    out.buf[0] = 0;
    CHECK(run_sdk(wasm, len, "ftp://x/", &out) == 10, "SDK guest: error code as exit status");
    CHECK(strstr(out.buf, "error 10 invalid_url\n"), "SDK guest: error name");
    free(wasm);
}

int main(void)
{
    const char *why = NULL;
    if (!http_global_init(&why)) {
        fprintf(stderr, "test_http: %s\n", why);
        return 1;
    }
    size_t len;
    http_wasm = read_file("build/tests/wasm/http.wasm", &len);
    http_wasm_len = len;
    if (!http_wasm) {
        fprintf(stderr, "test_http: build/tests/wasm/http.wasm missing (make unit builds it)\n");
        return 1;
    }
    test_codes();
    test_allow_parser();
    if (!start_servers()) {
        fprintf(stderr, "test_http: cannot start tests/host/http_server.py\n");
        stop_servers();
        return 1;
    }
    test_link();
    test_basic();
    test_headers();
    test_errors();
    test_allow_requests();
    test_redirects();
    test_limits();
    test_robustness();
    test_sdk();
    stop_servers();
    free(http_wasm);
    return unit_report("test_http");
}
