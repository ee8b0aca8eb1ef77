;; unknown-imports.wat: a WASI command with imports nobody provides, called on some paths
;; only: _start prints "ran" and calls none of them; call_f calls env::f; zeros returns what
;; env::zeros returns (one of each value type); via_zeros calls other::g (i32 -> i32) and
;; adds 1 to its result.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "f" (func $f (param i32)))
  (import "env" "zeros" (func $zeros (result i32 i64 f32 f64 funcref externref)))
  (import "other" "g" (func $g (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\04\00\00\00") ;; one iovec: "ran\n" at 16, 4 bytes
  (data (i32.const 16) "ran\n")
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "call_f") (call $f (i32.const 7)))
  (func (export "zeros") (result i32 i64 f32 f64 funcref externref) (call $zeros))
  (func (export "via_g") (param i32) (result i32)
    (i32.add (call $g (local.get 0)) (i32.const 1))))
