/* ctd_content.c: a WebAssembly module read out of containerd's content store (ctd_content.h)
 * through its gRPC API: a unary call and a server-streaming one, over HTTP/2 by libcurl on
 * the unix socket. Owns the gRPC framing and the choice of manifest and layer; must not
 * write to containerd (no leases, no labels) nor read its files behind its back.
 *
 * The messages, from containerd v1.6.20's .proto files (proto3; field numbers checked there):
 *
 *   containerd.services.images.v1.Images/Get        api/services/images/v1/images.proto
 *     GetImageRequest     { string name = 1; }
 *     GetImageResponse    { Image image = 1; }
 *     Image               { string name = 1; map labels = 2; types.Descriptor target = 3;
 *                           Timestamp created_at = 7; Timestamp updated_at = 8; }
 *   containerd.types.Descriptor                     api/types/descriptor.proto
 *                         { string media_type = 1; string digest = 2; int64 size = 3;
 *                           map annotations = 5; }
 *   containerd.services.content.v1.Content/Read     api/services/content/v1/content.proto
 *     ReadContentRequest  { string digest = 1; int64 offset = 2; int64 size = 3; }
 *     (stream) ReadContentResponse { int64 offset = 1; bytes data = 2; }
 *
 * gRPC on HTTP/2 (grpc's PROTOCOL-HTTP2.md): POST /<package.Service>/<Method> with
 * content-type application/grpc and te: trailers; request and response bodies are messages
 * each framed as a compressed flag byte (always 0 here: no grpc-encoding is offered) and a
 * u32 big-endian length. The status comes in the trailers grpc-status and grpc-message
 * (percent-encoded), or in the headers of a trailers-only response; containerd picks the
 * namespace from the containerd-namespace header. libcurl hands trailers to the header
 * callback like headers, which is all this needs: no HTTP/2 code of our own. The limit of
 * that approach: one request per transfer, sent whole before the answer is read, so client
 * streaming (Content/Write) and cancelling a stream half-way are out of reach; both calls
 * used here are fine with it. */
#include "shim/ctd_content.h"

#include "shim/grpc_status.h"
#include "shim/pb.h"
#include "util/lib_curl.h"
#include "util/strf.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

/* Limits. A manifest or index is a small JSON document (the registry's own limit for them is
 * 4 MiB); a module above 1 GiB would not be instantiated by the engine anyway, and reading
 * it into memory is what the shim has to do next. One gRPC message: containerd sends blobs
 * in 1 MiB pieces; 16 MiB leaves room for any image record (labels included). */
#define MAX_MANIFEST ((int64_t)4 << 20)
#define MAX_MODULE ((int64_t)1 << 30)
#define MAX_MESSAGE ((size_t)16 << 20)
/* Seconds to wait for the response headers. containerd answers in milliseconds; a socket that
 * accepts and never answers is most likely containerd's ttrpc socket, which waits for a frame
 * as long as the HTTP/2 preface claims to be. After the headers, a transfer stalls out after
 * 60 s below 1 byte/s. */
#define ANSWER_TIMEOUT 10

/* The manifest types a target or an index entry may have, and the layer types that hold a
 * core module. A component layer is named to say why it is refused. */
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_WASM_LAYER "application/wasm"                          /* CNCF wasm artifact */
#define MT_W2O_LAYER "application/vnd.wasm.content.layer.v1+wasm" /* wasm-to-oci, WAGI */
#define MT_COMPONENT_LAYER "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm"

/* A descriptor: from the image record or from a manifest's JSON. */
typedef struct Desc {
    char media_type[256];
    char digest[72]; /* "sha256:" and 64 lower-case hex digits */
    int64_t size;
} Desc;

/* One ctd_read_wasm_image: the connection and the failure, if any. */
typedef struct Ctx {
    const char *socket, *ns, *ref;
    CURL *easy;
    struct curl_slist *headers;
    char errbuf[CURL_ERROR_SIZE];
    const char *hint; /* added to a NotFound from Content.Read */
    int code;         /* the failure's gRPC code (SHIM_*) */
    char *err;        /* its message, owned; NULL when memory was short */
} Ctx;

/* Records the first failure: "image REF: " and the formatted text. Returns the code. */
__attribute__((format(printf, 3, 4))) static int fail(Ctx *c, int code, const char *fmt, ...)
{
    if (c->code)
        return c->code;
    va_list ap;
    va_start(ap, fmt);
    char *text = vstrf(fmt, ap);
    va_end(ap);
    c->code = code;
    c->err = text ? strf("image %s: %s", c->ref, text) : NULL;
    free(text);
    return code;
}

/* ---- gRPC over libcurl ---- */

typedef int (*MsgFn)(void *ud, const uint8_t *msg, size_t len, char **out_err);

/* A call's response as it arrives: the frame being assembled and the status seen. */
typedef struct Call {
    MsgFn on_msg;
    void *ud;
    uint8_t head[5]; /* the frame header being read */
    size_t head_len;
    PbBuf msg; /* the message being read (len bytes of want) */
    size_t want;
    size_t nmsg;   /* messages delivered */
    int status;    /* grpc-status, -1 until seen */
    char *message; /* grpc-message, decoded, owned */
    int fail_code; /* a gRPC code, when reading the body failed here */
    char *fail;    /* why, owned */
    bool answered; /* a header line came */
    struct timespec started;
    const char *socket;
} Call;

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* grpc-message is percent-encoded (PROTOCOL-HTTP2.md); a bad escape is kept as it is. */
static char *percent_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        int hi = i + 2 < n && s[i] == '%' ? hexval(s[i + 1]) : -1;
        int lo = hi >= 0 ? hexval(s[i + 2]) : -1;
        if (lo >= 0) {
            *o++ = (char)(hi << 4 | lo);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = 0;
    return out;
}

/* Headers and trailers alike: grpc-status and grpc-message are all that matter. */
static size_t on_header(char *line, size_t size, size_t n, void *ud)
{
    Call *k = ud;
    size_t len = size * n, end = len;
    k->answered = true;
    while (end && (line[end - 1] == '\r' || line[end - 1] == '\n'))
        end--;
    const char *colon = memchr(line, ':', end);
    if (!colon)
        return len;
    size_t name_len = (size_t)(colon - line), v = name_len + 1;
    while (v < end && (line[v] == ' ' || line[v] == '\t'))
        v++;
    if (name_len == 11 && !strncasecmp(line, "grpc-status", 11)) {
        int code = 0;
        for (size_t i = v; i < end && code < 1000; i++)
            code = line[i] >= '0' && line[i] <= '9' ? code * 10 + (line[i] - '0') : 1000;
        k->status = v < end && code < 1000 ? code : SHIM_UNKNOWN;
    } else if (name_len == 12 && !strncasecmp(line, "grpc-message", 12)) {
        free(k->message);
        k->message = percent_decode(line + v, end - v);
    }
    return len;
}

static void call_fail(Call *k, int code, char *text)
{
    if (!k->fail_code) {
        k->fail_code = code;
        k->fail = text;
    } else {
        free(text);
    }
}

/* Starts the next frame once its 5-byte header is in. false when it cannot be read. */
static bool frame_start(Call *k)
{
    uint32_t len = (uint32_t)k->head[1] << 24 | (uint32_t)k->head[2] << 16 |
                   (uint32_t)k->head[3] << 8 | k->head[4];
    if (k->head[0] != 0) {
        call_fail(k, SHIM_INTERNAL,
                  strf("a compressed message (flag %u), never asked for", k->head[0]));
        return false;
    }
    if (len > MAX_MESSAGE) {
        call_fail(
            k, SHIM_INTERNAL,
            strf("a message of %u bytes, more than the %zu MiB limit", len, MAX_MESSAGE >> 20));
        return false;
    }
    k->want = len;
    k->msg.len = 0;
    return true;
}

static bool frame_end(Call *k)
{
    if (k->msg.oom) {
        call_fail(k, SHIM_INTERNAL, strf("out of memory for a %zu-byte message", k->want));
        return false;
    }
    char *err = NULL;
    int code = k->on_msg(k->ud, k->msg.data, k->msg.len, &err);
    k->nmsg++;
    k->head_len = 0;
    k->msg.len = 0;
    if (code) {
        call_fail(k, code, err);
        return false;
    }
    return true;
}

/* The body: frames, possibly split anywhere across calls. A short return stops the
 * transfer (CURLE_WRITE_ERROR) with the reason in k->fail. */
static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    Call *k = ud;
    size_t len = size * n, i = 0;
    while (i < len) {
        if (k->head_len < 5) {
            k->head[k->head_len++] = (uint8_t)p[i++];
            if (k->head_len == 5 && (!frame_start(k) || (!k->want && !frame_end(k))))
                return 0;
            continue;
        }
        size_t take = k->want - k->msg.len < len - i ? k->want - k->msg.len : len - i;
        pb_raw(&k->msg, p + i, take);
        i += take;
        if (k->msg.oom || k->msg.len == k->want)
            if (!frame_end(k))
                return 0;
    }
    return len;
}

/* Gives up when no response header came within ANSWER_TIMEOUT seconds. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    Call *k = ud;
    if (k->answered)
        return 0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - k->started.tv_sec < ANSWER_TIMEOUT)
        return 0;
    call_fail(k, SHIM_UNAVAILABLE,
              strf("no answer from %s within %d s (containerd's gRPC socket, not its ttrpc "
                   "one, is needed)",
                   k->socket, ANSWER_TIMEOUT));
    return 1;
}

/* The gRPC code an HTTP status stands for when no grpc-status came (PROTOCOL-HTTP2.md's
 * table). */
static int http_to_grpc(long http)
{
    switch (http) {
    case 400:
        return SHIM_INTERNAL;
    case 401:
        return SHIM_UNAUTHENTICATED;
    case 403:
        return SHIM_PERMISSION_DENIED;
    case 404:
        return SHIM_UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
        return SHIM_UNAVAILABLE;
    default:
        return SHIM_UNKNOWN;
    }
}

static bool call_setup(Ctx *c, Call *k, const char *url, const PbBuf *frame)
{
    __typeof__(lib_curl.curl_easy_setopt) setopt = lib_curl.curl_easy_setopt;
    CURL *e = c->easy;
    bool ok = setopt(e, CURLOPT_URL, url) == CURLE_OK;
    ok &= setopt(e, CURLOPT_UNIX_SOCKET_PATH, c->socket) == CURLE_OK;
    ok &= setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE) == CURLE_OK;
    ok &= setopt(e, CURLOPT_PROTOCOLS_STR, "http") == CURLE_OK;
    ok &= setopt(e, CURLOPT_PROXY, "") == CURLE_OK;
    /* A connection per call: libcurl before 8.0.0 (Debian 12 has 7.88.1) breaks a reused
     * prior-knowledge HTTP/2 connection ("Error in the HTTP2 framing layer", curl issue
     * #10634). Three calls make three cheap unix-socket connections. */
    ok &= setopt(e, CURLOPT_FORBID_REUSE, 1L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_CONNECTTIMEOUT, 10L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_LOW_SPEED_TIME, 60L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_USERAGENT, "corral-shim") == CURLE_OK;
    ok &= setopt(e, CURLOPT_ERRORBUFFER, c->errbuf) == CURLE_OK;
    ok &= setopt(e, CURLOPT_HTTPHEADER, c->headers) == CURLE_OK;
    ok &= setopt(e, CURLOPT_POST, 1L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_POSTFIELDS, (const char *)frame->data) == CURLE_OK;
    ok &= setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)frame->len) == CURLE_OK;
    ok &= setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
    ok &= setopt(e, CURLOPT_HEADERDATA, k) == CURLE_OK;
    ok &= setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
    ok &= setopt(e, CURLOPT_WRITEDATA, k) == CURLE_OK;
    ok &= setopt(e, CURLOPT_NOPROGRESS, 0L) == CURLE_OK;
    ok &= setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK;
    ok &= setopt(e, CURLOPT_XFERINFODATA, k) == CURLE_OK;
    return ok;
}

/* containerd's grpc-status as the shim passes it on: unchanged, but for a number outside
 * gRPC's codes (the message names it), which becomes Unknown so that whoever reads the
 * shim's answer can name it. */
static int passed_on(int status)
{
    return status >= SHIM_OK && status <= SHIM_UNAUTHENTICATED ? status : SHIM_UNKNOWN;
}

/* The outcome of a finished transfer as a gRPC code, and *out_detail (owned) unless OK. */
static int call_outcome(Ctx *c, Call *k, CURLcode rc, char **out_detail)
{
    long http = 0;
    lib_curl.curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &http);
    if (k->fail_code) {
        *out_detail = k->fail ? strf("%s", k->fail) : NULL;
        return k->fail_code;
    }
    if (rc == CURLE_COULDNT_CONNECT) {
        *out_detail = strf("cannot connect to containerd at %s: %s", c->socket,
                           c->errbuf[0] ? c->errbuf : lib_curl.curl_easy_strerror(rc));
        return SHIM_UNAVAILABLE;
    }
    if (rc != CURLE_OK) {
        *out_detail = strf("talking to containerd at %s: %s", c->socket,
                           c->errbuf[0] ? c->errbuf : lib_curl.curl_easy_strerror(rc));
        return SHIM_UNAVAILABLE;
    }
    if (k->status < 0) {
        int code = http == 200 ? SHIM_INTERNAL : http_to_grpc(http);
        *out_detail = strf("containerd answered HTTP %ld without a grpc-status", http);
        return code;
    }
    if (k->status != 0) {
        *out_detail = strf("containerd answered %s: %s", shim_status_name(k->status),
                           k->message && *k->message ? k->message : "(no message)");
        return passed_on(k->status);
    }
    if (k->head_len) {
        *out_detail = strf("the response ended inside a message");
        return SHIM_INTERNAL;
    }
    return 0;
}

/* Calls method ("package.Service/Method") with request, handing each response message to
 * on_msg. Returns a gRPC code; unless 0, *out_detail says why (owned; NULL when memory was
 * short). */
static int grpc_call(Ctx *c, const char *method, const PbBuf *request, MsgFn on_msg, void *ud,
                     char **out_detail)
{
    *out_detail = NULL;
    PbBuf frame = {0};
    uint8_t head[5] = {0, (uint8_t)(request->len >> 24), (uint8_t)(request->len >> 16),
                       (uint8_t)(request->len >> 8), (uint8_t)request->len};
    pb_raw(&frame, head, sizeof head);
    pb_raw(&frame, request->data, request->len);
    char *url = strf("http://localhost/%s", method);
    Call k = {.on_msg = on_msg, .ud = ud, .status = -1, .socket = c->socket};
    clock_gettime(CLOCK_MONOTONIC, &k.started);
    c->errbuf[0] = 0;
    int code;
    if (frame.oom || request->oom || !url || !call_setup(c, &k, url, &frame)) {
        *out_detail = strf("out of memory for the request");
        code = SHIM_INTERNAL;
    } else {
        CURLcode rc = lib_curl.curl_easy_perform(c->easy);
        code = call_outcome(c, &k, rc, out_detail);
    }
    lib_curl.curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, (const char *)NULL);
    free(url);
    pb_buf_free(&frame);
    pb_buf_free(&k.msg);
    free(k.message);
    free(k.fail);
    return code;
}

/* ---- the two calls ---- */

static bool digest_valid(const char *d)
{
    if (strncmp(d, "sha256:", 7) != 0 || strlen(d) != 7 + 64)
        return false;
    for (const char *p = d + 7; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* Copies text into a Desc field; false when it does not fit. */
static bool desc_copy(char *dst, size_t cap, const void *src, size_t len)
{
    if (len >= cap)
        return false;
    memcpy(dst, src, len);
    dst[len] = 0;
    return true;
}

/* containerd.types.Descriptor */
static bool desc_decode(PbReader r, Desc *d)
{
    PbField f;
    bool ok = true;
    while (pb_next(&r, &f)) {
        if (f.num == 1 && f.wire == PB_LEN)
            ok &= desc_copy(d->media_type, sizeof d->media_type, f.data, f.len);
        else if (f.num == 2 && f.wire == PB_LEN)
            ok &= desc_copy(d->digest, sizeof d->digest, f.data, f.len);
        else if (f.num == 3 && f.wire == PB_VARINT)
            d->size = (int64_t)f.u;
    }
    return ok && !r.bad;
}

typedef struct GetResult {
    Desc target;
    bool have_image, have_target;
} GetResult;

/* GetImageResponse{image: Image{target}} */
static int on_image(void *ud, const uint8_t *msg, size_t len, char **out_err)
{
    GetResult *g = ud;
    PbReader r = pb_reader(msg, len);
    PbField f;
    bool ok = true;
    while (pb_next(&r, &f)) {
        if (f.num != 1 || f.wire != PB_LEN)
            continue;
        g->have_image = true;
        PbReader img = pb_sub(&f);
        PbField g2;
        while (pb_next(&img, &g2))
            if (g2.num == 3 && g2.wire == PB_LEN) {
                g->have_target = true;
                ok &= desc_decode(pb_sub(&g2), &g->target);
            }
        ok &= !img.bad;
    }
    if (ok && !r.bad)
        return 0;
    *out_err = strf("the image record is not a valid GetImageResponse");
    return SHIM_INTERNAL;
}

/* The image's target descriptor (Images.Get). */
static int get_target(Ctx *c, Desc *out)
{
    PbBuf req = {0};
    pb_str(&req, 1, c->ref); /* GetImageRequest.name */
    GetResult g = {0};
    char *detail = NULL;
    int code =
        grpc_call(c, "containerd.services.images.v1.Images/Get", &req, on_image, &g, &detail);
    pb_buf_free(&req);
    if (code == SHIM_NOT_FOUND)
        fail(c, SHIM_NOT_FOUND, "not found in namespace %s", c->ns);
    else if (code)
        fail(c, code, "getting its record from containerd (Images.Get): %s",
             detail ? detail : "out of memory");
    else if (!g.have_image || !g.have_target || !g.target.digest[0])
        fail(c, SHIM_INTERNAL, "containerd's record of it (Images.Get) has no target");
    free(detail);
    *out = g.target;
    return c->code;
}

/* A blob being read: its expected size, the bytes so far. */
typedef struct Blob {
    uint8_t *data;
    size_t size, got;
} Blob;

/* ReadContentResponse{offset, data}: pieces in order, none past the descriptor's size. */
static int on_piece(void *ud, const uint8_t *msg, size_t len, char **out_err)
{
    Blob *b = ud;
    PbReader r = pb_reader(msg, len);
    PbField f;
    uint64_t offset = 0;
    const uint8_t *data = NULL;
    size_t n = 0;
    while (pb_next(&r, &f)) {
        if (f.num == 1 && f.wire == PB_VARINT)
            offset = f.u;
        else if (f.num == 2 && f.wire == PB_LEN)
            data = f.data, n = f.len;
    }
    if (r.bad) {
        *out_err = strf("a piece is not a valid ReadContentResponse");
        return SHIM_INTERNAL;
    }
    if (offset != b->got) {
        *out_err =
            strf("a piece at offset %llu where %zu was next", (unsigned long long)offset, b->got);
        return SHIM_INTERNAL;
    }
    if (n > b->size - b->got) {
        *out_err = strf("more than the %zu bytes its descriptor names", b->size);
        return SHIM_INTERNAL;
    }
    if (n)
        memcpy(b->data + b->got, data, n);
    b->got += n;
    return 0;
}

/* Reads blob d (what: "manifest", "layer" ...) of at most cap bytes and checks its size and
 * SHA-256. *out: owned, d->size bytes and a NUL (so JSON can be read in place). */
static int read_blob(Ctx *c, const Desc *d, const char *what, int64_t cap, uint8_t **out)
{
    *out = NULL;
    if (d->size <= 0)
        return fail(c, SHIM_FAILED_PRECONDITION, "%s %s: its descriptor gives size %lld", what,
                    d->digest, (long long)d->size);
    if (d->size > cap)
        return fail(c, SHIM_FAILED_PRECONDITION, "%s %s: %lld bytes, more than the %lld MiB limit",
                    what, d->digest, (long long)d->size, (long long)(cap >> 20));
    Blob b = {.data = malloc((size_t)d->size + 1), .size = (size_t)d->size};
    if (!b.data)
        return fail(c, SHIM_INTERNAL, "%s %s: out of memory for %lld bytes", what, d->digest,
                    (long long)d->size);
    PbBuf req = {0};
    pb_str(&req, 1, d->digest); /* ReadContentRequest.digest; offset 2 stays 0 */
    pb_int(&req, 3, d->size);   /* .size: no more than the descriptor names */
    char *detail = NULL;
    int code =
        grpc_call(c, "containerd.services.content.v1.Content/Read", &req, on_piece, &b, &detail);
    pb_buf_free(&req);
    if (code == SHIM_NOT_FOUND)
        fail(c, SHIM_NOT_FOUND, "%s %s is not in containerd's content store%s", what, d->digest,
             c->hint ? c->hint : "");
    else if (code)
        fail(c, code, "reading %s %s from the content store (Content.Read): %s", what, d->digest,
             detail ? detail : "out of memory");
    free(detail);
    if (!code && b.got != b.size)
        fail(c, SHIM_INTERNAL, "%s %s: the content store holds %zu bytes, its descriptor says %zu",
             what, d->digest, b.got, b.size);
    if (!c->code) {
        uint8_t hash[crypto_hash_sha256_BYTES];
        char hex[2 * crypto_hash_sha256_BYTES + 1];
        crypto_hash_sha256(hash, b.data, b.size);
        sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
        if (strcmp(hex, d->digest + 7) != 0)
            fail(c, SHIM_INTERNAL, "%s %s: the content store's bytes have digest sha256:%s", what,
                 d->digest, hex);
    }
    if (c->code) {
        free(b.data);
        return c->code;
    }
    b.data[b.size] = 0;
    *out = b.data;
    return 0;
}

/* ---- manifests ---- */

/* A descriptor from a manifest's or an index's JSON; what names it in messages. */
static int desc_from_json(Ctx *c, const json_t *j, const char *what, Desc *out)
{
    const char *mt = json_string_value(json_object_get(j, "mediaType"));
    const char *digest = json_string_value(json_object_get(j, "digest"));
    const json_t *size = json_object_get(j, "size");
    if (!json_is_object(j) || !mt || !digest || !json_is_integer(size))
        return fail(c, SHIM_FAILED_PRECONDITION, "%s is not a descriptor (mediaType, digest, size)",
                    what);
    if (!digest_valid(digest))
        return fail(c, SHIM_FAILED_PRECONDITION,
                    "%s: digest %.80s is not sha256: and 64 lower-case hex digits", what, digest);
    if (!desc_copy(out->media_type, sizeof out->media_type, mt, strlen(mt)))
        return fail(c, SHIM_FAILED_PRECONDITION, "%s: media type longer than %zu bytes", what,
                    sizeof out->media_type - 1);
    memcpy(out->digest, digest, 7 + 64 + 1);
    out->size = json_integer_value(size);
    return 0;
}

static bool is_manifest(const char *mt)
{
    return !strcmp(mt, MT_OCI_MANIFEST) || !strcmp(mt, MT_DOCKER_MANIFEST);
}

static bool is_index(const char *mt)
{
    return !strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST);
}

static const char *platform_field(const json_t *entry, const char *name)
{
    const char *v = json_string_value(json_object_get(json_object_get(entry, "platform"), name));
    return v ? v : "?";
}

static bool wasm_platform(const json_t *entry)
{
    const char *os = platform_field(entry, "os");
    return !strcmp(platform_field(entry, "architecture"), "wasm") &&
           (!strcmp(os, "wasip1") || !strcmp(os, "wasi"));
}

/* Lists the platforms of an index's entries ("linux/amd64, wasi/wasm") for a message. */
static char *platform_list(const json_t *manifests)
{
    char *list = strf("%s", "");
    size_t i;
    const json_t *e;
    json_array_foreach(manifests, i, e)
    {
        char *more = list ? strf("%s%s%s/%s", list, i ? ", " : "", platform_field(e, "os"),
                                 platform_field(e, "architecture"))
                          : NULL;
        free(list);
        list = more;
    }
    return list;
}

/* The manifest of index (held in json) for platform wasip1/wasm or wasi/wasm, or its only
 * entry. */
static int pick_manifest(Ctx *c, const Desc *index, const json_t *root, Desc *out)
{
    const json_t *manifests = json_object_get(root, "manifests");
    if (!json_is_array(manifests) || !json_array_size(manifests))
        return fail(c, SHIM_FAILED_PRECONDITION, "index %s has no manifests array", index->digest);
    const json_t *pick = json_array_size(manifests) == 1 ? json_array_get(manifests, 0) : NULL;
    size_t i;
    const json_t *e;
    json_array_foreach(manifests, i, e)
    {
        if (!pick && wasm_platform(e))
            pick = e;
    }
    if (!pick) {
        char *list = platform_list(manifests);
        fail(c, SHIM_NOT_FOUND,
             "index %s has no manifest for platform wasip1/wasm or wasi/wasm (it has %s)",
             index->digest, list ? list : "?");
        free(list);
        return c->code;
    }
    char *what = strf("an entry of index %s", index->digest);
    int code = desc_from_json(c, pick, what ? what : "an entry of the index", out);
    free(what);
    if (!code && !is_manifest(out->media_type))
        return fail(c, SHIM_FAILED_PRECONDITION,
                    "index %s: the entry for wasm is %s %s, not an image manifest", index->digest,
                    out->media_type, out->digest);
    return code;
}

/* Lists the layers' media types for a message. */
static char *layer_list(const json_t *layers)
{
    char *list = strf("%s", "");
    size_t i;
    const json_t *l;
    json_array_foreach(layers, i, l)
    {
        const char *mt = json_string_value(json_object_get(l, "mediaType"));
        char *more = list ? strf("%s%s%s", list, i ? ", " : "", mt ? mt : "?") : NULL;
        free(list);
        list = more;
    }
    return list;
}

/* The first core-module layer of manifest (held in root). */
static int pick_layer(Ctx *c, const Desc *manifest, const json_t *root, Desc *out)
{
    const json_t *layers = json_object_get(root, "layers");
    if (!json_is_array(layers))
        return fail(c, SHIM_FAILED_PRECONDITION, "manifest %s has no layers array",
                    manifest->digest);
    size_t i;
    const json_t *l;
    bool component = false;
    json_array_foreach(layers, i, l)
    {
        const char *mt = json_string_value(json_object_get(l, "mediaType"));
        if (mt && (!strcmp(mt, MT_WASM_LAYER) || !strcmp(mt, MT_W2O_LAYER))) {
            char *what = strf("layer %zu of manifest %s", i, manifest->digest);
            int code = desc_from_json(c, l, what ? what : "a layer", out);
            free(what);
            return code;
        }
        component |= mt && !strcmp(mt, MT_COMPONENT_LAYER);
    }
    if (component)
        return fail(c, SHIM_FAILED_PRECONDITION,
                    "manifest %s holds a WebAssembly component (" MT_COMPONENT_LAYER
                    "), not a core module; Corral runs core modules",
                    manifest->digest);
    char *list = layer_list(layers);
    fail(c, SHIM_FAILED_PRECONDITION,
         "no wasm layer (" MT_WASM_LAYER " or " MT_W2O_LAYER ") in manifest %s; its layers: %s",
         manifest->digest, list && *list ? list : "none");
    free(list);
    return c->code;
}

/* Reads blob d as JSON: *out_root owned. */
static int read_json(Ctx *c, const Desc *d, const char *what, json_t **out_root)
{
    uint8_t *bytes;
    *out_root = NULL;
    if (read_blob(c, d, what, MAX_MANIFEST, &bytes))
        return c->code;
    json_error_t jerr;
    *out_root = json_loadb((const char *)bytes, (size_t)d->size, 0, &jerr);
    free(bytes);
    if (!*out_root)
        return fail(c, SHIM_FAILED_PRECONDITION, "%s %s is not JSON: line %d: %s", what, d->digest,
                    jerr.line, jerr.text);
    if (!json_is_object(*out_root))
        return fail(c, SHIM_FAILED_PRECONDITION, "%s %s is not a JSON object", what, d->digest);
    return 0;
}

/* The descriptor of the module's layer: target, or through the index it names. */
static int find_layer(Ctx *c, const Desc *target, Desc *out)
{
    Desc manifest = *target;
    json_t *root = NULL;
    if (!digest_valid(target->digest))
        return fail(c, SHIM_FAILED_PRECONDITION,
                    "its target digest %.80s is not sha256: and 64 lower-case hex digits",
                    target->digest);
    if (is_index(target->media_type)) {
        if (read_json(c, target, "index", &root) || pick_manifest(c, target, root, &manifest))
            goto done;
        json_decref(root);
        root = NULL;
        /* containerd fetches only the manifests of the platforms a pull asks for. */
        c->hint = " (containerd has only the manifests of the platforms the image was pulled "
                  "for: pull it with --platform wasip1/wasm)";
    } else if (!is_manifest(target->media_type)) {
        return fail(c, SHIM_FAILED_PRECONDITION,
                    "its target %s is of type %s, neither an image manifest nor an index",
                    target->digest, target->media_type);
    }
    if (!read_json(c, &manifest, "manifest", &root))
        pick_layer(c, &manifest, root, out);
done:
    json_decref(root);
    return c->code;
}

/* The 8-byte preamble: a core module is version 1; a component has layer 1 in the upper
 * half of the version word. The engine checks the rest. */
static int check_module(Ctx *c, const Desc *layer, const uint8_t *bytes)
{
    static const uint8_t core[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    if (layer->size < 8 || memcmp(bytes, core, 4) != 0)
        return fail(c, SHIM_FAILED_PRECONDITION,
                    "layer %s (%s) is not a WebAssembly binary (no \\0asm header)", layer->digest,
                    layer->media_type);
    if (bytes[6] == 1 && bytes[7] == 0)
        return fail(c, SHIM_FAILED_PRECONDITION,
                    "layer %s (%s) is a WebAssembly component, not a core module; Corral runs "
                    "core modules",
                    layer->digest, layer->media_type);
    return 0;
}

/* ---- the entry point ---- */

/* containerd's rule for namespace names (identifiers/validate.go): labels of letters and
 * digits joined by single '.', '_' or '-', at most 76 characters. Checked here because the
 * name goes into a header line. */
static bool namespace_valid(const char *ns)
{
    size_t n = strlen(ns);
    if (n == 0 || n > 76)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool alnum = (ns[i] >= 'a' && ns[i] <= 'z') || (ns[i] >= 'A' && ns[i] <= 'Z') ||
                     (ns[i] >= '0' && ns[i] <= '9');
        bool sep = ns[i] == '.' || ns[i] == '_' || ns[i] == '-';
        if (!alnum && !(sep && i > 0 && i + 1 < n && !strchr("._-", ns[i - 1])))
            return false;
    }
    return true;
}

static int ctx_open(Ctx *c)
{
    struct stat st;
    if (stat(c->socket, &st) != 0)
        return fail(c, SHIM_FAILED_PRECONDITION, "containerd's socket %s: %m", c->socket);
    if (!S_ISSOCK(st.st_mode))
        return fail(c, SHIM_FAILED_PRECONDITION, "containerd's socket %s is not a socket",
                    c->socket);
    const char *lib_err = NULL;
    if (!lib_curl_load(&lib_err))
        return fail(c, SHIM_FAILED_PRECONDITION, "reading it from containerd needs %s", lib_err);
    const curl_version_info_data *v = lib_curl.curl_version_info(CURLVERSION_NOW);
    if (!(v->features & CURL_VERSION_HTTP2) || !(v->features & CURL_VERSION_UNIX_SOCKETS))
        return fail(c, SHIM_FAILED_PRECONDITION,
                    "reading it from containerd needs a libcurl with HTTP/2 and unix sockets; "
                    "libcurl %s lacks %s",
                    v->version, !(v->features & CURL_VERSION_HTTP2) ? "HTTP/2" : "unix sockets");
    char *ns_header = strf("containerd-namespace: %s", c->ns);
    const char *fixed[] = {"content-type: application/grpc", "te: trailers",
                           "Accept:", "Expect:", ns_header};
    for (size_t i = 0; ns_header && i < sizeof fixed / sizeof *fixed; i++) {
        struct curl_slist *l = lib_curl.curl_slist_append(c->headers, fixed[i]);
        if (!l) {
            free(ns_header);
            return fail(c, SHIM_INTERNAL, "out of memory");
        }
        c->headers = l;
    }
    c->easy = ns_header ? lib_curl.curl_easy_init() : NULL;
    free(ns_header);
    if (!c->easy)
        return fail(c, SHIM_INTERNAL, "out of memory (curl_easy_init)");
    return 0;
}

static void ctx_close(Ctx *c)
{
    if (c->easy)
        lib_curl.curl_easy_cleanup(c->easy);
    if (c->headers)
        lib_curl.curl_slist_free_all(c->headers);
}

int ctd_read_wasm_image(const char *address, const char *ns, const char *ref, uint8_t **out,
                        size_t *out_len, char **out_err)
{
    *out = NULL;
    *out_len = 0;
    *out_err = NULL;
    Ctx c = {.socket = address, .ns = ns, .ref = ref && *ref ? ref : "(none)"};
    if (address && !strncmp(address, "unix://", 7))
        c.socket = address + 7;
    Desc target = {0}, layer = {0};
    uint8_t *module = NULL;
    if (!ref || !*ref || !ns || !*ns || !address || !*c.socket)
        fail(&c, SHIM_INVALID_ARGUMENT, "needs a containerd address, a namespace and a name");
    else if (!namespace_valid(ns))
        fail(&c, SHIM_INVALID_ARGUMENT, "namespace '%.80s' is not a containerd namespace name", ns);
    else if (!ctx_open(&c) && !get_target(&c, &target) && !find_layer(&c, &target, &layer) &&
             !read_blob(&c, &layer, "layer", MAX_MODULE, &module))
        check_module(&c, &layer, module);
    ctx_close(&c);
    if (c.code) {
        free(module);
        *out_err = c.err ? c.err : strf("image %s: out of memory", c.ref);
        return c.code;
    }
    *out = module;
    *out_len = (size_t)layer.size;
    return SHIM_OK;
}
