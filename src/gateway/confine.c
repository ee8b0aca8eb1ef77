/* confine.c: `corral serve --root DIR` (gw_config_confine): the files a modules.toml names,
 * read as if DIR were "/", for an application that arrives as a directory tree it does not
 * own the host of (a container image's rootfs, run by containerd-shim-corral-v1). Only
 * paths are rewritten here; the app opens the results as it always does. */
#include "gateway/config.h"
#include "util/strf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* The working directory as a path inside root ("/sub/dir"), or "/" when it is outside. */
static char *cwd_in_root(const char *root)
{
    char cwd[PATH_MAX];
    size_t n = strlen(root);
    if (!getcwd(cwd, sizeof cwd) || strncmp(cwd, root, n) || (cwd[n] != '/' && cwd[n] != '\0'))
        return strdup("/");
    return strdup(cwd[n] ? cwd + n : "/");
}

/* Resolves path (absolute: from root; relative: from cwd inside root) in root with
 * RESOLVE_IN_ROOT, so ".." and symlinks, absolute ones too, stay inside; returns the host
 * path it resolved to (owned), or NULL with errno. */
static char *resolve(int rootfd, const char *cwd, const char *path, bool dir)
{
    char *full = path[0] == '/' ? strdup(path) : strf("%s/%s", cwd, path);
    if (!full)
        return NULL;
    struct open_how how = {.flags = O_CLOEXEC | (dir ? O_PATH | O_DIRECTORY : O_RDONLY | O_NONBLOCK),
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    long fd;
    do
        fd = syscall(SYS_openat2, rootfd, full, &how, sizeof how);
    while (fd < 0 && (errno == EAGAIN || errno == EINTR));
    free(full);
    if (fd < 0)
        return NULL;
    char link[64], real[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%ld", fd);
    ssize_t n = readlink(link, real, sizeof real - 1);
    int e = errno;
    close((int)fd);
    if (n < 0) {
        errno = e;
        return NULL;
    }
    real[n] = '\0';
    return strdup(real);
}

/* Replaces *path by its resolution; -1 with *out_err naming what and where. */
static int confine(const GwConfig *cfg, const GwModuleConfig *m, int rootfd, const char *root,
                   const char *cwd, char **path, bool dir, const char *what, char **out_err)
{
    char where[512];
    char *real = resolve(rootfd, cwd, *path, dir);
    if (!real) {
        *out_err = strf("%s: %s '%s': %s under --root %s", gw_module_where(cfg, m, 0, where,
                        sizeof where), what, *path, strerror(errno), root);
        return -1;
    }
    free(*path);
    *path = real;
    return 0;
}

int gw_config_confine(GwConfig *cfg, const char *root, char **out_err)
{
    char real_root[PATH_MAX];
    *out_err = NULL;
    if (!realpath(root, real_root)) {
        *out_err = strf("--root %s: %s", root, strerror(errno));
        return -1;
    }
    int rootfd = open(real_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    char *cwd = cwd_in_root(real_root);
    int r = rootfd >= 0 && cwd ? 0 : -1;
    if (r != 0)
        *out_err = strf("--root %s: %s", root, cwd ? strerror(errno) : "out of memory");
    for (size_t i = 0; r == 0 && i < cfg->nmodules; i++) {
        GwModuleConfig *m = &cfg->modules[i];
        if (m->source == GW_SOURCE_FILE)
            r = confine(cfg, m, rootfd, real_root, cwd, &m->path, false, "module", out_err);
        for (size_t v = 0; r == 0 && v < m->nvolumes; v++)
            r = confine(cfg, m, rootfd, real_root, cwd, &m->volumes[v].host, true, "volume",
                        out_err);
    }
    if (rootfd >= 0)
        close(rootfd);
    free(cwd);
    return r;
}
