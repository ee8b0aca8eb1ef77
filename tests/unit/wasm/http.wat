;; http.wat: thin Wasm wrappers over the wasi_experimental_http imports, so test_http.c can
;; drive req, close, header_get, headers_get_all and body_read from inside a guest (the calls
;; see this instance's memory). Every argument, pointers and lengths included, comes from the
;; host, so the test can pass out-of-bounds and wrapping values. Two pages of memory.
(module
  (import "wasi_experimental_http" "req"
    (func $req (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_experimental_http" "close" (func $close (param i32) (result i32)))
  (import "wasi_experimental_http" "header_get"
    (func $header_get (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_experimental_http" "headers_get_all"
    (func $headers_get_all (param i32 i32 i32 i32) (result i32)))
  (import "wasi_experimental_http" "body_read"
    (func $body_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  ;; (url, url_len, method, method_len, headers, headers_len, body, body_len,
  ;;  status_out, handle_out) -> error
  (func (export "req") (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
    (call $req (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
      (local.get 5) (local.get 6) (local.get 7) (local.get 8) (local.get 9)))
  ;; (handle) -> error
  (func (export "close") (param i32) (result i32)
    (call $close (local.get 0)))
  ;; (handle, name, name_len, buf, buf_len, written_out) -> error
  (func (export "header_get") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $header_get (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
      (local.get 5)))
  ;; (handle, buf, buf_len, written_out) -> error
  (func (export "headers_get_all") (param i32 i32 i32 i32) (result i32)
    (call $headers_get_all (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  ;; (handle, buf, buf_len, read_out) -> error
  (func (export "body_read") (param i32 i32 i32 i32) (result i32)
    (call $body_read (local.get 0) (local.get 1) (local.get 2) (local.get 3))))
