/* osr.c: guests for tests/compile/osr.sh, the switch of running code to native code
 * (on-stack replacement). Built with -nostdlib: exports only. Under CORRAL_TIER_LATE=1 the
 * native code arrives at the first fuel slice, so whatever function is running a loop then
 * moves to native code at its next back-edge, and functions entered later run native when
 * they have loops. */
#include <stdint.h>

#define PAGE 65536u

#define EXPORT(name) __attribute__((export_name(#name))) name

static volatile uint32_t sink;

/* Long enough to reach a fuel slice: the switch happens inside it. */
__attribute__((noinline)) static uint32_t spin(uint32_t n)
{
    uint32_t x = 1;
    for (uint32_t i = 0; i < n; i++)
        x = x * 1664525u + 1013904223u;
    return x;
}

/* Has a loop (so it runs native once the code is there); grows the memory. */
__attribute__((noinline)) static uint32_t grower(uint32_t pages)
{
    uint32_t old = (uint32_t)__builtin_wasm_memory_grow(0, pages);
    uint8_t *p = (uint8_t *)(uintptr_t)(old * PAGE);
    for (uint32_t i = 0; i < pages * PAGE; i += 4096)
        p[i] = (uint8_t)(i >> 12);
    return old;
}

/* No loop: stays in the interpreter, which must see the memory the native grower grew. */
uint32_t EXPORT(grow_then_read)(uint32_t pages)
{
    uint32_t x = spin(200000);
    uint32_t old = grower(pages);
    volatile uint8_t *top = (volatile uint8_t *)(uintptr_t)((old + pages) * PAGE - 4096);
    return (x & 0xff) + *top;
}

/* A long loop running when the code arrives, with locals of every type; returns an f64. */
double EXPORT(mixed)(int32_t n)
{
    int64_t a = 7;
    float f = 1.5f;
    double d = 0.25;
    uint32_t u = 3;
    for (int32_t i = 0; i < n; i++) {
        a = a * 6364136223846793005LL + 1442695040888963407LL;
        f = f * 0.5f + (float)(a >> 60);
        d += (double)f / (double)(u | 1);
        u ^= (uint32_t)(a >> 33);
    }
    return d + (double)(a & 0xffff) + (double)u;
}

/* Returns an i64 from a loop that calls a function with a loop. */
int64_t EXPORT(calls)(int32_t n)
{
    int64_t s = 0;
    for (int32_t i = 0; i < n; i++)
        s += spin((uint32_t)(i & 63));
    return s;
}

/* Runs n iterations, then reads past the end of memory: the trap comes from native code. */
uint32_t EXPORT(oob)(int32_t n)
{
    uint32_t x = spin((uint32_t)n);
    volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)(__builtin_wasm_memory_size(0) * PAGE - 2);
    for (int32_t i = 0; i < n; i++)
        x += (uint32_t)i;
    return x + *p;
}

/* Never returns: --timeout and --fuel must stop it. */
uint32_t EXPORT(forever)(int32_t n)
{
    uint32_t x = (uint32_t)n;
    for (;;) {
        x = x * 1664525u + 1013904223u;
        sink = x;
    }
}

/* Recurses without bound after the switch. */
/* Has a loop, so it runs native after the switch; s * deep() + 1 is no tail call that the
 * compiler could turn into a loop. */
__attribute__((noinline)) static uint32_t deep(uint32_t n)
{
    uint32_t s = 1;
    for (uint32_t i = 0; i < (n & 255) + 1; i++)
        s = s * 3 + sink;
    return s * deep(n + 1) + 1;
}

uint32_t EXPORT(recurse_late)(int32_t n)
{
    uint32_t x = spin((uint32_t)n);
    for (int32_t i = 0; i < 3; i++)
        x += deep((uint32_t)i);
    return x;
}
