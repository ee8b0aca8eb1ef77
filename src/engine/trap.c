/* trap.c: trap objects: a message in the spec's words plus a backtrace, or an exit request
 * (WASI's proc_exit) with its status. Traps are plain heap objects owned by whoever receives
 * them (corral_trap_delete). */
#include "runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Trap *trap_new(const char *msg)
{
    Trap *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->msg = strdup(msg ? msg : "trap");
    if (!t->msg) {
        free(t);
        return NULL;
    }
    return t;
}

void trap_push_frame(Trap *t, const Module *module, uint32_t func, size_t offset)
{
    if (!t)
        return;
    if (t->nframes == t->capframes) {
        size_t cap = t->capframes ? t->capframes * 2 : 16;
        TrapFrame *f = realloc(t->frames, cap * sizeof *f);
        if (!f)
            return; /* the backtrace is best effort; the message stays */
        t->frames = f;
        t->capframes = cap;
    }
    t->frames[t->nframes] = (TrapFrame){module, func, offset};
    t->nframes++;
}

corral_trap_t *corral_trap_new(const char *message) { return trap_new(message); }

/* An exit request travels like any trap returned by a host function, but the interpreter
 * adds no backtrace to it (see add_frames in interp.c): it is not an error. */
corral_trap_t *corral_trap_new_exit(int32_t status)
{
    char msg[32];
    snprintf(msg, sizeof msg, "exit with status %d", (int)status);
    Trap *t = trap_new(msg);
    if (t) {
        t->is_exit = true;
        t->exit_status = status;
    }
    return t;
}

Trap *trap_new_exception(Exn *exn)
{
    Trap *t = trap_new("uncaught exception");
    if (t)
        t->exn = exn;
    return t;
}

bool corral_trap_is_exception(const corral_trap_t *trap) { return trap && trap->exn; }

bool corral_trap_exit_status(const corral_trap_t *trap, int32_t *out_status)
{
    if (!trap || !trap->is_exit)
        return false;
    if (out_status)
        *out_status = trap->exit_status;
    return true;
}

const char *corral_trap_message(const corral_trap_t *trap) { return trap->msg; }

size_t corral_trap_frame_count(const corral_trap_t *trap) { return trap->nframes; }

void corral_trap_frame(const corral_trap_t *trap, size_t i, uint32_t *out_func_index,
                       size_t *out_offset)
{
    if (i >= trap->nframes) {
        *out_func_index = UINT32_MAX;
        *out_offset = SIZE_MAX;
        return;
    }
    *out_func_index = trap->frames[i].func;
    *out_offset = trap->frames[i].offset;
}

bool corral_trap_frame_in_module(const corral_trap_t *trap, size_t i, const corral_module_t *module)
{
    return i < trap->nframes && module && trap->frames[i].module == module->m;
}

void corral_trap_delete(corral_trap_t *trap)
{
    if (!trap)
        return;
    free(trap->msg);
    free(trap->frames);
    free(trap);
}
