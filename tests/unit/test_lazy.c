/* test_lazy.c: lazy lowering (lower.h): a function is lowered on its first call, by whatever
 * path reaches it (a host call, call, call_indirect, a call into another instance), with the
 * same results, traps, backtraces and fuel as once it is lowered; and several threads calling
 * a shared module for the first time at once all get correct results. Reads
 * build/tests/wasm/lazy.wasm and lazy_user.wasm. */
#include "corral.h"
#include "unit.h"

#include <pthread.h>
#include <string.h>

static uint8_t *lazy_wasm, *user_wasm;
static size_t lazy_len, user_len;

typedef struct Inst {
    corral_store_t *store;
    corral_instance_t *inst;
} Inst;

static int inst_open(Inst *in, corral_engine_t *engine, corral_module_t *m)
{
    in->store = corral_store_new(engine);
    corral_trap_t *trap = NULL;
    corral_error_t *err = corral_instance_new(in->store, m, NULL, 0, &in->inst, &trap);
    int bad = err || trap;
    corral_error_delete(err);
    corral_trap_delete(trap);
    return bad ? -1 : 0;
}

static corral_func_t *export_func(corral_instance_t *inst, const char *name)
{
    corral_extern_t ex;
    if (!corral_instance_export(inst, name, strlen(name), &ex) || ex.kind != CORRAL_EXTERN_FUNC)
        return NULL;
    return ex.of.func;
}

/* Calls name(arg) -> i32; returns the trap (owned) or NULL with the result in *out. */
static corral_trap_t *call(corral_store_t *s, corral_instance_t *inst, const char *name,
                           int32_t arg, int32_t *out)
{
    corral_func_t *f = export_func(inst, name);
    if (!f)
        return corral_trap_new("no such export");
    corral_val_t a = corral_val_i32(arg), r = corral_val_i32(0);
    corral_trap_t *t = corral_func_call(s, f, &a, 1, &r, 1);
    *out = r.of.i32;
    return t;
}

static int32_t call_ok(corral_store_t *s, corral_instance_t *inst, const char *name, int32_t arg)
{
    int32_t r = -1;
    corral_trap_t *t = call(s, inst, name, arg, &r);
    CHECK(t == NULL, name);
    if (t)
        fprintf(stderr, "  %s: %s\n", name, corral_trap_message(t));
    corral_trap_delete(t);
    return r;
}

/* What chain(n) computes, natively. */
static int32_t chain_native(int32_t n)
{
    int32_t acc = 0;
    for (int32_t i = 0; i < n; i++)
        acc += (((i + 1) * 2) - 3) ^ 5;
    return acc;
}

static void test_first_calls(corral_engine_t *engine, corral_module_t *m)
{
    Inst in;
    CHECK(inst_open(&in, engine, m) == 0, "instantiate");
    CHECK(call_ok(in.store, in.inst, "indirect", 7) == 21, "first call through call_indirect");
    CHECK(call_ok(in.store, in.inst, "indirect", 8) == 24, "second call through call_indirect");
    CHECK(call_ok(in.store, in.inst, "twice", 21) == 42, "first call from the host");
    CHECK(call_ok(in.store, in.inst, "chain", 100) == chain_native(100), "chain of first calls");
    CHECK(call_ok(in.store, in.inst, "deep", 500) == 500, "recursion on a first call");

    /* A second instance of the same module in the same store gets the lowered code. */
    Inst in2 = {in.store, NULL};
    corral_trap_t *trap = NULL;
    corral_error_t *err = corral_instance_new(in.store, m, NULL, 0, &in2.inst, &trap);
    CHECK(!err && !trap, "second instance");
    corral_error_delete(err);
    corral_trap_delete(trap);
    if (in2.inst)
        CHECK(call_ok(in.store, in2.inst, "chain", 50) == chain_native(50), "second instance");
    corral_store_delete(in.store);
}

/* The first call across instances: the importer's call reaches the exporter's stub. */
static void test_cross_instance(corral_engine_t *engine, corral_module_t *m)
{
    corral_module_t *user = NULL;
    corral_error_t *err = corral_module_new(engine, user_wasm, user_len, &user);
    CHECK(err == NULL, "load lazy_user.wasm");
    corral_error_delete(err);
    if (!user)
        return;
    Inst in;
    CHECK(inst_open(&in, engine, m) == 0, "instantiate the exporter");
    corral_extern_t imp = {.kind = CORRAL_EXTERN_FUNC, .of.func = export_func(in.inst, "twice")};
    corral_instance_t *ui = NULL;
    corral_trap_t *trap = NULL;
    err = corral_instance_new(in.store, user, &imp, 1, &ui, &trap);
    CHECK(!err && !trap && ui, "instantiate the importer");
    corral_error_delete(err);
    corral_trap_delete(trap);
    if (ui)
        CHECK(call_ok(in.store, ui, "quad", 5) == 20, "first call into another instance");
    corral_store_delete(in.store);
    corral_module_delete(user);
}

/* The same trap and backtrace on the call that lowers the functions and on a later one. */
static void test_backtraces(corral_engine_t *engine, corral_module_t *m)
{
    Inst in;
    CHECK(inst_open(&in, engine, m) == 0, "instantiate");
    uint32_t f[2][4];
    size_t off[2][4], n[2];
    for (int k = 0; k < 2; k++) {
        int32_t r;
        corral_trap_t *t = call(in.store, in.inst, "trap", 1, &r);
        CHECK(t && strstr(corral_trap_message(t), "integer divide by zero"), "trap message");
        n[k] = t ? corral_trap_frame_count(t) : 0;
        for (size_t i = 0; i < n[k] && i < 4; i++)
            corral_trap_frame(t, i, &f[k][i], &off[k][i]);
        corral_trap_delete(t);
    }
    CHECK(n[0] == 3 && n[1] == 3, "three frames");
    bool same = n[0] == n[1];
    for (size_t i = 0; same && i < n[0] && i < 4; i++)
        same = f[0][i] == f[1][i] && off[0][i] == off[1][i];
    CHECK(same, "backtrace of the lowering call equals a later one");
    CHECK(n[0] == 3 && f[0][0] == 2 && f[0][1] == 3 && f[0][2] == 4 && off[0][0] != 0,
          "frames: $trapper, $mid, the export");
    int32_t r;
    corral_trap_t *t = call(in.store, in.inst, "trap", 0, &r);
    CHECK(t && strstr(corral_trap_message(t), "unreachable"), "other trap in the same function");
    corral_trap_delete(t);
    t = call(in.store, in.inst, "deep", 1000000, &r);
    CHECK(t && strstr(corral_trap_message(t), "call stack exhausted"), "depth limit");
    corral_trap_delete(t);
    corral_store_delete(in.store);
}

/* Fuel: a first call (lowering on the way) costs exactly what a later call costs. */
static void test_fuel(corral_engine_t *engine, corral_module_t *m)
{
    uint64_t used[2];
    Inst in;
    CHECK(inst_open(&in, engine, m) == 0, "instantiate");
    for (int k = 0; k < 2; k++) {
        corral_store_set_fuel(in.store, 1000000);
        CHECK(call_ok(in.store, in.inst, "chain", 20) == chain_native(20), "chain under fuel");
        used[k] = 1000000 - corral_store_fuel(in.store);
    }
    CHECK(used[0] == used[1] && used[0] > 20, "the lowering call costs the same fuel");
    corral_store_delete(in.store);
}

/* Threads racing to lower the same functions of one shared module. */
typedef struct Racer {
    corral_engine_t *engine;
    corral_module_t *module;
    pthread_barrier_t *start;
    int ok;
} Racer;

static void *race(void *arg)
{
    Racer *r = arg;
    Inst in;
    if (inst_open(&in, r->engine, r->module) != 0)
        return NULL;
    pthread_barrier_wait(r->start);
    int32_t got = -1;
    corral_trap_t *t = call(in.store, in.inst, "chain", 300, &got);
    int32_t got2 = -1;
    corral_trap_t *t2 = call(in.store, in.inst, "indirect", 11, &got2);
    r->ok = !t && !t2 && got == chain_native(300) && got2 == 33;
    corral_trap_delete(t);
    corral_trap_delete(t2);
    corral_store_delete(in.store);
    return NULL;
}

static void test_threads(corral_engine_t *engine)
{
    enum { NTHREADS = 8, ROUNDS = 40 };
    int good = 0;
    for (int round = 0; round < ROUNDS; round++) {
        corral_module_t *m = NULL; /* a fresh module: nothing lowered yet */
        corral_error_t *err = corral_module_new(engine, lazy_wasm, lazy_len, &m);
        corral_error_delete(err);
        if (!m)
            continue;
        pthread_barrier_t start;
        pthread_barrier_init(&start, NULL, NTHREADS);
        pthread_t th[NTHREADS];
        Racer rs[NTHREADS];
        for (int i = 0; i < NTHREADS; i++) {
            rs[i] = (Racer){engine, m, &start, 0};
            pthread_create(&th[i], NULL, race, &rs[i]);
        }
        int all = 1;
        for (int i = 0; i < NTHREADS; i++) {
            pthread_join(th[i], NULL);
            all &= rs[i].ok;
        }
        pthread_barrier_destroy(&start);
        corral_module_delete(m);
        good += all;
    }
    CHECK(good == ROUNDS, "8 threads x 40 fresh modules: every first call correct");
}

int main(void)
{
    lazy_wasm = read_file("build/tests/wasm/lazy.wasm", &lazy_len);
    user_wasm = read_file("build/tests/wasm/lazy_user.wasm", &user_len);
    if (!lazy_wasm || !user_wasm) {
        fprintf(stderr, "test_lazy: cannot read build/tests/wasm/lazy*.wasm\n");
        return 1;
    }
    corral_engine_t *engine = corral_engine_new(NULL);
    corral_module_t *m = NULL;
    corral_error_t *err = corral_module_new(engine, lazy_wasm, lazy_len, &m);
    CHECK(err == NULL, "load lazy.wasm");
    corral_error_delete(err);
    if (m) {
        test_first_calls(engine, m);
        corral_module_delete(m);
        m = NULL;
        err = corral_module_new(engine, lazy_wasm, lazy_len, &m);
        corral_error_delete(err);
        test_cross_instance(engine, m);
        corral_module_delete(m);
        err = corral_module_new(engine, lazy_wasm, lazy_len, &m);
        corral_error_delete(err);
        test_backtraces(engine, m);
        corral_module_delete(m);
        err = corral_module_new(engine, lazy_wasm, lazy_len, &m);
        corral_error_delete(err);
        test_fuel(engine, m);
        corral_module_delete(m);
    }
    test_threads(engine);
    corral_engine_delete(engine);
    free(lazy_wasm);
    free(user_wasm);
    return unit_report("test_lazy");
}
