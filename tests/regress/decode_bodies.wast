;; Function bodies are decoded as the code section is read (decode.c, issue 10 item 5),
;; constant expressions stop at their section's end, and memop flags follow WebAssembly 3.0:
;; below 64 an alignment exponent, 64..127 a memory index follows, 128 and more malformed.
;; Each malformed case failed before, with another message.

;; An over-long offset LEB128 in a body whose declared size does not add up: the LEB128 is the
;; first thing wrong in byte order, not the bytes after the code section ("malformed section
;; id" before).
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"                 ;; type section
    "\03\02\01\00"                       ;; function section
    "\05\03\01\00\01"                    ;; memory section
    "\0a\11\01"                          ;; code section
    "\0f\01\01\7f"                       ;; body of 15 bytes, one i32 local
    "\41\00"                             ;; i32.const 0
    "\28\02"                             ;; i32.load align=4
    "\82\80\80\80\80\80\80\80\80\80\00"  ;; offset 2 with far too many bytes
    "\1a\0b"                             ;; drop, end
  )
  "integer representation too long"
)
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\05\03\01\00\01"
    "\0a\12\01"
    "\10\01\01\7f"
    "\41\00\41\03"                       ;; i32.const 0, i32.const 3
    "\36\02"                             ;; i32.store align=4
    "\82\80\80\80\80\80\80\80\80\80\00"  ;; offset 2 with far too many bytes
    "\0b"
  )
  "integer representation too long"
)

;; Memop flags of 128 and more are malformed ("alignment must not be larger than natural",
;; a validation error, before).
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
    "\0a\0b\01" "\09\00"
    "\41\00" "\28\80\01\00" "\1a" "\0b"  ;; i32.load flags=128
  )
  "malformed memop flags"
)
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
    "\0a\0b\01" "\09\00"
    "\41\00" "\28\80\02\00" "\1a" "\0b"  ;; i32.load flags=256
  )
  "malformed memop flags"
)

;; Alignment exponents 32..63 decode and are invalid.
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
    "\0a\0a\01" "\08\00"
    "\41\00" "\28\20\00" "\1a" "\0b"     ;; i32.load align=2**32
  )
  "alignment must not be larger than natural"
)
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
    "\0a\0a\01" "\08\00"
    "\41\00" "\28\3f\00" "\1a" "\0b"     ;; i32.load align=2**63
  )
  "alignment must not be larger than natural"
)

;; Flag 64 says a memory index follows: memory 1 is unknown here (tests/cli/run.sh runs a
;; module loading through memory 0 this way: wast2json refuses its flags) ...
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
    "\0a\0b\01" "\09\00"
    "\41\00" "\28\42\01\00" "\1a" "\0b"
  )
  "unknown memory 1"
)

;; ... and the byte after the index is the offset: here `drop` (0x1a) is read as offset 26,
;; leaving the load's result on the stack at `end` (the 3.0 suite's align.wast).
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00" "\05\03\01\00\01"
    "\0a\0a\01" "\08\00"
    "\41\00" "\28\41\00" "\1a" "\0b"
  )
  "type mismatch"
)

;; A validation error in one body, then a malformed body: the malformation wins.
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\03\02\00\00"                    ;; two functions
    "\0a\0a\02"
    "\03\00\6a\0b"                      ;; body 0: i32.add on an empty stack (invalid) ...
    "\04\00\41\00\ff"                    ;; body 1: i32.const 0, then 0xff (malformed)
  )
  "illegal opcode ff"
)

;; A global's initializer without its `end` stops at the section's end: the next section's
;; id (0x0a) is not read as an opcode ("exception handling (throw_ref) is not supported yet"
;; before). The 3.0 suite's binary.wast.
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"                 ;; type section
    "\03\02\01\00"                       ;; function section
    "\06\05\01\7f\00\41\00"              ;; global section: i32.const 0, no end
    "\0a\04\01\02\00\0b"                 ;; code section
  )
  "unexpected end of section or function"
)
