/* text.h: the WebAssembly text format (.wat) and the spec's script format (.wast), as far
 * as Corral reads them: a module's text becomes its binary encoding, which then goes through
 * the engine's decoder and validator like any other module. The library checks only what
 * the text format itself defines (tokens, syntax, names, abbreviations): every type error
 * is left for the validator, so "malformed" and "invalid" keep the spec's meaning.
 * libc only; nothing here knows the engine's API. */
#ifndef CORRAL_TEXT_H
#define CORRAL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Status of every text function: 0 is success. */
typedef enum TxStatus { TX_OK = 0, TX_ERR = 1 } TxStatus;

#define TX_WARN __attribute__((warn_unused_result))

enum { TEXT_MSG_SIZE = 256 };

/* The first error: where it is (1-based line and byte column of the offending token) and
 * the spec's wording where it has one ("unexpected token", "unknown operator", "alignment",
 * "i32 constant out of range", "mismatching label", "malformed UTF-8 encoding" ...). */
typedef struct TextError {
    uint32_t line, col;
    char msg[TEXT_MSG_SIZE];
} TextError;

/* Where the text format of WebAssembly 3.0 reads the same text differently from 2.0's, the
 * flags say which to follow (TEXT_3_0, the default, sets them all):
 *   TEXT_MEMORY64  memory64's: memarg offsets and alignments and the limits of memories and
 *                  tables are u64s (a value past a 32-bit memory's range is then the
 *                  validator's to refuse, e.g. "offset out of range"), and memories and tables
 *                  may name their address type (i32 or i64); without it those numbers are
 *                  u32s ("i32 constant out of range"), as in WebAssembly 2.0. */
enum { TEXT_MEMORY64 = 1, TEXT_3_0 = TEXT_MEMORY64, TEXT_2_0 = 0 };

/* Encodes the module in src[0..len) (a "(module ...)" or, as the script format's `module
 * quote` allows, a bare list of module fields) into the binary format. On success
 * *out_bytes is owned by the caller (free()). */
TX_WARN TxStatus text_module_encode(const char *src, size_t len, uint8_t **out_bytes,
                                    size_t *out_len, TextError *err);
/* The same with TEXT_* flags (text_module_encode: TEXT_3_0). */
TX_WARN TxStatus text_module_encode_f(const char *src, size_t len, unsigned flags,
                                      uint8_t **out_bytes, size_t *out_len, TextError *err);

/* ---- the script format ---- */

typedef enum TextCmdKind {
    TCMD_MODULE,
    TCMD_REGISTER,
    TCMD_ACTION,
    TCMD_ASSERT_RETURN,
    TCMD_ASSERT_TRAP, /* an action that traps; a module that traps is ASSERT_UNINSTANTIABLE */
    TCMD_ASSERT_EXHAUSTION,
    TCMD_ASSERT_MALFORMED,
    TCMD_ASSERT_INVALID,
    TCMD_ASSERT_UNLINKABLE,
    TCMD_ASSERT_UNINSTANTIABLE,
    TCMD_MODULE_INSTANCE, /* (module instance $I? $M) of a (module definition $M ...) */
    TCMD_ASSERT_EXCEPTION, /* an action that throws an exception no handler catches */
} TextCmdKind;

/* Value kinds of actions' arguments and expected results. */
typedef enum TextValKind {
    TV_I32, TV_I64, TV_F32, TV_F64, TV_FUNCREF, TV_EXTERNREF, TV_V128,
    TV_EITHER, /* an expected result that may be any of alts (relaxed SIMD's tests) */
    TV_NULLREF, /* (ref.null) as an expected result: a null reference of any type */
    TV_ANYREF,  /* GC's any hierarchy: (ref.null any|eq|i31|struct|array|none) (TVM_NULL);
                 * results (ref.struct) (ref.array) (ref.i31) (ref.eq) (ref.any)
                 * (TVM_ANY_REF, heap the category's code); (ref.host N) (heap 0x6f,
                 * bits N: a host reference seen as anyref) */
} TextValKind;

/* How an expected value matches: its exact bits, any canonical or arithmetic NaN, a null
 * reference, or (ref.func with no index) any non-null function reference. */
typedef enum TextValMatch {
    TVM_EXACT, TVM_NAN_CANONICAL, TVM_NAN_ARITHMETIC, TVM_NULL, TVM_ANY_REF,
} TextValMatch;

typedef struct TextVal {
    uint8_t kind;  /* TextValKind */
    uint8_t match; /* TextValMatch */
    uint64_t bits; /* integers and float bit patterns; ref.extern's N */
    /* TV_V128: lane_bits 8-64 and whether lanes are floats; each lane's bits and match
     * (TVM_EXACT or, float lanes of results, a NaN pattern) */
    uint8_t lane_bits, lane_float, nlanes;
    uint8_t lane_match[16];
    uint64_t lanes[16];
    uint8_t heap;          /* TV_ANYREF: see there */
    struct TextVal *alts; /* TV_EITHER: the alternatives, owned */
    size_t nalts;
} TextVal;

/* A module of a command: its binary encoding, or the text error that prevented it (a
 * malformed module), all owned by the script. */
typedef struct TextModule {
    uint8_t *bytes;
    size_t len;
    char *error;   /* "LINE:COL: message" when the text is malformed, else NULL */
    bool quoted;   /* `module quote` */
    bool binary;   /* `module binary` */
} TextModule;

typedef struct TextAction {
    bool is_get;       /* get, else invoke */
    char *module;      /* "$id" or NULL for the current module */
    char *name;        /* the export name (may hold NUL bytes) */
    size_t name_len;
    TextVal *args;
    size_t nargs;
} TextAction;

typedef struct TextCommand {
    uint8_t kind;      /* TextCmdKind */
    uint32_t line;
    char *id;          /* module: its "$id"; register: the module's "$id"; module instance: the
                        * instance's "$id" (each may be NULL) */
    char *as;          /* register: the name it is registered as */
    size_t as_len;
    bool has_module;   /* module and the assert_* on modules */
    bool definition;   /* module: (module definition ...), loaded but not instantiated */
    char *of;          /* module instance: the definition's "$id" */
    TextModule module;
    bool has_action;
    TextAction action;
    TextVal *expected; /* assert_return */
    size_t nexpected;
    char *text;        /* the expected message of assert_* */
} TextCommand;

typedef struct TextScript {
    TextCommand *cmds; /* owned */
    size_t ncmds;
} TextScript;

/* Parses a script. Modules are encoded here; a module whose text is malformed is not a
 * script error (the command then carries the module's error) unless the script's own
 * structure is broken. On failure *out is empty and err says where. */
TX_WARN TxStatus text_script_parse(const char *src, size_t len, TextScript *out,
                                   TextError *err);
/* The same with TEXT_* flags for its modules (text_script_parse: TEXT_3_0). */
TX_WARN TxStatus text_script_parse_f(const char *src, size_t len, unsigned flags,
                                     TextScript *out, TextError *err);
void text_script_free(TextScript *s);

#endif
