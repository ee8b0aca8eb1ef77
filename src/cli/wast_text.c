/* wast_text.c: the CLI's bridge to src/text. A .wast script becomes the same JSON commands
 * wast2json writes, so `corral wast` runs both through one executor, with the modules kept in
 * memory (a "text_module" index instead of a file name); and a module in the text format,
 * given to run, validate or compile, becomes its binary encoding. */
#include "cli.h"
#include "wast_text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cli_text_to_binary(const char *name, uint8_t **bytes, size_t *len)
{
    TextError err;
    uint8_t *bin;
    size_t bin_len;
    if (!cli_looks_like_text(*bytes, *len))
        return true;
    if (text_module_encode((const char *)*bytes, *len, &bin, &bin_len, &err)) {
        cli_error("%s:%u:%u: %s", name, (unsigned)err.line, (unsigned)err.col, err.msg);
        return false;
    }
    free(*bytes);
    *bytes = bin;
    *len = bin_len;
    return true;
}

static const char *const kind_names[] = {"i32",       "i64",  "f32", "f64", "funcref",
                                          "externref", "v128", "ref"};

/* {"type": "v128", "lane_type": "i32", "value": ["1", ..., "nan:canonical"]}, as
 * wast2json writes it. */
static json_t *v128_json(const TextVal *v)
{
    char lt[8], text[32];
    snprintf(lt, sizeof lt, "%c%u", v->lane_float ? 'f' : 'i', (unsigned)v->lane_bits);
    json_t *lanes = json_array();
    for (unsigned i = 0; lanes && i < v->nlanes; i++) {
        if (v->lane_match[i] == TVM_NAN_CANONICAL)
            snprintf(text, sizeof text, "nan:canonical");
        else if (v->lane_match[i] == TVM_NAN_ARITHMETIC)
            snprintf(text, sizeof text, "nan:arithmetic");
        else
            snprintf(text, sizeof text, "%" PRIu64, v->lanes[i]);
        json_array_append_new(lanes, json_string(text));
    }
    return json_pack("{s:s, s:s, s:o}", "type", "v128", "lane_type", lt, "value", lanes);
}

static json_t *vals_json(const TextVal *vs, size_t n);

static json_t *val_json(const TextVal *v)
{
    char text[32];
    if (v->kind == TV_V128)
        return v128_json(v);
    if (v->kind == TV_NULLREF)
        return json_pack("{s:s, s:s}", "type", "ref", "value", "null");
    if (v->kind == TV_ANYREF) { /* GC's: types of our own spelling (wast2json has none) */
        const char *t = v->heap == 0x6b   ? "structref"
                        : v->heap == 0x6a ? "arrayref"
                        : v->heap == 0x6c ? "i31ref"
                        : v->heap == 0x6d ? "eqref"
                        : v->heap == 0x6f ? "hostref"
                                          : "anyref";
        if (v->heap == 0x6f) {
            snprintf(text, sizeof text, "%" PRIu64, v->bits);
            return json_pack("{s:s, s:s}", "type", t, "value", text);
        }
        return json_pack("{s:s, s:s}", "type", t, "value", v->match == TVM_NULL ? "null" : "any");
    }
    if (v->kind == TV_EITHER) /* as wast2json writes it */
        return json_pack("{s:s, s:o}", "type", "either", "values", vals_json(v->alts, v->nalts));
    switch (v->match) {
    case TVM_NAN_CANONICAL:
        snprintf(text, sizeof text, "nan:canonical");
        break;
    case TVM_NAN_ARITHMETIC:
        snprintf(text, sizeof text, "nan:arithmetic");
        break;
    case TVM_NULL:
        snprintf(text, sizeof text, "null");
        break;
    case TVM_ANY_REF:
        snprintf(text, sizeof text, "any");
        break;
    default:
        snprintf(text, sizeof text, "%" PRIu64, v->bits);
        break;
    }
    return json_pack("{s:s, s:s}", "type", kind_names[v->kind], "value", text);
}

static json_t *vals_json(const TextVal *vs, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, val_json(&vs[i]));
    return a;
}

static json_t *action_json(const TextAction *a)
{
    json_t *o = json_pack("{s:s, s:s%}", "type", a->is_get ? "get" : "invoke", "field", a->name,
                          a->name_len);
    if (o && a->module)
        json_object_set_new(o, "module", json_string(a->module));
    if (o && !a->is_get)
        json_object_set_new(o, "args", vals_json(a->args, a->nargs));
    return o;
}

static const char *const cmd_types[] = {
    [TCMD_MODULE] = "module",
    [TCMD_REGISTER] = "register",
    [TCMD_ACTION] = "action",
    [TCMD_ASSERT_RETURN] = "assert_return",
    [TCMD_ASSERT_TRAP] = "assert_trap",
    [TCMD_ASSERT_EXHAUSTION] = "assert_exhaustion",
    [TCMD_ASSERT_MALFORMED] = "assert_malformed",
    [TCMD_ASSERT_INVALID] = "assert_invalid",
    [TCMD_ASSERT_UNLINKABLE] = "assert_unlinkable",
    [TCMD_ASSERT_UNINSTANTIABLE] = "assert_uninstantiable",
    [TCMD_MODULE_INSTANCE] = "module_instance",
    [TCMD_ASSERT_EXCEPTION] = "assert_exception",
};

static json_t *command_json(const TextCommand *c, size_t index)
{
    const char *type = c->definition ? "module_definition" : cmd_types[c->kind];
    json_t *o = json_pack("{s:s, s:I}", "type", type, "line", (json_int_t)c->line);
    if (!o)
        return NULL;
    if (c->has_module)
        json_object_set_new(o, "text_module", json_integer((json_int_t)index));
    if (c->id)
        json_object_set_new(o, "name", json_string(c->id));
    if (c->as)
        json_object_set_new(o, "as", json_stringn(c->as, c->as_len));
    if (c->of)
        json_object_set_new(o, "module", json_string(c->of));
    if (c->has_action)
        json_object_set_new(o, "action", action_json(&c->action));
    if (c->kind == TCMD_ASSERT_RETURN)
        json_object_set_new(o, "expected", vals_json(c->expected, c->nexpected));
    if (c->text)
        json_object_set_new(o, "text", json_string(c->text));
    return o;
}

json_t *wast_text_load(const char *path, const uint8_t *text, size_t len, uint32_t features,
                       TextScript *out)
{
    TextError err;
    unsigned flags = features & CORRAL_FEATURE_MEMORY64 ? TEXT_MEMORY64 : 0;
    if (text_script_parse_f((const char *)text, len, flags, out, &err)) {
        cli_error("%s:%u:%u: %s", cli_display_name(path), (unsigned)err.line, (unsigned)err.col,
                  err.msg);
        return NULL;
    }
    json_t *cmds = json_array();
    json_t *root = json_pack("{s:s, s:o}", "source_filename", path, "commands", cmds);
    for (size_t i = 0; root && i < out->ncmds; i++)
        if (json_array_append_new(cmds, command_json(&out->cmds[i], i)))
            break;
    if (!root || json_array_size(cmds) != out->ncmds) {
        cli_error("%s: out of memory", cli_display_name(path));
        json_decref(root);
        text_script_free(out);
        return NULL;
    }
    return root;
}
