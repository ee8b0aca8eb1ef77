;; state.wat: isolation of wasm globals, memory and tables between requests, without libc.
;; Prints "G=<g> M=<byte 200> S=<memory pages> T=<table slot 0 set?>" as digits (each is 0,
;; 0, 1 and 0 in a fresh instance), then sets the mutable global, the memory byte and the
;; table slot and grows the memory, which a reused instance would show next time.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 4)
  (table 1 funcref)
  (global $g (mut i32) (i32.const 0))
  (func $nop)
  (elem declare func $nop)
  ;; offset 100: the response; the digits go at offsets 128, 132, 136 and 140
  (data (i32.const 100) "Content-Type: text/plain\n\nG=? M=? S=? T=?\n")
  (func (export "_start")
    (i32.store8 (i32.const 128) (i32.add (i32.const 48) (global.get $g)))
    (i32.store8 (i32.const 132) (i32.add (i32.const 48) (i32.load8_u (i32.const 200))))
    (i32.store8 (i32.const 136) (i32.add (i32.const 48) (memory.size)))
    (i32.store8 (i32.const 140)
      (i32.add (i32.const 48) (i32.eqz (ref.is_null (table.get 0 (i32.const 0))))))
    ;; iovec at 0: base 100, length 42
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 42))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (i32.store8 (i32.const 200) (i32.const 7))
    (table.set 0 (i32.const 0) (ref.func $nop))
    (drop (memory.grow (i32.const 1)))))
