/* cmd_push.c: `corral push`. Parses the flags, then hands the push to the layer that speaks
 * the reference's kind: src/oci for oci:// and WAGI's oci: references (a module), src/bindle
 * for Bindle ids (a directory, an invoice and its parcels, or a standalone bindle). Prints
 * what was pushed. */
#include "cli_bindle.h"

#include "cli/app_build.h"
#include "cli/manifest.h"
#include "oci/oci.h"
#include "util/strf.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: corral push oci://HOST[:PORT]/NAME[:TAG] FILE.wasm [options]\n"
    "       corral push [bindle:]NAME/VERSION DIR [options]\n"
    "       corral push [[bindle:]NAME/VERSION] INVOICE.toml [PARCEL_FILE...] [options]\n"
    "       corral push --standalone DIR|FILE.tar.gz [[bindle:]NAME/VERSION] [options]\n"
    "       corral push [--manifest corral.toml] [--oci REF | --export DIR] [--json] [options]\n"
    "\n"
    "An app (no reference given, in a directory holding corral.toml, or --manifest FILE):\n"
    "builds its stale components (as corral build), then pushes it as the bindle\n"
    "NAME/VERSION of its manifest, signed as creator with your key (--sign FILE, else\n"
    "$XDG_CONFIG_HOME/corral/secret_keys.toml, which corral keys create makes): each\n"
    "component's module a parcel COMPONENT.wasm with feature.wagi.route (entrypoint, argv,\n"
    "allowed_hosts), each file of its files directories a parcel with feature.wagi.file in\n"
    "a group the module requires, so corral serve --bindle serves it as corral up does. It\n"
    "prints the reference, bindle:NAME/VERSION, and the command that serves it. With\n"
    "--oci REF it goes to an OCI registry instead: an app with routes as an image holding\n"
    "/modules.toml (its entrypoint), its modules and files, which Corral's containerd shim\n"
    "serves (corral deploy --kubernetes --image REF); a command app's one module as below.\n"
    "\n"
    "OCI registries: pushes a WebAssembly module and prints the reference pushed, with its\n"
    "manifest's digest: oci://HOST[:PORT]/NAME:TAG@sha256:HEX. By default the module\n"
    "goes as a CNCF wasm artifact: a config of type application/vnd.wasm.config.v0+json\n"
    "and the module as the one layer, of type application/wasm. With --image it goes as an\n"
    "ordinary OCI image instead: one tar layer holding /app.wasm and a config whose\n"
    "entrypoint names it, which containerd 1.6 (ctr images pull) can unpack.\n"
    "\n"
    "References: oci://HOST[:PORT]/NAME[:TAG], the tag latest when none is given, or WAGI's\n"
    "oci:NAME[:TAG] (Docker Hub unless NAME starts with a host). Registries on localhost,\n"
    "127.0.0.0/8 and [::1] are spoken to over plain HTTP, all others over HTTPS.\n"
    "Credentials come from the docker config ($DOCKER_CONFIG/config.json, else\n"
    "~/.docker/config.json): auths.\"HOST[:PORT]\".auth, base64 of USER:PASSWORD, as\n"
    "`docker login` writes it; credential helpers are not run.\n"
    "\n"
    "Bindle servers (corral store serve, Bindle 0.9.1): pushes a bindle, Bindle's way: the\n"
    "invoice first, then only the parcels the server lacks, streamed from disk. Pushing an\n"
    "invoice the server has already sends its missing parcels, so an interrupted push\n"
    "resumes. The forms:\n"
    "  NAME/VERSION DIR   every regular file under DIR is a parcel, named by its path in\n"
    "                     DIR, its media type guessed from its extension; the invoice is\n"
    "                     made here and signed as creator (--sign, else your secret key\n"
    "                     file, $XDG_CONFIG_HOME/corral/secret_keys.toml). Symbolic links\n"
    "                     are refused. A DIR holding corral.toml is an app: push it with\n"
    "                     --manifest DIR/corral.toml; --files pushes its files as they are.\n"
    "  INVOICE.toml [PARCEL_FILE...]\n"
    "                     an invoice as written (Bindle's push-invoice), signed only with\n"
    "                     --sign, and those of its parcels given, matched to the invoice by\n"
    "                     their SHA-256 (any file names)\n"
    "  --standalone PATH  a standalone bindle (what corral pull -e writes, Bindle's get -e\n"
    "                     and push -p): a SHA/ directory with invoice.toml and parcels/, a\n"
    "                     directory holding SHA/ or SHA.tar.gz of the bindle named, or a\n"
    "                     .tar.gz; an archive is checked entry by entry and never unpacked\n"
    "                     outside the cache\n"
    "The server verifies the invoice with its strategy (by default a known creator must\n"
    "have signed: `corral keys create` makes your key; the server needs its public half)\n"
    "and signs it as host.\n"
    "\n"
    "Options:\n"
    "  --sign FILE          OCI: sign the manifest with the first creator key of FILE, a\n"
    "                       Bindle secret key file, and push the signature beside it (tag\n"
    "                       sha256-HEX.corral.sig); signatures by other keys stay.\n"
    "                       Bindle: sign the invoice as creator with FILE's first creator key\n"
    "  --sign-label LABEL   Sign with FILE's key labelled LABEL instead\n"
    "  --image              OCI: push an ordinary OCI image rather than the wasm artifact\n"
    "  --platform OS/ARCH   OCI: the image's platform (default wasi/wasm)\n"
    "  --no-gzip            OCI: leave the image's layer uncompressed\n"
    "  --insecure-http      OCI: plain HTTP to any registry, not only to loopback ones\n"
    "  --standalone PATH    Bindle: push a standalone bindle (above)\n"
    "  --files              Bindle: push DIR's files even though it holds a corral.toml\n"
    "  --manifest FILE      An app: its corral.toml (default ./corral.toml)\n"
    "  --oci REF            An app: push it to the OCI registry REF (above)\n"
    "  -e, --export DIR     An app: write it, signed, as a standalone bindle under DIR\n"
    "                       (what corral serve --bindle ID --bindle-path DIR serves)\n"
    "                       instead of pushing it to a server\n"
    "  --json               An app: print the result as JSON ({\"reference\", \"server\",\n"
    "                       \"uploaded\", \"present\", \"serve\"}), progress lines off\n"
    "  -h, --help           Show this help\n"
    "\n" CLI_BINDLE_FLAGS_HELP "\n"
    "Exit status: 0 when pushed, 1 when the push failed, 2 on a usage error.\n";

enum {
    P_IMAGE = CLI_BINDLE_NEXT,
    P_PLATFORM,
    P_NO_GZIP,
    P_INSECURE_HTTP,
    P_SIGN,
    P_SIGN_LABEL,
    P_STANDALONE,
    P_FILES,
    P_MANIFEST,
    P_OCI,
    P_JSON,
    P_EXPORT,
    P_END,
};

static const CliOpt own_opts[] = {
    {NULL, "--image", false, P_IMAGE, false},
    {NULL, "--platform", true, P_PLATFORM, false},
    {NULL, "--no-gzip", false, P_NO_GZIP, false},
    {NULL, "--insecure-http", false, P_INSECURE_HTTP, false},
    {NULL, "--sign", true, P_SIGN, false},
    {NULL, "--sign-label", true, P_SIGN_LABEL, false},
    {NULL, "--standalone", true, P_STANDALONE, false},
    {NULL, "--files", false, P_FILES, false},
    {NULL, "--manifest", true, P_MANIFEST, false},
    {NULL, "--oci", true, P_OCI, false},
    {NULL, "--json", false, P_JSON, false},
    {"-e", "--export", true, P_EXPORT, false},
};

enum { NOWN = sizeof own_opts / sizeof own_opts[0] };

typedef struct PushArgs {
    const char **pos;
    int npos;
    const char *platform, *sign, *sign_label, *standalone, *manifest, *oci, *export_dir;
    bool image, no_gzip, insecure_http, files, json;
    const OciImageFile *img_files; /* an app's image: its other files, and its entrypoint */
    size_t nimg_files;
    const char *img_entrypoint;
    CliBindle b;
    const char *seen[P_END - CLI_B_SERVER]; /* the name each option was given as */
} PushArgs;

static int take(void *ud, int id, const char *name, const char *v)
{
    PushArgs *pa = ud;
    if (id >= CLI_B_SERVER && id < P_END && !pa->seen[id - CLI_B_SERVER])
        pa->seen[id - CLI_B_SERVER] = id == CLI_B_VERBOSE ? "-v" : name;
    if (cli_bindle_take(&pa->b, id, v))
        return -1;
    switch (id) {
    case P_IMAGE:
        pa->image = true;
        break;
    case P_PLATFORM:
        pa->platform = v;
        break;
    case P_NO_GZIP:
        pa->no_gzip = true;
        break;
    case P_INSECURE_HTTP:
        pa->insecure_http = true;
        break;
    case P_SIGN:
        pa->sign = v;
        break;
    case P_SIGN_LABEL:
        pa->sign_label = v;
        break;
    case P_STANDALONE:
        pa->standalone = v;
        break;
    case P_MANIFEST:
        pa->manifest = v;
        break;
    case P_OCI:
        pa->oci = v;
        break;
    case P_JSON:
        pa->json = true;
        break;
    case P_EXPORT:
        pa->export_dir = v;
        break;
    default:
        pa->files = true;
        break;
    }
    return -1;
}

static int parse_args(int argc, char **argv, PushArgs *pa)
{
    CliOpt opts[NOWN + 16];
    size_t n = cli_bindle_opts(own_opts, NOWN, opts, sizeof opts / sizeof opts[0]);
    pa->pos = calloc((size_t)argc + 1, sizeof *pa->pos);
    if (!pa->pos) {
        cli_error("push: out of memory");
        return CLI_EXIT_FAIL;
    }
    int r = cli_opts_parse("push", usage, argc, argv, opts, n, pa->pos, argc, &pa->npos, take, pa);
    if (r >= 0)
        return r;
    if (pa->sign_label && !pa->sign) {
        cli_error("push: --sign-label needs --sign FILE");
        return CLI_EXIT_USAGE;
    }
    return -1;
}

/* The first option given among ids [from, to), or NULL. */
static const char *given(const PushArgs *pa, int from, int to)
{
    for (int id = from; id < to; id++)
        if (pa->seen[id - CLI_B_SERVER] && !(id == CLI_B_VERBOSE))
            return pa->seen[id - CLI_B_SERVER];
    return NULL;
}

/* ---- OCI ---- */

static int push_oci(const PushArgs *pa)
{
    const char *other = given(pa, CLI_B_SERVER, CLI_BINDLE_NEXT);
    if (!other)
        other = given(pa, P_STANDALONE, P_MANIFEST);
    if (other) {
        cli_error("push: %s only applies to Bindle pushes, not to oci:// references", other);
        return CLI_EXIT_USAGE;
    }
    if (pa->npos != 2) {
        cli_error("push: %s; usage: corral push REF FILE.wasm [options]",
                  pa->npos < 2 ? "a reference and a module file are needed" : "too many arguments");
        return CLI_EXIT_USAGE;
    }
    if ((pa->platform || pa->no_gzip) && !pa->image) {
        cli_error("push: %s only applies to --image", pa->platform ? "--platform" : "--no-gzip");
        return CLI_EXIT_USAGE;
    }
    OciRef ref;
    OciSession *s = NULL;
    OciSigner *signer = NULL;
    char *err = NULL, *digest = NULL;
    OciOptions opts = {.insecure_http = pa->insecure_http, .log = pa->b.verbose ? stderr : NULL};
    if (oci_ref_parse(pa->pos[0], &ref, &err) != OCI_OK) {
        cli_error("push: %s: %s", pa->pos[0], err ? err : "out of memory");
        free(err);
        return CLI_EXIT_USAGE;
    }
    int status = CLI_EXIT_FAIL;
    if (pa->sign && !oci_signer_load(pa->sign, pa->sign_label, &signer, &err)) {
        cli_error("push: --sign: %s", err ? err : "out of memory");
    } else if (oci_session_new(&ref, &opts, true, &s, &err) != OCI_OK) {
        cli_error("push: %s", err ? err : "out of memory");
    } else {
        OciPushSpec spec = {.module_path = pa->pos[1],
                            .image = pa->image,
                            .gzip = !pa->no_gzip,
                            .platform = pa->platform,
                            .signer = signer,
                            .files = pa->img_files,
                            .nfiles = pa->nimg_files,
                            .entrypoint = pa->img_entrypoint};
        OciStatus st = oci_push(s, &spec, &digest);
        if (st == OCI_OK) {
            char *pushed = oci_ref_format(&ref, digest);
            printf("%s\n", pushed ? pushed : digest);
            free(pushed);
            status = CLI_EXIT_OK;
        } else {
            cli_error("push: %s", oci_session_error(s));
            status = st == OCI_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
        }
    }
    free(err);
    free(digest);
    oci_session_free(s);
    oci_signer_free(signer);
    oci_ref_clear(&ref);
    return status;
}

/* ---- Bindle ---- */

/* What a Bindle push sends: the invoice (owned, or owned by local or fetched) and the parcel
 * files, one per invoice parcel. */
typedef struct Bundle {
    Invoice *inv;
    bool owns_inv;
    const char **paths; /* owned array, borrowed strings */
    BindleLocal *local;
    BindleFetched fetched;
    char *text; /* the invoice's text as it will be sent */
    size_t len;
} Bundle;

static void bundle_clear(Bundle *bu)
{
    if (bu->owns_inv)
        invoice_free(bu->inv);
    free(bu->paths);
    bindle_local_free(bu->local);
    bindle_fetched_clear(&bu->fetched);
    free(bu->text);
}

/* Loads the secret key file (--sign, else the default one; required says whether its absence
 * is an error) and signs bu's invoice as creator. -1 to go on. */
static int sign_invoice(const PushArgs *pa, Bundle *bu, bool required)
{
    char *dir = pa->sign ? NULL : keyring_default_dir();
    char *path = pa->sign ? strdup(pa->sign) : dir ? strf("%s/secret_keys.toml", dir) : NULL;
    free(dir);
    SecretKeyFile secrets;
    SignError err;
    bool exists = false;
    int status = -1;
    secrets_init(&secrets);
    if (!path) {
        cli_error("push: no secret key file: neither XDG_CONFIG_HOME nor HOME is set; name one "
                  "with --sign FILE");
        status = CLI_EXIT_USAGE;
    } else if (secrets_load(path, &secrets, &exists, &err) != SIGN_OK) {
        cli_error("push: %s", err.message);
        status = CLI_EXIT_FAIL;
    } else if (!exists && (required || pa->sign)) {
        cli_error("push: the invoice needs a creator's signature and %s does not exist: make a "
                  "key with `corral keys create LABEL`, or name a secret key file with --sign",
                  path);
        status = CLI_EXIT_FAIL;
    } else if (exists) {
        const SecretKey *key;
        char *why = NULL;
        BindleStatus st =
            bindle_invoice_sign(bu->inv, &secrets, SIGN_ROLE_CREATOR, pa->sign_label, &key, &why);
        if (st)
            status = cli_bindle_fail("push", st, why);
        else if (pa->b.verbose)
            fprintf(stderr, "corral: signed as creator by \"%s\" (%s)\n", key->label, path);
        free(why);
    }
    secrets_free(&secrets);
    free(path);
    return status;
}

/* The invoice's text, written from the (signed) invoice. */
static int write_text(Bundle *bu)
{
    free(bu->text);
    bu->text = invoice_write(bu->inv, INV_TOML, &bu->len);
    if (!bu->text) {
        cli_error("push: out of memory");
        return CLI_EXIT_FAIL;
    }
    return -1;
}

static bool has_manifest(const char *dir)
{
    char *p = strf("%s/corral.toml", dir);
    struct stat sb;
    bool yes = p && stat(p, &sb) == 0;
    free(p);
    return yes;
}

/* NAME/VERSION DIR. */
static int from_dir(const PushArgs *pa, const char *id, const char *dir, Bundle *bu)
{
    char *err = NULL;
    /* A directory holding an app is pushed as the app (its modules, routes and files), not
     * as plain files, unless --files says so. */
    if (has_manifest(dir) && !pa->files) {
        cli_error("push: %s holds a corral.toml: push the app with `corral push --manifest "
                  "%s/corral.toml` (its name and version come from the manifest); --files pushes "
                  "every file of the directory as a parcel instead",
                  dir, dir);
        return CLI_EXIT_USAGE;
    }
    BindleStatus st = bindle_local_new(id, &bu->local, &err);
    if (!st)
        st = bindle_local_add_dir(bu->local, dir, &err);
    if (!st && !(bu->inv = bindle_local_invoice(bu->local)))
        st = BINDLE_ERR_NOMEM;
    if (st) {
        int status = cli_bindle_fail("push", st, err);
        free(err);
        return status;
    }
    size_t n = bu->inv->nparcels;
    bu->paths = calloc(n + 1, sizeof *bu->paths);
    if (!bu->paths) {
        cli_error("push: out of memory");
        return CLI_EXIT_FAIL;
    }
    if (n)
        memcpy(bu->paths, bindle_local_paths(bu->local), n * sizeof *bu->paths);
    int r = sign_invoice(pa, bu, true);
    return r >= 0 ? r : write_text(bu);
}

/* Matches each parcel file to the invoice's labels by SHA-256 and size. */
static int match_files(const char *const *files, int nfiles, Bundle *bu)
{
    for (int k = 0; k < nfiles; k++) {
        char hex[BINDLE_SHA_TEXT], *err = NULL;
        uint64_t size;
        BindleStatus st = bindle_file_digest(files[k], hex, &size, &err);
        if (st) {
            int status = cli_bindle_fail("push", st, err);
            free(err);
            return status;
        }
        bool found = false;
        for (size_t i = 0; i < bu->inv->nparcels; i++) {
            const InvLabel *l = &bu->inv->parcels[i].label;
            if (!strcmp(l->sha256, hex) && l->size == size) {
                bu->paths[i] = files[k];
                found = true;
            }
        }
        if (!found) {
            cli_error("push: %s is not a parcel of the invoice (its SHA-256 is %s, %llu bytes)",
                      files[k], hex, (unsigned long long)size);
            return CLI_EXIT_FAIL;
        }
    }
    return -1;
}

/* [ID] INVOICE.toml [PARCEL_FILE...]. */
static int from_invoice(const PushArgs *pa, const char *id, const char *file,
                        const char *const *files, int nfiles, Bundle *bu)
{
    uint8_t *bytes;
    size_t len;
    char *why = NULL;
    if (!cli_read_file(file, &bytes, &len))
        return CLI_EXIT_FAIL;
    bu->inv = invoice_parse((const char *)bytes, len, INV_TOML, &why);
    bu->owns_inv = true;
    bu->text = (char *)bytes;
    bu->len = len;
    if (!bu->inv) {
        cli_error("push: %s: %s", file, why ? why : "out of memory");
        free(why);
        return CLI_EXIT_FAIL;
    }
    char *got = invoice_id(bu->inv);
    if (id && got && strcmp(id, got) != 0) {
        cli_error("push: %s is the invoice of %s, not of %s", file, got, id);
        free(got);
        return CLI_EXIT_USAGE;
    }
    free(got);
    bu->paths = calloc(bu->inv->nparcels + 1, sizeof *bu->paths);
    if (!bu->paths) {
        cli_error("push: out of memory");
        return CLI_EXIT_FAIL;
    }
    int r = match_files(files, nfiles, bu);
    if (r < 0 && pa->sign && (r = sign_invoice(pa, bu, true)) < 0)
        r = write_text(bu);
    return r;
}

/* --standalone PATH [ID]. */
static int from_standalone(const PushArgs *pa, const char *id, Bundle *bu)
{
    BindleClientOpts o = cli_bindle_client_opts(&pa->b);
    BindleSelect sel = {.yanked = true, .allow_missing = true};
    char *err = NULL;
    BindleStatus st =
        bindle_standalone_open(&o, pa->standalone, id, NULL, NULL, &sel, &bu->fetched, &err);
    if (st) {
        int status = cli_bindle_fail("push", st, err);
        free(err);
        return status;
    }
    bu->inv = bu->fetched.invoice;
    bu->paths = calloc(bu->fetched.nparcels + 1, sizeof *bu->paths);
    if (!bu->paths) {
        cli_error("push: out of memory");
        return CLI_EXIT_FAIL;
    }
    for (size_t i = 0; i < bu->fetched.nparcels; i++)
        bu->paths[i] = bu->fetched.parcels[i].path;
    /* Written from the parsed invoice, as Bindle's standalone push sends it. */
    int r = pa->sign ? sign_invoice(pa, bu, true) : -1;
    return r >= 0 ? r : write_text(bu);
}

static void print_pushed(const Invoice *inv, const BindlePushed *p)
{
    printf("pushed bindle:%s/%s: %zu parcel%s uploaded (%llu bytes), %zu already on the server%s\n",
           inv->name, inv->version, p->uploaded, p->uploaded == 1 ? "" : "s",
           (unsigned long long)p->bytes, p->present, p->existed ? " (the invoice was there)" : "");
    if (p->absent)
        fprintf(stderr,
                "corral: warning: %zu parcel%s of the invoice %s still missing on the server: "
                "this push did not have %s\n",
                p->absent, p->absent == 1 ? "" : "s", p->absent == 1 ? "is" : "are",
                p->absent == 1 ? "it" : "them");
}

static int push_bindle(const PushArgs *pa)
{
    const char *other = given(pa, P_IMAGE, P_SIGN);
    if (other) {
        cli_error("push: %s only applies to oci:// references", other);
        return CLI_EXIT_USAGE;
    }
    const char *const *pos = pa->pos;
    int npos = pa->npos;
    char *id = NULL, *err = NULL;
    /* An existing file is an invoice even when its name looks like an id ("x/1.2.0-rc.1");
     * "bindle:" always means an id. */
    struct stat is;
    bool file =
        npos > 0 && strncmp(pos[0], "bindle:", 7) && stat(pos[0], &is) == 0 && S_ISREG(is.st_mode);
    if (npos > 0 && !file && bindle_ref_is_bindle(pos[0])) {
        if (!(id = bindle_ref_id(pos[0], &err))) {
            int status = cli_bindle_fail("push", BINDLE_ERR_USAGE, err);
            free(err);
            return status;
        }
        pos++, npos--;
    }
    Bundle bu = {0};
    int r;
    struct stat sb;
    if (pa->standalone) {
        r = npos ? (cli_error("push: --standalone takes no other file ('%s')", pos[0]),
                    CLI_EXIT_USAGE)
                 : from_standalone(pa, id, &bu);
    } else if (npos == 0) {
        cli_error("push: %s", id ? "a directory or an invoice to push is needed"
                                 : "a reference and what to push are needed; see 'corral push "
                                   "--help'");
        r = CLI_EXIT_USAGE;
    } else if (stat(pos[0], &sb) == 0 && S_ISDIR(sb.st_mode)) {
        r = !id ? (cli_error("push: pushing directory %s needs the bindle's NAME/VERSION first",
                             pos[0]),
                   CLI_EXIT_USAGE)
            : npos > 1
                ? (cli_error("push: a directory is pushed alone ('%s')", pos[1]), CLI_EXIT_USAGE)
                : from_dir(pa, id, pos[0], &bu);
    } else {
        r = from_invoice(pa, id, pos[0], pos + 1, npos - 1, &bu);
    }
    BindleClient *c = NULL;
    if (r < 0)
        r = cli_bindle_client("push", &pa->b, &c);
    if (r < 0) {
        BindlePushed pushed;
        BindlePushSpec spec = {bu.text, bu.len, bu.inv, bu.paths};
        BindleStatus st = bindle_push(c, &spec, &pushed);
        if (st) {
            r = cli_bindle_fail("push", st, bindle_client_error(c));
        } else {
            print_pushed(bu.inv, &pushed);
            r = CLI_EXIT_OK;
        }
    }
    bindle_client_free(c);
    bundle_clear(&bu);
    free(id);
    return r;
}

/* ---- an app (corral.toml) ---- */

static char *inv_str(Invoice *inv, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = arena_alloc(&inv->arena, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Adds label feature section = {keys[i] = values[i]} (NULL values left out; nothing when all
 * are). */
static bool add_feature(Invoice *inv, InvLabel *l, const char *section, const char *const *keys,
                        const char *const *values, size_t n)
{
    size_t given = 0;
    for (size_t i = 0; i < n; i++)
        given += values[i] != NULL;
    if (!given)
        return true;
    InvFeature *f = arena_alloc(&inv->arena, (l->nfeatures + 1) * sizeof *f);
    InvPair *items = arena_alloc(&inv->arena, n * sizeof *items);
    if (!f || !items)
        return false;
    if (l->nfeatures)
        memcpy(f, l->features, l->nfeatures * sizeof *f);
    l->features = f;
    f = &f[l->nfeatures];
    if (!(f->section = inv_str(inv, section)))
        return false;
    f->map = (InvMap){items, 0, true};
    for (size_t i = 0; i < n; i++) {
        if (!values[i])
            continue;
        InvPair *pr = &items[f->map.n++];
        if (!(pr->key = inv_str(inv, keys[i])) || !(pr->value = inv_str(inv, values[i])))
            return false;
    }
    l->nfeatures++;
    l->has_feature = true;
    return true;
}

/* A list joined with sep (owned), NULL when empty. */
static char *join(const StrList *l, const char *sep)
{
    if (!l->n)
        return NULL;
    size_t n = 1;
    for (size_t i = 0; i < l->n; i++)
        n += strlen(l->v[i]) + strlen(sep);
    char *s = calloc(n, 1);
    for (size_t i = 0; s && i < l->n; i++) {
        if (i)
            strcat(s, sep);
        strcat(s, l->v[i]);
    }
    return s;
}

static bool one_string(Invoice *inv, InvStrings *s, const char *v)
{
    s->items = arena_alloc(&inv->arena, sizeof *s->items);
    if (!s->items || !(s->items[0] = inv_str(inv, v)))
        return false;
    s->n = 1;
    s->present = true;
    return true;
}

/* Adds every regular file under rel (a files directory of the app) as a parcel named by its
 * path in the app. */
static int add_files(BindleLocal *l, const char *rel, char **err)
{
    struct stat sb;
    if (lstat(rel, &sb) != 0) {
        *err = strf("files: %s: %s", rel, strerror(errno));
        return BINDLE_ERR_IO;
    }
    if (S_ISREG(sb.st_mode))
        return bindle_local_add_file(l, rel, rel, NULL, err);
    if (!S_ISDIR(sb.st_mode)) {
        *err = strf("files: %s is neither a directory nor a regular file (links are refused)", rel);
        return BINDLE_ERR_USAGE;
    }
    DIR *d = opendir(rel);
    if (!d) {
        *err = strf("files: %s: %s", rel, strerror(errno));
        return BINDLE_ERR_IO;
    }
    struct dirent *de;
    int st = 0;
    while (!st && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char *sub = strf("%s/%s", rel, de->d_name);
        st = sub ? add_files(l, sub, err) : BINDLE_ERR_NOMEM;
        free(sub);
    }
    closedir(d);
    return st;
}

/* The features and groups of the app's invoice: each handler's route and the like, each
 * asset marked and put in its component's group, which the handler requires. */
static int app_features(const AppManifest *m, Invoice *inv, const size_t *first_file)
{
    size_t ng = 0;
    for (size_t i = 0; i < m->ncomponents; i++)
        ng += first_file[i + 1] > first_file[i];
    inv->groups = arena_alloc(&inv->arena, (ng ? ng : 1) * sizeof *inv->groups);
    if (!inv->groups)
        return -1;
    for (size_t i = 0; i < m->ncomponents; i++) {
        const AppComponent *k = &m->components[i];
        InvParcel *p = &inv->parcels[i];
        char *hosts = join(&k->allowed_hosts, ","), *kv = join(&k->key_value_stores, ",");
        char *env = join(&k->environment, "\n");
        static const char *const keys[] = {"route", "entrypoint", "argv", "allowed_hosts"};
        const char *values[] = {k->route, k->entrypoint, k->argv, hosts};
        static const char *const ckeys[] = {"key_value_stores", "environment"};
        const char *cvalues[] = {kv, env};
        bool ok = !k->route || (add_feature(inv, &p->label, "wagi", keys, values, 4) &&
                                add_feature(inv, &p->label, "corral", ckeys, cvalues, 2));
        free(hosts);
        free(kv);
        free(env);
        if (!ok)
            return -1;
        if (first_file[i + 1] == first_file[i])
            continue;
        char *group = strf("%s-files", k->id);
        InvGroup *g = &inv->groups[inv->ngroups++];
        *g = (InvGroup){0};
        ok = group && (g->name = inv_str(inv, group)) && one_string(inv, &p->requires, group);
        p->has_conditions = true;
        for (size_t f = first_file[i]; ok && f < first_file[i + 1]; f++) {
            static const char *const fkeys[] = {"file"};
            static const char *const fvalues[] = {"true"};
            InvParcel *a = &inv->parcels[f];
            ok = add_feature(inv, &a->label, "wagi", fkeys, fvalues, 1) &&
                 one_string(inv, &a->member_of, group);
            a->has_conditions = true;
        }
        free(group);
        if (!ok)
            return -1;
    }
    inv->has_groups = inv->ngroups > 0;
    return 0;
}

/* The app's bindle: its modules, then each component's files. -1 to go on. */
static int app_bundle(const PushArgs *pa, const AppManifest *m, Bundle *bu)
{
    char *id = strf("%s/%s", m->name, m->version), *err = NULL;
    size_t *first_file = calloc(m->ncomponents + 1, sizeof *first_file);
    BindleStatus st = id && first_file ? bindle_local_new(id, &bu->local, &err) : BINDLE_ERR_NOMEM;
    for (size_t i = 0; !st && i < m->ncomponents; i++) {
        char *name = strf("%s.wasm", m->components[i].id);
        st = name ? bindle_local_add_file(bu->local, m->components[i].wasm, name,
                                          "application/wasm", &err)
                  : BINDLE_ERR_NOMEM;
        free(name);
    }
    size_t nfiles = m->ncomponents;
    for (size_t i = 0; !st && i < m->ncomponents; i++) {
        first_file[i] = nfiles;
        for (size_t f = 0; !st && f < m->components[i].files.n; f++)
            st = add_files(bu->local, m->components[i].files.v[f], &err);
        if (!st)
            nfiles = bindle_local_invoice(bu->local) ? bindle_local_invoice(bu->local)->nparcels
                                                     : nfiles;
    }
    first_file[m->ncomponents] = nfiles;
    free(id);
    if (!st && !(bu->inv = bindle_local_invoice(bu->local)))
        st = BINDLE_ERR_NOMEM;
    if (!st && app_features(m, bu->inv, first_file) != 0)
        st = BINDLE_ERR_NOMEM;
    free(first_file);
    if (st) {
        int status = cli_bindle_fail("push", st, err ? err : "out of memory");
        free(err);
        return status;
    }
    if (bu->inv->description == NULL && m->description)
        bu->inv->description = inv_str(bu->inv, m->description);
    size_t n = bu->inv->nparcels;
    if (!(bu->paths = calloc(n + 1, sizeof *bu->paths))) {
        cli_error("push: out of memory");
        return CLI_EXIT_FAIL;
    }
    if (n)
        memcpy(bu->paths, bindle_local_paths(bu->local), n * sizeof *bu->paths);
    int r = sign_invoice(pa, bu, true);
    return r >= 0 ? r : write_text(bu);
}

static void print_app_pushed(const PushArgs *pa, const AppManifest *m, const BindlePushed *p)
{
    BindleClientOpts o = cli_bindle_client_opts(&pa->b);
    const char *url = o.server_url ? o.server_url : BINDLE_DEFAULT_URL;
    if (pa->json) {
        json_t *j = json_pack("{s:s, s:s, s:i, s:i, s:b, s:s}", "reference", "", "server", url,
                              "uploaded", (json_int_t)p->uploaded, "present",
                              (json_int_t)p->present, "existed", p->existed, "serve", "");
        char *ref = strf("bindle:%s/%s", m->name, m->version);
        char *serve = strf("corral serve --bindle %s/%s --bindle-server %s", m->name, m->version,
                           url);
        if (j && ref && serve) {
            json_object_set_new(j, "reference", json_string(ref));
            json_object_set_new(j, "serve", json_string(serve));
            char *text = json_dumps(j, JSON_INDENT(2));
            if (text)
                printf("%s\n", text);
            free(text);
        }
        free(ref);
        free(serve);
        json_decref(j);
        return;
    }
    fprintf(stderr, "corral: pushed %s %s to %s: %zu parcel%s uploaded, %zu already there\n",
            m->name, m->version, url, p->uploaded, p->uploaded == 1 ? "" : "s", p->present);
    printf("bindle:%s/%s\n", m->name, m->version);
    fprintf(stderr, "corral: serve it with: corral serve --bindle %s/%s --bindle-server %s\n",
            m->name, m->version, url);
}


/* ---- an app to an OCI registry ---- */

/* The files of an app's image, growing. */
typedef struct ImageFiles {
    OciImageFile *v;
    char **owned; /* the strings of v */
    size_t n, nowned;
} ImageFiles;

static bool image_add(ImageFiles *f, char *name, char *path)
{
    OciImageFile *v = realloc(f->v, (f->n + 1) * sizeof *v);
    char **o = v ? realloc(f->owned, (f->nowned + 2) * sizeof *o) : NULL;
    if (v)
        f->v = v;
    if (o)
        f->owned = o;
    if (!v || !o || !name || !path) {
        free(name);
        free(path);
        return false;
    }
    f->owned[f->nowned++] = name;
    f->owned[f->nowned++] = path;
    f->v[f->n++] = (OciImageFile){name, path};
    return true;
}

static void image_free(ImageFiles *f)
{
    for (size_t i = 0; i < f->nowned; i++)
        free(f->owned[i]);
    free(f->owned);
    free(f->v);
}

/* Every regular file under rel, named by its path in the app. false with *why. */
static bool image_walk(ImageFiles *f, const char *rel, const char **why)
{
    struct stat sb;
    if (lstat(rel, &sb) != 0) {
        *why = strerror(errno);
        return false;
    }
    if (S_ISREG(sb.st_mode))
        return image_add(f, strdup(rel), strdup(rel)) || (*why = "out of memory", false);
    if (!S_ISDIR(sb.st_mode)) {
        *why = "neither a directory nor a regular file (links are refused)";
        return false;
    }
    DIR *d = opendir(rel);
    struct dirent *de;
    bool ok = d != NULL;
    if (!d)
        *why = strerror(errno);
    while (ok && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char *sub = strf("%s/%s", rel, de->d_name);
        ok = sub && image_walk(f, sub, why);
        if (!sub)
            *why = "out of memory";
        free(sub);
    }
    if (d)
        closedir(d);
    return ok;
}

/* s as a TOML basic string. */
static void toml_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void toml_list(FILE *f, const char *key, const StrList *l)
{
    if (!l->n)
        return;
    fprintf(f, "%s = [", key);
    for (size_t i = 0; i < l->n; i++) {
        fputs(i ? ", " : "", f);
        toml_quoted(f, l->v[i]);
    }
    fputs("]\n", f);
}

/* The gateway's modules.toml of the app's HTTP components as the image lays them out: the
 * first module at /app.wasm, the others at /ID.wasm, files at their paths in the app. */
static bool write_modules_toml(FILE *f, const AppManifest *m, const AppComponent *first)
{
    fprintf(f, "# modules.toml of %s %s, made by corral push --oci from its corral.toml.\n",
            m->name, m->version);
    for (size_t i = 0; i < m->ncomponents; i++) {
        const AppComponent *k = &m->components[i];
        if (!k->route)
            continue;
        fputs("\n[[module]]\nroute = ", f);
        toml_quoted(f, k->route);
        if (k == first) {
            fputs("\nmodule = \"/app.wasm\"\n", f);
        } else {
            fputs("\nmodule = ", f);
            char *mod = strf("/%s.wasm", k->id);
            toml_quoted(f, mod ? mod : "");
            free(mod);
            fputc('\n', f);
        }
        if (k->entrypoint) {
            fputs("entrypoint = ", f);
            toml_quoted(f, k->entrypoint);
            fputc('\n', f);
        }
        if (k->argv) {
            fputs("argv = ", f);
            toml_quoted(f, k->argv);
            fputc('\n', f);
        }
        toml_list(f, "key_value_stores", &k->key_value_stores);
        toml_list(f, "allowed_hosts", &k->allowed_hosts);
        if (k->files.n) {
            fputs("volumes = { ", f);
            for (size_t v = 0; v < k->files.n; v++) {
                char *at = strf("/%s", k->files.v[v]);
                fputs(v ? ", " : "", f);
                toml_quoted(f, at ? at : "");
                fputs(" = ", f);
                toml_quoted(f, at ? at : "");
                free(at);
            }
            fputs(" }\n", f);
        }
        if (k->environment.n) {
            fputs("environment = { ", f);
            for (size_t v = 0; v < k->environment.n; v++) {
                const char *kv = k->environment.v[v], *eq = strchr(kv, '=');
                char *name = strndup(kv, (size_t)(eq - kv));
                fputs(v ? ", " : "", f);
                toml_quoted(f, name ? name : "");
                fputs(" = ", f);
                toml_quoted(f, eq + 1);
                free(name);
            }
            fputs(" }\n", f);
        }
    }
    return !ferror(f);
}

/* --oci REF: a command app's one module as push_oci pushes a module (the wasm artifact, or
 * with --image an image); an app with routes as an image the shim serves: /modules.toml (its
 * entrypoint), the modules and the files. */
static int push_app_oci(PushArgs *pa, const AppManifest *m)
{
    if (!oci_ref_is_oci(pa->oci)) {
        cli_error("push: --oci %s: not an OCI reference (oci://HOST[:PORT]/NAME[:TAG])", pa->oci);
        return CLI_EXIT_USAGE;
    }
    const AppComponent *first = NULL;
    for (size_t i = 0; i < m->ncomponents && !first; i++)
        if (m->components[i].route)
            first = &m->components[i];
    PushArgs one = *pa;
    const char *pos[2] = {pa->oci, first ? first->wasm : m->components[0].wasm};
    one.pos = pos;
    one.npos = 2;
    if (!first) {
        if (m->ncomponents != 1) {
            cli_error("push: --oci pushes one module and %s has %zu components and no route: "
                      "push each module with corral push REF FILE.wasm, or the app as a bindle",
                      m->name, m->ncomponents);
            return CLI_EXIT_USAGE;
        }
        return push_oci(&one);
    }
    ImageFiles files = {0};
    const char *why = NULL;
    char *toml = strf("%s/corral-modules-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = toml ? mkstemp(toml) : -1;
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    bool ok = f && write_modules_toml(f, m, first);
    if (f && fclose(f) != 0)
        ok = false;
    else if (!f && fd >= 0)
        close(fd);
    if (!ok)
        why = toml ? strerror(errno) : "out of memory";
    ok = ok && image_add(&files, strdup("modules.toml"), strdup(toml));
    for (size_t i = 0; ok && i < m->ncomponents; i++) {
        const AppComponent *k = &m->components[i];
        if (k != first)
            ok = image_add(&files, strf("%s.wasm", k->id), strdup(k->wasm));
        for (size_t v = 0; ok && v < k->files.n; v++)
            ok = image_walk(&files, k->files.v[v], &why);
    }
    int r;
    if (!ok) {
        cli_error("push: the app's image: %s", why ? why : "out of memory");
        r = CLI_EXIT_FAIL;
    } else {
        one.image = true;
        one.img_files = files.v;
        one.nimg_files = files.n;
        one.img_entrypoint = "/modules.toml";
        r = push_oci(&one);
    }
    if (toml && fd >= 0)
        unlink(toml);
    free(toml);
    image_free(&files);
    return r;
}

/* --export DIR: the signed app as a standalone bindle under DIR, through the writer of
 * corral pull -e (its invoice from a temporary file, its parcels from the app's files). */
static int export_app(const PushArgs *pa, const AppManifest *m, Bundle *bu)
{
    char *tmpdir = strf("%s/corral-export-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    char *inv_path = NULL, *out = NULL, *err = NULL;
    int r = CLI_EXIT_FAIL;
    BindleFetched f = {0};
    if (!tmpdir || !mkdtemp(tmpdir)) {
        cli_error("push: cannot make a temporary directory: %s", strerror(errno));
        free(tmpdir);
        return CLI_EXIT_FAIL;
    }
    inv_path = strf("%s/invoice.toml", tmpdir);
    f.invoice = bu->inv;
    f.id = strf("%s/%s", m->name, m->version);
    f.invoice_path = inv_path;
    f.parcels = calloc(bu->inv->nparcels + 1, sizeof *f.parcels);
    f.nparcels = bu->inv->nparcels;
    FILE *w = inv_path ? fopen(inv_path, "wx") : NULL;
    bool ok = w && fwrite(bu->text, 1, bu->len, w) == bu->len;
    if (w && fclose(w) != 0)
        ok = false;
    for (size_t i = 0; ok && f.parcels && i < f.nparcels; i++)
        f.parcels[i] = (BindleFetchedParcel){&bu->inv->parcels[i], (char *)bu->paths[i], false,
                                             false};
    if (!ok || !f.parcels || !f.id) {
        cli_error("push: cannot write the invoice: %s", strerror(errno));
    } else {
        BindleStatus st = bindle_standalone_write(&f, pa->export_dir, &out, &err);
        if (st) {
            r = cli_bindle_fail("push", st, err);
        } else {
            r = CLI_EXIT_OK;
            if (pa->json) {
                char *ref = strf("bindle:%s", f.id);
                json_t *j = ref ? json_pack("{s:s, s:s}", "reference", ref, "path", out) : NULL;
                char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
                if (text)
                    printf("%s\n", text);
                free(text);
                json_decref(j);
                free(ref);
            } else {
                fprintf(stderr, "corral: wrote %s %s, signed, to %s\n", m->name, m->version, out);
                printf("bindle:%s\n", f.id);
                fprintf(stderr,
                        "corral: serve it with: corral serve --bindle %s --bindle-path %s\n", f.id,
                        pa->export_dir);
            }
        }
    }
    if (inv_path)
        unlink(inv_path);
    rmdir(tmpdir);
    free(tmpdir);
    free(inv_path);
    free(f.id);
    free(f.parcels);
    free(out);
    free(err);
    return r;
}

/* path made absolute against the current directory (owned); NULL stays NULL. */
static char *absolute(const char *path, bool *nomem)
{
    char cwd[4096];
    if (!path)
        return NULL;
    char *a = path[0] == '/' || !getcwd(cwd, sizeof cwd) ? strdup(path) : strf("%s/%s", cwd, path);
    if (!a)
        *nomem = true;
    return a;
}

static int push_app_here(PushArgs *pa);

/* The app push, with the paths of its options made absolute first: the manifest's directory
 * becomes the current one. */
static int push_app(PushArgs *pa)
{
    bool nomem = false;
    char *sign = absolute(pa->sign, &nomem), *exp = absolute(pa->export_dir, &nomem);
    char *keyring = absolute(pa->b.keyring, &nomem), *dir = absolute(pa->b.dir, &nomem);
    PushArgs abs = *pa;
    abs.sign = sign;
    abs.export_dir = exp;
    abs.b.keyring = keyring;
    abs.b.dir = dir;
    int r = nomem ? (cli_error("push: out of memory"), CLI_EXIT_FAIL) : push_app_here(&abs);
    free(sign);
    free(exp);
    free(keyring);
    free(dir);
    return r;
}

static int push_app_here(PushArgs *pa)
{
    const char *other = given(pa, P_IMAGE, P_SIGN);
    if (other && !pa->oci) {
        cli_error("push: %s only applies to oci:// references (--oci REF for an app)", other);
        return CLI_EXIT_USAGE;
    }
    char *dir = NULL, *err = NULL;
    if (!manifest_enter("push", pa->manifest, &dir))
        return CLI_EXIT_FAIL;
    AppManifest m;
    int r;
    if (manifest_load(MANIFEST_FILE, &m, &err) != 0) {
        cli_error("push: %s", err ? err : "out of memory");
        free(err);
        free(dir);
        return CLI_EXIT_FAIL;
    }
    AppBuildOpts bo = {.cmd = "push", .quiet = pa->json};
    r = app_build(&m, &bo);
    if (r == 0 && pa->oci) {
        r = push_app_oci(pa, &m);
    } else if (r == 0) {
        Bundle bu = {0};
        BindleClient *c = NULL;
        if (!pa->json)
            fprintf(stderr, "corral: signing and %s %s %s\n",
                    pa->export_dir ? "packaging" : "pushing", m.name, m.version);
        r = app_bundle(pa, &m, &bu);
        if (r < 0 && pa->export_dir)
            r = export_app(pa, &m, &bu);
        if (r < 0)
            r = cli_bindle_client("push", &pa->b, &c);
        if (r < 0) {
            BindlePushed pushed;
            BindlePushSpec spec = {bu.text, bu.len, bu.inv, bu.paths};
            BindleStatus st = bindle_push(c, &spec, &pushed);
            if (st) {
                r = cli_bindle_fail("push", st, bindle_client_error(c));
            } else {
                print_app_pushed(pa, &m, &pushed);
                r = CLI_EXIT_OK;
            }
        }
        bindle_client_free(c);
        bundle_clear(&bu);
    }
    manifest_free(&m);
    free(dir);
    return r;
}

static int push_main(int argc, char **argv)
{
    PushArgs pa = {0};
    int r = parse_args(argc, argv, &pa);
    if (r < 0) {
        /* One branch per kind of reference. */
        if (pa.npos == 0 && !pa.standalone &&
            (pa.manifest || pa.oci || access(MANIFEST_FILE, F_OK) == 0))
            r = push_app(&pa);
        else if (pa.manifest || pa.oci || pa.json || pa.export_dir) {
            cli_error("push: %s applies to an app (corral.toml), pushed with no reference",
                      pa.manifest ? "--manifest" : pa.oci ? "--oci" : pa.json ? "--json"
                                                                          : "--export");
            r = CLI_EXIT_USAGE;
        } else if (pa.npos > 0 && oci_ref_is_oci(pa.pos[0]) && !pa.standalone)
            r = push_oci(&pa);
        else if (pa.standalone ||
                 (pa.npos > 0 && (bindle_ref_is_bindle(pa.pos[0]) || access(pa.pos[0], F_OK) == 0)))
            r = push_bindle(&pa); /* an id, or an invoice file */
        else if (pa.npos == 0) {
            cli_error("push: a reference and a module file are needed; usage: corral push REF "
                      "FILE.wasm [options]");
            r = CLI_EXIT_USAGE;
        } else {
            cli_error("push: '%s' is not a reference corral push knows: "
                      "oci://HOST[:PORT]/NAME[:TAG], [bindle:]NAME/VERSION, or an invoice file",
                      pa.pos[0]);
            r = CLI_EXIT_USAGE;
        }
    }
    free(pa.pos);
    return r;
}

const CliCommand cli_cmd_push = {
    .name = "push",
    .summary = "Push a module to an OCI registry, or a bindle to a Bindle server",
    .usage = usage,
    .main = push_main,
};
