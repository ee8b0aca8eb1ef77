;; inittrap.wat: instantiation that traps: an element segment past the end of its table.
(module
  (memory 1)
  (table 1 funcref)
  (func $f)
  (elem (i32.const 0) $f $f)
  (data (i32.const 65535) "ab")
  (func (export "x") (result i32) (i32.const 1))
)
