/* through_links: every path call follows symlinks in the middle of a path (they stay inside
 * here) and treats the last component by its own rule: a trailing "/" follows a link to a
 * directory; renaming or unlinking a symlink acts on the link, not its target; creating, making
 * a directory, linking or renaming through a symlinked parent lands in the target directory. */
#include "wasitest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void kind(const char *path, __wasi_lookupflags_t flags)
{
    __wasi_filestat_t st;
    int e = __wasi_path_filestat_get(WT_PREOPEN, flags, path, &st);
    printf("  %s %s: %s%s%s\n", flags ? "stat" : "lstat", path, wt_errstr(e), e ? "" : " ",
           e ? "" : wt_filetype(st.filetype));
}

int main(void)
{
    const __wasi_lookupflags_t F = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
    kind("link-dir/", 0);
    kind("link-dir-slash", 0);
    kind("link-dir-slash/", 0);
    kind("link-hello/", 0);
    kind("link-hello/", F);
    kind("link-dir/nested/../a.txt", 0);

    __wasi_fd_t fd;
    wt_report("create link-dir/new.txt",
              __wasi_path_open(WT_PREOPEN, F, "link-dir/new.txt", __WASI_OFLAGS_CREAT,
                               WT_FILE_RIGHTS, 0, 0, &fd));
    kind("dir/new.txt", 0);
    wt_report("mkdir link-dir/newdir", __wasi_path_create_directory(WT_PREOPEN, "link-dir/newdir"));
    kind("dir/newdir", 0);
    wt_report("rmdir link-dir/newdir", __wasi_path_remove_directory(WT_PREOPEN, "link-dir/newdir"));
    wt_report(
        "link link-dir/a.txt -> link-dir-slash/a2.txt",
        __wasi_path_link(WT_PREOPEN, 0, "link-dir/a.txt", WT_PREOPEN, "link-dir-slash/a2.txt"));
    kind("dir/a2.txt", 0);
    wt_report(
        "rename link-dir/a2.txt -> link-dir/nested/a3.txt",
        __wasi_path_rename(WT_PREOPEN, "link-dir/a2.txt", WT_PREOPEN, "link-dir/nested/a3.txt"));
    kind("dir/nested/a3.txt", 0);
    wt_report("unlink link-dir/nested/a3.txt",
              __wasi_path_unlink_file(WT_PREOPEN, "link-dir/nested/a3.txt"));
    kind("dir/nested/a3.txt", 0);
    wt_report("symlink link-dir/l -> a.txt",
              __wasi_path_symlink("a.txt", WT_PREOPEN, "link-dir/l"));
    kind("dir/l", F);

    wt_report("rename digits.txt over link-hello",
              __wasi_path_rename(WT_PREOPEN, "digits.txt", WT_PREOPEN, "link-hello"));
    kind("link-hello", 0);
    kind("hello.txt", 0);
    wt_report("rename link-dir -> moved-link",
              __wasi_path_rename(WT_PREOPEN, "link-dir", WT_PREOPEN, "moved-link"));
    kind("moved-link", 0);
    kind("dir", 0);
    wt_report("unlink moved-link", __wasi_path_unlink_file(WT_PREOPEN, "moved-link"));
    kind("dir/a.txt", 0);
    wt_report("symlink at dangling (exists)", __wasi_path_symlink("x", WT_PREOPEN, "dangling"));
    wt_report("link onto dangling (exists)",
              __wasi_path_link(WT_PREOPEN, 0, "hello.txt", WT_PREOPEN, "dangling"));
    kind("no-such-file", 0);
    return 0;
}
