/* cmd_store.c: `corral store serve`, a Bindle v1 server (BINDLE.md 4.1) with Bindle
 * server's flags and environment variables. The work is in src/store: provider.c keeps the
 * files, store_server.c speaks HTTP; this file parses flags, opens what the server borrows,
 * and waits for SIGINT/SIGTERM. */
#include "cli.h"

#include "store/htpasswd.h"
#include "store/provider.h"
#include "store/store_server.h"
#include "store/store_sign_hook.h"
#include "util/strf.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: corral store serve [options]\n"
    "\n"
    "Serve a Bindle package store: Bindle's v1 HTTP API (invoices in TOML or JSON, parcels\n"
    "streamed in and out, search with SemVer ranges, missing parcels, yank, host keys,\n"
    "/healthz) on the files of DIR, in Bindle's layout (invoices/<sha>/invoice.toml,\n"
    "parcels/<sha>/parcel.dat) with an SQLite index. Clients use BINDLE_URL=http://ADDR/v1/.\n"
    "\n"
    "Options (Bindle server's; each also read from its environment variable):\n"
    "  -i, --address ADDR       Where to listen (BINDLE_IP_ADDRESS_PORT; default\n"
    "                           127.0.0.1:8080; port 0 takes a free one)\n"
    "  -d, --directory DIR      The store (BINDLE_DIRECTORY; default\n"
    "                           $XDG_DATA_HOME/bindle, else ~/.local/share/bindle)\n"
    "  -r, --keyring FILE       Keyring TOML of the keys whose signatures count\n"
    "                           (BINDLE_KEYRING; default: empty, with a warning)\n"
    "  --signing-keys FILE      The host's signing keys (BINDLE_SIGNING_KEYS; default\n"
    "                           $XDG_CONFIG_HOME/bindle/signing-keys.toml, created with a new\n"
    "                           host key when missing); every accepted invoice is signed\n"
    "                           with its host key\n"
    "  --strategy NAME          How invoices' signatures are checked\n"
    "                           (BINDLE_VERIFICATION_STRATEGY): GreedyVerification (default),\n"
    "                           CreativeIntegrity, AuthoritativeIntegrity,\n"
    "                           ExhaustiveVerification, MultipleAttestation[Creator, ...],\n"
    "                           MultipleAttestationGreedy[Creator, ...]\n"
    "  --htpasswd-file FILE     HTTP Basic users, bcrypt entries made by htpasswd -B\n"
    "                           (BINDLE_HTPASSWD_FILE): reading is anonymous, anything else\n"
    "                           needs a user\n"
    "  --unauthenticated        No users: everyone may read and write\n"
    "                           (BINDLE_UNAUTHENTICATED=true)\n"
    "  -c, --tls-cert FILE      Serve HTTPS with this PEM certificate chain (BINDLE_TLS_CERT)\n"
    "  -k, --tls-key FILE       ... and this PEM private key (BINDLE_TLS_KEY)\n"
    "Exactly one of --htpasswd-file and --unauthenticated is required.\n"
    "\n"
    "Options (Corral's):\n"
    "  --max-invoice-size SIZE  Largest invoice body accepted (default 1MiB); larger: 413\n"
    "  --access-log FILE        One line per request to FILE, '-' for stdout (default), or\n"
    "                           'off'\n"
    "\n"
    "Options take their value as the next argument or after '=' (--address=0.0.0.0:8080).\n"
    "\n"
    "Writes are atomic: a parcel streams into a .part file, its size and SHA-256 are checked,\n"
    "then it is moved into place; a killed server leaves no partial parcel visible (the next\n"
    "start removes .part files and rebuilds the index from the invoices).\n"
    "\n"
    "Exit status: 0 after SIGINT or SIGTERM, 1 when the store, a key file or the address is\n"
    "unusable (the message says which), 2 for a usage error. A signal before 'Ready' ends\n"
    "the start-up at once, as its default action does (130 or 143).\n";

typedef struct StoreArgs {
    const char *address, *directory, *keyring, *signing_keys, *strategy, *htpasswd;
    const char *tls_cert, *tls_key, *access_log;
    bool unauthenticated;
    uint64_t max_invoice_size;
} StoreArgs;

/* Options taking a value: names, the field, the environment variable. */
typedef struct Opt {
    const char *shrt, *lng;
    size_t offset;
    const char *env;
} Opt;

static const Opt opts[] = {
    {"-i", "--address", offsetof(StoreArgs, address), "BINDLE_IP_ADDRESS_PORT"},
    {"-d", "--directory", offsetof(StoreArgs, directory), "BINDLE_DIRECTORY"},
    {"-r", "--keyring", offsetof(StoreArgs, keyring), "BINDLE_KEYRING"},
    {NULL, "--signing-keys", offsetof(StoreArgs, signing_keys), "BINDLE_SIGNING_KEYS"},
    {NULL, "--strategy", offsetof(StoreArgs, strategy), "BINDLE_VERIFICATION_STRATEGY"},
    {NULL, "--htpasswd-file", offsetof(StoreArgs, htpasswd), "BINDLE_HTPASSWD_FILE"},
    {"-c", "--tls-cert", offsetof(StoreArgs, tls_cert), "BINDLE_TLS_CERT"},
    {"-k", "--tls-key", offsetof(StoreArgs, tls_key), "BINDLE_TLS_KEY"},
    {NULL, "--access-log", offsetof(StoreArgs, access_log), NULL},
    {NULL, "--max-invoice-size", 0, NULL},
};

enum { NOPTS = sizeof opts / sizeof opts[0] };

static const char **field(StoreArgs *sa, const Opt *o)
{
    return (const char **)(void *)((char *)sa + o->offset);
}

static int parse_args(int argc, char **argv, StoreArgs *sa)
{
    for (size_t k = 0; k < NOPTS; k++) {
        const char *v = opts[k].env ? getenv(opts[k].env) : NULL;
        if (v && *v)
            *field(sa, &opts[k]) = v;
    }
    const char *ua = getenv("BINDLE_UNAUTHENTICATED");
    sa->unauthenticated = ua && *ua && strcmp(ua, "false") && strcmp(ua, "0");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_print(usage);
            return CLI_EXIT_OK;
        }
        if (!strcmp(a, "--unauthenticated")) {
            sa->unauthenticated = true;
            continue;
        }
        const char *eq = a[0] == '-' && a[1] == '-' ? strchr(a, '=') : NULL;
        size_t n = eq ? (size_t)(eq - a) : strlen(a);
        size_t k = 0;
        while (k < NOPTS &&
               !((opts[k].shrt && strlen(opts[k].shrt) == n && !strncmp(opts[k].shrt, a, n)) ||
                 (strlen(opts[k].lng) == n && !strncmp(opts[k].lng, a, n))))
            k++;
        if (k == NOPTS) {
            cli_error("store serve: %s '%s'; see 'corral help store'",
                      a[0] == '-' ? "unknown option" : "unexpected argument", a);
            return CLI_EXIT_USAGE;
        }
        const char *v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!v) {
            cli_error("store serve: %s needs a value; see 'corral help store'", opts[k].lng);
            return CLI_EXIT_USAGE;
        }
        if (!strcmp(opts[k].lng, "--max-invoice-size")) {
            if (!cli_parse_size(v, &sa->max_invoice_size) || sa->max_invoice_size == 0) {
                cli_error("store serve: --max-invoice-size: '%s' is not a size (e.g. 1MiB)", v);
                return CLI_EXIT_USAGE;
            }
            continue;
        }
        *field(sa, &opts[k]) = v;
    }
    if (!sa->htpasswd && !sa->unauthenticated) {
        cli_error("store serve: refusing to start without authentication: give "
                  "--htpasswd-file FILE (users made with htpasswd -B) or --unauthenticated "
                  "(anyone may write)");
        return CLI_EXIT_USAGE;
    }
    if (sa->htpasswd && sa->unauthenticated) {
        cli_error("store serve: --htpasswd-file and --unauthenticated exclude each other");
        return CLI_EXIT_USAGE;
    }
    if (!sa->tls_cert != !sa->tls_key) {
        cli_error("store serve: --tls-cert and --tls-key go together");
        return CLI_EXIT_USAGE;
    }
    return -1;
}

static char *default_directory(void)
{
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    char *d = NULL;
    if (xdg && *xdg)
        return asprintf(&d, "%s/bindle", xdg) < 0 ? NULL : d;
    return asprintf(&d, "%s/.local/share/bindle", home && *home ? home : ".") < 0 ? NULL : d;
}

/* Everything the server borrows, opened in order and closed in reverse. */
typedef struct Opened {
    char *dir;
    Provider *provider;
    StoreSigner *signer;
    StoreVerifier *verifier;
    Htpasswd *htpasswd;
    FILE *access;
} Opened;

static void close_all(Opened *o)
{
    htpasswd_free(o->htpasswd);
    store_verifier_free(o->verifier);
    store_signer_free(o->signer);
    provider_close(o->provider);
    if (o->access)
        fclose(o->access);
    free(o->dir);
}

static int open_all(const StoreArgs *sa, Opened *o)
{
    char *err = NULL;
    ProviderStats st;
    if (!(o->dir = sa->directory ? strdup(sa->directory) : default_directory()))
        err = strdup("out of memory");
    else if (!(o->provider = provider_open(o->dir, stderr, &st, &err)))
        ;
    else if (!(o->signer = store_signer_new(sa->signing_keys, stderr, &err)))
        ;
    else if (!(o->verifier =
                   store_verifier_new(sa->keyring, sa->strategy, o->signer, stderr, &err)))
        ;
    else if (sa->htpasswd && !(o->htpasswd = htpasswd_load(sa->htpasswd, &err)))
        ;
    else if (sa->access_log && strcmp(sa->access_log, "-") && strcmp(sa->access_log, "off") &&
             !(o->access = fopen(sa->access_log, "a")))
        err = strf("--access-log %s: %s", sa->access_log, strerror(errno));
    if (err || !o->provider) {
        cli_error("store serve: %s", err ? err : "out of memory");
        free(err);
        return CLI_EXIT_FAIL;
    }
    fprintf(stderr, "corral: store %s: %zu invoices, %zu parcels", o->dir, st.invoices, st.parcels);
    if (st.parts_removed)
        fprintf(stderr, "; removed %zu unfinished writes", st.parts_removed);
    fputc('\n', stderr);
    return 0;
}

/* Serves until SIGINT or SIGTERM. */
static int serve(const StoreArgs *sa)
{
    /* Before any thread starts. A client closing early must not kill the server: SIGPIPE is
     * ignored (cli_signals_start does it). */
    if (cli_signals_start() != 0) {
        cli_error("store serve: cannot start the signal thread: %s", strerror(errno));
        return CLI_EXIT_FAIL;
    }
    Opened o = {0};
    int status = open_all(sa, &o);
    if (status != 0) {
        close_all(&o);
        return status;
    }
    StoreServerConfig cfg;
    store_server_config_default(&cfg);
    if (sa->address)
        cfg.listen = sa->address;
    cfg.tls_cert_path = sa->tls_cert;
    cfg.tls_key_path = sa->tls_key;
    cfg.provider = o.provider;
    cfg.verifier = o.verifier;
    cfg.signer = o.signer;
    cfg.htpasswd = o.htpasswd;
    cfg.version = CORRAL_CLI_VERSION;
    if (sa->max_invoice_size)
        cfg.max_invoice_size = sa->max_invoice_size;
    if (sa->access_log && !strcmp(sa->access_log, "off"))
        cfg.access_log = NULL;
    else if (o.access)
        cfg.access_log = o.access;
    char *err = NULL;
    StoreServer *srv = store_server_start(&cfg, &err);
    if (!srv) {
        cli_error("store serve: %s", err ? err : "out of memory");
        free(err);
        close_all(&o);
        return CLI_EXIT_FAIL;
    }
    cli_signals_ready(); /* before Ready: a signal from now on stops it cleanly */
    const char *colon = strrchr(cfg.listen, ':');
    printf("Ready: serving Bindle on %s://%.*s:%u/v1/ (%s)\n", sa->tls_cert ? "https" : "http",
           colon ? (int)(colon - cfg.listen) : (int)strlen(cfg.listen), cfg.listen,
           store_server_port(srv), o.htpasswd ? "htpasswd auth" : "unauthenticated");
    fflush(stdout);
    int sig = cli_signals_wait(0);
    fprintf(stderr, "corral: %s received, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    store_server_stop(srv);
    close_all(&o);
    return CLI_EXIT_OK;
}

static int store_main(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        if (argc < 2) {
            cli_error("store: which subcommand? 'corral store serve'; see 'corral help store'");
            return CLI_EXIT_USAGE;
        }
        cli_print(usage);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "serve") != 0) {
        cli_error("store: unknown subcommand '%s'; see 'corral help store'", argv[1]);
        return CLI_EXIT_USAGE;
    }
    StoreArgs sa = {0};
    int r = parse_args(argc - 1, argv + 1, &sa);
    return r >= 0 ? r : serve(&sa);
}

const CliCommand cli_cmd_store = {
    .name = "store",
    .summary = "Serve a Bindle package store (corral store serve)",
    .usage = usage,
    .main = store_main,
};
