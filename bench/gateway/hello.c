/* hello.c: the gateway benchmark's module: the smallest complete CGI response, written with
 * one write so the measurement is the gateway (a fresh instance, WASI set up, the response
 * parsed and sent), not printf. */
#include <string.h>
#include <unistd.h>

int main(void)
{
    static const char response[] = "Content-Type: text/plain\n\nHello, world!\n";
    return write(1, response, sizeof response - 1) == (ssize_t)(sizeof response - 1) ? 0 : 1;
}
