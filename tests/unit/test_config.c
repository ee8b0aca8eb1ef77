/* test_config.c: modules.toml as the gateway reads it (src/gateway/config.c): WAGI's keys,
 * the environment table, key_value_stores grants, module references, unknown keys as
 * warnings with their line, and errors that name the file and line. */
#include "gateway/config.h"
#include "unit.h"

#include <string.h>
#include <unistd.h>

static char path[] = "/tmp/corral-test-config-XXXXXX";

/* Writes text to the scratch file and loads it; returns 0 or -1, the error in *err. */
static int load(const char *text, GwConfig *cfg, char **err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -2;
    fputs(text, f);
    fclose(f);
    return gw_config_load(path, cfg, err);
}

/* True when the load fails with a message containing want. */
static bool fails_with(const char *text, const char *want)
{
    GwConfig cfg;
    char *err = NULL;
    int r = load(text, &cfg, &err);
    bool ok = r == -1 && err && strstr(err, want) && strstr(err, path);
    if (!ok)
        fprintf(stderr, "  got: %s\n", err ? err : "(success)");
    if (r == 0)
        gw_config_free(&cfg);
    free(err);
    return ok;
}

static void test_full(void)
{
    GwConfig cfg;
    char *err = NULL;
    int r = load("# WAGI's keys and Corral's environment\n"
                 "default_host = \"ignored:3000\"\n"
                 "[[module]]\n"
                 "route = \"/hello/...\"\n"
                 "module = \"examples/hello.wasm\"\n"
                 "entrypoint = \"hi\"\n"
                 "volumes = { \"/data\" = \"/tmp\" }\n"
                 "allowed_hosts = [\"https://example.com\"]\n"
                 "http_max_concurrency = 2\n"
                 "key_value_stores = [\"default\", \"cache\"]\n"
                 "argv = \"${SCRIPT_NAME} ${ARGS}\"\n"
                 "environment = { GREETING = \"hi there\", B = \"\" }\n"
                 "repository = \"reserved\"\n"
                 "\n"
                 "[[module]]\n"
                 "route = \"/\"\n"
                 "module = \"file:///srv/a%20b.wasm\"\n"
                 "unknown_imports = \"trap\"\n",
                 &cfg, &err);
    CHECK(r == 0, "a full modules.toml loads");
    if (r != 0) {
        fprintf(stderr, "  %s\n", err);
        free(err);
        return;
    }
    CHECK(cfg.nmodules == 2, "two modules");
    GwModuleConfig *m = &cfg.modules[0];
    CHECK(!strcmp(m->route, "/hello/..."), "route");
    CHECK(!strcmp(m->path, "examples/hello.wasm"), "a plain path stays a path");
    CHECK(!strcmp(m->entrypoint, "hi"), "entrypoint");
    CHECK(m->nvolumes == 1 && !strcmp(m->volumes[0].guest, "/data") &&
              !strcmp(m->volumes[0].host, "/tmp"), "volumes guest -> host");
    CHECK(m->nallowed_hosts == 1 && !strcmp(m->allowed_hosts[0], "https://example.com"),
          "allowed_hosts");
    CHECK(m->allowed_hosts_line == 8, "allowed_hosts: its line");
    CHECK(m->http_max_concurrency == 2, "http_max_concurrency");
    CHECK(m->nkey_value_stores == 2 && !strcmp(m->key_value_stores[0], "default") &&
              !strcmp(m->key_value_stores[1], "cache"),
          "key_value_stores: the names in order");
    CHECK(m->key_value_stores_line == 10, "key_value_stores: its line");
    CHECK(cfg.modules[1].nkey_value_stores == 0 && cfg.modules[1].key_value_stores_line == 0 &&
              cfg.modules[1].nallowed_hosts == 0,
          "no grants when the keys are absent");
    CHECK(!m->has_unknown_imports, "unknown_imports: absent");
    CHECK(cfg.modules[1].has_unknown_imports &&
              cfg.modules[1].unknown_imports == HOST_UNKNOWN_TRAP,
          "unknown_imports = \"trap\"");
    CHECK(m->argv && !strcmp(m->argv, "${SCRIPT_NAME} ${ARGS}"), "argv template");
    CHECK(m->nenvironment == 2 && !strcmp(m->environment[0], "GREETING=hi there") &&
              !strcmp(m->environment[1], "B="), "environment in file order");
    CHECK(m->line == 3, "the [[module]] header's line");
    CHECK(!strcmp(cfg.modules[1].entrypoint, "_start"), "entrypoint defaults to _start");
    CHECK(!strcmp(cfg.modules[1].path, "/srv/a b.wasm"), "file: URL decoded to a path");
    CHECK(cfg.nwarnings == 2, "two warnings: default_host and repository");
    CHECK(cfg.nwarnings == 2 && strstr(cfg.warnings[0], ":2: unknown top-level key 'default_host'"),
          "top-level unknown key reported with its line");
    CHECK(cfg.nwarnings == 2 && strstr(cfg.warnings[1], ":13: unknown key 'repository'"),
          "module unknown key reported with its line");
    gw_config_free(&cfg);
}

static void test_errors(void)
{
    CHECK(fails_with("[[module]]\nmodule = \"a.wasm\"\n", ":1: [[module]] needs a 'route'"),
          "missing route");
    CHECK(fails_with("[[module]]\nroute = \"/\"\n", "needs a 'module'"), "missing module");
    CHECK(fails_with("[[module]]\nroute = 1\nmodule = \"a\"\n", ":2: 'route' must be a string"),
          "route of the wrong type");
    CHECK(fails_with("[[module]]\nroute = \"/\"\nmodule = \"ftp://x/a.wasm\"\n",
                     "Unknown scheme ftp in module reference"), "unknown scheme");
    CHECK(fails_with("[[module]]\nroute = \"/\"\nmodule = \"a\"\nhttp_max_concurrency = 0\n",
                     "'http_max_concurrency' must be an integer"), "concurrency 0");
    CHECK(fails_with("[[module]]\nroute = \"/\"\nmodule = \"a\"\nvolumes = [\"x\"]\n",
                     "'volumes' must be a table"), "volumes of the wrong type");
    CHECK(fails_with("[[module]]\nroute = \"/\"\nmodule = \"a\"\nenvironment = { A = 1 }\n",
                     ":4: 'A' must be a string"), "environment value not a string");
    CHECK(fails_with("[[module]]\nroute = \"/\"\nmodule = \"a\"\nkey_value_stores = \"default\"\n",
                     ":4: 'key_value_stores' must be an array of strings"),
          "key_value_stores: a string, not an array");
    CHECK(fails_with("[[module]]\nroute = \"/\"\nmodule = \"a\"\nkey_value_stores = [\"a\", 1]\n",
                     ":4: 'key_value_stores' must be an array of strings"),
          "key_value_stores: a number in the array");
    CHECK(fails_with("[[module]]\nroute = \"/\"\nmodule = \"a\"\nkey_value_stores = [\"\"]\n",
                     ":4: 'key_value_stores' holds an empty store name"),
          "key_value_stores: an empty name");
    CHECK(fails_with("[[module]]\nroute = \"/\"\nmodule = \"a\"\nallowed_hosts = [{}]\n",
                     ":4: 'allowed_hosts' must be an array of strings"),
          "allowed_hosts: a table in the array");
    CHECK(fails_with("[[module]]\nroute = \"/\"\nmodule = \"a\"\nunknown_imports = \"ignore\"\n",
                     ":4: 'unknown_imports' must be \"error\", \"trap\" or \"default\""),
          "unknown_imports: not a policy");
    CHECK(fails_with("[[module]]\nroute = \"/\"\nmodule = \"a\"\nunknown_imports = true\n",
                     ":4: 'unknown_imports' must be \"error\", \"trap\" or \"default\""),
          "unknown_imports: not a string");
    CHECK(fails_with("[[module]]\nroute = \"/\"\nmodule = \"a\"\n"
                     "unknown_imports = \"trap\\u0000\"\n",
                     ":4: 'unknown_imports' must be"),
          "unknown_imports: a NUL inside");
    CHECK(fails_with("route = \"/\"\n", "no [[module]] entries"), "no modules");
    CHECK(fails_with("[module]\nroute = \"/\"\nmodule = \"a\"\n", "no [[module]] entries"),
          "[module] instead of [[module]]");
    CHECK(fails_with("[[module]]\nroute = \"/\"\nroute = \"/x\"\n", ":3:"),
          "TOML errors carry line and column");
    GwConfig cfg;
    char *err = NULL;
    CHECK(gw_config_load("/nonexistent/modules.toml", &cfg, &err) == -1 && err &&
              strstr(err, "/nonexistent/modules.toml"), "missing file named");
    free(err);
}

/* oci: and bindle: references are classified here and fetched by fetch.c; their path stays
 * NULL until then. */
static void test_remote(void)
{
    GwConfig cfg;
    char *err = NULL;
    int r = load("[[module]]\nroute = \"/a\"\nmodule = \"oci:foo:1\"\n\n"
                 "[[module]]\nroute = \"/b\"\nmodule = \"oci://127.0.0.1:5000/a/b:v1\"\n\n"
                 "[[module]]\nroute = \"/c\"\nmodule = \"bindle:example.com/a/1.0.0\"\n"
                 "bindle_server = \"http://127.0.0.1:8080/v1\"\n\n"
                 "[[module]]\nroute = \"/d\"\nmodule = \"a.wasm\"\n"
                 "bindle_server = \"http://x/v1\"\n",
                 &cfg, &err);
    CHECK(r == 0, "oci: and bindle: references load");
    if (r != 0) {
        fprintf(stderr, "  got: %s\n", err);
        free(err);
        return;
    }
    CHECK(cfg.modules[0].source == GW_SOURCE_OCI && !cfg.modules[0].path, "oci:NAME:TAG");
    CHECK(cfg.modules[1].source == GW_SOURCE_OCI && !cfg.modules[1].path, "oci://HOST:PORT/...");
    CHECK(cfg.modules[2].source == GW_SOURCE_BINDLE && !cfg.modules[2].path &&
              cfg.modules[2].bindle_server &&
              !strcmp(cfg.modules[2].bindle_server, "http://127.0.0.1:8080/v1"),
          "bindle: with its bindle_server");
    CHECK(cfg.modules[3].source == GW_SOURCE_FILE && !strcmp(cfg.modules[3].path, "a.wasm") &&
              !cfg.modules[3].sha256,
          "a path: a file, no digest to check");
    CHECK(cfg.nwarnings == 1 && strstr(cfg.warnings[0], ":14: 'bindle_server' is read only for "
                                                        "bindle: module references (ignored)"),
          "bindle_server on a file module: a warning");
    char where[128];
    CHECK(strstr(gw_module_where(&cfg, &cfg.modules[1], 0, where, sizeof where), ":5") &&
              strstr(gw_module_where(&cfg, &cfg.modules[1], 7, where, sizeof where), ":7"),
          "where: the entry's line, or a key's");
    gw_config_free(&cfg);
}

int main(void)
{
    int fd = mkstemp(path);
    CHECK(fd >= 0, "scratch file");
    if (fd < 0)
        return unit_report("test_config");
    close(fd);
    test_full();
    test_errors();
    test_remote();
    unlink(path);
    return unit_report("test_config");
}
