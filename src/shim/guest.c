/* guest.c: one container's WebAssembly guest, run in this process on a thread of its own:
 * compiling and linking it (at create, so a bad module fails the task before start), the
 * thread (a small mmap'ed stack), its exit status as a process would have one, and stopping
 * it from another thread. Engines are shared by every guest with the same memory limit. It
 * knows nothing of containerd: container.c drives it. */
#include "host/http_outbound.h"
#include "host/kv.h"
#include "shim/shim_int.h"
#include "util/reader.h"
#include "util/strf.h"
#include "wasi/wasi.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The guest thread's stack. The interpreter never recurses natively for Wasm calls (frames
 * live on the store's own stacks, docs/design/interp.md 5.1), so what the thread needs is
 * run()'s frame, one WASI call (fd_read/fd_write keep 1024 iovecs, 16 KiB, on the stack) and
 * the trap report. Measured with mincore after each guest of test_container: at most 20 KiB
 * resident at -O2 (8 KiB for most), 28 KiB under ASan. 256 KiB leaves room for the host
 * interfaces (libcurl's resolver, SQLite) and nested host calls; untouched pages cost
 * nothing but address space. */
#define GUEST_STACK_BYTES ((size_t)256 << 10)
#define GUARD_BYTES ((size_t)4096)

/* Backtrace frames printed before "... N more frames". */
#define MAX_FRAMES_SHOWN 32

/* Exit statuses a guest's trap or stop gives (as `corral run`). */
enum { EXIT_TRAP = 134, EXIT_FAIL = 1 };

/* ---- engines, one per memory limit ---- */

typedef struct SharedEngine {
    uint32_t max_pages;
    corral_engine_t *engine;
    unsigned refs;
    struct SharedEngine *next;
} SharedEngine;

static pthread_mutex_t engines_lock = PTHREAD_MUTEX_INITIALIZER;
static SharedEngine *engines;

/* The engine for a memory cap of max_pages (an engine's configuration is the cap), made on
 * first use and shared: corral_engine_new is cheap, but sharing keeps compiled-code caches
 * and threads per limit rather than per container. NULL when out of memory. */
static corral_engine_t *engine_get(uint32_t max_pages)
{
    pthread_mutex_lock(&engines_lock);
    SharedEngine *e = engines;
    while (e && e->max_pages != max_pages)
        e = e->next;
    if (!e && (e = calloc(1, sizeof *e))) {
        corral_config_t cfg;
        corral_config_default(&cfg);
        cfg.max_memory_pages = max_pages;
        if (!(e->engine = corral_engine_new(&cfg))) {
            free(e);
            e = NULL;
        } else {
            e->max_pages = max_pages;
            e->next = engines;
            engines = e;
        }
    }
    if (e)
        e->refs++;
    pthread_mutex_unlock(&engines_lock);
    return e ? e->engine : NULL;
}

static void engine_put(corral_engine_t *engine)
{
    pthread_mutex_lock(&engines_lock);
    for (SharedEngine **p = &engines; *p; p = &(*p)->next) {
        SharedEngine *e = *p;
        if (e->engine != engine)
            continue;
        if (--e->refs == 0) {
            *p = e->next;
            corral_engine_delete(e->engine);
            free(e);
        }
        break;
    }
    pthread_mutex_unlock(&engines_lock);
}

/* ---- compiled modules, shared by content ---- */

/* The containers of a pod often run the same image: a module is compiled once per engine
 * and byte content (SHA-256), and shared (a corral_module_t is immutable and thread-safe).
 * 100 containers of a 137 KB module went from ~425 KiB to ~65 KiB resident each. */
typedef struct SharedModule {
    corral_engine_t *engine;
    unsigned char digest[crypto_hash_sha256_BYTES];
    corral_module_t *module;
    unsigned refs;
    struct SharedModule *next;
} SharedModule;

static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static SharedModule *modules;

/* The compiled module of bytes for engine: shared when compiled before, else compiled now
 * (outside the lock: two containers racing to compile the same bytes both compile and both
 * entries live on, each counted by its own pointer). NULL, or an owned error. */
static corral_error_t *module_get(corral_engine_t *engine, const uint8_t *bytes, size_t len,
                                  corral_module_t **out)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, bytes, len);
    pthread_mutex_lock(&modules_lock);
    for (SharedModule *m = modules; m; m = m->next)
        if (m->engine == engine && !memcmp(m->digest, digest, sizeof digest)) {
            m->refs++;
            *out = m->module;
            pthread_mutex_unlock(&modules_lock);
            return NULL;
        }
    pthread_mutex_unlock(&modules_lock);
    corral_error_t *err = corral_module_new(engine, bytes, len, out);
    SharedModule *m = err ? NULL : calloc(1, sizeof *m);
    if (!m)
        return err; /* unshared when out of memory: module_put deletes it */
    *m = (SharedModule){engine, {0}, *out, 1, NULL};
    memcpy(m->digest, digest, sizeof digest);
    pthread_mutex_lock(&modules_lock);
    m->next = modules;
    modules = m;
    pthread_mutex_unlock(&modules_lock);
    return NULL;
}

static void module_put(corral_module_t *module)
{
    pthread_mutex_lock(&modules_lock);
    for (SharedModule **p = &modules; *p; p = &(*p)->next) {
        SharedModule *m = *p;
        if (m->module != module)
            continue;
        if (--m->refs == 0) {
            *p = m->next;
            free(m);
            break;
        }
        module = NULL; /* still in use */
        break;
    }
    pthread_mutex_unlock(&modules_lock);
    corral_module_delete(module); /* NULL while others hold it */
}

/* ---- the guest ---- */

struct Guest {
    corral_engine_t *engine;
    uint32_t max_pages;
    corral_module_t *module;
    corral_store_t *store;
    corral_wasi_t *wasi;
    KvCtx *kv;
    HttpCtx *http;
    corral_extern_t *imports;
    size_t nimports;
    char *name;                        /* "/app.wasm", for messages */
    char *export_name;                 /* the function to call */
    int err_fd;                        /* the container's stderr (lent), for trap reports */
    atomic_int kill_sig;               /* the first terminating signal delivered, 0: none */
    _Atomic(corral_memory_t *) memory; /* memory 0 once instantiated, for guest_memory */
    void *stack;                       /* mmap'ed: GUARD_BYTES then GUEST_STACK_BYTES */
    pthread_t thread;
    bool started;
    pthread_mutex_t cpu_lock; /* guards the two below: the clock is valid while running */
    bool running;
    clockid_t cpu_clock; /* the thread's CPU clock while it runs */
    uint64_t cpu_ns;     /* its CPU time when it ended */
    GuestDoneFn done;
    void *ud;
};

/* The initial size in pages of the module's first defined memory (validated bytes), or 0.
 * The engine would refuse a bigger one only when instantiating, at start; reading it here
 * fails the task at create, where a configuration error belongs. */
static uint64_t initial_pages(const uint8_t *wasm, size_t len)
{
    Reader r;
    rd_init(&r, wasm, len);
    r.p += 8; /* magic and version: checked by corral_module_new */
    while (!rd_eof(&r)) {
        uint8_t id;
        uint32_t size, count, min;
        Reader sec;
        if (rd_u8(&r, &id) || rd_u32(&r, &size) || rd_sub(&r, size, &sec))
            return 0;
        if (id != 5)
            continue;
        uint8_t flags;
        if (rd_u32(&sec, &count) || count == 0 || rd_u8(&sec, &flags) || rd_u32(&sec, &min))
            return 0;
        return min;
    }
    return 0;
}

/* The names of the module's exported functions, for a message: "_start, entry". Owned. */
static char *exported_funcs(const corral_module_t *m)
{
    size_t cap = 1, len = 0;
    for (size_t i = 0; i < corral_module_export_count(m); i++) {
        corral_extern_desc_t d;
        corral_module_export(m, i, &d);
        cap += d.name_len + 2;
    }
    char *s = calloc(1, cap);
    for (size_t i = 0; s && i < corral_module_export_count(m); i++) {
        corral_extern_desc_t d;
        corral_module_export(m, i, &d);
        if (d.kind != CORRAL_EXTERN_FUNC)
            continue;
        len += (size_t)snprintf(s + len, cap - len, "%s%.*s", len ? ", " : "", (int)d.name_len,
                                d.name);
    }
    return s;
}

/* Checks that the module exports g->export_name as a function without parameters. */
static int check_export(Guest *g, char **out_err)
{
    const corral_module_t *m = g->module;
    size_t want = strlen(g->export_name);
    for (size_t i = 0; i < corral_module_export_count(m); i++) {
        corral_extern_desc_t d;
        corral_module_export(m, i, &d);
        if (d.name_len != want || memcmp(d.name, g->export_name, want))
            continue;
        if (d.kind != CORRAL_EXTERN_FUNC)
            return shim_fail(out_err, SHIM_INVALID_ARGUMENT,
                             "module %s: export '%s' is not a function", g->name, g->export_name);
        if (corral_functype_param_count(d.functype) != 0) {
            char type[160];
            corral_functype_format(d.functype, type, sizeof type);
            return shim_fail(out_err, SHIM_INVALID_ARGUMENT,
                             "module %s: export '%s' takes parameters, %s: only a function "
                             "without parameters can run as a container",
                             g->name, g->export_name, type);
        }
        return SHIM_OK;
    }
    char *names = exported_funcs(m);
    int rc = shim_fail(out_err, SHIM_INVALID_ARGUMENT,
                       "module %s: no export named '%s' (it exports the functions: %s)", g->name,
                       g->export_name, names && names[0] ? names : "none");
    free(names);
    return rc;
}

/* The WASI world: argv (args[0] is the module's path), env, stdio, the rootfs as "/" and each
 * bind mount at its destination. */
static int make_wasi(Guest *g, const GuestSpec *s, char **out_err)
{
    const Bundle *b = s->bundle;
    corral_wasi_preopen_t *pre = calloc(b->nmounts + 1, sizeof *pre);
    const char **argv = calloc(b->nargs + 1, sizeof *argv);
    if (!pre || !argv) {
        free(pre);
        free(argv);
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    }
    argv[0] = g->name;
    for (size_t i = 1; i < b->nargs; i++)
        argv[i] = b->args[i];
    pre[0] = (corral_wasi_preopen_t){s->root, "/", b->root_readonly};
    for (size_t i = 0; i < b->nmounts; i++)
        pre[i + 1] = (corral_wasi_preopen_t){b->mounts[i].source, b->mounts[i].destination,
                                             b->mounts[i].readonly};
    corral_wasi_config_t cfg;
    corral_wasi_config_default(&cfg);
    cfg.argv = argv;
    cfg.argc = b->nargs ? b->nargs : 1;
    cfg.env = (const char *const *)b->env;
    cfg.nenv = b->nenv;
    for (int i = 0; i < 3; i++)
        cfg.stdio[i].fd = s->fds[i];
    cfg.preopens = pre;
    cfg.npreopens = b->nmounts + 1;
    char *err = NULL;
    g->wasi = corral_wasi_new(&cfg, &err);
    free(pre);
    free(argv);
    int rc = SHIM_OK;
    if (!g->wasi)
        rc = shim_fail(out_err, err ? SHIM_FAILED_PRECONDITION : SHIM_INTERNAL, "%s",
                       err ? err : "out of memory");
    free(err);
    return rc;
}

/* Links WASI and the host interfaces as `corral run` does with nothing granted: a module
 * that imports corral_kv or wasi_experimental_http links and runs, and every store open or
 * request is denied (a pod has no way yet to grant them). Any other import is an error. */
static int link_imports(Guest *g, char **out_err)
{
    size_t n = corral_module_import_count(g->module);
    HttpPolicy policy;
    http_policy_default(&policy);
    g->nimports = n;
    g->imports = calloc(n + 1, sizeof *g->imports);
    g->kv = kv_ctx_new(NULL, NULL, 0);
    g->http = http_ctx_new(&policy);
    if (!g->imports || !g->kv || !g->http)
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    char *err = NULL;
    if (kv_link(g->kv, g->store, g->module, g->imports, n, &err) &&
        http_link(g->http, g->store, g->module, g->imports, n, &err) &&
        corral_wasi_link(g->wasi, g->store, g->module, g->imports, n, &err))
        return SHIM_OK;
    int rc = shim_fail(out_err, err ? SHIM_INVALID_ARGUMENT : SHIM_INTERNAL, "module %s: %s",
                       g->name, err ? err : "out of memory");
    free(err);
    return rc;
}

static int load(Guest *g, const GuestSpec *s, char **out_err)
{
    uint8_t *wasm = (uint8_t *)s->wasm;
    if (s->wasm_len < 8 || memcmp(wasm, "\0asm", 4)) {
        free(wasm);
        return shim_fail(out_err, SHIM_INVALID_ARGUMENT,
                         "module %s: not a WebAssembly module (no \\0asm magic number)", g->name);
    }
    uint64_t pages = initial_pages(wasm, s->wasm_len);
    if (pages > g->max_pages) {
        free(wasm);
        return shim_fail(out_err, SHIM_FAILED_PRECONDITION,
                         "module %s: its memory starts at %" PRIu64 " pages (%" PRIu64
                         " KiB), above the container's memory limit of %" PRIu64 " KiB",
                         g->name, pages, pages * 64, s->bundle->memory_limit / 1024);
    }
    if (!(g->engine = engine_get(g->max_pages))) {
        free(wasm);
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    }
    corral_error_t *err = module_get(g->engine, wasm, s->wasm_len, &g->module);
    free(wasm);
    if (err) {
        int rc = shim_fail(out_err, SHIM_INVALID_ARGUMENT, "module %s: %s", g->name,
                           corral_error_message(err));
        corral_error_delete(err);
        return rc;
    }
    return SHIM_OK;
}

int guest_new(const GuestSpec *s, Guest **out, char **out_err)
{
    *out = NULL;
    Guest *g = calloc(1, sizeof *g);
    if (!g) {
        free((void *)s->wasm);
        return shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    }
    pthread_mutex_init(&g->cpu_lock, NULL);
    g->err_fd = s->fds[2];
    g->name = strdup(s->wasm_name);
    g->export_name = strdup(s->export_name);
    uint64_t limit = s->bundle->memory_limit;
    g->max_pages = limit && limit / 65536 < 65536 ? (uint32_t)(limit / 65536) : 65536;
    int rc;
    if (!g->name || !g->export_name) {
        free((void *)s->wasm);
        rc = shim_fail(out_err, SHIM_INTERNAL, "out of memory");
    } else if ((rc = load(g, s, out_err)) == SHIM_OK &&
               (rc = check_export(g, out_err)) == SHIM_OK &&
               (rc = make_wasi(g, s, out_err)) == SHIM_OK) {
        if (!(g->store = corral_store_new(g->engine)))
            rc = shim_fail(out_err, SHIM_INTERNAL, "out of memory");
        else
            rc = link_imports(g, out_err);
    }
    if (rc != SHIM_OK) {
        guest_free(g);
        return rc;
    }
    *out = g;
    return SHIM_OK;
}

/* ---- reports on the container's stderr ---- */

/* A frame's function name: the name section's, else its first export name. */
static bool frame_name(const Guest *g, const corral_trap_t *t, size_t i, uint32_t func,
                       const char **name, size_t *len)
{
    if (!corral_trap_frame_in_module(t, i, g->module))
        return false;
    if (corral_module_func_name(g->module, func, name, len) && *len)
        return true;
    for (size_t k = 0; k < corral_module_export_count(g->module); k++) {
        corral_extern_desc_t d;
        corral_module_export(g->module, k, &d);
        if (d.kind == CORRAL_EXTERN_FUNC && d.index == func && d.name_len) {
            *name = d.name;
            *len = d.name_len;
            return true;
        }
    }
    return false;
}

/* "error: trap: MESSAGE" and the backtrace, innermost first, one frame a line, as
 * `corral run` prints them. */
static void report_trap(const Guest *g, const corral_trap_t *t, bool instantiating)
{
    const char *msg = corral_trap_message(t);
    if (instantiating)
        dprintf(g->err_fd, "error: trap while instantiating %s: %s\n", g->name,
                msg ? msg : "(no message)");
    else
        dprintf(g->err_fd, "error: trap: %s\n", msg ? msg : "(no message)");
    size_t n = corral_trap_frame_count(t);
    for (size_t i = 0; i < n && i < MAX_FRAMES_SHOWN; i++) {
        uint32_t func;
        size_t off, len;
        const char *name;
        corral_trap_frame(t, i, &func, &off);
        if (func == UINT32_MAX)
            dprintf(g->err_fd, "  %zu: <host function>\n", i);
        else if (frame_name(g, t, i, func, &name, &len))
            dprintf(g->err_fd, "  %zu: func[%" PRIu32 "] <%.*s> @ 0x%zx\n", i, func,
                    (int)(len > 200 ? 200 : len), name, off);
        else
            dprintf(g->err_fd, "  %zu: func[%" PRIu32 "] @ 0x%zx\n", i, func, off);
    }
    if (n > MAX_FRAMES_SHOWN)
        dprintf(g->err_fd, "  ... %zu more frames\n", n - MAX_FRAMES_SHOWN);
}

/* The exit status trap t gives (t is released): the guest's own for proc_exit, 128 + signal
 * when the guest was killed, else 134 after reporting it. */
static uint32_t trap_status(Guest *g, corral_trap_t *t, bool instantiating)
{
    int32_t code;
    uint32_t status = EXIT_TRAP;
    int sig = atomic_load(&g->kill_sig);
    if (corral_trap_exit_status(t, &code) && (uint32_t)code < 126)
        status = (uint32_t)code;
    else if (corral_trap_exit_status(t, &code))
        dprintf(g->err_fd,
                "error: guest called proc_exit(%" PRIu32 "), outside WASI's range "
                "0..125\n",
                (uint32_t)code);
    else if (sig)
        status = 128 + (uint32_t)sig; /* the interrupt or the cancel we caused */
    else
        report_trap(g, t, instantiating);
    corral_trap_delete(t);
    return status;
}

/* ---- the thread ---- */

static uint32_t call_export(Guest *g, corral_instance_t *inst, const char *name)
{
    corral_extern_t ext;
    if (!corral_instance_export(inst, name, strlen(name), &ext) || ext.kind != CORRAL_EXTERN_FUNC)
        return 0; /* checked at create; only _initialize may be absent */
    size_t nres = corral_functype_result_count(corral_func_type(ext.of.func));
    corral_val_t *res = calloc(nres + 1, sizeof *res);
    corral_trap_t *t = res ? corral_func_call(g->store, ext.of.func, NULL, 0, res, nres)
                           : corral_trap_new("out of memory");
    free(res);
    return t ? trap_status(g, t, false) : 0;
}

static uint32_t run(Guest *g)
{
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    corral_error_t *err =
        corral_instance_new(g->store, g->module, g->imports, g->nimports, &inst, &trap);
    if (err) {
        dprintf(g->err_fd, "error: %s: %s\n", g->name, corral_error_message(err));
        corral_error_delete(err);
        return EXIT_FAIL;
    }
    if (trap)
        return trap_status(g, trap, true);
    corral_extern_t mem;
    if (corral_instance_export(inst, "memory", 6, &mem) && mem.kind == CORRAL_EXTERN_MEMORY)
        atomic_store(&g->memory, mem.of.memory);
    /* A reactor's _initialize runs before the export asked for (as in `corral run`). */
    uint32_t status = 0;
    if (strcmp(g->export_name, "_start") && strcmp(g->export_name, "_initialize"))
        status = call_export(g, inst, "_initialize");
    return status ? status : call_export(g, inst, g->export_name);
}

static uint64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *thread_main(void *arg)
{
    Guest *g = arg;
    pthread_mutex_lock(&g->cpu_lock);
    g->running = pthread_getcpuclockid(pthread_self(), &g->cpu_clock) == 0;
    pthread_mutex_unlock(&g->cpu_lock);
    uint32_t status =
        atomic_load(&g->kill_sig) ? 128 + (uint32_t)atomic_load(&g->kill_sig) : run(g);
    /* The thread's clock dies with it: keep the final figure. */
    pthread_mutex_lock(&g->cpu_lock);
    g->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    g->running = false;
    pthread_mutex_unlock(&g->cpu_lock);
    g->done(g->ud, status);
    return NULL;
}

uint64_t guest_cpu_ns(Guest *g)
{
    pthread_mutex_lock(&g->cpu_lock);
    uint64_t ns = g->running ? clock_ns(g->cpu_clock) : g->cpu_ns;
    pthread_mutex_unlock(&g->cpu_lock);
    return ns;
}

/* Starts the thread on a stack of our own; false with the error when it cannot. */
static int start_small(Guest *g)
{
    g->stack = mmap(NULL, GUARD_BYTES + GUEST_STACK_BYTES, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (g->stack == MAP_FAILED) {
        g->stack = NULL;
        return errno;
    }
    mprotect(g->stack, GUARD_BYTES, PROT_NONE); /* stacks grow down: the guard is below */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstack(&attr, (char *)g->stack + GUARD_BYTES, GUEST_STACK_BYTES);
    int e = pthread_create(&g->thread, &attr, thread_main, g);
    pthread_attr_destroy(&attr);
    if (e) {
        munmap(g->stack, GUARD_BYTES + GUEST_STACK_BYTES);
        g->stack = NULL;
    }
    return e;
}

int guest_start(Guest *g, GuestDoneFn done, void *ud, char **out_err)
{
    g->done = done;
    g->ud = ud;
    /* ThreadSanitizer wants ~900 KiB of stack per thread and refuses ours: then the C
     * library's default stack (reserved, committed as touched) does. */
    int e = start_small(g);
    if (e)
        e = pthread_create(&g->thread, NULL, thread_main, g);
    if (e)
        return shim_fail(out_err, SHIM_INTERNAL, "cannot start the guest's thread: %s",
                         strerror(e));
    g->started = true;
    return SHIM_OK;
}

void guest_kill(Guest *g, int sig)
{
    int none = 0;
    atomic_compare_exchange_strong(&g->kill_sig, &none, sig);
    corral_store_interrupt(g->store, CORRAL_INTERRUPT_CANCEL);
    corral_wasi_cancel(g->wasi);
}

/* Resident bytes of [p, p + len). */
static uint64_t resident(void *p, size_t len)
{
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)p & ~(uintptr_t)(page - 1);
    size_t n = ((uintptr_t)p + len - start + (size_t)page - 1) / (size_t)page;
    unsigned char *vec = n ? malloc(n) : NULL;
    uint64_t bytes = 0;
    if (vec && mincore((void *)start, n * (size_t)page, vec) == 0)
        for (size_t i = 0; i < n; i++)
            bytes += (vec[i] & 1) ? (uint64_t)page : 0;
    free(vec);
    return bytes;
}

uint64_t guest_memory(Guest *g)
{
    uint64_t bytes = 0;
    corral_memory_t *m = atomic_load(&g->memory);
    /* The size may grow under us while the guest runs: a snapshot is all this promises. */
    if (m)
        bytes += resident(corral_memory_data(m), corral_memory_size(m));
    if (g->stack)
        bytes += resident((char *)g->stack + GUARD_BYTES, GUEST_STACK_BYTES);
    return bytes;
}

void guest_free(Guest *g)
{
    if (!g)
        return;
    if (g->started)
        pthread_join(g->thread, NULL);
    /* The store's host functions point at the contexts: the store goes first. */
    corral_store_delete(g->store);
    corral_wasi_delete(g->wasi);
    kv_ctx_free(g->kv);
    http_ctx_free(g->http);
    free(g->imports);
    if (g->module)
        module_put(g->module);
    if (g->engine)
        engine_put(g->engine);
    if (g->stack)
        munmap(g->stack, GUARD_BYTES + GUEST_STACK_BYTES);
    pthread_mutex_destroy(&g->cpu_lock);
    free(g->name);
    free(g->export_name);
    free(g);
}
