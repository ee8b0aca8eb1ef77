;; The compiled tier's call_indirect emits two calls from the same operand stack: a direct one
;; for a function of the same instance, and one through the runtime for any other. The second
;; read its arguments by the types the first call's results had left at their depths: a
;; (param i32) (result f64) callee of another instance got the f64 temporary (0) instead of
;; its argument (issue 14, found when v128 made the mix a C compile error).
(module $m1
  (func (export "f") (param i32) (result f64) (f64.convert_i32_s (local.get 0)))
  (func (export "g") (param i64 i32) (result v128 f32)
    (i64x2.splat (local.get 0)) (f32.convert_i32_s (local.get 1))))
(register "m1" $m1)
(module
  (import "m1" "f" (func $f (param i32) (result f64)))
  (import "m1" "g" (func $g (param i64 i32) (result v128 f32)))
  (table 2 funcref)
  (elem (i32.const 0) $f $g)
  (func (export "call") (param i32) (result f64)
    (call_indirect (param i32) (result f64) (local.get 0) (i32.const 0)))
  (func (export "call_g") (param i64 i32) (result v128 f32)
    (call_indirect (param i64 i32) (result v128 f32) (local.get 0) (local.get 1) (i32.const 1))))
(assert_return (invoke "call" (i32.const 7)) (f64.const 7))
(assert_return (invoke "call_g" (i64.const -2) (i32.const 3))
  (v128.const i64x2 -2 -2) (f32.const 3))
