/* setjmp.h for wasm32-wasi guests built with clang -mllvm -wasm-enable-sjlj: Debian
 * bookworm's wasi-libc (0.0~git20220510) ships no <setjmp.h> and no setjmp runtime (wasi-libc
 * added both in 2023). clang turns calls of these two by name into the runtime calls that
 * sjlj_rt.c provides; jmp_buf only needs room for the id saveSetjmp stores. */
#ifndef SJLJ_SETJMP_H
#define SJLJ_SETJMP_H

typedef struct {
    unsigned long long regs[8];
} jmp_buf[1];

int setjmp(jmp_buf env) __attribute__((returns_twice));
_Noreturn void longjmp(jmp_buf env, int val);

#endif
