/* fs.c: mkdir -p and rm -rf (fs.h). */
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_dir(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return false;
    }
    return true;
}

/* mkdir of one component: fine when it is (or has just become, by someone else) a directory. */
static bool make_one(const char *path, mode_t mode)
{
    if (mkdir(path, mode) == 0)
        return true;
    int e = errno;
    if (e == EEXIST)
        return is_dir(path);
    errno = e;
    return false;
}

bool fs_mkdirs(const char *path, mode_t mode)
{
    if (!*path) {
        errno = ENOENT;
        return false;
    }
    if (is_dir(path))
        return true;
    char *p = strdup(path);
    if (!p) {
        errno = ENOMEM;
        return false;
    }
    bool ok = true;
    /* Each parent in turn ("a", "a/b", ...), then the whole path; "//" and a trailing '/'
     * make empty components, which are skipped. */
    for (char *q = p + 1; ok && *q; q++) {
        if (*q != '/' || q[-1] == '/')
            continue;
        *q = '\0';
        ok = make_one(p, mode);
        *q = '/';
    }
    ok = ok && make_one(p, mode);
    int e = errno;
    free(p);
    errno = e;
    return ok;
}

bool fs_mkdirs_for(const char *file, mode_t mode)
{
    const char *slash = strrchr(file, '/');
    if (!slash || slash == file)
        return true;
    char *dir = strndup(file, (size_t)(slash - file));
    if (!dir) {
        errno = ENOMEM;
        return false;
    }
    bool ok = fs_mkdirs(dir, mode);
    int e = errno;
    free(dir);
    errno = e;
    return ok;
}

static int first_error; /* fs_remove_tree's; nftw's callback has no user argument */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if ((flag == FTW_DP ? rmdir(path) : unlink(path)) != 0 && !first_error)
        first_error = errno;
    return 0; /* go on: remove what can be removed */
}

bool fs_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT;
    first_error = 0;
    if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0 && !first_error)
        first_error = errno;
    errno = first_error;
    return first_error == 0;
}

bool fs_write_all(int fd, const void *p, size_t len)
{
    const char *b = p;
    while (len > 0) {
        ssize_t n = write(fd, b, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        b += n;
        len -= (size_t)n;
    }
    return true;
}

bool fs_read_all(int fd, void *p, size_t len)
{
    char *b = p;
    while (len > 0) {
        ssize_t n = read(fd, b, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        b += n;
        len -= (size_t)n;
    }
    return true;
}

bool fs_read_file(const char *path, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fd, &st) != 0)
        goto fail;
    size_t n = (size_t)st.st_size;
    if (!(buf = malloc(n ? n : 1)))
        goto fail;
    errno = 0;
    if (!fs_read_all(fd, buf, n)) {
        if (errno == 0)
            errno = EIO;
        goto fail;
    }
    close(fd);
    *out = buf;
    *len = n;
    return true;
fail:;
    int e = errno;
    free(buf);
    close(fd);
    errno = e;
    return false;
}
