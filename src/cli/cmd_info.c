/* cmd_info.c: `corral info NAME/VERSION`, Bindle's info and get-invoice: the invoice, asked
 * of the server and verified like any pull, printed as TOML (as the server sent it) or JSON,
 * or written to a file. */
#include "cli_bindle.h"

#include "store/doc_out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: corral info [bindle:]NAME/VERSION [-y] [-f toml|json] [-o FILE] [options]\n"
    "\n"
    "Prints a bindle's invoice (Bindle's info; with -o, its get-invoice), after verifying it\n"
    "with the keyring and the strategy as a pull does. TOML is the server's text; JSON is\n"
    "the same invoice in Bindle's JSON form.\n"
    "\n"
    "Options:\n"
    "  -y, --yanked               Show a yanked bindle too\n"
    "  -f, --output-format FMT    toml (default) or json\n"
    "  -o, --output FILE          Write the invoice (TOML) to FILE, which must not exist\n"
    "  -h, --help                 Show this help\n"
    "\n" CLI_BINDLE_FLAGS_HELP "\n"
    "Exit status: 0 when shown, 1 when the server refused, could not be reached or the\n"
    "invoice failed verification, 2 on a usage error.\n";

enum { I_YANKED = CLI_BINDLE_NEXT, I_FORMAT, I_OUTPUT };

typedef struct InfoArgs {
    CliBindle b;
    bool yanked;
    const char *format, *output;
} InfoArgs;

static int take(void *ud, int id, const char *name, const char *v)
{
    InfoArgs *a = ud;
    if (cli_bindle_take(&a->b, id, v))
        return -1;
    if (id == I_YANKED)
        a->yanked = true;
    else if (id == I_FORMAT)
        a->format = v;
    else
        a->output = v;
    return -1;
}

/* The invoice as pretty JSON, owned. */
static char *as_json(const Invoice *inv)
{
    json_t *d = doc_invoice(inv);
    char *s = d ? json_dumps(d, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(d);
    return s;
}

static int write_new(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wbx");
    bool ok = f && fwrite(text, 1, len, f) == len;
    int e = errno;
    if (f && fclose(f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        cli_error("info: %s: %s", path, strerror(e));
        if (f)
            remove(path);
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}

static int info_main(int argc, char **argv)
{
    static const CliOpt own[] = {{"-y", "--yanked", false, I_YANKED, false},
                                 {"-f", "--output-format", true, I_FORMAT, false},
                                 {"-o", "--output", true, I_OUTPUT, false}};
    CliOpt opts[16];
    size_t n = cli_bindle_opts(own, sizeof own / sizeof own[0], opts, sizeof opts / sizeof opts[0]);
    InfoArgs a = {0};
    const char *pos[1];
    int npos;
    int r = cli_opts_parse("info", usage, argc, argv, opts, n, pos, 1, &npos, take, &a);
    if (r >= 0)
        return r;
    if (npos != 1) {
        cli_error("info: no bindle given; usage: corral info [bindle:]NAME/VERSION");
        return CLI_EXIT_USAGE;
    }
    bool json = a.format && !strcmp(a.format, "json");
    if (a.format && !json && strcmp(a.format, "toml") != 0) {
        cli_error("info: -f '%s': the formats are toml and json", a.format);
        return CLI_EXIT_USAGE;
    }
    Keyring kr;
    VerifyStrategy vs;
    BindleClient *c = NULL;
    if ((r = cli_bindle_trust("info", &a.b, &kr, &vs)) < 0)
        r = cli_bindle_client("info", &a.b, &c);
    char *text = NULL, *err = NULL;
    size_t len = 0;
    Invoice *inv = NULL;
    if (r < 0) {
        BindleStatus st = bindle_invoice_get(c, pos[0], a.yanked, &text, &len, &inv);
        if (!st && inv->has_yanked && inv->yanked && !a.yanked)
            st = BINDLE_ERR_YANKED; /* a server that answers yanked invoices anyway */
        if (!st)
            st = bindle_invoice_verify(inv, &kr, &vs, &err);
        if (st == BINDLE_ERR_YANKED && !err)
            r = cli_bindle_fail("info", st, "the bindle is yanked (-y shows it anyway)");
        else if (st)
            r = cli_bindle_fail("info", st, err ? err : bindle_client_error(c));
    }
    if (r < 0 && json) {
        char *j = as_json(inv);
        if (!j) {
            cli_error("info: out of memory");
            r = CLI_EXIT_FAIL;
        } else if (a.output) {
            r = write_new(a.output, j, strlen(j));
        } else {
            printf("%s\n", j);
        }
        free(j);
    } else if (r < 0) {
        r = a.output ? write_new(a.output, text, len) : (fwrite(text, 1, len, stdout), CLI_EXIT_OK);
    }
    if (r == CLI_EXIT_OK && a.output)
        printf("Wrote invoice %s to %s\n", pos[0], a.output);
    if (r < 0)
        r = CLI_EXIT_OK;
    free(err);
    free(text);
    invoice_free(inv);
    bindle_client_free(c);
    keyring_free(&kr);
    return r;
}

const CliCommand cli_cmd_info = {
    .name = "info",
    .summary = "Show a bindle's invoice from a Bindle server",
    .usage = usage,
    .main = info_main,
};
