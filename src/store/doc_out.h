/* doc_out.h: the store's answers as documents: an invoice, a label, search matches built as
 * jansson trees (key order kept), then written as JSON or as TOML. The TOML writer handles
 * what these trees hold: strings, integers, booleans, arrays of scalars, tables and arrays
 * of tables (written [[a.b]] under the element they belong to). */
#ifndef CORRAL_STORE_DOC_OUT_H
#define CORRAL_STORE_DOC_OUT_H

#include "store/invoice.h"

#include <jansson.h>
#include <stddef.h>

/* New (owned, json_decref) trees; NULL when memory is short. */
json_t *doc_invoice(const Invoice *inv);
json_t *doc_label(const InvLabel *label);

/* Object obj as TOML text: owned NUL-terminated string (free()), length in *out_len; NULL
 * when memory is short or obj holds what TOML cannot say (null, a float, mixed arrays). */
char *doc_toml(const json_t *obj, size_t *out_len);

/* Object obj as JSON text (compact, key order kept): owned, free(). */
char *doc_json(const json_t *obj, size_t *out_len);

#endif
