;; kv_badname.wat: imports a corral_kv function that does not exist (kv_link must refuse it).
(module
  (import "corral_kv" "open" (func (param i32 i32 i32) (result i32)))
  (import "corral_kv" "get_all" (func (param i32) (result i32))))
