/* tier.c: puts a module on its tier (tier.h): emits C (emit_c.c), compiles it (cc.c),
 * wraps it in an artifact (artifact.c), keeps artifacts in the cache (cache.c) and hands
 * verified code to the engine (corral_module_attach_native). Background compiles for `auto`
 * run on detached threads that hold a reference to their module. */
#include "tier.h"

#include "../engine/native_abi.h"
#include "../engine/runtime.h"
#include "artifact.h"
#include "cache.h"
#include "cc.h"
#include "emit_c.h"
#include "util/sha256.h"
#include "util/thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const tier_names[] = {"interp", "jit", "aot", "auto"};

bool tier_parse(const char *s, Tier *out)
{
    for (size_t i = 0; i < sizeof tier_names / sizeof tier_names[0]; i++)
        if (strcmp(s, tier_names[i]) == 0) {
            *out = (Tier)i;
            return true;
        }
    return false;
}

const char *tier_name(Tier t) { return (unsigned)t < 4 ? tier_names[t] : "?"; }

#if NATIVE_CODE_HOST
const char *tier_native_unsupported(void) { return NULL; }
#else
static char unsupported_msg[160];
static void unsupported_message(void)
{
    snprintf(unsupported_msg, sizeof unsupported_msg,
             "the compiled tier does not generate code for %s yet (x86-64 only)",
             artifact_host_target());
}
const char *tier_native_unsupported(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, unsupported_message);
    return unsupported_msg;
}
#endif

/* auto on a host without the compiled tier: one notice per process, when asked for. */
static void auto_unsupported_notice(const TierOpts *o, const char *why)
{
    static atomic_bool told;
    if (o->quiet || !o->tier_given || atomic_exchange(&told, true))
        return;
    fprintf(stderr, "corral: --tier auto: %s; running on the interpreter\n", why);
}

/* The flags this process's code is made with (native_abi.h): guard regions where the
 * engine has them, explicit checks elsewhere. Part of the cache key and artifact header. */
static uint32_t code_flags(const TierOpts *o)
{
    /* CORRAL_BOUNDS_CHECKS=1 asks for explicit checks anyway: the fallback's tests */
    const char *force = getenv("CORRAL_BOUNDS_CHECKS");
    bool checks = (force && !strcmp(force, "1")) || !native_guard_supported();
    return (o && o->fuel ? CC_FLAG_FUEL : 0u) | (checks ? CC_FLAG_BOUNDS_CHECKS : 0u);
}

static CcConfig cc_config(const TierOpts *o)
{
    return (CcConfig){.cc = o ? o->cc : NULL, .tmpdir = NULL, .opt = o ? o->opt : -1};
}

/* ---- compiling ------------------------------------------------------------------------ */

enum { LATE_NONE, LATE_COPIES, LATE_ONE_BODY }; /* CORRAL_TIER_LATE: tier_late_mode */
static int tier_late_mode(void);
static bool tier_late(void);

/* The form of loop entries each defined function of cm gets (EMIT_ENTRY_*, malloc'ed):
 * under auto, what the interpreter found resident (runtime.h); CORRAL_TIER_LATE=merged
 * (tests), one body for every function. NULL when there is no record. */
static uint8_t *entry_forms(corral_module_t *cm)
{
    uint32_t n = cm->m->ncodes;
    uint8_t *e = malloc(n + 1);
    if (!e)
        return NULL;
    if (tier_late_mode() == LATE_ONE_BODY) {
        memset(e, EMIT_ENTRY_ONE_BODY, n + 1);
        return e;
    }
    if (!module_resident(cm, e)) {
        free(e);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++)
        e[i] = e[i] == RESIDENT_CALLER ? EMIT_ENTRY_ONE_BODY
             : e[i] == RESIDENT_LOOP   ? EMIT_ENTRY_COPY
                                       : EMIT_ENTRY_NONE;
    return e;
}

/* m's C text compiled into a shared object (malloc'ed). NULL with an error. */
static corral_error_t *compile_so(corral_module_t *cm, const TierOpts *o, uint8_t **so,
                                  size_t *so_len)
{
    const Module *m = cm->m;
    char *text = NULL;
    size_t text_len = 0;
    FILE *f = open_memstream(&text, &text_len);
    if (!f)
        return error_new(SIZE_MAX, "out of memory");
    EmitError ee;
    /* entries at loops only where code may arrive while calls run: under auto (a background
     * compile) for the functions whose calls the interpreter has been running for a while
     * (resident); with CORRAL_TIER_LATE (tests) for every function with loops, as a second
     * copy (=1) or one body (=merged) */
    bool osr = (o && o->osr && o->tier == TIER_AUTO) || tier_late();
    bool copies = tier_late_mode() == LATE_COPIES;
    uint8_t *entries = osr && !copies ? entry_forms(cm) : NULL;
    int rc = entries ? emit_c_module_entries(m, code_flags(o) | EMIT_OSR, entries, f, &ee)
                     : emit_c_module(m, code_flags(o) | (osr ? EMIT_OSR : 0u), f, &ee);
    free(entries);
    if (fclose(f) != 0 && rc == 0) {
        rc = 1;
        ee.msg = "out of memory";
        ee.offset = 0;
    }
    if (rc != 0) {
        free(text);
        return error_new(ee.offset ? ee.offset : SIZE_MAX, "cannot translate to C: %s", ee.msg);
    }
    /* CORRAL_EMIT_C=FILE keeps the C text (for reading what the emitter made) */
    const char *keep = getenv("CORRAL_EMIT_C");
    if (keep && *keep) {
        FILE *kf = fopen(keep, "w");
        if (kf) {
            fwrite(text, 1, text_len, kf);
            fclose(kf);
        }
    }
    char err[512];
    CcConfig cfg = cc_config(o);
    rc = cc_compile(&cfg, text, text_len, so, so_len, err, sizeof err);
    free(text);
    if (rc != 0)
        return error_new(SIZE_MAX, "%s", err);
    return NULL;
}

/* The module's SHA-256: hashed once per tier_prepare or tier_write_artifact and handed to
 * what needs it (a big module's hash is a noticeable part of its start-up). */
static void module_sha256(const Module *m, uint8_t out[32])
{
    sha256_digest(m->bytes, m->bytes_len, out);
}

/* The header of an artifact of the module whose hash is sha; with_compiler: also the
 * compiler's identity (which spawns the compiler once per process: only when an artifact is
 * made). */
static void artifact_info(const TierOpts *o, const uint8_t sha[32], bool with_compiler,
                          ArtifactInfo *info)
{
    memset(info, 0, sizeof *info);
    memcpy(info->module_sha256, sha, 32);
    /* the version names the code's ABI too: artifacts of another ABI are recompiled */
    snprintf(info->corral_version, sizeof info->corral_version, "%s", artifact_code_version());
    snprintf(info->target, sizeof info->target, "%s", artifact_host_target());
    info->cpu_features = 0; /* the code is compiled for the baseline of the target */
    info->flags = code_flags(o);
    CcConfig cfg = cc_config(o);
    if (with_compiler && cc_identity(&cfg, info->compiler, sizeof info->compiler) != 0)
        snprintf(info->compiler, sizeof info->compiler, "unknown");
}

/* How much of the module an artifact carries: all of it but the DWARF custom sections
 * (".debug_*") that follow the code section, often most of a C program's .wasm. Sections
 * before the code stay, so every code offset (the native code's trap sites, backtraces) is
 * the same in the copy. Writes the kept bytes to out (len bytes of room); returns their
 * length. */
static size_t strip_debug(const uint8_t *w, size_t len, uint8_t *out)
{
    size_t o = 0, p = 8;
    bool after_code = false;
    if (len < 8)
        return 0;
    memcpy(out, w, 8);
    o = 8;
    while (p < len) {
        size_t start = p;
        uint8_t id = w[p++];
        uint64_t size = 0;
        for (int shift = 0; p < len && shift < 35; shift += 7) {
            uint8_t b = w[p++];
            size |= (uint64_t)(b & 0x7f) << shift;
            if (!(b & 0x80))
                break;
        }
        if (size > len - p) { /* malformed: keep the rest as it is */
            memcpy(out + o, w + start, len - start);
            return o + (len - start);
        }
        size_t end = p + (size_t)size;
        bool drop = false;
        if (id == 0 && after_code && size > 0) {
            size_t q = p;
            uint32_t nlen = w[q++]; /* names of .debug_* fit a one-byte LEB */
            drop = nlen < 0x80 && nlen >= 6 && q + nlen <= end && memcmp(w + q, ".debug", 6) == 0;
        }
        if (id == 10)
            after_code = true;
        if (!drop) {
            memcpy(out + o, w + start, end - start);
            o += end - start;
        }
        p = end;
    }
    return o;
}

/* An artifact of m (malloc'ed bytes). */
static corral_error_t *make_artifact(corral_module_t *cm, const TierOpts *o,
                                     const uint8_t sha[32], uint8_t **out, size_t *out_len)
{
    const Module *m = cm->m;
    uint8_t *so = NULL;
    size_t so_len = 0;
    corral_error_t *err = compile_so(cm, o, &so, &so_len);
    if (err)
        return err;
    ArtifactInfo info;
    artifact_info(o, sha, true, &info);
    uint8_t *wasm = malloc(m->bytes_len ? m->bytes_len : 1);
    if (!wasm) {
        free(so);
        return error_new(SIZE_MAX, "out of memory");
    }
    size_t wasm_len = strip_debug(m->bytes, m->bytes_len, wasm);
    int rc = artifact_encode(&info, wasm, wasm_len, so, so_len, out, out_len);
    free(wasm);
    free(so);
    return rc == 0 ? NULL : error_new(SIZE_MAX, "out of memory");
}

/* CORRAL_TIER_LATE (tests): LATE_COPIES (=1) makes the code of jit and aot arrive at the
 * first fuel slice, as a background compile's would, so that the switch of running code (at
 * a loop: on-stack replacement) happens at a fixed point of the run, with a second copy of
 * every function with loops for the entries; LATE_ONE_BODY (=merged) the same with the one
 * body that auto gives driver functions it finds resident (emit_c_module_entries), so that
 * form runs everywhere the suites run the late code. */
static int tier_late_mode(void)
{
    const char *late = getenv("CORRAL_TIER_LATE");
    if (!late)
        return LATE_NONE;
    return !strcmp(late, "1") ? LATE_COPIES : !strcmp(late, "merged") ? LATE_ONE_BODY : LATE_NONE;
}

static bool tier_late(void) { return tier_late_mode() != LATE_NONE; }

static corral_error_t *attach_code(corral_module_t *cm, const uint8_t *so, size_t len)
{
    if (tier_late())
        return corral_module_attach_native_late(cm, so, len);
    return corral_module_attach_native(cm, so, len);
}

static corral_error_t *attach_artifact(corral_module_t *cm, const TierOpts *o,
                                       const uint8_t sha[32], const char *name,
                                       const uint8_t *bytes, size_t len)
{
    ArtifactInfo info;
    const uint8_t *wasm, *so;
    size_t wasm_len, so_len;
    char err[512];
    uint32_t flags = code_flags(o);
    if (artifact_decode(name, bytes, len, sha, &flags, &info, &wasm, &wasm_len, &so, &so_len,
                        err, sizeof err) != 0)
        return error_new(SIZE_MAX, "%s", err);
    return attach_code(cm, so, so_len);
}

/* ---- the cache ----------------------------------------------------------------------- */

/* The cache directory for o into dir; false when there is none. */
static bool cache_dir_of(const TierOpts *o, char *dir, size_t n)
{
    if (o && o->cache_dir) {
        if (!o->cache_dir[0])
            return false;
        snprintf(dir, n, "%s", o->cache_dir);
        return true;
    }
    return cache_default_dir(dir, n) == 0;
}

/* The cache key: the module, this Corral, the target and CPU features, the code flags.
 * Not the C compiler: a cached artifact stays valid when the compiler changes. */
static void key_of(const TierOpts *o, const uint8_t sha[32], char key[65])
{
    ArtifactInfo info;
    artifact_info(o, sha, false, &info);
    cache_key(info.module_sha256, info.corral_version, info.target, info.cpu_features,
              info.flags, "", key);
}

/* Attaches m's artifact from the cache: 0 attached, 1 absent, -1 with *errp when strict
 * and the file is refused (else a refused file is reported, unless quiet, and rebuilt). */
static int from_cache(corral_module_t *cm, const TierOpts *o, const uint8_t sha[32],
                      const char *dir, const char *key, bool strict, bool quiet,
                      corral_error_t **errp)
{
    bool report = !quiet;
    uint8_t *buf = NULL;
    size_t len = 0;
    char lerr[256];
    int rc = cache_load(dir, key, &buf, &len, lerr, sizeof lerr);
    if (rc != 0) {
        if (rc < 0 && report)
            fprintf(stderr, "corral: cannot read the code cache: %s\n", lerr);
        return 1;
    }
    char name[4200];
    snprintf(name, sizeof name, "%s/%s.cwasm", dir, key);
    corral_error_t *err = attach_artifact(cm, o, sha, name, buf, len);
    free(buf);
    if (!err)
        return 0;
    if (strict) {
        *errp = error_new(SIZE_MAX, "refusing the cached artifact: %s (remove the file, or run "
                                    "with --no-cache)", corral_error_message(err));
        corral_error_delete(err);
        return -1;
    }
    if (report)
        fprintf(stderr, "corral: ignoring a cached artifact: %s\n", corral_error_message(err));
    corral_error_delete(err);
    return 1;
}

/* ---- auto: the background compile ------------------------------------------------------ */

typedef struct Job {
    corral_module_t *cm;
    TierOpts o;
    uint8_t sha[32];
    char cache_dir[4096];
    bool has_cache;
    char key[65];
} Job;

static pthread_mutex_t jobs_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_cv = PTHREAD_COND_INITIALIZER;
static unsigned jobs_running;
static _Atomic bool shutting_down;

/* Asks the compiler's identity once, for cc.c to keep (a thread's body; arg the TierOpts). */
static void *ask_identity(void *arg)
{
    char id[512];
    CcConfig cfg = cc_config(arg);
    if (cc_identity(&cfg, id, sizeof id) != 0)
        id[0] = '\0'; /* asked again, and reported, when the artifact is made */
    return NULL;
}

static void *job_run(void *arg)
{
    Job *j = arg;
    if (j->o.delay_ms) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += j->o.delay_ms / 1000;
        until.tv_nsec += (long)(j->o.delay_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&jobs_mu);
        while (!shutting_down && pthread_cond_timedwait(&jobs_cv, &jobs_mu, &until) == 0)
            ;
        pthread_mutex_unlock(&jobs_mu);
    }
    uint8_t *art = NULL;
    size_t len = 0;
    /* the compiler's identity (the artifact header's) is asked beside the compile rather than
     * after it, while the interpreter waits for the code; not before the delay, which would
     * make every short run wait for `cc --version` */
    pthread_t idt;
    bool id_asked = !shutting_down && thread_start(&idt, NULL, ask_identity, &j->o) == 0;
    corral_error_t *err = shutting_down ? error_new(SIZE_MAX, "shutting down")
                                        : make_artifact(j->cm, &j->o, j->sha, &art, &len);
    if (id_asked)
        pthread_join(idt, NULL);
    if (!err)
        err = attach_artifact(j->cm, &j->o, j->sha, "compiled code", art, len);
    if (!err && j->has_cache) {
        char cerr[256];
        if (cache_store(j->cache_dir, j->key, art, len, cerr, sizeof cerr) != 0 && !j->o.quiet)
            fprintf(stderr, "corral: cannot cache compiled code: %s\n", cerr);
    }
    if (err) {
        if (!j->o.quiet && !shutting_down)
            fprintf(stderr, "corral: staying in the interpreter: %s\n",
                    corral_error_message(err));
        corral_error_delete(err);
    }
    free(art);
    corral_module_expect_native(j->cm, false);
    module_release(j->cm);
    free(j);
    pthread_mutex_lock(&jobs_mu);
    jobs_running--;
    pthread_cond_broadcast(&jobs_cv);
    pthread_mutex_unlock(&jobs_mu);
    return NULL;
}

void tier_shutdown(void)
{
    pthread_mutex_lock(&jobs_mu);
    shutting_down = true;
    pthread_cond_broadcast(&jobs_cv);
    pthread_mutex_unlock(&jobs_mu);
    cc_cancel_all();
    tier_wait_background();
}

void tier_wait_background(void)
{
    pthread_mutex_lock(&jobs_mu);
    while (jobs_running)
        pthread_cond_wait(&jobs_cv, &jobs_mu);
    pthread_mutex_unlock(&jobs_mu);
}

static void start_background(corral_module_t *cm, const TierOpts *o, const uint8_t sha[32],
                             const char *dir, const char *key)
{
    Job *j = calloc(1, sizeof *j);
    if (!j)
        return;
    j->cm = cm;
    j->o = *o; /* o->cc and cache_dir are borrowed: the CLI's argv or static strings */
    memcpy(j->sha, sha, 32);
    if (dir) {
        snprintf(j->cache_dir, sizeof j->cache_dir, "%s", dir);
        snprintf(j->key, sizeof j->key, "%s", key);
        j->has_cache = true;
    }
    atomic_fetch_add(&cm->refs, 1);
    corral_module_expect_native(cm, true);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    pthread_mutex_lock(&jobs_mu);
    jobs_running++;
    pthread_mutex_unlock(&jobs_mu);
    if (thread_start(&t, &attr, job_run, j) != 0) {
        corral_module_expect_native(cm, false);
        module_release(cm);
        free(j);
        pthread_mutex_lock(&jobs_mu);
        jobs_running--;
        pthread_mutex_unlock(&jobs_mu);
    }
    pthread_attr_destroy(&attr);
}

/* ---- the tiers ------------------------------------------------------------------------ */

corral_error_t *tier_prepare(corral_module_t *cm, const TierOpts *o)
{
    if (!o || o->tier == TIER_INTERP || corral_module_is_native(cm))
        return NULL;
    const char *unsupported = tier_native_unsupported();
    if (unsupported && o->tier == TIER_AUTO) {
        auto_unsupported_notice(o, unsupported);
        return NULL;
    }
    if (unsupported)
        return error_new(SIZE_MAX, "--tier %s: %s; run it with --tier interp (or auto)",
                         tier_name(o->tier), unsupported);
    const char *lacking = emit_c_declines(cm->m);
    if (lacking && o->tier == TIER_AUTO)
        return NULL; /* the interpreter runs it; nothing to switch to */
    if (lacking)
        return error_new(SIZE_MAX,
                         "the compiled tier does not support %s yet; run it with --tier interp "
                         "(or auto)", lacking);
    if (o->tier == TIER_JIT) {
        uint8_t *so = NULL;
        size_t so_len = 0;
        corral_error_t *err = compile_so(cm, o, &so, &so_len);
        if (err)
            return err;
        err = attach_code(cm, so, so_len);
        free(so);
        return err;
    }
    char dir[4096], key[65];
    uint8_t sha[32];
    module_sha256(cm->m, sha);
    bool cached = cache_dir_of(o, dir, sizeof dir);
    if (cached) {
        key_of(o, sha, key);
        corral_error_t *err = NULL;
        int rc = from_cache(cm, o, sha, dir, key, o->tier == TIER_AOT, o->quiet, &err);
        if (rc <= 0)
            return err;
    }
    if (o->tier == TIER_AUTO) {
        start_background(cm, o, sha, cached ? dir : NULL, key);
        return NULL;
    }
    /* aot: build the artifact, keep it, and load it back as any artifact is loaded */
    uint8_t *art = NULL;
    size_t len = 0;
    corral_error_t *err = make_artifact(cm, o, sha, &art, &len);
    if (err)
        return err;
    if (cached) {
        char cerr[256];
        if (cache_store(dir, key, art, len, cerr, sizeof cerr) == 0) {
            /* load it back from the file, as a later run will */
            free(art);
            char lerr[256], name[4200];
            if (cache_load(dir, key, &art, &len, lerr, sizeof lerr) != 0)
                return error_new(SIZE_MAX, "cannot read back compiled code: %s", lerr);
            snprintf(name, sizeof name, "%s/%s.cwasm", dir, key);
            err = attach_artifact(cm, o, sha, name, art, len);
            free(art);
            return err;
        }
        if (!o->quiet)
            fprintf(stderr, "corral: cannot cache compiled code: %s\n", cerr);
    }
    err = attach_artifact(cm, o, sha, "compiled code", art, len);
    free(art);
    return err;
}

corral_error_t *tier_write_artifact(corral_module_t *cm, const TierOpts *o, const char *path)
{
    const char *unsupported = tier_native_unsupported();
    if (unsupported)
        return error_new(SIZE_MAX, "cannot write an artifact: %s", unsupported);
    const char *lacking = emit_c_declines(cm->m);
    if (lacking)
        return error_new(SIZE_MAX, "the compiled tier does not support %s yet", lacking);
    uint8_t *art = NULL, sha[32];
    size_t len = 0;
    module_sha256(cm->m, sha);
    corral_error_t *err = make_artifact(cm, o, sha, &art, &len);
    if (err)
        return err;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    bool ok = f && fwrite(art, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = false;
    free(art);
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return error_new(SIZE_MAX, "cannot write %s: %s", path, strerror(e));
    }
    return NULL;
}

bool tier_is_artifact(const uint8_t *bytes, size_t len) { return artifact_sniff(bytes, len); }

corral_error_t *tier_load_artifact(corral_engine_t *e, const char *name, const uint8_t *bytes,
                                   size_t len, corral_module_t **out)
{
    *out = NULL;
    const char *unsupported = tier_native_unsupported();
    if (unsupported)
        return error_new(SIZE_MAX, "%s: cannot run an artifact: %s", name, unsupported);
    ArtifactInfo info;
    const uint8_t *wasm, *so;
    size_t wasm_len, so_len;
    char err[512];
    /* One pass of checks (the checksum covers the embedded module too). An artifact file
     * may have been made either way: explicit checks run anywhere, code for guard regions
     * where this process has them (the engine checks again when it attaches). */
    if (artifact_decode(name, bytes, len, NULL, NULL, &info, &wasm, &wasm_len, &so, &so_len, err,
                        sizeof err) != 0)
        return error_new(SIZE_MAX, "%s", err);
    /* fuel or not, either runs (a store with a budget keeps code without fuel interpreted) */
    uint32_t f = info.flags & ~CC_FLAG_FUEL;
    bool checks = f == CC_FLAG_BOUNDS_CHECKS;
    bool guard = f == 0 && native_guard_supported();
    if (!checks && !guard)
        return error_new(SIZE_MAX, "%s: compiled with code flags 0x%x, which this process cannot "
                                   "run (0x%x): recompile it with `corral compile`",
                         name, (unsigned)info.flags, (unsigned)code_flags(NULL));
    corral_module_t *m = NULL;
    corral_error_t *me = corral_module_new(e, wasm, wasm_len, &m);
    if (!me && (me = corral_module_attach_native(m, so, so_len)))
        corral_module_delete(m);
    if (me) {
        corral_error_t *named = error_new(SIZE_MAX, "%s: %s", name, corral_error_message(me));
        corral_error_delete(me);
        return named ? named : error_new(SIZE_MAX, "out of memory");
    }
    *out = m;
    return NULL;
}
