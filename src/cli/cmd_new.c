/* cmd_new.c: `corral new TEMPLATE NAME` and `corral templates`: a project made from one of
 * the templates the binary carries (templates.h), written into a temporary directory beside
 * the target and renamed into place, so a failure leaves nothing half-written. */
#include "cli.h"
#include "cli/templates.h"
#include "util/strf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char new_usage[] =
    "usage: corral new TEMPLATE NAME [-o DIR]\n"
    "\n"
    "Makes a new app, NAME, from TEMPLATE (`corral templates` lists them) in the directory\n"
    "NAME (or DIR): a corral.toml manifest and the sources, ready for `corral build` and\n"
    "`corral up` with no edits. NAME may hold letters, digits, '-' and '_', and starts with\n"
    "a letter. An existing directory is never written into.\n"
    "\n"
    "Options:\n"
    "  -o, --output DIR  Make the app in DIR instead of ./NAME\n"
    "  -h, --help        Show this help\n"
    "\n"
    "Exit status: 0 when made, 1 when the directory exists or cannot be written, 2 on a\n"
    "usage error.\n";

static const char templates_usage[] =
    "usage: corral templates\n"
    "\n"
    "Lists the templates `corral new TEMPLATE NAME` makes apps from, with what each is.\n";

/* The template's description: the description line of its corral.toml. */
static void describe(const char *tmpl, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", "");
    for (size_t i = 0; i < template_nfiles; i++) {
        if (strcmp(template_files[i].tmpl, tmpl) || strcmp(template_files[i].path, "corral.toml"))
            continue;
        const char *d = strstr(template_files[i].text, "\ndescription = \"");
        if (d) {
            d += strlen("\ndescription = \"");
            size_t n = strcspn(d, "\"\n");
            snprintf(buf, cap, "%.*s", (int)n, d);
        }
    }
}

static bool template_exists(const char *tmpl)
{
    for (size_t i = 0; i < template_nfiles; i++)
        if (!strcmp(template_files[i].tmpl, tmpl))
            return true;
    return false;
}

static void list_templates(FILE *out)
{
    for (size_t i = 0; i < template_nfiles; i++) {
        if (i > 0 && !strcmp(template_files[i - 1].tmpl, template_files[i].tmpl))
            continue;
        char d[200];
        describe(template_files[i].tmpl, d, sizeof d);
        fprintf(out, "  %-14s %s\n", template_files[i].tmpl, d);
    }
}

static int templates_main(int argc, char **argv)
{
    if (argc > 1 && cli_is_help(argv[1])) {
        cli_print(templates_usage);
        return CLI_EXIT_OK;
    }
    if (argc > 1) {
        cli_error("templates: unexpected argument '%s'", argv[1]);
        return CLI_EXIT_USAGE;
    }
    printf("Templates (corral new TEMPLATE NAME):\n");
    list_templates(stdout);
    return CLI_EXIT_OK;
}

static bool valid_name(const char *s)
{
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) || strlen(s) > 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

/* text with {{name}} and {{crate}} replaced; owned. */
static char *expand(const char *text, const char *name)
{
    char crate[80];
    snprintf(crate, sizeof crate, "%s", name);
    for (char *p = crate; *p; p++)
        if (*p == '-')
            *p = '_';
    size_t cap = strlen(text) + 1, len = 0;
    for (const char *p = text; (p = strstr(p, "{{")); p += 2)
        cap += 80;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (const char *p = text; *p;) {
        const char *with = NULL;
        size_t skip = 0;
        if (!strncmp(p, "{{name}}", 8))
            with = name, skip = 8;
        else if (!strncmp(p, "{{crate}}", 9))
            with = crate, skip = 9;
        if (with) {
            memcpy(out + len, with, strlen(with));
            len += strlen(with);
            p += skip;
        } else {
            out[len++] = *p++;
        }
    }
    out[len] = '\0';
    return out;
}

static int write_file(const char *root, const char *rel, const char *text)
{
    char *path = strf("%s/%s", root, rel);
    if (!path)
        return -1;
    for (char *s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            free(path);
            return -1;
        }
        *s = '/';
    }
    FILE *f = fopen(path, "wx");
    free(path);
    if (!f)
        return -1;
    bool ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* Removes the tree at path (what this command made: directories and regular files). */
static void remove_tree(const char *path)
{
    char *cmd = strf("rm -rf -- '%s'", path);
    if (cmd && strchr(path, '\'') == NULL && system(cmd) != 0)
        fprintf(stderr, "corral: new: could not remove %s\n", path);
    free(cmd);
}

static int make_app(const char *tmpl, const char *name, const char *dir)
{
    struct stat sb;
    if (lstat(dir, &sb) == 0) {
        cli_error("new: %s exists already: choose another NAME, or -o DIR", dir);
        return CLI_EXIT_FAIL;
    }
    char *tmp = strf("%s.new-XXXXXX", dir);
    if (!tmp || !mkdtemp(tmp)) {
        cli_error("new: cannot create %s: %s", dir, strerror(errno));
        free(tmp);
        return CLI_EXIT_FAIL;
    }
    int r = 0;
    for (size_t i = 0; i < template_nfiles && r == 0; i++) {
        if (strcmp(template_files[i].tmpl, tmpl))
            continue;
        char *text = expand(template_files[i].text, name);
        if (!text || write_file(tmp, template_files[i].path, text) != 0) {
            cli_error("new: cannot write %s/%s: %s", dir, template_files[i].path,
                      text ? strerror(errno) : "out of memory");
            r = CLI_EXIT_FAIL;
        }
        free(text);
    }
    if (r == 0 && rename(tmp, dir) != 0) {
        cli_error("new: cannot create %s: %s", dir, strerror(errno));
        r = CLI_EXIT_FAIL;
    }
    if (r != 0)
        remove_tree(tmp);
    free(tmp);
    return r;
}

static int new_main(int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL}, *out = NULL;
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_print(new_usage);
            return CLI_EXIT_OK;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (++i >= argc) {
                cli_error("new: %s needs a directory", a);
                return CLI_EXIT_USAGE;
            }
            out = argv[i];
        } else if (!strncmp(a, "--output=", 9)) {
            out = a + 9;
        } else if (a[0] == '-') {
            cli_error("new: unknown option '%s'; see 'corral new --help'", a);
            return CLI_EXIT_USAGE;
        } else if (npos == 2) {
            cli_error("new: unexpected argument '%s'; usage: corral new TEMPLATE NAME", a);
            return CLI_EXIT_USAGE;
        } else {
            pos[npos++] = a;
        }
    }
    if (npos < 2) {
        cli_error("new: %s; usage: corral new TEMPLATE NAME (templates: corral templates)",
                  npos ? "the app needs a NAME" : "a TEMPLATE and a NAME are needed");
        return CLI_EXIT_USAGE;
    }
    if (!template_exists(pos[0])) {
        cli_error("new: no template '%s'; the templates are:", pos[0]);
        list_templates(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!valid_name(pos[1])) {
        cli_error("new: '%s' cannot name an app: use letters, digits, '-' and '_', starting with "
                  "a letter",
                  pos[1]);
        return CLI_EXIT_USAGE;
    }
    const char *dir = out ? out : pos[1];
    int r = make_app(pos[0], pos[1], dir);
    if (r == 0)
        printf("Created %s from template %s in %s/\nNext: cd %s && corral up\n", pos[1], pos[0],
               dir, dir);
    return r;
}

const CliCommand cli_cmd_new = {
    .name = "new",
    .summary = "Make a new app from a template",
    .usage = new_usage,
    .main = new_main,
};

const CliCommand cli_cmd_templates = {
    .name = "templates",
    .summary = "List the templates of corral new",
    .usage = templates_usage,
    .main = templates_main,
};
