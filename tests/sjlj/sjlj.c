/* setjmp/longjmp compiled to WebAssembly exception handling (clang -mllvm -wasm-enable-sjlj):
 * a jump through 100 frames, a jump that passes a frame with a setjmp of its own, a value
 * of 0 arriving as 1, and 100000 jumps in a loop (an interpreter's error recovery). */
#include <stdio.h>
#include "setjmp.h" /* this directory's: Debian's wasi-libc has none */

static jmp_buf outer;
static int inner_done;

static void dive(jmp_buf env, int n, int val)
{
    if (n == 0)
        longjmp(env, val);
    dive(env, n - 1, val);
}

/* Has its own setjmp, but the jump goes past it to outer. */
static void middle(void)
{
    jmp_buf mine;
    if (setjmp(mine) == 0) {
        dive(outer, 10, 7);
    } else {
        inner_done = 1; /* not reached: the jump was not to mine */
    }
}

static int recover(int i)
{
    jmp_buf env;
    int v = setjmp(env);
    if (v)
        return v;
    dive(env, i % 8, i + 1);
    return -1;
}

int main(void)
{
    jmp_buf env;
    volatile int step = 0;
    int v = setjmp(env);
    step++;
    if (v == 0)
        dive(env, 100, 42);
    printf("through 100 frames: %d (step %d)\n", v, step);
    if (v != 42 || step != 2)
        return 1;

    if ((v = setjmp(outer)) == 0)
        middle();
    printf("past an inner setjmp: %d, inner handler ran: %d\n", v, inner_done);
    if (v != 7 || inner_done)
        return 1;

    jmp_buf z;
    if ((v = setjmp(z)) == 0)
        longjmp(z, 0);
    printf("longjmp(env, 0) makes setjmp return %d\n", v);
    if (v != 1)
        return 1;

    long long sum = 0;
    for (int i = 0; i < 100000; i++)
        sum += recover(i);
    printf("100000 recoveries, sum %lld\n", sum);
    return sum == 5000050000LL ? 0 : 1;
}
