/* stdio: wasi-libc's stdio on top of fd_write: printf, puts, putchar, fputs to stderr,
 * fwrite, unbuffered and line-buffered streams, and output that is still buffered when main
 * returns (flushed by exit). */
#include <stdio.h>

int main(void)
{
    printf("%s %d %x %5.2f %c|%-6s|\n", "printf", 42, 255, 3.14159, 'z', "left");
    puts("puts adds a newline");
    putchar('c');
    putchar('\n');
    fputs("fputs to stderr\n", stderr);
    fwrite("fwrite 12345\n", 1, 13, stdout);
    setvbuf(stderr, NULL, _IOLBF, 0);
    fprintf(stderr, "line-buffered stderr\n");
    fflush(stdout);
    printf("still buffered when main returns, no newline");
    return 0;
}
