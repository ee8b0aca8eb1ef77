/* oci_tar.c: image layers, which are tar archives, gzip-compressed or not, read and written
 * through src/util/tar.c. Writing makes the layer of `corral push --image`: the module, and for
 * an app its other files (fixed owner, mode and mtime, so the same input always gives the same
 * digests). Reading finds one
 * path in a layer someone else may have built and copies it out, streaming, with the layer
 * rules of the OCI image spec on top of tar's: the last entry of a name wins, whiteouts hide
 * what the layers below have. */
#include "oci/oci_int.h"

#include "util/tar.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK ((size_t)64 << 10)

/* ---- writing ---- */

typedef struct LayerOut {
    FILE *out;
    crypto_hash_sha256_state tar_sha, out_sha; /* the diff_id's, the blob's */
    uint64_t out_size;
} LayerOut;

static bool layer_out(void *ud, const uint8_t *p, size_t n)
{
    LayerOut *o = ud;
    crypto_hash_sha256_update(&o->out_sha, p, n);
    o->out_size += n;
    return fwrite(p, 1, n, o->out) == n;
}

static bool layer_tap(void *ud, const uint8_t *p, size_t n)
{
    crypto_hash_sha256_update(&((LayerOut *)ud)->tar_sha, p, n);
    return true;
}

/* The directory entries of name's parents that no earlier name of files[0..i) (or the
 * module's) had. */
static TarStatus write_parents(TarWriter *w, const OciImageFile *files, size_t i)
{
    const char *name = files[i].name;
    for (const char *slash = strchr(name, '/'); slash; slash = strchr(slash + 1, '/')) {
        size_t n = (size_t)(slash - name) + 1; /* "static/" */
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strncmp(files[k].name, name, n) == 0;
        if (seen)
            continue;
        char dir[256];
        if (n >= sizeof dir)
            return TAR_ERR_FORMAT;
        memcpy(dir, name, n);
        dir[n] = '\0';
        TarStatus st = tar_write_dir(w, dir, 0755);
        if (st)
            return st;
    }
    return TAR_OK;
}

static TarStatus write_extra(TarWriter *w, const OciImageFile *files, size_t nfiles)
{
    TarStatus st = TAR_OK;
    for (size_t i = 0; !st && i < nfiles; i++) {
        FILE *f = fopen(files[i].path, "rb");
        struct stat sb;
        if (!f)
            return TAR_ERR_IO;
        st = fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) ? TAR_ERR_IO
                                                                 : write_parents(w, files, i);
        if (!st)
            st = tar_write_file(w, files[i].name, 0644, f, (uint64_t)sb.st_size);
        fclose(f);
    }
    return st;
}

OciStatus oci_tar_write(OciSession *s, FILE *module, uint64_t len, const char *name, bool gzip,
                        FILE *out, char out_digest[OCI_DIGEST_SIZE], uint64_t *out_size,
                        char out_diff_id[OCI_DIGEST_SIZE])
{
    return oci_tar_write_files(s, module, len, name, NULL, 0, gzip, out, out_digest, out_size,
                               out_diff_id);
}

OciStatus oci_tar_write_files(OciSession *s, FILE *module, uint64_t len, const char *name,
                              const OciImageFile *files, size_t nfiles, bool gzip, FILE *out,
                              char out_digest[OCI_DIGEST_SIZE], uint64_t *out_size,
                              char out_diff_id[OCI_DIGEST_SIZE])
{
    const char *why;
    if (strlen(name) >= 100)
        return oci_fail(s, OCI_ERR_USAGE, "the layer's file name '%s' is too long", name);
    LayerOut o = {.out = out};
    crypto_hash_sha256_init(&o.tar_sha);
    crypto_hash_sha256_init(&o.out_sha);
    TarWriter *w;
    TarStatus st = tar_writer_new(gzip, layer_out, layer_tap, &o, &w, &why);
    if (st)
        return oci_fail(s, st == TAR_ERR_NOMEM ? OCI_ERR_NOMEM : OCI_ERR_IO, "%s", why);
    if (fseeko(module, 0, SEEK_SET) != 0)
        st = TAR_ERR_IO;
    if (!st)
        st = tar_write_file(w, name, 0755, module, len);
    if (!st)
        st = write_extra(w, files, nfiles);
    if (!st)
        st = tar_writer_finish(w);
    if (!st && fflush(out) != 0)
        st = TAR_ERR_IO;
    if (st) {
        OciStatus os = oci_fail(s, st == TAR_ERR_NOMEM ? OCI_ERR_NOMEM : OCI_ERR_IO,
                                "building the image layer: %s",
                                tar_writer_error(w)[0] ? tar_writer_error(w) : strerror(errno));
        tar_writer_free(w);
        return os;
    }
    tar_writer_free(w);
    uint8_t hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&o.tar_sha, hash);
    oci_digest_format(hash, out_diff_id);
    crypto_hash_sha256_final(&o.out_sha, hash);
    oci_digest_format(hash, out_digest);
    *out_size = o.out_size;
    return OCI_OK;
}

/* ---- reading ---- */

/* The path of an entry without "./", leading '/' and trailing '/'. */
static void normalize(char *path)
{
    char *p = path;
    while (*p == '/' || (p[0] == '.' && p[1] == '/'))
        p += *p == '/' ? 1 : 2;
    memmove(path, p, strlen(p) + 1);
    size_t n = strlen(path);
    while (n > 0 && path[n - 1] == '/')
        path[--n] = 0;
}

/* True when an entry named name is a whiteout that hides path: ".wh.X" in directory D hides
 * D/X and everything below it, ".wh..wh..opq" in D everything below D. */
static bool whiteout_hides(const char *name, const char *path)
{
    const char *base = strrchr(name, '/');
    size_t dir_len = base ? (size_t)(base - name) + 1 : 0; /* with its '/' */
    base = base ? base + 1 : name;
    if (strncmp(base, ".wh.", 4) != 0 || strncmp(path, name, dir_len) != 0)
        return false;
    if (!strcmp(base, ".wh..wh..opq"))
        return true;
    const char *hidden = base + 4, *rest = path + dir_len;
    size_t n = strlen(hidden);
    return !strncmp(rest, hidden, n) && (rest[n] == 0 || rest[n] == '/');
}

/* One search through a layer. */
typedef struct Search {
    OciSession *s;
    TarReader *r;
    const char *path;
    uint64_t max;
    FILE *out;
    off_t out_start;
    OciTarFound found;
    uint64_t size;
    uint8_t head[8];
    size_t head_len;
    uint8_t buf[CHUNK];
} Search;

static OciStatus layer_error(Search *q, TarStatus st)
{
    OciStatus os = st == TAR_ERR_NOMEM     ? OCI_ERR_NOMEM
                   : st == TAR_ERR_IO      ? OCI_ERR_IO
                   : st == TAR_ERR_TOO_BIG ? OCI_ERR_TOO_BIG
                                           : OCI_ERR_FORMAT;
    return oci_fail(q->s, os, "a layer: %s", tar_reader_error(q->r));
}

static OciStatus take_file(Search *q, uint64_t size)
{
    if (size > q->max)
        return oci_fail(q->s, OCI_ERR_TOO_BIG, "/%s is %llu bytes, more than the %llu allowed",
                        q->path, (unsigned long long)size, (unsigned long long)q->max);
    /* A later entry of the same name replaces an earlier one. */
    if (fseeko(q->out, q->out_start, SEEK_SET) != 0 || fflush(q->out) != 0 ||
        ftruncate(fileno(q->out), q->out_start) != 0)
        return oci_fail(q->s, OCI_ERR_IO, "writing the module: %s", strerror(errno));
    q->head_len = 0;
    q->found = OCI_TAR_FILE;
    q->size = size;
    for (;;) {
        size_t got;
        TarStatus st = tar_read(q->r, q->buf, sizeof q->buf, &got);
        if (st)
            return layer_error(q, st);
        if (got == 0)
            return OCI_OK;
        if (fwrite(q->buf, 1, got, q->out) != got)
            return oci_fail(q->s, OCI_ERR_IO, "writing the module: %s", strerror(errno));
        for (size_t i = 0; i < got && q->head_len < sizeof q->head; i++)
            q->head[q->head_len++] = q->buf[i];
    }
}

/* One entry, its name normalised. */
static OciStatus entry(Search *q, const char *name, const TarEntry *e)
{
    if (strcmp(name, q->path) != 0) {
        if (q->found == OCI_TAR_ABSENT && whiteout_hides(name, q->path))
            q->found = OCI_TAR_DELETED;
        return OCI_OK;
    }
    switch (e->type) {
    case TAR_REGULAR:
        return take_file(q, e->size);
    case TAR_SYMLINK:
        return oci_fail(q->s, OCI_ERR_FORMAT,
                        "/%s is a symbolic link to '%.100s'; Corral takes the module from a "
                        "regular file",
                        q->path, e->linkname);
    case TAR_DIRECTORY:
        return oci_fail(q->s, OCI_ERR_FORMAT, "/%s is a directory in the layer, not a file",
                        q->path);
    case TAR_HARDLINK:
        return oci_fail(q->s, OCI_ERR_FORMAT,
                        "/%s is a hard link to '%.100s' in the layer; Corral takes the module "
                        "from a regular file",
                        q->path, e->linkname);
    default:
        return oci_fail(q->s, OCI_ERR_FORMAT,
                        "/%s is not a regular file in the layer (tar type '%c')", q->path, e->type);
    }
}

static OciStatus scan(Search *q)
{
    for (;;) {
        TarEntry e;
        TarStatus st = tar_next(q->r, &e);
        if (st == TAR_END)
            return OCI_OK;
        if (st)
            return layer_error(q, st);
        char *name = strdup(e.name);
        if (!name)
            return oci_fail(q->s, OCI_ERR_NOMEM, "out of memory");
        normalize(name);
        OciStatus os = entry(q, name, &e);
        free(name);
        if (os)
            return os;
    }
}

OciStatus oci_tar_find(OciSession *s, FILE *layer, const char *path, uint64_t max, FILE *out,
                       OciTarFound *found, uint64_t *out_size, uint8_t head[8], size_t *head_len)
{
    const char *why;
    Search *q = calloc(1, sizeof *q);
    if (!q)
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    *q = (Search){.s = s, .path = path, .max = max, .out = out, .found = OCI_TAR_ABSENT};
    OciStatus st = OCI_OK;
    TarStatus ts;
    if ((q->out_start = ftello(out)) < 0)
        st = oci_fail(s, OCI_ERR_IO, "reading a layer: %s", strerror(errno));
    else if ((ts = tar_reader_new(layer, 0, &q->r, &why)) != TAR_OK)
        st = oci_fail(s, ts == TAR_ERR_NOMEM ? OCI_ERR_NOMEM : OCI_ERR_IO, "reading a layer: %s",
                      why);
    else
        st = scan(q);
    if (!st) {
        *found = q->found;
        *out_size = q->size;
        memcpy(head, q->head, q->head_len);
        *head_len = q->head_len;
    }
    tar_reader_free(q->r);
    free(q);
    return st;
}
