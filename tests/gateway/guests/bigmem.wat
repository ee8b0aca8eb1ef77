;; bigmem.wat: a module whose initial memory (64 pages, 4 MiB) is over a --max-memory of
;; 2 MiB: it cannot be instantiated, so every request to it must fail cleanly.
(module
  (memory (export "memory") 64)
  (func (export "_start")))
