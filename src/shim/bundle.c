/* bundle.c: reads an OCI bundle's config.json (the runtime spec) into a Bundle: the process
 * (args, env, cwd), the root, the bind mounts a guest sees, the memory limit, the image
 * annotation and the network namespace. It only reads: nothing is mounted or opened here. */
#include "shim/shim_int.h"
#include "util/strf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Types of mounts[] that are the kernel's own file systems, not content for the guest. */
static const char *const skipped_types[] = {"proc",   "sysfs",  "tmpfs",  "devpts",
                                            "mqueue", "cgroup", "cgroup2"};

void bundle_free(Bundle *b)
{
    for (size_t i = 0; b->args && b->args[i]; i++)
        free(b->args[i]);
    for (size_t i = 0; b->env && b->env[i]; i++)
        free(b->env[i]);
    for (size_t i = 0; i < b->nmounts; i++) {
        free(b->mounts[i].destination);
        free(b->mounts[i].source);
    }
    free(b->args);
    free(b->env);
    free(b->mounts);
    free(b->cwd);
    free(b->root);
    free(b->image);
    free(b->netns);
    memset(b, 0, sizeof *b);
}

const char *bundle_getenv(const Bundle *b, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < b->nenv; i++)
        if (!strncmp(b->env[i], name, len) && b->env[i][len] == '=')
            return b->env[i] + len + 1;
    return NULL;
}

/* A string array at key of obj into *out (NULL-terminated) and *out_n; an absent key is an
 * empty array. */
static int read_strings(json_t *obj, const char *key, const char *what, char ***out, size_t *out_n,
                        char **out_err)
{
    json_t *a = json_object_get(obj, key);
    *out_n = 0;
    if (a && !json_is_array(a))
        return shim_fail(out_err, SHIM_INVALID_ARGUMENT, "config.json: %s is not an array", what);
    size_t n = a ? json_array_size(a) : 0;
    if (!(*out = calloc(n + 1, sizeof **out)))
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (!s)
            return shim_fail(out_err, SHIM_INVALID_ARGUMENT, "config.json: %s[%zu] is not a string",
                             what, i);
        if (!((*out)[i] = strdup(s)))
            return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
        *out_n = i + 1;
    }
    return SHIM_OK;
}

/* A string member, copied; def (may be NULL) when absent. */
static int read_string(json_t *obj, const char *key, const char *what, const char *def, char **out,
                       char **out_err)
{
    json_t *v = json_object_get(obj, key);
    if (v && !json_is_string(v))
        return shim_fail(out_err, SHIM_INVALID_ARGUMENT, "config.json: %s is not a string", what);
    const char *s = v ? json_string_value(v) : def;
    if (s && !(*out = strdup(s)))
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    return SHIM_OK;
}

static bool has_option(json_t *m, const char *opt)
{
    json_t *opts = json_object_get(m, "options");
    for (size_t i = 0; i < json_array_size(opts); i++) {
        const char *s = json_string_value(json_array_get(opts, i));
        if (s && !strcmp(s, opt))
            return true;
    }
    return false;
}

/* Whether mount m of mounts[] is a bind of a host directory the guest should see. Kernel
 * file systems are skipped, and so are binds of files (CRI's /etc/hosts, resolv.conf,
 * termination-log): a WASI preopen is a directory. */
static bool is_guest_bind(json_t *m)
{
    const char *type = json_string_value(json_object_get(m, "type"));
    const char *src = json_string_value(json_object_get(m, "source"));
    for (size_t i = 0; type && i < sizeof skipped_types / sizeof *skipped_types; i++)
        if (!strcmp(type, skipped_types[i]))
            return false;
    bool bind = (type && !strcmp(type, "bind")) || has_option(m, "bind") || has_option(m, "rbind");
    struct stat st;
    if (!bind || !src || !json_string_value(json_object_get(m, "destination")))
        return false;
    if (stat(src, &st) != 0 || !S_ISDIR(st.st_mode)) {
        shim_note("config.json: mount %s is not a directory: not given to the guest", src);
        return false;
    }
    return true;
}

static int read_mounts(json_t *root, Bundle *b, char **out_err)
{
    json_t *ms = json_object_get(root, "mounts");
    if (ms && !json_is_array(ms))
        return shim_fail(out_err, SHIM_INVALID_ARGUMENT, "config.json: mounts is not an array");
    size_t n = json_array_size(ms);
    if (!(b->mounts = calloc(n + 1, sizeof *b->mounts)))
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *m = json_array_get(ms, i);
        if (!json_is_object(m))
            return shim_fail(out_err, SHIM_INVALID_ARGUMENT,
                             "config.json: mounts[%zu] is not an object", i);
        if (!is_guest_bind(m))
            continue;
        BundleMount *bm = &b->mounts[b->nmounts++];
        bm->destination = strdup(json_string_value(json_object_get(m, "destination")));
        bm->source = strdup(json_string_value(json_object_get(m, "source")));
        bm->readonly = has_option(m, "ro");
        if (!bm->destination || !bm->source)
            return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
        if (bm->destination[0] != '/')
            return shim_fail(out_err, SHIM_INVALID_ARGUMENT,
                             "config.json: mounts[%zu].destination '%s' is not absolute", i,
                             bm->destination);
    }
    return SHIM_OK;
}

static int read_linux(json_t *root, Bundle *b, char **out_err)
{
    json_t *lx = json_object_get(root, "linux");
    json_t *limit =
        json_object_get(json_object_get(json_object_get(lx, "resources"), "memory"), "limit");
    if (limit && !json_is_null(limit)) {
        if (!json_is_integer(limit))
            return shim_fail(out_err, SHIM_INVALID_ARGUMENT,
                             "config.json: linux.resources.memory.limit is not an integer");
        json_int_t v = json_integer_value(limit);
        b->memory_limit = v > 0 ? (uint64_t)v : 0; /* -1 (and 0): unlimited, as runc reads it */
    }
    json_t *nss = json_object_get(lx, "namespaces");
    for (size_t i = 0; i < json_array_size(nss); i++) {
        json_t *ns = json_array_get(nss, i);
        const char *type = json_string_value(json_object_get(ns, "type"));
        const char *path = json_string_value(json_object_get(ns, "path"));
        if (!type || strcmp(type, "network") != 0)
            continue;
        if (!path || !*path)
            b->new_netns = true;
        else if (!(b->netns = strdup(path)))
            return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    }
    return SHIM_OK;
}

static int read_annotations(json_t *root, Bundle *b, char **out_err)
{
    json_t *an = json_object_get(root, "annotations");
    const char *image = json_string_value(json_object_get(an, "io.corral.image"));
    if (!image)
        image = json_string_value(json_object_get(an, "io.kubernetes.cri.image-name"));
    if (image && !(b->image = strdup(image)))
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    const char *type = json_string_value(json_object_get(an, "io.kubernetes.cri.container-type"));
    b->sandbox = type && !strcmp(type, "sandbox");
    return SHIM_OK;
}

static int read_spec(json_t *root, Bundle *b, char **out_err)
{
    int rc;
    if (!json_is_object(root))
        return shim_fail(out_err, SHIM_INVALID_ARGUMENT, "config.json: not a JSON object");
    json_t *proc = json_object_get(root, "process");
    if (!json_is_object(proc))
        return shim_fail(out_err, SHIM_INVALID_ARGUMENT,
                         "config.json: no process object: nothing to run");
    if ((rc = read_strings(proc, "args", "process.args", &b->args, &b->nargs, out_err)) ||
        (rc = read_strings(proc, "env", "process.env", &b->env, &b->nenv, out_err)) ||
        (rc = read_string(proc, "cwd", "process.cwd", "/", &b->cwd, out_err)))
        return rc;
    if (proc && json_is_true(json_object_get(proc, "terminal")))
        shim_note("config.json: process.terminal is set; the guest gets no terminal");
    json_t *r = json_object_get(root, "root");
    if (r && !json_is_object(r))
        return shim_fail(out_err, SHIM_INVALID_ARGUMENT, "config.json: root is not an object");
    if ((rc = read_string(r, "path", "root.path", "rootfs", &b->root, out_err)))
        return rc;
    if (!b->root[0])
        return shim_fail(out_err, SHIM_INVALID_ARGUMENT, "config.json: root.path is empty");
    b->root_readonly = json_is_true(json_object_get(r, "readonly"));
    if ((rc = read_mounts(root, b, out_err)) || (rc = read_linux(root, b, out_err)))
        return rc;
    return read_annotations(root, b, out_err);
}

int bundle_read(const char *dir, Bundle *out, char **out_err)
{
    memset(out, 0, sizeof *out);
    char *path = strf("%s/config.json", dir);
    if (!path)
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    free(path);
    if (!root) {
        /* jansson reports a missing file as line -1 with the errno text. */
        if (jerr.line < 0)
            return shim_fail(out_err, SHIM_FAILED_PRECONDITION, "config.json: %s", jerr.text);
        return shim_fail(out_err, SHIM_INVALID_ARGUMENT, "config.json: line %d: %s", jerr.line,
                         jerr.text);
    }
    int rc = read_spec(root, out, out_err);
    json_decref(root);
    return rc;
}
