/* filestat: fd_filestat_get on a file, an empty file, a directory and a preopen: type, size,
 * link count and times (only properties: nonzero, mtime known for lines.txt, which the
 * fixture dates 2001-02-03 04:05:06 UTC). EBADF on an fd that is not open. */
#include "wasitest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *name, int fd)
{
    __wasi_filestat_t st;
    int e = __wasi_fd_filestat_get(fd, &st);
    if (e) {
        printf("%s: %s\n", name, wt_errstr(e));
        return;
    }
    printf("%s: type=%s", name, wt_filetype(st.filetype));
    if (st.filetype == __WASI_FILETYPE_REGULAR_FILE)
        printf(" size=%llu nlink=%llu", (unsigned long long)st.size, (unsigned long long)st.nlink);
    printf(" ino nonzero=%d times nonzero=%d\n", st.ino != 0, st.atim && st.mtim && st.ctim);
}

int main(void)
{
    int hello = open("/data/hello.txt", O_RDONLY);
    int empty = open("/data/empty.txt", O_RDONLY);
    int lines = open("/data/lines.txt", O_RDONLY);
    int dir = open("/data/dir", O_RDONLY | O_DIRECTORY);
    show("hello.txt", hello);
    show("empty.txt", empty);
    show("dir", dir);
    show("preopen /data", WT_PREOPEN);

    __wasi_filestat_t st;
    __wasi_fd_filestat_get(lines, &st);
    printf("lines.txt mtime=%llu\n", (unsigned long long)st.mtim);
    struct stat s;
    fstat(lines, &s);
    printf("fstat: size=%lld regular=%d mtime=%lld.%09ld\n", (long long)s.st_size,
           S_ISREG(s.st_mode), (long long)s.st_mtim.tv_sec, s.st_mtim.tv_nsec);
    fstat(dir, &s);
    printf("fstat dir: directory=%d\n", S_ISDIR(s.st_mode));

    __wasi_filestat_t a, b;
    __wasi_fd_filestat_get(hello, &a);
    int again = open("/data/hello.txt", O_RDONLY);
    __wasi_fd_filestat_get(again, &b);
    printf("same file, same dev and ino: %d\n", a.dev == b.dev && a.ino == b.ino);
    __wasi_fd_filestat_get(empty, &b);
    printf("different files, different ino: %d\n", a.ino != b.ino);
    close(hello);
    show("closed fd", hello);
    show("fd 99", 99);
    return 0;
}
