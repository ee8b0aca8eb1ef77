/* trap_div: an integer division by zero in guest code traps: 134, "integer divide by zero". */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    (void)argv;
    volatile int zero = argc - 1;
    printf("dividing\n");
    fflush(stdout);
    return 10 / zero;
}
