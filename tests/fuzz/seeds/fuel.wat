;; fuel.wat: code that never ends without fuel: an infinite loop, tree recursion, a loop of
;; 64 KiB memory.fill, loops closed by br_if and br_table.
(module
  (memory 1)
  (global $n (mut i32) (i32.const 0))
  (func $spin (loop $l (global.set $n (i32.add (global.get $n) (i32.const 1))) (br $l)))
  (func $rec (param i32) (result i32)
    (i32.add (call $rec (local.get 0)) (call $rec (i32.const 1))))
  (func $fillloop (loop $l (memory.fill (i32.const 0) (i32.const 7) (i32.const 65536)) (br $l)))
  (func (export "inf") (call $spin))
  (func (export "rec") (result i32) (call $rec (i32.const 0)))
  (func (export "fill") (call $fillloop))
  (func (export "empty_loop") (loop $l (br_if $l (i32.const 1))))
  (func (export "brtab_loop") (loop $l (br_table $l $l (i32.const 0))))
  (func (export "count") (result i32) (global.get $n))
)
