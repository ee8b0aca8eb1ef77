/* link: path_link makes a second name for a file: both names see the same data and link count
 * 2; unlinking the first leaves the second; EEXIST when the new name exists, ENOENT for a
 * missing source; linking a symlink without following links the symlink itself; a hard link
 * to a directory is refused (EPERM). A trailing slash on the new name asks for a directory:
 * ENOENT, or EEXIST when the name exists, as Linux's link(2). */
#include "wasitest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void ln(__wasi_lookupflags_t flags, const char *from, const char *to)
{
    char what[120];
    snprintf(what, sizeof what, "link%s %s -> %s", flags ? " (follow)" : "", to, from);
    wt_report(what, __wasi_path_link(WT_PREOPEN, flags, from, WT_PREOPEN, to));
}

static void nlink(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        printf("  %s: %s\n", path, wt_errstr(errno));
    else
        printf("  %s: nlink=%llu size=%lld %s\n", path, (unsigned long long)st.st_nlink,
               (long long)st.st_size, S_ISLNK(st.st_mode) ? "symlink" : "file");
}

int main(void)
{
    ln(0, "hello.txt", "hard.txt");
    nlink("/data/hello.txt");
    nlink("/data/hard.txt");
    int fd = open("/data/hard.txt", O_WRONLY | O_APPEND);
    write(fd, "appended\n", 9);
    close(fd);
    nlink("/data/hello.txt");
    struct stat a, b;
    stat("/data/hello.txt", &a);
    stat("/data/hard.txt", &b);
    printf("same inode: %d\n", a.st_ino == b.st_ino);
    unlink("/data/hello.txt");
    nlink("/data/hard.txt");
    ln(0, "hard.txt", "lines.txt");
    ln(0, "missing.txt", "new.txt");
    ln(0, "hard.txt", "missing/new.txt");
    ln(0, "link-hello", "link-copy");
    nlink("/data/link-copy");
    ln(0, "dir", "dir-link");
    ln(0, "hard.txt", "new-slash/");
    nlink("/data/new-slash");
    ln(0, "hard.txt", "lines.txt/");
    ln(0, "hard.txt", "dir/");
    ln(0, "hard.txt", "dangling/");
    wt_report("libc link", wt_libc(link("/data/digits.txt", "/data/dir/digits2.txt") != 0));
    nlink("/data/dir/digits2.txt");
    wt_report("link into the second preopen",
              __wasi_path_link(WT_PREOPEN, 0, "lines.txt", WT_PREOPEN + 1, "lines-there.txt"));
    nlink("/scratch/lines-there.txt");
    return 0;
}
