/* volume.c: reads /data/in.txt, writes /data/out.txt, and tries to write under /ro, which the
 * test mounts read-only: prints what happened to each. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    char line[256] = "";
    FILE *in = fopen("/data/in.txt", "r");
    if (!in || !fgets(line, sizeof line, in)) {
        printf("read /data/in.txt: %s\n", strerror(errno));
        return 1;
    }
    fclose(in);
    printf("read: %s", line);
    FILE *out = fopen("/data/out.txt", "w");
    if (!out || fprintf(out, "written by the guest\n") < 0 || fclose(out)) {
        printf("write /data/out.txt: %s\n", strerror(errno));
        return 1;
    }
    printf("wrote /data/out.txt\n");
    FILE *ro = fopen("/ro/new.txt", "w");
    printf("write /ro/new.txt: %s\n", ro ? "allowed" : strerror(errno));
    return 0;
}
