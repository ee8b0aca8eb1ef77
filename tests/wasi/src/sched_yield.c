/* sched_yield: sched_yield succeeds, many times in a row, through wasi-libc and directly. */
#include "wasitest.h"

#include <sched.h>

int main(void)
{
    int failures = 0;
    for (int i = 0; i < 1000; i++)
        failures += sched_yield() != 0;
    printf("1000 sched_yield calls, failures: %d\n", failures);
    wt_report("__wasi_sched_yield", __wasi_sched_yield());
    return 0;
}
