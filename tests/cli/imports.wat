;; imports.wat: imports a WASI function, which `corral run` cannot provide yet. Valid.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (func (export "_start")))
