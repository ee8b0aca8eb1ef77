/* test_reuse.c: corral_store_reset. A store reused for instance after instance must behave
 * exactly like a new store each time: memory zeroed and at its initial size (an access past
 * it traps even though a previous instance grew the same reservation), data segments, globals
 * and tables fresh, fuel and interrupt state cleared. */
#include "corral.h"
#include "unit.h"

#include <string.h>

static corral_engine_t *engine;
static corral_module_t *module;

static corral_instance_t *instantiate(corral_store_t *s)
{
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *err = corral_instance_new(s, module, NULL, 0, &inst, &trap);
    if (err)
        corral_error_delete(err);
    if (trap)
        corral_trap_delete(trap);
    return inst;
}

/* Calls export name (no params); returns the trap message or NULL, the i32 result in *out. */
static const char *call(corral_store_t *s, corral_instance_t *inst, const char *name, int32_t *out)
{
    static char msg[256];
    corral_extern_t ex;
    if (!corral_instance_export(inst, name, strlen(name), &ex))
        return "no such export";
    corral_val_t res[1];
    size_t nres = corral_functype_result_count(corral_func_type(ex.of.func));
    corral_trap_t *t = corral_func_call(s, ex.of.func, NULL, 0, res, nres);
    if (t) {
        snprintf(msg, sizeof msg, "%s", corral_trap_message(t));
        corral_trap_delete(t);
        return msg;
    }
    if (nres && out)
        *out = res[0].of.i32;
    return NULL;
}

static void check_fresh(corral_store_t *s, corral_instance_t *inst, int round)
{
    int32_t v = -1;
    char what[96];
    snprintf(what, sizeof what, "round %d: memory zero, 1 page, global 7", round);
    CHECK(call(s, inst, "inspect", &v) == NULL && v == 1000 + 7000000, what);
    snprintf(what, sizeof what, "round %d: data segment applied", round);
    CHECK(call(s, inst, "data_byte", &v) == NULL && v == 42, what);
    snprintf(what, sizeof what, "round %d: table of 4, slot 1 null", round);
    CHECK(call(s, inst, "table_state", &v) == NULL && v == 41, what);
    const char *m = call(s, inst, "past_first_page", &v);
    snprintf(what, sizeof what, "round %d: access past the initial size traps", round);
    CHECK(m && strstr(m, "out of bounds memory access"), what);
}

int main(void)
{
    size_t len;
    uint8_t *wasm = read_file("build/tests/wasm/reuse.wasm", &len);
    CHECK(wasm != NULL, "fixture build/tests/wasm/reuse.wasm");
    if (!wasm)
        return unit_report("test_reuse");
    engine = corral_engine_new(NULL);
    corral_error_t *err = corral_module_new(engine, wasm, len, &module);
    CHECK(err == NULL, "module compiles");
    corral_store_t *s = corral_store_new(engine);
    for (int round = 0; round < 50; round++) {
        corral_instance_t *inst = instantiate(s);
        CHECK(inst != NULL, "instantiates in a reused store");
        if (!inst)
            break;
        check_fresh(s, inst, round);
        CHECK(call(s, inst, "dirty", NULL) == NULL, "dirty runs");
        int32_t v = 0;
        CHECK(call(s, inst, "inspect", &v) == NULL && v != 1000 + 7000000, "dirty changed state");
        if (round % 10 == 3) { /* leave limits set: reset must clear them */
            corral_store_set_fuel(s, 5);
            corral_store_interrupt(s, CORRAL_INTERRUPT_CANCEL);
        }
        corral_store_reset(s);
        CHECK(corral_store_fuel(s) == CORRAL_FUEL_UNLIMITED, "fuel unlimited after reset");
    }
    /* Two instances at once in one store, after resets: independent memories. */
    corral_instance_t *a = instantiate(s), *b = instantiate(s);
    CHECK(a && b, "two instances in a reused store");
    if (a && b) {
        CHECK(call(s, a, "dirty", NULL) == NULL, "a dirties");
        check_fresh(s, b, 100);
    }
    corral_store_delete(s);
    corral_module_delete(module);
    corral_engine_delete(engine);
    free(wasm);
    return unit_report("test_reuse");
}
