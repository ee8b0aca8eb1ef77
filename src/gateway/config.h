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
} GwVolume;

/* One [[module]] entry. Strings are owned by the GwConfig. */
typedef struct GwModuleConfig {
    char *route;        /* as written, "/..." included */
    char *module;       /* the module reference as written */
    char *path;         /* the file it names (a plain path, or a file: URL's path) */
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
    char *file;         /* the path it was read from */
    GwModuleConfig *modules;
    size_t nmodules;
    char **warnings;    /* "modules.toml:12: unknown key 'foo' in [[module]] (ignored)" */
    size_t nwarnings;
} GwConfig;

/* Reads and checks the file at path into *out. On failure returns -1 and sets *out_err to
 * an owned message (free()) that names the file and line, e.g.
 *   "modules.toml:3:8: expected '=' after a key"
 *   "modules.toml:5: [[module]] needs a 'route'"
 *   "modules.toml:7: module 'oci:foo:1' : OCI references are not supported yet (issue 7)"
 * Module files are not opened here (the app loads them). */
int gw_config_load(const char *path, GwConfig *out, char **out_err);
void gw_config_free(GwConfig *cfg);

#endif
