// rs_time: Rust's clocks and sleeping on WASI: SystemTime is after 2020, Instant never goes
// back, thread::sleep sleeps at least as long as asked (poll_oneoff), and HashMap's random
// seed (random_get) differs between two maps.
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    println!("after 2020 and before 2100: {}", since > 1_577_836_800 && since < 4_102_444_800);
    let mut last = Instant::now();
    let mut monotonic = true;
    for _ in 0..1000 {
        let t = Instant::now();
        if t < last {
            monotonic = false;
        }
        last = t;
    }
    println!("Instant never goes back: {}", monotonic);
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_millis(25));
    println!("slept at least 25 ms: {}", t0.elapsed() >= Duration::from_millis(25));
    let (a, b) = (RandomState::new(), RandomState::new());
    let mut ha = a.build_hasher();
    let mut hb = b.build_hasher();
    ha.write_u64(42);
    hb.write_u64(42);
    println!("random hash seeds differ: {}", ha.finish() != hb.finish());
}
