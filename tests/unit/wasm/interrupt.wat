;; Module for test_interrupt.c: fuel, interrupts and exit traps.
;;
;; Fuel (docs/design/interp.md, "Interruption"): a call charges every instruction of the
;; function's body, its final end included; a taken branch back to a loop charges the
;; instructions strictly between that loop and its end. The "fuel" line above each function
;; is that count, numbered in text order with the folded expressions unfolded; the test
;; checks the remaining fuel against it, so every back-edge form of the lowering is covered.
(module
  (import "host" "exit" (func $exit))                     ;; returns corral_trap_new_exit(7)
  (import "host" "probe" (func $probe))                   ;; records corral_store_fuel()
  (import "host" "cancel" (func $cancel))                 ;; corral_store_interrupt(CANCEL)
  (import "host" "reenter" (func $reenter (result i32)))  ;; cancel, then call "sum" again
  (memory (export "mem") 64)                              ;; 4 MiB
  (table $tab (export "tab") 200000 funcref)
  (elem declare func $rec)
  (global $count (export "count") (mut i32) (i32.const 0))

  ;; An infinite loop counting its iterations. fuel: entry 8, back-edge 5 (br).
  (func (export "spin")
    (loop $l
      (global.set $count (i32.add (global.get $count) (i32.const 1)))
      (br $l)))

  ;; Infinite recursion counting its calls. fuel: entry 6.
  (func $rec (export "rec")
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (call $rec))

  ;; 0 + 1 + ... + (n - 1). fuel: 19 + 13 n (br back, br_if out).
  (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))

  ;; The next functions count n >= 1 down to 0 (or up to n) with one kind of back-edge each.
  ;; br_if on a local (BR_IF_BACK). fuel: 10 + 6 (n - 1).
  (func (export "down_if") (param i32) (result i32)
    (loop $l
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (local.get 0)))
    (local.get 0))

  ;; compare with a constant (BR_I32_GT_S_I_BACK). fuel: 12 + 8 (n - 1).
  (func (export "down_cmp") (param i32) (result i32)
    (loop $l
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (i32.gt_s (local.get 0) (i32.const 0))))
    (local.get 0))

  ;; eqz of eqz (BR_UNLESS_BACK). fuel: 12 + 8 (n - 1).
  (func (export "down_eqz") (param i32) (result i32)
    (loop $l
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (i32.eqz (i32.eqz (local.get 0)))))
    (local.get 0))

  ;; two i32 slots (BR_I32_LT_U_BACK); returns n. fuel: 12 + 8 (n - 1).
  (func (export "up_lt") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))

  ;; i64 against a constant (BR_I64_NE_I_BACK). fuel: 16 + 8 (n - 1).
  (func (export "down_i64") (param i32) (result i32) (local $x i64)
    (local.set $x (i64.extend_i32_u (local.get 0)))
    (loop $l
      (local.set $x (i64.sub (local.get $x) (i64.const 1)))
      (br_if $l (i64.ne (local.get $x) (i64.const 0))))
    (i32.wrap_i64 (local.get $x)))

  ;; two i64 slots (BR_I64_LT_U_BACK); returns n. fuel: 16 + 8 (n - 1).
  (func (export "up_lt64") (param $n i32) (result i32) (local $i i64) (local $m i64)
    (local.set $m (i64.extend_i32_u (local.get $n)))
    (loop $l
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.lt_u (local.get $i) (local.get $m))))
    (i32.wrap_i64 (local.get $i)))

  ;; br_table to the loop (a stub with BR_BACK). fuel: 14 + 8 (n - 1).
  (func (export "down_table") (param i32) (result i32)
    (block $out
      (loop $l
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br_table $out $l (i32.ne (local.get 0) (i32.const 0)))))
    (local.get 0))

  ;; A loop with a parameter: the br_if moves its value (BR_UNLESS over COPY + BR_BACK).
  ;; fuel: 9 + 5 (n - 1).
  (func (export "down_param") (param i32) (result i32)
    (local.get 0)
    (loop $l (param i32) (result i32)
      (i32.sub (i32.const 1))
      (local.tee 0)
      (br_if $l (local.get 0))))

  ;; n rounds of an inner loop of 3: returns 3 n. An outer back-edge charges the whole outer
  ;; body, the inner loop's text included. fuel: 28 + 24 (n - 1) + 12 * 2 n.
  (func (export "nested") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $c i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $c))

  ;; Calls the probe host function. fuel: 2.
  (func (export "probe") (call $probe))

  ;; Asks the host to cancel, then fills [d, d + n) with 0xab: the fill sees the request at the
  ;; end of its first chunk (1 MiB), the last one included.
  (func (export "cancel_fill") (param $d i32) (param $n i32)
    (call $cancel)
    (memory.fill (local.get $d) (i32.const 0xab) (local.get $n)))

  ;; The same for table.fill, whose chunks are 65536 elements.
  (func (export "cancel_table_fill") (param $n i32)
    (call $cancel)
    (table.fill $tab (i32.const 0) (ref.func $rec) (local.get $n)))

  (func (export "copy") (param i32 i32 i32)
    (memory.copy (local.get 0) (local.get 1) (local.get 2)))

  ;; An exit request from two Wasm frames down.
  (func $exit_mid (call $exit) (unreachable))
  (func (export "exit_deep") (call $exit_mid) (unreachable))

  ;; The host cancels, then re-enters Wasm.
  (func (export "call_reenter") (result i32) (call $reenter))
)
