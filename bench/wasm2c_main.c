/* wasm2c_main.c: the driver of a kernel translated by wasm2c (the wasm2c engine of
 * bench/run.sh, BENCH_ENGINES="wasm2c=/usr/bin/wasm2c"). Built with -DKERNEL=name, the
 * C that `wasm2c -n name` made of the kernel's .wasm (its header given with -include) and
 * wasm2c's runtime; instantiates the module, calls name(ARG) once and prints the result,
 * as native_main.c does. The names are wasm2c 1.0.32's (Debian's wabt): Z_<module>... */
#include <stdio.h>
#include <stdlib.h>

#ifndef KERNEL
#error "build with -DKERNEL=<exported function name>"
#endif

#define CAT_(a, b, c, d) a##b##c##d
#define CAT(a, b, c, d) CAT_(a, b, c, d)
#define INSTANCE CAT(Z_, KERNEL, _instance, _t)
#define INIT_MODULE CAT(Z_, KERNEL, _init, _module)
#define INSTANTIATE CAT(Z_, KERNEL, _instan, tiate)
#define FREE CAT(Z_, KERNEL, _fr, ee)
#define EXPORT CAT(Z_, KERNEL, Z_, KERNEL)

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s ARG\n", argv[0]);
        return 2;
    }
    wasm_rt_init();
    INIT_MODULE();
    INSTANCE inst;
    INSTANTIATE(&inst);
    printf("%d\n", (int)(int32_t)EXPORT(&inst, (u32)strtol(argv[1], NULL, 10)));
    FREE(&inst);
    wasm_rt_free();
    return 0;
}
