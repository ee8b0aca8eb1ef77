/* tar.c: streaming tar archives (tar.h). Writing: ustar headers with every variable field
 * fixed, data, padding, two zero blocks, through an optional deflate with a gzip wrapper.
 * Reading: a pull parser over an optional inflate, which resolves GNU and pax metadata entries
 * into the entry they describe and bounds both the bytes produced and the metadata held. */
#include "util/tar.h"

#include "util/lib_zlib.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK ((size_t)64 << 10)
/* GNU long names and pax records are metadata: small. */
#define MAX_META ((size_t)1 << 20)

/* ---- headers ---- */

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

/* Where name splits into ustar's prefix (up to 155 bytes) and name (up to 100): at a '/'
 * with both parts fitting. 0 when the whole name fits the name field; SIZE_MAX when no split
 * works. */
static size_t split_point(const char *name, size_t n)
{
    if (n <= 100)
        return 0;
    for (size_t i = n - 1; i > 0; i--)
        if (name[i] == '/' && i <= 155 && n - i - 1 <= 100 && n - i - 1 > 0)
            return i;
    return SIZE_MAX;
}

bool tar_header(uint8_t h[TAR_BLOCK], const char *name, char type, uint32_t mode, uint64_t size)
{
    size_t n = strlen(name), cut = split_point(name, n);
    if (n == 0 || cut == SIZE_MAX)
        return false;
    memset(h, 0, TAR_BLOCK);
    char *c = (char *)h;
    if (cut) {
        memcpy(c + 345, name, cut);
        memcpy(c, name + cut + 1, n - cut - 1);
    } else {
        memcpy(c, name, n);
    }
    octal(c + 100, 8, mode & 07777);
    octal(c + 108, 8, 0);
    octal(c + 116, 8, 0);
    size_field(c + 124, size);
    octal(c + 136, 12, 0);
    c[156] = type;
    memcpy(c + 257, "ustar", 6);
    memcpy(c + 263, "00", 2);
    memset(c + 148, ' ', 8);
    unsigned sum = 0;
    for (size_t i = 0; i < TAR_BLOCK; i++)
        sum += h[i];
    octal(c + 148, 7, sum);
    c[155] = ' ';
    return true;
}

/* ---- writing ---- */

struct TarWriter {
    bool gzip, z_open;
    TarSink out, tap;
    void *ud;
    z_stream z;
    char err[200];
    uint8_t buf[CHUNK];  /* compressed output */
    uint8_t data[CHUNK]; /* file data, read in chunks */
};

static TarStatus wfail(TarWriter *w, TarStatus st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static TarStatus wfail(TarWriter *w, TarStatus st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, sizeof w->err, fmt, ap);
    va_end(ap);
    return st;
}

/* Adds uncompressed tar bytes; flush finishes the gzip stream. */
static bool put(TarWriter *w, const uint8_t *p, size_t n, bool flush)
{
    if (w->tap && n && !w->tap(w->ud, p, n))
        return false;
    if (!w->gzip)
        return n == 0 || w->out(w->ud, p, n);
    w->z.next_in = (Bytef *)(uintptr_t)p;
    w->z.avail_in = (uInt)n;
    int rc;
    do {
        w->z.next_out = w->buf;
        w->z.avail_out = sizeof w->buf;
        rc = lib_zlib.deflate(&w->z, flush ? Z_FINISH : Z_NO_FLUSH);
        size_t made = sizeof w->buf - w->z.avail_out;
        if (rc == Z_STREAM_ERROR || (made && !w->out(w->ud, w->buf, made)))
            return false;
    } while (w->z.avail_out == 0 || (flush && rc != Z_STREAM_END));
    return true;
}

TarStatus tar_writer_new(bool gzip, TarSink out, TarSink tap, void *ud, TarWriter **wp,
                         const char **out_err)
{
    *wp = NULL;
    if (gzip && !lib_zlib_load(out_err))
        return TAR_ERR_IO;
    TarWriter *w = calloc(1, sizeof *w);
    if (!w) {
        *out_err = "out of memory";
        return TAR_ERR_NOMEM;
    }
    w->gzip = gzip;
    w->out = out;
    w->tap = tap;
    w->ud = ud;
    /* windowBits 15 + 16: a gzip wrapper with no name and mtime 0. */
    if (gzip) {
        w->z_open =
            lib_zlib.deflateInit2_(&w->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                                   Z_DEFAULT_STRATEGY, ZLIB_VERSION, (int)sizeof(z_stream)) == Z_OK;
        if (!w->z_open) {
            free(w);
            *out_err = "zlib could not start compressing";
            return TAR_ERR_NOMEM;
        }
    }
    *wp = w;
    return TAR_OK;
}

static TarStatus write_header(TarWriter *w, const char *name, char type, uint32_t mode,
                              uint64_t size)
{
    uint8_t h[TAR_BLOCK];
    if (!tar_header(h, name, type, mode, size))
        return wfail(w, TAR_ERR_FORMAT, "the name '%.120s' does not fit a ustar header", name);
    return put(w, h, TAR_BLOCK, false) ? TAR_OK
                                       : wfail(w, TAR_ERR_IO, "writing: %s", strerror(errno));
}

TarStatus tar_write_dir(TarWriter *w, const char *name, uint32_t mode)
{
    return write_header(w, name, TAR_DIRECTORY, mode, 0);
}

TarStatus tar_write_file(TarWriter *w, const char *name, uint32_t mode, FILE *data, uint64_t size)
{
    TarStatus st = write_header(w, name, TAR_REGULAR, mode, size);
    for (uint64_t left = size; !st && left > 0;) {
        size_t n = left < CHUNK ? (size_t)left : CHUNK;
        if (fread(w->data, 1, n, data) != n)
            return wfail(w, TAR_ERR_IO, "%s: %s", name,
                         ferror(data) ? strerror(errno) : "the file is shorter than it was");
        if (!put(w, w->data, n, false))
            return wfail(w, TAR_ERR_IO, "writing: %s", strerror(errno));
        left -= n;
    }
    static const uint8_t zeros[TAR_BLOCK];
    size_t pad = (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK;
    if (!st && !put(w, zeros, pad, false))
        return wfail(w, TAR_ERR_IO, "writing: %s", strerror(errno));
    return st;
}

TarStatus tar_writer_finish(TarWriter *w)
{
    static const uint8_t zeros[2 * TAR_BLOCK];
    return put(w, zeros, sizeof zeros, true) ? TAR_OK
                                             : wfail(w, TAR_ERR_IO, "writing: %s", strerror(errno));
}

const char *tar_writer_error(const TarWriter *w)
{
    return w->err;
}

void tar_writer_free(TarWriter *w)
{
    if (!w)
        return;
    if (w->z_open)
        lib_zlib.deflateEnd(&w->z);
    free(w);
}

/* ---- reading ---- */

struct TarReader {
    FILE *f;
    bool gzip, z_open, z_done;
    z_stream z;
    uint64_t unpacked, max_unpacked; /* tar bytes produced so far, and the bound */
    uint64_t left;                   /* data bytes of the current entry not yet read */
    uint64_t pad;                    /* padding after them */
    char *name, *linkname;           /* the current entry's */
    uint8_t header[TAR_BLOCK];
    char err[300];
    uint8_t in[CHUNK];
    uint8_t skip[CHUNK];
};

static TarStatus rfail(TarReader *r, TarStatus st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static TarStatus rfail(TarReader *r, TarStatus st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    return st;
}

/* Reads up to n tar bytes into buf; *got is fewer than n only at the end of the stream. */
static TarStatus raw_read(TarReader *r, uint8_t *buf, size_t n, size_t *got)
{
    *got = 0;
    if (!r->gzip) {
        *got = fread(buf, 1, n, r->f);
        if (*got < n && ferror(r->f))
            return rfail(r, TAR_ERR_IO, "reading: %s", strerror(errno));
    }
    while (r->gzip && *got < n && !r->z_done) {
        if (r->z.avail_in == 0) {
            r->z.next_in = r->in;
            r->z.avail_in = (uInt)fread(r->in, 1, sizeof r->in, r->f);
            if (r->z.avail_in == 0)
                return ferror(r->f) ? rfail(r, TAR_ERR_IO, "reading: %s", strerror(errno))
                                    : rfail(r, TAR_ERR_FORMAT, "the gzip stream ends early");
        }
        r->z.next_out = buf + *got;
        r->z.avail_out = (uInt)(n - *got);
        int rc = lib_zlib.inflate(&r->z, Z_NO_FLUSH);
        *got = n - r->z.avail_out;
        if (rc == Z_STREAM_END)
            r->z_done = true;
        else if (rc != Z_OK && rc != Z_BUF_ERROR)
            return rfail(r, TAR_ERR_FORMAT, "not valid gzip: %s",
                         r->z.msg ? r->z.msg : "inflate failed");
    }
    r->unpacked += *got;
    if (r->unpacked > r->max_unpacked)
        return rfail(r, TAR_ERR_TOO_BIG, "the archive unpacks to more than %llu bytes",
                     (unsigned long long)r->max_unpacked);
    return TAR_OK;
}

/* Reads exactly n bytes. */
static TarStatus read_all(TarReader *r, uint8_t *buf, size_t n)
{
    size_t got;
    TarStatus st = raw_read(r, buf, n, &got);
    if (!st && got != n)
        st = rfail(r, TAR_ERR_FORMAT, "the tar archive is truncated");
    return st;
}

/* Skips n bytes. */
static TarStatus skip(TarReader *r, uint64_t n)
{
    while (n > 0) {
        size_t k = n < CHUNK ? (size_t)n : CHUNK;
        TarStatus st = read_all(r, r->skip, k);
        if (st)
            return st;
        n -= k;
    }
    return TAR_OK;
}

TarStatus tar_reader_new(FILE *in, uint64_t max_unpacked, TarReader **out, const char **out_err)
{
    uint8_t magic[2] = {0};
    *out = NULL;
    if (fseeko(in, 0, SEEK_SET) != 0) {
        *out_err = "the archive cannot be read from its start";
        return TAR_ERR_IO;
    }
    size_t nmagic = fread(magic, 1, 2, in);
    if (ferror(in) || fseeko(in, 0, SEEK_SET) != 0) {
        *out_err = "the archive cannot be read";
        return TAR_ERR_IO;
    }
    bool gzip = nmagic == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (gzip && !lib_zlib_load(out_err))
        return TAR_ERR_IO;
    TarReader *r = calloc(1, sizeof *r);
    if (!r) {
        *out_err = "out of memory";
        return TAR_ERR_NOMEM;
    }
    r->f = in;
    r->gzip = gzip;
    r->max_unpacked = max_unpacked ? max_unpacked : TAR_DEFAULT_MAX_UNPACKED;
    if (gzip) {
        r->z_open =
            lib_zlib.inflateInit2_(&r->z, 15 + 16, ZLIB_VERSION, (int)sizeof(z_stream)) == Z_OK;
        if (!r->z_open) {
            free(r);
            *out_err = "zlib could not start decompressing";
            return TAR_ERR_NOMEM;
        }
    }
    *out = r;
    return TAR_OK;
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
static bool header_ok(const uint8_t h[TAR_BLOCK])
{
    unsigned sum = 0;
    int ssum = 0;
    for (size_t i = 0; i < TAR_BLOCK; i++) {
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

/* A pending name, link name or size from GNU or pax metadata entries, for the next entry. */
typedef struct Meta {
    char *path, *linkpath;
    uint64_t size;
    bool has_size;
} Meta;

static void meta_clear(Meta *m)
{
    free(m->path);
    free(m->linkpath);
    *m = (Meta){0};
}

/* Replaces *slot with a copy of s[0..n); false when memory is short. */
static bool take_text(char **slot, const char *s, size_t n)
{
    char *d = strndup(s, n);
    if (!d)
        return false;
    free(*slot);
    *slot = d;
    return true;
}

/* pax extended header records, "LEN key=value\n": takes path, linkpath and size. */
static TarStatus parse_pax(TarReader *r, const char *rec, size_t len, Meta *m)
{
    for (size_t i = 0; i < len;) {
        char *end;
        unsigned long n = strtoul(rec + i, &end, 10);
        if (n == 0 || n > len - i || *end != ' ' || rec[i + n - 1] != '\n')
            return rfail(r, TAR_ERR_FORMAT, "a malformed pax header");
        const char *kv = end + 1, *stop = rec + i + n - 1;
        const char *eq = kv < stop ? memchr(kv, '=', (size_t)(stop - kv)) : NULL;
        size_t klen = eq ? (size_t)(eq - kv) : 0;
        bool ok = true;
        if (klen == 4 && !memcmp(kv, "path", 4))
            ok = take_text(&m->path, eq + 1, (size_t)(stop - eq - 1));
        else if (klen == 8 && !memcmp(kv, "linkpath", 8))
            ok = take_text(&m->linkpath, eq + 1, (size_t)(stop - eq - 1));
        else if (klen == 4 && !memcmp(kv, "size", 4)) {
            m->size = strtoull(eq + 1, NULL, 10);
            m->has_size = true;
        }
        if (!ok)
            return rfail(r, TAR_ERR_NOMEM, "out of memory");
        i += n;
    }
    return TAR_OK;
}

/* Reads a metadata entry (GNU long name 'L' or link name 'K', pax 'x' or 'g') into m. */
static TarStatus read_meta(TarReader *r, char type, uint64_t size, Meta *m)
{
    if (size > MAX_META)
        return rfail(r, TAR_ERR_FORMAT, "a %llu-byte metadata entry", (unsigned long long)size);
    size_t padded = (size_t)(size + (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK);
    char *text = malloc(padded + 1);
    if (!text)
        return rfail(r, TAR_ERR_NOMEM, "out of memory");
    TarStatus st = read_all(r, (uint8_t *)text, padded);
    text[size] = 0;
    if (!st && (type == 'L' || type == 'K')) {
        char **slot = type == 'L' ? &m->path : &m->linkpath;
        free(*slot);
        *slot = text; /* GNU writes the name with its NUL; strlen stops there */
        return TAR_OK;
    }
    if (!st && type == 'x')
        st = parse_pax(r, text, (size_t)size, m);
    free(text);
    return st;
}

/* Types whose entries have no data whatever their size field says (Go's archive/tar). */
static bool header_only(char t)
{
    return t >= '1' && t <= '6';
}

/* Fills the entry from its header and the pending metadata. */
static TarStatus make_entry(TarReader *r, Meta *m, TarEntry *out)
{
    const uint8_t *h = r->header;
    char t = (char)h[156];
    if (t == 0 || t == '7')
        t = TAR_REGULAR;
    free(r->name);
    free(r->linkname);
    r->name = r->linkname = NULL;
    if (m->path) {
        r->name = m->path;
        m->path = NULL;
    } else if (h[345] && !memcmp(h + 257, "ustar", 5)) {
        r->name = malloc(155 + 1 + 100 + 1);
        if (r->name)
            snprintf(r->name, 257, "%.155s/%.100s", (const char *)h + 345, (const char *)h);
    } else {
        r->name = strndup((const char *)h, 100);
    }
    if (m->linkpath) {
        r->linkname = m->linkpath;
        m->linkpath = NULL;
    } else {
        r->linkname = strndup((const char *)h + 157, 100);
    }
    if (!r->name || !r->linkname)
        return rfail(r, TAR_ERR_NOMEM, "out of memory");
    uint64_t size = header_only(t) ? 0 : m->has_size ? m->size : parse_number(h + 124, 12);
    *out = (TarEntry){.name = r->name,
                      .linkname = t == TAR_HARDLINK || t == TAR_SYMLINK ? r->linkname : "",
                      .type = t,
                      .mode = (uint32_t)parse_number(h + 100, 8),
                      .size = size,
                      .header = h};
    r->left = size;
    r->pad = (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK;
    return TAR_OK;
}

TarStatus tar_next(TarReader *r, TarEntry *out)
{
    TarStatus st = skip(r, r->left + r->pad);
    r->left = r->pad = 0;
    Meta m = {0};
    while (!st) {
        size_t got;
        if ((st = raw_read(r, r->header, TAR_BLOCK, &got)) != TAR_OK)
            break;
        if (got == 0) { /* no end blocks: tolerated, as GNU tar does */
            st = TAR_END;
        } else if (got < TAR_BLOCK) {
            st = rfail(r, TAR_ERR_FORMAT, "the tar archive is truncated");
        } else if (all_zero(r->header, TAR_BLOCK)) {
            st = TAR_END;
        } else if (!header_ok(r->header)) {
            st = rfail(r, TAR_ERR_FORMAT, "not a tar archive (bad header checksum)");
        } else if (strchr("LKxg", r->header[156]) && r->header[156]) {
            st = read_meta(r, (char)r->header[156], parse_number(r->header + 124, 12), &m);
        } else {
            st = make_entry(r, &m, out);
            break;
        }
    }
    if (st == TAR_END && (m.path || m.linkpath || m.has_size))
        st = rfail(r, TAR_ERR_FORMAT, "the tar archive is truncated (metadata without an entry)");
    meta_clear(&m);
    return st;
}

TarStatus tar_read(TarReader *r, void *buf, size_t cap, size_t *got)
{
    *got = 0;
    size_t n = r->left < cap ? (size_t)r->left : cap;
    if (n == 0)
        return TAR_OK;
    TarStatus st = read_all(r, buf, n);
    if (!st) {
        r->left -= n;
        *got = n;
    }
    return st;
}

const char *tar_reader_error(const TarReader *r)
{
    return r->err;
}

void tar_reader_free(TarReader *r)
{
    if (!r)
        return;
    if (r->z_open)
        lib_zlib.inflateEnd(&r->z);
    free(r->name);
    free(r->linkname);
    free(r);
}
