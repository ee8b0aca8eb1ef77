/* driver.c: a minimal runtime for C emitted by src/compile/emit_c.c, linked with one
 * generated module: `driver NAME [ARG...]` instantiates it, calls export NAME with integer
 * arguments and prints the results as `corral run --invoke` does (traps as "trap: MSG",
 * exit 1). `driver -` reads "xHEXNAME ARG..." lines (x, then the name in hex: names may hold any byte) (raw bits in decimal) from stdin and answers
 * each with "ok RESULT..." (raw bits) or "trap MESSAGE", for tests/compile/spec.py. Test scaffolding for the first cut: the real runtime side is engine/native.c
 * (docs/design/compiled.md, section 6). Memory is realloc'ed, so it moves on grow, which the
 * generated code must survive (it reloads its base after calls and memory.grow). */
#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emit_rt.h"

extern const CcExport cc_exports[];
extern const uint32_t cc_nexports;
void cc_instantiate(CcCtx *c);

typedef struct Rt {
    jmp_buf jb;
    uint32_t code, off;
    uint32_t mem_max;
} Rt;

static const char *trap_msg(uint32_t code)
{
    static const char *const msgs[] = {
        "", "integer divide by zero", "integer overflow", "invalid conversion to integer",
        "unreachable", "out of bounds memory access", "out of bounds table access",
        "undefined element", "uninitialized element", "indirect call type mismatch",
        "call stack exhausted",
    };
    return code < sizeof msgs / sizeof msgs[0] ? msgs[code] : "unknown trap";
}

_Noreturn void cc_rt_trap(CcCtx *c, uint32_t code, uint32_t wasm_offset)
{
    Rt *rt = c->rt;
    rt->code = code;
    rt->off = wasm_offset;
    longjmp(rt->jb, 1);
}

void *cc_rt_alloc(CcCtx *c, size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        fprintf(stderr, "driver: out of memory\n");
        exit(3);
    }
    (void)c;
    return p; /* the driver lives for one call; it never frees */
}

void cc_rt_memory_new(CcCtx *c, uint32_t min, uint32_t max)
{
    Rt *rt = c->rt;
    rt->mem_max = max;
    c->mem = cc_rt_alloc(c, (size_t)min << 16);
    c->mem_size = (uint64_t)min << 16;
}

uint32_t cc_rt_memory_grow(CcCtx *c, uint32_t delta)
{
    Rt *rt = c->rt;
    uint64_t old = c->mem_size >> 16;
    if (old + delta > rt->mem_max)
        return 0xffffffffu;
    uint8_t *p = realloc(c->mem, (size_t)(old + delta) << 16 ? (size_t)(old + delta) << 16 : 1);
    if (!p)
        return 0xffffffffu;
    memset(p + c->mem_size, 0, (size_t)delta << 16);
    c->mem = p;
    c->mem_size = (old + delta) << 16;
    return (uint32_t)old;
}

uint32_t cc_rt_table_grow(CcCtx *c, uint32_t table, uint64_t init, uint32_t delta)
{
    CcTable *t = &c->tables[table];
    uint32_t old = t->size;
    if ((uint64_t)old + delta > t->max)
        return 0xffffffffu;
    uint64_t *p = realloc(t->elems, ((size_t)old + delta + 1) * sizeof *p);
    if (!p)
        return 0xffffffffu;
    for (uint32_t i = 0; i < delta; i++)
        p[old + i] = init;
    t->elems = p;
    t->size = old + delta;
    return old;
}

static void print_value(char type, uint64_t v)
{
    switch (type) {
    case 'i': printf("%" PRId32 "\n", (int32_t)(uint32_t)v); break;
    case 'I': printf("%" PRId64 "\n", (int64_t)v); break;
    default: printf("0x%" PRIx64 "\n", v); break;
    }
}

static const CcExport *find_export(const char *name, size_t len)
{
    for (uint32_t i = 0; i < cc_nexports; i++)
        if (cc_exports[i].kind == 0 && cc_exports[i].name_len == len &&
            memcmp(cc_exports[i].name, name, len) == 0)
            return &cc_exports[i];
    return NULL;
}

/* Calls x and prints "ok RESULT..." or "trap MESSAGE". */
static void call_one(CcCtx *ctx, Rt *rt, const CcExport *x, const uint64_t *args, uint64_t *res)
{
    if (setjmp(rt->jb)) {
        if (rt->code == CC_TRAP_UNINIT_ELEM)
            printf("trap uninitialized element %u\n", (unsigned)ctx->trap_arg);
        else
            printf("trap %s\n", trap_msg(rt->code));
        fflush(stdout);
        return;
    }
    x->call(ctx, args, res);
    printf("ok");
    for (uint32_t r = 0; r < x->nresults; r++)
        printf(" %" PRIu64, res[r]);
    printf("\n");
    fflush(stdout);
}

/* The batch protocol; the instance persists across lines and traps, as in a .wast script. */
static int batch(CcCtx *ctx, Rt *rt)
{
    static char line[65536];
    while (fgets(line, sizeof line, stdin)) {
        char *save = NULL, *name = strtok_r(line, " \n", &save);
        if (!name)
            continue;
        char decoded[sizeof line / 2 + 1];
        size_t k = 0;
        name++; /* the "x" that keeps an empty name a token */
        for (; name[2 * k] && name[2 * k + 1]; k++) {
            char hex[3] = {name[2 * k], name[2 * k + 1], 0};
            decoded[k] = (char)strtoul(hex, NULL, 16);
        }
        decoded[k] = 0;
        const CcExport *x = find_export(decoded, k);
        uint64_t args[64] = {0}, res[64] = {0};
        uint32_t n = 0;
        for (char *t; (t = strtok_r(NULL, " \n", &save)) && n < 64;)
            args[n++] = strtoull(t, NULL, 10);
        if (!x || n != x->nparams || x->nresults > 64) {
            printf("error bad call\n");
            fflush(stdout);
            continue;
        }
        call_one(ctx, rt, x, args, res);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s NAME [ARG...]\n", argv[0]);
        return 2;
    }
    static Rt rt;
    static CcCtx ctx;
    ctx.rt = &rt;
    /* call stack exhausted 1 MiB before the 8 MiB default stack runs out */
    ctx.stack_limit = (uintptr_t)__builtin_frame_address(0) - (7u << 20);
    if (setjmp(rt.jb)) {
        if (rt.code == CC_TRAP_UNINIT_ELEM)
            printf("trap: uninitialized element %u\n", (unsigned)ctx.trap_arg);
        else
            printf("trap: %s\n", trap_msg(rt.code));
        fprintf(stderr, "  at wasm offset 0x%x\n", (unsigned)rt.off);
        return 1;
    }
    cc_instantiate(&ctx);
    if (strcmp(argv[1], "-") == 0) {
        printf("instantiated\n");
        fflush(stdout);
        return batch(&ctx, &rt);
    }
    const CcExport *x = find_export(argv[1], strlen(argv[1]));
    if (x) {
        uint64_t args[64] = {0}, res[64] = {0};
        if ((uint32_t)argc - 2 != x->nparams || x->nparams > 64 || x->nresults > 64) {
            fprintf(stderr, "%s takes %u arguments\n", x->name, (unsigned)x->nparams);
            return 2;
        }
        for (uint32_t a = 0; a < x->nparams; a++)
            args[a] = (uint64_t)strtoll(argv[2 + a], NULL, 0);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        x->call(&ctx, args, res);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        for (uint32_t r = 0; r < x->nresults; r++)
            print_value(x->types[x->nparams + r], res[r]);
        if (getenv("CC_DRIVER_TIME"))
            fprintf(stderr, "call: %.6f s\n",
                    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        return 0;
    }
    fprintf(stderr, "no exported function %s\n", argv[1]);
    return 2;
}
