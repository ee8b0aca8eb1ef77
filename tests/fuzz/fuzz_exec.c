/* fuzz_exec.c: libFuzzer target for the interpreter. Loads every input like fuzz_module.c;
 * for a module without imports it then instantiates it and calls every exported function
 * whose params are all numeric (i32/i64/f32/f64) with zero-filled arguments.
 * LIMITATION: the engine has no fuel or instruction budget yet, so a guest could run
 * forever. Only `loop` jumps backwards, so code runs (start function included) only when
 * the code section is at most MAX_CODE_BYTES long and contains no 0x03 byte anywhere (0x03
 * is `loop`; rejecting it inside immediates too is the price of needing no decoder).
 * Recursion is the other way to burn time: the call depth is set so that (c + 1)^depth stays
 * under CALL_BUDGET, where c counts the 0x10/0x11 bytes (call, call_indirect) in the code
 * section. Memories are capped at one page so bulk operations stay cheap. Loops, deep
 * recursion and large memories are therefore NOT fuzzed here. See tests/fuzz/README.md. */
#include "corral.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
    MAX_CODE_BYTES = 512,
    CALL_BUDGET = 4096, /* upper bound on calls made by one export invocation */
    MAX_DEPTH = 32,
    MAX_ARGS = 16,
    MAX_RESULTS = 16,
};

/* Reads an unsigned LEB128 u32; returns bytes consumed, 0 on malformed or truncated input. */
static size_t read_u32(const uint8_t *p, size_t len, uint32_t *out)
{
    uint32_t v = 0;
    for (size_t i = 0; i < len && i < 5; i++) {
        v |= (uint32_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            *out = v;
            return i + 1;
        }
    }
    return 0;
}

/* Finds the code section (id 10). Returns false when the section list is malformed. An
 * absent code section gives *out_len 0. */
static bool find_code(const uint8_t *data, size_t size, const uint8_t **out, size_t *out_len)
{
    size_t pos = 8;
    *out = NULL;
    *out_len = 0;
    while (pos < size) {
        uint8_t id = data[pos++];
        uint32_t len;
        size_t n = read_u32(data + pos, size - pos, &len);
        if (n == 0 || len > size - pos - n)
            return false;
        pos += n;
        if (id == 10) {
            *out = data + pos;
            *out_len = len;
        }
        pos += len;
    }
    return true;
}

/* The call depth for a code section, or 0 when its code must not run (see the header). */
static uint32_t safe_depth(const uint8_t *data, size_t size)
{
    const uint8_t *code;
    size_t code_len;
    if (!find_code(data, size, &code, &code_len) || code_len > MAX_CODE_BYTES)
        return 0;
    uint64_t calls = 0;
    for (size_t i = 0; i < code_len; i++) {
        if (code[i] == 0x03)
            return 0;
        calls += code[i] == 0x10 || code[i] == 0x11;
    }
    uint32_t depth = 1;
    for (uint64_t total = calls + 1; depth < MAX_DEPTH && total * (calls + 1) <= CALL_BUDGET;
         total *= calls + 1)
        depth++;
    return depth;
}

static bool numeric(corral_valkind_t k)
{
    return k == CORRAL_I32 || k == CORRAL_I64 || k == CORRAL_F32 || k == CORRAL_F64;
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
        args[i] = (corral_val_t){.kind = k, .of.i64 = 0};
    }
    corral_extern_t ex;
    if (!corral_instance_export(inst, d->name, d->name_len, &ex) || ex.kind != CORRAL_EXTERN_FUNC)
        return;
    corral_trap_delete(corral_func_call(store, ex.of.func, args, np, results, nr));
}

static void run(corral_engine_t *engine, const corral_module_t *m)
{
    corral_store_t *store = corral_store_new(engine);
    if (!store)
        return;
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
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
    /* Loading is always safe, so every input goes through the load path; only running
     * (the start function included) depends on safe_depth(). */
    uint32_t depth = size >= 8 ? safe_depth(data, size) : 0;
    corral_config_t cfg;
    corral_config_default(&cfg);
    cfg.max_call_depth = depth ? depth : 1;
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
        if (depth > 0 && corral_module_import_count(m) == 0)
            run(engine, m);
        corral_module_delete(m);
    }
    corral_engine_delete(engine);
    return 0;
}
