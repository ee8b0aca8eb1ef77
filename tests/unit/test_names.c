/* test_names.c: unit tests for the name section's function names (engine/names.c): the
 * parser on well-formed and malformed payloads (every malformation ignored, never read past
 * its bytes: each payload sits in a buffer of its exact size, for ASan), the binary search,
 * and the public API: corral_module_func_name on whole modules (a broken name section never
 * fails a module), corral_trap_frame_in_module, and the first lookup racing on threads. */
#include "unit.h"

#include "corral.h"
#include "engine/names.h"
#include "util/reader.h"

#include <pthread.h>
#include <string.h>

/* ---- byte buffers ---- */

typedef struct Buf {
    uint8_t b[8192];
    size_t n;
} Buf;

static void put(Buf *b, const void *p, size_t n)
{
    if (b->n + n <= sizeof b->b) {
        memcpy(b->b + b->n, p, n);
        b->n += n;
    }
}

static void put_u8(Buf *b, uint8_t v)
{
    put(b, &v, 1);
}

static void put_leb(Buf *b, uint32_t v)
{
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        put_u8(b, (uint8_t)(byte | (v ? 0x80 : 0)));
    } while (v);
}

static void put_str(Buf *b, const char *s)
{
    put_leb(b, (uint32_t)strlen(s));
    put(b, s, strlen(s));
}

/* A subsection (or section): id, size, content. */
static void put_framed(Buf *b, uint8_t id, const Buf *content)
{
    put_u8(b, id);
    put_leb(b, (uint32_t)content->n);
    put(b, content->b, content->n);
}

#define LIT(s) (const uint8_t *)(s), sizeof(s) - 1

/* ---- the parser ---- */

/* Parses payload[0..n) copied into a buffer of exactly n bytes, so any read past it is an
 * ASan error. Returns the table (owned) or NULL; *status gets the return value. */
static FuncNames *parse(const uint8_t *payload, size_t n, uint32_t nfuncs, int *status)
{
    uint8_t *copy = malloc(n ? n : 1);
    FuncNames *t = NULL;
    if (!copy) {
        *status = -2;
        return NULL;
    }
    memcpy(copy, payload, n);
    *status = func_names_parse(copy, n, 0, (uint32_t)n, nfuncs, &t);
    /* Entries point into the bytes: check them while the copy lives. */
    for (uint32_t i = 0; t && i < t->n; i++) {
        CHECK((size_t)t->v[i].off + t->v[i].len <= n, "a name lies inside the payload");
        CHECK(utf8_valid(copy + t->v[i].off, t->v[i].len), "a name is UTF-8");
        CHECK(t->v[i].func < nfuncs, "a name's index is a function");
        CHECK(i == 0 || t->v[i].func > t->v[i - 1].func, "the table is sorted");
    }
    free(copy);
    return t;
}

/* Function names [(0,"a"), (2,"bc"), (5,"")] preceded by a module name. */
static void valid_payload(Buf *p)
{
    Buf mod = {.n = 0}, funcs = {.n = 0};
    put_str(&mod, "mod");
    put_leb(&funcs, 3);
    put_leb(&funcs, 0);
    put_str(&funcs, "a");
    put_leb(&funcs, 2);
    put_str(&funcs, "bc");
    put_leb(&funcs, 5);
    put_str(&funcs, "");
    p->n = 0;
    put_framed(p, 0, &mod);
    put_framed(p, 1, &funcs);
    Buf locals = {.n = 0}; /* a local-names subsection after: not looked at */
    put_leb(&locals, 0);
    put_framed(p, 2, &locals);
}

static void test_valid(void)
{
    Buf p;
    int st;
    valid_payload(&p);
    FuncNames *t = parse(p.b, p.n, 6, &st);
    CHECK(st == 0 && t && t->n == 3, "three names");
    const FuncName *fn = func_names_find(t, 2);
    CHECK(fn && fn->len == 2 && !memcmp(p.b + fn->off, "bc", 2), "function 2 is bc");
    fn = func_names_find(t, 0);
    CHECK(fn && fn->len == 1 && p.b[fn->off] == 'a', "function 0 is a");
    fn = func_names_find(t, 5);
    CHECK(fn && fn->len == 0, "function 5 has the empty name");
    CHECK(!func_names_find(t, 1) && !func_names_find(t, 3) && !func_names_find(t, 6) &&
              !func_names_find(t, UINT32_MAX),
          "functions without a name have none");
    CHECK(!func_names_find(NULL, 0), "no table, no names");
    free(t);

    /* The function names alone, and offsets relative to a larger buffer. */
    uint8_t big[64] = {0xee, 0xee, 0xee, 1, 5, 1, 3, 2, 'h', 'i', 0xee};
    t = NULL;
    st = func_names_parse(big, sizeof big, 3, 7, 4, &t);
    fn = func_names_find(t, 3);
    CHECK(st == 0 && fn && fn->off == 8 && fn->len == 2, "offsets count from the buffer");
    free(t);

    /* 1000 names at every third index: each found, none in the gaps. */
    Buf funcs = {.n = 0}, sec = {.n = 0};
    put_leb(&funcs, 1000);
    for (uint32_t i = 0; i < 1000; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%u", i * 3);
        put_leb(&funcs, i * 3);
        put_str(&funcs, name);
    }
    put_framed(&sec, 1, &funcs);
    t = parse(sec.b, sec.n, 3000, &st);
    int found = 0, misses = 0;
    for (uint32_t i = 0; i < 3000; i++) {
        fn = func_names_find(t, i);
        if (i % 3 == 0 && fn && fn->len == (uint32_t)snprintf(NULL, 0, "f%u", i))
            found++;
        misses += i % 3 != 0 && !fn;
    }
    CHECK(st == 0 && found == 1000 && misses == 2000, "binary search over 1000 names");
    free(t);
}

/* Each payload must give no names at all, and status 0. */
static void check_none(const uint8_t *payload, size_t n, uint32_t nfuncs, const char *what)
{
    int st;
    FuncNames *t = parse(payload, n, nfuncs, &st);
    CHECK(st == 0 && !t, what);
    free(t);
}

static void test_malformed(void)
{
    check_none(LIT(""), 4, "an empty section");
    check_none(LIT("\x00\x02\x01m"), 4, "a module name only");
    check_none(LIT("\x02\x01\x00"), 4, "local names only");
    check_none(LIT("\x01\x05\x01\x00\x01"), 4, "subsection longer than the section");
    check_none(LIT("\x01\x03\x01\x00\x05zzzzz"), 4, "a name past its subsection");
    check_none(LIT("\x01\x04\x01\x00\x02\xc0\x80"), 4, "overlong UTF-8");
    check_none(LIT("\x01\x04\x01\x00\x01\xff"), 4, "a byte that is never UTF-8");
    check_none(LIT("\x01\x04\x01\x04\x01x"), 4, "an index past the functions");
    check_none(LIT("\x01\x04\x01\x00\x01x"), 0, "a name in a module without functions");
    check_none(LIT("\x01\x07\x02\x01\x01x\x01\x01y"), 4, "the same index twice");
    check_none(LIT("\x01\x07\x02\x02\x01x\x01\x01y"), 4, "indices decreasing");
    check_none(LIT("\x01\x05\x05\x00\x01x\x00"), 8, "a count larger than the entries");
    check_none(LIT("\x01\x05\x03\x00\x01x\x00"), 2, "a count larger than the functions");
    check_none(LIT("\x01\x05\xff\xff\xff\xff\x0f"), UINT32_MAX, "a count of 2^32-1");
    check_none(LIT("\x01\x06\xff\xff\xff\xff\xff\x0f"), 4, "a count LEB128 too long");
    check_none(LIT("\x01\x05\x01\x00\x01x\x00"), 4, "a byte left in the subsection");
    check_none(LIT("\x01\x84\x80\x80\x80\x80\x00"), 4, "a size LEB128 too long");
    check_none(LIT("\x01\xff\xff\xff\xff\x0f\x00"), 4, "a size of 4 GiB");
    check_none(LIT("\x01"), 4, "a subsection id alone");
    check_none(LIT("\x00\x00\x00\x00\x01\x04\x01\x00\x01x"), 4, "the module name twice");
    check_none(LIT("\x02\x00\x01\x04\x01\x00\x01x"), 4, "local names before function names");
}

/* The function names end the parse: what follows them is not read, so neither a broken
 * subsection after them nor a second function-names subsection takes their names away. */
static void test_later_subsections(void)
{
    int st;
    FuncNames *t = parse(LIT("\x01\x04\x01\x00\x01x\x05\x7f"), 4, &st);
    const FuncName *fn = func_names_find(t, 0);
    CHECK(st == 0 && fn && fn->len == 1, "a broken subsection after them is not read");
    free(t);
    t = parse(LIT("\x01\x04\x01\x00\x01x\x01\x04\x01\x01\x01y"), 4, &st);
    fn = func_names_find(t, 0);
    CHECK(st == 0 && fn && t->n == 1, "a second function-names subsection is not read");
    free(t);
}

/* Ranges outside the buffer give no names and read nothing. */
static void test_bounds(void)
{
    uint8_t b[8] = {1, 4, 1, 0, 1, 'x', 0, 0};
    FuncNames *t = (FuncNames *)1;
    CHECK(func_names_parse(b, 8, 9, 0, 4, &t) == 0 && !t, "start past the end");
    t = (FuncNames *)1;
    CHECK(func_names_parse(b, 8, 2, 7, 4, &t) == 0 && !t, "end past the end");
    t = (FuncNames *)1;
    CHECK(func_names_parse(b, 8, 1, UINT32_MAX, 4, &t) == 0 && !t, "a length that wraps");
    t = NULL;
    CHECK(func_names_parse(b, 8, 0, 6, 4, &t) == 0 && t && t->n == 1, "the exact range");
    free(t);
}

/* Every prefix of a valid payload, and every byte of it replaced by a few values: no crash,
 * no read past the payload (ASan), and whatever table results holds only sane entries
 * (checked in parse). */
static void test_truncations_and_flips(void)
{
    Buf p;
    int st, tables = 0, bad = 0;
    valid_payload(&p);
    size_t funcs_end = 0; /* where the function-names subsection ends */
    {
        Reader r;
        uint8_t id;
        uint32_t size;
        Reader sub;
        rd_init(&r, p.b, p.n);
        while (rd_u8(&r, &id) == RD_OK && rd_u32(&r, &size) == RD_OK &&
               rd_sub(&r, size, &sub) == RD_OK)
            if (id == 1)
                funcs_end = rd_off(&r);
    }
    for (size_t n = 0; n < p.n; n++) {
        FuncNames *t = parse(p.b, n, 6, &st);
        bad += st != 0 || (n < funcs_end && t);
        free(t);
    }
    CHECK(bad == 0 && funcs_end > 0, "a prefix that cuts the function names gives none");
    static const uint8_t values[] = {0x00, 0x01, 0x02, 0x05, 0x7f, 0x80, 0xc3, 0xff};
    bad = 0;
    for (size_t i = 0; i < p.n; i++)
        for (size_t v = 0; v < sizeof values; v++) {
            Buf q = p;
            q.b[i] = values[v];
            FuncNames *t = parse(q.b, q.n, 6, &st);
            bad += st != 0;
            tables += t != NULL;
            free(t);
        }
    CHECK(bad == 0 && tables > 0, "single-byte changes parse or are ignored");
}

/* ---- the public API ---- */

/* A module of two functions, both `unreachable` and exported as "f0" and "f1", with custom
 * sections holding names[0..nnames) (each a whole custom payload, or NULL for none) placed
 * after the code. */
static void module_bytes(Buf *m, const Buf *const *names, size_t nnames)
{
    Buf s = {.n = 0};
    m->n = 0;
    put(m, "\0asm\1\0\0\0", 8);
    put(&s, "\x01\x60\x00\x00", 4); /* one type: () -> () */
    put_framed(m, 1, &s);
    s.n = 0;
    put(&s, "\x02\x00\x00", 3); /* two functions of type 0 */
    put_framed(m, 3, &s);
    s.n = 0;
    put_leb(&s, 2);
    put_str(&s, "f0");
    put(&s, "\x00\x00", 2);
    put_str(&s, "f1");
    put(&s, "\x00\x01", 2);
    put_framed(m, 7, &s);
    s.n = 0;
    put(&s, "\x02\x03\x00\x00\x0b\x03\x00\x00\x0b", 9); /* two bodies: unreachable */
    put_framed(m, 10, &s);
    for (size_t i = 0; i < nnames; i++) {
        s.n = 0;
        put_str(&s, "name");
        put(&s, names[i]->b, names[i]->n);
        put_framed(m, 0, &s);
    }
}

static Buf payload(const uint8_t *p, size_t n)
{
    Buf b = {.n = 0};
    put(&b, p, n);
    return b;
}

static corral_module_t *load(corral_engine_t *e, const Buf *bytes)
{
    corral_module_t *m = NULL;
    corral_error_t *err = corral_module_new(e, bytes->b, bytes->n, &m);
    if (err) {
        fprintf(stderr, "load: %s\n", corral_error_message(err));
        corral_error_delete(err);
    }
    return m;
}

static bool name_is(const corral_module_t *m, uint32_t func, const char *want)
{
    const char *name = NULL;
    size_t len = 0;
    if (!corral_module_func_name(m, func, &name, &len))
        return want == NULL;
    return want && len == strlen(want) && !memcmp(name, want, len);
}

static void test_module_api(corral_engine_t *e)
{
    Buf bytes, good = payload(LIT("\x01\x0b\x02\x00\x03one\x01\x03two")),
               other = payload(LIT("\x01\x07\x01\x00\x04zero")),
               broken = payload(LIT("\x01\x0b\x02\x01\x03one\x00\x03two"));
    const Buf *one[] = {&good}, *two[] = {&good, &other}, *bad[] = {&broken, &good};

    module_bytes(&bytes, NULL, 0);
    corral_module_t *m = load(e, &bytes);
    CHECK(m && name_is(m, 0, NULL) && name_is(m, 1, NULL), "no name section, no names");
    corral_module_delete(m);

    module_bytes(&bytes, one, 1);
    m = load(e, &bytes);
    CHECK(m && name_is(m, 0, "one") && name_is(m, 1, "two"), "names from the section");
    CHECK(m && name_is(m, 0, "one"), "the second lookup uses the cached table");
    CHECK(m && name_is(m, 2, NULL) && name_is(m, UINT32_MAX, NULL), "no such function");
    corral_module_delete(m);

    module_bytes(&bytes, two, 2);
    m = load(e, &bytes);
    CHECK(m && name_is(m, 0, "one"), "the first name section counts");
    corral_module_delete(m);

    module_bytes(&bytes, bad, 2);
    m = load(e, &bytes);
    CHECK(m != NULL, "a malformed name section does not fail the module");
    CHECK(m && name_is(m, 0, NULL) && name_is(m, 1, NULL), "and gives no names");
    corral_error_t *err = corral_module_validate(e, bytes.b, bytes.n);
    CHECK(err == NULL, "nor its validation");
    corral_error_delete(err);

    /* Traps: the frame belongs to the module it ran in, not to another. */
    module_bytes(&bytes, one, 1);
    corral_module_t *named = load(e, &bytes);
    corral_store_t *store = corral_store_new(e);
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_extern_t f;
    err = named ? corral_instance_new(store, named, NULL, 0, &inst, &trap) : NULL;
    CHECK(named && !err && inst && corral_instance_export(inst, "f1", 2, &f), "instantiated");
    if (inst && corral_instance_export(inst, "f1", 2, &f))
        trap = corral_func_call(store, f.of.func, NULL, 0, NULL, 0);
    uint32_t func = 0;
    size_t off = 0;
    if (trap)
        corral_trap_frame(trap, 0, &func, &off);
    CHECK(trap && corral_trap_frame_count(trap) == 1 && func == 1, "a trap in function 1");
    CHECK(trap && corral_trap_frame_in_module(trap, 0, named), "its frame is in its module");
    CHECK(trap && !corral_trap_frame_in_module(trap, 0, m), "and not in another");
    CHECK(trap && !corral_trap_frame_in_module(trap, 1, named), "no frame 1");
    CHECK(trap && !corral_trap_frame_in_module(trap, 0, NULL), "no module");
    corral_trap_delete(trap);
    corral_error_delete(err);
    corral_store_delete(store);
    corral_module_delete(named);
    corral_module_delete(m);
}

/* The first lookups race: every thread sees the same table. */
typedef struct Racer {
    const corral_module_t *m;
    const char *name;
} Racer;

static void *race(void *arg)
{
    Racer *r = arg;
    size_t len;
    if (!corral_module_func_name(r->m, 1, &r->name, &len))
        r->name = NULL;
    return NULL;
}

static void test_race(corral_engine_t *e)
{
    Buf bytes, good = payload(LIT("\x01\x0b\x02\x00\x03one\x01\x03two"));
    const Buf *one[] = {&good};
    module_bytes(&bytes, one, 1);
    int same = 0;
    for (int round = 0; round < 20; round++) {
        corral_module_t *m = load(e, &bytes);
        pthread_t th[4];
        Racer r[4];
        int started = 0;
        for (int i = 0; m && i < 4; i++) {
            r[i] = (Racer){m, NULL};
            started += pthread_create(&th[i], NULL, race, &r[i]) == 0;
        }
        for (int i = 0; i < started; i++)
            pthread_join(th[i], NULL);
        bool ok = m && started == 4;
        for (int i = 0; ok && i < 4; i++)
            ok = r[i].name && r[i].name == r[0].name && !memcmp(r[i].name, "two", 3);
        same += ok;
        corral_module_delete(m);
    }
    CHECK(same == 20, "racing first lookups agree");
}

int main(void)
{
    test_valid();
    test_malformed();
    test_later_subsections();
    test_bounds();
    test_truncations_and_flips();
    corral_engine_t *e = corral_engine_new(NULL);
    test_module_api(e);
    test_race(e);
    corral_engine_delete(e);
    return unit_report("test_names");
}
