/* test_wasi_cancel.c: corral_wasi_cancel from another thread ends a guest's blocking wait: a
 * 10 s sleep in poll_oneoff, a read from a FIFO whose writer never writes, a write to a full
 * non-blocking pipe, each within
 * 100 ms of the cancel (a correctness bound, not a benchmark: the wake-up is an eventfd
 * write); a cancel before the call stops the first wait at once; corral_wasi_reset forgets it.
 * A write to a full non-blocking pipe waits for room and is cancelled the same way.
 * Reads build/tests/wasm/shim_sleep.wasm, shim_stdin.wasm and shim_spam.wasm. */
#include "corral.h"
#include "unit.h"
#include "wasi/wasi.h"

#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct Guest {
    corral_engine_t *engine;
    corral_module_t *module;
    corral_store_t *store;
    corral_wasi_t *wasi;
    corral_func_t *start;
    char trap[128]; /* the trap message, "" when _start returned or exited */
    uint64_t ended_ns;
} Guest;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Loads path and links it to a WASI context whose stdin is stdin_fd, stdout stdout_fd. */
static bool guest_open2(Guest *g, const char *path, int stdin_fd, int stdout_fd)
{
    memset(g, 0, sizeof *g);
    size_t len;
    uint8_t *bytes = read_file(path, &len);
    g->engine = corral_engine_new(NULL);
    corral_error_t *err = bytes ? corral_module_new(g->engine, bytes, len, &g->module) : NULL;
    free(bytes);
    if (!g->module) {
        fprintf(stderr, "%s: %s\n", path, err ? corral_error_message(err) : "cannot read");
        corral_error_delete(err);
        return false;
    }
    corral_wasi_config_t cfg;
    corral_wasi_config_default(&cfg);
    cfg.stdio[0].fd = stdin_fd;
    cfg.stdio[1].fd = stdout_fd;
    char *msg = NULL;
    g->wasi = corral_wasi_new(&cfg, &msg);
    g->store = corral_store_new(g->engine);
    size_t n = corral_module_import_count(g->module);
    corral_extern_t *imports = calloc(n + 1, sizeof *imports);
    corral_instance_t *inst = NULL;
    corral_trap_t *trap = NULL;
    bool ok = g->wasi && corral_wasi_link(g->wasi, g->store, g->module, imports, n, &msg) &&
              !corral_instance_new(g->store, g->module, imports, n, &inst, &trap) && inst;
    corral_extern_t ext;
    ok = ok && corral_instance_export(inst, "_start", 6, &ext);
    g->start = ok ? ext.of.func : NULL;
    free(imports);
    free(msg);
    return ok;
}

static bool guest_open(Guest *g, const char *path, int stdin_fd)
{
    return guest_open2(g, path, stdin_fd, 1);
}

static void guest_close(Guest *g)
{
    corral_store_delete(g->store);
    corral_wasi_delete(g->wasi);
    corral_module_delete(g->module);
    corral_engine_delete(g->engine);
}

static void *run_start(void *arg)
{
    Guest *g = arg;
    corral_trap_t *t = corral_func_call(g->store, g->start, NULL, 0, NULL, 0);
    int32_t status;
    if (t && !corral_trap_exit_status(t, &status))
        snprintf(g->trap, sizeof g->trap, "%s", corral_trap_message(t));
    corral_trap_delete(t);
    g->ended_ns = now_ns();
    return NULL;
}

/* Runs g's _start on a thread, cancels it after 50 ms; returns the ns from cancel to end. */
static uint64_t cancel_after_50ms(Guest *g)
{
    pthread_t th;
    pthread_create(&th, NULL, run_start, g);
    usleep(50 * 1000);
    uint64_t t0 = now_ns();
    corral_wasi_cancel(g->wasi);
    pthread_join(th, NULL);
    return g->ended_ns - t0;
}

static void test_sleep(void)
{
    Guest g;
    bool ok = guest_open(&g, "build/tests/wasm/shim_sleep.wasm", 0);
    CHECK(ok, "sleep guest loads");
    if (!ok)
        return guest_close(&g);
    uint64_t ns = cancel_after_50ms(&g);
    printf("  poll_oneoff(10 s) cancelled in %.3f ms\n", (double)ns / 1e6);
    CHECK(ns < 100 * 1000000ull, "a cancelled sleep ends within 100 ms");
    CHECK(!strcmp(g.trap, "interrupted: cancelled by the host"), "with the cancel trap");

    /* Still cancelled: the next wait ends at once. */
    uint64_t t0 = now_ns();
    run_start(&g);
    CHECK(g.ended_ns - t0 < 100 * 1000000ull, "a later wait ends at once");
    CHECK(!strcmp(g.trap, "interrupted: cancelled by the host"), "with the same trap");

    /* A reset forgets it: the guest sleeps again (cut short here by a deadline). */
    corral_wasi_config_t cfg;
    corral_wasi_config_default(&cfg);
    char *err = NULL;
    CHECK(corral_wasi_reset(g.wasi, &cfg, &err), "reset");
    free(err);
    corral_wasi_set_deadline(g.wasi, now_ns() + 30 * 1000000ull);
    t0 = now_ns();
    run_start(&g);
    CHECK(g.ended_ns - t0 >= 25 * 1000000ull, "after a reset the guest waits again");
    CHECK(!strcmp(g.trap, "interrupted: time limit exceeded"), "until its deadline");
    guest_close(&g);
}

static void test_read(void)
{
    char dir[] = "/tmp/corral-cancel-XXXXXX", fifo[64];
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(fifo, sizeof fifo, "%s/in", dir);
    CHECK(mkfifo(fifo, 0600) == 0, "mkfifo");
    int rd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    int wr = open(fifo, O_WRONLY | O_CLOEXEC); /* held open, never written: reads block */
    fcntl(rd, F_SETFL, fcntl(rd, F_GETFL) & ~O_NONBLOCK);
    Guest g;
    bool ok = guest_open(&g, "build/tests/wasm/shim_stdin.wasm", rd);
    CHECK(ok, "stdin guest loads");
    if (ok) {
        uint64_t ns = cancel_after_50ms(&g);
        printf("  blocking fd_read cancelled in %.3f ms\n", (double)ns / 1e6);
        CHECK(ns < 100 * 1000000ull, "a cancelled read ends within 100 ms");
        CHECK(!strcmp(g.trap, "interrupted: cancelled by the host"), "with the cancel trap");
    }
    guest_close(&g);
    close(rd);
    close(wr);
    unlink(fifo);
    rmdir(dir);
}

/* A write to a non-blocking pipe nobody reads: the guest fills it, then waits for room
 * (rather than seeing EAGAIN), and the cancel ends that wait. */
static void test_full_pipe(void)
{
    int p[2];
    CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0, "pipe");
    Guest g;
    bool ok = guest_open2(&g, "build/tests/wasm/shim_spam.wasm", -1, p[1]);
    CHECK(ok, "spam guest loads");
    if (ok) {
        uint64_t ns = cancel_after_50ms(&g);
        printf("  write to a full non-blocking pipe cancelled in %.3f ms\n", (double)ns / 1e6);
        CHECK(ns < 100 * 1000000ull, "a cancelled write wait ends within 100 ms");
        CHECK(!strcmp(g.trap, "interrupted: cancelled by the host"), "with the cancel trap");
        char buf[4096];
        size_t got = 0;
        ssize_t r;
        while ((r = read(p[0], buf, sizeof buf)) > 0)
            got += (size_t)r;
        CHECK(got >= 4096, "the guest's writes before the pipe filled arrived");
    }
    guest_close(&g);
    close(p[0]);
    close(p[1]);
}

/* A cancel that comes before the guest ever waited (no eventfd made yet). */
static void test_cancel_first(void)
{
    Guest g;
    bool ok = guest_open(&g, "build/tests/wasm/shim_sleep.wasm", 0);
    CHECK(ok, "sleep guest loads");
    if (ok) {
        corral_wasi_cancel(g.wasi);
        corral_wasi_cancel(g.wasi); /* twice is fine */
        uint64_t t0 = now_ns();
        run_start(&g);
        CHECK(g.ended_ns - t0 < 100 * 1000000ull, "cancel before the call: the wait ends at once");
        CHECK(!strcmp(g.trap, "interrupted: cancelled by the host"), "with the cancel trap");
    }
    guest_close(&g);
}

int main(void)
{
    alarm(60); /* a cancel that is never seen is a failure, not a hang */
    test_sleep();
    test_read();
    test_full_pipe();
    test_cancel_first();
    return unit_report("test_wasi_cancel");
}
