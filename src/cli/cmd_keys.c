/* cmd_keys.c: `corral keys`, Bindle's signing-key commands (create, add, print as list) plus
 * sign-invoice and verify-invoice. Thin: the files, signatures and strategies are
 * src/store; this reads arguments, picks default paths and prints what happened. The invoice
 * fields a signature covers are read here with the TOML parser until the store's invoice
 * parser can hand them over. */
#include "cli_bindle.h"
#include "store/keyring.h"
#include "store/sign.h"
#include "store/verify.h"
#include "util/fs.h"
#include "util/strf.h"
#include "util/toml.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char usage[] =
    "usage: corral keys create LABEL [--roles ROLES] [-f SECRETS_FILE] [--skip-keyring]\n"
    "       corral keys add LABEL ROLES KEY\n"
    "       corral keys list [-f SECRETS_FILE] [-m TEXT]\n"
    "       corral keys list --trusted\n"
    "       corral keys sign-invoice INVOICE [-f SECRETS_FILE] [-r ROLE] [-l LABEL | -m TEXT]\n"
    "                                [-o OUT]\n"
    "       corral keys verify-invoice INVOICE [--strategy STRATEGY]\n"
    "       corral keys fetch [-s URL] [--host] [--http-user USER --http-password PASS] [-k]\n"
    "Every command also takes --keyring KEYRING.\n"
    "\n"
    "Ed25519 signing keys for Bindle invoices, as Bindle 0.9.1's `bindle keys` makes them.\n"
    "\n"
    "  create LABEL    Makes a keypair labelled LABEL (typically 'Name <email>'), appends it\n"
    "                  to the secret key file (made, mode 0600, if missing) and its public\n"
    "                  key, label signed, to the keyring, unless --skip-keyring.\n"
    "                  --roles: comma-separated roles (default creator).\n"
    "  add LABEL ROLES KEY\n"
    "                  Trusts a public key (standard base64 of 32 bytes): adds it to the\n"
    "                  keyring with those roles.\n"
    "  list            Prints the public keys of the secret key file as a keyring, each label\n"
    "                  signed by its key (Bindle's `keys print`; `print` works too); -m keeps\n"
    "                  the keys whose label contains TEXT. --trusted prints the keyring\n"
    "                  instead and warns of keys that cannot match and labels whose\n"
    "                  signature does not.\n"
    "  sign-invoice INVOICE\n"
    "                  Signs an invoice's name, version and parcels with the first secret key\n"
    "                  that has the role (-r, default creator) and the label (-l exact, -m\n"
    "                  part of it), and appends the [[signature]] to a copy: OUT, or\n"
    "                  ./invoice-SHA.toml (SHA: sha256 of NAME/VERSION) as Bindle names it;\n"
    "                  -o - writes to stdout. A key that already signed it is refused.\n"
    "  verify-invoice INVOICE\n"
    "                  Checks an invoice's signatures against the keyring with a Bindle\n"
    "                  verification strategy (default GreedyVerification).\n"
    "  fetch           Trusts a Bindle server's host keys (Bindle's `keys fetch --host`):\n"
    "                  GET bindle-keys of -s URL (else $BINDLE_URL, else\n"
    "                  " BINDLE_DEFAULT_URL "), and adds the keys the keyring lacks.\n"
    "                  `corral pull` verifies invoices with the host's signature by default.\n"
    "\n"
    "Roles: creator, approver, host, proxy, in any case, or c, a, h, p. Strategies:\n"
    "GreedyVerification, CreativeIntegrity, AuthoritativeIntegrity, ExhaustiveVerification,\n"
    "MultipleAttestation[ROLE, ...], MultipleAttestationGreedy[ROLE, ...], in any case.\n"
    "\n"
    "Files: the secret key file is -f, else $XDG_CONFIG_HOME/corral/secret_keys.toml; the\n"
    "keyring is --keyring, else $CORRAL_KEYRING, else $BINDLE_KEYRING, else\n"
    "$XDG_CONFIG_HOME/corral/keyring.toml\n"
    "($XDG_CONFIG_HOME defaults to ~/.config). They are Bindle's formats: Bindle's own files,\n"
    "~/.config/bindle/secret_keys.toml and keyring.toml, can be given with -f and --keyring.\n"
    "A missing keyring is an empty one.\n"
    "\n"
    "Options:\n"
    "  -f, --secrets-file FILE    The secret key file\n"
    "      --keyring FILE         The keyring\n"
    "      --roles ROLES          create: the new key's roles, e.g. creator,approver\n"
    "      --skip-keyring         create: do not add the public key to the keyring\n"
    "  -r, --role ROLE            sign-invoice: the role to sign as\n"
    "  -l, --label LABEL          sign-invoice: the key with exactly this label\n"
    "  -m, --label-matching TEXT  sign-invoice, list: keys whose label contains TEXT\n"
    "  -o, --out FILE             sign-invoice: where to write the signed invoice\n"
    "      --strategy STRATEGY    verify-invoice: the verification strategy\n"
    "      --trusted              list: print the keyring\n"
    "  -s, --server URL           fetch: the Bindle server's API ($BINDLE_URL)\n"
    "      --host                 fetch: from that server (the only source; Bindle's flag)\n"
    "      --http-user USER       fetch: HTTP Basic user ($BINDLE_HTTP_USER)\n"
    "      --http-password PASS   fetch: HTTP Basic password ($BINDLE_HTTP_PASSWORD)\n"
    "  -k, --insecure             fetch: accept any TLS certificate\n"
    "  -h, --help                 Show this help\n"
    "\n"
    "Exit status: 0 on success, 1 on failure (a file, a key, a signature), 2 on a usage\n"
    "error.\n";

enum {
    O_SECRETS,
    O_KEYRING,
    O_ROLES,
    O_SKIP_KEYRING,
    O_ROLE,
    O_LABEL,
    O_MATCH,
    O_OUT,
    O_STRATEGY,
    O_TRUSTED,
    O_SERVER,
    O_HOST,
    O_HTTP_USER,
    O_HTTP_PASSWORD,
    O_INSECURE,
    NOPTIONS,
};

static const struct {
    const char *short_name, *long_name;
    bool takes_value;
} options[NOPTIONS] = {
    [O_SECRETS] = {"-f", "--secrets-file", true},
    [O_KEYRING] = {NULL, "--keyring", true},
    [O_ROLES] = {NULL, "--roles", true},
    [O_SKIP_KEYRING] = {NULL, "--skip-keyring", false},
    [O_ROLE] = {"-r", "--role", true},
    [O_LABEL] = {"-l", "--label", true},
    [O_MATCH] = {"-m", "--label-matching", true},
    [O_OUT] = {"-o", "--out", true},
    [O_STRATEGY] = {NULL, "--strategy", true},
    [O_TRUSTED] = {NULL, "--trusted", false},
    [O_SERVER] = {"-s", "--server", true},
    [O_HOST] = {NULL, "--host", false},
    [O_HTTP_USER] = {NULL, "--http-user", true},
    [O_HTTP_PASSWORD] = {NULL, "--http-password", true},
    [O_INSECURE] = {"-k", "--insecure", false},
};

/* The parsed command line: positional arguments and option values ("" for a flag). */
typedef struct KeysArgs {
    const char *args[4];
    int nargs;
    const char *opt[NOPTIONS];
} KeysArgs;

#define BIT(o) (1u << (o))

static int run_create(const KeysArgs *a);
static int run_add(const KeysArgs *a);
static int run_list(const KeysArgs *a);
static int run_sign(const KeysArgs *a);
static int run_verify(const KeysArgs *a);
static int run_fetch(const KeysArgs *a);

static const struct {
    const char *name;
    int nargs;
    unsigned allowed; /* options besides --keyring */
    int (*run)(const KeysArgs *a);
} subcommands[] = {
    {"create", 1, BIT(O_SECRETS) | BIT(O_ROLES) | BIT(O_SKIP_KEYRING), run_create},
    {"add", 3, 0, run_add},
    {"list", 0, BIT(O_SECRETS) | BIT(O_MATCH) | BIT(O_TRUSTED), run_list},
    {"print", 0, BIT(O_SECRETS) | BIT(O_MATCH) | BIT(O_TRUSTED), run_list},
    {"sign-invoice", 1, BIT(O_SECRETS) | BIT(O_ROLE) | BIT(O_LABEL) | BIT(O_MATCH) | BIT(O_OUT),
     run_sign},
    {"verify-invoice", 1, BIT(O_STRATEGY), run_verify},
    {"fetch", 0,
     BIT(O_SERVER) | BIT(O_HOST) | BIT(O_HTTP_USER) | BIT(O_HTTP_PASSWORD) | BIT(O_INSECURE),
     run_fetch},
};

enum { NSUBCOMMANDS = sizeof subcommands / sizeof subcommands[0] };

/* ---- paths ---- */

/* The file -f or --keyring names, else the default one in Corral's config directory. Owned;
 * NULL (with a message) when there is no home to find it in. */
static char *key_path(const char *given, const char *env, const char *file)
{
    if (given)
        return strdup(given);
    const char *e = env ? getenv(env) : NULL;
    if (e && e[0])
        return strdup(e);
    char *dir = keyring_default_dir();
    if (!dir) {
        cli_error("keys: neither XDG_CONFIG_HOME nor HOME is set; name the file with %s",
                  env ? "--keyring" : "-f");
        return NULL;
    }
    char *path = strf("%s/%s", dir, file);
    free(dir);
    return path;
}

static char *secrets_path(const KeysArgs *a)
{
    return key_path(a->opt[O_SECRETS], NULL, "secret_keys.toml");
}

static char *keyring_path(const KeysArgs *a)
{
    const char *corral = getenv("CORRAL_KEYRING"), *bindle = getenv("BINDLE_KEYRING");
    bool use_bindle = !a->opt[O_KEYRING] && !(corral && corral[0]) && bindle && bindle[0];
    return key_path(a->opt[O_KEYRING], use_bindle ? "BINDLE_KEYRING" : "CORRAL_KEYRING",
                    "keyring.toml");
}

/* Prints a store error as "corral: keys: message". */
static int fail(const SignError *err)
{
    cli_error("keys: %s", err->message);
    return CLI_EXIT_FAIL;
}

static void warn_ignored(const char *path, size_t n, const char *first)
{
    if (n)
        fprintf(stderr,
                "corral: warning: %s: %zu unknown key%s ignored (%s), as Bindle ignores them; "
                "they are not written back\n",
                path, n, n == 1 ? "" : "s", first);
}

static SignStatus load_keyring(const char *path, Keyring *kr, SignError *err)
{
    SignStatus st = keyring_load(path, kr, NULL, err);
    if (!st)
        warn_ignored(path, kr->nignored, kr->ignored);
    return st;
}

static SignStatus load_secrets(const char *path, SecretKeyFile *f, bool *exists, SignError *err)
{
    SignStatus st = secrets_load(path, f, exists, err);
    if (!st)
        warn_ignored(path, f->nignored, f->ignored);
    return st;
}

/* ---- create, add, list ---- */

static int run_create(const KeysArgs *a)
{
    const char *label = a->args[0];
    SignError err;
    SignRole *roles = NULL;
    size_t nroles;
    char *spath = secrets_path(a), *kpath = NULL;
    SecretKeyFile f;
    Keyring kr;
    int status = CLI_EXIT_FAIL;
    secrets_init(&f);
    keyring_init(&kr);
    if (!spath)
        goto done;
    printf("Writing keys to %s\n", spath);
    if (sign_roles_parse(a->opt[O_ROLES] ? a->opt[O_ROLES] : "creator", &roles, &nroles, &err)) {
        fail(&err);
        status = CLI_EXIT_USAGE;
        goto done;
    }
    bool exists;
    if (load_secrets(spath, &f, &exists, &err)) {
        fail(&err);
        goto done;
    }
    if (!exists)
        printf("File %s does not exist. Creating it.\n", spath);
    if (secrets_generate(&f, label, roles, nroles, &err) || secrets_save(spath, &f, &err)) {
        fail(&err);
        goto done;
    }
    const SecretKey *key = &f.keys[f.nkeys - 1];
    uint8_t sk[SIGN_SECRET_KEY_SIZE], pk[SIGN_PUBLIC_KEY_SIZE];
    char pk_b64[SIGN_KEY_B64_SIZE];
    if (secrets_keypair(key, sk, &err)) {
        fail(&err);
        goto done;
    }
    sign_keypair_public(sk, pk);
    sodium_memzero(sk, sizeof sk);
    sign_b64_encode(pk, sizeof pk, pk_b64, sizeof pk_b64);
    printf("Public key: %s\n", pk_b64);
    if (!a->opt[O_SKIP_KEYRING]) {
        kpath = keyring_path(a);
        if (!kpath || load_keyring(kpath, &kr, &err) || keyring_add_secret(&kr, key, &err) ||
            keyring_save(kpath, &kr, &err)) {
            if (kpath)
                fail(&err);
            goto done;
        }
        printf("Added the public key to the keyring %s\n", kpath);
    }
    status = CLI_EXIT_OK;
done:
    free(roles);
    free(spath);
    free(kpath);
    secrets_free(&f);
    keyring_free(&kr);
    return status;
}

static int run_add(const KeysArgs *a)
{
    const char *label = a->args[0], *key = a->args[2];
    SignError err;
    SignRole *roles = NULL;
    size_t nroles;
    uint8_t pk[SIGN_PUBLIC_KEY_SIZE];
    char *kpath = keyring_path(a);
    Keyring kr;
    int status = CLI_EXIT_FAIL;
    keyring_init(&kr);
    if (!kpath)
        goto done;
    if (sign_roles_parse(a->args[1], &roles, &nroles, &err)) {
        fail(&err);
        status = CLI_EXIT_USAGE;
        goto done;
    }
    if (!sign_public_key_decode(key, pk)) {
        char shown[120];
        sign_quote(key, 80, shown, sizeof shown);
        cli_error("keys: key is corrupt for `%s`: not the standard base64 of a 32-byte Ed25519 "
                  "public key",
                  shown);
        goto done;
    }
    if (load_keyring(kpath, &kr, &err)) {
        fail(&err);
        goto done;
    }
    for (size_t i = 0; i < kr.nkeys; i++)
        if (kr.keys[i].key_ok && !memcmp(kr.keys[i].pk, pk, sizeof pk))
            fprintf(stderr, "corral: note: the keyring already has this key, as \"%s\"\n",
                    kr.keys[i].label);
    if (keyring_add(&kr, label, roles, nroles, key, NULL, &err) || keyring_save(kpath, &kr, &err)) {
        fail(&err);
        goto done;
    }
    printf("Wrote key to keyring file at %s\n", kpath);
    status = CLI_EXIT_OK;
done:
    free(roles);
    free(kpath);
    keyring_free(&kr);
    return status;
}

/* list --trusted: the keyring as it is, with what would make an entry useless. */
static int list_trusted(const KeysArgs *a)
{
    SignError err;
    Keyring kr;
    char *kpath = keyring_path(a);
    if (!kpath)
        return CLI_EXIT_FAIL;
    int status = CLI_EXIT_FAIL;
    bool exists;
    if (keyring_load(kpath, &kr, &exists, &err)) {
        fail(&err);
        goto done;
    }
    if (!exists)
        fprintf(stderr, "corral: note: %s does not exist: the keyring is empty\n", kpath);
    warn_ignored(kpath, kr.nignored, kr.ignored);
    for (size_t i = 0; i < kr.nkeys; i++) {
        const KeyringEntry *e = &kr.keys[i];
        if (!e->key_ok)
            fprintf(stderr,
                    "corral: warning: %s: key %zu (\"%s\") is not a valid Ed25519 public key; "
                    "no signature can match it\n",
                    kpath, i + 1, e->label);
        else if (keyring_label_check(e) == KEYRING_LABEL_INVALID)
            fprintf(stderr,
                    "corral: warning: %s: key %zu (\"%s\"): its labelSignature is not this "
                    "label signed by this key\n",
                    kpath, i + 1, e->label);
    }
    char *text = keyring_format(&kr);
    if (!text) {
        cli_error("out of memory");
        goto done;
    }
    cli_print(text);
    free(text);
    status = CLI_EXIT_OK;
done:
    free(kpath);
    keyring_free(&kr);
    return status;
}

static int run_list(const KeysArgs *a)
{
    if (a->opt[O_TRUSTED])
        return list_trusted(a);
    SignError err;
    SecretKeyFile f;
    Keyring kr;
    keyring_init(&kr);
    char *spath = secrets_path(a);
    int status = CLI_EXIT_FAIL;
    bool exists;
    if (!spath)
        return CLI_EXIT_FAIL;
    if (load_secrets(spath, &f, &exists, &err)) {
        fail(&err);
        goto done;
    }
    if (!exists) {
        cli_error("keys: %s: no such file (create a key with 'corral keys create LABEL')", spath);
        goto done;
    }
    for (size_t i = 0; i < f.nkeys; i++) {
        if (a->opt[O_MATCH] && !strstr(f.keys[i].label, a->opt[O_MATCH]))
            continue;
        SignStatus st = keyring_add_secret(&kr, &f.keys[i], &err);
        if (st == SIGN_ERR_CORRUPT_KEY) {
            fprintf(stderr, "Warning: Malformed key: %s (skipping)\n", err.message);
        } else if (st) {
            fail(&err);
            goto done;
        }
    }
    char *text = keyring_format(&kr);
    if (!text) {
        cli_error("out of memory");
        goto done;
    }
    cli_print(text);
    cli_print("\n"); /* Bindle prints the TOML with println! */
    free(text);
    status = CLI_EXIT_OK;
done:
    free(spath);
    secrets_free(&f);
    keyring_free(&kr);
    return status;
}

/* ---- invoices ---- */

/* What signing and verifying need of an invoice, borrowed from its TOML tree. */
typedef struct InvoiceFields {
    TomlValue *root;
    SignSubject subject;
    const char **shas;
    SignSignature *sigs;
    size_t nsigs;
} InvoiceFields;

static void fields_free(InvoiceFields *inv)
{
    free(inv->shas);
    free(inv->sigs);
    toml_free(inv->root);
}

/* A string at key of table t, without NUL; NULL (with a message) otherwise. */
static const char *field_string(const char *path, const TomlValue *t, const char *where,
                                const char *key)
{
    const TomlValue *v = toml_table_get(t, key);
    const char *s;
    size_t len;
    if (!v || !toml_as_string(v, &s, &len) || strlen(s) != len) {
        cli_error("keys: %s: %s needs '%s', a string", path, where, key);
        return NULL;
    }
    return s;
}

/* An array of tables at key (absent: empty). */
static bool field_tables(const char *path, const TomlValue *root, const char *key,
                         const TomlValue **out)
{
    *out = toml_table_get(root, key);
    if (!*out)
        return true;
    bool ok = toml_kind(*out) == TOML_ARRAY;
    for (size_t i = 0; ok && i < toml_array_len(*out); i++)
        ok = toml_kind(toml_array_at(*out, i)) == TOML_TABLE;
    if (!ok)
        cli_error("keys: %s: '%s' must be an array of tables ([[%s]])", path, key, key);
    return ok;
}

static bool read_signature(const char *path, const TomlValue *t, size_t i, SignSignature *s)
{
    char where[40];
    snprintf(where, sizeof where, "[[signature]] %zu", i + 1);
    const char *role;
    const TomlValue *at = toml_table_get(t, "at");
    int64_t secs;
    if (!(s->by = field_string(path, t, where, "by")) ||
        !(s->signature = field_string(path, t, where, "signature")) ||
        !(s->key = field_string(path, t, where, "key")) ||
        !(role = field_string(path, t, where, "role")))
        return false;
    if (!sign_role_from_name(role, strlen(role), &s->role)) {
        cli_error("keys: %s: %s: role must be creator, approver, host or proxy", path, where);
        return false;
    }
    if (!at || !toml_as_int(at, &secs) || secs < 0) {
        cli_error("keys: %s: %s needs 'at', a non-negative integer", path, where);
        return false;
    }
    s->at = (uint64_t)secs;
    return true;
}

/* Reads bindle.name, bindle.version, each parcel's label.sha256 and the signatures. */
static bool fields_read(const char *path, const char *text, size_t len, InvoiceFields *inv)
{
    memset(inv, 0, sizeof *inv);
    TomlError terr;
    TomlStatus ts = toml_parse(text, len, &inv->root, &terr);
    if (ts) {
        cli_error("keys: %s:%u:%u: %s", path, terr.line, terr.column,
                  ts == TOML_ERR_NOMEM ? "out of memory" : terr.message);
        return false;
    }
    const TomlValue *bindle = toml_table_get(inv->root, "bindle"), *parcels, *sigs;
    if (!bindle || toml_kind(bindle) != TOML_TABLE) {
        cli_error("keys: %s: no [bindle] table: not an invoice", path);
        return false;
    }
    if (!(inv->subject.name = field_string(path, bindle, "[bindle]", "name")) ||
        !(inv->subject.version = field_string(path, bindle, "[bindle]", "version")) ||
        !field_tables(path, inv->root, "parcel", &parcels) ||
        !field_tables(path, inv->root, "signature", &sigs))
        return false;
    size_t np = toml_array_len(parcels), ns = toml_array_len(sigs);
    inv->shas = calloc(np + 1, sizeof *inv->shas);
    inv->sigs = calloc(ns + 1, sizeof *inv->sigs);
    if (!inv->shas || !inv->sigs) {
        cli_error("out of memory");
        return false;
    }
    for (size_t i = 0; i < np; i++) {
        const TomlValue *label = toml_table_get(toml_array_at(parcels, i), "label");
        char where[40];
        snprintf(where, sizeof where, "[[parcel]] %zu's label", i + 1);
        if (!label || toml_kind(label) != TOML_TABLE) {
            cli_error("keys: %s: [[parcel]] %zu has no [parcel.label]", path, i + 1);
            return false;
        }
        if (!(inv->shas[i] = field_string(path, label, where, "sha256")))
            return false;
    }
    inv->subject.parcel_shas = inv->shas;
    inv->subject.nparcels = np;
    for (size_t i = 0; i < ns; i++)
        if (!read_signature(path, toml_array_at(sigs, i), i, &inv->sigs[i]))
            return false;
    inv->nsigs = ns;
    return true;
}

/* Bindle's canonical name: lower-hex sha256 of NAME/VERSION (Id::sha). */
static void canonical_name(const SignSubject *s, char hex[65])
{
    crypto_hash_sha256_state st;
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)s->name, strlen(s->name));
    crypto_hash_sha256_update(&st, (const uint8_t *)"/", 1);
    crypto_hash_sha256_update(&st, (const uint8_t *)s->version, strlen(s->version));
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

/* The [[signature]] block to append, as Bindle's toml crate writes one. */
static char *signature_block(const char *by, const SignMade *m)
{
    size_t len = strlen(by);
    char *esc = malloc(len * 6 + 1), *p = esc;
    if (!esc)
        return NULL;
    for (const char *s = by; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            p += sprintf(p, "\\u%04X", c);
        } else {
            *p++ = (char)c;
        }
    }
    *p = '\0';
    char *block =
        strf("\n[[signature]]\nby = \"%s\"\nsignature = \"%s\"\nkey = \"%s\"\n"
             "role = \"%s\"\nat = %llu\n",
             esc, m->signature, m->key, sign_role_name(m->role), (unsigned long long)m->at);
    free(esc);
    return block;
}

static bool write_output(const char *out, const char *text, size_t len)
{
    if (!strcmp(out, "-")) {
        fwrite(text, 1, len, stdout);
        return true;
    }
    FILE *f = fopen(out, "w");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        cli_error("keys: %s: %s", out, strerror(errno));
        if (f)
            fclose(f);
        return false;
    }
    return true;
}

/* Picks the signing key as Bindle's sign-invoice does. */
static const SecretKey *pick_key(const KeysArgs *a, const SecretKeyFile *f, SignRole role)
{
    SecretMatch how = a->opt[O_LABEL]   ? SECRET_MATCH_FULL
                      : a->opt[O_MATCH] ? SECRET_MATCH_PARTIAL
                                        : SECRET_MATCH_ANY;
    const char *label = a->opt[O_LABEL] ? a->opt[O_LABEL] : a->opt[O_MATCH];
    return secrets_first_matching(f, role, how, label);
}

static int run_sign(const KeysArgs *a)
{
    const char *path = a->args[0];
    SignRole role = SIGN_ROLE_CREATOR;
    if (a->opt[O_LABEL] && a->opt[O_MATCH]) {
        cli_error("keys: sign-invoice: -l and -m cannot be used together");
        return CLI_EXIT_USAGE;
    }
    if (a->opt[O_ROLE] && !sign_role_parse(a->opt[O_ROLE], strlen(a->opt[O_ROLE]), &role)) {
        cli_error("keys: Invalid SignatureRole, should be one of: Creator, Proxy, Host, "
                  "Approver");
        return CLI_EXIT_USAGE;
    }
    SignError err;
    SecretKeyFile f;
    InvoiceFields inv = {0};
    uint8_t *bytes = NULL;
    size_t len;
    char *spath = secrets_path(a), *out = NULL, *block = NULL, *signed_text = NULL;
    int status = CLI_EXIT_FAIL;
    bool exists;
    uint8_t sk[SIGN_SECRET_KEY_SIZE];
    secrets_init(&f);
    if (!spath)
        goto done;
    if (load_secrets(spath, &f, &exists, &err)) {
        fail(&err);
        goto done;
    }
    const SecretKey *key = exists ? pick_key(a, &f, role) : NULL;
    if (!exists || !key) {
        cli_error("keys: No satisfactory key found: %s has no %s key%s%s%s%s", spath,
                  sign_role_name(role),
                  a->opt[O_LABEL]   ? " labelled '"
                  : a->opt[O_MATCH] ? " whose label contains '"
                                    : "",
                  a->opt[O_LABEL] ? a->opt[O_LABEL] : "", a->opt[O_MATCH] ? a->opt[O_MATCH] : "",
                  a->opt[O_LABEL] || a->opt[O_MATCH] ? "'" : "");
        goto done;
    }
    if (secrets_keypair(key, sk, &err)) {
        fail(&err);
        goto done;
    }
    if (!cli_read_file(path, &bytes, &len) ||
        !fields_read(cli_display_name(path), (const char *)bytes, len, &inv))
        goto done;
    SignMade made;
    if (sign_subject(sk, key->label, role, &inv.subject, inv.sigs, inv.nsigs, (uint64_t)time(NULL),
                     &made, &err)) {
        fail(&err);
        goto done;
    }
    block = signature_block(key->label, &made);
    bool nl = len == 0 || bytes[len - 1] == '\n';
    signed_text =
        block ? strf("%.*s%s%s", (int)len, (const char *)bytes, nl ? "" : "\n", block) : NULL;
    if (!signed_text) {
        cli_error("out of memory");
        goto done;
    }
    /* Appending [[signature]] is valid TOML unless the invoice wrote its signatures as an
     * inline array; check rather than write a broken invoice. */
    TomlValue *check;
    TomlError terr;
    if (toml_parse(signed_text, strlen(signed_text), &check, &terr) != TOML_OK) {
        cli_error("keys: %s: cannot append a [[signature]] table to this invoice (%s); write "
                  "its signatures as [[signature]] tables",
                  cli_display_name(path), terr.message);
        goto done;
    }
    toml_free(check);
    char hex[65];
    canonical_name(&inv.subject, hex);
    out = a->opt[O_OUT] ? strdup(a->opt[O_OUT]) : strf("./invoice-%s.toml", hex);
    if (!out || !write_output(out, signed_text, strlen(signed_text)))
        goto done;
    fprintf(!strcmp(out, "-") ? stderr : stdout,
            "Signed %s with role as '%s', label as '%s' and wrote to %s\n", path,
            sign_role_name(role), key->label, out);
    status = CLI_EXIT_OK;
done:
    sodium_memzero(sk, sizeof sk);
    free(spath);
    free(out);
    free(block);
    free(signed_text);
    free(bytes);
    fields_free(&inv);
    secrets_free(&f);
    return status;
}

static int run_verify(const KeysArgs *a)
{
    const char *path = a->args[0];
    VerifyStrategy strategy = verify_default();
    const char *perr;
    if (a->opt[O_STRATEGY] && !verify_strategy_parse(a->opt[O_STRATEGY], &strategy, &perr)) {
        cli_error("keys: --strategy: %s", perr);
        return CLI_EXIT_USAGE;
    }
    SignError err;
    Keyring kr;
    InvoiceFields inv = {0};
    uint8_t *bytes = NULL;
    size_t len;
    char *kpath = keyring_path(a);
    int status = CLI_EXIT_FAIL;
    keyring_init(&kr);
    if (!kpath)
        goto done;
    bool exists;
    if (keyring_load(kpath, &kr, &exists, &err)) {
        fail(&err);
        goto done;
    }
    if (!exists)
        fprintf(stderr, "corral: note: %s does not exist: the keyring is empty\n", kpath);
    warn_ignored(kpath, kr.nignored, kr.ignored);
    if (!cli_read_file(path, &bytes, &len) ||
        !fields_read(cli_display_name(path), (const char *)bytes, len, &inv))
        goto done;
    char name[80];
    verify_strategy_format(&strategy, name, sizeof name);
    if (verify_signatures(&strategy, &kr, &inv.subject, inv.sigs, inv.nsigs, &err)) {
        cli_error("keys: %s: failed signature check: %s", cli_display_name(path), err.message);
        goto done;
    }
    printf("%s: verified: %zu signature%s, strategy %s\n", cli_display_name(path), inv.nsigs,
           inv.nsigs == 1 ? "" : "s", name);
    status = CLI_EXIT_OK;
done:
    free(kpath);
    free(bytes);
    fields_free(&inv);
    keyring_free(&kr);
    return status;
}

/* ---- the command line ---- */

/* Matches argv[*i] against the options; stores its value. -1: not an option of ours. */
static int take_option(int argc, char **argv, int *i, KeysArgs *a)
{
    const char *arg = argv[*i];
    for (int o = 0; o < NOPTIONS; o++) {
        const char *value = NULL;
        size_t n = strlen(options[o].long_name);
        if ((options[o].short_name && !strcmp(arg, options[o].short_name)) ||
            !strcmp(arg, options[o].long_name)) {
            if (options[o].takes_value) {
                if (*i + 1 >= argc) {
                    cli_error("keys: %s needs a value; see 'corral keys --help'", arg);
                    return -2;
                }
                value = argv[++*i];
            }
        } else if (options[o].takes_value && !strncmp(arg, options[o].long_name, n) &&
                   arg[n] == '=') {
            value = arg + n + 1;
        } else {
            continue;
        }
        a->opt[o] = value ? value : "";
        return o;
    }
    return -1;
}

static int keys_main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_EXIT_USAGE;
    }
    if (cli_is_help(argv[1])) {
        cli_print(usage);
        return CLI_EXIT_OK;
    }
    int sub = -1;
    for (int s = 0; s < NSUBCOMMANDS; s++)
        if (!strcmp(argv[1], subcommands[s].name))
            sub = s;
    if (sub < 0) {
        cli_error("keys: unknown subcommand '%s'; see 'corral keys --help'", argv[1]);
        return CLI_EXIT_USAGE;
    }
    KeysArgs a = {0};
    bool options_done = false;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && cli_is_help(arg)) {
            cli_print(usage);
            return CLI_EXIT_OK;
        }
        if (!options_done && !strcmp(arg, "--")) {
            options_done = true;
            continue;
        }
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            if (a.nargs == subcommands[sub].nargs) {
                cli_error("keys %s: unexpected argument '%s'; see 'corral keys --help'", argv[1],
                          arg);
                return CLI_EXIT_USAGE;
            }
            a.args[a.nargs++] = arg;
            continue;
        }
        int o = take_option(argc, argv, &i, &a);
        if (o == -2)
            return CLI_EXIT_USAGE;
        if (o < 0 || (o != O_KEYRING && !(subcommands[sub].allowed & BIT(o)))) {
            cli_error("keys %s: unknown option '%s'; see 'corral keys --help'", argv[1], arg);
            return CLI_EXIT_USAGE;
        }
    }
    if (a.nargs < subcommands[sub].nargs) {
        cli_error("keys %s: missing argument; see 'corral keys --help'", argv[1]);
        return CLI_EXIT_USAGE;
    }
    if (!sign_init()) {
        cli_error("keys: libsodium failed to start");
        return CLI_EXIT_FAIL;
    }
    return subcommands[sub].run(&a);
}

/* ---- fetch ---- */

/* Whether kr has key already: the same bytes for a key that decodes, else the same text. */
static bool has_key(const Keyring *kr, const KeyringEntry *e)
{
    if (e->key_ok)
        return keyring_contains(kr, e->pk);
    for (size_t i = 0; i < kr->nkeys; i++)
        if (!strcmp(kr->keys[i].key, e->key))
            return true;
    return false;
}

static int run_fetch(const KeysArgs *a)
{
    CliBindle b = {.server = a->opt[O_SERVER],
                   .user = a->opt[O_HTTP_USER],
                   .password = a->opt[O_HTTP_PASSWORD],
                   .insecure = a->opt[O_INSECURE] != NULL};
    char *path = keyring_path(a);
    Keyring kr, host;
    SignError err;
    BindleClient *c = NULL;
    int status = CLI_EXIT_FAIL;
    keyring_init(&kr);
    keyring_init(&host);
    if (!path || load_keyring(path, &kr, &err) != SIGN_OK) {
        if (path)
            fail(&err);
        goto done;
    }
    if ((status = cli_bindle_client("keys fetch", &b, &c)) >= 0)
        goto done;
    printf("Fetching host keys from bindle server %s\n", bindle_client_url(c));
    BindleStatus st = bindle_host_keys(c, &host);
    if (st) {
        status = cli_bindle_fail("keys fetch", st, bindle_client_error(c));
        goto done;
    }
    size_t added = 0;
    status = CLI_EXIT_OK;
    for (size_t i = 0; status == CLI_EXIT_OK && i < host.nkeys; i++) {
        const KeyringEntry *e = &host.keys[i];
        if (has_key(&kr, e))
            continue;
        if (keyring_label_check(e) == KEYRING_LABEL_INVALID) {
            fprintf(stderr,
                    "corral: warning: keys fetch: key \"%s\" skipped: its labelSignature is not "
                    "the label signed by that key\n",
                    e->label);
            continue;
        }
        if (keyring_add(&kr, e->label, e->roles, e->nroles, e->key, e->label_signature, &err))
            status = fail(&err);
        else
            added++;
    }
    if (status == CLI_EXIT_OK && keyring_save(path, &kr, &err) != SIGN_OK)
        status = fail(&err);
    if (status == CLI_EXIT_OK)
        printf("Wrote %zu keys to keyring file at %s\n", added, path);
done:
    bindle_client_free(c);
    keyring_free(&host);
    keyring_free(&kr);
    free(path);
    return status;
}

const CliCommand cli_cmd_keys = {
    .name = "keys",
    .summary = "Create and trust signing keys; sign and verify Bindle invoices",
    .usage = usage,
    .main = keys_main,
};
