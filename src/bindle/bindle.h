/* bindle.h: Corral's Bindle client, the layer `corral push/pull/yank/search/info` and the
 * gateway's `bindle:` module references use. It speaks Bindle 0.9.1's v1 API (libcurl, loaded
 * on first use), keeps what it fetches in a local cache keyed by digest, checks every parcel's
 * size and SHA-256 while it streams and every invoice's signatures with a keyring and a
 * verification strategy, and reads and writes standalone bindles (a directory or a tar.gz).
 * It sits on src/store's invoice, id and signing code and src/util; it knows nothing of the
 * engine, the gateway or the command line. docs/design/store.md (the client) explains it.
 *
 * Ownership: functions returning char * or filling out-structs hand over owned memory (free()
 * or the matching _clear); everything passed in is borrowed for the call only. */
#ifndef CORRAL_BINDLE_H
#define CORRAL_BINDLE_H

#include "store/invoice.h"
#include "store/keyring.h"
#include "store/verify.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define BINDLE_WARN __attribute__((warn_unused_result))

/* What went wrong, for exit statuses, callers and tests; the message says the rest. */
typedef enum BindleStatus {
#define X(name, text) BINDLE_##name,
#include "bindle/bindle_status.def"
#undef X
} BindleStatus;

/* The short text of a status ("bindle yanked"). Never NULL. */
const char *bindle_status_text(BindleStatus st);

/* ---- options ---- */

/* Bindle's client default server (its --server default). */
#define BINDLE_DEFAULT_URL "http://localhost:8080/v1/"

typedef struct BindleClientOpts {
    /* The server's API base with its /v1 path, as Bindle's BINDLE_URL: http://HOST:PORT/v1/
     * (a missing final '/' is added). NULL: BINDLE_DEFAULT_URL. */
    const char *server_url;
    /* The local cache (section "the cache" below). NULL: bindle_default_cache_dir(). */
    const char *cache_dir;
    /* HTTP Basic credentials, sent with every request when http_user is set (a NULL password
     * is empty). */
    const char *http_user, *http_password;
    /* TLS without certificate or host name verification (Bindle's -k/--insecure). */
    bool insecure;
    /* The largest parcel accepted, refused before its download; 0: no limit. */
    uint64_t max_parcel_size;
    /* One line per request and cache decision ("corral: GET URL: 200"); NULL: silent. */
    FILE *log;
} BindleClientOpts;

/* Fills the fields of o that are NULL from Bindle's client variables: server_url from
 * BINDLE_URL, cache_dir from BINDLE_DIRECTORY, http_user and http_password from
 * BINDLE_HTTP_USER and BINDLE_HTTP_PASSWORD. Empty variables count as unset. The strings are
 * borrowed from the environment. */
void bindle_opts_from_env(BindleClientOpts *o);

/* $XDG_CACHE_HOME/corral/bindle when XDG_CACHE_HOME is absolute, else
 * $HOME/.cache/corral/bindle. Owned; NULL when neither variable gives a place. */
char *bindle_default_cache_dir(void);

/* The strategy Bindle's client verifies fetched invoices with when none is given:
 * MultipleAttestationGreedy[Host] (every signature must verify and be by a known key, and a
 * host must have signed). */
VerifyStrategy bindle_default_strategy(void);

/* ---- references ---- */

/* True when text names a bindle: "bindle:NAME/VERSION", or "NAME/VERSION" whose part after
 * the last '/' is a SemVer version. For commands that take several kinds of reference. */
bool bindle_ref_is_bindle(const char *text);

/* The id "NAME/VERSION" of a reference ("bindle:" dropped), checked as the store checks ids
 * (bindle_id_parse). Owned; NULL with *out_err (owned) when it is not one. */
char *bindle_ref_id(const char *text, char **out_err);

/* ---- fetching a bindle (the cache) ----
 *
 * The cache is a directory in Bindle's file-provider layout, so Bindle's own client (-d) and
 * `corral store serve -d` can use it too:
 *   CACHE/invoices/<sha256("NAME/VERSION")>/invoice.toml   the invoice as the server sent it
 *   CACHE/parcels/<sha256>/parcel.dat                      a parcel, named by its digest
 * Files are written to a temporary name in the same directory and renamed, so a reader sees a
 * whole file or none; a file found there is used only after its size and SHA-256 (parcels) or
 * its signatures (invoices) are checked again, and one that fails is fetched anew. */

/* Which parts of a bindle a fetch takes, and what it accepts. A NULL BindleSelect is every
 * parcel, no yanked bindle, no missing parcel. */
typedef struct BindleSelect {
    bool yanked;        /* accept a yanked bindle (GET ...?yanked=true) */
    bool allow_missing; /* a parcel the source does not have is left out (path NULL, missing
                           set) instead of failing the fetch; Bindle's `get` warns and goes on */
    /* The parcels wanted; NULL: all. Parcels not wanted are neither fetched nor checked. */
    bool (*want)(const InvParcel *parcel, void *ud);
    void *want_ud;
} BindleSelect;

typedef struct BindleFetchedParcel {
    const InvParcel *parcel; /* borrowed from BindleFetched.invoice */
    char *path;              /* the verified file (owned string); NULL: not wanted or missing */
    bool missing;            /* wanted, but the source does not have it (allow_missing) */
    bool cached;             /* it was in the cache already: nothing was downloaded */
} BindleFetchedParcel;

typedef struct BindleFetched {
    Invoice *invoice;   /* parsed and, with a keyring, verified */
    char *id;           /* "NAME/VERSION" */
    char *invoice_path; /* the invoice's file (in the cache, or in a standalone directory) */
    BindleFetchedParcel *parcels; /* one per invoice parcel, in invoice order */
    size_t nparcels;
    /* The server could not be reached and the invoice came from the cache (verified like a
     * fresh one; a yank made meanwhile is not seen). */
    bool invoice_from_cache;
    uint64_t downloaded; /* parcel bytes that came over the network */
} BindleFetched;

/* Releases everything f owns and zeroes it. */
void bindle_fetched_clear(BindleFetched *f);

/* Fetches bindle id ("NAME/VERSION" or "bindle:NAME/VERSION") from o->server_url into the
 * cache: the invoice is always asked of the server (so a yank is seen) and checked to be the
 * one asked for, then verified against keyring with strategy (NULL: bindle_default_strategy())
 * unless keyring is NULL, then every selected parcel is taken from the cache when a checked
 * copy is there, else downloaded (streamed to a temporary file, its size and SHA-256 checked
 * on the way) and renamed into the cache. If the server cannot be reached at all
 * (BINDLE_ERR_NET) a cached invoice is used, verified the same way. Blocking; one call per
 * thread at a time (each call has its own connection). On failure *out is cleared and
 * *out_err (owned) says why: "bindle example.com/app/1.0.0 is yanked (...)", "signature 2
 * (by ...): ...". */
BindleStatus bindle_fetch(const BindleClientOpts *o, const char *id, const Keyring *keyring,
                          const VerifyStrategy *strategy, const BindleSelect *sel,
                          BindleFetched *out, char **out_err) BINDLE_WARN;

/* Opens a standalone bindle (docs/standalone-bindle-spec of Bindle:
 * <sha256(NAME/VERSION)>/invoice.toml and parcels/<sha256>.dat) without any server:
 *   - path a directory holding invoice.toml: that bindle (id may be NULL, else it must match);
 *   - path a directory holding <sha256(id)>/ or <sha256(id)>.tar.gz (WAGI's --bindle-path with
 *     --bindle ID, Bindle's `push -p`): that one;
 *   - path a .tar.gz (or plain .tar) file: read as a stream; its parcels go into the cache of
 *     o (NULL: defaults) by digest, its invoice too. Entries other than the bindle's own
 *     (absolute names, '..', links, devices, other files) are refused (BINDLE_ERR_UNSAFE):
 *     no tar entry name ever becomes a path.
 * Files of a directory are opened without following symbolic links. Every selected parcel is
 * checked (size, SHA-256, and being in the invoice) and the invoice verified as bindle_fetch
 * does (keyring NULL: not verified). A yanked invoice needs sel->yanked. Parcel paths point
 * into the directory, or into the cache for a tarball. */
BindleStatus bindle_standalone_open(const BindleClientOpts *o, const char *path, const char *id,
                                    const Keyring *keyring, const VerifyStrategy *strategy,
                                    const BindleSelect *sel, BindleFetched *out,
                                    char **out_err) BINDLE_WARN;

#endif
