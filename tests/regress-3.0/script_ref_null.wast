;; 3.0 scripts write an expected null reference of any type as (ref.null) (global.wast does);
;; it matches a null funcref or externref and nothing else.
(module
  (func (export "nf") (result funcref) (ref.null func))
  (func (export "ne") (result externref) (ref.null extern))
  (func (export "f") (result funcref) (ref.func 0))
  (func (export "i") (result i32) (i32.const 0))
)
(assert_return (invoke "nf") (ref.null))
(assert_return (invoke "ne") (ref.null))
(assert_return (invoke "f") (ref.func))
(assert_return (invoke "i") (i32.const 0))
