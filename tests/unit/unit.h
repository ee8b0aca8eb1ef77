/* unit.h: the little a unit test needs: pass/fail counters, CHECK, and reading a fixture.
 * Each test is one translation unit that includes this once and ends with unit_report(). */
#ifndef CORRAL_UNIT_H
#define CORRAL_UNIT_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond, what)                                                                  \
    do {                                                                                   \
        if (cond) {                                                                        \
            passed++;                                                                      \
        } else {                                                                           \
            failed++;                                                                      \
            fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, what);                \
        }                                                                                  \
    } while (0)

/* How many names dir holds besides "." and ".."; the first one seen goes into first (n bytes)
 * when first is not NULL. */
static inline int unit_dir_entries(const char *dir, char *first, size_t n)
{
    DIR *d = opendir(dir);
    int count = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (count++ == 0 && first)
            snprintf(first, n, "%s", de->d_name);
    }
    if (d)
        closedir(d);
    return count;
}

/* Reads a whole file (a fixture built into build/tests/wasm/); NULL when it cannot. */
static inline uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = n >= 0 ? malloc(n > 0 ? (size_t)n : 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = b ? (size_t)n : 0;
    return b;
}

/* Prints "NAME: N passed, M failed" and returns the exit status for main. */
static inline int unit_report(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, passed, failed);
    return failed != 0;
}

#endif
