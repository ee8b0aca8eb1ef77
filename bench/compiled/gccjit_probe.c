/* gccjit_probe.c: one small experiment on libgccjit (GCC 12) for the compiled-tier study:
 * what one compilation costs at -O2, (1) for a lone recursive fib and (2) for N small loop
 * functions in one context, and how fast fib(ARG) then runs. Prints one line of timings. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <time.h>

#include <libgccjit.h>

typedef int (*IntFn)(int);

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* add_fib: int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); } */
static void add_fib(gcc_jit_context *c)
{
    gcc_jit_type *int_t = gcc_jit_context_get_type(c, GCC_JIT_TYPE_INT);
    gcc_jit_param *n = gcc_jit_context_new_param(c, NULL, int_t, "n");
    gcc_jit_function *fn =
        gcc_jit_context_new_function(c, NULL, GCC_JIT_FUNCTION_EXPORTED, int_t, "fib", 1, &n, 0);
    gcc_jit_block *entry = gcc_jit_function_new_block(fn, "entry");
    gcc_jit_block *small = gcc_jit_function_new_block(fn, "small");
    gcc_jit_block *rec = gcc_jit_function_new_block(fn, "rec");
    gcc_jit_rvalue *nv = gcc_jit_param_as_rvalue(n);
    gcc_jit_rvalue *one = gcc_jit_context_new_rvalue_from_int(c, int_t, 1);
    gcc_jit_rvalue *two = gcc_jit_context_new_rvalue_from_int(c, int_t, 2);
    gcc_jit_rvalue *a1 = gcc_jit_context_new_binary_op(c, NULL, GCC_JIT_BINARY_OP_MINUS, int_t,
                                                       nv, one);
    gcc_jit_rvalue *a2 = gcc_jit_context_new_binary_op(c, NULL, GCC_JIT_BINARY_OP_MINUS, int_t,
                                                       nv, two);

    gcc_jit_block_end_with_conditional(
        entry, NULL, gcc_jit_context_new_comparison(c, NULL, GCC_JIT_COMPARISON_LT, nv, two),
        small, rec);
    gcc_jit_block_end_with_return(small, NULL, nv);
    gcc_jit_block_end_with_return(
        rec, NULL,
        gcc_jit_context_new_binary_op(c, NULL, GCC_JIT_BINARY_OP_PLUS, int_t,
                                      gcc_jit_context_new_call(c, NULL, fn, 1, &a1),
                                      gcc_jit_context_new_call(c, NULL, fn, 1, &a2)));
}

/* add_loop: int loopK(int n) { int acc = 0; for (int i = 0; i < n; i++) acc = acc*31 + (i^K);
 * return acc; } */
static void add_loop(gcc_jit_context *c, int k)
{
    char name[32];
    gcc_jit_type *int_t = gcc_jit_context_get_type(c, GCC_JIT_TYPE_INT);
    gcc_jit_param *n = gcc_jit_context_new_param(c, NULL, int_t, "n");
    gcc_jit_function *fn;
    gcc_jit_lvalue *acc, *i;
    gcc_jit_block *entry, *cond, *body, *done;

    snprintf(name, sizeof name, "loop%d", k);
    fn = gcc_jit_context_new_function(c, NULL, GCC_JIT_FUNCTION_EXPORTED, int_t, name, 1, &n, 0);
    acc = gcc_jit_function_new_local(fn, NULL, int_t, "acc");
    i = gcc_jit_function_new_local(fn, NULL, int_t, "i");
    entry = gcc_jit_function_new_block(fn, "entry");
    cond = gcc_jit_function_new_block(fn, "cond");
    body = gcc_jit_function_new_block(fn, "body");
    done = gcc_jit_function_new_block(fn, "done");
    gcc_jit_block_add_assignment(entry, NULL, acc, gcc_jit_context_zero(c, int_t));
    gcc_jit_block_add_assignment(entry, NULL, i, gcc_jit_context_zero(c, int_t));
    gcc_jit_block_end_with_jump(entry, NULL, cond);
    gcc_jit_block_end_with_conditional(
        cond, NULL,
        gcc_jit_context_new_comparison(c, NULL, GCC_JIT_COMPARISON_LT, gcc_jit_lvalue_as_rvalue(i),
                                       gcc_jit_param_as_rvalue(n)),
        body, done);
    gcc_jit_block_add_assignment(
        body, NULL, acc,
        gcc_jit_context_new_binary_op(
            c, NULL, GCC_JIT_BINARY_OP_PLUS, int_t,
            gcc_jit_context_new_binary_op(c, NULL, GCC_JIT_BINARY_OP_MULT, int_t,
                                          gcc_jit_lvalue_as_rvalue(acc),
                                          gcc_jit_context_new_rvalue_from_int(c, int_t, 31)),
            gcc_jit_context_new_binary_op(c, NULL, GCC_JIT_BINARY_OP_BITWISE_XOR, int_t,
                                          gcc_jit_lvalue_as_rvalue(i),
                                          gcc_jit_context_new_rvalue_from_int(c, int_t, k))));
    gcc_jit_block_add_assignment_op(body, NULL, i, GCC_JIT_BINARY_OP_PLUS,
                                    gcc_jit_context_one(c, int_t));
    gcc_jit_block_end_with_jump(body, NULL, cond);
    gcc_jit_block_end_with_return(done, NULL, gcc_jit_lvalue_as_rvalue(acc));
}

/* compile: a context at -O2 with fib and NLOOPS loop functions; returns its result. */
static gcc_jit_result *compile(int nloops, double *out_ms)
{
    gcc_jit_context *c = gcc_jit_context_acquire();
    gcc_jit_result *r;
    double t0 = now_ms();
    int k;

    gcc_jit_context_set_int_option(c, GCC_JIT_INT_OPTION_OPTIMIZATION_LEVEL, 2);
    add_fib(c);
    for (k = 0; k < nloops; k++)
        add_loop(c, k);
    r = gcc_jit_context_compile(c);
    *out_ms = now_ms() - t0;
    gcc_jit_context_release(c);
    if (!r) {
        fprintf(stderr, "gccjit_probe: compilation failed\n");
        exit(1);
    }
    return r;
}

int main(int argc, char **argv)
{
    int nloops = argc > 2 ? atoi(argv[2]) : 1000;
    int arg = argc > 1 ? atoi(argv[1]) : 35;
    double ms_one, ms_many, t0, t1;
    gcc_jit_result *one = compile(0, &ms_one);
    gcc_jit_result *many = compile(nloops, &ms_many);
    IntFn fib = (IntFn)gcc_jit_result_get_code(one, "fib");
    int result;

    t0 = now_ms();
    result = fib(arg);
    t1 = now_ms();
    printf("%d\n", result);
    fprintf(stderr, "gccjit_ms fib_only=%.1f with_%d_loops=%.1f per_loop_fn=%.3f fib_run=%.1f\n",
            ms_one, nloops, ms_many, (ms_many - ms_one) / nloops, t1 - t0);
    gcc_jit_result_release(one);
    gcc_jit_result_release(many);
    return 0;
}
