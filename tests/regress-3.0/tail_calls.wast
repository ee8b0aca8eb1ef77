;; Tail calls (return_call, return_call_indirect): the cases the spec files leave out. The
;; callee takes the caller's frame, so the arguments move down over the caller's locals
;; (overlapping when the callee has more params than the caller has locals); v128 arguments
;; take two cells; a host callee runs as a plain call whose results the caller then returns;
;; a Wasm callee of another instance switches memories both ways.

(module $other
  (memory (export "mem") 1)
  (data (i32.const 0) "\2a")
  (func (export "load0") (param i32) (result i32)
    (i32.add (local.get 0) (i32.load8_u (i32.const 0))))
)
(register "other" $other)

(module
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "other" "load0" (func $load0 (param i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "\07")
  (type $ii (func (param i32) (result i32)))
  (type $v (func (param i32)))
  (table funcref (elem $load0 $print $count))

  ;; many params from a function with none: the moves overlap
  (func $sum6 (param i64 i64 i64 i64 i64 i64) (result i64)
    (i64.add (i64.add (i64.add (local.get 0) (local.get 1)) (i64.add (local.get 2) (local.get 3)))
             (i64.add (local.get 4) (local.get 5))))
  (func (export "spread") (result i64)
    (return_call $sum6 (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5)
                       (i64.const 6)))

  ;; params swapped on the way down, a million deep
  (func $swap (param i64 i64 i32) (result i64)
    (if (result i64) (i32.eqz (local.get 2))
      (then (i64.sub (local.get 0) (local.get 1)))
      (else (return_call $swap (local.get 1) (local.get 0) (i32.sub (local.get 2) (i32.const 1))))))
  (func (export "swap") (param i32) (result i64)
    (call $swap (i64.const 10) (i64.const 3) (local.get 0)))

  ;; v128 arguments between scalars
  (func $vloop (param i32 v128 i64) (result i64)
    (if (result i64) (i32.eqz (local.get 0))
      (then (i64.add (local.get 2) (i64x2.extract_lane 1 (local.get 1))))
      (else (return_call $vloop (i32.sub (local.get 0) (i32.const 1))
                                (i64x2.add (local.get 1) (v128.const i64x2 0 1))
                                (i64.add (local.get 2) (i64.const 2))))))
  (func (export "vloop") (param i32) (result i64)
    (call $vloop (local.get 0) (v128.const i64x2 0 0) (i64.const 0)))

  ;; a host callee, directly and through the table; the caller's caller goes on
  (func $to_host (param i32) (return_call $print (local.get 0)))
  (func $to_host_ind (param i32)
    (return_call_indirect (type $v) (local.get 0) (i32.const 1)))
  (func (export "host") (param i32) (result i32)
    (call $to_host (local.get 0))
    (call $to_host_ind (local.get 0))
    (i32.add (local.get 0) (i32.load8_u (i32.const 0))))

  ;; a Wasm callee of another instance: its memory there, this one's after it returns
  (func $to_other (param i32) (result i32) (return_call $load0 (local.get 0)))
  (func $to_other_ind (param i32) (result i32)
    (return_call_indirect (type $ii) (local.get 0) (i32.const 0)))
  (func (export "other") (param i32) (result i32)
    (i32.add (i32.add (call $to_other (local.get 0)) (call $to_other_ind (local.get 0)))
             (i32.load8_u (i32.const 0))))

  ;; an entry function that tail-calls (the activation's first frame goes away)
  (func (export "entry_other") (param i32) (result i32) (return_call $load0 (local.get 0)))
  (func (export "entry_host") (param i32) (return_call $print (local.get 0)))

  ;; a trap in a tail-called function, and the indirect traps before the frame goes
  (func $count (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then unreachable))
    (return_call $count (i32.sub (local.get 0) (i32.const 1))))
  (func (export "count") (param i32) (result i32) (return_call $count (local.get 0)))
  (func (export "ind") (param i32) (result i32)
    (return_call_indirect (type $ii) (i32.const 5) (local.get 0)))

  ;; ordinary recursion still has its limit
  (func $deep (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1)))))))
  (func (export "deep") (param i32) (result i32) (call $deep (local.get 0)))
)

(assert_return (invoke "spread") (i64.const 21))
(assert_return (invoke "swap" (i32.const 0)) (i64.const 7))
(assert_return (invoke "swap" (i32.const 1)) (i64.const -7))
(assert_return (invoke "swap" (i32.const 1000000)) (i64.const 7))
(assert_return (invoke "vloop" (i32.const 1000000)) (i64.const 3000000))
(assert_return (invoke "host" (i32.const 5)) (i32.const 12))
(assert_return (invoke "other" (i32.const 1)) (i32.const 93))
(assert_return (invoke "entry_other" (i32.const 1)) (i32.const 43))
(assert_return (invoke "entry_host" (i32.const 1)))
(assert_trap (invoke "count" (i32.const 1000000)) "unreachable")
(assert_return (invoke "ind" (i32.const 0)) (i32.const 47))
(assert_trap (invoke "ind" (i32.const 1)) "indirect call type mismatch")
(assert_trap (invoke "ind" (i32.const 3)) "undefined element")
(assert_exhaustion (invoke "deep" (i32.const 10000000)) "call stack exhausted")

;; validation: the callee's results must be the caller's
(assert_invalid
  (module (func $f (result i64) (i64.const 0)) (func (result i32) (return_call $f)))
  "type mismatch")
(assert_invalid
  (module (func $f (result i32 i32) (i32.const 0) (i32.const 0))
          (func (result i32) (return_call $f)))
  "type mismatch")
(assert_invalid
  (module (type $t (func (result i32))) (table 1 funcref)
          (func (return_call_indirect (type $t) (i32.const 0))))
  "type mismatch")
;; the operands after it are unreachable (polymorphic), as after return
(module (func $f (result i32) (i32.const 1))
        (func (result i32) (return_call $f) (i64.const 0) (drop)))

;; return_call_indirect through a 64-bit table takes an i64 index, as call_indirect does (it
;; once took an i32, so this module was refused and the next accepted; found in review).
(module
  (type $v (func (result i32)))
  (table $t i64 2 funcref)
  (elem (table $t) (i64.const 1) func $f)
  (func $f (result i32) (i32.const 42))
  (func (export "via64") (param i64) (result i32)
    (return_call_indirect $t (type $v) (local.get 0))))
(assert_return (invoke "via64" (i64.const 1)) (i32.const 42))
(assert_trap (invoke "via64" (i64.const 0)) "uninitialized element")
(assert_trap (invoke "via64" (i64.const 0x100000000)) "undefined element")
(assert_invalid
  (module
    (type $v (func (result i32)))
    (table $t i64 1 funcref)
    (func (result i32) (return_call_indirect $t (type $v) (i32.const 0))))
  "type mismatch")

;; A tail call out of a legacy catch arm lets the arm's exception go, as a return does: a
;; loop of throws and tail calls runs in constant memory (it once kept every exception).
(module
  (tag $t)
  (func $f (export "f") (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (return (i32.const 0))))
    (try (result i32)
      (do (throw $t))
      (catch $t (return_call $f (i32.sub (local.get 0) (i32.const 1)))))))
(assert_return (invoke "f" (i32.const 200000)) (i32.const 0))
