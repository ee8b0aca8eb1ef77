/* stamp.c: the time-to-_start guest (bench/startup_limits.sh). On entering main it prints its
 * reading of CLOCK_MONOTONIC in nanoseconds, which bench/startup/to_start.c compares with the
 * moment it spawned the runtime. Built like hello.c and printing with puts as it does, so the
 * two modules are about the same size; between _start and main wasi-libc only runs the static
 * constructors (main takes no arguments, so none are fetched). */
#include <stdio.h>
#include <time.h>

int main(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 1;
    /* By hand rather than printf, which would double the module (to ~90 KB): the module
     * should be the size of hello.wasm, as start-up grows with it. */
    unsigned long long ns = (unsigned long long)ts.tv_sec * 1000000000ull;
    ns += (unsigned long long)ts.tv_nsec;
    char text[24];
    char *p = text + sizeof text - 1;
    *p = '\0';
    do
        *--p = (char)('0' + ns % 10);
    while ((ns /= 10) != 0);
    puts(p);
    return 0;
}
