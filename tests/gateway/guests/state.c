/* state.c: isolation between requests. It reads the state a fresh instance must have, prints
 * it, then dirties all of it: a static counter (data), a static initialised buffer (data), a
 * zeroed static buffer (bss), the heap, and the memory size (memory.grow). If any of that
 * leaked into the next request, its line would differ from the first one:
 *   counter=0 data=<FNV of the pristine buffer> bss=0 heap=0 pages=<initial pages> */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int counter;
static unsigned char data[4096] = {
    1, 2, 3, 4, 5, 6, 7, 8, 'c', 'o', 'r', 'r', 'a', 'l', 0, 255,
    [1000] = 42, [2000] = 43, [4095] = 44,
};
static unsigned char bss[4096];

static uint64_t fnv(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

static unsigned nonzero(const unsigned char *p, size_t n)
{
    unsigned k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] != 0;
    return k;
}

int main(void)
{
    size_t pages = __builtin_wasm_memory_size(0);
    /* The heap block malloc gives first: always the same address in a fresh instance. A
     * non-fresh one would find the 0x5A bytes written below (or a different block). */
    unsigned char *heap = malloc(65536);
    unsigned heap_dirty = heap ? nonzero(heap, 65536) : 99999;
    printf("Content-Type: text/plain\n\n");
    printf("counter=%d data=%016llx bss=%u heap=%u pages=%zu\n", counter,
           (unsigned long long)fnv(data, sizeof data), nonzero(bss, sizeof bss), heap_dirty,
           pages);
    counter++;
    memset(data, 0xA5, sizeof data);
    memset(bss, 0x5A, sizeof bss);
    if (heap)
        memset(heap, 0x5A, 65536);
    /* leak the block: malloc's state must not survive either */
    __builtin_wasm_memory_grow(0, 3);
    return 0;
}
