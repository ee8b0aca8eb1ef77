/* w2c_entry.c: one translation unit holding a module translated by wasm2c (wabt 1.0.32) and
 * study_entry(), which instantiates it and calls its export once. Built with -DKERNEL=name
 * (module and export share the name) and -I for the directory of name.c; with -DSTUDY_WASI
 * the module's WASI imports are stubs (w2c_wasi.c), with -DSTUDY_REACTOR its _initialize
 * export runs first, with -DSTUDY_FUEL, -DSTUDY_FUELREG or -DSTUDY_INTERRUPT the module polls
 * (see below). The same unit is compiled by gcc, by
 * clang, to LLVM IR for opt/llc, and to LLVM IR for the ORC JIT (jit_run.c), so every route
 * runs the very same code. Runtime: Debian's libwasm-rt-impl.a (guard pages, signal traps). */
#include <setjmp.h>
#include <stdint.h>

#include "wasm-rt.h"

#ifndef KERNEL
#error "build with -DKERNEL=<exported function name>"
#endif

/* A module rewritten by study.sh calls STUDY_POLL() at every function entry and loop header,
 * where Corral's compiled code must check for fuel and interrupts (interp.md section 9).
 * -DSTUDY_FUEL: a fuel counter, volatile as another thread may zero it to interrupt, so this
 * is the dearest form (load, subtract, store, branch). -DSTUDY_INTERRUPT: only a flag that
 * another thread sets (load, test, branch), for code compiled without fuel. */
#ifdef STUDY_FUEL
volatile int64_t study_fuel = INT64_MAX;
#define STUDY_POLL()                                                                           \
    do {                                                                                       \
        if (UNLIKELY(--study_fuel < 0))                                                        \
            wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);                                             \
    } while (0)
#endif
/* -DSTUDY_FUELREG: the interpreter's design (interp.md 9.3) in compiled code: the counter of
 * the current slice lives in a register for the whole activation (a GCC global register
 * variable; r15 is callee-saved, so the runtime and host code preserve it), each poll is a
 * subtract and a branch, and the interrupt flag is read only when a slice runs out. */
#ifdef STUDY_FUELREG
register int64_t study_fuel __asm__("r15");
volatile int study_interrupt;
static void study_refill(void)
{
    if (study_interrupt)
        wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
    study_fuel = 10000;
}
#define STUDY_POLL()                                                                           \
    do {                                                                                       \
        if (UNLIKELY(--study_fuel < 0))                                                        \
            study_refill();                                                                    \
    } while (0)
#define STUDY_START() (study_fuel = 10000)
#endif
#ifndef STUDY_START
#define STUDY_START() ((void)0)
#endif
#ifdef STUDY_INTERRUPT
volatile int study_interrupt;
#define STUDY_POLL()                                                                           \
    do {                                                                                       \
        if (UNLIKELY(study_interrupt))                                                         \
            wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);                                             \
    } while (0)
#endif

#define STR2(x) #x
#define STR(x) STR2(x)
#include STR(KERNEL.c)

/* wasm2c 1.0.32's names: module "fib" gives Z_fib_instance_t and the export Z_fibZ_fib. */
#define CAT3(a, b, c) a##b##c
#define CAT4(a, b, c, d) a##b##c##d
#define INSTANCE_T(k) CAT3(Z_, k, _instance_t)
#define INIT_MODULE(k) CAT3(Z_, k, _init_module)
#define INSTANTIATE(k) CAT3(Z_, k, _instantiate)
#define FREE(k) CAT3(Z_, k, _free)
#define EXPORT(k, name) CAT4(Z_, k, Z_, name)

#ifdef STUDY_WASI
#include "w2c_wasi.c"
#define IMPORT_ARGS , NULL
#else
#define IMPORT_ARGS
#endif

/* A module built with -mexec-model=reactor exports _initialize (static constructors). */
#ifdef STUDY_REACTOR
#define INITIALIZE(inst) EXPORT(KERNEL, _initialize)(inst)
#else
#define INITIALIZE(inst) ((void)(inst))
#endif

/* Defined by libwasm-rt-impl.a, where wasm_rt_trap() jumps; 1.0.32's header omits it. */
extern jmp_buf wasm_rt_jmp_buf;

int study_entry(int32_t arg, int32_t *out_result);

/* study_entry: runs KERNEL(arg) in a fresh instance; returns 0 and the result, or the
 * wasm_rt_trap_t of a trap. */
int study_entry(int32_t arg, int32_t *out_result)
{
    static INSTANCE_T(KERNEL) inst;
    int trap;

    wasm_rt_init();
    INIT_MODULE(KERNEL)();
    INSTANTIATE(KERNEL)(&inst IMPORT_ARGS);
    trap = wasm_rt_try(wasm_rt_jmp_buf);
    if (trap != WASM_RT_TRAP_NONE)
        return trap;
    STUDY_START();
    INITIALIZE(&inst);
    *out_result = (int32_t)EXPORT(KERNEL, KERNEL)(&inst, (u32)arg);
    FREE(KERNEL)(&inst);
    wasm_rt_free();
    return 0;
}
