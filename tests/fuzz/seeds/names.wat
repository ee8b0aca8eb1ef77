;; names.wat: a "name" section for the mutator to work on (compiled with wat2wasm
;; --debug-names: module, function and local names), and a start function that traps, whose
;; frame must belong to this module.
(module $seed_names
  (func $helper (param $x i32) (result i32) (i32.div_u (i32.const 7) (local.get $x)))
  (func $second (export "second") (result i32) (call $helper (i32.const 0)))
  (func $third (export "third") (param $a i32) (param $b i32) (result i32)
    (local $tmp i32)
    (local.set $tmp (i32.add (local.get $a) (local.get $b)))
    (local.get $tmp))
  (func $start (drop (call $second)))
  (start $start))
