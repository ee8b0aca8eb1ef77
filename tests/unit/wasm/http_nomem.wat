;; http_nomem.wat: a guest with a memory it does not export as "memory", so every
;; wasi_experimental_http call but close must return 2 (memory_not_found).
(module
  (import "wasi_experimental_http" "req"
    (func $req (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_experimental_http" "close" (func $close (param i32) (result i32)))
  (import "wasi_experimental_http" "body_read"
    (func $body_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "mem") 1)
  (func (export "req") (result i32)
    (call $req (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 3) (i32.const 0)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 20)))
  (func (export "close") (result i32)
    (call $close (i32.const 0)))
  (func (export "body_read") (result i32)
    (call $body_read (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8))))
