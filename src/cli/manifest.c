/* manifest.c: corral.toml (manifest.h). The document is parsed by Corral's TOML parser
 * (src/util/toml.h); this file checks its shape, says where a key is wrong (with the known
 * key nearest a misspelt one), and turns the HTTP components into the gateway's GwConfig. */
#include "cli/manifest.h"

#include "cli.h"
#include "store/semver.h"
#include "util/strf.h"
#include "util/toml.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct Ctx {
    const char *file;
    char *err;
} Ctx;

static int fail(Ctx *c, uint32_t line, const char *fmt, ...) CLI_PRINTF(3, 4);
static int fail(Ctx *c, uint32_t line, const char *fmt, ...)
{
    if (c->err)
        return -1;
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->err = strf("%s:%u: %s", c->file, (unsigned)line, msg);
    return -1;
}

static void list_free(StrList *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static bool list_add(StrList *l, const char *s, size_t n)
{
    char **v = realloc(l->v, (l->n + 1) * sizeof *v);
    if (!v)
        return false;
    l->v = v;
    if (!(v[l->n] = strndup(s, n)))
        return false;
    l->n++;
    return true;
}

/* ---- values ---- */

/* The string of entry e (owned copy) into *out; where names the table for messages. */
static int get_string(Ctx *c, const char *where, const TomlEntry *e, char **out)
{
    const char *s;
    size_t n;
    if (!toml_as_string(e->value, &s, &n) || memchr(s, '\0', n))
        return fail(c, e->line, "%s'%s' must be a string, not %s", where, e->key,
                    toml_kind_name(toml_kind(e->value)));
    free(*out);
    if (!(*out = strndup(s, n)))
        return fail(c, e->line, "out of memory");
    return 0;
}

static int get_strings(Ctx *c, const char *where, const TomlEntry *e, StrList *out)
{
    if (toml_kind(e->value) != TOML_ARRAY)
        return fail(c, e->line, "%s'%s' must be an array of strings, not %s", where, e->key,
                    toml_kind_name(toml_kind(e->value)));
    list_free(out);
    for (size_t i = 0; i < toml_array_len(e->value); i++) {
        const char *s;
        size_t n;
        if (!toml_as_string(toml_array_at(e->value, i), &s, &n) || memchr(s, '\0', n) || !n)
            return fail(c, e->line, "%s'%s' must be an array of non-empty strings", where,
                        e->key);
        if (!list_add(out, s, n))
            return fail(c, e->line, "out of memory");
    }
    return 0;
}

/* A path inside the project: relative, no "..", not empty. */
static int check_path(Ctx *c, const char *where, const char *key, uint32_t line, const char *p)
{
    bool dotdot = !strcmp(p, "..") || !strncmp(p, "../", 3) || strstr(p, "/../") ||
                  (strlen(p) >= 3 && !strcmp(p + strlen(p) - 3, "/.."));
    if (!*p || p[0] == '/' || dotdot)
        return fail(c, line, "%s'%s': '%s' must be a relative path inside the project", where,
                    key, p);
    return 0;
}

/* ---- misspellings ---- */

static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return SIZE_MAX;
    size_t d[41][41];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

/* " (did you mean 'route'?)" when a known key is within two edits of key, else "". */
static const char *suggest(const char *key, const char *const *known, size_t nknown, char *buf,
                           size_t cap)
{
    size_t best = 3;
    const char *pick = NULL;
    for (size_t i = 0; i < nknown; i++) {
        size_t d = distance(key, known[i]);
        if (d < best) {
            best = d;
            pick = known[i];
        }
    }
    if (!pick)
        return "";
    snprintf(buf, cap, " (did you mean '%s'?)", pick);
    return buf;
}

/* ---- [[component]] ---- */

static const char *const component_keys[] = {
    "id",     "route",   "command",     "language",         "build",         "wasm",
    "source", "sources", "files",       "environment",      "key_value_stores",
    "allowed_hosts",     "entrypoint",  "argv",             "description",
};
enum { NCOMPONENT_KEYS = sizeof component_keys / sizeof component_keys[0] };

static const char *const languages[] = {
#define X(name, toolchain) name,
#include "cli/languages.def"
#undef X
};

static int read_environment(Ctx *c, const char *where, const TomlEntry *e, AppComponent *k)
{
    if (toml_kind(e->value) != TOML_TABLE)
        return fail(c, e->line, "%s'environment' must be a table of NAME = \"value\"", where);
    for (size_t i = 0; i < toml_table_len(e->value); i++) {
        const TomlEntry *v = toml_table_entry(e->value, i);
        const char *s;
        size_t n;
        if (!v->key_len || memchr(v->key, '=', v->key_len) || memchr(v->key, '\0', v->key_len))
            return fail(c, v->line, "%senvironment variable name '%s' is empty or holds '='",
                        where, v->key);
        if (!toml_as_string(v->value, &s, &n) || memchr(s, '\0', n))
            return fail(c, v->line, "%senvironment variable '%s' must be a string", where,
                        v->key);
        char *kv = strf("%s=%.*s", v->key, (int)n, s);
        bool ok = kv && list_add(&k->environment, kv, strlen(kv));
        free(kv);
        if (!ok)
            return fail(c, v->line, "out of memory");
    }
    return 0;
}

static int read_component_key(Ctx *c, const char *where, const TomlEntry *e, AppComponent *k)
{
    const char *key = e->key;
    if (!strcmp(key, "id"))
        return get_string(c, where, e, &k->id);
    if (!strcmp(key, "route"))
        return get_string(c, where, e, &k->route);
    if (!strcmp(key, "command")) {
        if (!toml_as_bool(e->value, &k->command))
            return fail(c, e->line, "%s'command' must be true or false", where);
        return 0;
    }
    if (!strcmp(key, "language"))
        return get_string(c, where, e, &k->language);
    if (!strcmp(key, "build"))
        return get_string(c, where, e, &k->build);
    if (!strcmp(key, "wasm") || !strcmp(key, "source"))
        return get_string(c, where, e, &k->wasm);
    if (!strcmp(key, "sources"))
        return get_strings(c, where, e, &k->sources);
    if (!strcmp(key, "files"))
        return get_strings(c, where, e, &k->files);
    if (!strcmp(key, "environment"))
        return read_environment(c, where, e, k);
    if (!strcmp(key, "key_value_stores")) {
        k->kv_line = e->line;
        return get_strings(c, where, e, &k->key_value_stores);
    }
    if (!strcmp(key, "allowed_hosts")) {
        k->hosts_line = e->line;
        return get_strings(c, where, e, &k->allowed_hosts);
    }
    if (!strcmp(key, "entrypoint"))
        return get_string(c, where, e, &k->entrypoint);
    if (!strcmp(key, "argv"))
        return get_string(c, where, e, &k->argv);
    if (!strcmp(key, "description"))
        return 0;
    char buf[80];
    return fail(c, e->line, "%sunknown key '%s'%s", where, key,
                suggest(key, component_keys, NCOMPONENT_KEYS, buf, sizeof buf));
}

static bool valid_id(const char *s)
{
    if (!*s || strlen(s) > 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return false;
    return s[0] != '.' && s[0] != '-';
}

static int check_component(Ctx *c, const char *where, AppComponent *k)
{
    if (!k->id)
        return fail(c, k->line, "[[component]] needs an 'id' (a name such as \"hello\")");
    if (!valid_id(k->id))
        return fail(c, k->line, "%sthe id may hold only letters, digits, '-', '_' and '.'", where);
    if (!k->route == !k->command)
        return fail(c, k->line, "%sneeds either route = \"/path\" (an HTTP handler) or command "
                                "= true (a program run from the command line)",
                    where);
    if (k->route && k->route[0] != '/')
        return fail(c, k->line, "%sthe route '%s' must start with '/'", where, k->route);
    if (!k->wasm)
        return fail(c, k->line, "%sneeds 'wasm', the module its build writes (e.g. "
                                "\"target/%s.wasm\")",
                    where, k->id);
    if (!k->language)
        return fail(c, k->line, "%sneeds a 'language' (c, rust, assemblyscript or wasm; see "
                                "corral help manifest)",
                    where);
    size_t l = 0;
    while (l < sizeof languages / sizeof languages[0] && strcmp(languages[l], k->language))
        l++;
    if (l == sizeof languages / sizeof languages[0]) {
        char known[120] = "";
        for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++)
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
                     languages[i]);
        return fail(c, k->line, "%sunknown language '%s' (known: %s)", where, k->language, known);
    }
    if (check_path(c, where, "wasm", k->line, k->wasm))
        return -1;
    for (size_t i = 0; i < k->files.n; i++) {
        struct stat sb;
        if (check_path(c, where, "files", k->line, k->files.v[i]))
            return -1;
        bool found = stat(k->files.v[i], &sb) == 0;
        if (!found || !S_ISDIR(sb.st_mode))
            return fail(c, k->line, "%s'files': '%s' %s (files lists directories of the app the "
                                    "module may read)",
                        where, k->files.v[i], found ? "is not a directory" : "does not exist");
    }
    for (size_t i = 0; i < k->sources.n; i++)
        if (check_path(c, where, "sources", k->line, k->sources.v[i]))
            return -1;
    if (!k->sources.n && !list_add(&k->sources, "src", 3))
        return fail(c, k->line, "out of memory");
    return 0;
}

static int read_component(Ctx *c, const TomlValue *t, AppComponent *k)
{
    k->line = toml_line(t);
    if (toml_kind(t) != TOML_TABLE)
        return fail(c, k->line, "'component' must be an array of tables: write [[component]]");
    const TomlValue *id = toml_table_get(t, "id");
    const char *s = NULL;
    size_t n = 0;
    char where[120] = "[[component]]: ";
    if (id && toml_as_string(id, &s, &n))
        snprintf(where, sizeof where, "component \"%.*s\": ", n > 64 ? 64 : (int)n, s);
    for (size_t i = 0; i < toml_table_len(t); i++)
        if (read_component_key(c, where, toml_table_entry(t, i), k))
            return -1;
    return check_component(c, where, k);
}

/* ---- the document ---- */

static const char *const top_keys[] = {"name", "version", "description", "authors", "component"};

static int read_root(Ctx *c, const TomlValue *root, AppManifest *m)
{
    const TomlValue *comps = NULL;
    uint32_t name_line = 1, version_line = 1;
    for (size_t i = 0; i < toml_table_len(root); i++) {
        const TomlEntry *e = toml_table_entry(root, i);
        int r = 0;
        if (!strcmp(e->key, "name"))
            r = get_string(c, "", e, &m->name), name_line = e->line;
        else if (!strcmp(e->key, "version"))
            r = get_string(c, "", e, &m->version), version_line = e->line;
        else if (!strcmp(e->key, "description"))
            r = get_string(c, "", e, &m->description);
        else if (!strcmp(e->key, "authors"))
            r = get_strings(c, "", e, &m->authors);
        else if (!strcmp(e->key, "component"))
            comps = e->value;
        else {
            char buf[80];
            return fail(c, e->line, "unknown top-level key '%s'%s", e->key,
                        suggest(e->key, top_keys, sizeof top_keys / sizeof top_keys[0], buf,
                                sizeof buf));
        }
        if (r)
            return r;
    }
    if (!m->name)
        return fail(c, 1, "the app needs a name (name = \"hello\")");
    if (!valid_id(m->name))
        return fail(c, name_line, "name '%s': use only letters, digits, '-', '_' and '.'",
                    m->name);
    if (!m->version)
        return fail(c, 1, "the app needs a version (version = \"0.1.0\")");
    SemVer sv;
    if (!semver_parse(m->version, strlen(m->version), &sv))
        return fail(c, version_line, "version '%s' is not a SemVer version such as 0.1.0",
                    m->version);
    if (!comps || toml_kind(comps) != TOML_ARRAY || toml_array_len(comps) == 0)
        return fail(c, 1, "no [[component]]: the app has nothing to build or run");
    size_t n = toml_array_len(comps);
    if (!(m->components = calloc(n, sizeof *m->components)))
        return fail(c, 1, "out of memory");
    for (size_t i = 0; i < n; i++) {
        m->ncomponents++;
        if (read_component(c, toml_array_at(comps, i), &m->components[i]))
            return -1;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(m->components[j].id, m->components[i].id))
                return fail(c, m->components[i].line,
                            "component \"%s\": a second component with this id (the first is "
                            "at line %u)",
                            m->components[i].id, (unsigned)m->components[j].line);
    }
    return 0;
}

int manifest_load(const char *path, AppManifest *out, char **out_err)
{
    memset(out, 0, sizeof *out);
    *out_err = NULL;
    uint8_t *text;
    size_t len;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *out_err = strf("%s: %s", path, strerror(errno));
        return -1;
    }
    fclose(f);
    if (!cli_read_file(path, &text, &len)) {
        *out_err = strf("%s: cannot be read", path);
        return -1;
    }
    TomlValue *root = NULL;
    TomlError terr;
    TomlStatus st = toml_parse((const char *)text, len, &root, &terr);
    free(text);
    if (st != TOML_OK) {
        *out_err = st == TOML_ERR_NOMEM ? strf("%s: out of memory", path)
                                        : strf("%s:%u:%u: %s", path, (unsigned)terr.line,
                                               (unsigned)terr.column, terr.message);
        return -1;
    }
    Ctx c = {path, NULL};
    out->file = strdup(path);
    int r = out->file ? read_root(&c, root, out) : fail(&c, 1, "out of memory");
    toml_free(root);
    if (r) {
        *out_err = c.err ? c.err : strf("%s: out of memory", path);
        manifest_free(out);
        return -1;
    }
    return 0;
}

void manifest_free(AppManifest *m)
{
    for (size_t i = 0; i < m->ncomponents; i++) {
        AppComponent *k = &m->components[i];
        free(k->id);
        free(k->route);
        free(k->language);
        free(k->build);
        free(k->wasm);
        free(k->entrypoint);
        free(k->argv);
        list_free(&k->sources);
        list_free(&k->files);
        list_free(&k->environment);
        list_free(&k->key_value_stores);
        list_free(&k->allowed_hosts);
    }
    free(m->components);
    free(m->file);
    free(m->name);
    free(m->version);
    free(m->description);
    list_free(&m->authors);
    memset(m, 0, sizeof *m);
}

/* ---- the gateway's configuration ---- */

static bool copy_list(const StrList *from, char ***to, size_t *n)
{
    *to = calloc(from->n ? from->n : 1, sizeof **to);
    if (!*to)
        return false;
    for (size_t i = 0; i < from->n; i++) {
        if (!((*to)[i] = strdup(from->v[i])))
            return false;
        (*n)++;
    }
    return true;
}

static bool module_from(const AppComponent *k, const char *dir, GwModuleConfig *g)
{
    g->line = k->line;
    g->route = strdup(k->route);
    g->module = strf("%s/%s", dir, k->wasm);
    g->path = strf("%s/%s", dir, k->wasm);
    g->entrypoint = strdup(k->entrypoint ? k->entrypoint : "_start");
    if (k->argv && !(g->argv = strdup(k->argv)))
        return false;
    g->volumes = calloc(k->files.n ? k->files.n : 1, sizeof *g->volumes);
    if (!g->route || !g->module || !g->path || !g->entrypoint || !g->volumes)
        return false;
    for (size_t i = 0; i < k->files.n; i++) {
        GwVolume *v = &g->volumes[g->nvolumes++];
        v->guest = strf("/%s", k->files.v[i]);
        v->host = strf("%s/%s", dir, k->files.v[i]);
        v->readonly = true;
        if (!v->guest || !v->host)
            return false;
    }
    g->allowed_hosts_line = k->hosts_line;
    g->key_value_stores_line = k->kv_line;
    return copy_list(&k->environment, &g->environment, &g->nenvironment) &&
           copy_list(&k->allowed_hosts, &g->allowed_hosts, &g->nallowed_hosts) &&
           copy_list(&k->key_value_stores, &g->key_value_stores, &g->nkey_value_stores);
}

int manifest_gw_config(const AppManifest *m, const char *dir, GwConfig *out, char **out_err)
{
    memset(out, 0, sizeof *out);
    size_t n = 0;
    for (size_t i = 0; i < m->ncomponents; i++)
        n += m->components[i].route != NULL;
    if (!n) {
        *out_err = strf("%s: no component has a route: nothing to serve over HTTP", m->file);
        return -1;
    }
    out->file = strdup(m->file);
    out->modules = calloc(n, sizeof *out->modules);
    bool ok = out->file && out->modules;
    for (size_t i = 0; ok && i < m->ncomponents; i++)
        if (m->components[i].route)
            ok = module_from(&m->components[i], dir, &out->modules[out->nmodules++]);
    if (!ok) {
        gw_config_free(out);
        *out_err = strf("out of memory");
        return -1;
    }
    return 0;
}

bool manifest_enter(const char *cmd, const char *given, char **out_dir)
{
    const char *path = given ? given : MANIFEST_FILE;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        char cwd[PATH_MAX];
        if (given)
            cli_error("%s: %s: %s", cmd, given, strerror(errno));
        else
            cli_error("%s: no corral.toml in %s: run this in an app's directory (corral new "
                      "TEMPLATE NAME makes one; corral templates lists them), or name the "
                      "manifest with -f FILE",
                      cmd, getcwd(cwd, sizeof cwd) ? cwd : ".");
        return false;
    }
    if (given) {
        char *copy = strdup(given);
        char *slash = copy ? strrchr(copy, '/') : NULL;
        if (slash) {
            *slash = '\0';
            if (chdir(*copy ? copy : "/") != 0) {
                cli_error("%s: %s: %s", cmd, copy, strerror(errno));
                free(copy);
                return false;
            }
        }
        if (copy && strcmp(slash ? slash + 1 : copy, MANIFEST_FILE) != 0) {
            cli_error("%s: %s: the manifest must be named corral.toml", cmd, given);
            free(copy);
            return false;
        }
        free(copy);
    }
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd) || !(*out_dir = strdup(cwd))) {
        cli_error("%s: cannot tell the current directory: %s", cmd, strerror(errno));
        return false;
    }
    return true;
}

const char manifest_help[] =
    "corral.toml: the app manifest of corral new, build, up, push and deploy\n"
    "\n"
    "  name = \"hello\"             The app's name: letters, digits, '-', '_', '.' (required)\n"
    "  version = \"0.1.0\"          Its SemVer version (required); name/version is the\n"
    "                             bindle corral push makes\n"
    "  description = \"...\"        One line about it\n"
    "  authors = [\"Ann <a@x>\"]\n"
    "\n"
    "  [[component]]              One per module, in the order routes are matched:\n"
    "  id = \"hello\"               Its name, unique in the app (required)\n"
    "  route = \"/hello\"           An HTTP handler's route (\"/api/...\": a prefix), WAGI\n"
    "                             style: the request in CGI variables, the response on stdout\n"
    "  command = true             ... or a command, which corral up runs (ARGS after --)\n"
    "  language = \"c\"             c, rust, assemblyscript, or wasm (prebuilt, no build)\n"
    "  build = \"clang ...\"        A shell command run in the app's directory, with the\n"
    "                             language's toolchain first on PATH\n"
    "  wasm = \"target/hello.wasm\" The module the build writes (required)\n"
    "  sources = [\"src\"]          Files and directories whose change calls for a build\n"
    "                             (default [\"src\"]; corral.toml itself always counts)\n"
    "  files = [\"static\"]         Directories of the app the module may read, preopened\n"
    "                             read-only at /static; pushed as the bindle's assets\n"
    "  environment = { NAME = \"value\" }   Variables for this component alone\n"
    "  key_value_stores = [\"default\"]    The key-value stores it may open\n"
    "  allowed_hosts = [\"https://api.example.com\"]  Origins it may send HTTP requests to\n"
    "  entrypoint = \"_start\"      The export a request calls (default _start)\n"
    "  argv = \"...\"               WAGI's argv template\n"
    "\n"
    "Every key not listed is an error naming its line (corral.toml:7: component \"hello\":\n"
    "unknown key 'rout' (did you mean 'route'?)). Paths are relative to the manifest's\n"
    "directory and may not leave it. modules.toml, the gateway's own file, stays what\n"
    "corral serve -c reads; corral up makes the same configuration from corral.toml.\n";
