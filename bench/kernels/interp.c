/* interp.c: a tiny stack-machine bytecode interpreter (one switch, which clang makes a
 * br_table) running a program that sums the Collatz step counts of 1..n. Measures an
 * indirect-branch dispatch loop: a load, a br_table and a few stack operations per bytecode,
 * and the data-dependent even/odd branch of the program itself. */
#include <stdint.h>

#define BENCH_ARG 50000
#define CODE_MAX 64
#define STACK_MAX 16

/* The instruction set: one int32 opcode, then an int32 operand for those marked (imm).
 * Binary operations pop b, then a, and push a OP b. */
enum {
    OP_PUSH,  /* (imm) push imm */
    OP_LOAD,  /* (local) push locals[local] */
    OP_STORE, /* (local) pop into locals[local] */
    OP_INC,   /* (local) locals[local] += 1 */
    OP_ADD,
    OP_MUL,
    OP_AND,
    OP_SHR, /* a >> b, logical */
    OP_EQ,  /* 1 if a == b, else 0 */
    OP_GT,  /* 1 if a > b (signed), else 0 */
    OP_JMP, /* (target) */
    OP_JZ,  /* (target) pop; jump if zero */
    OP_JNZ, /* (target) pop; jump if not zero */
    OP_HALT /* pop and return it */
};

enum { L_N, L_LIMIT, L_X, L_STEPS, N_LOCALS };

static int32_t code[CODE_MAX];
static int32_t code_len;

static int32_t emit(int32_t op, int32_t operand)
{
    code[code_len++] = op;
    if (op == OP_PUSH || op == OP_LOAD || op == OP_STORE || op == OP_INC || op >= OP_JMP)
        code[code_len++] = operand;
    return code_len - 1; /* the operand's index, for patch */
}

/* Points the jump whose operand is at index at to the next instruction. */
static void patch(int32_t at)
{
    code[at] = code_len;
}

/* assemble: writes the program
 *     n = 1
 *     while (!(n > limit)) {
 *         x = n
 *         while (!(x == 1)) { x = (x & 1) ? x * 3 + 1 : x >> 1; steps += 1 }
 *         n += 1
 *     }
 *     return steps */
static void assemble(void)
{
    code_len = 0;
    emit(OP_PUSH, 1);
    emit(OP_STORE, L_N);
    int32_t loop_n = code_len;
    emit(OP_LOAD, L_N);
    emit(OP_LOAD, L_LIMIT);
    emit(OP_GT, 0);
    int32_t to_done = emit(OP_JNZ, 0);
    emit(OP_LOAD, L_N);
    emit(OP_STORE, L_X);
    int32_t loop_x = code_len;
    emit(OP_LOAD, L_X);
    emit(OP_PUSH, 1);
    emit(OP_EQ, 0);
    int32_t to_next_n = emit(OP_JNZ, 0);
    emit(OP_LOAD, L_X);
    emit(OP_PUSH, 1);
    emit(OP_AND, 0);
    int32_t to_even = emit(OP_JZ, 0);
    emit(OP_LOAD, L_X);
    emit(OP_PUSH, 3);
    emit(OP_MUL, 0);
    emit(OP_PUSH, 1);
    emit(OP_ADD, 0);
    emit(OP_STORE, L_X);
    int32_t to_count = emit(OP_JMP, 0);
    patch(to_even);
    emit(OP_LOAD, L_X);
    emit(OP_PUSH, 1);
    emit(OP_SHR, 0);
    emit(OP_STORE, L_X);
    patch(to_count);
    emit(OP_INC, L_STEPS);
    emit(OP_JMP, loop_x);
    patch(to_next_n);
    emit(OP_INC, L_N);
    emit(OP_JMP, loop_n);
    patch(to_done);
    emit(OP_LOAD, L_STEPS);
    emit(OP_HALT, 0);
}

/* run: interprets code from 0 with the given locals; returns what OP_HALT pops, or -1 for a
 * bad opcode. */
static int64_t run(int64_t *locals)
{
    int64_t stack[STACK_MAX];
    int32_t sp = 0, pc = 0;
    for (;;) {
        int32_t op = code[pc++];
        switch (op) {
        case OP_PUSH:
            stack[sp++] = code[pc++];
            break;
        case OP_LOAD:
            stack[sp++] = locals[code[pc++]];
            break;
        case OP_STORE:
            locals[code[pc++]] = stack[--sp];
            break;
        case OP_INC:
            locals[code[pc++]]++;
            break;
        case OP_ADD:
            sp--;
            stack[sp - 1] += stack[sp];
            break;
        case OP_MUL:
            sp--;
            stack[sp - 1] *= stack[sp];
            break;
        case OP_AND:
            sp--;
            stack[sp - 1] &= stack[sp];
            break;
        case OP_SHR:
            sp--;
            stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] >> (stack[sp] & 63));
            break;
        case OP_EQ:
            sp--;
            stack[sp - 1] = stack[sp - 1] == stack[sp];
            break;
        case OP_GT:
            sp--;
            stack[sp - 1] = stack[sp - 1] > stack[sp];
            break;
        case OP_JMP:
            pc = code[pc];
            break;
        case OP_JZ:
            pc = stack[--sp] == 0 ? code[pc] : pc + 1;
            break;
        case OP_JNZ:
            pc = stack[--sp] != 0 ? code[pc] : pc + 1;
            break;
        case OP_HALT:
            return stack[sp - 1];
        default:
            return -1;
        }
    }
}

/* Returns the total number of Collatz steps of 1..n (5025114 for n = 50000), to 31 bits. */
int32_t interp(int32_t n)
{
    assemble();
    int64_t locals[N_LOCALS] = {0};
    locals[L_LIMIT] = n;
    return (int32_t)(run(locals) & 0x7fffffff);
}
