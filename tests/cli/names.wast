;; names.wast: a failure line of `corral wast` names the frame a trap happened in (run.sh
;; converts this script with wast2json --debug-names). The commands on lines 15 and 17 fail.
(module $A
  (func $inner_trap (export "g") (param i32) (result i32)
    i32.const 10 local.get 0 i32.div_u))
(register "A" $A)
(module $B
  (import "A" "g" (func $imported_g (param i32) (result i32)))
  (func $outer_caller (export "f") (param i32) (result i32)
    local.get 0 call $imported_g))
(assert_return (invoke $B "f" (i32.const 5)) (i32.const 2))
(assert_trap (invoke $B "f" (i32.const 0)) "integer divide by zero")
;; The trap is in A's func 0. B's func 0 is the import $imported_g: naming the frame by its
;; index with B's names would say <imported_g>.
(assert_return (invoke $B "f" (i32.const 0)) (i32.const 0))
;; A start function that traps.
(module (func $start_trap unreachable) (start $start_trap))
