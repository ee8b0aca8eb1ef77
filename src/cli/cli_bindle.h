/* cli_bindle.h: what the commands that speak to a Bindle server share (push, pull, yank,
 * search, info, keys fetch): a small option parser, Bindle's global client flags and their
 * variables, the client, keyring and strategy they make, exit statuses from client
 * statuses. */
#ifndef CORRAL_CLI_BINDLE_H
#define CORRAL_CLI_BINDLE_H

#include "cli.h"

#include "bindle/bindle.h"

/* ---- options ---- */

/* One option: "-x" and/or "--long", with or without a value. id is the caller's. A flag
 * with optional_value also takes "--long=VALUE" (Bindle's --strict=false). */
typedef struct CliOpt {
    const char *short_name, *long_name;
    bool takes_value;
    int id;
    bool optional_value;
} CliOpt;

/* Called for each option found (value NULL for a flag): -1 to go on, else an exit status. */
typedef int (*CliOnOpt)(void *ud, int id, const char *name, const char *value);

/* Parses argv[1..argc): options from opts (a value as "--long VALUE", "--long=VALUE" or
 * "-x VALUE"), positionals into pos[0..max_pos) (more is a usage error), "--" ending the
 * options, -h/--help printing usage. Returns -1 to go on (then *npos is set), else the exit
 * status. Errors are "corral: CMD: unknown option 'X'; see 'corral CMD --help'" and
 * "corral: CMD: X needs a value; see 'corral CMD --help'". */
int cli_opts_parse(const char *cmd, const char *usage, int argc, char **argv, const CliOpt *opts,
                   size_t nopts, const char **pos, int max_pos, int *npos, CliOnOpt on, void *ud);

/* ---- Bindle's global client flags ---- */

/* The ids cli_bindle_opts uses in its table (callers number their own from CLI_BINDLE_NEXT). */
enum {
    CLI_B_SERVER = 1000,
    CLI_B_DIR,
    CLI_B_KEYRING,
    CLI_B_STRATEGY,
    CLI_B_USER,
    CLI_B_PASSWORD,
    CLI_B_INSECURE,
    CLI_B_VERBOSE,
    CLI_BINDLE_NEXT,
};

/* -s/--server, -d/--bindle-dir, -r/--keyring, --strategy, --http-user, --http-password,
 * -k/--insecure, -v/--verbose. */
extern const CliOpt cli_bindle_flags[];
extern const size_t cli_bindle_nflags;
/* A command's table: its own nown options, then the flags above, into out (room for cap);
 * returns the count. cap must hold both (a programming error otherwise: asserted). */
size_t cli_bindle_opts(const CliOpt *own, size_t nown, CliOpt *out, size_t cap);

/* Their text for a command's help. */
#define CLI_BINDLE_FLAGS_HELP                                                                      \
    "Server and cache options (Bindle's client flags and variables):\n"                            \
    "  -s, --server URL          The server's API, with its /v1 path ($BINDLE_URL; default\n"      \
    "                            " BINDLE_DEFAULT_URL ")\n"                                        \
    "  -d, --bindle-dir DIR      The cache ($BINDLE_DIRECTORY; default\n"                          \
    "                            $XDG_CACHE_HOME/corral/bindle)\n"                                 \
    "  -r, --keyring FILE        Trusted keys ($CORRAL_KEYRING, $BINDLE_KEYRING; default\n"        \
    "                            $XDG_CONFIG_HOME/corral/keyring.toml)\n"                          \
    "      --strategy STRATEGY   How invoices are verified (default\n"                             \
    "                            MultipleAttestationGreedy[Host], as Bindle's client)\n"           \
    "      --http-user USER      HTTP Basic user ($BINDLE_HTTP_USER)\n"                            \
    "      --http-password PASS  HTTP Basic password ($BINDLE_HTTP_PASSWORD)\n"                    \
    "  -k, --insecure            Accept any TLS certificate\n"                                     \
    "  -v, --verbose             Print each request and cache decision on stderr\n"

/* The values of those flags. */
typedef struct CliBindle {
    const char *server, *dir, *keyring, *strategy, *user, *password;
    bool insecure, verbose;
    uint64_t max_size; /* a command's --max-size: the largest parcel fetched; 0: any */
} CliBindle;

/* Stores a global flag's value; true when id was one of them. */
bool cli_bindle_take(CliBindle *b, int id, const char *value);

/* The client options: flags, then the BINDLE_* variables (bindle_opts_from_env). */
BindleClientOpts cli_bindle_client_opts(const CliBindle *b);

/* A client, or a printed "corral: CMD: ..." and an exit status. */
int cli_bindle_client(const char *cmd, const CliBindle *b, BindleClient **out);

/* Loads the keyring (-r, $CORRAL_KEYRING, $BINDLE_KEYRING, the default; a missing file is an
 * empty keyring) and parses --strategy. -1 to go on, else the exit status (after a message). */
int cli_bindle_trust(const char *cmd, const CliBindle *b, Keyring *kr, VerifyStrategy *vs);

/* The keyring file those rules name. Owned; NULL (with a message) when there is no home. */
char *cli_bindle_keyring_path(const char *cmd, const char *given);

/* The exit status for a client status: 0, 2 for BINDLE_ERR_USAGE, else 1. */
int cli_bindle_exit(BindleStatus st);

/* Prints "corral: CMD: MESSAGE" for a failed call and returns its exit status. */
int cli_bindle_fail(const char *cmd, BindleStatus st, const char *message);

#endif
