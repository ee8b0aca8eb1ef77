/* app.c: the guest of tests/dist. Its answer says which handler ran (main, or the export
 * "other" for a bindle parcel's feature.wagi.entrypoint), its argv (for feature.wagi.argv),
 * the build's TAG (-DTAG=..., so two builds differ byte for byte) and then, by the first
 * word of QUERY_STRING:
 *   ls         every file under the guest's "/" with its size, recursively (a bindle's
 *              assets), or "ls: <error>"
 *   cat=PATH   the file's bytes
 *   write      tries to create /new.txt: "write: ok" or "write: <error>" (assets are
 *              read-only) */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef TAG
#define TAG "app"
#endif

static void list(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        printf("ls %s: %s\n", dir, strerror(errno));
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                 e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            printf("%s: %s\n", path, strerror(errno));
        else if (S_ISDIR(st.st_mode))
            list(path);
        else
            printf("%s %lld\n", path, (long long)st.st_size);
    }
    closedir(d);
}

static void cat(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("cat %s: %s\n", path, strerror(errno));
        return;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(f);
}

static void answer(const char *handler, int argc, char **argv)
{
    const char *q = getenv("QUERY_STRING");
    printf("Content-Type: text/plain\n\nhandler %s\ntag %s\nargv", handler, TAG);
    for (int i = 0; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    if (q && !strcmp(q, "ls"))
        list("/");
    else if (q && !strncmp(q, "cat=", 4))
        cat(q + 4);
    else if (q && !strcmp(q, "write")) {
        FILE *f = fopen("/new.txt", "w");
        printf("write: %s\n", f ? "ok" : strerror(errno));
        if (f)
            fclose(f);
    }
}

__attribute__((export_name("other"))) void other(void)
{
    answer("other", 0, NULL);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    answer("main", argc, argv);
    return 0;
}
