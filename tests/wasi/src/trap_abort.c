/* trap_abort: abort() is a trap (wasi-libc's abort is `unreachable`): exit status 134 and
 * "error: trap: unreachable" on stderr, after what the guest wrote directly. */
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
    write(1, "before abort\n", 13);
    abort();
}
