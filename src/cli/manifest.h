/* manifest.h: corral.toml, the app manifest of `corral up`, `build`, `push` and `deploy`:
 * the app (name, version, description, authors) and its components (an HTTP route or a
 * command each, the build that makes its .wasm, and what it is granted: files, environment,
 * key-value stores, outbound hosts). Read with Corral's TOML parser; every unknown key is an
 * error naming its line (a typo must not be silently ignored). The gateway's configuration
 * (gateway/config.h) is made from it in memory: modules.toml stays the gateway's own file. */
#ifndef CORRAL_CLI_MANIFEST_H
#define CORRAL_CLI_MANIFEST_H

#include "gateway/config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MANIFEST_FILE "corral.toml"

/* A list of owned strings. */
typedef struct StrList {
    char **v;
    size_t n;
} StrList;

/* One [[component]]. Strings owned by the manifest; paths relative to the project. */
typedef struct AppComponent {
    char *id;
    char *route;        /* an HTTP handler's route ("/hello", "/api/..."), or NULL ... */
    bool command;       /* ... for a command (command = true) */
    char *language;     /* "c", "rust", "assemblyscript" or "wasm" (prebuilt: no toolchain) */
    char *build;        /* a shell command run in the project directory; NULL: none */
    char *wasm;         /* the module the build writes */
    StrList sources;    /* files and directories whose change calls for a build */
    StrList files;      /* directories preopened read-only at /PATH */
    StrList environment; /* "NAME=VALUE" */
    StrList key_value_stores;
    StrList allowed_hosts;
    char *entrypoint, *argv; /* NULL: the gateway's defaults */
    uint32_t line, kv_line, hosts_line;
} AppComponent;

typedef struct AppManifest {
    char *file; /* as named in messages ("corral.toml") */
    char *name, *version, *description;
    StrList authors;
    AppComponent *components;
    size_t ncomponents;
} AppManifest;

/* Reads and checks path. On failure -1 and *out_err owned: "corral.toml:7: component
 * \"hello\": unknown key 'rout' (did you mean 'route'?)". */
int manifest_load(const char *path, AppManifest *out, char **out_err);
void manifest_free(AppManifest *m);

/* The gateway configuration of m's HTTP components (dir: the project's absolute path, which
 * module and volume paths are made absolute against). -1 with *out_err when m has none. */
int manifest_gw_config(const AppManifest *m, const char *dir, GwConfig *out, char **out_err);

/* Finds the manifest: the given path, else ./corral.toml; changes into its directory so the
 * manifest's relative paths hold. Prints the error for cmd and returns false when there is
 * none. *out_dir is the project's absolute path (owned). */
bool manifest_enter(const char *cmd, const char *given, char **out_dir);

/* The text of `corral help manifest`. */
extern const char manifest_help[];

#endif
