/* backtrace.c: trap reports (cli.h): the trap line, and a backtrace that stays readable when
 * the stack is 10,000 frames of one recursion. Frames show the export name of their function
 * where it has one (from corral_module_export). */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- function export names ---- */

void cli_func_names_init(CliFuncNames *out, const corral_module_t *module)
{
    size_t count = corral_module_export_count(module);
    *out = (CliFuncNames){NULL, 0};
    out->v = count ? calloc(count, sizeof *out->v) : NULL;
    for (size_t i = 0; out->v && i < count; i++) {
        corral_extern_desc_t d;
        corral_module_export(module, i, &d);
        if (d.kind == CORRAL_EXTERN_FUNC)
            out->v[out->n++] = (CliFuncName){d.index, d.name, d.name_len};
    }
}

void cli_func_names_free(CliFuncNames *names)
{
    free(names->v);
    *names = (CliFuncNames){NULL, 0};
}

/* The first export name of func, or NULL. */
static const CliFuncName *func_name(const CliFuncNames *names, uint32_t func)
{
    for (size_t i = 0; names && i < names->n; i++)
        if (names->v[i].func == func)
            return &names->v[i];
    return NULL;
}

/* ---- backtraces ---- */

/* More than REPEAT_MIN identical frames in a row collapse into two lines. Past
 * SHOW_HEAD + SHOW_TAIL lines (a collapsed run counting as one), the middle is left out. */
enum { REPEAT_MIN = 3, SHOW_HEAD = 20, SHOW_TAIL = 5, NAME_MAX_SHOWN = 64 };

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

/* "func[3] <recurse> @ 0x000072": the name escaped and cut short so it cannot garble or
 * flood the report. */
static void describe_frame(Frame f, const CliFuncNames *names, char *buf, size_t size)
{
    char off[32];
    const CliFuncName *fn = func_name(names, f.func);
    if (f.func == UINT32_MAX) {
        snprintf(buf, size, "<host function>");
        return;
    }
    snprintf(buf, size, "func[%" PRIu32 "]", f.func);
    if (fn) {
        size_t len = strlen(buf),
               shown = fn->name_len < NAME_MAX_SHOWN ? fn->name_len : NAME_MAX_SHOWN;
        len += (size_t)snprintf(buf + len, size - len, " <");
        for (size_t i = 0; i < shown && len < size; i++) {
            unsigned char c = (unsigned char)fn->name[i];
            bool plain = c >= 0x20 && c != 0x7f && c != '\\' && c != '>';
            len += (size_t)snprintf(buf + len, size - len, plain ? "%c" : "\\%02x", c);
        }
        if (len < size)
            snprintf(buf + len, size - len, "%s>", shown < fn->name_len ? "..." : "");
    }
    cli_format_offset(f.offset, off, sizeof off);
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, " @ %s", off);
}

static void print_entry(const corral_trap_t *trap, size_t i, size_t len, const CliFuncNames *names)
{
    char frame[4 * NAME_MAX_SHOWN + 64];
    describe_frame(frame_at(trap, i), names, frame, sizeof frame);
    fprintf(stderr, "  %zu: %s\n", i, frame);
    if (len > 1)
        fprintf(stderr, "  ... %s repeated %zu more times\n", frame, len - 1);
}

void cli_print_trap(const corral_trap_t *trap, const char *instantiating, const CliFuncNames *names)
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
        print_entry(trap, i, len, names);
    }
}
