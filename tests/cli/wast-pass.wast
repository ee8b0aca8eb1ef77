;; wast-pass.wast: a small script on which `corral wast` must report no failure.
(module $m
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func $loop (export "loop") call $loop))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_exhaustion (invoke "loop") "call stack exhausted")
(assert_invalid (module (func (result i32) i64.const 1)) "type mismatch")
(assert_malformed (module quote "(func") "unexpected token") ;; text form: skipped
(register "m" $m)
(module
  (import "m" "add" (func $add (param i32 i32) (result i32)))
  (func (export "inc") (param i32) (result i32) local.get 0 i32.const 1 call $add))
(assert_return (invoke "inc" (i32.const 41)) (i32.const 42))
