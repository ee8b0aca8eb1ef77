//! hello.rs: a WAGI handler in Rust, with std alone (no crates, no cargo). Shows that any
//! language with a WASI target speaks the same CGI contract: it reads the request from
//! environment variables, argv and stdin, and prints headers, a blank line and a body.
//! It answers JSON with the time and what it learnt of the request, including how many
//! bytes of body it received (read with a cap, never trusting CONTENT_LENGTH blindly):
//!     {"message": "Hello from Rust!", "time": "2024-05-01T12:00:00Z", "method": "POST", ...}
//!
//! Build: /usr/bin/rustc --target wasm32-wasi -O rust/hello.rs -o hello_rust.wasm
//!        (scripts/build_examples.sh does it; a newer rustc calls the target wasm32-wasip1)
//! Try:   printf 'hello' | build/corral run --env REQUEST_METHOD=POST --env CONTENT_LENGTH=5 \
//!          build/examples/serve/hello_rust.wasm

use std::env;
use std::io::{self, Read, Write};
use std::time::{SystemTime, UNIX_EPOCH};

/// The most body this handler reads; a longer body is refused with 413.
const MAX_BODY: u64 = 1 << 20;

/// An environment variable, or `fallback` when it is unset, empty or not UTF-8.
/// (`env::var` returns an error rather than panicking on non-UTF-8, unlike `env::vars`.)
fn env_or(name: &str, fallback: &str) -> String {
    match env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => fallback.to_string(),
    }
}

/// `s` as a JSON string literal: quotes, backslashes and control characters escaped.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Seconds since 1970 as an RFC 3339 UTC time, e.g. "2024-05-01T12:00:00Z". std has no
/// calendar, so this is Howard Hinnant's days-to-civil algorithm.
fn rfc3339(secs: u64) -> String {
    let days = (secs / 86400) as i64;
    let rem = secs % 86400;
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z.rem_euclid(146097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        year,
        month,
        day,
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Prints an error response: a CGI Status header and a JSON body.
fn fail(out: &mut impl Write, status: &str, message: &str) -> io::Result<()> {
    write!(
        out,
        "Status: {}\nContent-Type: application/json\n\n{{\"error\": {}}}\n",
        status,
        json_str(message)
    )
}

fn respond(out: &mut impl Write) -> io::Result<()> {
    // CONTENT_LENGTH says how much body to expect. Unset means none; garbage is an error.
    let declared: u64 = match env::var("CONTENT_LENGTH").unwrap_or_default().as_str() {
        "" => 0,
        s => match s.parse() {
            Ok(n) => n,
            Err(_) => return fail(out, "400 Bad Request", "CONTENT_LENGTH is not a number"),
        },
    };
    if declared > MAX_BODY {
        return fail(out, "413 Payload Too Large", "the body is larger than 1 MiB");
    }
    // Count the body without keeping it. take() stops at the declared length, and io::copy
    // loops over short reads until then or end of file.
    let received = io::copy(&mut io::stdin().lock().take(declared), &mut io::sink())?;
    if received < declared {
        let msg = format!("the body ended after {} of {} bytes", received, declared);
        return fail(out, "400 Bad Request", &msg);
    }

    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    // The request path: SCRIPT_NAME then PATH_INFO, one '/' where they meet.
    let script = env_or("SCRIPT_NAME", "");
    let info = env_or("PATH_INFO", "");
    let path = match (script.ends_with('/'), info.starts_with('/')) {
        (true, true) => format!("{}{}", script, &info[1..]),
        _ => format!("{}{}", script, info),
    };
    // argv is WAGI's [request path, query pieces split on '&'], not decoded.
    let args: Vec<String> = env::args().map(|a| json_str(&a)).collect();

    let fields = [
        ("message", json_str("Hello from Rust!")),
        ("time", json_str(&rfc3339(now))),
        ("unix_time", now.to_string()),
        ("method", json_str(&env_or("REQUEST_METHOD", "GET"))),
        ("path", json_str(if path.is_empty() { "/" } else { &path })),
        ("query", json_str(&env_or("QUERY_STRING", ""))),
        ("user_agent", json_str(&env_or("HTTP_USER_AGENT", ""))),
        ("body_bytes", received.to_string()),
        ("args", format!("[{}]", args.join(", "))),
    ];
    write!(out, "Content-Type: application/json\n\n{{\n")?;
    for (i, (name, value)) in fields.iter().enumerate() {
        let comma = if i + 1 < fields.len() { "," } else { "" };
        write!(out, "  {}: {}{}\n", json_str(name), value, comma)?;
    }
    write!(out, "}}\n")
}

fn main() {
    // One locked, buffered stdout, flushed before main returns. An I/O error here means the
    // gateway is gone; there is nobody left to answer.
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let _ = respond(&mut out).and_then(|_| out.flush());
}
