/* fs.h: file-system helpers shared by the gateway (log directories, the module cache) and
 * the host interfaces (state directories). POSIX only; nothing here aborts.
 * fs_remove_tree is not thread-safe (nftw has no user argument). */
#ifndef CORRAL_FS_H
#define CORRAL_FS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* mkdir -p: creates the directory path and every missing parent, each with mode (less the
 * umask). true when path is a directory afterwards, whoever made it (another process racing
 * to create the same path is fine); false with errno set otherwise: ENOTDIR when a component
 * exists but is not a directory, EACCES, ENOMEM ... An empty path is ENOENT. */
bool fs_mkdirs(const char *path, mode_t mode);

/* fs_mkdirs of the directory part of file path ("a/b/c.db": "a/b"); true when there is none
 * ("c.db", "/c.db"). */
bool fs_mkdirs_for(const char *file, mode_t mode);

/* rm -rf: removes path and, when it is a directory, everything beneath it, without following
 * symbolic links (a link is removed, not its target). true when nothing is left (a missing
 * path included); false with errno set by the first failure, after removing what it could. */
bool fs_remove_tree(const char *path);

/* Writes all len bytes of p to fd, retrying short writes and EINTR; false when the fd failed
 * (errno set) or took nothing. */
bool fs_write_all(int fd, const void *p, size_t len);
/* Reads exactly len bytes into p, retrying short reads and EINTR; false at end of file or on
 * an error. */
bool fs_read_all(int fd, void *p, size_t len);
/* Reads the whole file at path into malloc'ed memory (*out, *len); false with errno set
 * (EIO when it shrank while read). */
bool fs_read_file(const char *path, uint8_t **out, size_t *len);

#endif
