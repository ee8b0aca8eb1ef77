// as_hello: an AssemblyScript command on the WASI shim: console.log and the process streams
// (fd_write), the arguments (args_get) and an exit status through process.exit (proc_exit).
console.log("hello from AssemblyScript");
const argv = process.argv;
console.log("argc=" + argv.length.toString());
for (let i = 1; i < argv.length; i++) {
  console.log("argv[" + i.toString() + "]=[" + argv[i] + "]");
}
process.stdout.write("written with process.stdout\n");
process.stderr.write("written with process.stderr\n");
console.assert(false, "console.assert writes to stderr");
console.error("the shim's console.error writes to stdout");
process.exit(3);
