/* oci_tar.c: image layers, which are tar archives, gzip-compressed or not. Writing makes the
 * one-entry layer of `corral push --image` (a ustar header, the module, padding, two zero
 * blocks: fixed owner, mode and mtime so the same module always gives the same digests).
 * Reading finds one path in a layer someone else may have built (ustar, GNU long names, pax
 * path and size records, whiteouts) and copies it out, streaming: a layer is never held in
 * memory. zlib comes from oci_zlib.c. */
#include "oci/oci_int.h"

#include "oci/oci_zlib.h"

#include "util/strf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK 512
#define CHUNK ((size_t)64 << 10)
/* The most a layer may unpack to while it is searched: a bound on a gzip bomb's work. */
#define MAX_UNPACKED ((uint64_t)8 << 30)
/* GNU long names and pax records are metadata: small. */
#define MAX_META ((size_t)1 << 20)

/* ---- writing ---- */

typedef struct TarOut {
    OciSession *s;
    FILE *out;
    bool gzip;
    z_stream z;
    crypto_hash_sha256_state tar_sha, out_sha; /* the diff_id's, the blob's */
    uint64_t out_size;
    uint8_t buf[CHUNK];  /* compressed output */
    uint8_t data[CHUNK]; /* the module, read in chunks */
} TarOut;

static bool emit(TarOut *w, const uint8_t *p, size_t n)
{
    crypto_hash_sha256_update(&w->out_sha, p, n);
    w->out_size += n;
    return fwrite(p, 1, n, w->out) == n;
}

/* Adds uncompressed tar bytes; flush finishes the gzip stream. */
static bool put(TarOut *w, const uint8_t *p, size_t n, bool flush)
{
    crypto_hash_sha256_update(&w->tar_sha, p, n);
    if (!w->gzip)
        return emit(w, p, n);
    w->z.next_in = (Bytef *)(uintptr_t)p;
    w->z.avail_in = (uInt)n;
    int rc;
    do {
        w->z.next_out = w->buf;
        w->z.avail_out = sizeof w->buf;
        rc = oci_zlib.deflate(&w->z, flush ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_STREAM_ERROR || !emit(w, w->buf, sizeof w->buf - w->z.avail_out))
            return false;
    } while (w->z.avail_out == 0 || (flush && rc != Z_STREAM_END));
    return true;
}

/* An octal field of width w (digits, then NUL). */
static void octal(char *field, size_t w, uint64_t v)
{
    field[w - 1] = 0;
    for (size_t i = w - 1; i-- > 0; v >>= 3)
        field[i] = (char)('0' + (v & 7));
}

/* Sizes past the 11 octal digits (8 GiB) use the base-256 form GNU tar and Go read. */
static void size_field(char *field, uint64_t v)
{
    if (v < ((uint64_t)1 << 33)) {
        octal(field, 12, v);
        return;
    }
    memset(field, 0, 12);
    field[0] = (char)0x80;
    for (int i = 11; i >= 4; i--, v >>= 8)
        field[i] = (char)(v & 0xff);
}

static void ustar_header(uint8_t h[BLOCK], const char *name, uint64_t size)
{
    memset(h, 0, BLOCK);
    char *c = (char *)h;
    strncpy(c, name, 100);
    octal(c + 100, 8, 0755);
    octal(c + 108, 8, 0);
    octal(c + 116, 8, 0);
    size_field(c + 124, size);
    octal(c + 136, 12, 0);
    c[156] = '0';
    memcpy(c + 257, "ustar", 6);
    memcpy(c + 263, "00", 2);
    memset(c + 148, ' ', 8);
    unsigned sum = 0;
    for (size_t i = 0; i < BLOCK; i++)
        sum += h[i];
    octal(c + 148, 7, sum);
    c[155] = ' ';
}

static OciStatus write_entries(TarOut *w, FILE *module, uint64_t len, const char *name)
{
    uint8_t block[BLOCK];
    ustar_header(block, name, len);
    if (!put(w, block, BLOCK, false))
        return OCI_ERR_IO;
    if (fseeko(module, 0, SEEK_SET) != 0)
        return OCI_ERR_IO;
    for (uint64_t left = len; left > 0;) {
        size_t n = left < CHUNK ? (size_t)left : CHUNK;
        if (fread(w->data, 1, n, module) != n || !put(w, w->data, n, false))
            return OCI_ERR_IO;
        left -= n;
    }
    uint8_t zeros[3 * BLOCK] = {0};
    size_t pad = (BLOCK - len % BLOCK) % BLOCK;
    return put(w, zeros, pad + 2 * BLOCK, true) ? OCI_OK : OCI_ERR_IO;
}

OciStatus oci_tar_write(OciSession *s, FILE *module, uint64_t len, const char *name, bool gzip,
                        FILE *out, char out_digest[OCI_DIGEST_SIZE], uint64_t *out_size,
                        char out_diff_id[OCI_DIGEST_SIZE])
{
    const char *why;
    if (strlen(name) >= 100)
        return oci_fail(s, OCI_ERR_USAGE, "the layer's file name '%s' is too long", name);
    if (gzip && !oci_zlib_load(&why))
        return oci_fail(s, OCI_ERR_IO, "%s", why);
    TarOut *w = calloc(1, sizeof *w);
    if (!w)
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    w->s = s;
    w->out = out;
    w->gzip = gzip;
    crypto_hash_sha256_init(&w->tar_sha);
    crypto_hash_sha256_init(&w->out_sha);
    /* windowBits 15 + 16: a gzip wrapper with no name and mtime 0. */
    if (gzip &&
        oci_zlib.deflateInit2_(&w->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                               Z_DEFAULT_STRATEGY, ZLIB_VERSION, (int)sizeof(z_stream)) != Z_OK) {
        free(w);
        return oci_fail(s, OCI_ERR_NOMEM, "zlib could not start compressing");
    }
    OciStatus st = write_entries(w, module, len, name);
    if (gzip)
        oci_zlib.deflateEnd(&w->z);
    if (!st && fflush(out) != 0)
        st = OCI_ERR_IO;
    if (st) {
        free(w);
        return oci_fail(s, st, "building the image layer: %s", strerror(errno));
    }
    uint8_t hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&w->tar_sha, hash);
    oci_digest_format(hash, out_diff_id);
    crypto_hash_sha256_final(&w->out_sha, hash);
    oci_digest_format(hash, out_digest);
    *out_size = w->out_size;
    free(w);
    return OCI_OK;
}

/* ---- reading ---- */

/* Every reading function returns false after recording why with fail(). */
typedef struct TarIn {
    OciSession *s;
    OciStatus st; /* why the search stopped, when it failed */
    FILE *f;
    bool gzip, z_done;
    z_stream z;
    uint64_t unpacked; /* tar bytes produced so far */
    uint8_t in[CHUNK];
    uint8_t buf[CHUNK];
} TarIn;

static bool fail(TarIn *r, OciStatus st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(TarIn *r, OciStatus st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vstrf(fmt, ap);
    va_end(ap);
    r->st = oci_fail(r->s, st, "%s", msg ? msg : "out of memory");
    free(msg);
    return false;
}

/* Reads up to n tar bytes into buf; *got is fewer than n only at the end of the archive. */
static bool tar_read(TarIn *r, uint8_t *buf, size_t n, size_t *got)
{
    *got = 0;
    if (!r->gzip) {
        *got = fread(buf, 1, n, r->f);
        if (*got < n && ferror(r->f))
            return fail(r, OCI_ERR_IO, "reading a layer: %s", strerror(errno));
    }
    while (r->gzip && *got < n && !r->z_done) {
        if (r->z.avail_in == 0) {
            r->z.next_in = r->in;
            r->z.avail_in = (uInt)fread(r->in, 1, sizeof r->in, r->f);
            if (r->z.avail_in == 0)
                return fail(r, OCI_ERR_FORMAT, "a layer's gzip stream ends early");
        }
        r->z.next_out = buf + *got;
        r->z.avail_out = (uInt)(n - *got);
        int rc = oci_zlib.inflate(&r->z, Z_NO_FLUSH);
        *got = n - r->z.avail_out;
        if (rc == Z_STREAM_END)
            r->z_done = true;
        else if (rc != Z_OK && rc != Z_BUF_ERROR)
            return fail(r, OCI_ERR_FORMAT, "a layer is not valid gzip: %s",
                        r->z.msg ? r->z.msg : "inflate failed");
    }
    r->unpacked += *got;
    if (r->unpacked > MAX_UNPACKED)
        return fail(r, OCI_ERR_TOO_BIG, "a layer unpacks to more than %llu bytes",
                    (unsigned long long)MAX_UNPACKED);
    return true;
}

/* Reads exactly n bytes. */
static bool tar_read_all(TarIn *r, uint8_t *buf, size_t n)
{
    size_t got;
    if (!tar_read(r, buf, n, &got))
        return false;
    return got == n || fail(r, OCI_ERR_FORMAT, "a layer's tar archive is truncated");
}

/* Reads n bytes of an entry and the padding to the next block, writing the data to out
 * (when not NULL) and its first bytes to head. */
static bool tar_copy(TarIn *r, uint64_t n, FILE *out, uint8_t head[8], size_t *head_len)
{
    uint64_t total = n + (BLOCK - n % BLOCK) % BLOCK;
    for (uint64_t done = 0; done < total;) {
        size_t k = total - done < CHUNK ? (size_t)(total - done) : CHUNK;
        if (!tar_read_all(r, r->buf, k))
            return false;
        size_t data = done >= n ? 0 : (n - done < k ? (size_t)(n - done) : k);
        if (out && data && fwrite(r->buf, 1, data, out) != data)
            return fail(r, OCI_ERR_IO, "writing the module: %s", strerror(errno));
        for (size_t i = 0; head && i < data && *head_len < 8; i++)
            head[(*head_len)++] = r->buf[i];
        done += k;
    }
    return true;
}

static uint64_t parse_number(const uint8_t *f, size_t w)
{
    uint64_t v = 0;
    if (f[0] & 0x80) { /* base-256 */
        for (size_t i = 1; i < w; i++)
            v = v << 8 | f[i];
        return v;
    }
    size_t i = 0;
    while (i < w && (f[i] == ' ' || f[i] == 0))
        i++;
    for (; i < w && f[i] >= '0' && f[i] <= '7'; i++)
        v = v << 3 | (uint64_t)(f[i] - '0');
    return v;
}

/* The header checksum: the unsigned byte sum with the field itself as spaces (some old tars
 * summed signed bytes; both are accepted, as GNU tar does). */
static bool header_ok(const uint8_t h[BLOCK])
{
    unsigned sum = 0;
    int ssum = 0;
    for (size_t i = 0; i < BLOCK; i++) {
        uint8_t b = i >= 148 && i < 156 ? ' ' : h[i];
        sum += b;
        ssum += (signed char)b;
    }
    uint64_t want = parse_number(h + 148, 8);
    return want == sum || (ssum >= 0 && want == (uint64_t)ssum);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

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

/* A pending name or size from GNU or pax metadata entries, for the next entry. */
typedef struct Meta {
    char *path;
    uint64_t size;
    bool has_size;
} Meta;

/* pax extended header records, "LEN key=value\n": takes path and size. */
static bool parse_pax(TarIn *r, const char *rec, size_t len, Meta *m)
{
    for (size_t i = 0; i < len;) {
        char *end;
        unsigned long n = strtoul(rec + i, &end, 10);
        if (n == 0 || n > len - i || *end != ' ' || rec[i + n - 1] != '\n')
            return fail(r, OCI_ERR_FORMAT, "a layer has a malformed pax header");
        const char *kv = end + 1, *stop = rec + i + n - 1;
        const char *eq = memchr(kv, '=', (size_t)(stop - kv));
        if (eq && eq - kv == 4 && !memcmp(kv, "path", 4)) {
            free(m->path);
            if (!(m->path = strndup(eq + 1, (size_t)(stop - eq - 1))))
                return fail(r, OCI_ERR_NOMEM, "out of memory");
        } else if (eq && eq - kv == 4 && !memcmp(kv, "size", 4)) {
            m->size = strtoull(eq + 1, NULL, 10);
            m->has_size = true;
        }
        i += n;
    }
    return true;
}

/* Reads a metadata entry (GNU long name 'L', pax 'x' or 'g') into m. */
static bool read_meta(TarIn *r, char type, uint64_t size, Meta *m)
{
    if (size > MAX_META)
        return fail(r, OCI_ERR_FORMAT, "a layer has a %llu-byte metadata entry",
                    (unsigned long long)size);
    size_t padded = (size_t)(size + (BLOCK - size % BLOCK) % BLOCK);
    char *text = malloc(padded + 1);
    if (!text)
        return fail(r, OCI_ERR_NOMEM, "out of memory");
    bool ok = tar_read_all(r, (uint8_t *)text, padded);
    text[size] = 0;
    if (ok && type == 'L') {
        free(m->path);
        m->path = text;
        return true;
    }
    if (ok && type == 'x')
        ok = parse_pax(r, text, (size_t)size, m);
    free(text);
    return ok;
}

/* One search through a layer. */
typedef struct Search {
    const char *path;
    uint64_t max;
    FILE *out;
    off_t out_start;
    OciTarFound found;
    uint64_t size;
    uint8_t head[8];
    size_t head_len;
} Search;

static bool take_file(TarIn *r, Search *q, uint64_t size)
{
    if (size > q->max)
        return fail(r, OCI_ERR_TOO_BIG, "/%s is %llu bytes, more than the %llu allowed", q->path,
                    (unsigned long long)size, (unsigned long long)q->max);
    /* A later entry of the same name replaces an earlier one. */
    if (fseeko(q->out, q->out_start, SEEK_SET) != 0 || fflush(q->out) != 0 ||
        ftruncate(fileno(q->out), q->out_start) != 0)
        return fail(r, OCI_ERR_IO, "writing the module: %s", strerror(errno));
    q->head_len = 0;
    q->found = OCI_TAR_FILE;
    q->size = size;
    return tar_copy(r, size, q->out, q->head, &q->head_len);
}

/* Types whose entries have no data whatever their size field says (Go's archive/tar). */
static bool header_only(char t)
{
    return t >= '1' && t <= '6';
}

/* One entry, its name normalised. */
static bool entry(TarIn *r, Search *q, const char *name, char t, uint64_t size, const uint8_t *hdr)
{
    bool regular = t == '0' || t == 0 || t == '7';
    if (strcmp(name, q->path) != 0) {
        if (q->found == OCI_TAR_ABSENT && whiteout_hides(name, q->path))
            q->found = OCI_TAR_DELETED;
        return tar_copy(r, size, NULL, NULL, NULL);
    }
    if (regular)
        return take_file(r, q, size);
    if (t == '2')
        return fail(r, OCI_ERR_FORMAT,
                    "/%s is a symbolic link to '%.100s'; Corral takes the "
                    "module from a regular file",
                    q->path, (const char *)hdr + 157);
    if (t == '5')
        return fail(r, OCI_ERR_FORMAT, "/%s is a directory in the layer, not a file", q->path);
    if (t == '1')
        return fail(r, OCI_ERR_FORMAT,
                    "/%s is a hard link to '%.100s' in the layer; Corral "
                    "takes the module from a regular file",
                    q->path, (const char *)hdr + 157);
    return fail(r, OCI_ERR_FORMAT, "/%s is not a regular file in the layer (tar type '%c')",
                q->path, t);
}

static bool scan(TarIn *r, Search *q)
{
    uint8_t h[BLOCK];
    Meta m = {0};
    bool ok = true;
    while (ok) {
        size_t got;
        if (!(ok = tar_read(r, h, BLOCK, &got)) || got == 0)
            break; /* an archive without end blocks is tolerated, as GNU tar does */
        if (got < BLOCK) {
            ok = fail(r, OCI_ERR_FORMAT, "a layer's tar archive is truncated");
        } else if (all_zero(h, BLOCK)) {
            break;
        } else if (!header_ok(h)) {
            ok = fail(r, OCI_ERR_FORMAT, "a layer is not a tar archive (bad header checksum)");
        } else if (h[156] == 'L' || h[156] == 'x' || h[156] == 'g') {
            ok = read_meta(r, (char)h[156], parse_number(h + 124, 12), &m);
        } else {
            char t = (char)h[156], name[4096 + 256];
            uint64_t size = header_only(t) ? 0 : m.has_size ? m.size : parse_number(h + 124, 12);
            if (m.path)
                snprintf(name, sizeof name, "%s", m.path);
            else if (h[345])
                snprintf(name, sizeof name, "%.155s/%.100s", (const char *)h + 345,
                         (const char *)h);
            else
                snprintf(name, sizeof name, "%.100s", (const char *)h);
            free(m.path);
            m = (Meta){0};
            normalize(name);
            ok = entry(r, q, name, t, size, h);
        }
    }
    free(m.path);
    return ok;
}

OciStatus oci_tar_find(OciSession *s, FILE *layer, const char *path, uint64_t max, FILE *out,
                       OciTarFound *found, uint64_t *out_size, uint8_t head[8], size_t *head_len)
{
    const char *why;
    uint8_t magic[2] = {0};
    Search q = {.path = path, .max = max, .out = out, .found = OCI_TAR_ABSENT};
    if (fseeko(layer, 0, SEEK_SET) != 0 || (q.out_start = ftello(out)) < 0)
        return oci_fail(s, OCI_ERR_IO, "reading a layer: %s", strerror(errno));
    size_t nmagic = fread(magic, 1, 2, layer);
    if (fseeko(layer, 0, SEEK_SET) != 0)
        return oci_fail(s, OCI_ERR_IO, "reading a layer: %s", strerror(errno));
    TarIn *r = calloc(1, sizeof *r);
    if (!r)
        return oci_fail(s, OCI_ERR_NOMEM, "out of memory");
    r->s = s;
    r->f = layer;
    r->gzip = nmagic == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    OciStatus st = OCI_OK;
    bool z_open = false;
    if (r->gzip && !oci_zlib_load(&why))
        st = oci_fail(s, OCI_ERR_IO, "%s", why);
    else if (r->gzip && !(z_open = oci_zlib.inflateInit2_(&r->z, 15 + 16, ZLIB_VERSION,
                                                          (int)sizeof(z_stream)) == Z_OK))
        st = oci_fail(s, OCI_ERR_NOMEM, "zlib could not start decompressing");
    else if (!scan(r, &q))
        st = r->st;
    if (z_open)
        oci_zlib.inflateEnd(&r->z);
    free(r);
    if (st)
        return st;
    *found = q.found;
    *out_size = q.size;
    memcpy(head, q.head, q.head_len);
    *head_len = q.head_len;
    return OCI_OK;
}
