/* main.c: {{name}}, a WASI command: `corral up -- ARGS` (or `corral run
 * target/{{name}}.wasm ARGS`) runs it with its arguments. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("Hello from {{name}}!\n");
    for (int i = 1; i < argc; i++)
        printf("argument %d: %s\n", i, argv[i]);
    return 0;
}
