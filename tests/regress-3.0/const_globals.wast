;; WebAssembly 3.0 (GC proposal's rule): constant expressions read any immutable global defined
;; before them (a global's initializer) or in the module (segment offsets), not only imports.
(module
  (global $a i32 (i32.const 5))
  (global $b i32 (global.get $a))
  (global $v v128 (v128.const i32x4 1 2 3 4))
  (global $w v128 (global.get $v))
  (memory 1)
  (data (global.get $b) "x")
  (func (export "b") (result i32) (global.get $b))
  (func (export "m") (result i32) (i32.load8_u (i32.const 5)))
  (func (export "w") (result i32) (i32x4.extract_lane 3 (global.get $w)))
)
(assert_return (invoke "b") (i32.const 5))
(assert_return (invoke "m") (i32.const 120))
(assert_return (invoke "w") (i32.const 4))
(assert_invalid (module (global $a (mut i32) (i32.const 5)) (global $b i32 (global.get $a))) "constant expression required")
(assert_invalid (module (global $b i32 (global.get 1)) (global $a i32 (i32.const 5))) "unknown global")
