//! Profiling driver for one SORN step: 2,000 warm-up steps, then N more (default 5,000) of the
//! default network. `valgrind --tool=callgrind target/release/examples/profile_sorn 20000`
//! counts instructions per source line (repeatable, unlike wall time on a shared machine).
use neuroloop_core::rng::NetRng;
use neuroloop_core::sorn::*;
fn main() {
    let n: usize = std::env::args().nth(1).map_or(5000, |s| s.parse().unwrap());
    let cfg = Config::DEFAULT;
    let l = Layout::new(&cfg);
    let mut net =
        Sorn::new(&cfg, 1, Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len]))
            .unwrap();
    let mut inp = NetRng::seed_from_u64(100);
    let mut u = [0f32; 10];
    for _ in 0..2000 + n {
        u.iter_mut().for_each(|v| *v = inp.uniform_f32());
        net.step(&u).unwrap();
    }
    println!("{:?}", net.counters());
}
