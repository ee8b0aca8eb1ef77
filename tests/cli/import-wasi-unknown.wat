;; import-wasi-unknown.wat: imports a function wasi_snapshot_preview1 does not have.
(module
  (import "wasi_snapshot_preview1" "frobnicate" (func (param i32) (result i32)))
  (func (export "_start")))
