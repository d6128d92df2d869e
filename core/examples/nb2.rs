use neuroloop_core::rng::NetRng;
fn main() {
    let mut r = NetRng::seed_from_u64(1);
    let n: usize = std::env::args()
        .nth(1)
        .map_or(10_000_000, |s| s.parse().unwrap());
    let mut buf = vec![0f32; 240];
    let t0 = std::time::Instant::now();
    for _ in 0..n / 240 {
        for b in buf.iter_mut() {
            *b = r.normal();
        }
        std::hint::black_box(&buf);
    }
    println!(
        "normal into buf {:.2} ns",
        t0.elapsed().as_secs_f64() * 1e9 / n as f64
    );
}
