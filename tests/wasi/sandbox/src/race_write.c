/* race_write: the race test for calls that change things. While a host process swaps "sub"
 * between a real directory and a symlink to the outside, create, truncate, write, make and
 * remove directories, unlink, rename, link, symlink and set times under sub/, argv[1] times.
 * Inside, each may succeed or fail; through the symlink each must be refused. The host checks
 * that nothing outside changed (the outside has file.txt, victim.txt and subdir/ to aim at);
 * the guest counts what it can see itself: a truncate that found the outside's longer
 * file.txt. */
#include "escape.h"

static unsigned escapes;

int main(int argc, char **argv)
{
    unsigned iterations = argc > 1 ? (unsigned)atoi(argv[1]) : 20000;
    const __wasi_fd_t S = WT_PREOPEN;
    __wasi_ciovec_t data = {(const uint8_t *)"x", 1};
    for (unsigned i = 0; i < iterations; i++) {
        __wasi_fd_t fd;
        __wasi_filestat_t st;
        __wasi_size_t n;
        switch (i % 10) {
        case 0: /* open for writing without truncating: the outside file.txt is longer */
            if (__wasi_path_open(S, F, "sub/file.txt", 0, W, 0, 0, &fd) == 0) {
                if (__wasi_fd_filestat_get(fd, &st) == 0 && st.size != 7)
                    escapes++;
                __wasi_fd_close(fd);
            }
            break;
        case 1: /* create and write a new file */
            if (__wasi_path_open(S, F, "sub/corral-new.txt", CREAT | TRUNC, W, 0, 0, &fd) == 0) {
                __wasi_fd_write(fd, &data, 1, &n);
                __wasi_fd_close(fd);
            }
            break;
        case 2:
            (void)__wasi_path_unlink_file(S, "sub/corral-new.txt");
            (void)__wasi_path_unlink_file(S, "sub/victim.txt");
            break;
        case 3:
            (void)__wasi_path_create_directory(S, "sub/corral-dir");
            break;
        case 4:
            (void)__wasi_path_remove_directory(S, "sub/corral-dir");
            (void)__wasi_path_remove_directory(S, "sub/subdir");
            break;
        case 5:
            (void)__wasi_path_rename(S, "sub/victim.txt", S, "stolen.txt");
            (void)__wasi_path_rename(S, "inside.txt", S, "sub/corral-moved.txt");
            (void)__wasi_path_rename(S, "sub/corral-moved.txt", S, "inside.txt");
            break;
        case 6:
            (void)__wasi_path_link(S, 0, "sub/file.txt", S, "hard.txt");
            (void)__wasi_path_unlink_file(S, "hard.txt");
            (void)__wasi_path_link(S, 0, "inside.txt", S, "sub/corral-hard.txt");
            (void)__wasi_path_unlink_file(S, "sub/corral-hard.txt");
            break;
        case 7:
            (void)__wasi_path_symlink("x", S, "sub/corral-link");
            (void)__wasi_path_unlink_file(S, "sub/corral-link");
            break;
        case 8:
            (void)__wasi_path_filestat_set_times(S, F, "sub/file.txt", 1, 1,
                                                 __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM);
            (void)__wasi_path_filestat_set_times(S, F, "sub", 1, 1, __WASI_FSTFLAGS_MTIM);
            break;
        default: /* truncate: through the symlink this would empty the outside's file.txt */
            if (__wasi_path_open(S, F, "sub/file.txt", TRUNC, W, 0, 0, &fd) == 0) {
                __wasi_fd_write(fd, (const __wasi_ciovec_t[]){{(const uint8_t *)"inside\n", 7}}, 1,
                                &n);
                __wasi_fd_close(fd);
            }
            break;
        }
    }
    printf("iterations: %u\nescapes seen by the guest: %u\n", iterations, escapes);
    return escapes != 0;
}
