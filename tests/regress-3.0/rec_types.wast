;; GC's rec groups and sub types of function types (decoded; struct and array are not yet):
;; equivalence by group, declared supertypes, and hostile forms: empty groups, a supertype
;; naming itself or a later type, a chain past the depth limit, a final supertype.

;; alike groups are the same types; a group's own references compare by position
(module
  (rec (type $a0 (func (param (ref null $a1)))) (type $a1 (func (result (ref null $a0)))))
  (rec (type $b0 (func (param (ref null $b1)))) (type $b1 (func (result (ref null $b0)))))
  (elem declare func $f)
  (func $f (type $a1) (ref.null $a0))
  (func (export "f") (result i32)
    (ref.is_null (call_ref $b1 (ref.func $f)))))
(assert_return (invoke "f") (i32.const 1))

;; groups alike but in another order are not the same
(assert_invalid
  (module
    (rec (type $a0 (func)) (type $a1 (func (param i32))))
    (rec (type $b0 (func (param i32))) (type $b1 (func)))
    (func (param (ref $a0)) (result (ref $b1)) (local.get 0)))
  "type mismatch"
)

;; empty groups, and a group of one is a type alone
(module
  (rec)
  (rec (type $t (func (result i32))))
  (rec)
  (type $u (func (result i32)))
  (elem declare func $f)
  (func $f (type $u) (i32.const 6))
  (func (export "g") (result i32) (call_ref $t (ref.func $f))))
(assert_return (invoke "g") (i32.const 6))

;; a declared supertype: a function of the subtype where the supertype is expected
(module
  (type $s (sub (func (param i32) (result funcref))))
  (type $t (sub $s (func (param i32) (result (ref func)))))
  (elem declare func $f)
  (func $f (type $t) (ref.func $f))
  (func (export "h") (result i32)
    (ref.is_null (call_ref $s (i32.const 0) (ref.func $f)))))
(assert_return (invoke "h") (i32.const 0))

;; a final type has no subtypes
(assert_invalid
  (module
    (type $s (sub final (func)))
    (type $t (sub $s (func))))
  "sub type"
)
;; results must be covariant
(assert_invalid
  (module
    (type $s (sub (func (result (ref func)))))
    (type $t (sub $s (func (result funcref)))))
  "sub type"
)
;; a supertype naming itself
(assert_invalid
  (module (rec (type $t (sub $t (func)))))
  "unknown type"
)
;; a supertype later in the group
(assert_invalid
  (module (rec (type $t (sub $u (func))) (type $u (sub (func)))))
  "unknown type"
)
;; a reference past the group
(assert_invalid
  (module (rec (type $t (func (param (ref $u))))) (type $u (func)))
  "unknown type"
)
;; a chain of declared supertypes past 63 deep
(assert_invalid
  (module
    (type $t0 (sub (func)))
    (type $t1 (sub $t0 (func)))
    (type $t2 (sub $t1 (func)))
    (type $t3 (sub $t2 (func)))
    (type $t4 (sub $t3 (func)))
    (type $t5 (sub $t4 (func)))
    (type $t6 (sub $t5 (func)))
    (type $t7 (sub $t6 (func)))
    (type $t8 (sub $t7 (func)))
    (type $t9 (sub $t8 (func)))
    (type $t10 (sub $t9 (func)))
    (type $t11 (sub $t10 (func)))
    (type $t12 (sub $t11 (func)))
    (type $t13 (sub $t12 (func)))
    (type $t14 (sub $t13 (func)))
    (type $t15 (sub $t14 (func)))
    (type $t16 (sub $t15 (func)))
    (type $t17 (sub $t16 (func)))
    (type $t18 (sub $t17 (func)))
    (type $t19 (sub $t18 (func)))
    (type $t20 (sub $t19 (func)))
    (type $t21 (sub $t20 (func)))
    (type $t22 (sub $t21 (func)))
    (type $t23 (sub $t22 (func)))
    (type $t24 (sub $t23 (func)))
    (type $t25 (sub $t24 (func)))
    (type $t26 (sub $t25 (func)))
    (type $t27 (sub $t26 (func)))
    (type $t28 (sub $t27 (func)))
    (type $t29 (sub $t28 (func)))
    (type $t30 (sub $t29 (func)))
    (type $t31 (sub $t30 (func)))
    (type $t32 (sub $t31 (func)))
    (type $t33 (sub $t32 (func)))
    (type $t34 (sub $t33 (func)))
    (type $t35 (sub $t34 (func)))
    (type $t36 (sub $t35 (func)))
    (type $t37 (sub $t36 (func)))
    (type $t38 (sub $t37 (func)))
    (type $t39 (sub $t38 (func)))
    (type $t40 (sub $t39 (func)))
    (type $t41 (sub $t40 (func)))
    (type $t42 (sub $t41 (func)))
    (type $t43 (sub $t42 (func)))
    (type $t44 (sub $t43 (func)))
    (type $t45 (sub $t44 (func)))
    (type $t46 (sub $t45 (func)))
    (type $t47 (sub $t46 (func)))
    (type $t48 (sub $t47 (func)))
    (type $t49 (sub $t48 (func)))
    (type $t50 (sub $t49 (func)))
    (type $t51 (sub $t50 (func)))
    (type $t52 (sub $t51 (func)))
    (type $t53 (sub $t52 (func)))
    (type $t54 (sub $t53 (func)))
    (type $t55 (sub $t54 (func)))
    (type $t56 (sub $t55 (func)))
    (type $t57 (sub $t56 (func)))
    (type $t58 (sub $t57 (func)))
    (type $t59 (sub $t58 (func)))
    (type $t60 (sub $t59 (func)))
    (type $t61 (sub $t60 (func)))
    (type $t62 (sub $t61 (func)))
    (type $t63 (sub $t62 (func)))
    (type $t64 (sub $t63 (func))))
  "sub type"
)
;; 63 deep is fine
(module
    (type $t0 (sub (func)))
    (type $t1 (sub $t0 (func)))
    (type $t2 (sub $t1 (func)))
    (type $t3 (sub $t2 (func)))
    (type $t4 (sub $t3 (func)))
    (type $t5 (sub $t4 (func)))
    (type $t6 (sub $t5 (func)))
    (type $t7 (sub $t6 (func)))
    (type $t8 (sub $t7 (func)))
    (type $t9 (sub $t8 (func)))
    (type $t10 (sub $t9 (func)))
    (type $t11 (sub $t10 (func)))
    (type $t12 (sub $t11 (func)))
    (type $t13 (sub $t12 (func)))
    (type $t14 (sub $t13 (func)))
    (type $t15 (sub $t14 (func)))
    (type $t16 (sub $t15 (func)))
    (type $t17 (sub $t16 (func)))
    (type $t18 (sub $t17 (func)))
    (type $t19 (sub $t18 (func)))
    (type $t20 (sub $t19 (func)))
    (type $t21 (sub $t20 (func)))
    (type $t22 (sub $t21 (func)))
    (type $t23 (sub $t22 (func)))
    (type $t24 (sub $t23 (func)))
    (type $t25 (sub $t24 (func)))
    (type $t26 (sub $t25 (func)))
    (type $t27 (sub $t26 (func)))
    (type $t28 (sub $t27 (func)))
    (type $t29 (sub $t28 (func)))
    (type $t30 (sub $t29 (func)))
    (type $t31 (sub $t30 (func)))
    (type $t32 (sub $t31 (func)))
    (type $t33 (sub $t32 (func)))
    (type $t34 (sub $t33 (func)))
    (type $t35 (sub $t34 (func)))
    (type $t36 (sub $t35 (func)))
    (type $t37 (sub $t36 (func)))
    (type $t38 (sub $t37 (func)))
    (type $t39 (sub $t38 (func)))
    (type $t40 (sub $t39 (func)))
    (type $t41 (sub $t40 (func)))
    (type $t42 (sub $t41 (func)))
    (type $t43 (sub $t42 (func)))
    (type $t44 (sub $t43 (func)))
    (type $t45 (sub $t44 (func)))
    (type $t46 (sub $t45 (func)))
    (type $t47 (sub $t46 (func)))
    (type $t48 (sub $t47 (func)))
    (type $t49 (sub $t48 (func)))
    (type $t50 (sub $t49 (func)))
    (type $t51 (sub $t50 (func)))
    (type $t52 (sub $t51 (func)))
    (type $t53 (sub $t52 (func)))
    (type $t54 (sub $t53 (func)))
    (type $t55 (sub $t54 (func)))
    (type $t56 (sub $t55 (func)))
    (type $t57 (sub $t56 (func)))
    (type $t58 (sub $t57 (func)))
    (type $t59 (sub $t58 (func)))
    (type $t60 (sub $t59 (func)))
    (type $t61 (sub $t60 (func)))
    (type $t62 (sub $t61 (func)))
    (type $t63 (sub $t62 (func))))
;; binary: a sub type with a supertype index past any type
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\09\01\50\01\ff\ff\03\60\00\00"
  )
  "unknown type"
)
;; binary: a rec group whose count runs past the section (bounded before anything is read)
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\05\01\4e\ff\ff\03"
  )
  "length out of bounds"
)

;; ---- across modules ----

(module $M
  (rec (type $f1 (func)) (type (func (param i32))))
  (type $s (sub (func (result i32))))
  (type $t (sub $s (func (result i32))))
  (type $r (func (param (ref null $t))))
  (func (export "f") (type $f1))
  (func (export "t") (type $t) (i32.const 8))
  (func (export "r") (type $r))
)
(register "M" $M)

;; the same rec group elsewhere: the same type
(module
  (rec (type $g1 (func)) (type (func (param i32))))
  (func (import "M" "f") (type $g1)))
;; alike alone, or in another group: not the same
(assert_unlinkable
  (module (type $g (func)) (func (import "M" "f") (type $g)))
  "incompatible import type"
)
(assert_unlinkable
  (module (rec (type (func (param i32))) (type $g (func))) (func (import "M" "f") (type $g)))
  "incompatible import type"
)
;; a declared subtype where its supertype is imported
(module
  (type $s (sub (func (result i32))))
  (func (import "M" "t") (type $s)))
;; but not the other way, nor a type alike without the declaration
(assert_unlinkable
  (module (type $s (func (result i32))) (func (import "M" "t") (type $s)))
  "incompatible import type"
)
;; a reference to a type of the other module: the same type when its definition is
(module
  (type $s (sub (func (result i32))))
  (type $t (sub $s (func (result i32))))
  (type $r (func (param (ref null $t))))
  (func (import "M" "r") (type $r)))
(assert_unlinkable
  (module
    (type $t (sub (func (result i32))))
    (type $r (func (param (ref null $t))))
    (func (import "M" "r") (type $r)))
  "incompatible import type"
)

;; call_indirect: a subtype's function through its supertype; alike types of other groups trap
(module
  (type $s (sub (func (result i32))))
  (type $t (sub $s (func (result i32))))
  (rec (type $u (func (result i32))) (type (func)))
  (func $ft (type $t) (i32.const 3))
  (func $fu (type $u) (i32.const 4))
  (table funcref (elem $ft $fu))
  (func (export "super") (result i32) (call_indirect (type $s) (i32.const 0)))
  (func (export "plain") (result i32) (call_indirect (result i32) (i32.const 0)))
  (func (export "group") (result i32) (call_indirect (result i32) (i32.const 1))))
(assert_return (invoke "super") (i32.const 3))
(assert_trap (invoke "plain") "indirect call type mismatch")
(assert_trap (invoke "group") "indirect call type mismatch")
