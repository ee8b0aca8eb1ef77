/* cmd_pull.c: `corral pull REF -o FILE`. Parses the flags, then fetches the module through
 * the layer that speaks REF's kind: src/oci for oci:// and WAGI's oci: references (the
 * Bindle client will add bindle: references beside it). The module is written to a
 * temporary file beside FILE and renamed over it only when every check passed, so FILE is
 * never a partial or unverified module. */
#include "cli.h"

#include "oci/oci.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: corral pull oci://HOST[:PORT]/NAME[:TAG][@sha256:HEX] -o FILE [options]\n"
    "\n"
    "Fetches a WebAssembly module from an OCI registry into FILE and prints the reference\n"
    "with its manifest's digest: oci://HOST[:PORT]/NAME:TAG@sha256:HEX. The module may be\n"
    "a CNCF wasm artifact (its application/wasm layer), wasm-to-oci's older form (WAGI's\n"
    "application/vnd.wasm.content.layer.v1+wasm; the first such layer), or an ordinary\n"
    "image (the file its entrypoint names, else /app.wasm). From an index the manifest\n"
    "with architecture wasm is taken. Every manifest and blob is checked against its\n"
    "digest and size; anything else is refused.\n"
    "\n"
    "References, plain HTTP and credentials are as for push (corral help push): a digest\n"
    "(@sha256:HEX) pulls exactly that manifest, whatever the tag says.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE   Where the module goes (required; - for standard output)\n"
    "  --keyring FILE      Refuse the module unless its manifest is signed by a key of FILE\n"
    "                      (a Bindle keyring; keys with the creator or approver role),\n"
    "                      checked before the module is fetched\n"
    "  --max-size SIZE     The largest module or layer accepted (default 1GiB)\n"
    "  --insecure-http     Plain HTTP to any registry, not only to loopback ones\n"
    "  -v, --verbose       Print each request and decision on stderr\n"
    "  -h, --help          Show this help\n"
    "\n"
    "Exit status: 0 when pulled, 1 when the pull failed (nothing is written to FILE), 2 on\n"
    "a usage error.\n";

typedef struct PullArgs {
    const char *ref, *output, *keyring;
    uint64_t max_size;
    bool insecure_http, verbose;
} PullArgs;

static const char *const value_flags[] = {"-o", "--output", "--keyring", "--max-size"};
enum { NVALUE_FLAGS = sizeof value_flags / sizeof value_flags[0] };

/* -1 to go on, else the exit status. */
static int take_value(PullArgs *pa, const char *name, const char *v)
{
    if (!strcmp(name, "-o") || !strcmp(name, "--output")) {
        pa->output = v;
    } else if (!strcmp(name, "--keyring")) {
        pa->keyring = v;
    } else if (!cli_parse_size(v, &pa->max_size) || pa->max_size == 0) {
        cli_error("pull: --max-size: '%s' is not a size (e.g. 64MiB, 4096)", v);
        return CLI_EXIT_USAGE;
    }
    return -1;
}

static int parse_args(int argc, char **argv, PullArgs *pa)
{
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_print(usage);
            return CLI_EXIT_OK;
        }
        if (a[0] != '-' || !a[1]) {
            pa->ref = npos++ ? pa->ref : a;
            continue;
        }
        if (!strcmp(a, "--insecure-http")) {
            pa->insecure_http = true;
            continue;
        }
        if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            pa->verbose = true;
            continue;
        }
        const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
        size_t n = eq ? (size_t)(eq - a) : strlen(a), k = 0;
        while (k < NVALUE_FLAGS && !(strlen(value_flags[k]) == n && !strncmp(value_flags[k], a, n)))
            k++;
        if (k == NVALUE_FLAGS) {
            cli_error("pull: unknown option '%s'; see 'corral pull --help'", a);
            return CLI_EXIT_USAGE;
        }
        const char *v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!v) {
            cli_error("pull: %s needs a value; see 'corral pull --help'", value_flags[k]);
            return CLI_EXIT_USAGE;
        }
        int r = take_value(pa, value_flags[k], v);
        if (r >= 0)
            return r;
    }
    if (npos != 1) {
        cli_error("pull: %s; usage: corral pull REF -o FILE [options]",
                  npos ? "too many arguments" : "no reference given");
        return CLI_EXIT_USAGE;
    }
    if (!pa->output) {
        cli_error("pull: -o FILE is required (- for standard output)");
        return CLI_EXIT_USAGE;
    }
    return -1;
}

/* ---- the output ---- */

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

/* Copies the verified module to standard output. */
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

/* Keeps the module (rename, with the mode a new file gets) or throws it away. */
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
    OciRef ref;
    OciSession *s = NULL;
    OciKeyring *keyring = NULL;
    OciPullResult res = {0};
    Output out = {0};
    char *err = NULL;
    OciOptions opts = {.insecure_http = pa->insecure_http,
                       .max_size = pa->max_size,
                       .log = pa->verbose ? stderr : NULL};
    if (oci_ref_parse(pa->ref, &ref, &err) != OCI_OK) {
        cli_error("pull: %s: %s", pa->ref, err ? err : "out of memory");
        free(err);
        return CLI_EXIT_USAGE;
    }
    int status = CLI_EXIT_FAIL;
    if (pa->keyring && !oci_keyring_load(pa->keyring, &keyring, &err)) {
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

static int pull_main(int argc, char **argv)
{
    PullArgs pa = {0};
    int r = parse_args(argc, argv, &pa);
    if (r >= 0)
        return r;
    /* One branch per kind of reference. */
    if (oci_ref_is_oci(pa.ref))
        return pull_oci(&pa);
    cli_error("pull: '%s' is not a reference corral pull knows: oci://HOST[:PORT]/NAME[:TAG]",
              pa.ref);
    return CLI_EXIT_USAGE;
}

const CliCommand cli_cmd_pull = {
    .name = "pull",
    .summary = "Pull a WebAssembly module from an OCI registry",
    .usage = usage,
    .main = pull_main,
};
