;; memory-2.wat: a command with a memory of 2 pages (128 KiB) at least.
(module
  (memory 2)
  (func (export "_start")))
