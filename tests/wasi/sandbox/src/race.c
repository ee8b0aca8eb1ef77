/* race: while a host process swaps "sub" between a real directory and a symlink to the
 * outside (atomically, as fast as it can), open, stat and list paths under sub/ argv[1] times
 * in five ways. The guest must never see the outside: not its file's contents (inside is
 * "inside\n", 7 bytes), not its size, not its marker file. Prints the number of escapes (0);
 * how often each way succeeded or was refused goes to stderr, for the curious. */
#include "escape.h"

#include <fcntl.h>
#include <unistd.h>

static unsigned escapes, ok, refused;

/* Reads an opened file.txt: anything but "inside\n" is an escape (printed, to show the leak). */
static void check_content(__wasi_fd_t fd)
{
    char buf[80];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n = 0;
    int e = __wasi_fd_read(fd, &iov, 1, &n);
    __wasi_fd_close(fd);
    buf[e ? 0 : n] = 0;
    if (e || strcmp(buf, "inside\n") != 0) {
        if (escapes++ < 3)
            printf("ESCAPE: read [%s]\n", buf);
        return;
    }
    ok++;
}

int main(int argc, char **argv)
{
    unsigned iterations = argc > 1 ? (unsigned)atoi(argv[1]) : 20000;
    const __wasi_fd_t S = WT_PREOPEN;
    for (unsigned i = 0; i < iterations; i++) {
        __wasi_fd_t fd, dir;
        __wasi_filestat_t st;
        switch (i % 5) {
        case 0: /* open and read through sub/ */
            if (__wasi_path_open(S, F, "sub/file.txt", 0, R, 0, 0, &fd) == 0)
                check_content(fd);
            else
                refused++;
            break;
        case 1: /* the same without following the last component */
            if (__wasi_path_open(S, 0, "sub/file.txt", 0, R, 0, 0, &fd) == 0)
                check_content(fd);
            else
                refused++;
            break;
        case 2: /* stat through sub/: the outside file is longer */
            if (__wasi_path_filestat_get(S, F, "sub/file.txt", &st) != 0)
                refused++;
            else if (st.size != 7)
                escapes++;
            else
                ok++;
            break;
        case 3: /* open sub itself, then look for the outside's marker in it */
            if (__wasi_path_open(S, F, "sub", DIRFLAG, R, R, 0, &dir) != 0) {
                refused++;
                break;
            }
            if (__wasi_path_filestat_get(dir, 0, "outside-marker", &st) == 0)
                escapes++;
            else if (__wasi_path_open(dir, 0, "file.txt", 0, R, 0, 0, &fd) == 0)
                check_content(fd);
            else
                refused++;
            __wasi_fd_close(dir);
            break;
        default: { /* wasi-libc's open() */
            int f = open("/sandbox/sub/file.txt", O_RDONLY);
            if (f < 0) {
                refused++;
                break;
            }
            char buf[80];
            ssize_t n = read(f, buf, sizeof buf - 1);
            close(f);
            buf[n > 0 ? n : 0] = 0;
            if (strcmp(buf, "inside\n") != 0) {
                if (escapes++ < 3)
                    printf("ESCAPE: read [%s]\n", buf);
            } else {
                ok++;
            }
        }
        }
    }
    printf("iterations: %u\nescapes: %u\n", iterations, escapes);
    fprintf(stderr, "succeeded %u, refused %u\n", ok, refused);
    return escapes != 0;
}
