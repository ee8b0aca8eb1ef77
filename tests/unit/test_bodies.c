/* test_bodies.c: function bodies checked on several threads (engine/bodies.c) report exactly
 * what one thread reports: the first malformed body, else the first invalid one, in module
 * order. Modules with megabytes of generated code, loaded with load_threads 1, 2 and 4. */
#include "corral.h"
#include "unit.h"

#include <string.h>

enum { NBODIES = 3000, BODY_OPS = 200 }; /* 3000 bodies of ~600 bytes: 1.8 MB of code */

typedef enum { GOOD, INVALID, MALFORMED } Kind;

typedef struct Buf {
    uint8_t *b;
    size_t n, cap;
} Buf;

static void put(Buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->b = realloc(b->b, b->cap);
    }
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void put_u8(Buf *b, uint8_t x) { put(b, &x, 1); }

static void put_leb(Buf *b, uint32_t x)
{
    do {
        uint8_t byte = x & 0x7f;
        x >>= 7;
        put_u8(b, byte | (x ? 0x80 : 0));
    } while (x);
}

/* A body of BODY_OPS (i32.const 1, drop) pairs; an invalid one drops once more than it
 * pushes, a malformed one ends in byte 0xff. */
static void body(Buf *code, Kind k)
{
    Buf b = {0};
    put_u8(&b, 0); /* no locals */
    for (int i = 0; i < BODY_OPS; i++) {
        static const uint8_t pair[] = {0x41, 0x01, 0x1a};
        put(&b, pair, sizeof pair);
    }
    if (k == INVALID)
        put_u8(&b, 0x1a);
    if (k == MALFORMED)
        put_u8(&b, 0xff);
    put_u8(&b, 0x0b);
    put_leb(code, (uint32_t)b.n);
    put(code, b.b, b.n);
    free(b.b);
}

/* The module, with kinds[i] for body i (GOOD elsewhere). */
static Buf module(const Kind *kinds)
{
    Buf m = {0}, sec = {0};
    static const uint8_t head[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                                   0x01, 0x04, 0x01, 0x60, 0x00, 0x00};
    put(&m, head, sizeof head);
    put_leb(&sec, NBODIES);
    for (int i = 0; i < NBODIES; i++)
        put_u8(&sec, 0);
    put_u8(&m, 3);
    put_leb(&m, (uint32_t)sec.n);
    put(&m, sec.b, sec.n);
    sec.n = 0;
    put_leb(&sec, NBODIES);
    for (int i = 0; i < NBODIES; i++)
        body(&sec, kinds[i]);
    put_u8(&m, 10);
    put_leb(&m, (uint32_t)sec.n);
    put(&m, sec.b, sec.n);
    free(sec.b);
    return m;
}

/* Loads with the given thread count; "ok" or "OFFSET: message". */
static void load(const Buf *m, uint32_t threads, char *out, size_t cap)
{
    corral_config_t cfg;
    corral_config_default(&cfg);
    cfg.load_threads = threads;
    corral_engine_t *e = corral_engine_new(&cfg);
    corral_module_t *mod = NULL;
    corral_error_t *err = corral_module_new(e, m->b, m->n, &mod);
    if (err)
        snprintf(out, cap, "%zx: %s", corral_error_offset(err), corral_error_message(err));
    else
        snprintf(out, cap, "ok");
    corral_error_delete(err);
    corral_module_delete(mod);
    corral_engine_delete(e);
}

static void expect(const char *what, const int *at, const Kind *kind, int n, const char *want)
{
    Kind *kinds = calloc(NBODIES, sizeof *kinds);
    for (int i = 0; i < n; i++)
        kinds[at[i]] = kind[i];
    Buf m = module(kinds);
    char one[256], two[256], four[256];
    load(&m, 1, one, sizeof one);
    load(&m, 2, two, sizeof two);
    load(&m, 4, four, sizeof four);
    CHECK(strstr(one, want) != NULL, what);
    CHECK(!strcmp(one, two) && !strcmp(one, four), what);
    if (!strstr(one, want) || strcmp(one, two) || strcmp(one, four))
        fprintf(stderr, "  want '%s'; 1 thread: '%s', 2: '%s', 4: '%s'\n", want, one, two, four);
    free(m.b);
    free(kinds);
}

int main(void)
{
    expect("all valid", NULL, NULL, 0, "ok");
    expect("one invalid body", (int[]){2500}, (Kind[]){INVALID}, 1, "func 2500: type mismatch");
    expect("first invalid of two", (int[]){2900, 200}, (Kind[]){INVALID, INVALID}, 2,
           "func 200: type mismatch");
    expect("a later malformed body wins over an invalid one", (int[]){100, 2800},
           (Kind[]){INVALID, MALFORMED}, 2, "func 2800: illegal opcode ff");
    expect("first malformed of two", (int[]){2999, 1}, (Kind[]){MALFORMED, MALFORMED}, 2,
           "func 1: illegal opcode ff");
    expect("last body malformed", (int[]){2999}, (Kind[]){MALFORMED}, 1,
           "func 2999: illegal opcode ff");
    return unit_report("test_bodies");
}
