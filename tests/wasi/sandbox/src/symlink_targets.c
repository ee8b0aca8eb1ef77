/* symlink_targets: the guest cannot create a symlink whose target, read from the directory the
 * link is made in, climbs out of the preopen ("..", "a/../..", "../outside/secret.txt"):
 * ENOTCAPABLE, and nothing is created (a host tool walking the tree later would follow such a
 * link out). What counts is the directory the link really lands in: reached through a symlinked
 * parent, through a directory descriptor below the preopen, or through "..". Links whose
 * targets climb but stay inside (a/b/link -> ../c, link -> x/../y) are created and work. The
 * listing at the end shows every name the guest made. */
#include "escape.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const __wasi_fd_t S = WT_PREOPEN;

/* A link that must be refused; then the name must not exist. */
static void refused(__wasi_fd_t dir, const char *target, const char *path)
{
    __wasi_filestat_t st;
    int e = __wasi_path_symlink(target, dir, path);
    int exists = __wasi_path_filestat_get(dir, 0, path, &st);
    printf("symlink %s -> %s: %s, %s\n", path, target, wt_errstr(e),
           exists == __WASI_ERRNO_NOENT ? "not created" : "CREATED");
}

/* A link that must be created; then what the file at through (from the preopen) reads. */
static void allowed(__wasi_fd_t dir, const char *target, const char *path, const char *through)
{
    int e = __wasi_path_symlink(target, dir, path);
    printf("symlink %s -> %s: %s", path, target, wt_errstr(e));
    if (through) {
        char buf[64];
        __wasi_fd_t fd;
        __wasi_size_t n = 0;
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
        e = __wasi_path_open(S, F, through, 0, WT_READ_RIGHTS, 0, 0, &fd);
        if (!e) {
            e = __wasi_fd_read(fd, &iov, 1, &n);
            __wasi_fd_close(fd);
        }
        while (n > 0 && buf[n - 1] == '\n')
            n--;
        printf(", %s: %s [%.*s]", through, wt_errstr(e), (int)n, buf);
    }
    printf("\n");
}

static void put(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) < 0)
        printf("setup %s: %s\n", path, wt_errstr(errno));
    if (fd >= 0)
        close(fd);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir (under /sandbox), sorted, each symlink with its target. */
static void list(const char *dir)
{
    char path[256], target[128], *names[64];
    int n = 0;
    snprintf(path, sizeof path, "/sandbox/%s", dir);
    DIR *d = opendir(path);
    for (struct dirent *de; d && n < 64 && (de = readdir(d));)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            names[n++] = strdup(de->d_name);
    if (d)
        closedir(d);
    qsort(names, n, sizeof *names, by_name);
    printf("%s:", dir);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "/sandbox/%s/%s", dir, names[i]);
        ssize_t len = readlink(path, target, sizeof target);
        if (len >= 0)
            printf(" %s->%.*s", names[i], (int)len, target);
        else
            printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

int main(void)
{
    mkdir("/sandbox/a", 0755);
    mkdir("/sandbox/a/b", 0755);
    mkdir("/sandbox/a/c", 0755);
    mkdir("/sandbox/x", 0755);
    put("/sandbox/top.txt", "top\n");
    put("/sandbox/y", "why\n");
    put("/sandbox/a/c/file.txt", "in c\n");

    printf("-- refused: the target leaves the preopen --\n");
    refused(S, "..", "up");
    refused(S, "../", "up-slash");
    refused(S, "./../.", "dot-up");
    refused(S, "../outside/secret.txt", "out");
    refused(S, "../empty/top.txt", "out-and-back"); /* out, even if it comes back in */
    refused(S, "a/../..", "winding");
    refused(S, "a/b/../../../outside", "winding-deep");
    refused(S, "x//..//..", "double-slashes");
    refused(S, "../../../outside/secret.txt", "a/b/deep");
    refused(S, "b/../../../x", "a/deep2");
    refused(S, "..", "a/../up2");         /* the link's directory is the root itself */
    refused(S, "../../..", "a/b/../up3"); /* the link lands in a */

    printf("-- through a symlinked parent: the link's real directory counts --\n");
    allowed(S, "a/b", "s", NULL);
    refused(S, "../../../x", "s/l");
    allowed(S, "../../top.txt", "s/l2", "a/b/l2");
    allowed(S, "..", "a/up", NULL);
    refused(S, "../x", "a/up/l");

    printf("-- through a directory descriptor below the preopen --\n");
    __wasi_fd_t b;
    int e = __wasi_path_open(S, 0, "a/b", __WASI_OFLAGS_DIRECTORY,
                             WT_READ_RIGHTS | __WASI_RIGHTS_PATH_SYMLINK |
                                 __WASI_RIGHTS_PATH_FILESTAT_GET,
                             WT_READ_RIGHTS, 0, &b);
    printf("open a/b: %s\n", wt_errstr(e));
    refused(b, "../../../top-secret.txt", "l3");
    allowed(b, "../../top.txt", "l4", "a/b/l4"); /* leaves b, stays in the preopen */

    printf("-- allowed: the target climbs but stays inside --\n");
    allowed(S, "../c", "a/b/link", "a/b/link/file.txt");
    allowed(S, "x/../y", "link", "link");
    allowed(S, "../c/file.txt", "a/b/file-link", "a/b/file-link");
    allowed(S, "../nowhere", "a/dangling", NULL);
    allowed(S, "a/b/../../top.txt", "winding-in", "winding-in");

    printf("-- every name the guest made --\n");
    list(".");
    list("a");
    list("a/b");
    return 0;
}
