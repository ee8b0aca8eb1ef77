;; kv_badtype.wat: imports corral_kv::increment with an i32 delta (the ABI's is i64).
(module
  (import "corral_kv" "increment" (func (param i32 i32 i32 i32 i32) (result i32))))
