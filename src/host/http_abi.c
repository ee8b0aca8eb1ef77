/* http_abi.c: the wasi_experimental_http functions as the guest sees them: the context and
 * its handle table, linking imports to host functions made from http_funcs.def, and the
 * five calls, each checking every pointer and length against the caller's memory (64-bit
 * sums, so no u32 wrap-around) before touching it. Transfers are http_request.c's.
 *
 * Where Corral differs from the original host (crates/wasi-experimental-http-wasmtime), all
 * invisible to a correct guest of the Rust or AssemblyScript libraries:
 *  - Out-of-bounds pointers give 3 MEMORY_ACCESS_ERROR, for inputs too: the original gave 4
 *    BUFFER_TOO_SMALL when reading and 3 when writing, so the Rust guest's header_get retry
 *    loop (which doubles its buffer on 4) took a bad name pointer for a short buffer. Now 4
 *    means only "the value does not fit", and the size needed is written to the *_written
 *    pointer (the original wrote nothing; the guest libraries ignore it on error), so a
 *    guest can retry once with the exact size. Output buffers are checked whole (buf_len
 *    bytes), not just the part written, and before anything is done, so no call writes part
 *    of its outputs and then fails.
 *  - A header line without ':' is 9 (the original host panicked); an unknown handle in
 *    body_read is 1 (panicked). Methods must be HTTP tokens of at most 31 bytes (8).
 *  - Handle numbers start at 0 and are not reused until the u32 counter wraps (the original
 *    reused a closed number at once, so a stale handle read another response). close stays
 *    0 for any handle, as before: the Rust guest's Drop unwraps its result.
 *  - Every redirect is checked against the allow-list (the original let reqwest follow up to
 *    10 unchecked); a request has a time limit and the body a size limit (11 past either).
 *  - header_get gives the first value of a repeated header (as the original's HeaderMap);
 *    headers_get_all gives every line in the order received, names lower-case. */
#include "host/host_link.h"
#include "host/http_int.h"
#include "util/strf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- errors ---- */

static const struct {
    const char *name, *msg;
} errors[] = {
#define X(name, num, msg) [num] = {#name, msg},
#include "host/http_errors.def"
#undef X
};

enum { NERRORS = sizeof errors / sizeof errors[0] };

const char *http_error_name(uint32_t code)
{
    return code < NERRORS && errors[code].name ? errors[code].name : "?";
}

const char *http_error_message(uint32_t code)
{
    return code < NERRORS && errors[code].msg ? errors[code].msg : "unknown error";
}

uint32_t http_fail(HttpCtx *c, uint32_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof c->error, fmt, ap);
    va_end(ap);
    c->has_error = true;
    return code;
}

const char *http_ctx_last_error(const HttpCtx *c)
{
    return c->has_error ? c->error : NULL;
}

uint64_t http_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- process and context ---- */

bool http_global_init(const char **out_err)
{
    return lib_curl_load(out_err);
}

void http_policy_default(HttpPolicy *p)
{
    *p = (HttpPolicy){
        .allow = NULL,
        .max_concurrency = 16,
        .timeout_ms = 30000,
        .max_body = 16u * 1024 * 1024,
        .max_redirects = 10,
    };
}

/* libcurl is not loaded here but by the first req (or the embedder, earlier): a module
 * that imports the interface and never calls it, or is denied everything, costs nothing. */
HttpCtx *http_ctx_new(const HttpPolicy *p)
{
    HttpCtx *c = calloc(1, sizeof *c);
    if (c)
        c->policy = *p;
    return c;
}

static void close_all(HttpCtx *c)
{
    for (size_t i = 0; i < c->nopen; i++)
        http_response_free(c->open[i]);
    c->nopen = 0;
}

void http_ctx_free(HttpCtx *c)
{
    if (!c)
        return;
    close_all(c);
    free(c->open);
    if (c->easy)
        lib_curl.curl_easy_cleanup(c->easy);
    free(c);
}

void http_ctx_reset(HttpCtx *c)
{
    close_all(c);
    c->next_handle = 0;
    c->deadline_ns = 0;
    c->has_error = false;
}

void http_ctx_set_deadline(HttpCtx *c, uint64_t monotonic_ns)
{
    c->deadline_ns = monotonic_ns;
}

/* ---- the handle table ---- */

static size_t find_slot(const HttpCtx *c, uint32_t handle)
{
    for (size_t i = 0; i < c->nopen; i++)
        if (c->open[i]->handle == handle)
            return i;
    return SIZE_MAX;
}

static HttpResponse *find_response(const HttpCtx *c, uint32_t handle)
{
    size_t i = find_slot(c, handle);
    return i == SIZE_MAX ? NULL : c->open[i];
}

/* Gives r a handle and keeps it. Returns 0, 13 (every number in use) or 12. */
static uint32_t insert_response(HttpCtx *c, HttpResponse *r)
{
    if (c->nopen == UINT32_MAX)
        return http_fail(c, HTTP_ERR_TOO_MANY_SESSIONS, "every handle number is in use");
    if (c->nopen == c->capopen) {
        size_t cap = c->capopen ? c->capopen * 2 : 4;
        HttpResponse **grown = realloc(c->open, cap * sizeof *grown);
        if (!grown)
            return http_fail(c, HTTP_ERR_RUNTIME_ERROR, "out of memory");
        c->open = grown;
        c->capopen = cap;
    }
    while (find_slot(c, c->next_handle) != SIZE_MAX)
        c->next_handle++;
    r->handle = c->next_handle++;
    c->open[c->nopen++] = r;
    return HTTP_ERR_SUCCESS;
}

/* ---- guest memory ---- */

typedef struct Mem {
    uint8_t *base;
    uint64_t size;
} Mem;

static bool span_ok(const Mem *m, uint32_t ptr, uint64_t len)
{
    return (uint64_t)ptr + len <= m->size;
}

static void put16(const Mem *m, uint32_t ptr, uint16_t v)
{
    m->base[ptr] = (uint8_t)v;
    m->base[ptr + 1] = (uint8_t)(v >> 8);
}

static void put32(const Mem *m, uint32_t ptr, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        m->base[ptr + (uint32_t)i] = (uint8_t)(v >> (8 * i));
}

/* Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF). */
static bool utf8_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t b = s[i];
        size_t len = b < 0x80                 ? 1
                     : b >= 0xc2 && b <= 0xdf ? 2
                     : b >= 0xe0 && b <= 0xef ? 3
                     : b >= 0xf0 && b <= 0xf4 ? 4
                                              : 0;
        if (len == 0 || len > n - i)
            return false;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
        if ((b == 0xe0 && s[i + 1] < 0xa0) || (b == 0xed && s[i + 1] > 0x9f) ||
            (b == 0xf0 && s[i + 1] < 0x90) || (b == 0xf4 && s[i + 1] > 0x8f))
            return false;
        i += len;
    }
    return true;
}

/* ---- the calls ---- */

/* One call: the context, the caller's memory (base NULL when the module does not export it)
 * and a trap to return instead of a code. */
typedef struct Call {
    HttpCtx *c;
    Mem mem;
    corral_trap_t *trap;
} Call;

static uint32_t arg(const corral_val_t *a, int i)
{
    return (uint32_t)a[i].of.i32;
}

static uint32_t no_memory(HttpCtx *c)
{
    return http_fail(c, HTTP_ERR_MEMORY_NOT_FOUND, "the module does not export \"memory\"");
}

static uint32_t out_of_bounds(HttpCtx *c, const char *what)
{
    return http_fail(c, HTTP_ERR_MEMORY_ACCESS_ERROR,
                     "%s: a pointer or length is outside the guest's memory", what);
}

static uint32_t bad_handle(HttpCtx *c, const char *what, uint32_t handle)
{
    return http_fail(c, HTTP_ERR_INVALID_HANDLE, "%s: handle %u is not open", what, handle);
}

/* The URL: UTF-8, no NUL (C strings must not cut it short), http(s), allowed. */
static uint32_t req_url(HttpCtx *c, const uint8_t *s, uint32_t len, CURLU **out)
{
    *out = NULL;
    if (!utf8_ok(s, len))
        return http_fail(c, HTTP_ERR_UTF8_ERROR, "req: the url is not UTF-8");
    if (memchr(s, 0, len))
        return http_fail(c, HTTP_ERR_INVALID_URL, "req: the url contains a NUL byte");
    char *url = malloc((size_t)len + 1);
    if (!url)
        return http_fail(c, HTTP_ERR_RUNTIME_ERROR, "out of memory");
    memcpy(url, s, len);
    url[len] = 0;
    uint32_t err = http_url_parse(url, out);
    if (err == HTTP_ERR_INVALID_URL)
        http_fail(c, err, "req: not an absolute http or https URL: '%.200s'", url);
    else if (err)
        http_fail(c, err, "out of memory");
    else if (!http_allow_url(c->policy.allow, *out)) {
        char origin[300];
        http_url_origin(*out, origin, sizeof origin);
        err = http_fail(c, HTTP_ERR_DESTINATION_NOT_ALLOWED,
                        "destination not allowed: %s (to allow it, add it to the allowed hosts)",
                        origin);
    }
    free(url);
    return err;
}

static uint32_t req_method(HttpCtx *c, const uint8_t *s, uint32_t len, HttpRequest *rq)
{
    if (!utf8_ok(s, len))
        return http_fail(c, HTTP_ERR_UTF8_ERROR, "req: the method is not UTF-8");
    bool ok = len > 0 && len < sizeof rq->method;
    for (uint32_t i = 0; ok && i < len; i++)
        ok = s[i] > 0x20 && s[i] < 0x7f && !strchr("\"(),/:;<=>?@[\\]{}", s[i]);
    if (!ok)
        return http_fail(c, HTTP_ERR_INVALID_METHOD, "req: the method '%.*s' is not an HTTP token",
                         (int)(len > 40 ? 40 : len), (const char *)s);
    memcpy(rq->method, s, len);
    rq->method[len] = 0;
    return HTTP_ERR_SUCCESS;
}

/* The checks in the original's order (memory, sessions, url and allow-list, method, body,
 * headers), except that every span is checked first; then the transfer, then the outputs. */
static uint32_t abi_req(Call *k, const corral_val_t *a)
{
    HttpCtx *c = k->c;
    const Mem *m = &k->mem;
    uint32_t url = arg(a, 0), url_len = arg(a, 1), method = arg(a, 2), method_len = arg(a, 3);
    uint32_t hdrs = arg(a, 4), hdrs_len = arg(a, 5), body = arg(a, 6), body_len = arg(a, 7);
    uint32_t status_ptr = arg(a, 8), handle_ptr = arg(a, 9);
    if (!m->base)
        return no_memory(c);
    const char *why;
    if (!http_global_init(&why))
        return http_fail(c, HTTP_ERR_RUNTIME_ERROR, "req: %s", why);
    if (c->policy.max_concurrency && c->nopen >= c->policy.max_concurrency)
        return http_fail(c, HTTP_ERR_TOO_MANY_SESSIONS,
                         "req: %zu responses are open (the limit): close some first", c->nopen);
    if (!span_ok(m, url, url_len) || !span_ok(m, method, method_len) ||
        !span_ok(m, hdrs, hdrs_len) || !span_ok(m, body, body_len) || !span_ok(m, status_ptr, 2) ||
        !span_ok(m, handle_ptr, 4))
        return out_of_bounds(c, "req");
    HttpRequest rq = {.body = m->base + body, .body_len = body_len};
    HttpResponse *r = NULL;
    CURLU *u = NULL;
    bool deadline = false;
    uint32_t err = req_url(c, m->base + url, url_len, &u);
    if (!err)
        err = req_method(c, m->base + method, method_len, &rq);
    if (!err && !utf8_ok(m->base + hdrs, hdrs_len))
        err = http_fail(c, HTTP_ERR_UTF8_ERROR, "req: the headers are not UTF-8");
    if (!err)
        err = http_request_parse_headers(c, &rq, m->base + hdrs, hdrs_len);
    if (!err)
        err = http_request_perform(c, &rq, u, &r, &deadline);
    if (!err && (err = insert_response(c, r)))
        http_response_free(r);
    if (!err) {
        put16(m, status_ptr, r->status);
        put32(m, handle_ptr, r->handle);
    }
    if (deadline)
        k->trap = corral_trap_new("interrupted: time limit exceeded");
    lib_curl.curl_url_cleanup(u);
    http_request_clear(&rq);
    return err;
}

static uint32_t abi_close(Call *k, const corral_val_t *a)
{
    HttpCtx *c = k->c;
    size_t i = find_slot(c, arg(a, 0));
    if (i != SIZE_MAX) {
        http_response_free(c->open[i]);
        c->open[i] = c->open[--c->nopen];
    }
    return HTTP_ERR_SUCCESS;
}

/* The first line of r's headers named name (case-insensitively): its value in *out. */
static bool header_find(const HttpResponse *r, const uint8_t *name, size_t name_len,
                        const char **out, size_t *out_len)
{
    const char *p = r->headers, *end = p + r->headers_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *colon = memchr(p, ':', (size_t)(nl - p));
        bool match = (size_t)(colon - p) == name_len;
        for (size_t i = 0; match && i < name_len; i++) {
            uint8_t ch = name[i];
            match = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch) == p[i];
        }
        if (match) {
            *out = colon + 1;
            *out_len = (size_t)(nl - colon - 1);
            return true;
        }
        p = nl + 1;
    }
    return false;
}

static uint32_t abi_header_get(Call *k, const corral_val_t *a)
{
    HttpCtx *c = k->c;
    const Mem *m = &k->mem;
    uint32_t handle = arg(a, 0), name = arg(a, 1), name_len = arg(a, 2), buf = arg(a, 3);
    uint32_t buf_len = arg(a, 4), written = arg(a, 5);
    if (!m->base)
        return no_memory(c);
    HttpResponse *r = find_response(c, handle);
    if (!r)
        return bad_handle(c, "header_get", handle);
    if (!span_ok(m, name, name_len) || !span_ok(m, buf, buf_len) || !span_ok(m, written, 4))
        return out_of_bounds(c, "header_get");
    if (!utf8_ok(m->base + name, name_len))
        return http_fail(c, HTTP_ERR_UTF8_ERROR, "header_get: the name is not UTF-8");
    const char *value;
    size_t value_len;
    if (!header_find(r, m->base + name, name_len, &value, &value_len))
        return http_fail(c, HTTP_ERR_HEADER_NOT_FOUND, "header_get: no header '%.*s'",
                         (int)(name_len > 80 ? 80 : name_len), (const char *)m->base + name);
    put32(m, written, (uint32_t)value_len);
    if (value_len > buf_len)
        return http_fail(c, HTTP_ERR_BUFFER_TOO_SMALL, "header_get: the value needs %zu bytes",
                         value_len);
    memcpy(m->base + buf, value, value_len);
    return HTTP_ERR_SUCCESS;
}

static uint32_t abi_headers_get_all(Call *k, const corral_val_t *a)
{
    HttpCtx *c = k->c;
    const Mem *m = &k->mem;
    uint32_t handle = arg(a, 0), buf = arg(a, 1), buf_len = arg(a, 2), written = arg(a, 3);
    if (!m->base)
        return no_memory(c);
    HttpResponse *r = find_response(c, handle);
    if (!r)
        return bad_handle(c, "headers_get_all", handle);
    if (!span_ok(m, buf, buf_len) || !span_ok(m, written, 4))
        return out_of_bounds(c, "headers_get_all");
    put32(m, written, (uint32_t)r->headers_len);
    if (r->headers_len > buf_len)
        return http_fail(c, HTTP_ERR_BUFFER_TOO_SMALL,
                         "headers_get_all: the headers need %zu bytes", r->headers_len);
    if (r->headers_len)
        memcpy(m->base + buf, r->headers, r->headers_len);
    return HTTP_ERR_SUCCESS;
}

static uint32_t abi_body_read(Call *k, const corral_val_t *a)
{
    HttpCtx *c = k->c;
    const Mem *m = &k->mem;
    uint32_t handle = arg(a, 0), buf = arg(a, 1), buf_len = arg(a, 2), read = arg(a, 3);
    if (!m->base)
        return no_memory(c);
    HttpResponse *r = find_response(c, handle);
    if (!r)
        return bad_handle(c, "body_read", handle);
    if (!span_ok(m, buf, buf_len) || !span_ok(m, read, 4))
        return out_of_bounds(c, "body_read");
    size_t n = r->body_len - r->body_pos;
    if (n > buf_len)
        n = buf_len;
    if (n)
        memcpy(m->base + buf, r->body + r->body_pos, n);
    r->body_pos += n;
    put32(m, read, (uint32_t)n);
    return HTTP_ERR_SUCCESS;
}

/* ---- the function table and the trampoline ---- */

typedef uint32_t (*AbiHandler)(Call *k, const corral_val_t *a);

typedef struct AbiFunc {
    const char *name;
    const char *params;
    AbiHandler handler;
} AbiFunc;

static const AbiFunc funcs[] = {
#define X(name, params, doc) {#name, params, abi_##name},
#include "host/http_funcs.def"
#undef X
};

enum { NFUNCS = sizeof funcs / sizeof funcs[0] };

/* The env of one host function: the context and the row. Allocated per link, freed by the
 * store's finalizer. */
typedef struct Binding {
    HttpCtx *c;
    const AbiFunc *f;
} Binding;

static corral_trap_t *host_call(void *env, corral_caller_t *caller, const corral_val_t *args,
                                corral_val_t *results)
{
    const Binding *b = env;
    Call k = {b->c, {NULL, 0}, NULL};
    corral_memory_t *mem = b->c->memory_exported ? corral_caller_memory(caller) : NULL;
    if (mem) {
        k.mem.base = corral_memory_data(mem);
        k.mem.size = corral_memory_size(mem);
    }
    b->c->has_error = false;
    uint32_t err = b->f->handler(&k, args);
    if (k.trap)
        return k.trap;
    results[0] = corral_val_i32((int32_t)err);
    return NULL;
}

/* ---- linking ---- */

static corral_functype_t *functype_of(const AbiFunc *f)
{
    corral_valkind_t p[16], r[1] = {CORRAL_I32};
    size_t np = strlen(f->params);
    for (size_t i = 0; i < np; i++)
        p[i] = CORRAL_I32;
    return corral_functype_new(p, np, r, 1);
}



static const AbiFunc *find_func(const char *name, size_t len)
{
    for (size_t i = 0; i < NFUNCS; i++)
        if (strlen(funcs[i].name) == len && !memcmp(funcs[i].name, name, len))
            return &funcs[i];
    return NULL;
}

/* Whether the module exports a memory as "memory", the one corral_caller_memory gives (of
 * several memories, whichever it is). */
static bool exports_memory(const corral_module_t *module)
{
    for (size_t i = 0; i < corral_module_export_count(module); i++) {
        corral_extern_desc_t d;
        corral_module_export(module, i, &d);
        if (d.kind == CORRAL_EXTERN_MEMORY && d.name_len == 6 &&
            !memcmp(d.name, "memory", 6))
            return true;
    }
    return false;
}

/* Makes the host function for import d (from HTTP_MODULE, host_link_each's HostMakeFunc).
 * NULL with *out_err set (NULL: out of memory). */
static corral_func_t *make_import(void *ud, corral_store_t *store, const corral_extern_desc_t *d,
                                  char **out_err)
{
    HttpCtx *c = ud;
    const AbiFunc *f = find_func(d->name, d->name_len);
    if (!f) {
        *out_err = strf("unknown import %s::%.*s", HTTP_MODULE, (int)d->name_len, d->name);
        return NULL;
    }
    corral_functype_t *want = functype_of(f);
    Binding *b = malloc(sizeof *b);
    corral_func_t *fn = NULL;
    *out_err = NULL;
    if (want && b && !host_link_type_ok(d, want)) {
        *out_err = host_link_type_error(d, want);
    } else if (want && b) {
        *b = (Binding){c, f};
        if ((fn = corral_func_new(store, want, host_call, b, free)))
            b = NULL; /* the store owns it now */
    }
    free(b);
    corral_functype_delete(want);
    return fn;
}

bool http_link(HttpCtx *c, corral_store_t *store, const corral_module_t *module,
               corral_extern_t *imports, size_t nimports, char **out_err)
{
    c->memory_exported = exports_memory(module);
    return host_link_each(store, module, imports, nimports, HTTP_MODULE, NULL, make_import, c,
                          out_err);
}
