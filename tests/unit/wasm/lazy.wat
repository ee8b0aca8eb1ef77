;; lazy.wat: functions reached for the first time by every path a call can take, for
;; test_lazy.c (functions are lowered on their first call: lower.h, "Lazy lowering").
(module
  (type $i2i (func (param i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $via_table $trapper $deep)
  (memory 1)
  (global $g (mut i32) (i32.const 0))

  ;; first reached through call_indirect
  (func $via_table (type $i2i) (i32.mul (local.get 0) (i32.const 3)))
  (func (export "indirect") (param i32) (result i32)
    (call_indirect (type $i2i) (local.get 0) (i32.const 0)))

  ;; a trap three calls deep, each function lowered on the way
  (func $trapper (type $i2i)
    (if (i32.eqz (local.get 0)) (then (unreachable)))
    (i32.div_u (i32.const 100) (i32.const 0)))
  (func $mid (param i32) (result i32) (call $trapper (local.get 0)))
  (func (export "trap") (param i32) (result i32) (call $mid (local.get 0)))

  ;; recursion to the call-depth limit on the first call
  (func $deep (type $i2i)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1)))))))
  (func (export "deep") (param i32) (result i32) (call $deep (local.get 0)))

  ;; a chain of calls, for threads racing to lower the same functions
  (func $c0 (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $c1 (param i32) (result i32) (i32.mul (call $c0 (local.get 0)) (i32.const 2)))
  (func $c2 (param i32) (result i32) (i32.sub (call $c1 (local.get 0)) (i32.const 3)))
  (func $c3 (param i32) (result i32) (i32.xor (call $c2 (local.get 0)) (i32.const 5)))
  (func $c4 (param i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $c3 (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
    (local.get $acc))
  (func (export "chain") (param i32) (result i32) (call $c4 (local.get 0)))

  ;; exported function called from the host directly, and one another instance imports
  (func (export "twice") (param i32) (result i32) (i32.shl (local.get 0) (i32.const 1)))
)
