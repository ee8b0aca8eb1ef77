;; shim_import.wat: imports env::missing, which no host provides: create must refuse it.
(module
  (import "env" "missing" (func $missing))
  (func (export "_start") (call $missing)))
