/* tailvm.c: a small stack-machine bytecode interpreter whose instruction handlers tail-call
 * each other (clang's musttail, compiled with -mtail-call to return_call and
 * return_call_indirect). A program runs millions of instructions as one chain of tail calls,
 * far deeper than any call stack: the Wasm engine must run each tail call in constant space.
 * Built and run by tests/tailcall/run.sh; the output is compared with tailvm.expected. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, MOD, LT, JZ, JMP, PRINT, CALLHOST, HALT, NOPS };

typedef struct Vm {
    int64_t vars[8];
    int64_t stack[64];
    uint64_t steps;
} Vm;

typedef int64_t Handler(Vm *vm, const int32_t *pc, int64_t *sp);

static Handler *const table[NOPS];

/* The dispatcher proper: kept out of line so that handlers reach it by a direct tail call
 * (return_call) and it reaches the next handler by an indirect one (return_call_indirect). */
__attribute__((noinline)) static int64_t next(Vm *vm, const int32_t *pc, int64_t *sp)
{
    vm->steps++;
    __attribute__((musttail)) return table[*pc](vm, pc, sp);
}

#define NEXT(n) __attribute__((musttail)) return next(vm, pc + (n), sp)

static int64_t op_push(Vm *vm, const int32_t *pc, int64_t *sp) { *sp++ = pc[1]; NEXT(2); }
static int64_t op_load(Vm *vm, const int32_t *pc, int64_t *sp) { *sp++ = vm->vars[pc[1]]; NEXT(2); }
static int64_t op_store(Vm *vm, const int32_t *pc, int64_t *sp) { vm->vars[pc[1]] = *--sp; NEXT(2); }
static int64_t op_add(Vm *vm, const int32_t *pc, int64_t *sp) { sp--; sp[-1] += sp[0]; NEXT(1); }
static int64_t op_sub(Vm *vm, const int32_t *pc, int64_t *sp) { sp--; sp[-1] -= sp[0]; NEXT(1); }
static int64_t op_mul(Vm *vm, const int32_t *pc, int64_t *sp) { sp--; sp[-1] *= sp[0]; NEXT(1); }
static int64_t op_mod(Vm *vm, const int32_t *pc, int64_t *sp) { sp--; sp[-1] %= sp[0]; NEXT(1); }
static int64_t op_lt(Vm *vm, const int32_t *pc, int64_t *sp) { sp--; sp[-1] = sp[-1] < sp[0]; NEXT(1); }
static int64_t op_jz(Vm *vm, const int32_t *pc, int64_t *sp)
{
    int64_t c = *--sp;
    NEXT(c ? 2 : pc[1]);
}
static int64_t op_jmp(Vm *vm, const int32_t *pc, int64_t *sp) { NEXT(pc[1]); }

static int64_t op_print(Vm *vm, const int32_t *pc, int64_t *sp)
{
    printf("%lld\n", (long long)*--sp);
    NEXT(1);
}

/* A call into the host (WASI's clock) in the middle of the chain; the value is not printed. */
static int64_t op_callhost(Vm *vm, const int32_t *pc, int64_t *sp)
{
    *sp++ = time(NULL) > 0;
    NEXT(1);
}

static int64_t op_halt(Vm *vm, const int32_t *pc, int64_t *sp)
{
    (void)vm;
    (void)pc;
    return sp[-1];
}

static Handler *const table[NOPS] = {
    [PUSH] = op_push, [LOAD] = op_load, [STORE] = op_store, [ADD] = op_add, [SUB] = op_sub,
    [MUL] = op_mul,   [MOD] = op_mod,   [LT] = op_lt,       [JZ] = op_jz,   [JMP] = op_jmp,
    [PRINT] = op_print, [CALLHOST] = op_callhost, [HALT] = op_halt,
};

/* The number of primes below vars[0] by trial division, the 60th Fibonacci number modulo
 * 1000000007 by iteration, then a checksum loop of 200000 iterations with a host call in each:
 * about 5 million instructions, each a tail call. Jumps are relative to the jump's own word. */
static const int32_t program[] = {
/* 0 */ PUSH, 2, STORE, 1, PUSH, 0, STORE, 2,
    /* 8 outer */ LOAD, 1, LOAD, 0, LT, JZ, 51,
    /* 15 */ PUSH, 2, STORE, 3,
    /* 19 inner */ LOAD, 3, LOAD, 3, MUL, LOAD, 1, PUSH, 1, ADD, LT, JZ, 18,
    /* 32 */ LOAD, 1, LOAD, 3, MOD, JZ, 18,
    /* 39 */ LOAD, 3, PUSH, 1, ADD, STORE, 3, JMP, -27,
    /* 48 prime */ LOAD, 2, PUSH, 1, ADD, STORE, 2,
    /* 55 not_prime */ LOAD, 1, PUSH, 1, ADD, STORE, 1, JMP, -54,
    /* 64 done_primes */ LOAD, 2, PRINT,
    /* 67 */ PUSH, 0, STORE, 4, PUSH, 1, STORE, 5, PUSH, 0, STORE, 6,
    /* 79 fib */ LOAD, 6, PUSH, 60, LT, JZ, 25,
    /* 86 */ LOAD, 4, LOAD, 5, ADD, PUSH, 1000000007, MOD, LOAD, 5, STORE, 4, STORE, 5,
    /* 100 */ LOAD, 6, PUSH, 1, ADD, STORE, 6, JMP, -28,
    /* 109 done_fib */ LOAD, 4, PRINT,
    /* 112 */ PUSH, 0, STORE, 4, PUSH, 0, STORE, 6,
    /* 120 sum */ LOAD, 6, PUSH, 200000, LT, JZ, 27,
    /* 127 */ LOAD, 4, PUSH, 31, MUL, LOAD, 6, ADD, PUSH, 65521, MOD, STORE, 4,
    /* 140 */ CALLHOST, STORE, 7,
    /* 143 */ LOAD, 6, PUSH, 1, ADD, STORE, 6, JMP, -30,
    /* 152 done_sum */ LOAD, 4, PRINT, PUSH, 0, HALT,
};

int main(void)
{
    static Vm vm = {.vars = {10000}};
    const int32_t *pc = program;
    int64_t r = table[*pc](&vm, pc, vm.stack);
    printf("steps %llu, result %lld\n", (unsigned long long)vm.steps, (long long)r);
    return (int)r;
}
