/* fetch_oci.c: `module = "oci:..."` in modules.toml (WAGI's oci:NAME:TAG and
 * oci://HOST[:PORT]/NAME:TAG). The module is pulled with src/oci (every manifest and blob
 * checked against its digest; with a keyring, the manifest's signature before any blob) into
 * WAGI's cache file, <module-cache>/<sha256 of the reference>. Beside it,
 * <sha256 of the reference>.digest records the manifest's digest and the module's SHA-256;
 * the next start uses the file again only when its bytes still have that SHA-256 and, with a
 * keyring, when the registry still names that manifest for the reference and its signature
 * still verifies with the keyring of this start. */
#include "gateway/fetch_int.h"

#include "util/strf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* What <key>.digest records. */
typedef struct Recorded {
    char manifest[80]; /* "sha256:HEX" */
    char module[MODCACHE_HEX];
} Recorded;

static bool read_record(const char *path, Recorded *r)
{
    FILE *in = fopen(path, "r");
    if (!in)
        return false;
    bool ok = fscanf(in, "manifest %79s module %64s", r->manifest, r->module) == 2 &&
              strlen(r->module) == 64 && strncmp(r->manifest, "sha256:", 7) == 0;
    fclose(in);
    return ok;
}

static bool write_record(const char *path, const char *manifest, const char *module, char **out_err)
{
    ModCacheWriter w;
    if (!modcache_begin(&w, path, out_err))
        return false;
    if (fprintf(w.f, "manifest %s\nmodule %s\n", manifest, module) < 0) {
        *out_err = strf("cannot write %s: %s", w.tmp_path, strerror(errno));
        modcache_abort(&w);
        return false;
    }
    return modcache_commit(&w, NULL, UINT64_MAX, NULL, out_err);
}

/* The state of one oci: module while it is fetched. */
typedef struct OciFetch {
    GwFetch *f;
    const GwConfig *cfg;
    GwModuleConfig *m;
    OciRef ref;
    OciSession *session;
    char *path, *record;
} OciFetch;

static int session(OciFetch *o, char **out_err)
{
    if (o->session)
        return 0;
    OciOptions opts = {.insecure_http = o->f->opt.oci_insecure_http};
    char *err = NULL;
    if (oci_session_new(&o->ref, &opts, false, &o->session, &err) == OCI_OK)
        return 0;
    *out_err = fetch_module_error(o->cfg, o->m, "%s", err ? err : "out of memory");
    free(err);
    return -1;
}

/* The message of a failed pull or resolve; a refused signature names the keyring. */
static char *oci_error(const OciFetch *o, OciStatus st)
{
    if (st == OCI_ERR_SIGNATURE)
        return fetch_module_error(o->cfg, o->m, "%s (--keyring %s)", oci_session_error(o->session),
                                  o->f->opt.keyring);
    return fetch_module_error(o->cfg, o->m, "%s", oci_session_error(o->session));
}

static int use(OciFetch *o, const char *sha, char **out_err)
{
    free(o->m->path);
    free(o->m->sha256);
    o->m->path = strdup(o->path);
    o->m->sha256 = strdup(sha);
    if (o->m->path && o->m->sha256)
        return 0;
    *out_err = strf("out of memory");
    return -1;
}

/* 1 when the cache holds the module and it may be used, 0 when it must be pulled, -1 on an
 * error (a signature that no longer verifies is one: nothing is pulled then). */
static int cached(OciFetch *o, char **out_err)
{
    Recorded r;
    if (!read_record(o->record, &r) || !modcache_file_ok(o->path, r.module, UINT64_MAX) ||
        (o->ref.digest && strcmp(o->ref.digest, r.manifest) != 0))
        return 0;
    if (!o->f->oci_keyring) {
        if (o->f->opt.log)
            fprintf(o->f->opt.log, "corral: module '%s': %s from the module cache (%s)\n",
                    o->m->module, r.manifest, o->path);
        return use(o, r.module, out_err) == 0 ? 1 : -1;
    }
    OciPullResult res;
    if (session(o, out_err) != 0)
        return -1;
    OciStatus st = oci_resolve(o->session, o->f->oci_keyring, &res);
    if (st != OCI_OK) {
        *out_err = oci_error(o, st);
        return -1;
    }
    int r2 = strcmp(res.digest, r.manifest) == 0;
    if (r2 && o->f->opt.log)
        fprintf(o->f->opt.log,
                "corral: module '%s': %s from the module cache (%s), signed by '%s'\n",
                o->m->module, r.manifest, o->path, res.signed_by);
    oci_pull_result_clear(&res);
    if (r2)
        r2 = use(o, r.module, out_err) == 0 ? 1 : -1;
    return r2;
}

static int pull(OciFetch *o, char **out_err)
{
    if (session(o, out_err) != 0)
        return -1;
    ModCacheWriter w;
    char *err = NULL, sha[MODCACHE_HEX];
    if (!modcache_begin(&w, o->path, &err)) {
        *out_err = fetch_module_error(o->cfg, o->m, "the module cache: %s", err);
        free(err);
        return -1;
    }
    OciPullResult res;
    OciStatus st = oci_pull(o->session, o->f->oci_keyring, w.f, &res);
    if (st != OCI_OK) {
        *out_err = oci_error(o, st);
        modcache_abort(&w);
        return -1;
    }
    int rc = 0;
    if (!modcache_commit(&w, NULL, UINT64_MAX, sha, &err) ||
        !write_record(o->record, res.digest, sha, &err)) {
        *out_err = fetch_module_error(o->cfg, o->m, "the module cache: %s", err);
        free(err);
        rc = -1;
    }
    if (rc == 0 && o->f->opt.log) {
        fprintf(o->f->opt.log, "corral: module '%s': pulled %s (%s, %llu bytes", o->m->module,
                res.digest, res.form, (unsigned long long)res.size);
        if (res.signed_by)
            fprintf(o->f->opt.log, ", signed by '%s'", res.signed_by);
        fprintf(o->f->opt.log, ") into %s\n", o->path);
    }
    oci_pull_result_clear(&res);
    return rc == 0 ? use(o, sha, out_err) : -1;
}

int fetch_oci_module(GwFetch *f, const GwConfig *cfg, GwModuleConfig *m, char **out_err)
{
    OciFetch o = {.f = f, .cfg = cfg, .m = m};
    char *err = NULL, key[MODCACHE_HEX];
    if (oci_ref_parse(m->module, &o.ref, &err) != OCI_OK) {
        *out_err = fetch_module_error(cfg, m, "%s", err ? err : "out of memory");
        free(err);
        return -1;
    }
    int rc = fetch_cache(f, out_err);
    if (rc == 0) {
        modcache_key(m->module, key);
        o.path = modcache_path(&f->cache, key);
        o.record = o.path ? strf("%s.digest", o.path) : NULL;
        if (!o.record) {
            *out_err = strf("out of memory");
            rc = -1;
        }
    }
    if (rc == 0 && (rc = cached(&o, out_err)) == 0)
        rc = pull(&o, out_err);
    oci_session_free(o.session);
    oci_ref_clear(&o.ref);
    free(o.path);
    free(o.record);
    return rc < 0 ? -1 : 0;
}
