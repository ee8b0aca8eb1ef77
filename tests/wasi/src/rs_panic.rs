// rs_panic: a Rust panic on wasm32-wasi prints its message to stderr and aborts, which is a
// trap: exit status 134.
fn depth(n: u32) -> u32 {
    if n == 3 {
        panic!("boom at depth {}", n);
    }
    depth(n + 1) + 1
}

fn main() {
    println!("before the panic");
    std::process::exit(depth(0) as i32);
}
