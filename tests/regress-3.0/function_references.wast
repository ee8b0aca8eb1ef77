;; Typed function references: the cases the spec files leave out. Hostile binary encodings
;; of heap types (a type index past any module's, an s33 too long, a negative code that is
;; no heap type); types naming later types; br_on_null / br_on_non_null / call_ref with
;; locals, constants and branches out of the function; call_ref and return_call_ref of a
;; host function and of another instance's; non-defaultable locals across blocks and arms;
;; tables with initializers; type equivalence of self-referencing types.

;; ---- binary encodings ----

;; (ref null 0x7fffff) as a param: an index past the engine's word, still "unknown type"
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\09\01\60\01\63\ff\ff\ff\03\00"   ;; type 0: (func (param (ref null 0x7fffff)))
  )
  "unknown type"
)
;; the largest s33 index (2^32 - 1)
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\0a\01\60\01\63\ff\ff\ff\ff\0f\00"   ;; type 0: (func (param (ref null 0xffffffff)))
  )
  "unknown type"
)
;; an s33 heap type of 6 bytes
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\0b\01\60\01\63\80\80\80\80\80\00\00"
  )
  "integer representation too long"
)
;; a negative heap type that names no abstract type (-0x30)
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\06\01\60\01\64\50\00"
  )
  "malformed heap type"
)
;; a heap type cut off by the end of the section
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\05\01\60\01\63\80"
  )
  "unexpected end"
)
;; a type naming a later type (no recursion group): unknown
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\09\02"
    "\60\01\64\01\00"                      ;; type 0: (func (param (ref 1)))
    "\60\00\00"                            ;; type 1: (func)
  )
  "unknown type"
)
;; a table initializer whose 0x40 is not followed by 0x00
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\04\07\01\40\01\70\00\01\0b"
  )
  "malformed table type"
)
;; ref.null of an unknown type index, in a body
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\07\01\05\00\d0\05\1a\0b"          ;; (ref.null 5) drop
  )
  "unknown type"
)
;; a block type (ref $1): 0x64 0x01
(module binary
  "\00asm" "\01\00\00\00"
  "\01\08\02\60\00\00\60\00\01\7f"         ;; type 0: (func), type 1: (func (result i32))
  "\03\02\01\01"
  "\07\05\01\01\66\00\00"                  ;; export "f" func 0
  "\09\05\01\03\00\01\00"                  ;; declare func 0
  "\0a\0d\01\0b\00\02\64\01\d2\00\0b\1a\41\07\0b"  ;; block (result (ref 1)) ref.func 0 end drop i32.const 7
)
(assert_return (invoke "f") (i32.const 7))

;; ---- instructions ----

(module $host
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
)
(register "other" $host)

(module
  (type $ii (func (param i32 i32) (result i32)))
  (type $v (func (result i32)))
  (import "other" "add" (func $add (type $ii)))
  (import "spectest" "print_i32" (func $print (param i32)))
  (func $sub (type $ii) (i32.sub (local.get 0) (local.get 1)))
  (global $g (ref null $ii) (ref.func $sub))
  (global $gn (mut (ref null $ii)) (ref.null $ii))
  (table $t 3 (ref null $ii) (ref.func $add))
  (elem declare func $sub $add)

  ;; call_ref of an imported function of another instance, and of one here
  (func (export "call-other") (result i32)
    (call_ref $ii (i32.const 40) (i32.const 2) (ref.func $add)))
  (func (export "call-here") (result i32)
    (call_ref $ii (i32.const 40) (i32.const 2) (global.get $g)))
  (func (export "call-table") (param i32) (result i32)
    (call_ref $ii (i32.const 5) (i32.const 6) (table.get $t (local.get 0))))
  (func (export "call-null") (result i32)
    (call_ref $ii (i32.const 1) (i32.const 2) (global.get $gn)))
  ;; return_call_ref of another instance's function: runs as a plain call, then returns
  (func (export "tail-other") (result i32)
    (return_call_ref $ii (i32.const 1) (i32.const 2) (ref.func $add)))
  (func (export "tail-here") (param i32) (result i32)
    (return_call_ref $ii (local.get 0) (i32.const 2) (ref.func $sub)))

  ;; br_on_null on a local (the reference stays a local on the fallthrough), to the
  ;; function's label
  (func (export "on-null-local") (param $r (ref null $ii)) (result i32)
    (i32.const -1)
    (br_on_null 0 (local.get $r))
    (drop)
    (drop)
    (i32.const 9))
  ;; br_on_non_null of a constant null: never taken
  (func (export "non-null-const") (result i32)
    (block $l (result (ref $ii))
      (br_on_non_null $l (ref.null $ii))
      (return (i32.const -2)))
    (drop)
    (i32.const 3))
  ;; br_on_non_null in a loop, out of it with the reference and a value below it
  (func (export "non-null-loop") (param $n i32) (result i32)
    (local $r (ref null $ii))
    (local $f (ref $ii))
    (block $out (result i32 (ref $ii))
      (loop $l
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (if (i32.eqz (local.get $n)) (then (local.set $r (ref.func $sub))))
        (local.get $n)
        (br_on_non_null $out (local.get $r))
        (drop)
        (br $l))
      (unreachable))
    (local.set $f)
    (call_ref $ii (i32.const 100) (local.get $f)))
  (func (export "as-non-null") (param $r (ref null $ii)) (result i32)
    (call_ref $ii (i32.const 3) (i32.const 4) (ref.as_non_null (local.get $r))))
  (func (export "as-non-null-null") (result i32)
    (call_ref $ii (i32.const 3) (i32.const 4) (ref.as_non_null (global.get $gn))))
  (func (export "get-table") (param i32) (result funcref) (table.get $t (local.get 0)))
  (func (export "sub") (type $ii) (i32.sub (local.get 0) (local.get 1)))
)
(assert_return (invoke "call-other") (i32.const 42))
(assert_return (invoke "call-here") (i32.const 38))
(assert_return (invoke "call-table" (i32.const 2)) (i32.const 11))
(assert_trap (invoke "call-null") "null function reference")
(assert_return (invoke "tail-other") (i32.const 3))
(assert_return (invoke "tail-here" (i32.const 10)) (i32.const 8))
(assert_return (invoke "on-null-local" (ref.null func)) (i32.const -1))
(assert_return (invoke "non-null-const") (i32.const -2))
(assert_return (invoke "non-null-loop" (i32.const 4)) (i32.const -100))
(assert_trap (invoke "as-non-null-null") "null reference")
(assert_return (invoke "get-table" (i32.const 0)) (ref.func))

;; ---- validation ----

;; a non-defaultable local set in one arm of an if is not set after it
(assert_invalid
  (module
    (elem declare func 0)
    (func (param i32)
      (local $r (ref func))
      (if (local.get 0) (then (local.set $r (ref.func 0))) (else))
      (drop (local.get $r))))
  "uninitialized local"
)
;; set in a block, read after its end
(assert_invalid
  (module
    (elem declare func 0)
    (func
      (local $r (ref func))
      (block (local.set $r (ref.func 0)))
      (drop (local.get $r))))
  "uninitialized local"
)
;; set before a block: read inside it and after
(module
  (elem declare func 0)
  (func (export "f") (result i32)
    (local $r (ref func))
    (local.set $r (ref.func 0))
    (block (drop (local.get $r)))
    (drop (local.get $r))
    (i32.const 1)))
(assert_return (invoke "f") (i32.const 1))
;; a (ref func) table without an initializer
(assert_invalid (module (table 1 (ref func))) "type mismatch")
;; an initializer of the wrong type
(assert_invalid (module (table 1 funcref (ref.null extern))) "type mismatch")
;; br_on_non_null to a label without a reference type
(assert_invalid
  (module (func (block (result i32) (br_on_non_null 0 (ref.null func)) (i32.const 0)) (drop)))
  "type mismatch"
)
;; call_ref's operand must be a reference to the named type
(assert_invalid
  (module
    (type $a (func))
    (type $b (func (param i32)))
    (elem declare func $f)
    (func $f (type $a))
    (func (call_ref $b (i32.const 0) (ref.func $f))))
  "type mismatch"
)
;; return_call_ref's callee results must match the caller's
(assert_invalid
  (module
    (type $r (func (result i64)))
    (func (result i32) (return_call_ref $r (ref.null $r))))
  "type mismatch"
)

;; ---- types ----

;; two identical self-referencing types are the same type
(module
  (type $a (func (param (ref null $a)) (result i32)))
  (type $b (func (param (ref null $b)) (result i32)))
  (elem declare func $f)
  (func $f (type $a) (i32.const 5))
  (func (export "g") (result i32)
    (call_ref $b (ref.null $b) (ref.func $f))))
(assert_return (invoke "g") (i32.const 5))

;; a table initializer reads an imported global
(module
  (import "spectest" "global_i32" (global i32))
  (func $f (result i32) (i32.const 77))
  (table $t 2 (ref func) (ref.func $f))
  (func (export "h") (result i32)
    (call_indirect (result i32) (i32.const 1))))
(assert_return (invoke "h") (i32.const 77))

;; a table of a typed reference with an inline (elem ...), and a named segment after it
(module
  (type $t (func (result i32)))
  (func $f (type $t) (i32.const 4))
  (table $a (ref null $t) (elem $f))
  (elem $e declare func $f)
  (func (export "g") (result i32)
    (elem.drop $e)
    (call_ref $t (table.get $a (i32.const 0)))))
(assert_return (invoke "g") (i32.const 4))

;; a table initializer's ref.func declares the function for ref.func in bodies
(module
  (type $t (func (result i32)))
  (func $f (type $t) (i32.const 12))
  (table 1 (ref $t) (ref.func $f))
  (func (export "r") (result i32) (call_ref $t (ref.func $f))))
(assert_return (invoke "r") (i32.const 12))

;; globals and tables of concrete types across modules: compared by their definitions, not by
;; their indices (type 0 here is another type than type 0 there)
(module $G
  (type $t (func (param i32) (result i32)))
  (func $f (type $t) (local.get 0))
  (global (export "g") (ref null $t) (ref.func $f))
  (global (export "gm") (mut (ref null $t)) (ref.null $t))
  (table (export "tab") 1 (ref null $t))
)
(register "G" $G)
(assert_unlinkable
  (module
    (type $u (func (param f64 f64) (result i64)))
    (global (import "G" "g") (ref null $u)))
  "incompatible import type"
)
(assert_unlinkable
  (module
    (type $u (func (param f64 f64) (result i64)))
    (table (import "G" "tab") 1 (ref null $u)))
  "incompatible import type"
)
(module
  (type $x (func))
  (type $v (func (param i32) (result i32)))
  (global (import "G" "g") (ref null $v))
  (global (import "G" "gm") (mut (ref null $v)))
  (table (import "G" "tab") 1 (ref null $v))
  (global (import "G" "g") funcref)
  (func (export "call") (result i32)
    (call_ref $v (i32.const 21) (global.get 0))))
(assert_return (invoke "call") (i32.const 21))
;; a mutable global's type must be the same, not a supertype
(assert_unlinkable
  (module (global (import "G" "gm") (mut funcref)))
  "incompatible import type"
)

;; GC's abstract types are decoded with gc on; until GC's instructions run, their only value
;; is null
(module
  (global $g (mut anyref) (ref.null none))
  (table $t 2 eqref)
  (func (export "any-null") (result i32)
    (global.set $g (table.get $t (i32.const 1)))
    (ref.is_null (global.get $g)))
  (func (export "i31") (result structref)
    (local i31ref)
    (drop (ref.is_null (local.get 0)))
    (ref.null struct)))
(assert_return (invoke "any-null") (i32.const 1))
(assert_return (invoke "i31") (ref.null))
(assert_invalid
  (module (func (result eqref) (ref.null any)))
  "type mismatch"
)
