;; test_native_entry.c: functions a host calls straight into native code.
(module
  (import "host" "reenter" (func $reenter (param i32) (result i32)))
  (memory 1)
  (func (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add)
  ;; n == 0: 0; else the host's reenter(n - 1) + 1 (the host calls "down" again)
  (func (export "down") (param i32) (result i32)
    local.get 0 i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0 i32.const 1 i32.sub call $reenter i32.const 1 i32.add
    end)
  (func $div (param i32) (result i32) i32.const 7 local.get 0 i32.div_u)
  (func (export "boom") (param i32) (result i32) local.get 0 call $div)
  ;; more results than parameters: the cells hold both
  (func (export "pair") (result i32 i64 i32) i32.const 1 i64.const 2 i32.const 3))
