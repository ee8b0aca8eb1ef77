;; Declared locals read before written must read 0 (lower.c zeroes only those: the
;; definite-assignment walk). Each function first dirties the frame area by calling a
;; function that fills many locals with garbage, then reads locals along paths where a
;; write may have been skipped.

(module
  (func $dirty (local i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 0 (i64.const -1)) (local.set 1 (i64.const -1))
    (local.set 2 (i64.const -1)) (local.set 3 (i64.const -1))
    (local.set 4 (i64.const -1)) (local.set 5 (i64.const -1))
    (local.set 6 (i64.const -1)) (local.set 7 (i64.const -1)))

  ;; written in one arm of an if only
  (func (export "if_arm") (param i32) (result i32) (local i32)
    (call $dirty)
    (if (local.get 0) (then (local.set 1 (i32.const 7))))
    (local.get 1))

  ;; written in both arms: definitely assigned (result must still be right)
  (func (export "if_both") (param i32) (result i32) (local i32)
    (call $dirty)
    (if (local.get 0) (then (local.set 1 (i32.const 7))) (else (local.set 1 (i32.const 9))))
    (local.get 1))

  ;; a br out of the block skips the write
  (func (export "br_skips") (param i32) (result i64) (local i64)
    (call $dirty)
    (block (br_if 0 (local.get 0)) (local.set 1 (i64.const 5)))
    (local.get 1))

  ;; read at the top of a loop, written at its bottom: 0 on the first iteration
  (func (export "loop_carried") (result i32) (local i32 i32 i32)
    (call $dirty)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (local.get 1)))
      (local.set 1 (i32.const 10))
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 0) (i32.const 3))))
    (local.get 2))

  ;; written inside a loop body, read after the loop: assigned (fall-through only)
  (func (export "after_loop") (result i32) (local i32)
    (call $dirty)
    (loop (local.set 0 (i32.const 3)))
    (local.get 0))

  ;; br_table skipping the write
  (func (export "br_table_skips") (param i32) (result f64) (local f64)
    (call $dirty)
    (block (block (br_table 0 1 (local.get 0))) (local.set 1 (f64.const 2.5)))
    (local.get 1))

  ;; local.tee counts as a write; reading itself before the write does not
  (func (export "tee_self") (result i32) (local i32)
    (call $dirty)
    (drop (local.tee 0 (i32.add (local.get 0) (i32.const 1))))
    (local.get 0))

  ;; many locals, one read before any write, far from the first declared one
  (func (export "many") (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (call $dirty)
    (local.set 0 (i64.const 1))
    (i64.add (local.get 0) (local.get 9)))

  ;; recursion: the callee's frame overlaps the caller's temporaries
  (func $rec (export "rec") (param i32) (result i32) (local i32)
    (if (local.get 0)
      (then (drop (call $rec (i32.sub (local.get 0) (i32.const 1))))
            (local.set 1 (i32.const 100))))
    (local.get 1))
)

(assert_return (invoke "if_arm" (i32.const 0)) (i32.const 0))
(assert_return (invoke "if_arm" (i32.const 1)) (i32.const 7))
(assert_return (invoke "if_both" (i32.const 0)) (i32.const 9))
(assert_return (invoke "if_both" (i32.const 1)) (i32.const 7))
(assert_return (invoke "br_skips" (i32.const 1)) (i64.const 0))
(assert_return (invoke "br_skips" (i32.const 0)) (i64.const 5))
(assert_return (invoke "loop_carried") (i32.const 20))
(assert_return (invoke "after_loop") (i32.const 3))
(assert_return (invoke "br_table_skips" (i32.const 1)) (f64.const 0))
(assert_return (invoke "br_table_skips" (i32.const 0)) (f64.const 2.5))
(assert_return (invoke "tee_self") (i32.const 1))
(assert_return (invoke "many") (i64.const 1))
(assert_return (invoke "rec" (i32.const 0)) (i32.const 0))
(assert_return (invoke "rec" (i32.const 3)) (i32.const 100))
