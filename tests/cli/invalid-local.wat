;; invalid-local.wat: local 5 does not exist in func 2. The import counts in the function
;; index space, so the message must say func 2, not func 1. Compiled with --no-check.
(module
  (import "env" "f" (func))
  (func)
  (func (param i32) (local i64) local.get 5 drop))
