;; invalid-operand.wat: i32.add gets an i64 operand in func 1. Compiled with --no-check.
(module
  (func (param i32) (result i32) local.get 0)
  (func (result i32) i32.const 1 i64.const 2 i32.add))
