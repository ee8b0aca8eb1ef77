;; unknown.wat: a CGI module with imports nobody provides (env::f, env::g), called by some
;; entrypoints only: _start answers "ok!" and calls neither; call_f calls env::f first;
;; call_g answers "ok0" when env::g (i32 -> i64) returned 0, "ok?" otherwise.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "f" (func $f))
  (import "env" "g" (func $g (param i32) (result i64)))
  (memory (export "memory") 1)
  ;; offset 100: the response, 30 bytes; its byte at 128 is "!", or "0" or "?" for call_g
  (data (i32.const 100) "Content-Type: text/plain\n\nok!\n")
  (func $answer (param $c i32)
    (i32.store8 (i32.const 128) (local.get $c))
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 30))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start") (call $answer (i32.const 0x21)))
  (func (export "call_f") (call $f) (call $answer (i32.const 0x21)))
  (func (export "call_g")
    (call $answer (select (i32.const 0x30) (i32.const 0x3f)
                          (i64.eqz (call $g (i32.const 5)))))))
