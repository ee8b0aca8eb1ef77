;; Superinstructions (lower.c "superinstructions"): each fused form must do exactly what its
;; Wasm instructions do, including 32-bit address wrap-around, shift-count masking, traps
;; and double rounding. Every function below is written so that the fusion applies.

(module
  (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08\f0\f1\f2\f3\f4\f5\f6\f7")
  (data (i32.const 64) "\00\00\00\00\00\00\f8\3f")  ;; f64 1.5 at 64
  (data (i32.const 72) "\00\00\00\00\00\00\04\40")  ;; f64 2.5 at 72

  ;; LOADX: i32.add then a load
  (func (export "loadx_u8") (param i32 i32) (result i32)
    (i32.load8_u offset=1 (i32.add (local.get 0) (local.get 1))))
  (func (export "loadx_s8") (param i32 i32) (result i32)
    (i32.load8_s (i32.add (local.get 0) (local.get 1))))
  (func (export "loadx_i32") (param i32 i32) (result i32)
    (i32.load offset=4 (i32.add (local.get 0) (local.get 1))))
  (func (export "loadx_i64_32s") (param i32 i32) (result i64)
    (i64.load32_s (i32.add (local.get 0) (local.get 1))))

  ;; LOADS: (i << k) + imm, then a load
  (func (export "loads_i32") (param i32) (result i32)
    (i32.load offset=0 (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const 4))))
  (func (export "loads_i32_k33") (param i32) (result i32)
    (i32.load (i32.add (i32.shl (local.get 0) (i32.const 33)) (i32.const 2))))
  (func (export "loads_f64") (param i32) (result f64)
    (f64.load offset=8 (i32.add (i32.shl (local.get 0) (i32.const 3)) (i32.const 56))))
  (func (export "loads_wrap") (param i32) (result i32)
    (i32.load8_u (i32.add (i32.shl (local.get 0) (i32.const 28)) (i32.const 3))))

  ;; BINM: an operation whose operand was just loaded
  (func (export "f64_add_m") (param f64 i32) (result f64)
    (f64.add (local.get 0) (f64.load (local.get 1))))
  (func (export "f64_sub_m") (param f64 i32) (result f64)
    (f64.sub (local.get 0) (f64.load offset=8 (local.get 1))))
  (func (export "f64_sub_m_left") (param f64 i32) (result f64)
    (f64.sub (f64.load (local.get 1)) (local.get 0)))
  (func (export "f64_mul_m_a") (param f64 i32) (result f64)
    (f64.mul (f64.load (i32.add (local.get 1) (i32.const 8))) (local.get 0)))
  (func (export "i32_add_m") (param i32 i32) (result i32)
    (i32.add (local.get 0) (i32.load (local.get 1))))
  (func (export "i64_add_m") (param i64 i32) (result i64)
    (i64.add (i64.load offset=8 (local.get 1)) (local.get 0)))

  ;; f64 multiply fused with the add/sub that uses it: rounded twice, never an fma
  (func (export "muladd") (param f64 f64 f64) (result f64)
    (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "mulsub") (param f64 f64 f64) (result f64)
    (f64.sub (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "rmulsub") (param f64 f64 f64) (result f64)
    (f64.sub (local.get 2) (f64.mul (local.get 0) (local.get 1))))
  (func (export "addmul") (param f64 f64 f64) (result f64)
    (f64.add (local.get 2) (f64.mul (local.get 0) (local.get 1))))

  ;; COPY2: a rotation of three locals n times, by local.get/local.set pairs
  (func (export "rotate") (param i32) (result i32) (local i32 i32 i32 i32)
    (local.set 1 (i32.const 1)) (local.set 2 (i32.const 2)) (local.set 3 (i32.const 3))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get 0)))
        (local.set 4 (local.get 1))
        (local.set 1 (local.get 2))
        (local.set 2 (local.get 3))
        (local.set 3 (local.get 4))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $l)))
    (i32.add (i32.mul (local.get 1) (i32.const 100))
             (i32.add (i32.mul (local.get 2) (i32.const 10)) (local.get 3))))
)

(assert_return (invoke "loadx_u8" (i32.const 1) (i32.const 2)) (i32.const 5))
(assert_return (invoke "loadx_u8" (i32.const 0xffffffff) (i32.const 9)) (i32.const 0xf1))
(assert_return (invoke "loadx_s8" (i32.const 8) (i32.const 0)) (i32.const -16))
(assert_return (invoke "loadx_i32" (i32.const 2) (i32.const 2)) (i32.const 0xf3f2f1f0))
(assert_return (invoke "loadx_i64_32s" (i32.const 4) (i32.const 8)) (i64.const 0xfffffffff7f6f5f4))
(assert_trap (invoke "loadx_u8" (i32.const 65535) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "loadx_i32" (i32.const 0x8000) (i32.const 0x7ffc)) "out of bounds memory access")
;; the sum wraps to 0: in bounds
(assert_return (invoke "loadx_u8" (i32.const 0x80000000) (i32.const 0x80000000)) (i32.const 2))

(assert_return (invoke "loads_i32" (i32.const 0)) (i32.const 0x08070605))
(assert_return (invoke "loads_i32" (i32.const 1)) (i32.const 0xf3f2f1f0))
(assert_return (invoke "loads_i32_k33" (i32.const 1)) (i32.const 0x08070605))
(assert_return (invoke "loads_f64" (i32.const 0)) (f64.const 1.5))
(assert_return (invoke "loads_f64" (i32.const 1)) (f64.const 2.5))
(assert_return (invoke "loads_wrap" (i32.const 16)) (i32.const 4))
(assert_trap (invoke "loads_i32" (i32.const 0x4000)) "out of bounds memory access")
(assert_trap (invoke "loads_f64" (i32.const 0x2000)) "out of bounds memory access")

(assert_return (invoke "f64_add_m" (f64.const 1) (i32.const 64)) (f64.const 2.5))
(assert_return (invoke "f64_sub_m" (f64.const 1) (i32.const 64)) (f64.const -1.5))
(assert_return (invoke "f64_sub_m_left" (f64.const 1) (i32.const 64)) (f64.const 0.5))
(assert_return (invoke "f64_mul_m_a" (f64.const 2) (i32.const 64)) (f64.const 5))
(assert_return (invoke "i32_add_m" (i32.const 1) (i32.const 0)) (i32.const 0x04030202))
(assert_return (invoke "i64_add_m" (i64.const 1) (i32.const 0)) (i64.const 0xf7f6f5f4f3f2f1f1))
(assert_trap (invoke "f64_add_m" (f64.const 1) (i32.const 65529)) "out of bounds memory access")
(assert_return (invoke "f64_mul_m_a" (f64.const 2) (i32.const -8)) (f64.const 0x1.7060504030201p-894))
(assert_trap (invoke "f64_mul_m_a" (f64.const 1) (i32.const -16)) "out of bounds memory access")
(assert_trap (invoke "i32_add_m" (i32.const 1) (i32.const 65533)) "out of bounds memory access")

;; (1 + 2^-30)^2 = 1 + 2^-29 + 2^-60: the product rounds to 1 + 2^-29, so subtracting that
;; gives exactly 0; a fused multiply-add would give 2^-60.
(assert_return (invoke "mulsub" (f64.const 0x1.00000004p+0) (f64.const 0x1.00000004p+0) (f64.const 0x1.00000008p+0)) (f64.const 0))
(assert_return (invoke "rmulsub" (f64.const 0x1.00000004p+0) (f64.const 0x1.00000004p+0) (f64.const 0x1.00000008p+0)) (f64.const 0))
(assert_return (invoke "muladd" (f64.const 0x1.00000004p+0) (f64.const 0x1.00000004p+0) (f64.const -0x1.00000008p+0)) (f64.const 0))
(assert_return (invoke "addmul" (f64.const 0x1.00000004p+0) (f64.const 0x1.00000004p+0) (f64.const -0x1.00000008p+0)) (f64.const 0))
(assert_return (invoke "muladd" (f64.const 2) (f64.const 3) (f64.const 1)) (f64.const 7))
(assert_return (invoke "mulsub" (f64.const 2) (f64.const 3) (f64.const 1)) (f64.const 5))
(assert_return (invoke "rmulsub" (f64.const 2) (f64.const 3) (f64.const 1)) (f64.const -5))
(assert_return (invoke "muladd" (f64.const inf) (f64.const 0) (f64.const 1)) (f64.const nan:arithmetic))

(assert_return (invoke "rotate" (i32.const 0)) (i32.const 123))
(assert_return (invoke "rotate" (i32.const 1)) (i32.const 231))
(assert_return (invoke "rotate" (i32.const 2)) (i32.const 312))
(assert_return (invoke "rotate" (i32.const 3)) (i32.const 123))
(assert_return (invoke "rotate" (i32.const 1000)) (i32.const 231))
