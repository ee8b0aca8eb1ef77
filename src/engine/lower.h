/* lower.h: the lowered (internal) form of a function that the interpreter runs, and the
 * contract between the lowering pass (lower.c) and the interpreter (interp.c). The
 * instruction set itself is iop.def; docs/design/interp.md explains shapes and conventions.
 * Lowered code is immutable once built and shared by every instance of its module. */
#ifndef CORRAL_LOWER_H
#define CORRAL_LOWER_H

#include "module.h"

#include <stdint.h>
#include <stdio.h>

typedef enum {
#define IOP(name, nops, wasm, shape) IOP_##name,
#include "iop.def"
#undef IOP
    IOP_COUNT
} Iop;

/* Words (u32) an instruction with n fixed operands occupies: the 2-word handler plus the
 * operands, rounded up to even so the next handler word is 8-byte aligned. */
#define IOP_WORDS(n) ((2u + (uint32_t)(n) + 1u) & ~1u)

enum {
#define IOP(name, nops, wasm, shape) IOP_LEN_##name = (nops) < 0 ? 0 : IOP_WORDS(nops),
#include "iop.def"
#undef IOP
};

/* In the memory operand of the _M instructions (iop.def, "Memories"): the memory is 64-bit,
 * its addresses full i64s. The rest of the word is the memory's index. */
#define LOWER_MEM64 0x80000000u

/* Maps a code position (word index of an instruction) to the byte offset in the module of
 * the Wasm instruction it came from: the backtrace side table. */
typedef struct CodeMap {
    uint32_t code; /* word index, ascending */
    uint32_t wasm; /* byte offset in Module.bytes */
} CodeMap;

/* A safepoint of a function of a GC module (docs/design/gc.md, "Roots"): where a collection
 * may run while the frame is live, and which of its cells hold references there. key is the
 * code position times two for a call (the position is the call's end, its callers'
 * CtlFrame.ret), plus one for an allocating GC instruction (its start, the ip its handler
 * runs at): an allocation right after a call has a key of its own, the greater one, so the
 * keys ascend in code order. The bitset is ncells
 * bits (frame cells from 0: params, locals, then the operand temps in use) in
 * LoweredFunc.safe_bits from word `bits`. */
typedef struct GcSafepoint {
    uint32_t key;    /* ascending */
    uint32_t ncells;
    uint32_t bits;
} GcSafepoint;

/* Exception handling. A throw finds its handler by table lookup, so code that does not
 * throw pays nothing: a handler covers the code words [start, end) of a try_table's (or a
 * legacy try's) body; the innermost one covering the throwing position (the THROW, or the
 * call an exception came out of) is tried first, then `next` (the enclosing handler or,
 * for a legacy delegate, the one its label names), and so on; EH_NONE passes the exception
 * to the caller. A handler's clauses are a list: the first that matches (the tag's
 * identity, or a catch_all) writes the payload's cells to `vals` and the exception to `exn`
 * (byte offsets from the frame; EH_NONE: not kept) and continues at code word `target`
 * (EH_NONE: the function returns, the payload being its results). */
#define EH_NONE UINT32_MAX
typedef struct EhClause {
    uint32_t tag;    /* tag index in the module, EH_NONE for catch_all */
    uint32_t target; /* code word */
    uint32_t vals, exn;
    uint32_t next;   /* next clause of the handler, EH_NONE at the last */
    uint32_t arm_end; /* a legacy catch: its arm is the code [target, arm_end), which holds
                       * the exception in exn until it is left (EXN_RELEASE on the ways out
                       * by branch or fall-through; the unwinder for a throw); else EH_NONE */
} EhClause;

typedef struct EhHandler {
    uint32_t start, end; /* code words covered */
    uint32_t next;       /* handler tried next, EH_NONE for the caller */
    uint32_t first;      /* first clause, EH_NONE for none */
} EhHandler;

/* A lowered function. Frame layout in 64-bit cells: [params | locals | temps], where the
 * Wasm operand-stack value at depth d lives in cell nlocals + d. */
typedef struct LoweredFunc {
    uint32_t *code;       /* 8-byte aligned; instructions as described in iop.def */
    uint32_t code_len;    /* words */
    uint32_t nparams;
    uint32_t nresults;
    uint32_t nlocals;     /* params included */
    uint32_t frame_cells; /* cells the frame needs: nlocals + maximum stack height */
    uint32_t func_index;  /* in the module's function index space */
    uint32_t fuel;        /* fuel a call charges: the body's Wasm instructions, end included
                           * (at most FUEL_MAX_CHARGE) */
    uint32_t nmap;
    CodeMap *map;
    uint32_t nosr;  /* loops where a running frame may move to native code (native.c): */
    CodeMap *osr;   /* the label's word and the loop's Wasm offset, ascending; only loops
                     * at an empty operand stack without params, so locals are all there is */
    uint32_t nhandlers; /* exception handlers, in the order their blocks open (so an inner
                         * one comes after the handlers enclosing it) */
    EhHandler *handlers;
    EhClause *clauses;
    bool gc_maps;        /* a GC module's function: its frames are scanned by safe[] only */
    uint32_t nsafe;
    GcSafepoint *safe;   /* ascending by key */
    uint32_t *safe_bits;
} LoweredFunc;

/* The reference cells of lf's frame at a safepoint: the bitset (ncells bits in *out_ncells),
 * or NULL when lf has no map there (a function of a module without GC, or a position that
 * is no safepoint). */
const uint32_t *lowered_stack_map(const LoweredFunc *lf, uint32_t pos, bool call,
                                  uint32_t *out_ncells);

/* The largest fuel charge of one function entry or back-edge: a body of more instructions
 * (over a gigabyte of code) charges this much. The cap lets the interpreter count a slice of
 * fuel in 32 bits (FUEL_SLICE + FUEL_MAX_CHARGE < 2^31). */
#define FUEL_MAX_CHARGE (1u << 30)

/* The largest frame a function may have (cells); bigger ones are refused at load. */
#define LOWER_MAX_FRAME_CELLS (1u << 24)

/* Lazy lowering. A function is lowered on its first call, not when its module loads, so
 * start-up costs what runs rather than what the module holds. Until then its Func points at
 * the stub: frame_cells 0, fuel 0 and one LAZY instruction, which calls lower_get and
 * enters the function again (interp.c). */

/* The shared stand-in for every function not lowered yet. */
const LoweredFunc *lower_stub(void);
/* The lowered form of defined function ci (index in m->codes), lowering it now if no thread
 * has yet. Thread-safe. NULL with *out_err set (a static message) when lowering fails. */
const LoweredFunc *lower_get(const Module *m, uint32_t ci, const char **out_err);
/* The lowered form of defined function ci if it exists, else the stub. */
const LoweredFunc *lower_peek(const Module *m, uint32_t ci);

/* The Wasm offset of the loop whose label is the code word at pos, if it is one of lf's
 * entry points for native code (LoweredFunc.osr), else UINT32_MAX. */
uint32_t lowered_osr_loop(const LoweredFunc *lf, uint32_t pos);

/* Byte offset in the module of the Wasm instruction that produced the code word at pos. */
uint32_t lowered_wasm_offset(const LoweredFunc *lf, uint32_t pos);

/* interp.c: the handler word for each Iop (label addresses of the threaded interpreter), or
 * NULL when the interpreter dispatches with a switch over the Iop numbers. */
const void *const *interp_handler_table(void);

/* Name of an internal instruction (for dumps and tests). */
const char *iop_name(Iop op);

/* Prints lf's code, one instruction a line (operands as signed words): for debugging. */
void lowered_dump(const LoweredFunc *lf, FILE *out);

#endif
