/* oci.h: Corral's OCI registry client, the layer above src/util that `corral push`/`corral
 * pull` use and the gateway uses for WAGI's `oci:` module references. It parses
 * references, speaks the OCI distribution API (libcurl, loaded on first use), pushes a module
 * as a CNCF wasm artifact or as an ordinary image containerd can unpack, pulls a module back
 * from either form (and from wasm-to-oci's older one), verifying every digest, and signs and
 * checks detached Ed25519 signatures (oci_sign.h). It knows nothing of the engine; the design
 * is docs/design/oci.md. */
#ifndef CORRAL_OCI_H
#define CORRAL_OCI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "oci/oci_sign.h"

#define OCI_WARN __attribute__((warn_unused_result))

/* What went wrong, for exit statuses and tests; the message says the rest. */
typedef enum OciStatus {
    OCI_OK = 0,
    OCI_ERR_REF,       /* a malformed reference */
    OCI_ERR_USAGE,     /* options that do not go together (push to a digest ...) */
    OCI_ERR_IO,        /* a local file could not be read or written */
    OCI_ERR_NET,       /* no answer: DNS, connect, TLS, timeout */
    OCI_ERR_AUTH,      /* 401 or 403 after the credentials there are */
    OCI_ERR_NOT_FOUND, /* no such manifest or blob */
    OCI_ERR_REGISTRY,  /* any other answer the API does not allow */
    OCI_ERR_FORMAT,    /* a manifest, config or layer Corral cannot use */
    OCI_ERR_INTEGRITY, /* content whose digest or size is not the one it was asked for */
    OCI_ERR_SIGNATURE, /* no valid signature by a key in the keyring */
    OCI_ERR_TOO_BIG,   /* past a size cap */
    OCI_ERR_NOMEM,
} OciStatus;

/* A parsed reference: oci://127.0.0.1:5000/corral/app:v1 gives registry "127.0.0.1:5000",
 * repository "corral/app", tag "v1". All strings owned (oci_ref_clear). */
typedef struct OciRef {
    char *registry;   /* host[:port] as written ("[::1]:5000"); "docker.io" for Docker Hub */
    char *repository; /* slash-separated path components ("library/hello" on Docker Hub) */
    char *tag;        /* NULL only when a digest is given without a tag */
    char *digest;     /* "sha256:" and 64 lower-case hex digits, or NULL */
} OciRef;

/* True when text is an OCI reference by its scheme ("oci://..." or WAGI's "oci:..."), so a
 * command taking several kinds of reference can dispatch on it. */
bool oci_ref_is_oci(const char *text);

/* Parses "oci://HOST[:PORT]/REPO[/MORE...][:TAG][@sha256:HEX]" or WAGI's
 * "oci:[HOST[:PORT]/]REPO[:TAG][@DIGEST]" (Docker's rules: the first component is a host when
 * it has a '.' or ':' or is "localhost", else the registry is Docker Hub, whose one-component
 * names get "library/"). Without tag or digest the tag is "latest". On failure *out_err is an
 * owned message saying what is wrong ("the tag 'v 1' has a character other than letters,
 * digits, '_', '.' and '-'"), without the text itself; the caller names it. */
OciStatus oci_ref_parse(const char *text, OciRef *out, char **out_err) OCI_WARN;
void oci_ref_clear(OciRef *r);

/* "oci://REGISTRY/REPO[:TAG][@DIGEST]", digest taken from the argument when not NULL (the
 * reference's own otherwise). Owned; NULL when out of memory. */
char *oci_ref_format(const OciRef *r, const char *digest);

/* True for registries reached over plain HTTP without --insecure-http: localhost, 127.0.0.0/8
 * and [::1], with any port. */
bool oci_registry_is_loopback(const char *registry);

/* The largest blob (module, layer, config) a session accepts unless told otherwise. */
#define OCI_DEFAULT_MAX_SIZE ((uint64_t)1 << 30)
#define OCI_DEFAULT_MAX_SIZE_TEXT "1 GiB"

typedef struct OciOptions {
    bool insecure_http;        /* plain HTTP to any registry, not only to loopback ones */
    const char *docker_config; /* config.json; NULL: $DOCKER_CONFIG/config.json, else
                                  $HOME/.docker/config.json (a missing file means no
                                  credentials) */
    uint64_t max_size;         /* 0: OCI_DEFAULT_MAX_SIZE */
    FILE *log;                 /* one line per request and decision (-v); NULL: silent */
} OciOptions;

/* A connection to one repository of one registry: its libcurl handle, its credentials and
 * tokens, and the message of its last failure. Not thread-safe; one per thread. */
typedef struct OciSession OciSession;

/* Opens a session for ref's repository (push: also asks tokens for push). Loads libcurl and
 * reads the docker config here, so a missing library or a malformed config.json is reported
 * before any transfer. On failure *out_err is an owned message. */
OciStatus oci_session_new(const OciRef *ref, const OciOptions *opts, bool push, OciSession **out,
                          char **out_err) OCI_WARN;
void oci_session_free(OciSession *s);

/* Why the last call on s failed (borrowed; valid until the next call); "" when none did. */
const char *oci_session_error(const OciSession *s);

/* A file the image's layer holds besides the module (corral push --oci of an app). */
typedef struct OciImageFile {
    const char *name; /* its path in the image, relative ("modules.toml", "static/a.txt") */
    const char *path; /* the host file it is read from */
} OciImageFile;

typedef struct OciPushSpec {
    const char *module_path; /* the module to push, read twice (digest, then upload) */
    bool image;              /* an ordinary OCI image (tar layer) instead of the wasm artifact */
    bool gzip;               /* image: compress the layer (gzip via zlib); true by default */
    const char *platform;    /* image: "OS/ARCH" of its config; NULL: "wasi/wasm" */
    const OciSigner *signer; /* NULL: unsigned; else the signature goes beside the manifest */
    const OciImageFile *files; /* image: more files in the layer, after the module (their
                                  parent directories made, mode 0755 dirs, 0644 files) */
    size_t nfiles;
    const char *entrypoint;  /* image: the config's Entrypoint, "/modules.toml"; NULL: the
                                module's path, /app.wasm */
} OciPushSpec;

/* Pushes the module to the session's repository under its tag. *out_digest is the manifest's
 * digest ("sha256:..."), owned. */
OciStatus oci_push(OciSession *s, const OciPushSpec *spec, char **out_digest) OCI_WARN;

/* Where a pulled module came from, all owned (oci_pull_result_clear). */
typedef struct OciPullResult {
    char *digest;     /* the manifest's digest */
    const char *form; /* "wasm artifact", "wasm-to-oci artifact", "image" (static) */
    uint64_t size;    /* the module's bytes */
    char *signed_by;  /* the keyring label of the key whose signature was checked, or NULL */
} OciPullResult;

/* Pulls the session's reference and writes the module to out (from its current position),
 * after checking the signature when a keyring is given (before any module byte is fetched).
 * Every manifest and blob is checked against its digest and size; out may hold a partial or
 * unverified module when this fails, so the caller writes to a temporary file and keeps it
 * only on OCI_OK. */
OciStatus oci_pull(OciSession *s, const OciKeyring *keyring, FILE *out,
                   OciPullResult *result) OCI_WARN;
void oci_pull_result_clear(OciPullResult *r);

/* The first half of oci_pull: fetches what the session's reference names (a manifest or an
 * index), checks it against its digest and, with a keyring, its signature, and sets
 * result->digest and result->signed_by (form and size stay empty). No blob is fetched: the
 * gateway uses it to tell whether a module it cached for a reference is still what the
 * reference names, and still signed by a key it trusts. */
OciStatus oci_resolve(OciSession *s, const OciKeyring *keyring, OciPullResult *result) OCI_WARN;

#endif
