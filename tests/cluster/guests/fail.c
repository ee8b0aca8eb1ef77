/* fail.c: says why on stderr and exits with status 3. */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "fail: giving up on purpose\n");
    return 3;
}
