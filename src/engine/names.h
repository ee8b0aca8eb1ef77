/* names.h: function names from a module's "name" custom section, the lookup behind
 * corral_module_func_name (names.c). Custom sections are not validated, so the parse never
 * fails a module: a malformed name section only means no names. */
#ifndef CORRAL_NAMES_H
#define CORRAL_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* One function's name: bytes [off, off + len) of the module's binary. */
typedef struct FuncName {
    uint32_t func, off, len;
} FuncName;

/* The function-names subsection, sorted by function index (as the spec requires it to be
 * stored), looked up by binary search. 12 bytes a name; the names themselves stay in the
 * module's bytes. */
typedef struct FuncNames {
    uint32_t n;
    FuncName v[];
} FuncNames;

/* Parses the function-names subsection (id 1) of a name section whose payload is
 * bytes[start, start + len), for a module of nfuncs functions (imports included). Returns 0
 * with *out set to an owned table, or to NULL when the section holds no function names or is
 * malformed in any way (a bad subsection frame or LEB128, subsections out of order, a name
 * past its subsection or not UTF-8, indices not strictly increasing or not below nfuncs,
 * bytes left over); -1 only when out of memory. Everything is bounds-checked against
 * bytes_len. */
int func_names_parse(const uint8_t *bytes, size_t bytes_len, uint32_t start, uint32_t len,
                     uint32_t nfuncs, FuncNames **out) __attribute__((warn_unused_result));

/* The entry of func in names (which may be NULL), or NULL. */
const FuncName *func_names_find(const FuncNames *names, uint32_t func);

struct corral_module;
/* Releases the table corral_module_func_name cached in cm (module_release calls it). */
void module_names_free(struct corral_module *cm);

#endif
