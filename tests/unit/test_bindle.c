/* test_bindle.c: the parts of src/bindle that need no server: references and ids, URL paths,
 * the server's error bodies, media types, statuses and default places; invoices built from a
 * directory (order, links and devices refused), signed and verified; the cache's file checks
 * and atomic writes; standalone bindles written as directories and archives and read back,
 * and the shapes a standalone archive may hold (hostile names and types refused, lying digests
 * not kept). tests/bindle/run.sh covers the rest against real servers. */
#include "unit.h"

#include "bindle/standalone.c"

#include "bindle/bindle_int.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[256];

static void put_file(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    char *slash = strrchr(path, '/');
    *slash = 0;
    fs_mkdirs(path, 0755);
    *slash = '/';
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
}

static char *path_of(const char *rel)
{
    return strf("%s/%s", tmp, rel);
}

/* ---- references, URLs, errors, media types ---- */

static void test_refs(void)
{
    CHECK(bindle_ref_is_bindle("bindle:anything"), "bindle: prefix");
    CHECK(bindle_ref_is_bindle("example.com/app/1.2.3-rc.1+b"), "NAME/VERSION");
    CHECK(!bindle_ref_is_bindle("example.com/app/1.2"), "partial version");
    CHECK(!bindle_ref_is_bindle("1.2.3"), "no name");
    CHECK(!bindle_ref_is_bindle("/1.2.3"), "empty name");
    CHECK(!bindle_ref_is_bindle("oci://r/a:v1"), "OCI");
    CHECK(!bindle_ref_is_bindle("./invoice.toml"), "a file");
    char *err = NULL, *id = bindle_ref_id("bindle:a/b/1.0.0", &err);
    CHECK(id && !strcmp(id, "a/b/1.0.0") && !err, "bindle: dropped");
    free(id);
    id = bindle_ref_id("a//b/1.0.0", &err);
    CHECK(!id && err && strstr(err, "empty, '.' or '..' segment"), "empty segment refused");
    free(err);
    id = bindle_ref_id("../x/1.0.0", &err);
    CHECK(!id && err && strstr(err, "'..'"), "'..' refused");
    free(err);
    id = bindle_ref_id("x@y/1.0.0", &err);
    CHECK(!id && err && strstr(err, "'@'"), "'@' refused");
    free(err);
    char key[BINDLE_SHA_TEXT];
    bindle_id_key("example.com/hello/1.0.0", key);
    char want[BINDLE_SHA_TEXT];
    bindle_id_sha("example.com/hello", 17, "1.0.0", 5, want);
    CHECK(!strcmp(key, want), "storage key is sha256(NAME/VERSION)");
}

static void test_urls(void)
{
    char *p = bindle_url_path("_i/", "example.com/a b/1.0.0+build", NULL);
    CHECK(p && !strcmp(p, "_i/example.com/a%20b/1.0.0%2Bbuild"), "spaces and + are encoded");
    free(p);
    p = bindle_url_path("_i/", "caf\xc3\xa9/1.0.0", "ab");
    CHECK(p && !strcmp(p, "_i/caf%C3%A9/1.0.0@ab"), "UTF-8 bytes, and the parcel part");
    free(p);
    p = bindle_url_path("_r/missing/", "x?y#z%/1.0.0", NULL);
    CHECK(p && !strcmp(p, "_r/missing/x%3Fy%23z%25/1.0.0"), "?, # and % are encoded");
    free(p);
}

static void test_error_text(void)
{
    const char *toml = "error = \"Invoice x has been yanked\"\n";
    char *t = bindle_error_text(toml, strlen(toml));
    CHECK(t && !strcmp(t, "Invoice x has been yanked"), "TOML error body");
    free(t);
    const char *json = "{\"error\":\"bad\\u0001thing\"}";
    t = bindle_error_text(json, strlen(json));
    CHECK(t && !strcmp(t, "bad\\x01thing"), "JSON error body, control characters escaped");
    free(t);
    const char *html = "<html>502 Bad Gateway</html>\r\nmore";
    t = bindle_error_text(html, strlen(html));
    CHECK(t && !strcmp(t, "<html>502 Bad Gateway</html>"), "other bodies: the first line");
    free(t);
    CHECK(bindle_error_text(NULL, 0) == NULL && bindle_error_text("\n", 1) == NULL, "no body");
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    t = bindle_error_text(big, strlen(big));
    CHECK(t && strlen(t) == 300, "a long body is cut");
    free(t);
}

static void test_misc(void)
{
    CHECK(!strcmp(bindle_media_type("a/b/m.WASM"), "application/wasm"), "media type, any case");
    CHECK(!strcmp(bindle_media_type("index.html"), "text/html"), "html");
    CHECK(!strcmp(bindle_media_type("x.tar.gz"), "application/gzip"), "last extension");
    CHECK(!strcmp(bindle_media_type("Makefile"), "application/octet-stream"), "no extension");
    CHECK(!strcmp(bindle_media_type("dir.d/file"), "application/octet-stream"), "a dot in a dir");
    CHECK(!strcmp(bindle_media_type(".txt"), "text/plain"), "a dot file named like an extension");
    for (int s = BINDLE_OK; s <= BINDLE_ERR_NOMEM; s++)
        CHECK(bindle_status_text((BindleStatus)s)[0], "every status has a text");
    CHECK(!strcmp(bindle_status_text((BindleStatus)999), "unknown status"), "unknown status");
    VerifyStrategy d = bindle_default_strategy();
    char name[64];
    verify_strategy_format(&d, name, sizeof name);
    CHECK(!strcmp(name, "MultipleAttestationGreedy[Host]"), "Bindle client's default strategy");
    setenv("XDG_CACHE_HOME", "relative/dir", 1);
    setenv("HOME", "/home/u", 1);
    char *dir = bindle_default_cache_dir();
    CHECK(dir && !strcmp(dir, "/home/u/.cache/corral/bindle"),
          "a relative XDG_CACHE_HOME is ignored");
    free(dir);
    setenv("XDG_CACHE_HOME", "/x", 1);
    dir = bindle_default_cache_dir();
    CHECK(dir && !strcmp(dir, "/x/corral/bindle"), "XDG_CACHE_HOME");
    free(dir);
    setenv("BINDLE_URL", "http://h:1/v1/", 1);
    setenv("BINDLE_HTTP_USER", "", 1);
    BindleClientOpts o = {.cache_dir = "mine"};
    setenv("BINDLE_DIRECTORY", "theirs", 1);
    bindle_opts_from_env(&o);
    CHECK(o.server_url && !strcmp(o.server_url, "http://h:1/v1/") && !strcmp(o.cache_dir, "mine") &&
              !o.http_user,
          "options from the environment: flags win, empty variables are unset");
    BindleFetched zero = {0};
    bindle_fetched_clear(&zero);
    CHECK(zero.invoice == NULL, "clearing an empty result");
}

/* ---- the cache's files ---- */

static void test_files(void)
{
    put_file("c/parcel", "parcel bytes");
    char *p = path_of("c/parcel");
    InvLabel l = {.name = "parcel", .size = 12};
    char hex[BINDLE_SHA_TEXT];
    uint64_t size;
    char *err = NULL;
    CHECK(bindle_file_digest(p, hex, &size, &err) == BINDLE_OK && size == 12, "digest");
    l.sha256 = hex;
    CHECK(bindle_file_check(p, &l, &err) == BINDLE_OK, "a file that is its label");
    l.size = 11;
    CHECK(bindle_file_check(p, &l, &err) == BINDLE_ERR_INTEGRITY && strstr(err, "holds 12 bytes"),
          "a size mismatch");
    l.size = 12;
    char other[BINDLE_SHA_TEXT];
    memset(other, 'a', 64);
    other[64] = 0;
    l.sha256 = other;
    CHECK(bindle_file_check(p, &l, &err) == BINDLE_ERR_INTEGRITY && strstr(err, hex),
          "a digest mismatch names the real digest");
    char *link = path_of("c/link");
    CHECK(symlink(p, link) == 0, "symlink");
    l.sha256 = hex;
    CHECK(bindle_file_check(link, &l, &err) == BINDLE_ERR_UNSAFE && strstr(err, "symbolic link"),
          "a symbolic link is not followed");
    char *none = path_of("c/none");
    CHECK(bindle_file_check(none, &l, &err) == BINDLE_ERR_NOT_FOUND, "no file");
    /* atomic writes: a commit replaces, an abort leaves nothing */
    char *w = path_of("c/new/dir/file");
    CHECK(bindle_write_atomic(w, "one", 3, &err) == BINDLE_OK &&
              bindle_write_atomic(w, "two!", 4, &err) == BINDLE_OK,
          "atomic writes, directories made");
    char *text;
    size_t len;
    CHECK(bindle_read_file(w, 100, true, &text, &len, &err) == BINDLE_OK && len == 4 &&
              !strcmp(text, "two!"),
          "the second write replaced the first");
    free(text);
    CHECK(bindle_read_file(w, 3, true, &text, &len, &err) == BINDLE_ERR_TOO_BIG, "read cap");
    CHECK(bindle_read_file(link, 100, true, &text, &len, &err) == BINDLE_ERR_IO &&
              strstr(err, "symbolic link"),
          "nofollow read");
    BindleTmp t;
    CHECK(bindle_tmp_open(w, &t, &err) == BINDLE_OK, "tmp open");
    char *tmpname = strdup(t.tmp);
    fputs("partial", t.f);
    bindle_tmp_abort(&t);
    CHECK(access(tmpname, F_OK) != 0, "an aborted write leaves no temporary file");
    CHECK(bindle_read_file(w, 100, true, &text, &len, &err) == BINDLE_OK && !strcmp(text, "two!"),
          "and the old file stays");
    free(text);
    char *pdir = path_of("c/parcels/abc/parcel.dat");
    CHECK(bindle_tmp_open(pdir, &t, &err) == BINDLE_OK, "tmp open in a new directory");
    bindle_tmp_abort(&t);
    bindle_cache_prune(pdir);
    char *pd = path_of("c/parcels/abc");
    CHECK(access(pd, F_OK) != 0, "prune removes the empty parcel directory");
    free(tmpname);
    free(pd);
    free(pdir);
    free(w);
    free(none);
    free(link);
    free(p);
    free(err);
}

/* ---- invoices from a directory, signed ---- */

static void test_local(void)
{
    put_file("tree/b.txt", "bee");
    put_file("tree/a/z.wasm", "zed");
    put_file("tree/a/y.html", "why");
    put_file("tree/A.md", "big a");
    put_file("tree/same", "bee");
    char *dir = path_of("tree"), *err = NULL;
    BindleLocal *l;
    CHECK(bindle_local_new("bindle:example.com/local/0.1.0", &l, &err) == BINDLE_OK, "local new");
    CHECK(bindle_local_add_dir(l, dir, &err) == BINDLE_OK, "add a directory");
    Invoice *inv = bindle_local_invoice(l);
    const char *want[] = {"A.md", "a/y.html", "a/z.wasm", "b.txt", "same"};
    bool order = inv && inv->nparcels == 5;
    for (size_t i = 0; order && i < 5; i++)
        order = !strcmp(inv->parcels[i].label.name, want[i]);
    CHECK(order, "parcels in byte order of their paths");
    CHECK(inv && !strcmp(inv->parcels[2].label.media_type, "application/wasm") &&
              inv->parcels[3].label.size == 3 &&
              !strcmp(inv->parcels[3].label.sha256, inv->parcels[4].label.sha256),
          "labels: media type, size, equal digests for equal bytes");
    char *ypath = strf("%s/a/y.html", dir);
    CHECK(!strcmp(bindle_local_paths(l)[1], ypath), "each parcel's file, in parcel order");
    free(ypath);
    /* signed by a fresh key, verified with a keyring that has it */
    SecretKeyFile sk;
    SignError se;
    SignRole creator = SIGN_ROLE_CREATOR;
    secrets_init(&sk);
    CHECK(secrets_generate(&sk, "Tester <t@example.com>", &creator, 1, &se) == SIGN_OK, "key");
    const SecretKey *used;
    CHECK(bindle_invoice_sign(inv, &sk, SIGN_ROLE_CREATOR, NULL, &used, &err) == BINDLE_OK &&
              inv->signatures.n == 1 && !strcmp(inv->signatures.items[0].role, "creator"),
          "signed as creator");
    CHECK(bindle_invoice_sign(inv, &sk, SIGN_ROLE_CREATOR, NULL, NULL, &err) ==
                  BINDLE_ERR_SIGNATURE &&
              strstr(err, "signing bindle"),
          "the same key twice is refused (DuplicateSignature)");
    CHECK(bindle_invoice_sign(inv, &sk, SIGN_ROLE_APPROVER, NULL, NULL, &err) ==
                  BINDLE_ERR_SIGNATURE &&
              strstr(err, "approver"),
          "no key with the role");
    Keyring kr;
    keyring_init(&kr);
    VerifyStrategy creative;
    const char *why;
    CHECK(verify_strategy_parse("CreativeIntegrity", &creative, &why), "strategy");
    CHECK(bindle_invoice_verify(inv, &kr, &creative, &err) == BINDLE_ERR_SIGNATURE &&
              strstr(err, "CreativeIntegrity") && strstr(err, "keyring is empty"),
          "an empty keyring: the strategy and what to do");
    CHECK(keyring_add_secret(&kr, used, &se) == SIGN_OK, "trust the key");
    CHECK(bindle_invoice_verify(inv, &kr, &creative, &err) == BINDLE_OK, "verified");
    CHECK(bindle_invoice_verify(inv, &kr, NULL, &err) == BINDLE_ERR_SIGNATURE &&
              strstr(err, "MultipleAttestationGreedy[Host]"),
          "the default strategy wants a host");
    /* the invoice written and read back is the same bindle */
    size_t len;
    char *text = invoice_write(inv, INV_TOML, &len), *why2 = NULL;
    Invoice *back = text ? invoice_parse(text, len, INV_TOML, &why2) : NULL;
    CHECK(back && back->nparcels == 5 && back->signatures.n == 1 &&
              bindle_invoice_verify(back, &kr, &creative, &err) == BINDLE_OK,
          "written as TOML and read back, still verified");
    /* standalone: written as a directory and as archives, opened again */
    char *invpath = path_of("inv.toml");
    FILE *f = fopen(invpath, "wb");
    fwrite(text, 1, len, f);
    fclose(f);
    BindleFetched fx;
    CHECK(bindle_fetched_init(&fx, back, &err) == BINDLE_OK, "fetched");
    fx.invoice_path = strdup(invpath);
    for (size_t i = 0; i < fx.nparcels; i++)
        fx.parcels[i].path = strdup(bindle_local_paths(l)[i]);
    char *exp = path_of("exp"), *written = NULL;
    free(err); /* the functions below set *out_err to NULL first: they own no message yet */
    err = NULL;
    CHECK(bindle_standalone_write(&fx, exp, &written, &err) == BINDLE_OK && written, "export dir");
    free(written);
    CHECK(bindle_standalone_write(&fx, exp, &written, &err) == BINDLE_ERR_EXISTS, "no overwrite");
    free(err);
    char *tgz = path_of("exp/b.tgz"), *plain = path_of("exp/b.tar");
    CHECK(bindle_standalone_write(&fx, tgz, &written, &err) == BINDLE_OK, "export tgz");
    free(written);
    CHECK(bindle_standalone_write(&fx, plain, &written, &err) == BINDLE_OK, "export tar");
    free(written);
    char *cache = path_of("sa-cache");
    BindleClientOpts o = {.cache_dir = cache};
    const char *sources[] = {exp, tgz, plain};
    for (int k = 0; k < 3; k++) {
        BindleFetched g;
        char *e2 = NULL;
        BindleStatus st =
            bindle_standalone_open(&o, sources[k], k == 0 ? "example.com/local/0.1.0" : NULL, &kr,
                                   &creative, NULL, &g, &e2);
        bool same = st == BINDLE_OK && g.nparcels == 5;
        for (size_t i = 0; same && i < 5; i++)
            same =
                g.parcels[i].path &&
                bindle_file_check(g.parcels[i].path, &g.parcels[i].parcel->label, &e2) == BINDLE_OK;
        CHECK(same, k == 0 ? "standalone directory read back" : "standalone archive read back");
        if (!same)
            fprintf(stderr, "  %s\n", e2 ? e2 : "");
        bindle_fetched_clear(&g);
        free(e2);
    }
    BindleFetched g;
    char *e3 = NULL;
    CHECK(bindle_standalone_open(&o, exp, "example.com/other/1.0.0", NULL, NULL, NULL, &g, &e3) ==
              BINDLE_ERR_NOT_FOUND,
          "a directory without that bindle");
    free(e3);
    bindle_fetched_clear(&fx);
    free(cache);
    free(tgz);
    free(plain);
    free(exp);
    free(invpath);
    free(text);
    free(why2);
    keyring_free(&kr);
    secrets_free(&sk);
    bindle_local_free(l);
    /* links and devices under a pushed directory are refused */
    put_file("bad/ok.txt", "ok");
    char *bad = path_of("bad"), *lnk = path_of("bad/l");
    CHECK(symlink("/etc/passwd", lnk) == 0, "symlink");
    CHECK(bindle_local_new("x/1.0.0", &l, &err) == BINDLE_OK, "local");
    CHECK(bindle_local_add_dir(l, bad, &err) == BINDLE_ERR_USAGE && strstr(err, "symbolic link"),
          "a symbolic link refused");
    bindle_local_free(l);
    unlink(lnk);
    char *fifo = path_of("bad/f");
    CHECK(mkfifo(fifo, 0600) == 0, "fifo");
    CHECK(bindle_local_new("x/1.0.0", &l, &err) == BINDLE_OK, "local");
    CHECK(bindle_local_add_dir(l, bad, &err) == BINDLE_ERR_USAGE && strstr(err, "FIFO"),
          "a FIFO refused");
    CHECK(bindle_local_add_file(l, fifo, "../x", NULL, &err) == BINDLE_ERR_USAGE, "a '..' name");
    bindle_local_free(l);
    free(fifo);
    free(lnk);
    free(bad);
    free(dir);
    free(err);
}

/* ---- standalone archive shapes ---- */

static void test_shapes(void)
{
    char key[BINDLE_SHA_TEXT], sha[BINDLE_SHA_TEXT], k64[65], s64[65], name[300];
    memset(k64, 'a', 64);
    k64[64] = 0;
    memset(s64, 'b', 64);
    s64[64] = 0;
    snprintf(name, sizeof name, "%s/", k64);
    CHECK(shape(name, key, sha) == SHAPE_TOP && !strcmp(key, k64), "top directory");
    snprintf(name, sizeof name, "./%s/invoice.toml", k64);
    CHECK(shape(name, key, sha) == SHAPE_INVOICE, "./ prefix and the invoice");
    snprintf(name, sizeof name, "%s/parcels", k64);
    CHECK(shape(name, key, sha) == SHAPE_PARCELS, "parcels directory");
    snprintf(name, sizeof name, "%s/parcels/%s.dat", k64, s64);
    CHECK(shape(name, key, sha) == SHAPE_PARCEL && !strcmp(sha, s64), "a parcel");
    snprintf(name, sizeof name, "%s/parcels/%s.bin", k64, s64);
    CHECK(shape(name, key, sha) == SHAPE_OTHER, "another extension");
    snprintf(name, sizeof name, "%s/parcels/x/%s.dat", k64, s64);
    CHECK(shape(name, key, sha) == SHAPE_OTHER, "a parcel in a subdirectory");
    snprintf(name, sizeof name, "%s/Invoice.toml", k64);
    CHECK(shape(name, key, sha) == SHAPE_OTHER, "case matters");
    k64[3] = 'A';
    snprintf(name, sizeof name, "%s/invoice.toml", k64);
    CHECK(shape(name, key, sha) == SHAPE_OTHER, "upper-case hex is not a digest");
    CHECK(shape("invoice.toml", key, sha) == SHAPE_OTHER, "no directory");
    CHECK(escape_why("/etc/passwd") && escape_why("a/../b") && escape_why("..") &&
              !escape_why("a/..b/c") && !escape_why("...") && !escape_why("a/b"),
          "absolute names and '..' segments");
}

/* A plain tar of (name, type, data) entries, made by hand. */
static char *hand_tar(const char *file, const char *const *names, const char *types,
                      const char *const *data, size_t n)
{
    char *path = path_of(file);
    FILE *f = fopen(path, "wb");
    uint8_t h[TAR_BLOCK];
    static const uint8_t zeros[2 * TAR_BLOCK];
    for (size_t i = 0; i < n; i++) {
        size_t len = data[i] ? strlen(data[i]) : 0;
        tar_header(h, names[i], types[i], 0644, len);
        fwrite(h, 1, TAR_BLOCK, f);
        fwrite(data[i] ? data[i] : "", 1, len, f);
        fwrite(zeros, 1, (TAR_BLOCK - len % TAR_BLOCK) % TAR_BLOCK, f);
    }
    fwrite(zeros, 1, sizeof zeros, f);
    fclose(f);
    return path;
}

static void test_import(void)
{
    char k[BINDLE_SHA_TEXT], good[BINDLE_SHA_TEXT], bad[BINDLE_SHA_TEXT], n1[200], n2[200], n3[200];
    bindle_id_key("example.com/imp/1.0.0", k);
    uint8_t hash[32];
    crypto_hash_sha256(hash, (const uint8_t *)"payload", 7);
    bindle_hex(hash, good);
    crypto_hash_sha256(hash, (const uint8_t *)"other", 5);
    bindle_hex(hash, bad);
    snprintf(n1, sizeof n1, "%s/invoice.toml", k);
    snprintf(n2, sizeof n2, "%s/parcels/%s.dat", k, good);
    snprintf(n3, sizeof n3, "%s/parcels/%s.dat", k, bad);
    char *cache = path_of("imp-cache"), *err = NULL, *text = NULL, key[BINDLE_SHA_TEXT];
    size_t len;
    const char *names[] = {n1, n2};
    const char *inv = "bindleVersion = \"1.0.0\"\n";
    const char *data[] = {inv, "payload"};
    char *t = hand_tar("imp-good.tar", names, "00", data, 2);
    CHECK(import_tar(t, cache, key, &text, &len, &err) == BINDLE_OK && !strcmp(key, k) &&
              !strcmp(text, inv),
          "a well-formed archive: its invoice and key");
    free(text);
    text = NULL;
    char *cached = bindle_cache_parcel(cache, good);
    CHECK(access(cached, F_OK) == 0, "its parcel is in the cache under its digest");
    free(cached);
    free(t);
    const char *lying[] = {n3};
    const char *ldata[] = {"payload"};
    t = hand_tar("imp-lying.tar", lying, "0", ldata, 1);
    CHECK(import_tar(t, cache, key, &text, &len, &err) == BINDLE_ERR_INTEGRITY && strstr(err, good),
          "a parcel whose bytes are not its name: refused, naming the real digest");
    cached = bindle_cache_parcel(cache, bad);
    char *cdir = strndup(cached, strlen(cached) - strlen("/parcel.dat"));
    CHECK(access(cached, F_OK) != 0 && access(cdir, F_OK) != 0, "and nothing of it kept");
    free(cdir);
    free(cached);
    free(t);
    const char *evil[][1] = {{"../../evil"}, {"/abs"}, {"x/../../y"}};
    for (size_t i = 0; i < 3; i++) {
        const char *d[] = {"x"};
        t = hand_tar("imp-evil.tar", evil[i], "0", d, 1);
        CHECK(import_tar(t, cache, key, &text, &len, &err) == BINDLE_ERR_UNSAFE,
              "an escaping name is refused");
        free(t);
    }
    const char *ln[] = {n2};
    const char *lnd[] = {NULL};
    t = hand_tar("imp-link.tar", ln, "2", lnd, 1);
    CHECK(import_tar(t, cache, key, &text, &len, &err) == BINDLE_ERR_UNSAFE &&
              strstr(err, "is a link"),
          "a symlink is refused");
    free(t);
    t = hand_tar("imp-empty.tar", NULL, "", NULL, 0);
    CHECK(import_tar(t, cache, key, &text, &len, &err) == BINDLE_ERR_FORMAT &&
              strstr(err, "no SHA/invoice.toml"),
          "an archive without an invoice");
    free(t);
    free(cache);
    free(err);
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/corral-test-bindle-XXXXXX");
    if (!mkdtemp(tmp))
        return 1;
    if (sodium_init() < 0)
        return 1;
    test_refs();
    test_urls();
    test_error_text();
    test_files();
    test_local();
    test_shapes();
    test_import();
    test_misc();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "test_bindle: could not remove %s\n", tmp);
    return unit_report("test_bindle");
}
