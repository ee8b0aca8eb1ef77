// main.rs: {{name}}, a WASI command: `corral up -- ARGS` (or `corral run
// target/{{name}}.wasm ARGS`) runs it with its arguments.
fn main() {
    println!("Hello from {{name}}!");
    for (i, arg) in std::env::args().enumerate().skip(1) {
        println!("argument {}: {}", i, arg);
    }
}
