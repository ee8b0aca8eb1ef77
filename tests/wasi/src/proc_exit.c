/* proc_exit: exits with the status given as argv[1], from deep inside nested calls, after
 * output that must have been flushed by exit() (stdio) or written directly (no flush needed).
 * With a second argument "raw" it calls proc_exit directly, skipping exit()'s flush, so
 * output still buffered in stdio is lost. */
#include "wasitest.h"

#include <stdlib.h>
#include <unistd.h>

static int depth(int n, int status, int raw)
{
    if (n == 0) {
        if (raw)
            __wasi_proc_exit((__wasi_exitcode_t)status);
        exit(status);
    }
    return depth(n - 1, status, raw) + 1;
}

int main(int argc, char **argv)
{
    int status = argc > 1 ? atoi(argv[1]) : 0;
    int raw = argc > 2 && !strcmp(argv[2], "raw");
    write(1, "written directly\n", 17);
    printf("buffered in stdio\n");
    fprintf(stderr, "exiting with %d%s\n", status, raw ? " (raw proc_exit)" : "");
    depth(50, status, raw);
    printf("not reached\n");
    return 99;
}
