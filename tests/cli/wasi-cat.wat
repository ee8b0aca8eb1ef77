;; wasi-cat.wat: a WASI command that prints the name of preopen fd 3, then the contents of
;; "f.txt" under it (path_open, fd_read, fd_write); export "create" makes "new.txt" there and
;; prints the errno of path_open as a digit string ("0" on success).
(module
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 256) "f.txt")
  (data (i32.const 272) "new.txt")
  ;; 0: prestat, 8: iovec, 16: count, 20: fd, 1024: buffer
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 8) (local.get $ptr))
    (i32.store (i32.const 12) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 16))))
  (func (export "_start")
    (drop (call $prestat (i32.const 3) (i32.const 0)))
    (drop (call $dir_name (i32.const 3) (i32.const 1024) (i32.load (i32.const 4))))
    (i32.store8 (i32.add (i32.const 1024) (i32.load (i32.const 4))) (i32.const 10))
    (call $write (i32.const 1024) (i32.add (i32.load (i32.const 4)) (i32.const 1)))
    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 256) (i32.const 5) (i32.const 0)
      (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 20)))
    (i32.store (i32.const 8) (i32.const 1024))
    (i32.store (i32.const 12) (i32.const 4096))
    (drop (call $fd_read (i32.load (i32.const 20)) (i32.const 8) (i32.const 1) (i32.const 16)))
    (call $write (i32.const 1024) (i32.load (i32.const 16))))
  (func (export "create") (result i32)
    ;; oflags CREAT, rights fd_write (64)
    (call $open (i32.const 3) (i32.const 0) (i32.const 272) (i32.const 7) (i32.const 1)
      (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 20))))
