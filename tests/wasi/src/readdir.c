/* readdir: fd_readdir through wasi-libc (opendir/readdir) and directly: names and types of a
 * directory's entries (sorted; "." and ".." left out, the tests do not fix whether they are
 * listed), resuming from every d_next cookie, a buffer too small for one entry (filled to the
 * brim: the caller retries bigger), an empty directory, rewinddir, and the errors. */
#include "wasitest.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct Entry {
    char name[64];
    unsigned type;
    __wasi_dircookie_t next;
} Entry;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const Entry *)a)->name, ((const Entry *)b)->name);
}

static int dotted(const char *name)
{
    return !strcmp(name, ".") || !strcmp(name, "..");
}

/* Reads every entry from cookie on with a buffer of bufsize bytes, calling fd_readdir again
 * while it fills the buffer. Returns the count, or -errno. */
static int read_all(int fd, __wasi_dircookie_t cookie, size_t bufsize, Entry *out, int max)
{
    uint8_t *buf = malloc(bufsize);
    int count = 0;
    for (;;) {
        __wasi_size_t used = 0;
        int e = __wasi_fd_readdir(fd, buf, bufsize, cookie, &used);
        if (e) {
            free(buf);
            return -e;
        }
        size_t off = 0;
        while (off + sizeof(__wasi_dirent_t) <= used) {
            __wasi_dirent_t d;
            memcpy(&d, buf + off, sizeof d);
            if (off + sizeof d + d.d_namlen > used)
                break; /* a partial entry: resume from the last complete one */
            if (count < max) {
                snprintf(out[count].name, sizeof out[count].name, "%.*s", (int)d.d_namlen,
                         (char *)buf + off + sizeof d);
                out[count].type = d.d_type;
                out[count].next = d.d_next;
            }
            count++;
            cookie = d.d_next;
            off += sizeof d + d.d_namlen;
        }
        if (used < bufsize)
            break;
        if (off == 0) { /* not even one entry fits */
            free(buf);
            return -1000;
        }
    }
    free(buf);
    return count;
}

static void print_sorted(const char *what, Entry *e, int n)
{
    Entry *copy = malloc(sizeof *copy * (n ? n : 1));
    int m = 0;
    for (int i = 0; i < n; i++)
        if (!dotted(e[i].name))
            copy[m++] = e[i];
    qsort(copy, m, sizeof *copy, by_name);
    printf("%s: %d entries\n", what, m);
    for (int i = 0; i < m; i++)
        printf("  %s %s\n", copy[i].name, wt_filetype(copy[i].type));
    free(copy);
}

int main(void)
{
    DIR *d = opendir("/data");
    struct dirent *de;
    Entry libc[64];
    int n = 0;
    while ((de = readdir(d)) != NULL && n < 64) {
        snprintf(libc[n].name, sizeof libc[n].name, "%s", de->d_name);
        libc[n++].type = de->d_type == DT_DIR   ? 3
                         : de->d_type == DT_REG ? 4
                         : de->d_type == DT_LNK ? 7
                                                : 0;
    }
    print_sorted("readdir /data", libc, n);
    rewinddir(d);
    int again = 0;
    while (readdir(d) != NULL)
        again++;
    printf("after rewinddir the same count: %d\n", again == n);
    closedir(d);

    int fd = open("/data/dir", O_RDONLY | O_DIRECTORY);
    Entry all[64];
    n = read_all(fd, 0, 4096, all, 64);
    print_sorted("fd_readdir dir, 4096-byte buffer", all, n);
    Entry small[64];
    int m = read_all(fd, 0, 40, small, 64);
    printf("40-byte buffer gives the same entries in the same order: %d\n",
           m == n && !memcmp(all, small, sizeof *all * (size_t)n));

    /* Resuming at each entry's d_next gives exactly the entries after it. */
    int resumes_ok = 1;
    for (int i = 0; i < n; i++) {
        Entry rest[64];
        int r = read_all(fd, all[i].next, 4096, rest, 64);
        if (r != n - i - 1 || (r > 0 && strcmp(rest[0].name, all[i + 1].name)))
            resumes_ok = 0;
    }
    printf("resuming at every d_next cookie: %s\n", resumes_ok ? "ok" : "WRONG");

    uint8_t tiny[10];
    __wasi_size_t used = 0;
    wt_report("10-byte buffer", __wasi_fd_readdir(fd, tiny, sizeof tiny, 0, &used));
    printf("bufused=%u (the buffer is filled)\n", (unsigned)used);
    close(fd);

    fd = open("/data/dir/sub", O_RDONLY | O_DIRECTORY);
    n = read_all(fd, 0, 4096, all, 64);
    print_sorted("empty directory", all, n);
    close(fd);

    fd = open("/data/hello.txt", O_RDONLY);
    /* ENOTDIR, or ENOTCAPABLE where files never carry the readdir right: both refuse. */
    int e = __wasi_fd_readdir(fd, tiny, sizeof tiny, 0, &used);
    printf("fd_readdir on a file: %s\n",
           e == __WASI_ERRNO_NOTDIR || e == __WASI_ERRNO_NOTCAPABLE ? "refused" : wt_errstr(e));
    close(fd);
    wt_report("fd_readdir on fd 99", __wasi_fd_readdir(99, tiny, sizeof tiny, 0, &used));
    errno = 0;
    printf("opendir on a file: %s\n", opendir("/data/hello.txt") ? "opened" : wt_errstr(errno));
    printf("opendir missing: %s\n", opendir("/data/nope") ? "opened" : wt_errstr(errno));
    return 0;
}
