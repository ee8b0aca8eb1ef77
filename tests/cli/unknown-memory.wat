;; unknown-memory.wat: imports a memory nobody provides (nothing can stand in for it).
(module
  (import "env" "mem" (memory 1))
  (func (export "_start")))
