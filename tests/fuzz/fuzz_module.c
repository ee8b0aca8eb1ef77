/* fuzz_module.c: libFuzzer target over the whole load path (decode, validate, lower), the
 * function names of the name section (parsed on first lookup) and, for modules that load,
 * instantiation with no imports (the start function runs under a fuel budget, so a hostile
 * module cannot hang the fuzzer).
 * How to build and run it with libFuzzer: tests/fuzz/README.md. `make test` replays the
 * stored corpus in tests/fuzz/corpus through replay.c instead. */
#include "corral.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void call_exports(corral_store_t *store, const corral_module_t *m, corral_instance_t *inst)
{
    for (size_t i = 0; i < corral_module_export_count(m); i++) {
        corral_extern_desc_t d;
        corral_module_export(m, i, &d);
        if (d.kind != CORRAL_EXTERN_FUNC || corral_functype_param_count(d.functype) != 0 ||
            corral_functype_result_count(d.functype) > 8)
            continue;
        corral_extern_t ex;
        if (!corral_instance_export(inst, d.name, d.name_len, &ex))
            continue;
        corral_val_t results[8];
        corral_trap_t *trap = corral_func_call(store, ex.of.func, NULL, 0, results,
                                               corral_functype_result_count(d.functype));
        corral_trap_delete(trap);
    }
}

/* Looks up the names of the first functions and reads every byte of them, so a name that
 * points outside the module shows under ASan. */
static void read_names(const corral_module_t *m)
{
    unsigned sum = 0;
    for (uint32_t f = 0; f < 1024; f++) {
        const char *name;
        size_t len;
        if (corral_module_func_name(m, f, &name, &len))
            for (size_t i = 0; i < len; i++)
                sum += (unsigned char)name[i];
    }
    volatile unsigned sink = sum;
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    corral_config_t cfg;
    corral_config_default(&cfg);
    cfg.max_call_depth = 200;
    cfg.max_memory_pages = 16;
    cfg.max_table_elems = 1000;
    corral_engine_t *engine = corral_engine_new(&cfg);
    corral_module_t *m = NULL;
    corral_error_t *err = corral_module_new(engine, data, size, &m);
    if (err) {
        corral_error_delete(err);
        corral_engine_delete(engine);
        return 0;
    }
    read_names(m);
    if (corral_module_import_count(m) == 0) {
        corral_store_t *store = corral_store_new(engine);
        corral_instance_t *inst = NULL;
        corral_trap_t *trap = NULL;
        /* Fuel bounds the start function, which could otherwise loop forever. */
        corral_store_set_fuel(store, 100000);
        err = corral_instance_new(store, m, NULL, 0, &inst, &trap);
        if (trap && corral_trap_frame_count(trap) > 0 && !corral_trap_frame_in_module(trap, 0, m))
            __builtin_trap(); /* the start function's frame is this module's */
        corral_error_delete(err);
        corral_trap_delete(trap);
        /* Calling exports is fuzz_exec.c's job (with fuel per call); off here. */
        (void)call_exports;
        corral_store_delete(store);
    }
    corral_module_delete(m);
    corral_engine_delete(engine);
    return 0;
}
