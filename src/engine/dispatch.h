/* dispatch.h: the interpreter's one configuration point: how handlers are dispatched.
 * Threaded code (computed goto, the handler word is a label address) where the compiler
 * has GNU C's labels-as-values; a switch over the Iop number otherwise, or when built with
 * -DCORRAL_SWITCH_DISPATCH. Only interp.c includes this; no other file may depend on it. */
#ifndef CORRAL_DISPATCH_H
#define CORRAL_DISPATCH_H

#if defined(__GNUC__) && !defined(CORRAL_SWITCH_DISPATCH)

#define DISPATCH_THREADED 1
/* The handler word holds the label's address. */
#define H(name) L_##name:
/* A handler kept apart from the others (GCC's cold label: its code goes to the function's
 * unlikely part), so that adding it does not move the hot ones: the SIMD handlers, which
 * otherwise shuffled the scalar handlers' addresses and cost crc32 10-15% in indirect-jump
 * prediction, though every handler compiled to the same instructions. */
#if defined(__clang__)
#define H_APART(name) L_##name:
#else
#define H_APART(name) L_##name: __attribute__((cold));
#endif
#define HANDLER_ADDR(name) &&L_##name,
#define DISPATCH() goto *(void *)(uintptr_t)(*(const uint64_t *)(const void *)ip)
#define DISPATCH_SWITCH_BEGIN
#define DISPATCH_SWITCH_END

#else

#define DISPATCH_THREADED 0
/* The handler word holds the Iop number. */
#define H(name) case IOP_##name:
#define H_APART(name) case IOP_##name:
#define HANDLER_ADDR(name)
#define DISPATCH() goto dispatch
#define DISPATCH_SWITCH_BEGIN \
    dispatch:                 \
    switch ((Iop)(*(const uint64_t *)(const void *)ip)) {
#define DISPATCH_SWITCH_END                    \
    default:                                   \
        msg = "invalid internal instruction";  \
        goto trap;                             \
        }

#endif

/* Advance past the instruction named and dispatch the next one. */
#define NEXT(name)                  \
    do {                            \
        ip += IOP_LEN_##name;       \
        DISPATCH();                 \
    } while (0)

#endif
