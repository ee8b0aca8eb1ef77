/* artifact.c: the documents of the OCI image spec as Corral writes and reads them: image
 * manifests (OCI and Docker v2 schema 2) and indexes parsed into descriptors, the manifests
 * and configs push writes for the CNCF wasm artifact and for --image, and which layer of a
 * pulled manifest holds the module. JSON only (jansson): no I/O, no HTTP. */
#include "oci/oci_int.h"

#include "util/strf.h"

#include <stdlib.h>
#include <string.h>

/* ---- reading ---- */

bool oci_is_index(const char *media_type)
{
    return !strcmp(media_type, OCI_MT_INDEX) || !strcmp(media_type, OCI_MT_DOCKER_LIST);
}

static bool is_manifest(const char *media_type)
{
    return !strcmp(media_type, OCI_MT_MANIFEST) || !strcmp(media_type, OCI_MT_DOCKER_MANIFEST);
}

/* Reads one descriptor; false when a field is missing or malformed. */
static bool parse_desc(const json_t *j, OciDesc *d)
{
    const json_t *size = json_object_get(j, "size");
    d->media_type = json_string_value(json_object_get(j, "mediaType"));
    d->digest = json_string_value(json_object_get(j, "digest"));
    d->annotations = json_object_get(j, "annotations");
    d->platform = json_object_get(j, "platform");
    if (!json_is_object(d->annotations))
        d->annotations = NULL;
    if (!json_is_object(d->platform))
        d->platform = NULL;
    if (!d->media_type || !d->digest || !json_is_integer(size) || json_integer_value(size) < 0)
        return false;
    d->size = (uint64_t)json_integer_value(size);
    return oci_digest_valid(d->digest);
}

OciStatus oci_manifest_parse(OciSession *s, const uint8_t *bytes, size_t len,
                             const char *media_type, OciManifest *out)
{
    json_error_t jerr;
    memset(out, 0, sizeof *out);
    if (!strncmp(media_type, "application/vnd.docker.distribution.manifest.v1", 47))
        return oci_fail(s, OCI_ERR_FORMAT,
                        "the manifest is Docker's schema 1 (%s), which "
                        "Corral does not read",
                        media_type);
    if (!is_manifest(media_type))
        return oci_fail(s, OCI_ERR_FORMAT,
                        "the manifest's media type %s is not an image "
                        "manifest",
                        media_type);
    out->root = json_loadb((const char *)bytes, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!out->root)
        return oci_fail(s, OCI_ERR_FORMAT, "the manifest is not JSON: %s (line %d)", jerr.text,
                        jerr.line);
    const json_t *layers = json_object_get(out->root, "layers");
    json_int_t version = json_integer_value(json_object_get(out->root, "schemaVersion"));
    out->media_type = media_type;
    size_t n = json_array_size(layers);
    if (version != 2 || !json_is_array(layers) ||
        !parse_desc(json_object_get(out->root, "config"), &out->config))
        goto bad;
    out->layers = calloc(n ? n : 1, sizeof *out->layers);
    if (!out->layers) {
        oci_manifest_clear(out);
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++, out->nlayers++)
        if (!parse_desc(json_array_get(layers, i), &out->layers[i]))
            goto bad;
    return OCI_OK;
bad:
    oci_manifest_clear(out);
    return oci_fail(s, OCI_ERR_FORMAT,
                    "the manifest is malformed: it needs schemaVersion 2, "
                    "a config and a layers array of descriptors (mediaType, sha256 digest, "
                    "size)");
}

void oci_manifest_clear(OciManifest *m)
{
    json_decref(m->root);
    free(m->layers);
    memset(m, 0, sizeof *m);
}

static const char *platform_field(const json_t *platform, const char *name)
{
    const char *v = json_string_value(json_object_get(platform, name));
    return v ? v : "?";
}

OciStatus oci_index_choose(OciSession *s, const uint8_t *bytes, size_t len,
                           char out_digest[OCI_DIGEST_SIZE])
{
    json_t *root = json_loadb((const char *)bytes, len, 0, NULL);
    const json_t *list = json_object_get(root, "manifests");
    size_t n = json_array_size(list), first = n, wasm = n, usable = 0;
    char *seen = strdup(""); /* "os/arch, ..." for the message */
    for (size_t i = 0; i < n && seen; i++) {
        OciDesc d;
        if (!parse_desc(json_array_get(list, i), &d) || !is_manifest(d.media_type))
            continue;
        const char *arch = platform_field(d.platform, "architecture");
        usable++;
        first = first < n ? first : i;
        wasm = wasm < n || strcmp(arch, "wasm") ? wasm : i;
        char *more =
            strf("%s%s%s/%s", seen, *seen ? ", " : "", platform_field(d.platform, "os"), arch);
        free(seen);
        seen = more;
    }
    size_t chosen = wasm < n ? wasm : usable == 1 ? first : n;
    OciStatus st = OCI_OK;
    OciDesc d;
    if (!seen)
        st = oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    else if (usable == 0)
        st = oci_fail(s, OCI_ERR_FORMAT, "the index lists no image manifest");
    else if (chosen == n)
        st = oci_fail(s, OCI_ERR_FORMAT,
                      "the index has no wasm manifest (architecture "
                      "\"wasm\") among its platforms: %s",
                      seen);
    else if (parse_desc(json_array_get(list, chosen), &d))
        memcpy(out_digest, d.digest, OCI_DIGEST_SIZE);
    free(seen);
    json_decref(root);
    return st;
}

char *oci_image_entrypoint(const uint8_t *config, size_t len)
{
    json_t *root = json_loadb((const char *)config, len, 0, NULL);
    const json_t *c = json_object_get(root, "config");
    const char *path = json_string_value(json_array_get(json_object_get(c, "Entrypoint"), 0));
    if (!path)
        path = json_string_value(json_array_get(json_object_get(c, "Cmd"), 0));
    char *out = NULL;
    if (path) {
        while (*path == '/' || (path[0] == '.' && path[1] == '/'))
            path += *path == '/' ? 1 : 2;
        /* runwasi's "path#function" names an export to call. */
        out = strf("%.*s", (int)strcspn(path, "#"), path);
    }
    json_decref(root);
    return out;
}

/* ---- writing ---- */

static json_t *desc_json(const OciDesc *d, const json_t *annotations)
{
    json_t *j = json_pack("{s:s, s:s, s:I}", "mediaType", d->media_type, "digest", d->digest,
                          "size", (json_int_t)d->size);
    if (j && annotations && json_object_set(j, "annotations", (json_t *)annotations) != 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* Serialises root compactly, in insertion order, and releases it. */
static char *dump(json_t *root)
{
    char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    return text;
}

char *oci_manifest_json(const char *artifact_type, const OciDesc *config, const OciDesc *layers,
                        size_t nlayers, const json_t *const *layer_annotations,
                        const OciDesc *subject)
{
    json_t *root = json_pack("{s:i, s:s}", "schemaVersion", 2, "mediaType", OCI_MT_MANIFEST);
    json_t *list = json_array();
    bool ok = root && list;
    if (ok && artifact_type)
        ok = json_object_set_new(root, "artifactType", json_string(artifact_type)) == 0;
    if (ok)
        ok = json_object_set_new(root, "config", desc_json(config, NULL)) == 0;
    for (size_t i = 0; ok && i < nlayers; i++)
        ok = json_array_append_new(
                 list, desc_json(&layers[i], layer_annotations ? layer_annotations[i] : NULL)) == 0;
    if (ok)
        ok = json_object_set(root, "layers", list) == 0;
    if (ok && subject)
        ok = json_object_set_new(root, "subject", desc_json(subject, NULL)) == 0;
    json_decref(list);
    if (!ok) {
        json_decref(root);
        return NULL;
    }
    return dump(root);
}

char *oci_wasm_config_json(const char *layer_digest, const char *created)
{
    return dump(json_pack("{s:s, s:s, s:s, s:[s]}", "created", created, "architecture", "wasm",
                          "os", "wasip1", "layerDigests", layer_digest));
}

char *oci_image_config_json(const char *os, const char *arch, const char *diff_id,
                            const char *created, const char *entrypoint)
{
    return dump(json_pack("{s:s, s:s, s:s, s:{s:[s]}, s:{s:s, s:[s]}, s:[{s:s, s:s}]}", "created",
                          created, "architecture", arch, "os", os, "config", "Entrypoint",
                          entrypoint ? entrypoint : OCI_IMAGE_MODULE_PATH, "rootfs", "type", "layers", "diff_ids", diff_id,
                          "history", "created", created, "created_by", "corral push --image"));
}
