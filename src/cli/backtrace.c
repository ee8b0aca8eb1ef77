/* backtrace.c: trap reports (cli.h): the trap line, and a backtrace that stays readable when
 * the stack is 10,000 frames of one recursion. Frames show the export name of their function
 * where it has one. corral.h tells a frame's function index and an export's name, but not
 * which function index an export names, so that link is read from the module's bytes: the
 * export section only, cross-checked against corral_module_export, and dropped on any doubt.
 * If corral.h gains the index (an `index` in corral_extern_desc_t), the reader goes. */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- function export names ---- */

typedef struct Reader {
    const uint8_t *p, *end;
} Reader;

static bool read_byte(Reader *r, uint8_t *out)
{
    if (r->p == r->end)
        return false;
    *out = *r->p++;
    return true;
}

/* An unsigned LEB128 of at most 32 bits. */
static bool read_u32(Reader *r, uint32_t *out)
{
    uint64_t v = 0;
    uint8_t b = 0x80;
    for (int shift = 0; shift < 35; shift += 7) {
        if (!read_byte(r, &b))
            return false;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    *out = (uint32_t)v;
    return !(b & 0x80) && v <= UINT32_MAX;
}

/* Narrows r to the contents of the export section (id 7); false when there is none. */
static bool find_export_section(Reader *r)
{
    if (r->end - r->p < 8 || memcmp(r->p, "\0asm", 4) != 0)
        return false;
    r->p += 8;
    uint8_t id;
    uint32_t size;
    while (read_byte(r, &id) && read_u32(r, &size) && size <= (size_t)(r->end - r->p)) {
        if (id == 7) {
            r->end = r->p + size;
            return true;
        }
        r->p += size;
    }
    return false;
}

/* Reads export i from r and checks it is the one module describes; adds it to out when it
 * is a function. */
static bool read_export(Reader *r, const corral_module_t *module, size_t i, CliFuncNames *out)
{
    uint32_t name_len, index;
    uint8_t kind;
    if (!read_u32(r, &name_len) || name_len > (size_t)(r->end - r->p))
        return false;
    const uint8_t *name = r->p;
    r->p += name_len;
    if (!read_byte(r, &kind) || !read_u32(r, &index))
        return false;
    corral_extern_desc_t d;
    corral_module_export(module, i, &d);
    if (d.name_len != name_len || memcmp(d.name, name, name_len) != 0 || (uint8_t)d.kind != kind)
        return false;
    if (d.kind == CORRAL_EXTERN_FUNC)
        out->v[out->n++] = (CliFuncName){index, d.name, d.name_len};
    return true;
}

void cli_func_names_init(CliFuncNames *out, const corral_module_t *module, const uint8_t *bytes,
                         size_t len)
{
    Reader r = {bytes, bytes + len};
    uint32_t count;
    *out = (CliFuncNames){NULL, 0};
    if (!find_export_section(&r) || !read_u32(&r, &count) ||
        count != corral_module_export_count(module) || count == 0)
        return;
    out->v = calloc(count, sizeof *out->v);
    for (size_t i = 0; out->v && i < count; i++)
        if (!read_export(&r, module, i, out)) {
            cli_func_names_free(out);
            return;
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
        size_t len = strlen(buf), shown = fn->name_len < NAME_MAX_SHOWN ? fn->name_len
                                                                        : NAME_MAX_SHOWN;
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

static void print_entry(const corral_trap_t *trap, size_t i, size_t len,
                        const CliFuncNames *names)
{
    char frame[4 * NAME_MAX_SHOWN + 64];
    describe_frame(frame_at(trap, i), names, frame, sizeof frame);
    fprintf(stderr, "  %zu: %s\n", i, frame);
    if (len > 1)
        fprintf(stderr, "  ... %s repeated %zu more times\n", frame, len - 1);
}

void cli_print_trap(const corral_trap_t *trap, const char *instantiating,
                    const CliFuncNames *names)
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
