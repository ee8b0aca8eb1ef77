;; wasi_sock.wat: thin Wasm wrappers over the WASI socket calls, so test_wasi_sock.c can drive
;; sock_accept, sock_recv, sock_send and sock_shutdown from inside a guest (the calls see this
;; instance's memory). Every argument, pointers included, comes from the host.
(module
  (import "wasi_snapshot_preview1" "sock_accept"
    (func $accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv"
    (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send"
    (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown"
    (func $shutdown (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags"
    (func $set_flags (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; (fd, flags, out_fd) -> errno
  (func (export "accept") (param i32 i32 i32) (result i32)
    (call $accept (local.get 0) (local.get 1) (local.get 2)))
  ;; (fd, iovs, niovs, riflags, out_size, out_roflags) -> errno
  (func (export "recv") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $recv (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
      (local.get 5)))
  ;; (fd, iovs, niovs, siflags, out_size) -> errno
  (func (export "send") (param i32 i32 i32 i32 i32) (result i32)
    (call $send (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  ;; (fd, fdflags) -> errno
  (func (export "set_flags") (param i32 i32) (result i32)
    (call $set_flags (local.get 0) (local.get 1)))
  ;; (fd, how) -> errno
  (func (export "shutdown") (param i32 i32) (result i32)
    (call $shutdown (local.get 0) (local.get 1))))
