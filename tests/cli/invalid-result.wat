;; invalid-result.wat: func 0 leaves an i64 where its type says i32; the mismatch shows at
;; the body's final `end`. Compiled with --no-check.
(module
  (func (result i32) i64.const 1))
