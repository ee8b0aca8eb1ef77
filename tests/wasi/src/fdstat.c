/* fdstat: fd_fdstat_get: the file type of a preopen, a directory and files; the fdflags of a
 * file opened with O_APPEND (and only of that one); rights that follow the access mode (read
 * rights for O_RDONLY, write rights for O_WRONLY, both for O_RDWR; readdir and path_open for
 * directories), seen through fcntl(F_GETFL) as wasi-libc computes it from the rights; EBADF
 * on an fd that is not open. */
#include "wasitest.h"

#include <fcntl.h>
#include <unistd.h>

static void show(const char *what, int fd)
{
    __wasi_fdstat_t st;
    int e = __wasi_fd_fdstat_get(fd, &st);
    if (e) {
        printf("%s: %s\n", what, wt_errstr(e));
        return;
    }
    printf("%s: type=%s append=%d", what, wt_filetype(st.fs_filetype),
           !!(st.fs_flags & __WASI_FDFLAGS_APPEND));
    if (st.fs_filetype == __WASI_FILETYPE_DIRECTORY)
        printf(" readdir=%d path_open=%d", !!(st.fs_rights_base & __WASI_RIGHTS_FD_READDIR),
               !!(st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN));
    else
        printf(" read=%d write=%d seek=%d", !!(st.fs_rights_base & __WASI_RIGHTS_FD_READ),
               !!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE),
               !!(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK));
    if (st.fs_filetype != __WASI_FILETYPE_DIRECTORY) {
        int fl = fcntl(fd, F_GETFL);
        int mode = fl & O_ACCMODE;
        printf(" F_GETFL=%s%s",
               mode == O_RDONLY   ? "O_RDONLY"
               : mode == O_WRONLY ? "O_WRONLY"
               : mode == O_RDWR   ? "O_RDWR"
                                  : "other",
               fl & O_APPEND ? "|O_APPEND" : "");
    }
    printf("\n");
}

int main(void)
{
    show("preopen", WT_PREOPEN);
    int dir = open("/scratch", O_RDONLY | O_DIRECTORY);
    show("directory", dir);
    int r = open("/scratch/f.txt", O_RDONLY | O_CREAT, 0644);
    show("O_RDONLY file", r);
    int w = open("/scratch/f.txt", O_WRONLY);
    show("O_WRONLY file", w);
    int rw = open("/scratch/f.txt", O_RDWR);
    show("O_RDWR file", rw);
    int ap = open("/scratch/f.txt", O_WRONLY | O_APPEND);
    show("O_APPEND file", ap);

    /* The preopen's inheriting rights bound what files opened through it may get. */
    __wasi_fdstat_t st;
    __wasi_fd_fdstat_get(WT_PREOPEN, &st);
    printf("preopen inheriting has read=%d write=%d\n",
           !!(st.fs_rights_inheriting & __WASI_RIGHTS_FD_READ),
           !!(st.fs_rights_inheriting & __WASI_RIGHTS_FD_WRITE));
    close(r);
    show("closed fd", r);
    show("fd 99", 99);
    return 0;
}
