/* backtrace.c: trap reports (cli.h): the trap line, and a backtrace that stays readable when
 * the stack is 10,000 frames of one recursion. Frames show their function's name from the
 * module's name section (corral_module_func_name), else its first export name. */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- function names ---- */

/* The name frame i shows, or false: from the name section of the module among
 * modules[0..nmodules) the frame runs in, else the first export of its function. An empty
 * name counts as none. */
static bool frame_name(const corral_trap_t *trap, size_t i, uint32_t func,
                       const corral_module_t *const *modules, size_t nmodules,
                       const char **out_name, size_t *out_len)
{
    const corral_module_t *m = NULL;
    for (size_t k = 0; k < nmodules && !m; k++)
        if (corral_trap_frame_in_module(trap, i, modules[k]))
            m = modules[k];
    if (!m)
        return false;
    if (corral_module_func_name(m, func, out_name, out_len) && *out_len)
        return true;
    for (size_t k = 0; k < corral_module_export_count(m); k++) {
        corral_extern_desc_t d;
        corral_module_export(m, k, &d);
        if (d.kind == CORRAL_EXTERN_FUNC && d.index == func && d.name_len) {
            *out_name = d.name;
            *out_len = d.name_len;
            return true;
        }
    }
    return false;
}

/* ---- backtraces ---- */

/* More than REPEAT_MIN identical frames in a row collapse into two lines. Past
 * SHOW_HEAD + SHOW_TAIL lines (a collapsed run counting as one), the middle is left out. */
enum { REPEAT_MIN = 3, SHOW_HEAD = 20, SHOW_TAIL = 5 };

typedef struct Frame {
    uint32_t func; /* UINT32_MAX: a host function */
    size_t offset;
} Frame;

static Frame frame_at(const corral_trap_t *trap, size_t i)
{
    Frame f;
    corral_trap_frame(trap, i, &f.func, &f.offset);
    return f;
}

/* How many frames from i print as one entry: a run of identical frames longer than
 * REPEAT_MIN, else just frame i. */
static size_t entry_length(const corral_trap_t *trap, size_t i, size_t n)
{
    Frame f = frame_at(trap, i);
    size_t j = i + 1;
    while (j < n) {
        Frame g = frame_at(trap, j);
        if (g.func != f.func || g.offset != f.offset)
            break;
        j++;
    }
    return j - i > REPEAT_MIN ? j - i : 1;
}

void cli_describe_frame(const corral_trap_t *trap, size_t i, const corral_module_t *const *modules,
                        size_t nmodules, char *buf, size_t size)
{
    char off[32];
    Frame f = frame_at(trap, i);
    const char *name;
    size_t name_len;
    if (f.func == UINT32_MAX) {
        snprintf(buf, size, "<host function>");
        return;
    }
    snprintf(buf, size, "func[%" PRIu32 "]", f.func);
    if (frame_name(trap, i, f.func, modules, nmodules, &name, &name_len)) {
        size_t len = strlen(buf),
               shown = name_len < CLI_NAME_MAX_SHOWN ? name_len : CLI_NAME_MAX_SHOWN;
        len += (size_t)snprintf(buf + len, size - len, " <");
        for (size_t k = 0; k < shown && len < size; k++) {
            unsigned char c = (unsigned char)name[k];
            bool plain = c >= 0x20 && c != 0x7f && c != '\\' && c != '>';
            len += (size_t)snprintf(buf + len, size - len, plain ? "%c" : "\\%02x", c);
        }
        if (len < size)
            snprintf(buf + len, size - len, "%s>", shown < name_len ? "..." : "");
    }
    cli_format_offset(f.offset, off, sizeof off);
    size_t len = strlen(buf);
    if (len < size)
        snprintf(buf + len, size - len, " @ %s", off);
}

static void print_entry(const corral_trap_t *trap, size_t i, size_t len,
                        const corral_module_t *const *modules, size_t nmodules)
{
    char frame[CLI_FRAME_TEXT_SIZE];
    cli_describe_frame(trap, i, modules, nmodules, frame, sizeof frame);
    fprintf(stderr, "  %zu: %s\n", i, frame);
    if (len > 1)
        fprintf(stderr, "  ... %s repeated %zu more times\n", frame, len - 1);
}

void cli_print_trap(const corral_trap_t *trap, const char *instantiating,
                    const corral_module_t *const *modules, size_t nmodules)
{
    const char *msg = corral_trap_message(trap);
    msg = msg ? msg : "(no message)";
    if (instantiating)
        fprintf(stderr, "error: trap while instantiating %s: %s\n", instantiating, msg);
    else
        fprintf(stderr, "error: trap: %s\n", msg);
    size_t n = corral_trap_frame_count(trap), entries = 0, omitted = 0;
    for (size_t i = 0; i < n; i += entry_length(trap, i, n))
        entries++;
    size_t e = 0;
    for (size_t i = 0, len; i < n; i += len, e++) {
        len = entry_length(trap, i, n);
        if (entries > SHOW_HEAD + SHOW_TAIL && e >= SHOW_HEAD && e < entries - SHOW_TAIL) {
            omitted += len;
            continue;
        }
        if (omitted)
            fprintf(stderr, "  ... %zu frames omitted\n", omitted);
        omitted = 0;
        print_entry(trap, i, len, modules, nmodules);
    }
}
