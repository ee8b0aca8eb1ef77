/* cc.c: runs the system C compiler on generated C (cc.h). One temporary directory per call
 * holds m.c, m.so and the compiler's diagnostics; the compiler is spawned without a shell, with
 * stdin on /dev/null, and waited for. The flag list below is the only one: the identity that
 * goes into cache keys and artifact headers is printed from it too. */
#include "compile/cc.h"
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Every compilation's flags, between the command's words and "-o m.so m.c". NULL stands for
 * the -O level. Why each: docs/design/compiled.md, section 9 ("Flags the generated code's
 * semantics depend on"); -fno-strict-aliasing because generated code moves values between
 * types through memory; -w because the diagnostics kept are the errors. */
static const char *const FLAGS[] = {
    "-std=gnu11",       NULL,
    "-fPIC",            "-shared",
    "-fvisibility=hidden",
    "-ffp-contract=off", /* no FMA: the interpreter rounds every operation */
    "-fsignaling-nans",  /* no folding of x*1 that would keep a signalling NaN */
    "-fno-optimize-sibling-calls", /* unbounded recursion must reach the stack's end */
    "-fstack-clash-protection", /* big frames probe each page: none skips the guard page */
    "-fno-reorder-blocks-and-partition", /* cold code stays in its function: backtraces map
                                          * an address to the function before it */
    "-fno-math-errno",   "-fno-strict-aliasing",
    "-w", "-s", /* no symbol table: a smaller artifact to hash and map */
    /* Neither crtbeginS/crtendS nor libc: no init/fini code or arrays and none of the weak
     * undefined symbols (__cxa_finalize, _ITM_*, __gmon_start__) that dlopen would look up in
     * every loaded library; libgcc comes back as LIBS below. Code and read-only data in one
     * segment: fewer mappings. Load and unload measured 90 -> 67 us, 22 KB -> 17 KB. */
    "-nostdlib", "-Wl,-z,noseparate-code",
};
#define NFLAGS (sizeof FLAGS / sizeof FLAGS[0])
/* After the source: libgcc's static helpers (__popcountdi2 for popcnt on the x86-64
 * baseline), linked into the object. The object then imports nothing but libm's nearbyint
 * (f32/f64.nearest), which the process has. */
static const char *const LIBS[] = {"-lgcc"};
#define NLIBS (sizeof LIBS / sizeof LIBS[0])
#define MAX_WORDS 16   /* of the compiler command */
#define ERR_LINES 8    /* of diagnostics kept in a message */

/* A command line: the compiler's words (split in place in text) and what follows. */
typedef struct Cmd {
    char text[512];
    char opt[16];
    char *argv[MAX_WORDS + NFLAGS + NLIBS + 8];
    int argc;
} Cmd;

static const char *cc_command(const CcConfig *cfg)
{
    if (cfg && cfg->cc && cfg->cc[0])
        return cfg->cc;
    const char *env = getenv("CORRAL_CC");
    return env && env[0] ? env : "cc";
}

static int opt_level(const CcConfig *cfg) { return !cfg || cfg->opt < 0 ? 2 : cfg->opt; }

static const char *tmp_root(const CcConfig *cfg)
{
    if (cfg && cfg->tmpdir && cfg->tmpdir[0])
        return cfg->tmpdir;
    const char *env = getenv("TMPDIR");
    return env && env[0] ? env : "/tmp";
}

/* Splits the compiler command into argv words; -1 when it is empty or too long. */
static int cmd_words(Cmd *c, const char *command)
{
    if (strlen(command) >= sizeof c->text)
        return -1;
    strcpy(c->text, command);
    c->argc = 0;
    char *save = NULL;
    for (char *p = strtok_r(c->text, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
        if (c->argc == MAX_WORDS)
            return -1;
        c->argv[c->argc++] = p;
    }
    return c->argc > 0 ? 0 : -1;
}

static void cmd_add_flags(Cmd *c, int opt)
{
    snprintf(c->opt, sizeof c->opt, "-O%d", opt);
    for (size_t i = 0; i < NFLAGS; i++)
        c->argv[c->argc++] = FLAGS[i] ? (char *)FLAGS[i] : c->opt;
}

static void cmd_add_libs(Cmd *c)
{
    for (size_t i = 0; i < NLIBS; i++)
        c->argv[c->argc++] = (char *)LIBS[i];
}

/* The message for a compiler that could not be started (errno e from posix_spawnp). */
static void spawn_error(const char *command, int e, char *err, size_t errlen)
{
    if (e == ENOENT)
        snprintf(err, errlen,
                 "C compiler `%s` not found: the compiled tier needs one (Debian's `gcc` package "
                 "provides `cc`), or name another in CORRAL_CC",
                 command);
    else
        snprintf(err, errlen, "cannot run C compiler `%s`: %s", command, strerror(e));
}

/* Compilers running now, each in a process group of its own, so cc_cancel_all can stop them
 * with the assembler and linker they started. */
#define MAX_RUNNING 64
static pthread_mutex_t running_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t running[MAX_RUNNING];
static bool cancelled;

static void track(pid_t pid, bool add)
{
    pthread_mutex_lock(&running_lock);
    for (int i = 0; i < MAX_RUNNING; i++) {
        if (add && running[i] == 0) {
            running[i] = pid;
            break;
        }
        if (!add && running[i] == pid) {
            running[i] = 0;
            break;
        }
    }
    if (add && cancelled)
        kill(-pid, SIGKILL);
    pthread_mutex_unlock(&running_lock);
}

void cc_cancel_all(void)
{
    pthread_mutex_lock(&running_lock);
    cancelled = true;
    for (int i = 0; i < MAX_RUNNING; i++)
        if (running[i] > 0)
            kill(-running[i], SIGKILL);
    pthread_mutex_unlock(&running_lock);
}

/* Attributes for a compiler: no signal blocked and SIGINT, SIGTERM, SIGPIPE at their default
 * actions, whatever the spawning thread has (the CLI's threads block SIGINT and SIGTERM, a
 * server ignores SIGPIPE); in a process group of its own when own_group. 0 or an errno. */
static int spawn_attr(posix_spawnattr_t *attr, bool own_group)
{
    if (posix_spawnattr_init(attr) != 0)
        return ENOMEM;
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGINT);
    sigaddset(&dfl, SIGTERM);
    sigaddset(&dfl, SIGPIPE);
    posix_spawnattr_setsigmask(attr, &none);
    posix_spawnattr_setsigdefault(attr, &dfl);
    posix_spawnattr_setpgroup(attr, 0);
    posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                       (own_group ? POSIX_SPAWN_SETPGROUP : 0));
    return 0;
}

/* Spawns argv[0] (searched in PATH) with file actions fa and waits for it; *status is its wait
 * status. Returns 0, or an errno value when it could not be started. */
static int run(char *const argv[], const posix_spawn_file_actions_t *fa, char *const envp[],
               int *status)
{
    pid_t pid;
    posix_spawnattr_t attr;
    if (spawn_attr(&attr, true) != 0)
        return ENOMEM;
    int e = posix_spawnp(&pid, argv[0], fa, &attr, argv, envp ? envp : environ);
    posix_spawnattr_destroy(&attr);
    if (e != 0)
        return e;
    track(pid, true);
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR) {
            e = errno;
            break;
        }
    }
    track(pid, false);
    return e;
}


/* Removes the temporary directory and the files in it (the compiler makes no subdirectories). */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, ".."))
                unlinkat(dirfd(d), de->d_name, 0);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* "C compiler failed: " and the first lines of the compiler's diagnostics in path. */
static void failure_message(const char *path, int status, char *err, size_t errlen)
{
    char why[64];
    if (WIFEXITED(status))
        snprintf(why, sizeof why, "exit status %d", WEXITSTATUS(status));
    else
        snprintf(why, sizeof why, "killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    uint8_t *text = NULL;
    size_t len = 0;
    if (!fs_read_file(path, &text, &len) || len == 0) {
        snprintf(err, errlen, "C compiler failed (%s) without a message", why);
        free(text);
        return;
    }
    size_t end = 0;
    int lines = 0;
    while (end < len && lines < ERR_LINES) {
        if (text[end++] == '\n')
            lines++;
    }
    while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r'))
        end--;
    snprintf(err, errlen, "C compiler failed: %.*s%s", (int)end, (const char *)text,
             end < len ? "\n..." : "");
    free(text);
}

/* Builds the command for m.c in dir and runs it there. 0 when the compiler ran (its *status
 * says how it ended), -1 with err set when it could not be started. */
static int compile_in(const CcConfig *cfg, const char *dir, int *status, char *err, size_t errlen)
{
    const char *command = cc_command(cfg);
    Cmd c;
    if (cmd_words(&c, command) != 0) {
        snprintf(err, errlen, "bad C compiler command `%s` (empty, or over %d words)", command,
                 MAX_WORDS);
        return -1;
    }
    cmd_add_flags(&c, opt_level(cfg));
    c.argv[c.argc++] = "-o";
    c.argv[c.argc++] = "m.so";
    c.argv[c.argc++] = "m.c";
    cmd_add_libs(&c);
    c.argv[c.argc] = NULL;
    char errpath[PATH_MAX + 16];
    snprintf(errpath, sizeof errpath, "%s/cc.err", dir);
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) {
        snprintf(err, errlen, "cannot run C compiler: out of memory");
        return -1;
    }
    int e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!e)
        e = posix_spawn_file_actions_addopen(&fa, 2, errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (!e)
        e = posix_spawn_file_actions_adddup2(&fa, 2, 1);
    if (!e)
        e = posix_spawn_file_actions_addchdir_np(&fa, dir);
    /* The compiler's own temporary files go into dir too, so a killed compiler
     * (cc_cancel_all) leaves nothing behind once dir is removed. */
    size_t nenv = 0;
    while (environ[nenv])
        nenv++;
    char **envp = calloc(nenv + 2, sizeof *envp);
    char tmpvar[PATH_MAX + 16];
    snprintf(tmpvar, sizeof tmpvar, "TMPDIR=%s", dir);
    if (!envp)
        e = ENOMEM;
    else {
        size_t k = 0;
        for (size_t i = 0; i < nenv; i++)
            if (strncmp(environ[i], "TMPDIR=", 7) != 0)
                envp[k++] = environ[i];
        envp[k++] = tmpvar;
        envp[k] = NULL;
    }
    if (!e)
        e = run(c.argv, &fa, envp, status);
    free(envp);
    posix_spawn_file_actions_destroy(&fa);
    if (e != 0) {
        spawn_error(command, e, err, errlen);
        return -1;
    }
    return 0;
}

int cc_compile(const CcConfig *cfg, const char *src, size_t len, uint8_t **so, size_t *so_len,
               char *err, size_t errlen)
{
    *so = NULL;
    *so_len = 0;
    if (opt_level(cfg) > 3) {
        snprintf(err, errlen, "C compiler: bad optimisation level -O%d (0 to 3)", opt_level(cfg));
        return -1;
    }
    char dir[PATH_MAX - 64], path[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s/corral-cc-XXXXXX", tmp_root(cfg)) >= (int)sizeof dir ||
        !mkdtemp(dir)) {
        snprintf(err, errlen, "cannot make a temporary directory in %s: %s", tmp_root(cfg),
                 strerror(errno));
        return -1;
    }
    int rc = -1, status = 0;
    snprintf(path, sizeof path, "%s/m.c", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || !fs_write_all(fd, src, len) || close(fd) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        goto done;
    }
    if (compile_in(cfg, dir, &status, err, errlen) != 0)
        goto done;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(path, sizeof path, "%s/cc.err", dir);
        failure_message(path, status, err, errlen);
        goto done;
    }
    snprintf(path, sizeof path, "%s/m.so", dir);
    if (!fs_read_file(path, so, so_len)) {
        snprintf(err, errlen, "C compiler wrote no readable %s: %s", path, strerror(errno));
        goto done;
    }
    rc = 0;
done:
    remove_dir(dir);
    return rc;
}

/* The first line of `command --version` into line[0..n); 0, or -1 when it cannot be run,
 * fails or prints nothing. */
static int version_line(const char *command, char *line, size_t n)
{
    Cmd c;
    if (cmd_words(&c, command) != 0)
        return -1;
    c.argv[c.argc++] = "--version";
    c.argv[c.argc] = NULL;
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    int e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!e)
        e = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (!e)
        e = posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    pid_t pid = -1;
    posix_spawnattr_t attr;
    bool has_attr = !e && !(e = spawn_attr(&attr, false));
    if (!e)
        e = posix_spawnp(&pid, c.argv[0], &fa, &attr, c.argv, environ);
    if (has_attr)
        posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    size_t got = 0;
    int whole = 0; /* the first line is complete */
    char buf[256];
    ssize_t r;
    /* Read to the end, so that the compiler never writes into a closed pipe. */
    while (e == 0 && ((r = read(p[0], buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))) {
        for (ssize_t i = 0; i < r && !whole; i++) {
            if (buf[i] == '\n')
                whole = 1;
            else if (got + 1 < n)
                line[got++] = buf[i];
        }
    }
    line[got] = '\0';
    close(p[0]);
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            e = errno;
            break;
        }
    }
    return e == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && got > 0 ? 0 : -1;
}

/* Version lines already asked for, per compiler command: `cc --version` costs a spawn. */
#define ID_CACHE 8
static struct {
    char command[256];
    char line[160];
} id_cache[ID_CACHE];
static int id_cached;
static pthread_mutex_t id_lock = PTHREAD_MUTEX_INITIALIZER;

static int cached_version_line(const char *command, char *line, size_t n)
{
    pthread_mutex_lock(&id_lock);
    for (int i = 0; i < id_cached; i++) {
        if (strcmp(id_cache[i].command, command) == 0) {
            snprintf(line, n, "%s", id_cache[i].line);
            pthread_mutex_unlock(&id_lock);
            return 0;
        }
    }
    pthread_mutex_unlock(&id_lock);
    /* Not under the lock: a spawn may take a while. Two threads may both ask; both agree. */
    char got[160];
    if (version_line(command, got, sizeof got) != 0)
        return -1;
    pthread_mutex_lock(&id_lock);
    if (id_cached < ID_CACHE && strlen(command) < sizeof id_cache[0].command) {
        snprintf(id_cache[id_cached].command, sizeof id_cache[0].command, "%s", command);
        snprintf(id_cache[id_cached].line, sizeof id_cache[0].line, "%s", got);
        id_cached++;
    }
    pthread_mutex_unlock(&id_lock);
    snprintf(line, n, "%s", got);
    return 0;
}

int cc_identity(const CcConfig *cfg, char *out, size_t n)
{
    if (n > 0)
        out[0] = '\0';
    char line[160];
    if (opt_level(cfg) > 3)
        return -1;
    if (cached_version_line(cc_command(cfg), line, sizeof line) != 0)
        return -1;
    Cmd c = {.argc = 0};
    cmd_add_flags(&c, opt_level(cfg));
    cmd_add_libs(&c);
    size_t used = (size_t)snprintf(out, n, "%s;", line);
    for (int i = 0; i < c.argc && used < n; i++)
        used += (size_t)snprintf(out + used, n - used, " %s", c.argv[i]);
    if (used >= n) {
        if (n > 0)
            out[0] = '\0';
        return -1;
    }
    return 0;
}
