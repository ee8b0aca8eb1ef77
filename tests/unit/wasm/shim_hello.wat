;; shim_hello.wat: _start prints "hello from wasm\n" on stdout and returns (exit 0); the
;; export "entry" prints "entry\n" instead (for args[0] = "path#entry"); "notfunc" is a
;; global, not callable.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global (export "notfunc") i32 (i32.const 0))
  (data (i32.const 64) "hello from wasm\n")
  (data (i32.const 96) "entry\n")
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start") (call $print (i32.const 64) (i32.const 16)))
  (func (export "entry") (call $print (i32.const 96) (i32.const 6))))
