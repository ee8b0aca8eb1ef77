/* trap_assert: a failed assert prints wasi-libc's message to stderr, then aborts (a trap). */
#include <assert.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argv;
    fprintf(stderr, "checking\n");
    assert(argc == 42);
    return 0;
}
