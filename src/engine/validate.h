/* validate.h: the spec's validation of a decoded Module (validate.c), and the block-type
 * resolution it shares with the lowering pass, so both read block types the same way. */
#ifndef CORRAL_VALIDATE_H
#define CORRAL_VALIDATE_H

#include "module.h"

/* Validates the whole module, function bodies included. Returns 0 when valid; otherwise
 * nonzero with err filled: the spec's phrase, the byte offset, and the function index for
 * body errors (UINT32_MAX otherwise). Borrows m; allocates only scratch freed before return. */
int validate_module(const Module *m, DecodeError *err) __attribute__((warn_unused_result));

/* Resolves a block type as read by instr_read (BT_EMPTY, a negative value-type code or a
 * type index) to its params and results. The arrays borrow from m's FuncTypes or from static
 * one-element arrays, and are never NULL (even when empty). False when bt is not a value
 * type of WebAssembly 2.0 (SIMD excluded) nor a type index below m->ntypes. */
bool blocktype_sig(const Module *m, int64_t bt, uint32_t *nparams, const ValType **params,
                   uint32_t *nresults, const ValType **results);

#endif
