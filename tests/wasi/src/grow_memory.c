/* grow_memory: grows linear memory one page at a time until memory.grow fails or argv[1]
 * pages are reached, then prints the size in pages (under --max-memory 4194304 it must stop
 * at exactly 64), checks that growing further fails with -1 and malloc then returns NULL
 * (never a trap), and that the last byte of memory works. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    unsigned start = (unsigned)__builtin_wasm_memory_size(0);
    unsigned limit = argc > 1 ? (unsigned)atoi(argv[1]) : 65536;
    printf("starts under 64 pages: %d\n", start < 64);
    while (__builtin_wasm_memory_size(0) < limit &&
           __builtin_wasm_memory_grow(0, 1) != (size_t)-1) {
    }
    unsigned pages = (unsigned)__builtin_wasm_memory_size(0);
    printf("stopped at %u pages (%u bytes)\n", pages, pages * 65536u);
    printf("memory.grow(0) still works: %d\n", __builtin_wasm_memory_grow(0, 0) == pages);
    printf("memory.grow(16) then: %s\n",
           __builtin_wasm_memory_grow(0, 16) == (size_t)-1 ? "-1" : "grew");
    /* wasi-libc's malloc starts with all memory above the heap base, so only a request larger
     * than what is left has to grow memory. */
    void *volatile p = malloc(8 << 20); /* volatile: the compiler may not assume success */
    printf("malloc(8 MiB) after that: %s\n", p ? "got memory" : "NULL");
    volatile uint8_t *last = (volatile uint8_t *)(uintptr_t)(pages * 65536u - 1);
    *last = 0x5A;
    printf("last byte usable: %d\n", *last == 0x5A);
    return 0;
}
