;; shim_bigmem.wat: a memory of 64 pages (4 MiB) from the start, for a memory limit below it.
(module
  (memory (export "memory") 64)
  (func (export "_start")))
