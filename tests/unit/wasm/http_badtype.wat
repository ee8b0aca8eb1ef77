;; http_badtype.wat: imports close with the wrong type, for http_link's error message.
(module
  (import "wasi_experimental_http" "close" (func $close (param i64) (result i32)))
  (memory (export "memory") 1))
