/* created_links: symlinks the guest makes itself, pointing outside (relative, absolute, "/",
 * "../", winding through a subdirectory), whether or not the runtime lets it create them, never
 * lead out: opening, creating, writing or making directories through them is refused. Each
 * line says "refused" or "ESCAPED" (the errno depends on whether the link was created).
 * argv[1] is the host path of the outside directory. */
#include "escape.h"

static void through(const char *what, __wasi_lookupflags_t look, const char *path,
                    __wasi_oflags_t oflags, __wasi_rights_t rights)
{
    __wasi_fd_t fd;
    int e = __wasi_path_open(WT_PREOPEN, look, path, oflags, rights, 0, 0, &fd);
    if (e == 0)
        escaped(what, fd);
    else
        printf("%s: refused\n", what);
}

int main(int argc, char **argv)
{
    const char *outside = argc > 1 ? argv[1] : "/nonexistent";
    const __wasi_fd_t S = WT_PREOPEN;
    char abs_secret[400], abs_dir[400];
    snprintf(abs_secret, sizeof abs_secret, "%s/secret.txt", outside);
    snprintf(abs_dir, sizeof abs_dir, "%s/", outside);
    static const char *const names[] = {"mine-rel",     "mine-abs",    "mine-root",  "mine-up",
                                        "mine-winding", "mine-absdir", "mine-victim"};
    const char *targets[] = {
        "../outside/secret.txt", abs_secret, "/", "../", "sub/../../outside", abs_dir,
        "../outside/victim.txt"};
    for (int i = 0; i < 7; i++)
        (void)__wasi_path_symlink(targets[i], S, names[i]);
    printf("links attempted\n");
    through("open mine-rel", F, "mine-rel", 0, R);
    through("open mine-abs", F, "mine-abs", 0, R);
    through("open mine-root/etc/passwd", F, "mine-root/etc/passwd", 0, R);
    through("open mine-up/top-secret.txt", F, "mine-up/top-secret.txt", 0, R);
    through("open mine-up/outside/secret.txt", F, "mine-up/outside/secret.txt", 0, R);
    through("open mine-winding/secret.txt", F, "mine-winding/secret.txt", 0, R);
    through("open mine-absdir/secret.txt", F, "mine-absdir/secret.txt", 0, R);
    through("open mine-absdir as a directory", F, "mine-absdir", DIRFLAG, R);
    through("truncate through mine-victim", F, "mine-victim", TRUNC, W);
    through("write through mine-victim", F, "mine-victim", 0, W);
    through("create mine-absdir/corral-new.txt", F, "mine-absdir/corral-new.txt", CREAT, W);
    through("create mine-up/corral-escape-file", F, "mine-up/corral-escape-file", CREAT, W);
    int e = __wasi_path_create_directory(S, "mine-up/corral-escape-dir");
    printf("mkdir mine-up/corral-escape-dir: %s\n", e ? "refused" : "ESCAPED");
    e = __wasi_path_unlink_file(S, "mine-absdir/victim.txt");
    printf("unlink mine-absdir/victim.txt: %s\n", e ? "refused" : "ESCAPED");
    __wasi_filestat_t st;
    e = __wasi_path_filestat_get(S, F, "mine-rel", &st);
    printf("filestat (follow) mine-rel: %s\n", e ? "refused" : "ESCAPED");
    return 0;
}
