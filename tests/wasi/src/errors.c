/* errors: one failing call per errno the file system calls give, printed by name and number,
 * and what wasi-libc makes of them (errno, strerror). A summary of the errno families the
 * other tests check one by one. */
#include "wasitest.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void libc(const char *what, int failed)
{
    int e = failed ? errno : 0;
    printf("%-34s %-18s %s\n", what, wt_errstr(e), e ? strerror(e) : "");
}

int main(void)
{
    struct stat st;
    char buf[8];
    libc("open missing (ENOENT)", open("/data/missing", O_RDONLY) < 0);
    libc("read fd 42 (EBADF)", read(42, buf, 1) < 0);
    libc("mkdir existing (EEXIST)", mkdir("/data/dir", 0755) != 0);
    libc("stat file/x (ENOTDIR)", stat("/data/hello.txt/x", &st) != 0);
    libc("open dir for writing (EISDIR)", open("/data/dir", O_WRONLY) < 0);
    libc("rmdir non-empty (ENOTEMPTY)", rmdir("/data/dir") != 0);
    int fd = open("/data/hello.txt", O_RDONLY);
    libc("lseek whence 99 (EINVAL)", lseek(fd, 0, 99) < 0);
    libc("lseek to -1 (EINVAL)", lseek(fd, -1, SEEK_SET) < 0);
    libc("open loop (ELOOP)", open("/data/loop", O_RDONLY) < 0);
    libc("unlink a directory (EISDIR)", unlink("/data/dir") != 0);
    char longname[300];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    char path[320];
    snprintf(path, sizeof path, "/data/%s", longname);
    libc("open a 299-byte name (ENAMETOOLONG)", open(path, O_RDONLY | O_CREAT, 0644) < 0);
    libc("open outside every preopen", open("/elsewhere/x", O_RDONLY) < 0);
    libc("success", stat("/data/hello.txt", &st) != 0);
    return 0;
}
