(module
  (type $bin (func (param i32 i32) (result i32)))
  (func $add (export "add") (type $bin) (i32.add (local.get 0) (local.get 1)))
  (func $fac (export "fac") (param $n i64) (result i64) (local $acc i64)
    (local.set $acc (i64.const 1))
    (block $done
      (loop $top
        (br_if $done (i64.eqz (local.get $n)))
        (local.set $acc (i64.mul (local.get $acc) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $top)))
    local.get $acc)
  (func (export "sel") (param i32) (result f64)
    (select (f64.const 0x1.8p3) (f64.const -nan:0x8_0000_0000_0001) (local.get 0)))
  (func (export "tbl") (param i32) (result i32)
    block $a block $b
      local.get 0
      br_table $a $b 1
    end end
    i32.const 7 return)
)
