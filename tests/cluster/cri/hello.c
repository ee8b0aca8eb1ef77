/* hello.c: the WASI guest of the CRI test's Wasm image corral.local/hello-wasm:1 (/hello.wasm).
 *
 *   /hello.wasm [TICKS [EXIT]]
 *
 * Prints "hello from corral", its arguments and the environment variables GREETING and
 * POD_NAME, then "tick N" once a second TICKS times (forever when TICKS is absent or
 * negative, so StopContainer has something to stop), then exits with status EXIT (0). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long ticks = argc > 1 ? strtol(argv[1], NULL, 10) : -1;
    int status = argc > 2 ? atoi(argv[2]) : 0;
    const char *greeting = getenv("GREETING");
    const char *pod = getenv("POD_NAME");

    printf("hello from corral\n");
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    printf("GREETING=%s\n", greeting ? greeting : "(unset)");
    printf("POD_NAME=%s\n", pod ? pod : "(unset)");
    fflush(stdout);
    for (long n = 1; ticks < 0 || n <= ticks; n++) {
        sleep(1);
        printf("tick %ld\n", n);
        fflush(stdout);
    }
    printf("bye, exit %d\n", status);
    return status;
}
