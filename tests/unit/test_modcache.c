/* test_modcache.c: the gateway's module cache files (src/gateway/modcache.c): a file appears
 * whole under its name or not at all, what is written is checked against the digest and size
 * wanted, a cached file is good only while its bytes hash to its digest, and a temporary cache
 * goes away with everything in it. */
#include "gateway/modcache.h"
#include "unit.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* sha256("hello\n") */
#define HELLO_SHA "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"


int main(void)
{
    ModCache c;
    char *err = NULL;
    CHECK(modcache_open(&c, NULL, &err) && c.temporary, "a temporary cache");
    if (!c.dir)
        return unit_report("test_modcache");
    char key[MODCACHE_HEX];
    modcache_key("hello\n", key);
    CHECK(!strcmp(key, HELLO_SHA), "modcache_key is sha256 in lower-case hex");

    char *path = modcache_path(&c, "sub/dir/file");
    ModCacheWriter w;
    CHECK(modcache_begin(&w, path, &err), "begin: the directories are made");
    fputs("hello\n", w.f);
    CHECK(access(path, F_OK) != 0, "nothing under the final name while it is written");
    char got[MODCACHE_HEX];
    CHECK(modcache_commit(&w, HELLO_SHA, 6, got, &err) && !strcmp(got, HELLO_SHA),
          "commit: the digest and size wanted");
    CHECK(modcache_file_ok(path, HELLO_SHA, 6), "the file is there and checks out");
    CHECK(modcache_file_ok(path, HELLO_SHA, UINT64_MAX), "any size");
    CHECK(!modcache_file_ok(path, HELLO_SHA, 7), "another size: not good");
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644, "mode 0644");

    char *dir = modcache_path(&c, "sub/dir");
    CHECK(modcache_begin(&w, path, &err), "begin again");
    fputs("hellO\n", w.f);
    CHECK(!modcache_commit(&w, HELLO_SHA, 6, NULL, &err) && err && strstr(err, "its SHA-256 is "),
          "commit of other bytes: refused, saying what was found");
    free(err);
    err = NULL;
    CHECK(modcache_file_ok(path, HELLO_SHA, 6), "the old file is untouched");
    CHECK(unit_dir_entries(dir, NULL, 0) == 1, "no temporary file left");
    CHECK(modcache_begin(&w, path, &err), "begin, then abort");
    fputs("x", w.f);
    modcache_abort(&w);
    CHECK(unit_dir_entries(dir, NULL, 0) == 1 && modcache_file_ok(path, HELLO_SHA, 6), "abort leaves nothing");
    CHECK(modcache_begin(&w, path, &err), "begin a short one");
    fputs("hello", w.f);
    CHECK(!modcache_commit(&w, "0000", 6, NULL, &err), "a wrong digest");
    free(err);
    err = NULL;

    char *link = modcache_path(&c, "link");
    CHECK(symlink(path, link) == 0 && !modcache_file_ok(link, HELLO_SHA, 6),
          "a symbolic link is not a cache file");
    char *cdir = strdup(c.dir);
    modcache_close(&c);
    CHECK(access(cdir, F_OK) != 0, "a temporary cache is removed, with what it held");

    CHECK(!modcache_open(&c, "/proc/self/cannot/be", &err) && err &&
              strstr(err, "cannot create the module cache /proc/self/cannot/be"),
          "a cache that cannot be made");
    free(err);
    free(cdir);
    free(link);
    free(dir);
    free(path);
    return unit_report("test_modcache");
}
