/* wasi.c: the WASI context (wasi.h): creating it from a configuration, linking a module's
 * imports to host functions made from wasi_funcs.def, and the one trampoline every call goes
 * through (memory view, handler, errno result). The calls themselves live in wasi_core.c,
 * wasi_fd.c, wasi_path.c, wasi_poll.c and wasi_sock.c. Uses corral.h only. */
#include "util/strf.h"
#include "wasi/wasi_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* ---- the function table ---- */

typedef uint32_t (*WasiHandler)(WasiCall *c, const corral_val_t *a);

typedef struct WasiFuncDef {
    const char *name;
    const char *params, *results;
    WasiHandler handler;
} WasiFuncDef;

static const WasiFuncDef funcs[] = {
#define X(name, params, results, file, doc) {#name, params, results, wasi_##name},
#include "wasi/wasi_funcs.def"
#undef X
};

enum { NFUNCS = sizeof funcs / sizeof funcs[0] };

/* The env of one host function: the context and the row. */
typedef struct WasiBinding {
    corral_wasi_t *w;
    const WasiFuncDef *def;
} WasiBinding;

/* ---- errno ---- */

/* Host errno -> WASI errno, from wasi_errno.def; rows with host 0 never match. Errors are
 * the slow path, so a linear search is enough. */
static const struct {
    int host;
    uint16_t wasi;
} errno_map[] = {
#define X(name, num, host) {host, num},
#include "wasi/wasi_errno.def"
#undef X
};

uint32_t wasi_errno_from_host(int e)
{
    for (size_t i = 0; e != 0 && i < sizeof errno_map / sizeof errno_map[0]; i++)
        if (errno_map[i].host == e)
            return errno_map[i].wasi;
    return WASI_EIO;
}

/* ---- guest memory ---- */

uint32_t gm_put32(const GuestMem *m, uint32_t ptr, uint32_t v)
{
    if (!gm_ok(m, ptr, 4))
        return WASI_EFAULT;
    st32(m->base + ptr, v);
    return WASI_ESUCCESS;
}

uint32_t gm_put64(const GuestMem *m, uint32_t ptr, uint64_t v)
{
    if (!gm_ok(m, ptr, 8))
        return WASI_EFAULT;
    st64(m->base + ptr, v);
    return WASI_ESUCCESS;
}

uint32_t gm_iovecs(const GuestMem *m, uint32_t iovs, uint32_t n, struct iovec *out, int *out_n)
{
    if (!gm_ok(m, iovs, (uint64_t)n * 8))
        return WASI_EFAULT;
    uint32_t use = n < WASI_MAX_IOV ? n : WASI_MAX_IOV;
    for (uint32_t i = 0; i < use; i++) {
        const uint8_t *e = m->base + iovs + (uint64_t)i * 8;
        uint32_t buf = ld32(e), len = ld32(e + 4);
        if (!gm_ok(m, buf, len))
            return WASI_EFAULT;
        out[i].iov_base = m->base + buf;
        out[i].iov_len = len;
    }
    *out_n = (int)use;
    return WASI_ESUCCESS;
}

/* ---- time ---- */

uint64_t wasi_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void corral_wasi_set_deadline(corral_wasi_t *w, uint64_t monotonic_ns)
{
    w->deadline_ns = monotonic_ns;
}

/* ---- configuration ---- */

void corral_wasi_config_default(corral_wasi_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (int i = 0; i < 3; i++)
        cfg->stdio[i].fd = i;
}

/* Copies n strings into an owned array (NULL-terminated). false when out of memory. */
static bool copy_strings(const char *const *src, size_t n, char ***out)
{
    char **v = calloc(n + 1, sizeof *v);
    if (!v)
        return false;
    *out = v;
    for (size_t i = 0; i < n; i++)
        if (!(v[i] = strdup(src[i] ? src[i] : "")))
            return false;
    return true;
}

static void free_strings(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* The filetype a standard stream on host descriptor fd reports. wasi-libc's isatty() takes
 * any character device without fd_seek/fd_tell rights for a terminal, and streams never have
 * those rights, so only a terminal may be a character device: /dev/null and the other
 * character devices report unknown (as wasmtime reports every stream that is not a
 * terminal), or `bzip2 -c >/dev/null` would refuse to write compressed data to a terminal.
 * Other kinds report what they are: a regular file, a socket; unknown for a pipe. */
static uint8_t stream_filetype(int fd)
{
    struct stat st;
    if (fd < 0)
        return FT_UNKNOWN;
    if (isatty(fd))
        return FT_CHARACTER_DEVICE;
    if (fstat(fd, &st) != 0 || S_ISCHR(st.st_mode))
        return FT_UNKNOWN;
    return wasi_filetype_of_mode(st.st_mode);
}

/* Guest fds 0-2. */
static bool add_stdio(corral_wasi_t *w)
{
    for (uint32_t i = 0; i < 3; i++) {
        uint32_t fd;
        if (wasi_fd_alloc(w, &fd) != WASI_ESUCCESS)
            return false;
        WasiFd *e = &w->fds[fd];
        const corral_wasi_stdio_t *s = &w->stdio[i];
        e->kind = FD_STREAM;
        e->base = RIGHTS_STREAM | (i == 0 ? R_FD_READ : R_FD_WRITE);
        e->filetype = FT_UNKNOWN;
        if (s->read || s->write) {
            e->stream = s;
            continue;
        }
        e->host = s->fd;
        e->filetype = stream_filetype(s->fd);
        if (s->fd >= 0) {
            int fl = fcntl(s->fd, F_GETFL);
            if (fl >= 0 && (fl & O_APPEND))
                e->fdflags |= FDF_APPEND;
        }
    }
    return true;
}

/* One preopened directory, fd 3 and up. */
static char *add_preopen(corral_wasi_t *w, const corral_wasi_preopen_t *p)
{
    struct stat st;
    int host = open(p->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (host < 0 || fstat(host, &st) != 0) {
        char *msg = strf("cannot open directory '%s': %s", p->host_path, strerror(errno));
        if (host >= 0)
            close(host);
        return msg;
    }
    uint32_t fd;
    char *name = strdup(p->guest_path ? p->guest_path : p->host_path);
    if (!name || wasi_fd_alloc(w, &fd) != WASI_ESUCCESS) {
        free(name);
        close(host);
        return strf("out of memory");
    }
    WasiFd *e = &w->fds[fd];
    e->kind = FD_DIR;
    e->host = host;
    e->owned = true;
    e->readonly = p->readonly;
    e->filetype = FT_DIRECTORY;
    e->root_dev = (uint64_t)st.st_dev;
    e->root_ino = (uint64_t)st.st_ino;
    e->base = p->readonly ? RIGHTS_DIR & ~RIGHTS_MUTATING : RIGHTS_DIR;
    /* Inheriting rights stay whole even when read-only: wasi-libc masks the rights it asks
     * path_open for with them, so a write request must reach path_open to be refused with
     * EROFS rather than quietly turning into a descriptor that cannot write. */
    e->inheriting = R_ALL;
    e->prename = name;
    return NULL;
}

static char *add_socket(corral_wasi_t *w, int sock)
{
    int host = fcntl(sock, F_DUPFD_CLOEXEC, 3);
    if (host < 0)
        return strf("cannot use socket %d: %s", sock, strerror(errno));
    uint32_t fd;
    if (wasi_fd_alloc(w, &fd) != WASI_ESUCCESS) {
        close(host);
        return strf("out of memory");
    }
    WasiFd *e = &w->fds[fd];
    int type = 0;
    socklen_t len = sizeof type;
    e->kind = FD_SOCKET;
    e->host = host;
    e->owned = true;
    e->filetype = FT_SOCKET_STREAM;
    if (getsockopt(host, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM)
        e->filetype = FT_SOCKET_DGRAM;
    e->base = RIGHTS_SOCKET;
    e->inheriting = RIGHTS_SOCKET;
    return NULL;
}

/* Everything of the guest's world but the bindings: descriptors, arguments, environment. */
static void clear_world(corral_wasi_t *w)
{
    for (uint32_t i = 0; i < w->nfds; i++)
        if (w->fds[i].used)
            wasi_fd_release(w, i);
    free_strings(w->argv);
    free_strings(w->env);
    w->argv = w->env = NULL;
    w->argc = w->nenv = 0;
    w->deadline_ns = 0;
}

bool corral_wasi_reset(corral_wasi_t *w, const corral_wasi_config_t *cfg, char **out_err)
{
    *out_err = NULL;
    clear_world(w);
    wasi_cancel_clear(w);
    w->argc = cfg->argc;
    w->nenv = cfg->nenv;
    memcpy(w->stdio, cfg->stdio, sizeof w->stdio);
    if (!copy_strings(cfg->argv, cfg->argc, &w->argv) ||
        !copy_strings(cfg->env, cfg->nenv, &w->env) || !add_stdio(w))
        goto fail;
    for (size_t i = 0; i < cfg->npreopens; i++)
        if ((*out_err = add_preopen(w, &cfg->preopens[i])))
            goto fail;
    for (size_t i = 0; i < cfg->nsockets; i++)
        if ((*out_err = add_socket(w, cfg->sockets[i])))
            goto fail;
    return true;
fail:
    clear_world(w);
    return false;
}

corral_wasi_t *corral_wasi_new(const corral_wasi_config_t *cfg, char **out_err)
{
    *out_err = NULL;
    corral_wasi_t *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->bindings = calloc(NFUNCS, sizeof *w->bindings);
    if (!w->bindings) {
        free(w);
        return NULL;
    }
    for (size_t i = 0; i < NFUNCS; i++)
        w->bindings[i] = (WasiBinding){w, &funcs[i]};
    atomic_init(&w->cancelled, false);
    atomic_init(&w->cancel_fd, -1);
    if (!corral_wasi_reset(w, cfg, out_err)) {
        corral_wasi_delete(w);
        return NULL;
    }
    return w;
}

void corral_wasi_delete(corral_wasi_t *w)
{
    if (!w)
        return;
    for (uint32_t i = 0; i < w->nfds; i++)
        if (w->fds[i].used)
            wasi_fd_release(w, i);
    free(w->fds);
    free_strings(w->argv);
    free_strings(w->env);
    free(w->bindings);
    int cfd = atomic_load(&w->cancel_fd);
    if (cfd >= 0)
        close(cfd);
    free(w);
}

/* ---- calls ---- */

/* Every WASI function: sets up the call, runs the handler, returns its errno as the i32
 * result or its trap. */
static corral_trap_t *host_call(void *env, corral_caller_t *caller, const corral_val_t *args,
                                corral_val_t *results)
{
    const WasiBinding *b = env;
    corral_memory_t *mem = corral_caller_memory(caller);
    WasiCall c = {b->w, {NULL, 0}, NULL};
    if (mem) {
        c.mem.base = corral_memory_data(mem);
        c.mem.size = corral_memory_size(mem);
    }
    uint32_t err = b->def->handler(&c, args);
    if (c.trap)
        return c.trap;
    if (b->def->results[0])
        results[0] = corral_val_i32((int32_t)err);
    return NULL;
}

/* ---- linking ---- */

static corral_valkind_t kind_of(char c)
{
    return c == 'I' ? CORRAL_I64 : CORRAL_I32;
}

static corral_functype_t *functype_of(const WasiFuncDef *d)
{
    corral_valkind_t p[16], r[1];
    size_t np = strlen(d->params), nr = strlen(d->results);
    for (size_t i = 0; i < np; i++)
        p[i] = kind_of(d->params[i]);
    for (size_t i = 0; i < nr; i++)
        r[i] = kind_of(d->results[i]);
    return corral_functype_new(p, np, r, nr);
}



static const WasiFuncDef *find_func(const char *name, size_t len)
{
    for (size_t i = 0; i < NFUNCS; i++)
        if (strlen(funcs[i].name) == len && !memcmp(funcs[i].name, name, len))
            return &funcs[i];
    return NULL;
}

static bool is_filled(const corral_extern_t *e)
{
    return e->kind != CORRAL_EXTERN_FUNC || e->of.func != NULL;
}

/* Makes the host function for import d (from the WASI module). NULL with *out_err set. */
static corral_func_t *make_import(corral_wasi_t *w, corral_store_t *store,
                                  const corral_extern_desc_t *d, char **out_err)
{
    const WasiFuncDef *def = find_func(d->name, d->name_len);
    if (!def) {
        *out_err = strf("unknown import %s::%.*s", CORRAL_WASI_MODULE, (int)d->name_len, d->name);
        return NULL;
    }
    corral_functype_t *want = functype_of(def);
    if (!want) {
        *out_err = NULL;
        return NULL;
    }
    corral_func_t *f = NULL;
    static const char *const kinds[] = {"a function", "a table", "a memory", "a global"};
    char expects[160], declares[160];
    if (d->kind != CORRAL_EXTERN_FUNC || !corral_functype_equal(want, d->functype)) {
        corral_functype_format(want, expects, sizeof expects);
        if (d->kind == CORRAL_EXTERN_FUNC)
            corral_functype_format(d->functype, declares, sizeof declares);
        else
            snprintf(declares, sizeof declares, "%s", kinds[d->kind & 3]);
        *out_err = strf("incompatible import type for %s::%s: expects %s, the module "
                        "declares %s",
                        CORRAL_WASI_MODULE, def->name, expects, declares);
    } else if (!(f = corral_func_new(store, want, host_call, &w->bindings[def - funcs], NULL))) {
        *out_err = NULL;
    }
    corral_functype_delete(want);
    return f;
}

bool corral_wasi_link(corral_wasi_t *w, corral_store_t *store, const corral_module_t *module,
                      corral_extern_t *imports, size_t nimports, char **out_err)
{
    *out_err = NULL;
    size_t n = corral_module_import_count(module);
    if (nimports < n) {
        *out_err = strf("unknown import: %zu imports given, the module has %zu", nimports, n);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (is_filled(&imports[i]))
            continue;
        corral_extern_desc_t d;
        corral_module_import(module, i, &d);
        bool wasi = d.module_len == strlen(CORRAL_WASI_MODULE) &&
                    !memcmp(d.module, CORRAL_WASI_MODULE, d.module_len);
        if (!wasi) {
            *out_err = strf("unknown import %.*s::%.*s", (int)d.module_len, d.module,
                            (int)d.name_len, d.name);
            return false;
        }
        corral_func_t *f = make_import(w, store, &d, out_err);
        if (!f)
            return false;
        imports[i] = (corral_extern_t){.kind = CORRAL_EXTERN_FUNC, .of.func = f};
    }
    return true;
}
