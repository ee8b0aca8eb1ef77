/* index.h: the store's SQLite index of invoices: one row per invoice (its storage key, name,
 * version, yanked state), for search and yank state. It is derived data: the invoice files
 * are the truth, and provider.c rebuilds the index from them at every start, so a crash
 * between a file and its row never leaves them disagreeing for longer than a restart.
 * Thread-safe (one connection behind a mutex). SQLite is loaded with dlopen
 * (util/lib_sqlite.h) when the first index opens. */
#ifndef CORRAL_STORE_INDEX_H
#define CORRAL_STORE_INDEX_H

#include "store/semver.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct StoreIndex StoreIndex;

/* One invoice as the index knows it; strings owned by the row list. */
typedef struct IndexRow {
    char *sha; /* storage key: sha256 of NAME/VERSION */
    char *name, *version;
    bool yanked;
} IndexRow;

typedef struct IndexRows {
    IndexRow *rows;
    size_t n;
} IndexRows;

/* Opens (creating) the index file at path. NULL with *out_err owned (free()) on failure. */
StoreIndex *index_open(const char *path, char **out_err);
void index_close(StoreIndex *ix);

/* Replaces every row by rows[0..n), in one transaction. 0, or -1 with *out_err owned. */
int index_rebuild(StoreIndex *ix, const IndexRow *rows, size_t n, char **out_err);

/* Adds or replaces the row of sha. 0, or -1 with *out_err owned. */
int index_put(StoreIndex *ix, const IndexRow *row, char **out_err);

/* Every row whose name contains term (bytes, "" matching all), yanked ones only when
 * with_yanked, in the order of "NAME/VERSION" as bytes (Bindle's BTreeMap order). 0, or -1
 * with *out_err owned. */
int index_find(StoreIndex *ix, const char *term, bool with_yanked, IndexRows *out, char **out_err);
/* Number of rows. */
int64_t index_count(StoreIndex *ix);
void index_rows_free(IndexRows *rows);

#endif
