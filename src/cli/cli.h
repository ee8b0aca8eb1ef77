/* cli.h: what the subcommands of the `corral` tool share: the command table entry, exit
 * statuses, reading a whole file, and parsing and printing values as the command line
 * spells them. The CLI sees the engine through corral.h only, never its internals. */
#ifndef CORRAL_CLI_H
#define CORRAL_CLI_H

#include "corral.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CORRAL_CLI_VERSION CORRAL_VERSION

#if defined(__GNUC__)
#define CLI_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CLI_PRINTF(fmt, args)
#endif

/* Exit statuses shared by every subcommand. 134 is what a shell reports for SIGABRT, the
 * status wasmtime also uses for a trap, so scripts can tell a trap from a usage error. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_TRAP = 134,
};

/* One subcommand. main gets argv with argv[0] = the command's name; usage is the complete
 * text `corral help NAME` and `corral NAME --help` print. */
typedef struct CliCommand {
    const char *name;
    const char *summary; /* one line for `corral --help` */
    const char *usage;
    int (*main)(int argc, char **argv);
} CliCommand;

extern const CliCommand cli_cmd_run;
extern const CliCommand cli_cmd_validate;
extern const CliCommand cli_cmd_wast;

/* Prints "corral: <message>" and a newline to stderr. */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);

/* True for "-h" and "--help". */
bool cli_is_help(const char *arg);

/* Reads the regular file at path into an owned buffer (free() it; never NULL on success,
 * even for an empty file). On failure prints one line "corral: PATH: reason" to stderr and
 * returns false. */
bool cli_read_file(const char *path, uint8_t **out_bytes, size_t *out_len);

/* Parses text as a value of kind: i32/i64 in decimal or 0x hex, optionally negative, up to
 * the unsigned maximum; f32/f64 as strtod spells them (decimal, hex float, inf, infinity)
 * plus the text format's nan and nan:0xPAYLOAD; references only as "null". On failure
 * returns false and sets *out_err to a static reason. */
bool cli_parse_val(corral_valkind_t kind, const char *text, corral_val_t *out,
                   const char **out_err);

/* Formats v into buf (always NUL-terminated): i32/i64 as signed decimal, floats as the
 * shortest decimal that reads back to the same bits, nan, -nan, nan:0xPAYLOAD, inf, -inf;
 * null references as "null". */
void cli_format_val(const corral_val_t *v, char *buf, size_t size);

/* Formats a byte offset the way every Corral message shows it: 0x%06zx. */
void cli_format_offset(size_t offset, char *buf, size_t size);

/* Prints "error: trap: MESSAGE" and the backtrace lines "  N: func[I] @ 0xOFFSET" to stderr. */
void cli_print_trap(const corral_trap_t *trap);

#endif
