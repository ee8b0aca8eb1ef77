/* spin.c: "started", then computes forever (argv[1] == "busy") or sleeps in poll_oneoff
 * forever (default), for the kill tests. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    printf("started\n");
    fflush(stdout);
    if (argc > 1 && !strcmp(argv[1], "busy")) {
        volatile unsigned x = 0;
        for (;;)
            x = x * 1664525u + 1013904223u;
    }
    for (;;)
        sleep(1000);
}
