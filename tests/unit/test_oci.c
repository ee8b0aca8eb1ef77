/* test_oci.c: the parts of src/oci that need no registry: references, which registries are
 * loopback, the docker config's keys and WWW-Authenticate challenges (oci_auth.c's statics),
 * layer tars written and read back (plain and gzip, sizes around the block size, whiteouts,
 * damaged archives; tar itself is test_tar.c's), manifests and indexes, entrypoints, and Bindle key
 * files. tests/oci/run.sh covers the rest against real registries. */
#include "unit.h"

#include "oci/oci_auth.c"
#include "oci/oci_tar.c"

#include <string.h>

/* ---- references ---- */

/* parse_ok TEXT REGISTRY REPOSITORY TAG DIGEST: TEXT parses to these (tag/digest NULL for
 * none). */
static void parse_ok(const char *text, const char *registry, const char *repository,
                     const char *tag, const char *digest)
{
    OciRef r;
    char *err = NULL;
    char what[512];
    snprintf(what, sizeof what, "parse '%s'", text);
    if (oci_ref_parse(text, &r, &err) != OCI_OK) {
        fprintf(stderr, "%s: %s\n", what, err);
        CHECK(false, what);
        free(err);
        return;
    }
    CHECK(!strcmp(r.registry, registry), what);
    CHECK(!strcmp(r.repository, repository), what);
    CHECK(tag ? r.tag && !strcmp(r.tag, tag) : !r.tag, what);
    CHECK(digest ? r.digest && !strcmp(r.digest, digest) : !r.digest, what);
    oci_ref_clear(&r);
}

/* parse_bad TEXT WANT: TEXT is refused with a message containing WANT. */
static void parse_bad(const char *text, const char *want)
{
    OciRef r;
    char *err = NULL;
    char what[512];
    snprintf(what, sizeof what, "refuse '%s' with '%s'", text, want);
    OciStatus st = oci_ref_parse(text, &r, &err);
    CHECK(st == OCI_ERR_REF && err && strstr(err, want), what);
    if (err && !strstr(err, want))
        fprintf(stderr, "  got: %s\n", err);
    if (st == OCI_OK)
        oci_ref_clear(&r);
    free(err);
}

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_refs(void)
{
    parse_ok("oci://127.0.0.1:5000/corral/app:v1", "127.0.0.1:5000", "corral/app", "v1", NULL);
    parse_ok("oci://localhost:5000/app", "localhost:5000", "app", "latest", NULL);
    parse_ok("oci://example.com/a/b/c:1.0-rc_1", "example.com", "a/b/c", "1.0-rc_1", NULL);
    parse_ok("oci://[::1]:5000/app:v1", "[::1]:5000", "app", "v1", NULL);
    parse_ok("oci://r.io/app@sha256:" D64, "r.io", "app", NULL, "sha256:" D64);
    parse_ok("oci://r.io/app:v1@sha256:" D64, "r.io", "app", "v1", "sha256:" D64);
    parse_ok("oci://r.io/a.b_c__d--e/f:T", "r.io", "a.b_c__d--e/f", "T", NULL);
    parse_ok("oci://docker.io/hello:v1", "docker.io", "library/hello", "v1", NULL);
    parse_ok("oci://index.docker.io/u/hello", "docker.io", "u/hello", "latest", NULL);
    /* WAGI's forms (WAGI.md 1.2): oci:foo:bar is foo:bar on Docker Hub. */
    parse_ok("oci:foo:bar", "docker.io", "library/foo", "bar", NULL);
    parse_ok("oci:foo/bar", "docker.io", "foo/bar", "latest", NULL);
    parse_ok("oci:example.com:9000/foo:dev", "example.com:9000", "foo", "dev", NULL);
    parse_ok("oci:localhost/foo", "localhost", "foo", "latest", NULL);
    parse_ok("oci:127.0.0.1:5000/a/b:c", "127.0.0.1:5000", "a/b", "c", NULL);

    parse_bad("docker://r.io/a", "not an OCI reference");
    parse_bad("oci://r.io", "needs a registry and a repository");
    parse_bad("oci:///a", "needs a registry and a repository");
    parse_bad("oci://r.io/", "repository name is empty");
    parse_bad("oci://r.io/A", "'A' is not a valid repository name component");
    parse_bad("oci://r.io/a-", "'a-' is not a valid");
    parse_bad("oci://r.io/-a", "'-a' is not a valid");
    parse_bad("oci://r.io/a___b", "'a___b' is not a valid");
    parse_bad("oci://r.io/a..b", "'a..b' is not a valid");
    parse_bad("oci://r.io/a/", "'' is not a valid");
    parse_bad("oci://r.io/a:", "the tag after ':' is empty");
    parse_bad("oci://r.io/a:-x", "starts with '-'");
    parse_bad("oci://r.io/a:x y", "has a character other than");
    parse_bad("oci://r.io/a@sha256:" D64 "0", "more than 64 hex digits");
    parse_bad("oci://r.io/a@sha256:"
              "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
              "64 lower-case hex digits");
    parse_bad("oci://r.io/a@md5:00", "'md5' is not supported");
    parse_bad("oci://r.io/a@abc", "is not ALGORITHM:HEX");
    parse_bad("oci://r.io:0/a", "port in 'r.io:0'");
    parse_bad("oci://r.io:/a", "port in 'r.io:'");
    parse_bad("oci://r.io:123456/a", "port in");
    parse_bad("oci://r_io/a", "has a character a host name cannot have");
    parse_bad("oci://-r.io/a", "is not a registry host name");
    parse_bad("oci://[::1/a", "has no closing ']'");
    parse_bad("oci://[xyz]/a", "is not an IPv6 address");
    char long_tag[200] = "oci://r.io/a:";
    memset(long_tag + strlen(long_tag), 't', 129);
    parse_bad(long_tag, "longer than 128");

    OciRef r;
    char *err;
    if (oci_ref_parse("oci://r.io:5000/a/b:v1", &r, &err) == OCI_OK) {
        char *s = oci_ref_format(&r, "sha256:" D64);
        CHECK(s && !strcmp(s, "oci://r.io:5000/a/b:v1@sha256:" D64), "format with digest");
        free(s);
        s = oci_ref_format(&r, NULL);
        CHECK(s && !strcmp(s, "oci://r.io:5000/a/b:v1"), "format without digest");
        free(s);
        oci_ref_clear(&r);
    }

    CHECK(oci_ref_is_oci("oci://x/y") && oci_ref_is_oci("oci:y") && !oci_ref_is_oci("bindle:y"),
          "oci_ref_is_oci");
    CHECK(oci_registry_is_loopback("localhost:5000"), "localhost");
    CHECK(oci_registry_is_loopback("LOCALHOST"), "LOCALHOST");
    CHECK(oci_registry_is_loopback("127.0.0.1"), "127.0.0.1");
    CHECK(oci_registry_is_loopback("127.10.20.30:1"), "127.10.20.30");
    CHECK(oci_registry_is_loopback("[::1]:5000"), "[::1]");
    CHECK(!oci_registry_is_loopback("127.0.0.1.example.com"), "127.0.0.1.example.com");
    CHECK(!oci_registry_is_loopback("127.0.0.256"), "127.0.0.256");
    CHECK(!oci_registry_is_loopback("localhost.example.com:5000"), "localhost.example.com");
    CHECK(!oci_registry_is_loopback("128.0.0.1"), "128.0.0.1");
    CHECK(!oci_registry_is_loopback("[::2]"), "[::2]");
}

/* ---- credentials and challenges ---- */

static void test_auth(void)
{
    CHECK(key_names("127.0.0.1:5000", "127.0.0.1:5000"), "plain key");
    CHECK(key_names("https://r.io/v1/", "r.io"), "key with scheme and path");
    CHECK(key_names("http://R.IO:5000", "r.io:5000"), "case-insensitive");
    CHECK(!key_names("r.io:5000", "r.io"), "port matters");
    CHECK(!key_names("r.io.evil", "r.io"), "no prefix match");
    CHECK(key_names("https://index.docker.io/v1/", "docker.io"), "Docker Hub's key");
    CHECK(!key_names("https://index.docker.io/v1/", "quay.io"), "not Docker Hub");

    Challenge ch;
    CHECK(parse_challenge("Bearer realm=\"https://auth.r.io/token\",service=\"r.io\","
                          "scope=\"repository:a/b:pull\"",
                          &ch),
          "Bearer challenge parses");
    CHECK(!strcmp(ch.scheme, "Bearer") && ch.realm &&
              !strcmp(ch.realm, "https://auth.r.io/token") && ch.service &&
              !strcmp(ch.service, "r.io") && ch.scope && !strcmp(ch.scope, "repository:a/b:pull"),
          "Bearer fields");
    challenge_clear(&ch);
    CHECK(parse_challenge("Basic realm=\"a \\\"quoted\\\" realm\", charset=UTF-8", &ch) &&
              !strcmp(ch.scheme, "Basic") && !strcmp(ch.realm, "a \"quoted\" realm") && !ch.service,
          "Basic challenge with escapes and an unknown parameter");
    challenge_clear(&ch);
    CHECK(parse_challenge("Bearer realm=https://t.io/x , service = y", &ch) && ch.realm &&
              !strcmp(ch.realm, "https://t.io/x"),
          "token values and stray spaces");
    challenge_clear(&ch);
    CHECK(!parse_challenge("", &ch), "empty challenge");
    challenge_clear(&ch);

    /* The docker config: a file in a temporary directory. */
    char dir[] = "/tmp/test_oci_XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"auths\":{\"https://r.io/v1/\":{\"auth\":\"YWxpY2U6czNjcjp0\"},"
          "\"u.io\":{\"username\":\"bob\",\"password\":\"pw\"},"
          "\"i.io\":{\"identitytoken\":\"x\"}},"
          "\"credHelpers\":{\"h.io\":\"gcloud\"},\"credsStore\":\"desktop\"}",
          f);
    fclose(f);
    OciCreds c;
    char *err = NULL;
    CHECK(oci_creds_load("r.io", path, &c, &err) == OCI_OK && c.basic &&
              !strcmp(c.basic, "YWxpY2U6czNjcjp0") && !strcmp(c.user, "alice"),
          "auth: alice:s3cr:t (a colon in the password)");
    oci_creds_clear(&c);
    CHECK(oci_creds_load("u.io", path, &c, &err) == OCI_OK && c.basic &&
              !strcmp(c.basic, "Ym9iOnB3"),
          "username and password");
    oci_creds_clear(&c);
    CHECK(oci_creds_load("i.io", path, &c, &err) == OCI_OK && !c.basic && c.note &&
              strstr(c.note, "identity token"),
          "identity tokens are named");
    oci_creds_clear(&c);
    CHECK(oci_creds_load("h.io", path, &c, &err) == OCI_OK && !c.basic && c.note &&
              strstr(c.note, "docker-credential-gcloud"),
          "credHelpers");
    oci_creds_clear(&c);
    CHECK(oci_creds_load("z.io", path, &c, &err) == OCI_OK && !c.basic && c.note &&
              strstr(c.note, "docker-credential-desktop"),
          "credsStore");
    oci_creds_clear(&c);
    snprintf(path, sizeof path, "%s/none.json", dir);
    CHECK(oci_creds_load("r.io", path, &c, &err) == OCI_ERR_IO && err && strstr(err, "none.json"),
          "a config named but missing is an error");
    free(err);
    err = NULL;
    unlink(path);
    snprintf(path, sizeof path, "%s/config.json", dir);
    unlink(path);
    rmdir(dir);
}

/* ---- tar layers ---- */

static OciSession session; /* for messages */

/* A file holding n pseudo-random bytes starting with \0asm. */
static FILE *module_file(size_t n, uint32_t seed)
{
    FILE *f = tmpfile();
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        fputc(i < 4 ? "\0asm"[i] : (int)(seed >> 16 & 0xff), f);
    }
    fflush(f);
    return f;
}

static bool same_files(FILE *a, FILE *b)
{
    rewind(a);
    rewind(b);
    int x, y;
    do {
        x = fgetc(a);
        y = fgetc(b);
    } while (x == y && x != EOF);
    return x == y;
}

static void round_trip(size_t n, bool gzip)
{
    char what[128], digest[OCI_DIGEST_SIZE], diff_id[OCI_DIGEST_SIZE];
    snprintf(what, sizeof what, "tar round trip, %zu bytes, %s", n, gzip ? "gzip" : "plain");
    FILE *m = module_file(n, (uint32_t)n), *layer = tmpfile(), *out = tmpfile();
    uint64_t size = 0, got_size = 0;
    uint8_t head[8];
    size_t head_len = 0;
    OciTarFound found = OCI_TAR_ABSENT;
    CHECK(oci_tar_write(&session, m, n, "app.wasm", gzip, layer, digest, &size, diff_id) == OCI_OK,
          what);
    CHECK(gzip || size == 512 + (n + 511) / 512 * 512 + 1024, what);
    CHECK(gzip ? strcmp(digest, diff_id) != 0 : !strcmp(digest, diff_id), what);
    CHECK(oci_tar_find(&session, layer, "app.wasm", 1 << 30, out, &found, &got_size, head,
                       &head_len) == OCI_OK,
          what);
    CHECK(found == OCI_TAR_FILE && got_size == n && same_files(m, out), what);
    CHECK(head_len == (n < 8 ? n : 8) && !memcmp(head, "\0asm", 4), what);
    rewind(out);
    CHECK(oci_tar_find(&session, layer, "other.wasm", 1 << 30, out, &found, &got_size, head,
                       &head_len) == OCI_OK &&
              found == OCI_TAR_ABSENT,
          "absent path");
    if (n > 100) {
        rewind(out);
        CHECK(oci_tar_find(&session, layer, "app.wasm", 100, out, &found, &got_size, head,
                           &head_len) == OCI_ERR_TOO_BIG,
              "size cap");
    }
    fclose(m);
    fclose(layer);
    fclose(out);
}

/* Writes a tar of entries (name, type, data) by hand. */
static FILE *hand_tar(const char *const *names, const char *types, const char *const *data,
                      size_t n, bool end_blocks)
{
    FILE *f = tmpfile();
    uint8_t h[TAR_BLOCK];
    for (size_t i = 0; i < n; i++) {
        size_t len = data[i] ? strlen(data[i]) : 0;
        tar_header(h, names[i], types[i], 0755, len);
        fwrite(h, 1, TAR_BLOCK, f);
        if (len) {
            fwrite(data[i], 1, len, f);
            static const uint8_t zeros[TAR_BLOCK];
            fwrite(zeros, 1, (TAR_BLOCK - len % TAR_BLOCK) % TAR_BLOCK, f);
        }
    }
    static const uint8_t end[2 * TAR_BLOCK];
    if (end_blocks)
        fwrite(end, 1, sizeof end, f);
    fflush(f);
    return f;
}

static OciTarFound find(FILE *tar, const char *path, char *got, size_t cap, OciStatus *st)
{
    FILE *out = tmpfile();
    OciTarFound found = OCI_TAR_ABSENT;
    uint64_t size = 0;
    uint8_t head[8];
    size_t head_len;
    *st = oci_tar_find(&session, tar, path, 1 << 20, out, &found, &size, head, &head_len);
    rewind(out);
    size_t n = fread(got, 1, cap - 1, out);
    got[n] = 0;
    fclose(out);
    return found;
}

static void test_tar_read(void)
{
    char got[256];
    OciStatus st;
    const char *names[] = {"./app/",       "./app/m.wasm",       "/app/m.wasm", "app/x/",
                           "app/.wh.gone", "app/x/.wh..wh..opq", "link"};
    const char types[] = {'5', '0', '0', '5', '0', '0', '2'};
    const char *data[] = {NULL, "first", "second", NULL, NULL, NULL, NULL};
    FILE *t = hand_tar(names, types, data, 7, true);
    CHECK(find(t, "app/m.wasm", got, sizeof got, &st) == OCI_TAR_FILE && st == OCI_OK &&
              !strcmp(got, "second"),
          "the last entry of a name wins; ./ and / are ignored");
    CHECK(find(t, "app/gone", got, sizeof got, &st) == OCI_TAR_DELETED && st == OCI_OK, "whiteout");
    CHECK(find(t, "app/gone/deeper", got, sizeof got, &st) == OCI_TAR_DELETED, "whiteout of a dir");
    CHECK(find(t, "app/x/y.wasm", got, sizeof got, &st) == OCI_TAR_DELETED, "opaque dir");
    CHECK(find(t, "app/gonex", got, sizeof got, &st) == OCI_TAR_ABSENT, "whiteout is exact");
    CHECK(find(t, "app", got, sizeof got, &st) == OCI_TAR_ABSENT && st == OCI_ERR_FORMAT &&
              strstr(oci_session_error(&session), "is a directory"),
          "a directory");
    CHECK(find(t, "link", got, sizeof got, &st) == OCI_TAR_ABSENT && st == OCI_ERR_FORMAT &&
              strstr(oci_session_error(&session), "symbolic link"),
          "a symlink");
    fclose(t);

    t = hand_tar(names + 1, types + 1, data + 1, 1, false);
    CHECK(find(t, "app/m.wasm", got, sizeof got, &st) == OCI_TAR_FILE && st == OCI_OK,
          "no end blocks is tolerated");
    fclose(t);

    /* Damage: a truncated entry, a bad checksum, bad gzip. */
    t = hand_tar(names + 1, types + 1, data + 1, 1, false);
    CHECK(ftruncate(fileno(t), TAR_BLOCK + 2) == 0, "truncate");
    find(t, "app/m.wasm", got, sizeof got, &st);
    CHECK(st == OCI_ERR_FORMAT && strstr(oci_session_error(&session), "truncated"), "truncated");
    fseek(t, 0, SEEK_SET);
    fputc('X', t);
    fflush(t);
    find(t, "app/m.wasm", got, sizeof got, &st);
    CHECK(st == OCI_ERR_FORMAT && strstr(oci_session_error(&session), "bad header checksum"),
          "checksum");
    fclose(t);
    t = tmpfile();
    fwrite("\x1f\x8b\x08\x00garbage-garbage-garbage", 1, 27, t);
    fflush(t);
    find(t, "app/m.wasm", got, sizeof got, &st);
    CHECK(st == OCI_ERR_FORMAT && strstr(oci_session_error(&session), "gzip"), "bad gzip");
    fclose(t);
}

static void test_tar(void)
{
    static const size_t sizes[] = {8, 511, 512, 513, 1024, 70000, 200000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        round_trip(sizes[i], false);
        round_trip(sizes[i], true);
    }
    /* The same module gives the same layer: fixed header fields, gzip without a time. */
    char d1[OCI_DIGEST_SIZE], d2[OCI_DIGEST_SIZE], id[OCI_DIGEST_SIZE];
    uint64_t size;
    FILE *m = module_file(1000, 7), *a = tmpfile(), *b = tmpfile();
    CHECK(oci_tar_write(&session, m, 1000, "app.wasm", true, a, d1, &size, id) == OCI_OK &&
              oci_tar_write(&session, m, 1000, "app.wasm", true, b, d2, &size, id) == OCI_OK &&
              !strcmp(d1, d2),
          "layers are reproducible");
    fclose(m);
    fclose(a);
    fclose(b);
    test_tar_read();
}

/* ---- manifests ---- */

static void test_manifests(void)
{
    OciManifest m;
    const char *good =
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"sha256:" D64
        "\",\"size\":2},\"layers\":[{\"mediaType\":\"application/wasm\",\"digest\":"
        "\"sha256:" D64 "\",\"size\":10,\"annotations\":{\"k\":\"v\"}}]}";
    CHECK(oci_manifest_parse(&session, (const uint8_t *)good, strlen(good), OCI_MT_MANIFEST, &m) ==
                  OCI_OK &&
              m.nlayers == 1 && m.layers[0].size == 10 && m.layers[0].annotations &&
              !strcmp(m.config.media_type, "a"),
          "manifest parses");
    oci_manifest_clear(&m);
    const char *bad[] = {
        "{\"schemaVersion\":1,\"config\":{},\"layers\":[]}",
        "{\"schemaVersion\":2,\"layers\":[]}",
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"sha256:00\",\"size\":2},"
        "\"layers\":[]}",
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a\",\"digest\":\"sha256:" D64 "\","
        "\"size\":-1},\"layers\":[]}",
        "not json",
        "{\"schemaVersion\":2,\"schemaVersion\":2}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(oci_manifest_parse(&session, (const uint8_t *)bad[i], strlen(bad[i]), OCI_MT_MANIFEST,
                                 &m) == OCI_ERR_FORMAT,
              bad[i]);
    CHECK(oci_manifest_parse(&session, (const uint8_t *)good, strlen(good),
                             "application/vnd.docker.distribution.manifest.v1+prettyjws",
                             &m) == OCI_ERR_FORMAT &&
              strstr(oci_session_error(&session), "schema 1"),
          "schema 1 is named");

    char digest[OCI_DIGEST_SIZE];
    const char *index = "{\"manifests\":["
                        "{\"mediaType\":\"" OCI_MT_MANIFEST "\",\"digest\":\"sha256:" D64 "\","
                        "\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                        "{\"mediaType\":\"" OCI_MT_MANIFEST "\",\"digest\":\"sha256:"
                        "1111111111111111111111111111111111111111111111111111111111111111\","
                        "\"size\":1,\"platform\":{\"os\":\"wasip1\",\"architecture\":\"wasm\"}}]}";
    CHECK(oci_index_choose(&session, (const uint8_t *)index, strlen(index), digest) == OCI_OK &&
              !strncmp(digest, "sha256:1111", 11),
          "index: the wasm entry");
    const char *one = "{\"manifests\":[{\"mediaType\":\"" OCI_MT_MANIFEST
                      "\",\"digest\":\"sha256:" D64 "\",\"size\":1}]}";
    CHECK(oci_index_choose(&session, (const uint8_t *)one, strlen(one), digest) == OCI_OK &&
              !strcmp(digest, "sha256:" D64),
          "index: the only entry");
    const char *two = "{\"manifests\":["
                      "{\"mediaType\":\"" OCI_MT_MANIFEST "\",\"digest\":\"sha256:" D64 "\","
                      "\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                      "{\"mediaType\":\"" OCI_MT_MANIFEST "\",\"digest\":\"sha256:" D64 "\","
                      "\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}]}";
    CHECK(oci_index_choose(&session, (const uint8_t *)two, strlen(two), digest) == OCI_ERR_FORMAT &&
              strstr(oci_session_error(&session), "linux/amd64, linux/arm64"),
          "index: no wasm entry among several");

    const char *cfg[][2] = {
        {"{\"config\":{\"Entrypoint\":[\"/app.wasm\"]}}", "app.wasm"},
        {"{\"config\":{\"Cmd\":[\"./x/y.wasm\",\"arg\"]}}", "x/y.wasm"},
        {"{\"config\":{\"Entrypoint\":[\"/m.wasm#handler\"],\"Cmd\":[\"/other\"]}}", "m.wasm"},
    };
    for (size_t i = 0; i < 3; i++) {
        char *p = oci_image_entrypoint((const uint8_t *)cfg[i][0], strlen(cfg[i][0]));
        CHECK(p && !strcmp(p, cfg[i][1]), cfg[i][0]);
        free(p);
    }
    CHECK(oci_image_entrypoint((const uint8_t *)"{}", 2) == NULL, "no entrypoint");
}

/* ---- key files ---- */

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/test_oci_key_XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void key_bad(const char *text, const char *want, bool secret)
{
    char *path = write_temp(text), *err = NULL;
    OciSigner *s = NULL;
    OciKeyring *k = NULL;
    bool ok = secret ? oci_signer_load(path, NULL, &s, &err) : oci_keyring_load(path, &k, &err);
    CHECK(!ok && err && strstr(err, want), want);
    if (err && !strstr(err, want))
        fprintf(stderr, "  got: %s\n", err);
    free(err);
    oci_signer_free(s);
    oci_keyring_free(k);
    unlink(path);
    free(path);
}

static void test_keys(void)
{
    uint8_t pk[32], sk[64], sig[64];
    char kp64[100], pk64[60], text[600];
    crypto_sign_keypair(pk, sk);
    sodium_bin2base64(kp64, sizeof kp64, sk, 64, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(pk64, sizeof pk64, pk, 32, sodium_base64_VARIANT_ORIGINAL);

    snprintf(text, sizeof text,
             "version = \"1.0\"\n[[key]]\nlabel = \"host\"\nroles = [\"host\"]\nkeypair = \"%s\"\n"
             "[[key]]\nlabel = \"me\"\nroles = [\"approver\", \"creator\"]\nkeypair = \"%s\"\n",
             kp64, kp64);
    char *path = write_temp(text), *err = NULL;
    OciSigner *s = NULL;
    CHECK(oci_signer_load(path, NULL, &s, &err) && !strcmp(oci_signer_label(s), "me") &&
              !memcmp(oci_signer_public_key(s), pk, 32),
          "the first creator key");
    if (s) {
        oci_signer_sign(s, (const uint8_t *)"msg", 3, sig);
        CHECK(oci_sign_verify(pk, (const uint8_t *)"msg", 3, sig), "sign and verify");
        CHECK(!oci_sign_verify(pk, (const uint8_t *)"msh", 3, sig), "another message");
    }
    oci_signer_free(s);
    s = NULL;
    CHECK(oci_signer_load(path, "host", &s, &err) && !strcmp(oci_signer_label(s), "host"),
          "a key by label");
    oci_signer_free(s);
    unlink(path);
    free(path);

    snprintf(
        text, sizeof text,
        "version = \"1.0\"\n[[key]]\nlabel = \"me\"\nroles = [\"creator\"]\nkey = \"%s\"\n"
        "labelSignature = \"ignored\"\n[[key]]\nlabel = \"h\"\nroles = [\"host\"]\nkey = \"%s\"\n",
        pk64, pk64);
    path = write_temp(text);
    OciKeyring *k = NULL;
    CHECK(oci_keyring_load(path, &k, &err) && oci_keyring_len(k) == 2, "keyring");
    if (k) {
        const char *label = oci_keyring_find(k, pk, OCI_ROLES_ACCEPTED);
        CHECK(label && !strcmp(label, "me"), "find with a role");
        label = oci_keyring_find(k, pk, OCI_ROLE_HOST);
        CHECK(label && !strcmp(label, "h"), "find the host entry");
        uint8_t other[32] = {1};
        CHECK(!oci_keyring_find(k, other, ~0u), "unknown key");
    }
    oci_keyring_free(k);
    unlink(path);
    free(path);

    /* The files are read by the package store's keyring code (src/store/keyring.c, whose own
     * tests cover its messages); these check that the OCI side reports them. */
    key_bad("version = \"1.0\"\n[[key]]\nlabel = \"x\"\nroles = [\"boss\"]\nkeypair = \"AA==\"\n",
            ":4:10: roles: each must be one of", true);
    key_bad(
        "version = \"1.0\"\n[[key]]\nlabel = \"x\"\nroles = [\"creator\"]\nkeypair = \"AA==\"\n",
        "keypair", true);
    key_bad("version = \"1.0\"\n[[key]]\nlabel = \"x\"\nroles = [\"host\"]\nkeypair = \"AA==\"\n",
            "no key with the creator role", true);
    key_bad("version = \"1.0\"\nkey = []\n", "no key with the creator role", true);
    key_bad("version = \"1.0\"\n", "missing field 'key'", false);
    key_bad("version = 1\n", "'version' must be a string", false);
    key_bad("version = \"1.0\"\n[[key]]\nroles = []\nkey = \"AA==\"\n",
            "[[key]] is missing field 'label'", false);
    key_bad("version = \"1.0\"\n[[key]\n", ":2:", false);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    test_refs();
    test_auth();
    test_tar();
    test_manifests();
    test_keys();
    free(session.err);
    return unit_report("test_oci");
}
