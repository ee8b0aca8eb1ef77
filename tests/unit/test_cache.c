/* test_cache.c: the compiled-code cache: default directory from the environment, keys that
 * change with every input, store and load in a scratch directory, absent entries, hostile
 * keys, and two threads storing at once leaving one whole file and no temporary files. */
#include "compile/cache.h"
#include "unit.h"
#include "util/fs.h"

#include <dirent.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_default_dir(void)
{
    char out[256];
    setenv("XDG_CACHE_HOME", "/x/cache", 1);
    setenv("HOME", "/home/u", 1);
    CHECK(cache_default_dir(out, sizeof out) == 0 && strcmp(out, "/x/cache/corral") == 0, out);
    setenv("XDG_CACHE_HOME", "relative", 1);
    CHECK(cache_default_dir(out, sizeof out) == 0 && strcmp(out, "/home/u/.cache/corral") == 0,
          "relative XDG_CACHE_HOME ignored");
    unsetenv("XDG_CACHE_HOME");
    CHECK(cache_default_dir(out, sizeof out) == 0 && strcmp(out, "/home/u/.cache/corral") == 0,
          out);
    CHECK(cache_default_dir(out, 5) == -1, "too small");
    unsetenv("HOME");
    CHECK(cache_default_dir(out, sizeof out) == -1, "neither set");
}

static void test_keys(void)
{
    uint8_t sha[32] = {1, 2, 3}, sha2[32] = {1, 2, 4};
    char k[7][65];
    cache_key(sha, "0.4.0", "x86_64-linux-gnu", 0, 0, "gcc 12", k[0]);
    cache_key(sha2, "0.4.0", "x86_64-linux-gnu", 0, 0, "gcc 12", k[1]);
    cache_key(sha, "0.4.1", "x86_64-linux-gnu", 0, 0, "gcc 12", k[2]);
    cache_key(sha, "0.4.0", "aarch64-linux-gnu", 0, 0, "gcc 12", k[3]);
    cache_key(sha, "0.4.0", "x86_64-linux-gnu", 1, 0, "gcc 12", k[4]);
    cache_key(sha, "0.4.0", "x86_64-linux-gnu", 0, 1, "gcc 12", k[5]);
    cache_key(sha, "0.4.0", "x86_64-linux-gnu", 0, 0, "gcc 13", k[6]);
    int same = 0;
    for (int i = 0; i < 7; i++)
        for (int j = i + 1; j < 7; j++)
            same += strcmp(k[i], k[j]) == 0;
    CHECK(same == 0, "every input changes the key");
    char again[65], shifted1[65], shifted2[65];
    cache_key(sha, "0.4.0", "x86_64-linux-gnu", 0, 0, "gcc 12", again);
    CHECK(strcmp(again, k[0]) == 0, "deterministic");
    CHECK(strlen(k[0]) == 64 && strspn(k[0], "0123456789abcdef") == 64, "64 hex digits");
    /* Length prefixes: moving a character from one string to the next changes the key. */
    cache_key(sha, "0.4.0x", "86_64", 0, 0, "", shifted1);
    cache_key(sha, "0.4.0", "x86_64", 0, 0, "", shifted2);
    CHECK(strcmp(shifted1, shifted2) != 0, "strings are delimited");
}


typedef struct Writer {
    const char *dir;
    uint8_t *data;
    size_t len;
    int failures;
} Writer;

static void *writer(void *arg)
{
    Writer *w = arg;
    char err[256];
    for (int i = 0; i < 20; i++)
        w->failures += cache_store(w->dir, "samekey", w->data, w->len, err, sizeof err) != 0;
    return NULL;
}

static void test_store_load(const char *root)
{
    char dir[256], err[512], name[512];
    snprintf(dir, sizeof dir, "%s/a/b/corral", root);
    uint8_t *buf;
    size_t len;
    CHECK(cache_load(dir, "k1", &buf, &len, err, sizeof err) == 1, "absent: no directory");
    const uint8_t data[] = "artifact bytes";
    CHECK(cache_store(dir, "k1", data, sizeof data, err, sizeof err) == 0, err);
    struct stat st;
    CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "directory made 0700");
    CHECK(cache_load(dir, "k1", &buf, &len, err, sizeof err) == 0 && len == sizeof data &&
              memcmp(buf, data, len) == 0,
          "round trip");
    free(buf);
    CHECK(cache_load(dir, "k2", &buf, &len, err, sizeof err) == 1, "absent key");
    CHECK(unit_dir_entries(dir, name, sizeof name) == 1 && strcmp(name, "k1.cwasm") == 0, name);
    /* Overwrite with other bytes. */
    CHECK(cache_store(dir, "k1", (const uint8_t *)"x", 1, err, sizeof err) == 0, err);
    CHECK(cache_load(dir, "k1", &buf, &len, err, sizeof err) == 0 && len == 1 && buf[0] == 'x',
          "overwritten");
    free(buf);
    /* Keys are file names, nothing else. */
    CHECK(cache_store(dir, "../evil", data, 1, err, sizeof err) == -1 && strstr(err, "bad key"),
          "key with a slash refused");
    CHECK(cache_load(dir, "", &buf, &len, err, sizeof err) == -1, "empty key refused");
    /* A directory where the file should be is an error, not absent. */
    snprintf(name, sizeof name, "%s/d.cwasm", dir);
    mkdir(name, 0700);
    CHECK(cache_load(dir, "d", &buf, &len, err, sizeof err) == -1, "not a regular file");
    rmdir(name);

    /* Two threads storing the same key (different lengths, so a mix would show). */
    char cdir[256];
    snprintf(cdir, sizeof cdir, "%s/concurrent", root);
    Writer w[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        w[i] = (Writer){cdir, malloc(100000 + i), 100000 + (size_t)i, 0};
        memset(w[i].data, 'a' + i, w[i].len);
        pthread_create(&t[i], NULL, writer, &w[i]);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK(w[0].failures + w[1].failures == 0, "concurrent stores succeed");
    CHECK(cache_load(cdir, "samekey", &buf, &len, err, sizeof err) == 0, err);
    int whole = (len == 100000 && buf[0] == 'a' && buf[len - 1] == 'a') ||
                (len == 100001 && buf[0] == 'b' && buf[len - 1] == 'b');
    CHECK(whole, "one writer's whole file");
    free(buf);
    CHECK(unit_dir_entries(cdir, name, sizeof name) == 1 && strcmp(name, "samekey.cwasm") == 0,
          "no temporary files left");
    free(w[0].data);
    free(w[1].data);

    /* A directory that cannot be made. */
    snprintf(name, sizeof name, "%s/file", root);
    FILE *f = fopen(name, "w");
    if (f)
        fclose(f);
    snprintf(cdir, sizeof cdir, "%s/file/sub", root);
    CHECK(cache_store(cdir, "k", data, 1, err, sizeof err) == -1 &&
              strstr(err, "cannot create directory"),
          err);
    CHECK(cache_load(cdir, "k", &buf, &len, err, sizeof err) == 1, "under a file: absent");
}

int main(void)
{
    char root[] = "/tmp/corral-cache-test-XXXXXX";
    if (!mkdtemp(root))
        return 1;
    test_default_dir();
    test_keys();
    test_store_load(root);
    fs_remove_tree(root);
    return unit_report("test_cache");
}
