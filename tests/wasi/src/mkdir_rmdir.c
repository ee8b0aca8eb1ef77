/* mkdir_rmdir: path_create_directory and path_remove_directory: nested creation, EEXIST for a
 * name that exists (directory, file or symlink), ENOENT for a missing parent, ENOTDIR under a
 * file; removing a non-empty directory is ENOTEMPTY, a file ENOTDIR, a missing one ENOENT. */
#include "wasitest.h"

#include <sys/stat.h>
#include <unistd.h>

static void mk(const char *path)
{
    char what[80];
    snprintf(what, sizeof what, "mkdir %s", path);
    wt_report(what, __wasi_path_create_directory(WT_PREOPEN, path));
}

static void rm(const char *path)
{
    char what[80];
    snprintf(what, sizeof what, "rmdir %s", path);
    wt_report(what, __wasi_path_remove_directory(WT_PREOPEN, path));
}

int main(void)
{
    mk("newdir");
    mk("newdir/child");
    mk("newdir/child/grandchild");
    mk("newdir");
    mk("hello.txt");
    mk("link-hello");
    mk("missing/child");
    mk("hello.txt/child");
    struct stat st;
    printf("stat newdir/child/grandchild: %s, directory=%d\n",
           wt_errstr(wt_libc(stat("/data/newdir/child/grandchild", &st) != 0)),
           S_ISDIR(st.st_mode));
    rm("newdir");
    rm("newdir/child");
    rm("newdir/child/grandchild");
    rm("newdir/child");
    rm("newdir/child");
    rm("hello.txt");
    rm("missing");
    rm("link-dir");
    rm("dir/sub");
    rm("newdir");
    printf("newdir gone: %s\n", wt_errstr(wt_libc(stat("/data/newdir", &st) != 0)));

    wt_report("libc mkdir", wt_libc(mkdir("/data/viaLibc", 0755) != 0));
    wt_report("libc mkdir again", wt_libc(mkdir("/data/viaLibc", 0755) != 0));
    wt_report("libc rmdir", wt_libc(rmdir("/data/viaLibc") != 0));
    wt_report("libc rmdir non-empty", wt_libc(rmdir("/data/dir") != 0));
    return 0;
}
