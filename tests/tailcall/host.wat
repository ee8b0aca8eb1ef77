;; host.wat: host functions reached by tail calls (tests/tailcall/run.sh). fd_write is
;; tail-called directly and through a table, and its result (the errno) comes back through the
;; tail-calling function to its caller; the exit is a tail call of proc_exit. Prints "hello"
;; twice and exits with 7 when both writes returned 0 and wrote 6 bytes and a write to a bad
;; descriptor returned badf.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (type $write_t (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\06\00\00\00")  ;; iovec {16, 6}
  (data (i32.const 16) "hello\n")
  (table funcref (elem $fd_write))

  (func $write (param $fd i32) (result i32)
    (return_call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func $write_ind (param $fd i32) (result i32)
    (return_call_indirect (type $write_t)
      (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 12) (i32.const 0)))
  (func $exit (param i32) (return_call $proc_exit (local.get 0)))

  (func (export "_start")
    (local $ok i32)
    (local.set $ok (i32.eqz (call $write (i32.const 1))))
    (local.set $ok (i32.and (local.get $ok) (i32.eqz (call $write_ind (i32.const 1)))))
    (local.set $ok (i32.and (local.get $ok) (i32.eq (i32.load (i32.const 8)) (i32.const 6))))
    (local.set $ok (i32.and (local.get $ok) (i32.eq (i32.load (i32.const 12)) (i32.const 6))))
    ;; a bad descriptor: errno 8 (badf) comes back the same way
    (local.set $ok (i32.and (local.get $ok) (i32.eq (call $write (i32.const 99)) (i32.const 8))))
    (call $exit (select (i32.const 7) (i32.const 1) (local.get $ok)))
    unreachable)
)
