;; wasi-args.wat: a WASI command that prints its arguments (_start) or its environment
;; (export "env"), one string a line: the buffer args_get/environ_get fill, NULs made
;; newlines. exit_with (i32) calls proc_exit; sleep (i64 ns) waits in poll_oneoff; spin loops
;; forever; recurse calls itself forever.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0: count, 4: buffer size, 8: iovec, 64: subscription, 128: event, 1024: pointers,
  ;; 8192: the strings
  (func $print_buf (param $n i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.eqz (i32.load8_u offset=8192 (local.get $i)))
          (then (i32.store8 offset=8192 (local.get $i) (i32.const 10))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store (i32.const 8) (i32.const 8192))
    (i32.store (i32.const 12) (local.get $n))
    (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 16))))
  (func (export "_start")
    (drop (call $args_sizes (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 1024) (i32.const 8192)))
    (call $print_buf (i32.load (i32.const 4))))
  (func (export "env")
    (drop (call $env_sizes (i32.const 0) (i32.const 4)))
    (drop (call $env_get (i32.const 1024) (i32.const 8192)))
    (call $print_buf (i32.load (i32.const 4))))
  (func (export "exit_with") (param i32)
    (call $proc_exit (local.get 0)))
  (func (export "sleep") (param i64) (result i32)
    (i64.store (i32.const 64) (i64.const 7))        ;; userdata
    (i32.store8 (i32.const 72) (i32.const 0))       ;; clock
    (i32.store (i32.const 80) (i32.const 1))        ;; monotonic
    (i64.store (i32.const 88) (local.get 0))        ;; timeout
    (i64.store (i32.const 96) (i64.const 0))        ;; precision
    (i32.store16 (i32.const 104) (i32.const 0))     ;; relative
    (call $poll (i32.const 64) (i32.const 128) (i32.const 1) (i32.const 0)))
  (func (export "spin") (loop $l (br $l)))
  (func $recurse (export "recurse") (call $recurse)))
