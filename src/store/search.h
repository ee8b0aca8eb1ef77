/* search.h: Bindle's search (BINDLE.md 4.1 `_q`, 4.5): invoices whose name contains the
 * query term and whose version is in the range, in "NAME/VERSION" byte order, one page of
 * them, as Bindle's Matches document. */
#ifndef CORRAL_STORE_SEARCH_H
#define CORRAL_STORE_SEARCH_H

#include "store/provider.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct SearchQuery {
    const char *term;  /* "" matches every name */
    const char *range; /* "" matches every version; unparsable matches none */
    uint64_t offset;   /* default 0 */
    unsigned limit;    /* default 50, at most 255 */
    bool strict;       /* echoed only: the one engine is strict (Bindle's too) */
    bool yanked;       /* include yanked invoices */
} SearchQuery;

/* Matches: query, strict (always true), offset, limit, total, more (total > offset +
 * limit), yanked, invoices. A new object (json_decref), or NULL with *out_err owned. */
json_t *search_run(Provider *p, const SearchQuery *q, char **out_err);

#endif
