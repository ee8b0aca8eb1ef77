/* test_native_entry.c: calls from outside the interpreter (the embedder, a host function)
 * straight into native code (interp_call's direct entry): results, more results than
 * parameters, a host re-entering native code and the bound on such entries (the
 * interpreter's "call stack exhausted"), a trap and its frames, each the same as on the
 * interpreter; and no interpreter stacks made for a store that only runs native code.
 * Compiles build/tests/wasm/native_entry.wasm with the system C compiler (jit). */
#include "compile/tier.h"
#include "corral.h"
#include "engine/runtime.h"
#include "unit.h"

#include <string.h>

typedef struct Env {
    corral_engine_t *engine;
    corral_module_t *module;
    corral_store_t *store;
    corral_instance_t *inst;
} Env;

static corral_func_t *export_func(Env *e, const char *name)
{
    corral_extern_t ex;
    return corral_instance_export(e->inst, name, strlen(name), &ex) ? ex.of.func : NULL;
}

/* reenter(n): "down"(n), called from the host. */
static corral_trap_t *host_reenter(void *env, corral_caller_t *caller, const corral_val_t *args,
                                   corral_val_t *results)
{
    Env *e = env;
    return corral_func_call(e->store, export_func(e, "down"), args, 1, results, 1);
}

static int env_open(Env *e, const uint8_t *wasm, size_t len, Tier tier)
{
    memset(e, 0, sizeof *e);
    e->engine = corral_engine_new(NULL);
    corral_error_t *err = corral_module_new(e->engine, wasm, len, &e->module);
    TierOpts o = {.tier = tier, .opt = -1, .quiet = true};
    if (!err)
        err = tier_prepare(e->module, &o);
    if (err) {
        fprintf(stderr, "load: %s\n", corral_error_message(err));
        corral_error_delete(err);
        return -1;
    }
    e->store = corral_store_new(e->engine);
    corral_valkind_t i32 = CORRAL_I32;
    corral_functype_t *t = corral_functype_new(&i32, 1, &i32, 1);
    corral_extern_t imp = {.kind = CORRAL_EXTERN_FUNC,
                           .of.func = corral_func_new(e->store, t, host_reenter, e, NULL)};
    corral_functype_delete(t);
    corral_trap_t *trap = NULL;
    err = corral_instance_new(e->store, e->module, &imp, 1, &e->inst, &trap);
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

/* One i32 -> i32 call: its result, or -1 with msg (and the first frame's function) set. */
static int32_t call1(Env *e, const char *name, int32_t arg, char *msg, size_t n, uint32_t *func0)
{
    corral_val_t a = corral_val_i32(arg), r;
    corral_trap_t *t = corral_func_call(e->store, export_func(e, name), &a, 1, &r, 1);
    msg[0] = '\0';
    *func0 = UINT32_MAX;
    if (!t)
        return r.of.i32;
    snprintf(msg, n, "%s", corral_trap_message(t));
    size_t off;
    if (corral_trap_frame_count(t) > 0)
        corral_trap_frame(t, 0, func0, &off);
    corral_trap_delete(t);
    return -1;
}

static void test_tier(const uint8_t *wasm, size_t len, Tier tier)
{
    const char *tn = tier_name(tier);
    char what[256], msg[96];
    uint32_t func0;
    Env e;
    snprintf(what, sizeof what, "%s: instantiate", tn);
    if (env_open(&e, wasm, len, tier) != 0) {
        CHECK(0, what);
        return;
    }
    bool native = tier != TIER_INTERP;
    snprintf(what, sizeof what, "%s: module is native as asked", tn);
    CHECK(corral_module_is_native(e.module) == native, what);

    corral_val_t args[2] = {corral_val_i32(2), corral_val_i32(40)}, res[3];
    CHECK(corral_func_call(e.store, export_func(&e, "add"), args, 2, res, 1) == NULL &&
              res[0].of.i32 == 42,
          "add(2, 40)");
    snprintf(what, sizeof what, "%s: interpreter stacks made only by the interpreter", tn);
    CHECK((((Store *)e.store)->interp == NULL) == native, what);

    CHECK(corral_func_call(e.store, export_func(&e, "pair"), NULL, 0, res, 3) == NULL &&
              res[0].of.i32 == 1 && res[1].of.i64 == 2 && res[2].of.i32 == 3,
          "pair(): three results from no parameters");

    snprintf(what, sizeof what, "%s: down(100) through 100 host re-entries", tn);
    CHECK(call1(&e, "down", 100, msg, sizeof msg, &func0) == 100, what);
    int32_t r = call1(&e, "down", 1000, msg, sizeof msg, &func0);
    snprintf(what, sizeof what, "%s: down(1000): %s", tn, msg);
    CHECK(r == -1 && strcmp(msg, "call stack exhausted") == 0, what);
    snprintf(what, sizeof what, "%s: down(5) after the exhaustion", tn);
    CHECK(call1(&e, "down", 5, msg, sizeof msg, &func0) == 5, what);

    r = call1(&e, "boom", 0, msg, sizeof msg, &func0);
    snprintf(what, sizeof what, "%s: boom(0): %s, innermost frame func %u", tn, msg, func0);
    CHECK(r == -1 && strcmp(msg, "integer divide by zero") == 0 && func0 == 3, what);
    CHECK(call1(&e, "boom", 7, msg, sizeof msg, &func0) == 1, "boom(7)");
    env_close(&e);
}

int main(void)
{
    size_t len = 0;
    uint8_t *wasm = read_file("build/tests/wasm/native_entry.wasm", &len);
    if (!wasm) {
        fprintf(stderr, "test_native_entry: build/tests/wasm/native_entry.wasm missing "
                        "(make unit)\n");
        return 1;
    }
    test_tier(wasm, len, TIER_INTERP);
    const char *unsupported = tier_native_unsupported();
    if (unsupported) { /* jit is refused, with that reason */
        Env e;
        CHECK(env_open(&e, wasm, len, TIER_JIT) != 0, "jit refused where there is no compiled tier");
        printf("test_native_entry: jit not run: %s\n", unsupported);
    } else {
        test_tier(wasm, len, TIER_JIT);
    }
    free(wasm);
    return unit_report("test_native_entry");
}
