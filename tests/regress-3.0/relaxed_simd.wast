;; Relaxed SIMD (WebAssembly 3.0): the one result Corral gives where the spec allows several
;; (src/engine/simd.h, docs/design/interp.md), the same on every tier, SIMD path and host.
;; The spec suite's relaxed_*.wast accept any allowed result; these inputs pin Corral's.

(module
  (func (export "swizzle") (param v128 v128) (result v128)
    (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))
  (func (export "trunc_f32_s") (param v128) (result v128)
    (i32x4.relaxed_trunc_f32x4_s (local.get 0)))
  (func (export "trunc_f32_u") (param v128) (result v128)
    (i32x4.relaxed_trunc_f32x4_u (local.get 0)))
  (func (export "trunc_f64_s") (param v128) (result v128)
    (i32x4.relaxed_trunc_f64x2_s_zero (local.get 0)))
  (func (export "trunc_f64_u") (param v128) (result v128)
    (i32x4.relaxed_trunc_f64x2_u_zero (local.get 0)))
  (func (export "f32_madd") (param v128 v128 v128) (result v128)
    (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f32_nmadd") (param v128 v128 v128) (result v128)
    (f32x4.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f64_madd") (param v128 v128 v128) (result v128)
    (f64x2.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f64_nmadd") (param v128 v128 v128) (result v128)
    (f64x2.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "sel8") (param v128 v128 v128) (result v128)
    (i8x16.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "sel16") (param v128 v128 v128) (result v128)
    (i16x8.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "sel32") (param v128 v128 v128) (result v128)
    (i32x4.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "sel64") (param v128 v128 v128) (result v128)
    (i64x2.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f32_min") (param v128 v128) (result v128)
    (f32x4.relaxed_min (local.get 0) (local.get 1)))
  (func (export "f32_max") (param v128 v128) (result v128)
    (f32x4.relaxed_max (local.get 0) (local.get 1)))
  (func (export "f64_min") (param v128 v128) (result v128)
    (f64x2.relaxed_min (local.get 0) (local.get 1)))
  (func (export "f64_max") (param v128 v128) (result v128)
    (f64x2.relaxed_max (local.get 0) (local.get 1)))
  (func (export "q15mulr") (param v128 v128) (result v128)
    (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1)))
  (func (export "dot") (param v128 v128) (result v128)
    (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 0) (local.get 1)))
  (func (export "dot_add") (param v128 v128 v128) (result v128)
    (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2)))
)

;; swizzle: an index of 16 or more selects 0
(assert_return (invoke "swizzle"
    (v128.const i8x16 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31)
    (v128.const i8x16 0 15 16 255 128 1 2 3 4 5 6 7 8 9 10 11))
  (v128.const i8x16 16 31 0 0 0 17 18 19 20 21 22 23 24 25 26 27))

;; trunc: saturating, NaN gives 0
(assert_return (invoke "trunc_f32_s" (v128.const f32x4 nan -inf 3e9 -2.5))
  (v128.const i32x4 0 -2147483648 2147483647 -2))
(assert_return (invoke "trunc_f32_u" (v128.const f32x4 nan -1 5e9 2.7))
  (v128.const i32x4 0 0 -1 2))
(assert_return (invoke "trunc_f64_s" (v128.const f64x2 nan -1e10))
  (v128.const i32x4 0 -2147483648 0 0))
(assert_return (invoke "trunc_f64_u" (v128.const f64x2 -1 1e10))
  (v128.const i32x4 0 -1 0 0))

;; madd, nmadd: unfused. (1 + 2^-23)^2 rounds to 1 + 2^-22 before c is added, so the sum is 0
;; (fused, it would be 2^-46).
(assert_return (invoke "f32_madd"
    (v128.const f32x4 0x1.000002p+0 2 0 -1)
    (v128.const f32x4 0x1.000002p+0 3 0 1)
    (v128.const f32x4 -0x1.000004p+0 1 -0 0))
  (v128.const f32x4 0 7 0 -1))
(assert_return (invoke "f32_nmadd"
    (v128.const f32x4 0x1.000002p+0 2 0 -1)
    (v128.const f32x4 0x1.000002p+0 3 0 1)
    (v128.const f32x4 0x1.000004p+0 1 -0 0))
  (v128.const f32x4 0 -5 -0 1))
(assert_return (invoke "f64_madd"
    (v128.const f64x2 0x1.0000000000001p+0 2)
    (v128.const f64x2 0x1.0000000000001p+0 3)
    (v128.const f64x2 -0x1.0000000000002p+0 1))
  (v128.const f64x2 0 7))
(assert_return (invoke "f64_nmadd"
    (v128.const f64x2 0x1.0000000000001p+0 2)
    (v128.const f64x2 0x1.0000000000001p+0 3)
    (v128.const f64x2 0x1.0000000000002p+0 1))
  (v128.const f64x2 0 -5))

;; laneselect: every bit of the mask selects (bitselect), not a lane's top bit alone
(assert_return (invoke "sel8"
    (v128.const i8x16 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1)
    (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)
    (v128.const i8x16 0x0f 0xf0 0x80 0x7f 0 0 0 0 0 0 0 0 0 0 0 -1))
  (v128.const i8x16 0x0f 0xf0 0x80 0x7f 0 0 0 0 0 0 0 0 0 0 0 -1))
(assert_return (invoke "sel16"
    (v128.const i16x8 0x1234 0x1234 0 0 0 0 0 0)
    (v128.const i16x8 0x4321 0x4321 0 0 0 0 0 0)
    (v128.const i16x8 0x00ff 0x8000 0 0 0 0 0 0))
  (v128.const i16x8 0x4334 0x4321 0 0 0 0 0 0))
(assert_return (invoke "sel32"
    (v128.const i32x4 -1 -1 0 0)
    (v128.const i32x4 0 0 -1 -1)
    (v128.const i32x4 0xffff 0x80000000 0x1 0))
  (v128.const i32x4 0xffff 0x80000000 -2 -1))
(assert_return (invoke "sel64"
    (v128.const i64x2 -1 0)
    (v128.const i64x2 0 -1)
    (v128.const i64x2 0x8000000000000001 0x7fffffffffffffff))
  (v128.const i64x2 0x8000000000000001 0x8000000000000000))

;; min, max: as f32x4.min/max (NaN propagates, -0 < +0)
(assert_return (invoke "f32_min" (v128.const f32x4 nan -0 1 0) (v128.const f32x4 0 0 2 -0))
  (v128.const f32x4 nan:canonical -0 1 -0))
(assert_return (invoke "f32_max" (v128.const f32x4 1 -0 1 0) (v128.const f32x4 nan 0 2 -0))
  (v128.const f32x4 nan:canonical 0 2 0))
(assert_return (invoke "f64_min" (v128.const f64x2 0 nan) (v128.const f64x2 -0 1))
  (v128.const f64x2 -0 nan:canonical))
(assert_return (invoke "f64_max" (v128.const f64x2 -0 1) (v128.const f64x2 0 nan))
  (v128.const f64x2 0 nan:canonical))

;; q15mulr: saturating
(assert_return (invoke "q15mulr"
    (v128.const i16x8 -32768 16384 -1 32767 0 0 0 0)
    (v128.const i16x8 -32768 16384 1 32767 0 0 0 0))
  (v128.const i16x8 32767 8192 0 32766 0 0 0 0))

;; dot: b signed; an i16 pair sum wraps (-128 * -128 * 2 = 32768 is -32768); the add form sums
;; those i16 lanes pairwise, then adds c
(assert_return (invoke "dot"
    (v128.const i8x16 -128 -128 127 127 1 2 0 0 0 0 0 0 0 0 0 0)
    (v128.const i8x16 -128 -128 -128 -128 3 4 0 0 0 0 0 0 0 0 0 0))
  (v128.const i16x8 -32768 -32512 11 0 0 0 0 0))
(assert_return (invoke "dot_add"
    (v128.const i8x16 -128 -128 127 127 1 2 0 0 0 0 0 0 0 0 0 0)
    (v128.const i8x16 -128 -128 -128 -128 3 4 0 0 0 0 0 0 0 0 0 0)
    (v128.const i32x4 1 2 3 4))
  (v128.const i32x4 -65279 13 3 4))

;; Typed like any instruction.
(assert_invalid
  (module (func (result v128)
    (f32x4.relaxed_madd (v128.const i64x2 0 0) (v128.const i64x2 0 0))))
  "type mismatch")
