/* allocate: fd_allocate (posix_fallocate) grows a file to offset + len when that is past the
 * end, leaves it alone when the range is inside, and the new bytes read as zeros. EBADF on an
 * fd that is not open. */
#include "wasitest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static long long size_of(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? (long long)st.st_size : -1;
}

int main(void)
{
    int fd = open("/scratch/alloc.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    printf("size at start: %lld\n", size_of(fd));
    wt_report("fd_allocate 0+4096", __wasi_fd_allocate(fd, 0, 4096));
    printf("size: %lld\n", size_of(fd));
    wt_report("fd_allocate 100+50 (inside)", __wasi_fd_allocate(fd, 100, 50));
    printf("size: %lld\n", size_of(fd));
    wt_report("posix_fallocate 4000+1000", posix_fallocate(fd, 4000, 1000));
    printf("size: %lld\n", size_of(fd));
    char buf[5000];
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    int zeros = 1;
    for (ssize_t i = 0; i < n; i++)
        zeros &= buf[i] == 0;
    printf("read back %zd bytes, all zero=%d\n", n, zeros);
    printf("position still 0: %d\n", lseek(fd, 0, SEEK_CUR) == 0);
    wt_report("fd_allocate fd 99", __wasi_fd_allocate(99, 0, 10));
    close(fd);
    return 0;
}
