/* oci_sig.c: detached signatures beside a manifest. Following cosign's convention of a tag
 * derived from the signed digest, the signatures of manifest sha256:HEX live in an artifact
 * tagged "sha256-HEX.corral.sig" (not cosign's ".sig", whose payload and key formats differ):
 * an OCI manifest with artifactType OCI_MT_SIG_ARTIFACT, the empty config, and one layer per
 * signer whose blob is the signed payload and whose annotations carry the Ed25519 signature,
 * the public key and its label. The payload binds the digest and nothing else:
 *     "corral-oci-signature/v1\nsha256:HEX\n"
 * so a signature stays valid when the manifest is copied to another repository or registry,
 * and says nothing about tags (docs/design/oci.md). */
#include "oci/oci_int.h"

#include "util/strf.h"

#include <stdlib.h>
#include <string.h>

#define OCI_MT_SIG_ARTIFACT "application/vnd.corral.signature.v1"
#define OCI_MT_SIG_LAYER "application/vnd.corral.signature.payload.v1"
#define SIG_PAYLOAD_PREFIX "corral-oci-signature/v1\n"
#define ANN_SIGNATURE "dev.corral.signature"
#define ANN_KEY "dev.corral.signature.key"
#define ANN_LABEL "dev.corral.signature.label"

/* The empty config OCI 1.1 artifacts use: "{}". */
#define EMPTY_JSON "{}"
#define EMPTY_DIGEST "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

void oci_sig_tag(const char *digest, char out[OCI_DIGEST_SIZE + 16])
{
    snprintf(out, OCI_DIGEST_SIZE + 16, "sha256-%s.corral.sig", digest + 7);
}

static char *payload_for(const char *digest)
{
    return strf(SIG_PAYLOAD_PREFIX "%s\n", digest);
}

static char *base64(const uint8_t *bin, size_t len)
{
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *out = malloc(cap);
    if (out)
        sodium_bin2base64(out, cap, bin, len, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

static bool unbase64(const char *text, uint8_t *out, size_t len)
{
    size_t got = 0;
    return text &&
           sodium_base642bin(out, len, text, strlen(text), NULL, &got, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           got == len;
}

static const char *annotation(const OciDesc *d, const char *key)
{
    return json_string_value(json_object_get(d->annotations, key));
}

/* The signature artifact already under tag, if any (OCI_ERR_NOT_FOUND when none). */
static OciStatus get_existing(OciSession *s, const char *tag, OciManifest *out)
{
    uint8_t *bytes;
    size_t len;
    char *media_type, digest[OCI_DIGEST_SIZE];
    OciStatus st = oci_manifest_get(s, tag, &bytes, &len, &media_type, digest);
    if (st)
        return st;
    st = oci_manifest_parse(s, bytes, len, media_type, out);
    free(bytes);
    if (!st)
        out->media_type = NULL; /* it pointed into media_type, freed now */
    free(media_type);
    return st;
}

/* The layers of the new artifact: the existing signatures by other keys, then ours. */
static OciStatus build_layers(OciSession *s, const OciManifest *old, const char *our_key,
                              const OciDesc *ours, json_t *our_ann, OciDesc **out_layers,
                              json_t ***out_ann, size_t *out_n)
{
    size_t n = 0, cap = old->nlayers + 1;
    OciDesc *layers = calloc(cap, sizeof *layers);
    json_t **ann = calloc(cap, sizeof *ann);
    if (!layers || !ann) {
        free(layers);
        free(ann);
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < old->nlayers; i++) {
        const char *key = annotation(&old->layers[i], ANN_KEY);
        if (strcmp(old->layers[i].media_type, OCI_MT_SIG_LAYER) || !key || !strcmp(key, our_key))
            continue;
        layers[n] = old->layers[i];
        ann[n++] = (json_t *)old->layers[i].annotations;
    }
    layers[n] = *ours;
    ann[n++] = our_ann;
    *out_layers = layers;
    *out_ann = ann;
    *out_n = n;
    return OCI_OK;
}

OciStatus oci_sig_push(OciSession *s, const OciSigner *signer, const char *digest,
                       const char *media_type, uint64_t size)
{
    char tag[OCI_DIGEST_SIZE + 16], payload_digest[OCI_DIGEST_SIZE], put_digest[OCI_DIGEST_SIZE];
    uint8_t sig[OCI_SIGN_BYTES];
    oci_sig_tag(digest, tag);
    char *payload = payload_for(digest);
    if (!payload)
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    oci_signer_sign(signer, (const uint8_t *)payload, strlen(payload), sig);
    oci_digest_bytes(payload, strlen(payload), payload_digest);
    char *sig64 = base64(sig, sizeof sig);
    char *key64 = base64(oci_signer_public_key(signer), OCI_SIGN_PUBLIC_KEY_BYTES);
    json_t *our_ann = sig64 && key64 ? json_pack("{s:s, s:s, s:s}", ANN_SIGNATURE, sig64, ANN_KEY,
                                                 key64, ANN_LABEL, oci_signer_label(signer))
                                     : NULL;
    OciManifest old = {0};
    OciDesc *layers = NULL, ours = {OCI_MT_SIG_LAYER, payload_digest, strlen(payload), NULL, NULL};
    OciDesc config = {OCI_MT_EMPTY, EMPTY_DIGEST, 2, NULL, NULL};
    OciDesc subject = {media_type, digest, size, NULL, NULL};
    json_t **ann = NULL;
    size_t n = 0;
    char *json = NULL;
    OciStatus st = our_ann ? OCI_OK : oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    if (!st) {
        st = get_existing(s, tag, &old);
        if (st == OCI_ERR_NOT_FOUND)
            st = OCI_OK;
    }
    if (!st)
        st = build_layers(s, &old, key64, &ours, our_ann, &layers, &ann, &n);
    if (!st)
        st = oci_blob_push(s, EMPTY_DIGEST, (const uint8_t *)EMPTY_JSON, NULL, 2);
    if (!st)
        st = oci_blob_push(s, payload_digest, (const uint8_t *)payload, NULL, strlen(payload));
    if (!st && !(json = oci_manifest_json(OCI_MT_SIG_ARTIFACT, &config, layers, n,
                                          (const json_t *const *)ann, &subject)))
        st = oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    if (!st)
        st = oci_manifest_put(s, tag, OCI_MT_MANIFEST, json, put_digest);
    if (!st)
        oci_log(s, "signed %s as '%s' (%s)", digest, oci_signer_label(signer), tag);
    free(json);
    free(layers);
    free(ann);
    oci_manifest_clear(&old);
    json_decref(our_ann);
    free(sig64);
    free(key64);
    free(payload);
    return st;
}

/* Checks one signature layer: 1 a good signature by a known key, 0 a key not in the keyring
 * (or not with an accepted role), -1 a known key whose signature does not verify. */
static int check_layer(const OciDesc *d, const OciKeyring *keyring, const char *payload,
                       const char *payload_digest, const char **out_label)
{
    uint8_t key[OCI_SIGN_PUBLIC_KEY_BYTES], sig[OCI_SIGN_BYTES];
    if (!unbase64(annotation(d, ANN_KEY), key, sizeof key))
        return 0;
    const char *label = oci_keyring_find(keyring, key, OCI_ROLES_ACCEPTED);
    if (!label)
        return 0;
    *out_label = label;
    /* The layer must be this digest's payload: a signature of another manifest, moved here,
     * verifies against its own payload only. */
    if (strcmp(d->digest, payload_digest) != 0 ||
        !unbase64(annotation(d, ANN_SIGNATURE), sig, sizeof sig))
        return -1;
    return oci_sign_verify(key, (const uint8_t *)payload, strlen(payload), sig) ? 1 : -1;
}

OciStatus oci_sig_verify(OciSession *s, const OciKeyring *keyring, const char *digest,
                         const char **out_label)
{
    char tag[OCI_DIGEST_SIZE + 16], payload_digest[OCI_DIGEST_SIZE];
    oci_sig_tag(digest, tag);
    OciManifest m;
    OciStatus st = get_existing(s, tag, &m);
    if (st == OCI_ERR_NOT_FOUND)
        return oci_fail(s, OCI_ERR_SIGNATURE,
                        "%s is not signed: the registry has no "
                        "signature tag %s (push with --sign)",
                        digest, tag);
    if (st)
        return st;
    char *payload = payload_for(digest);
    if (!payload) {
        oci_manifest_clear(&m);
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    }
    oci_digest_bytes(payload, strlen(payload), payload_digest);
    const char *good = NULL, *bad = NULL;
    size_t signatures = 0;
    for (size_t i = 0; i < m.nlayers; i++) {
        const char *label = NULL;
        if (strcmp(m.layers[i].media_type, OCI_MT_SIG_LAYER) != 0)
            continue;
        signatures++;
        int r = check_layer(&m.layers[i], keyring, payload, payload_digest, &label);
        if (r > 0 && !good)
            good = label;
        else if (r < 0 && !bad)
            bad = label;
    }
    if (bad)
        st = oci_fail(s, OCI_ERR_SIGNATURE,
                      "the signature of %s by '%s' does not verify: the "
                      "signature or what it signs was changed",
                      digest, bad);
    else if (!good)
        st = oci_fail(s, OCI_ERR_SIGNATURE,
                      "%s has %zu signature%s, none by a key of the "
                      "keyring with the creator or approver role",
                      digest, signatures, signatures == 1 ? "" : "s");
    else
        *out_label = good;
    if (!st)
        oci_log(s, "signature of %s by '%s' verified", digest, good);
    free(payload);
    oci_manifest_clear(&m);
    return st;
}
