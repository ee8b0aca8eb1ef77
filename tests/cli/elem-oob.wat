;; elem-oob.wat: the element segment starts past the table, so instantiation traps.
(module
  (table 1 funcref)
  (elem (i32.const 1) $f)
  (func $f (export "f")))
