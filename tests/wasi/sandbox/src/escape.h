/* escape.h: helpers of the sandbox guests: every attempt prints the errno it got, or
 * "ESCAPED" with what it could read, so an escape shows in the output (and the runner also
 * finds the secret there). */
#ifndef ESCAPE_H
#define ESCAPE_H

#include "wasitest.h"

#include <stdlib.h>
#include <unistd.h>

/* Prints what an fd opened by an escape reads (a secret lands in the output on purpose). */
static void escaped(const char *what, __wasi_fd_t fd)
{
    char buf[80];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n = 0;
    if (__wasi_fd_read(fd, &iov, 1, &n) != 0)
        n = 0;
    buf[n] = 0;
    printf("%s: ESCAPED, read [%s]\n", what, buf);
    __wasi_fd_close(fd);
}

/* path_open that should be refused: prints its errno, or ESCAPED and what the fd reads. */
static void try_open(const char *what, __wasi_fd_t dir, __wasi_lookupflags_t look, const char *path,
                     __wasi_oflags_t oflags, __wasi_rights_t rights)
{
    __wasi_fd_t fd;
    int e = __wasi_path_open(dir, look, path, oflags, rights, 0, 0, &fd);
    if (e == 0)
        escaped(what, fd);
    else
        printf("%s: %s\n", what, wt_errstr(e));
}

/* path_open that should work (it stays inside): prints OK and the first line it reads. */
static void open_inside(const char *what, __wasi_fd_t dir, __wasi_lookupflags_t look,
                        const char *path, __wasi_oflags_t oflags)
{
    __wasi_fd_t fd;
    int e = __wasi_path_open(dir, look, path, oflags, WT_READ_RIGHTS, 0, 0, &fd);
    if (e) {
        printf("%s: %s\n", what, wt_errstr(e));
        return;
    }
    char buf[64];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n = 0;
    if (oflags & __WASI_OFLAGS_DIRECTORY || __wasi_fd_read(fd, &iov, 1, &n) != 0)
        n = 0;
    while (n > 0 && buf[n - 1] == '\n')
        n--;
    buf[n] = 0;
    printf("%s: OK [%s]\n", what, buf);
    __wasi_fd_close(fd);
}

/* A libc open() that should be refused, or whose fd should not be usable to write. */
static void libc_refused(const char *what, int fd, int err)
{
    if (fd >= 0) {
        char buf[80];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = 0;
        printf("%s: ESCAPED, read [%s]\n", what, buf);
    } else {
        printf("%s: %s\n", what, wt_errstr(err));
    }
}

/* "dir" + "/" + name in a static buffer (one at a time). */
static const char *join(const char *dir, const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

#define F __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define R WT_READ_RIGHTS
#define W (WT_READ_RIGHTS | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE)
#define DIRFLAG __WASI_OFLAGS_DIRECTORY
#define CREAT __WASI_OFLAGS_CREAT
#define TRUNC __WASI_OFLAGS_TRUNC

#endif
