;; Module for test_interrupt.c: a start function, which an interrupt requested before
;; instantiation must stop (it runs through interp_call like any call).
(module
  (global $ran (export "ran") (mut i32) (i32.const 0))
  (func $start (global.set $ran (i32.const 1)))
  (start $start))
