;; arith.wat: round trips for `corral run`. Most functions hand back their arguments, as is,
;; reordered or reinterpreted, so a case sees exactly how the CLI parses and prints each type.
(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "i32") (param i32) (result i32) local.get 0)
  (func (export "i64") (param i64) (result i64) local.get 0)
  (func (export "f32") (param f32) (result f32) local.get 0)
  (func (export "f64") (param f64) (result f64) local.get 0)
  (func (export "f64_add") (param f64 f64) (result f64) local.get 0 local.get 1 f64.add)
  (func (export "f32_bits") (param f32) (result i32) local.get 0 i32.reinterpret_f32)
  (func (export "f64_bits") (param f64) (result i64) local.get 0 i64.reinterpret_f64)
  (func (export "bits_f32") (param i32) (result f32) local.get 0 f32.reinterpret_i32)
  (func (export "bits_f64") (param i64) (result f64) local.get 0 f64.reinterpret_i64)
  ;; four results of four types, in the reverse order of the parameters
  (func (export "swap4") (param i32 i64 f32 f64) (result f64 f32 i64 i32)
    local.get 3 local.get 2 local.get 1 local.get 0)
  (func (export "nothing"))
  (memory (export "mem") 1)
  (global (export "answer") i32 (i32.const 42)))
