;; memdump.wat: every load and store width of Wasm 2.0 through linear memory, then the memory's
;; bytes as hex on stdout (WASI fd_write). Linear memory is little-endian on every host, so the
;; dump must be byte for byte the same on x86-64, aarch64 and big-endian s390x
;; (tests/cross/run.sh compares it with memdump.expected, made on x86-64).
;;
;; Bytes 0..127: the stores (all widths, unaligned ones, NaN payloads, v128 and its lanes).
;; Bytes 128 on: what the loads read back from them, each result stored whole: integer and
;; float loads widened to i64 (i64.store), vector loads as v128.store, lane extracts as i32 or
;; i64, so that a wrong byte order, sign extension or lane order shows as different bytes.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; the next free result slot
  (global $out (mut i32) (i32.const 128))
  (func $put64 (param $v i64)
    (i64.store (global.get $out) (local.get $v))
    (global.set $out (i32.add (global.get $out) (i32.const 8))))
  (func $put32 (param $v i32)
    (call $put64 (i64.extend_i32_u (local.get $v))))
  (func $putv (param $v v128)
    (v128.store (global.get $out) (local.get $v))
    (global.set $out (i32.add (global.get $out) (i32.const 16))))

  (func $stores
    ;; scalar stores, some unaligned
    (i32.store (i32.const 0) (i32.const 0x04030201))
    (i64.store (i32.const 5) (i64.const 0x0c0b0a0908070605))            ;; unaligned
    (f32.store (i32.const 13) (f32.reinterpret_i32 (i32.const 0x7fa00123))) ;; sNaN payload
    (f64.store (i32.const 17) (f64.reinterpret_i64 (i64.const 0x7ff4000000abcdef))) ;; sNaN
    (f32.store (i32.const 25) (f32.const -1.5))
    (f64.store (i32.const 29) (f64.const 3.141592653589793))
    (i32.store8 (i32.const 37) (i32.const 0x123456ab))                  ;; keeps 0xab
    (i32.store16 (i32.const 38) (i32.const 0x1234cdef))                 ;; keeps 0xcdef
    (i64.store8 (i32.const 40) (i64.const 0x11223344556677f1))
    (i64.store16 (i32.const 41) (i64.const 0x112233445566f2f3))
    (i64.store32 (i32.const 43) (i64.const 0x11223344f4f5f6f7))
    (f32.store offset=4 (i32.const 43) (f32.const 1e-45))               ;; denormal, at 47
    ;; v128: bytes as i8x16, then the same register written through the lane stores
    (v128.store (i32.const 51)                                          ;; unaligned
      (v128.const i8x16 0x80 0x81 0x82 0x83 0x84 0x85 0x86 0x87
                        0x88 0x89 0x8a 0x8b 0x8c 0x8d 0x8e 0x8f))
    (v128.store (i32.const 67) (v128.const i32x4 0x01020304 0x05060708 0x090a0b0c 0x0d0e0f10))
    (v128.store8_lane 13 (i32.const 83)
      (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 0xd1 14 15))
    (v128.store16_lane 5 (i32.const 84) (v128.const i16x8 0 1 2 3 4 0xd2d3 6 7))
    (v128.store32_lane 2 (i32.const 86) (v128.const i32x4 0 1 0xd4d5d6d7 3))
    (v128.store64_lane 1 (i32.const 90) (v128.const i64x2 0 0xd8d9dadbdcdddedf))
    (v128.store (i32.const 98) (v128.const f32x4 1.5 -2.0 nan:0x200001 -inf))
    (v128.store (i32.const 114) (v128.const f64x2 -0.0 nan:0x8000000000123)))

  (func $loads
    (local $v v128)
    ;; integer loads, every width and sign, aligned and not
    (call $put32 (i32.load (i32.const 0)))
    (call $put32 (i32.load (i32.const 1)))
    (call $put64 (i64.load (i32.const 5)))
    (call $put64 (i64.load (i32.const 3)))
    (call $put32 (i32.load8_s (i32.const 37)))
    (call $put32 (i32.load8_u (i32.const 37)))
    (call $put32 (i32.load16_s (i32.const 38)))
    (call $put32 (i32.load16_u (i32.const 38)))
    (call $put64 (i64.load8_s (i32.const 40)))
    (call $put64 (i64.load8_u (i32.const 40)))
    (call $put64 (i64.load16_s (i32.const 41)))
    (call $put64 (i64.load16_u (i32.const 41)))
    (call $put64 (i64.load32_s (i32.const 43)))
    (call $put64 (i64.load32_u (i32.const 43)))
    (call $put64 (i64.load32_u (i32.const 2)))
    ;; float loads: the bits as loaded, and a value computed from one
    (call $put32 (i32.reinterpret_f32 (f32.load (i32.const 13))))
    (call $put64 (i64.reinterpret_f64 (f64.load (i32.const 17))))
    (call $put32 (i32.reinterpret_f32 (f32.load (i32.const 25))))
    (call $put64 (i64.reinterpret_f64 (f64.load (i32.const 29))))
    (call $put64 (i64.reinterpret_f64
      (f64.promote_f32 (f32.mul (f32.load (i32.const 25)) (f32.load offset=4 (i32.const 43))))))
    (call $put64 (i64.trunc_f64_s (f64.mul (f64.load (i32.const 29)) (f64.const 1e6))))
    ;; vector loads, every form
    (call $putv (v128.load (i32.const 51)))
    (call $putv (v128.load (i32.const 0)))
    (call $putv (v128.load8x8_s (i32.const 51)))
    (call $putv (v128.load8x8_u (i32.const 51)))
    (call $putv (v128.load16x4_s (i32.const 51)))
    (call $putv (v128.load16x4_u (i32.const 51)))
    (call $putv (v128.load32x2_s (i32.const 51)))
    (call $putv (v128.load32x2_u (i32.const 51)))
    (call $putv (v128.load8_splat (i32.const 37)))
    (call $putv (v128.load16_splat (i32.const 38)))
    (call $putv (v128.load32_splat (i32.const 0)))
    (call $putv (v128.load64_splat (i32.const 5)))
    (call $putv (v128.load32_zero (i32.const 1)))
    (call $putv (v128.load64_zero (i32.const 3)))
    (local.set $v (v128.load (i32.const 67)))
    (call $putv (v128.load8_lane 3 (i32.const 37) (local.get $v)))
    (call $putv (v128.load16_lane 6 (i32.const 38) (local.get $v)))
    (call $putv (v128.load32_lane 1 (i32.const 0) (local.get $v)))
    (call $putv (v128.load64_lane 0 (i32.const 5) (local.get $v)))
    ;; lane order in registers: extracts, a replace, a shuffle, a lane-wise add
    (call $put32 (i8x16.extract_lane_s 1 (local.get $v)))
    (call $put32 (i8x16.extract_lane_u 15 (v128.load (i32.const 51))))
    (call $put32 (i16x8.extract_lane_s 7 (v128.load (i32.const 51))))
    (call $put32 (i16x8.extract_lane_u 2 (local.get $v)))
    (call $put32 (i32x4.extract_lane 3 (local.get $v)))
    (call $put64 (i64x2.extract_lane 1 (local.get $v)))
    (call $put32 (i32.reinterpret_f32 (f32x4.extract_lane 2 (v128.load (i32.const 98)))))
    (call $put64 (i64.reinterpret_f64 (f64x2.extract_lane 1 (v128.load (i32.const 114)))))
    (call $putv (i32x4.replace_lane 0 (local.get $v) (i32.const 0x7f7e7d7c)))
    (call $putv (i8x16.shuffle 15 14 13 12 11 10 9 8 23 22 21 20 19 18 17 16
      (local.get $v) (v128.load (i32.const 51))))
    (call $putv (i16x8.add (local.get $v) (v128.load (i32.const 51))))
    (call $putv (i8x16.swizzle (local.get $v) (v128.const i8x16 0 16 3 2 1 0 255 8 9 10 11 12 13 14 15 7)))
    (call $put32 (i8x16.bitmask (v128.load (i32.const 51))))
    (call $put32 (i32x4.bitmask (local.get $v))))

  ;; hex of memory[0, len) into memory at 4096: 32 hex digits and a newline per 16 bytes
  (func $hex (param $len i32) (result i32)
    (local $i i32) (local $o i32) (local $b i32)
    (local.set $o (i32.const 4096))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $b (i32.load8_u (local.get $i)))
        (i32.store8 (local.get $o)
          (i32.load8_u offset=3072 (i32.shr_u (local.get $b) (i32.const 4))))
        (i32.store8 offset=1 (local.get $o)
          (i32.load8_u offset=3072 (i32.and (local.get $b) (i32.const 15))))
        (local.set $o (i32.add (local.get $o) (i32.const 2)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.eqz (i32.and (local.get $i) (i32.const 15)))
          (then
            (i32.store8 (local.get $o) (i32.const 10))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))))
        (br $next)))
    (i32.sub (local.get $o) (i32.const 4096)))
  (data (i32.const 3072) "0123456789abcdef")

  (func (export "_start")
    (local $n i32)
    (call $stores)
    (call $loads)
    (local.set $n (call $hex (global.get $out)))
    ;; one iovec at 3088: the hex text
    (i32.store (i32.const 3088) (i32.const 4096))
    (i32.store (i32.const 3092) (local.get $n))
    (drop (call $fd_write (i32.const 1) (i32.const 3088) (i32.const 1) (i32.const 3096)))))
