/* bindle_int.h: what the files of src/bindle share: the client's layout, failures as owned
 * messages, one HTTP exchange with the server (bindle_http.c), the cache's files
 * (bindle_cache.c), file digests. Not for the layers above, which use bindle.h. */
#ifndef CORRAL_BINDLE_INT_H
#define CORRAL_BINDLE_INT_H

#include "bindle/bindle.h"

#include "store/bindle_id.h"
#include "util/lib_curl.h"

#include <sodium.h>

/* Caps on what is read into memory: invoices, search answers, keyrings; error bodies. */
#define BINDLE_MAX_DOC ((size_t)32 << 20)
#define BINDLE_MAX_ERROR_BODY ((size_t)64 << 10)

struct BindleClient {
    char *base;      /* the API base URL, with its final '/' */
    char *cache_dir; /* owned copy */
    char *user, *password;
    bool insecure;
    uint64_t max_parcel_size;
    FILE *log;
    CURL *easy; /* one handle for the client, for its connection cache */
    char *err;  /* the last failure's message */
};

/* Replaces *err with the printf-formatted message and returns st (BINDLE_ERR_NOMEM when the
 * message cannot be made). */
BindleStatus bindle_fail(char **err, BindleStatus st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes "corral: ..." and a newline to the client's log, if it has one. */
void bindle_log(BindleClient *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The id without "bindle:", checked; *out_err set on failure. Owned. */
char *bindle_id_checked(const char *text, char **out_err);

/* sha256(NAME/VERSION) of an id already checked. */
void bindle_id_key(const char *id, char out[BINDLE_SHA_TEXT]);

/* ---- one HTTP exchange (bindle_http.c) ---- */

typedef struct BindleReq {
    const char *method;       /* GET, HEAD, POST, DELETE */
    const char *path;         /* after the base URL, escaped (bindle_url_path) */
    const char *accept;       /* Accept header, or NULL */
    const char *content_type; /* with a body */
    const char *body;         /* a body in memory ... */
    size_t body_len;
    FILE *body_file; /* ... or a file's next body_file_len bytes */
    uint64_t body_file_len;
    FILE *sink;        /* a 2xx answer's body goes here (hashed on the way), else into memory */
    uint64_t max_body; /* the most 2xx body bytes accepted, sink or memory */
} BindleReq;

typedef struct BindleResp {
    long status;
    char *content_type;
    char *body; /* the memory body, NUL-terminated (error bodies too) */
    size_t body_len;
    uint64_t sink_len;            /* bytes written to the sink */
    crypto_hash_sha256_state sha; /* of the sink's bytes */
    bool too_big, sink_failed, upload_short;
} BindleResp;

/* Sends one request. BINDLE_OK whatever the status (the caller judges it) unless there was no
 * exchange (BINDLE_ERR_NET), a 2xx body passed max_body (BINDLE_ERR_TOO_BIG), the sink or the
 * upload file failed (BINDLE_ERR_IO); the message is on c. */
BindleStatus bindle_send(BindleClient *c, const BindleReq *rq, BindleResp *out);
void bindle_resp_clear(BindleResp *r);

/* The failure for an unexpected answer: "what: SERVER answered 404 Not Found: <the server's
 * error text>" plus a hint for auth failures; 401 and 403 are BINDLE_ERR_AUTH (403 for a
 * read: BINDLE_ERR_YANKED when yanked says it is about one), 404 BINDLE_ERR_NOT_FOUND, 409
 * BINDLE_ERR_EXISTS, other 4xx BINDLE_ERR_REFUSED, the rest BINDLE_ERR_SERVER. */
BindleStatus bindle_fail_status(BindleClient *c, const char *what, const BindleResp *r,
                                bool yank_read);

/* The server's error text of an answer (TOML or JSON error = "...", else the body's first
 * line), owned and with control characters escaped; NULL when there is none. */
char *bindle_error_text(const char *body, size_t len);

/* The URL path of kind ("_i/", "_r/missing/") and id, with '@' and sha when sha is not
 * NULL: every byte but unreserved characters and '/' percent-encoded. Owned. */
char *bindle_url_path(const char *kind, const char *id, const char *sha);

/* ---- files (bindle_cache.c) ---- */

/* CACHE/invoices/<sha256(id)>/invoice.toml and CACHE/parcels/<sha>/parcel.dat. Owned. */
char *bindle_cache_invoice(const char *cache_dir, const char *id);
char *bindle_cache_parcel(const char *cache_dir, const char *sha);

/* The SHA-256 (lower-case hex) and size of what is left of f. false with errno on a read
 * error. */
bool bindle_hash_stream(FILE *f, char out_hex[BINDLE_SHA_TEXT], uint64_t *out_size);

/* Whether the file at path is the parcel label describes: BINDLE_OK, BINDLE_ERR_NOT_FOUND
 * (no file), BINDLE_ERR_INTEGRITY (another size or digest: *out_err says which), or
 * BINDLE_ERR_IO. Opened without following a symbolic link at its last component. */
BindleStatus bindle_file_check(const char *path, const InvLabel *label, char **out_err);

/* A file being written: a temporary name beside final, renamed over it when committed. */
typedef struct BindleTmp {
    char *tmp, *final;
    FILE *f;
} BindleTmp;

/* Makes final's directory (and parents, 0755) and a new temporary file in it, mode 0644. */
BindleStatus bindle_tmp_open(const char *final, BindleTmp *t, char **out_err);
/* Flushes, closes and renames the file over final. Either way t is released. */
BindleStatus bindle_tmp_commit(BindleTmp *t, char **out_err);
/* Closes and removes the file; t is released. Safe on a zeroed t. */
void bindle_tmp_abort(BindleTmp *t);

/* Removes the directory of a cache file (CACHE/parcels/<sha>/) when it is empty: after a
 * failed download or import, so the cache holds no trace of bytes it refused. */
void bindle_cache_prune(const char *file);

/* Writes len bytes of text to final through a temporary file (bindle_tmp_*). */
BindleStatus bindle_write_atomic(const char *final, const char *text, size_t len, char **out_err);

/* Reads a whole file of at most max bytes into an owned NUL-terminated buffer. Opened with
 * O_NOFOLLOW when nofollow. BINDLE_ERR_NOT_FOUND, BINDLE_ERR_IO, BINDLE_ERR_TOO_BIG. */
BindleStatus bindle_read_file(const char *path, size_t max, bool nofollow, char **out,
                              size_t *out_len, char **out_err);

/* ---- fetched bindles (bindle_fetch.c) ---- */

/* Fills f's invoice, id and one parcel slot per invoice parcel (nothing fetched yet) from an
 * invoice, taking ownership of inv. */
BindleStatus bindle_fetched_init(BindleFetched *f, Invoice *inv, char **out_err);

/* Whether sel wants parcel p. */
bool bindle_wants(const BindleSelect *sel, const InvParcel *p);

#endif
