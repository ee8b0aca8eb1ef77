/* volume.c: reads /data/in.txt, writes /data/out.txt, and tries to write under /ro, which the
 * test mounts read-only: prints what happened to each. `volume.wasm write PATH` only writes
 * PATH (into the image's own rootfs, say) and prints the outcome. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int write_one(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs("written\n", f) < 0 || fclose(f)) {
        printf("write %s: %s\n", path, strerror(errno));
        return 1;
    }
    printf("wrote %s\n", path);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "write"))
        return write_one(argv[2]);
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
