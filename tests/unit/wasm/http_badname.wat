;; http_badname.wat: imports a function the module does not have, for http_link's error, and
;; one from another module, which http_link must leave alone.
(module
  (import "env" "other" (func $other (result i32)))
  (import "wasi_experimental_http" "req_v2" (func $bad (param i32) (result i32)))
  (memory (export "memory") 1))
