/* proc_raise: preview 1's proc_raise (gone from newer wasi-libc headers, so imported by hand).
 * Corral, like wasmtime, supports no signals: raising one ends the guest with a trap whose
 * message names proc_raise (exit status 134), never a signal to the host process. */
#include <stdint.h>
#include <unistd.h>

__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise"))) int32_t
raw_proc_raise(int32_t sig);

int main(void)
{
    write(1, "raising SIGTERM\n", 16);
    int32_t e = raw_proc_raise(15);
    write(1, e ? "returned an error\n" : "returned 0\n", e ? 18 : 11);
    return 0;
}
