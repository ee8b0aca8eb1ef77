/* test_keyring.c: src/store/keyring.c: Bindle's keyring and secret key files read (every
 * field, every missing or mistyped one, unknown keys ignored as Bindle ignores them, roles
 * as serde spells them), written back in Bindle's layout and read again, saved with mode
 * 0600 through one rename (symlinks, directories, existing modes), label signatures, key
 * selection, the /bindle-keys keyring and the default directory. */
#include "store/keyring.h"
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[64];

static const char *at(const char *rel)
{
    static char p[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof p[i], "%s/%s", tmp, rel);
    return p[i];
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    return remove(path);
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0xffffu;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

/* A keypair and label signature made by python3-nacl (tests/keys/nacl_tool.py golden), seed
 * 00..1f. */
static const char gold_pk[] = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
static const char gold_label_sig[] = "GymsuXpJbY2SUAfjiYVmfDOM/xXRWihjH++Z/jDehycIC9R3/4Rb2dkG5y"
                                     "1pxMrBBWU9JLJmQtKVXnIEvJ5HAA==";

/* The layout keyring_format writes, which is what Bindle's toml crate writes. */
static const char ring_text[] = "version = \"1.0\"\n"
                                "\n"
                                "[[key]]\n"
                                "label = \"Alice <alice@example.com>\"\n"
                                "roles = [\"creator\", \"approver\"]\n"
                                "key = \"A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=\"\n"
                                "labelSignature = \"GymsuXpJbY2SUAfjiYVmfDOM/xXRWihjH++Z/jDehycIC9"
                                "R3/4Rb2dkG5y1pxMrBBWU9JLJmQtKVXnIEvJ5HAA==\"\n"
                                "\n"
                                "[[key]]\n"
                                "label = \"Host \\\"h\\\" \\\\ tab\\t\"\n"
                                "roles = [\"host\"]\n"
                                "key = \"Kay64UG8yvCyLhqU000LxzYeUm0L/hLIl5S8kyKWbdc=\"\n";

static void test_keyring_parse(void)
{
    Keyring kr;
    SignError err;
    CHECK(keyring_parse(ring_text, strlen(ring_text), "ring", &kr, &err) == SIGN_OK,
          "a keyring in Bindle's layout");
    CHECK(kr.nkeys == 2 && !strcmp(kr.version, "1.0") && kr.nignored == 0, "two keys");
    const KeyringEntry *a = &kr.keys[0], *h = &kr.keys[1];
    CHECK(!strcmp(a->label, "Alice <alice@example.com>") && a->nroles == 2 &&
              a->roles[0] == SIGN_ROLE_CREATOR && a->roles[1] == SIGN_ROLE_APPROVER &&
              !strcmp(a->key, gold_pk) && a->key_ok && !strcmp(a->label_signature, gold_label_sig),
          "first entry, every field");
    CHECK(!strcmp(h->label, "Host \"h\" \\ tab\t") && h->label_signature == NULL &&
              h->roles[0] == SIGN_ROLE_HOST,
          "second entry: escapes, no labelSignature");
    CHECK(keyring_label_check(a) == KEYRING_LABEL_VALID, "python3-nacl's label signature is valid");
    CHECK(keyring_label_check(h) == KEYRING_LABEL_UNSIGNED, "no label signature");
    uint8_t pk[32];
    sign_public_key_decode(gold_pk, pk);
    CHECK(keyring_contains(&kr, pk), "contains the first key");
    pk[0] ^= 1;
    CHECK(!keyring_contains(&kr, pk), "not another");
    char *text = keyring_format(&kr);
    CHECK(text && !strcmp(text, ring_text), "written back byte for byte");
    free(text);
    /* A tampered label: the signature no longer matches. */
    free(kr.keys[0].label);
    kr.keys[0].label = strdup("Mallory <alice@example.com>");
    CHECK(keyring_label_check(&kr.keys[0]) == KEYRING_LABEL_INVALID, "tampered label: invalid");
    free(kr.keys[0].label_signature);
    kr.keys[0].label_signature = strdup("not base64");
    CHECK(keyring_label_check(&kr.keys[0]) == KEYRING_LABEL_INVALID, "malformed: invalid");
    keyring_free(&kr);
    CHECK(kr.nkeys == 0 && kr.keys == NULL, "freed and empty");
}

/* Texts Bindle's serde reads, and what it says of those it refuses. */
static void test_keyring_cases(void)
{
    static const struct {
        const char *text;
        SignStatus st;
        const char *msg; /* part of the message, or of kr.ignored on success */
        size_t nkeys;
    } cases[] = {
        {"version = \"1.0\"\nkey = []\n", SIGN_OK, "", 0},
        {"version = \"2.7-anything\"\nkey = []\n", SIGN_OK, "", 0},
        {"key = []\n", SIGN_ERR_FILE, "missing field 'version'", 0},
        {"version = \"1.0\"\n", SIGN_ERR_FILE, "missing field 'key'", 0},
        {"version = 1\nkey = []\n", SIGN_ERR_FILE, "ring:1:1: 'version' must be a string", 0},
        {"version = \"1.0\"\n[key]\nlabel = \"x\"\n", SIGN_ERR_FILE, "array of tables", 0},
        {"version = \"1.0\"\nkey = [1]\n", SIGN_ERR_FILE, "array of tables", 0},
        {"version = \"1.0\"\ncomment = \"mine\"\nkey = []\n", SIGN_OK,
         "unknown key 'comment' at line 2", 0},
        {"version = \"1.0\"\n[[key]]\nlabel = \"a\"\nroles = []\nkey = \"k\"\nextra = 1\n", SIGN_OK,
         "unknown key 'extra' in [[key]] at line 6", 1},
        {"version = \"1.0\"\nkey = [{label = \"a\", roles = [\"proxy\"], key = \"k\"}]\n", SIGN_OK,
         "", 1},
        {"version = \"1.0\"\n[[key]]\nroles = []\nkey = \"k\"\n", SIGN_ERR_FILE,
         "ring:2:1: [[key]] is missing field 'label'", 0},
        {"version = \"1.0\"\n[[key]]\nlabel = \"a\"\nkey = \"k\"\n", SIGN_ERR_FILE,
         "missing field 'roles'", 0},
        {"version = \"1.0\"\n[[key]]\nlabel = \"a\"\nroles = []\n", SIGN_ERR_FILE,
         "missing field 'key'", 0},
        {"version = \"1.0\"\n[[key]]\nlabel = \"a\"\nroles = [\"Creator\"]\nkey = \"k\"\n",
         SIGN_ERR_FILE, "ring:4:10: roles: each must be one of", 0},
        {"version = \"1.0\"\n[[key]]\nlabel = \"a\"\nroles = [\"c\"]\nkey = \"k\"\n", SIGN_ERR_FILE,
         "roles: each must be one of", 0},
        {"version = \"1.0\"\n[[key]]\nlabel = \"a\"\nroles = \"creator\"\nkey = \"k\"\n",
         SIGN_ERR_FILE, "'roles' must be an array", 0},
        {"version = \"1.0\"\n[[key]]\nlabel = \"a\"\nroles = [1]\nkey = \"k\"\n", SIGN_ERR_FILE,
         "roles: each must be one of", 0},
        {"version = \"1.0\"\n[[key]]\nlabel = 5\nroles = []\nkey = \"k\"\n", SIGN_ERR_FILE,
         "ring:3:1: 'label' must be a string, not integer", 0},
        {"version = \"1.0\"\n[[key]]\nlabel = \"a\\u0000b\"\nroles = []\nkey = \"k\"\n",
         SIGN_ERR_FILE, "'label' holds a NUL character", 0},
        {"version = \"1.0\"\n[[key]]\nlabel = \"a\"\nroles = []\nkey = \"k\"\n"
         "labelSignature = true\n",
         SIGN_ERR_FILE, "'labelSignature' must be a string", 0},
        {"version = \"1.0\"\nversion = \"1.0\"\nkey = []\n", SIGN_ERR_FILE, "ring:2:", 0},
        {"version = \"1.0\nkey = []\n", SIGN_ERR_FILE, "ring:1:", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Keyring kr;
        SignError err = {0};
        SignStatus st = keyring_parse(cases[i].text, strlen(cases[i].text), "ring", &kr, &err);
        const char *where = st == SIGN_OK ? kr.ignored : err.message;
        char what[1024];
        snprintf(what, sizeof what, "keyring case %zu: want '%s', got '%s'", i, cases[i].msg,
                 where);
        CHECK(st == cases[i].st && strstr(where, cases[i].msg) &&
                  (st != SIGN_OK || kr.nkeys == cases[i].nkeys),
              what);
        keyring_free(&kr);
    }
    /* A malformed key loads (Bindle's contains skips it with a warning). */
    Keyring kr;
    SignError err;
    const char *t = "version = \"1.0\"\n[[key]]\nlabel = \"a\"\nroles = []\nkey = \"AAAA\"\n";
    CHECK(keyring_parse(t, strlen(t), "ring", &kr, &err) == SIGN_OK && kr.nkeys == 1 &&
              !kr.keys[0].key_ok,
          "a key of 3 bytes loads, marked not ok");
    keyring_free(&kr);
    /* Unknown keys are not written back (Bindle's rewrite drops them too). */
    t = "version = \"1.0\"\nnote = 1\n[[key]]\nlabel = \"a\"\nroles = [\"host\"]\nkey = \"k\"\n"
        "x = 2\n";
    CHECK(keyring_parse(t, strlen(t), "ring", &kr, &err) == SIGN_OK && kr.nignored == 2,
          "two unknown keys counted");
    char *text = keyring_format(&kr);
    CHECK(text && !strstr(text, "note") && !strstr(text, "x = "), "and dropped when written");
    free(text);
    keyring_free(&kr);
    keyring_init(&kr);
    text = keyring_format(&kr);
    CHECK(text && !strcmp(text, "version = \"1.0\"\nkey = []\n"),
          "an empty keyring is written as Bindle's toml crate writes it");
    free(text);
}

static const char secrets_text[] = "version = \"1.0\"\n"
                                   "\n"
                                   "[[key]]\n"
                                   "label = \"Alice <alice@example.com>\"\n"
                                   "keypair = \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8DoQe/"
                                   "884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuA==\"\n"
                                   "roles = [\"creator\", \"host\"]\n"
                                   "\n"
                                   "[[key]]\n"
                                   "label = \"Broken\"\n"
                                   "keypair = \"AAAA\"\n"
                                   "roles = [\"approver\"]\n"
                                   "\n"
                                   "[[key]]\n"
                                   "label = \"Alicia\"\n"
                                   "keypair = \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8DoQe/"
                                   "884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuA==\"\n"
                                   "roles = [\"approver\", \"proxy\"]\n";

static void test_secrets(void)
{
    SecretKeyFile f;
    SignError err;
    CHECK(secrets_parse(secrets_text, strlen(secrets_text), "sk", &f, &err) == SIGN_OK &&
              f.nkeys == 3,
          "a secret key file in Bindle's layout");
    char *text = secrets_format(&f);
    CHECK(text && !strcmp(text, secrets_text), "written back byte for byte");
    free(text);
    const SecretKey *k = secrets_first_matching(&f, SIGN_ROLE_CREATOR, SECRET_MATCH_ANY, NULL);
    CHECK(k == &f.keys[0], "first creator key");
    CHECK(secrets_first_matching(&f, SIGN_ROLE_APPROVER, SECRET_MATCH_ANY, NULL) == &f.keys[1],
          "first approver key: in file order, even a broken one");
    CHECK(secrets_first_matching(&f, SIGN_ROLE_APPROVER, SECRET_MATCH_FULL, "Alicia") == &f.keys[2],
          "exact label");
    CHECK(!secrets_first_matching(&f, SIGN_ROLE_APPROVER, SECRET_MATCH_FULL, "alicia"),
          "exact label is case-sensitive");
    CHECK(secrets_first_matching(&f, SIGN_ROLE_PROXY, SECRET_MATCH_PARTIAL, "lic") == &f.keys[2],
          "partial label");
    CHECK(!secrets_first_matching(&f, SIGN_ROLE_PROXY, SECRET_MATCH_PARTIAL, "LIC"),
          "partial label: case-sensitive, as Bindle's code (its comment says otherwise)");
    CHECK(!secrets_first_matching(&f, SIGN_ROLE_CREATOR, SECRET_MATCH_FULL, "Alicia"),
          "label matches but not the role");
    uint8_t sk[64];
    CHECK(secrets_keypair(&f.keys[0], sk, &err) == SIGN_OK, "keypair decodes");
    CHECK(secrets_keypair(&f.keys[1], sk, &err) == SIGN_ERR_CORRUPT_KEY &&
              strstr(err.message, "\"Broken\"") && !strstr(err.message, "AAAA"),
          "a corrupt keypair: CorruptKey naming the label, never the secret");

    Keyring kr;
    keyring_init(&kr);
    CHECK(keyring_add_secret(&kr, &f.keys[0], &err) == SIGN_OK && kr.nkeys == 1 &&
              !strcmp(kr.keys[0].key, gold_pk) &&
              !strcmp(kr.keys[0].label_signature, gold_label_sig) && kr.keys[0].nroles == 2,
          "public entry of a secret key: its key, its roles, the label signed (python3-nacl's "
          "bytes)");
    CHECK(keyring_add_secret(&kr, &f.keys[1], &err) == SIGN_ERR_CORRUPT_KEY,
          "a corrupt one: CorruptKey");
    keyring_free(&kr);

    CHECK(keyring_host_keys(&f, &kr, &err) == SIGN_OK && kr.nkeys == 1 && kr.keys[0].nroles == 1 &&
              kr.keys[0].roles[0] == SIGN_ROLE_HOST &&
              keyring_label_check(&kr.keys[0]) == KEYRING_LABEL_VALID,
          "/bindle-keys: host keys only, roles = [host], labels signed");
    keyring_free(&kr);
    secrets_free(&f);

    static const char *const bad[] = {
        "version = \"1.0\"\n[[key]]\nkeypair = \"x\"\nroles = []\n",
        "version = \"1.0\"\n[[key]]\nlabel = \"x\"\nroles = []\n",
        "version = \"1.0\"\n[[key]]\nlabel = \"x\"\nkeypair = \"x\"\n",
        "version = \"1.0\"\n[[key]]\nlabel = \"x\"\nkeypair = \"x\"\nroles = [\"Host\"]\n",
        "[[key]]\nlabel = \"x\"\nkeypair = \"x\"\nroles = []\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "bad secret key file %zu", i);
        CHECK(secrets_parse(bad[i], strlen(bad[i]), "sk", &f, &err) == SIGN_ERR_FILE, what);
        secrets_free(&f);
    }
    const char *extra = "version = \"1.0\"\nowner = \"me\"\n[[key]]\nlabel = \"x\"\n"
                        "keypair = \"x\"\nroles = []\ncomment = \"old key\"\n";
    CHECK(secrets_parse(extra, strlen(extra), "sk", &f, &err) == SIGN_OK && f.nignored == 2 &&
              strstr(f.ignored, "'owner'"),
          "unknown keys in a secret key file: ignored, counted");
    secrets_free(&f);
}

static void test_files(void)
{
    SignError err;
    SecretKeyFile f;
    Keyring kr;
    bool exists = true;
    CHECK(secrets_load(at("none/secret_keys.toml"), &f, &exists, &err) == SIGN_OK && !exists &&
              f.nkeys == 0,
          "a missing secret key file: empty, exists false");
    SignRole roles[] = {SIGN_ROLE_CREATOR, SIGN_ROLE_APPROVER};
    CHECK(secrets_generate(&f, "New <new@example.com>", roles, 2, &err) == SIGN_OK && f.nkeys == 1,
          "generate a key");
    uint8_t sk[64];
    CHECK(secrets_keypair(&f.keys[0], sk, &err) == SIGN_OK, "it decodes");
    mode_t old = umask(0);
    CHECK(secrets_save(at("cfg/corral/secret_keys.toml"), &f, &err) == SIGN_OK,
          "save, directories made");
    umask(old);
    CHECK(mode_of(at("cfg/corral/secret_keys.toml")) == 0600, "secret key file: mode 0600");
    CHECK(mode_of(at("cfg/corral")) == 0700, "its new directory: 0700");
    SecretKeyFile g;
    CHECK(secrets_load(at("cfg/corral/secret_keys.toml"), &g, &exists, &err) == SIGN_OK && exists &&
              g.nkeys == 1 && !strcmp(g.keys[0].keypair, f.keys[0].keypair) &&
              g.keys[0].nroles == 2,
          "read back");
    secrets_free(&g);

    /* An existing secret key file readable by others becomes 0600 when written. */
    chmod(at("cfg/corral/secret_keys.toml"), 0644);
    CHECK(secrets_save(at("cfg/corral/secret_keys.toml"), &f, &err) == SIGN_OK &&
              mode_of(at("cfg/corral/secret_keys.toml")) == 0600,
          "an existing 0644 secret key file is rewritten 0600");

    /* Keyrings: new ones 0600 as Bindle's KeyRingSaver; existing ones keep their mode. */
    keyring_init(&kr);
    CHECK(keyring_add_secret(&kr, &f.keys[0], &err) == SIGN_OK, "public entry");
    CHECK(keyring_save(at("cfg/corral/keyring.toml"), &kr, &err) == SIGN_OK &&
              mode_of(at("cfg/corral/keyring.toml")) == 0600,
          "a new keyring: mode 0600");
    chmod(at("cfg/corral/keyring.toml"), 0644);
    CHECK(keyring_save(at("cfg/corral/keyring.toml"), &kr, &err) == SIGN_OK &&
              mode_of(at("cfg/corral/keyring.toml")) == 0644,
          "an existing keyring keeps its mode");
    Keyring back;
    CHECK(keyring_load(at("cfg/corral/keyring.toml"), &back, &exists, &err) == SIGN_OK && exists &&
              back.nkeys == 1 && keyring_label_check(&back.keys[0]) == KEYRING_LABEL_VALID,
          "keyring read back, label signature valid");
    keyring_free(&back);

    /* A symlink is written through, and stays a symlink. */
    CHECK(symlink(at("cfg/corral/keyring.toml"), at("link.toml")) == 0, "symlink made");
    CHECK(keyring_add(&kr, "Second", roles, 1, gold_pk, NULL, &err) == SIGN_OK &&
              keyring_save(at("link.toml"), &kr, &err) == SIGN_OK,
          "save through a symlink");
    struct stat st;
    CHECK(lstat(at("link.toml"), &st) == 0 && S_ISLNK(st.st_mode), "the link is still a link");
    CHECK(keyring_load(at("cfg/corral/keyring.toml"), &back, &exists, &err) == SIGN_OK &&
              back.nkeys == 2,
          "its target has the new entry");
    keyring_free(&back);

    /* Directories and unreadable paths. */
    CHECK(keyring_load(at("cfg"), &back, &exists, &err) == SIGN_ERR_FILE &&
              strstr(err.message, "not a regular file"),
          "loading a directory: refused");
    keyring_free(&back);
    CHECK(keyring_save(at("cfg"), &kr, &err) == SIGN_ERR_FILE &&
              strstr(err.message, "not a regular file"),
          "saving over a directory: refused");
    write_text(at("plain"), "x");
    CHECK(keyring_save(at("plain/sub/keyring.toml"), &kr, &err) == SIGN_ERR_FILE,
          "a file in the way of the directory: refused");
    write_text(at("broken.toml"), "version = \"1.0\"\nkey = [\n");
    CHECK(keyring_load(at("broken.toml"), &back, &exists, &err) == SIGN_ERR_FILE &&
              strstr(err.message, "broken.toml:"),
          "a broken keyring: the error names the file and the place");
    keyring_free(&back);
    keyring_free(&kr);

    /* No temporary file is left behind. */
    int others = 0;
    DIR *dir = opendir(at("cfg/corral"));
    for (struct dirent *d; dir && (d = readdir(dir));)
        others += strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
                  strcmp(d->d_name, "keyring.toml") && strcmp(d->d_name, "secret_keys.toml");
    if (dir)
        closedir(dir);
    CHECK(dir && others == 0, "only the two files in the directory, no temporary left");

    /* Labels must be UTF-8. */
    CHECK(secrets_generate(&f, "bad \xff label", roles, 1, &err) == SIGN_ERR_FILE &&
              strstr(err.message, "UTF-8"),
          "a label that is not UTF-8: refused");
    secrets_free(&f);
}

/* What Bindle's server does with its signing keys. */
static void test_server_keys(void)
{
    SecretKeyFile f;
    SignError err;
    bool created;
    CHECK(secrets_ensure_host(at("srv/signing-keys.toml"), &f, &created, &err) == SIGN_OK &&
              created && f.nkeys == 1 && !strcmp(f.keys[0].label, "Default host key") &&
              f.keys[0].nroles == 1 && f.keys[0].roles[0] == SIGN_ROLE_HOST,
          "no signing keys: a \"Default host key\" with role host is made");
    CHECK(mode_of(at("srv/signing-keys.toml")) == 0600, "mode 0600");
    char *first = strdup(f.keys[0].keypair);
    secrets_free(&f);
    CHECK(secrets_ensure_host(at("srv/signing-keys.toml"), &f, &created, &err) == SIGN_OK &&
              !created && f.nkeys == 1 && !strcmp(f.keys[0].keypair, first),
          "the second start loads the same key");
    free(first);

    static const char *const shas[] = {"aa", "bb"};
    SignSubject subject = {"example.com/x", "1.2.3", shas, 2};
    SignMade made;
    const SecretKey *used;
    CHECK(secrets_sign(&f, SIGN_ROLE_HOST, &subject, NULL, 0, 7, &made, &used, &err) == SIGN_OK &&
              used == &f.keys[0] && made.role == SIGN_ROLE_HOST,
          "the host signs an accepted invoice");
    Keyring kr;
    keyring_init(&kr);
    CHECK(keyring_add_secrets(&kr, &f, &err) == SIGN_OK && kr.nkeys == 1, "trusts its own keys");
    SignSignature sig = {used->label, made.signature, made.key, SIGN_ROLE_HOST, 7};
    uint8_t pk[32], raw[64];
    char *text = sign_cleartext(used->label, "example.com/x", "1.2.3", SIGN_ROLE_HOST, shas, 2);
    CHECK(sign_public_key_decode(made.key, pk) && keyring_contains(&kr, pk) &&
              sign_b64_decode(made.signature, raw, 64) &&
              sign_verify_detached(pk, raw, text, strlen(text)),
          "its signature verifies with the key it now trusts");
    free(text);
    CHECK(secrets_sign(&f, SIGN_ROLE_HOST, &subject, &sig, 1, 8, &made, NULL, &err) ==
              SIGN_ERR_DUPLICATE_SIGNATURE,
          "twice: DuplicateSignature");
    CHECK(secrets_sign(&f, SIGN_ROLE_CREATOR, &subject, NULL, 0, 7, &made, NULL, &err) ==
                  SIGN_ERR_NO_SUITABLE_KEY &&
              strstr(err.message, "no suitable key"),
          "no key with the role: NoSuitableKey");
    keyring_free(&kr);
    secrets_free(&f);
    mkdir(at("srv/dir.toml"), 0700);
    CHECK(secrets_ensure_host(at("srv/dir.toml"), &f, &created, &err) == SIGN_ERR_FILE && !created,
          "a directory in the way: an error, nothing made");
    secrets_free(&f);
}

/* Labels must be well-formed UTF-8, or the files written would not read back. */
static void test_label_utf8(void)
{
    static const struct {
        const char *label;
        bool ok;
    } cases[] = {
        {"plain", true},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", true},
        {"\xc0\xaf", false},         /* overlong '/' */
        {"\xe0\x80\xaf", false},     /* overlong, 3 bytes */
        {"\xed\xa0\x80", false},     /* a surrogate */
        {"\xf4\x90\x80\x80", false}, /* past U+10FFFF */
        {"\xe2\x82", false},         /* cut short */
        {"\x80", false},             /* a lone continuation byte */
        {"\xff", false},
    };
    SignRole r = SIGN_ROLE_CREATOR;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Keyring kr;
        SignError err;
        keyring_init(&kr);
        char what[64];
        snprintf(what, sizeof what, "label UTF-8 case %zu", i);
        CHECK((keyring_add(&kr, cases[i].label, &r, 1, gold_pk, NULL, &err) == SIGN_OK) ==
                  cases[i].ok,
              what);
        char *text = keyring_format(&kr);
        Keyring back;
        CHECK(!cases[i].ok ||
                  (text && keyring_parse(text, strlen(text), "t", &back, &err) == SIGN_OK &&
                   !strcmp(back.keys[0].label, cases[i].label)),
              "and a good one reads back");
        if (cases[i].ok)
            keyring_free(&back);
        free(text);
        keyring_free(&kr);
    }
}

static void test_default_dir(void)
{
    setenv("XDG_CONFIG_HOME", "/x/config", 1);
    setenv("HOME", "/home/u", 1);
    char *d = keyring_default_dir();
    CHECK(d && !strcmp(d, "/x/config/corral"), "$XDG_CONFIG_HOME/corral");
    free(d);
    setenv("XDG_CONFIG_HOME", "relative", 1);
    d = keyring_default_dir();
    CHECK(d && !strcmp(d, "/home/u/.config/corral"), "a relative XDG_CONFIG_HOME is ignored");
    free(d);
    unsetenv("XDG_CONFIG_HOME");
    d = keyring_default_dir();
    CHECK(d && !strcmp(d, "/home/u/.config/corral"), "$HOME/.config/corral");
    free(d);
}

int main(void)
{
    if (!sign_init()) {
        fprintf(stderr, "test_keyring: libsodium does not start\n");
        return 1;
    }
    snprintf(tmp, sizeof tmp, "/tmp/corral_test_keyring.XXXXXX");
    if (!mkdtemp(tmp)) {
        perror("test_keyring: mkdtemp");
        return 1;
    }
    test_keyring_parse();
    test_keyring_cases();
    test_secrets();
    test_files();
    test_server_keys();
    test_label_utf8();
    test_default_dir();
    nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return unit_report("test_keyring");
}
