;; wast-fail.wast: like wast-pass.wast, with one assertion that must fail (line 7).
(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_return (invoke "add" (i32.const 2) (i32.const 2)) (i32.const 5))
(assert_invalid (module (func (result i32) i64.const 1)) "type mismatch")
(assert_malformed (module quote "(func") "unexpected token") ;; text form: skipped
