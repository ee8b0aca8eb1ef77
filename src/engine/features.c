/* features.c: the names of the WebAssembly features that can be switched off, and the parser
 * of `--wasm-features` lists ("3.0,-gc", "2.0,tail-call"). */
#include "corral.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    uint32_t bits;
    bool set; /* a set of features rather than one */
} feature_names[] = {
    {"simd", CORRAL_FEATURE_SIMD, false},
    {"tail-call", CORRAL_FEATURE_TAIL_CALL, false},
    {"extended-const", CORRAL_FEATURE_EXTENDED_CONST, false},
    {"multi-memory", CORRAL_FEATURE_MULTI_MEMORY, false},
    {"memory64", CORRAL_FEATURE_MEMORY64, false},
    {"exceptions", CORRAL_FEATURE_EXCEPTIONS, false},
    {"legacy-exceptions", CORRAL_FEATURE_LEGACY_EXCEPTIONS, false},
    {"function-references", CORRAL_FEATURE_FUNCTION_REFERENCES, false},
    {"gc", CORRAL_FEATURE_GC, false},
    {"relaxed-simd", CORRAL_FEATURE_RELAXED_SIMD, false},
    /* the sets */
    {"2.0", CORRAL_FEATURES_2_0, true},
    {"3.0", CORRAL_FEATURES_3_0, true},
    {"all", CORRAL_FEATURES_ALL, true},
};

const char *corral_feature_name(uint32_t feature)
{
    for (size_t i = 0; i < sizeof feature_names / sizeof feature_names[0]; i++)
        if (feature_names[i].bits == feature && !feature_names[i].set)
            return feature_names[i].name;
    return NULL;
}

/* One item of the list, [start, start + len). A set replaces the current features; a name adds
 * its feature, or removes it after '-' or "no-". */
static int apply_item(const char *item, size_t len, uint32_t *features)
{
    bool off = false;
    if (len > 0 && item[0] == '-') {
        off = true;
        item++, len--;
    } else if (len > 3 && !memcmp(item, "no-", 3)) {
        off = true;
        item += 3, len -= 3;
    } else if (len > 0 && item[0] == '+') {
        item++, len--;
    }
    if (len == 4 && !memcmp(item, "none", 4) && !off) {
        *features = 0;
        return 0;
    }
    for (size_t i = 0; i < sizeof feature_names / sizeof feature_names[0]; i++) {
        const char *n = feature_names[i].name;
        if (strlen(n) != len || memcmp(n, item, len))
            continue;
        uint32_t bits = feature_names[i].bits;
        if (feature_names[i].set && !off)
            *features = bits;
        else if (off)
            *features &= ~bits;
        else
            *features |= bits;
        return 0;
    }
    return -1;
}

const char *corral_features_parse(const char *list, uint32_t *features)
{
    static char msg[320];
    uint32_t f = *features;
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (apply_item(p, len, &f) != 0) {
            snprintf(msg, sizeof msg,
                     "unknown WebAssembly feature '%.*s' (want 2.0, 3.0, all, none, or a "
                     "feature: simd, tail-call, extended-const, multi-memory, memory64, "
                     "exceptions, legacy-exceptions, function-references, gc, relaxed-simd; "
                     "'-' before one switches it off)",
                     (int)(len > 40 ? 40 : len), p);
            return msg;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    *features = f;
    return NULL;
}
