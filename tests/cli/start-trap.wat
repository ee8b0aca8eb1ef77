;; start-trap.wat: the start function traps, so instantiation itself fails with a trap.
(module
  (func $start unreachable)
  (start $start)
  (func (export "f")))
