/* instr.h: the instruction set as data (from opcode.def) and a reader that decodes one
 * instruction with its immediates. Shared by the decoder (to skip constant expressions),
 * the validator and the lowering pass, so immediates are parsed by exactly one piece of code. */
#ifndef CORRAL_INSTR_H
#define CORRAL_INSTR_H

#include "../util/reader.h"
#include "module.h"

typedef enum {
#define OP(e, code, name, imm, params, results, align) OP_##e,
#include "opcode.def"
#undef OP
    OP_COUNT
} Op;

/* Immediate encodings (the IMM column of opcode.def). */
typedef enum {
    IMM_NONE,
    IMM_BLOCKTYPE,     /* blocktype: s33 -> Instr.blocktype */
    IMM_LABEL,         /* a = label depth */
    IMM_BR_TABLE,      /* a = count, b = default label, tab = first label (LEB128s) */
    IMM_FUNC,          /* a = funcidx */
    IMM_CALL_INDIRECT, /* a = typeidx, b = tableidx */
    IMM_REFTYPE,       /* a = the heap type word (module.h; 0x70 func, 0x6f extern ...) */
    IMM_SELECT_T,      /* a = count of types, b = the type (ValType) when count is 1 */
    IMM_TYPE,          /* a = typeidx (call_ref, return_call_ref) */
    IMM_LOCAL,         /* a = localidx */
    IMM_GLOBAL,        /* a = globalidx */
    IMM_TABLE,         /* a = tableidx */
    IMM_MEMARG,        /* a = align exponent, offset (b: its low 32 bits), mem = memory index */
    IMM_MEMIDX,        /* mem = memory index (WebAssembly 2.0: a single zero byte) */
    IMM_I32,           /* imm = value (sign-extended to 64 bits) */
    IMM_I64,           /* imm = value */
    IMM_F32,           /* imm = bit pattern */
    IMM_F64,           /* imm = bit pattern */
    IMM_MEMORY_INIT,   /* a = dataidx, then mem = memory index (2.0: a zero byte) */
    IMM_DATA,          /* a = dataidx */
    IMM_MEMORY_COPY,   /* mem = destination, a = source memory index (2.0: two zero bytes) */
    IMM_TABLE_INIT,    /* a = elemidx, b = tableidx */
    IMM_ELEM,          /* a = elemidx */
    IMM_TABLE_COPY,    /* a = destination tableidx, b = source tableidx */
    IMM_V128,          /* tab = the 16 bytes of the constant, in memory order */
    IMM_SHUFFLE,       /* tab = the 16 lane indices (bytes) */
    IMM_LANE,          /* lane = the lane index (a byte) */
    IMM_MEMARG_LANE,   /* a memarg as IMM_MEMARG, then lane = the lane index */
    IMM_TAG,           /* a = tagidx */
    IMM_TRY_TABLE,     /* blocktype, then a = count of catch clauses, tab = the first
                        * (already checked well-formed: read them with instr_catch) */
    /* garbage collection */
    IMM_TYPE_FIELD,    /* a = typeidx, b = fieldidx (struct.get ...) */
    IMM_TYPE_COUNT,    /* a = typeidx, b = count (array.new_fixed) */
    IMM_TYPE_DATA,     /* a = typeidx, b = dataidx */
    IMM_TYPE_ELEM,     /* a = typeidx, b = elemidx */
    IMM_TYPE_TYPE,     /* a = destination typeidx, b = source typeidx (array.copy) */
    IMM_HEAPTYPE,      /* a = a heap type word (ref.test, ref.cast) */
    IMM_BR_ON_CAST,    /* lane = flags (bit 0: source nullable, bit 1: target nullable),
                        * a = label, b = source heap type, mem = target heap type */
} Imm;

typedef struct OpInfo {
    const char *name;
    uint32_t code;       /* binary opcode: 0xFCxx, 0xFDxx, 0xFD01xx for prefixed (opcode.def) */
    uint8_t imm;         /* Imm */
    uint8_t align;       /* log2 natural alignment of memory accesses */
    const char *params;  /* fixed signature (i I f F letters), NULL when special */
    const char *results;
} OpInfo;

extern const OpInfo op_info[OP_COUNT];

/* Block types as read (s33): BT_EMPTY, a negative value type code of WebAssembly 2.0
 * (0x7f i32 ... 0x70 funcref as code - 0x80), a type index >= 0, or a reference type of
 * typed function references as BT_REF_BASE - its ValType word (bt_ref). */
#define BT_EMPTY (-64)
#define BT_REF_BASE (-0x100)
static inline bool bt_is_ref(int64_t bt) { return bt <= BT_REF_BASE; }
static inline ValType bt_ref(int64_t bt) { return (ValType)(BT_REF_BASE - bt); }

/* A heap type (s33) as a heap word (module.h): an abstract code, or VT_CONCRETE with the
 * type index (one past VT_MAX_TYPE_INDEX reads as VT_MAX_TYPE_INDEX, which no module has,
 * so validation says "unknown type"). Abstract ones of features switched off, and GC's, are
 * refused. Errors: "malformed heap type", the later features' messages, LEB128 errors. */
RD_WARN RdStatus instr_read_heaptype(Reader *r, uint32_t features, uint32_t *out);
/* A value type by the features' binary format: number, vector, the reference shorthands,
 * and (typed function references) 0x63 ht / 0x64 ht. Concrete indices as read (the decoder
 * canonicalizes them). Errors: "malformed value type" and the later features' messages. */
RD_WARN RdStatus instr_read_valtype(Reader *r, uint32_t features, ValType *out);
/* The message for a one-byte value type code of a feature switched off or not supported,
 * or NULL. */
const char *instr_later_valtype(uint8_t code, uint32_t features);

typedef struct Instr {
    uint16_t op;         /* Op */
    size_t off;          /* byte offset of the opcode in the module */
    uint32_t a, b;       /* index immediates, see Imm */
    int64_t blocktype;   /* IMM_BLOCKTYPE */
    uint64_t imm;        /* constants: value or bit pattern */
    const uint8_t *tab;  /* IMM_BR_TABLE: the label vector (already checked well-formed);
                          * IMM_V128, IMM_SHUFFLE: the 16 immediate bytes */
    uint8_t lane;        /* IMM_LANE, IMM_MEMARG_LANE */
    uint32_t mem;        /* memory index: IMM_MEMARG, IMM_MEMARG_LANE, IMM_MEMIDX,
                          * IMM_MEMORY_INIT, IMM_MEMORY_COPY (the destination) */
    uint64_t offset;     /* IMM_MEMARG, IMM_MEMARG_LANE: the offset (u64 with memory64) */
} Instr;

/* Decodes one instruction at r, by the binary format of the CORRAL_FEATURE_* set features:
 * without multiple memories a memory index of memory.size, memory.grow, memory.fill,
 * memory.copy and memory.init is WebAssembly 2.0's zero byte ("zero byte expected"), and
 * without memory64 a memarg's offset is a u32 (else a u64). Errors: instr_illegal_msg
 * ("illegal opcode"), a later feature's "... is not supported yet" (later.def), "zero byte
 * expected", "malformed memop flags", "malformed reference type", LEB128 errors,
 * "unexpected end". */
RD_WARN RdStatus instr_read_f(Reader *r, Instr *out, uint32_t features);
/* instr_read_f with every feature: for code already validated (with any feature set, since
 * every encoding valid without a feature decodes the same with it). */
RD_WARN RdStatus instr_read(Reader *r, Instr *out);

/* The CORRAL_FEATURE_* bit an instruction belongs to, 0 for the 2.0 core without SIMD; the
 * validator refuses an instruction whose feature is switched off. */
uint32_t instr_feature(uint16_t op);

extern const char instr_illegal_msg[];
/* "illegal opcode ff" (or "illegal opcode fc 40" for a prefixed one) for the opcode bytes at
 * p (n bytes available), for an error reported as instr_illegal_msg. */
void instr_describe_illegal(const uint8_t *p, size_t n, char *buf, size_t cap);

/* Walks a br_table's labels: call with *pos = ins->tab first; returns the next label. */
uint32_t instr_br_label(const uint8_t **pos);

/* try_table's catch clauses, by their binary kind. */
enum { CATCH_TAG = 0, CATCH_TAG_REF = 1, CATCH_ALL = 2, CATCH_ALL_REF = 3 };
typedef struct Catch {
    uint8_t kind; /* CATCH_* */
    uint32_t tag; /* CATCH_TAG, CATCH_TAG_REF */
    uint32_t label;
} Catch;
/* Walks a try_table's clauses: call with *pos = ins->tab first; returns the next one. */
Catch instr_catch(const uint8_t **pos);

/* The number of lanes an instruction's lane immediate (IMM_LANE, IMM_MEMARG_LANE) indexes. */
uint32_t instr_lane_count(uint16_t op);

/* Converts a value-type code (0x7f ...) to its letter in opcode.def signatures and back. */
uint8_t valtype_from_letter(char c);

#endif
