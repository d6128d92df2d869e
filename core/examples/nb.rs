use neuroloop_core::rng::NetRng;
fn main() {
    let mut r = NetRng::seed_from_u64(1);
    let n = 10_000_000;
    let t0 = std::time::Instant::now();
    let mut s = 0.0f32;
    for _ in 0..n {
        s += r.normal();
    }
    println!(
        "normal {:.2} ns ({s})",
        t0.elapsed().as_secs_f64() * 1e9 / n as f64
    );
    let t0 = std::time::Instant::now();
    let mut s = 0u32;
    for _ in 0..n {
        s = s.wrapping_add(r.next_u32());
    }
    println!(
        "u32 {:.2} ns ({s})",
        t0.elapsed().as_secs_f64() * 1e9 / n as f64
    );
}
#[allow(dead_code)]
fn unused() {}
