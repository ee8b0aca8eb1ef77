;; osr_simd.wat: osr.sh's case for v128 locals, which take two of the interpreter's cells: a
;; loop whose state is v128 and scalar locals interleaved, so an entry at the loop that read
;; a local from the wrong cell would give another result than the interpreter.
(module
  (func (export "simd") (param $n i32) (result i64)
    (local $a v128) (local $i i32) (local $b v128) (local $x f64) (local $c v128)
    (local.set $a (v128.const i32x4 1 2 3 4))
    (local.set $b (v128.const f32x4 0.5 1.5 2.5 3.5))
    (local.set $c (v128.const i64x2 7 -7))
    (local.set $x (f64.const 1))
    (loop $l
      (local.set $a (i32x4.add (i32x4.mul (local.get $a) (v128.const i32x4 3 5 7 9))
                               (i32x4.splat (local.get $i))))
      (local.set $b (f32x4.add (local.get $b) (f32x4.splat (f32.const 0.25))))
      (local.set $c (i64x2.add (local.get $c) (i64x2.extend_low_i32x4_s (local.get $a))))
      (local.set $x (f64.add (local.get $x) (f64.promote_f32 (f32x4.extract_lane 3 (local.get $b)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i64.add (i64.add (i64x2.extract_lane 0 (local.get $c)) (i64x2.extract_lane 1 (local.get $c)))
             (i64.add (i64.trunc_sat_f64_s (local.get $x))
                      (i64.extend_i32_u (i32x4.extract_lane 2 (local.get $a)))))))
