/* address.h: where a shim listens. One socket per group of containers: a pod's containers
 * (same io.kubernetes.cri.sandbox-id annotation in the bundle's config.json) share one
 * shim, any other container has its own. The path is a hash of containerd's address, the
 * namespace and the group, so that two containerds or namespaces never meet, and short
 * enough for sun_path (108 bytes). */
#ifndef CORRAL_SHIM_ADDRESS_H
#define CORRAL_SHIM_ADDRESS_H

#include <stddef.h>

/* Where sockets go: $CORRAL_SHIM_SOCKET_DIR (for tests) or /run/containerd/s. */
const char *shim_socket_dir(void);
/* The group of the container in bundle: the sandbox id from bundle/config.json's
 * annotations when there is one, else id. Owned (malloc); NULL when out of memory. */
char *shim_group_of(const char *bundle, const char *id);
/* Writes dir/corral-<16 hex digits> to out (size out_len); -1 when it does not fit in a
 * unix socket address. */
int shim_socket_path(const char *dir, const char *containerd_address, const char *ns,
                     const char *group, char *out, size_t out_len);
/* Whether a ttrpc server answers on the unix socket at path (within 1 s). */
int shim_socket_alive(const char *path);
/* Binds and listens on path (a stale socket file there is removed first, the directory
 * made); returns the listening fd (close-on-exec) or -1 with errno set. */
int shim_socket_listen(const char *path);

#endif
