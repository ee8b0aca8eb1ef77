/* os_checks.c: what a compiled tier needs from the OS, checked on this host. Prints one line
 * per check, "ok" or "FAILED" and why: executable pages (W^X by mprotect, and a second view
 * through memfd), 8 GiB PROT_NONE reservations per linear memory (how many fit), recovery
 * from SIGSEGV in a guard region, from a stack overflow on sigaltstack, and from SIGFPE. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define GIB ((size_t)1 << 30)
#define RESERVE_SIZE (8 * GIB)
#define MAX_RESERVATIONS 20000

static sigjmp_buf recover;
static volatile sig_atomic_t last_signal;
static void *volatile last_addr;

/* x86-64: mov eax, 42; ret */
static const unsigned char ret42[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3};

static void on_fault(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    last_signal = sig;
    last_addr = info->si_addr;
    siglongjmp(recover, 1);
}

static void check_exec_mprotect(void)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int (*fn)(void);

    if (p == MAP_FAILED) {
        printf("exec, write then mprotect RX: FAILED (mmap)\n");
        return;
    }
    memcpy(p, ret42, sizeof ret42);
    if (mprotect(p, (size_t)page, PROT_READ | PROT_EXEC) != 0) {
        printf("exec, write then mprotect RX: FAILED (mprotect refused)\n");
        return;
    }
    fn = (int (*)(void))(uintptr_t)p;
    printf("exec, write then mprotect RX: %s (returned %d)\n", fn() == 42 ? "ok" : "FAILED",
           fn());
    munmap(p, (size_t)page);
}

static void check_exec_rwx(void)
{
    long page = sysconf(_SC_PAGESIZE);
    void *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    printf("exec, one RWX mapping: %s\n", p == MAP_FAILED ? "refused" : "allowed (not needed)");
    if (p != MAP_FAILED)
        munmap(p, (size_t)page);
}

static void check_exec_memfd(void)
{
    long page = sysconf(_SC_PAGESIZE);
    int fd = memfd_create("corral-code", MFD_CLOEXEC);
    unsigned char *w, *x;

    if (fd < 0 || ftruncate(fd, page) != 0) {
        printf("exec, memfd double view: FAILED (memfd_create)\n");
        return;
    }
    w = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    x = mmap(NULL, (size_t)page, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    if (w == MAP_FAILED || x == MAP_FAILED) {
        printf("exec, memfd double view: FAILED (mmap)\n");
        return;
    }
    memcpy(w, ret42, sizeof ret42);
    printf("exec, memfd double view (RW + RX of one file): %s\n",
           ((int (*)(void))(uintptr_t)x)() == 42 ? "ok" : "FAILED");
    munmap(w, (size_t)page);
    munmap(x, (size_t)page);
    close(fd);
}

static void check_reservations(void)
{
    static void *res[MAX_RESERVATIONS];
    struct rlimit as;
    int n = 0;

    getrlimit(RLIMIT_AS, &as);
    while (n < MAX_RESERVATIONS) {
        void *p = mmap(NULL, RESERVE_SIZE, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            break;
        res[n++] = p;
    }
    printf("8 GiB PROT_NONE reservations: %d fit (%d TiB of address space; RLIMIT_AS %s)\n", n,
           (int)((size_t)n * 8 / 1024),
           as.rlim_cur == RLIM_INFINITY ? "unlimited" : "limited");
    if (n > 0 && mprotect(res[0], 64 * 1024, PROT_READ | PROT_WRITE) == 0) {
        ((volatile char *)res[0])[65535] = 1;
        printf("commit one 64 KiB Wasm page inside a reservation (mprotect RW): ok\n");
    }
    while (n > 0)
        munmap(res[--n], RESERVE_SIZE);
}

static void check_guard_fault(void)
{
    char *base = mmap(NULL, RESERVE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                      -1, 0);
    char *target = base + 5 * GIB + 12345;

    if (base == MAP_FAILED) {
        printf("SIGSEGV in a guard region: FAILED (no reservation)\n");
        return;
    }
    last_signal = 0;
    if (sigsetjmp(recover, 1) == 0) {
        (void)*(volatile char *)target;
        printf("SIGSEGV in a guard region: FAILED (the load did not fault)\n");
    } else {
        printf("SIGSEGV in a guard region: %s (signal %d, si_addr %s)\n",
               last_signal == SIGSEGV ? "ok, recovered" : "FAILED",
               (int)last_signal, last_addr == target ? "exact" : "differs");
    }
    munmap(base, RESERVE_SIZE);
}

static int recurse(int n);
/* Called through a volatile pointer, so the compiler neither sees nor removes the recursion. */
static int (*volatile recurse_fn)(int) = recurse;

static int recurse(int n)
{
    volatile char pad[256];

    pad[0] = (char)n;
    return recurse_fn(n + 1) + pad[0];
}

static void check_stack_overflow(void)
{
    struct rlimit st;

    getrlimit(RLIMIT_STACK, &st);
    last_signal = 0;
    if (sigsetjmp(recover, 1) == 0) {
        printf("%d\n", recurse(0));
    } else {
        printf("stack overflow caught on sigaltstack: %s (signal %d; RLIMIT_STACK %ld KiB)\n",
               last_signal == SIGSEGV ? "ok, recovered" : "FAILED", (int)last_signal,
               st.rlim_cur == RLIM_INFINITY ? -1L : (long)(st.rlim_cur / 1024));
    }
}

static int divide(volatile int a, volatile int b)
{
    return a / b;
}

static void check_sigfpe(void)
{
    last_signal = 0;
    if (sigsetjmp(recover, 1) == 0) {
        printf("SIGFPE: FAILED (%d)\n", divide(1, 0));
    } else {
        printf("integer division by zero raises SIGFPE: %s (signal %d)\n",
               last_signal == SIGFPE ? "ok, recovered" : "FAILED", (int)last_signal);
    }
}

int main(void)
{
    static char altstack[64 * 1024];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaltstack(&ss, NULL) != 0 || sigaction(SIGSEGV, &sa, NULL) != 0
        || sigaction(SIGBUS, &sa, NULL) != 0 || sigaction(SIGFPE, &sa, NULL) != 0) {
        printf("sigaltstack/sigaction: FAILED\n");
        return 1;
    }
    check_exec_mprotect();
    check_exec_rwx();
    check_exec_memfd();
    check_reservations();
    check_guard_fault();
    check_stack_overflow();
    check_sigfpe();
    return 0;
}
