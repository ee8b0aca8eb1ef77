/* test_container.c: the shim's containers (container.h) driven directly, without
 * containerd: bundles made in a temporary directory (config.json and a rootfs holding a guest
 * from build/tests/wasm/), regular files as stdout/stderr and FIFOs as stdin.
 * Runs: hello (stdout, exit 0, #export), proc_exit(3), a trap (134, message and backtrace on
 * stderr), args and env, bind mounts as preopens (rw, and ro refusing writes), the memory
 * limit. Kill: a busy loop, a 10 s sleep and a blocked read each stop within 100 ms with
 * 128 + signal (a correctness bound); ignored signals; a created or stopped container.
 * Bad input: not JSON, empty args, terminal, missing module, not Wasm, unknown export,
 * root.path escaping the bundle, a symlink leading out of the rootfs. Mounts (as root): an
 * overlay rootfs, a bind rootfs, nothing left mounted after a failed create or a delete.
 * 20 containers at once; the resident memory of 100 sleeping ones; a WAGI app served by a
 * real `corral serve` child (build/corral). */
#include "shim/container.h"
#include "shim/log.h"
#include "shim/shim_int.h"
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WASM_DIR "build/tests/wasm/"
#define MS 1000000ull

static char top[64]; /* the test's temporary directory */
static int nbundles;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs(text, f);
    return fclose(f) == 0;
}

/* The whole file as a string ("" when unreadable); read to the end, so /proc files (whose
 * size reads as 0) work too. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t len = 0, cap = 4096;
    char *s = malloc(cap);
    while (f && s) {
        size_t n = fread(s + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
        if (len + 1 == cap)
            s = realloc(s, cap *= 2);
    }
    if (f)
        fclose(f);
    if (s)
        s[len] = '\0';
    return s;
}

static bool copy_file(const char *from, const char *to)
{
    size_t len;
    uint8_t *b = read_file(from, &len);
    FILE *f = b ? fopen(to, "wb") : NULL;
    bool ok = f && fwrite(b, 1, len, f) == len;
    if (f)
        ok = fclose(f) == 0 && ok;
    free(b);
    return ok;
}

/* ---- bundles ---- */

/* A bundle: dir/config.json, dir/rootfs/ (with wasm copied to rootfs/app.wasm unless NULL),
 * dir/out and dir/err (empty files, the stdout and stderr paths). */
typedef struct TBundle {
    char dir[PATH_MAX], rootfs[PATH_MAX + 8], out[PATH_MAX + 8], err[PATH_MAX + 8];
} TBundle;

static void bundle_make(TBundle *t, const char *wasm, const char *config)
{
    snprintf(t->dir, sizeof t->dir, "%s/b%d", top, nbundles++);
    snprintf(t->rootfs, sizeof t->rootfs, "%s/rootfs", t->dir);
    snprintf(t->out, sizeof t->out, "%s/out", t->dir);
    snprintf(t->err, sizeof t->err, "%s/err", t->dir);
    mkdir(t->dir, 0755);
    mkdir(t->rootfs, 0755);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/config.json", t->dir);
    write_text(path, config);
    write_text(t->out, "");
    write_text(t->err, "");
    snprintf(path, sizeof path, "%s/app.wasm", t->rootfs);
    if (wasm && !copy_file(wasm, path))
        fprintf(stderr, "cannot copy %s (built by make unit)\n", wasm);
}

/* A config.json with process.args = [args] (JSON text), env, and extra top-level members. */
static char *config(const char *args, const char *env, const char *extra)
{
    static char buf[8][4096];
    static int next;
    char *b = buf[next++ % 8];
    snprintf(b, sizeof buf[0],
             "{\"ociVersion\": \"1.0.2\",\n"
             " \"process\": {\"args\": [%s], \"env\": [%s], \"cwd\": \"/\"},\n"
             " \"root\": {\"path\": \"rootfs\"}%s%s}\n",
             args, env ? env : "\"PATH=/bin\"", extra ? ",\n " : "", extra ? extra : "");
    return b;
}

/* ---- running ---- */

typedef struct Exits {
    atomic_int calls;
    atomic_uint status;
    atomic_uint pid;
} Exits;

static void on_exit_cb(void *ud, ShimContainer *c, uint32_t pid, uint32_t status,
                       struct timespec at)
{
    Exits *e = ud;
    atomic_fetch_add(&e->calls, 1);
    atomic_store(&e->status, status);
    atomic_store(&e->pid, pid);
}

static int create(const TBundle *t, const char *stdin_path, Exits *e, ShimContainer **out,
                  char **err)
{
    ShimCreate req = {.id = t->dir + strlen(top) + 1,
                      .bundle = t->dir,
                      .stdin_path = stdin_path,
                      .stdout_path = t->out,
                      .stderr_path = t->err,
                      .ns = "default"};
    uint32_t pid = 0;
    *err = NULL;
    return shim_container_create(&req, on_exit_cb, e, out, &pid, err);
}

/* What one run saw, checked by the caller (CHECK is not thread-safe). */
typedef struct RunInfo {
    bool stopped_state, realtime, shim_pid, deleted, final_status, one_exit;
} RunInfo;

/* Creates, starts, waits for and deletes the container of t; returns its exit status
 * (UINT32_MAX when create or start failed, with *err set). Safe on any thread. */
static uint32_t run_quiet(const TBundle *t, char **err, RunInfo *ri)
{
    Exits e = {0};
    ShimContainer *c;
    memset(ri, 0, sizeof *ri);
    if (create(t, NULL, &e, &c, err) != SHIM_OK)
        return UINT32_MAX;
    uint32_t pid, status;
    struct timespec at;
    if (shim_container_start(c, &pid, err) != SHIM_OK) {
        ShimState fin;
        shim_container_delete(c, &fin, NULL);
        return UINT32_MAX;
    }
    shim_container_wait(c, &status, &at);
    ShimState st, fin;
    shim_container_state(c, &st);
    ri->stopped_state = st.status == SHIM_STATUS_STOPPED && st.exit_status == status;
    ri->realtime = at.tv_sec > 1700000000;
    ri->shim_pid = pid == (uint32_t)getpid() && st.pid == pid;
    ri->deleted = shim_container_delete(c, &fin, err) == SHIM_OK;
    ri->final_status = fin.exit_status == status;
    ri->one_exit = atomic_load(&e.calls) == 1 && atomic_load(&e.status) == status;
    return status;
}

static void check_run(const RunInfo *ri)
{
    CHECK(ri->stopped_state, "state: stopped");
    CHECK(ri->realtime, "exited_at is a CLOCK_REALTIME time");
    CHECK(ri->shim_pid, "an in-process guest has the shim's pid");
    CHECK(ri->deleted, "delete");
    CHECK(ri->final_status, "delete reports the exit status");
    CHECK(ri->one_exit, "on_exit called once, with the status");
}

static uint32_t run(const TBundle *t, char **err)
{
    RunInfo ri;
    uint32_t status = run_quiet(t, err, &ri);
    if (status != UINT32_MAX)
        check_run(&ri);
    return status;
}

/* Starts c; when that fails, stops it (a kill of a created container) so that a Wait that
 * follows returns and the test goes on to delete it, unmounting what it mounted. */
static bool start_or_stop(ShimContainer *c, uint32_t *pid, char **err)
{
    if (shim_container_start(c, pid, err) == SHIM_OK)
        return true;
    shim_container_kill(c, SIGKILL, NULL);
    return false;
}

static bool contains(const char *hay, const char *needle)
{
    bool ok = hay && strstr(hay, needle);
    if (!ok)
        fprintf(stderr, "  expected '%s' in: %s\n", needle, hay ? hay : "(null)");
    return ok;
}

/* ---- runs ---- */

static void test_hello(void)
{
    TBundle t;
    char *err = NULL;
    bundle_make(&t, WASM_DIR "shim_hello.wasm", config("\"/app.wasm\"", NULL, NULL));
    CHECK(run(&t, &err) == 0, "hello exits 0");
    char *out = read_text(t.out);
    CHECK(!strcmp(out, "hello from wasm\n"), "hello's stdout");
    free(out);
    free(err);

    bundle_make(&t, WASM_DIR "shim_hello.wasm", config("\"app.wasm#entry\"", NULL, NULL));
    err = NULL;
    CHECK(run(&t, &err) == 0, "path#entry exits 0");
    out = read_text(t.out);
    CHECK(!strcmp(out, "entry\n"), "path#entry calls that export (a relative path, from cwd)");
    free(out);
    free(err);
}

/* stdout on a FIFO, as containerd gives it: the output arrives, and the reader sees end of
 * file once the guest has stopped, before Delete (containerd's client waits for it). */
static void test_fifo_eof(void)
{
    TBundle t;
    bundle_make(&t, WASM_DIR "shim_hello.wasm", config("\"/app.wasm\"", NULL, NULL));
    unlink(t.out);
    mkfifo(t.out, 0600);
    int rd = open(t.out, O_RDONLY | O_NONBLOCK);
    Exits e = {0};
    ShimContainer *c;
    char *err = NULL;
    uint32_t pid, status;
    struct timespec at;
    if (create(&t, NULL, &e, &c, &err) != SHIM_OK) {
        CHECK(false, err);
        free(err);
        close(rd);
        return;
    }
    CHECK(start_or_stop(c, &pid, &err), "start");
    shim_container_wait(c, &status, &at);
    fcntl(rd, F_SETFL, 0); /* blocking: a read waits while any writer remains */
    char buf[256];
    size_t len = 0;
    ssize_t r;
    alarm(10);
    while ((r = read(rd, buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)r;
    alarm(120);
    buf[len] = '\0';
    CHECK(r == 0, "the stdout FIFO reaches end of file when the guest stops, before Delete");
    CHECK(!strcmp(buf, "hello from wasm\n"), "with the guest's output");
    ShimState fin;
    CHECK(shim_container_delete(c, &fin, NULL) == SHIM_OK, "delete");
    close(rd);
}

static void test_exit_and_trap(void)
{
    TBundle t;
    char *err = NULL;
    bundle_make(&t, WASM_DIR "shim_probe.wasm",
                config("\"/app.wasm\", \"exit\", \"3\"", NULL, NULL));
    CHECK(run(&t, &err) == 3, "proc_exit(3) gives 3");
    free(err);

    err = NULL;
    bundle_make(&t, WASM_DIR "shim_trap.wasm", config("\"/app.wasm\"", NULL, NULL));
    CHECK(run(&t, &err) == 134, "a trap gives 134");
    char *e = read_text(t.err);
    CHECK(contains(e, "error: trap: unreachable"), "the trap message on the container's stderr");
    CHECK(contains(e, "0: func[0] <boom> @ 0x"), "and its backtrace, innermost first");
    CHECK(contains(e, "1: func[1] <_start> @ 0x"), "with the caller");
    free(e);
    free(err);
}

static void test_args_env(void)
{
    TBundle t;
    char *err = NULL;
    bundle_make(
        &t, WASM_DIR "shim_probe.wasm",
        config("\"/app.wasm\", \"args\", \"two words\"", "\"A=1\", \"GREETING=hi there\"", NULL));
    CHECK(run(&t, &err) == 0, "args guest exits 0");
    char *out = read_text(t.out);
    CHECK(contains(out, "arg /app.wasm\narg args\narg two words\n"), "argv: the path, then args");
    CHECK(contains(out, "env A=1\nenv GREETING=hi there\n"), "env: process.env");
    free(out);
    free(err);
}

static void test_bind_mounts(void)
{
    char data[PATH_MAX], ro[PATH_MAX], extra[3 * PATH_MAX], path[PATH_MAX + 16];
    snprintf(data, sizeof data, "%s/data", top);
    snprintf(ro, sizeof ro, "%s/ro", top);
    mkdir(data, 0755);
    mkdir(ro, 0755);
    snprintf(path, sizeof path, "%s/keep", ro);
    write_text(path, "kept\n");
    snprintf(extra, sizeof extra,
             "\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
             " {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},"
             " {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"%s\","
             "  \"options\": [\"rbind\", \"rw\"]},"
             " {\"destination\": \"/ro\", \"source\": \"%s\", \"options\": [\"rbind\", \"ro\"]}]",
             data, ro);
    TBundle t;
    char *err = NULL;
    bundle_make(&t, WASM_DIR "shim_probe.wasm",
                config("\"/app.wasm\", \"write\", \"/data/f\", \"written\"", NULL, extra));
    CHECK(run(&t, &err) == 0, "a write to a rw bind mount succeeds");
    snprintf(path, sizeof path, "%s/f", data);
    char *s = read_text(path);
    CHECK(!strcmp(s, "written"), "and lands in the host directory");
    free(s);
    free(err);

    err = NULL;
    bundle_make(&t, WASM_DIR "shim_probe.wasm",
                config("\"/app.wasm\", \"write\", \"/ro/f\", \"no\"", NULL, extra));
    CHECK(run(&t, &err) == 1, "a write to a ro bind mount fails");
    s = read_text(t.err);
    CHECK(contains(s, "Read-only file system"), "with EROFS");
    free(s);
    snprintf(path, sizeof path, "%s/f", ro);
    CHECK(access(path, F_OK) != 0, "nothing was written");
    free(err);

    err = NULL;
    bundle_make(&t, WASM_DIR "shim_probe.wasm",
                config("\"/app.wasm\", \"read\", \"/ro/keep\"", NULL, extra));
    CHECK(run(&t, &err) == 0, "a read from a ro bind mount succeeds");
    s = read_text(t.out);
    CHECK(!strcmp(s, "kept\n"), "with the host file's content");
    free(s);
    free(err);

    /* root.readonly: the rootfs preopen refuses writes too. */
    err = NULL;
    bundle_make(&t, WASM_DIR "shim_probe.wasm",
                "{\"process\": {\"args\": [\"/app.wasm\", \"write\", \"/new\", \"x\"]},"
                " \"root\": {\"path\": \"rootfs\", \"readonly\": true}}");
    CHECK(run(&t, &err) == 1, "root.readonly: a write to / fails");
    free(err);
}

static void test_memory_limit(void)
{
    TBundle t;
    char *err = NULL;
    ShimContainer *c = NULL;
    Exits e = {0};
    bundle_make(&t, WASM_DIR "shim_bigmem.wasm",
                config("\"/app.wasm\"", NULL,
                       "\"linux\": {\"resources\": {\"memory\": {\"limit\": 1048576}}}"));
    int rc = create(&t, NULL, &e, &c, &err);
    CHECK(rc == SHIM_FAILED_PRECONDITION, "a memory above the limit fails create");
    CHECK(contains(err, "its memory starts at 64 pages (4096 KiB), above the container's memory "
                        "limit of 1024 KiB"),
          "with a message naming both sizes");
    free(err);

    err = NULL;
    bundle_make(&t, WASM_DIR "shim_bigmem.wasm",
                config("\"/app.wasm\"", NULL,
                       "\"linux\": {\"resources\": {\"memory\": {\"limit\": 8388608}}}"));
    CHECK(run(&t, &err) == 0, "the same module under an 8 MiB limit runs");
    free(err);
}

/* ---- bad input ---- */

static void expect_create_error(const char *what, const TBundle *t, int code, const char *msg)
{
    ShimContainer *c = NULL;
    Exits e = {0};
    char *err = NULL;
    int rc = create(t, NULL, &e, &c, &err);
    CHECK(rc == code, what);
    if (rc != code)
        fprintf(stderr, "  %s: got code %d (%s)\n", what, rc, err ? err : "no message");
    CHECK(c == NULL && contains(err, msg), what);
    free(err);
}

static void test_bad_input(void)
{
    TBundle t;
    bundle_make(&t, WASM_DIR "shim_hello.wasm",
                "{\"process\": {\"args\": [\"/app.wasm\"]},\n\n"
                "  \"root\": {\"path\": rootfs}}\n");
    expect_create_error("not JSON", &t, SHIM_INVALID_ARGUMENT, "config.json: line 3: ");

    bundle_make(&t, WASM_DIR "shim_hello.wasm", config("", NULL, NULL));
    expect_create_error("empty args", &t, SHIM_INVALID_ARGUMENT,
                        "process.args is empty: nothing to run");

    bundle_make(&t, WASM_DIR "shim_hello.wasm", "{\"root\": {\"path\": \"rootfs\"}}");
    expect_create_error("no process", &t, SHIM_INVALID_ARGUMENT, "no process object");

    bundle_make(&t, WASM_DIR "shim_hello.wasm", config("\"/other.wasm\"", NULL, NULL));
    expect_create_error("missing module", &t, SHIM_NOT_FOUND,
                        "module /other.wasm: not found in the image's rootfs");

    bundle_make(&t, NULL, config("\"/app.wasm\"", NULL, NULL));
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/app.wasm", t.rootfs);
    write_text(path, "#!/bin/sh\necho not wasm\n");
    expect_create_error("not Wasm", &t, SHIM_INVALID_ARGUMENT,
                        "module /app.wasm: not a WebAssembly module (no \\0asm magic number)");

    bundle_make(&t, WASM_DIR "shim_hello.wasm", config("\"/app.wasm#nope\"", NULL, NULL));
    expect_create_error("unknown export", &t, SHIM_INVALID_ARGUMENT,
                        "module /app.wasm: no export named 'nope' (it exports the functions: "
                        "_start, entry)");

    bundle_make(&t, WASM_DIR "shim_hello.wasm", config("\"/app.wasm#notfunc\"", NULL, NULL));
    expect_create_error("export not a function", &t, SHIM_INVALID_ARGUMENT,
                        "export 'notfunc' is not a function");

    /* root.path climbing out of the bundle, to a directory that holds a module. */
    char outside[PATH_MAX];
    snprintf(outside, sizeof outside, "%s/outside", top);
    mkdir(outside, 0755);
    snprintf(path, sizeof path, "%s/app.wasm", outside);
    copy_file(WASM_DIR "shim_hello.wasm", path);
    bundle_make(&t, NULL,
                "{\"process\": {\"args\": [\"/app.wasm\"]},"
                " \"root\": {\"path\": \"../outside\"}}");
    expect_create_error("root.path ../outside", &t, SHIM_INVALID_ARGUMENT,
                        "root.path '../outside' leads outside the bundle");

    /* rootfs itself a symlink out of the bundle. */
    bundle_make(&t, NULL, config("\"/app.wasm\"", NULL, NULL));
    rmdir(t.rootfs);
    CHECK(symlink(outside, t.rootfs) == 0, "symlink rootfs");
    expect_create_error("rootfs a symlink outside", &t, SHIM_INVALID_ARGUMENT,
                        "root.path 'rootfs' leads outside the bundle");

    /* A module that is a symlink leading out of the rootfs: resolved inside it instead. */
    bundle_make(&t, NULL, config("\"/app.wasm\"", NULL, NULL));
    snprintf(path, sizeof path, "%s/app.wasm", t.rootfs);
    char target[PATH_MAX + 16];
    snprintf(target, sizeof target, "%s/app.wasm", outside);
    CHECK(symlink(target, path) == 0, "symlink to an absolute path outside");
    expect_create_error("absolute symlink out of the rootfs", &t, SHIM_NOT_FOUND,
                        "not found in the image's rootfs");
    bundle_make(&t, NULL, config("\"/app.wasm\"", NULL, NULL));
    snprintf(path, sizeof path, "%s/app.wasm", t.rootfs);
    CHECK(symlink("../../outside/app.wasm", path) == 0, "symlink climbing out");
    expect_create_error("relative symlink out of the rootfs", &t, SHIM_NOT_FOUND,
                        "not found in the image's rootfs");
    bundle_make(&t, NULL, config("\"/../../outside/app.wasm\"", NULL, NULL));
    expect_create_error("args[0] climbing out of the rootfs", &t, SHIM_NOT_FOUND,
                        "not found in the image's rootfs");

    /* A symlink that stays inside works. */
    bundle_make(&t, WASM_DIR "shim_hello.wasm", config("\"/link.wasm\"", NULL, NULL));
    snprintf(path, sizeof path, "%s/link.wasm", t.rootfs);
    CHECK(symlink("/app.wasm", path) == 0, "symlink inside");
    char *err = NULL;
    CHECK(run(&t, &err) == 0, "an absolute symlink inside the rootfs resolves in it");
    free(err);

    /* Bad stdio: a FIFO nobody reads is given up after a while, not waited on forever. */
    bundle_make(&t, WASM_DIR "shim_hello.wasm", config("\"/app.wasm\"", NULL, NULL));
    unlink(t.out);
    mkfifo(t.out, 0600);
    uint64_t t0 = now_ns();
    expect_create_error("stdout FIFO without a reader", &t, SHIM_FAILED_PRECONDITION,
                        "no reader on the FIFO");
    CHECK(now_ns() - t0 < 5000 * MS, "the open gave up within seconds");

    /* terminal */
    bundle_make(&t, WASM_DIR "shim_hello.wasm", config("\"/app.wasm\"", NULL, NULL));
    ShimCreate req = {.id = "tty", .bundle = t.dir, .terminal = true};
    ShimContainer *c = NULL;
    uint32_t pid;
    err = NULL;
    CHECK(shim_container_create(&req, NULL, NULL, &c, &pid, &err) == SHIM_INVALID_ARGUMENT &&
              contains(err, "terminal is not supported"),
          "terminal refused");
    free(err);

    /* An import nobody provides. */
    bundle_make(&t, WASM_DIR "shim_import.wasm", config("\"/app.wasm\"", NULL, NULL));
    expect_create_error("unknown import", &t, SHIM_INVALID_ARGUMENT,
                        "module /app.wasm: unknown import env::missing");
}

/* ---- kill ---- */

/* Starts t's guest, kills it with sig after 50 ms; checks the stop within 100 ms and 128+sig. */
static void kill_within(const char *what, const TBundle *t, const char *stdin_path, int sig)
{
    Exits e = {0};
    ShimContainer *c;
    char *err = NULL;
    uint32_t pid, status;
    struct timespec at;
    if (create(t, stdin_path, &e, &c, &err) != SHIM_OK) {
        CHECK(false, err);
        free(err);
        return;
    }
    CHECK(start_or_stop(c, &pid, &err), "start");
    usleep(50 * 1000);
    ShimState st;
    shim_container_state(c, &st);
    CHECK(st.status == SHIM_STATUS_RUNNING, "running before the kill");
    CHECK(shim_container_kill(c, SIGWINCH, &err) == SHIM_OK, "SIGWINCH accepted");
    CHECK(shim_container_kill(c, SIGCHLD, &err) == SHIM_OK, "SIGCHLD accepted");
    usleep(20 * 1000);
    shim_container_state(c, &st);
    CHECK(st.status == SHIM_STATUS_RUNNING, "ignored signals leave it running");
    uint64_t cpu_running = shim_container_cpu_ns(c);
    CHECK(cpu_running > 0, "Stats: the running guest's thread has used CPU time");
    uint64_t t0 = now_ns();
    CHECK(shim_container_kill(c, (uint32_t)sig, &err) == SHIM_OK, "kill");
    shim_container_wait(c, &status, &at);
    uint64_t ns = now_ns() - t0;
    uint64_t cpu_stopped = shim_container_cpu_ns(c);
    usleep(10 * 1000);
    CHECK(cpu_stopped >= cpu_running && shim_container_cpu_ns(c) == cpu_stopped,
          "Stats: the CPU time is kept, unchanged, once the thread has ended");
    printf("  %s: stopped %.3f ms after the kill\n", what, (double)ns / 1e6);
    CHECK(ns < 100 * MS, what);
    CHECK(status == 128 + (uint32_t)sig, "exit status 128 + signal");
    char *e2 = read_text(t->err);
    CHECK(!strstr(e2, "trap"), "a kill is not reported as a trap");
    free(e2);
    CHECK(shim_container_kill(c, SIGKILL, &err) == SHIM_NOT_FOUND &&
              contains(err, "process already finished"),
          "kill after the stop: NotFound, as runc");
    free(err);
    ShimState fin;
    CHECK(shim_container_delete(c, &fin, NULL) == SHIM_OK && fin.exit_status == status, "delete");
    CHECK(atomic_load(&e.calls) == 1, "on_exit once");
}

static void test_kill(void)
{
    TBundle t;
    bundle_make(&t, WASM_DIR "shim_busy.wasm", config("\"/app.wasm\"", NULL, NULL));
    kill_within("busy loop, SIGTERM", &t, NULL, SIGTERM);
    bundle_make(&t, WASM_DIR "shim_sleep.wasm", config("\"/app.wasm\"", NULL, NULL));
    kill_within("10 s poll_oneoff sleep, SIGKILL", &t, NULL, SIGKILL);

    /* A read of stdin that blocks: a FIFO whose writer is held open and never writes. */
    char fifo[PATH_MAX + 8];
    bundle_make(&t, WASM_DIR "shim_stdin.wasm", config("\"/app.wasm\"", NULL, NULL));
    snprintf(fifo, sizeof fifo, "%s/in", t.dir);
    mkfifo(fifo, 0600);
    int rd = open(fifo, O_RDONLY | O_NONBLOCK);
    int wr = open(fifo, O_WRONLY);
    close(rd);
    kill_within("blocked stdin read, SIGINT", &t, fifo, SIGINT);
    close(wr);

    /* A guest writing to a stdout FIFO whose reader never reads: the pipe fills, the guest
     * waits for room, and a kill still stops it. */
    bundle_make(&t, WASM_DIR "shim_spam.wasm", config("\"/app.wasm\"", NULL, NULL));
    unlink(t.out);
    mkfifo(t.out, 0600);
    rd = open(t.out, O_RDONLY | O_NONBLOCK);
    kill_within("stdout pipe full, SIGTERM", &t, NULL, SIGTERM);
    close(rd);

    /* Killing a container never started stops it; Wait and on_exit see it. */
    Exits e = {0};
    ShimContainer *c;
    char *err = NULL;
    uint32_t status, pid;
    struct timespec at;
    bundle_make(&t, WASM_DIR "shim_sleep.wasm", config("\"/app.wasm\"", NULL, NULL));
    if (create(&t, NULL, &e, &c, &err) == SHIM_OK) {
        CHECK(shim_container_kill(c, SIGUSR1, &err) == SHIM_OK, "kill of a created container");
        shim_container_wait(c, &status, &at);
        CHECK(status == 128 + SIGUSR1, "stops it with 128 + signal");
        CHECK(atomic_load(&e.calls) == 1, "and reports the exit");
        CHECK(shim_container_start(c, &pid, &err) == SHIM_FAILED_PRECONDITION,
              "a stopped container cannot start");
        ShimState fin;
        CHECK(shim_container_delete(c, &fin, NULL) == SHIM_OK, "delete");
    }
    free(err);

    /* Delete of a running guest stops it first; Wait from another thread returns. */
    err = NULL;
    e = (Exits){0};
    bundle_make(&t, WASM_DIR "shim_sleep.wasm", config("\"/app.wasm\"", NULL, NULL));
    if (create(&t, NULL, &e, &c, &err) == SHIM_OK &&
        shim_container_start(c, &pid, &err) == SHIM_OK) {
        uint64_t t0 = now_ns();
        ShimState fin;
        CHECK(shim_container_delete(c, &fin, NULL) == SHIM_OK && fin.exit_status == 137,
              "delete of a running guest kills it (137)");
        CHECK(now_ns() - t0 < 100 * MS, "promptly");
    }
    free(err);
}

/* ---- mounts (root only) ---- */

static bool is_mounted(const char *dir)
{
    char *m = read_text("/proc/self/mountinfo");
    char pat[PATH_MAX + 4];
    snprintf(pat, sizeof pat, " %s ", dir);
    bool found = strstr(m, pat) != NULL;
    free(m);
    return found;
}

static void test_mounts(void)
{
    if (geteuid() != 0) {
        printf("  mounts: SKIPPED (not root: overlay and bind rootfs mounts need root)\n");
        return;
    }
    char lower[PATH_MAX], upper[PATH_MAX], work[PATH_MAX], path[PATH_MAX + 16];
    snprintf(lower, sizeof lower, "%s/lower", top);
    snprintf(upper, sizeof upper, "%s/upper", top);
    snprintf(work, sizeof work, "%s/work", top);
    mkdir(lower, 0755);
    mkdir(upper, 0755);
    mkdir(work, 0755);
    snprintf(path, sizeof path, "%s/app.wasm", lower);
    copy_file(WASM_DIR "shim_probe.wasm", path);
    char o_lower[PATH_MAX + 16], o_upper[PATH_MAX + 16], o_work[PATH_MAX + 16];
    snprintf(o_lower, sizeof o_lower, "lowerdir=%s", lower);
    snprintf(o_upper, sizeof o_upper, "upperdir=%s", upper);
    snprintf(o_work, sizeof o_work, "workdir=%s", work);
    char *opts[] = {"index=off", o_work, o_upper, o_lower};
    ShimMount overlay = {"overlay", "overlay", NULL, opts, 4};

    /* A real overlay, as containerd's snapshotter gives it: the guest writes into it. */
    TBundle t;
    bundle_make(&t, NULL,
                config("\"/app.wasm\", \"write\", \"/hello\", \"via overlay\"", NULL, NULL));
    ShimCreate req = {.id = "ovl",
                      .bundle = t.dir,
                      .rootfs = &overlay,
                      .nrootfs = 1,
                      .stdout_path = t.out,
                      .stderr_path = t.err};
    ShimContainer *c = NULL;
    uint32_t pid, status;
    struct timespec at;
    char *err = NULL;
    int rc = shim_container_create(&req, NULL, NULL, &c, &pid, &err);
    CHECK(rc == SHIM_OK, err ? err : "overlay create");
    if (rc == SHIM_OK) {
        CHECK(is_mounted(t.rootfs), "the overlay is mounted on bundle/rootfs");
        CHECK(start_or_stop(c, &pid, &err), "start");
        shim_container_wait(c, &status, &at);
        CHECK(status == 0, "the guest wrote into the overlay");
        snprintf(path, sizeof path, "%s/hello", upper);
        char *s = read_text(path);
        CHECK(!strcmp(s, "via overlay"), "the write is in upperdir");
        free(s);
        ShimState fin;
        CHECK(shim_container_delete(c, &fin, &err) == SHIM_OK, "delete");
        CHECK(!is_mounted(t.rootfs), "delete unmounts the overlay");
    }
    free(err);

    /* A failed create (unknown export) leaves nothing mounted. */
    err = NULL;
    bundle_make(&t, NULL, config("\"/app.wasm#missing\"", NULL, NULL));
    req.bundle = t.dir;
    req.stdout_path = t.out;
    req.stderr_path = t.err;
    rc = shim_container_create(&req, NULL, NULL, &c, &pid, &err);
    CHECK(rc == SHIM_INVALID_ARGUMENT, "unknown export on an overlay fails");
    CHECK(!is_mounted(t.rootfs), "and leaves nothing mounted");
    free(err);

    /* A bind rootfs, read-only: the guest cannot write. */
    err = NULL;
    char *bind_opts[] = {"rbind", "ro"};
    ShimMount bind = {"bind", lower, NULL, bind_opts, 2};
    bundle_make(&t, NULL, config("\"/app.wasm\", \"write\", \"/x\", \"no\"", NULL, NULL));
    req = (ShimCreate){.id = "bind",
                       .bundle = t.dir,
                       .rootfs = &bind,
                       .nrootfs = 1,
                       .stdout_path = t.out,
                       .stderr_path = t.err};
    rc = shim_container_create(&req, NULL, NULL, &c, &pid, &err);
    CHECK(rc == SHIM_OK, err ? err : "bind create");
    if (rc == SHIM_OK) {
        CHECK(start_or_stop(c, &pid, &err), "start");
        shim_container_wait(c, &status, &at);
        CHECK(status == 1, "a ro bind rootfs refuses the write");
        ShimState fin;
        CHECK(shim_container_delete(c, &fin, &err) == SHIM_OK, "delete");
        CHECK(!is_mounted(t.rootfs), "delete unmounts the bind");
    }
    free(err);

    /* With mounts given, an absolute root.path outside the bundle is refused. */
    err = NULL;
    bundle_make(&t, NULL,
                "{\"process\": {\"args\": [\"/app.wasm\"]}, \"root\": {\"path\": \"/tmp\"}}");
    req.bundle = t.dir;
    rc = shim_container_create(&req, NULL, NULL, &c, &pid, &err);
    CHECK(rc == SHIM_INVALID_ARGUMENT && contains(err, "leads outside the bundle"),
          "absolute root.path outside the bundle with mounts: refused");
    CHECK(!is_mounted("/tmp"), "nothing mounted on it");
    free(err);

    /* shim_container_cleanup unmounts what a dead shim left. */
    bundle_make(&t, NULL, config("\"/app.wasm\"", NULL, NULL));
    CHECK(mount(lower, t.rootfs, NULL, MS_BIND, NULL) == 0, "a leftover mount");
    err = NULL;
    CHECK(shim_container_cleanup(t.dir, &err) == SHIM_OK, "cleanup");
    CHECK(!is_mounted(t.rootfs), "cleanup unmounts bundle/rootfs");
    free(err);
}

/* ---- many at once ---- */

typedef struct Par {
    TBundle t;
    uint32_t status;
    RunInfo ri;
    char *out;
} Par;

static void *par_run(void *arg)
{
    Par *p = arg;
    char *err = NULL;
    p->status = run_quiet(&p->t, &err, &p->ri);
    p->out = read_text(p->t.out);
    free(err);
    return NULL;
}

static void test_concurrent(void)
{
    enum { N = 20 };
    Par p[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        char args[64];
        snprintf(args, sizeof args, "\"/app.wasm\", \"exit\", \"%d\"", i);
        memset(&p[i], 0, sizeof p[i]);
        bundle_make(&p[i].t, WASM_DIR "shim_probe.wasm", config(args, NULL, NULL));
    }
    for (int i = 0; i < N; i++)
        pthread_create(&th[i], NULL, par_run, &p[i]);
    int ok = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        ok += p[i].status == (uint32_t)i;
        check_run(&p[i].ri);
        free(p[i].out);
    }
    CHECK(ok == N, "20 containers created, run and deleted at once, each with its own status");

    /* 20 sleeping guests at once, all killed. */
    ShimContainer *c[N];
    Exits e[N];
    int made = 0;
    for (int i = 0; i < N; i++) {
        TBundle t;
        char *err = NULL;
        uint32_t pid;
        memset(&e[i], 0, sizeof e[i]);
        bundle_make(&t, WASM_DIR "shim_sleep.wasm", config("\"/app.wasm\"", NULL, NULL));
        if (create(&t, NULL, &e[i], &c[i], &err) == SHIM_OK &&
            shim_container_start(c[i], &pid, &err) == SHIM_OK)
            made++;
        free(err);
    }
    CHECK(made == N, "20 sleeping guests started");
    usleep(50 * 1000);
    uint64_t t0 = now_ns();
    for (int i = 0; i < made; i++)
        shim_container_kill(c[i], SIGTERM, NULL);
    int stopped = 0;
    for (int i = 0; i < made; i++) {
        uint32_t status;
        struct timespec at;
        shim_container_wait(c[i], &status, &at);
        stopped += status == 143;
    }
    CHECK(now_ns() - t0 < 100 * MS, "all 20 stopped within 100 ms of the kills");
    CHECK(stopped == made, "each with 143");
    for (int i = 0; i < made; i++) {
        ShimState fin;
        shim_container_delete(c[i], &fin, NULL);
    }
}

/* Resident memory: 100 sleeping C guests, per container, from the process's RSS and from
 * shim_container_memory (the module is compiled once per container: no cache is shared). */
static uint64_t rss_bytes(void)
{
    char *s = read_text("/proc/self/statm");
    unsigned long size = 0, res = 0;
    sscanf(s, "%lu %lu", &size, &res);
    free(s);
    return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void test_memory(void)
{
    enum { N = 100 };
    ShimContainer **c = calloc(N, sizeof *c);
    Exits *e = calloc(N, sizeof *e);
    uint64_t before = rss_bytes(), attributed = 0;
    int made = 0;
    for (int i = 0; i < N; i++) {
        TBundle t;
        char *err = NULL;
        uint32_t pid;
        /* A C guest (wasi-libc: a 64 KiB shadow stack and a heap in its memory), asleep. */
        bundle_make(&t, WASM_DIR "shim_probe.wasm",
                    config("\"/app.wasm\", \"sleep\", \"30\"", NULL, NULL));
        if (create(&t, NULL, &e[i], &c[i], &err) == SHIM_OK &&
            shim_container_start(c[i], &pid, &err) == SHIM_OK)
            made++;
        free(err);
    }
    usleep(100 * 1000);
    uint64_t after = rss_bytes();
    for (int i = 0; i < made; i++)
        attributed += shim_container_memory(c[i]);
    double per = (double)(after - before) / N / 1024, per_attr = (double)attributed / N / 1024;
    printf("  %d sleeping C guests: RSS +%.0f KiB each; shim_container_memory %.0f KiB each\n",
           made, per, per_attr);
    CHECK(made == N, "100 guests started");
    CHECK(per < 2048, "under 2 MiB resident per container");
    CHECK(per_attr >= 8 && per_attr < 2048, "shim_container_memory counts memory and stack");
    for (int i = 0; i < made; i++) {
        ShimState fin;
        shim_container_kill(c[i], SIGKILL, NULL);
        shim_container_delete(c[i], &fin, NULL);
    }
    free(c);
    free(e);
}

/* ---- WAGI ---- */

/* GET / from 127.0.0.1:port; the response (owned) or NULL. */
static char *http_get(int port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
        close(s);
        return NULL;
    }
    const char req[] = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if (write(s, req, sizeof req - 1) < 0) {
        close(s);
        return NULL;
    }
    char *buf = calloc(1, 8192);
    size_t len = 0;
    ssize_t r;
    while (len < 8191 && (r = read(s, buf + len, 8191 - len)) > 0)
        len += (size_t)r;
    close(s);
    return buf;
}

/* The gateway joins the spec's network namespace (a path, as CRI gives the pod's): made
 * here with `ip netns`, it listens there, unreachable from the test's namespace and
 * reachable from inside. Root and iproute2 only. */
static void test_wagi_netns(void)
{
    if (geteuid() != 0 || system("command -v ip >/dev/null 2>&1") != 0) {
        printf("  WAGI netns: SKIPPED (needs root and ip)\n");
        return;
    }
    char ns[64], cmd[512], extra[256], path[PATH_MAX + 32];
    snprintf(ns, sizeof ns, "corral-shimtest-%d", (int)getpid());
    snprintf(cmd, sizeof cmd, "ip netns add %s && ip -n %s link set lo up", ns, ns);
    if (system(cmd) != 0) {
        CHECK(false, "ip netns add");
        return;
    }
    snprintf(extra, sizeof extra,
             "\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\","
             " \"path\": \"/run/netns/%s\"}]}",
             ns);
    TBundle t;
    bundle_make(&t, NULL, config("\"/modules.toml\"", "\"CORRAL_LISTEN=127.0.0.1:0\"", extra));
    snprintf(path, sizeof path, "%s/cgi.wasm", t.rootfs);
    copy_file(WASM_DIR "shim_cgi.wasm", path);
    snprintf(path, sizeof path, "%s/modules.toml", t.rootfs);
    write_text(path, "[[module]]\nroute = \"/\"\nmodule = \"cgi.wasm\"\n");
    Exits e = {0};
    ShimContainer *c;
    char *err = NULL;
    uint32_t pid, status;
    struct timespec at;
    if (create(&t, NULL, &e, &c, &err) == SHIM_OK &&
        shim_container_start(c, &pid, &err) == SHIM_OK) {
        int port = 0;
        for (int i = 0; i < 300 && !port; i++) {
            char *out = read_text(t.out);
            char *ready = strstr(out, "Ready: serving on http://127.0.0.1:");
            if (ready)
                port = atoi(ready + strlen("Ready: serving on http://127.0.0.1:"));
            free(out);
            if (!port)
                usleep(10 * 1000);
        }
        CHECK(port > 0, "the gateway is ready in the pod's network namespace");
        char *resp = http_get(port);
        CHECK(!resp || !strstr(resp, "hello from wagi"), "not reachable from outside it");
        free(resp);
        snprintf(cmd, sizeof cmd,
                 "ip netns exec %s curl -s http://127.0.0.1:%d/ | grep -q 'hello from wagi'", ns,
                 port);
        CHECK(system(cmd) == 0, "reachable from inside it");
        shim_container_kill(c, SIGKILL, NULL);
        shim_container_wait(c, &status, &at);
        ShimState fin;
        shim_container_delete(c, &fin, NULL);
    } else
        CHECK(false, err ? err : "WAGI in a netns");
    free(err);
    snprintf(cmd, sizeof cmd, "ip netns del %s", ns);
    CHECK(system(cmd) == 0, "ip netns del");

    /* A namespace path that does not exist fails create. */
    snprintf(extra, sizeof extra,
             "\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": \"/run/netns/%s\"}]}",
             ns);
    bundle_make(&t, NULL, config("\"/modules.toml\"", NULL, extra));
    snprintf(path, sizeof path, "%s/modules.toml", t.rootfs);
    write_text(path, "[[module]]\nroute = \"/\"\nmodule = \"cgi.wasm\"\n");
    expect_create_error("a missing network namespace", &t, SHIM_FAILED_PRECONDITION,
                        "network namespace /run/netns/");
}

static void test_wagi(void)
{
    char corral[PATH_MAX];
    if (!realpath("build/corral", corral)) {
        printf("  WAGI: SKIPPED (build/corral not built)\n");
        return;
    }
    wagi_set_corral_path(corral);
    TBundle t;
    bundle_make(&t, NULL, config("\"/app/modules.toml\"", "\"CORRAL_LISTEN=127.0.0.1:0\"", NULL));
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/app", t.rootfs);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/app/cgi.wasm", t.rootfs);
    copy_file(WASM_DIR "shim_cgi.wasm", path);
    snprintf(path, sizeof path, "%s/app/modules.toml", t.rootfs);
    write_text(path, "[[module]]\nroute = \"/\"\nmodule = \"cgi.wasm\"\n");
    Exits e = {0};
    ShimContainer *c;
    char *err = NULL;
    uint32_t pid = 0, status;
    struct timespec at;
    int rc = create(&t, NULL, &e, &c, &err);
    CHECK(rc == SHIM_OK, err ? err : "WAGI create");
    if (rc != SHIM_OK)
        return;
    CHECK(shim_container_start(c, &pid, &err) == SHIM_OK, "WAGI start");
    CHECK(pid != (uint32_t)getpid() && pid > 0, "a WAGI app's pid is its gateway's");
    int port = 0;
    for (int i = 0; i < 300 && !port; i++) { /* "Ready: serving on http://127.0.0.1:PORT" */
        char *out = read_text(t.out);
        char *ready = strstr(out, "Ready: serving on http://127.0.0.1:");
        if (ready)
            port = atoi(ready + strlen("Ready: serving on http://127.0.0.1:"));
        free(out);
        if (!port)
            usleep(10 * 1000);
    }
    CHECK(port > 0, "corral serve is ready, its stdout on the container's");
    char *resp = port ? http_get(port) : NULL;
    CHECK(resp && contains(resp, "200") && contains(resp, "hello from wagi"),
          "the WAGI app answers");
    free(resp);
    CHECK(shim_container_kill(c, SIGTERM, &err) == SHIM_OK, "kill the gateway");
    shim_container_wait(c, &status, &at);
    CHECK(status == 0, "SIGTERM: corral serve shuts down cleanly (exit 0)");
    CHECK(atomic_load(&e.calls) == 1, "on_exit once");
    CHECK(atomic_load(&e.pid) == pid, "on_exit with the child's pid");
    if (atomic_load(&e.pid) != pid)
        fprintf(stderr, "  on_exit pid %u, start gave %u\n", atomic_load(&e.pid), pid);
    ShimState fin;
    CHECK(shim_container_delete(c, &fin, &err) == SHIM_OK, "delete");
    CHECK(kill((pid_t)pid, 0) != 0, "the child is gone (reaped)");
    snprintf(path, sizeof path, "%s/wagi-logs", t.dir);
    struct stat lst;
    CHECK(stat(path, &lst) == 0 && S_ISDIR(lst.st_mode),
          "the modules' logs are in the bundle (bundle/wagi-logs), not in /tmp");
    free(err);

    /* Without args, /modules.toml at the root is the app; SIGKILL gives 137. */
    err = NULL;
    e = (Exits){0};
    bundle_make(&t, NULL, config("", "\"CORRAL_LISTEN=127.0.0.1:0\"", NULL));
    snprintf(path, sizeof path, "%s/cgi.wasm", t.rootfs);
    copy_file(WASM_DIR "shim_cgi.wasm", path);
    snprintf(path, sizeof path, "%s/modules.toml", t.rootfs);
    write_text(path, "[[module]]\nroute = \"/\"\nmodule = \"cgi.wasm\"\n");
    if (create(&t, NULL, &e, &c, &err) == SHIM_OK &&
        shim_container_start(c, &pid, &err) == SHIM_OK) {
        usleep(50 * 1000);
        shim_container_kill(c, SIGKILL, &err);
        shim_container_wait(c, &status, &at);
        CHECK(status == 137, "a killed gateway: 128 + 9");
        ShimState fin2;
        shim_container_delete(c, &fin2, &err);
    } else
        CHECK(false, err ? err : "WAGI without args");
    free(err);

    /* Absolute paths in modules.toml are the image's (corral serve --root): a module at
     * /app/cgi.wasm runs, one climbing out to the host does not. */
    const char *tomls[] = {
        "[[module]]\nroute = \"/\"\nmodule = \"/app/cgi.wasm\"\n",
        "[[module]]\nroute = \"/\"\nmodule = \"../../../../outside/app.wasm\"\n"};
    for (int k = 0; k < 2; k++) {
        err = NULL;
        e = (Exits){0};
        bundle_make(&t, NULL,
                    config("\"/app/modules.toml\"", "\"CORRAL_LISTEN=127.0.0.1:0\"", NULL));
        snprintf(path, sizeof path, "%s/app", t.rootfs);
        mkdir(path, 0755);
        snprintf(path, sizeof path, "%s/app/cgi.wasm", t.rootfs);
        copy_file(WASM_DIR "shim_cgi.wasm", path);
        snprintf(path, sizeof path, "%s/app/modules.toml", t.rootfs);
        write_text(path, tomls[k]);
        if (create(&t, NULL, &e, &c, &err) != SHIM_OK ||
            shim_container_start(c, &pid, &err) != SHIM_OK) {
            CHECK(false, err ? err : "WAGI --root");
            free(err);
            continue;
        }
        bool ready = false;
        for (int i = 0; i < 300 && !ready; i++) {
            char *out = read_text(t.out);
            ShimState st;
            shim_container_state(c, &st);
            ready = strstr(out, "Ready: serving") || st.status == SHIM_STATUS_STOPPED;
            free(out);
            if (!ready)
                usleep(10 * 1000);
        }
        shim_container_kill(c, SIGTERM, NULL);
        shim_container_wait(c, &status, &at);
        char *es = read_text(t.err);
        if (k == 0)
            CHECK(status == 0, "an absolute module path inside the image serves");
        else
            CHECK(status == 1 && contains(es, "No such file or directory under --root"),
                  "a module path climbing out of the image is refused");
        free(es);
        ShimState fin3;
        shim_container_delete(c, &fin3, NULL);
        free(err);
    }
    test_wagi_netns();
    wagi_set_corral_path(NULL);
}

/* The pod sandbox CRI starts first with the pod's handler: args name the native /pause (not
 * in this rootfs, and never read), and the shim holds the pod's namespaces in a child
 * process until a signal ends it. */
static void test_sandbox(void)
{
    TBundle t;
    bundle_make(&t, NULL,
                config("\"/pause\"", NULL,
                       "\"annotations\": {\"io.kubernetes.cri.container-type\": \"sandbox\", "
                       "\"io.kubernetes.cri.sandbox-id\": \"p1\"}"));
    Exits e = {0};
    ShimContainer *c = NULL;
    char *err = NULL;
    CHECK(create(&t, NULL, &e, &c, &err) == SHIM_OK, "sandbox: created though /pause is no module");
    if (!c) {
        fprintf(stderr, "    %s\n", err ? err : "?");
        free(err);
        return;
    }
    uint32_t pid = 0, status = 0;
    CHECK(shim_container_start(c, &pid, &err) == SHIM_OK, "sandbox: started");
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/%u", pid);
    CHECK(pid && pid != (uint32_t)getpid() && access(proc, F_OK) == 0,
          "sandbox: its pid is a process of its own (the pod's namespaces are /proc/PID/ns)");
    ShimState st;
    shim_container_state(c, &st);
    CHECK(st.status == SHIM_STATUS_RUNNING && st.pid == pid, "sandbox: running, with that pid");
    usleep(50000);
    shim_container_state(c, &st);
    CHECK(st.status == SHIM_STATUS_RUNNING, "sandbox: still running after 50 ms");
    CHECK(shim_container_kill(c, SIGTERM, &err) == SHIM_OK, "sandbox: SIGTERM");
    struct timespec at;
    shim_container_wait(c, &status, &at);
    CHECK(status == 128 + SIGTERM && atomic_load(&e.calls) == 1, "sandbox: ended by SIGTERM, 143");
    ShimState fin;
    CHECK(shim_container_delete(c, &fin, &err) == SHIM_OK && fin.exit_status == 143,
          "sandbox: deleted");
    CHECK(access(proc, F_OK) != 0, "sandbox: its process is reaped");
    free(err);
}

int main(void)
{
    alarm(120);
    signal(SIGPIPE, SIG_IGN);
    snprintf(top, sizeof top, "/tmp/corral-container-XXXXXX");
    if (!mkdtemp(top)) {
        perror("mkdtemp");
        return 1;
    }
    /* The shim's log lines (every create, stop and refusal) go to a file, not the output. */
    char log[128];
    snprintf(log, sizeof log, "%s/shim.log", top);
    shim_log_set_fd(open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    test_hello();
    test_fifo_eof();
    test_exit_and_trap();
    test_args_env();
    test_bind_mounts();
    test_memory_limit();
    test_bad_input();
    test_kill();
    test_mounts();
    test_concurrent();
    test_memory();
    test_wagi();
    test_sandbox();
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", top);
    if (!failed && system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", top);
    return unit_report("test_container");
}
