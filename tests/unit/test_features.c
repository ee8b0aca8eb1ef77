/* test_features.c: --wasm-features lists (corral_features_parse) and what a switched-off
 * feature does to a module that uses it: refused with the feature named, as the 2.0 decoder
 * refuses what it does not know; and Module.features_used, which the compiled tier reads. */
#include "corral.h"
#include "unit.h"

#include <string.h>

static uint32_t parse(const char *list, uint32_t start, bool *ok)
{
    uint32_t f = start;
    *ok = corral_features_parse(list, &f) == NULL;
    return f;
}

static void test_parse(void)
{
    bool ok;
    CHECK(parse("3.0", 0, &ok) == CORRAL_FEATURES_3_0 && ok, "3.0 is every 3.0 feature");
    CHECK(parse("2.0", CORRAL_FEATURES_3_0, &ok) == CORRAL_FEATURE_SIMD && ok,
          "2.0 replaces the set: SIMD only");
    CHECK(parse("none", CORRAL_FEATURES_3_0, &ok) == 0 && ok, "none clears");
    CHECK(parse("3.0,-gc", 0, &ok) == (CORRAL_FEATURES_3_0 & ~CORRAL_FEATURE_GC) && ok,
          "-gc after 3.0 switches GC off");
    CHECK(parse("2.0,tail-call,+multi-memory", 0, &ok) ==
                  (CORRAL_FEATURE_SIMD | CORRAL_FEATURE_TAIL_CALL | CORRAL_FEATURE_MULTI_MEMORY) &&
              ok,
          "names add features, with or without +");
    CHECK(parse("no-simd", CORRAL_FEATURES_2_0, &ok) == 0 && ok, "no-NAME switches off");
    uint32_t f = CORRAL_FEATURES_3_0;
    const char *msg = corral_features_parse("3.0,tailcall", &f);
    CHECK(msg && strstr(msg, "'tailcall'") && f == CORRAL_FEATURES_3_0,
          "an unknown name is named and nothing changes");
    f = 7;
    CHECK(corral_features_parse("", &f) != NULL && f == 7, "an empty item is refused");
    CHECK(corral_features_parse("simd,", &f) != NULL, "a trailing comma is refused");
    CHECK(!strcmp(corral_feature_name(CORRAL_FEATURE_TAIL_CALL), "tail-call"), "names a bit");
    CHECK(corral_feature_name(CORRAL_FEATURES_3_0) == NULL, "a set is no single feature");
}

/* (module (func (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4)))) */
static const uint8_t simd_module[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01,
    0x7f, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x19, 0x01, 0x17, 0x00, 0xfd, 0x0c, 0x01, 0x00,
    0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
    0xfd, 0x1b, 0x00, 0x0b};

static void test_switched_off(void)
{
    corral_config_t cfg;
    corral_config_default(&cfg);
    CHECK(cfg.features == CORRAL_FEATURES_3_0, "the default is 3.0");
    corral_engine_t *on = corral_engine_new(&cfg);
    cfg.features &= ~CORRAL_FEATURE_SIMD;
    corral_engine_t *off = corral_engine_new(&cfg);
    corral_module_t *m = NULL;
    corral_error_t *err = corral_module_new(on, simd_module, sizeof simd_module, &m);
    CHECK(err == NULL && m, "SIMD on: the module loads");
    corral_module_delete(m);
    m = NULL;
    err = corral_module_new(off, simd_module, sizeof simd_module, &m);
    CHECK(err && !m, "SIMD off: refused");
    if (err) {
        CHECK(strstr(corral_error_message(err), "v128.const: simd is switched off") != NULL,
              corral_error_message(err));
        corral_error_delete(err);
    }
    corral_engine_delete(on);
    corral_engine_delete(off);
}

int main(void)
{
    test_parse();
    test_switched_off();
    return unit_report("test_features");
}
