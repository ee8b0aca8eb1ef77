/* wasi.h: WASI preview 1 (wasi_snapshot_preview1) for embedders of Corral: the command line
 * today, the HTTP gateway later. A corral_wasi_t is one guest's world: its arguments,
 * environment, standard streams, preopened directories and sockets, and its file descriptor
 * table. It is built on the engine's public API (corral.h) only.
 * Ownership: corral_wasi_new copies everything it is given; the context must outlive every
 * store it was linked into (the host functions point at it). One guest thread at a time. */
#ifndef CORRAL_WASI_H
#define CORRAL_WASI_H

#include "corral.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The import module name every function here is provided under. */
#define CORRAL_WASI_MODULE "wasi_snapshot_preview1"

typedef struct corral_wasi corral_wasi_t;

/* A standard stream (guest fds 0, 1, 2). With read/write NULL it is the host descriptor fd,
 * used directly (readv/writev, poll; one opened O_NONBLOCK is waited on with poll when it
 * would block, unless the guest set FDFLAGS_NONBLOCK, so an embedder may keep its pipes
 * non-blocking and corral_wasi_cancel can end such a wait); fd < 0 means no stream: reads see end of file and
 * writes are accepted and dropped. With callbacks, they are called instead of touching any
 * descriptor, e.g. to feed stdin from a buffer and collect stdout into one:
 *   read  returns the bytes read (0 at end of input) or -errno (a host errno value);
 *   write returns the bytes accepted (at least 1 for len > 0) or -errno.
 * A callback stream always polls as ready and is not a terminal. */
typedef struct corral_wasi_stdio {
    int fd;
    ssize_t (*read)(void *ud, uint8_t *buf, size_t len);
    ssize_t (*write)(void *ud, const uint8_t *buf, size_t len);
    void *ud;
} corral_wasi_stdio_t;

/* A directory the guest may use: host_path, seen by the guest as guest_path (fd_prestat).
 * readonly: nothing under it can be created, changed or removed (EROFS). */
typedef struct corral_wasi_preopen {
    const char *host_path;
    const char *guest_path;
    bool readonly;
} corral_wasi_preopen_t;

typedef struct corral_wasi_config {
    const char *const *argv; /* argc strings; argv[0] is the program name */
    size_t argc;
    const char *const *env; /* "NAME=VALUE" strings */
    size_t nenv;
    corral_wasi_stdio_t stdio[3];
    const corral_wasi_preopen_t *preopens; /* guest fds 3, 4, ... in this order */
    size_t npreopens;
    const int *sockets; /* host sockets (listening or connected), after the preopens; dup'ed */
    size_t nsockets;
} corral_wasi_config_t;

/* Fills cfg with: no arguments, no environment, no preopens, stdio on host fds 0, 1, 2. */
CORRAL_API void corral_wasi_config_default(corral_wasi_config_t *cfg);

/* Creates a context from cfg (copied). On failure returns NULL and sets *out_err to an owned
 * message (release with free()), e.g. "cannot open directory 'x': No such file or directory",
 * or NULL when out of memory. */
CORRAL_API corral_wasi_t *corral_wasi_new(const corral_wasi_config_t *cfg, char **out_err);
/* Gives the context a new guest's world: closes every descriptor it owns and forgets its
 * arguments, environment and deadline, then sets them up from cfg as corral_wasi_new does.
 * Host functions made by corral_wasi_link keep working and now serve the new world, so a
 * server can link a module once and run request after request through the same functions
 * (with corral_store_reset_to keeping them). On failure returns false with *out_err as for
 * corral_wasi_new, and the context has no descriptors, arguments or environment. */
CORRAL_API bool corral_wasi_reset(corral_wasi_t *wasi, const corral_wasi_config_t *cfg,
                                  char **out_err);
/* Closes every descriptor the context owns. NULL is allowed. */
CORRAL_API void corral_wasi_delete(corral_wasi_t *wasi);

/* Fills imports (the module's corral_module_import_count entries, in import order) for every
 * import from CORRAL_WASI_MODULE with a host function created in store. Entries the caller
 * already filled (kind CORRAL_EXTERN_FUNC with a non-NULL func, or another kind) are kept, so
 * an embedder can provide other modules first; zero the array otherwise. Returns true when
 * every import is filled; else false with *out_err an owned message (free()):
 *   "unknown import wasi_snapshot_preview1::foo"   no such WASI function
 *   "unknown import env::f"                         nobody provided it
 *   "incompatible import type for wasi_snapshot_preview1::fd_write: expects
 *    (i32, i32, i32, i32) -> i32, the module declares (i32) -> i32"
 * or NULL when out of memory. */
CORRAL_API bool corral_wasi_link(corral_wasi_t *wasi, corral_store_t *store,
                                 const corral_module_t *module, corral_extern_t *imports,
                                 size_t nimports, char **out_err);

/* Sets a wall-clock deadline (CLOCK_MONOTONIC, nanoseconds; 0 = none) for calls that block:
 * poll_oneoff and reads from host streams wait no longer, and a wait cut short by it returns
 * the trap "interrupted: time limit exceeded", as the engine's deadline interrupt does. */
CORRAL_API void corral_wasi_set_deadline(corral_wasi_t *wasi, uint64_t monotonic_ns);

/* Asks the guest to stop waiting, from any thread (the one exception to "one thread at a
 * time"): every wait of a blocking call, the current one and any later one, ends at once
 * with the trap "interrupted: cancelled by the host" (the engine's wording for
 * CORRAL_INTERRUPT_CANCEL). The waits are poll_oneoff, reads from host streams (a pipe, a
 * FIFO, a terminal), reads and writes of a host stream opened O_NONBLOCK that would block
 * (see corral_wasi_stdio_t), sock_accept and sock_recv; each polls an eventfd this call
 * writes, so a guest asleep for hours wakes within microseconds. A write to a blocking
 * pipe, file I/O and the other host interfaces are not waits and are not cut short; nor is
 * running Wasm code: pair this with corral_store_interrupt(store, CORRAL_INTERRUPT_CANCEL).
 * The request stays until corral_wasi_reset. Safe to call more than once, concurrently with
 * the guest's calls, but not concurrently with (or after) corral_wasi_delete. */
CORRAL_API void corral_wasi_cancel(corral_wasi_t *wasi);

#ifdef __cplusplus
}
#endif
#endif
