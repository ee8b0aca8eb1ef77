/* main.c: the `corral` dispatcher. Finds the subcommand in the one table below and hands it
 * the rest of argv; owns --help, --version and `corral help COMMAND`, and the one exit path
 * through cli_finish that turns a failed write of any command's output into a failure. */
#include "cli.h"
#include "cli/manifest.h"
#include "compile/tier.h"

#include <stdio.h>
#include <string.h>

/* Every subcommand, in the order `corral --help` lists them. */
static const CliCommand *const commands[] = {
    &cli_cmd_new,
    &cli_cmd_templates,
    &cli_cmd_build,
    &cli_cmd_up,
    &cli_cmd_deploy,
    &cli_cmd_run,
    &cli_cmd_compile,
    &cli_cmd_serve,
    &cli_cmd_store,
    &cli_cmd_validate,
    &cli_cmd_wast,
    &cli_cmd_keys,
    &cli_cmd_push,
    &cli_cmd_pull,
    &cli_cmd_search,
    &cli_cmd_info,
    &cli_cmd_yank,
};

enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

/* Help topics that are not commands: `corral help TOPIC`. */
static const struct {
    const char *name, *summary, *text;
} topics[] = {
    {"manifest", "corral.toml, the app manifest, key by key", manifest_help},
};

enum { NTOPICS = sizeof topics / sizeof topics[0] };

static const CliCommand *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i]->name, name))
            return commands[i];
    return NULL;
}

static void print_usage(FILE *out)
{
    fputs("usage: corral <command> [options] [args...]\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fputs("  help       Show the help of a command: corral help <command>\n", out);
    for (size_t i = 0; i < NTOPICS; i++)
        fprintf(out, "  help %s  %s\n", topics[i].name, topics[i].summary);
    fputs(
          "\n"
          "Options:\n"
          "  -h, --help     Show this help\n"
          "  -V, --version  Show the version\n",
          out);
}

/* `corral help [COMMAND]` */
static int help_main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "--commands")) { /* for the completion script: names, one a line */
        for (size_t i = 0; i < NCOMMANDS; i++)
            printf("%s\n", commands[i]->name);
        printf("help\n");
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < NTOPICS; i++)
        if (!strcmp(argv[1], topics[i].name)) {
            cli_print(topics[i].text);
            return CLI_EXIT_OK;
        }
    const CliCommand *cmd = find_command(argv[1]);
    if (!cmd) {
        cli_error("unknown command '%s'; see 'corral --help'", argv[1]);
        return CLI_EXIT_USAGE;
    }
    cli_print(cmd->usage);
    return CLI_EXIT_OK;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (cli_is_help(name)) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(name, "-V") || !strcmp(name, "--version")) {
        printf("corral %s\n", CORRAL_CLI_VERSION);
        return CLI_EXIT_OK;
    }
    if (!strcmp(name, "help"))
        return help_main(argc - 1, argv + 1);
    const CliCommand *cmd = find_command(name);
    if (!cmd) {
        if (name[0] == '-')
            cli_error("unknown option '%s'; see 'corral --help'", name);
        else
            cli_error("unknown command '%s'; see 'corral --help'", name);
        return CLI_EXIT_USAGE;
    }
    return cmd->main(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
    cli_guard_std_fds();
    int status = dispatch(argc, argv);
    tier_shutdown(); /* no compiler outlives corral, no temporary files either */
    return cli_finish(status);
}
