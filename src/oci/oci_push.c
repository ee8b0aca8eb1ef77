/* oci_push.c: `corral push` to a registry (oci_push in oci.h): the module checked and
 * hashed, its config, layer and manifest built (artifact.c) in the wasm artifact form or,
 * with spec->image, as an ordinary image whose one tar layer holds OCI_IMAGE_MODULE_PATH, the
 * blobs uploaded unless the repository has them, the manifest put under the tag, and the
 * signature pushed beside it. The module is streamed from its file, never held whole. */
#include "oci/oci_int.h"

#include "util/strf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* What push knows about the module file. */
typedef struct Module {
    FILE *f;
    uint64_t size;
    char digest[OCI_DIGEST_SIZE];
    char created[32];  /* RFC 3339, UTC */
    const char *title; /* the file's base name */
} Module;

/* The time configs record: $SOURCE_DATE_EPOCH when set (reproducible builds' convention),
 * else the module's modification time, so pushing one file twice gives one digest. */
static void created_time(const struct stat *st, char out[32])
{
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    char *end;
    time_t t = st->st_mtime;
    if (epoch && *epoch) {
        long long v = strtoll(epoch, &end, 10);
        if (*end == 0 && v >= 0)
            t = (time_t)v;
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static OciStatus open_module(OciSession *s, const char *path, Module *m)
{
    struct stat st;
    uint8_t buf[65536], hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state sha;
    memset(m, 0, sizeof *m);
    m->f = fopen(path, "rb");
    if (!m->f || fstat(fileno(m->f), &st) != 0)
        return oci_fail(s, OCI_ERR_IO, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return oci_fail(s, OCI_ERR_IO, "%s: not a regular file", path);
    if ((uint64_t)st.st_size > s->opts.max_size)
        return oci_fail(s, OCI_ERR_TOO_BIG, "%s: %lld bytes, more than the %llu allowed", path,
                        (long long)st.st_size, (unsigned long long)s->opts.max_size);
    crypto_hash_sha256_init(&sha);
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, m->f)) > 0) {
        if (m->size == 0 && (n < 4 || memcmp(buf, "\0asm", 4) != 0))
            return oci_fail(s, OCI_ERR_FORMAT, "%s: not a WebAssembly binary (no \\0asm header)",
                            path);
        crypto_hash_sha256_update(&sha, buf, n);
        m->size += n;
    }
    if (ferror(m->f))
        return oci_fail(s, OCI_ERR_IO, "%s: %s", path, strerror(errno));
    if (m->size == 0)
        return oci_fail(s, OCI_ERR_FORMAT, "%s: empty, not a WebAssembly binary", path);
    crypto_hash_sha256_final(&sha, hash);
    oci_digest_format(hash, m->digest);
    created_time(&st, m->created);
    const char *slash = strrchr(path, '/');
    m->title = slash ? slash + 1 : path;
    return OCI_OK;
}

/* The manifest of the wasm artifact: config and the module as its only layer. */
static OciStatus push_artifact(OciSession *s, Module *m, char **out_json)
{
    char config_digest[OCI_DIGEST_SIZE];
    char *config = oci_wasm_config_json(m->digest, m->created);
    if (!config)
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    oci_digest_bytes(config, strlen(config), config_digest);
    OciDesc cd = {OCI_MT_WASM_CONFIG, config_digest, strlen(config), NULL, NULL};
    OciDesc ld = {OCI_MT_WASM_LAYER, m->digest, m->size, NULL, NULL};
    json_t *title = json_pack("{s:s}", "org.opencontainers.image.title", m->title);
    OciStatus st = oci_blob_push(s, m->digest, NULL, m->f, m->size);
    if (!st)
        st = oci_blob_push(s, config_digest, (const uint8_t *)config, NULL, strlen(config));
    if (!st &&
        !(*out_json = oci_manifest_json(NULL, &cd, &ld, 1, (const json_t *const *)&title, NULL)))
        st = oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    json_decref(title);
    free(config);
    return st;
}

/* "OS/ARCH" into its parts. */
static OciStatus split_platform(OciSession *s, const char *platform, char os[64], char arch[64])
{
    const char *slash = strchr(platform, '/');
    size_t os_len = slash ? (size_t)(slash - platform) : 0;
    if (!slash || os_len == 0 || os_len >= 64 || !slash[1] || strlen(slash + 1) >= 64 ||
        strchr(slash + 1, '/'))
        return oci_fail(s, OCI_ERR_USAGE,
                        "the platform '%s' is not OS/ARCH (e.g. wasi/wasm, "
                        "linux/amd64)",
                        platform);
    memcpy(os, platform, os_len);
    os[os_len] = 0;
    strcpy(arch, slash + 1);
    return OCI_OK;
}

/* The manifest of an ordinary image: one tar layer holding the module at
 * OCI_IMAGE_MODULE_PATH, and a config naming it as the entrypoint. */
static OciStatus push_image(OciSession *s, const OciPushSpec *spec, Module *m, char **out_json)
{
    char os[64], arch[64], layer_digest[OCI_DIGEST_SIZE], diff_id[OCI_DIGEST_SIZE];
    char config_digest[OCI_DIGEST_SIZE];
    uint64_t layer_size;
    char *config = NULL;
    OciStatus st = split_platform(s, spec->platform ? spec->platform : "wasi/wasm", os, arch);
    if (st)
        return st;
    FILE *layer = tmpfile();
    if (!layer)
        return oci_fail(s, OCI_ERR_IO, "cannot make a temporary file: %s", strerror(errno));
    st = oci_tar_write_files(s, m->f, m->size, OCI_IMAGE_MODULE_NAME, spec->files, spec->nfiles,
                             spec->gzip, layer, layer_digest, &layer_size, diff_id);
    if (!st && !(config = oci_image_config_json(os, arch, diff_id, m->created, spec->entrypoint)))
        st = oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    if (!st) {
        oci_digest_bytes(config, strlen(config), config_digest);
        st = oci_blob_push(s, layer_digest, NULL, layer, layer_size);
    }
    if (!st)
        st = oci_blob_push(s, config_digest, (const uint8_t *)config, NULL, strlen(config));
    OciDesc cd = {OCI_MT_IMAGE_CONFIG, config_digest, config ? strlen(config) : 0, NULL, NULL};
    OciDesc ld = {spec->gzip ? OCI_MT_LAYER_TAR_GZIP : OCI_MT_LAYER_TAR, layer_digest, layer_size,
                  NULL, NULL};
    if (!st && !(*out_json = oci_manifest_json(NULL, &cd, &ld, 1, NULL, NULL)))
        st = oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    free(config);
    fclose(layer);
    return st;
}

OciStatus oci_push(OciSession *s, const OciPushSpec *spec, char **out_digest)
{
    char digest[OCI_DIGEST_SIZE];
    char *json = NULL;
    Module m;
    *out_digest = NULL;
    if (s->ref.digest)
        return oci_fail(s, OCI_ERR_USAGE, "push needs a tag, not a digest (@%s)", s->ref.digest);
    OciStatus st = open_module(s, spec->module_path, &m);
    if (!st)
        st = spec->image ? push_image(s, spec, &m, &json) : push_artifact(s, &m, &json);
    if (!st)
        st = oci_manifest_put(s, s->ref.tag, OCI_MT_MANIFEST, json, digest);
    if (!st && spec->signer)
        st = oci_sig_push(s, spec->signer, digest, OCI_MT_MANIFEST, strlen(json));
    if (!st && !(*out_digest = strdup(digest)))
        st = oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    free(json);
    if (m.f)
        fclose(m.f);
    return st;
}
