/* test_cc.c: the compiled tier's path from C text to a call: cc_compile with the system
 * compiler, native_so_open from memory, a call through the symbol; the compiler's errors, a
 * missing compiler and garbage objects as clear messages; two objects loaded at once staying
 * apart; two threads compiling at once; nothing left in the temporary directory. */
#include "compile/cc.h"
#include "compile/tier.h"
#include "engine/native_load.h"
#include "unit.h"
#include "util/fs.h"

#include <dirent.h>
#include <pthread.h>
#include <string.h>

#define PROBE(k)                                                                               \
    "__attribute__((visibility(\"default\"))) int corral_probe(int x) { return x * " #k "; }\n" \
    "int hidden_helper(int x) { return x; }\n"

static char scratch[] = "/tmp/corral-cc-test-XXXXXX";


/* Compiles and loads PROBE-like source; the loaded handle, or NULL. */
static void *build(const CcConfig *cfg, const char *src, int (**fn)(int), char *err, size_t n)
{
    uint8_t *so;
    size_t so_len;
    if (cc_compile(cfg, src, strlen(src), &so, &so_len, err, n) != 0)
        return NULL;
    void *sym = NULL;
    void *h = native_so_open(so, so_len, "corral_probe", &sym, err, n);
    free(so);
    *fn = (int (*)(int))sym;
    return h;
}

static void test_compile_and_call(void)
{
    CcConfig cfg = {.cc = NULL, .tmpdir = scratch, .opt = -1};
    char err[1024] = "";
    int (*f3)(int) = NULL, (*f5)(int) = NULL;
    void *h3 = build(&cfg, PROBE(3), &f3, err, sizeof err);
    CHECK(h3 && f3 && f3(14) == 42, err);
    CHECK(h3 && native_so_sym(h3, "hidden_helper") == NULL, "hidden visibility by default");
    /* A second object while the first is loaded: its own code, not the first's again. */
    cfg.opt = 0;
    void *h5 = build(&cfg, PROBE(5), &f5, err, sizeof err);
    CHECK(h5 && f5 && f5(2) == 10, err);
    CHECK(h3 && f3 && f3(2) == 6, "the first object is still itself");
    native_so_close(h3);
    native_so_close(h5);
    /* ... and after both are closed (the memfd numbers are reused). */
    void *h7 = build(&cfg, PROBE(7), &f3, err, sizeof err);
    CHECK(h7 && f3 && f3(2) == 14, err);
    native_so_close(h7);
    CHECK(unit_dir_entries(scratch, NULL, 0) == 0, "temporary directories removed");
}

static void test_errors(void)
{
    CcConfig cfg = {.tmpdir = scratch, .opt = 2};
    char err[1024] = "";
    uint8_t *so = NULL;
    size_t so_len;
    const char *bad = "int f(void) { return 1 +; }\n";
    CHECK(cc_compile(&cfg, bad, strlen(bad), &so, &so_len, err, sizeof err) == -1 && !so, "syntax");
    CHECK(strstr(err, "C compiler failed: ") == err && strstr(err, "m.c:1:") &&
              strstr(err, "error"),
          err);
    CHECK(unit_dir_entries(scratch, NULL, 0) == 0, "removed after a failure too");

    cfg.cc = "/nonexistent/cc";
    CHECK(cc_compile(&cfg, bad, strlen(bad), &so, &so_len, err, sizeof err) == -1, "no compiler");
    CHECK(strstr(err, "`/nonexistent/cc` not found") && strstr(err, "Debian's `gcc` package"), err);
    char id[512];
    CHECK(cc_identity(&cfg, id, sizeof id) == -1 && id[0] == '\0', "no identity without compiler");

    cfg.cc = "   ";
    CHECK(cc_compile(&cfg, bad, strlen(bad), &so, &so_len, err, sizeof err) == -1 &&
              strstr(err, "bad C compiler command"),
          err);
    cfg.cc = NULL;
    cfg.opt = 4;
    CHECK(cc_compile(&cfg, bad, strlen(bad), &so, &so_len, err, sizeof err) == -1 &&
              strstr(err, "-O4"),
          err);
    /* A compiler that runs and fails without a word. */
    cfg.cc = "false";
    cfg.opt = 2;
    CHECK(cc_compile(&cfg, bad, strlen(bad), &so, &so_len, err, sizeof err) == -1 &&
              strstr(err, "exit status 1"),
          err);
    CHECK(unit_dir_entries(scratch, NULL, 0) == 0, "nothing left");

    /* Garbage and truncated objects: dlopen's message, no crash. */
    void *sym;
    const uint8_t junk[] = "this is not an ELF object at all";
    void *h = native_so_open(junk, sizeof junk, "corral_probe", &sym, err, sizeof err);
    CHECK(!h && strstr(err, "cannot load compiled code: ") == err, err);
    h = native_so_open(junk, 0, "corral_probe", &sym, err, sizeof err);
    CHECK(!h && strstr(err, "cannot load compiled code: ") == err, err);
    cfg.cc = NULL;
    if (cc_compile(&cfg, PROBE(3), strlen(PROBE(3)), &so, &so_len, err, sizeof err) == 0) {
        h = native_so_open(so, so_len / 2, "corral_probe", &sym, err, sizeof err);
        CHECK(!h && strstr(err, "cannot load compiled code: ") == err, err);
        /* Another CPU's object, refused before dlopen. */
        uint8_t *other = malloc(so_len);
        memcpy(other, so, so_len);
        other[18] ^= 0x55; /* e_machine */
        h = native_so_open(other, so_len, "corral_probe", &sym, err, sizeof err);
        CHECK(!h && strstr(err, "another kind of CPU"), err);
        /* An ELF header the pre-check accepts and dlopen refuses: its message. */
        other[18] ^= 0x55;
        other[7] = 0x55; /* EI_OSABI */
        h = native_so_open(other, so_len, "corral_probe", &sym, err, sizeof err);
        CHECK(!h && strstr(err, "cannot load compiled code: /proc/") == err && strstr(err, "/fd/"), err);
        printf("dlopen says: %s\n", err);
        free(other);
        h = native_so_open(so, so_len, "no_such_symbol", &sym, err, sizeof err);
        CHECK(!h && !sym && strcmp(err, "compiled code has no symbol `no_such_symbol`") == 0, err);
        free(so);
    } else {
        CHECK(0, err);
    }
}

static void test_identity(void)
{
    CcConfig cfg = {.opt = 1};
    char id[512], again[512], small[8];
    CHECK(cc_identity(&cfg, id, sizeof id) == 0, "identity");
    CHECK(strstr(id, "; -std=gnu11 -O1 -fPIC -shared -fvisibility=hidden -ffp-contract=off") &&
              strstr(id, " -w") && !strchr(id, '\n'),
          id);
    CHECK(cc_identity(&cfg, again, sizeof again) == 0 && strcmp(id, again) == 0, "cached, same");
    cfg.opt = 3;
    CHECK(cc_identity(&cfg, again, sizeof again) == 0 && strstr(again, " -O3 "), again);
    CHECK(cc_identity(&cfg, small, sizeof small) == -1 && small[0] == '\0', "too small");
    printf("compiler: %s (%zu chars)\n", id, strlen(id));
}

typedef struct Job {
    int k, result;
    char err[512];
} Job;

static void *compile_job(void *arg)
{
    Job *j = arg;
    char src[256];
    snprintf(src, sizeof src,
             "__attribute__((visibility(\"default\"))) int corral_probe(int x) { return x * %d; }",
             j->k);
    CcConfig cfg = {.tmpdir = scratch, .opt = 1};
    int (*f)(int) = NULL;
    void *h = build(&cfg, src, &f, j->err, sizeof j->err);
    j->result = h && f ? f(10) : -1;
    native_so_close(h);
    return NULL;
}

static void test_threads(void)
{
    Job jobs[2] = {{.k = 11}, {.k = 13}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, compile_job, &jobs[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK(jobs[0].result == 110, jobs[0].err);
    CHECK(jobs[1].result == 130, jobs[1].err);
    CHECK(unit_dir_entries(scratch, NULL, 0) == 0, "nothing left after threads");
}

int main(void)
{
    if (!mkdtemp(scratch))
        return 1;
    unsetenv("CORRAL_CC");
    /* where the compiled tier is not offered (tier.h), its objects cannot be loaded: under
     * qemu-user the system cc makes code for the build machine, not this one */
    const char *unsupported = tier_native_unsupported();
    if (unsupported) {
        printf("test_cc: not run: %s\n", unsupported);
        fs_remove_tree(scratch);
        return unit_report("test_cc");
    }
    test_compile_and_call();
    test_errors();
    test_identity();
    test_threads();
    fs_remove_tree(scratch);
    return unit_report("test_cc");
}
