/* address.c: socket paths and the grouping of containers into shims. */
#include "shim/address.h"

#include "shim/ttrpc.h"
#include "util/hash.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define SANDBOX_ANNOTATION "io.kubernetes.cri.sandbox-id"

const char *shim_socket_dir(void)
{
    const char *d = getenv("CORRAL_SHIM_SOCKET_DIR");
    return d && *d ? d : "/run/containerd/s";
}

char *shim_group_of(const char *bundle, const char *id)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", bundle);
    json_t *spec = json_load_file(path, 0, NULL);
    const char *sandbox = json_string_value(
        json_object_get(json_object_get(spec, "annotations"), SANDBOX_ANNOTATION));
    char *group = strdup(sandbox && *sandbox ? sandbox : id);
    json_decref(spec);
    return group;
}

int shim_socket_path(const char *dir, const char *containerd_address, const char *ns,
                     const char *group, char *out, size_t out_len)
{
    /* NUL separators keep ("a", "bc") and ("ab", "c") apart */
    uint64_t h = hash_bytes(containerd_address, strlen(containerd_address) + 1, 0);
    h = hash_bytes(ns, strlen(ns) + 1, h);
    h = hash_bytes(group, strlen(group) + 1, h);
    size_t max = sizeof((struct sockaddr_un *)0)->sun_path;
    int n = snprintf(out, out_len, "%s/corral-%016llx", dir, (unsigned long long)h);
    return n < 0 || (size_t)n >= out_len || (size_t)n >= max ? -1 : 0;
}

static int unix_socket(const char *path, struct sockaddr_un *a)
{
    *a = (struct sockaddr_un){.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a->sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(a->sun_path, path);
    return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

int shim_socket_alive(const char *path)
{
    /* A connect alone is not enough: the listening socket of a shim that was just killed
     * still accepts connections for a moment after containerd saw its connection close
     * (the kernel releases the dying process's sockets in reverse order), which is exactly
     * when containerd runs `delete`. A live shim answers any call, if only Unimplemented. */
    TtrpcClient *c = ttrpc_client_connect(path);
    if (!c)
        return 0;
    PbBuf none = {0};
    int code = ttrpc_client_call(c, "corral.shim.v1.Probe", "Alive", &none, 1000, NULL, NULL, NULL);
    ttrpc_client_close(c);
    return code != SHIM_UNAVAILABLE;
}

/* mkdir -p of path's parent, mode 0711 as containerd's own socket directory. */
static void make_parent(const char *path)
{
    char d[sizeof((struct sockaddr_un *)0)->sun_path];
    snprintf(d, sizeof d, "%s", path);
    for (char *p = d + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(d, 0711);
            *p = '/';
        }
    }
}

int shim_socket_listen(const char *path)
{
    struct sockaddr_un a;
    int fd = unix_socket(path, &a);
    if (fd < 0)
        return -1;
    make_parent(path);
    unlink(path); /* stale: the caller checked that nobody listens */
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || chmod(path, 0600) != 0 ||
        listen(fd, 64) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}
