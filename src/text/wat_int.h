/* wat_int.h: what the text library's files share: tokens and the lexer (wat_lex.c),
 * literals (wat_num.c), the growable byte buffer and binary primitives (wat_encode.c), the
 * instruction table (wat_instr.c), and the module parser's state (wat_module.c,
 * wat_body.c). Not for use outside src/text. */
#ifndef CORRAL_WAT_INT_H
#define CORRAL_WAT_INT_H

#include "text.h"

/* ---- tokens (wat_lex.c) ---- */

typedef enum TokKind {
    TOK_EOF,
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_STRING,   /* val_off/val_len: the decoded bytes in Lexer.strs */
    TOK_ID,       /* $name */
    TOK_KEYWORD,  /* starts with a..z */
    TOK_NUM,      /* starts with a digit, or a sign and a digit, inf or nan */
    TOK_RESERVED, /* any other run of id characters */
} TokKind;

typedef struct Tok {
    uint8_t kind;
    uint32_t line, col;
    size_t off, len;         /* the token's text in the source */
    size_t val_off, val_len; /* TOK_STRING */
    size_t match;            /* TOK_LPAREN: index of its TOK_RPAREN */
} Tok;

/* A lexed source: every token up to a final TOK_EOF, parentheses matched, annotations and
 * comments gone. Owns toks and strs, borrows src. */
typedef struct Lexer {
    const char *src;
    size_t len;
    Tok *toks;
    size_t ntoks, cap;
    uint8_t *strs; /* decoded string literals */
    size_t strs_len, strs_cap;
} Lexer;

TX_WARN TxStatus lex_all(Lexer *lx, const char *src, size_t len, TextError *err);
void lex_free(Lexer *lx);
/* The decoded bytes of a TOK_STRING. */
const uint8_t *lex_str(const Lexer *lx, const Tok *t);
/* True when t is the keyword kw. */
bool tok_is(const Lexer *lx, const Tok *t, const char *kw);
/* Records "message" at t's position into err. Returns TX_ERR for tail calls. */
TxStatus tok_fail(TextError *err, const Tok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- literals (wat_num.c) ---- */

/* Results of the literal conversions: NUM_SYNTAX when the token is not a literal of that
 * form, NUM_RANGE when it is but its value does not fit (or a float rounds to infinity, or
 * a NaN payload does not fit). */
typedef enum NumStatus { NUM_OK = 0, NUM_SYNTAX, NUM_RANGE } NumStatus;

/* An unsigned integer literal (uN): decimal or hex, no sign, at most max. */
NumStatus num_uint(const char *s, size_t n, uint64_t max, uint64_t *out);
/* An iN literal of bits 8, 16, 32 or 64: uN or sN; the result as the two's complement
 * pattern. */
NumStatus num_int(const char *s, size_t n, int bits, uint64_t *out);
/* An fN literal of bits 32 or 64 (integer literals included): its bit pattern. */
NumStatus num_float(const char *s, size_t n, int bits, uint64_t *out);
/* A v128.const shape: i8x16, i16x8, i32x4, i64x2, f32x4 or f64x2. */
typedef struct V128Shape {
    uint8_t lane_bits, lanes;
    bool is_float;
} V128Shape;
bool num_v128_shape(const char *s, size_t n, V128Shape *out);
/* One lane of that shape: an integer of its width (signed or unsigned form) or a float's
 * bits. */
NumStatus num_v128_lane(const char *s, size_t n, const V128Shape *sh, uint64_t *out);
/* True when s[0..n) is valid UTF-8 (no surrogates, no overlong forms). */
bool text_utf8_valid(const uint8_t *s, size_t n);

/* ---- bytes (wat_encode.c) ---- */

/* A growable byte buffer; an allocation failure sets oom and later writes do nothing. */
typedef struct Buf {
    uint8_t *p;
    size_t len, cap;
    bool oom;
} Buf;

void buf_byte(Buf *b, uint8_t v);
void buf_bytes(Buf *b, const void *p, size_t n);
void buf_u32(Buf *b, uint32_t v);  /* unsigned LEB128 */
void buf_u64(Buf *b, uint64_t v);
void buf_s32(Buf *b, int32_t v);   /* signed LEB128 */
void buf_s64(Buf *b, int64_t v);
void buf_name(Buf *b, const uint8_t *p, size_t n); /* len32 then the bytes */
void buf_le(Buf *b, uint64_t v, int nbytes);         /* little-endian */
void buf_free(Buf *b);

/* ---- instructions (wat_instr.c) ---- */

/* Immediate kinds, named as in the engine's opcode.def (its IMM column). */
typedef enum TImm {
    TIMM_NONE, TIMM_BLOCKTYPE, TIMM_LABEL, TIMM_BR_TABLE, TIMM_FUNC, TIMM_CALL_INDIRECT,
    TIMM_REFTYPE, TIMM_SELECT_T, TIMM_LOCAL, TIMM_GLOBAL, TIMM_TABLE, TIMM_MEMARG,
    TIMM_MEMIDX, TIMM_I32, TIMM_I64, TIMM_F32, TIMM_F64, TIMM_MEMORY_INIT, TIMM_DATA,
    TIMM_MEMORY_COPY, TIMM_TABLE_INIT, TIMM_ELEM, TIMM_TABLE_COPY, TIMM_V128, TIMM_SHUFFLE,
    TIMM_LANE, TIMM_MEMARG_LANE, TIMM_TAG, TIMM_TRY_TABLE, TIMM_TYPE,
    TIMM_TYPE_FIELD, TIMM_TYPE_COUNT, TIMM_TYPE_DATA, TIMM_TYPE_ELEM, TIMM_TYPE_TYPE,
    TIMM_HEAPTYPE, TIMM_BR_ON_CAST,
} TImm;

typedef struct TInstr {
    const char *name;
    uint32_t code;  /* see instr_emit_opcode */
    uint8_t imm;    /* TImm */
    uint8_t align;  /* log2 natural alignment (memory accesses) */
} TInstr;

/* The instruction named s[0..n), or NULL. */
const TInstr *instr_lookup(const char *s, size_t n);
/* Writes the opcode: one byte below 0x100, else a prefix byte and a LEB128 sub-opcode. */
void instr_emit_opcode(Buf *b, uint32_t code);

/* ---- the module parser (wat_module.c, wat_body.c) ---- */

/* The index spaces that identifiers name. */
typedef enum Space {
    SP_TYPE, SP_FUNC, SP_TABLE, SP_MEMORY, SP_GLOBAL, SP_ELEM, SP_DATA, SP_LOCAL, SP_LABEL,
    SP_TAG, NSPACES
} Space;

/* The identifiers of one index space: ids[i] is the token of index i's $id, or 0 (no id;
 * token 0 is never an id). Lookups go through a small open-addressing hash. */
typedef struct Names {
    size_t *ids;
    uint32_t n, cap;
    uint32_t *hash; /* index + 1, or 0 for an empty slot */
    uint32_t hash_cap;
} Names;

/* Value types in the text library: the engine's word (src/engine/module.h): the binary code
 * of a number, vector or abstract heap type in bits 0-7 (TV_CONCRETE for a type index, in
 * bits 9-31), TV_NONNULL for (ref ht) without null. */
#define TV_CONCRETE 0x01u
#define TV_NONNULL 0x100u
#define TV_MAX_INDEX ((1u << 23) - 1)

typedef struct FuncSig {
    uint32_t nparams, nresults;
    uint32_t *types; /* params then results (value type words); owned */
    uint32_t group_len;     /* GC's rec: the group's size on its first type, 0 on the others;
                             * 1 for a type alone */
    bool sub, final;        /* (sub final? x? ...) */
    uint32_t nsupers, super;
    uint8_t kind;           /* 0 func, 1 struct, 2 array (GC): nparams fields, their storage
                             * types then nresults (= nparams) mutability words (0 / 1) */
    size_t *field_ids;      /* struct: each field's id token, SIZE_MAX when none; owned */
} FuncSig;

typedef struct Wat {
    const Lexer *lx;
    size_t pos;
    TextError *err;
    unsigned flags;       /* TEXT_* */
    Names names[NSPACES];
    FuncSig *types;
    uint32_t ntypes, types_cap;
    uint32_t nempty_recs; /* (rec) groups without types, written first */
    Buf sec[14];          /* section payloads (after their counts), by section id */
    uint32_t count[14];   /* entries in each */
    uint32_t nfunc_imports;
    bool have_start;
    bool uses_data_count; /* memory.init or data.drop appear */
    /* labels of the function being parsed: label_ids[i] is the id token or 0 */
    size_t *label_ids;
    uint32_t nlabels, labels_cap;
} Wat;

static inline const Tok *wat_peek(const Wat *w) { return &w->lx->toks[w->pos]; }
static inline const Tok *wat_peek_at(const Wat *w, size_t k)
{
    size_t i = w->pos + k;
    return &w->lx->toks[i < w->lx->ntoks ? i : w->lx->ntoks - 1];
}
/* True when the next tokens are "(" and the keyword kw. */
bool wat_at_field(const Wat *w, const char *kw);
TX_WARN TxStatus wat_expect(Wat *w, TokKind kind);
TX_WARN TxStatus wat_keyword(Wat *w, const char *kw);
TX_WARN TxStatus wat_fail(Wat *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An index: a u32 literal or an $id bound in space. */
TX_WARN TxStatus wat_index(Wat *w, Space sp, uint32_t *out);
/* A struct field of type `type` (GC's struct.get ...): an index or a field's id. */
TX_WARN TxStatus wat_field_index(Wat *w, uint32_t type, uint32_t *out);
bool wat_at_index(const Wat *w);
TX_WARN TxStatus wat_valtype(Wat *w, uint32_t *out);
TX_WARN TxStatus wat_reftype(Wat *w, uint32_t *out);
/* A heap type: func, extern ... or a type index: the heap word (TV_CONCRETE | index << 9). */
TX_WARN TxStatus wat_heaptype(Wat *w, uint32_t *out);
/* Writes a value type word, a heap type word in the binary format. */
void buf_valtype(Buf *b, uint32_t t);
void buf_heaptype(Buf *b, uint32_t h);
/* Binds the $id token at index i of space, or fails with "duplicate ...". */
TX_WARN TxStatus names_bind(Wat *w, Space sp, size_t tok);
/* Whether the id tokens a and b name the same ($abc and $"abc" do). */
bool same_id(const Wat *w, size_t a, size_t b);
void names_reset(Names *ns);
/* A type use: (type x)? (param ...)* (result ...)*. Sets out->index to the type index,
 * adding an implicit type when needed; "inline function type" when the inline signature
 * contradicts (type x). */
typedef struct TypeUse {
    uint32_t index;
    bool has_type;
    uint32_t nparams, nresults;
    uint32_t single_result; /* the result when nparams == 0 and nresults == 1 */
} TypeUse;
typedef enum TypeUseMode {
    TU_FUNC,   /* a function: params' ids become locals */
    TU_IMPORT, /* an imported function: params may have ids */
    TU_INSTR,  /* call_indirect: no ids */
    TU_BLOCK,  /* a block type: no ids; no type index for [] -> [t?] */
} TypeUseMode;
TX_WARN TxStatus wat_typeuse(Wat *w, TypeUseMode mode, TypeUse *out);

/* Encodes the module fields from token begin up to token end (the module's closing ")" or
 * the final TOK_EOF) as a binary module into *out (owned by the caller). */
TX_WARN TxStatus wat_encode_fields(const Lexer *lx, size_t begin, size_t end, unsigned flags,
                                   Buf *out, TextError *err);

/* Parses instructions up to (not including) the closing ")" of the enclosing form, or up
 * to end/else for a plain block's body (wat_body.c). */
TX_WARN TxStatus body_instrs(Wat *w, Buf *out);
/* One folded instruction "( ... )" (wat_body.c). */
TX_WARN TxStatus body_folded(Wat *w, Buf *out);
/* A constant expression or any expression: instrs then end (0x0b). */
TX_WARN TxStatus body_expr(Wat *w, Buf *out);

#endif
