;; Exception handling in the interpreter: unwinding through many frames, catches that branch
;; to the function's label or a loop, legacy try/catch/rethrow/delegate mixed with
;; try_table, tag identity across modules, and what is not an exception.

(module $A
  (tag $e (export "e") (param i32))
  (func $throw (export "throw") (param i32) (local.get 0) (throw $e))
  ;; recursion n deep, then a throw: the catch at the top sees the payload and its own
  ;; locals and stack as they were
  (func $deep (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 42))))
    (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1)))))
  (func (export "deep") (param i32) (result i32)
    (local $keep i32)
    (local.set $keep (i32.const 1000))
    (i32.add
      (local.get $keep)
      (i32.add
        (i32.const 7)
        (block $h (result i32)
          (try_table (result i32) (catch $e $h) (call $deep (local.get 0)))))))
  ;; a catch to the function's label returns the payload
  (func (export "catch-return") (result i32)
    (try_table (catch $e 0) (throw $e (i32.const 9)))
    (i32.const -1))
  ;; a catch to a loop: throws n times, counting
  (func (export "catch-loop") (param i32) (result i32)
    (local $n i32)
    (i32.const 0)
    (loop $l (param i32)
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (if (i32.lt_u (local.get $n) (local.get 0))
        (then (try_table (catch $e $l) (throw $e (local.get $n)))))
      (drop))
    (local.get $n))
  ;; many throws caught by a plain catch: dead exceptions are reused
  (func (export "many") (param i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get 0)))
        (local.set $sum
          (i32.add (local.get $sum)
            (block $h (result i32)
              (try_table (result i32) (catch $e $h) (call $throw (local.get 0)) (i32.const 0)))))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $l)))
    (local.get $sum))
  ;; legacy: a rethrow caught by a plain catch inside the catch arm, then rethrown again:
  ;; the caught exception must stay alive while the arm can rethrow it
  (func (export "rethrow-twice") (result i32)
    (block $out (result i32)
      (try (result i32)
        (do (throw $e (i32.const 5)))
        (catch $e
          (drop)
          (drop (block $h (result i32)
            (try_table (catch $e $h) (rethrow 2))
            (unreachable)))
          (try_table (catch $e $out) (rethrow 1))
          (unreachable)))))
;; legacy catch arms hold their exception until left (dead ones are reused): after an
  ;; inner arm holding the same exception is left, and other exceptions were thrown and
  ;; caught (taking any block wrongly freed), the outer arm's rethrow still carries 5
  (func (export "arm-holds") (result i32)
    (block $out (result i32)
      (try (result i32)
        (do (throw $e (i32.const 5)))
        (catch $e
          (drop)
          (try (do (rethrow 1)) (catch_all))
          (drop (block $h (result i32)
            (try_table (catch $e $h) (throw $e (i32.const 77)))
            (i32.const 0)))
          (drop (block $h (result i32)
            (try_table (catch $e $h) (throw $e (i32.const 78)))
            (i32.const 0)))
          (try_table (catch $e $out) (rethrow 1))
          (unreachable)))))
  ;; the same when the inner arm is left by a branch, by a throw of another exception caught
  ;; in this frame, and when a loop of catches runs many times
  (func (export "arm-left") (result i32)
    (local $i i32)
    (block $out (result i32)
      (try (result i32)
        (do (throw $e (i32.const 6)))
        (catch $e
          (drop)
          (block $b (try (do (rethrow 2)) (catch_all (br $b))))
          (block $b (try (do (rethrow 2)) (catch_all (br_if $b (i32.const 1)))))
          (block $b (block $c
            (try (do (rethrow 3)) (catch_all (br_table $c $b (i32.const 1))))))
          ;; a br_if not taken stays in the arm, which still holds 9 for its rethrow
          (drop (block $h (result i32)
            (try_table (catch $e $h)
              (try (do (throw $e (i32.const 9)))
                (catch $e (drop) (br_if 0 (i32.const 0)) (rethrow 0))))
            (i32.const 0)))
          (drop (block $h (result i32)
            (try_table (catch $e $h)
              (try (do (rethrow 3)) (catch_all (throw $e (i32.const 1)))))
            (i32.const 0)))
          (loop $l
            (try (do (throw $e (local.get $i))) (catch $e (drop)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
          (try_table (catch $e $out) (rethrow 1))
          (unreachable)))))
  ;; a br_if out of an arm, not taken: the arm still holds its exception
  (func (export "brif-stays") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (try (do (throw $e (i32.const 9)))
          (catch $e
            (drop)
            (br_if 0 (i32.const 0))
            (drop (block $g (result i32)
              (try_table (catch $e $g) (throw $e (i32.const 1)))
              (i32.const 0)))
            (rethrow 0))))
      (i32.const 0)))
  ;; legacy delegate to an enclosing try, and to the caller
  (func (export "delegate-outer") (result i32)
    (try $t (result i32)
      (do (try (result i32) (do (call $throw (i32.const 3)) (i32.const 0)) (delegate $t)))
      (catch $e (i32.add (i32.const 100)))))
  (func (export "delegate-caller")
    (try $t
      (do (try (do (call $throw (i32.const 3))) (delegate 1)))
      (catch $e (drop))))
  ;; catch_all_ref keeps the exception; throw_ref of null traps
  (func (export "keep") (result i32)
    (local $x exnref)
    (local.set $x
      (block $h (result exnref)
        (try_table (catch_all_ref $h) (call $throw (i32.const 1)))
        (ref.null exn)))
    (i32.eqz (ref.is_null (local.get $x))))
  (func (export "throw-null") (throw_ref (ref.null exn)))
  ;; a trap is not an exception: catch_all does not see it, nor call stack exhaustion
  (func (export "trap") (try_table (catch_all 0) (unreachable)))
  (func $rec (call $rec))
  (func (export "exhaust") (try_table (catch_all 0) (call $rec)))
)
(register "A")

(assert_return (invoke "deep" (i32.const 0)) (i32.const 1049))
(assert_return (invoke "deep" (i32.const 500)) (i32.const 1049))
(assert_return (invoke "catch-return") (i32.const 9))
(assert_return (invoke "catch-loop" (i32.const 10)) (i32.const 10))
(assert_return (invoke "many" (i32.const 100000)) (i32.const 705082704))
(assert_return (invoke "rethrow-twice") (i32.const 5))
(assert_return (invoke "arm-holds") (i32.const 5))
(assert_return (invoke "arm-left") (i32.const 6))
(assert_return (invoke "brif-stays") (i32.const 9))
(assert_return (invoke "delegate-outer") (i32.const 103))
(assert_exception (invoke "delegate-caller"))
(assert_return (invoke "keep") (i32.const 1))
(assert_trap (invoke "throw-null") "null exception reference")
(assert_trap (invoke "trap") "unreachable")
(assert_exhaustion (invoke "exhaust") "call stack exhausted")

;; Tags have identity: A's tag imported is A's tag; a tag of the same type defined here is
;; another one, which A's throw does not match.
(module
  (tag $a (import "A" "e") (param i32))
  (func $throw (import "A" "throw") (param i32))
  (tag $own (param i32))
  (func (export "catch-imported") (result i32)
    (block $h (result i32)
      (try_table (catch $a $h) (call $throw (i32.const 11)))
      (i32.const 0)))
  (func (export "catch-own") (result i32)
    (block $h (result i32)
      (try_table (catch $own $h) (call $throw (i32.const 11)))
      (i32.const 0)))
)
(assert_return (invoke "catch-imported") (i32.const 11))
(assert_exception (invoke "catch-own"))

(assert_unlinkable
  (module (tag (import "A" "e") (param i64)))
  "incompatible import type")
