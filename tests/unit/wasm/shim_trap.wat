;; shim_trap.wat: _start calls $boom, which reaches `unreachable`: a trap with a two-frame
;; backtrace.
(module
  (memory (export "memory") 1)
  (func $boom (export "boom") unreachable)
  (func (export "_start") (call $boom)))
