/* test_gc.c: garbage collection's collector (src/engine/gc.c, docs/design/gc.md). Guests
 * that build and drop linked structures under a small heap limit, so that many collections
 * run, check that what stays reachable survives intact: from locals and operand temps of
 * frames, globals, tables, array elements, i31s, exception payloads and the host's roots; a
 * live set past the limit traps "out of memory"; an integer equal to a dropped object's
 * address keeps nothing alive (the frames' roots are precise). The collections' pause times
 * are printed (a reported figure, not asserted). */
#include "corral.h"
#include "text/text.h"
#include "unit.h"

#include <inttypes.h>
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

static const char wat[] =
    "(module\n"
    "  (type $node (struct (field $val i32) (field $next (mut (ref null $node)))))\n"
    "  (type $arr (array (mut (ref null $node))))\n"
    "  (type $bytes (array (mut i8)))\n"
    "  (tag $e (param (ref null $node)))\n"
    "  (global $keep (mut (ref null $node)) (ref.null $node))\n"
    "  (table $t 4 anyref)\n"
    "  (func $build (export \"build\") (param $n i32) (param $base i32)\n"
    "      (result (ref null $node))\n"
    "    (local $head (ref null $node)) (local $i i32)\n"
    "    (block $done (loop $l\n"
    "      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))\n"
    "      (local.set $head (struct.new $node (i32.add (local.get $base) (local.get $i))\n"
    "                                         (local.get $head)))\n"
    "      (drop (array.new_default $bytes (i32.const 100)))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (local.get $head))\n"
    "  (func $sum (export \"sum\") (param $h (ref null $node)) (result i32)\n"
    "    (local $s i32)\n"
    "    (block $done (loop $l\n"
    "      (br_if $done (ref.is_null (local.get $h)))\n"
    "      (local.set $s (i32.add (local.get $s) (struct.get $node $val (local.get $h))))\n"
    "      (local.set $h (struct.get $node $next (local.get $h)))\n"
    "      (br $l)))\n"
    "    (local.get $s))\n"
    "  (func $expect (param $n i32) (param $base i32) (result i32)\n"
    "    (i32.add (i32.mul (local.get $n) (local.get $base))\n"
    "             (i32.div_u (i32.mul (local.get $n) (i32.sub (local.get $n) (i32.const 1)))\n"
    "                        (i32.const 2))))\n"
    "  (func $check (param $h (ref null $node)) (param $n i32) (param $base i32) (result i32)\n"
    "    (i32.ne (call $sum (local.get $h)) (call $expect (local.get $n) (local.get $base))))\n"
    "  (func $check2 (param $a (ref null $node)) (param $b (ref null $node)) (param $n i32)\n"
    "      (param $r i32) (result i32)\n"
    "    (i32.add (call $check (local.get $a) (local.get $n) (local.get $r))\n"
    "             (call $check (local.get $b) (local.get $n) (i32.const 9))))\n"
    "  (func $thrower (param $n i32) (throw $e (call $build (local.get $n) (i32.const 5))))\n"
    "  (func (export \"run\") (param $rounds i32) (param $n i32) (result i32)\n"
    "    (local $r i32) (local $bad i32) (local $l (ref null $node)) (local $a (ref null $arr))\n"
    "    (local $caught (ref null $node))\n"
    "    (global.set $keep (call $build (local.get $n) (i32.const 1000)))\n"
    "    (table.set $t (i32.const 0) (call $build (local.get $n) (i32.const 7)))\n"
    "    (table.set $t (i32.const 1) (ref.i31 (i32.const 12345)))\n"
    "    (local.set $a (array.new $arr (ref.null $node) (i32.const 8)))\n"
    "    (array.set $arr (local.get $a) (i32.const 3) (call $build (local.get $n) (i32.const 3)))\n"
    "    (local.set $caught (block $h (result (ref null $node))\n"
    "      (try_table (catch $e $h) (call $thrower (local.get $n)))\n"
    "      (ref.null $node)))\n"
    "    (block $done (loop $lp\n"
    "      (br_if $done (i32.ge_u (local.get $r) (local.get $rounds)))\n"
    "      ;; an operand temp holds a list while the next is built\n"
    "      (local.set $l (call $build (local.get $n) (local.get $r)))\n"
    "      (local.set $bad (i32.add (local.get $bad)\n"
    "        (i32.add (call $check (local.get $l) (local.get $n) (local.get $r))\n"
    "                 (call $check (call $build (local.get $n) (i32.const 9))\n"
    "                              (local.get $n) (i32.const 9)))))\n"
    "      ;; the first list only in an operand temp while the second is built\n"
    "      (local.set $bad (i32.add (local.get $bad)\n"
    "        (call $check2 (call $build (local.get $n) (local.get $r))\n"
    "                      (call $build (local.get $n) (i32.const 9))\n"
    "                      (local.get $n) (local.get $r))))\n"
    "      (local.set $r (i32.add (local.get $r) (i32.const 1)))\n"
    "      (br $lp)))\n"
    "    (local.set $bad (i32.add (local.get $bad)\n"
    "      (call $check (global.get $keep) (local.get $n) (i32.const 1000))))\n"
    "    (local.set $bad (i32.add (local.get $bad)\n"
    "      (call $check (ref.cast (ref null $node) (table.get $t (i32.const 0)))\n"
    "                   (local.get $n) (i32.const 7))))\n"
    "    (local.set $bad (i32.add (local.get $bad)\n"
    "      (i32.ne (i31.get_u (ref.cast (ref i31) (table.get $t (i32.const 1))))\n"
    "              (i32.const 12345))))\n"
    "    (local.set $bad (i32.add (local.get $bad)\n"
    "      (call $check (array.get $arr (local.get $a) (i32.const 3)) (local.get $n)\n"
    "                   (i32.const 3))))\n"
    "    (local.set $bad (i32.add (local.get $bad)\n"
    "      (call $check (local.get $caught) (local.get $n) (i32.const 5))))\n"
    "    (local.get $bad))\n"
    "  (func (export \"hog\") (param $n i32) (result i32)\n"
    "    (global.set $keep (call $build (local.get $n) (i32.const 0)))\n"
    "    (i32.const 0))\n"
    ")\n";

static bool export_func(corral_instance_t *inst, const char *name, corral_func_t **out)
{
    corral_extern_t ex;
    if (!corral_instance_export(inst, name, strlen(name), &ex) || ex.kind != CORRAL_EXTERN_FUNC)
        return false;
    *out = ex.of.func;
    return true;
}

static void test_collector(void)
{
    corral_config_t cfg;
    corral_config_default(&cfg);
    cfg.max_gc_heap_bytes = 4u << 20; /* small: many collections */
    corral_engine_t *engine = corral_engine_new(&cfg);
    corral_module_t *m = module_from_text(engine, wat);
    CHECK(m != NULL, "the module loads");
    if (!m) {
        corral_engine_delete(engine);
        return;
    }
    corral_store_t *s = corral_store_new(engine);
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *err = corral_instance_new(s, m, NULL, 0, &inst, &trap);
    CHECK(!err && !trap && inst, "the module instantiates");
    corral_func_t *run = NULL, *build = NULL, *sum = NULL, *hog = NULL;
    if (err || trap || !inst || !export_func(inst, "run", &run) ||
        !export_func(inst, "build", &build) || !export_func(inst, "sum", &sum) ||
        !export_func(inst, "hog", &hog)) {
        CHECK(false, "the exports are there");
        goto done;
    }

    /* a list the host holds, rooted across the calls that collect */
    corral_val_t args[2] = {corral_val_i32(300), corral_val_i32(50)}, held, r;
    corral_trap_t *t = corral_func_call(s, build, args, 2, &held, 1);
    CHECK(!t && held.kind == CORRAL_ANYREF && corral_anyref_kind(&held) == CORRAL_ANY_STRUCT,
          "a struct comes back to the host as an anyref");
    if (t)
        corral_trap_delete(t);
    CHECK(corral_anyref_root(s, &held), "the host roots it");

    /* rounds of lists built and dropped: 300 nodes (and 300 byte arrays) a list, two lists
     * a round, 200 rounds: about 30 MiB through a 4 MiB heap */
    args[0] = corral_val_i32(200);
    args[1] = corral_val_i32(300);
    r = corral_val_i32(-1);
    t = corral_func_call(s, run, args, 2, &r, 1);
    CHECK(!t, "the allocation-heavy guest runs within the limit");
    if (t) {
        fprintf(stderr, "  trap: %s\n", corral_trap_message(t));
        corral_trap_delete(t);
    }
    CHECK(r.kind == CORRAL_I32 && r.of.i32 == 0,
          "every list reachable from a local, temp, global, table, array, i31 and exception "
          "payload survives intact");
    uint64_t n = 0, max_ns = 0, total_ns = 0;
    corral_store_gc_stats(s, &n, &max_ns, &total_ns);
    CHECK(n >= 5, "collections ran");
    printf("  %" PRIu64 " collections, longest pause %.3f ms, mean %.3f ms (4 MiB heap limit)\n",
           n, (double)max_ns / 1e6, n ? (double)total_ns / (double)n / 1e6 : 0.0);

    /* the rooted list is intact */
    r = corral_val_i32(-1);
    t = corral_func_call(s, sum, &held, 1, &r, 1);
    CHECK(!t && r.of.i32 == 300 * 50 + 300 * 299 / 2, "the host's rooted list survives");
    if (t)
        corral_trap_delete(t);
    corral_anyref_unroot(s, &held);

    /* a live set past the limit: out of memory, not unbounded growth */
    args[0] = corral_val_i32(200000);
    t = corral_func_call(s, hog, args, 1, &r, 1);
    CHECK(t && !strcmp(corral_trap_message(t), "out of memory"),
          "a live set past the heap limit traps out of memory");
    if (t)
        corral_trap_delete(t);

    /* and the store goes on after it: the dropped list is collected */
    args[0] = corral_val_i32(20);
    args[1] = corral_val_i32(300);
    t = corral_func_call(s, run, args, 2, &r, 1);
    CHECK(!t && r.of.i32 == 0, "the store runs on after out of memory");
    if (t) {
        fprintf(stderr, "  trap: %s\n", corral_trap_message(t));
        corral_trap_delete(t);
    }
done:
    corral_store_delete(s);
    corral_module_delete(m);
    corral_engine_delete(engine);
}

/* A larger live set (200,000 nodes kept, as many byte arrays dropped) under 64 MiB: the
 * pause of collections that mark a few megabytes, reported. */
static void test_pause_large(void)
{
    corral_config_t cfg;
    corral_config_default(&cfg);
    cfg.max_gc_heap_bytes = 64u << 20;
    corral_engine_t *engine = corral_engine_new(&cfg);
    corral_module_t *m = module_from_text(engine, wat);
    corral_store_t *s = m ? corral_store_new(engine) : NULL;
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *err = s ? corral_instance_new(s, m, NULL, 0, &inst, &trap) : NULL;
    corral_func_t *hog = NULL, *run = NULL;
    if (s && !err && !trap && inst && export_func(inst, "hog", &hog) &&
        export_func(inst, "run", &run)) {
        corral_val_t args[2] = {corral_val_i32(200000), corral_val_i32(0)}, r;
        corral_trap_t *t = corral_func_call(s, hog, args, 1, &r, 1);
        CHECK(!t, "200,000 live nodes fit 64 MiB");
        if (t)
            corral_trap_delete(t);
        args[0] = corral_val_i32(20);
        args[1] = corral_val_i32(2000);
        t = corral_func_call(s, run, args, 2, &r, 1);
        CHECK(!t && r.of.i32 == 0, "lists survive beside a large live set");
        if (t)
            corral_trap_delete(t);
        uint64_t n = 0, max_ns = 0, total_ns = 0;
        corral_store_gc_stats(s, &n, &max_ns, &total_ns);
        printf("  %" PRIu64 " collections, longest pause %.3f ms, mean %.3f ms (64 MiB limit, "
               "~200k live objects)\n",
               n, (double)max_ns / 1e6, n ? (double)total_ns / (double)n / 1e6 : 0.0);
    } else {
        CHECK(false, "the module instantiates (64 MiB)");
    }
    if (err)
        corral_error_delete(err);
    if (trap)
        corral_trap_delete(trap);
    corral_store_delete(s);
    corral_module_delete(m);
    corral_engine_delete(engine);
}

/* Objects of an instance made after a store mark outlive corral_store_reset_to(mark) and
 * their module's handle, until a collection frees them: their types must stay readable
 * (run under ASan to see it). */
static void test_partial_reset(void)
{
    corral_config_t cfg;
    corral_config_default(&cfg);
    cfg.max_gc_heap_bytes = 2u << 20;
    corral_engine_t *engine = corral_engine_new(&cfg);
    corral_store_t *s = corral_store_new(engine);
    corral_global_t *g = corral_global_new(s, CORRAL_I32, false, corral_val_i32(1));
    CHECK(g != NULL, "something before the mark");
    size_t mark = corral_store_mark(s);
    corral_module_t *m1 = module_from_text(engine, wat);
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *err = m1 ? corral_instance_new(s, m1, NULL, 0, &inst, &trap) : NULL;
    corral_func_t *build = NULL, *run = NULL;
    CHECK(m1 && !err && !trap && inst && export_func(inst, "build", &build),
          "a first instance after the mark");
    if (build) {
        corral_val_t args[2] = {corral_val_i32(2000), corral_val_i32(1)}, r;
        corral_trap_t *t = corral_func_call(s, build, args, 2, &r, 1);
        CHECK(!t, "it allocates");
        if (t)
            corral_trap_delete(t);
    }
    corral_store_reset_to(s, mark);
    corral_module_delete(m1); /* the store still holds it for its objects */
    corral_module_t *m2 = module_from_text(engine, wat);
    inst = NULL;
    err = m2 ? corral_instance_new(s, m2, NULL, 0, &inst, &trap) : NULL;
    CHECK(m2 && !err && !trap && inst && export_func(inst, "run", &run),
          "a second instance after the reset");
    if (run) {
        corral_val_t args[2] = {corral_val_i32(30), corral_val_i32(300)}, r;
        corral_trap_t *t = corral_func_call(s, run, args, 2, &r, 1);
        CHECK(!t && r.of.i32 == 0, "collections sweep the first instance's objects safely");
        if (t)
            corral_trap_delete(t);
    }
    corral_store_delete(s);
    corral_module_delete(m2);
    corral_engine_delete(engine);
}

/* The embedding API's view of GC values: kinds, i31s, host references, type checks. */
static void test_api(void)
{
    static const char api_wat[] =
        "(module\n"
        "  (type $s (struct (field i32)))\n"
        "  (type $t (struct (field i64)))\n"
        "  (func (export \"mk\") (result (ref $s)) (struct.new $s (i32.const 4)))\n"
        "  (func (export \"mkt\") (result (ref $t)) (struct.new $t (i64.const 4)))\n"
        "  (func (export \"get\") (param (ref $s)) (result i32) (struct.get $s 0 (local.get 0)))\n"
        "  (func (export \"i31\") (result i31ref) (ref.i31 (i32.const -2)))\n"
        "  (func (export \"int\") (param externref) (result anyref)\n"
        "    (any.convert_extern (local.get 0))))\n";
    corral_engine_t *engine = corral_engine_new(NULL);
    corral_module_t *m = module_from_text(engine, api_wat);
    corral_store_t *s = m ? corral_store_new(engine) : NULL;
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *err = s ? corral_instance_new(s, m, NULL, 0, &inst, &trap) : NULL;
    corral_func_t *mk = NULL, *mkt = NULL, *get = NULL, *i31 = NULL, *in = NULL;
    if (!s || err || trap || !inst || !export_func(inst, "mk", &mk) ||
        !export_func(inst, "mkt", &mkt) || !export_func(inst, "get", &get) ||
        !export_func(inst, "i31", &i31) || !export_func(inst, "int", &in)) {
        CHECK(false, "the API module instantiates");
        goto done;
    }
    CHECK(corral_functype_result(corral_func_type(mk), 0) == CORRAL_ANYREF,
          "a (ref $struct) result is an anyref to the host");
    corral_val_t a, b, r;
    corral_trap_t *t = corral_func_call(s, mk, NULL, 0, &a, 1);
    CHECK(!t && corral_anyref_kind(&a) == CORRAL_ANY_STRUCT, "a struct");
    t = t ? t : corral_func_call(s, get, &a, 1, &r, 1);
    CHECK(!t && r.of.i32 == 4, "passed back, its field reads");
    t = t ? t : corral_func_call(s, mkt, NULL, 0, &b, 1);
    corral_trap_t *t2 = t ? NULL : corral_func_call(s, get, &b, 1, &r, 1);
    CHECK(t2 && !strcmp(corral_trap_message(t2), "argument type does not match the function type"),
          "a struct of another type is refused where (ref $s) is expected");
    if (t2)
        corral_trap_delete(t2);
    t = t ? t : corral_func_call(s, i31, NULL, 0, &r, 1);
    CHECK(!t && corral_anyref_kind(&r) == CORRAL_ANY_I31 && corral_anyref_i31(&r, true) == -2 &&
              corral_anyref_i31(&r, false) == 0x7ffffffe,
          "an i31, signed and unsigned");
    corral_val_t ext = {.kind = CORRAL_EXTERNREF, .of.externref = (void *)(uintptr_t)0x1234};
    t = t ? t : corral_func_call(s, in, &ext, 1, &r, 1);
    CHECK(!t && corral_anyref_kind(&r) == CORRAL_ANY_HOST &&
              corral_anyref_host(&r) == (void *)(uintptr_t)0x1234,
          "a host reference made anyref keeps its identity");
    CHECK(corral_anyref_from_host(s, (void *)(uintptr_t)0x99, &r) &&
              corral_anyref_host(&r) == (void *)(uintptr_t)0x99,
          "corral_anyref_from_host");
    if (t)
        corral_trap_delete(t);
done:
    if (err)
        corral_error_delete(err);
    if (trap)
        corral_trap_delete(trap);
    corral_store_delete(s);
    corral_module_delete(m);
    corral_engine_delete(engine);
}

/* Precise roots: frames are scanned by their stack maps, so an integer that happens to equal
 * an object's address keeps nothing alive. A 10 MB array is made and dropped (the host keeps
 * its value unrooted; an anyref's of.externref is the object's address here); the guest then
 * holds that address as an i64, in locals and in an operand temp, while another 10 MB array
 * is allocated under a 16 MiB limit, by a callee and by the frame itself. Were the integer a
 * root, the dropped array would stay and the allocation trap "out of memory". */
static const char precise_wat[] =
    "(module\n"
    "  (type $bytes (array (mut i8)))\n"
    "  (func (export \"make\") (result (ref null $bytes))\n"
    "    (array.new_default $bytes (i32.const 10000000)))\n"
    "  (func $alloc (result i32) (array.len (array.new_default $bytes (i32.const 10000000))))\n"
    "  (func (export \"hold\") (param $addr i64) (param $zero i64) (result i64)\n"
    "    (local $copy i64)\n"
    "    (local.set $copy (local.get $addr))\n"
    "    ;; in a temp (not folded: $zero is not a constant) across a call that allocates\n"
    "    (i64.add (i64.add (local.get $addr) (local.get $zero))\n"
    "             (i64.extend_i32_u (call $alloc)))\n"
    "    ;; and in this frame's locals while it allocates itself\n"
    "    (i64.extend_i32_u (array.len (array.new_default $bytes (i32.const 10000000))))\n"
    "    (i64.add)\n"
    "    (i64.sub (local.get $copy))\n"
    "    (i64.add (local.get $copy)))\n"
    ")\n";

static void test_precise(void)
{
    corral_config_t cfg;
    corral_config_default(&cfg);
    cfg.max_gc_heap_bytes = 16u << 20;
    corral_engine_t *engine = corral_engine_new(&cfg);
    corral_module_t *m = module_from_text(engine, precise_wat);
    corral_store_t *s = corral_store_new(engine);
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *err = m ? corral_instance_new(s, m, NULL, 0, &inst, &trap) : NULL;
    corral_func_t *make = NULL, *hold = NULL;
    if (!m || err || trap || !inst || !export_func(inst, "make", &make) ||
        !export_func(inst, "hold", &hold)) {
        CHECK(false, "the precision module instantiates");
        goto done;
    }
    corral_val_t a, r, args[2];
    corral_trap_t *t = corral_func_call(s, make, NULL, 0, &a, 1);
    CHECK(!t && a.kind == CORRAL_ANYREF && corral_anyref_kind(&a) == CORRAL_ANY_ARRAY,
          "a 10 MB array is made (and dropped: not rooted)");
    uint64_t addr = (uint64_t)(uintptr_t)a.of.externref, n0 = 0, n1 = 0, ns1, ns2;
    corral_store_gc_stats(s, &n0, &ns1, &ns2);
    args[0] = corral_val_i64((int64_t)addr);
    args[1] = corral_val_i64(0);
    r = corral_val_i64(0);
    t = t ? t : corral_func_call(s, hold, args, 2, &r, 1);
    CHECK(!t, "an i64 equal to the dropped array's address keeps nothing alive: the next "
              "allocations fit");
    if (t) {
        fprintf(stderr, "  trap: %s\n", corral_trap_message(t));
        corral_trap_delete(t);
    }
    CHECK(r.kind == CORRAL_I64 && (uint64_t)r.of.i64 == addr + 20000000u,
          "the integer itself is kept intact");
    corral_store_gc_stats(s, &n1, &ns1, &ns2);
    CHECK(n1 >= n0 + 2, "both allocations collected first");
done:
    if (err)
        corral_error_delete(err);
    if (trap)
        corral_trap_delete(trap);
    corral_store_delete(s);
    if (m)
        corral_module_delete(m);
    corral_engine_delete(engine);
}

/* A passive element segment's items that allocate are evaluated once, at instantiation: they
 * stay roots until the segment is dropped, so array.new_elem after many collections reads
 * live objects (a use after free under ASan before they were roots). */
static const char elem_wat[] =
    "(module\n"
    "  (type $pt (struct (field i32)))\n"
    "  (type $arr (array (ref null $pt)))\n"
    "  (type $bytes (array (mut i8)))\n"
    "  (elem $e (ref null $pt) (item (struct.new $pt (i32.const 7)))\n"
    "                          (item (struct.new $pt (i32.const 8))))\n"
    "  (func (export \"run\") (result i32)\n"
    "    (local $i i32)\n"
    "    (block $done (loop $l\n"
    "      (br_if $done (i32.ge_u (local.get $i) (i32.const 3000)))\n"
    "      (drop (array.new_default $bytes (i32.const 1000)))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (i32.add\n"
    "      (struct.get $pt 0 (array.get $arr (array.new_elem $arr $e (i32.const 0) (i32.const 2))\n"
    "                                        (i32.const 0)))\n"
    "      (struct.get $pt 0 (array.get $arr (array.new_elem $arr $e (i32.const 0) (i32.const 2))\n"
    "                                        (i32.const 1)))))\n"
    ")\n";

static void test_elem_roots(void)
{
    corral_engine_t *engine = corral_engine_new(NULL);
    corral_module_t *m = module_from_text(engine, elem_wat);
    corral_store_t *s = corral_store_new(engine);
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *err = m ? corral_instance_new(s, m, NULL, 0, &inst, &trap) : NULL;
    corral_func_t *run = NULL;
    if (!m || err || trap || !inst || !export_func(inst, "run", &run)) {
        CHECK(false, "the element segment module instantiates");
        goto done;
    }
    corral_val_t r = corral_val_i32(0);
    corral_trap_t *t = corral_func_call(s, run, NULL, 0, &r, 1);
    uint64_t n = 0, ns1, ns2;
    corral_store_gc_stats(s, &n, &ns1, &ns2);
    CHECK(!t && r.of.i32 == 15 && n >= 1,
          "a passive segment's objects survive collections until array.new_elem reads them");
    if (t)
        corral_trap_delete(t);
done:
    if (err)
        corral_error_delete(err);
    if (trap)
        corral_trap_delete(trap);
    corral_store_delete(s);
    if (m)
        corral_module_delete(m);
    corral_engine_delete(engine);
}

int main(void)
{
    test_api();
    test_elem_roots();
    test_precise();
    test_collector();
    test_partial_reset();
    test_pause_large();
    return unit_report("test_gc");
}
