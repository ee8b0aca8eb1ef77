checking
Assertion failed: argc == 42 \(trap_assert\.c: main: 9\)
error: trap: unreachable
...
