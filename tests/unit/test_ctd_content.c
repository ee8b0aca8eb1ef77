/* test_ctd_content.c: the content-store reader's parts that need no containerd: gRPC frames
 * split at every byte, trailers and their percent-encoding, the codes passed on, namespace
 * names, the choice of manifest in an index and of layer in a manifest, the module preamble,
 * and the arguments refused before any connection. tests/cluster/content_test.sh runs the
 * whole against a real containerd. */
#include "shim/ctd_content.c"
#include "unit.h"

/* ---- frames ---- */

static void frame(PbBuf *out, const PbBuf *msg)
{
    uint8_t head[5] = {0, (uint8_t)(msg->len >> 24), (uint8_t)(msg->len >> 16),
                       (uint8_t)(msg->len >> 8), (uint8_t)msg->len};
    pb_raw(out, head, 5);
    pb_raw(out, msg->data, msg->len);
}

static void piece(PbBuf *out, uint64_t offset, const char *data)
{
    PbBuf m = {0};
    pb_uint(&m, 1, offset);
    pb_str(&m, 2, data);
    frame(out, &m);
    pb_buf_free(&m);
}

/* Feeds body to a Call reading into blob b, chunk bytes at a time; the gRPC code it failed
 * with, or 0. */
static int feed(const PbBuf *body, size_t chunk, Blob *b, size_t *out_nmsg)
{
    Call k = {.on_msg = on_piece, .ud = b, .status = -1};
    int code = 0;
    for (size_t i = 0; i < body->len && !code; i += chunk) {
        size_t n = body->len - i < chunk ? body->len - i : chunk;
        if (on_body((char *)body->data + i, 1, n, &k) != n)
            code = k.fail_code ? k.fail_code : -1;
    }
    if (!code && k.head_len)
        code = -2;
    *out_nmsg = k.nmsg;
    pb_buf_free(&k.msg);
    free(k.fail);
    return code;
}

static void test_frames_split_anywhere(void)
{
    PbBuf body = {0};
    piece(&body, 0, "abc");
    piece(&body, 3, "de");
    piece(&body, 5, ""); /* a piece without data */
    piece(&body, 5, "fgh");
    CHECK(!body.oom, "!body.oom");
    bool all = true;
    for (size_t chunk = 1; chunk <= body.len; chunk++) {
        uint8_t data[8];
        Blob b = {.data = data, .size = 8};
        size_t nmsg = 0;
        int code = feed(&body, chunk, &b, &nmsg);
        all &= code == 0 && nmsg == 4 && b.got == 8 && !memcmp(data, "abcdefgh", 8);
    }
    CHECK(all, "every split of four frames gives abcdefgh");
    pb_buf_free(&body);

    /* An empty message (all defaults) is a 5-byte frame of length 0. */
    PbBuf empty = {0};
    uint8_t zero[5] = {0};
    pb_raw(&empty, zero, 5);
    piece(&empty, 0, "x");
    uint8_t d1[1];
    Blob b1 = {.data = d1, .size = 1};
    size_t n1 = 0;
    CHECK(feed(&empty, 1, &b1, &n1) == 0 && n1 == 2 && d1[0] == 'x', "empty frame, then x");
    pb_buf_free(&empty);
}

static void test_frames_refused(void)
{
    uint8_t data[4];
    size_t n;
    PbBuf body = {0};
    uint8_t compressed[5] = {1, 0, 0, 0, 0};
    pb_raw(&body, compressed, 5);
    Blob b = {.data = data, .size = 4};
    CHECK(feed(&body, 5, &b, &n) == SHIM_INTERNAL, "compressed flag");
    pb_buf_free(&body);

    uint8_t huge[5] = {0, 0x01, 0x00, 0x00, 0x01}; /* 16 MiB + 1 */
    pb_raw(&body, huge, 5);
    b = (Blob){.data = data, .size = 4};
    CHECK(feed(&body, 5, &b, &n) == SHIM_INTERNAL, "message over 16 MiB");
    pb_buf_free(&body);

    piece(&body, 1, "ab"); /* a gap: offset 1 first */
    b = (Blob){.data = data, .size = 4};
    CHECK(feed(&body, 64, &b, &n) == SHIM_INTERNAL, "offset gap");
    pb_buf_free(&body);

    piece(&body, 0, "abcde"); /* past the descriptor's size */
    b = (Blob){.data = data, .size = 4};
    CHECK(feed(&body, 64, &b, &n) == SHIM_INTERNAL, "more than the size");
    pb_buf_free(&body);

    uint8_t bad[6] = {0, 0, 0, 0, 1, 0x12}; /* field 2, length missing */
    pb_raw(&body, bad, 6);
    b = (Blob){.data = data, .size = 4};
    CHECK(feed(&body, 64, &b, &n) == SHIM_INTERNAL, "not a ReadContentResponse");
    pb_buf_free(&body);

    piece(&body, 0, "ab");
    body.len -= 1; /* ends inside the message */
    b = (Blob){.data = data, .size = 4};
    CHECK(feed(&body, 64, &b, &n) == -2, "cut short");
    pb_buf_free(&body);
}

/* ---- headers, trailers, codes ---- */

static void header(Call *k, const char *line)
{
    on_header((char *)line, 1, strlen(line), k);
}

static void test_trailers(void)
{
    Call k = {.status = -1};
    header(&k, "HTTP/2 200\r\n");
    header(&k, "content-type: application/grpc\r\n");
    CHECK(k.status == -1 && k.answered, "no status yet, answered");
    header(&k, "Grpc-Status: 5\r\n");
    header(&k, "grpc-message: image %22x%22: not found %zz 100%\r\n");
    CHECK(k.status == 5, "grpc-status 5");
    CHECK(k.message && !strcmp(k.message, "image \"x\": not found %zz 100%"), k.message);
    header(&k, "grpc-status: 1x\r\n");
    CHECK(k.status == SHIM_UNKNOWN, "a status that is not a number: Unknown");
    header(&k, "grpc-status:\r\n");
    CHECK(k.status == SHIM_UNKNOWN, "an empty status: Unknown");
    header(&k, "grpc-status: 0\r\n");
    CHECK(k.status == 0, "grpc-status 0");
    free(k.message);
}

static void test_codes(void)
{
    /* containerd's code is passed on as it is: no longer folded into a few. */
    CHECK(passed_on(SHIM_NOT_FOUND) == 5, "NotFound stays 5");
    CHECK(passed_on(SHIM_UNAVAILABLE) == 14, "Unavailable stays 14");
    CHECK(passed_on(SHIM_PERMISSION_DENIED) == 7, "PermissionDenied stays 7");
    CHECK(passed_on(SHIM_DATA_LOSS) == 15 && passed_on(SHIM_UNAUTHENTICATED) == 16,
          "DataLoss 15, Unauthenticated 16");
    CHECK(passed_on(17) == SHIM_UNKNOWN && passed_on(999) == SHIM_UNKNOWN &&
              passed_on(-1) == SHIM_UNKNOWN,
          "a number outside gRPC's codes: Unknown");
    CHECK(!strcmp(shim_status_name(14), "Unavailable"), "name of 14");
    CHECK(!strcmp(shim_status_name(999), "code 999"), "name of 999");
    CHECK(http_to_grpc(503) == SHIM_UNAVAILABLE && http_to_grpc(404) == SHIM_UNIMPLEMENTED &&
              http_to_grpc(500) == SHIM_UNKNOWN,
          "HTTP statuses");
    CHECK(http_to_grpc(401) == SHIM_UNAUTHENTICATED && http_to_grpc(403) == SHIM_PERMISSION_DENIED,
          "HTTP 401 and 403");
}

static void test_namespaces(void)
{
    CHECK(namespace_valid("default") && namespace_valid("k8s.io") && namespace_valid("a-b_c.d9"),
          "good names");
    CHECK(!namespace_valid("") && !namespace_valid("a b") && !namespace_valid("-a") &&
              !namespace_valid("a-") && !namespace_valid("a..b") && !namespace_valid("a\r\nb"),
          "bad names");
    char n[78];
    memset(n, 'a', 77);
    n[77] = 0;
    CHECK(!namespace_valid(n), "77 characters");
    n[76] = 0;
    CHECK(namespace_valid(n), "76 characters");
}

/* ---- manifests ---- */

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static int pick(const char *index_json, Desc *out, char **out_err)
{
    Ctx c = {.ref = "r"};
    Desc index = {.digest = D3};
    json_t *root = json_loads(index_json, 0, NULL);
    int code = root ? pick_manifest(&c, &index, root, out) : -1;
    json_decref(root);
    *out_err = c.err;
    return code;
}

static void test_pick_manifest(void)
{
    Desc d = {0};
    char *err;
    CHECK(pick("{\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D1
               "\",\"size\":10,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
               "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D2
               "\",\"size\":20,\"platform\":{\"os\":\"wasip1\",\"architecture\":\"wasm\"}}]}",
               &d, &err) == 0 &&
              !strcmp(d.digest, D2) && d.size == 20,
          "wasip1/wasm chosen");
    free(err);
    CHECK(pick("{\"manifests\":[{\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"digest\":\"" D1
               "\",\"size\":10,\"platform\":{\"os\":\"wasi\",\"architecture\":\"wasm\"}}]}",
               &d, &err) == 0 &&
              !strcmp(d.digest, D1),
          "wasi/wasm, docker manifest");
    free(err);
    CHECK(pick("{\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D1
               "\",\"size\":10}]}",
               &d, &err) == 0 &&
              !strcmp(d.digest, D1),
          "the only entry, no platform");
    free(err);
    CHECK(pick("{\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D1
               "\",\"size\":10,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
               "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D2
               "\",\"size\":20,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}]}",
               &d, &err) == SHIM_NOT_FOUND,
          "no wasm platform: NotFound");
    CHECK(err && !strcmp(err, "image r: index " D3 " has no manifest for platform wasip1/wasm "
                              "or wasi/wasm (it has linux/amd64, linux/arm64)"),
          err ? err : "no message");
    free(err);
    CHECK(pick("{\"manifests\":[{\"mediaType\":\"" MT_OCI_INDEX "\",\"digest\":\"" D1
               "\",\"size\":10}]}",
               &d, &err) == SHIM_FAILED_PRECONDITION,
          "a nested index refused");
    free(err);
    CHECK(pick("{\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST
               "\",\"digest\":\"sha512:00\",\"size\":10}]}",
               &d, &err) == SHIM_FAILED_PRECONDITION,
          "a digest that is not sha256 refused");
    free(err);
    CHECK(pick("{\"manifests\":[]}", &d, &err) == SHIM_FAILED_PRECONDITION, "no entries");
    free(err);
}

static int layer(const char *manifest_json, Desc *out, char **out_err)
{
    Ctx c = {.ref = "r"};
    Desc m = {.digest = D3};
    json_t *root = json_loads(manifest_json, 0, NULL);
    int code = root ? pick_layer(&c, &m, root, out) : -1;
    json_decref(root);
    *out_err = c.err;
    return code;
}

static void test_pick_layer(void)
{
    Desc d = {0};
    char *err;
    CHECK(layer("{\"layers\":[{\"mediaType\":\"text/plain\",\"digest\":\"" D1 "\",\"size\":1},"
                "{\"mediaType\":\"" MT_W2O_LAYER "\",\"digest\":\"" D2 "\",\"size\":2},"
                "{\"mediaType\":\"" MT_WASM_LAYER "\",\"digest\":\"" D3 "\",\"size\":3}]}",
                &d, &err) == 0 &&
              !strcmp(d.digest, D2) && !strcmp(d.media_type, MT_W2O_LAYER),
          "the first core-module layer");
    free(err);
    CHECK(layer("{\"layers\":[{\"mediaType\":\"" MT_COMPONENT_LAYER "\",\"digest\":\"" D1
                "\",\"size\":1}]}",
                &d, &err) == SHIM_FAILED_PRECONDITION &&
              err && strstr(err, "not a core module"),
          "a component layer");
    free(err);
    CHECK(layer("{\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                "\"digest\":\"" D1 "\",\"size\":1}]}",
                &d, &err) == SHIM_FAILED_PRECONDITION,
          "a tar layer");
    CHECK(err && !strcmp(err, "image r: no wasm layer (application/wasm or "
                              "application/vnd.wasm.content.layer.v1+wasm) in manifest " D3
                              "; its layers: application/vnd.oci.image.layer.v1.tar"),
          err ? err : "no message");
    free(err);
    CHECK(layer("{\"config\":{}}", &d, &err) == SHIM_FAILED_PRECONDITION, "no layers");
    free(err);
    CHECK(layer("{\"layers\":[{\"mediaType\":\"" MT_WASM_LAYER "\",\"digest\":\"" D1 "\"}]}", &d,
                &err) == SHIM_FAILED_PRECONDITION,
          "a layer without size");
    free(err);
}

static void test_check_module(void)
{
    Desc l = {.digest = D1, .media_type = MT_WASM_LAYER, .size = 8};
    Ctx c = {.ref = "r"};
    CHECK(check_module(&c, &l, (const uint8_t *)"\0asm\1\0\0\0") == 0, "a core module");
    CHECK(check_module(&c, &l, (const uint8_t *)"\0asm\x0d\0\1\0") == SHIM_FAILED_PRECONDITION &&
              strstr(c.err, "is a WebAssembly component, not a core module"),
          "a component");
    free(c.err);
    c = (Ctx){.ref = "r"};
    CHECK(check_module(&c, &l,
                       (const uint8_t *)"\x7f"
                                        "ELF\2\1\1\0") == SHIM_FAILED_PRECONDITION &&
              strstr(c.err, "not a WebAssembly binary"),
          "not wasm");
    free(c.err);
}

static void test_blob_limits(void)
{
    Ctx c = {.ref = "r"};
    uint8_t *out = (uint8_t *)"x";
    Desc d = {.digest = D1, .size = 0};
    CHECK(read_blob(&c, &d, "layer", MAX_MODULE, &out) == SHIM_FAILED_PRECONDITION && !out,
          "size 0 refused before any call");
    CHECK(c.err && !strcmp(c.err, "image r: layer " D1 ": its descriptor gives size 0"), c.err);
    free(c.err);
    c = (Ctx){.ref = "r"};
    d.size = MAX_MODULE + 1;
    CHECK(read_blob(&c, &d, "layer", MAX_MODULE, &out) == SHIM_FAILED_PRECONDITION,
          "1 GiB + 1 refused before any call");
    CHECK(c.err && !strcmp(c.err,
                           "image r: layer " D1 ": 1073741825 bytes, more than the 1024 MiB limit"),
          c.err);
    free(c.err);
    c = (Ctx){.ref = "r"};
    d.size = MAX_MANIFEST + 1;
    CHECK(read_blob(&c, &d, "manifest", MAX_MANIFEST, &out) == SHIM_FAILED_PRECONDITION,
          "a manifest over 4 MiB refused");
    free(c.err);
}

/* ---- the entry point, before any connection ---- */

static void test_arguments(void)
{
    uint8_t *m = (uint8_t *)"x";
    size_t n = 1;
    char *err;
    CHECK(ctd_read_wasm_image(NULL, "default", "r", &m, &n, &err) == SHIM_INVALID_ARGUMENT && !m &&
              !n && err,
          "no address");
    free(err);
    CHECK(ctd_read_wasm_image("/s", "default", "", &m, &n, &err) == SHIM_INVALID_ARGUMENT,
          "no name");
    free(err);
    CHECK(ctd_read_wasm_image("/s", "a\nb", "r", &m, &n, &err) == SHIM_INVALID_ARGUMENT, "bad ns");
    free(err);
    CHECK(ctd_read_wasm_image("unix:///nonexistent/containerd.sock", "default", "r", &m, &n,
                              &err) == SHIM_FAILED_PRECONDITION &&
              err &&
              !strcmp(err, "image r: containerd's socket /nonexistent/containerd.sock: No such "
                           "file or directory"),
          err ? err : "no message");
    free(err);
}

int main(void)
{
    test_frames_split_anywhere();
    test_frames_refused();
    test_trailers();
    test_codes();
    test_namespaces();
    test_pick_manifest();
    test_pick_layer();
    test_check_module();
    test_blob_limits();
    test_arguments();
    return unit_report("test_ctd_content");
}
