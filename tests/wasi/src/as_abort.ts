// as_abort: an uncaught error in AssemblyScript goes to the WASI shim's abort, which writes
// "abort: MESSAGE in FILE(LINE:COLUMN)" to stderr and exits with status 255.
console.log("before the error");
function fail(n: i32): i32 {
  if (n > 2) throw new Error("boom at " + n.toString());
  return fail(n + 1);
}
fail(0);
console.log("not reached");
