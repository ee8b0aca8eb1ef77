/* cmd_wast.c: `corral wast`, the spec-script runner. Runs a .wast script (read by src/text,
 * through wast_text.c) or the JSON that wast2json makes of one, against the engine, through corral.h only, with the "spectest" host module,
 * and counts passes, failures and skips. It must survive any input: a module that fails to
 * load is one failure, and every later command that needs it fails cleanly too. */
#include "cli.h"
#include "cli_tier.h"
#include "wast_text.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: corral wast [-v | --quiet] [--tier TIER] [--wasm-features LIST] FILE.wast|FILE.json\n"
    "\n"
    "Runs a WebAssembly spec test script: a .wast file itself, or the JSON wast2json makes\n"
    "of one (the .wasm files it names are read from the JSON file's directory; FILE \"-\"\n"
    "reads the script from standard input and the modules from the current directory), and\n"
    "checks every command: module, register, action, assert_return, assert_trap,\n"
    "assert_exhaustion, assert_invalid, assert_malformed, assert_unlinkable and\n"
    "assert_uninstantiable. In a JSON script, modules in text form are skipped; a .wast\n"
    "script's are all run. A .wast script that is itself malformed stops at its first error\n"
    "(FILE:LINE:COLUMN: message). Imports resolve against the \"spectest\" host module and registered modules.\n"
    "Each failure prints one line, FILE.wast:LINE: COMMAND : expected ..., got ...; the\n"
    "last line is the count: N passed, N failed, N skipped (a register that finds its\n"
    "module counts as passed).\n"
    "\n"
    "Options:\n"
    "  -v, --verbose  Print each command before running it, and spectest.print* calls\n"
    "  -q, --quiet    Print only the final count (not with -v)\n"
    CLI_TIER_HELP
    CLI_FEATURES_HELP
    "  -h, --help     Show this help\n"
    "\n"
    "Exit status: 0 when nothing failed, 1 when something failed or the script cannot be\n"
    "read, 2 on a usage error.\n";

/* ---- the runner's state ---- */

typedef enum ModState { MOD_LOADED, MOD_FAILED, MOD_SKIPPED } ModState;

/* A module as later commands see it: by its $name, by a register name, or as the current
 * module. inst is NULL unless state is MOD_LOADED. */
typedef struct Binding {
    char *name; /* owned; may hold NUL bytes, hence name_len */
    size_t name_len;
    corral_instance_t *inst;
    ModState state;
    corral_module_t *def; /* Wast.defs: a module definition's module (in Wast.modules) */
} Binding;

typedef struct Bindings {
    Binding *v;
    size_t n, cap;
} Bindings;

struct Wast;

/* The env of one spectest.print* host function. */
typedef struct PrintEnv {
    struct Wast *w;
    const char *name;
    size_t nparams;
} PrintEnv;

typedef struct SpecExport {
    const char *name;
    corral_extern_t ext;
} SpecExport;

enum { NPRINTS = 7, NSPECTEST = NPRINTS + 7, MSG_SIZE = 2048 };

typedef struct Wast {
    corral_engine_t *engine;
    corral_store_t *store;
    char *dir;          /* owned: where the JSON file is; module file names are relative */
    const char *script; /* source_filename's basename, borrowed from the JSON */
    bool verbose, quiet;
    TierOpts tier;
    uint32_t features; /* --wasm-features */
    bool have_current;
    Binding current; /* the last module command's module; name unused */
    Bindings names;  /* $name -> module */
    Bindings registered;
    Bindings defs;   /* $name -> module definition (WebAssembly 3.0 scripts) */
    corral_module_t **modules;   /* every compiled module: instances borrow them, so they */
    size_t nmodules, capmodules; /* are deleted only after the store */
    PrintEnv prints[NPRINTS];
    SpecExport spectest[NSPECTEST];
    long long line;
    char what[256];                        /* the running command, for failure lines */
    char msg[MSG_SIZE];                    /* detail of the last error, trap or link failure */
    char trap_at[CLI_FRAME_TEXT_SIZE + 4]; /* " at FRAME" after a trap, else "" */
    bool trap_exception;                   /* the last trap was an uncaught exception */
    long passed, failed, skipped;
    TextScript text; /* a .wast script's commands: their modules, by "text_module" index */
} Wast;

/* ---- small helpers ---- */

/* snprintf that appends to what buf already holds and silently truncates. */
static void appendf(char *buf, size_t size, const char *fmt, ...) CLI_PRINTF(3, 4);
static void appendf(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

/* Appends a name as the text format would quote it: control bytes and quotes escaped. */
static void append_name(char *buf, size_t size, const json_t *name)
{
    const char *s = json_is_string(name) ? json_string_value(name) : "?";
    size_t len = json_is_string(name) ? json_string_length(name) : 1;
    appendf(buf, size, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
            appendf(buf, size, "\\%02x", c);
        else
            appendf(buf, size, "%c", c);
    }
    appendf(buf, size, "\"");
}

static const char *str_field(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool is_text_module(const json_t *cmd)
{
    const char *t = str_field(cmd, "module_type");
    return t && !strcmp(t, "text");
}

static void pass(Wast *w)
{
    w->passed++;
}

/* Counts a failure and prints "SCRIPT:LINE: WHAT : DETAIL". */
static void fail(Wast *w, const char *fmt, ...) CLI_PRINTF(2, 3);
static void fail(Wast *w, const char *fmt, ...)
{
    w->failed++;
    if (w->quiet)
        return;
    printf("%s:%lld: %s : ", w->script, w->line, w->what);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* ---- bindings ---- */

static bool bind(Bindings *bs, const char *name, size_t name_len, const Binding *b)
{
    if (bs->n == bs->cap) {
        size_t cap = bs->cap ? bs->cap * 2 : 16;
        Binding *v = realloc(bs->v, cap * sizeof *v);
        if (!v)
            return false;
        bs->v = v;
        bs->cap = cap;
    }
    char *copy = malloc(name_len + 1);
    if (!copy)
        return false;
    memcpy(copy, name, name_len);
    copy[name_len] = '\0';
    bs->v[bs->n] = *b;
    bs->v[bs->n].name = copy;
    bs->v[bs->n].name_len = name_len;
    bs->n++;
    return true;
}

/* The newest binding of name, or NULL. */
static const Binding *lookup(const Bindings *bs, const char *name, size_t name_len)
{
    for (size_t i = bs->n; i-- > 0;)
        if (bs->v[i].name_len == name_len && !memcmp(bs->v[i].name, name, name_len))
            return &bs->v[i];
    return NULL;
}

static void bindings_free(Bindings *bs)
{
    for (size_t i = 0; i < bs->n; i++)
        free(bs->v[i].name);
    free(bs->v);
}

/* Binds the JSON string value of key (when present) to b. */
static void bind_json_name(Wast *w, Bindings *bs, const json_t *obj, const char *key,
                           const Binding *b)
{
    const json_t *name = json_object_get(obj, key);
    if (json_is_string(name) && !bind(bs, json_string_value(name), json_string_length(name), b))
        fail(w, "expected to record the name, got out of memory");
}

/* ---- values in the JSON's spelling ---- */

static bool kind_from_name(const char *name, corral_valkind_t *out)
{
    static const struct {
        const char *name;
        corral_valkind_t kind;
    } kinds[] = {
        {"i32", CORRAL_I32}, {"i64", CORRAL_I64},         {"f32", CORRAL_F32},
        {"f64", CORRAL_F64}, {"funcref", CORRAL_FUNCREF}, {"externref", CORRAL_EXTERNREF},
        {"v128", CORRAL_V128}, {"anyref", CORRAL_ANYREF},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (name && !strcmp(name, kinds[i].name)) {
            *out = kinds[i].kind;
            return true;
        }
    return false;
}

/* `ref.extern N` is a host reference: a distinct non-NULL pointer per N, compared by
 * identity. */
static bool parse_extern_ref(const char *text, void **out)
{
    corral_val_t n;
    const char *why;
    if (!strcmp(text, "null")) {
        *out = NULL;
        return true;
    }
    if (!cli_parse_val(CORRAL_I64, text, &n, &why) || (uint64_t)n.of.i64 >= UINTPTR_MAX)
        return false;
    *out = (void *)(uintptr_t)((uint64_t)n.of.i64 + 1);
    return true;
}

/* A v128's lanes: {"type": "v128", "lane_type": "i8" | "i16" | "i32" | "i64" | "f32" | "f64",
 * "value": [lane 0, ...]}, each lane an unsigned decimal (of the bits, for floats). The lane
 * width in bytes, or 0 when the lane type is not one of those. */
static unsigned v128_lane_bytes(const json_t *jv)
{
    const char *t = str_field(jv, "lane_type");
    if (!t || (t[0] != 'i' && t[0] != 'f'))
        return 0;
    unsigned bits = (unsigned)atoi(t + 1);
    return bits == 8 || bits == 16 || bits == 32 || bits == 64 ? bits / 8 : 0;
}

/* Lane i's text, or NULL. */
static const char *v128_lane(const json_t *jv, size_t i)
{
    const json_t *lane = json_array_get(json_object_get(jv, "value"), i);
    return json_is_string(lane) ? json_string_value(lane) : NULL;
}

static bool json_to_v128(const json_t *jv, corral_val_t *out)
{
    unsigned w = v128_lane_bytes(jv);
    if (!w || json_array_size(json_object_get(jv, "value")) != 16 / w)
        return false;
    for (size_t i = 0; i < 16 / w; i++) {
        const char *text = v128_lane(jv, i), *why;
        corral_val_t n;
        if (!text || !cli_parse_val(CORRAL_I64, text, &n, &why))
            return false;
        for (unsigned k = 0; k < w; k++) /* little-endian lanes */
            out->of.v128[i * w + k] = (uint8_t)((uint64_t)n.of.i64 >> (8 * k));
    }
    return true;
}

/* A JSON value {"type": T, "value": V}. Integers come as unsigned decimal, floats as the
 * decimal of their bit pattern; v128s as json_to_v128 says. A non-null funcref cannot be
 * made from a number. */
static bool json_to_val(const json_t *jv, corral_val_t *out)
{
    const char *value = str_field(jv, "value"), *why;
    corral_valkind_t kind;
    corral_val_t bits;
    memset(out, 0, sizeof *out);
    if (kind_from_name(str_field(jv, "type"), &kind) && kind == CORRAL_V128) {
        out->kind = kind;
        return json_to_v128(jv, out);
    }
    if (!value || !kind_from_name(str_field(jv, "type"), &kind))
        return false;
    out->kind = kind;
    switch (kind) {
    case CORRAL_I32:
    case CORRAL_I64:
        return cli_parse_val(kind, value, out, &why);
    case CORRAL_F32:
        if (!cli_parse_val(CORRAL_I32, value, &bits, &why))
            return false;
        out->of.f32_bits = (uint32_t)bits.of.i32;
        return true;
    case CORRAL_F64:
        if (!cli_parse_val(CORRAL_I64, value, &bits, &why))
            return false;
        out->of.f64_bits = (uint64_t)bits.of.i64;
        return true;
    case CORRAL_FUNCREF:
        return !strcmp(value, "null");
    case CORRAL_EXTERNREF:
        return parse_extern_ref(value, &out->of.externref);
    case CORRAL_EXNREF:
    case CORRAL_ANYREF: /* a null; other GC references are made by parse_args */
        return !strcmp(value, "null");
    case CORRAL_V128:
        break;
    }
    return false;
}

static void append_val(char *buf, size_t size, const corral_val_t *v)
{
    char text[64];
    if (v->kind == CORRAL_EXTERNREF && v->of.externref) {
        appendf(buf, size, "ref.extern %" PRIuPTR, (uintptr_t)v->of.externref - 1);
        return;
    }
    if (v->kind == CORRAL_FUNCREF || v->kind == CORRAL_EXTERNREF) {
        bool null = v->kind == CORRAL_FUNCREF ? !v->of.funcref : !v->of.externref;
        appendf(buf, size, "%s", null ? "ref.null" : "ref.func");
        appendf(buf, size, "%s", !null ? "" : v->kind == CORRAL_FUNCREF ? " func" : " extern");
        return;
    }
    cli_format_val(v, text, sizeof text);
    appendf(buf, size, "%s:%s", corral_valkind_name(v->kind), text);
}

static void describe_vals(char *buf, size_t size, const corral_val_t *vs, size_t n)
{
    buf[0] = '\0';
    if (n == 0)
        appendf(buf, size, "no values");
    for (size_t i = 0; i < n; i++) {
        appendf(buf, size, "%s", i ? ", " : "");
        append_val(buf, size, &vs[i]);
    }
}

/* One expected value, appended to buf; (either A B) as "either(A | B)". */
static void describe_one(char *buf, size_t size, const json_t *e)
{
    const char *type = str_field(e, "type"), *value = str_field(e, "value");
    corral_val_t v;
    if (json_to_val(e, &v)) {
        append_val(buf, size, &v);
    } else if (type && !strcmp(type, "v128")) { /* NaN patterns in lanes */
        const char *lt = str_field(e, "lane_type");
        appendf(buf, size, "v128:%s", lt ? lt : "?");
        for (size_t k = 0; k < json_array_size(json_object_get(e, "value")); k++)
            appendf(buf, size, " %s", v128_lane(e, k) ? v128_lane(e, k) : "?");
    } else if (type && !strcmp(type, "either")) {
        const json_t *alts = json_object_get(e, "values");
        appendf(buf, size, "either(");
        for (size_t k = 0; k < json_array_size(alts); k++) {
            appendf(buf, size, "%s", k ? " | " : "");
            describe_one(buf, size, json_array_get(alts, k));
        }
        appendf(buf, size, ")");
    } else {
        appendf(buf, size, "%s:%s", type ? type : "?", value ? value : "?");
    }
}

static void describe_expected(char *buf, size_t size, const json_t *exp)
{
    buf[0] = '\0';
    if (json_array_size(exp) == 0)
        appendf(buf, size, "no values");
    for (size_t i = 0; i < json_array_size(exp); i++) {
        appendf(buf, size, "%s", i ? ", " : "");
        describe_one(buf, size, json_array_get(exp, i));
    }
}

/* nan:canonical is a quiet NaN with no other payload bit, of either sign; nan:arithmetic is
 * any quiet NaN. */
static bool match_nan(const char *pattern, uint64_t bits, int mant_bits)
{
    int exp_bits = mant_bits == 23 ? 8 : 11;
    uint64_t exp_mask = ((UINT64_C(1) << exp_bits) - 1) << mant_bits;
    uint64_t quiet = UINT64_C(1) << (mant_bits - 1);
    uint64_t payload = bits & ((UINT64_C(1) << mant_bits) - 1);
    if ((bits & exp_mask) != exp_mask || !(payload & quiet))
        return false;
    if (!strcmp(pattern, "nan:arithmetic"))
        return true;
    return !strcmp(pattern, "nan:canonical") && payload == quiet;
}

/* A v128 lane by lane: float lanes may be NaN patterns. */
static bool match_v128(const json_t *exp, const corral_val_t *got)
{
    const char *lt = str_field(exp, "lane_type");
    unsigned w = v128_lane_bytes(exp);
    if (!w || json_array_size(json_object_get(exp, "value")) != 16 / w)
        return false;
    for (size_t i = 0; i < 16 / w; i++) {
        const char *text = v128_lane(exp, i), *why;
        uint64_t bits = 0;
        corral_val_t n;
        for (unsigned k = 0; k < w; k++)
            bits |= (uint64_t)got->of.v128[i * w + k] << (8 * k);
        if (text && !strncmp(text, "nan:", 4) && lt[0] == 'f') {
            if (!match_nan(text, bits, w == 4 ? 23 : 52))
                return false;
            continue;
        }
        if (!text || !cli_parse_val(CORRAL_I64, text, &n, &why))
            return false;
        if ((w == 8 ? (uint64_t)n.of.i64 : (uint64_t)n.of.i64 & ((UINT64_C(1) << (8 * w)) - 1)) !=
            bits)
            return false;
    }
    return true;
}

static bool match_expected(const json_t *exp, const corral_val_t *got)
{
    const char *value = str_field(exp, "value");
    corral_valkind_t kind;
    corral_val_t want;
    const char *type = str_field(exp, "type");
    if (type && !strcmp(type, "ref")) /* (ref.null): a null reference of any type */
        return value && !strcmp(value, "null") &&
               (got->kind == CORRAL_FUNCREF ? !got->of.funcref
                : got->kind == CORRAL_EXTERNREF || got->kind == CORRAL_EXNREF ||
                        got->kind == (corral_valkind_t)0x6e /* GC's anyref, null only yet */
                    ? !got->of.externref
                    : false);
    if (type && !strcmp(type, "hostref")) { /* (ref.host N): host reference N as anyref */
        corral_val_t n;
        const char *why;
        return value && cli_parse_val(CORRAL_I64, value, &n, &why) &&
               corral_anyref_host(got) == (void *)(uintptr_t)((uint64_t)n.of.i64 + 1);
    }
    if (type && value && !strcmp(value, "any")) { /* (ref.struct) ... (ref.extern) */
        corral_anykind_t k = corral_anyref_kind(got);
        if (!strcmp(type, "externref"))
            return got->kind == CORRAL_EXTERNREF && got->of.externref;
        if (!strcmp(type, "structref"))
            return k == CORRAL_ANY_STRUCT;
        if (!strcmp(type, "arrayref"))
            return k == CORRAL_ANY_ARRAY;
        if (!strcmp(type, "i31ref"))
            return k == CORRAL_ANY_I31;
        if (!strcmp(type, "eqref"))
            return k == CORRAL_ANY_STRUCT || k == CORRAL_ANY_ARRAY || k == CORRAL_ANY_I31;
        if (!strcmp(type, "anyref"))
            return k != CORRAL_ANY_NULL;
    }
    if (type && value && !strcmp(value, "null") &&
        (!strcmp(type, "structref") || !strcmp(type, "arrayref") || !strcmp(type, "i31ref") ||
         !strcmp(type, "eqref")))
        return got->kind == CORRAL_ANYREF && !got->of.externref;
    if (type && !strcmp(type, "either")) { /* any of the alternatives */
        const json_t *alts = json_object_get(exp, "values");
        for (size_t i = 0; i < json_array_size(alts); i++)
            if (match_expected(json_array_get(alts, i), got))
                return true;
        return false;
    }
    if (kind_from_name(str_field(exp, "type"), &kind) && kind == CORRAL_V128)
        return got->kind == CORRAL_V128 && match_v128(exp, got);
    if (!value || !kind_from_name(str_field(exp, "type"), &kind) || kind != got->kind)
        return false;
    if (!strncmp(value, "nan:", 4) && kind == CORRAL_F32)
        return match_nan(value, got->of.f32_bits, 23);
    if (!strncmp(value, "nan:", 4) && kind == CORRAL_F64)
        return match_nan(value, got->of.f64_bits, 52);
    if (kind == CORRAL_FUNCREF) /* a number only says "some function" */
        return !strcmp(value, "null") ? !got->of.funcref : got->of.funcref != NULL;
    if (!json_to_val(exp, &want))
        return false;
    switch (kind) {
    case CORRAL_I32:
        return want.of.i32 == got->of.i32;
    case CORRAL_I64:
        return want.of.i64 == got->of.i64;
    case CORRAL_F32:
        return want.of.f32_bits == got->of.f32_bits;
    case CORRAL_F64:
        return want.of.f64_bits == got->of.f64_bits;
    case CORRAL_EXTERNREF:
        return want.of.externref == got->of.externref;
    case CORRAL_EXNREF:
        return want.of.externref == got->of.externref;
    case CORRAL_FUNCREF:
    case CORRAL_V128:
    case CORRAL_ANYREF:
        break;
    }
    return false;
}

/* ---- the spectest host module ---- */

static corral_trap_t *spectest_print(void *env, corral_caller_t *caller, const corral_val_t *args,
                                     corral_val_t *results)
{
    const PrintEnv *pe = env;
    char buf[MSG_SIZE];
    (void)caller;
    (void)results;
    if (!pe->w->verbose)
        return NULL;
    describe_vals(buf, sizeof buf, args, pe->nparams);
    printf("spectest.%s(%s)\n", pe->name, pe->nparams ? buf : "");
    return NULL;
}

static bool add_print(Wast *w, size_t i, const char *name, const corral_valkind_t *params,
                      size_t nparams)
{
    corral_functype_t *type = corral_functype_new(params, nparams, NULL, 0);
    if (!type)
        return false;
    w->prints[i] = (PrintEnv){w, name, nparams};
    w->spectest[i].name = name;
    w->spectest[i].ext.kind = CORRAL_EXTERN_FUNC;
    w->spectest[i].ext.of.func =
        corral_func_new(w->store, type, spectest_print, &w->prints[i], NULL);
    corral_functype_delete(type);
    return w->spectest[i].ext.of.func != NULL;
}

static bool add_global(Wast *w, size_t i, const char *name, corral_val_t init)
{
    w->spectest[i].name = name;
    w->spectest[i].ext.kind = CORRAL_EXTERN_GLOBAL;
    w->spectest[i].ext.of.global = corral_global_new(w->store, init.kind, false, init);
    return w->spectest[i].ext.of.global != NULL;
}

/* The spec interpreter's "spectest" module, created once per script in the script's store
 * so every module that imports its memory or table shares it. */
static bool spectest_init(Wast *w)
{
    static const corral_valkind_t i32[] = {CORRAL_I32}, i64[] = {CORRAL_I64}, f32[] = {CORRAL_F32},
                                  f64[] = {CORRAL_F64}, i32_f32[] = {CORRAL_I32, CORRAL_F32},
                                  f64_f64[] = {CORRAL_F64, CORRAL_F64};
    corral_val_t null_ref = {.kind = CORRAL_FUNCREF, .of.funcref = NULL};
    bool ok = add_print(w, 0, "print", NULL, 0) && add_print(w, 1, "print_i32", i32, 1) &&
              add_print(w, 2, "print_i64", i64, 1) && add_print(w, 3, "print_f32", f32, 1) &&
              add_print(w, 4, "print_f64", f64, 1) &&
              add_print(w, 5, "print_i32_f32", i32_f32, 2) &&
              add_print(w, 6, "print_f64_f64", f64_f64, 2) &&
              add_global(w, 7, "global_i32", corral_val_i32(666)) &&
              add_global(w, 8, "global_i64", corral_val_i64(666)) &&
              add_global(w, 9, "global_f32", corral_val_f32(666.6f)) &&
              add_global(w, 10, "global_f64", corral_val_f64(666.6));
    if (!ok)
        return false;
    w->spectest[11].name = "table";
    w->spectest[11].ext.kind = CORRAL_EXTERN_TABLE;
    w->spectest[11].ext.of.table = corral_table_new(w->store, CORRAL_FUNCREF, 10, 20, null_ref);
    w->spectest[12].name = "memory";
    w->spectest[12].ext.kind = CORRAL_EXTERN_MEMORY;
    w->spectest[12].ext.of.memory = corral_memory_new(w->store, 1, 2);
    if (!w->spectest[11].ext.of.table || !w->spectest[12].ext.of.memory)
        return false;
    if (!(w->features & CORRAL_FEATURE_MEMORY64))
        return true; /* spectest[13] stays nameless: 2.0's spectest has no table64 */
    /* 3.0's has a 64-bit table too (memory64) */
    w->spectest[13].name = "table64";
    w->spectest[13].ext.kind = CORRAL_EXTERN_TABLE;
    w->spectest[13].ext.of.table = corral_table_new64(w->store, CORRAL_FUNCREF, 10, 20, null_ref);
    return w->spectest[13].ext.of.table != NULL;
}

/* ---- loading and linking modules ---- */

typedef enum LoadStatus { LOAD_OK, LOAD_REJECTED, LOAD_IO_ERROR } LoadStatus;

static LoadStatus compile_module(Wast *w, uint8_t *bytes, size_t nbytes, corral_module_t **out);

static bool keep_module(Wast *w, corral_module_t *m)
{
    if (w->nmodules == w->capmodules) {
        size_t cap = w->capmodules ? w->capmodules * 2 : 16;
        corral_module_t **v = realloc(w->modules, cap * sizeof *v);
        if (!v)
            return false;
        w->modules = v;
        w->capmodules = cap;
    }
    w->modules[w->nmodules++] = m;
    return true;
}

/* The bytes of a .wast script's module ("text_module": an index into w->text), copied.
 * LOAD_REJECTED when its text was malformed, with the parser's message in w->msg. */
static LoadStatus text_module_bytes(Wast *w, const json_t *cmd, uint8_t **out, size_t *out_len)
{
    json_int_t i = json_integer_value(json_object_get(cmd, "text_module"));
    const TextModule *m = i >= 0 && (size_t)i < w->text.ncmds ? &w->text.cmds[i].module : NULL;
    if (!m) {
        snprintf(w->msg, sizeof w->msg, "no such text module");
        return LOAD_IO_ERROR;
    }
    if (m->error) {
        snprintf(w->msg, sizeof w->msg, "%s", m->error);
        return LOAD_REJECTED;
    }
    *out = malloc(m->len + 1);
    if (!*out) {
        snprintf(w->msg, sizeof w->msg, "out of memory");
        return LOAD_IO_ERROR;
    }
    if (m->len) /* an empty `module binary` has no bytes at all */
        memcpy(*out, m->bytes, m->len);
    *out_len = m->len;
    return LOAD_OK;
}

/* Reads and compiles the module file cmd names. LOAD_REJECTED: the engine refused it, its
 * message in w->msg. LOAD_IO_ERROR: the runner could not get the bytes. */
static LoadStatus load_module(Wast *w, const json_t *cmd, corral_module_t **out)
{
    const char *file = str_field(cmd, "filename");
    *out = NULL;
    uint8_t *bytes = NULL;
    size_t nbytes;
    if (json_object_get(cmd, "text_module")) {
        LoadStatus st = text_module_bytes(w, cmd, &bytes, &nbytes);
        if (st != LOAD_OK)
            return st;
        return compile_module(w, bytes, nbytes, out);
    }
    if (!file) {
        snprintf(w->msg, sizeof w->msg, "a command without \"filename\"");
        return LOAD_IO_ERROR;
    }
    size_t len = strlen(w->dir) + strlen(file) + 2;
    char *path = malloc(len);
    bool read = path && (snprintf(path, len, "%s/%s", file[0] == '/' ? "" : w->dir, file),
                         cli_read_file(path, &bytes, &nbytes));
    free(path);
    if (!read) {
        snprintf(w->msg, sizeof w->msg, "cannot read %s", file);
        return LOAD_IO_ERROR;
    }
    return compile_module(w, bytes, nbytes, out);
}

/* Compiles bytes (owned; freed here) into *out, kept in w->modules. */
static LoadStatus compile_module(Wast *w, uint8_t *bytes, size_t nbytes, corral_module_t **out)
{
    corral_error_t *err = corral_module_new(w->engine, bytes, nbytes, out);
    free(bytes);
    if (err) {
        snprintf(w->msg, sizeof w->msg, "%s", corral_error_message(err));
        corral_error_delete(err);
        return LOAD_REJECTED;
    }
    if ((err = tier_prepare(*out, &w->tier))) {
        snprintf(w->msg, sizeof w->msg, "compiling for --tier %s: %s", tier_name(w->tier.tier),
                 corral_error_message(err));
        corral_error_delete(err);
        corral_module_delete(*out);
        *out = NULL;
        return LOAD_IO_ERROR;
    }
    if (!keep_module(w, *out)) {
        corral_module_delete(*out);
        *out = NULL;
        snprintf(w->msg, sizeof w->msg, "out of memory");
        return LOAD_IO_ERROR;
    }
    return LOAD_OK;
}

/* Keeps trap's message in w->msg and where it happened in w->trap_at: " at " and its
 * innermost Wasm frame, named from whichever of the script's modules it runs in. */
static void note_trap(Wast *w, const corral_trap_t *trap)
{
    const char *msg = corral_trap_message(trap);
    snprintf(w->msg, sizeof w->msg, "%s", msg ? msg : "(no message)");
    w->trap_exception = corral_trap_is_exception(trap);
    w->trap_at[0] = '\0';
    for (size_t i = 0; i < corral_trap_frame_count(trap); i++) {
        uint32_t func;
        size_t offset;
        corral_trap_frame(trap, i, &func, &offset);
        if (func == UINT32_MAX) /* a host function */
            continue;
        char frame[CLI_FRAME_TEXT_SIZE];
        cli_describe_frame(trap, i, (const corral_module_t *const *)w->modules, w->nmodules, frame,
                           sizeof frame);
        snprintf(w->trap_at, sizeof w->trap_at, " at %s", frame);
        break;
    }
}

static bool resolve_import(Wast *w, const corral_extern_desc_t *d, corral_extern_t *out)
{
    if (d->module_len == 8 && !memcmp(d->module, "spectest", 8)) {
        for (size_t i = 0; i < NSPECTEST; i++)
            if (w->spectest[i].name && strlen(w->spectest[i].name) == d->name_len &&
                !memcmp(w->spectest[i].name, d->name, d->name_len)) {
                *out = w->spectest[i].ext;
                return true;
            }
        return false;
    }
    const Binding *b = lookup(&w->registered, d->module, d->module_len);
    return b && b->inst && corral_instance_export(b->inst, d->name, d->name_len, out);
}

typedef enum InstStatus { INST_OK, INST_UNLINKABLE, INST_TRAPPED } InstStatus;

/* Instantiates m with its imports resolved by (module, name); the engine checks their
 * types. INST_UNLINKABLE and INST_TRAPPED leave the reason in w->msg. */
static InstStatus instantiate(Wast *w, const corral_module_t *m, corral_instance_t **out)
{
    size_t n = corral_module_import_count(m);
    corral_extern_t *imports = calloc(n + 1, sizeof *imports);
    *out = NULL;
    if (!imports) {
        snprintf(w->msg, sizeof w->msg, "out of memory");
        return INST_UNLINKABLE;
    }
    for (size_t i = 0; i < n; i++) {
        corral_extern_desc_t d;
        corral_module_import(m, i, &d);
        if (!resolve_import(w, &d, &imports[i])) {
            snprintf(w->msg, sizeof w->msg, "unknown import %.*s::%.*s", (int)d.module_len,
                     d.module, (int)d.name_len, d.name);
            free(imports);
            return INST_UNLINKABLE;
        }
    }
    corral_trap_t *trap = NULL;
    corral_error_t *err = corral_instance_new(w->store, m, imports, n, out, &trap);
    free(imports);
    if (err) {
        snprintf(w->msg, sizeof w->msg, "%s", corral_error_message(err));
        corral_error_delete(err);
        return INST_UNLINKABLE;
    }
    if (trap) {
        note_trap(w, trap);
        corral_trap_delete(trap);
        return INST_TRAPPED;
    }
    if (!*out) {
        snprintf(w->msg, sizeof w->msg, "no instance and no error");
        return INST_UNLINKABLE;
    }
    return INST_OK;
}

/* ---- actions ---- */

typedef enum OutcomeKind { OUT_VALUES, OUT_TRAP, OUT_ERROR, OUT_SKIP } OutcomeKind;

/* What an action did. OUT_TRAP and OUT_ERROR (the runner could not even try: no such
 * module or export, bad arguments) leave their text in w->msg. */
typedef struct Outcome {
    OutcomeKind kind;
    corral_val_t *vals; /* owned */
    size_t nvals;
} Outcome;

/* The instance an action addresses, or NULL with *out_kind set to OUT_ERROR or OUT_SKIP. */
static corral_instance_t *action_instance(Wast *w, const json_t *action, OutcomeKind *out_kind)
{
    const json_t *name = json_object_get(action, "module");
    const Binding *b = w->have_current ? &w->current : NULL;
    *out_kind = OUT_ERROR;
    if (name) {
        b = json_is_string(name)
                ? lookup(&w->names, json_string_value(name), json_string_length(name))
                : NULL;
        if (!b) {
            snprintf(w->msg, sizeof w->msg, "unknown module %s",
                     json_is_string(name) ? json_string_value(name) : "(not a string)");
            return NULL;
        }
    }
    if (!b) {
        snprintf(w->msg, sizeof w->msg, "no module defined yet");
        return NULL;
    }
    if (b->state == MOD_SKIPPED)
        *out_kind = OUT_SKIP;
    else if (b->state == MOD_FAILED)
        snprintf(w->msg, sizeof w->msg, "no instance (%s failed to load)",
                 json_is_string(name) ? json_string_value(name) : "the module");
    return b->inst;
}

static bool parse_args(Wast *w, const json_t *jargs, const corral_functype_t *type,
                       corral_val_t *args)
{
    size_t n = json_array_size(jargs);
    if (n != corral_functype_param_count(type)) {
        snprintf(w->msg, sizeof w->msg, "%zu arguments for %zu parameters", n,
                 corral_functype_param_count(type));
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *ja = json_array_get(jargs, i);
        const char *t = str_field(ja, "type"), *value = str_field(ja, "value"), *why;
        corral_val_t num;
        if (t && !strcmp(t, "hostref")) { /* (ref.host N): host reference N as anyref */
            if (!value || !cli_parse_val(CORRAL_I64, value, &num, &why) ||
                !corral_anyref_from_host(w->store, (void *)(uintptr_t)((uint64_t)num.of.i64 + 1),
                                         &args[i])) {
                snprintf(w->msg, sizeof w->msg, "argument %zu: a bad (ref.host)", i + 1);
                return false;
            }
            continue;
        }
        if (t && value && !strcmp(value, "null") &&
            (!strcmp(t, "structref") || !strcmp(t, "arrayref") || !strcmp(t, "i31ref") ||
             !strcmp(t, "eqref"))) {
            memset(&args[i], 0, sizeof args[i]);
            args[i].kind = CORRAL_ANYREF;
            continue;
        }
        if (!json_to_val(ja, &args[i])) {
            snprintf(w->msg, sizeof w->msg, "argument %zu is not a value the runner can make",
                     i + 1);
            return false;
        }
    }
    return true;
}

static void invoke(Wast *w, const json_t *action, corral_func_t *f, Outcome *out)
{
    const corral_functype_t *type = corral_func_type(f);
    size_t nparams = corral_functype_param_count(type);
    size_t nresults = corral_functype_result_count(type);
    corral_val_t *args = calloc(nparams + 1, sizeof *args);
    out->vals = calloc(nresults + 1, sizeof *out->vals);
    if (!args || !out->vals) {
        snprintf(w->msg, sizeof w->msg, "out of memory");
        free(args);
        return;
    }
    if (!parse_args(w, json_object_get(action, "args"), type, args)) {
        free(args);
        return;
    }
    corral_trap_t *trap = corral_func_call(w->store, f, args, nparams, out->vals, nresults);
    free(args);
    if (trap) {
        note_trap(w, trap);
        corral_trap_delete(trap);
        out->kind = OUT_TRAP;
        return;
    }
    out->nvals = nresults;
    out->kind = OUT_VALUES;
}

/* Runs an "invoke" or "get" action. The caller frees out->vals. */
static void run_action(Wast *w, const json_t *action, Outcome *out)
{
    const json_t *jfield = json_object_get(action, "field");
    const char *type = str_field(action, "type");
    *out = (Outcome){OUT_ERROR, NULL, 0};
    const char *module = str_field(action, "module");
    if (module)
        appendf(w->what, sizeof w->what, " %s", module);
    appendf(w->what, sizeof w->what, " ");
    append_name(w->what, sizeof w->what, jfield);
    corral_instance_t *inst = action_instance(w, action, &out->kind);
    if (!inst)
        return;
    corral_extern_t ext;
    if (!json_is_string(jfield) || !type) {
        snprintf(w->msg, sizeof w->msg, "an action without \"type\" or \"field\"");
        return;
    }
    if (!corral_instance_export(inst, json_string_value(jfield), json_string_length(jfield),
                                &ext)) {
        snprintf(w->msg, sizeof w->msg, "no such export");
        return;
    }
    if (!strcmp(type, "invoke") && ext.kind == CORRAL_EXTERN_FUNC) {
        invoke(w, action, ext.of.func, out);
    } else if (!strcmp(type, "get") && ext.kind == CORRAL_EXTERN_GLOBAL) {
        out->vals = malloc(sizeof *out->vals);
        if (!out->vals)
            return;
        out->vals[0] = corral_global_get(ext.of.global);
        out->nvals = 1;
        out->kind = OUT_VALUES;
    } else {
        snprintf(w->msg, sizeof w->msg, "an export of the wrong kind for \"%s\"", type);
    }
}

/* ---- commands ---- */

/* Instantiates m (NULL: a module that did not load, already failed) as the current module,
 * bound to cmd's "name". */
static void instance_command(Wast *w, const json_t *cmd, corral_module_t *m)
{
    Binding b = {NULL, 0, NULL, MOD_FAILED, NULL};
    if (m) {
        switch (instantiate(w, m, &b.inst)) {
        case INST_OK:
            b.state = MOD_LOADED;
            pass(w);
            break;
        case INST_UNLINKABLE:
            fail(w, "expected the module to link, got %s", w->msg);
            break;
        case INST_TRAPPED:
            fail(w, "expected the module to instantiate, got trap \"%s\"%s", w->msg, w->trap_at);
            break;
        }
    }
    w->current = b;
    w->have_current = true;
    bind_json_name(w, &w->names, cmd, "name", &b);
}

static void cmd_module(Wast *w, const json_t *cmd)
{
    corral_module_t *m;
    const char *name = str_field(cmd, "name");
    if (name)
        appendf(w->what, sizeof w->what, " %s", name);
    if (load_module(w, cmd, &m) != LOAD_OK) {
        fail(w, "expected the module to load, got %s", w->msg);
        m = NULL;
    }
    instance_command(w, cmd, m);
}

/* (module definition $M? ...): the module loads (and is kept under its name), no instance. */
static void cmd_module_definition(Wast *w, const json_t *cmd)
{
    Binding b = {NULL, 0, NULL, MOD_FAILED, NULL};
    const char *name = str_field(cmd, "name");
    if (name)
        appendf(w->what, sizeof w->what, " %s", name);
    if (load_module(w, cmd, &b.def) != LOAD_OK) {
        fail(w, "expected the module to load, got %s", w->msg);
        b.def = NULL;
    } else {
        pass(w);
    }
    bind_json_name(w, &w->defs, cmd, "name", &b);
}

/* (module instance $I? $M): an instance of definition $M, as a module command's. */
static void cmd_module_instance(Wast *w, const json_t *cmd)
{
    const json_t *of = json_object_get(cmd, "module");
    const Binding *d = json_is_string(of) ? lookup(&w->defs, json_string_value(of),
                                                   json_string_length(of))
                                          : NULL;
    if (json_is_string(of))
        appendf(w->what, sizeof w->what, " %s", json_string_value(of));
    if (!d)
        fail(w, "expected a module definition, got %s",
             json_is_string(of) ? "an unknown name" : "none");
    else if (!d->def)
        fail(w, "expected a module definition, got one that did not load");
    instance_command(w, cmd, d ? d->def : NULL);
}

/* Registering a known module passes, an unknown module name fails. A module that failed to
 * load registers too: the commands that import from it fail, each one counted. */
static void cmd_register(Wast *w, const json_t *cmd)
{
    const json_t *name = json_object_get(cmd, "name");
    const Binding *b = w->have_current ? &w->current : NULL;
    if (name)
        b = json_is_string(name)
                ? lookup(&w->names, json_string_value(name), json_string_length(name))
                : NULL;
    if (!b || !json_is_string(json_object_get(cmd, "as"))) {
        fail(w, "expected a module to register, got %s",
             b ? "no \"as\" name" : "an unknown module name");
        return;
    }
    Binding copy = *b; /* b may move when the array grows */
    const json_t *as = json_object_get(cmd, "as");
    if (bind(&w->registered, json_string_value(as), json_string_length(as), &copy))
        pass(w);
    else
        fail(w, "expected to record the name, got out of memory");
}

static void cmd_action(Wast *w, const json_t *cmd)
{
    Outcome out;
    run_action(w, json_object_get(cmd, "action"), &out);
    switch (out.kind) {
    case OUT_VALUES:
        pass(w);
        break;
    case OUT_SKIP:
        w->skipped++;
        break;
    case OUT_TRAP:
        fail(w, "expected no trap, got trap \"%s\"%s", w->msg, w->trap_at);
        break;
    case OUT_ERROR:
        fail(w, "expected to run the action, got %s", w->msg);
        break;
    }
    free(out.vals);
}

static bool results_match(const json_t *expected, const Outcome *out)
{
    if (json_array_size(expected) != out->nvals)
        return false;
    for (size_t i = 0; i < out->nvals; i++)
        if (!match_expected(json_array_get(expected, i), &out->vals[i]))
            return false;
    return true;
}

static void cmd_assert_return(Wast *w, const json_t *cmd)
{
    const json_t *expected = json_object_get(cmd, "expected");
    char want[MSG_SIZE], got[MSG_SIZE];
    Outcome out;
    run_action(w, json_object_get(cmd, "action"), &out);
    describe_expected(want, sizeof want, expected);
    switch (out.kind) {
    case OUT_VALUES:
        if (results_match(expected, &out)) {
            pass(w);
            break;
        }
        describe_vals(got, sizeof got, out.vals, out.nvals);
        fail(w, "expected %s, got %s", want, got);
        break;
    case OUT_SKIP:
        w->skipped++;
        break;
    case OUT_TRAP:
        fail(w, "expected %s, got trap \"%s\"%s", want, w->msg, w->trap_at);
        break;
    case OUT_ERROR:
        fail(w, "expected %s, got %s", want, w->msg);
        break;
    }
    free(out.vals);
}

/* assert_trap and assert_exhaustion: the action must trap with a message containing the
 * spec's text. */
static void cmd_assert_trap(Wast *w, const json_t *cmd)
{
    const char *text = str_field(cmd, "text");
    char got[MSG_SIZE];
    Outcome out;
    run_action(w, json_object_get(cmd, "action"), &out);
    text = text ? text : "";
    switch (out.kind) {
    case OUT_VALUES:
        describe_vals(got, sizeof got, out.vals, out.nvals);
        fail(w, "expected trap \"%s\", got %s", text, got);
        break;
    case OUT_SKIP:
        w->skipped++;
        break;
    case OUT_TRAP:
        if (strstr(w->msg, text))
            pass(w);
        else
            fail(w, "expected trap \"%s\", got trap \"%s\"%s", text, w->msg, w->trap_at);
        break;
    case OUT_ERROR:
        fail(w, "expected trap \"%s\", got %s", text, w->msg);
        break;
    }
    free(out.vals);
}

/* assert_exception: the action must throw an exception that nothing catches. */
static void cmd_assert_exception(Wast *w, const json_t *cmd)
{
    char got[MSG_SIZE];
    Outcome out;
    run_action(w, json_object_get(cmd, "action"), &out);
    switch (out.kind) {
    case OUT_VALUES:
        describe_vals(got, sizeof got, out.vals, out.nvals);
        fail(w, "expected an exception, got %s", got);
        break;
    case OUT_SKIP:
        w->skipped++;
        break;
    case OUT_TRAP:
        if (w->trap_exception)
            pass(w);
        else
            fail(w, "expected an exception, got trap \"%s\"%s", w->msg, w->trap_at);
        break;
    case OUT_ERROR:
        fail(w, "expected an exception, got %s", w->msg);
        break;
    }
    free(out.vals);
}

/* assert_invalid and assert_malformed: the engine must reject the module with a message
 * containing the spec's text. */
static void cmd_assert_invalid(Wast *w, const json_t *cmd)
{
    const char *text = str_field(cmd, "text");
    corral_module_t *m;
    text = text ? text : "";
    appendf(w->what, sizeof w->what, " %s",
            str_field(cmd, "filename") ? str_field(cmd, "filename") : "");
    switch (load_module(w, cmd, &m)) {
    case LOAD_OK:
        fail(w, "expected \"%s\", got a valid module", text);
        break;
    case LOAD_IO_ERROR:
        fail(w, "expected \"%s\", got %s", text, w->msg);
        break;
    case LOAD_REJECTED:
        if (strstr(w->msg, text))
            pass(w);
        else
            fail(w, "expected \"%s\", got \"%s\"", text, w->msg);
        break;
    }
}

/* assert_unlinkable (want INST_UNLINKABLE) and assert_uninstantiable (want INST_TRAPPED):
 * the module loads, and instantiating it fails in that way with the spec's text. */
static void check_instantiation(Wast *w, const json_t *cmd, InstStatus want)
{
    const char *text = str_field(cmd, "text");
    static const char *const outcome_names[] = {"an instance", "link error", "trap"};
    corral_module_t *m;
    corral_instance_t *inst;
    text = text ? text : "";
    appendf(w->what, sizeof w->what, " %s",
            str_field(cmd, "filename") ? str_field(cmd, "filename") : "");
    if (load_module(w, cmd, &m) != LOAD_OK) {
        fail(w, "expected %s \"%s\", got a module that does not load: %s", outcome_names[want],
             text, w->msg);
        return;
    }
    InstStatus got = instantiate(w, m, &inst);
    if (got == want && strstr(w->msg, text))
        pass(w);
    else if (got == INST_OK)
        fail(w, "expected %s \"%s\", got an instance", outcome_names[want], text);
    else
        fail(w, "expected %s \"%s\", got %s \"%s\"%s", outcome_names[want], text,
             outcome_names[got], w->msg, got == INST_TRAPPED ? w->trap_at : "");
}

static void cmd_assert_unlinkable(Wast *w, const json_t *cmd)
{
    check_instantiation(w, cmd, INST_UNLINKABLE);
}

static void cmd_assert_uninstantiable(Wast *w, const json_t *cmd)
{
    check_instantiation(w, cmd, INST_TRAPPED);
}

static const struct {
    const char *type;
    void (*run)(Wast *w, const json_t *cmd);
} command_table[] = {
    {"module", cmd_module},
    {"module_definition", cmd_module_definition},
    {"module_instance", cmd_module_instance},
    {"register", cmd_register},
    {"action", cmd_action},
    {"assert_return", cmd_assert_return},
    {"assert_trap", cmd_assert_trap},
    {"assert_exhaustion", cmd_assert_trap},
    {"assert_exception", cmd_assert_exception},
    {"assert_invalid", cmd_assert_invalid},
    {"assert_malformed", cmd_assert_invalid},
    {"assert_unlinkable", cmd_assert_unlinkable},
    {"assert_uninstantiable", cmd_assert_uninstantiable},
};

/* Text modules are for Corral's own text parser, which comes later: skipped and counted. A
 * skipped module command makes the commands that use it skip too. */
static void skip_text_module(Wast *w, const json_t *cmd, const char *type)
{
    w->skipped++;
    if (strcmp(type, "module") != 0)
        return;
    Binding b = {NULL, 0, NULL, MOD_SKIPPED, NULL};
    w->current = b;
    w->have_current = true;
    bind_json_name(w, &w->names, cmd, "name", &b);
}

static void run_command(Wast *w, const json_t *cmd)
{
    const char *type = str_field(cmd, "type");
    w->line = json_integer_value(json_object_get(cmd, "line"));
    snprintf(w->what, sizeof w->what, "%s", type ? type : "command");
    w->trap_at[0] = '\0';
    if (w->verbose)
        printf("%s:%lld: %s\n", w->script, w->line, w->what);
    if (!type) {
        fail(w, "expected a command with a \"type\", got none");
        return;
    }
    if (is_text_module(cmd)) {
        skip_text_module(w, cmd, type);
        return;
    }
    for (size_t i = 0; i < sizeof command_table / sizeof command_table[0]; i++)
        if (!strcmp(type, command_table[i].type)) {
            command_table[i].run(w, cmd);
            return;
        }
    fail(w, "expected a known command, got \"%s\"", type);
}

/* ---- the subcommand ---- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static char *dir_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t len = slash ? (size_t)(slash - path) : 1;
    char *dir = malloc(len + 1);
    if (!dir)
        return NULL;
    memcpy(dir, slash ? path : ".", len);
    dir[len] = '\0';
    if (slash == path) /* "/x.json" */
        strcpy(dir, "/");
    return dir;
}

static int run_script(Wast *w, const char *path, const json_t *root)
{
    const json_t *commands = json_object_get(root, "commands");
    const char *source = str_field(root, "source_filename");
    if (!json_is_array(commands)) {
        cli_error("%s: not a wast2json script (no \"commands\" array)", cli_display_name(path));
        return CLI_EXIT_FAIL;
    }
    w->script = base_name(source ? source : path);
    w->dir = dir_name(path);
    corral_config_t cfg;
    corral_config_default(&cfg);
    cfg.features = w->features;
    w->engine = corral_engine_new(&cfg);
    w->store = w->engine ? corral_store_new(w->engine) : NULL;
    if (!w->dir || !w->store || !spectest_init(w)) {
        cli_error("%s: cannot set up the engine and the spectest module", cli_display_name(path));
        return CLI_EXIT_FAIL;
    }
    for (size_t i = 0; i < json_array_size(commands); i++)
        run_command(w, json_array_get(commands, i));
    printf("%ld passed, %ld failed, %ld skipped\n", w->passed, w->failed, w->skipped);
    return w->failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static void wast_free(Wast *w)
{
    corral_store_delete(w->store); /* before the modules its instances borrow */
    for (size_t i = 0; i < w->nmodules; i++)
        corral_module_delete(w->modules[i]);
    free(w->modules);
    corral_engine_delete(w->engine);
    bindings_free(&w->names);
    bindings_free(&w->registered);
    bindings_free(&w->defs);
    free(w->dir);
    text_script_free(&w->text);
}

/* Reads and parses the script at path, a .wast (its commands kept in *text) or JSON; NULL
 * after reporting why not. A file that is neither (a .wasm) is named as such: jansson's
 * "'[' or '{' expected" would leave a user guessing. */
static json_t *load_script(const char *path, uint32_t features, TextScript *text_out)
{
    const char *name = cli_display_name(path);
    uint8_t *text;
    size_t len, i = 0;
    if (!cli_read_file(path, &text, &len))
        return NULL;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    if ((i == len || text[i] != '{') && cli_looks_like_text(text, len)) {
        json_t *root = wast_text_load(path, text, len, features, text_out);
        free(text);
        return root;
    }
    if (i == len || text[i] != '{') {
        cli_error("%s: neither a .wast script nor wast2json's JSON", name);
        free(text);
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb((const char *)text, len, JSON_ALLOW_NUL, &jerr);
    free(text);
    if (!root)
        cli_error("%s:%d:%d: %s", name, jerr.line, jerr.column, jerr.text);
    return root;
}

static int wast_main(int argc, char **argv)
{
    Wast w;
    const char *path = NULL;
    memset(&w, 0, sizeof w);
    cli_tier_defaults(&w.tier);
    w.tier.delay_ms = 100;
    w.tier.osr = true;
    w.features = CORRAL_FEATURES_3_0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool takes;
        char name[32];
        const char *eq = strchr(a, '=');
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
        if (cli_is_help(a)) {
            cli_print(usage);
            return CLI_EXIT_OK;
        } else if (cli_tier_is_option(name, &takes)) {
            const char *v = eq ? eq + 1 : NULL;
            if (takes && !v && i + 1 >= argc) {
                cli_error("wast: %s needs a value; see 'corral wast --help'", name);
                return CLI_EXIT_USAGE;
            }
            if (takes && !v)
                v = argv[++i];
            int r = cli_tier_option("wast", name, v, &w.tier);
            if (r < 0)
                return -r - 1;
        } else if (!strcmp(name, "--wasm-features")) {
            const char *v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
            if (!v) {
                cli_error("wast: --wasm-features needs a value; see 'corral wast --help'");
                return CLI_EXIT_USAGE;
            }
            if (!cli_parse_features("wast", v, &w.features))
                return CLI_EXIT_USAGE;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            w.verbose = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            w.quiet = true;
        } else if ((a[0] == '-' && a[1] != '\0') || path) { /* "-" is stdin, a script */
            cli_error("wast: %s '%s'; see 'corral wast --help'",
                      a[0] == '-' && a[1] != '\0' ? "unknown option" : "unexpected argument", a);
            return CLI_EXIT_USAGE;
        } else {
            path = a;
        }
    }
    if (!path) {
        cli_error("wast: no script given; usage: corral wast [-v | --quiet] FILE.wast|FILE.json");
        return CLI_EXIT_USAGE;
    }
    if (w.verbose && w.quiet) {
        cli_error("wast: -v and -q contradict each other; give one of them");
        return CLI_EXIT_USAGE;
    }
    json_t *root = load_script(path, w.features, &w.text);
    if (!root)
        return CLI_EXIT_FAIL;
    int status = run_script(&w, path, root); /* main's cli_finish flushes and checks stdout */
    wast_free(&w);
    json_decref(root);
    return status;
}

const CliCommand cli_cmd_wast = {
    .name = "wast",
    .summary = "Run a spec test script (.wast, or wast2json's JSON)",
    .usage = usage,
    .main = wast_main,
};
