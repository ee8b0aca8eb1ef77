/* stdin_sum: reads numbers with scanf from stdin until EOF (a few KiB through stdio's
 * buffering) and prints their count and sum. */
#include <stdio.h>

int main(void)
{
    long long x, sum = 0;
    int count = 0;
    while (scanf("%lld", &x) == 1) {
        sum += x;
        count++;
    }
    printf("count=%d sum=%lld eof=%d\n", count, sum, feof(stdin) != 0);
    return 0;
}
