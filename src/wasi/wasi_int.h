/* wasi_int.h: what the files of the WASI layer share: the context and its descriptor table,
 * the witx constants (numbers and layouts from the preview 1 witx), guest memory access, and
 * the handler declarations generated from wasi_funcs.def. Never included by embedders. */
#ifndef CORRAL_WASI_INT_H
#define CORRAL_WASI_INT_H

#include "wasi/wasi.h"

#include <dirent.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define WASI_WARN __attribute__((warn_unused_result))
#else
#define WASI_WARN
#endif

/* ---- errno (wasi_errno.def) ---- */

enum {
#define X(name, num, host) WASI_E##name = num,
#include "wasi/wasi_errno.def"
#undef X
};

/* The WASI errno for a host errno value; WASI_EIO for one without a counterpart. */
uint32_t wasi_errno_from_host(int host_errno);

/* ---- witx constants ---- */

/* rights (u64) */
#define R_FD_DATASYNC (1ull << 0)
#define R_FD_READ (1ull << 1)
#define R_FD_SEEK (1ull << 2)
#define R_FD_FDSTAT_SET_FLAGS (1ull << 3)
#define R_FD_SYNC (1ull << 4)
#define R_FD_TELL (1ull << 5)
#define R_FD_WRITE (1ull << 6)
#define R_FD_ADVISE (1ull << 7)
#define R_FD_ALLOCATE (1ull << 8)
#define R_PATH_CREATE_DIRECTORY (1ull << 9)
#define R_PATH_CREATE_FILE (1ull << 10)
#define R_PATH_LINK_SOURCE (1ull << 11)
#define R_PATH_LINK_TARGET (1ull << 12)
#define R_PATH_OPEN (1ull << 13)
#define R_FD_READDIR (1ull << 14)
#define R_PATH_READLINK (1ull << 15)
#define R_PATH_RENAME_SOURCE (1ull << 16)
#define R_PATH_RENAME_TARGET (1ull << 17)
#define R_PATH_FILESTAT_GET (1ull << 18)
#define R_PATH_FILESTAT_SET_SIZE (1ull << 19)
#define R_PATH_FILESTAT_SET_TIMES (1ull << 20)
#define R_FD_FILESTAT_GET (1ull << 21)
#define R_FD_FILESTAT_SET_SIZE (1ull << 22)
#define R_FD_FILESTAT_SET_TIMES (1ull << 23)
#define R_PATH_SYMLINK (1ull << 24)
#define R_PATH_REMOVE_DIRECTORY (1ull << 25)
#define R_PATH_UNLINK_FILE (1ull << 26)
#define R_POLL_FD_READWRITE (1ull << 27)
#define R_SOCK_SHUTDOWN (1ull << 28)
#define R_SOCK_ACCEPT (1ull << 29)
#define R_ALL ((1ull << 30) - 1)

/* Rights that apply to each kind of descriptor (what path_open grants at most). */
#define RIGHTS_FILE                                                                                \
    (R_FD_DATASYNC | R_FD_READ | R_FD_SEEK | R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_TELL |       \
     R_FD_WRITE | R_FD_ADVISE | R_FD_ALLOCATE | R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_SIZE |       \
     R_FD_FILESTAT_SET_TIMES | R_POLL_FD_READWRITE)
#define RIGHTS_DIR                                                                                 \
    (R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_DATASYNC | R_PATH_CREATE_DIRECTORY |                 \
     R_PATH_CREATE_FILE | R_PATH_LINK_SOURCE | R_PATH_LINK_TARGET | R_PATH_OPEN | R_FD_READDIR |   \
     R_PATH_READLINK | R_PATH_RENAME_SOURCE | R_PATH_RENAME_TARGET | R_PATH_FILESTAT_GET |         \
     R_PATH_FILESTAT_SET_SIZE | R_PATH_FILESTAT_SET_TIMES | R_FD_FILESTAT_GET |                    \
     R_FD_FILESTAT_SET_TIMES | R_PATH_SYMLINK | R_PATH_REMOVE_DIRECTORY | R_PATH_UNLINK_FILE)
#define RIGHTS_SOCKET                                                                              \
    (R_FD_READ | R_FD_WRITE | R_FD_FDSTAT_SET_FLAGS | R_FD_FILESTAT_GET | R_POLL_FD_READWRITE |    \
     R_SOCK_SHUTDOWN | R_SOCK_ACCEPT)
#define RIGHTS_STREAM (R_FD_FDSTAT_SET_FLAGS | R_FD_FILESTAT_GET | R_POLL_FD_READWRITE)
/* What a read-only preopen takes away: every right that changes something. */
#define RIGHTS_MUTATING                                                                            \
    (R_FD_DATASYNC | R_FD_WRITE | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE |                         \
     R_FD_FILESTAT_SET_TIMES | R_PATH_CREATE_DIRECTORY | R_PATH_CREATE_FILE | R_PATH_LINK_SOURCE | \
     R_PATH_LINK_TARGET | R_PATH_RENAME_SOURCE | R_PATH_RENAME_TARGET | R_PATH_FILESTAT_SET_SIZE | \
     R_PATH_FILESTAT_SET_TIMES | R_PATH_SYMLINK | R_PATH_REMOVE_DIRECTORY | R_PATH_UNLINK_FILE)

/* filetype (u8) */
enum {
    FT_UNKNOWN = 0,
    FT_BLOCK_DEVICE = 1,
    FT_CHARACTER_DEVICE = 2,
    FT_DIRECTORY = 3,
    FT_REGULAR_FILE = 4,
    FT_SOCKET_DGRAM = 5,
    FT_SOCKET_STREAM = 6,
    FT_SYMBOLIC_LINK = 7,
};

/* fdflags (u16) */
enum { FDF_APPEND = 1, FDF_DSYNC = 2, FDF_NONBLOCK = 4, FDF_RSYNC = 8, FDF_SYNC = 16 };
/* oflags (u16) */
enum { OF_CREAT = 1, OF_DIRECTORY = 2, OF_EXCL = 4, OF_TRUNC = 8 };
/* lookupflags (u32) */
enum { LOOKUP_SYMLINK_FOLLOW = 1 };
/* fstflags (u16) */
enum { FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8 };

/* ---- the descriptor table ---- */

typedef enum FdKind {
    FD_STREAM, /* a standard stream: host fd or callbacks, not seekable */
    FD_FILE,   /* anything opened by path that is not a directory */
    FD_DIR,
    FD_SOCKET,
} FdKind;

typedef struct WasiFd {
    bool used;
    FdKind kind;
    int host;      /* host descriptor, -1 for a callback stream or no stream */
    bool owned;    /* closing the guest fd closes host */
    bool readonly; /* under a read-only preopen: nothing may change (EROFS) */
    uint8_t filetype;
    uint16_t fdflags;
    uint64_t base, inheriting;         /* rights */
    const corral_wasi_stdio_t *stream; /* callbacks of a standard stream, or NULL */
    char *prename;                     /* a preopen's guest path (owned), NULL for others */
    uint64_t root_dev, root_ino;       /* a directory's preopen (itself, or the one it was opened
                                        * under): where the symlinks it makes may point */
    DIR *dir;                          /* fd_readdir's stream (owned), opened on first use */
    uint64_t dir_pos;                  /* cookie of the entry dir reads next */
} WasiFd;

struct corral_wasi {
    char **argv, **env; /* owned copies */
    size_t argc, nenv;
    corral_wasi_stdio_t stdio[3];
    WasiFd *fds; /* the table: guest fd = index */
    uint32_t nfds, capfds;
    uint64_t deadline_ns;         /* 0: none */
    struct WasiBinding *bindings; /* one per wasi_funcs.def row */
    /* corral_wasi_cancel, the one part another thread may touch: the flag, and an eventfd
     * (-1 until the guest first waits or a cancel comes) that every blocking wait polls
     * beside its descriptors. Whoever needs it first makes it (wasi_cancel_fd). */
    atomic_bool cancelled;
    atomic_int cancel_fd;
};

/* Most descriptors a guest may hold open at once. */
#define WASI_MAX_FDS 4096u

/* The open entry for guest fd, or NULL (EBADF). */
WasiFd *wasi_fd_get(corral_wasi_t *w, uint32_t fd);
/* Looks up fd and checks it holds all of rights: WASI_ESUCCESS with *out set, WASI_EBADF or
 * WASI_ENOTCAPABLE. */
uint32_t wasi_fd_lookup(corral_wasi_t *w, uint32_t fd, uint64_t rights, WasiFd **out) WASI_WARN;
/* Takes a free slot (the lowest) for a new entry: WASI_ESUCCESS with *out_fd, or EMFILE /
 * ENOMEM. The entry is zeroed except host = -1 and used = true. */
uint32_t wasi_fd_alloc(corral_wasi_t *w, uint32_t *out_fd) WASI_WARN;
/* Releases entry fd (closing what it owns). */
void wasi_fd_release(corral_wasi_t *w, uint32_t fd);
/* The filetype of a host stat mode. */
uint8_t wasi_filetype_of_mode(unsigned mode);

struct stat;
struct timespec;
/* Writes a filestat (64 bytes: dev, ino, filetype u8, nlink, size, atim, mtim, ctim) at p. */
void wasi_put_filestat(uint8_t *p, const struct stat *st);
/* The two timespecs of utimensat/futimens from WASI times and fstflags; false when the
 * flags contradict each other (a time and "now" for the same field) or are unknown. */
bool wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]);

/* ---- guest memory ----
 * A view of the caller's memory, taken once per call: the memory cannot move during a host
 * call (nothing here calls back into Wasm). Every access is preceded by a bounds check
 * (gm_ok); the accessors assume it was done. Values are little-endian, read byte-wise:
 * no unaligned pointer casts. */

typedef struct GuestMem {
    uint8_t *base;
    uint64_t size;
} GuestMem;

static inline bool gm_ok(const GuestMem *m, uint32_t ptr, uint64_t len)
{
    return (uint64_t)ptr + len <= m->size;
}

static inline uint16_t ld16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t ld64(const uint8_t *p)
{
    return (uint64_t)ld32(p) | ((uint64_t)ld32(p + 4) << 32);
}
static inline void st8(uint8_t *p, uint8_t v)
{
    p[0] = v;
}
static inline void st16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void st32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void st64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Stores a u32 / u64 result at ptr, bounds-checked: WASI_ESUCCESS or WASI_EFAULT. */
uint32_t gm_put32(const GuestMem *m, uint32_t ptr, uint32_t v) WASI_WARN;
uint32_t gm_put64(const GuestMem *m, uint32_t ptr, uint64_t v) WASI_WARN;

/* Scatter/gather lists ((c)iovec: buf u32 at 0, buf_len u32 at 4; 8 bytes each), translated
 * to host iovecs pointing into guest memory after checking every buffer. At most
 * WASI_MAX_IOV entries are used (later ones are ignored: a short transfer, as POSIX allows).
 * Returns WASI_ESUCCESS with *out_n entries in out, or WASI_EFAULT. */
#define WASI_MAX_IOV 1024
struct iovec;
uint32_t gm_iovecs(const GuestMem *m, uint32_t iovs, uint32_t n, struct iovec *out,
                   int *out_n) WASI_WARN;

/* ---- calls ---- */

/* One host call in progress: the context, the caller's memory, and a trap to return
 * instead of an errno (proc_exit, proc_raise, a deadline). */
typedef struct WasiCall {
    corral_wasi_t *w;
    GuestMem mem;
    corral_trap_t *trap;
} WasiCall;

/* The handlers: args as wasi_funcs.def lists them; return the errno (ignored when trap is
 * set, and for proc_exit). */
#define X(name, params, results, file, doc)                                                        \
    uint32_t wasi_##name(WasiCall *c, const corral_val_t *a) WASI_WARN;
#include "wasi/wasi_funcs.def"
#undef X

/* Argument accessors for handlers. */
#define ARG32(i) ((uint32_t)a[i].of.i32)
#define ARG64(i) ((uint64_t)a[i].of.i64)

/* The trap a wait cut short by the deadline returns. */
#define WASI_DEADLINE_MESSAGE "interrupted: time limit exceeded"

/* The trap a wait cut short by corral_wasi_cancel returns (the engine's own wording). */
#define WASI_CANCEL_MESSAGE "interrupted: cancelled by the host"

/* The context's cancel eventfd, made on first use by whichever thread comes first; -1 when
 * none can be made (out of descriptors): waits then poll the flag every WASI_CANCEL_SLICE_MS. */
int wasi_cancel_fd(corral_wasi_t *w);
#define WASI_CANCEL_SLICE_MS 20
/* Forgets a cancel (corral_wasi_reset): clears the flag and drains the eventfd. */
void wasi_cancel_clear(corral_wasi_t *w);
/* Whether corral_wasi_cancel was called (since the last reset). */
bool wasi_cancelled(corral_wasi_t *w);

/* Monotonic clock now, nanoseconds. */
uint64_t wasi_now_ns(void);

/* Waits until host fd is readable (events = POLLIN) or writable (POLLOUT), the deadline or a
 * cancel: WASI_ESUCCESS, or sets c->trap at the deadline or on corral_wasi_cancel. */
uint32_t wasi_wait_fd(WasiCall *c, int host, short events) WASI_WARN;

/* ---- paths (wasi_sandbox.c) ---- */

/* The result of resolving a guest path under a directory descriptor: a host directory
 * (parent: an O_PATH descriptor, or the starting one itself when the path has no directory
 * part) and the last component's name in it, never a
 * symlink when the resolution followed symlinks (at the time of the check; every use goes
 * through *at calls that do not follow one, so a later swap cannot lead outside). name is
 * "." when the path names a directory itself ("", "a/..", "."). must_dir: the path ended in
 * '/', so it must name a directory. */
typedef struct Resolved {
    int parent;
    bool owned; /* parent is ours to close (wasi_resolved_close); else it is the dirfd given */
    char name[256];
    bool must_dir;
} Resolved;

/* Releases r's parent when owned. */
void wasi_resolved_close(Resolved *r);

/* Reads the guest path (ptr, len) into a NUL-terminated host buffer of PATH_MAX bytes:
 * WASI_EFAULT, WASI_ENAMETOOLONG, WASI_EINVAL (a NUL inside), WASI_ENOENT (empty). */
uint32_t wasi_path_read(const GuestMem *m, uint32_t ptr, uint32_t len, char *buf) WASI_WARN;

/* Resolves path under directory descriptor dirfd (the sandbox root for this call): never
 * above it (`..` at the root, absolute paths, absolute symlinks and symlinks leading outside
 * are WASI_ENOTCAPABLE), at most 40 symlink expansions (WASI_ELOOP). follow: expand a
 * symlink in the last component too. Intermediate components are always followed. */
uint32_t wasi_resolve(int dirfd, const char *path, bool follow, Resolved *out) WASI_WARN;

/* Checks the target of a symlink the guest wants to make in host directory dir (where the
 * link will live) under the preopen whose root directory is (root_dev, root_ino): a link left
 * behind must not lead a host tool that follows it outside. An absolute target, or one that,
 * read lexically from dir, climbs above the root ("..", "a/../..", "../x" in the root) is
 * WASI_ENOTCAPABLE; dir's own depth is measured on the host, through "..". */
uint32_t wasi_link_target_check(int dir, uint64_t root_dev, uint64_t root_ino,
                                const char *target) WASI_WARN;

/* Opens path under dirfd with host open flags (O_NOFOLLOW is added for the last component
 * unless follow; O_CLOEXEC always): through openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
 * where the kernel has it, else wasi_resolve and openat. *out_fd is the host descriptor. */
uint32_t wasi_open_beneath(int dirfd, const char *path, int flags, unsigned mode, bool follow,
                           int *out_fd) WASI_WARN;

#endif
