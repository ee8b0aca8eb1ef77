/* config.h: modules.toml, the gateway's application file, read as WAGI reads it (WAGI.md
 * 1.2) plus a per-module `environment` table and `key_value_stores` grants (as Spin has),
 * and Corral's own per-module keys (allowed_hosts, http_max_concurrency, unknown_imports).
 * Keys WAGI would silently ignore are reported as warnings with their line; values of the
 * wrong type are errors. */
#ifndef CORRAL_GW_CONFIG_H
#define CORRAL_GW_CONFIG_H

#include "host/host_link.h" /* HostUnknownImports */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A preopened directory: the host directory host, seen by the guest as guest. */
typedef struct GwVolume {
    char *guest;
    char *host;
    bool readonly; /* a bindle's assets; modules.toml's volumes are writable, as in WAGI */
} GwVolume;

/* Where a module's bytes come from (WAGI.md 1.2, module references). */
typedef enum GwModuleSource {
    GW_SOURCE_FILE,   /* a path, or a file: URL */
    GW_SOURCE_OCI,    /* oci:REF or oci://HOST[:PORT]/NAME[:TAG]: pulled into the module cache */
    GW_SOURCE_BINDLE, /* bindle:NAME/VERSION (WAGI's deprecated form): the first wasm parcel */
    GW_SOURCE_PARCEL, /* a handler parcel of `corral serve --bindle` (fetch.h builds these) */
} GwModuleSource;

/* One [[module]] entry. Strings are owned by the GwConfig. */
typedef struct GwModuleConfig {
    char *route;        /* as written, "/..." included */
    char *module;       /* the module reference as written (a bindle handler: its parcel's name) */
    GwModuleSource source;
    char *path;         /* the file it names (a plain path, or a file: URL's path); for remote
                           sources NULL until fetched (fetch.h), then the module cache's file */
    char *sha256;       /* when not NULL: the SHA-256 (64 lower-case hex digits) the module's
                           bytes must have; the app checks it on the bytes it compiles */
    char *bindle_server; /* the bindle_server key (bindle: references), or NULL */
    char *where;        /* where the entry comes from when not a modules.toml line ("bindle
                           example.com/hello/1.0.0, parcel 'hello.wasm'"); NULL: file:line */
    char *entrypoint;   /* "_start" when not given */
    char *argv;         /* argv template, or NULL for WAGI's default */
    GwVolume *volumes;
    size_t nvolumes;
    char **environment; /* "NAME=VALUE", in file order */
    size_t nenvironment;
    char **allowed_hosts; /* outbound HTTP allow-list entries, as written (src/host parses) */
    size_t nallowed_hosts;
    uint32_t allowed_hosts_line;   /* the key's line, for the allow-list's errors; 0: absent */
    uint32_t http_max_concurrency; /* 0 when not given */
    char **key_value_stores;       /* the key-value stores it may open, by name (Spin's key) */
    size_t nkey_value_stores;
    uint32_t key_value_stores_line;     /* the key's line, for "no such store"; 0: absent */
    bool has_unknown_imports;           /* unknown_imports was given (else serve's flags rule) */
    HostUnknownImports unknown_imports; /* its value: "error", "trap" or "default" */
    uint32_t line;      /* line of the [[module]] header */
} GwModuleConfig;

typedef struct GwConfig {
    char *file;         /* the path it was read from ("bindle NAME/VERSION" for --bindle) */
    GwModuleConfig *modules;
    size_t nmodules;
    char **warnings;    /* "modules.toml:12: unknown key 'foo' in [[module]] (ignored)" */
    size_t nwarnings;
} GwConfig;

/* Reads and checks the file at path into *out. On failure returns -1 and sets *out_err to
 * an owned message (free()) that names the file and line, e.g.
 *   "modules.toml:3:8: expected '=' after a key"
 *   "modules.toml:5: [[module]] needs a 'route'"
 *   "modules.toml:7: Unknown scheme http in module reference http://x/y.wasm"
 * Module files are not opened here (the app loads them); oci: and bindle: references are
 * only classified (source), fetch.h fetches them. */
int gw_config_load(const char *path, GwConfig *out, char **out_err);
void gw_config_free(GwConfig *cfg);

/* `corral serve --root DIR` (confine.c): rewrites every file module's path and every volume's
 * host path to the host path it names when DIR is taken for "/": absolute paths from DIR,
 * relative ones from the working directory's place inside DIR (DIR itself when it is
 * outside), ".." and symlinks (absolute ones included) never leading out of DIR (openat2
 * RESOLVE_IN_ROOT). A path that does not resolve there is an error: -1 with *out_err owned,
 * "modules.toml:4: module '/etc/x.wasm': No such file or directory under --root /img". */
int gw_config_confine(GwConfig *cfg, const char *root, char **out_err);

/* Where entry m is described for messages: its `where`, else "FILE:LINE" with line (a key's
 * line; 0: the entry's [[module]] line). Written into buf (always terminated); returns buf. */
const char *gw_module_where(const GwConfig *cfg, const GwModuleConfig *m, uint32_t line,
                            char *buf, size_t size);

/* An owned copy of s[0..n) (NUL added); NULL when memory is short. */
char *gw_strndup(const char *s, size_t n);

#endif
