;; backtrace.wat: backtraces `corral run` must keep short and name. run.sh checks offsets
;; against the bytes of the compiled module, so keep each body as it is.
(module
  ;; ping and pong recurse into each other: 10,000 alternating frames, none alike in a row
  (func $ping (export "ping") (param i32) (result i32) local.get 0 call $pong)      ;; func 0
  (func $pong (param i32) (result i32) local.get 0 call $ping)                      ;; func 1
  ;; exported twice: a backtrace shows the first name
  (func $boom (export "boom") (export "alias") unreachable)                         ;; func 2
  ;; countdown N traps after N calls to itself from the same place: a run of N frames
  (func $countdown (export "countdown") (param i32)                                 ;; func 3
    local.get 0 i32.eqz if unreachable end
    local.get 0 i32.const 1 i32.sub call $countdown)
  ;; a name that needs escaping: a tab and the closing '>'
  (func (export "tab\09>") unreachable))                                            ;; func 4
