/* wc.c: a WASI command in C (wasi-libc), the README's recipe for one: counts the lines,
 * words and bytes of each file named, or of standard input without arguments, as wc(1)
 * does. A file it cannot open is reported with strerror(errno), so it touches errno: built
 * with -mbulk-memory, clang 14 needs -ftls-model=local-exec for it (see the README). Under
 * `corral run` it sees only the directories given with --dir. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct Counts {
    unsigned long lines, words, bytes;
} Counts;

static void count(FILE *f, Counts *c)
{
    int ch, in_word = 0;
    while ((ch = getc(f)) != EOF) {
        c->bytes++;
        c->lines += ch == '\n';
        if (isspace(ch))
            in_word = 0;
        else if (!in_word)
            in_word = 1, c->words++;
    }
}

static void print(const Counts *c, const char *name)
{
    printf("%7lu %7lu %7lu%s%s\n", c->lines, c->words, c->bytes, name ? " " : "", name ? name : "");
}

int main(int argc, char **argv)
{
    int status = 0;
    if (argc < 2) {
        Counts c = {0, 0, 0};
        count(stdin, &c);
        print(&c, NULL);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "r");
        if (!f) {
            fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        Counts c = {0, 0, 0};
        count(f, &c);
        fclose(f);
        print(&c, argv[i]);
    }
    return status;
}
