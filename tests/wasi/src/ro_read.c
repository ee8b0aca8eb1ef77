/* ro_read: a read-only preopen (--dir-ro) still allows everything that only reads: open and
 * read files, pread, seek, stat, list directories, read symlinks, open subdirectories, follow
 * symlinks inside it. (What it refuses is in sandbox/ro_*.) */
#include "wasitest.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    char buf[64];
    int fd = open("/ro/hello.txt", O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf);
    printf("read: %zd [%.*s]\n", n, (int)(n > 0 ? n - 1 : 0), buf);
    n = pread(fd, buf, 5, 7);
    printf("pread: [%.*s]\n", (int)n, buf);
    printf("lseek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
    struct stat st;
    printf("fstat: %s size=%lld\n", wt_errstr(wt_libc(fstat(fd, &st) != 0)), (long long)st.st_size);
    close(fd);
    printf("stat dir: %s\n", wt_errstr(wt_libc(stat("/ro/dir", &st) != 0)));
    DIR *d = opendir("/ro/dir");
    int count = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        count += de->d_name[0] != '.';
    printf("entries in dir: %d\n", count);
    if (d)
        closedir(d);
    n = readlink("/ro/link-hello", buf, sizeof buf);
    printf("readlink: [%.*s]\n", (int)(n > 0 ? n : 0), buf);
    fd = open("/ro/link-dir/nested/deeper/deep.txt", O_RDONLY);
    n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
    printf("through a symlink: %s [%.*s]\n", fd >= 0 ? "OK" : wt_errstr(errno),
           (int)(n > 0 ? n - 1 : 0), buf);
    int sub = open("/ro/dir", O_RDONLY | O_DIRECTORY);
    __wasi_fd_t f;
    int e = __wasi_path_open(sub, 0, "a.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &f);
    printf("open relative to a subdirectory: %s\n", wt_errstr(e));
    __wasi_fdstat_t fs;
    __wasi_fd_fdstat_get(WT_PREOPEN, &fs);
    printf("preopen rights: path_open=%d readdir=%d filestat_get=%d; inheriting read=%d\n",
           !!(fs.fs_rights_base & __WASI_RIGHTS_PATH_OPEN),
           !!(fs.fs_rights_base & __WASI_RIGHTS_FD_READDIR),
           !!(fs.fs_rights_base & __WASI_RIGHTS_PATH_FILESTAT_GET),
           !!(fs.fs_rights_inheriting & __WASI_RIGHTS_FD_READ));
    return 0;
}
