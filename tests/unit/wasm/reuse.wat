;; reuse.wat: a module that reports what it finds and then dirties everything it can, for
;; test_reuse.c (store reuse must never let one instance see another's state).
(module
  (memory (export "memory") 1 8)
  (global $g (mut i32) (i32.const 7))
  (table $t 4 8 funcref)
  (data (i32.const 100) "\2a")
  (func $f (result i32) (i32.const 1))
  (elem (table $t) (i32.const 0) func $f)

  ;; Sum of every byte of memory, except the data byte at 100 (42), plus the page count * 1000
  ;; plus the global * 1000000: a fresh instance gives 1 * 1000 + 7 * 1000000.
  (func (export "inspect") (result i32) (local $i i32) (local $sum i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (i32.mul (memory.size) (i32.const 65536))))
        (if (i32.ne (local.get $i) (i32.const 100))
          (then (local.set $sum (i32.add (local.get $sum) (i32.load8_u (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.add (local.get $sum)
      (i32.add (i32.mul (memory.size) (i32.const 1000))
               (i32.mul (global.get $g) (i32.const 1000000)))))

  ;; The data segment's byte, the table's size and whether slot 1 is null.
  (func (export "data_byte") (result i32) (i32.load8_u (i32.const 100)))
  (func (export "table_state") (result i32)
    (i32.add (i32.mul (table.size $t) (i32.const 10)) (ref.is_null (table.get $t (i32.const 1)))))

  ;; Grows memory to 4 pages, writes 0xff into every page, changes the global and the table.
  (func (export "dirty")
    (drop (memory.grow (i32.const 3)))
    (memory.fill (i32.const 0) (i32.const 0xff) (i32.mul (i32.const 4) (i32.const 65536)))
    (global.set $g (i32.const 99))
    (drop (table.grow $t (ref.null func) (i32.const 2)))
    (table.set $t (i32.const 1) (table.get $t (i32.const 0))))

  ;; A load just past one page: must trap in a fresh instance even after a bigger one ran.
  (func (export "past_first_page") (result i32) (i32.load (i32.const 65536)))
)
