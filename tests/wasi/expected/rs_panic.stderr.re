thread 'main' panicked at 'boom at depth 3', rs_panic\.rs:5:9
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace
error: trap: unreachable
...
