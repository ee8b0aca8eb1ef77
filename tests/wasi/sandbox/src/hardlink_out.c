/* hardlink_out: hard links cannot reach files outside the preopen: not by "..", not through a
 * symlink to the outside (with SYMLINK_FOLLOW the call is refused: ENOTCAPABLE, or EINVAL
 * where following is not supported), not into an outside directory. Linking a symlink itself
 * (no follow) is allowed and gives another symlink that is still refused when opened, even
 * when its relative target now climbs out. The host checks the secret's link count. */
#include "escape.h"

static void verdict(const char *what, int e)
{
    printf("%s: %s\n", what,
           e == __WASI_ERRNO_NOTCAPABLE || e == __WASI_ERRNO_INVAL ? "refused" : wt_errstr(e));
}

int main(void)
{
    const __wasi_fd_t S = WT_PREOPEN;
    printf("link ../outside/secret.txt -> stolen1: %s\n",
           wt_errstr(__wasi_path_link(S, 0, "../outside/secret.txt", S, "stolen1")));
    printf("link up/outside/secret.txt -> stolen2: %s\n",
           wt_errstr(__wasi_path_link(S, 0, "up/outside/secret.txt", S, "stolen2")));
    printf("link out-dir-abs/secret.txt -> stolen3: %s\n",
           wt_errstr(__wasi_path_link(S, 0, "out-dir-abs/secret.txt", S, "stolen3")));
    verdict("link (follow) out-abs -> stolen4", __wasi_path_link(S, F, "out-abs", S, "stolen4"));
    verdict("link (follow) out-rel -> stolen5", __wasi_path_link(S, F, "out-rel", S, "stolen5"));
    printf("link inside.txt -> ../corral-escape-hard: %s\n",
           wt_errstr(__wasi_path_link(S, 0, "inside.txt", S, "../corral-escape-hard")));
    printf("link inside.txt -> out-dir-abs/corral-hard: %s\n",
           wt_errstr(__wasi_path_link(S, 0, "inside.txt", S, "out-dir-abs/corral-hard")));
    try_open("open stolen4", S, F, "stolen4", 0, R);

    wt_report("link (no follow) out-abs -> copy-of-link",
              __wasi_path_link(S, 0, "out-abs", S, "copy-of-link"));
    try_open("open copy-of-link", S, F, "copy-of-link", 0, R);
    wt_report("link (no follow) sub/deep-out -> moved-up",
              __wasi_path_link(S, 0, "sub/deep-out", S, "moved-up"));
    try_open("open moved-up", S, F, "moved-up", 0, R);
    wt_report("link (no follow) sub/ok-up -> ok-up-here",
              __wasi_path_link(S, 0, "sub/ok-up", S, "ok-up-here"));
    try_open("open ok-up-here (now ../inside.txt from the root)", S, F, "ok-up-here", 0, R);
    wt_report("link inside.txt -> sub/inside-again",
              __wasi_path_link(S, 0, "inside.txt", S, "sub/inside-again"));
    open_inside("open sub/inside-again", S, F, "sub/inside-again", 0);
    return 0;
}
