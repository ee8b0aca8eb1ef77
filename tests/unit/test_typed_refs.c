/* test_typed_refs.c: an embedder's view of typed function references: a host value going
 * where a (ref $t), (ref func) or (ref null nofunc) is expected (a call's argument, a table
 * element, a mutable global) is checked against the type, so that no function of another type
 * reaches call_ref, which trusts the static type; and typed references come back to the host
 * as funcref. Modules are written in the text format (src/text). */
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

static bool export_of(corral_instance_t *inst, const char *name, corral_extern_t *out)
{
    return corral_instance_export(inst, name, strlen(name), out);
}

static const char wat[] =
    "(module\n"
    "  (type $ii (func (param i32) (result i32)))\n"
    "  (type $v (func))\n"
    "  (func $inc (export \"inc\") (type $ii) (i32.add (local.get 0) (i32.const 1)))\n"
    "  (func $nop (export \"nop\") (type $v))\n"
    "  (func (export \"apply\") (param $f (ref $ii)) (param i32) (result i32)\n"
    "    (call_ref $ii (local.get 1) (local.get $f)))\n"
    "  (func (export \"any\") (param (ref func)) (result i32) (i32.const 1))\n"
    "  (func (export \"bottom\") (param (ref null nofunc)) (result i32) (i32.const 2))\n"
    "  (func (export \"get\") (result (ref $ii)) (ref.func $inc))\n"
    "  (table (export \"tab\") 1 (ref null $ii))\n"
    "  (global (export \"g\") (mut (ref null $ii)) (ref.null $ii))\n"
    ")\n";

static void test_host_values(corral_engine_t *engine)
{
    corral_module_t *m = module_from_text(engine, wat);
    CHECK(m != NULL, "the module loads");
    if (!m)
        return;
    corral_store_t *s = corral_store_new(engine);
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *err = corral_instance_new(s, m, NULL, 0, &inst, &trap);
    CHECK(!err && !trap && inst, "the module instantiates");
    if (err || trap || !inst) {
        corral_store_delete(s);
        corral_module_delete(m);
        return;
    }
    corral_extern_t inc, nop, apply, any, bottom, get, tab, g;
    CHECK(export_of(inst, "inc", &inc) && export_of(inst, "nop", &nop) &&
              export_of(inst, "apply", &apply) && export_of(inst, "any", &any) &&
              export_of(inst, "bottom", &bottom) && export_of(inst, "get", &get) &&
              export_of(inst, "tab", &tab) && export_of(inst, "g", &g),
          "the exports are there");

    corral_val_t args[2] = {{.kind = CORRAL_FUNCREF, .of.funcref = inc.of.func},
                            corral_val_i32(41)};
    corral_val_t r = corral_val_i32(0);
    corral_trap_t *t = corral_func_call(s, apply.of.func, args, 2, &r, 1);
    CHECK(!t && r.kind == CORRAL_I32 && r.of.i32 == 42, "a function of the type: called");
    if (t)
        corral_trap_delete(t);

    args[0].of.funcref = nop.of.func; /* another type */
    t = corral_func_call(s, apply.of.func, args, 2, &r, 1);
    CHECK(t && !strcmp(corral_trap_message(t), "argument type does not match the function type"),
          "a function of another type is refused");
    if (t)
        corral_trap_delete(t);

    args[0].of.funcref = NULL; /* null where (ref $ii) has none */
    t = corral_func_call(s, apply.of.func, args, 2, &r, 1);
    CHECK(t != NULL, "null is refused for a type without null");
    if (t)
        corral_trap_delete(t);

    corral_val_t one = {.kind = CORRAL_FUNCREF, .of.funcref = nop.of.func};
    t = corral_func_call(s, any.of.func, &one, 1, &r, 1);
    CHECK(!t && r.of.i32 == 1, "any function for (ref func)");
    if (t)
        corral_trap_delete(t);
    t = corral_func_call(s, bottom.of.func, &one, 1, &r, 1);
    CHECK(t != NULL, "no function is a (ref null nofunc)");
    if (t)
        corral_trap_delete(t);
    one.of.funcref = NULL;
    t = corral_func_call(s, bottom.of.func, &one, 1, &r, 1);
    CHECK(!t && r.of.i32 == 2, "null is a (ref null nofunc)");
    if (t)
        corral_trap_delete(t);

    t = corral_func_call(s, get.of.func, NULL, 0, &r, 1);
    CHECK(!t && r.kind == CORRAL_FUNCREF && r.of.funcref == inc.of.func,
          "a (ref $ii) result comes back as a funcref");
    if (t)
        corral_trap_delete(t);

    corral_val_t v = {.kind = CORRAL_FUNCREF, .of.funcref = nop.of.func};
    CHECK(!corral_table_set(tab.of.table, 0, v), "a table of (ref null $ii) refuses another type");
    v.of.funcref = inc.of.func;
    CHECK(corral_table_set(tab.of.table, 0, v), "and takes a function of its type");
    v.of.funcref = nop.of.func;
    CHECK(!corral_global_set(g.of.global, v), "a global of (ref null $ii) refuses another type");
    v.of.funcref = NULL;
    CHECK(corral_global_set(g.of.global, v), "and takes null");

    corral_store_delete(s);
    corral_module_delete(m);
}

int main(void)
{
    corral_engine_t *engine = corral_engine_new(NULL);
    test_host_values(engine);
    corral_engine_delete(engine);
    return unit_report("test_typed_refs");
}
