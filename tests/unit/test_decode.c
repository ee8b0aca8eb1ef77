/* test_decode.c: unit tests for the LEB128 reader (util/reader.c) and the module decoder
 * (engine/decode.c): encoding edge cases, section framing and order, count checks, the decode
 * limits, every element segment encoding, and a round trip of a module using every section.
 * Build: cc -Isrc tests/unit/test_decode.c build/libcorral_engine.a */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corral.h"
#include "engine/module.h"
#include "util/reader.h"

static int passed, failed;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            passed++;                                                                \
        } else {                                                                     \
            failed++;                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

/* ---- LEB128 through reader.h ---- */

#define LIT(s) (const uint8_t *)(s), sizeof(s) - 1

/* Reads one value of the given kind; returns the error message or NULL, and the value. */
typedef enum { U32, S32, S33, S64, U64 } LebKind;

static const char *leb(LebKind k, const uint8_t *p, size_t n, int64_t *out, size_t *used)
{
    Reader r;
    rd_init(&r, p, n);
    uint32_t u;
    int32_t s;
    uint64_t u64;
    RdStatus st = RD_ERR;
    switch (k) {
    case U32: st = rd_u32(&r, &u), *out = u; break;
    case S32: st = rd_s32(&r, &s), *out = s; break;
    case S33: st = rd_s33(&r, out); break;
    case S64: st = rd_s64(&r, out); break;
    case U64: st = rd_u64(&r, &u64), *out = (int64_t)u64; break;
    }
    *used = rd_off(&r);
    return st ? r.err : NULL;
}

static void check_leb_ok(LebKind k, const uint8_t *p, size_t n, int64_t want)
{
    int64_t v = 0;
    size_t used;
    const char *err = leb(k, p, n, &v, &used);
    CHECK(err == NULL);
    CHECK(v == want);
    CHECK(used == n);
}

static void check_leb_err(LebKind k, const uint8_t *p, size_t n, const char *want)
{
    int64_t v;
    size_t used;
    const char *err = leb(k, p, n, &v, &used);
    CHECK(err != NULL && strcmp(err, want) == 0);
}

static void test_leb_unsigned(void)
{
    check_leb_ok(U32, LIT("\x00"), 0);
    check_leb_ok(U32, LIT("\x7f"), 127);
    check_leb_ok(U32, LIT("\x80\x01"), 128);
    check_leb_ok(U32, LIT("\x80\x80\x80\x80\x00"), 0); /* max length, padded zero */
    check_leb_ok(U32, LIT("\xff\xff\xff\xff\x0f"), 0xffffffff);
    check_leb_err(U32, LIT("\x80\x80\x80\x80\x80\x00"), "integer representation too long");
    check_leb_err(U32, LIT("\xff\xff\xff\xff\x1f"), "integer too large");
    check_leb_err(U32, LIT("\x82\x80\x80\x80\x70"), "integer too large");
    check_leb_err(U32, LIT("\x80"), "unexpected end");
    check_leb_err(U32, LIT(""), "unexpected end");
    check_leb_ok(U64, LIT("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"), -1);
    check_leb_err(U64, LIT("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02"), "integer too large");
    check_leb_err(U64, LIT("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00"),
                  "integer representation too long");
}

static void test_leb_signed(void)
{
    check_leb_ok(S32, LIT("\x7f"), -1);
    check_leb_ok(S32, LIT("\x40"), -64);
    check_leb_ok(S32, LIT("\x3f"), 63);
    check_leb_ok(S32, LIT("\xc0\x00"), 64);
    check_leb_ok(S32, LIT("\xff\xff\xff\xff\x07"), INT32_MAX);
    check_leb_ok(S32, LIT("\x80\x80\x80\x80\x78"), INT32_MIN);
    check_leb_ok(S32, LIT("\xff\xff\xff\xff\x7f"), -1); /* max length, sign-extended */
    check_leb_ok(S32, LIT("\x80\x80\x80\x80\x00"), 0);
    check_leb_err(S32, LIT("\x80\x80\x80\x80\x70"), "integer too large");  /* 0, bits set */
    check_leb_err(S32, LIT("\xff\xff\xff\xff\x0f"), "integer too large");  /* -1, bits unset */
    check_leb_err(S32, LIT("\x80\x80\x80\x80\x1f"), "integer too large");
    check_leb_err(S32, LIT("\xff\xff\xff\xff\x4f"), "integer too large");
    check_leb_err(S32, LIT("\xff\xff\xff\xff\xff\x7f"), "integer representation too long");
    check_leb_err(S32, LIT("\xff"), "unexpected end");

    /* s33: one more bit, so 0xffffffff is positive and fits. */
    check_leb_ok(S33, LIT("\x40"), -64);
    check_leb_ok(S33, LIT("\xff\xff\xff\xff\x0f"), 0xffffffffLL);
    check_leb_ok(S33, LIT("\x80\x80\x80\x80\x70"), -(1LL << 32));
    check_leb_err(S33, LIT("\x80\x80\x80\x80\x50"), "integer too large");
    check_leb_err(S33, LIT("\xff\xff\xff\xff\x1f"), "integer too large");
    check_leb_err(S33, LIT("\x80\x80\x80\x80\x80\x00"), "integer representation too long");

    check_leb_ok(S64, LIT("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00"), INT64_MAX);
    check_leb_ok(S64, LIT("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f"), INT64_MIN);
    check_leb_ok(S64, LIT("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f"), -1);
    check_leb_err(S64, LIT("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7e"), "integer too large");
    check_leb_err(S64, LIT("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"), "integer too large");
    check_leb_err(S64, LIT("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f"),
                  "integer representation too long");
    check_leb_err(S64, LIT("\x80\x80\x80"), "unexpected end");
}

/* ---- module builder ---- */

typedef struct Buf {
    uint8_t b[1024];
    size_t n;
} Buf;

static void put(Buf *b, const void *p, size_t n)
{
    if (b->n + n > sizeof b->b)
        abort();
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void put_u32(Buf *b, uint32_t v)
{
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        if (v)
            byte |= 0x80;
        put(b, &byte, 1);
    } while (v);
}

static void start_module(Buf *b)
{
    b->n = 0;
    put(b, "\0asm\1\0\0\0", 8);
}

/* A section with its size computed from the payload. */
static void section(Buf *b, uint8_t id, const char *payload, size_t n)
{
    put(b, &id, 1);
    put_u32(b, (uint32_t)n);
    put(b, payload, n);
}

#define SEC(b, id, lit) section(b, id, lit, sizeof(lit) - 1)

static const char *decode_err(const Buf *b, const DecodeLimits *lim, DecodeError *e)
{
    Module *m;
    if (decode_module(b->b, b->n, lim, 0, &m, e) == 0) {
        module_free(m);
        return NULL;
    }
    return e->msg;
}

static void expect_error(const Buf *b, const DecodeLimits *lim, const char *want)
{
    DecodeError e;
    const char *msg = decode_err(b, lim, &e);
    CHECK(msg != NULL && strstr(msg, want) != NULL);
    if (msg && !strstr(msg, want))
        fprintf(stderr, "  wanted \"%s\", got \"%s\"\n", want, msg);
}

static void expect_ok(const Buf *b)
{
    DecodeError e;
    const char *msg = decode_err(b, NULL, &e);
    CHECK(msg == NULL);
    if (msg)
        fprintf(stderr, "  unexpected error \"%s\" at %zu\n", msg, e.offset);
}

/* ---- framing ---- */

static void test_header(void)
{
    Buf b;
    b.n = 0;
    expect_error(&b, NULL, "unexpected end");
    put(&b, "\0as", 3);
    expect_error(&b, NULL, "unexpected end");
    b.n = 0;
    put(&b, "\0ASM\1\0\0\0", 8);
    expect_error(&b, NULL, "magic header not detected");
    b.n = 0;
    put(&b, "\0asm\2\0\0\0", 8);
    expect_error(&b, NULL, "unknown binary version");
    start_module(&b);
    expect_ok(&b);
}

static void test_section_ids_and_order(void)
{
    Buf b;
    start_module(&b);
    SEC(&b, 13, "\x00"); /* an empty tag section (exception handling) */
    expect_ok(&b);
    DecodeLimits no_eh = {.features_off = CORRAL_FEATURE_EXCEPTIONS}; /* 0s: the defaults */
    expect_error(&b, &no_eh, "malformed section id");
    start_module(&b);
    SEC(&b, 14, "");
    expect_error(&b, NULL, "malformed section id");

    start_module(&b); /* function before type */
    SEC(&b, 3, "\x00");
    SEC(&b, 1, "\x00");
    expect_error(&b, NULL, "unexpected content after last section");

    start_module(&b); /* duplicate type section */
    SEC(&b, 1, "\x00");
    SEC(&b, 1, "\x00");
    expect_error(&b, NULL, "unexpected content after last section");

    start_module(&b); /* datacount after code */
    SEC(&b, 10, "\x00");
    SEC(&b, 12, "\x00");
    expect_error(&b, NULL, "unexpected content after last section");

    start_module(&b); /* datacount between element and code; customs anywhere */
    SEC(&b, 0, "\x01x");
    SEC(&b, 9, "\x00");
    SEC(&b, 0, "\x01y");
    SEC(&b, 12, "\x00");
    SEC(&b, 10, "\x00");
    SEC(&b, 11, "\x00");
    SEC(&b, 0, "\x01z");
    expect_ok(&b);
}

static void test_section_size(void)
{
    Buf b;
    start_module(&b); /* one type declared, two given */
    SEC(&b, 1, "\x01\x60\x00\x00\x60\x00\x00");
    expect_error(&b, NULL, "section size mismatch");

    start_module(&b); /* payload shorter than its own contents */
    SEC(&b, 1, "\x01\x60\x00\x00");
    b.b[9] = 3; /* size 3 instead of 4 */
    expect_error(&b, NULL, "section size mismatch");

    start_module(&b); /* size beyond the end of the module */
    put(&b, "\x01\x07\x02\x60\x00\x00", 6);
    expect_error(&b, NULL, "length out of bounds");

    start_module(&b); /* count larger than the section: no allocation, clean error */
    put(&b, "\x01\x05\xff\xff\xff\xff\x0f", 7);
    expect_error(&b, NULL, "length out of bounds");

    start_module(&b);
    SEC(&b, 4, "\x01");
    expect_error(&b, NULL, "unexpected end");

    start_module(&b); /* custom section whose name overruns it */
    SEC(&b, 0, "\x05" "ab");
    expect_error(&b, NULL, "length out of bounds");

    start_module(&b); /* custom section name must be UTF-8 */
    SEC(&b, 0, "\x02\xc0\x80");
    expect_error(&b, NULL, "malformed UTF-8 encoding");
}

static void test_counts(void)
{
    Buf b;
    start_module(&b);
    SEC(&b, 1, "\x01\x60\x00\x00");
    SEC(&b, 3, "\x02\x00\x00");
    expect_error(&b, NULL, "function and code section have inconsistent lengths");

    start_module(&b);
    SEC(&b, 10, "\x01\x02\x00\x0b");
    expect_error(&b, NULL, "function and code section have inconsistent lengths");

    start_module(&b);
    SEC(&b, 1, "\x01\x60\x00\x00");
    SEC(&b, 3, "\x01\x00");
    SEC(&b, 10, "\x02\x02\x00\x0b\x02\x00\x0b");
    expect_error(&b, NULL, "function and code section have inconsistent lengths");

    start_module(&b);
    SEC(&b, 12, "\x01");
    expect_error(&b, NULL, "data count and data section have inconsistent lengths");

    start_module(&b);
    SEC(&b, 12, "\x02");
    SEC(&b, 11, "\x01\x01\x00");
    expect_error(&b, NULL, "data count and data section have inconsistent lengths");

    start_module(&b);
    SEC(&b, 12, "\x00");
    expect_ok(&b);
}

static void test_malformed_kinds(void)
{
    Buf b;
    start_module(&b);
    SEC(&b, 2, "\x01\x00\x00\x05"); /* 4 is a tag */
    expect_error(&b, NULL, "malformed import kind");

    start_module(&b);
    SEC(&b, 2, "\x01\x01\xff\x00\x00\x00");
    expect_error(&b, NULL, "malformed UTF-8 encoding");

    /* Limits flags: 3.0's byte (memory64 on), 2.0's 1-bit LEB128 */
    const DecodeLimits v2 = {.features_off = CORRAL_FEATURES_ALL & ~CORRAL_FEATURES_2_0};
    start_module(&b);
    SEC(&b, 4, "\x01\x70\x02\x00");
    expect_error(&b, NULL, "malformed limits flags");
    expect_error(&b, &v2, "integer too large");

    start_module(&b);
    SEC(&b, 5, "\x01\x81\x00\x00");
    expect_error(&b, NULL, "malformed limits flags");
    expect_error(&b, &v2, "integer representation too long");

    start_module(&b);
    SEC(&b, 4, "\x01\x7f\x00\x00");
    expect_error(&b, NULL, "malformed reference type");

    start_module(&b);
    SEC(&b, 6, "\x01\x7f\x02\x41\x00\x0b");
    expect_error(&b, NULL, "malformed mutability");

    start_module(&b);
    SEC(&b, 1, "\x01\x60\x01\x40\x00");
    expect_error(&b, NULL, "malformed value type");

    start_module(&b);
    SEC(&b, 1, "\x01\x61\x00\x00");
    expect_error(&b, NULL, "malformed function type");

    start_module(&b);
    SEC(&b, 1, "\x01\xe0\x7f\x00\x00");
    expect_error(&b, NULL, "integer representation too long");

    start_module(&b);
    SEC(&b, 7, "\x01\x01x\x05\x00"); /* 4 is a tag */
    expect_error(&b, NULL, "malformed export kind");

    start_module(&b);
    SEC(&b, 9, "\x01\x08");
    expect_error(&b, NULL, "malformed elements segment kind");

    start_module(&b);
    SEC(&b, 11, "\x01\x03\x00");
    expect_error(&b, NULL, "malformed data segment kind");

    start_module(&b); /* constant expression without its end */
    SEC(&b, 6, "\x01\x7f\x00\x41\x00");
    expect_error(&b, NULL, "unexpected end");

    start_module(&b);
    SEC(&b, 6, "\x01\x7f\x00\xff\x0b");
    expect_error(&b, NULL, "illegal opcode");
}

static void test_locals(void)
{
    Buf b;
    start_module(&b); /* 0xffffffff + 2 locals */
    SEC(&b, 1, "\x01\x60\x00\x00");
    SEC(&b, 3, "\x01\x00");
    SEC(&b, 10, "\x01\x0a\x02\xff\xff\xff\xff\x0f\x7f\x02\x7e\x0b");
    expect_error(&b, NULL, "too many locals");

    DecodeLimits lim = {.max_locals = 10};
    start_module(&b);
    SEC(&b, 1, "\x01\x60\x00\x00");
    SEC(&b, 3, "\x01\x00");
    SEC(&b, 10, "\x01\x06\x02\x05\x7f\x06\x7e\x0b");
    expect_error(&b, &lim, "too many locals");
    DecodeError e;
    CHECK(decode_err(&b, &lim, &e) != NULL && e.func == 0);
    lim.max_locals = 11;
    CHECK(decode_err(&b, &lim, &e) == NULL);

    start_module(&b); /* body size beyond the module */
    SEC(&b, 1, "\x01\x60\x00\x00");
    SEC(&b, 3, "\x01\x00");
    SEC(&b, 10, "\x01\x05\x00\x0b");
    expect_error(&b, NULL, "length out of bounds");

    start_module(&b); /* body size beyond the section, into the next one */
    SEC(&b, 1, "\x01\x60\x00\x00");
    SEC(&b, 3, "\x01\x00");
    SEC(&b, 10, "\x01\x03\x00\x0b");
    SEC(&b, 0, "\x01x");
    expect_error(&b, NULL, "section size mismatch");

    start_module(&b); /* locals running past the body */
    SEC(&b, 1, "\x01\x60\x00\x00");
    SEC(&b, 3, "\x01\x00");
    SEC(&b, 10, "\x01\x02\x01\x01\x7f\x0b");
    expect_error(&b, NULL, "unexpected end");
}

static void test_limits(void)
{
    Buf b;
    DecodeLimits lim = {.max_funcs = 2, .max_segments = 1, .max_table_elems = 100};
    start_module(&b);
    SEC(&b, 1, "\x01\x60\x00\x00");
    SEC(&b, 3, "\x03\x00\x00\x00");
    expect_error(&b, &lim, "too many functions");

    start_module(&b);
    SEC(&b, 2, "\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00");
    expect_error(&b, &lim, "too many functions");

    start_module(&b);
    SEC(&b, 11, "\x02\x01\x00\x01\x00");
    expect_error(&b, &lim, "too many segments");

    start_module(&b);
    SEC(&b, 9, "\x02\x01\x00\x00\x01\x00\x00");
    expect_error(&b, &lim, "too many segments");

    /* a table's minimum past max_table_elems loads: instantiation refuses it (test_limits) */
    start_module(&b);
    SEC(&b, 4, "\x01\x70\x00\x65");
    DecodeError e;
    CHECK(decode_err(&b, &lim, &e) == NULL);
}

/* ---- element segments: all eight encodings ---- */

static void test_elem_encodings(void)
{
    Buf b;
    start_module(&b);
    SEC(&b, 9, "\x08"
               "\x00\x41\x01\x0b\x01\x05"              /* 0: active t0, funcs */
               "\x01\x00\x01\x06"                      /* 1: passive, elemkind, funcs */
               "\x02\x02\x41\x02\x0b\x00\x01\x07"      /* 2: active t2, elemkind, funcs */
               "\x03\x00\x01\x08"                      /* 3: declarative, funcs */
               "\x04\x41\x03\x0b\x01\xd2\x09\x0b"      /* 4: active t0, exprs */
               "\x05\x6f\x01\xd0\x6f\x0b"              /* 5: passive, reftype, exprs */
               "\x06\x01\x41\x04\x0b\x70\x01\x23\x00\x0b" /* 6: active t1, exprs */
               "\x07\x70\x02\xd2\x00\x0b\xd0\x70\x0b"); /* 7: declarative, exprs */
    Module *m = NULL;
    DecodeError e;
    CHECK(decode_module(b.b, b.n, NULL, 0, &m, &e) == 0);
    if (!m)
        return;
    CHECK(m->nelems == 8);
    static const uint8_t modes[8] = {SEG_ACTIVE,  SEG_PASSIVE, SEG_ACTIVE,  SEG_DECLARATIVE,
                                     SEG_ACTIVE,  SEG_PASSIVE, SEG_ACTIVE,  SEG_DECLARATIVE};
    static const uint32_t tables[8] = {0, 0, 2, 0, 0, 0, 1, 0};
    for (int i = 0; i < 8; i++) {
        CHECK(m->elems[i].mode == modes[i]);
        CHECK(m->elems[i].table == tables[i]);
    }
    CHECK(m->elems[0].offset.kind == CONST_VALUE && m->elems[0].offset.value == 1);
    CHECK(m->elems[2].offset.value == 2 && m->elems[4].offset.value == 3);
    CHECK(m->elems[6].offset.value == 4 && m->elems[6].offset.type == VT_I32);
    CHECK(m->elems[0].items[0].kind == CONST_REF_FUNC && m->elems[0].items[0].index == 5);
    CHECK(m->elems[0].items[0].start == m->elems[0].items[0].end);
    CHECK(m->elems[1].items[0].index == 6 && m->elems[2].items[0].index == 7);
    /* a vector of function indices: (ref func) in 3.0 (typed function references) */
    CHECK(m->elems[3].items[0].index == 8 && m->elems[3].type == (VT_FUNCREF | VT_NONNULL));
    CHECK(m->elems[4].items[0].kind == CONST_REF_FUNC && m->elems[4].items[0].index == 9);
    CHECK(m->elems[4].items[0].end > m->elems[4].items[0].start);
    CHECK(m->elems[5].type == VT_EXTERNREF && m->elems[5].items[0].kind == CONST_REF_NULL);
    CHECK(m->elems[5].items[0].type == VT_EXTERNREF);
    CHECK(m->elems[6].items[0].kind == CONST_GLOBAL_GET && m->elems[6].items[0].index == 0);
    CHECK(m->elems[7].count == 2 && m->elems[7].items[1].kind == CONST_REF_NULL);
    module_free(m);

    start_module(&b); /* elemkind other than 0x00 */
    SEC(&b, 9, "\x01\x01\x01\x00");
    expect_error(&b, NULL, "malformed element kind");
    start_module(&b); /* reftype i32 in an expression segment */
    SEC(&b, 9, "\x01\x05\x7f\x01\xd2\x00\x0b");
    expect_error(&b, NULL, "malformed reference type");
}

/* ---- round trip of a module using every section ---- */

static Buf full_module(void)
{
    Buf b;
    start_module(&b);
    SEC(&b, 0, "\x04meta\x01\x02\x03");
    SEC(&b, 1, "\x02\x60\x02\x7f\x7f\x01\x7f\x60\x00\x00");
    SEC(&b, 2, "\x02\x03" "env" "\x01" "f" "\x00\x01"
               "\x03" "env" "\x01" "g" "\x03\x7e\x01");
    SEC(&b, 3, "\x02\x00\x01");
    SEC(&b, 4, "\x01\x70\x01\x02\x0a");
    SEC(&b, 5, "\x01\x00\x01");
    SEC(&b, 6, "\x02\x7f\x00\x41\x7f\x0b\x7c\x01\x44\x00\x00\x00\x00\x00\x00\xf0\x3f\x0b");
    SEC(&b, 7, "\x02\x03\x61\x64\x64\x00\x01\x03mem\x02\x00");
    SEC(&b, 8, "\x02");
    SEC(&b, 9, "\x01\x00\x41\x00\x0b\x02\x01\x02");
    SEC(&b, 12, "\x02");
    SEC(&b, 10, "\x02"
                "\x09\x01\x02\x7e\x20\x00\x20\x01\x6a\x0b"
                "\x02\x00\x0b");
    SEC(&b, 11, "\x02\x00\x41\x10\x0b\x02hi\x01\x03" "abc");
    SEC(&b, 0, "\x04tail");
    return b;
}

static bool name_is(Name n, const char *s)
{
    return n.len == strlen(s) && memcmp(n.ptr, s, n.len) == 0;
}

static void check_full_module(const Module *m)
{
    CHECK(m->ntypes == 2);
    CHECK(m->types[0]->nparams == 2 && m->types[0]->nresults == 1);
    CHECK(ft_params(m->types[0])[1] == VT_I32 && ft_results(m->types[0])[0] == VT_I32);
    CHECK(m->types[0]->hash == functype_hash(m->types[0]->types, 2, 1));
    CHECK(!functype_equal(m->types[0], m->types[1]) && functype_equal(m->types[1], m->types[1]));
    CHECK(m->nimports == 2 && name_is(m->imports[0].module, "env"));
    CHECK(name_is(m->imports[1].name, "g") && m->imports[1].kind == EXTERN_GLOBAL);
    CHECK(m->imports[1].d.global.type == VT_I64 && m->imports[1].d.global.mut);
    CHECK(m->nfuncs == 3 && m->nfunc_imports == 1);
    CHECK(m->func_types[0] == 1 && m->func_types[1] == 0 && m->func_types[2] == 1);
    CHECK(m->ntables == 1 && m->tables[0].lim.has_max && m->tables[0].lim.max == 10);
    CHECK(m->tables[0].lim.min == 2 && m->tables[0].elem == VT_FUNCREF);
    CHECK(m->nmems == 1 && m->mems[0].lim.min == 1 && !m->mems[0].lim.has_max);
    CHECK(m->nglobals == 3 && m->nglobal_imports == 1 && m->globals[0].type.type == VT_I64);
    CHECK(m->globals[1].init.kind == CONST_VALUE && m->globals[1].init.value == 0xffffffffu);
    CHECK(m->globals[2].type.mut && m->globals[2].init.type == VT_F64);
    CHECK(m->globals[2].init.value == 0x3ff0000000000000ull);
    CHECK(m->bytes[m->globals[1].init.start] == 0x41 && m->bytes[m->globals[1].init.end] == 0x0b);
    CHECK(m->nexports == 2 && name_is(m->exports[0].name, "add"));
    CHECK(m->exports[0].kind == EXTERN_FUNC && m->exports[0].index == 1);
    CHECK(m->exports[1].kind == EXTERN_MEMORY);
    CHECK(m->has_start && m->start == 2);
    CHECK(m->nelems == 1 && m->elems[0].count == 2 && m->elems[0].items[1].index == 2);
    CHECK(m->has_datacount && m->datacount == 2 && m->ndatas == 2);
    CHECK(m->datas[0].mode == SEG_ACTIVE && m->datas[0].offset.value == 16);
    CHECK(m->datas[0].len == 2 && memcmp(m->bytes + m->datas[0].start, "hi", 2) == 0);
    CHECK(m->datas[1].mode == SEG_PASSIVE && m->datas[1].len == 3);
    CHECK(m->ncodes == 2 && m->codes[0].nlocals == 2 && m->codes[0].ndecls == 1);
    CHECK(m->codes[0].decls[0].type == VT_I64);
    CHECK(m->bytes[m->codes[0].body_start] == 0x20 && m->bytes[m->codes[0].body_end - 1] == 0x0b);
    CHECK(m->codes[0].body_end - m->codes[0].body_start == 6);
    CHECK(m->bytes[m->codes[0].size_off] == 0x09);
    CHECK(m->codes[1].nlocals == 0 && m->codes[1].body_end - m->codes[1].body_start == 1);
    CHECK(m->ncustoms == 2 && name_is(m->customs[0].name, "meta") && m->customs[0].len == 3);
    CHECK(name_is(m->customs[1].name, "tail") && m->customs[1].len == 0);
}

static void test_round_trip(void)
{
    Buf b = full_module();
    Module *m = NULL;
    DecodeError e;
    CHECK(decode_module(b.b, b.n, NULL, 0, &m, &e) == 0);
    if (!m) {
        fprintf(stderr, "  full module: %s at %zu\n", e.msg, e.offset);
        return;
    }
    CHECK(m->bytes != b.b && m->bytes_len == b.n);
    memset(b.b, 0, sizeof b.b); /* the module owns its copy */
    check_full_module(m);
    module_free(m);
}

/* Every truncation and every single-byte corruption of the full module either decodes or
 * fails with a message; run under ASan this is a small deterministic fuzz. */
static void test_truncations_and_flips(void)
{
    Buf full = full_module();
    int ok = 1;
    for (size_t n = 0; n < full.n; n++) {
        Module *m;
        DecodeError e;
        if (decode_module(full.b, n, NULL, 0, &m, &e) == 0)
            module_free(m);
        else if (!e.msg || e.offset > n)
            ok = 0;
    }
    CHECK(ok);
    for (size_t i = 8; i < full.n; i++) {
        for (int v = 0; v < 256; v += 17) {
            Buf b = full;
            b.b[i] = (uint8_t)v;
            Module *m;
            DecodeError e;
            if (decode_module(b.b, b.n, NULL, 0, &m, &e) == 0)
                module_free(m);
            else if (!e.msg || e.offset > b.n)
                ok = 0;
        }
    }
    CHECK(ok);
}

/* ---- typed function references: canonical type indices, subtyping ---- */

static void test_type_canon(void)
{
    Buf b;
    start_module(&b);
    SEC(&b, 1, "\x07"
               "\x60\x01\x63\x00\x00"                         /* 0: (func (param (ref null 0))) */
               "\x60\x01\x63\x01\x00"                         /* 1: the same, naming itself */
               "\x4e\x02\x60\x01\x64\x03\x00\x60\x00\x01\x64\x02" /* rec 2, 3 */
               "\x4e\x02\x60\x01\x64\x05\x00\x60\x00\x01\x64\x04" /* rec 4, 5: alike */
               "\x50\x00\x60\x00\x00"                         /* 6: (sub (func)) */
               "\x50\x01\x06\x60\x00\x00"                     /* 7: (sub 6 (func)) */
               "\x60\x00\x00");                                 /* 8: (func), final */
    Module *m;
    DecodeError e;
    CHECK(decode_module(b.b, b.n, NULL, 0, &m, &e) == 0);
    if (!m)
        return;
    CHECK(m->ntypes == 9);
    static const uint32_t canon[9] = {0, 0, 2, 3, 2, 3, 6, 7, 8};
    for (uint32_t i = 0; i < 9 && i < m->ntypes; i++)
        CHECK(m->canon[i] == canon[i]);
    /* equal types have equal words: type 1's self-reference now names type 0 */
    CHECK(m->types[1]->types[0] == vt_concrete(0, true));
    CHECK(m->types[4]->types[0] == vt_concrete(3, false));
    CHECK(m->tinfo[2].group == 2 && m->tinfo[3].group_len == 2 && m->tinfo[7].super == 6);
    /* subtyping */
    CHECK(valtype_sub(m, vt_concrete(7, false), vt_concrete(6, true)));
    CHECK(!valtype_sub(m, vt_concrete(6, false), vt_concrete(7, false)));
    CHECK(!valtype_sub(m, vt_concrete(7, true), vt_concrete(6, false)));
    CHECK(valtype_sub(m, vt_concrete(8, false), VT_FUNCREF));
    CHECK(valtype_sub(m, HT_NOFUNC, vt_concrete(8, true)));
    CHECK(!valtype_sub(m, HT_NOFUNC, vt_concrete(8, false)));
    CHECK(!valtype_sub(m, VT_EXTERNREF, VT_FUNCREF));
    CHECK(valtype_sub(m, HT_NOEXTERN | VT_NONNULL, VT_EXTERNREF));
    CHECK(!valtype_sub(m, VT_I32, VT_I64) && valtype_sub(m, VT_I32, VT_I32));
    char buf[48];
    CHECK(!strcmp(valtype_str(vt_concrete(3, true), buf, sizeof buf), "(ref null 3)"));
    CHECK(!strcmp(valtype_str(VT_FUNCREF | VT_NONNULL, buf, sizeof buf), "(ref func)"));
    module_free(m);
}

int main(void)
{
    test_leb_unsigned();
    test_leb_signed();
    test_header();
    test_section_ids_and_order();
    test_section_size();
    test_counts();
    test_malformed_kinds();
    test_locals();
    test_limits();
    test_elem_encodings();
    test_type_canon();
    test_round_trip();
    test_truncations_and_flips();
    printf("test_decode: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
