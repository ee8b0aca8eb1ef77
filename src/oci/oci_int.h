/* oci_int.h: what the files of src/oci share: the session's layout, one HTTP exchange with
 * the registry (oci_send, registry.c), digests, descriptors and manifests (artifact.c), the
 * layer tar (oci_tar.c, on util/tar.c), credentials (oci_auth.c) and the signature
 * artifact (oci_sig.c). Not for the layers above, which use oci.h. */
#ifndef CORRAL_OCI_INT_H
#define CORRAL_OCI_INT_H

#include "oci/oci.h"

#include "util/lib_curl.h"

#include <jansson.h>
#include <sodium.h>

/* ---- media types ---- */

#define OCI_MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_MT_INDEX "application/vnd.oci.image.index.v1+json"
#define OCI_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define OCI_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define OCI_MT_IMAGE_CONFIG "application/vnd.oci.image.config.v1+json"
#define OCI_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define OCI_MT_LAYER_TAR "application/vnd.oci.image.layer.v1.tar"
#define OCI_MT_LAYER_TAR_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define OCI_MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define OCI_MT_DOCKER_LAYER_TAR "application/vnd.docker.image.rootfs.diff.tar"
/* The CNCF TAG-Runtime wasm artifact (what Corral pushes by default). */
#define OCI_MT_WASM_CONFIG "application/vnd.wasm.config.v0+json"
#define OCI_MT_WASM_LAYER "application/wasm"
/* wasm-to-oci's older form, the one WAGI and Krustlet pull. */
#define OCI_MT_W2O_CONFIG "application/vnd.wasm.config.v1+json"
#define OCI_MT_W2O_LAYER "application/vnd.wasm.content.layer.v1+wasm"
/* The empty config of OCI 1.1 artifacts, "{}". */
#define OCI_MT_EMPTY "application/vnd.oci.empty.v1+json"

/* Every manifest kind a GET accepts, for its Accept header. */
#define OCI_ACCEPT_MANIFESTS                                                                       \
    OCI_MT_MANIFEST ", " OCI_MT_INDEX ", " OCI_MT_DOCKER_MANIFEST ", " OCI_MT_DOCKER_LIST

/* Where --image puts the module (the layer's entry name), and the entrypoint its config
 * names. */
#define OCI_IMAGE_MODULE_NAME "app.wasm"
#define OCI_IMAGE_MODULE_PATH "/" OCI_IMAGE_MODULE_NAME

/* Caps on what is read into memory: manifests (the distribution registry's own limit),
 * configs, token answers, error bodies. */
#define OCI_MAX_MANIFEST ((size_t)4 << 20)
#define OCI_MAX_CONFIG ((size_t)8 << 20)
#define OCI_MAX_SMALL ((size_t)1 << 20)
#define OCI_MAX_ERROR_BODY ((size_t)64 << 10)

/* ---- digests ---- */

/* "sha256:" and 64 hex digits and a NUL. */
#define OCI_DIGEST_SIZE 72

/* Formats a SHA-256 hash as "sha256:<hex>". */
void oci_digest_format(const uint8_t hash[crypto_hash_sha256_BYTES], char out[OCI_DIGEST_SIZE]);
/* sha256 of bytes, as "sha256:<hex>". */
void oci_digest_bytes(const void *bytes, size_t len, char out[OCI_DIGEST_SIZE]);
/* True for "sha256:" and exactly 64 lower-case hex digits. */
bool oci_digest_valid(const char *text);

/* ---- the session ---- */

/* Credentials for one registry, from the docker config. */
typedef struct OciCreds {
    char *basic;  /* base64 of "user:password", as config.json's auth, or NULL */
    char *user;   /* the user name, for messages, or NULL */
    char *note;   /* why there are none when that is worth saying (a credential helper) */
    char *source; /* the config file read, for messages */
} OciCreds;

struct OciSession {
    OciRef ref;
    OciOptions opts;
    bool push; /* tokens are asked for pull and push */
    bool plain_http;
    char *base;          /* "https://host[:port]" */
    char *api_host;      /* the host[:port] requests go to (registry-1.docker.io for docker.io) */
    CURL *easy;          /* one handle for the session, for its connection cache */
    char *authorization; /* the Authorization header line requests carry, or NULL */
    bool token_fetched;  /* a token was fetched for this session: a new 401 is final */
    OciCreds creds;
    char *err; /* the last failure's message */
};

/* Records the failure's message on s and returns status. */
OciStatus oci_fail(OciSession *s, OciStatus status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes a line to the session's log, if it has one. */
void oci_log(OciSession *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- one HTTP exchange (registry.c) ---- */

typedef struct OciReq {
    const char *method;       /* GET, HEAD, POST, PUT */
    const char *url;          /* absolute */
    const char *accept;       /* Accept header, or NULL */
    const char *content_type; /* with a body */
    const uint8_t *body;      /* a body in memory ... */
    size_t body_len;
    FILE *body_file; /* ... or a file's first body_file_len bytes (rewound for a retry) */
    uint64_t body_file_len;
    FILE *sink;                /* a 2xx response's body goes here, else into memory */
    uint64_t max_body;         /* most body bytes accepted (sink or memory) */
    bool follow;               /* follow redirects (blob downloads) */
    bool no_auth;              /* send no Authorization (token requests carry their own) */
    const char *authorization; /* with no_auth: this header line instead, or NULL */
} OciReq;

typedef struct OciResp {
    long status;
    char *location, *digest, *www_authenticate, *content_type; /* headers, or NULL */
    uint8_t *body; /* the memory body, NUL-terminated (error bodies too) */
    size_t body_len;
    uint64_t sink_len;            /* bytes written to the sink */
    crypto_hash_sha256_state sha; /* of the 2xx body, memory or sink */
    uint8_t head[8];              /* its first bytes */
    size_t head_len;
    bool too_big, sink_failed;
} OciResp;

/* Sends one request, answering a 401 once: fetches a Bearer token (with the docker config's
 * credentials when there are some) or sends Basic credentials, then repeats the request.
 * OCI_OK whatever the status (the caller judges it) unless the exchange failed: no answer
 * (OCI_ERR_NET), a body past max_body (OCI_ERR_TOO_BIG), a sink write error (OCI_ERR_IO), or
 * authentication that could not be done (OCI_ERR_AUTH); the message is on s. */
OciStatus oci_send(OciSession *s, const OciReq *rq, OciResp *out);
void oci_resp_clear(OciResp *r);

/* The failure for an unexpected status: "GET URL: 404 MANIFEST_UNKNOWN: manifest unknown",
 * with the registry's error codes when its body has them; 401/403 give OCI_ERR_AUTH, 404
 * OCI_ERR_NOT_FOUND, the rest OCI_ERR_REGISTRY. what names the operation ("manifest v1"). */
OciStatus oci_fail_status(OciSession *s, const char *what, const OciResp *r);

/* ---- registry operations (registry.c) ---- */

/* Gets a manifest by tag or digest into an owned buffer; *out_media_type is owned (the
 * Content-Type, else the document's mediaType). The bytes are verified: their digest must be
 * the one asked for, or the registry's Docker-Content-Digest. */
OciStatus oci_manifest_get(OciSession *s, const char *reference, uint8_t **out_bytes,
                           size_t *out_len, char **out_media_type,
                           char out_digest[OCI_DIGEST_SIZE]);
/* Puts a manifest under reference (a tag); the digest is computed here and checked against
 * the registry's answer. */
OciStatus oci_manifest_put(OciSession *s, const char *reference, const char *media_type,
                           const char *json, char out_digest[OCI_DIGEST_SIZE]);
/* Whether the repository has the blob (HEAD). */
OciStatus oci_blob_exists(OciSession *s, const char *digest, bool *out);
/* Uploads a blob (POST, then PUT with its digest) unless the repository has it. The body is
 * bytes[0..len) or, when bytes is NULL, the file f from offset 0. */
OciStatus oci_blob_push(OciSession *s, const char *digest, const uint8_t *bytes, FILE *f,
                        uint64_t len);

/* One descriptor of a manifest. Strings borrowed from the manifest's JSON. */
typedef struct OciDesc {
    const char *media_type;
    const char *digest;
    uint64_t size;
    const json_t *annotations; /* an object, or NULL */
    const json_t *platform;    /* an index entry's, or NULL */
} OciDesc;

/* Downloads a blob into sink, checking size and digest; head gets its first bytes. */
OciStatus oci_blob_get(OciSession *s, const OciDesc *d, FILE *sink, uint8_t head[8],
                       size_t *head_len);
/* Downloads a small blob (at most max bytes) into an owned, NUL-terminated buffer. */
OciStatus oci_blob_get_mem(OciSession *s, const OciDesc *d, size_t max, uint8_t **out,
                           size_t *out_len);

/* ---- credentials (oci_auth.c) ---- */

/* Fills creds for registry from the docker config (opts->docker_config or the default
 * place). A missing file is no credentials; a malformed one is an error (owned message). */
OciStatus oci_creds_load(const char *registry, const char *config_path, OciCreds *out,
                         char **out_err);
void oci_creds_clear(OciCreds *c);

/* Answers a 401's WWW-Authenticate challenge: sets s->authorization (Basic or a Bearer
 * token). OCI_ERR_AUTH with a message when it cannot. */
OciStatus oci_auth_answer(OciSession *s, const char *challenge);

/* ---- manifests (artifact.c) ---- */

/* A parsed image manifest. */
typedef struct OciManifest {
    json_t *root; /* owns every string the descriptors point to */
    const char *media_type;
    OciDesc config;
    OciDesc *layers;
    size_t nlayers;
} OciManifest;

/* Parses and checks an image manifest (OCI or Docker v2 schema 2); media_type is the one the
 * registry gave. OCI_ERR_FORMAT with the message on s. */
OciStatus oci_manifest_parse(OciSession *s, const uint8_t *bytes, size_t len,
                             const char *media_type, OciManifest *out);
void oci_manifest_clear(OciManifest *m);
/* True for an index or manifest list media type. */
bool oci_is_index(const char *media_type);
/* Chooses the wasm entry of an index (platform architecture "wasm"), else its only entry:
 * *out_digest set. OCI_ERR_FORMAT when neither. */
OciStatus oci_index_choose(OciSession *s, const uint8_t *bytes, size_t len,
                           char out_digest[OCI_DIGEST_SIZE]);

/* The JSON text (owned) of an OCI image manifest with config and layers. layer_titles[i]
 * (or NULL) becomes the layer's org.opencontainers.image.title; subject and artifact_type may
 * be NULL. */
char *oci_manifest_json(const char *artifact_type, const OciDesc *config, const OciDesc *layers,
                        size_t nlayers, const json_t *const *layer_annotations,
                        const OciDesc *subject);
/* The CNCF wasm config: created (RFC 3339), architecture wasm, os wasip1, layerDigests. */
char *oci_wasm_config_json(const char *layer_digest, const char *created);
/* An image config for --image: platform os/arch, Entrypoint entrypoint (NULL:
 * OCI_IMAGE_MODULE_PATH), the one layer's diff_id. */
char *oci_image_config_json(const char *os, const char *arch, const char *diff_id,
                            const char *created, const char *entrypoint);

/* The module path an image config names (Entrypoint[0], else Cmd[0], without runwasi's
 * "#function" suffix and the leading '/'), owned; NULL when it names none. */
char *oci_image_entrypoint(const uint8_t *config, size_t len);

/* ---- the layer tar (oci_tar.c) ---- */

/* Writes a one-file layer (name, mode 0755, owner 0, mtime 0) holding the len bytes of
 * module from offset 0 to out, gzip-compressed when asked. Fills the digest and size of what
 * was written and the diff_id (digest of the tar itself). */
OciStatus oci_tar_write(OciSession *s, FILE *module, uint64_t len, const char *name, bool gzip,
                        FILE *out, char out_digest[OCI_DIGEST_SIZE], uint64_t *out_size,
                        char out_diff_id[OCI_DIGEST_SIZE]);
/* oci_tar_write with files[0..nfiles) after the module, each preceded by the directory
 * entries of its parents not written yet. */
OciStatus oci_tar_write_files(OciSession *s, FILE *module, uint64_t len, const char *name,
                              const OciImageFile *files, size_t nfiles, bool gzip, FILE *out,
                              char out_digest[OCI_DIGEST_SIZE], uint64_t *out_size,
                              char out_diff_id[OCI_DIGEST_SIZE]);

/* What oci_tar_find found of path in one layer. */
typedef enum OciTarFound {
    OCI_TAR_ABSENT,  /* not in this layer: look in the layer below */
    OCI_TAR_FILE,    /* a regular file, copied to out */
    OCI_TAR_DELETED, /* a whiteout removes it (or a parent) in this layer */
} OciTarFound;

/* Looks for path (no leading '/') in a layer tar read from layer (gzip when asked, detected
 * by its magic bytes), copying a regular file of at most max bytes to out. The last entry of
 * that name wins, as when unpacking. A path that is a symlink, a directory or a hard link is
 * an OCI_ERR_FORMAT error. head gets the file's first bytes. */
OciStatus oci_tar_find(OciSession *s, FILE *layer, const char *path, uint64_t max, FILE *out,
                       OciTarFound *found, uint64_t *out_size, uint8_t head[8], size_t *head_len);

/* ---- signatures beside the manifest (oci_sig.c) ---- */

/* The tag the signatures of manifest digest live under: "sha256-<hex>.corral.sig". */
void oci_sig_tag(const char *digest, char out[OCI_DIGEST_SIZE + 16]);
/* Signs digest (a manifest of media_type and size bytes) and pushes the signature artifact,
 * keeping the signatures by other keys already there. */
OciStatus oci_sig_push(OciSession *s, const OciSigner *signer, const char *digest,
                       const char *media_type, uint64_t size);
/* Checks that a key of keyring with an accepted role signed digest; *out_label (borrowed from
 * the keyring) says whose. OCI_ERR_SIGNATURE when not. */
OciStatus oci_sig_verify(OciSession *s, const OciKeyring *keyring, const char *digest,
                         const char **out_label);

#endif
