/* cmd_search.c: `corral search`, Bindle's search: one page of the server's matches for a
 * name substring and a SemVer range, as a table (Bindle's), TOML (the server's text) or
 * JSON. */
#include "cli_bindle.h"

#include "store/doc_out.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: corral search [-q TEXT] [-b RANGE] [--offset N] [--limit N] [--strict[=BOOL]]\n"
    "                     [--yanked[=BOOL]] [-f table|toml|json] [options]\n"
    "\n"
    "Searches a Bindle server (Bindle's search, the _q API) and prints one page of the\n"
    "bindles found, in NAME/VERSION order.\n"
    "\n"
    "Options:\n"
    "  -q, --query TEXT           Bindles whose name contains TEXT\n"
    "  -b, --bindle-version RANGE Versions in a SemVer range: a full version alone is exact\n"
    "                             (1.2.3), else Cargo's operators, ^ by default (^1.2, ~1.2,\n"
    "                             >=1.0.0, <2, 1.*), several joined by ',' all holding\n"
    "      --offset N             Skip the first N matches (the next page)\n"
    "      --limit N              At most N matches (1 to 255; the server's default is 50)\n"
    "      --strict[=BOOL]        Strict matching (the only kind Bindle servers have)\n"
    "      --yanked[=BOOL]        Include yanked bindles\n"
    "  -f, --output-format FMT    table (default), toml or json\n"
    "  -h, --help                 Show this help\n"
    "\n" CLI_BINDLE_FLAGS_HELP "\n"
    "Exit status: 0 when the server answered (even with no match), 1 when it refused or\n"
    "could not be reached, 2 on a usage error.\n";

enum { S_QUERY = CLI_BINDLE_NEXT, S_VERSION, S_OFFSET, S_LIMIT, S_STRICT, S_YANKED, S_FORMAT };

typedef struct SearchArgs {
    CliBindle b;
    BindleQuery q;
    const char *format;
} SearchArgs;

static int parse_bool(const char *name, const char *v, int *out)
{
    if (!v || !strcmp(v, "true"))
        *out = 1;
    else if (!strcmp(v, "false"))
        *out = 0;
    else {
        cli_error("search: %s: '%s' is not true or false", name, v);
        return CLI_EXIT_USAGE;
    }
    return -1;
}

static int take(void *ud, int id, const char *name, const char *v)
{
    SearchArgs *a = ud;
    uint64_t n;
    if (cli_bindle_take(&a->b, id, v))
        return -1;
    switch (id) {
    case S_QUERY:
        a->q.query = v;
        return -1;
    case S_VERSION:
        a->q.version = v;
        return -1;
    case S_OFFSET:
    case S_LIMIT:
        if (!cli_parse_count(v, &n) || (id == S_LIMIT && (n == 0 || n > 255))) {
            cli_error("search: %s: '%s' is not %s", name, v,
                      id == S_LIMIT ? "a number from 1 to 255" : "a number");
            return CLI_EXIT_USAGE;
        }
        if (id == S_OFFSET) {
            a->q.offset = n;
            a->q.has_offset = true;
        } else {
            a->q.limit = (unsigned)n;
            a->q.has_limit = true;
        }
        return -1;
    case S_STRICT:
        return parse_bool(name, v, &a->q.strict);
    case S_YANKED:
        return parse_bool(name, v, &a->q.yanked);
    default:
        a->format = v;
        return -1;
    }
}

/* Bindle's table: "NAME/VERSION:\tDESCRIPTION" per match, then a trailer. */
static void print_table(const BindleMatches *m)
{
    for (size_t i = 0; i < m->n; i++)
        printf("%s/%s:\t%s\n", m->invoices[i]->name, m->invoices[i]->version,
               m->invoices[i]->description ? m->invoices[i]->description
                                           : "[no description available]");
    uint64_t last = m->offset + m->n;
    if (m->total > 0) {
        printf("=== Showing results %" PRIu64 " to %" PRIu64 " of %" PRIu64 " (limit: %" PRIu64 ")",
               m->offset + 1, last, m->total, m->limit);
        if (m->more)
            printf(" - More results are available with --offset=%" PRIu64, last);
        printf("\n");
    } else {
        printf("No matching bindles were found\n");
    }
}

static bool print_json(const BindleMatches *m)
{
    json_t *o =
        json_pack("{s:s, s:b, s:I, s:I, s:I, s:b, s:b, s:[]}", "query", m->query, "strict",
                  m->strict, "offset", (json_int_t)m->offset, "limit", (json_int_t)m->limit,
                  "total", (json_int_t)m->total, "more", m->more, "yanked", m->yanked, "invoices");
    json_t *a = json_object_get(o, "invoices");
    bool ok = o != NULL;
    for (size_t i = 0; ok && i < m->n; i++)
        ok = json_array_append_new(a, doc_invoice(m->invoices[i])) == 0;
    char *s = ok ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(o);
    return s != NULL;
}

static int search_main(int argc, char **argv)
{
    static const CliOpt own[] = {
        {"-q", "--query", true, S_QUERY, false},
        {"-b", "--bindle-version", true, S_VERSION, false},
        {NULL, "--offset", true, S_OFFSET, false},
        {NULL, "--limit", true, S_LIMIT, false},
        {NULL, "--strict", false, S_STRICT, true},
        {NULL, "--yanked", false, S_YANKED, true},
        {"-f", "--output-format", true, S_FORMAT, false},
    };
    CliOpt opts[24];
    size_t n = cli_bindle_opts(own, sizeof own / sizeof own[0], opts, sizeof opts / sizeof opts[0]);
    SearchArgs a = {.q = {.strict = -1, .yanked = -1}};
    const char *pos[1];
    int npos;
    int r = cli_opts_parse("search", usage, argc, argv, opts, n, pos, 0, &npos, take, &a);
    if (r >= 0)
        return r;
    const char *fmt = a.format ? a.format : "table";
    if (strcmp(fmt, "table") && strcmp(fmt, "toml") && strcmp(fmt, "json")) {
        cli_error("search: -f '%s': the formats are table, toml and json", fmt);
        return CLI_EXIT_USAGE;
    }
    BindleClient *c;
    if ((r = cli_bindle_client("search", &a.b, &c)) >= 0)
        return r;
    BindleMatches m;
    BindleStatus st = bindle_search(c, &a.q, &m);
    if (st) {
        r = cli_bindle_fail("search", st, bindle_client_error(c));
    } else {
        r = CLI_EXIT_OK;
        if (!strcmp(fmt, "toml"))
            fwrite(m.text, 1, m.len, stdout);
        else if (!strcmp(fmt, "json") && !print_json(&m)) {
            cli_error("search: out of memory");
            r = CLI_EXIT_FAIL;
        } else if (!strcmp(fmt, "table"))
            print_table(&m);
        bindle_matches_clear(&m);
    }
    bindle_client_free(c);
    return r;
}

const CliCommand cli_cmd_search = {
    .name = "search",
    .summary = "Search a Bindle server for bindles",
    .usage = usage,
    .main = search_main,
};
