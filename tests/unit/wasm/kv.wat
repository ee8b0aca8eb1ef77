;; kv.wat: thin Wasm wrappers over the corral_kv imports, so test_kv.c drives the key-value
;; interface from inside a guest: every argument, pointers and lengths included, comes from
;; the host, and the imports see this instance's memory (40 pages: room for a 1 MiB value
;; and a 1 MiB + 1 one side by side).
(module
  (import "corral_kv" "open" (func $open (param i32 i32 i32) (result i32)))
  (import "corral_kv" "close" (func $close (param i32) (result i32)))
  (import "corral_kv" "get" (func $get (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "corral_kv" "set" (func $set (param i32 i32 i32 i32 i32) (result i32)))
  (import "corral_kv" "delete" (func $delete (param i32 i32 i32) (result i32)))
  (import "corral_kv" "exists" (func $exists (param i32 i32 i32 i32) (result i32)))
  (import "corral_kv" "list_keys"
    (func $list_keys (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "corral_kv" "increment" (func $increment (param i32 i32 i32 i64 i32) (result i32)))
  (memory (export "memory") 40)
  ;; (name, name_len, handle_out) -> err
  (func (export "open") (param i32 i32 i32) (result i32)
    (call $open (local.get 0) (local.get 1) (local.get 2)))
  ;; (handle) -> err
  (func (export "close") (param i32) (result i32)
    (call $close (local.get 0)))
  ;; (handle, key, key_len, buf, buf_len, len_out) -> err
  (func (export "get") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $get (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
      (local.get 5)))
  ;; (handle, key, key_len, val, val_len) -> err
  (func (export "set") (param i32 i32 i32 i32 i32) (result i32)
    (call $set (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  ;; (handle, key, key_len) -> err
  (func (export "delete") (param i32 i32 i32) (result i32)
    (call $delete (local.get 0) (local.get 1) (local.get 2)))
  ;; (handle, key, key_len, bool_out) -> err
  (func (export "exists") (param i32 i32 i32 i32) (result i32)
    (call $exists (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  ;; (handle, after, after_len, buf, buf_len, count_out, written_out) -> err
  (func (export "list_keys") (param i32 i32 i32 i32 i32 i32 i32) (result i32)
    (call $list_keys (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
      (local.get 5) (local.get 6)))
  ;; (handle, key, key_len, delta, result_out) -> err
  (func (export "increment") (param i32 i32 i32 i64 i32) (result i32)
    (call $increment (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4))))
