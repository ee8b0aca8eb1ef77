// rs_hello: a Rust command on Debian's wasm32-wasi std: arguments, environment (sorted),
// stdout and stderr, and an exit status through std::process::exit.
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("argc={}", args.len());
    for (i, a) in args.iter().enumerate().skip(1) {
        println!("argv[{}]=[{}] len={}", i, a, a.len());
    }
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    println!("vars={}", vars.len());
    for (k, v) in &vars {
        println!("{}=[{}]", k, v);
    }
    println!("PATH is {}", if std::env::var_os("PATH").is_some() { "set" } else { "not set" });
    eprintln!("to stderr");
    std::io::stdout().flush().unwrap();
    std::process::exit(3);
}
