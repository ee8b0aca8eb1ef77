/* names-c.c: a backtrace through C functions, named from the name section clang and wasm-ld
 * write by default. run.sh builds it with clang -O2 -nostdlib (no libc, no WASI) and checks
 * the names only, not the offsets, which depend on the compiler. */
#include <stdint.h>

/* noinline keeps each function a frame of its own. */
__attribute__((noinline)) static int32_t checked_ratio(int32_t a, int32_t b)
{
    return a / b; /* b == 0: "integer divide by zero" */
}

__attribute__((noinline)) int32_t average_per_item(int32_t total, int32_t items)
{
    return checked_ratio(total, items) + 0 * total;
}

__attribute__((export_name("report"))) int32_t report(int32_t items)
{
    return average_per_item(1000, items) + 1;
}
