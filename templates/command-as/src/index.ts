// index.ts: {{name}}, a WASI command in AssemblyScript: `corral up -- ARGS` (or `corral run
// target/{{name}}.wasm ARGS`) runs it with its arguments.
console.log("Hello from {{name}}!");
const argv = process.argv;
for (let i = 1; i < argv.length; i++) {
  console.log("argument " + i.toString() + ": " + argv[i]);
}
