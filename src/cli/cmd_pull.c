/* cmd_pull.c: `corral pull`. Parses the flags, then fetches through the layer that speaks the
 * reference's kind: src/oci for oci:// and WAGI's oci: references (a module, written to a
 * temporary file beside FILE and renamed over it only when every check passed), src/bindle
 * for Bindle ids (a bindle into the cache, then optionally its files into a directory, one
 * parcel into a file, or a standalone copy). */
#include "cli_bindle.h"

#include "oci/oci.h"
#include "util/fs.h"
#include "util/strf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: corral pull oci://HOST[:PORT]/NAME[:TAG][@sha256:HEX] -o FILE [options]\n"
    "       corral pull [bindle:]NAME/VERSION [-o DIR] [-e DIR|FILE.tar.gz] [options]\n"
    "       corral pull [bindle:]NAME/VERSION --parcel SHA256|NAME [-o FILE] [options]\n"
    "       corral pull --standalone DIR|FILE.tar.gz [[bindle:]NAME/VERSION] [-o DIR] [-e ...]\n"
    "\n"
    "OCI registries: fetches a WebAssembly module into FILE and prints the reference\n"
    "with its manifest's digest: oci://HOST[:PORT]/NAME:TAG@sha256:HEX. The module may be\n"
    "a CNCF wasm artifact (its application/wasm layer), wasm-to-oci's older form (WAGI's\n"
    "application/vnd.wasm.content.layer.v1+wasm; the first such layer), or an ordinary\n"
    "image (the file its entrypoint names, else /app.wasm). From an index the manifest\n"
    "with architecture wasm is taken. Every manifest and blob is checked against its\n"
    "digest and size; anything else is refused. References, plain HTTP and credentials\n"
    "are as for push (corral help push): a digest (@sha256:HEX) pulls exactly that\n"
    "manifest, whatever the tag says.\n"
    "\n"
    "Bindle servers: fetches a bindle into the cache (Bindle's get): the invoice, verified\n"
    "with the keyring and --strategy (a refusal says which signature failed and why;\n"
    "`corral keys fetch` trusts the server's host keys), then every parcel, taken from the\n"
    "cache when a checked copy is there, else streamed in with its size and SHA-256\n"
    "checked. A parcel the server does not have is a warning, as in Bindle. Then:\n"
    "  -o DIR             writes every parcel to DIR under its label's name (the files of\n"
    "                     the directory `corral push NAME/VERSION DIR` pushed)\n"
    "  --parcel X -o FILE fetches only the parcel whose SHA-256 or name is X (Bindle's\n"
    "                     get-parcel) into FILE (- for standard output)\n"
    "  -e DIR             writes a standalone bindle DIR/SHA/ (invoice.toml,\n"
    "                     parcels/SHA.dat); -e FILE.tar.gz (or .tgz, .tar) the same as\n"
    "                     an archive, for air-gapped copies (corral push --standalone)\n"
    "  --standalone PATH  reads the bindle from a standalone copy instead of a server\n"
    "                     (checked and verified the same way)\n"
    "Without -o and -e it prints where each parcel is in the cache.\n"
    "\n"
    "Options:\n"
    "  -o, --output PATH   OCI: where the module goes (required; - for standard output).\n"
    "                      Bindle: the directory for the parcels (with --parcel, a file)\n"
    "  --keyring FILE      OCI: refuse the module unless its manifest is signed by a key of\n"
    "                      FILE (a Bindle keyring; keys with the creator or approver role),\n"
    "                      checked before the module is fetched. Bindle: the keyring (-r)\n"
    "  --max-size SIZE     The largest module, layer or parcel accepted (OCI default 1GiB;\n"
    "                      Bindle: no limit)\n"
    "  --insecure-http     OCI: plain HTTP to any registry, not only to loopback ones\n"
    "  -y, --yanked        Bindle: take a yanked bindle anyway\n"
    "  -e, --export PATH   Bindle: a standalone copy (above)\n"
    "  --parcel X          Bindle: one parcel, by SHA-256 or name\n"
    "  --standalone PATH   Bindle: read a standalone bindle instead of a server\n"
    "  -h, --help          Show this help\n"
    "\n" CLI_BINDLE_FLAGS_HELP "\n"
    "Exit status: 0 when pulled, 1 when the pull failed (nothing is written to FILE), 2 on\n"
    "a usage error.\n";

enum {
    L_OUTPUT = CLI_BINDLE_NEXT,
    L_MAX_SIZE,
    L_INSECURE_HTTP,
    L_YANKED,
    L_EXPORT,
    L_PARCEL,
    L_STANDALONE,
    L_END,
};

static const CliOpt own_opts[] = {
    {"-o", "--output", true, L_OUTPUT, false},
    {NULL, "--max-size", true, L_MAX_SIZE, false},
    {NULL, "--insecure-http", false, L_INSECURE_HTTP, false},
    {"-y", "--yanked", false, L_YANKED, false},
    {"-e", "--export", true, L_EXPORT, false},
    {NULL, "--parcel", true, L_PARCEL, false},
    {NULL, "--standalone", true, L_STANDALONE, false},
};

enum { NOWN = sizeof own_opts / sizeof own_opts[0] };

typedef struct PullArgs {
    const char *pos[8];
    int npos;
    const char *output, *export, *parcel, *standalone;
    uint64_t max_size;
    bool insecure_http, yanked;
    CliBindle b;
    const char *seen[L_END - CLI_B_SERVER];
} PullArgs;

static int take(void *ud, int id, const char *name, const char *v)
{
    PullArgs *pa = ud;
    if (!pa->seen[id - CLI_B_SERVER])
        pa->seen[id - CLI_B_SERVER] = name;
    if (cli_bindle_take(&pa->b, id, v))
        return -1;
    switch (id) {
    case L_OUTPUT:
        pa->output = v;
        break;
    case L_MAX_SIZE:
        if (!cli_parse_size(v, &pa->max_size) || pa->max_size == 0) {
            cli_error("pull: --max-size: '%s' is not a size (e.g. 64MiB, 4096)", v);
            return CLI_EXIT_USAGE;
        }
        pa->b.max_size = pa->max_size;
        break;
    case L_INSECURE_HTTP:
        pa->insecure_http = true;
        break;
    case L_YANKED:
        pa->yanked = true;
        break;
    case L_EXPORT:
        pa->export = v;
        break;
    case L_PARCEL:
        pa->parcel = v;
        break;
    default:
        pa->standalone = v;
        break;
    }
    return -1;
}

static int parse_args(int argc, char **argv, PullArgs *pa)
{
    CliOpt opts[NOWN + 16];
    size_t n = cli_bindle_opts(own_opts, NOWN, opts, sizeof opts / sizeof opts[0]);
    return cli_opts_parse("pull", usage, argc, argv, opts, n, pa->pos, 8, &pa->npos, take, pa);
}

/* The first option given among ids [from, to) but -v, or NULL. */
static const char *given(const PullArgs *pa, int from, int to)
{
    for (int id = from; id < to; id++)
        if (pa->seen[id - CLI_B_SERVER] && id != CLI_B_VERBOSE && id != CLI_B_KEYRING)
            return pa->seen[id - CLI_B_SERVER];
    return NULL;
}

/* ---- OCI: the output ---- */

/* Where the module is written first: a new file beside the output (so the final rename
 * stays on one file system), or an anonymous one for standard output. */
typedef struct Output {
    const char *path; /* "-" for standard output */
    char *tmp_path;   /* NULL for standard output */
    FILE *f;
} Output;

static bool output_open(Output *o, const char *path)
{
    o->path = path;
    if (!strcmp(path, "-")) {
        o->f = tmpfile();
    } else {
        o->tmp_path = malloc(strlen(path) + 16);
        if (o->tmp_path) {
            sprintf(o->tmp_path, "%s.part-XXXXXX", path);
            int fd = mkstemp(o->tmp_path);
            o->f = fd >= 0 ? fdopen(fd, "w+b") : NULL;
            if (fd >= 0 && !o->f)
                close(fd);
        }
    }
    if (!o->f)
        cli_error("pull: %s: cannot make a temporary file: %s", cli_display_name(path),
                  strerror(errno ? errno : ENOMEM));
    return o->f != NULL;
}

/* Copies a verified file to standard output. */
static bool copy_to_stdout(FILE *f)
{
    char buf[65536];
    size_t n;
    rewind(f);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (fwrite(buf, 1, n, stdout) != n)
            return false;
    return !ferror(f);
}

/* Keeps the file (rename, with the mode a new file gets) or throws it away. */
static bool output_close(Output *o, bool keep)
{
    bool ok = true;
    if (keep && !o->tmp_path) {
        ok = copy_to_stdout(o->f);
    } else if (keep) {
        mode_t mask = umask(0);
        umask(mask);
        ok = fchmod(fileno(o->f), 0666 & ~mask) == 0 && fflush(o->f) == 0 &&
             rename(o->tmp_path, o->path) == 0;
        if (!ok)
            cli_error("pull: %s: %s", o->path, strerror(errno));
    }
    fclose(o->f);
    if (o->tmp_path && (!keep || !ok))
        unlink(o->tmp_path);
    free(o->tmp_path);
    return ok;
}

static int pull_oci(const PullArgs *pa)
{
    const char *other = given(pa, CLI_B_SERVER, CLI_BINDLE_NEXT);
    if (!other)
        other = given(pa, L_YANKED, L_END);
    if (other) {
        cli_error("pull: %s only applies to Bindle pulls, not to oci:// references", other);
        return CLI_EXIT_USAGE;
    }
    if (pa->npos != 1) {
        cli_error("pull: too many arguments; usage: corral pull REF -o FILE [options]");
        return CLI_EXIT_USAGE;
    }
    if (!pa->output) {
        cli_error("pull: -o FILE is required (- for standard output)");
        return CLI_EXIT_USAGE;
    }
    OciRef ref;
    OciSession *s = NULL;
    OciKeyring *keyring = NULL;
    OciPullResult res = {0};
    Output out = {0};
    char *err = NULL;
    OciOptions opts = {.insecure_http = pa->insecure_http,
                       .max_size = pa->max_size,
                       .log = pa->b.verbose ? stderr : NULL};
    if (oci_ref_parse(pa->pos[0], &ref, &err) != OCI_OK) {
        cli_error("pull: %s: %s", pa->pos[0], err ? err : "out of memory");
        free(err);
        return CLI_EXIT_USAGE;
    }
    int status = CLI_EXIT_FAIL;
    if (pa->b.keyring && !oci_keyring_load(pa->b.keyring, &keyring, &err)) {
        cli_error("pull: --keyring: %s", err ? err : "out of memory");
    } else if (oci_session_new(&ref, &opts, false, &s, &err) != OCI_OK) {
        cli_error("pull: %s", err ? err : "out of memory");
    } else if (output_open(&out, pa->output)) {
        OciStatus st = oci_pull(s, keyring, out.f, &res);
        if (st != OCI_OK)
            cli_error("pull: %s", oci_session_error(s));
        if (output_close(&out, st == OCI_OK) && st == OCI_OK)
            status = CLI_EXIT_OK;
    }
    if (status == CLI_EXIT_OK && strcmp(pa->output, "-") != 0) {
        char *pulled = oci_ref_format(&ref, res.digest);
        printf("%s\n", pulled ? pulled : res.digest);
        free(pulled);
    }
    free(err);
    oci_pull_result_clear(&res);
    oci_session_free(s);
    oci_keyring_free(keyring);
    oci_ref_clear(&ref);
    return status;
}

/* ---- Bindle: writing the parcels under a directory ---- */

/* Opens (making it when missing) the directory component name under dirfd, never through a
 * symbolic link. -1 with errno. */
static int enter_dir(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && mkdirat(dirfd, name, 0777) == 0)
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return fd;
}

/* Copies the file at from into the directory dirfd as name: a new temporary file there,
 * renamed over name. */
static bool place_file(int dirfd, const char *name, const char *from)
{
    static unsigned counter;
    char tmp[64];
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        snprintf(tmp, sizeof tmp, ".corral-pull-%ld-%u", (long)getpid(), counter++);
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            return false;
    }
    FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
    FILE *in = fopen(from, "rb");
    bool ok = out && in;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    ok = ok && !ferror(in);
    int e = errno;
    if (in)
        fclose(in);
    if (out)
        ok = fclose(out) == 0 && ok;
    else if (fd >= 0)
        close(fd);
    if (ok && renameat(dirfd, tmp, dirfd, name) == 0)
        return true;
    e = errno ? errno : e;
    unlinkat(dirfd, tmp, 0);
    errno = e;
    return false;
}

/* Writes one parcel to DIR/name, name a label's name (relative, no '.' or '..' segments). */
static bool write_parcel(int top, const char *name, const char *from)
{
    char *copy = strdup(name);
    if (!copy)
        return false;
    int fd = dup(top);
    char *part = copy, *slash;
    bool ok = fd >= 0;
    while (ok && (slash = strchr(part, '/')) != NULL) {
        *slash = 0;
        int next = part[0] ? enter_dir(fd, part) : dup(fd);
        close(fd);
        fd = next;
        ok = fd >= 0;
        part = slash + 1;
    }
    ok = ok && place_file(fd, part, from);
    int e = errno;
    if (fd >= 0)
        close(fd);
    free(copy);
    errno = e;
    return ok;
}

static int write_files(const BindleFetched *f, const char *dir)
{
    if (!fs_mkdirs(dir, 0777)) {
        cli_error("pull: %s: %s", dir, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    int top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top < 0) {
        cli_error("pull: %s: %s", dir, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    int status = CLI_EXIT_OK;
    for (size_t i = 0; status == CLI_EXIT_OK && i < f->nparcels; i++) {
        const char *name = f->parcels[i].parcel->label.name;
        const char *why = bindle_parcel_name_check(name, strlen(name));
        if (!f->parcels[i].path)
            continue;
        if (why) {
            cli_error("pull: parcel %s: %s", name, why);
            status = CLI_EXIT_FAIL;
        } else if (!write_parcel(top, name, f->parcels[i].path)) {
            cli_error("pull: %s/%s: %s", dir, name, strerror(errno));
            status = CLI_EXIT_FAIL;
        }
    }
    close(top);
    return status;
}

/* ---- Bindle ---- */

static bool want_parcel(const InvParcel *p, void *ud)
{
    const char *x = ud;
    return !strcmp(p->label.sha256, x) || !strcmp(p->label.name, x);
}

/* --parcel X: its one file to -o FILE (or standard output), else its path printed. */
static int output_parcel(const PullArgs *pa, const BindleFetched *f)
{
    const BindleFetchedParcel *fp = NULL;
    for (size_t i = 0; i < f->nparcels && !fp; i++)
        if (f->parcels[i].path)
            fp = &f->parcels[i];
    if (!fp) {
        cli_error("pull: bindle %s has no parcel whose SHA-256 or name is '%s'", f->id, pa->parcel);
        return CLI_EXIT_FAIL;
    }
    if (!pa->output) {
        printf("%s\n", fp->path);
        return CLI_EXIT_OK;
    }
    Output out = {0};
    if (!output_open(&out, pa->output))
        return CLI_EXIT_FAIL;
    FILE *in = fopen(fp->path, "rb");
    char buf[65536];
    size_t n;
    bool ok = in != NULL;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out.f) == n;
    ok = ok && !ferror(in);
    if (!ok)
        cli_error("pull: %s: %s", fp->path, strerror(errno));
    if (in)
        fclose(in);
    return output_close(&out, ok) && ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static void print_fetched(const BindleFetched *f, bool list, bool standalone)
{
    size_t got = 0, cached = 0, missing = 0;
    for (size_t i = 0; i < f->nparcels; i++) {
        const BindleFetchedParcel *fp = &f->parcels[i];
        got += fp->path != NULL;
        cached += fp->cached;
        if (fp->missing) {
            missing++;
            fprintf(stderr, "corral: warning: parcel %s (%s) is missing\n",
                    fp->parcel->label.sha256, fp->parcel->label.name);
        }
    }
    if (standalone)
        printf("pulled bindle:%s: %zu parcel%s from the standalone bindle%s\n", f->id, got,
               got == 1 ? "" : "s", missing ? ", some missing" : "");
    else
        printf("pulled bindle:%s: %zu parcel%s (%zu from the cache, %zu downloaded, %llu "
               "bytes)%s%s\n",
               f->id, got, got == 1 ? "" : "s", cached, got - cached,
               (unsigned long long)f->downloaded, missing ? ", some missing" : "",
               f->invoice_from_cache ? "; the server could not be reached: the cached invoice was "
                                       "used"
                                     : "");
    for (size_t i = 0; list && i < f->nparcels; i++)
        if (f->parcels[i].path)
            printf("  %s  %s\n", f->parcels[i].path, f->parcels[i].parcel->label.name);
}

static int pull_bindle(const PullArgs *pa)
{
    const char *other = given(pa, L_INSECURE_HTTP, L_YANKED);
    if (other) {
        cli_error("pull: %s only applies to oci:// references", other);
        return CLI_EXIT_USAGE;
    }
    const char *ref = pa->npos ? pa->pos[0] : NULL;
    if (pa->npos > 1 || (!ref && !pa->standalone)) {
        cli_error("pull: %s; usage: corral pull [bindle:]NAME/VERSION [options]",
                  pa->npos > 1 ? "too many arguments" : "no reference given");
        return CLI_EXIT_USAGE;
    }
    Keyring kr;
    VerifyStrategy vs;
    int r = cli_bindle_trust("pull", &pa->b, &kr, &vs);
    if (r >= 0) {
        keyring_free(&kr);
        return r;
    }
    BindleSelect sel = {.yanked = pa->yanked,
                        .allow_missing = !pa->parcel,
                        .want = pa->parcel ? want_parcel : NULL,
                        .want_ud = (void *)pa->parcel};
    BindleFetched f = {0};
    BindleStatus st;
    char *err = NULL;
    BindleClient *c = NULL;
    if (pa->standalone) {
        BindleClientOpts o = cli_bindle_client_opts(&pa->b);
        st = bindle_standalone_open(&o, pa->standalone, ref, &kr, &vs, &sel, &f, &err);
        r = st ? cli_bindle_fail("pull", st, err) : -1;
    } else if ((r = cli_bindle_client("pull", &pa->b, &c)) < 0) {
        st = bindle_fetch_with(c, ref, &kr, &vs, &sel, &f);
        r = st ? cli_bindle_fail("pull", st, bindle_client_error(c)) : -1;
    }
    free(err);
    err = NULL;
    if (r < 0 && pa->parcel) {
        r = output_parcel(pa, &f);
    } else if (r < 0) {
        print_fetched(&f, !pa->output && !pa->export, pa->standalone != NULL);
        r = pa->output ? write_files(&f, pa->output) : CLI_EXIT_OK;
        if (r == CLI_EXIT_OK && pa->output)
            printf("wrote the parcels to %s\n", pa->output);
    }
    if (r == CLI_EXIT_OK && pa->export) {
        char *written = NULL;
        st = bindle_standalone_write(&f, pa->export, &written, &err);
        if (st)
            r = cli_bindle_fail("pull", st, err);
        else
            printf("exported the standalone bindle %s\n", written);
        free(written);
        free(err);
    }
    bindle_fetched_clear(&f);
    bindle_client_free(c);
    keyring_free(&kr);
    return r;
}

static int pull_main(int argc, char **argv)
{
    PullArgs pa = {0};
    int r = parse_args(argc, argv, &pa);
    if (r >= 0)
        return r;
    /* One branch per kind of reference. */
    if (pa.npos > 0 && oci_ref_is_oci(pa.pos[0]) && !pa.standalone)
        return pull_oci(&pa);
    if (pa.standalone || (pa.npos > 0 && bindle_ref_is_bindle(pa.pos[0])))
        return pull_bindle(&pa);
    if (pa.npos == 0) {
        cli_error("pull: no reference given; usage: corral pull REF -o FILE [options]");
        return CLI_EXIT_USAGE;
    }
    cli_error("pull: '%s' is not a reference corral pull knows: oci://HOST[:PORT]/NAME[:TAG] or "
              "[bindle:]NAME/VERSION",
              pa.pos[0]);
    return CLI_EXIT_USAGE;
}

const CliCommand cli_cmd_pull = {
    .name = "pull",
    .summary = "Pull a module from an OCI registry, or a bindle from a Bindle server",
    .usage = usage,
    .main = pull_main,
};
