/* cmd_yank.c: `corral yank NAME/VERSION`, Bindle's yank: the server marks the bindle yanked
 * (DELETE /v1/_i/ID); it stays readable with --yanked, and nothing new is added to it. */
#include "cli_bindle.h"

#include <stdio.h>

static const char usage[] =
    "usage: corral yank [bindle:]NAME/VERSION [options]\n"
    "\n"
    "Yanks a bindle on a Bindle server (Bindle's yank): it leaves search results and is\n"
    "refused to pulls unless they ask for yanked bindles (corral pull --yanked), and no\n"
    "parcel can be added to it. Nothing is deleted. Writing needs credentials on a server\n"
    "that has users.\n"
    "\n"
    "Options:\n"
    "  -h, --help                Show this help\n"
    "\n" CLI_BINDLE_FLAGS_HELP "\n"
    "Exit status: 0 when yanked, 1 when the server refused or could not be reached, 2 on a\n"
    "usage error.\n";

static int take(void *ud, int id, const char *name, const char *v)
{
    cli_bindle_take(ud, id, v);
    return -1;
}

static int yank_main(int argc, char **argv)
{
    CliBindle b = {0};
    const char *pos[1];
    int npos;
    int r = cli_opts_parse("yank", usage, argc, argv, cli_bindle_flags, cli_bindle_nflags, pos, 1,
                           &npos, take, &b);
    if (r >= 0)
        return r;
    if (npos != 1) {
        cli_error("yank: no bindle given; usage: corral yank [bindle:]NAME/VERSION");
        return CLI_EXIT_USAGE;
    }
    BindleClient *c;
    if ((r = cli_bindle_client("yank", &b, &c)) >= 0)
        return r;
    BindleStatus st = bindle_yank(c, pos[0]);
    if (st)
        r = cli_bindle_fail("yank", st, bindle_client_error(c));
    else
        printf("Bindle %s yanked\n", pos[0]);
    bindle_client_free(c);
    return st ? r : CLI_EXIT_OK;
}

const CliCommand cli_cmd_yank = {
    .name = "yank",
    .summary = "Yank a bindle on a Bindle server",
    .usage = usage,
    .main = yank_main,
};
