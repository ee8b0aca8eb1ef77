/* test_limits.c: resource limits through the public API: call depth ("call stack exhausted"
 * without native stack overflow, at a configured depth), memory.grow against the declared
 * maximum and an engine cap, table.grow against a cap, and huge declared counts refused
 * before allocating. Reads build/tests/wasm/limits.wasm (made by wat2wasm). */
#include "corral.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Env {
    corral_engine_t *engine;
    corral_module_t *module;
    corral_store_t *store;
    corral_instance_t *inst;
} Env;

static int env_open(Env *e, const corral_config_t *cfg, const uint8_t *wasm, size_t len)
{
    memset(e, 0, sizeof *e);
    e->engine = corral_engine_new(cfg);
    corral_error_t *err = corral_module_new(e->engine, wasm, len, &e->module);
    if (err) {
        fprintf(stderr, "load: %s\n", corral_error_message(err));
        corral_error_delete(err);
        return -1;
    }
    e->store = corral_store_new(e->engine);
    corral_trap_t *trap = NULL;
    err = corral_instance_new(e->store, e->module, NULL, 0, &e->inst, &trap);
    if (err || trap) {
        corral_error_delete(err);
        corral_trap_delete(trap);
        return -1;
    }
    return 0;
}

static void env_close(Env *e)
{
    corral_store_delete(e->store);
    corral_module_delete(e->module);
    corral_engine_delete(e->engine);
}

/* Calls export name(i32) -> i32; returns the trap message or NULL, result in *out. */
static const char *call1(Env *e, const char *name, int32_t arg, int32_t *out)
{
    static char msg[256];
    corral_extern_t ex;
    if (!corral_instance_export(e->inst, name, strlen(name), &ex))
        return "no such export";
    corral_val_t a = corral_val_i32(arg), r;
    size_t nargs = corral_functype_param_count(corral_func_type(ex.of.func));
    corral_trap_t *trap = corral_func_call(e->store, ex.of.func, &a, nargs, &r, 1);
    if (!trap) {
        *out = r.of.i32;
        return NULL;
    }
    snprintf(msg, sizeof msg, "%s", corral_trap_message(trap));
    corral_trap_delete(trap);
    return msg;
}

static void test_call_depth(const uint8_t *wasm, size_t len)
{
    corral_config_t cfg;
    corral_config_default(&cfg);
    cfg.max_call_depth = 1000;
    Env e;
    CHECK(env_open(&e, &cfg, wasm, len) == 0, "instantiate limits.wasm");
    int32_t r = -1;
    const char *t = call1(&e, "down", 900, &r);
    CHECK(t == NULL && r == 900, "recursion below the depth limit completes");
    t = call1(&e, "down", 5000, &r);
    CHECK(t && strstr(t, "call stack exhausted"), "recursion past the depth limit traps");
    t = call1(&e, "forever", 1, &r);
    CHECK(t && strstr(t, "call stack exhausted"), "unbounded recursion traps");
    t = call1(&e, "down", 10, &r);
    CHECK(t == NULL && r == 10, "the store is usable after exhaustion");
    env_close(&e);

    /* A huge depth with a small value stack: the stack bound must hold too. */
    corral_config_default(&cfg);
    cfg.max_call_depth = 100000000;
    cfg.max_stack_bytes = 64 * 1024;
    CHECK(env_open(&e, &cfg, wasm, len) == 0, "instantiate with a small stack");
    t = call1(&e, "forever", 1, &r);
    CHECK(t && strstr(t, "call stack exhausted"), "value-stack bound traps, no crash");
    env_close(&e);
}

static void test_memory_grow(const uint8_t *wasm, size_t len)
{
    corral_config_t cfg;
    corral_config_default(&cfg);
    Env e;
    CHECK(env_open(&e, &cfg, wasm, len) == 0, "instantiate");
    int32_t r;
    CHECK(!call1(&e, "grow", 3, &r) && r == 1, "grow within the declared max");
    CHECK(!call1(&e, "grow", 5, &r) && r == -1, "grow past the declared max returns -1");
    CHECK(!call1(&e, "grow", 4, &r) && r == 4, "grow up to the declared max");
    CHECK(!call1(&e, "grow", 0x10000, &r) && r == -1, "grow by 65536 pages returns -1");
    CHECK(!call1(&e, "grow", -1, &r) && r == -1, "grow by 0xffffffff pages returns -1");
    env_close(&e);

    cfg.max_memory_pages = 2;
    CHECK(env_open(&e, &cfg, wasm, len) == 0, "instantiate with a 2-page cap");
    CHECK(!call1(&e, "grow", 1, &r) && r == 1, "grow within the cap");
    CHECK(!call1(&e, "grow", 1, &r) && r == -1, "grow past the engine cap returns -1");
    CHECK(!call1(&e, "size", 0, &r) && r == 2, "size unchanged after a refused grow");
    env_close(&e);

    cfg.max_table_elems = 4;
    CHECK(env_open(&e, &cfg, wasm, len) == 0, "instantiate with a 4-element table cap");
    CHECK(!call1(&e, "table_grow", 3, &r) && r == 1, "table.grow within the cap");
    CHECK(!call1(&e, "table_grow", 1, &r) && r == -1, "table.grow past the cap returns -1");
    env_close(&e);
}

/* A table whose minimum (5) is past the engine's cap (4): the module loads (it is valid, and
 * a module definition may never be instantiated), its instantiation is refused. */
static void test_table_cap(void)
{
    static const uint8_t wasm[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                                   0x04, 0x04, 0x01, 0x70, 0x00, 0x05}; /* (table 5 funcref) */
    corral_config_t cfg;
    corral_config_default(&cfg);
    cfg.max_table_elems = 4;
    corral_engine_t *engine = corral_engine_new(&cfg);
    corral_module_t *module = NULL;
    corral_error_t *err = corral_module_new(engine, wasm, sizeof wasm, &module);
    CHECK(err == NULL, "a table past the cap loads");
    corral_error_delete(err);
    if (module) {
        corral_store_t *store = corral_store_new(engine);
        corral_instance_t *inst = NULL;
        corral_trap_t *trap = NULL;
        err = corral_instance_new(store, module, NULL, 0, &inst, &trap);
        CHECK(err && strstr(corral_error_message(err), "table of 5 elements exceeds the limit of 4"),
              "its instantiation is refused with the cap named");
        corral_error_delete(err);
        corral_trap_delete(trap);
        corral_store_delete(store);
        corral_module_delete(module);
    }
    corral_engine_delete(engine);
}

/* A module whose only function declares 0x0fffffff locals: refused at load, no allocation. */
static const uint8_t many_locals[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,       /* header */
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                   /* type () -> () */
    0x03, 0x02, 0x01, 0x00,                               /* one function */
    0x0a, 0x0a, 0x01, 0x08, 0x01, 0xff, 0xff, 0xff, 0x7f, 0x7f, 0x01, 0x0b, /* code */
};

/* A function section claiming 0x7fffffff functions in 5 bytes. */
static const uint8_t many_funcs[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
    0x03, 0x05, 0xff, 0xff, 0xff, 0xff, 0x07,
};

/* A table with a minimum of 0xffffffff elements: refused at instantiation, not allocated. */
static const uint8_t huge_table[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x04, 0x08, 0x01, 0x70, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f,
};

static void test_huge_counts(void)
{
    corral_engine_t *engine = corral_engine_new(NULL);
    corral_module_t *m = NULL;
    corral_error_t *err = corral_module_new(engine, many_locals, sizeof many_locals, &m);
    CHECK(err && strstr(corral_error_message(err), "too many locals"), "huge local count");
    corral_error_delete(err);
    err = corral_module_new(engine, many_funcs, sizeof many_funcs, &m);
    CHECK(err != NULL, "huge function count refused");
    corral_error_delete(err);
    err = corral_module_new(engine, huge_table, sizeof huge_table, &m);
    if (!err) {
        corral_store_t *store = corral_store_new(engine);
        corral_instance_t *inst = NULL;
        corral_trap_t *trap = NULL;
        err = corral_instance_new(store, m, NULL, 0, &inst, &trap);
        CHECK(err != NULL && inst == NULL, "huge table refused at instantiation");
        corral_trap_delete(trap);
        corral_store_delete(store);
        corral_module_delete(m);
    } else {
        CHECK(1, "huge table refused at load");
    }
    corral_error_delete(err);
    corral_engine_delete(engine);
}

/* A function with `nlocals` i32 locals whose body pushes `depth` constants (then drops them):
 * its interpreter frame needs nlocals + depth cells. */
static uint8_t *frame_module(uint32_t nlocals, uint32_t depth, size_t *out_len)
{
    size_t body = 1 + 5 + 1 + (size_t)depth * 3 + 1; /* decls, consts and drops, end */
    uint8_t *b = malloc(body + 64), *p = b;
    static const uint8_t head[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                                   0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00};
    memcpy(p, head, sizeof head);
    p += sizeof head;
    *p++ = 0x0a;
    uint32_t sizes[2] = {(uint32_t)body + 5 + 1, (uint32_t)body}; /* section, then body */
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 4; i++) /* 5-byte LEB128s */
            *p++ = (uint8_t)(0x80 | ((sizes[k] >> (7 * i)) & 0x7f));
        *p++ = (uint8_t)(sizes[k] >> 28);
        if (k == 0)
            *p++ = 1; /* one body */
    }
    *p++ = 1; /* one declaration: nlocals i32 */
    for (int i = 0; i < 4; i++)
        *p++ = (uint8_t)(0x80 | ((nlocals >> (7 * i)) & 0x7f));
    *p++ = (uint8_t)(nlocals >> 28);
    *p++ = 0x7f;
    for (uint32_t i = 0; i < depth; i++) {
        *p++ = 0x41; /* i32.const 0 */
        *p++ = 0x00;
    }
    for (uint32_t i = 0; i < depth; i++)
        *p++ = 0x1a; /* drop */
    *p++ = 0x0b;
    *out_len = (size_t)(p - b);
    return b;
}

/* The interpreter's frame (locals + operand stack) has a fixed maximum: a body needing more is
 * refused at load, by validation, even though functions are lowered only when first called. */
static void test_frame_limit(void)
{
    corral_config_t cfg;
    corral_config_default(&cfg);
    cfg.max_locals = 1u << 25;
    corral_engine_t *engine = corral_engine_new(&cfg);
    struct {
        uint32_t nlocals, depth;
        bool ok;
        const char *what;
    } cases[] = {
        {(1u << 24) - 1000, 100, true, "frame just under the limit loads"},
        {(1u << 24) - 1000, 2000, false, "operand stack past the frame limit is refused"},
        {1u << 24, 0, false, "locals past the frame limit are refused"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len;
        uint8_t *wasm = frame_module(cases[i].nlocals, cases[i].depth, &len);
        corral_module_t *m = NULL;
        corral_error_t *err = corral_module_new(engine, wasm, len, &m);
        if (cases[i].ok)
            CHECK(err == NULL, cases[i].what);
        else
            CHECK(err && strstr(corral_error_message(err), "function frame too large"),
                  cases[i].what);
        if (err && cases[i].ok)
            fprintf(stderr, "  (%s: %s)\n", cases[i].what, corral_error_message(err));
        corral_error_delete(err);
        corral_module_delete(m);
        free(wasm);
    }
    corral_engine_delete(engine);
}

int main(void)
{
    size_t len = 0;
    uint8_t *wasm = read_file("build/tests/wasm/limits.wasm", &len);
    if (!wasm) {
        fprintf(stderr, "test_limits: cannot read build/tests/wasm/limits.wasm\n");
        return 1;
    }
    test_call_depth(wasm, len);
    test_memory_grow(wasm, len);
    test_table_cap();
    test_huge_counts();
    test_frame_limit();
    free(wasm);
    return unit_report("test_limits");
}
