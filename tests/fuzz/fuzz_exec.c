/* fuzz_exec.c: libFuzzer target for the interpreter. Loads every input like fuzz_module.c;
 * for a module without imports it then instantiates it and calls every exported function
 * whose params are all numeric (i32/i64/f32/f64/v128) with zero-filled arguments.
 * Termination: the store gets FUEL units of fuel before instantiation (the start function)
 * and again before each call, so loops and recursion stop with a "fuel exhausted" trap; the
 * call depth is small and memories are capped at one page, so one fuel unit (one Wasm
 * instruction) cannot cost more than a 64 KiB memory.fill or memory.copy. Imports are not
 * provided, so host calls are not fuzzed here. See tests/fuzz/README.md. */
#include "corral.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
    FUEL = 20000, /* per instantiation and per call: about as many Wasm instructions */
    MAX_DEPTH = 64,
    MAX_ARGS = 16,
    MAX_RESULTS = 16,
};

static bool numeric(corral_valkind_t k)
{
    return k == CORRAL_I32 || k == CORRAL_I64 || k == CORRAL_F32 || k == CORRAL_F64 ||
           k == CORRAL_V128;
}

static void call_export(corral_store_t *store, corral_instance_t *inst,
                        const corral_extern_desc_t *d)
{
    size_t np = corral_functype_param_count(d->functype);
    size_t nr = corral_functype_result_count(d->functype);
    if (np > MAX_ARGS || nr > MAX_RESULTS)
        return;
    corral_val_t args[MAX_ARGS], results[MAX_RESULTS];
    for (size_t i = 0; i < np; i++) {
        corral_valkind_t k = corral_functype_param(d->functype, i);
        if (!numeric(k))
            return;
        memset(&args[i], 0, sizeof args[i]);
        args[i].kind = k;
    }
    corral_extern_t ex;
    if (!corral_instance_export(inst, d->name, d->name_len, &ex) || ex.kind != CORRAL_EXTERN_FUNC)
        return;
    corral_store_set_fuel(store, FUEL);
    corral_trap_delete(corral_func_call(store, ex.of.func, args, np, results, nr));
}

static void run(corral_engine_t *engine, const corral_module_t *m)
{
    corral_store_t *store = corral_store_new(engine);
    if (!store)
        return;
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_store_set_fuel(store, FUEL);
    corral_error_t *err = corral_instance_new(store, m, NULL, 0, &inst, &trap);
    corral_error_delete(err);
    corral_trap_delete(trap);
    for (size_t i = 0; inst && i < corral_module_export_count(m); i++) {
        corral_extern_desc_t d;
        corral_module_export(m, i, &d);
        if (d.kind == CORRAL_EXTERN_FUNC)
            call_export(store, inst, &d);
    }
    corral_store_delete(store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    corral_config_t cfg;
    corral_config_default(&cfg);
    cfg.max_call_depth = MAX_DEPTH;
    cfg.max_memory_pages = 1;
    cfg.max_table_elems = 1000;
    corral_engine_t *engine = corral_engine_new(&cfg);
    if (!engine)
        return 0;
    corral_module_t *m = NULL;
    corral_error_t *err = corral_module_new(engine, data, size, &m);
    if (err) {
        corral_error_delete(err);
    } else {
        if (corral_module_import_count(m) == 0)
            run(engine, m);
        corral_module_delete(m);
    }
    corral_engine_delete(engine);
    return 0;
}
