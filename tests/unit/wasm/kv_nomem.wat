;; kv_nomem.wat: a guest without a memory that imports corral_kv: every pointer it can pass is
;; out of bounds (only an empty range at 0 is inside), so the calls answer MEMORY_ACCESS.
(module
  (import "corral_kv" "open" (func $open (param i32 i32 i32) (result i32)))
  (import "corral_kv" "list_keys"
    (func $list_keys (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (func (export "open") (param i32 i32 i32) (result i32)
    (call $open (local.get 0) (local.get 1) (local.get 2)))
  (func (export "list_keys") (param i32 i32 i32 i32 i32 i32 i32) (result i32)
    (call $list_keys (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
      (local.get 5) (local.get 6))))
