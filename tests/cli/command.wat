;; command.wat: a module with a _start export, which `corral run FILE` calls by default.
(module
  (global $ran (mut i32) (i32.const 0))
  (func (export "_start") (global.set $ran (i32.const 1)))
  (func (export "ran") (result i32) global.get $ran))
