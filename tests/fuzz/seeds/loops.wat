;; loops.wat: loops with values, br_table back-edges and a load in a loop (fuel is charged at
;; back-edges).
(module
  (memory 1)
  (func (export "count") (param i32) (result i32) (local i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get 1) (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br $l)))
    (local.get 1))
  (func (export "loop_vals") (param i32) (result i32 i32)
    (i32.const 0) (i32.const 1)
    (loop $l (param i32 i32) (result i32 i32)
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (i32.add (i32.const 1))
      (br_if $l (i32.ne (local.get 0) (i32.const 0)))))
  (func (export "loop_brtab") (param i32) (result i64) (local i64)
    (loop $l (result i64)
      (local.set 1 (i64.add (local.get 1) (i64.const 1)))
      (block $b
        (br_table $l $b $l (i64.eqz (local.get 1)) (i32.wrap_i64 (i64.rem_u (local.get 1) (i64.const 3)))))
      (local.get 1)))
  (func (export "memsum") (param i32) (result i64) (local i64)
    (loop $l
      (local.set 1 (i64.add (local.get 1) (i64.load offset=8 (i32.add (local.get 0) (i32.const 16)))))
      (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 8))) (i32.const 100))))
    (local.get 1))
)
