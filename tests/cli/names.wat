;; names.wat: backtraces named from the "name" section. run.sh compiles names*.wat and
;; names*.wast with --debug-names, so each $name below lands in the module's name section.
;; run.sh checks offsets against the compiled bytes, so keep each body as it is.
(module
  ;; not exported: only the name section can name it
  (func $divide_helper (param i32 i32) (result i32)                               ;; func 0
    local.get 0 local.get 1 i32.div_s)
  ;; exported as "run": the frame shows its own name, not the export's
  (func $entry_point (export "run") (param i32) (result i32)                       ;; func 1
    i32.const 100 local.get 0 call $divide_helper)
  ;; a name with bytes that need escaping in a report: '>' and '\'
  (func $a>b\c (export "escaped") unreachable)                                     ;; func 2
  ;; no $name: the export name is the fallback
  (func (export "anonymous") unreachable)                                          ;; func 3
  ;; longer than the 160 bytes a report shows: cut, with "..."
  (func $a_very_long_name_0123456789_0123456789_0123456789_0123456789_0123456789_0123456789_0123456789_0123456789_0123456789_0123456789_0123456789_0123456789_0123456789_end
    (export "long") unreachable))                                                  ;; func 4
