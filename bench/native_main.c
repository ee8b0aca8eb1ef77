/* native_main.c: the native driver for a benchmark kernel. Built with -DKERNEL=name and the
 * kernel's source; calls name(ARG) once with ARG from the command line and prints the result,
 * exactly as `corral run FILE.wasm --invoke name ARG` does. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef KERNEL
#error "build with -DKERNEL=<exported function name>"
#endif

int32_t KERNEL(int32_t arg);

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s ARG\n", argv[0]);
        return 2;
    }
    printf("%d\n", (int)KERNEL((int32_t)strtol(argv[1], NULL, 10)));
    return 0;
}
