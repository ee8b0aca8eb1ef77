/* trap_oob: a load outside linear memory traps: 134, "out of bounds memory access". */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    volatile uint32_t addr = 0xFFFFFFF0u;
    printf("loading\n");
    fflush(stdout);
    return *(volatile int *)(uintptr_t)addr;
}
