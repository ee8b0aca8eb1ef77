/* tar.h: tar archives, plain or gzip-compressed, always streamed (an archive is never held in
 * memory). The writer makes POSIX ustar entries with fixed owner and times, so the same input
 * gives the same bytes; the reader takes what other tools write: ustar and old headers (either
 * checksum convention), GNU long names and link names, pax path, linkpath and size records,
 * base-256 sizes, a missing end-of-archive, and bounds its work. It reports entries as they
 * are; deciding what a name may mean on disk is the caller's job. zlib comes from
 * lib_zlib.c. Used by OCI image layers (src/oci) and standalone bindles (src/bindle). */
#ifndef CORRAL_TAR_H
#define CORRAL_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TAR_BLOCK 512

typedef enum TarStatus {
    TAR_OK = 0,
    TAR_END,        /* tar_next: no more entries */
    TAR_ERR_IO,     /* reading or writing the underlying stream failed */
    TAR_ERR_FORMAT, /* not a tar (or gzip) stream, truncated, a malformed header */
    TAR_ERR_TOO_BIG,
    TAR_ERR_NOMEM,
} TarStatus;

/* Entry types as the header's typeflag spells them. */
enum {
    TAR_REGULAR = '0',
    TAR_HARDLINK = '1',
    TAR_SYMLINK = '2',
    TAR_DIRECTORY = '5',
};

/* Fills a ustar header block for name (split into the prefix and name fields when it is
 * longer than 100 bytes), type, mode, size; owner 0:0, mtime 0, the checksum computed. Sizes
 * past 8 GiB use GNU's base-256 form. false when name does not fit ustar's fields. */
bool tar_header(uint8_t h[TAR_BLOCK], const char *name, char type, uint32_t mode, uint64_t size);

/* ---- writing ---- */

/* Where the writer's bytes go; false stops it (TAR_ERR_IO). */
typedef bool (*TarSink)(void *ud, const uint8_t *p, size_t n);

typedef struct TarWriter TarWriter;

/* A writer that hands its output (gzip-compressed when asked: no name, mtime 0) to out. tap,
 * when not NULL, also sees the uncompressed tar (for an OCI diff_id). On failure *out_err is
 * static text. */
TarStatus tar_writer_new(bool gzip, TarSink out, TarSink tap, void *ud, TarWriter **w,
                         const char **out_err);
/* A directory entry (name should end with '/'). */
TarStatus tar_write_dir(TarWriter *w, const char *name, uint32_t mode);
/* A regular file of size bytes read from data at its current position. */
TarStatus tar_write_file(TarWriter *w, const char *name, uint32_t mode, FILE *data, uint64_t size);
/* The two end blocks and the end of the gzip stream. */
TarStatus tar_writer_finish(TarWriter *w);
/* Why the last call failed (borrowed); "" when none did. */
const char *tar_writer_error(const TarWriter *w);
void tar_writer_free(TarWriter *w);

/* ---- reading ---- */

typedef struct TarEntry {
    const char *name;     /* as the archive gives it (pax path, GNU long name, prefix/name);
                             borrowed until the next tar_next */
    const char *linkname; /* links: the target; "" otherwise */
    char type;            /* TAR_REGULAR (also for '\0' and '7'), TAR_HARDLINK, TAR_SYMLINK,
                             TAR_DIRECTORY or the header's other typeflag */
    uint32_t mode;
    uint64_t size;         /* data bytes; 0 for links, directories, devices and FIFOs */
    const uint8_t *header; /* the raw header block, for messages */
} TarEntry;

typedef struct TarReader TarReader;

/* The default bound on what an archive may unpack to: a bound on a gzip bomb's work. */
#define TAR_DEFAULT_MAX_UNPACKED ((uint64_t)8 << 30)

/* A reader of the archive in in, from its start (gzip detected by its magic bytes).
 * max_unpacked bounds the tar bytes produced (0: TAR_DEFAULT_MAX_UNPACKED). */
TarStatus tar_reader_new(FILE *in, uint64_t max_unpacked, TarReader **out, const char **out_err);
/* The next entry (skipping what is left of the current one's data): TAR_OK, TAR_END at the
 * end of the archive, or an error (tar_reader_error says which). */
TarStatus tar_next(TarReader *r, TarEntry *out);
/* Reads up to cap bytes of the current entry's data; *got is 0 at its end. */
TarStatus tar_read(TarReader *r, void *buf, size_t cap, size_t *got);
/* Why the last call failed ("the tar archive is truncated", "not a tar archive (bad header
 * checksum)", "not valid gzip: ..."); borrowed, "" when none did. */
const char *tar_reader_error(const TarReader *r);
void tar_reader_free(TarReader *r);

#endif
