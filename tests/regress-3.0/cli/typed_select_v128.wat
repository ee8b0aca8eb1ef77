;; A typed select and a block type name v128 without any v128 in the function's type: with
;; SIMD switched off, each is refused (they were accepted in unreachable code; found in review).
(module
  (func unreachable (select (result v128)) drop)
  (func unreachable (block (result v128) unreachable) drop))
