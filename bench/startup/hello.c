/* hello.c: the start-up benchmark's guest (bench/startup_limits.sh), a WASI command built as
 * issue 3 asks, `clang --target=wasm32-wasi -O2 hello.c -o hello.wasm`, and run whole. */
#include <stdio.h>

int main(void)
{
    puts("Hello, world!");
    return 0;
}
