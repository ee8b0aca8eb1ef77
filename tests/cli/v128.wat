;; v128.wat: a v128 result for `corral run` (printed as the text format's i32x4 constant)
;; between two scalars.
(module
  (func (export "v128") (param i32) (result i32 v128 i64)
    local.get 0
    local.get 0 i32x4.splat v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 255 i8x16.add
    i64.const -1))
