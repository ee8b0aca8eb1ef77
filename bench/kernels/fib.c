/* fib.c: recursive Fibonacci. Measures calls and returns: about 2 fib(n) calls, each a few
 * instructions of work. */
#include <stdint.h>

#define BENCH_ARG 35

int32_t fib(int32_t n)
{
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}
