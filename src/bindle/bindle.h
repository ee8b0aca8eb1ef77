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

#include "store/bindle_id.h"
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

/* ---- the client: one server, one connection (what the commands use) ---- */

/* A connection to one Bindle server: its libcurl handle (connections kept alive), options and
 * the message of its last failure. Not thread-safe; one per thread. */
typedef struct BindleClient BindleClient;

/* Loads libcurl and checks the options (the URL must be http:// or https://). */
BindleStatus bindle_client_new(const BindleClientOpts *o, BindleClient **out,
                               char **out_err) BINDLE_WARN;
void bindle_client_free(BindleClient *c);
/* Why the last call on c failed (borrowed, valid until the next call); "" when none did. */
const char *bindle_client_error(const BindleClient *c);
/* The server's base URL as requests use it (with its final '/'), and the cache directory. */
const char *bindle_client_url(const BindleClient *c);
const char *bindle_client_cache_dir(const BindleClient *c);

/* bindle_fetch on an existing client; the message is bindle_client_error(c). */
BindleStatus bindle_fetch_with(BindleClient *c, const char *id, const Keyring *keyring,
                               const VerifyStrategy *strategy, const BindleSelect *sel,
                               BindleFetched *out) BINDLE_WARN;

/* GET _i/ID[?yanked=true]: the invoice's TOML text as the server sent it (*out_text owned,
 * NUL-terminated) and parsed (*out_inv owned), after checking that it is the bindle asked
 * for. Not verified: bindle_invoice_verify. Either out pointer may be NULL. */
BindleStatus bindle_invoice_get(BindleClient *c, const char *id, bool yanked, char **out_text,
                                size_t *out_len, Invoice **out_inv) BINDLE_WARN;

/* Checks inv's signatures against keyring with strategy (NULL: bindle_default_strategy()).
 * BINDLE_ERR_SIGNATURE with *out_err (owned) naming the signature and the strategy. */
BindleStatus bindle_invoice_verify(const Invoice *inv, const Keyring *keyring,
                                   const VerifyStrategy *strategy, char **out_err) BINDLE_WARN;

/* Signs inv as role with the first key of secrets that has the role (and, when label is not
 * NULL, exactly that label), appending the [[signature]] (Bindle's Invoice::sign; creator
 * for a push). *out_key (may be NULL) is the key used. A key that already signed is
 * BINDLE_ERR_SIGNATURE (DuplicateSignature). */
BindleStatus bindle_invoice_sign(Invoice *inv, const SecretKeyFile *secrets, SignRole role,
                                 const char *label, const SecretKey **out_key,
                                 char **out_err) BINDLE_WARN;

/* A list of parcel digests (64 lower-case hex digits each). */
typedef struct BindleShas {
    char **items;
    size_t n;
} BindleShas;
void bindle_shas_clear(BindleShas *s);

/* POST _i with the invoice's TOML: 201 (all parcels there: *out_missing empty) or 202 (the
 * digests of the parcels the server lacks in *out_missing). 409 is BINDLE_ERR_EXISTS. */
BindleStatus bindle_invoice_create(BindleClient *c, const char *toml, size_t len,
                                   BindleShas *out_missing) BINDLE_WARN;
/* GET _r/missing/ID: the digests of the parcels the server lacks. */
BindleStatus bindle_missing_get(BindleClient *c, const char *id, BindleShas *out) BINDLE_WARN;
/* POST _i/ID@SHA, the body streamed from the file at path, which must hold label->size bytes
 * (checked first, and the upload is label->size bytes exactly). 409 is BINDLE_ERR_EXISTS. */
BindleStatus bindle_parcel_put(BindleClient *c, const char *id, const InvLabel *label,
                               const char *path) BINDLE_WARN;
/* GET _i/ID@SHA into sink (from its current position), checking the size and SHA-256
 * against label while the bytes arrive: more bytes than the label's size stop the transfer.
 * sink may hold a partial parcel when this fails. */
BindleStatus bindle_parcel_get(BindleClient *c, const char *id, const InvLabel *label,
                               FILE *sink) BINDLE_WARN;
/* DELETE _i/ID (Bindle's yank). */
BindleStatus bindle_yank(BindleClient *c, const char *id) BINDLE_WARN;
/* GET bindle-keys?roles=host: the server's host keys, as a keyring (*out initialised here;
 * keyring_free it whatever the result). */
BindleStatus bindle_host_keys(BindleClient *c, Keyring *out) BINDLE_WARN;

/* A search (_q). Unset fields are not sent, so the server's defaults apply. */
typedef struct BindleQuery {
    const char *query;   /* q: a name substring; NULL: all */
    const char *version; /* v: a SemVer range (BINDLE.md 4.5); NULL: any */
    uint64_t offset;
    bool has_offset;
    unsigned limit; /* 1..255 */
    bool has_limit;
    int strict; /* -1: unset, 0, 1 */
    int yanked; /* -1: unset, 0, 1 */
} BindleQuery;

/* Bindle's Matches. */
typedef struct BindleMatches {
    char *text; /* the TOML answer as sent */
    size_t len;
    char *query;
    uint64_t offset, total;
    uint64_t limit;
    bool more, strict, yanked;
    Invoice **invoices;
    size_t n;
} BindleMatches;
void bindle_matches_clear(BindleMatches *m);
BindleStatus bindle_search(BindleClient *c, const BindleQuery *q, BindleMatches *out) BINDLE_WARN;

/* ---- pushing ---- */

/* A bindle to push: its invoice as it will be sent (TOML text) and parsed, and where its
 * parcels are: paths[i] for invoice parcel i, NULL when this push does not have it. */
typedef struct BindlePushSpec {
    const char *text;
    size_t len;
    const Invoice *inv;
    const char *const *paths;
} BindlePushSpec;

typedef struct BindlePushed {
    bool existed;    /* the server had the invoice already (409): its missing parcels were sent */
    size_t uploaded; /* parcels sent */
    size_t present;  /* parcels the server had */
    size_t absent;   /* parcels the server still lacks: this push did not have them */
    uint64_t bytes;  /* parcel bytes sent */
} BindlePushed;

/* Bindle's push: creates the invoice (or, when the server has this very bindle already, asks
 * for its missing parcels, so an interrupted push resumes), then uploads each missing parcel
 * this spec has, streamed from its file. An existing invoice with other parcels, or yanked, is
 * BINDLE_ERR_EXISTS. A parcel another client uploads meanwhile (409) counts as present. */
BindleStatus bindle_push(BindleClient *c, const BindlePushSpec *p, BindlePushed *out) BINDLE_WARN;

/* An invoice built from local files: `corral push ID DIR` (every regular file of DIR a
 * parcel), and the hook the app manifest (corral.toml, a later issue) builds through. Each
 * file is read once here for its SHA-256 and size, and again when it is uploaded. */
typedef struct BindleLocal BindleLocal;

BindleStatus bindle_local_new(const char *id, BindleLocal **out, char **out_err) BINDLE_WARN;
void bindle_local_free(BindleLocal *l);
/* Adds the file at path as a parcel named name (a relative path, checked as the store checks
 * label names) of media_type (NULL: bindle_media_type(name)). Two files with the same
 * content are two labels with one digest: the server keeps the bytes once. */
BindleStatus bindle_local_add_file(BindleLocal *l, const char *path, const char *name,
                                   const char *media_type, char **out_err) BINDLE_WARN;
/* Adds every regular file under dir, recursively, named by its path relative to dir with
 * '/' separators, in byte order of those names. Symbolic links, devices and the like are
 * refused, naming them; nothing is followed out of dir. */
BindleStatus bindle_local_add_dir(BindleLocal *l, const char *dir, char **out_err) BINDLE_WARN;
/* The invoice (owned by l; sign it with bindle_invoice_sign before writing it out) and the
 * parcel files in its parcel order. */
Invoice *bindle_local_invoice(BindleLocal *l);
const char *const *bindle_local_paths(const BindleLocal *l);

/* The SHA-256 (lower-case hex) and size of the file at path, as a label states them. */
BindleStatus bindle_file_digest(const char *path, char out_hex[BINDLE_SHA_TEXT], uint64_t *out_size,
                                char **out_err) BINDLE_WARN;

/* The media type for a file name by its extension (".wasm" gives application/wasm), else
 * application/octet-stream, as Bindle's client guesses with mime_guess. */
const char *bindle_media_type(const char *name);

/* ---- standalone bindles ---- */

/* Writes a fetched bindle (its invoice file and whatever parcels it has) as a standalone
 * bindle: a directory PATH/<sha256(id)>/ (invoice.toml, parcels/<sha256>.dat), or, when path
 * ends in .tar.gz, .tgz or .tar, that archive (the same tree, gzip unless .tar). Nothing
 * there is replaced: an existing target is BINDLE_ERR_EXISTS. Written to a temporary name and
 * renamed, so an interrupted export leaves nothing behind. *out_path (owned) is what was
 * written. */
BindleStatus bindle_standalone_write(const BindleFetched *f, const char *path, char **out_path,
                                     char **out_err) BINDLE_WARN;

#endif
