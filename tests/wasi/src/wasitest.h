/* wasitest.h: helpers shared by the C guests of tests/wasi: WASI errno names and one-line
 * result reports, so every test prints failures the same way ("what: ENOENT (44)").
 * Header-only (static functions) so each guest stays a single translation unit. */
#ifndef WASITEST_H
#define WASITEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

/* WASI preview 1 errno names, indexed by value (wasi-libc's errno values are the same). */
static const char *const wt_errno_names[] = {
    [__WASI_ERRNO_SUCCESS] = "OK",
    [__WASI_ERRNO_2BIG] = "E2BIG",
    [__WASI_ERRNO_ACCES] = "EACCES",
    [__WASI_ERRNO_ADDRINUSE] = "EADDRINUSE",
    [__WASI_ERRNO_ADDRNOTAVAIL] = "EADDRNOTAVAIL",
    [__WASI_ERRNO_AFNOSUPPORT] = "EAFNOSUPPORT",
    [__WASI_ERRNO_AGAIN] = "EAGAIN",
    [__WASI_ERRNO_ALREADY] = "EALREADY",
    [__WASI_ERRNO_BADF] = "EBADF",
    [__WASI_ERRNO_BADMSG] = "EBADMSG",
    [__WASI_ERRNO_BUSY] = "EBUSY",
    [__WASI_ERRNO_CANCELED] = "ECANCELED",
    [__WASI_ERRNO_CHILD] = "ECHILD",
    [__WASI_ERRNO_CONNABORTED] = "ECONNABORTED",
    [__WASI_ERRNO_CONNREFUSED] = "ECONNREFUSED",
    [__WASI_ERRNO_CONNRESET] = "ECONNRESET",
    [__WASI_ERRNO_DEADLK] = "EDEADLK",
    [__WASI_ERRNO_DESTADDRREQ] = "EDESTADDRREQ",
    [__WASI_ERRNO_DOM] = "EDOM",
    [__WASI_ERRNO_DQUOT] = "EDQUOT",
    [__WASI_ERRNO_EXIST] = "EEXIST",
    [__WASI_ERRNO_FAULT] = "EFAULT",
    [__WASI_ERRNO_FBIG] = "EFBIG",
    [__WASI_ERRNO_HOSTUNREACH] = "EHOSTUNREACH",
    [__WASI_ERRNO_IDRM] = "EIDRM",
    [__WASI_ERRNO_ILSEQ] = "EILSEQ",
    [__WASI_ERRNO_INPROGRESS] = "EINPROGRESS",
    [__WASI_ERRNO_INTR] = "EINTR",
    [__WASI_ERRNO_INVAL] = "EINVAL",
    [__WASI_ERRNO_IO] = "EIO",
    [__WASI_ERRNO_ISCONN] = "EISCONN",
    [__WASI_ERRNO_ISDIR] = "EISDIR",
    [__WASI_ERRNO_LOOP] = "ELOOP",
    [__WASI_ERRNO_MFILE] = "EMFILE",
    [__WASI_ERRNO_MLINK] = "EMLINK",
    [__WASI_ERRNO_MSGSIZE] = "EMSGSIZE",
    [__WASI_ERRNO_MULTIHOP] = "EMULTIHOP",
    [__WASI_ERRNO_NAMETOOLONG] = "ENAMETOOLONG",
    [__WASI_ERRNO_NETDOWN] = "ENETDOWN",
    [__WASI_ERRNO_NETRESET] = "ENETRESET",
    [__WASI_ERRNO_NETUNREACH] = "ENETUNREACH",
    [__WASI_ERRNO_NFILE] = "ENFILE",
    [__WASI_ERRNO_NOBUFS] = "ENOBUFS",
    [__WASI_ERRNO_NODEV] = "ENODEV",
    [__WASI_ERRNO_NOENT] = "ENOENT",
    [__WASI_ERRNO_NOEXEC] = "ENOEXEC",
    [__WASI_ERRNO_NOLCK] = "ENOLCK",
    [__WASI_ERRNO_NOLINK] = "ENOLINK",
    [__WASI_ERRNO_NOMEM] = "ENOMEM",
    [__WASI_ERRNO_NOMSG] = "ENOMSG",
    [__WASI_ERRNO_NOPROTOOPT] = "ENOPROTOOPT",
    [__WASI_ERRNO_NOSPC] = "ENOSPC",
    [__WASI_ERRNO_NOSYS] = "ENOSYS",
    [__WASI_ERRNO_NOTCONN] = "ENOTCONN",
    [__WASI_ERRNO_NOTDIR] = "ENOTDIR",
    [__WASI_ERRNO_NOTEMPTY] = "ENOTEMPTY",
    [__WASI_ERRNO_NOTRECOVERABLE] = "ENOTRECOVERABLE",
    [__WASI_ERRNO_NOTSOCK] = "ENOTSOCK",
    [__WASI_ERRNO_NOTSUP] = "ENOTSUP",
    [__WASI_ERRNO_NOTTY] = "ENOTTY",
    [__WASI_ERRNO_NXIO] = "ENXIO",
    [__WASI_ERRNO_OVERFLOW] = "EOVERFLOW",
    [__WASI_ERRNO_OWNERDEAD] = "EOWNERDEAD",
    [__WASI_ERRNO_PERM] = "EPERM",
    [__WASI_ERRNO_PIPE] = "EPIPE",
    [__WASI_ERRNO_PROTO] = "EPROTO",
    [__WASI_ERRNO_PROTONOSUPPORT] = "EPROTONOSUPPORT",
    [__WASI_ERRNO_PROTOTYPE] = "EPROTOTYPE",
    [__WASI_ERRNO_RANGE] = "ERANGE",
    [__WASI_ERRNO_ROFS] = "EROFS",
    [__WASI_ERRNO_SPIPE] = "ESPIPE",
    [__WASI_ERRNO_SRCH] = "ESRCH",
    [__WASI_ERRNO_STALE] = "ESTALE",
    [__WASI_ERRNO_TIMEDOUT] = "ETIMEDOUT",
    [__WASI_ERRNO_TXTBSY] = "ETXTBSY",
    [__WASI_ERRNO_XDEV] = "EXDEV",
    [__WASI_ERRNO_NOTCAPABLE] = "ENOTCAPABLE",
};

/* "ENOENT (44)" for an errno value; "OK" for 0; "E? (N)" for values outside preview 1. */
static const char *wt_errstr(int err)
{
    static char buf[40];
    const char *name = NULL;
    if (err >= 0 && (size_t)err < sizeof wt_errno_names / sizeof *wt_errno_names)
        name = wt_errno_names[err];
    if (err == 0)
        return "OK";
    snprintf(buf, sizeof buf, "%s (%d)", name ? name : "E?", err);
    return buf;
}

/* Prints "what: OK" or "what: ENAME (N)" for a WASI call's result, and returns it. */
static int wt_report(const char *what, int err)
{
    printf("%s: %s\n", what, wt_errstr(err));
    return err;
}

/* The errno of a libc call that returns -1 (or NULL) on failure: 0 when it succeeded. */
static int wt_libc(int failed)
{
    return failed ? errno : 0;
}

/* The file type names of preview 1, indexed by value. */
static const char *wt_filetype(unsigned type)
{
    static const char *const names[] = {"unknown",       "block_device", "character_device",
                                        "directory",     "regular_file", "socket_dgram",
                                        "socket_stream", "symbolic_link"};
    return type < sizeof names / sizeof *names ? names[type] : "invalid";
}

/* The first preopened directory's fd (3 for every test that preopens something). */
enum { WT_PREOPEN = 3 };

/* Rights to ask for when a test opens a file with a raw path_open: everything a file can
 * have; the runtime intersects with the directory's inheriting rights. */
#define WT_FILE_RIGHTS                                                                             \
    (__WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK |                   \
     __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_TELL |           \
     __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |                \
     __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE |                          \
     __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_POLL_FD_READWRITE)
#define WT_READ_RIGHTS                                                                             \
    (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |                       \
     __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN |          \
     __WASI_RIGHTS_PATH_FILESTAT_GET)

#endif
