;; Modules using WebAssembly features Corral does not run yet are refused with the feature
;; named (issue 10 item 7). Before, these said "illegal opcode", "malformed section id",
;; "integer too large" or "malformed value type".

;; Relaxed SIMD (WebAssembly 3.0; 128-bit SIMD itself runs since issue 14).
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00"
    "\0a\07\01" "\05\00"
    "\fd\80\02" "\0b"                    ;; i8x16.relaxed_swizzle (0xfd 0x100)
  )
  "relaxed SIMD instruction (i8x16.relaxed_swizzle) is not supported yet"
)

;; Exception handling: the tag section, a tag import, the legacy try.
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\0d\01\00")
  "exception handling (the tag section) is not supported yet"
)
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\02\07\01\01\6d\01\74\04\00\00"     ;; import "m" "t" (tag (type 0))
  )
  "a tag: exception handling is not supported yet"
)
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00"
    "\0a\07\01" "\05\00"
    "\06\40\0b\0b"                       ;; try end
  )
  "exception handling (try) is not supported yet"
)

;; Tail calls.
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00"
    "\0a\06\01" "\04\00"
    "\12\00\0b"                          ;; return_call 0
  )
  "tail calls (return_call) are not supported yet"
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

;; Garbage collection: a struct type.
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\01\03\01\5f\00")
  "garbage collection (struct, array and recursive types) is not supported yet"
)

;; Multiple memories, run since, are refused in 2.0 mode (this suite's) with the 2.0 suite's
;; words, at the second memory (it said offset 0 before).
(assert_invalid
  (module binary "\00asm" "\01\00\00\00" "\05\05\02\00\01\00\01")
  "multiple memories (multi-memory is switched off)"
)

;; Extended constant expressions.
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\06\09\01\7f\00"                    ;; global i32
    "\41\01\41\02\6a\0b"                 ;; (i32.add (i32.const 1) (i32.const 2))
  )
  "extended constant expressions are not supported yet"
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
