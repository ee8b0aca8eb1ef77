/* host_link.c: the import loop shared by src/host's linkers, the import type check, and the
 * functions that stand in for unknown imports (host_link.h). */
#include "host/host_link.h"
#include "util/strf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_empty(const corral_extern_t *e)
{
    return e->kind == CORRAL_EXTERN_FUNC && e->of.func == NULL;
}

static bool named(const corral_extern_desc_t *d, const char *module)
{
    return d->module_len == strlen(module) && !memcmp(d->module, module, d->module_len);
}

bool host_link_each(corral_store_t *store, const corral_module_t *module, corral_extern_t *imports,
                    size_t nimports, const char *from, const char *except, HostMakeFunc make,
                    void *ud, char **out_err)
{
    *out_err = NULL;
    size_t n = corral_module_import_count(module);
    if (nimports < n) {
        *out_err = strf("unknown import: %zu imports given, the module has %zu", nimports, n);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_empty(&imports[i]))
            continue;
        corral_extern_desc_t d;
        corral_module_import(module, i, &d);
        if (from ? !named(&d, from) : except && named(&d, except))
            continue;
        corral_func_t *f = make(ud, store, &d, out_err);
        if (!f)
            return false;
        imports[i] = (corral_extern_t){.kind = CORRAL_EXTERN_FUNC, .of.func = f};
    }
    return true;
}

static const char *kind_name(corral_externkind_t k)
{
    static const char *const names[] = {"a function", "a table", "a memory", "a global"};
    return names[k & 3];
}

bool host_link_type_ok(const corral_extern_desc_t *d, const corral_functype_t *want)
{
    return d->kind == CORRAL_EXTERN_FUNC && corral_functype_equal(want, d->functype);
}

char *host_link_type_error(const corral_extern_desc_t *d, const corral_functype_t *want)
{
    if (host_link_type_ok(d, want))
        return NULL;
    char expects[200], declares[200];
    corral_functype_format(want, expects, sizeof expects);
    if (d->kind == CORRAL_EXTERN_FUNC)
        corral_functype_format(d->functype, declares, sizeof declares);
    else
        snprintf(declares, sizeof declares, "%s", kind_name(d->kind));
    return strf("incompatible import type for %.*s::%.*s: expects %s, the module declares %s",
                (int)d->module_len, d->module, (int)d->name_len, d->name, expects, declares);
}

/* ---- stand-ins for unknown imports ---- */

static const char *const policy_names[] = {
    [HOST_UNKNOWN_ERROR] = "error",
    [HOST_UNKNOWN_TRAP] = "trap",
    [HOST_UNKNOWN_DEFAULT] = "default",
};

const char *host_unknown_imports_name(HostUnknownImports policy)
{
    return (unsigned)policy < 3 ? policy_names[policy] : "?";
}

bool host_unknown_imports_parse(const char *name, HostUnknownImports *out)
{
    for (unsigned i = 0; i < 3; i++)
        if (!strcmp(name, policy_names[i])) {
            *out = (HostUnknownImports)i;
            return true;
        }
    return false;
}

/* A trapping stand-in's env: the trap message, made once at link time. */
static corral_trap_t *trap_stub(void *env, corral_caller_t *caller, const corral_val_t *args,
                                corral_val_t *results)
{
    return corral_trap_new(env);
}

/* A default stand-in's env: its result kinds. */
typedef struct Zeros {
    size_t n;
    corral_valkind_t kinds[];
} Zeros;

static corral_trap_t *zero_stub(void *env, corral_caller_t *caller, const corral_val_t *args,
                                corral_val_t *results)
{
    const Zeros *z = env;
    for (size_t i = 0; i < z->n; i++)
        results[i] = (corral_val_t){.kind = z->kinds[i]}; /* all bits 0: 0, +0.0, null */
    return NULL;
}

static corral_func_t *make_stub(void *ud, corral_store_t *store, const corral_extern_desc_t *d,
                                char **out_err)
{
    const HostUnknownImports *policy = ud;
    if (d->kind != CORRAL_EXTERN_FUNC) {
        *out_err =
            strf("unknown import %.*s::%.*s (%s): only a function can stand in for an "
                 "unknown import",
                 (int)d->module_len, d->module, (int)d->name_len, d->name, kind_name(d->kind));
        return NULL;
    }
    void *env;
    corral_host_fn fn;
    if (*policy == HOST_UNKNOWN_TRAP) {
        env = strf("unknown import %.*s::%.*s was called", (int)d->module_len, d->module,
                   (int)d->name_len, d->name);
        fn = trap_stub;
    } else {
        size_t n = corral_functype_result_count(d->functype);
        Zeros *z = malloc(sizeof *z + n * sizeof z->kinds[0]);
        if (z) {
            z->n = n;
            for (size_t i = 0; i < n; i++)
                z->kinds[i] = corral_functype_result(d->functype, i);
        }
        env = z;
        fn = zero_stub;
    }
    corral_func_t *f = env ? corral_func_new(store, d->functype, fn, env, free) : NULL;
    if (!f)
        free(env);
    return f;
}

bool host_link_unknown(corral_store_t *store, const corral_module_t *module,
                       corral_extern_t *imports, size_t nimports, HostUnknownImports policy,
                       const char *except, char **out_err)
{
    *out_err = NULL;
    if (policy == HOST_UNKNOWN_ERROR)
        return true;
    return host_link_each(store, module, imports, nimports, NULL, except, make_stub, &policy,
                          out_err);
}
