/* test_exceptions.c: WebAssembly exceptions through the public API. An exception no handler
 * catches leaves corral_func_call as a trap that corral_trap_is_exception() recognises ("uncaught
 * exception"), not a crash; one that a host function passes on (it called back into Wasm and
 * returns the trap it got) crosses the host frame and is caught by a handler in the Wasm
 * caller; a host-made tag links by identity. Many such crossings leave no nested activation
 * or call depth behind. */
#include "compile/tier.h"
#include "corral.h"
#include "unit.h"

#include "text/text.h"

static const char module_text[] =
    "(module\n"
    "  (import \"host\" \"call_back\" (func $cb (param i32) (result i32)))\n"
    "  (import \"host\" \"tag\" (tag $ht (param i32)))\n"
    "  (tag $e (export \"e\") (param i32))\n"
    "  (func (export \"thrower\") (param i32) (result i32)\n"
    "    (if (i32.eqz (local.get 0)) (then (throw $ht (i32.const 99))))\n"
    "    (throw $e (local.get 0)))\n"
    "  (func (export \"via_host\") (param i32) (result i32)\n"
    "    (block $h (result i32)\n"
    "      (try_table (result i32) (catch $e $h) (call $cb (local.get 0)))))\n"
    "  (func (export \"via_host_tag\") (param i32) (result i32)\n"
    "    (block $h (result i32)\n"
    "      (try_table (result i32) (catch $ht $h) (call $cb (local.get 0)))))\n"
    "  (func (export \"uncaught\") (param i32) (result i32)\n"
    "    (i32.add (i32.const 1) (call $cb (local.get 0))))\n"
    /* the tail call ends $tail_host's frame: what the host throws is not its to catch */
    "  (func $tail_host (param i32) (result i32)\n"
    "    (block $h (result i32)\n"
    "      (try_table (result i32) (catch $ht $h) (return_call $cb (local.get 0)))))\n"
    "  (func (export \"tail_outer\") (param i32) (result i32)\n"
    "    (block $h (result i32)\n"
    "      (try_table (result i32) (catch $ht $h)\n"
    "        (i32.add (i32.const 10000) (call $tail_host (local.get 0)))))))\n";

/* Compiled code between an interpreted handler and an interpreted throw: B has no
 * exception handling, so the jit tier compiles it; C's handler catches what passes it. */
static const char native_text[] =
    "(module\n"
    "  (import \"a\" \"thrower\" (func $t (param i32) (result i32)))\n"
    "  (func (export \"mid\") (param i32) (result i32)\n"
    "    (i32.add (i32.const 1) (call $t (local.get 0)))))\n";
static const char catcher_text[] =
    "(module\n"
    "  (import \"b\" \"mid\" (func $mid (param i32) (result i32)))\n"
    "  (import \"a\" \"e\" (tag $e (param i32)))\n"
    "  (func (export \"outer\") (param i32) (result i32)\n"
    "    (block $h (result i32)\n"
    "      (try_table (result i32) (catch $e $h) (call $mid (local.get 0))))))\n";

static corral_module_t *load_text(corral_engine_t *engine, const char *text, Tier tier)
{
    uint8_t *wasm = NULL;
    size_t len = 0;
    TextError terr;
    corral_module_t *m = NULL;
    if (text_module_encode(text, strlen(text), &wasm, &len, &terr) != TX_OK)
        return NULL;
    corral_error_t *err = corral_module_new(engine, wasm, len, &m);
    TierOpts o = {.tier = tier, .opt = -1, .quiet = true};
    if (!err && tier != TIER_INTERP)
        err = tier_prepare(m, &o);
    free(wasm);
    if (err) {
        fprintf(stderr, "  load: %s\n", corral_error_message(err));
        corral_error_delete(err);
        corral_module_delete(m);
        return NULL;
    }
    return m;
}

static void test_through_native(corral_engine_t *engine, corral_store_t *store,
                                corral_instance_t *a)
{
    if (tier_native_unsupported()) { /* no compiled tier on this host: jit is refused */
        corral_module_t *r = load_text(engine, native_text, TIER_JIT);
        CHECK(r == NULL, "jit refused where there is no compiled tier");
        corral_module_delete(r);
        printf("test_exceptions: through compiled code not run: %s\n", tier_native_unsupported());
        return;
    }
    corral_module_t *b = load_text(engine, native_text, TIER_JIT);
    corral_module_t *c = load_text(engine, catcher_text, TIER_INTERP);
    CHECK(b && corral_module_is_native(b) && c, "a compiled module and a catcher");
    if (!b || !c)
        return;
    corral_extern_t ex[2];
    corral_instance_t *bi = NULL, *ci = NULL;
    corral_trap_t *trap = NULL;
    CHECK(corral_instance_export(a, "thrower", 7, &ex[0]), "thrower");
    corral_error_t *err = corral_instance_new(store, b, ex, 1, &bi, &trap);
    CHECK(!err && !trap && bi, "instantiate the compiled module");
    CHECK(bi && corral_instance_export(bi, "mid", 3, &ex[0]), "mid");
    CHECK(corral_instance_export(a, "e", 1, &ex[1]), "e");
    err = corral_instance_new(store, c, ex, 2, &ci, &trap);
    CHECK(!err && !trap && ci, "instantiate the catcher");
    if (ci) {
        corral_extern_t outer;
        CHECK(corral_instance_export(ci, "outer", 5, &outer), "outer");
        corral_val_t arg = corral_val_i32(5), r = corral_val_i32(-1);
        corral_trap_t *t = corral_func_call(store, outer.of.func, &arg, 1, &r, 1);
        CHECK(t == NULL && r.of.i32 == 5, "caught past compiled code");
        corral_trap_delete(t);
        t = corral_func_call(store, ex[0].of.func, &arg, 1, &r, 1);
        CHECK(t && corral_trap_is_exception(t), "uncaught past compiled code");
        corral_trap_delete(t);
    }
    corral_module_delete(b);
    corral_module_delete(c);
}

typedef struct Host {
    corral_store_t *store;
    corral_func_t *thrower;
    bool swallow;      /* return 77 instead of passing the exception on */
    corral_tag_t *own; /* throw this tag's exception with the argument plus 1000 instead */
} Host;

static corral_trap_t *call_back(void *env, corral_caller_t *caller, const corral_val_t *args,
                                corral_val_t *results)
{
    (void)caller;
    Host *h = env;
    if (h->own) {
        corral_val_t v = corral_val_i32(args[0].of.i32 + 1000);
        return corral_trap_new_exception(h->store, h->own, &v, 1);
    }
    corral_val_t r = corral_val_i32(0);
    corral_trap_t *t = corral_func_call(h->store, h->thrower, args, 1, &r, 1);
    if (t && h->swallow) {
        corral_trap_delete(t);
        results[0] = corral_val_i32(77);
        return NULL;
    }
    results[0] = r;
    return t;
}

static corral_func_t *export_func(corral_instance_t *inst, const char *name)
{
    corral_extern_t ex;
    if (!corral_instance_export(inst, name, strlen(name), &ex) || ex.kind != CORRAL_EXTERN_FUNC)
        return NULL;
    return ex.of.func;
}

/* Calls name(arg); the trap (owned) or NULL with the result in *out. */
static corral_trap_t *call(Host *h, corral_instance_t *inst, const char *name, int32_t arg,
                           int32_t *out)
{
    corral_val_t a = corral_val_i32(arg), r = corral_val_i32(-1);
    corral_trap_t *t = corral_func_call(h->store, export_func(inst, name), &a, 1, &r, 1);
    *out = r.of.i32;
    return t;
}

int main(void)
{
    corral_config_t cfg;
    corral_config_default(&cfg);
    corral_engine_t *engine = corral_engine_new(&cfg);
    uint8_t *wasm = NULL;
    size_t len = 0;
    TextError terr;
    CHECK(text_module_encode(module_text, sizeof module_text - 1, &wasm, &len, &terr) == TX_OK,
          "the module encodes");
    corral_module_t *m = NULL;
    corral_error_t *err = corral_module_new(engine, wasm, len, &m);
    CHECK(err == NULL, "the module loads");
    if (err) {
        fprintf(stderr, "  %s\n", corral_error_message(err));
        return 1;
    }

    Host h = {corral_store_new(engine), NULL, false, NULL};
    corral_valkind_t i32 = CORRAL_I32;
    corral_functype_t *cb_type = corral_functype_new(&i32, 1, &i32, 1);
    corral_functype_t *tag_type = corral_functype_new(&i32, 1, NULL, 0);
    CHECK(corral_tag_new(h.store, cb_type) == NULL, "a tag type has no results");
    corral_extern_t imports[2] = {
        {CORRAL_EXTERN_FUNC, {.func = corral_func_new(h.store, cb_type, call_back, &h, NULL)}},
        {CORRAL_EXTERN_TAG, {.tag = corral_tag_new(h.store, tag_type)}},
    };
    CHECK(corral_functype_equal(corral_tag_type(imports[1].of.tag), tag_type), "the tag's type");
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    err = corral_instance_new(h.store, m, imports, 2, &inst, &trap);
    CHECK(err == NULL && trap == NULL && inst != NULL, "instantiate");
    if (!inst)
        return 1;
    h.thrower = export_func(inst, "thrower");

    int32_t r;
    corral_trap_t *t = call(&h, inst, "thrower", 3, &r);
    CHECK(t && corral_trap_is_exception(t), "an uncaught throw is an exception");
    CHECK(t && !strcmp(corral_trap_message(t), "uncaught exception"), "its message");
    corral_extern_t e_tag;
    corral_val_t arg = corral_val_i32(0);
    CHECK(corral_instance_export(inst, "e", 1, &e_tag) && e_tag.kind == CORRAL_EXTERN_TAG,
          "a tag export");
    CHECK(corral_trap_exception_tag(t) == e_tag.of.tag, "the exception's tag");
    CHECK(corral_trap_exception_arg(t, 0, &arg) && arg.kind == CORRAL_I32 && arg.of.i32 == 3,
          "the exception's argument");
    CHECK(!corral_trap_exception_arg(t, 1, &arg), "no second argument");
    corral_trap_delete(t);

    /* 1000 crossings: a leaked activation would hit the nesting limit (256) */
    bool all = true;
    for (int32_t i = 1; i <= 1000 && all; i++) {
        t = call(&h, inst, "via_host", i, &r);
        all = t == NULL && r == i;
        corral_trap_delete(t);
    }
    CHECK(all, "an exception crosses the host function and is caught in Wasm, 1000 times");
    t = call(&h, inst, "via_host_tag", 0, &r);
    CHECK(t == NULL && r == 99, "the host's tag, thrown and caught by identity");
    corral_trap_delete(t);
    t = call(&h, inst, "via_host", 0, &r);
    CHECK(t && corral_trap_is_exception(t), "another tag passes the handler by");
    corral_trap_delete(t);
    t = call(&h, inst, "uncaught", 5, &r);
    CHECK(t && corral_trap_is_exception(t), "no handler anywhere: an exception leaves the call");
    corral_trap_delete(t);
    h.swallow = true;
    t = call(&h, inst, "uncaught", 5, &r);
    CHECK(t == NULL && r == 78, "a host function that handles the exception itself");
    corral_trap_delete(t);
    h.own = imports[1].of.tag;
    t = call(&h, inst, "via_host_tag", 4, &r);
    CHECK(t == NULL && r == 1004, "a host function throws its own exception into Wasm");
    corral_trap_delete(t);
    t = call(&h, inst, "tail_outer", 4, &r);
    CHECK(t == NULL && r == 1004,
          "a tail-called host function's exception goes to the caller of the frame it ended");
    corral_trap_delete(t);
    corral_val_t wrong = corral_val_i64(1);
    CHECK(corral_trap_new_exception(h.store, h.own, &wrong, 1) == NULL, "args must fit the tag");
    t = corral_trap_new("plain");
    CHECK(!corral_trap_is_exception(t), "a plain trap is no exception");
    corral_trap_delete(t);

    h.own = NULL;
    h.swallow = false;
    test_through_native(engine, h.store, inst);

    corral_functype_delete(cb_type);
    corral_functype_delete(tag_type);
    corral_store_delete(h.store);
    corral_module_delete(m);
    corral_engine_delete(engine);
    free(wasm);
    return unit_report("test_exceptions");
}
