/* main_return: the value main returns is the exit status (wasi-libc's _start calls proc_exit
 * with it when it is not 0). */
#include <stdio.h>

int main(void)
{
    printf("returning 7\n");
    return 7;
}
