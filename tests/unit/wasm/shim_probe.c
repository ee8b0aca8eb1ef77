/* shim_probe.c: a guest for test_container that does what its arguments say:
 *   args                 prints each argument and each environment variable, a line each
 *   write PATH TEXT      writes TEXT to PATH: exit 0, or 1 with the error on stderr
 *   read PATH            prints the contents of PATH: exit 0, or 1
 *   exit N               exits with status N
 *   sleep N              prints "sleeping", sleeps N seconds, exits 0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static int cmd_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "write %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

static int cmd_read(const char *path)
{
    char buf[256];
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "read %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t n = fread(buf, 1, sizeof buf, f);
    fwrite(buf, 1, n, stdout);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "args")) {
        for (int i = 0; i < argc; i++)
            printf("arg %s\n", argv[i]);
        for (char **e = environ; *e; e++)
            printf("env %s\n", *e);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "write"))
        return cmd_write(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "read"))
        return cmd_read(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "exit"))
        exit(atoi(argv[2]));
    if (argc == 3 && !strcmp(argv[1], "sleep")) {
        printf("sleeping\n");
        fflush(stdout);
        sleep((unsigned)atoi(argv[2]));
        return 0;
    }
    fprintf(stderr, "usage: probe args | write PATH TEXT | read PATH | exit N | sleep N\n");
    return 2;
}
