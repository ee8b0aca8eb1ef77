;; import-env.wat: imports a function from a module nobody provides.
(module
  (import "env" "f" (func))
  (func (export "_start")))
