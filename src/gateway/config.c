/* config.c: modules.toml (config.h). The document is parsed by Corral's TOML parser
 * (src/util/toml.h); this file checks its shape and copies what the gateway needs. */
#include "gateway/config.h"

#include "util/toml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A reader's context: the file name for messages and the first error. */
typedef struct Ctx {
    const char *file;
    char *err;
    GwConfig *cfg;
} Ctx;

static int fail(Ctx *c, uint32_t line, const char *fmt, ...)
{
    if (c->err)
        return -1;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t n = strlen(c->file) + strlen(msg) + 32;
    c->err = malloc(n);
    if (c->err)
        snprintf(c->err, n, "%s:%u: %s", c->file, (unsigned)line, msg);
    return -1;
}

static void warn(Ctx *c, uint32_t line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char **w = realloc(c->cfg->warnings, (c->cfg->nwarnings + 1) * sizeof *w);
    if (!w)
        return;
    c->cfg->warnings = w;
    size_t n = strlen(c->file) + strlen(msg) + 32;
    char *s = malloc(n);
    if (!s)
        return;
    snprintf(s, n, "%s:%u: %s", c->file, (unsigned)line, msg);
    w[c->cfg->nwarnings++] = s;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* The string value of entry e, copied; NULL (with the error set) when it is not a string or
 * holds a NUL byte. */
static char *get_string(Ctx *c, const TomlEntry *e)
{
    const char *s;
    size_t n;
    if (!toml_as_string(e->value, &s, &n)) {
        fail(c, e->line, "'%s' must be a string, not %s", e->key,
             toml_kind_name(toml_kind(e->value)));
        return NULL;
    }
    if (memchr(s, '\0', n)) {
        fail(c, e->line, "'%s' must not contain a NUL character", e->key);
        return NULL;
    }
    char *d = dup_n(s, n);
    if (!d)
        fail(c, e->line, "out of memory");
    return d;
}

/* ---- module references ----------------------------------------------------------------- */

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Length of the URL scheme that starts ref ("file" in "file:///x"), 0 when ref is not a URL
 * (WAGI then takes it as a path). */
static size_t scheme_len(const char *ref)
{
    size_t i = 0;
    if (!((ref[0] | 0x20) >= 'a' && (ref[0] | 0x20) <= 'z'))
        return 0;
    while (ref[i] && (((ref[i] | 0x20) >= 'a' && (ref[i] | 0x20) <= 'z') ||
                      (ref[i] >= '0' && ref[i] <= '9') || ref[i] == '+' || ref[i] == '-' ||
                      ref[i] == '.'))
        i++;
    return ref[i] == ':' && i > 1 ? i : 0; /* one letter would be a drive, not a scheme */
}

/* Sets m->path from m->module: a path as is, or a file: URL's path (percent-decoded). */
static int resolve_module(Ctx *c, GwModuleConfig *m, uint32_t line)
{
    const char *ref = m->module;
    size_t sl = scheme_len(ref);
    if (sl == 0) {
        m->path = dup_n(ref, strlen(ref));
        return m->path ? 0 : fail(c, line, "out of memory");
    }
    if (sl == 3 && strncmp(ref, "oci", 3) == 0) {
        m->source = GW_SOURCE_OCI;
        return 0;
    }
    if (sl == 6 && strncmp(ref, "bindle", 6) == 0) {
        m->source = GW_SOURCE_BINDLE;
        return 0;
    }
    if (!(sl == 4 && strncmp(ref, "file", 4) == 0))
        return fail(c, line, "Unknown scheme %.*s in module reference %s", (int)sl, ref, ref);
    const char *p = ref + 5;
    if (strncmp(p, "//", 2) == 0) {
        p += 2;
        if (strncmp(p, "localhost/", 10) == 0)
            p += 9;
        else if (*p != '/')
            return fail(c, line, "module '%s': a file: URL must name a local path", ref);
    }
    size_t n = strlen(p);
    char *path = malloc(n + 1), *o = path;
    if (!path)
        return fail(c, line, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (p[i] == '%' && i + 2 < n && (h = hexval(p[i + 1])) >= 0 &&
            (l = hexval(p[i + 2])) >= 0 && (h | l) != 0) {
            *o++ = (char)(h * 16 + l);
            i += 2;
        } else {
            *o++ = p[i];
        }
    }
    *o = '\0';
    m->path = path;
    return 0;
}

/* ---- one [[module]] --------------------------------------------------------------------- */

static int read_volumes(Ctx *c, GwModuleConfig *m, const TomlEntry *e)
{
    if (toml_kind(e->value) != TOML_TABLE)
        return fail(c, e->line, "'volumes' must be a table of \"guest path\" = \"host path\"");
    size_t n = toml_table_len(e->value);
    m->volumes = calloc(n ? n : 1, sizeof *m->volumes);
    if (!m->volumes)
        return fail(c, e->line, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const TomlEntry *v = toml_table_entry(e->value, i);
        char *host = get_string(c, v);
        if (!host)
            return -1;
        m->volumes[m->nvolumes].host = host;
        m->volumes[m->nvolumes].guest = dup_n(v->key, v->key_len);
        m->nvolumes++;
        if (!m->volumes[m->nvolumes - 1].guest)
            return fail(c, v->line, "out of memory");
        if (v->key_len == 0 || memchr(v->key, '\0', v->key_len))
            return fail(c, v->line, "a volume's guest path must be a non-empty path");
    }
    return 0;
}

static int read_environment(Ctx *c, GwModuleConfig *m, const TomlEntry *e)
{
    if (toml_kind(e->value) != TOML_TABLE)
        return fail(c, e->line, "'environment' must be a table of NAME = \"value\"");
    size_t n = toml_table_len(e->value);
    m->environment = calloc(n ? n : 1, sizeof *m->environment);
    if (!m->environment)
        return fail(c, e->line, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const TomlEntry *v = toml_table_entry(e->value, i);
        if (v->key_len == 0 || memchr(v->key, '=', v->key_len) || memchr(v->key, '\0', v->key_len))
            return fail(c, v->line, "environment variable name '%s' is empty or holds '='",
                        v->key);
        char *val = get_string(c, v);
        if (!val)
            return -1;
        size_t len = v->key_len + 1 + strlen(val);
        char *kv = malloc(len + 1);
        if (!kv) {
            free(val);
            return fail(c, v->line, "out of memory");
        }
        snprintf(kv, len + 1, "%s=%s", v->key, val);
        free(val);
        m->environment[m->nenvironment++] = kv;
    }
    return 0;
}

/* An array of strings (allowed_hosts, key_value_stores) into *out, *n (TOML allows a key
 * once per table, so they start empty). */
static int read_strings(Ctx *c, const TomlEntry *e, char ***out, size_t *n)
{
    if (toml_kind(e->value) != TOML_ARRAY)
        return fail(c, e->line, "'%s' must be an array of strings", e->key);
    size_t len = toml_array_len(e->value);
    if (!(*out = calloc(len ? len : 1, sizeof **out)))
        return fail(c, e->line, "out of memory");
    for (size_t i = 0; i < len; i++) {
        const char *s;
        size_t slen;
        if (!toml_as_string(toml_array_at(e->value, i), &s, &slen) || memchr(s, '\0', slen))
            return fail(c, e->line, "'%s' must be an array of strings", e->key);
        if (!((*out)[(*n)++] = dup_n(s, slen)))
            return fail(c, e->line, "out of memory");
    }
    return 0;
}

static int read_allowed_hosts(Ctx *c, GwModuleConfig *m, const TomlEntry *e)
{
    m->allowed_hosts_line = e->line;
    return read_strings(c, e, &m->allowed_hosts, &m->nallowed_hosts);
}

/* Spin's grants: store names, each non-empty. Whether a store of that name is configured is
 * the app's check (it knows the runtime configuration). */
static int read_key_value_stores(Ctx *c, GwModuleConfig *m, const TomlEntry *e)
{
    m->key_value_stores_line = e->line;
    if (read_strings(c, e, &m->key_value_stores, &m->nkey_value_stores) != 0)
        return -1;
    for (size_t i = 0; i < m->nkey_value_stores; i++)
        if (!m->key_value_stores[i][0])
            return fail(c, e->line, "'key_value_stores' holds an empty store name");
    return 0;
}

static int read_max_concurrency(Ctx *c, GwModuleConfig *m, const TomlEntry *e)
{
    int64_t v;
    if (!toml_as_int(e->value, &v) || v < 1 || v > UINT32_MAX)
        return fail(c, e->line, "'http_max_concurrency' must be an integer from 1 to %u",
                    (unsigned)UINT32_MAX);
    m->http_max_concurrency = (uint32_t)v;
    return 0;
}

/* What stands in for the imports nobody provides: "error" (none), "trap" or "default". */
static int read_unknown_imports(Ctx *c, GwModuleConfig *m, const TomlEntry *e)
{
    const char *s;
    size_t len;
    if (!toml_as_string(e->value, &s, &len) || strlen(s) != len ||
        !host_unknown_imports_parse(s, &m->unknown_imports))
        return fail(c, e->line, "'unknown_imports' must be \"error\", \"trap\" or \"default\"");
    m->has_unknown_imports = true;
    return 0;
}

/* The keys of a [[module]]: what each is read into. */
typedef enum {
    K_STRING,
    K_VOLUMES,
    K_ENV,
    K_HOSTS,
    K_CONCURRENCY,
    K_STORES,
    K_UNKNOWN,
} KeyKind;
static const struct {
    const char *name;
    KeyKind kind;
    size_t field; /* K_STRING: offset of the char * in GwModuleConfig */
} module_keys[] = {
    {"route", K_STRING, offsetof(GwModuleConfig, route)},
    {"module", K_STRING, offsetof(GwModuleConfig, module)},
    {"entrypoint", K_STRING, offsetof(GwModuleConfig, entrypoint)},
    {"argv", K_STRING, offsetof(GwModuleConfig, argv)},
    {"volumes", K_VOLUMES, 0},
    {"environment", K_ENV, 0},
    {"allowed_hosts", K_HOSTS, 0},
    {"http_max_concurrency", K_CONCURRENCY, 0},
    {"key_value_stores", K_STORES, 0},
    {"unknown_imports", K_UNKNOWN, 0},
    {"bindle_server", K_STRING, offsetof(GwModuleConfig, bindle_server)}, /* bindle: refs */
};

static int read_key(Ctx *c, GwModuleConfig *m, const TomlEntry *e)
{
    for (size_t k = 0; k < sizeof module_keys / sizeof module_keys[0]; k++) {
        if (strlen(module_keys[k].name) != e->key_len ||
            memcmp(module_keys[k].name, e->key, e->key_len) != 0)
            continue;
        switch (module_keys[k].kind) {
        case K_STRING: {
            char **field = (char **)(void *)((char *)m + module_keys[k].field);
            free(*field);
            *field = get_string(c, e);
            return *field ? 0 : -1;
        }
        case K_VOLUMES: return read_volumes(c, m, e);
        case K_ENV: return read_environment(c, m, e);
        case K_HOSTS: return read_allowed_hosts(c, m, e);
        case K_CONCURRENCY: return read_max_concurrency(c, m, e);
        case K_STORES: return read_key_value_stores(c, m, e);
        case K_UNKNOWN: return read_unknown_imports(c, m, e);
        }
    }
    warn(c, e->line, "unknown key '%s' in [[module]] (ignored)", e->key);
    return 0;
}

static int read_module(Ctx *c, const TomlValue *t, GwModuleConfig *m)
{
    m->line = toml_line(t);
    if (toml_kind(t) != TOML_TABLE)
        return fail(c, m->line, "'module' must be an array of tables: write [[module]]");
    for (size_t i = 0; i < toml_table_len(t); i++)
        if (read_key(c, m, toml_table_entry(t, i)) != 0)
            return -1;
    if (!m->route)
        return fail(c, m->line, "[[module]] needs a 'route'");
    if (!m->module)
        return fail(c, m->line, "[[module]] for route '%s' needs a 'module'", m->route);
    if (!m->entrypoint && !(m->entrypoint = dup_n("_start", 6)))
        return fail(c, m->line, "out of memory");
    if (resolve_module(c, m, m->line) != 0)
        return -1;
    if (m->bindle_server && m->source != GW_SOURCE_BINDLE)
        warn(c, m->line, "'bindle_server' is read only for bindle: module references (ignored)");
    return 0;
}

static int read_root(Ctx *c, const TomlValue *root)
{
    const TomlValue *mods = NULL;
    for (size_t i = 0; i < toml_table_len(root); i++) {
        const TomlEntry *e = toml_table_entry(root, i);
        if (e->key_len == 6 && memcmp(e->key, "module", 6) == 0)
            mods = e->value;
        else
            warn(c, e->line, "unknown top-level key '%s' (ignored)", e->key);
    }
    if (!mods || toml_kind(mods) != TOML_ARRAY || toml_array_len(mods) == 0)
        return fail(c, 1, "no [[module]] entries: nothing to serve");
    size_t n = toml_array_len(mods);
    c->cfg->modules = calloc(n, sizeof *c->cfg->modules);
    if (!c->cfg->modules)
        return fail(c, 1, "out of memory");
    for (size_t i = 0; i < n; i++) {
        c->cfg->nmodules++;
        if (read_module(c, toml_array_at(mods, i), &c->cfg->modules[i]) != 0)
            return -1;
    }
    return 0;
}

static char *read_all(const char *path, size_t *len, char **out_err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (f) {
        for (;;) {
            if (n == cap) {
                char *b = realloc(buf, cap = cap ? cap * 2 : 4096);
                if (!b)
                    break;
                buf = b;
            }
            size_t r = fread(buf + n, 1, cap - n, f);
            n += r;
            if (r == 0)
                break;
        }
        if (ferror(f) || n == cap) {
            free(buf);
            buf = NULL;
        }
        fclose(f);
    }
    if (!buf) {
        const char *why = errno ? strerror(errno) : "read error";
        size_t m = strlen(path) + strlen(why) + 64;
        *out_err = malloc(m);
        if (*out_err)
            snprintf(*out_err, m, "cannot read module file %s: %s", path, why);
        return NULL;
    }
    *len = n;
    return buf;
}

int gw_config_load(const char *path, GwConfig *out, char **out_err)
{
    memset(out, 0, sizeof *out);
    *out_err = NULL;
    errno = 0;
    size_t len = 0;
    char *text = read_all(path, &len, out_err);
    if (!text)
        return -1;
    TomlValue *root = NULL;
    TomlError terr;
    TomlStatus st = toml_parse(text, len, &root, &terr);
    free(text);
    Ctx c = {path, NULL, out};
    if (st != TOML_OK) {
        size_t m = strlen(path) + sizeof terr.message + 64;
        *out_err = malloc(m);
        if (*out_err) {
            if (st == TOML_ERR_NOMEM)
                snprintf(*out_err, m, "%s: out of memory", path);
            else
                snprintf(*out_err, m, "%s:%u:%u: %s", path, (unsigned)terr.line,
                         (unsigned)terr.column, terr.message);
        }
        return -1;
    }
    out->file = dup_n(path, strlen(path));
    int r = out->file ? read_root(&c, root) : fail(&c, 1, "out of memory");
    toml_free(root);
    if (r != 0) {
        *out_err = c.err;
        gw_config_free(out);
        return -1;
    }
    return 0;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void gw_config_free(GwConfig *cfg)
{
    for (size_t i = 0; i < cfg->nmodules; i++) {
        GwModuleConfig *m = &cfg->modules[i];
        free(m->route);
        free(m->module);
        free(m->path);
        free(m->sha256);
        free(m->bindle_server);
        free(m->where);
        free(m->entrypoint);
        free(m->argv);
        for (size_t v = 0; v < m->nvolumes; v++) {
            free(m->volumes[v].guest);
            free(m->volumes[v].host);
        }
        free(m->volumes);
        free_list(m->environment, m->nenvironment);
        free_list(m->allowed_hosts, m->nallowed_hosts);
        free_list(m->key_value_stores, m->nkey_value_stores);
    }
    free(cfg->modules);
    free_list(cfg->warnings, cfg->nwarnings);
    free(cfg->file);
    memset(cfg, 0, sizeof *cfg);
}

const char *gw_module_where(const GwConfig *cfg, const GwModuleConfig *m, uint32_t line,
                            char *buf, size_t size)
{
    if (m->where)
        snprintf(buf, size, "%s", m->where);
    else
        snprintf(buf, size, "%s:%u", cfg->file, (unsigned)(line ? line : m->line));
    return buf;
}

char *gw_strndup(const char *s, size_t n)
{
    return dup_n(s, n);
}
