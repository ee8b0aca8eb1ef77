;; Modules using WebAssembly features Corral does not run yet are refused with the feature
;; named (issue 10 item 7). Before, these said "illegal opcode", "malformed section id",
;; "integer too large" or "malformed value type".

;; Relaxed SIMD runs (WebAssembly 3.0, tests/regress-3.0/relaxed_simd.wast), but not in this
;; directory's 2.0 mode: the feature is named before the operands are typed.
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00"
    "\0a\07\01" "\05\00"
    "\fd\80\02" "\0b"                    ;; i8x16.relaxed_swizzle (0xfd 0x100)
  )
  "illegal opcode (i8x16.relaxed_swizzle: relaxed-simd is switched off)"
)

;; Exception handling runs now; in 2.0 mode (as here) it is switched off,
;; and the tag section, a tag import and the legacy try say so.
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\0d\01\00")
  "malformed section id (the tag section: exception handling is switched off)"
)
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\02\07\01\01\6d\01\74\04\00\00"     ;; import "m" "t" (tag (type 0))
  )
  "a tag: exception handling is switched off"
)
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00"
    "\0a\07\01" "\05\00"
    "\06\40\0b\0b"                       ;; try end
  )
  "illegal opcode (try: legacy-exceptions is switched off)"
)

;; Tail calls: implemented now (tests/regress-3.0/tail_calls.wast); in 2.0 mode, which this
;; directory runs in, they are refused as a 2.0 decoder refuses them.
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00"
    "\0a\06\01" "\04\00"
    "\12\00\0b"                          ;; return_call 0
  )
  "illegal opcode (return_call: tail-call is switched off)"
)

;; Threads: a shared memory and an atomic access.
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\05\04\01\03\01\02"                 ;; (memory 1 2 shared)
  )
  "threads (shared memory) are not supported yet"
)
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
    "\0a\0b\01" "\09\00"
    "\41\00" "\fe\10\02\00" "\1a" "\0b"  ;; i32.atomic.load
  )
  "threads (i32.atomic.load) are not supported yet"
)

;; 64-bit memories, run since; in 2.0 mode (this suite's) they are named as switched off.
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\05\03\01\04\01")
  "memory64 (64-bit memories and tables) is switched off"
)

;; Garbage collection: a struct type, run since; in 2.0 mode named as switched off.
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\01\03\01\5f\00")
  "garbage collection (struct and array types) is switched off"
)

;; Multiple memories, run since, are refused in 2.0 mode (this suite's) with the 2.0 suite's
;; words, at the second memory (it said offset 0 before).
(assert_invalid
  (module binary "\00asm" "\01\00\00\00" "\05\05\02\00\01\00\01")
  "multiple memories (multi-memory is switched off)"
)

;; Extended constant expressions: implemented now (tests/regress-3.0/extended_const.wast); in
;; 2.0 mode they are not constant, with the feature named.
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\06\09\01\7f\00"                    ;; global i32
    "\41\01\41\02\6a\0b"                 ;; (i32.add (i32.const 1) (i32.const 2))
  )
  "constant expression required (i32.add: extended-const is switched off)"
)

;; Opcodes of no feature: the byte is named.
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00"
    "\0a\06\01\04\00\fc\40\0b"           ;; 0xfc 64
  )
  "illegal opcode fc 64"
)
