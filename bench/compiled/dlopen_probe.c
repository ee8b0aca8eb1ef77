/* dlopen_probe.c: how long dlopen(PATH, RTLD_NOW) takes: what the first use of a compiled tier
 * pays to load its compiler library (the engine itself links none). Prints "ok N ms". */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
    struct timespec a, b;
    void *h;

    if (argc != 2) {
        fprintf(stderr, "usage: %s LIBRARY\n", argv[0]);
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &a);
    h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%s %.1f ms\n", h ? "ok" : dlerror(),
           (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
    return !h;
}
