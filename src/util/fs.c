/* fs.c: mkdir -p (fs.h). */
#include "util/fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
