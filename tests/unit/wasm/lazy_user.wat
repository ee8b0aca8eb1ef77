;; lazy_user.wat: imports lazy.wat's "twice" and calls it (a first call across instances).
(module
  (import "lazy" "twice" (func $twice (param i32) (result i32)))
  (func (export "quad") (param i32) (result i32) (call $twice (call $twice (local.get 0)))))
