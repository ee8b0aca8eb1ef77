/* environ: the environment the host passed (--env NAME=VALUE, --env NAME to inherit), sorted,
 * and getenv on present, empty and absent names. Nothing else from the host may leak in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **sorted = malloc((n + 1) * sizeof *sorted);
    memcpy(sorted, environ, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, by_string);
    printf("count=%zu\n", n);
    for (size_t i = 0; i < n; i++)
        printf("[%s]\n", sorted[i]);
    const char *names[] = {"FOO", "EMPTY", "EQUALS", "UTF8", "CORRAL_TEST_INHERIT", "PATH", "HOME"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *v = getenv(names[i]);
        printf("getenv(%s)=%s%s%s\n", names[i], v ? "[" : "", v ? v : "NULL", v ? "]" : "");
    }
    return 0;
}
