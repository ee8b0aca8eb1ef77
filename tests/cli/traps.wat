;; traps.wat: one function per trap `corral run` must report. run.sh checks the backtrace
;; offsets against the bytes of the compiled module, so keep each body as it is.
(module
  (memory 1)
  (func $unreachable (export "unreachable") unreachable)                            ;; func 0
  (func $div (export "div") (param i32 i32) (result i32)                            ;; func 1
    local.get 0 local.get 1 i32.div_s)
  (func $load (export "load") (param i32) (result i32) local.get 0 i32.load)        ;; func 2
  (func $recurse (export "recurse") (param i32) (result i32)                        ;; func 3
    local.get 0 call $recurse)
  ;; outer -> middle -> div: a three-frame backtrace
  (func $outer (export "outer") (param i32) (result i32) local.get 0 call $middle)  ;; func 4
  (func $middle (param i32) (result i32) local.get 0 i32.const 0 call $div))        ;; func 5
