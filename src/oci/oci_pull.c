/* oci_pull.c: `corral pull` from a registry (oci_pull in oci.h): the manifest fetched and
 * verified, the signature checked before anything else is fetched when a keyring is given,
 * an index narrowed to its wasm manifest, and the module taken from whichever form holds it:
 * a wasm layer (the CNCF artifact's application/wasm, wasm-to-oci's and WAGI's
 * application/vnd.wasm.content.layer.v1+wasm; the first one wins, as in WAGI) streamed
 * straight to the output, or an image's tar layers searched top-down for the file its
 * entrypoint names. */
#include "oci/oci_int.h"

#include "util/strf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool is_wasm_layer(const char *media_type)
{
    return !strcmp(media_type, OCI_MT_WASM_LAYER) || !strcmp(media_type, OCI_MT_W2O_LAYER);
}

static bool is_tar_layer(const char *media_type)
{
    return !strcmp(media_type, OCI_MT_LAYER_TAR) || !strcmp(media_type, OCI_MT_LAYER_TAR_GZIP) ||
           !strcmp(media_type, OCI_MT_DOCKER_LAYER_GZIP) ||
           !strcmp(media_type, OCI_MT_DOCKER_LAYER_TAR);
}

static bool is_image_config(const char *media_type)
{
    return !strcmp(media_type, OCI_MT_IMAGE_CONFIG) || !strcmp(media_type, OCI_MT_DOCKER_CONFIG);
}

static OciStatus check_magic(OciSession *s, const uint8_t *head, size_t head_len)
{
    if (head_len < 4 || memcmp(head, "\0asm", 4) != 0)
        return oci_fail(s, OCI_ERR_FORMAT,
                        "what the registry holds is not a WebAssembly binary "
                        "(no \\0asm header)");
    return OCI_OK;
}

/* Searches one layer (downloaded to a temporary file) for path. */
static OciStatus search_layer(OciSession *s, const OciDesc *d, const char *path, FILE *out,
                              OciTarFound *found, uint64_t *size, uint8_t head[8], size_t *head_len)
{
    uint8_t layer_head[8];
    size_t layer_head_len;
    if (!is_tar_layer(d->media_type))
        return oci_fail(s, OCI_ERR_FORMAT,
                        "an image layer has media type %s, which Corral "
                        "does not unpack (tar, or tar+gzip)",
                        d->media_type);
    FILE *tmp = tmpfile();
    if (!tmp)
        return oci_fail(s, OCI_ERR_IO, "cannot make a temporary file: %s", strerror(errno));
    OciStatus st = oci_blob_get(s, d, tmp, layer_head, &layer_head_len);
    if (!st && fflush(tmp) != 0)
        st = oci_fail(s, OCI_ERR_IO, "writing a temporary file: %s", strerror(errno));
    if (!st)
        st = oci_tar_find(s, tmp, path, s->opts.max_size, out, found, size, head, head_len);
    fclose(tmp);
    return st;
}

/* The module of an ordinary image: the file its entrypoint names (else /app.wasm), from the
 * topmost layer that has it or deletes it. */
static OciStatus pull_image(OciSession *s, const OciManifest *m, FILE *out, OciPullResult *res)
{
    uint8_t *config, head[8];
    size_t config_len, head_len = 0;
    OciStatus st = oci_blob_get_mem(s, &m->config, OCI_MAX_CONFIG, &config, &config_len);
    if (st)
        return st;
    char *path = oci_image_entrypoint(config, config_len);
    free(config);
    if (!path && !(path = strdup(OCI_IMAGE_MODULE_NAME)))
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    OciTarFound found = OCI_TAR_ABSENT;
    for (size_t i = m->nlayers; !st && found == OCI_TAR_ABSENT && i-- > 0;)
        st = search_layer(s, &m->layers[i], path, out, &found, &res->size, head, &head_len);
    if (!st && found != OCI_TAR_FILE)
        st = oci_fail(s, OCI_ERR_FORMAT, "the image has no /%s (%s)", path,
                      found == OCI_TAR_DELETED ? "a layer deletes it"
                                               : "its entrypoint, in none of its layers");
    if (!st)
        st = check_magic(s, head, head_len);
    free(path);
    res->form = "image";
    return st;
}

/* "a, b, c": the layers' media types, for a message. */
static char *layer_types(const OciManifest *m)
{
    char *text = strdup("");
    for (size_t i = 0; text && i < m->nlayers; i++) {
        char *more = strf("%s%s%s", text, i ? ", " : "", m->layers[i].media_type);
        free(text);
        text = more;
    }
    return text;
}

static OciStatus pull_manifest(OciSession *s, const OciManifest *m, FILE *out, OciPullResult *res)
{
    uint8_t head[8];
    size_t head_len = 0;
    for (size_t i = 0; i < m->nlayers; i++) {
        const OciDesc *d = &m->layers[i];
        if (!is_wasm_layer(d->media_type))
            continue;
        res->form =
            !strcmp(d->media_type, OCI_MT_W2O_LAYER) ? "wasm-to-oci artifact" : "wasm artifact";
        OciStatus st = oci_blob_get(s, d, out, head, &head_len);
        res->size = d->size;
        return st ? st : check_magic(s, head, head_len);
    }
    if (is_image_config(m->config.media_type))
        return pull_image(s, m, out, res);
    char *types = layer_types(m);
    OciStatus st = oci_fail(
        s, OCI_ERR_FORMAT,
        "the manifest holds no WebAssembly module: its "
        "config is %s and its layers are %s (Corral reads layers of type " OCI_MT_WASM_LAYER
        " or " OCI_MT_W2O_LAYER ", and images)",
        m->config.media_type, types && *types ? types : "none");
    free(types);
    return st;
}

/* What the reference names: its manifest (or index) fetched and checked against its digest,
 * then, with a keyring, its signature. *bytes and *media_type are owned by the caller. */
static OciStatus resolve(OciSession *s, const OciKeyring *keyring, uint8_t **bytes, size_t *len,
                         char **media_type, char digest[OCI_DIGEST_SIZE], const char **label)
{
    OciStatus st = oci_manifest_get(s, s->ref.digest ? s->ref.digest : s->ref.tag, bytes, len,
                                    media_type, digest);
    /* The signature covers what the reference names: the index itself when it is one. */
    if (!st && keyring)
        st = oci_sig_verify(s, keyring, digest, label);
    return st;
}

/* Copies the digest and the signer's label into *res. */
static OciStatus set_result(OciSession *s, const char *digest, const char *label,
                            OciPullResult *res)
{
    if (!(res->digest = strdup(digest)) || (label && !(res->signed_by = strdup(label))))
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    return OCI_OK;
}

OciStatus oci_resolve(OciSession *s, const OciKeyring *keyring, OciPullResult *res)
{
    uint8_t *bytes = NULL;
    size_t len;
    char *media_type = NULL, digest[OCI_DIGEST_SIZE];
    const char *label = NULL;
    memset(res, 0, sizeof *res);
    OciStatus st = resolve(s, keyring, &bytes, &len, &media_type, digest, &label);
    if (!st)
        st = set_result(s, digest, label, res);
    free(bytes);
    free(media_type);
    if (st)
        oci_pull_result_clear(res);
    return st;
}

OciStatus oci_pull(OciSession *s, const OciKeyring *keyring, FILE *out, OciPullResult *res)
{
    uint8_t *bytes = NULL;
    size_t len;
    char *media_type = NULL, digest[OCI_DIGEST_SIZE], chosen[OCI_DIGEST_SIZE];
    char chosen_got[OCI_DIGEST_SIZE];
    const char *label = NULL;
    OciManifest m = {0};
    memset(res, 0, sizeof *res);
    OciStatus st = resolve(s, keyring, &bytes, &len, &media_type, digest, &label);
    if (!st && oci_is_index(media_type)) {
        st = oci_index_choose(s, bytes, len, chosen);
        free(bytes);
        free(media_type);
        bytes = NULL;
        media_type = NULL;
        if (!st)
            st = oci_manifest_get(s, chosen, &bytes, &len, &media_type, chosen_got);
    }
    if (!st)
        st = oci_manifest_parse(s, bytes, len, media_type, &m);
    if (!st)
        st = pull_manifest(s, &m, out, res);
    if (!st && fflush(out) != 0)
        st = oci_fail(s, OCI_ERR_IO, "writing the module: %s", strerror(errno));
    if (!st)
        st = set_result(s, digest, label, res);
    oci_manifest_clear(&m);
    free(bytes);
    free(media_type);
    if (st)
        oci_pull_result_clear(res);
    return st;
}

void oci_pull_result_clear(OciPullResult *r)
{
    free(r->digest);
    free(r->signed_by);
    memset(r, 0, sizeof *r);
}
