/* sjlj_rt.c: the runtime that clang 14's WebAssembly setjmp/longjmp lowering
 * (-mllvm -wasm-enable-sjlj) calls, which Debian's wasi-libc lacks. The lowering gives each
 * function that calls setjmp a table of (id, label) slots, ended by an id of 0, that it
 * allocates with malloc (5 slots, 4 usable) and frees on return:
 *   saveSetjmp(env, label, table, size)  gives env a new id, records it with the label of
 *       the setjmp's continuation, growing the table when full; returns the table and leaves
 *       its size for getTempRet0()
 *   testSetjmp(id, table, size)          the label of id in this function's table, 0 if none
 *   __wasm_longjmp(env, val)             throws the C longjmp tag (__c_longjmp) with a
 *       pointer to {env, val}; each function with a setjmp catches it, looks env's id up in
 *       its table and continues at the label, or calls __wasm_longjmp again to pass it on. */
#include <stdint.h>
#include <stdlib.h>

typedef struct Slot {
    uint32_t id, label;
} Slot;

static uint32_t last_id, temp_ret0;
static struct {
    uint32_t *env;
    int val;
} jump;

uint32_t getTempRet0(void);
Slot *saveSetjmp(uint32_t *env, uint32_t label, Slot *table, uint32_t size);
uint32_t testSetjmp(uint32_t id, const Slot *table, uint32_t size);
void __wasm_longjmp(uint32_t *env, int val);

uint32_t getTempRet0(void) { return temp_ret0; }

Slot *saveSetjmp(uint32_t *env, uint32_t label, Slot *table, uint32_t size)
{
    *env = ++last_id;
    for (;;) {
        for (uint32_t i = 0; i < size; i++) {
            if (table[i].id == 0) {
                table[i] = (Slot){*env, label};
                table[i + 1].id = 0;
                temp_ret0 = size;
                return table;
            }
        }
        size *= 2;
        table = realloc(table, sizeof *table * (size + 1));
        if (!table)
            abort();
    }
}

uint32_t testSetjmp(uint32_t id, const Slot *table, uint32_t size)
{
    for (uint32_t i = 0; i < size && table[i].id; i++)
        if (table[i].id == id)
            return table[i].label;
    return 0;
}

void __wasm_longjmp(uint32_t *env, int val)
{
    jump.env = env;
    jump.val = val ? val : 1; /* longjmp(env, 0) makes setjmp return 1 */
    __builtin_wasm_throw(1, &jump);
}
