/* app_build.c: building an app's components (app_build.h). A build is the manifest's shell
 * command, run with /bin/sh in the project directory; its output is kept and shown only when
 * it fails. The toolchain is looked for first, so a missing one is named with the package
 * that brings it rather than left to a shell's "command not found". */
#include "cli/app_build.h"

#include "cli.h"
#include "util/strf.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- modification times ---- */

static int64_t mtime_ns(const struct stat *sb)
{
    return (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
}

/* The newest mtime under path (a file, or a directory walked to depth 16; hidden entries
 * and node_modules skipped), 0 when it does not exist. */
static int64_t newest(const char *path, int depth)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return 0;
    int64_t t = mtime_ns(&sb);
    if (!S_ISDIR(sb.st_mode) || depth > 16)
        return t;
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.' || !strcmp(de->d_name, "node_modules"))
            continue;
        char *sub = strf("%s/%s", path, de->d_name);
        int64_t s = sub ? newest(sub, depth + 1) : 0;
        free(sub);
        if (s > t)
            t = s;
    }
    if (d)
        closedir(d);
    return t;
}

static int64_t component_sources(const AppManifest *m, const AppComponent *k)
{
    int64_t t = newest(m->file, 0);
    for (size_t i = 0; i < k->sources.n; i++) {
        int64_t s = newest(k->sources.v[i], 0);
        if (s > t)
            t = s;
    }
    return t;
}

/* The stamp a checked build leaves, .corral/built/ID: the module's mtime and size then. A
 * module without a matching stamp (a build killed halfway, a file written by hand) is not
 * taken for a fresh build. Owned text, or NULL when memory is short. */
static char *stamp_path(const AppComponent *k)
{
    return strf(".corral/built/%s", k->id);
}

static void stamp_text(const struct stat *sb, char *buf, size_t cap)
{
    snprintf(buf, cap, "%lld %lld\n", (long long)mtime_ns(sb), (long long)sb->st_size);
}

static bool stamp_matches(const AppComponent *k, const struct stat *sb)
{
    char *path = stamp_path(k), want[64], got[64] = "";
    FILE *f = path ? fopen(path, "r") : NULL;
    free(path);
    if (!f)
        return false;
    if (!fgets(got, sizeof got, f))
        got[0] = '\0';
    fclose(f);
    stamp_text(sb, want, sizeof want);
    return !strcmp(want, got);
}

static void stamp_write(const AppComponent *k)
{
    struct stat sb;
    char *path = stamp_path(k), text[64];
    mkdir(".corral", 0777);
    mkdir(".corral/built", 0777);
    if (path && stat(k->wasm, &sb) == 0) {
        FILE *f = fopen(path, "w");
        stamp_text(&sb, text, sizeof text);
        if (f) {
            fputs(text, f);
            fclose(f);
        }
    }
    free(path);
}

bool app_component_stale(const AppManifest *m, const AppComponent *k)
{
    struct stat sb;
    if (stat(k->wasm, &sb) != 0)
        return true;
    return k->build && (component_sources(m, k) > mtime_ns(&sb) || !stamp_matches(k, &sb));
}

int64_t app_sources_mtime(const AppManifest *m)
{
    int64_t t = newest(m->file, 0);
    for (size_t i = 0; i < m->ncomponents; i++) {
        int64_t s = component_sources(m, &m->components[i]);
        if (s > t)
            t = s;
    }
    return t;
}

/* ---- toolchains ---- */

/* The executable name in the n-th directory of PATH that has one (n from 0), owned; NULL
 * when fewer have it. */
static char *find_in_path(const char *name, int nth)
{
    const char *path = getenv("PATH");
    for (const char *p = path ? path : ""; *p;) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *cand = strf("%.*s/%s", (int)n, n ? p : ".", name);
        if (cand && access(cand, X_OK) == 0 && nth-- == 0)
            return cand;
        free(cand);
        p += n + (end != NULL);
    }
    return NULL;
}

/* What a component's build needs first: the directory to put before PATH (owned, or NULL). */
typedef struct Toolchain {
    char *path_prefix;
} Toolchain;

static int missing(const AppBuildOpts *o, const AppComponent *k, const char *tool,
                   const char *how)
{
    cli_error("%s: component \"%s\" (%s): %s not found on PATH: %s", o->cmd, k->id, k->language,
              tool, how);
    return CLI_EXIT_FAIL;
}

/* True when rustc's sysroot has the wasm32-wasi standard library. */
static bool has_wasi_std(const char *rustc)
{
    char *cmd = strf("'%s' --print sysroot 2>/dev/null", rustc);
    FILE *p = cmd ? popen(cmd, "r") : NULL;
    char root[4096] = "";
    if (p) {
        if (!fgets(root, sizeof root, p))
            root[0] = '\0';
        pclose(p);
    }
    free(cmd);
    root[strcspn(root, "\n")] = '\0';
    char *lib = strf("%s/lib/rustlib/wasm32-wasi", root);
    struct stat sb;
    bool ok = root[0] && lib && stat(lib, &sb) == 0;
    free(lib);
    return ok;
}

/* A rustc on PATH whose sysroot has the wasm32-wasi standard library (Debian's, with
 * libstd-rust-dev-wasm32; a rustup one without that target, often first on PATH, is passed
 * over). */
static int find_rustc(const AppBuildOpts *o, const AppComponent *k, Toolchain *tc)
{
    char *first = find_in_path("rustc", 0);
    for (int i = 0; first; i++) {
        char *rustc = find_in_path("rustc", i);
        if (!rustc)
            break;
        if (has_wasi_std(rustc)) {
            *strrchr(rustc, '/') = '\0';
            tc->path_prefix = rustc;
            free(first);
            return 0;
        }
        free(rustc);
    }
    if (!first)
        return missing(o, k, "rustc",
                       "install the Debian packages rustc and libstd-rust-dev-wasm32 "
                       "(apt-get install rustc libstd-rust-dev-wasm32)");
    cli_error("%s: component \"%s\" (rust): no rustc on PATH can build for wasm32-wasi (%s has "
              "no lib/rustlib/wasm32-wasi): install the Debian packages rustc and "
              "libstd-rust-dev-wasm32, whose /usr/bin/rustc has it",
              o->cmd, k->id, first);
    free(first);
    return CLI_EXIT_FAIL;
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Runs cmd with /bin/sh in the current directory, PATH prefixed by prefix (NULL: none), its
 * stdout and stderr collected into *out (owned, NUL-terminated; the first MiB). Returns the
 * wait status, or -1 when it could not start. */
static int run_shell(const char *cmd, const char *prefix, char **out)
{
    int fds[2];
    *out = NULL;
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        /* The build gets the signals corral up keeps for its own sigwait. */
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_UNBLOCK, &all, NULL);
        signal(SIGPIPE, SIG_DFL);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        if (prefix) {
            const char *path = getenv("PATH");
            char *np = strf("%s:%s", prefix, path ? path : "/usr/bin:/bin");
            if (np)
                setenv("PATH", np, 1);
        }
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0, cap = 4096, max = 1 << 20;
    char *buf = malloc(cap + 1);
    for (;;) {
        char chunk[4096];
        ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (buf && len + (size_t)n <= max) {
            if (len + (size_t)n > cap) {
                char *b = realloc(buf, (cap = 2 * (len + (size_t)n)) + 1);
                if (!b) {
                    free(buf);
                    buf = NULL;
                    continue;
                }
                buf = b;
            }
            memcpy(buf + len, chunk, (size_t)n);
            len += (size_t)n;
        }
    }
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (buf)
        buf[len] = '\0';
    *out = buf;
    return status;
}

static int find_c(const AppBuildOpts *o, const AppComponent *k, Toolchain *tc)
{
    (void)tc;
    static const struct {
        const char *tool, *package;
    } tools[] = {{"clang", "clang"}, {"wasm-ld", "lld"}};
    for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++) {
        char *at = find_in_path(tools[i].tool, 0);
        free(at);
        if (!at) {
            char how[200];
            snprintf(how, sizeof how,
                     "install the Debian package %s (C components need clang, lld, wasi-libc and "
                     "libclang-rt-14-dev-wasm32)",
                     tools[i].package);
            return missing(o, k, tools[i].tool, how);
        }
    }
    if (!exists("/usr/lib/wasm32-wasi/libc.a")) {
        cli_error("%s: component \"%s\" (c): the WASI C library is missing "
                  "(/usr/lib/wasm32-wasi/libc.a): install the Debian package wasi-libc",
                  o->cmd, k->id);
        return CLI_EXIT_FAIL;
    }
    return 0;
}

/* node, and asc in the project's node_modules: installed with npm (package.json) when
 * missing. */
static int find_asc(const AppBuildOpts *o, const AppComponent *k, Toolchain *tc)
{
    char *node = find_in_path("node", 0);
    free(node);
    if (!node)
        return missing(o, k, "node",
                       "install the Debian package nodejs (and npm, which installs the "
                       "AssemblyScript compiler, the npm package assemblyscript)");
    if (!exists("node_modules/.bin/asc")) {
        char *npm = find_in_path("npm", 0);
        free(npm);
        if (!npm)
            return missing(o, k, "asc (the AssemblyScript compiler)",
                           "install the Debian package npm, then corral build runs npm install "
                           "for the npm package assemblyscript");
        if (!exists("package.json")) {
            cli_error("%s: component \"%s\" (assemblyscript): no node_modules/.bin/asc and no "
                      "package.json to install it from: add the npm package assemblyscript "
                      "(npm install --save-dev assemblyscript @assemblyscript/wasi-shim)",
                      o->cmd, k->id);
            return CLI_EXIT_FAIL;
        }
        if (!o->quiet)
            fprintf(stderr, "corral: installing the AssemblyScript compiler: npm install\n");
        char *out = NULL;
        int st = run_shell("npm install --no-audit --no-fund --prefer-offline --loglevel=error",
                           NULL, &out);
        if (st != 0 || !exists("node_modules/.bin/asc")) {
            if (out && *out)
                fputs(out, stderr);
            cli_error("%s: component \"%s\" (assemblyscript): npm install failed, so asc (the npm "
                      "package assemblyscript) is missing; is the npm registry reachable?",
                      o->cmd, k->id);
            free(out);
            return CLI_EXIT_FAIL;
        }
        free(out);
    }
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd) || !(tc->path_prefix = strf("%s/node_modules/.bin", cwd)))
        return CLI_EXIT_FAIL;
    return 0;
}

static const struct {
    const char *name;
    int (*find)(const AppBuildOpts *o, const AppComponent *k, Toolchain *tc);
} languages[] = {
#define X(name, toolchain) {name, toolchain},
#include "cli/languages.def"
#undef X
};

static int toolchain(const AppBuildOpts *o, const AppComponent *k, Toolchain *tc)
{
    for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++)
        if (!strcmp(k->language, languages[i].name))
            return languages[i].find ? languages[i].find(o, k, tc) : 0;
    return 0; /* the manifest accepts only the languages above */
}

/* ---- one component ---- */

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Makes the directories above path. */
static void make_parents(const char *path)
{
    char *p = strdup(path);
    for (char *s = p ? strchr(p + 1, '/') : NULL; s; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(p, 0777);
        *s = '/';
    }
    free(p);
}

/* The module is valid (the engine's validation, all features of 3.0); a message otherwise. */
static int check_module(const AppBuildOpts *o, const AppComponent *k)
{
    uint8_t *bytes;
    size_t len;
    if (!cli_read_file(k->wasm, &bytes, &len))
        return CLI_EXIT_FAIL;
    corral_config_t cfg;
    corral_config_default(&cfg);
    corral_engine_t *engine = corral_engine_new(&cfg);
    corral_error_t *err = engine ? corral_module_validate(engine, bytes, len) : NULL;
    free(bytes);
    int r = 0;
    if (!engine || err) {
        char off[32] = "";
        if (err && corral_error_offset(err) != SIZE_MAX)
            cli_format_offset(corral_error_offset(err), off, sizeof off);
        cli_error("%s: component \"%s\": %s is not a valid WebAssembly module: %s%s%s", o->cmd,
                  k->id, k->wasm, off, *off ? ": " : "",
                  err ? corral_error_message(err) : "out of memory");
        r = CLI_EXIT_FAIL;
    }
    corral_error_delete(err);
    corral_engine_delete(engine);
    return r;
}

static void report(const AppBuildOpts *o, const AppComponent *k, const char *status,
                   double secs, const char *error)
{
    if (!o->report)
        return;
    json_t *j = json_pack("{s:s, s:s, s:s, s:f}", "id", k->id, "wasm", k->wasm, "status", status,
                          "seconds", secs);
    if (j && error)
        json_object_set_new(j, "error", json_string(error));
    if (j)
        json_array_append_new(o->report, j);
}

static int build_one(const AppManifest *m, const AppComponent *k, const AppBuildOpts *o,
                     size_t step, size_t nsteps)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!k->build) {
        if (!exists(k->wasm)) {
            cli_error("%s: component \"%s\": %s does not exist and the component has no 'build' "
                      "command (%s:%u)",
                      o->cmd, k->id, k->wasm, m->file, (unsigned)k->line);
            report(o, k, "failed", 0, "missing module");
            return CLI_EXIT_FAIL;
        }
        int r = check_module(o, k);
        report(o, k, r ? "failed" : "prebuilt", 0, r ? "invalid module" : NULL);
        return r;
    }
    Toolchain tc = {0};
    int r = toolchain(o, k, &tc);
    if (r) {
        free(tc.path_prefix);
        report(o, k, "failed", 0, "toolchain missing");
        return r;
    }
    if (!o->quiet)
        fprintf(stderr, "corral: [%zu/%zu] building %s (%s): %s\n", step, nsteps, k->id,
                k->language, k->build);
    make_parents(k->wasm);
    char *stamp = stamp_path(k);
    if (stamp)
        unlink(stamp); /* until this build is checked, the module is not a fresh one */
    free(stamp);
    char *out = NULL;
    int st = run_shell(k->build, tc.path_prefix, &out);
    free(tc.path_prefix);
    if (st != 0) {
        if (out && *out)
            fputs(out, stderr);
        unlink(k->wasm); /* no stale or half-written module may pass for this build's */
        if (st == -1)
            cli_error("%s: component \"%s\": cannot start /bin/sh: %s", o->cmd, k->id,
                      strerror(errno));
        else if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
            cli_error("%s: component \"%s\": the build command failed: a program it runs was not "
                      "found (%s:%u: build = \"%s\")",
                      o->cmd, k->id, m->file, (unsigned)k->line, k->build);
        else
            cli_error("%s: component \"%s\": the build failed (exit status %d; its output is "
                      "above): %s",
                      o->cmd, k->id, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
                      k->build);
        free(out);
        report(o, k, "failed", seconds_since(&t0), "build failed");
        return CLI_EXIT_FAIL;
    }
    free(out);
    if (!exists(k->wasm)) {
        cli_error("%s: component \"%s\": the build succeeded but did not write %s (%s:%u: wasm)",
                  o->cmd, k->id, k->wasm, m->file, (unsigned)k->line);
        report(o, k, "failed", seconds_since(&t0), "no module written");
        return CLI_EXIT_FAIL;
    }
    if ((r = check_module(o, k)) != 0) {
        unlink(k->wasm);
        report(o, k, "failed", seconds_since(&t0), "invalid module");
        return r;
    }
    stamp_write(k);
    double secs = seconds_since(&t0);
    if (!o->quiet)
        fprintf(stderr, "corral: [%zu/%zu] built %s in %.2f s\n", step, nsteps, k->wasm, secs);
    report(o, k, "built", secs, NULL);
    return 0;
}

int app_build(const AppManifest *m, const AppBuildOpts *o)
{
    size_t nsteps = 0, step = 0;
    for (size_t i = 0; i < m->ncomponents; i++)
        nsteps += o->force || app_component_stale(m, &m->components[i]);
    for (size_t i = 0; i < m->ncomponents; i++) {
        const AppComponent *k = &m->components[i];
        if (!o->force && !app_component_stale(m, k)) {
            report(o, k, "fresh", 0, NULL);
            continue;
        }
        int r = build_one(m, k, o, ++step, nsteps);
        if (r)
            return r;
    }
    if (!o->quiet && nsteps == 0)
        fprintf(stderr, "corral: %s: every component is up to date\n", m->name);
    return 0;
}
