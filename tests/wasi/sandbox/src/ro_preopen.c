/* ro_preopen: a read-only preopen (--dir-ro) refuses every change under it with EROFS, as a
 * read-only mount does: creating, truncating, opening for writing or appending, removing,
 * renaming into or out of it, linking into or out of it (a hard link out would let the
 * writable preopen write its files), symlinks, times, sizes. Descriptors opened through it
 * have no write right in their base rights, cannot take one back with fd_fdstat_set_rights
 * (ENOTCAPABLE), and writing through them is EBADF (not open for writing). Its inheriting
 * rights may list write rights (Corral keeps them whole so that wasi-libc's write requests
 * reach path_open and fail loudly there) but they never produce a writable descriptor. The
 * host checks the tree is untouched. fd 3 is a writable preopen ("/rw"), fd 4 the read-only
 * one ("/ro"). */
#include "escape.h"

enum { RW = 3, RO = 4 };

static const struct {
    __wasi_rights_t right;
    const char *name;
} writes[] = {
    {__WASI_RIGHTS_FD_WRITE, "fd_write"},
    {__WASI_RIGHTS_FD_ALLOCATE, "fd_allocate"},
    {__WASI_RIGHTS_FD_FILESTAT_SET_SIZE, "fd_filestat_set_size"},
    {__WASI_RIGHTS_FD_FILESTAT_SET_TIMES, "fd_filestat_set_times"},
    {__WASI_RIGHTS_PATH_CREATE_DIRECTORY, "path_create_directory"},
    {__WASI_RIGHTS_PATH_CREATE_FILE, "path_create_file"},
    {__WASI_RIGHTS_PATH_LINK_SOURCE, "path_link_source"},
    {__WASI_RIGHTS_PATH_LINK_TARGET, "path_link_target"},
    {__WASI_RIGHTS_PATH_RENAME_SOURCE, "path_rename_source"},
    {__WASI_RIGHTS_PATH_RENAME_TARGET, "path_rename_target"},
    {__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE, "path_filestat_set_size"},
    {__WASI_RIGHTS_PATH_FILESTAT_SET_TIMES, "path_filestat_set_times"},
    {__WASI_RIGHTS_PATH_SYMLINK, "path_symlink"},
    {__WASI_RIGHTS_PATH_REMOVE_DIRECTORY, "path_remove_directory"},
    {__WASI_RIGHTS_PATH_UNLINK_FILE, "path_unlink_file"},
};

/* The write rights a descriptor has in its base rights, by name, or "none". */
static void write_rights(const char *what, __wasi_fd_t fd)
{
    __wasi_fdstat_t st;
    __wasi_fd_fdstat_get(fd, &st);
    printf("%s: write rights:", what);
    int any = 0;
    for (size_t i = 0; i < sizeof writes / sizeof *writes; i++)
        if (st.fs_rights_base & writes[i].right)
            any = printf(" %s", writes[i].name);
    printf("%s; read=%d\n", any ? "" : " none",
           !!(st.fs_rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR)));
}

int main(void)
{
    const __wasi_fstflags_t BOTH = __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM;
    write_rights("ro preopen", RO);
    __wasi_fdstat_t rw;
    __wasi_fd_fdstat_get(RW, &rw);
    printf("rw preopen: path_create_file=%d\n",
           !!(rw.fs_rights_base & __WASI_RIGHTS_PATH_CREATE_FILE));
    __wasi_fd_t mine;
    wt_report("create /rw/mine.txt", __wasi_path_open(RW, F, "mine.txt", CREAT, W, 0, 0, &mine));

    try_open("open hello.txt with TRUNC", RO, F, "hello.txt", TRUNC, R);
    try_open("open hello.txt with TRUNC and write rights", RO, F, "hello.txt", TRUNC, W);
    try_open("open hello.txt asking for FD_WRITE", RO, F, "hello.txt", 0, __WASI_RIGHTS_FD_WRITE);
    try_open("open hello.txt asking for FD_ALLOCATE", RO, F, "hello.txt", 0,
             __WASI_RIGHTS_FD_ALLOCATE);
    try_open("create new.txt", RO, F, "new.txt", CREAT, R);
    __wasi_fd_t a;
    int e = __wasi_path_open(RO, F, "hello.txt", 0, R, 0, __WASI_FDFLAGS_APPEND, &a);
    printf("open hello.txt with APPEND: %s\n", e ? wt_errstr(e) : "opened");
    try_open("create hello.txt exclusively (exists)", RO, F, "hello.txt",
             CREAT | __WASI_OFLAGS_EXCL, R);
    /* Asking for a write right on a directory: refused, or granted without it. */
    __wasi_fd_t d;
    e = __wasi_path_open(RO, F, "dir", DIRFLAG,
                         __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_CREATE_FILE, 0, 0, &d);
    if (e == 0)
        write_rights("open dir asking for path_create_file", d);
    else
        printf("open dir asking for path_create_file: %s\n", wt_errstr(e));
    printf("mkdir newdir: %s\n", wt_errstr(__wasi_path_create_directory(RO, "newdir")));
    printf("rmdir dir/sub: %s\n", wt_errstr(__wasi_path_remove_directory(RO, "dir/sub")));
    printf("unlink hello.txt: %s\n", wt_errstr(__wasi_path_unlink_file(RO, "hello.txt")));
    printf("unlink link-hello: %s\n", wt_errstr(__wasi_path_unlink_file(RO, "link-hello")));
    printf("rename within: %s\n",
           wt_errstr(__wasi_path_rename(RO, "hello.txt", RO, "renamed.txt")));
    printf("rename into it from rw: %s\n",
           wt_errstr(__wasi_path_rename(RW, "mine.txt", RO, "mine.txt")));
    printf("rename out of it into rw: %s\n",
           wt_errstr(__wasi_path_rename(RO, "hello.txt", RW, "taken.txt")));
    printf("link into it from rw: %s\n",
           wt_errstr(__wasi_path_link(RW, 0, "mine.txt", RO, "mine-link")));
    printf("link out of it into rw: %s\n",
           wt_errstr(__wasi_path_link(RO, 0, "hello.txt", RW, "ro-link")));
    printf("link within: %s\n", wt_errstr(__wasi_path_link(RO, 0, "hello.txt", RO, "hello-link")));
    printf("symlink in it: %s\n", wt_errstr(__wasi_path_symlink("hello.txt", RO, "newlink")));
    printf("set times of hello.txt: %s\n",
           wt_errstr(__wasi_path_filestat_set_times(RO, F, "hello.txt", 1, 1, BOTH)));
    printf("set times of the preopen itself: %s\n",
           wt_errstr(__wasi_fd_filestat_set_times(RO, 1, 1, BOTH)));

    __wasi_fd_t f;
    e = __wasi_path_open(RO, F, "hello.txt", 0, R, 0, 0, &f);
    wt_report("open hello.txt for reading", e);
    write_rights("  its rights", f);
    __wasi_ciovec_t out = {(const uint8_t *)"overwritten", 11};
    __wasi_size_t n;
    printf("  fd_write: %s\n", wt_errstr(__wasi_fd_write(f, &out, 1, &n)));
    printf("  fd_pwrite: %s\n", wt_errstr(__wasi_fd_pwrite(f, &out, 1, 0, &n)));
    printf("  fd_filestat_set_size: %s\n", wt_errstr(__wasi_fd_filestat_set_size(f, 0)));
    printf("  fd_allocate: %s\n", wt_errstr(__wasi_fd_allocate(f, 0, 100000)));
    printf("  fd_filestat_set_times: %s\n", wt_errstr(__wasi_fd_filestat_set_times(f, 1, 1, BOTH)));
    printf("  take all rights with fd_fdstat_set_rights: %s\n",
           wt_errstr(__wasi_fd_fdstat_set_rights(f, WT_FILE_RIGHTS, 0)));
    printf("  fd_write after that: %s\n", wt_errstr(__wasi_fd_write(f, &out, 1, &n)));
    printf("ro preopen: take all rights with fd_fdstat_set_rights: %s\n",
           wt_errstr(__wasi_fd_fdstat_set_rights(RO, ~(__wasi_rights_t)0, ~(__wasi_rights_t)0)));

    /* A directory opened through the read-only preopen is read-only too. */
    __wasi_fdstat_t ro;
    __wasi_fd_fdstat_get(RO, &ro);
    __wasi_fd_t sub;
    e = __wasi_path_open(RO, F, "dir", DIRFLAG, ro.fs_rights_inheriting & ro.fs_rights_base,
                         ro.fs_rights_inheriting, 0, &sub);
    wt_report("open dir through it", e);
    write_rights("  that dir", sub);
    try_open("  create dir/new.txt through it", sub, F, "new.txt", CREAT, R);
    try_open("  open dir/a.txt for writing through it", sub, F, "a.txt", 0, W);
    printf("  mkdir through it: %s\n", wt_errstr(__wasi_path_create_directory(sub, "newdir")));
    printf("  unlink through it: %s\n", wt_errstr(__wasi_path_unlink_file(sub, "a.txt")));
    return 0;
}
