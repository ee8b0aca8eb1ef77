/* readdir_many: a directory of 300 files with names of many lengths, listed with buffers
 * from 32 bytes to 64 KiB: every name exactly once each time; then emptied again. */
#include "wasitest.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

enum { N = 300 };

static int list(int fd, size_t bufsize, int *seen)
{
    uint8_t *buf = malloc(bufsize);
    __wasi_dircookie_t cookie = 0;
    int count = 0;
    for (;;) {
        __wasi_size_t used = 0;
        if (__wasi_fd_readdir(fd, buf, bufsize, cookie, &used) != 0)
            return -1;
        size_t off = 0;
        while (off + sizeof(__wasi_dirent_t) <= used) {
            __wasi_dirent_t d;
            memcpy(&d, buf + off, sizeof d);
            if (off + sizeof d + d.d_namlen > used)
                break;
            char name[300];
            snprintf(name, sizeof name, "%.*s", (int)d.d_namlen, (char *)buf + off + sizeof d);
            int k;
            if (sscanf(name, "f%d", &k) == 1 && k >= 0 && k < N) {
                seen[k]++;
                count++;
            }
            cookie = d.d_next;
            off += sizeof d + d.d_namlen;
        }
        if (used < bufsize)
            break;
    }
    free(buf);
    return count;
}

int main(void)
{
    char path[400];
    for (int i = 0; i < N; i++) {
        /* f<i>- then 0 to 199 'x's: names from 3 to 205 bytes */
        int len = snprintf(path, sizeof path, "/scratch/many/f%d-", i);
        if (i == 0)
            mkdir("/scratch/many", 0755);
        memset(path + len, 'x', (size_t)(i * 2 % 200));
        path[len + i * 2 % 200] = 0;
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) {
            printf("create %d: %s\n", i, wt_errstr(errno));
            return 1;
        }
        close(fd);
    }
    int dir = open("/scratch/many", O_RDONLY | O_DIRECTORY);
    static const size_t sizes[] = {256, 300, 1000, 4096, 65536};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        int seen[N] = {0};
        int count = list(dir, sizes[s], seen);
        int once = 1;
        for (int i = 0; i < N; i++)
            once &= seen[i] == 1;
        printf("buffer %zu: %d names, each exactly once: %d\n", sizes[s], count, once);
    }
    /* Names first, then unlink: whether entries removed during a listing still show up is
     * unspecified. */
    DIR *d = opendir("/scratch/many");
    struct dirent *de;
    static char names[N][256];
    int listed = 0, removed = 0;
    while ((de = readdir(d)) != NULL && listed < N)
        if (de->d_name[0] == 'f')
            snprintf(names[listed++], sizeof names[0], "%s", de->d_name);
    for (int i = 0; i < listed; i++)
        if (unlinkat(dirfd(d), names[i], 0) == 0)
            removed++;
    closedir(d);
    printf("removed %d\n", removed);
    int seen[N] = {0};
    printf("left: %d\n", list(dir, 4096, seen));
    wt_report("rmdir", wt_libc(rmdir("/scratch/many") != 0));
    return 0;
}
