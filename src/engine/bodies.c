/* bodies.c: checks the function bodies of a module being decoded, the bulk of the work of
 * loading a big module: validate_code on each body, on several threads when there are
 * megabytes of code. Bodies are independent once the sections before the code section are
 * checked, and the outcome is the same on any number of threads: the first malformed body and
 * the first invalid one, in module order, as a sequential pass would report them. */
#include "bodies.h"
#include "util/thread.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Below this much code, threads cost more than they save. */
#define PARALLEL_MIN_BYTES (1u << 20)
/* Work is handed out in runs of bodies of about this many bytes. */
#define CHUNK_BYTES (128u << 10)
#define MAX_THREADS 16

/* The first failure of each kind seen by one worker (body index, UINT32_MAX for none). */
typedef struct Firsts {
    uint32_t malformed_body, invalid_body;
    DecodeError malformed, invalid;
} Firsts;

typedef struct Shared {
    const Module *m;
    bool full;
    const uint32_t *chunks; /* chunk k is bodies [chunks[k], chunks[k + 1]) */
    uint32_t nchunks;
    _Atomic uint32_t next;  /* next chunk to take */
} Shared;

typedef struct Worker {
    Shared *sh;
    Val *val;
    Firsts f;
    pthread_t thread;
    bool started, oom;
} Worker;

static void firsts_init(Firsts *f)
{
    f->malformed_body = f->invalid_body = UINT32_MAX;
}

static void copy_err(DecodeError *dst, const DecodeError *src)
{
    *dst = *src;
    if (src->msg == src->buf)
        dst->msg = dst->buf;
}

/* Checks body ci and records it if it is the first of its kind for this worker. */
static void check_one(Val *val, bool full, uint32_t ci, Firsts *f)
{
    DecodeError e;
    int st = validate_code(val, ci, full, &e);
    if (st == VAL_MALFORMED && ci < f->malformed_body) {
        f->malformed_body = ci;
        copy_err(&f->malformed, &e);
    } else if (st == VAL_INVALID && ci < f->invalid_body) {
        f->invalid_body = ci;
        copy_err(&f->invalid, &e);
    }
}

static void *work(void *arg)
{
    Worker *w = arg;
    Shared *sh = w->sh;
    for (;;) {
        uint32_t k = atomic_fetch_add_explicit(&sh->next, 1, memory_order_relaxed);
        if (k >= sh->nchunks)
            return NULL;
        /* A malformed body wins over everything after it: later chunks need no look. */
        if (sh->chunks[k] > w->f.malformed_body)
            continue;
        for (uint32_t ci = sh->chunks[k]; ci < sh->chunks[k + 1]; ci++)
            check_one(w->val, sh->full, ci, &w->f);
    }
}

static unsigned thread_count(unsigned configured)
{
    if (configured)
        return configured < MAX_THREADS ? configured : MAX_THREADS;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 8 ? 8 : (unsigned)n;
}

/* Splits bodies [0, n) into runs of about CHUNK_BYTES; returns their count (chunks has
 * room for n + 1 entries). */
static uint32_t make_chunks(const Module *m, uint32_t n, uint32_t *chunks)
{
    uint32_t nchunks = 0;
    uint64_t acc = 0;
    chunks[0] = 0;
    for (uint32_t ci = 0; ci < n; ci++) {
        acc += m->codes[ci].body_end - m->codes[ci].body_start + 16;
        if (acc >= CHUNK_BYTES || ci + 1 == n) {
            chunks[++nchunks] = ci + 1;
            acc = 0;
        }
    }
    return nchunks;
}

/* Merges a worker's findings into the result, keeping the earliest of each kind. */
static void merge(Firsts *into, const Firsts *f)
{
    if (f->malformed_body < into->malformed_body) {
        into->malformed_body = f->malformed_body;
        copy_err(&into->malformed, &f->malformed);
    }
    if (f->invalid_body < into->invalid_body) {
        into->invalid_body = f->invalid_body;
        copy_err(&into->invalid, &f->invalid);
    }
}

static int report(const Firsts *f, BodiesOutcome *out)
{
    out->malformed_body = f->malformed_body;
    out->invalid_body = f->invalid_body;
    if (f->malformed_body != UINT32_MAX)
        copy_err(&out->malformed, &f->malformed);
    if (f->invalid_body != UINT32_MAX)
        copy_err(&out->invalid, &f->invalid);
    return 0;
}

static uint64_t code_bytes(const Module *m, uint32_t n)
{
    uint64_t total = 0;
    for (uint32_t ci = 0; ci < n; ci++)
        total += m->codes[ci].body_end - m->codes[ci].body_start;
    return total;
}

int check_bodies(const Module *m, Val *val, uint32_t n, bool full, unsigned threads,
                 BodiesOutcome *out)
{
    Firsts all;
    firsts_init(&all);
    /* the size first: counting CPUs reads /sys (an open, a read and a close: 25 us, in
     * every start-up of a small module) */
    unsigned nthreads = 1;
    if (n >= 2 && code_bytes(m, n) >= PARALLEL_MIN_BYTES)
        nthreads = thread_count(threads);
    if (nthreads < 2) {
        for (uint32_t ci = 0; ci < n && all.malformed_body == UINT32_MAX; ci++)
            check_one(val, full, ci, &all);
        return report(&all, out);
    }
    uint32_t *chunks = malloc(((size_t)n + 1) * sizeof *chunks);
    Worker *ws = calloc(nthreads, sizeof *ws);
    if (!chunks || !ws) {
        free(chunks);
        free(ws);
        return -1;
    }
    Shared sh = {.m = m, .full = full, .chunks = chunks};
    sh.nchunks = make_chunks(m, n, chunks);
    atomic_init(&sh.next, 0);
    int rc = 0;
    /* Worker 0 is this thread, with the decoder's Val; the others get their own. */
    for (unsigned i = 0; i < nthreads; i++) {
        ws[i].sh = &sh;
        firsts_init(&ws[i].f);
        ws[i].val = i == 0 ? val : validate_new(m);
        if (!ws[i].val) {
            ws[i].oom = true;
            continue;
        }
        if (i > 0)
            ws[i].started = thread_start(&ws[i].thread, NULL, work, &ws[i]) == 0;
    }
    work(&ws[0]);
    for (unsigned i = 0; i < nthreads; i++) {
        if (ws[i].started)
            pthread_join(ws[i].thread, NULL);
        merge(&all, &ws[i].f);
        if (i > 0 && ws[i].val) {
            if (validate_take_uses(val, ws[i].val) != 0)
                rc = -1;
            validate_delete(ws[i].val);
        }
    }
    free(chunks);
    free(ws);
    if (rc == 0)
        report(&all, out);
    return rc;
}
