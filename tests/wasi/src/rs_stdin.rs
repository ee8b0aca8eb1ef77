// rs_stdin: reads stdin line by line through Rust's BufRead (fd_read), sums the numbers and
// counts the lines and words.
use std::io::BufRead;

fn main() {
    let stdin = std::io::stdin();
    let (mut lines, mut words, mut sum) = (0u64, 0u64, 0i64);
    for line in stdin.lock().lines() {
        let line = line.expect("read stdin");
        lines += 1;
        for w in line.split_whitespace() {
            words += 1;
            if let Ok(n) = w.parse::<i64>() {
                sum += n;
            }
        }
    }
    println!("lines={} words={} sum={}", lines, words, sum);
}
