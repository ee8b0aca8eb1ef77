/* validate.h: the spec's validation of a decoded Module (validate.c), and the block-type
 * resolution it shares with the lowering pass, so both read block types the same way. */
#ifndef CORRAL_VALIDATE_H
#define CORRAL_VALIDATE_H

#include "module.h"

/* Validation runs inside decoding (decode.c), in the module's order, so that the first
 * malformation anywhere wins over any validation error, as in the spec's reference decoder:
 * validate_head once the sections before the code section are decoded, validate_code for
 * each function body as the code section is read, validate_tail at the end. Each returns
 * VAL_OK, VAL_INVALID (a validation error, in err) or VAL_MALFORMED (a decode error, in err):
 * the spec's phrase, the byte offset, and the function index for body errors (UINT32_MAX
 * otherwise). A Val borrows the module and keeps scratch stacks from one body to the next. */
typedef struct Val Val;
enum { VAL_OK = 0, VAL_INVALID = 1, VAL_MALFORMED = 2 };

/* NULL when out of memory. */
Val *validate_new(const Module *m);
void validate_delete(Val *v);
/* Types, imports, function types, tables, memories, globals, element segments, start and
 * exports: everything the sections before the code section hold. */
int validate_head(Val *v, DecodeError *err) __attribute__((warn_unused_result));
/* Body code_idx, whose locals and range m->codes[code_idx] holds. full: validate it; else
 * only skim it for what makes a body malformed (after an earlier validation error, or when
 * the module is decoded without validation). */
int validate_code(Val *v, uint32_t code_idx, bool full, DecodeError *err)
    __attribute__((warn_unused_result));
/* Moves the memory.init and data.drop uses `from` noted (validate_data_uses) into `into`.
 * 0, or -1 when out of memory. */
int validate_take_uses(Val *into, Val *from) __attribute__((warn_unused_result));
/* memory.init and data.drop in a module without a data count section, judged once the data
 * section is decoded: malformed when the segment exists, else an unknown segment (the error
 * offset tells which came first among the body errors). */
int validate_data_uses(Val *v, DecodeError *err) __attribute__((warn_unused_result));
/* The data segments (the section after the code section). */
int validate_tail(Val *v, DecodeError *err) __attribute__((warn_unused_result));

/* Resolves a block type as read by instr_read (BT_EMPTY, a negative value-type code or a
 * type index) to its params and results. The arrays borrow from m's FuncTypes or from static
 * one-element arrays, and are never NULL (even when empty). False when bt is not a value
 * type of WebAssembly 2.0 (SIMD excluded) nor a type index below m->ntypes. */
bool blocktype_sig(const Module *m, int64_t bt, uint32_t *nparams, const ValType **params,
                   uint32_t *nresults, const ValType **results);

#endif
