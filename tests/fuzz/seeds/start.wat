;; start.wat: a start function that writes memory and a global.
(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (table 2 funcref)
  (elem (i32.const 1) $s)
  (data (i32.const 65530) "abcdef")
  (func $s (global.set $g (i32.const 1)) (i32.store (i32.const 0) (i32.const 42)))
  (start $s)
  (func (export "g") (result i32) (global.get $g))
)
