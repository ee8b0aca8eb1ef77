/* args: argc and every argument with its byte length (args_sizes_get, args_get through
 * wasi-libc's crt). Covers empty arguments, spaces, UTF-8 and option-like arguments, which
 * must reach the guest untouched because they come after the module. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=[%s] len=%zu\n", i, argv[i], strlen(argv[i]));
    return argv[argc] == NULL ? 0 : 1;
}
