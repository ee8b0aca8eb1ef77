/* recurse: recursion argv[1] calls deep that the compiler cannot turn into a loop. Shallow it
 * prints a result; deep enough it exhausts the call stack: a trap, 134, "call stack
 * exhausted". */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static unsigned down(unsigned n)
{
    if (n == 0)
        return 1;
    unsigned r = down(n - 1);
    return r * r + n;
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 10;
    printf("depth %u\n", n);
    fflush(stdout);
    printf("result %u\n", down(n));
    return 0;
}
