/* sleep: sleeps argv[1] seconds in one poll_oneoff (nanosleep), then says so. With --timeout
 * shorter than that, the deadline must stop the guest while it is blocked in the host. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct timespec ts = {argc > 1 ? atoi(argv[1]) : 1, 0};
    write(1, "sleeping\n", 9);
    nanosleep(&ts, NULL);
    write(1, "woke up\n", 8);
    return 0;
}
