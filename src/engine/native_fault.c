/* native_fault.c: faults of compiled code become Wasm traps. Compiled code made without
 * explicit checks (no CC_FLAG_BOUNDS_CHECKS) relies on two guards: every linear memory it
 * touches is guarded (memory.c reserves MEMORY_GUARD_BYTES, so an out-of-bounds access
 * lands on PROT_NONE pages), and the thread's stack ends in a guard page (the code is
 * compiled with -fstack-clash-protection, so no frame skips it). The SIGSEGV/SIGBUS handler,
 * on an alternate stack, checks that the faulting instruction is in loaded compiled code and
 * that the address is in the running instance's guard region or at the stack's end; only
 * then does it longjmp to the innermost native_enter with the trap's code. Any other fault
 * goes to the handler that was there before (by default: the crash it is).
 *
 * Must not: allocate or take locks in the handler. */
#include "runtime.h"

#include "native_abi.h"

#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <threads.h>
#include <ucontext.h>

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#define FAULTS_SUPPORTED 1
#else
#define FAULTS_SUPPORTED 0
#endif

/* ---- where compiled code is ----------------------------------------------------------- */

#define MAX_RANGES 4096
static _Atomic uintptr_t range_lo[MAX_RANGES], range_hi[MAX_RANGES];
/* 1 + the highest slot ever used: the handler and removal look no further */
static _Atomic int range_top;
static pthread_mutex_t ranges_lock = PTHREAD_MUTEX_INITIALIZER;

/* Under ranges_lock. A slot's hi is published last (release), the top after it. */
static void add_range(uintptr_t lo, uintptr_t hi)
{
    for (int i = 0; i < MAX_RANGES; i++) {
        if (atomic_load_explicit(&range_hi[i], memory_order_relaxed) == 0) {
            atomic_store_explicit(&range_lo[i], lo, memory_order_relaxed);
            atomic_store_explicit(&range_hi[i], hi, memory_order_release);
            if (i >= atomic_load_explicit(&range_top, memory_order_relaxed))
                atomic_store_explicit(&range_top, i + 1, memory_order_release);
            return;
        }
    }
}

void native_fault_code_add(uintptr_t lo, uintptr_t hi)
{
    if (lo >= hi)
        return; /* an object without code (a module without functions) */
    pthread_mutex_lock(&ranges_lock);
    add_range(lo, hi);
    pthread_mutex_unlock(&ranges_lock);
}

void native_fault_code_remove(uintptr_t lo, uintptr_t hi)
{
    if (lo >= hi)
        return;
    pthread_mutex_lock(&ranges_lock);
    int top = atomic_load_explicit(&range_top, memory_order_relaxed);
    for (int i = 0; i < top; i++) {
        uintptr_t h = atomic_load_explicit(&range_hi[i], memory_order_relaxed);
        if (h && h <= hi && atomic_load_explicit(&range_lo[i], memory_order_relaxed) >= lo)
            atomic_store_explicit(&range_hi[i], 0, memory_order_release);
    }
    pthread_mutex_unlock(&ranges_lock);
}

/* native.c's runtime services, which compiled code calls at any stack depth: each checks
 * the stack first, but its prologue may already touch the guard page. */
extern const char __start_corral_native_rt[], __stop_corral_native_rt[];

static bool in_code(uintptr_t pc)
{
    if (pc >= (uintptr_t)__start_corral_native_rt && pc < (uintptr_t)__stop_corral_native_rt)
        return true;
    int top = atomic_load_explicit(&range_top, memory_order_acquire);
    for (int i = 0; i < top; i++) {
        uintptr_t hi = atomic_load_explicit(&range_hi[i], memory_order_acquire);
        if (hi && pc < hi && pc >= atomic_load_explicit(&range_lo[i], memory_order_relaxed))
            return true;
    }
    return false;
}

/* ---- backtraces ---------------------------------------------------------------------- */

static _Atomic bool unwinder_loaded;

int native_backtrace(void **buf, int n)
{
    int got = backtrace(buf, n);
    atomic_store_explicit(&unwinder_loaded, true, memory_order_release);
    return got;
}

/* ---- the handler ---------------------------------------------------------------------- */

/* The store whose native code this thread runs, innermost entry (native_enter). */
static _Thread_local Store *tl_store;
static struct sigaction old_segv, old_bus;

static uintptr_t fault_pc(void *uc)
{
#if defined(__x86_64__)
    return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.pc;
#else
    (void)uc;
    return 0;
#endif
}

static void pass_on(int sig, siginfo_t *si, void *uc)
{
    const struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;
    if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction) {
        old->sa_sigaction(sig, si, uc);
        return;
    }
    if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
        return;
    }
    /* the default action: returning re-runs the faulting instruction, which then kills */
    signal(sig, SIG_DFL);
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    Store *s = tl_store;
    uintptr_t addr = (uintptr_t)si->si_addr;
    if (s && s->native_jb && in_code(fault_pc(uc))) {
        int code = 0;
        uintptr_t poll = (uintptr_t)atomic_load_explicit(&s->poll_page, memory_order_relaxed);
        if (addr >= s->native_mem_lo && addr < s->native_mem_hi)
            code = CC_TRAP_OOB_MEMORY;
        else if (poll && addr >= poll && addr < poll + POLL_PAGE)
            code = CC_TRAP_INTERRUPT;
        else if (addr < s->native_stack_lo + ((uintptr_t)64 << 10) &&
                 addr + ((uintptr_t)1 << 20) >= s->native_stack_lo)
            code = CC_TRAP_STACK;
        if (code) {
            s->native_fault = code;
            /* backtrace() loads the unwinder (libgcc_s) on its first call, which must not
             * happen here: until a trap outside a handler has loaded it, a fault's backtrace
             * is the faulting instruction alone */
            if (atomic_load_explicit(&unwinder_loaded, memory_order_acquire)) {
                s->native_nbt = backtrace(s->native_bt, NATIVE_BT_MAX);
            } else {
                s->native_bt[0] = (void *)(fault_pc(uc) + 1);
                s->native_nbt = 1;
            }
            native_jump(s, 2);
        }
    }
    pass_on(sig, si, uc);
}

static once_flag handlers_once = ONCE_FLAG_INIT;
static bool handlers_ok;
static pthread_key_t altstack_key;

static void altstack_free(void *p);

/* The handlers, and the key whose destructor releases a thread's alternate stack: one once
 * (each costs a futex call), C11's as native.c's (pthread_once would be one more symbol for
 * the dynamic linker to bind on an artifact's start-up). */
static void install_handlers(void)
{
    if (pthread_key_create(&altstack_key, altstack_free) != 0)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    /* SA_NODEFER: the longjmp out leaves the signal unblocked */
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    handlers_ok = sigaction(SIGSEGV, &sa, &old_segv) == 0 && sigaction(SIGBUS, &sa, &old_bus) == 0;
}

/* Each thread that runs compiled code gets an alternate signal stack (unless it has one),
 * released when the thread ends. The first such thread takes a static one: a malloc of
 * 64 KiB grows the heap (brk), about 6 us of a hello world's start-up. */
#define ALTSTACK_SIZE ((size_t)64 << 10)
static _Thread_local bool tl_altstack;
static _Alignas(16) char first_altstack[ALTSTACK_SIZE];
static atomic_flag first_altstack_taken = ATOMIC_FLAG_INIT;

static void altstack_free(void *p)
{
    stack_t none = {.ss_flags = SS_DISABLE};
    sigaltstack(&none, NULL);
    if (p == first_altstack)
        atomic_flag_clear(&first_altstack_taken);
    else
        free(p);
}

static bool altstack_ensure(void)
{
    if (tl_altstack)
        return true;
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE)) {
        tl_altstack = true; /* the thread has one (ASan's, or the embedder's) */
        return true;
    }
    void *p = !atomic_flag_test_and_set(&first_altstack_taken) ? first_altstack
                                                                : malloc(ALTSTACK_SIZE);
    if (!p)
        return false;
    stack_t ss = {.ss_sp = p, .ss_size = ALTSTACK_SIZE, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) {
        altstack_free(p);
        return false;
    }
    pthread_setspecific(altstack_key, p);
    tl_altstack = true;
    return true;
}

uint32_t *native_poll_page(Store *s)
{
    uint32_t *p = atomic_load_explicit(&s->poll_page, memory_order_seq_cst);
    if (p)
        return p;
    p = mmap(NULL, POLL_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uint32_t *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(&s->poll_page, &expected, p,
                                                 memory_order_seq_cst, memory_order_seq_cst)) {
        munmap(p, POLL_PAGE);
        return expected;
    }
    native_poll_sync(s); /* an interrupt may have come before the page */
    return p;
}

/* Serialises the syncs of a page (an interrupt from a timer thread against the owner's
 * reset), so the page ends as the last flag value says. */
static pthread_mutex_t poll_lock = PTHREAD_MUTEX_INITIALIZER;

void native_poll_sync(Store *s)
{
    uint32_t *p = atomic_load_explicit(&s->poll_page, memory_order_seq_cst);
    if (!p)
        return;
    pthread_mutex_lock(&poll_lock);
    bool block = atomic_load_explicit(&s->interrupt, memory_order_seq_cst) != 0;
    /* a store reset (every gateway request) finds the page as it should be: no syscall */
    if (block != s->poll_blocked && mprotect(p, POLL_PAGE, block ? PROT_NONE : PROT_READ) == 0)
        s->poll_blocked = block;
    pthread_mutex_unlock(&poll_lock);
}

bool native_guard_supported(void)
{
    return FAULTS_SUPPORTED && memory_guard_available();
}

bool native_fault_ready(void)
{
    static _Thread_local bool ready;
    if (ready)
        return true;
    call_once(&handlers_once, install_handlers);
    ready = handlers_ok && altstack_ensure();
    return ready;
}

Store *native_fault_swap_store(Store *s)
{
    Store *prev = tl_store;
    tl_store = s;
    return prev;
}
