/* test_interrupt.c: fuel, interrupts and exit traps through the public API. Fuel: exhaustion
 * in an infinite loop and in infinite recursion stops at the same place with the same fuel
 * left on every run; finite code leaves exactly the documented amount (each back-edge form
 * of the lowering, nested loops, host calls). Interrupts: from another thread, before a call,
 * before a start function, inside a bulk fill, on re-entry from a host; clearing them. Exit
 * traps: the status survives Wasm frames. Reads build/tests/wasm/interrupt*.wasm. Timing is
 * never asserted; an alarm turns a hang (an interrupt that is never seen) into a failure. */
#include "corral.h"
#include "unit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the instance and its host functions ---------------------------------------------- */

typedef struct Env {
    corral_engine_t *engine;
    corral_module_t *module;
    corral_store_t *store;
    corral_instance_t *inst;
    uint64_t probed;     /* corral_store_fuel() seen by the "probe" host function */
    int32_t reentered;   /* result of the re-entry, or -1 when it trapped */
    char reenter_msg[128];
} Env;

static corral_trap_t *host_exit(void *env, corral_caller_t *caller, const corral_val_t *args,
                                corral_val_t *results)
{
    return corral_trap_new_exit(7);
}

static corral_trap_t *host_probe(void *env, corral_caller_t *caller, const corral_val_t *args,
                                 corral_val_t *results)
{
    Env *e = env;
    e->probed = corral_store_fuel(e->store);
    return NULL;
}

static corral_trap_t *host_cancel(void *env, corral_caller_t *caller, const corral_val_t *args,
                                  corral_val_t *results)
{
    corral_store_interrupt(((Env *)env)->store, CORRAL_INTERRUPT_CANCEL);
    return NULL;
}

static corral_func_t *export_func(Env *e, const char *name);

/* Cancels, then calls "sum" from inside the host call; passes the trap on. */
static corral_trap_t *host_reenter(void *env, corral_caller_t *caller, const corral_val_t *args,
                                   corral_val_t *results)
{
    Env *e = env;
    corral_store_interrupt(e->store, CORRAL_INTERRUPT_CANCEL);
    corral_val_t a = corral_val_i32(10);
    corral_trap_t *t = corral_func_call(e->store, export_func(e, "sum"), &a, 1, results, 1);
    e->reentered = t ? -1 : results[0].of.i32;
    snprintf(e->reenter_msg, sizeof e->reenter_msg, "%s", t ? corral_trap_message(t) : "");
    return t;
}

static corral_func_t *host_func(corral_store_t *store, corral_host_fn fn, void *env,
                                size_t nresults)
{
    corral_valkind_t i32 = CORRAL_I32;
    corral_functype_t *t = corral_functype_new(NULL, 0, &i32, nresults);
    corral_func_t *f = corral_func_new(store, t, fn, env, NULL);
    corral_functype_delete(t);
    return f;
}

static int env_open(Env *e, const uint8_t *wasm, size_t len)
{
    memset(e, 0, sizeof *e);
    e->engine = corral_engine_new(NULL);
    corral_error_t *err = corral_module_new(e->engine, wasm, len, &e->module);
    if (err) {
        fprintf(stderr, "load: %s\n", corral_error_message(err));
        corral_error_delete(err);
        return -1;
    }
    e->store = corral_store_new(e->engine);
    corral_extern_t imports[4];
    corral_host_fn fns[4] = {host_exit, host_probe, host_cancel, host_reenter};
    for (int i = 0; i < 4; i++) {
        imports[i].kind = CORRAL_EXTERN_FUNC;
        imports[i].of.func = host_func(e->store, fns[i], e, i == 3);
    }
    corral_trap_t *trap = NULL;
    err = corral_instance_new(e->store, e->module, imports, 4, &e->inst, &trap);
    if (err || trap) {
        fprintf(stderr, "instantiate: %s\n",
                err ? corral_error_message(err) : corral_trap_message(trap));
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

static corral_func_t *export_func(Env *e, const char *name)
{
    corral_extern_t ex;
    if (!corral_instance_export(e->inst, name, strlen(name), &ex))
        return NULL;
    return ex.of.func;
}

static int32_t get_count(Env *e)
{
    corral_extern_t ex;
    if (!corral_instance_export(e->inst, "count", 5, &ex))
        return -1;
    return corral_global_get(ex.of.global).of.i32;
}

static void set_count(Env *e, int32_t v)
{
    corral_extern_t ex;
    if (corral_instance_export(e->inst, "count", 5, &ex))
        (void)corral_global_set(ex.of.global, corral_val_i32(v));
}

/* The outcome of one call: the trap (owned, or NULL) and an i32 result when there is one. */
typedef struct Outcome {
    corral_trap_t *trap;
    int32_t result;
} Outcome;

/* Calls export name with up to three i32 arguments. */
static Outcome call(Env *e, const char *name, size_t nargs, int32_t a0, int32_t a1, int32_t a2)
{
    Outcome o = {NULL, 0};
    corral_func_t *f = export_func(e, name);
    if (!f) {
        o.trap = corral_trap_new("no such export");
        return o;
    }
    corral_val_t args[3] = {corral_val_i32(a0), corral_val_i32(a1), corral_val_i32(a2)}, r;
    size_t nres = corral_functype_result_count(corral_func_type(f));
    o.trap = corral_func_call(e->store, f, args, nargs, &r, nres);
    if (!o.trap && nres)
        o.result = r.of.i32;
    return o;
}

static bool trap_is(const Outcome *o, const char *msg)
{
    return o->trap && strcmp(corral_trap_message(o->trap), msg) == 0;
}

/* ---- fuel ---------------------------------------------------------------------------- */

/* The trap of one fuel-limited run: what is compared between runs. */
typedef struct Stop {
    char msg[128];
    int32_t count;
    uint64_t fuel_left;
    size_t nframes;
    uint32_t func0;
    size_t off0;
} Stop;

static Stop run_out_of_fuel(Env *e, const char *name, uint64_t fuel)
{
    Stop s;
    memset(&s, 0, sizeof s);
    set_count(e, 0);
    corral_store_set_fuel(e->store, fuel);
    Outcome o = call(e, name, 0, 0, 0, 0);
    if (o.trap) {
        snprintf(s.msg, sizeof s.msg, "%s", corral_trap_message(o.trap));
        s.nframes = corral_trap_frame_count(o.trap);
        corral_trap_frame(o.trap, 0, &s.func0, &s.off0);
        corral_trap_delete(o.trap);
    }
    s.count = get_count(e);
    s.fuel_left = corral_store_fuel(e->store);
    return s;
}

static bool same_stop(const Stop *a, const Stop *b)
{
    return strcmp(a->msg, b->msg) == 0 && a->count == b->count && a->fuel_left == b->fuel_left &&
           a->nframes == b->nframes && a->func0 == b->func0 && a->off0 == b->off0;
}

static void test_fuel_exhaustion(const uint8_t *wasm, size_t len)
{
    Env e, e2;
    CHECK(env_open(&e, wasm, len) == 0, "instantiate interrupt.wasm");
    CHECK(env_open(&e2, wasm, len) == 0, "instantiate a second store");
    CHECK(corral_store_fuel(e.store) == CORRAL_FUEL_UNLIMITED, "fuel is unlimited by default");

    /* spin: entry 8, then 5 per back-edge: 1 + (1000 - 8) / 5 iterations run. */
    Stop a = run_out_of_fuel(&e, "spin", 1000);
    CHECK(strcmp(a.msg, "fuel exhausted: all 1000 units of fuel consumed") == 0,
          "an infinite loop traps with the fuel message");
    CHECK(a.count == 1 + (1000 - 8) / 5, "the loop ran exactly the iterations its fuel paid");
    CHECK(a.fuel_left == 0, "exhaustion leaves no fuel");
    CHECK(a.nframes == 1, "the trap's backtrace is the looping function");
    Stop b = run_out_of_fuel(&e, "spin", 1000);
    Stop c = run_out_of_fuel(&e2, "spin", 1000);
    CHECK(same_stop(&a, &b), "the same budget stops at the same place again (same store)");
    CHECK(same_stop(&a, &c), "the same budget stops at the same place (another store)");

    /* rec: 6 per call: 1000 / 6 calls run; the next entry traps, its frame included. */
    a = run_out_of_fuel(&e, "rec", 1000);
    CHECK(strcmp(a.msg, "fuel exhausted: all 1000 units of fuel consumed") == 0,
          "infinite recursion traps with the fuel message");
    CHECK(a.count == 1000 / 6, "the recursion made exactly the calls its fuel paid");
    CHECK(a.nframes == (size_t)(1000 / 6 + 1), "the backtrace has every frame");
    b = run_out_of_fuel(&e, "rec", 1000);
    c = run_out_of_fuel(&e2, "rec", 1000);
    CHECK(same_stop(&a, &b) && same_stop(&a, &c), "recursion stops deterministically");

    /* An entry the fuel cannot pay stops before the first instruction. */
    a = run_out_of_fuel(&e, "spin", 7);
    CHECK(strcmp(a.msg, "fuel exhausted: all 7 units of fuel consumed") == 0 && a.count == 0,
          "an unpayable entry runs nothing");
    a = run_out_of_fuel(&e, "spin", 0);
    CHECK(a.msg[0] && a.count == 0, "zero fuel runs nothing");
    env_close(&e);
    env_close(&e2);
}

typedef struct Finite {
    const char *name;
    int32_t arg, want;
    uint64_t cost; /* the documented fuel (interrupt.wat) */
} Finite;

static void test_fuel_finite(const uint8_t *wasm, size_t len)
{
    Env e;
    CHECK(env_open(&e, wasm, len) == 0, "instantiate interrupt.wasm");
    const Finite cases[] = {
        {"sum", 10, 45, 19 + 13 * 10},
        {"sum", 0, 0, 19},
        {"down_if", 7, 0, 10 + 6 * 6},
        {"down_cmp", 7, 0, 12 + 8 * 6},
        {"down_eqz", 7, 0, 12 + 8 * 6},
        {"up_lt", 7, 7, 12 + 8 * 6},
        {"down_i64", 7, 0, 16 + 8 * 6},
        {"up_lt64", 7, 7, 16 + 8 * 6},
        {"down_table", 7, 0, 14 + 8 * 6},
        {"down_param", 7, 0, 9 + 5 * 6},
        {"nested", 5, 15, 28 + 24 * 4 + 12 * 2 * 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const Finite *f = &cases[i];
        char what[160];
        corral_store_set_fuel(e.store, 100000);
        Outcome o = call(&e, f->name, 1, f->arg, 0, 0);
        snprintf(what, sizeof what, "%s(%d) = %d with fuel 100000 left %llu", f->name,
                 (int)f->arg, (int)o.result, (unsigned long long)corral_store_fuel(e.store));
        CHECK(!o.trap && o.result == f->want, what);
        snprintf(what, sizeof what, "%s(%d) costs %llu fuel", f->name, (int)f->arg,
                 (unsigned long long)f->cost);
        CHECK(corral_store_fuel(e.store) == 100000 - f->cost, what);
        corral_trap_delete(o.trap);

        /* Exactly enough fuel succeeds and leaves 0; one unit less traps. */
        corral_store_set_fuel(e.store, f->cost);
        o = call(&e, f->name, 1, f->arg, 0, 0);
        CHECK(!o.trap && o.result == f->want && corral_store_fuel(e.store) == 0,
              "exactly enough fuel suffices");
        corral_trap_delete(o.trap);
        corral_store_set_fuel(e.store, f->cost - 1);
        o = call(&e, f->name, 1, f->arg, 0, 0);
        CHECK(o.trap && strstr(corral_trap_message(o.trap), "fuel exhausted"),
              "one unit less traps");
        corral_trap_delete(o.trap);
    }

    /* Fuel carries over between calls, and across slices of the interpreter's counter. */
    corral_store_set_fuel(e.store, 1000000);
    Outcome o = call(&e, "sum", 1, 1000, 0, 0);
    CHECK(!o.trap && o.result == 499500, "sum(1000) with plenty of fuel");
    o = call(&e, "sum", 1, 2000, 0, 0);
    CHECK(!o.trap && corral_store_fuel(e.store) == 1000000 - (19 + 13 * 1000) - (19 + 13 * 2000),
          "fuel is charged cumulatively, exactly, over many slices");

    /* A host function sees the fuel left at the call, and may set it. */
    corral_store_set_fuel(e.store, 100);
    o = call(&e, "probe", 0, 0, 0, 0);
    CHECK(!o.trap && e.probed == 98 && corral_store_fuel(e.store) == 98,
          "a host function sees the fuel left");
    corral_store_set_fuel(e.store, CORRAL_FUEL_UNLIMITED);
    o = call(&e, "sum", 1, 100, 0, 0);
    CHECK(!o.trap && o.result == 4950 && corral_store_fuel(e.store) == CORRAL_FUEL_UNLIMITED,
          "unlimited fuel stays unlimited");
    env_close(&e);
}

/* ---- interrupts ---------------------------------------------------------------------- */

typedef struct Timer {
    corral_store_t *store;
    corral_interrupt_t why;
} Timer;

static void *interrupt_later(void *arg)
{
    Timer *t = arg;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    corral_store_interrupt(t->store, t->why);
    return NULL;
}

static void test_interrupt_thread(const uint8_t *wasm, size_t len)
{
    Env e;
    CHECK(env_open(&e, wasm, len) == 0, "instantiate interrupt.wasm");
    alarm(60); /* a missed interrupt hangs: make it a failure instead */

    Timer t = {e.store, CORRAL_INTERRUPT_DEADLINE};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, interrupt_later, &t) == 0, "start the timer thread");
    Outcome o = call(&e, "spin", 0, 0, 0, 0);
    pthread_join(th, NULL);
    CHECK(trap_is(&o, "interrupted: time limit exceeded"),
          "a deadline from another thread stops an infinite loop");
    CHECK(o.trap && corral_trap_frame_count(o.trap) == 1, "the interrupt trap has a backtrace");
    CHECK(get_count(&e) > 0, "the loop ran until interrupted");
    corral_trap_delete(o.trap);

    /* The request stands until cleared. */
    o = call(&e, "sum", 1, 10, 0, 0);
    CHECK(trap_is(&o, "interrupted: time limit exceeded"), "the request stays set");
    corral_trap_delete(o.trap);
    corral_store_interrupt(e.store, CORRAL_INTERRUPT_NONE);
    o = call(&e, "sum", 1, 10, 0, 0);
    CHECK(!o.trap && o.result == 45, "clearing with NONE lets code run again");

    /* With (plenty of) fuel too: the interrupt wins, and the fuel left stays exact. */
    corral_store_set_fuel(e.store, 1000000000000ull);
    t.why = CORRAL_INTERRUPT_CANCEL;
    CHECK(pthread_create(&th, NULL, interrupt_later, &t) == 0, "start the timer thread");
    o = call(&e, "spin", 0, 0, 0, 0);
    pthread_join(th, NULL);
    CHECK(trap_is(&o, "interrupted: cancelled by the host"),
          "a cancel from another thread stops a fuel-limited loop");
    corral_trap_delete(o.trap);
    uint64_t left = corral_store_fuel(e.store);
    CHECK(left > 0 && left < 1000000000000ull, "fuel was spent, not exhausted");
    corral_store_interrupt(e.store, CORRAL_INTERRUPT_NONE);
    o = call(&e, "sum", 1, 10, 0, 0);
    CHECK(!o.trap && corral_store_fuel(e.store) == left - (19 + 13 * 10),
          "fuel accounting resumes exactly after an interrupt");
    alarm(0);
    env_close(&e);
}

static void test_interrupt_entry(const uint8_t *wasm, size_t len, const uint8_t *start_wasm,
                                 size_t start_len)
{
    Env e;
    CHECK(env_open(&e, wasm, len) == 0, "instantiate interrupt.wasm");

    /* Before the call: nothing runs, not even the entry. */
    set_count(&e, 0);
    corral_store_interrupt(e.store, CORRAL_INTERRUPT_CANCEL);
    Outcome o = call(&e, "spin", 0, 0, 0, 0);
    CHECK(trap_is(&o, "interrupted: cancelled by the host"), "an interrupt before the call");
    CHECK(o.trap && corral_trap_frame_count(o.trap) == 0 && get_count(&e) == 0,
          "stops at entry: no frame ran");
    corral_trap_delete(o.trap);
    corral_store_interrupt(e.store, CORRAL_INTERRUPT_NONE);

    /* A host function cancels, then re-enters Wasm: the re-entry stops at once, and the
     * trap travels out through the host function. */
    e.reentered = 0;
    o = call(&e, "call_reenter", 0, 0, 0, 0);
    CHECK(e.reentered == -1 && strcmp(e.reenter_msg, "interrupted: cancelled by the host") == 0,
          "a host->Wasm re-entry after an interrupt traps");
    CHECK(trap_is(&o, "interrupted: cancelled by the host"), "the caller gets that trap");
    corral_trap_delete(o.trap);
    corral_store_interrupt(e.store, CORRAL_INTERRUPT_NONE);

    /* A bulk fill checks between 1 MiB chunks: cancelled just before a 3 MiB fill, it
     * stops after the first chunk. */
    uint8_t *mem = NULL;
    corral_extern_t ex;
    if (corral_instance_export(e.inst, "mem", 3, &ex))
        mem = corral_memory_data(ex.of.memory);
    o = call(&e, "cancel_fill", 2, 0, 3 << 20, 0);
    CHECK(trap_is(&o, "interrupted: cancelled by the host"), "a long memory.fill is interrupted");
    CHECK(mem && mem[0] == 0xab && mem[(1 << 20) - 1] == 0xab && mem[1 << 20] == 0,
          "the fill stopped at its first chunk boundary");
    corral_trap_delete(o.trap);
    corral_store_interrupt(e.store, CORRAL_INTERRUPT_NONE);
    /* A small one looks too (a loop of them checks only every FUEL_SLICE units). */
    o = call(&e, "cancel_fill", 2, 0, 100, 0);
    CHECK(trap_is(&o, "interrupted: cancelled by the host"), "a one-chunk memory.fill looks");
    corral_trap_delete(o.trap);
    corral_store_interrupt(e.store, CORRAL_INTERRUPT_NONE);
    o = call(&e, "cancel_table_fill", 1, 200000, 0, 0);
    CHECK(trap_is(&o, "interrupted: cancelled by the host"), "a long table.fill is interrupted");
    corral_trap_delete(o.trap);
    corral_val_t el0, el1, el2;
    CHECK(corral_instance_export(e.inst, "tab", 3, &ex) && corral_table_get(ex.of.table, 0, &el0) &&
              corral_table_get(ex.of.table, 65535, &el1) &&
              corral_table_get(ex.of.table, 65536, &el2) && el0.of.funcref && el1.of.funcref &&
              !el2.of.funcref,
          "the table fill stopped at its first chunk boundary");
    corral_store_interrupt(e.store, CORRAL_INTERRUPT_NONE);
    env_close(&e);

    /* A start function is stopped by an interrupt requested before instantiation. */
    corral_engine_t *engine = corral_engine_new(NULL);
    corral_module_t *m = NULL;
    corral_error_t *err = corral_module_new(engine, start_wasm, start_len, &m);
    CHECK(!err, "load interrupt_start.wasm");
    corral_store_t *store = corral_store_new(engine);
    corral_store_interrupt(store, CORRAL_INTERRUPT_DEADLINE);
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    err = corral_instance_new(store, m, NULL, 0, &inst, &trap);
    CHECK(!err && !inst && trap &&
              strcmp(corral_trap_message(trap), "interrupted: time limit exceeded") == 0,
          "an interrupted store does not run a start function");
    corral_trap_delete(trap);
    trap = NULL;
    corral_store_interrupt(store, CORRAL_INTERRUPT_NONE);
    err = corral_instance_new(store, m, NULL, 0, &inst, &trap);
    CHECK(!err && inst && !trap && corral_instance_export(inst, "ran", 3, &ex) &&
              corral_global_get(ex.of.global).of.i32 == 1,
          "after clearing, the start function runs");
    corral_store_delete(store);
    corral_module_delete(m);
    corral_engine_delete(engine);
}

/* Bulk copies move in chunks now: overlapping copies must still have memmove semantics. */
static void test_chunked_copy(const uint8_t *wasm, size_t len)
{
    Env e;
    CHECK(env_open(&e, wasm, len) == 0, "instantiate interrupt.wasm");
    corral_extern_t ex;
    CHECK(corral_instance_export(e.inst, "mem", 3, &ex), "memory export");
    uint8_t *mem = corral_memory_data(ex.of.memory);
    const uint32_t n = (5u << 20) / 2, shift = (1u << 20) + 3;
    for (uint32_t i = 0; i < n; i++)
        mem[i] = (uint8_t)(i % 251);
    Outcome o = call(&e, "copy", 3, (int32_t)shift, 0, (int32_t)n); /* upwards, overlapping */
    bool ok = !o.trap;
    for (uint32_t i = 0; ok && i < n; i++)
        ok = mem[shift + i] == (uint8_t)(i % 251);
    CHECK(ok, "an overlapping copy upwards over several chunks");
    o = call(&e, "copy", 3, 0, (int32_t)shift, (int32_t)n); /* back down, overlapping */
    ok = !o.trap;
    for (uint32_t i = 0; ok && i < n; i++)
        ok = mem[i] == (uint8_t)(i % 251);
    CHECK(ok, "an overlapping copy downwards over several chunks");
    env_close(&e);
}

/* ---- exit traps ---------------------------------------------------------------------- */

static void test_exit(const uint8_t *wasm, size_t len)
{
    int32_t status = -1;
    corral_trap_t *t = corral_trap_new_exit(7);
    CHECK(t && corral_trap_exit_status(t, &status) && status == 7, "exit trap round trip");
    corral_trap_delete(t);
    t = corral_trap_new("unreachable");
    CHECK(t && !corral_trap_exit_status(t, &status), "an ordinary trap is not an exit");
    corral_trap_delete(t);
    CHECK(!corral_trap_exit_status(NULL, &status), "no trap is not an exit");

    Env e;
    CHECK(env_open(&e, wasm, len) == 0, "instantiate interrupt.wasm");
    Outcome o = call(&e, "exit_deep", 0, 0, 0, 0);
    status = -1;
    CHECK(o.trap && corral_trap_exit_status(o.trap, &status) && status == 7,
          "exit status 7 from a host function reaches the caller through Wasm frames");
    CHECK(o.trap && corral_trap_frame_count(o.trap) == 0, "an exit carries no backtrace");
    corral_trap_delete(o.trap);
    o = call(&e, "sum", 1, 4, 0, 0);
    CHECK(!o.trap && o.result == 6, "the store runs code after an exit");
    env_close(&e);
}

int main(void)
{
    size_t len = 0, start_len = 0;
    uint8_t *wasm = read_file("build/tests/wasm/interrupt.wasm", &len);
    uint8_t *start_wasm = read_file("build/tests/wasm/interrupt_start.wasm", &start_len);
    if (!wasm || !start_wasm) {
        fprintf(stderr, "test_interrupt: build/tests/wasm/interrupt*.wasm missing (make unit)\n");
        return 1;
    }
    test_fuel_exhaustion(wasm, len);
    test_fuel_finite(wasm, len);
    test_interrupt_thread(wasm, len);
    test_interrupt_entry(wasm, len, start_wasm, start_len);
    test_chunked_copy(wasm, len);
    test_exit(wasm, len);
    free(wasm);
    free(start_wasm);
    return unit_report("test_interrupt");
}
