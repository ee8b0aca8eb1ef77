// main.rs: {{name}}, an HTTP handler (WAGI style): each request runs main() in a fresh
// sandbox with the request in environment variables (REQUEST_METHOD, PATH_INFO,
// QUERY_STRING, HTTP_*) and the body on stdin. It prints the response: headers, a blank
// line, the body. No crates: the standard library only (`corral build` runs rustc).
use std::env;

fn main() {
    let path = env::var("PATH_INFO").unwrap_or_default();
    println!("Content-Type: text/plain; charset=utf-8");
    println!();
    println!("Hello from {{name}}! You asked for {}", if path.is_empty() { "/" } else { &path });
}
