/* w2c_main.c: the native driver of w2c_entry.c (any route that produces an object file):
 * calls study_entry(ARG) once and prints the result as bench/native_main.c does; a trap is
 * printed with wabt's message and exits 1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "wasm-rt.h"

int study_entry(int32_t arg, int32_t *out_result);

int main(int argc, char **argv)
{
    int32_t result = 0;
    int trap;

    if (argc != 2) {
        fprintf(stderr, "usage: %s ARG\n", argv[0]);
        return 2;
    }
    trap = study_entry((int32_t)strtol(argv[1], NULL, 10), &result);
    if (trap != 0) {
        fprintf(stderr, "trap: %s\n", wasm_rt_strerror((wasm_rt_trap_t)trap));
        return 1;
    }
    printf("%d\n", (int)result);
    return 0;
}
