/* test_fs.c: src/util/fs.c, mkdir -p: nested directories, what exists already, a file in
 * the way, odd slashes, a directory part of a file path, and several processes making the
 * same tree at once. */
#include "unit.h"
#include "util/fs.h"

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmp[64];

static const char *at(const char *rel)
{
    static char p[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof p[i], "%s/%s", tmp, rel);
    return p[i];
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    return remove(path);
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/corral_test_fs.XXXXXX");
    if (!mkdtemp(tmp)) {
        perror("test_fs: mkdtemp");
        return 1;
    }
    CHECK(fs_mkdirs(at("a/b/c"), 0755) && is_dir(at("a/b/c")), "a/b/c, parents included");
    CHECK(fs_mkdirs(at("a/b/c"), 0755), "again: it exists, fine");
    CHECK(fs_mkdirs(at("a"), 0755), "an existing parent alone");
    CHECK(fs_mkdirs(at("d//e/"), 0755) && is_dir(at("d/e")), "doubled and trailing slashes");
    CHECK(fs_mkdirs(tmp, 0755), "an absolute path that exists");
    FILE *f = fopen(at("file"), "w");
    if (f)
        fclose(f);
    errno = 0;
    CHECK(!fs_mkdirs(at("file"), 0755) && errno == ENOTDIR, "a file is not a directory");
    errno = 0;
    CHECK(!fs_mkdirs(at("file/x/y"), 0755) && errno == ENOTDIR, "nor a file as a parent");
    errno = 0;
    CHECK(!fs_mkdirs("", 0755) && errno == ENOENT, "an empty path: ENOENT");
    CHECK(fs_mkdirs_for(at("f/g/kv.db"), 0755) && is_dir(at("f/g")) && !is_dir(at("f/g/kv.db")),
          "fs_mkdirs_for: the directory part of a file path");
    CHECK(fs_mkdirs_for("kv.db", 0755) && fs_mkdirs_for("/kv.db", 0755),
          "fs_mkdirs_for: nothing to make");
    /* 8 processes making one deep tree at the same instant: every one succeeds. */
    int go[2];
    CHECK(pipe(go) == 0, "pipe");
    fflush(NULL);
    pid_t kids[8];
    for (int i = 0; i < 8; i++)
        if ((kids[i] = fork()) == 0) {
            char c;
            close(go[1]);
            (void)!read(go[0], &c, 1);
            _exit(fs_mkdirs(at("race/1/2/3/4/5/6/7/8/9"), 0755) ? 0 : 1);
        }
    close(go[0]);
    usleep(20000);
    close(go[1]);
    int ok = 0;
    for (int i = 0; i < 8; i++) {
        int st = 1;
        ok += kids[i] > 0 && waitpid(kids[i], &st, 0) == kids[i] && WIFEXITED(st) &&
              WEXITSTATUS(st) == 0;
    }
    CHECK(ok == 8 && is_dir(at("race/1/2/3/4/5/6/7/8/9")), "8 processes racing: all succeed");
    if (nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "test_fs: could not remove %s\n", tmp);
    return unit_report("test_fs");
}
