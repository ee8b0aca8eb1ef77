/* cli_bindle.c: the option parser and Bindle's global client flags (cli_bindle.h), shared by
 * the commands that speak to a Bindle server. */
#include "cli_bindle.h"

#include "util/strf.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- options ---- */

static const CliOpt *find_opt(const CliOpt *opts, size_t n, const char *a, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        const char *names[2] = {opts[i].short_name, opts[i].long_name};
        for (int k = 0; k < 2; k++)
            if (names[k] && strlen(names[k]) == len && !strncmp(names[k], a, len))
                return &opts[i];
    }
    return NULL;
}

int cli_opts_parse(const char *cmd, const char *usage, int argc, char **argv, const CliOpt *opts,
                   size_t nopts, const char **pos, int max_pos, int *npos, CliOnOpt on, void *ud)
{
    bool options_done = false;
    *npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || !a[1]) {
            if (*npos >= max_pos) {
                cli_error("%s: too many arguments ('%s'); see 'corral %s --help'", cmd, a, cmd);
                return CLI_EXIT_USAGE;
            }
            pos[(*npos)++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            options_done = true;
            continue;
        }
        if (cli_is_help(a)) {
            cli_print(usage);
            return CLI_EXIT_OK;
        }
        const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const CliOpt *o = find_opt(opts, nopts, a, len);
        if (!o || (eq && !o->takes_value && !o->optional_value)) {
            cli_error("%s: unknown option '%s'; see 'corral %s --help'", cmd, a, cmd);
            return CLI_EXIT_USAGE;
        }
        const char *v = eq && o->optional_value ? eq + 1 : NULL;
        if (o->takes_value) {
            v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
            if (!v) {
                cli_error("%s: %.*s needs a value; see 'corral %s --help'", cmd, (int)len, a, cmd);
                return CLI_EXIT_USAGE;
            }
        }
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)len, a);
        int r = on(ud, o->id, name, v);
        if (r >= 0)
            return r;
    }
    return -1;
}

/* ---- Bindle's global flags ---- */

const CliOpt cli_bindle_flags[] = {
    {"-s", "--server", true, CLI_B_SERVER, false},
    {"-d", "--bindle-dir", true, CLI_B_DIR, false},
    {"-r", "--keyring", true, CLI_B_KEYRING, false},
    {NULL, "--strategy", true, CLI_B_STRATEGY, false},
    {NULL, "--http-user", true, CLI_B_USER, false},
    {NULL, "--http-password", true, CLI_B_PASSWORD, false},
    {"-k", "--insecure", false, CLI_B_INSECURE, false},
    {"-v", "--verbose", false, CLI_B_VERBOSE, false},
};
const size_t cli_bindle_nflags = sizeof cli_bindle_flags / sizeof cli_bindle_flags[0];

size_t cli_bindle_opts(const CliOpt *own, size_t nown, CliOpt *out, size_t cap)
{
    assert(nown + cli_bindle_nflags <= cap);
    memcpy(out, own, nown * sizeof *own);
    memcpy(out + nown, cli_bindle_flags, cli_bindle_nflags * sizeof *out);
    return nown + cli_bindle_nflags;
}

bool cli_bindle_take(CliBindle *b, int id, const char *value)
{
    switch (id) {
    case CLI_B_SERVER:
        b->server = value;
        return true;
    case CLI_B_DIR:
        b->dir = value;
        return true;
    case CLI_B_KEYRING:
        b->keyring = value;
        return true;
    case CLI_B_STRATEGY:
        b->strategy = value;
        return true;
    case CLI_B_USER:
        b->user = value;
        return true;
    case CLI_B_PASSWORD:
        b->password = value;
        return true;
    case CLI_B_INSECURE:
        b->insecure = true;
        return true;
    case CLI_B_VERBOSE:
        b->verbose = true;
        return true;
    default:
        return false;
    }
}

BindleClientOpts cli_bindle_client_opts(const CliBindle *b)
{
    BindleClientOpts o = {.server_url = b->server,
                          .cache_dir = b->dir,
                          .http_user = b->user,
                          .http_password = b->password,
                          .insecure = b->insecure,
                          .max_parcel_size = b->max_size,
                          .log = b->verbose ? stderr : NULL};
    bindle_opts_from_env(&o);
    return o;
}

int cli_bindle_client(const char *cmd, const CliBindle *b, BindleClient **out)
{
    BindleClientOpts o = cli_bindle_client_opts(b);
    char *err = NULL;
    if (o.http_password && !o.http_user) {
        cli_error("%s: --http-password (or BINDLE_HTTP_PASSWORD) needs --http-user", cmd);
        return CLI_EXIT_USAGE;
    }
    BindleStatus st = bindle_client_new(&o, out, &err);
    if (st) {
        int status = cli_bindle_fail(cmd, st, err ? err : "out of memory");
        free(err);
        return status;
    }
    return -1;
}

char *cli_bindle_keyring_path(const char *cmd, const char *given)
{
    if (given)
        return strdup(given);
    const char *vars[] = {"CORRAL_KEYRING", "BINDLE_KEYRING"};
    for (size_t i = 0; i < 2; i++) {
        const char *e = getenv(vars[i]);
        if (e && e[0])
            return strdup(e);
    }
    char *dir = keyring_default_dir();
    if (!dir) {
        cli_error("%s: neither XDG_CONFIG_HOME nor HOME is set; name the keyring with -r", cmd);
        return NULL;
    }
    char *path = strf("%s/keyring.toml", dir);
    free(dir);
    return path;
}

int cli_bindle_trust(const char *cmd, const CliBindle *b, Keyring *kr, VerifyStrategy *vs)
{
    const char *why;
    keyring_init(kr);
    *vs = bindle_default_strategy();
    if (b->strategy && !verify_strategy_parse(b->strategy, vs, &why)) {
        cli_error("%s: --strategy '%s': %s", cmd, b->strategy, why);
        return CLI_EXIT_USAGE;
    }
    char *path = cli_bindle_keyring_path(cmd, b->keyring);
    if (!path)
        return CLI_EXIT_FAIL;
    SignError err;
    bool exists;
    SignStatus st = keyring_load(path, kr, &exists, &err);
    if (st != SIGN_OK)
        cli_error("%s: %s", cmd, err.message);
    else if (b->verbose)
        fprintf(stderr, "corral: keyring %s: %zu key%s%s\n", path, kr->nkeys,
                kr->nkeys == 1 ? "" : "s", exists ? "" : " (no such file: empty)");
    free(path);
    return st == SIGN_OK ? -1 : CLI_EXIT_FAIL;
}

int cli_bindle_exit(BindleStatus st)
{
    return st == BINDLE_OK ? CLI_EXIT_OK : st == BINDLE_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
}

int cli_bindle_fail(const char *cmd, BindleStatus st, const char *message)
{
    cli_error("%s: %s", cmd, message && message[0] ? message : bindle_status_text(st));
    return cli_bindle_exit(st);
}
