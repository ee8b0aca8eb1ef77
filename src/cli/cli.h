/* cli.h: what the subcommands of the `corral` tool share: the command table entry, exit
 * statuses, reading a whole module or script, parsing and printing values as the command line
 * spells them, and trap reports. The CLI sees the engine through corral.h only, never its
 * internals. */
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

/* The most cli_read_file reads: a module or script past this is refused, not truncated. */
#define CLI_MAX_INPUT ((size_t)1 << 30)
#define CLI_MAX_INPUT_TEXT "1 GiB"

/* One subcommand. main gets argv with argv[0] = the command's name; usage is the complete
 * text `corral help NAME` and `corral NAME --help` print. */
typedef struct CliCommand {
    const char *name;
    const char *summary; /* one line for `corral --help` */
    const char *usage;
    int (*main)(int argc, char **argv);
} CliCommand;

extern const CliCommand cli_cmd_push;
extern const CliCommand cli_cmd_pull;
extern const CliCommand cli_cmd_yank;
extern const CliCommand cli_cmd_search;
extern const CliCommand cli_cmd_info;
extern const CliCommand cli_cmd_run;
extern const CliCommand cli_cmd_compile;
extern const CliCommand cli_cmd_serve;
extern const CliCommand cli_cmd_store;
extern const CliCommand cli_cmd_validate;
extern const CliCommand cli_cmd_wast;
extern const CliCommand cli_cmd_keys;
extern const CliCommand cli_cmd_new;
extern const CliCommand cli_cmd_templates;
extern const CliCommand cli_cmd_build;
extern const CliCommand cli_cmd_up;
extern const CliCommand cli_cmd_deploy;

/* Prints "corral: <message>" and a newline to stderr. */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);

/* True for "-h" and "--help". */
bool cli_is_help(const char *arg);

/* Makes sure file descriptors 0, 1 and 2 are open, so that no file the CLI opens lands on
 * one of them: a closed one is filled with /dev/null opened read-only, so reads see end of
 * file and writes fail (EBADF), which cli_finish then reports. Call first thing in main. */
void cli_guard_std_fds(void);

/* Prints text on stdout, remembering why the write failed if it did: a text longer than
 * stdout's buffer (a command's help) is written out during the call, and its error would
 * otherwise be lost by the time cli_finish flushes. */
void cli_print(const char *text);

/* Flushes stdout and checks stdout and stderr for write errors. On one, prints
 * "corral: write error: REASON" (stdout only; stderr cannot carry it) and returns
 * CLI_EXIT_FAIL if status was CLI_EXIT_OK; a failing status is kept, being more specific.
 * Otherwise returns status. main returns through this for every command. */
int cli_finish(int status);

/* The name messages use for a module or script path: "<stdin>" for "-", else path. */
const char *cli_display_name(const char *path);

/* Reads a whole module or script into an owned buffer (free() it; never NULL on success,
 * even when empty). path "-" is standard input; pipes, FIFOs and devices are read to end of
 * file. Directories and inputs over CLI_MAX_INPUT bytes are refused. On failure prints one
 * line "corral: NAME: reason" to stderr and returns false. */
bool cli_read_file(const char *path, uint8_t **out_bytes, size_t *out_len);
/* A corral_release_fn for bytes from cli_read_file. */
void cli_free_bytes(void *arg, const uint8_t *bytes, size_t len);

/* True when bytes are not a binary module but look like the text format: after blanks and
 * ;; or (; ;) comments comes "(" or the end. The caller says so instead of "magic header not
 * detected", which would leave a user guessing. */
bool cli_looks_like_text(const uint8_t *bytes, size_t len);

/* The message cli_looks_like_text calls for, without the file name. */
#define CLI_TEXT_FORMAT_MESSAGE                                                                    \
    "this looks like the WebAssembly text format; compile it with wat2wasm first (Corral "         \
    "reads binary modules)"

/* Parses text as a value of kind: i32/i64 in decimal or 0x hex, optionally signed, up to
 * the unsigned maximum; f32/f64 in decimal or hex float notation, rounded to nearest (a
 * nonzero number too small rounds to 0 or a subnormal and is accepted; one too big for the
 * type is an error, not infinity), plus inf, infinity, nan and nan:0xPAYLOAD, optionally
 * signed. Letters are case-insensitive throughout (0X1F, 1E5, INF, NaN:0X1). References only
 * as "null". On failure returns false and sets *out_err to a static reason. */
bool cli_parse_val(corral_valkind_t kind, const char *text, corral_val_t *out,
                   const char **out_err);

/* Longest text cli_format_val writes, NUL included ("-0.0000012345678901234567",
 * "externref:0x" plus 16 digits and a v128's 49 characters are the long ones). */
#define CLI_VAL_TEXT_SIZE 64

/* Formats v into buf (always NUL-terminated): i32/i64 as signed decimal; floats as the
 * shortest decimal that reads back to the same bits, laid out as JavaScript does (plain
 * notation from 1e-6 up to below 1e21: 1500, 0.000001; exponent form outside: 1e+21,
 * 1e-7), and nan, -nan, nan:0xPAYLOAD, inf, -inf; null references as "null"; a v128 as the
 * text format's i32x4 constant, "i32x4 0x00000001 0x00000002 0x00000003 0x00000004". */
void cli_format_val(const corral_val_t *v, char *buf, size_t size);

/* Formats a byte offset the way every Corral message shows it: 0x%06zx. */
void cli_format_offset(size_t offset, char *buf, size_t size);

/* Function names in trap reports are cut after this many bytes (then "..."), so a hostile
 * or mangled name cannot flood the report; each byte may print as 4 ("\hh"). */
#define CLI_NAME_MAX_SHOWN 160
/* Room for one frame's text, NUL included. */
#define CLI_FRAME_TEXT_SIZE (4 * CLI_NAME_MAX_SHOWN + 64)

/* Writes frame i of trap into buf (NUL-terminated, cut to size; CLI_FRAME_TEXT_SIZE always
 * fits): "func[I] <NAME> @ 0xOFFSET", or "func[I] @ 0xOFFSET" without a name, or "<host
 * function>". NAME comes from the module among modules[0..nmodules) whose code the frame is
 * (corral_trap_frame_in_module): its name section's name for the function, else the
 * function's first export name. Control bytes, DEL, '\' and '>' in it print as \hh. */
void cli_describe_frame(const corral_trap_t *trap, size_t i, const corral_module_t *const *modules,
                        size_t nmodules, char *buf, size_t size);

/* Prints a trap to stderr: "error: trap: MESSAGE", or "error: trap while instantiating FILE:
 * MESSAGE" when instantiating is a file name, then the backtrace innermost first, one line a
 * frame: "  N: " and the frame as cli_describe_frame writes it, named from modules. More
 * than 3 identical frames in a row print as the first of them and "  ... FRAME repeated K
 * more times"; past 25 such lines only the first 20 and the last 5 print, with "  ... K
 * frames omitted" between. */
void cli_print_trap(const corral_trap_t *trap, const char *instantiating,
                    const corral_module_t *const *modules, size_t nmodules);

/* Parses a decimal count (digits only, up to UINT64_MAX). */
bool cli_parse_count(const char *text, uint64_t *out);
/* --wasm-features LIST for command cmd: applies LIST to *features (corral_features_parse);
 * false after reporting a bad list. */
bool cli_parse_features(const char *cmd, const char *list, uint32_t *features);
/* argv[*i] as --wasm-features LIST or --wasm-features=LIST for command cmd (its value may be
 * argv[*i + 1], then *i moves past it): 0 when argv[*i] is another argument, 1 when taken,
 * -(exit status + 1) after reporting a missing value or a bad list. */
int cli_features_option(const char *cmd, int argc, char **argv, int *i, uint32_t *features);
/* The option's help text, for a command's usage. */
#define CLI_FEATURES_HELP                                                                    \
    "  --wasm-features LIST  WebAssembly features, comma-separated: 3.0 (default), 2.0, or\n" \
    "                        a feature (tail-call, multi-memory, ...); -NAME switches one\n" \
    "                        off (\"3.0,-gc\")\n"

/* Parses a duration: a decimal number (fraction allowed) and a unit, ns, us, ms, s, m or h;
 * a bare number is seconds. "500ms", "2s", "1.5m". false for anything else or an overflow. */
bool cli_parse_duration(const char *text, uint64_t *out_ns);

/* Parses a byte size: digits and an optional binary suffix, case-insensitive: B, K or KiB
 * (1024), M or MiB, G or GiB. "65536", "64K", "16MiB". false for anything else or an
 * overflow. */
bool cli_parse_size(const char *text, uint64_t *out_bytes);

/* CLOCK_MONOTONIC now, in nanoseconds (the clock timers and WASI deadlines use). */
uint64_t cli_now_ns(void);

/* A one-shot timer that interrupts a store (CORRAL_INTERRUPT_DEADLINE) when it expires. */
typedef struct CliTimer CliTimer;
/* Starts one expiring ns from now; NULL when no thread can be started. */
CliTimer *cli_timer_start(corral_store_t *store, uint64_t ns);
/* Stops it (if it has not fired) and waits for its thread. NULL is allowed. */
void cli_timer_stop(CliTimer *t);

/* SIGINT and SIGTERM for a command that serves until stopped (cli_signals.c). Called before
 * the command starts any thread: blocks both in the calling thread (every thread started
 * later inherits the mask, so none dies of them), ignores SIGPIPE, and starts the one thread
 * that takes them. Until cli_signals_ready, either ends the process as its default action
 * would (a long start-up stays interruptible). Returns 0, or -1 with errno set. */
int cli_signals_start(void);
/* The command is ready: from now on a signal is handed to cli_signals_wait. */
void cli_signals_ready(void);
/* Waits for SIGINT or SIGTERM after cli_signals_ready and returns it; 0 when timeout_ns
 * (0: no limit) passes first. Once one came, returns it at once. */
int cli_signals_wait(uint64_t timeout_ns);

#endif
