/* provider.h: the store's files, in Bindle's layout (BINDLE.md 4.4) under one directory:
 *   invoices/<sha256(NAME/VERSION)>/invoice.toml
 *   parcels/<sha256 of the parcel>/parcel.dat
 * plus Corral's index, corral-index.db (index.h), derived from the invoices.
 *
 * Every write goes to a "<file>.part" created with O_EXCL, is fsynced, then renamed into
 * place without replacing (link(2), so a file that appeared meanwhile wins and the write
 * reports STORE_EXISTS), and the directory is fsynced: a reader sees a whole file or none,
 * and a crash leaves at most a .part, which provider_open removes. A second writer of the
 * same file meanwhile finds the .part and gets STORE_IN_PROGRESS (Bindle's 409), so the same
 * parcel pushed by two clients at once is stored once. Parcels are checked against their
 * label's size and SHA-256 while they stream in; nothing is held in memory whole.
 * Thread-safe: files are the only shared state, and the index has its own lock. */
#ifndef CORRAL_STORE_PROVIDER_H
#define CORRAL_STORE_PROVIDER_H

#include "store/index.h"
#include "store/invoice.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum StoreErr {
    STORE_OK = 0,
    STORE_NOT_FOUND,   /* no such invoice or parcel */
    STORE_EXISTS,      /* already stored */
    STORE_IN_PROGRESS, /* another write of it is under way (its .part exists) */
    STORE_BAD,         /* the data does not match its label (size, digest) */
    STORE_IO,          /* a file-system error; the message says which */
    STORE_NOMEM,
} StoreErr;

typedef struct Provider Provider;

/* What provider_open found and repaired. */
typedef struct ProviderStats {
    size_t invoices;      /* indexed */
    size_t parcels;       /* parcel.dat files present */
    size_t parts_removed; /* stale .part files (a write cut short) deleted */
    size_t skipped;       /* unreadable or misplaced invoices left alone (warned) */
} ProviderStats;

/* Opens the store at dir, creating dir, invoices/ and parcels/ when missing; removes stale
 * .part files and empty directories left by interrupted writes; reads every invoice and
 * rebuilds the index from them. Warnings (an invoice that cannot be read, or whose directory
 * is not its id's SHA-256) go to warn when not NULL. NULL with *out_err owned on failure. */
Provider *provider_open(const char *dir, FILE *warn, ProviderStats *out_stats, char **out_err);
void provider_close(Provider *p);

/* The invoice NAME/VERSION, owned by the caller (invoice_free), yanked or not. */
StoreErr provider_invoice_get(Provider *p, const char *name, const char *version, Invoice **out_inv,
                              char **out_err);
/* Stores inv (as TOML) and indexes it: STORE_EXISTS when NAME/VERSION is already there. */
StoreErr provider_invoice_create(Provider *p, const Invoice *inv, char **out_err);
/* Marks NAME/VERSION yanked (file rewritten atomically, then the index). */
StoreErr provider_invoice_yank(Provider *p, const char *name, const char *version, char **out_err);
/* Matches for search: see index_find. */
int provider_search(Provider *p, const char *term, bool with_yanked, IndexRows *out,
                    char **out_err);

bool provider_parcel_exists(Provider *p, const char *sha);
/* Opens parcel sha for reading: *out_fd (owned, close()) and its size. */
StoreErr provider_parcel_open(Provider *p, const char *sha, int *out_fd, uint64_t *out_size);

/* An upload in progress. */
typedef struct ParcelWrite ParcelWrite;
/* Starts storing parcel sha of size bytes: NULL with *out_status STORE_EXISTS,
 * STORE_IN_PROGRESS or STORE_IO (*out_err owned then). */
ParcelWrite *provider_parcel_begin(Provider *p, const char *sha, uint64_t size,
                                   StoreErr *out_status, char **out_err);
/* Appends data: STORE_BAD once more than the label's size has come. */
StoreErr parcel_write(ParcelWrite *w, const void *data, size_t n, char **out_err);
/* Checks size and digest, then makes the parcel visible; frees w in every case (a failed
 * write's .part is removed). STORE_BAD with *out_err saying what differs. */
StoreErr parcel_finish(ParcelWrite *w, char **out_err);
/* Drops the upload and its .part; frees w. NULL is allowed. */
void parcel_abort(ParcelWrite *w);

#endif
