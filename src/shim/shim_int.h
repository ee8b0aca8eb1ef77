/* shim_int.h: what the files behind container.h share: the bundle as read from config.json
 * (bundle.c), the rootfs and the module in it (rootfs.c), the guest on its thread (guest.c),
 * the WAGI gateway child (wagi_child.c), and the one place messages are logged. Never
 * included by the task service: container.h is its interface. */
#ifndef CORRAL_SHIM_INT_H
#define CORRAL_SHIM_INT_H

#include "corral.h"
#include "shim/container.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#if defined(__GNUC__)
#define SHIM_WARN __attribute__((warn_unused_result))
#else
#define SHIM_WARN
#endif

/* ---- messages (container.c) ---- */

/* Writes one line to the shim's log (stderr until log.h's shim_log lands). */
void shim_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Sets *out_err to the formatted message (owned), logs it, and returns code: the one way a
 * failure leaves this layer. */
int shim_fail(char **out_err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- the bundle (bundle.c) ---- */

/* A mount of config.json's mounts[] that the guest sees: a bind mount of a host directory,
 * preopened at its destination. */
typedef struct BundleMount {
    char *destination, *source;
    bool readonly;
} BundleMount;

typedef struct Bundle {
    char **args; /* process.args (NULL-terminated), nargs >= 1 unless a WAGI app's empty args */
    size_t nargs;
    char **env; /* process.env, "NAME=VALUE" (NULL-terminated) */
    size_t nenv;
    char *cwd;  /* process.cwd, "/" when absent */
    char *root; /* root.path as written ("rootfs" when absent) */
    bool root_readonly;
    BundleMount *mounts; /* the bind mounts of mounts[] that are directories */
    size_t nmounts;
    uint64_t memory_limit; /* linux.resources.memory.limit, 0: none */
    char *image;           /* annotation io.corral.image or io.kubernetes.cri.image-name */
    char *netns;           /* linux.namespaces' network path, NULL: none */
    bool new_netns;        /* a network namespace is asked for without a path: a new one */
    bool sandbox;          /* annotation io.kubernetes.cri.container-type=sandbox: the pod
                            * sandbox CRI starts first (the pause image), see sandbox_start */
} Bundle;

/* Reads dir/config.json into *out (zeroed first; bundle_free it either way). Returns SHIM_OK,
 * or SHIM_INVALID_ARGUMENT / SHIM_FAILED_PRECONDITION with *out_err:
 * "config.json: line 3: ...", "process.args is empty: nothing to run" ... */
int bundle_read(const char *dir, Bundle *out, char **out_err) SHIM_WARN;
void bundle_free(Bundle *b);
/* The value of NAME in env (NAME=VALUE strings), or NULL. */
const char *bundle_getenv(const Bundle *b, const char *name);

/* ---- the rootfs (rootfs.c) ---- */

/* Where the guest's root is on the host, and whether this shim mounted it there. */
typedef struct Rootfs {
    char *path;   /* absolute host path */
    bool mounted; /* rootfs mounts were mounted on path: unmount at delete */
} Rootfs;

/* Mounts req's rootfs mounts on bundle/<b->root> (overlay with its options, bind with
 * MS_BIND; "ro" honoured), or with none takes b->root as it is. A relative root.path must stay
 * inside the bundle; an absolute one is `ctr run --rootfs DIR` and allowed only when there
 * are no mounts to put on it (containerd's own mounts always target bundle/rootfs). On failure
 * nothing stays mounted. */
int rootfs_setup(const ShimCreate *req, const Bundle *b, Rootfs *out, char **out_err) SHIM_WARN;
/* Unmounts what rootfs_setup mounted (lazily when busy) and frees path. */
void rootfs_release(Rootfs *r);
/* Unmounts dir when it is a mount point; true when nothing is mounted there afterwards. */
bool rootfs_unmount(const char *dir);

/* Reads the file at guest path `path` (absolute, or relative to cwd) strictly inside root:
 * openat2 with RESOLVE_IN_ROOT, so neither ".." nor a symlink leads outside. SHIM_OK with
 * *out (owned) and *out_len; SHIM_NOT_FOUND when there is no such regular file; else an
 * error. Messages name the path as the image does. */
int rootfs_read(const char *root, const char *cwd, const char *path, uint8_t **out, size_t *out_len,
                char **out_err) SHIM_WARN;
/* The host path of the regular file at guest path `path` inside root (same resolution, so
 * it is inside root), owned; NULL when there is none. */
char *rootfs_resolve(const char *root, const char *cwd, const char *path);
/* Whether a regular file exists at guest path `path` inside root (same resolution). */
bool rootfs_exists(const char *root, const char *path);

/* ---- the guest (guest.c) ---- */

typedef struct Guest Guest;

/* What a guest is made from. fds are the stdio host descriptors (-1: none), lent. */
typedef struct GuestSpec {
    const uint8_t *wasm; /* the module's bytes, taken (freed by the guest) */
    size_t wasm_len;
    const char *wasm_name;   /* for messages: "/app.wasm" */
    const char *export_name; /* "_start" or the #export */
    const Bundle *bundle;
    const char *root; /* host path of the rootfs, preopened as "/" */
    int fds[3];
} GuestSpec;

/* Called on the guest's thread when it has stopped, with its exit status. */
typedef void (*GuestDoneFn)(void *ud, uint32_t exit_status);

/* Compiles and links the module, checks the export and the memory limit: everything but
 * running. On failure returns an error code with *out_err; spec->wasm is freed either way. */
int guest_new(const GuestSpec *spec, Guest **out, char **out_err) SHIM_WARN;
/* Starts the guest's thread; done is called once from it. */
int guest_start(Guest *g, GuestDoneFn done, void *ud, char **out_err) SHIM_WARN;
/* Stops the guest as signal sig would (128 + sig is its exit status): the engine's interrupt
 * and WASI's cancel. Any thread; harmless after it stopped. */
void guest_kill(Guest *g, int sig);
/* Joins the thread (if started) and frees everything. */
void guest_free(Guest *g);
/* Resident bytes of its linear memories and its thread's stack. */
uint64_t guest_memory(Guest *g);
/* CPU time of its thread so far (final once the thread has ended), nanoseconds. */
uint64_t guest_cpu_ns(Guest *g);

/* ---- the WAGI gateway child (wagi_child.c) ---- */

typedef struct WagiChild WagiChild;

/* Starts `corral serve -c TOML --root ROOT --log-dir LOGS --listen ADDR` (corral beside this
 * binary) in TOML's directory, with its stdout and stderr on fds[1], fds[2], in b's network
 * namespace when it names one. root is the rootfs's host path, toml the host path of
 * modules.toml in it, log_dir where the modules' stderr logs go (made by corral). done is
 * called once, from the reaping thread, with the exit status (128 + signal when killed). */
int wagi_start(const Bundle *b, const char *root, const char *toml, const char *log_dir,
               const int fds[3], GuestDoneFn done, void *ud, WagiChild **out, pid_t *out_pid,
               char **out_err) SHIM_WARN;
/* The pod sandbox: CRI starts it first, with the pod's runtime handler, from the pause image
 * (a native /pause, not Wasm), and gives every later container of the pod the namespaces of
 * its process (/proc/PID/ns/net ...). So it must be a real process in the pod's network
 * namespace: a child of the shim that joins b's network namespace (or makes a new one when
 * b asks for one without a path) and sleeps until a signal ends it, as pause does. Same
 * contract as wagi_start otherwise (done from the reaper, 128 + signal). */
int sandbox_start(const Bundle *b, GuestDoneFn done, void *ud, WagiChild **out, pid_t *out_pid,
                  char **out_err) SHIM_WARN;
/* kill(2) of the child; harmless once it has been reaped. */
void wagi_kill(WagiChild *w, int sig);
/* The child's CPU time (utime + stime) in nanoseconds and resident bytes, from /proc; 0 once
 * it has been reaped. */
uint64_t wagi_cpu_ns(WagiChild *w);
uint64_t wagi_memory(WagiChild *w);
/* Kills the child if it still runs, joins the reaper and frees w. */
void wagi_free(WagiChild *w);
/* The path of the corral binary the shim runs for WAGI apps: beside /proc/self/exe. Owned. */
char *wagi_corral_path(void);
/* Uses path instead (tests, whose binary has no corral beside it); NULL restores the default.
 * Call before any container starts. */
void wagi_set_corral_path(const char *path);

#endif
