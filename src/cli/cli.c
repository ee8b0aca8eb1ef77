/* cli.c: the plumbing every subcommand shares (cli.h): error lines, the standard streams and
 * their write errors, and reading whole inputs. Values live in value_text.c, trap reports in
 * backtrace.c. Nothing here knows about a particular subcommand. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fstat, fileno, fcntl */
#endif

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("corral: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bool cli_parse_features(const char *cmd, const char *list, uint32_t *features)
{
    const char *msg = corral_features_parse(list, features);
    if (msg)
        cli_error("%s: --wasm-features: %s", cmd, msg);
    return msg == NULL;
}

int cli_features_option(const char *cmd, int argc, char **argv, int *i, uint32_t *features)
{
    const char *a = argv[*i];
    if (strncmp(a, "--wasm-features", 15) || (a[15] != '=' && a[15] != '\0'))
        return 0;
    const char *v = a[15] == '=' ? a + 16 : *i + 1 < argc ? argv[++*i] : NULL;
    if (!v) {
        cli_error("%s: --wasm-features needs a value; see 'corral %s --help'", cmd, cmd);
        return -(CLI_EXIT_USAGE + 1);
    }
    return cli_parse_features(cmd, v, features) ? 1 : -(CLI_EXIT_USAGE + 1);
}

bool cli_is_help(const char *arg)
{
    return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

/* ---- the standard streams ---- */

void cli_guard_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        /* The lowest free descriptor is fd itself: the lower ones are open by now. */
        int got = open("/dev/null", O_RDONLY);
        if (got >= 0 && got != fd)
            close(got);
    }
}

/* The errno of the first failed cli_print, for cli_finish. */
static int print_errno;

void cli_print(const char *text)
{
    errno = 0;
    if (fputs(text, stdout) == EOF && !print_errno)
        print_errno = errno;
}

int cli_finish(int status)
{
    errno = 0;
    bool out_failed = fflush(stdout) != 0 || ferror(stdout);
    int err = errno ? errno : print_errno;
    if (out_failed) {
        /* After an earlier failed write, the final flush can succeed with nothing left to
         * write; the reason is then lost, and the line says only what is known. */
        if (err)
            cli_error("write error: %s", strerror(err));
        else
            cli_error("write error");
    }
    if ((out_failed || ferror(stderr)) && status == CLI_EXIT_OK)
        return CLI_EXIT_FAIL;
    return status;
}

/* ---- files ---- */

const char *cli_display_name(const char *path)
{
    return strcmp(path, "-") ? path : "<stdin>";
}

/* Reads the rest of f into a growing buffer, for inputs whose size stat cannot tell (pipes,
 * devices) as well as files. Reads one byte past CLI_MAX_INPUT to tell "exactly the limit"
 * from "more". Returns false with errno set, or with *out_too_big. */
/* Reads f to its end into one buffer. size_hint (a regular file's size, else 0) sizes the
 * buffer at once, so a big module is read straight into place, without a realloc copy. */
static bool read_all(FILE *f, size_t size_hint, uint8_t **out_bytes, size_t *out_len,
                     bool *out_too_big)
{
    size_t cap = size_hint ? size_hint + 1 : (size_t)1 << 16, len = 0;
    uint8_t *buf = malloc(cap); /* malloc sets errno when it fails */
    *out_too_big = false;
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) { /* end of file or a read error */
            if (ferror(f))
                break;
            *out_bytes = buf;
            *out_len = len;
            return true;
        }
        if (len > CLI_MAX_INPUT) {
            *out_too_big = true;
            break;
        }
        size_t bigger_cap = cap * 2 > CLI_MAX_INPUT ? CLI_MAX_INPUT + 1 : cap * 2;
        uint8_t *bigger = realloc(buf, bigger_cap);
        if (!bigger) {
            errno = ENOMEM;
            break;
        }
        buf = bigger;
        cap = bigger_cap;
    }
    free(buf);
    return false;
}

void cli_free_bytes(void *arg, const uint8_t *bytes, size_t len)
{
    (void)arg;
    (void)len;
    free((void *)bytes);
}

/* A regular file's size, to read it in one go; 0 when unknown. */
static size_t size_hint(FILE *f)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uintmax_t)st.st_size > CLI_MAX_INPUT)
        return 0;
    return (size_t)st.st_size;
}

/* Refuses what cannot be a module before reading it: a directory, or a file that stat
 * already shows is too big. Returns the reason or NULL. */
static const char *refuse_input(FILE *f)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0)
        return strerror(errno);
    if (S_ISDIR(st.st_mode))
        return "is a directory";
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > CLI_MAX_INPUT)
        return "larger than " CLI_MAX_INPUT_TEXT ", the most Corral reads";
    return NULL;
}

bool cli_read_file(const char *path, uint8_t **out_bytes, size_t *out_len)
{
    const char *name = cli_display_name(path);
    bool is_stdin = !strcmp(path, "-");
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        cli_error("%s: %s", name, strerror(errno));
        return false;
    }
    const char *why = refuse_input(f);
    bool too_big = false, ok = false;
    if (!why) {
        errno = 0;
        ok = read_all(f, size_hint(f), out_bytes, out_len, &too_big);
        if (too_big)
            why = "larger than " CLI_MAX_INPUT_TEXT ", the most Corral reads";
        else if (!ok)
            why = errno ? strerror(errno) : "read error";
    }
    if (why)
        cli_error("%s: %s", name, why);
    if (!is_stdin)
        fclose(f);
    return ok;
}

/* ---- the text format, given by mistake ---- */

/* Skips blanks and the text format's comments; returns where something else starts. */
static size_t skip_blanks_and_comments(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
            i++;
        } else if (i + 1 < len && s[i] == ';' && s[i + 1] == ';') {
            while (i < len && s[i] != '\n')
                i++;
        } else if (i + 1 < len && s[i] == '(' && s[i + 1] == ';') {
            /* block comments nest */
            int depth = 0;
            do {
                if (i + 1 < len && s[i] == '(' && s[i + 1] == ';')
                    depth++, i += 2;
                else if (i + 1 < len && s[i] == ';' && s[i + 1] == ')')
                    depth--, i += 2;
                else
                    i++;
            } while (depth > 0 && i < len);
        } else {
            break;
        }
    }
    return i;
}

bool cli_looks_like_text(const uint8_t *bytes, size_t len)
{
    if (len == 0 || (len >= 4 && !memcmp(bytes, "\0asm", 4)))
        return false;
    size_t i = skip_blanks_and_comments(bytes, len);
    return i == len || bytes[i] == '(';
}
