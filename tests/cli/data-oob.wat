;; data-oob.wat: the data segment ends past the memory, so instantiation traps.
(module
  (memory 1)
  (data (i32.const 65535) "ab")
  (func (export "f")))
