/* cmd_push.c: `corral push REF FILE.wasm`. Parses the flags, then hands the module to the
 * layer that speaks REF's kind: src/oci for oci:// and WAGI's oci: references (the Bindle
 * client will add bindle: references beside it). Prints the pushed reference with its
 * digest. */
#include "cli.h"

#include "oci/oci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: corral push oci://HOST[:PORT]/NAME[:TAG] FILE.wasm [options]\n"
    "\n"
    "Pushes a WebAssembly module to an OCI registry and prints the reference pushed, with\n"
    "its manifest's digest: oci://HOST[:PORT]/NAME:TAG@sha256:HEX. By default the module\n"
    "goes as a CNCF wasm artifact: a config of type application/vnd.wasm.config.v0+json\n"
    "and the module as the one layer, of type application/wasm. With --image it goes as an\n"
    "ordinary OCI image instead: one tar layer holding /app.wasm and a config whose\n"
    "entrypoint names it, which containerd 1.6 (ctr images pull) can unpack.\n"
    "\n"
    "References: oci://HOST[:PORT]/NAME[:TAG], the tag latest when none is given, or WAGI's\n"
    "oci:NAME[:TAG] (Docker Hub unless NAME starts with a host). Registries on localhost,\n"
    "127.0.0.0/8 and [::1] are spoken to over plain HTTP, all others over HTTPS.\n"
    "Credentials come from the docker config ($DOCKER_CONFIG/config.json, else\n"
    "~/.docker/config.json): auths.\"HOST[:PORT]\".auth, base64 of USER:PASSWORD, as\n"
    "`docker login` writes it; credential helpers are not run.\n"
    "\n"
    "Options:\n"
    "  --image              Push an ordinary OCI image rather than the wasm artifact\n"
    "  --platform OS/ARCH   The image's platform (default wasi/wasm)\n"
    "  --no-gzip            Leave the image's layer uncompressed\n"
    "  --sign FILE          Sign the manifest with the first creator key of FILE, a Bindle\n"
    "                       secret key file, and push the signature beside it (tag\n"
    "                       sha256-HEX.corral.sig); signatures by other keys stay\n"
    "  --sign-label LABEL   Sign with FILE's key labelled LABEL instead\n"
    "  --insecure-http      Plain HTTP to any registry, not only to loopback ones\n"
    "  -v, --verbose        Print each request and decision on stderr\n"
    "  -h, --help           Show this help\n"
    "\n"
    "Exit status: 0 when pushed, 1 when the push failed, 2 on a usage error.\n";

typedef struct PushArgs {
    const char *ref, *file;
    bool image, no_gzip, insecure_http, verbose;
    const char *platform, *sign, *sign_label;
} PushArgs;

/* Flags with a value: "--name VALUE" or "--name=VALUE". */
static const char *const value_flags[] = {"--platform", "--sign", "--sign-label"};
enum { NVALUE_FLAGS = sizeof value_flags / sizeof value_flags[0] };

static void take_value(PushArgs *pa, const char *name, const char *v)
{
    if (!strcmp(name, "--platform"))
        pa->platform = v;
    else if (!strcmp(name, "--sign"))
        pa->sign = v;
    else
        pa->sign_label = v;
}

/* -1 to go on, else the exit status. */
static int take_flag(PushArgs *pa, const char *a)
{
    if (cli_is_help(a)) {
        cli_print(usage);
        return CLI_EXIT_OK;
    }
    if (!strcmp(a, "--image"))
        pa->image = true;
    else if (!strcmp(a, "--no-gzip"))
        pa->no_gzip = true;
    else if (!strcmp(a, "--insecure-http"))
        pa->insecure_http = true;
    else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
        pa->verbose = true;
    else
        return -2; /* not a plain flag */
    return -1;
}

static int parse_args(int argc, char **argv, PushArgs *pa)
{
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            if (npos++ == 0)
                pa->ref = a;
            else if (npos == 2)
                pa->file = a;
            continue;
        }
        int r = take_flag(pa, a);
        if (r != -2) {
            if (r >= 0)
                return r;
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a) : strlen(a), k = 0;
        while (k < NVALUE_FLAGS && !(strlen(value_flags[k]) == n && !strncmp(value_flags[k], a, n)))
            k++;
        if (k == NVALUE_FLAGS) {
            cli_error("push: unknown option '%s'; see 'corral push --help'", a);
            return CLI_EXIT_USAGE;
        }
        const char *v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!v) {
            cli_error("push: %s needs a value; see 'corral push --help'", value_flags[k]);
            return CLI_EXIT_USAGE;
        }
        take_value(pa, value_flags[k], v);
    }
    if (npos != 2) {
        cli_error("push: %s; usage: corral push REF FILE.wasm [options]",
                  npos < 2 ? "a reference and a module file are needed" : "too many arguments");
        return CLI_EXIT_USAGE;
    }
    if (pa->sign_label && !pa->sign) {
        cli_error("push: --sign-label needs --sign FILE");
        return CLI_EXIT_USAGE;
    }
    if ((pa->platform || pa->no_gzip) && !pa->image) {
        cli_error("push: %s only applies to --image", pa->platform ? "--platform" : "--no-gzip");
        return CLI_EXIT_USAGE;
    }
    return -1;
}

static int push_oci(const PushArgs *pa)
{
    OciRef ref;
    OciSession *s = NULL;
    OciSigner *signer = NULL;
    char *err = NULL, *digest = NULL;
    OciOptions opts = {.insecure_http = pa->insecure_http, .log = pa->verbose ? stderr : NULL};
    if (oci_ref_parse(pa->ref, &ref, &err) != OCI_OK) {
        cli_error("push: %s: %s", pa->ref, err ? err : "out of memory");
        free(err);
        return CLI_EXIT_USAGE;
    }
    int status = CLI_EXIT_FAIL;
    if (pa->sign && !oci_signer_load(pa->sign, pa->sign_label, &signer, &err)) {
        cli_error("push: --sign: %s", err ? err : "out of memory");
    } else if (oci_session_new(&ref, &opts, true, &s, &err) != OCI_OK) {
        cli_error("push: %s", err ? err : "out of memory");
    } else {
        OciPushSpec spec = {.module_path = pa->file,
                            .image = pa->image,
                            .gzip = !pa->no_gzip,
                            .platform = pa->platform,
                            .signer = signer};
        OciStatus st = oci_push(s, &spec, &digest);
        if (st == OCI_OK) {
            char *pushed = oci_ref_format(&ref, digest);
            printf("%s\n", pushed ? pushed : digest);
            free(pushed);
            status = CLI_EXIT_OK;
        } else {
            cli_error("push: %s", oci_session_error(s));
            status = st == OCI_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
        }
    }
    free(err);
    free(digest);
    oci_session_free(s);
    oci_signer_free(signer);
    oci_ref_clear(&ref);
    return status;
}

static int push_main(int argc, char **argv)
{
    PushArgs pa = {0};
    int r = parse_args(argc, argv, &pa);
    if (r >= 0)
        return r;
    /* One branch per kind of reference. */
    if (oci_ref_is_oci(pa.ref))
        return push_oci(&pa);
    cli_error("push: '%s' is not a reference corral push knows: oci://HOST[:PORT]/NAME[:TAG]",
              pa.ref);
    return CLI_EXIT_USAGE;
}

const CliCommand cli_cmd_push = {
    .name = "push",
    .summary = "Push a WebAssembly module to an OCI registry",
    .usage = usage,
    .main = push_main,
};
