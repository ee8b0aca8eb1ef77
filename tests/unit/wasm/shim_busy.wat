;; shim_busy.wat: loops forever without calling the host; only the engine's interrupt stops it.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $l
      (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
      (br $l))))
