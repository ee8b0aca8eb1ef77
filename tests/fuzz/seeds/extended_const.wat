;; extended_const.wat: extended constant expressions (WebAssembly 3.0): add, sub and mul of
;; i32 and i64 in global initialisers and segment offsets, reading earlier globals.
(module
  (global $a i32 (i32.const 7))
  (global $b i32 (i32.add (i32.mul (global.get $a) (i32.const 6)) (i32.const -2)))
  (global $c i64 (i64.sub (i64.const 0) (i64.mul (i64.const 0x100000000) (i64.const 0x100000001))))
  (memory 1)
  (data (i32.sub (global.get $b) (i32.const 8)) "\2a\2b")
  (table 4 funcref)
  (elem (i32.sub (global.get $a) (i32.const 6)) $f)
  (func $f (result i32) (global.get $b))
  (func (export "b") (result i32) (global.get $b))
  (func (export "c") (result i64) (global.get $c))
  (func (export "mem") (result i32) (i32.load16_u (i32.const 32)))
  (func (export "tab") (result i32) (call_indirect (result i32) (i32.const 1)))
)
