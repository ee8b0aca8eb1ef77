/* test_tar.c: src/util/tar.c alone: headers (ustar prefix splits, names that cannot fit,
 * base-256 sizes), archives of several entries written and read back plain and gzip, what
 * other tools write (GNU long names and link names, pax records, old checksums), and damage:
 * truncation, bad checksums, bad gzip, metadata past its cap, the unpacked-size bound.
 * tests/unit/test_oci.c reads layers through it; tests/bindle reads Python-made archives. */
#include "unit.h"

#include "util/tar.c"

#include <string.h>

static bool to_file(void *ud, const uint8_t *p, size_t n)
{
    return fwrite(p, 1, n, ud) == n;
}

static FILE *data_file(const char *text)
{
    FILE *f = tmpfile();
    fputs(text, f);
    rewind(f);
    return f;
}

/* Reads every entry of f into "name:type:size:data;" text (data for regular files). */
static TarStatus list(FILE *f, char *out, size_t cap, const char **err)
{
    TarReader *r;
    TarStatus st = tar_reader_new(f, 0, &r, err);
    out[0] = 0;
    while (!st) {
        TarEntry e;
        if ((st = tar_next(r, &e)) != TAR_OK)
            break;
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s:%c:%llu:", e.name, e.type, (unsigned long long)e.size);
        char buf[7]; /* small on purpose: several reads per entry */
        size_t got;
        while (!(st = tar_read(r, buf, sizeof buf, &got)) && got) {
            n = strlen(out);
            snprintf(out + n, cap - n, "%.*s", (int)got, buf);
        }
        n = strlen(out);
        snprintf(out + n, cap - n, "%s%s;", e.linkname[0] ? "->" : "", e.linkname);
    }
    static char msg[300];
    snprintf(msg, sizeof msg, "%s", r ? tar_reader_error(r) : "");
    if (r)
        *err = msg;
    tar_reader_free(r);
    return st == TAR_END ? TAR_OK : st;
}

static void test_headers(void)
{
    uint8_t h[TAR_BLOCK];
    char name[300];
    memset(name, 'a', 64);
    strcpy(name + 64, "/parcels/");
    memset(name + 73, 'b', 64);
    strcpy(name + 137, ".dat");
    CHECK(tar_header(h, name, TAR_REGULAR, 0644, 5) && !memcmp(h + 345, name, 72) &&
              h[345 + 72] == 0 && !strncmp((char *)h, name + 73, 100),
          "a 141-byte name splits into prefix and name");
    memset(name, 'x', 120);
    name[120] = 0;
    CHECK(!tar_header(h, name, TAR_REGULAR, 0644, 0), "120 bytes without a '/' do not fit");
    memset(name, 'x', 200);
    name[160] = '/';
    name[200] = 0;
    CHECK(!tar_header(h, name, TAR_REGULAR, 0644, 0), "a prefix longer than 155 bytes");
    name[160] = 'x';
    name[100] = '/';
    CHECK(tar_header(h, name, TAR_REGULAR, 0644, 0), "a 100-byte prefix and a 99-byte name");
    CHECK(!tar_header(h, "", TAR_REGULAR, 0644, 0), "an empty name");
    char field[12];
    size_field(field, 0777);
    CHECK(parse_number((const uint8_t *)field, 12) == 0777, "octal size");
    size_field(field, (uint64_t)20 << 30);
    CHECK((uint8_t)field[0] == 0x80 && parse_number((const uint8_t *)field, 12) == (uint64_t)20
                                                                                       << 30,
          "base-256 size");
    CHECK(tar_header(h, "big", TAR_REGULAR, 0644, (uint64_t)9 << 30) && header_ok(h) &&
              parse_number(h + 124, 12) == (uint64_t)9 << 30,
          "a 9 GiB entry's header");
}

static void round_trip(bool gzip)
{
    char long_name[200], want[2048], got[2048];
    snprintf(long_name, sizeof long_name, "%064d/parcels/%064d.dat", 1, 2);
    FILE *out = tmpfile(), *a = data_file("hello"), *b = data_file("");
    FILE *c = data_file("0123456789012345678901234567890123456789");
    TarWriter *w;
    const char *err = "";
    CHECK(tar_writer_new(gzip, to_file, NULL, out, &w, &err) == TAR_OK, "writer");
    CHECK(tar_write_dir(w, "d/", 0755) == TAR_OK &&
              tar_write_file(w, "d/a.txt", 0644, a, 5) == TAR_OK &&
              tar_write_file(w, "d/empty", 0600, b, 0) == TAR_OK &&
              tar_write_file(w, long_name, 0644, c, 40) == TAR_OK && tar_writer_finish(w) == TAR_OK,
          "writing four entries");
    tar_writer_free(w);
    snprintf(want, sizeof want,
             "d/:5:0:;d/a.txt:0:5:hello;d/empty:0:0:;%s:0:40:"
             "0123456789012345678901234567890123456789;",
             long_name);
    CHECK(list(out, got, sizeof got, &err) == TAR_OK && !strcmp(got, want),
          gzip ? "gzip round trip" : "plain round trip");
    if (strcmp(got, want))
        fprintf(stderr, "  got %s\n  (%s)\n", got, err);
    /* A file shorter than announced is an error, not a short entry. */
    FILE *short_out = tmpfile(), *s = data_file("abc");
    CHECK(tar_writer_new(gzip, to_file, NULL, short_out, &w, &err) == TAR_OK &&
              tar_write_file(w, "s", 0644, s, 10) == TAR_ERR_IO &&
              strstr(tar_writer_error(w), "shorter"),
          "a file shorter than its size");
    tar_writer_free(w);
    fclose(short_out);
    fclose(s);
    fclose(out);
    fclose(a);
    fclose(b);
    fclose(c);
}

/* Appends a raw entry: header of type t with data (a metadata entry's records, a file). */
static void raw_entry(FILE *f, const char *name, char t, const char *data, size_t n)
{
    uint8_t h[TAR_BLOCK];
    tar_header(h, name, t, 0644, n);
    fwrite(h, 1, TAR_BLOCK, f);
    fwrite(data, 1, n, f);
    static const uint8_t zeros[TAR_BLOCK];
    fwrite(zeros, 1, (TAR_BLOCK - n % TAR_BLOCK) % TAR_BLOCK, f);
}

static void end_blocks(FILE *f)
{
    static const uint8_t zeros[2 * TAR_BLOCK];
    fwrite(zeros, 1, sizeof zeros, f);
    fflush(f);
}

static void test_foreign(void)
{
    char got[4096], longn[400];
    const char *err = "";
    memset(longn, 'n', 300);
    longn[300] = 0;
    /* GNU long name and long link name. */
    FILE *f = tmpfile();
    raw_entry(f, "././@LongLink", 'L', longn, 301);
    raw_entry(f, "short", TAR_REGULAR, "x", 1);
    raw_entry(f, "././@LongLink", 'K', "target/far/away", 16);
    raw_entry(f, "ln", TAR_SYMLINK, "", 0);
    end_blocks(f);
    CHECK(list(f, got, sizeof got, &err) == TAR_OK && !strncmp(got, longn, 300) &&
              strstr(got, ":0:1:x;ln:2:0:->target/far/away;"),
          "GNU long name and link name");
    fclose(f);
    /* pax path, linkpath and size; a global header is ignored. */
    f = tmpfile();
    const char pax[] = "27 path=a/very/long/x.wasm\n22 linkpath=ignored/1\n";
    raw_entry(f, "pax_global", 'g', "11 path=zz\n", 11);
    raw_entry(f, "PaxHeaders/x", 'x', pax, strlen(pax));
    raw_entry(f, "x", TAR_REGULAR, "data", 4);
    end_blocks(f);
    CHECK(list(f, got, sizeof got, &err) == TAR_OK && !strcmp(got, "a/very/long/x.wasm:0:4:data;"),
          "pax path");
    fclose(f);
    Meta m = {0};
    TarReader r = {0};
    const char rec[] = "30 path=a/very/long/path.wasm\n11 size=42\n";
    CHECK(parse_pax(&r, rec, strlen(rec), &m) == TAR_OK && m.path &&
              !strcmp(m.path, "a/very/long/path.wasm") && m.has_size && m.size == 42,
          "pax path and size");
    meta_clear(&m);
    CHECK(parse_pax(&r, "99 path=x\n", 10, &m) == TAR_ERR_FORMAT, "pax length past the end");
    CHECK(parse_pax(&r, "5 a=b", 5, &m) == TAR_ERR_FORMAT, "pax record without its newline");
    meta_clear(&m);
    /* The old signed-byte checksum. */
    uint8_t h[TAR_BLOCK];
    tar_header(h, "\xe9t\xe9", TAR_REGULAR, 0644, 0);
    memset(h + 148, ' ', 8);
    int ssum = 0;
    for (size_t i = 0; i < TAR_BLOCK; i++)
        ssum += (signed char)h[i];
    octal((char *)h + 148, 7, (uint64_t)ssum);
    CHECK(header_ok(h), "signed checksum accepted");
    /* No end blocks at all. */
    f = tmpfile();
    raw_entry(f, "a", TAR_REGULAR, "1", 1);
    fflush(f);
    CHECK(list(f, got, sizeof got, &err) == TAR_OK && !strcmp(got, "a:0:1:1;"), "no end blocks");
    fclose(f);
}

static void test_damage(void)
{
    char got[1024];
    const char *err = "";
    FILE *f = tmpfile();
    raw_entry(f, "a", TAR_REGULAR, "0123456789", 10);
    fflush(f);
    CHECK(ftruncate(fileno(f), TAR_BLOCK + 4) == 0, "truncate");
    CHECK(list(f, got, sizeof got, &err) == TAR_ERR_FORMAT && strstr(err, "truncated"),
          "truncated data");
    CHECK(ftruncate(fileno(f), 100) == 0, "truncate");
    CHECK(list(f, got, sizeof got, &err) == TAR_ERR_FORMAT && strstr(err, "truncated"),
          "truncated header");
    fclose(f);
    f = tmpfile();
    raw_entry(f, "a", TAR_REGULAR, "x", 1);
    end_blocks(f);
    fseek(f, 0, SEEK_SET);
    fputc('X', f);
    fflush(f);
    CHECK(list(f, got, sizeof got, &err) == TAR_ERR_FORMAT && strstr(err, "bad header checksum"),
          "checksum");
    fclose(f);
    f = tmpfile();
    fwrite("\x1f\x8b\x08\x00garbage-garbage-garbage", 1, 27, f);
    fflush(f);
    CHECK(list(f, got, sizeof got, &err) == TAR_ERR_FORMAT && strstr(err, "gzip"), "bad gzip");
    fclose(f);
    /* A metadata entry past 1 MiB. */
    f = tmpfile();
    uint8_t h[TAR_BLOCK];
    tar_header(h, "huge", 'x', 0644, (uint64_t)2 << 20);
    fwrite(h, 1, TAR_BLOCK, f);
    end_blocks(f);
    CHECK(list(f, got, sizeof got, &err) == TAR_ERR_FORMAT && strstr(err, "metadata"),
          "metadata cap");
    fclose(f);
    /* Metadata with no entry after it. */
    f = tmpfile();
    raw_entry(f, "L", 'L', "name", 5);
    end_blocks(f);
    CHECK(list(f, got, sizeof got, &err) == TAR_ERR_FORMAT, "metadata without an entry");
    fclose(f);
    /* The unpacked bound: a gzip bomb stops. */
    f = tmpfile();
    FILE *zeros = tmpfile();
    for (int i = 0; i < 1 << 20; i++)
        fputc(0, zeros);
    rewind(zeros);
    TarWriter *w;
    CHECK(tar_writer_new(true, to_file, NULL, f, &w, &err) == TAR_OK &&
              tar_write_file(w, "z", 0644, zeros, 1 << 20) == TAR_OK &&
              tar_writer_finish(w) == TAR_OK,
          "a megabyte of zeros");
    tar_writer_free(w);
    fflush(f);
    TarReader *r;
    TarEntry e;
    size_t n, total = 0;
    static char buf[65536];
    TarStatus st = tar_reader_new(f, 100000, &r, &err);
    if (!st)
        st = tar_next(r, &e);
    while (!st && !(st = tar_read(r, buf, sizeof buf, &n)) && n)
        total += n;
    CHECK(st == TAR_ERR_TOO_BIG && total < 200000 && strstr(tar_reader_error(r), "100000"),
          "unpacked bound");
    tar_reader_free(r);
    fclose(zeros);
    fclose(f);
}

int main(void)
{
    test_headers();
    round_trip(false);
    round_trip(true);
    test_foreign();
    test_damage();
    return unit_report("test_tar");
}
