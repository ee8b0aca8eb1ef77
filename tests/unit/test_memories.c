/* test_memories.c: an embedder's view of several memories (multi-memory): every memory of an
 * instance by index (corral_instance_memory), a host function's view of its caller's memories
 * (corral_caller_memory is the exported "memory", as WASI wants it, else memory 0;
 * corral_caller_memory_at any of them), several imported memories written by the guest, and
 * 64-bit memories (memory64) through the same accessors, and memory64's 64-bit tables.
 * Modules are written in the text format (src/text). */
#include "corral.h"
#include "text/text.h"
#include "unit.h"

#include <string.h>

static corral_module_t *module_from_text(corral_engine_t *engine, const char *wat)
{
    uint8_t *bytes;
    size_t len;
    TextError terr;
    if (text_module_encode(wat, strlen(wat), &bytes, &len, &terr)) {
        fprintf(stderr, "  text: %u:%u: %s\n", (unsigned)terr.line, (unsigned)terr.col, terr.msg);
        return NULL;
    }
    corral_module_t *m = NULL;
    corral_error_t *err = corral_module_new(engine, bytes, len, &m);
    if (err) {
        fprintf(stderr, "  module: %s\n", corral_error_message(err));
        corral_error_delete(err);
    }
    free(bytes);
    return m;
}

static corral_func_t *export_func(corral_instance_t *inst, const char *name)
{
    corral_extern_t ex;
    if (!corral_instance_export(inst, name, strlen(name), &ex) || ex.kind != CORRAL_EXTERN_FUNC)
        return NULL;
    return ex.of.func;
}

static int64_t call1(corral_store_t *s, corral_instance_t *inst, const char *name, int64_t arg,
                     corral_valkind_t kind)
{
    corral_func_t *f = export_func(inst, name);
    if (!f)
        return -1000;
    corral_val_t a = kind == CORRAL_I64 ? corral_val_i64(arg) : corral_val_i32((int32_t)arg);
    corral_val_t r = corral_val_i32(0);
    corral_trap_t *t = corral_func_call(s, f, &a, 1, &r, 1);
    if (t) { /* the tests expecting a trap check for -1001; its message is the spec's */
        bool oob = !strcmp(corral_trap_message(t), "out of bounds memory access");
        corral_trap_delete(t);
        return oob ? -1001 : -1002;
    }
    return r.kind == CORRAL_I64 ? r.of.i64 : r.of.i32;
}

/* The host function "env" "probe" (param i32) (result i32): what it saw of its caller. */
typedef struct Probe {
    corral_memory_t *caller, *at[3];
} Probe;

static corral_trap_t *probe(void *env, corral_caller_t *caller, const corral_val_t *args,
                            corral_val_t *results)
{
    Probe *p = env;
    p->caller = corral_caller_memory(caller);
    for (uint32_t i = 0; i < 3; i++)
        p->at[i] = corral_caller_memory_at(caller, i);
    uint8_t *data = p->caller ? corral_memory_data(p->caller) : NULL;
    results[0] = corral_val_i32(data ? data[args[0].of.i32] : -1);
    return NULL;
}

static corral_func_t *probe_func(corral_store_t *s, Probe *p)
{
    corral_valkind_t i32 = CORRAL_I32;
    corral_functype_t *t = corral_functype_new(&i32, 1, &i32, 1);
    corral_func_t *f = corral_func_new(s, t, probe, p, NULL);
    corral_functype_delete(t);
    return f;
}

/* Memory 1 is exported as "memory": the caller's memory is that one, not memory 0. */
static void test_caller_memory(corral_engine_t *engine)
{
    corral_module_t *m = module_from_text(engine,
        "(module"
        "  (import \"env\" \"probe\" (func $probe (param i32) (result i32)))"
        "  (memory $a 1)"
        "  (memory $b (export \"memory\") 2)"
        "  (data (memory $a) (i32.const 16) \"\\0a\")"
        "  (data (memory $b) (i32.const 16) \"\\0b\")"
        "  (func (export \"run\") (param i32) (result i32)"
        "    (i32.store8 $b (i32.const 17) (local.get 0))"
        "    (call $probe (i32.const 16))))");
    CHECK(m != NULL, "a module with two memories loads");
    if (!m)
        return;
    corral_store_t *s = corral_store_new(engine);
    Probe p = {0};
    corral_extern_t imp = {.kind = CORRAL_EXTERN_FUNC, .of.func = probe_func(s, &p)};
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *err = corral_instance_new(s, m, &imp, 1, &inst, &trap);
    CHECK(!err && !trap && inst, "instantiates");
    if (inst) {
        CHECK(corral_instance_memory_count(inst) == 2, "two memories");
        corral_memory_t *m0 = corral_instance_memory(inst, 0), *m1 = corral_instance_memory(inst, 1);
        CHECK(m0 && corral_memory_size(m0) == 65536, "memory 0 by index: 1 page");
        CHECK(m1 && corral_memory_size(m1) == 2 * 65536, "memory 1 by index: 2 pages");
        CHECK(corral_instance_memory(inst, 2) == NULL, "no memory 2");
        CHECK(m0 && corral_memory_data(m0)[16] == 0x0a && m1 && corral_memory_data(m1)[16] == 0x0b,
              "each data segment went to its memory");
        CHECK(call1(s, inst, "run", 0x42, CORRAL_I32) == 0x0b,
              "the host reads the exported \"memory\" (memory 1)");
        CHECK(p.caller == m1, "corral_caller_memory is the exported \"memory\"");
        CHECK(p.at[0] == m0 && p.at[1] == m1 && p.at[2] == NULL, "corral_caller_memory_at");
        CHECK(m1 && corral_memory_data(m1)[17] == 0x42, "the guest stored to memory 1");
        CHECK(m0 && corral_memory_data(m0)[17] == 0, "and not to memory 0");
        CHECK(m0 && !corral_memory_is64(m0), "a 32-bit memory");
    }
    corral_error_delete(err);
    corral_trap_delete(trap);
    corral_store_delete(s);
    corral_module_delete(m);
}

/* Without an export named "memory", the caller's memory is memory 0. */
static void test_caller_memory0(corral_engine_t *engine)
{
    corral_module_t *m = module_from_text(engine,
        "(module"
        "  (import \"env\" \"probe\" (func $probe (param i32) (result i32)))"
        "  (memory $a (export \"a\") 1)"
        "  (memory $b (export \"b\") 1)"
        "  (data (memory $a) (i32.const 0) \"\\07\")"
        "  (func (export \"run\") (param i32) (result i32) (call $probe (local.get 0))))");
    CHECK(m != NULL, "loads");
    if (!m)
        return;
    corral_store_t *s = corral_store_new(engine);
    Probe p = {0};
    corral_extern_t imp = {.kind = CORRAL_EXTERN_FUNC, .of.func = probe_func(s, &p)};
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *err = corral_instance_new(s, m, &imp, 1, &inst, &trap);
    CHECK(!err && !trap && inst, "instantiates");
    if (inst) {
        CHECK(call1(s, inst, "run", 0, CORRAL_I32) == 7, "the host reads memory 0");
        CHECK(p.caller == corral_instance_memory(inst, 0), "corral_caller_memory is memory 0");
    }
    corral_error_delete(err);
    corral_trap_delete(trap);
    corral_store_delete(s);
    corral_module_delete(m);
}

/* Two memories imported, each written by the guest; memory.copy between them, and
 * memory.grow of the second. */
static void test_imported(corral_engine_t *engine)
{
    corral_module_t *m = module_from_text(engine,
        "(module"
        "  (import \"env\" \"m0\" (memory $x 1))"
        "  (import \"env\" \"m1\" (memory $y 1 4))"
        "  (func (export \"run\") (param i32) (result i32)"
        "    (i32.store $x (i32.const 0) (local.get 0))"
        "    (memory.copy $y $x (i32.const 100) (i32.const 0) (i32.const 4))"
        "    (drop (memory.grow $y (i32.const 2)))"
        "    (i32.add (memory.size $y) (i32.load $y (i32.const 100)))))");
    CHECK(m != NULL, "loads");
    if (!m)
        return;
    corral_store_t *s = corral_store_new(engine);
    corral_memory_t *x = corral_memory_new(s, 1, -1), *y = corral_memory_new(s, 1, 4);
    corral_extern_t imps[2] = {{.kind = CORRAL_EXTERN_MEMORY, .of.memory = x},
                               {.kind = CORRAL_EXTERN_MEMORY, .of.memory = y}};
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *err = corral_instance_new(s, m, imps, 2, &inst, &trap);
    CHECK(!err && !trap && inst, "instantiates");
    if (inst) {
        CHECK(call1(s, inst, "run", 1000, CORRAL_I32) == 1003, "copied between memories, grown");
        CHECK(corral_memory_size(y) == 3 * 65536, "the second import grew");
        CHECK(corral_memory_data(y)[100] == (1000 & 0xff), "the copy landed in the import");
        CHECK(corral_instance_memory(inst, 1) == y, "memory 1 is the second import");
    }
    corral_error_delete(err);
    corral_trap_delete(trap);
    corral_store_delete(s);
    corral_module_delete(m);
}

/* A 64-bit memory: i64 addresses and offsets past 4 GiB checked explicitly, memory.grow and
 * memory.size in i64, imports matched by address type. */
static void test_memory64(corral_engine_t *engine)
{
    corral_module_t *m = module_from_text(engine,
        "(module"
        "  (import \"env\" \"m\" (memory $x i64 1))"
        "  (memory $y i64 1 3)"
        "  (data (memory $y) (i64.const 8) \"\\2a\")"
        "  (func (export \"load\") (param i64) (result i32) (i32.load8_u $y (local.get 0)))"
        "  (func (export \"far\") (param i64) (result i32)"
        "    (i32.load8_u $y offset=0x100000000 (local.get 0)))"
        "  (func (export \"grow\") (param i64) (result i64) (memory.grow $y (local.get 0)))"
        "  (func (export \"size\") (param i64) (result i64) (memory.size $y))"
        "  (func (export \"put\") (param i64) (result i32)"
        "    (i64.store $x (local.get 0) (i64.const 7)) (i32.const 0)))");
    CHECK(m != NULL, "a module with 64-bit memories loads");
    if (!m)
        return;
    corral_store_t *s = corral_store_new(engine);
    corral_memory_t *x = corral_memory_new64(s, 1, -1);
    corral_extern_t imp = {.kind = CORRAL_EXTERN_MEMORY, .of.memory = x};
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *err = corral_instance_new(s, m, &imp, 1, &inst, &trap);
    CHECK(!err && !trap && inst, "instantiates with a 64-bit memory imported");
    if (inst) {
        corral_memory_t *y = corral_instance_memory(inst, 1);
        CHECK(corral_memory_is64(x) && y && corral_memory_is64(y), "both are 64-bit");
        CHECK(call1(s, inst, "load", 8, CORRAL_I64) == 42, "an i64 address");
        CHECK(call1(s, inst, "load", 65535, CORRAL_I64) == 0, "the last byte");
        CHECK(call1(s, inst, "load", 65536, CORRAL_I64) == -1001, "one past the end traps");
        CHECK(call1(s, inst, "load", (int64_t)1 << 32, CORRAL_I64) == -1001,
              "an address past 4 GiB traps (explicit check, no guard region)");
        CHECK(call1(s, inst, "load", -1, CORRAL_I64) == -1001, "the largest address traps");
        CHECK(call1(s, inst, "far", 0, CORRAL_I64) == -1001, "an offset past 4 GiB traps");
        CHECK(call1(s, inst, "far", -1, CORRAL_I64) == -1001,
              "an address plus offset that wraps in 64 bits traps");
        CHECK(call1(s, inst, "grow", 1, CORRAL_I64) == 1, "memory.grow gives the old size");
        CHECK(call1(s, inst, "grow", 5, CORRAL_I64) == -1, "past the maximum: -1 as an i64");
        CHECK(call1(s, inst, "grow", (int64_t)1 << 40, CORRAL_I64) == -1, "a huge delta: -1");
        CHECK(call1(s, inst, "size", 0, CORRAL_I64) == 2, "memory.size");
        CHECK(call1(s, inst, "put", 65536 - 8, CORRAL_I64) == 0, "a store to the import");
        CHECK(call1(s, inst, "put", 65536 - 7, CORRAL_I64) == -1001, "one byte past traps");
        CHECK(corral_memory_data(x)[65536 - 8] == 7, "the store reached the import");
    }
    corral_error_delete(err);
    corral_trap_delete(trap);
    /* A 32-bit memory does not match a 64-bit memory's import. */
    corral_memory_t *narrow = corral_memory_new(s, 1, -1);
    imp.of.memory = narrow;
    err = corral_instance_new(s, m, &imp, 1, &inst, &trap);
    CHECK(err && strstr(corral_error_message(err), "incompatible import type"),
          "a 32-bit memory for a 64-bit import is incompatible");
    corral_error_delete(err);
    corral_store_delete(s);
    corral_module_delete(m);
}

/* A 64-bit table: i64 indices (past 2^32 out of bounds, not wrapped), table.grow and
 * table.size in i64, imports matched by address type. */
static void test_table64(corral_engine_t *engine)
{
    corral_module_t *m = module_from_text(engine,
        "(module"
        "  (import \"env\" \"t\" (table $t i64 2 funcref))"
        "  (type $r (func (result i32)))"
        "  (func $seven (result i32) (i32.const 7))"
        "  (elem (table $t) (i64.const 1) func $seven)"
        "  (func (export \"call\") (param i64) (result i32) (call_indirect $t (type $r) (local.get 0)))"
        "  (func (export \"grow\") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))"
        "  (func (export \"size\") (param i64) (result i64) (table.size $t))"
        "  (func (export \"null\") (param i64) (result i32) (ref.is_null (table.get $t (local.get 0)))))");
    CHECK(m != NULL, "a module with a 64-bit table loads");
    if (!m)
        return;
    corral_store_t *s = corral_store_new(engine);
    corral_val_t null_ref = {.kind = CORRAL_FUNCREF, .of.funcref = NULL};
    corral_table_t *t = corral_table_new64(s, CORRAL_FUNCREF, 2, -1, null_ref);
    corral_extern_t imp = {.kind = CORRAL_EXTERN_TABLE, .of.table = t};
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *err = corral_instance_new(s, m, &imp, 1, &inst, &trap);
    CHECK(!err && !trap && inst && t && corral_table_is64(t), "instantiates with a 64-bit table");
    if (inst) {
        CHECK(call1(s, inst, "call", 1, CORRAL_I64) == 7, "call_indirect with an i64 index");
        CHECK(call1(s, inst, "call", ((int64_t)1 << 32) + 1, CORRAL_I64) == -1002,
              "an index past 2^32 is out of bounds, not wrapped");
        CHECK(call1(s, inst, "null", 0, CORRAL_I64) == 1, "table.get with an i64 index");
        CHECK(call1(s, inst, "null", -1, CORRAL_I64) == -1002, "the largest index traps");
        CHECK(call1(s, inst, "grow", 3, CORRAL_I64) == 2, "table.grow gives the old size");
        CHECK(call1(s, inst, "grow", (int64_t)1 << 32, CORRAL_I64) == -1,
              "a delta past 2^32: -1 as an i64");
        CHECK(call1(s, inst, "size", 0, CORRAL_I64) == 5, "table.size");
    }
    corral_error_delete(err);
    corral_trap_delete(trap);
    /* A 32-bit table does not match a 64-bit table's import. */
    imp.of.table = corral_table_new(s, CORRAL_FUNCREF, 2, -1, null_ref);
    err = corral_instance_new(s, m, &imp, 1, &inst, &trap);
    CHECK(err && strstr(corral_error_message(err), "incompatible import type"),
          "a 32-bit table for a 64-bit import is incompatible");
    corral_error_delete(err);
    corral_store_delete(s);
    corral_module_delete(m);
}

int main(void)
{
    corral_engine_t *engine = corral_engine_new(NULL);
    test_caller_memory(engine);
    test_caller_memory0(engine);
    test_imported(engine);
    test_memory64(engine);
    test_table64(engine);
    corral_engine_delete(engine);
    return unit_report("test_memories");
}
