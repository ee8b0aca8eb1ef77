/* test_text.c: the text library (src/text): tokens and string escapes, numeric literals at
 * their edges, and modules encoded byte for byte, with the spec's wording for malformed
 * text and the position of the error. */
#include "unit.h"

#include "text/wat_int.h"

static Lexer lx;
static TextError err;

static bool lex(const char *src)
{
    lex_free(&lx);
    return lex_all(&lx, src, strlen(src), &err) == TX_OK;
}

static void test_tokens(void)
{
    CHECK(lex("(module $m \"a\\n\\u{41}\\ff\\\"\" ;; line comment\n"
              " (; outer (; nested ;) ;) 0x1_0 -inf nan:0x1 offset=4 (@ann x \")\") .5)"),
          "a module's tokens lex");
    static const uint8_t kinds[] = {TOK_LPAREN,  TOK_KEYWORD, TOK_ID,      TOK_STRING,
                                    TOK_NUM,     TOK_NUM,     TOK_KEYWORD, TOK_KEYWORD,
                                    TOK_RESERVED, TOK_RPAREN, TOK_EOF};
    CHECK(lx.ntoks == sizeof kinds, "comments and the annotation leave no tokens");
    for (size_t i = 0; i < lx.ntoks && i < sizeof kinds; i++)
        CHECK(lx.toks[i].kind == kinds[i], "token kind");
    const Tok *s = &lx.toks[3];
    CHECK(s->val_len == 5 && !memcmp(lex_str(&lx, s), "a\nA\xff\"", 5), "string escapes decode");
    CHECK(lx.toks[0].match == 9, "parentheses match");
    CHECK(lx.toks[4].line == 2 && lx.toks[4].col == 27, "line and column of a token");

    CHECK(!lex("(func \"abc"), "an unclosed string fails");
    CHECK(strstr(err.msg, "unclosed string") && err.line == 1 && err.col == 7,
          "unclosed string: message and where");
    CHECK(!lex("\"\\q\""), "an unknown escape fails");
    CHECK(!lex("\"\\u{d800}\""), "a surrogate escape fails");
    CHECK(!lex("(; (; ;)"), "an unclosed nested comment fails");
    CHECK(lex("(a))") && lx.toks[3].kind == TOK_RPAREN,
          "an unmatched ) stays a token: the parser fails where it reaches it");
    CHECK(!lex("(a\n") && strstr(err.msg, "unexpected token") && err.line == 2 && err.col == 1,
          "an unclosed ( fails at the end");
    CHECK(!lex("(data\"a\")") && strstr(err.msg, "unknown operator"),
          "a string glued to a keyword is one odd token");

    /* WebAssembly 3.0: quoted identifiers, annotations with their errors, CR ends a comment */
    CHECK(lex("$abc $\"abc\" $\"\\61bc\"") && lx.ntoks == 4, "quoted identifiers lex");
    for (size_t i = 0; i < 3; i++)
        CHECK(lx.toks[i].kind == TOK_ID && lx.toks[i].val_len == 3 &&
                  !memcmp(lex_str(&lx, &lx.toks[i]), "abc", 3),
              "an identifier's name: $abc, $\"abc\" and an escape name the same");
    CHECK(!lex("$\"\"") && strstr(err.msg, "empty identifier"), "$\"\" is empty");
    CHECK(!lex("(func $ x)") && strstr(err.msg, "empty identifier") && err.col == 7,
          "a lone $ is empty");
    CHECK(!lex("$\"\\ff\"") && strstr(err.msg, "malformed UTF-8"), "a quoted id is UTF-8");
    CHECK(lex("(@\"a b\" (x) \")\" (; ) ;) ;; )\n) x") && lx.ntoks == 2,
          "an annotation with a quoted id, strings and comments is space");
    CHECK(!lex("(@ x)") && strstr(err.msg, "empty annotation id"), "(@ x) has no id");
    CHECK(!lex("(@x (y)") && strstr(err.msg, "unclosed annotation") && err.col == 1,
          "an unclosed annotation fails where it opens");
    CHECK(!lex("(@x \x01)") && strstr(err.msg, "illegal character"), "a control character");
    CHECK(!lex("(@x \xc3)") && strstr(err.msg, "malformed UTF-8"), "a truncated UTF-8 sequence");
    CHECK(!lex("(@x \xc3\xa9)") && strstr(err.msg, "illegal character"),
          "UTF-8 outside a string");
    CHECK(lex("x ;; comment\ry") && lx.ntoks == 3, "a carriage return ends a line comment");
    lex_free(&lx);
}

static bool int_is(const char *s, int bits, uint64_t want)
{
    uint64_t v;
    return num_int(s, strlen(s), bits, &v) == NUM_OK && v == want;
}

static NumStatus int_st(const char *s, int bits)
{
    uint64_t v;
    return num_int(s, strlen(s), bits, &v);
}

static bool float_is(const char *s, int bits, uint64_t want)
{
    uint64_t v;
    return num_float(s, strlen(s), bits, &v) == NUM_OK && v == want;
}

static NumStatus float_st(const char *s, int bits)
{
    uint64_t v;
    return num_float(s, strlen(s), bits, &v);
}

static void test_integers(void)
{
    CHECK(int_is("0", 32, 0) && int_is("1_000", 32, 1000), "decimal");
    CHECK(int_is("0x7fff_FFFF", 32, 0x7fffffff), "hex with separators");
    CHECK(int_is("4294967295", 32, 0xffffffff), "the largest u32");
    CHECK(int_is("-0x80000000", 32, 0x80000000), "the smallest s32");
    CHECK(int_is("-1", 64, UINT64_MAX) && int_is("+7", 32, 7), "signs");
    CHECK(int_is("18446744073709551615", 64, UINT64_MAX), "the largest u64");
    CHECK(int_st("4294967296", 32) == NUM_RANGE, "u32 overflow");
    CHECK(int_st("-2147483649", 32) == NUM_RANGE, "s32 underflow");
    CHECK(int_st("+2147483648", 32) == NUM_RANGE, "a + sign makes it an s32");
    CHECK(int_st("18446744073709551616", 64) == NUM_RANGE, "u64 overflow");
    CHECK(int_st("1__0", 32) == NUM_SYNTAX && int_st("_1", 32) == NUM_SYNTAX &&
              int_st("1_", 32) == NUM_SYNTAX && int_st("0x", 32) == NUM_SYNTAX,
          "misplaced separators and empty hex");
    CHECK(int_st("1.0", 32) == NUM_SYNTAX && int_st("0xg", 32) == NUM_SYNTAX,
          "not integers");
    uint64_t v;
    CHECK(num_uint("12", 2, UINT32_MAX, &v) == NUM_OK && v == 12, "uN");
    CHECK(num_uint("+1", 2, UINT32_MAX, &v) == NUM_SYNTAX, "uN has no sign");
}

static void test_floats(void)
{
    CHECK(float_is("0x1p-149", 32, 1), "the smallest f32 subnormal");
    CHECK(float_is("0x1.fffffep127", 32, 0x7f7fffff), "the largest f32");
    CHECK(float_is("0x1.fffffefffffffffffp127", 32, 0x7f7fffff), "hex rounds down");
    CHECK(float_is("1e-46", 32, 0) && float_is("-0.0", 32, 0x80000000), "zeros");
    CHECK(float_is("1_0.2_5e+0_1", 64, 0x4059a00000000000), "decimal with separators");
    CHECK(float_is("0x1.8p1", 64, 0x4008000000000000), "hex float");
    CHECK(float_is("inf", 32, 0x7f800000) && float_is("-inf", 64, 0xfff0000000000000),
          "infinities");
    CHECK(float_is("nan", 32, 0x7fc00000) && float_is("-nan", 32, 0xffc00000), "nan");
    CHECK(float_is("nan:0x1", 32, 0x7f800001) && float_is("-nan:0xf_ffff_ffff_ffff", 64,
                                                         0xffffffffffffffff),
          "nan payloads");
    CHECK(float_is("7", 32, 0x40e00000), "an integer literal as a float");
    CHECK(float_st("1e39", 32) == NUM_RANGE && float_st("0x1p128", 32) == NUM_RANGE,
          "f32 overflow");
    CHECK(float_st("0x1.fffffffffffff8p1023", 64) == NUM_RANGE, "f64 overflow by rounding");
    CHECK(float_st("nan:0x0", 32) == NUM_RANGE && float_st("nan:0x80_0000", 32) == NUM_RANGE,
          "nan payloads out of range");
    CHECK(float_st(".5", 32) == NUM_SYNTAX && float_st("1e", 32) == NUM_SYNTAX &&
              float_st("0x1p", 64) == NUM_SYNTAX && float_st("nan:1", 32) == NUM_SYNTAX &&
              float_st("0x.8", 32) == NUM_SYNTAX,
          "malformed floats");
    CHECK(float_is("1.", 64, 0x3ff0000000000000) && float_is("0x1.", 64, 0x3ff0000000000000),
          "a trailing point");
}

/* Encodes src; on success compares with want (n bytes) when want is not NULL. */
static bool encodes(const char *src, const uint8_t *want, size_t n)
{
    uint8_t *bytes;
    size_t len;
    if (text_module_encode(src, strlen(src), &bytes, &len, &err))
        return false;
    bool ok = !want || (len == n && !memcmp(bytes, want, n));
    free(bytes);
    return ok;
}

/* src must fail with a message containing msg at line:col (col 0: any). */
static bool fails(const char *src, const char *msg, uint32_t line, uint32_t col)
{
    uint8_t *bytes;
    size_t len;
    if (!text_module_encode(src, strlen(src), &bytes, &len, &err)) {
        free(bytes);
        return false;
    }
    return strstr(err.msg, msg) && err.line == line && (!col || err.col == col);
}

static void test_simd(void)
{
    static const uint8_t splat[] = {
        0, 'a', 's', 'm', 1, 0, 0, 0,
        1, 5, 1, 0x60, 0, 1, 0x7b,   /* type: [] -> [v128] */
        3, 2, 1, 0,
        10, 22, 1, 20, 0, 0xfd, 0x0c, /* v128.const i16x8 1 -1 ... */
        1, 0, 0xff, 0xff, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 0x00, 0x80, 0x0b,
    };
    CHECK(encodes("(func (result v128) (v128.const i16x8 1 -1 2 3 4 5 6 -32768))", splat,
                  sizeof splat),
          "v128.const i16x8: lanes little-endian, signed forms wrapped");
    CHECK(encodes("(func (param v128) (result i32) (i8x16.extract_lane_u 15 (local.get 0)))",
                  NULL, 0),
          "a lane index");
    CHECK(fails("(func (result i32) (i8x16.extract_lane_u 256 (v128.const i64x2 0 0)))",
                "malformed lane index", 1, 0),
          "a lane index over 255 is malformed");
    CHECK(fails("(func (v128.const i32x4 1 2 3) drop)", "wrong number of lane literals", 1, 0),
          "too few lanes");
    CHECK(fails("(func (param v128) (result v128) (i8x16.shuffle 0 1 2 (local.get 0) "
                "(local.get 0)))",
                "invalid lane length", 1, 0),
          "a shuffle of 3 lanes");
    CHECK(fails("(func (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15.0) (nop)))",
                "malformed lane index", 1, 0),
          "an error inside a field comes before an unmatched ) after it");
}

static void test_modules(void)
{
    static const uint8_t empty[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    CHECK(encodes("(module)", empty, sizeof empty), "the empty module");
    CHECK(encodes("", empty, sizeof empty), "no fields at all");
    static const uint8_t answer2[] = {
        0, 'a', 's', 'm', 1, 0, 0, 0,
        1, 5, 1, 0x60, 0, 1, 0x7f, /* type: [] -> [i32] */
        3, 2, 1, 0,                /* func: type 0 */
        7, 5, 1, 1, 'f', 0, 0,     /* export "f" func 0 */
        10, 6, 1, 4, 0, 0x41, 42, 0x0b, /* code: no locals, i32.const 42, end */
    };
    CHECK(encodes("(module (func (export \"f\") (result i32) i32.const 42))", answer2,
                  sizeof answer2),
          "a function with an inline export, byte for byte");
    CHECK(encodes("(module $m (func (export \"f\") (result i32) (i32.const 42)))", answer2,
                  sizeof answer2),
          "the folded form encodes the same");
    static const uint8_t shared[] = {
        0, 'a', 's', 'm', 1, 0, 0, 0,
        1, 6, 1, 0x60, 1, 0x7f, 1, 0x7f, /* one type for both functions */
        3, 3, 2, 0, 0,
        10, 11, 2, 4, 0, 0x20, 0, 0x0b, 4, 0, 0x20, 0, 0x0b,
    };
    CHECK(encodes("(type $t (func (param i32) (result i32)))"
                  "(func $a (type $t) (local.get 0))"
                  "(func $b (param $x i32) (result i32) (local.get $x))",
                  shared, sizeof shared),
          "an explicit type and an implicit use of it");
    CHECK(encodes("(memory (data \"ab\")) (table funcref (elem $f)) (func $f)"
                  "(elem declare func $f) (data (memory 0) (offset (i32.const 1)) \"c\")"
                  "(global $g (mut f64) (f64.const -0x1p-3)) (start $f)",
                  NULL, 0),
          "abbreviations of memories, tables, segments, globals and start");

    CHECK(fails("(func block $a end $b)", "mismatching label", 1, 20), "mismatching label");
    CHECK(fails("(func (br $nowhere))", "unknown label", 1, 11), "unknown label");
    CHECK(fails("(func\n  (i32.frob))", "unknown operator i32.frob", 2, 4), "unknown operator");
    CHECK(fails("(global anyfunc (ref.null func))", "unknown operator anyfunc", 1, 9),
          "an unknown word as a value type");
    CHECK(encodes("(func $\"f\" (call $f))", NULL, 0), "$f and $\"f\" are one id");
    CHECK(fails("(func $f) (func $\"f\")", "duplicate func", 1, 17), "a quoted duplicate id");
    CHECK(fails("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))", "alignment", 1, 34),
          "alignment not a power of two");
    CHECK(fails("(func (drop (i32.const 4294967296)))", "constant out of range", 1, 24),
          "i32 constant out of range");
    CHECK(fails("(func) (import \"m\" \"n\" (func))", "import after function", 1, 0),
          "import after a function");
    CHECK(fails("(func $f) (func $f)", "duplicate func", 1, 17), "duplicate function id");
    CHECK(fails("(type $t (func)) (func (type $t) (param i32))", "inline function type", 1, 0),
          "an inline type that contradicts (type $t)");
    CHECK(fails("(func (export \"\\80\"))", "malformed UTF-8 encoding", 1, 15),
          "a name that is not UTF-8");
    CHECK(fails("(start 0) (start 0) (func)", "multiple start sections", 1, 0),
          "two start fields");
    CHECK(fails("(func (local i32) (param i32))", "unexpected token", 1, 0),
          "a param after a local");
}

static void test_script(void)
{
    const char *src = "(module $M (func (export \"e\") (param i32) (result i32) local.get 0))\n"
                      "(register \"M\" $M)\n"
                      "(assert_return (invoke $M \"e\" (i32.const -1)) (i32.const 0xffffffff))\n"
                      "(assert_return (invoke \"e\" (i32.const 0)) (f32.const nan:canonical))\n"
                      "(assert_malformed (module quote \"(func\" \" (i32.const))\") \"x\")\n"
                      "(assert_trap (module (func unreachable) (start 0)) \"unreachable\")\n";
    TextScript s;
    CHECK(text_script_parse(src, strlen(src), &s, &err) == TX_OK, "a script parses");
    CHECK(s.ncmds == 6, "six commands");
    if (s.ncmds == 6) {
        CHECK(s.cmds[0].kind == TCMD_MODULE && !strcmp(s.cmds[0].id, "$M") &&
                  s.cmds[0].module.bytes && !s.cmds[0].module.error,
              "a named module, encoded");
        CHECK(s.cmds[1].kind == TCMD_REGISTER && s.cmds[1].as_len == 1, "register");
        CHECK(s.cmds[2].action.nargs == 1 && s.cmds[2].action.args[0].bits == 0xffffffff &&
                  s.cmds[2].expected[0].bits == 0xffffffff && s.cmds[2].line == 3,
              "invoke with arguments and results");
        CHECK(s.cmds[3].expected[0].match == TVM_NAN_CANONICAL, "nan:canonical");
        CHECK(s.cmds[4].module.quoted && s.cmds[4].module.error &&
                  strstr(s.cmds[4].module.error, "unexpected token"),
              "a malformed quoted module carries its error");
        CHECK(s.cmds[5].kind == TCMD_ASSERT_UNINSTANTIABLE, "assert_trap on a module");
    }
    text_script_free(&s);
    CHECK(text_script_parse("(frobnicate)", 12, &s, &err) == TX_ERR &&
              strstr(err.msg, "unknown command"),
          "an unknown command stops the script");
}

int main(void)
{
    test_tokens();
    test_integers();
    test_floats();
    test_modules();
    test_simd();
    test_script();
    printf("test_text: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
